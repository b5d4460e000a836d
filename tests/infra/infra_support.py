"""Shared pieces of the deployment tests: the chart renderer, the KubeRay CRD schemas, the scan
tools, walkers over the pods that the Ray objects describe, and a process helper.

A plain module (not conftest.py) so that test files can import it by a name no other test
folder uses."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "mediphi"
EXAMPLES = sorted((CHART / "examples").glob("*.yaml"))
# The copy that travels with the repository; CI runs on a clean clone where ../shared may be
# missing. test_chart.py checks it against ../shared/kuberay-crds when that exists.
CRD_DIR = Path(__file__).parent / "crds" / "v1.7.0"
SHARED_CRD_DIR = ROOT.parent / "shared" / "kuberay-crds" / "v1.7.0"
CRD_FILES = {
    "RayCluster": "ray.io_rayclusters.yaml",
    "RayJob": "ray.io_rayjobs.yaml",
    "RayService": "ray.io_rayservices.yaml",
}
# The Kubernetes version the chart is validated for (EKS default in terraform/variables.tf).
KUBE_VERSION = "1.33.0"
SCAN_VENV = ROOT / ".venv-scan"


def _load_render_module():
    # scripts/ is not a package; the script is the one renderer, shared with the tests so that
    # what manifests/ holds and what the tests check cannot be produced two different ways.
    spec = importlib.util.spec_from_file_location(
        "render_manifests", ROOT / "scripts" / "render_manifests.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["render_manifests"] = module
    spec.loader.exec_module(module)
    return module


render_manifests = _load_render_module()


def render_docs(values: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The objects the chart renders for `values` (release and namespace `mediphi`)."""
    rendered = render_manifests.render(values)
    docs: list[dict[str, Any]] = []
    for _path, text in render_manifests.manifests(rendered):
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return docs


def render_notes(values: dict[str, Any] | None) -> str:
    rendered = render_manifests.render(values)
    return next(text for path, text in rendered.items() if path.endswith("NOTES.txt"))


def by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


@cache
def crd_schema(kind: str) -> dict[str, Any]:
    """The openAPIV3Schema of the `v1` version of a KubeRay CRD."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 0.6 s instead of 10 s
    crd = yaml.load((CRD_DIR / CRD_FILES[kind]).read_text(), Loader=loader)
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    return version["schema"]["openAPIV3Schema"]


def cluster_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    spec = obj.get("spec", {})
    return (
        spec.get("rayClusterSpec")
        or spec.get("rayClusterConfig")
        or (spec if obj["kind"] == "RayCluster" else None)
    )


def pod_templates(obj: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(role, pod template) for every pod a Ray object makes: head, each worker group, submitter."""
    spec = obj.get("spec", {})
    if "submitterPodTemplate" in spec:
        yield "submitter", spec["submitterPodTemplate"]
    cluster = cluster_spec(obj)
    if cluster:
        yield "head", cluster["headGroupSpec"]["template"]
        for group in cluster.get("workerGroupSpecs", []):
            yield f"worker:{group['groupName']}", group["template"]


def as_pod(obj: dict[str, Any], role: str, template: dict[str, Any]) -> dict[str, Any]:
    """A pod template lifted into a standalone Pod, for validators and scanners that know core
    kinds only (kubernetes-validate, checkov)."""
    metadata = dict(template.get("metadata", {}))
    metadata["name"] = f"{obj['metadata']['name']}-{role.replace(':', '-')}"
    metadata["namespace"] = obj["metadata"].get("namespace", "mediphi")
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"]}


def scan_tool(name: str) -> Path:
    """A tool from .venv-scan; fails (does not skip) when missing, since `make install` (via
    scripts/setup_scan_tools.sh) always provides it on this kind of machine."""
    path = SCAN_VENV / "bin" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run scripts/setup_scan_tools.sh (make install does)")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll `url` until it answers (any HTTP status), the process dies, or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def stop_process(proc: subprocess.Popen) -> None:
    """Stop a server this test session started, by its PID's process group, never by name."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
