"""The training launcher on a real Ray cluster: a killed worker restarts from the last checkpoint,
a stopped stage resumes, DeepSpeed ZeRO configs validate and ZeRO-2 trains on CPU over gloo."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from mediphi.config import DeepSpeedCfg, TrainCfg, load_recipe
from mediphi.train.launcher import SCRATCH_PREFIX, TrainJob, deepspeed_config, launch, validate_deepspeed

from .conftest import stop_process
from .runs import fake_run, recipe_yaml, tiny_base, write_manifest


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    root = tmp_path_factory.mktemp("lm")
    tiny_base(root / "model", [f"the patient {i} was seen and treated for pain" for i in range(300)])
    return root / "model"


def packed(n: int = 400, seq_len: int = 64):
    import ray

    rng = np.random.default_rng(0)
    # Below the tiny_lm tokenizer's vocabulary (320 on its 300 short texts): larger ids overflow the embedding.
    ids = rng.integers(5, 300, size=(n, seq_len)).astype("int32")
    return ray.data.from_items([{"input_ids": r, "labels": r} for r in ids])


def job(tmp_path: Path, model: Path, name: str, **cfg) -> TrainJob:
    settings = {"max_steps": 40, "save_steps": 10, "logging_steps": 5, "per_device_batch_size": 4,
                "max_failures": 2, **cfg}
    return TrainJob(name=name, model=str(model), datasets={"train": packed()}, cfg=TrainCfg(**settings),
                    checkpoints=str(tmp_path / "ckpt"), output=str(tmp_path / "out" / name),
                    tensorboard=str(tmp_path / "tb" / name), options={"seq_len": 64})


def checkpoints(root: Path) -> list[Path]:
    return sorted(root.glob("*/checkpoint_*")) if root.exists() else []


def train_workers() -> list[int]:
    """PIDs of the training workers under this session's raylet. (Ray's state API would say the
    same, but it needs the dashboard, which the test cluster does not start.)"""
    import psutil
    import ray

    raylet = ray._private.worker._global_node.all_processes["raylet"][0].process.pid
    return [p.pid for p in psutil.Process(raylet).children(recursive=True)
            if "RayTrainWorker" in " ".join(p.cmdline())]


def test_killed_worker_restarts_from_last_checkpoint(ray_cluster, tmp_path, tiny_lm):
    results: list = []
    runner = threading.Thread(target=lambda: results.extend(launch([job(tmp_path, tiny_lm, "killme", max_steps=80)])))
    runner.start()
    deadline = time.time() + 300
    # A checkpoint counts once the controller has registered it (its snapshot file names it): a
    # worker killed while its first checkpoint is still being written rightly starts from step 0.
    snapshot = tmp_path / "ckpt" / "killme" / "checkpoint_manager_snapshot.json"
    while not (snapshot.exists() and "checkpoint_" in snapshot.read_text()) and runner.is_alive() \
            and time.time() < deadline:
        time.sleep(0.2)
    assert checkpoints(tmp_path / "ckpt"), f"no checkpoint appeared (training ended: {not runner.is_alive()})"
    workers = train_workers()
    assert workers, "no live training worker to kill"
    os.kill(workers[0], signal.SIGKILL)  # by PID: this cluster's worker, nothing else
    runner.join(timeout=600)
    [result] = results
    history = result.log_history
    resumed = [h["resumed_from_step"] for h in history if "resumed_from_step" in h]
    assert resumed and resumed[0] >= 10, "the restarted worker must resume from a checkpoint, not step 0"
    steps = [h["step"] for h in history if "loss" in h]
    assert max(steps) == 80
    # Logged steps continue upwards past the restart: nothing was trained twice from zero.
    assert steps == sorted(steps) and steps.count(5) == 1
    assert (Path(result.output) / "model.safetensors").exists()
    # The killed worker's scratch (its trainer's local checkpoint) went with the next worker's
    # start, and that worker removed its own at the end: nothing of the job is left on the node.
    assert not list(Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}killme-*"))


def test_a_finished_job_launched_again_trains_nothing_more(ray_cluster, tmp_path, tiny_lm):
    """A job whose last checkpoint is at max_steps (a sibling job failed after it ended, or the
    stage died after training) gives the same model when launched again, and its checkpoint stays
    at max_steps: the HF Trainer would otherwise take one more step per relaunch."""
    import hashlib

    def attempt() -> tuple[str, list, int]:
        result = launch([job(tmp_path, tiny_lm, "done", max_steps=10, save_steps=5)])[0]
        model = hashlib.sha256((Path(result.output) / "model.safetensors").read_bytes()).hexdigest()
        latest = max((tmp_path / "ckpt" / "done").glob("checkpoint_*/checkpoint/trainer_state.json"),
                     key=lambda p: p.stat().st_mtime)
        return model, result.log_history, json.loads(latest.read_text())["global_step"]

    first, history, step = attempt()
    assert step == 10 and not any("resumed_from_step" in h for h in history)
    model, history, step = attempt()
    assert model == first and step == 10
    assert [h["resumed_from_step"] for h in history if "resumed_from_step" in h] == [10]
    assert max(h["step"] for h in history) == 10


CLAIM_SCRATCH = """
import sys, time
from mediphi.train.launcher import _claim_scratch
work, owner = _claim_scratch(sys.argv[1])
(work / "checkpoint-10").mkdir()
print(work, flush=True)
time.sleep(600)
"""


def test_a_killed_workers_scratch_goes_with_the_next_worker_and_a_live_ones_stays(tmp_path, monkeypatch):
    """What a SIGKILL or the OOM killer leaves (its `finally` never runs) is removed by the next
    worker that starts on the node; a live worker's scratch is not touched."""
    from mediphi.train.launcher import _claim_scratch

    env = {**os.environ, "TMPDIR": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", CLAIM_SCRATCH, name], stdout=subprocess.PIPE, text=True,
                              env=env, start_new_session=True) for name in ("killed", "live")]
    try:
        killed, live = (Path(proc.stdout.readline().strip()) for proc in procs)
        assert (killed / "checkpoint-10").is_dir() and (live / "checkpoint-10").is_dir()
        os.kill(procs[0].pid, signal.SIGKILL)  # by PID: the process this test started
        procs[0].wait(timeout=30)
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        work, owner = _claim_scratch("next")
        os.close(owner)
        assert not killed.exists()
        assert (live / "checkpoint-10").is_dir() and work.is_dir() and work.parent == tmp_path
    finally:
        for proc in procs:
            stop_process(proc)


