"""Stages on a cluster of two nodes that share no disk, as on KubeRay: the chart's head takes no
work (num-cpus 0) and runs the job's driver; the tasks and actors run on a worker node.

Both nodes run on this machine, so the worker node starts in a mount namespace of its own
(`unshare -m`) in which the head's temp folder and mediphi cache are empty tmpfs mounts: a path
that only exists on the driver's node is then missing on the worker, as it would be on another
pod. Everything else (the venv, the repository, Ray's session folder, S3 on loopback) is shared.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from .conftest import REPO, stop_process
from .test_ray_jobs import RAY, node_port_flags, start_head, submit_and_wait


def _private_mounts_work() -> str:
    """'' when this process may start one in a mount namespace of its own, else why not."""
    if shutil.which("unshare") is None:
        return "no unshare command"
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "mount", "-t", "tmpfs", "tmpfs", "/mnt"],
                           capture_output=True, text=True, check=False)
    return "" if probe.returncode == 0 else (probe.stderr.strip() or f"exit {probe.returncode}")


@pytest.fixture(scope="module")
def two_nodes(s3_server, tmp_path_factory):
    """(the dashboard's URL, the head's temp folder): a head with no CPUs and one worker node."""
    why = _private_mounts_work()
    if why:
        pytest.skip(f"cannot give a Ray node its own mounts here (unshare -m: {why})")
    root = Path(tempfile.mkdtemp(prefix="mphi-mn-", dir="/tmp"))  # short: Ray's socket paths have a limit
    dirs = {name: root / name for name in ("ray", "tmp", "cache", "w-ray", "w-tmp", "w-cache")}
    for d in dirs.values():
        d.mkdir()
    logs = tmp_path_factory.mktemp("two-nodes")
    base_env = {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", "MEDIPHI_CACHE", "TMPDIR")}
    node_env = {**base_env, "TMPDIR": str(dirs["tmp"]), "MEDIPHI_CACHE": str(dirs["cache"])}
    head = worker = None
    try:
        head, gcs, dashboard = start_head(dirs["ray"], logs / "head.log", 0, node_env)
        # The worker node sees the head's paths with its own contents behind them (bind mounts),
        # as pods of one image do: the same temp and cache paths, nothing of the head's in them.
        own = " && ".join(f"mount --bind {dirs['w-' + d]} {dirs[d]}" for d in ("ray", "tmp", "cache"))
        start = " ".join([RAY, "start", "--block", f"--address=127.0.0.1:{gcs}", "--node-ip-address=127.0.0.1",
                          "--num-cpus=8", f"--temp-dir={dirs['ray']}", *node_port_flags()])
        worker = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", f"{own} && exec {start}"],
            stdout=(logs / "worker.log").open("w"), stderr=subprocess.STDOUT, start_new_session=True,
            env={**node_env, "RAY_AUTH_MODE": "token"})
        address = f"http://127.0.0.1:{dashboard}"
        deadline = time.time() + 120
        while time.time() < deadline:
            if worker.poll() is not None:
                raise RuntimeError(f"the worker node exited: {(logs / 'worker.log').read_text()[-2000:]}")
            status = subprocess.run([RAY, "status", f"--address=127.0.0.1:{gcs}"], capture_output=True, text=True,
                                    env={**base_env, "RAY_AUTH_MODE": "token"}, timeout=60, check=False)
            if status.stdout.count("node_") >= 2:
                break
            time.sleep(2)
        else:
            raise TimeoutError("the worker node did not join the head within 120 s")
        yield address, dirs["tmp"]
    finally:
        for node in (worker, head):
            if node is not None:
                stop_process(node)
        shutil.rmtree(root, ignore_errors=True)


def test_corpus_base_and_pit_run_where_the_driver_shares_no_disk_with_the_workers(two_nodes, bucket, tmp_path):
    """The head runs each job's driver and nothing else. The base stage's packer (a Ray Data actor)
    and the pit stage's chunker, formatter and vLLM engine all run on the worker node, which
    cannot read the driver's temp folder or cache: each must get its tokenizer and model from
    storage or by value, never by a path on the driver's machine."""
    import boto3
    import yaml

    address, head_tmp = two_nodes
    # The tiny recipe on one of its domains, to keep the three stages to minutes on two cores.
    recipe = yaml.safe_load((REPO / "mediphi" / "recipes" / "tiny.yaml").read_text())
    recipe["corpus"]["domains"] = {"guidelines": recipe["corpus"]["domains"]["guidelines"]}
    (tmp_path / "one-domain.yaml").write_text(yaml.safe_dump(recipe))
    overrides = [f"run.storage=s3://{bucket}/runs", "run.name=mn", "eval.perplexity_max_tokens=2000",
                 "base.warmup.max_steps=4", "base.warmup.save_steps=2", "base.warmup.logging_steps=2",
                 "pit.max_chunks_per_domain=2", "pit.qa_per_chunk=1", "pit.chunk_tokens=48",
                 "serve.engine_args.max_model_len=512"]
    for stage in ("corpus", "base", "pit"):
        started = time.time()
        _, logs = submit_and_wait(address, "ray_jobs/stage.py", stage, "--recipe", str(tmp_path / "one-domain.yaml"),
                                  *(a for o in overrides for a in ("--set", o)))
        print(f"{stage}: {time.time() - started:.0f} s")
        assert "ray connected" in logs and "ray started" not in logs

    s3 = boto3.client("s3")

    def manifest(stage: str) -> dict:
        return json.loads(s3.get_object(Bucket=bucket, Key=f"runs/mn/{stage}/manifest.json")["Body"].read())

    assert manifest("base")["metrics"]["built"] and set(manifest("base")["metrics"]["perplexity"]) == {"guidelines"}
    pit = manifest("pit")["metrics"]["domains"]
    assert set(pit) == {"guidelines"}
    assert all(m["chunks"] == 2 and sum(m["sequences"].values()) > 0 for m in pit.values()), pit
    # The drivers removed the temp folders they made (the corpus tokenizer, the base's first weights).
    assert not [p.name for p in head_tmp.iterdir() if p.name.startswith("mediphi-")]
