"""`ray job submit` against a real Ray cluster started as separate processes with `ray start --head`
on 127.0.0.1 (its own temp dir and ports), stopped by the PID of the process group we started."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from .conftest import REPO, free_port, stop_process, wait_for_port

RAY = str(Path(sys.executable).parent / "ray")


# Every port a node opens is chosen by the test: the defaults (e.g. the dashboard agent's 52365)
# collide with the other Ray clusters on this machine, such as the test session's own.
NODE_PORTS = ("dashboard-agent-listen-port", "dashboard-agent-grpc-port", "metrics-export-port",
              "runtime-env-agent-port", "node-manager-port", "object-manager-port")


def node_port_flags() -> list[str]:
    return [f"--{flag}={free_port()}" for flag in NODE_PORTS]


def start_head(temp_dir: str | Path, log: Path, num_cpus: int, env: dict) -> tuple[subprocess.Popen, int, int]:
    """`ray start --head` on 127.0.0.1 in a process group of its own: (process, GCS port, dashboard
    port), once the dashboard listens. The caller stops it with stop_process."""
    gcs, dashboard = free_port(), free_port()
    proc = subprocess.Popen(
        [RAY, "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={gcs}", f"--num-cpus={num_cpus}",
         f"--temp-dir={temp_dir}", "--include-dashboard=true", "--dashboard-host=127.0.0.1",
         f"--dashboard-port={dashboard}", "--disable-usage-stats", *node_port_flags()],
        stdout=log.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        wait_for_port(dashboard, proc, timeout=120)
    except BaseException:
        stop_process(proc)
        raise
    return proc, gcs, dashboard


@pytest.fixture(scope="module")
def ray_head(tmp_path_factory):
    temp_dir = tempfile.mkdtemp(prefix="mphi-rj-", dir="/tmp")  # short: Ray's socket paths have a limit
    log = tmp_path_factory.mktemp("ray-head") / "head.log"
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    try:
        proc, _, dashboard = start_head(temp_dir, log, 8, env)
        try:
            yield f"http://127.0.0.1:{dashboard}"
        finally:
            stop_process(proc)
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)


def ray_job(address: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    # The head requires Ray's token auth (its default); the CLI must send the token it wrote.
    env = {**{k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}, "RAY_AUTH_MODE": "token"}
    command, *rest = args  # the address goes before the entrypoint's `--`
    return subprocess.run([RAY, "job", command, "--address", address, *rest], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=timeout, check=False)


def submit_and_wait(address: str, *entrypoint: str, timeout: float = 900) -> tuple[str, str]:
    """Submit `entrypoint` with the CPU runtime_env and wait for it to end: (job id, its logs);
    fails the test, with the logs' end, unless the job succeeded."""
    for _ in range(30):  # the head's job agent registers a little after the dashboard listens
        submitted = ray_job(address, "submit", "--no-wait", "--runtime-env", "ray_jobs/runtime_env.cpu.yaml",
                            "--", sys.executable, *entrypoint)
        if "No available agent" not in submitted.stderr:
            break
        time.sleep(2)
    assert submitted.returncode == 0, submitted.stderr
    job_id = re.search(r"raysubmit_[A-Za-z0-9]+", submitted.stdout + submitted.stderr).group(0)
    deadline, status = time.time() + timeout, ""
    while time.time() < deadline:
        done = ray_job(address, "status", job_id)
        # The CLI reports the status through its logger, in words ("Job 'raysubmit_..' succeeded").
        status = (done.stdout + done.stderr).upper()
        if any(s in status for s in ("SUCCEEDED", "FAILED", "STOPPED")):
            break
        time.sleep(3)
    shown = ray_job(address, "logs", job_id)
    logs = shown.stdout + shown.stderr
    assert "SUCCEEDED" in status, f"{' '.join(entrypoint)}: {status}\n{logs[-6000:]}"
    return job_id, logs


def test_submit_the_first_stages_and_wait_for_success(ray_head, s3_server, tmp_path):
    storage_root = tmp_path / "runs"
    job_id, logs = submit_and_wait(ray_head, "ray_jobs/stage.py", "corpus", "--recipe", "tiny",
                                   "--set", f"run.storage={storage_root}", "--set", "run.name=job", timeout=600)
    # The job ran on the submitted cluster (it connected, it did not start its own) and wrote the
    # artifacts to the recipe's storage.
    assert "ray started" not in logs and "ray connected" in logs
    manifest = json.loads((storage_root / "job" / "corpus" / "manifest.json").read_text())
    assert manifest["stage"] == "corpus" and manifest["metrics"]["totals"]["documents"] > 100
    assert (storage_root / "job" / "corpus" / "stats" / "clinical.json").exists()
    listed = ray_job(ray_head, "list").stdout
    assert job_id in listed
