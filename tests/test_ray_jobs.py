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
    """`ray job submit` with the CPU runtime_env, as a user runs it: the CLI tails the job's logs
    until it ends and exits 1 if it failed. (job id, its logs); fails the test, with the logs' end,
    unless the job succeeded.

    One CLI process for the whole job: a `ray job status` poll is a process of its own that
    imports Ray, about 2 CPU-seconds each, and every few seconds on two cores that took a large
    share of the CPU from the job it watched."""
    for _ in range(30):  # the head's job agent registers a little after the dashboard listens
        try:
            submitted = ray_job(address, "submit", "--runtime-env", "ray_jobs/runtime_env.cpu.yaml",
                                "--", sys.executable, *entrypoint, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            out = (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
            found = re.search(r"raysubmit_[A-Za-z0-9]+", out)
            if found:  # the CLI is gone, the job is not: stop it rather than leave it to the next test
                ray_job(address, "stop", found.group(0))
            pytest.fail(f"{' '.join(entrypoint)}: still running after {timeout:.0f} s\n{out[-6000:]}")
        if "No available agent" not in submitted.stderr:
            break
        time.sleep(2)
    logs = submitted.stdout + submitted.stderr
    found = re.search(r"raysubmit_[A-Za-z0-9]+", logs)
    assert found, logs[-6000:]
    # The CLI says how the job ended through its logger, in words; a stopped job also exits 0.
    succeeded = submitted.returncode == 0 and f"Job '{found.group(0)}' succeeded" in logs
    assert succeeded, f"{' '.join(entrypoint)}:\n{logs[-6000:]}"
    return found.group(0), logs


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