def test_stopped_experts_stage_resumes_from_latest_checkpoint(ray_cluster, tmp_path):
    root = tmp_path / "runs" / "resume"
    fake_run(root)
    recipe_path = recipe_yaml(tmp_path, tmp_path / "runs", "resume", max_steps=60, save_steps=10)
    log = (tmp_path / "stage.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "mediphi.cli", "stage", "experts", str(recipe_path)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "RAY_ADDRESS": ""})
    try:
        deadline = time.time() + 420
        ckpt_root = root / "_work" / "experts"

        def registered() -> list[Path]:
            # As in the test above, a checkpoint counts once the controller has registered it (its
            # snapshot names it). Two checkpoint_* entries alone (a folder still being written, or
            # the snapshot file itself, which the glob also matches) let the stage be stopped
            # before any checkpoint was registered, and it then rightly resumed from step 0 (seen
            # once in a full run of the suite: both experts resumed from 0).
            return [p for p in ckpt_root.glob("*/*/checkpoint_manager_snapshot.json") if "checkpoint_" in p.read_text()]

        while time.time() < deadline and (len(list(ckpt_root.glob("*/*/checkpoint_*"))) < 2 or not registered()):
            assert proc.poll() is None, (tmp_path / "stage.log").read_text()[-3000:]
            time.sleep(0.5)
        assert list(ckpt_root.glob("*/*/checkpoint_*")), "the stage made no checkpoint before the deadline"
    finally:
        stop_process(proc)  # the stage is stopped mid-run, its Ray cluster with it
    assert not (root / "experts" / "manifest.json").exists()

    from mediphi.context import RunContext
    from mediphi.pipeline import get_stage, run_stage

    artifact = run_stage(get_stage("experts"), RunContext(load_recipe(str(recipe_path))))
    resumed = artifact.metrics["resumed_from_step"]
    assert any(step >= 10 for step in resumed.values()), resumed
    for name, curve in artifact.metrics["loss_curves"].items():
        assert curve[-1][0] == 60, name
    # Committed, the stage leaves no checkpoints behind: a forced rerun trains afresh. Nor is any
    # worker's local scratch left, the stopped attempt's included.
    assert not ckpt_root.exists()
    assert not list(Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}expert-*"))


EMBEDDED_CLUSTER = """
import logging, sys
import pyarrow as pa, pyarrow.parquet as pq, ray
from ray._private import state
from mediphi.config import load_recipe
from mediphi.context import _QUIET_ON_EMBEDDED, ensure_ray

ensure_ray(load_recipe("tiny", ["run.ray.num_cpus=4"]))
level = ray.remote(lambda: logging.getLogger(_QUIET_ON_EMBEDDED).getEffectiveLevel())
print("LEVEL", ray.get(level.remote()))
pq.write_table(pa.table({"x": list(range(10))}), sys.argv[1])
rows = ray.data.read_parquet(sys.argv[1]).take_all()
readers = [a for a in state.actors().values() if "FooterReader" in a["ActorClassName"]]
print("ROWS", len(rows), "FOOTER_READERS", len(readers))
ray.shutdown()
"""


def test_embedded_cluster_settings_reach_every_worker(tmp_path):
    # An embedded cluster as `mediphi` starts it (a fresh one, in a child process):
    # - Without a dashboard Ray Train's PlacementGroupCleaner cannot reach the State API and warned
    #   once a second for every training run of `make demo`; the workers set its logger to ERROR.
    #   (Inside this test session it cannot be watched directly: with two clusters on the machine
    #   the cleaner fails earlier, on "multiple active Ray instances".)
    # - Ray Data's default parquet reader starts a pool of footer-reading actors (32 unless
    #   RAY_DATA_PARQUET_FOOTER_NUM_ACTORS says otherwise), each a new worker process, for every
    #   read; mediphi's reads start none. The variable is taken out of the child's environment.
    env = {k: v for k, v in os.environ.items() if k != "RAY_DATA_PARQUET_FOOTER_NUM_ACTORS"}
    proc = subprocess.Popen([sys.executable, "-c", EMBEDDED_CLUSTER, str(tmp_path / "x.parquet")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            env={**env, "RAY_ADDRESS": ""})
    try:
        out, _ = proc.communicate(timeout=240)
    finally:
        stop_process(proc)
    assert f"LEVEL {logging.ERROR}" in out, out[-3000:]
    assert "ROWS 10 FOOTER_READERS 0\n" in out, out[-3000:]


def test_deepspeed_configs_from_the_recipe():
    for stage in (2, 3):
        cfg = DeepSpeedCfg(stage=stage, offload_optimizer=True, offload_params=stage == 3)
        validate_deepspeed(cfg)  # DeepSpeed's own config model accepts it
        ds = deepspeed_config(cfg)
        zero = ds["zero_optimization"]
        assert zero["stage"] == stage and zero["offload_optimizer"]["device"] == "cpu"
        assert ("offload_param" in zero) == (stage == 3)
        assert ds["train_micro_batch_size_per_gpu"] == "auto"  # one source of truth: TrainingArguments
    recipe = load_recipe("mediphi-3.8b")
    assert recipe.experts.train.deepspeed is not None
    validate_deepspeed(recipe.experts.train.deepspeed)


def test_expert_trains_with_zero2_on_cpu(ray_cluster, tmp_path, tiny_lm):
    os.environ.setdefault("TORCH_EXTENSIONS_DIR", str(tmp_path / "torch_extensions"))
    [result] = launch([job(tmp_path, tiny_lm, "zero2", max_steps=4, save_steps=2, logging_steps=1,
                           deepspeed={"stage": 2}, num_workers=2, cpus_per_worker=1, save_shard_size=200_000)])
    losses = [h["loss"] for h in result.log_history if "loss" in h]
    assert len(losses) == 4 and all(np.isfinite(losses))
    assert (Path(result.output) / "config.json").exists()
    # Saved in shards of train.save_shard_size (what bounds a later merge's mapped pages), and whole.
    index = json.loads((Path(result.output) / "model.safetensors.index.json").read_text())
    assert len(set(index["weight_map"].values())) > 1
    from transformers import AutoModelForCausalLM

    saved = AutoModelForCausalLM.from_pretrained(result.output)
    assert sum(p.numel() for p in saved.parameters()) == sum(
        p.numel() for p in AutoModelForCausalLM.from_pretrained(str(tiny_lm)).parameters())


def test_training_ingest_draws_no_progress_bars(ray_cluster, ray_temp_dir, tmp_path, tiny_lm):
    # A training job's datasets stream through a SplitCoordinator actor that outlives the job; its
    # finished progress bars were redrawn into the log with every later line of a run. This suite
    # turns Ray Data's bars off in its environment, so this dataset turns them back on.
    train_job = job(tmp_path, tiny_lm, "nobars", max_steps=2, save_steps=2, logging_steps=1)
    train_job.datasets["train"].context.enable_progress_bars = True
    [result] = launch([train_job])
    assert len([h for h in result.log_history if "loss" in h]) == 2
    logs = {f.name: f.read_text(errors="replace") for f in (ray_temp_dir / "session_latest" / "logs").glob("worker-*")
            if f.suffix in (".out", ".err")}
    assert any("SplitCoordinator" in text for text in logs.values())
    drawn = [name for name, text in logs.items() if "Running Dataset" in text]
    assert not drawn, f"training ingest progress bars in {drawn}"


def test_the_same_seed_feeds_the_base_warmup_the_same_sequences_on_every_run(ray_cluster, tmp_path, monkeypatch):
    """The warm-up packs documents in the order they reach its packer and shuffles with the seed:
    the sequences the trainer sees, through Ray Train's ingest configured as the launcher does it
    for the base's job, must not depend on which read finished first."""
    import shutil

    from ray.train import DataConfig

    from mediphi import base
    from mediphi.context import RunContext
    from mediphi.train import launcher

    run = tmp_path / "runs" / "base"
    fake_run(run)
    shutil.copytree(run / "base" / "tokenizer", run / "corpus" / "tokenizer")
    write_manifest(str(run / "corpus"), "corpus", {"totals": {"tokens": 20000}})
    recipe = load_recipe(str(recipe_yaml(tmp_path, tmp_path / "runs", "base")),
                         ["base.tiny.hidden_size=32", "base.tiny.intermediate_size=64", "base.tiny.num_hidden_layers=1",
                          "base.warmup.max_steps=4"])
    ctx = RunContext(recipe)
    ctx.out = str(tmp_path / "out")
    jobs: list[TrainJob] = []

    class Captured(Exception):
        pass

    def capture(js):
        jobs.extend(js)
        raise Captured

    monkeypatch.setattr(launcher, "launch", capture)
    with pytest.raises(Captured):
        base.run(recipe.base, ctx)
    (job,) = jobs
    ingest = launcher._data_config(job, DataConfig)

    def sequences() -> list[list[int]]:
        (shard,) = ingest.configure({"train": job.datasets["train"]}, world_size=1, worker_handles=None,
                                    worker_node_ids=None)
        return [row.tolist() for batch in shard["train"].iter_batches(batch_format="numpy")
                for row in batch["input_ids"]]

    first = sequences()
    assert len(first) > 100 and len({tuple(s) for s in first}) == len(first)
    assert sequences() == first
    assert sequences() == first
