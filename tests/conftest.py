"""Shared fixtures: a real S3-compatible server (moto's server mode) on 127.0.0.1 and a real
local Ray cluster with its own temp dir, both started once per session and stopped by PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BROKEN = REPO / "tests" / "data" / "broken"
CORPORA = REPO / "mediphi" / "data" / "corpora"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def stop_process(proc: subprocess.Popen) -> None:
    """Stop a server we started, by its PID (its process group), never by name."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture(scope="session")
def s3_server():
    """moto in server mode on a free loopback port; the AWS environment points at it."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port, proc)
        endpoint = f"http://127.0.0.1:{port}"
        os.environ.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
                           "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"})
        yield endpoint
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def ray_temp_dir():
    """The session Ray's temp dir (its logs are under session_latest/logs), removed at the end."""
    temp_dir = tempfile.mkdtemp(prefix="mphi-ray-", dir="/tmp")  # short: Ray's socket paths have a limit
    yield Path(temp_dir)
    shutil.rmtree(temp_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def ray_cluster(s3_server, ray_temp_dir, tmp_path_factory):
    """One embedded Ray for the session, with more logical CPUs than cores (see PITFALLS), its own
    temp dir, the S3 endpoint in its workers' environment (set before it starts) and mediphi's
    Ray Data settings in this process."""
    import ray

    from mediphi.context import configure_ray_data

    os.environ.setdefault("MEDIPHI_CACHE", str(tmp_path_factory.mktemp("cache")))
    os.environ["RAY_DATA_DISABLE_PROGRESS_BARS"] = "1"
    configure_ray_data()
    ray.init(num_cpus=8, include_dashboard=False, _temp_dir=str(ray_temp_dir), log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture
def bucket(s3_server):
    """A fresh bucket on the session's S3 server."""
    import uuid

    import boto3

    name = f"mediphi-test-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1").create_bucket(Bucket=name)
    return name
