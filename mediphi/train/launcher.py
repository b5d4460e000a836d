"""One launcher for every training job: the tiny base's warm-up, each domain expert, SFT and DPO.

Each job is a Ray Train `TorchTrainer` running the Hugging Face `Trainer` (or TRL's trainers)
with Ray's `RayTrainReportCallback` and `prepare_trainer`, its data from Ray Data shards. Jobs
given together run concurrently and share the cluster by their declared resources; when they do
not all fit, Ray queues them. DDP over gloo on CPU, DeepSpeed ZeRO-2/3 (+bf16) on GPU, optional
LoRA merged at the end so every job leaves a full model folder.

Checkpoints go to the run's storage (local or S3) under a name per job: a worker that dies
restarts the run from the last checkpoint (FailureConfig), and launching the same job again
resumes from it (Ray Train restores a run of the same name and storage path).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from transformers import TrainerCallback

from mediphi import storage
from mediphi.config import DeepSpeedCfg, TrainCfg

log = logging.getLogger("mediphi.train")


@dataclass
class TrainJob:
    name: str  # unique within the stage: also the Ray Train run name, so a rerun resumes it
    model: str  # URI of the starting HF model folder
    datasets: dict  # {"train": ray.data.Dataset, optional "eval": ...}
    cfg: TrainCfg
    checkpoints: str  # URI of the folder where Ray Train keeps this stage's runs
    output: str  # URI of the final HF model folder
    tensorboard: str  # URI of the folder for this job's TensorBoard events
    kind: Literal["lm", "sft", "dpo"] = "lm"
    options: dict = field(default_factory=dict)  # kind-specific: DPO beta, model card lines, ...


@dataclass
class TrainResult:
    name: str
    output: str
    metrics: dict
    log_history: list[dict]


def deepspeed_config(ds: DeepSpeedCfg) -> dict:
    """A DeepSpeed config for the HF integration: batch sizes, clipping and bf16 come from the
    TrainingArguments ("auto"), so the recipe states each of them once."""
    zero: dict = {
        "stage": ds.stage,
        "overlap_comm": ds.overlap_comm,
        "contiguous_gradients": True,
        "allgather_bucket_size": ds.allgather_bucket_size,
        "reduce_bucket_size": ds.reduce_bucket_size,
    }
    if ds.offload_optimizer:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": True}
    if ds.stage == 3:
        zero["stage3_gather_16bit_weights_on_model_save"] = True
        if ds.offload_params:
            zero["offload_param"] = {"device": "cpu", "pin_memory": True}
    return {
        "zero_optimization": zero,
        "bf16": {"enabled": "auto"},
        "gradient_clipping": "auto",
        "train_micro_batch_size_per_gpu": "auto",
        "gradient_accumulation_steps": "auto",
        "train_batch_size": "auto",
    }


def validate_deepspeed(ds: DeepSpeedCfg) -> None:
    """Check the generated ZeRO section with DeepSpeed's own config model (it rejects bad keys)."""
    from deepspeed.runtime.zero.config import DeepSpeedZeroConfig

    DeepSpeedZeroConfig(**deepspeed_config(ds)["zero_optimization"])


def launch(jobs: list[TrainJob]) -> list[TrainResult]:
    """Run the jobs concurrently on the cluster and wait for all of them."""
    import ray

    @ray.remote(num_cpus=0)
    def fit(job: TrainJob) -> TrainResult:
        return _fit(job)

    t0 = time.time()
    refs = [fit.options(name=f"fit:{j.name}").remote(j) for j in jobs]
    results = ray.get(refs)
    log.info("trained %s in %.1fs", ", ".join(j.name for j in jobs), time.time() - t0)
    return results


# Ray Train replaces `print` in its workers with one that also logs every line through the root
# logger, even while a library has swapped sys.stdout to capture it. dill, which `datasets` uses to
# fingerprint TRL's dataset maps, reads function globals by capturing `dis.dis` output that way, so
# each SFT/DPO job printed pages of bytecode (about 180 lines per `make demo`). With the patch off,
# the workers' own prints still reach the worker logs and the driver, as any Ray task's do.
WORKER_ENV = {"RAY_TRAIN_ENABLE_PRINT_PATCH": "0"}


def _fit(job: TrainJob) -> TrainResult:
    from ray.train import CheckpointConfig, DataConfig, FailureConfig, RunConfig, ScalingConfig
    from ray.train.torch import TorchConfig, TorchTrainer

    cfg = job.cfg
    use_gpu = cfg.gpus_per_worker > 0
    resources = {"CPU": cfg.cpus_per_worker}
    if use_gpu:
        resources["GPU"] = cfg.gpus_per_worker
    fs, ckpt_path = storage.filesystem(job.checkpoints)
    # The training ingest runs each dataset under its own DataContext (taken when the driver built
    # it) in a SplitCoordinator actor that outlives the job: on a log that is not a terminal, Ray
    # redrew its finished progress bars as new lines with every later line of every stage (about
    # 5,500 lines, most of `make demo`'s 6.5 MB). Training reports its own progress.
    for ds in (job.datasets or {}).values():
        ds.context.enable_progress_bars = False
    trainer = TorchTrainer(
        _train_loop,
        train_loop_config={"job": job_spec(job)},
        torch_config=TorchConfig(backend="nccl" if use_gpu else "gloo"),
        scaling_config=ScalingConfig(num_workers=cfg.num_workers, use_gpu=use_gpu,
                                     resources_per_worker=resources, accelerator_type=cfg.accelerator_type),
        run_config=RunConfig(
            name=job.name,
            storage_path=ckpt_path,
            storage_filesystem=fs,
            checkpoint_config=CheckpointConfig(num_to_keep=cfg.num_checkpoints_to_keep),
            failure_config=FailureConfig(max_failures=cfg.max_failures),
            worker_runtime_env={"env_vars": WORKER_ENV},
        ),
        datasets=job.datasets,
        # An LM job's rows reach the workers in the dataset's order (below).
        dataset_config=_data_config(job, DataConfig),
    )
    result = trainer.fit()
    history = json.loads(storage.read_text(storage.join(job.output, "log_history.json")))
    return TrainResult(job.name, job.output, dict(result.metrics or {}), history)


def _data_config(job: TrainJob, DataConfig):
    if job.kind in ("sft", "dpo"):  # every worker gets all rows; the trainer's sampler shards them
        return DataConfig(datasets_to_split=[])
    # An LM job's rows reach the workers in the order the dataset gives, not as blocks finish: the
    # experts' schedule puts PIT's QA phase before the document phase, and the same seed must give
    # the same base warm-up. Ray Train's own ingest options otherwise (the driver's limits).
    options = DataConfig.default_ingest_options()
    options.preserve_order = True
    return DataConfig(execution_options=options)


def job_spec(job: TrainJob) -> dict:
    """What the workers need, as plain data (datasets travel separately, as Ray Data shards)."""
    return {"name": job.name, "model": job.model, "cfg": job.cfg.model_dump(mode="json"), "output": job.output,
            "tensorboard": job.tensorboard, "kind": job.kind, "options": job.options}


# --- inside each worker --------------------------------------------------------------------------


def _train_loop(config: dict) -> None:
    import ray.train
    import torch
    from ray.train.huggingface.transformers import RayTrainReportCallback, prepare_trainer
    from transformers import AutoModelForCausalLM, AutoTokenizer

    spec = config["job"]
    cfg = TrainCfg.model_validate(spec["cfg"])
    ctx = ray.train.get_context()
    rank = ctx.get_world_rank()
    model_dir = storage.localize(spec["model"])
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    dtype = torch.bfloat16 if cfg.bf16 else torch.float32
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=dtype)
    if cfg.lora is not None:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(r=cfg.lora.r, lora_alpha=cfg.lora.alpha,
                                                 lora_dropout=cfg.lora.dropout,
                                                 target_modules=cfg.lora.target_modules, task_type="CAUSAL_LM"))

    if ctx.get_world_size() == 1 and cfg.deepspeed is None:
        # One worker trains as one process: accelerate reads any LOCAL_RANK (Ray Train sets it) as
        # multi-process and wraps the model in DistributedDataParallel, whose gradient buckets and
        # one-rank all-reduce only cost time (docs/benchmarks.md#train).
        for var in ("LOCAL_RANK", "RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE"):
            os.environ.pop(var, None)
    work, owner = _claim_scratch(spec["name"])
    tb_local = _tensorboard_dir(spec["tensorboard"], rank, work)
    os.environ["TENSORBOARD_LOGGING_DIR"] = str(tb_local)
    try:
        args = _training_arguments(cfg, work, spec)
        trainer = _make_trainer(spec, cfg, model, tok, args)
        trainer.add_callback(RayTrainReportCallback())
        trainer.add_callback(StopWhenFinished())
        # First in line, so the reporting integrations (TensorBoard, ...) see the throughput too.
        trainer.callback_handler.callbacks.insert(0, ThroughputCallback(spec["options"]["seq_len"]))
        trainer = prepare_trainer(trainer)

        checkpoint = ray.train.get_checkpoint()
        held_out = getattr(trainer, "eval_dataset", None) is not None
        # The starting model on the held-out rows (weights from a checkpoint load inside train()).
        before = trainer.evaluate() if held_out else {}
        if checkpoint is not None:
            with checkpoint.as_directory() as ckpt:
                resume = Path(ckpt) / RayTrainReportCallback.CHECKPOINT_NAME
                log.info("%s: resuming from %s", spec["name"], resume)
                try:
                    trainer.train(resume_from_checkpoint=str(resume))
                except AlreadyFinished:
                    # Loaded, nothing left to train: a sibling job failed after this one ended
                    # (an expert, or DPO after SFT), or the stage died after training.
                    log.info("%s: the checkpoint is at max_steps already; not trained further", spec["name"])
        else:
            trainer.train()
        if held_out:
            trainer.state.log_history += [{"held_out": "before", **before, "step": 0},
                                          {"held_out": "after", **trainer.evaluate(), "step": trainer.state.global_step}]

        _save_final(trainer, tok, spec, cfg, rank)
        if rank == 0 and storage.is_s3(spec["tensorboard"]):
            storage.upload_dir(tb_local, spec["tensorboard"])
    finally:
        # The Trainer's own checkpoints (already reported to Ray) and a log folder that is not the
        # run's: a failed attempt must not leave them on the node either (a checkpoint of a real
        # model with its optimizer state is tens of GB, and Ray Train restarts on the same nodes).
        # A killed worker never gets here: the next one on the node removes its scratch instead.
        shutil.rmtree(work, ignore_errors=True)
        os.close(owner)


SCRATCH_PREFIX = "mediphi-train-"
OWNER_LOCK = ".owner"


def _claim_scratch(name: str) -> tuple[Path, int]:
    """This worker's local scratch for the job, and the descriptor of the lock that marks it live.

    Each scratch holds a file its worker keeps locked (flock) while it runs. The kernel drops the
    lock when the process dies however it dies, so the scratch of a worker killed by the OOM killer
    or SIGKILL, whose `finally` never ran, is the one whose lock can be taken: the next worker on
    the node removes it rather than leave a real model's checkpoint behind per restart. A lock, not
    a PID check: a PID may be reused, or belong to another container sharing the folder.
    """
    import fcntl

    root = Path(tempfile.gettempdir())
    for stale in root.glob(f"{SCRATCH_PREFIX}*"):
        try:
            fd = os.open(stale / OWNER_LOCK, os.O_RDWR)
        except OSError:
            continue  # no lock file: not a scratch this function made, or one being made
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # its worker is alive
        shutil.rmtree(stale, ignore_errors=True)
        log.info("removed %s, left by a worker that was killed", stale)
        os.close(fd)
    # Locked under a hidden name, then renamed (atomic): a scan never sees a scratch whose lock
    # is not yet held, which it would take for a dead worker's.
    claiming = Path(tempfile.mkdtemp(prefix=f".{SCRATCH_PREFIX}{name}-"))
    owner = os.open(claiming / OWNER_LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(owner, fcntl.LOCK_EX)
    work = claiming.with_name(claiming.name[1:])
    os.rename(claiming, work)
    return work, owner


def _tensorboard_dir(uri: str, rank: int, scratch: Path) -> Path:
    """Rank 0 logs; a local run writes in place so TensorBoard shows it live. Otherwise the events
    go to the worker's scratch (rank 0 uploads them to S3 at the end)."""
    if rank == 0 and not storage.is_s3(uri):
        Path(uri).mkdir(parents=True, exist_ok=True)
        return Path(uri)
    return scratch / "tensorboard"


def _training_arguments(cfg: TrainCfg, work: Path, spec: dict):
    from transformers import TrainingArguments

    on_gpu = cfg.gpus_per_worker > 0
    common = dict(
        output_dir=str(work),
        max_steps=cfg.max_steps,
        per_device_train_batch_size=cfg.per_device_batch_size,
        per_device_eval_batch_size=cfg.per_device_batch_size,
        gradient_accumulation_steps=cfg.gradient_accumulation_steps,
        learning_rate=cfg.learning_rate,
        lr_scheduler_type=cfg.lr_scheduler,
        warmup_steps=int(cfg.warmup_ratio * cfg.max_steps),
        weight_decay=cfg.weight_decay,
        max_grad_norm=cfg.max_grad_norm,
        logging_steps=cfg.logging_steps,
        save_strategy="steps",
        save_steps=cfg.save_steps,
        save_total_limit=1,  # local copies only; Ray Train keeps `num_checkpoints_to_keep` in storage
        report_to=list(cfg.report_to),
        use_cpu=not on_gpu,
        bf16=cfg.bf16,
        gradient_checkpointing=cfg.gradient_checkpointing,
        deepspeed=deepspeed_config(cfg.deepspeed) if cfg.deepspeed else None,
        ddp_backend=None if on_gpu else "gloo",
        # Ray Data re-streams the shard on resume; skipping the consumed batches would only
        # re-read them, so the resumed run continues with the stream (a fresh pass).
        ignore_data_skip=True,
        dataloader_num_workers=0,
        seed=spec["options"].get("seed", 42),
        disable_tqdm=True,
    )
    if spec["kind"] == "sft":
        from trl import SFTConfig

        return SFTConfig(**common, max_length=spec["options"]["max_length"], packing=False)
    if spec["kind"] == "dpo":
        from trl import DPOConfig

        return DPOConfig(**common, beta=spec["options"]["beta"], max_length=spec["options"]["max_length"])
    # Packed LM rows carry exactly input_ids and labels; nothing to drop.
    return TrainingArguments(**common, remove_unused_columns=False)


def _make_trainer(spec: dict, cfg: TrainCfg, model, tok, args):
    import ray.train
    from transformers import Trainer

    if spec["kind"] == "lm":
        train = ray.train.get_dataset_shard("train")
        it = train.iter_torch_batches(batch_size=cfg.per_device_batch_size, dtypes=_torch_long())
        return Trainer(model=model, args=args, train_dataset=it, processing_class=tok)
    # TRL trainers tokenize and collate themselves: they get the rows as a datasets.Dataset. Every
    # worker receives all rows (DataConfig(datasets_to_split=[])) and the trainer's distributed
    # sampler gives each its share, so no row is split twice.
    def rows(name: str):
        try:
            shard = ray.train.get_dataset_shard(name)
        except KeyError:
            return None
        return None if shard is None else hf_dataset(shard)

    train, held_out = rows("train"), rows("eval")
    if spec["kind"] == "sft":
        from trl import SFTTrainer

        return SFTTrainer(model=model, args=args, train_dataset=train, eval_dataset=held_out, processing_class=tok)
    if spec["kind"] == "dpo":
        from trl import DPOTrainer

        return DPOTrainer(model=model, args=args, train_dataset=train, eval_dataset=held_out, processing_class=tok)
    raise ValueError(f"unknown job kind {spec['kind']!r}")


def hf_dataset(rows):
    """A Ray DataIterator's rows as a datasets.Dataset, built from its Arrow blocks as they are.
    Dataset.from_list(list(rows.iter_rows())) made a Python dict per row first: for 200,000
    MediFlow-sized SFT examples, 2.8 GB and 7.7 s per worker against 2.0 GB and 5.0 s
    (benchmarks/align_prep.py)."""
    import pyarrow as pa
    from datasets import Dataset

    blocks = list(rows.iter_batches(batch_size=None, batch_format="pyarrow"))
    return Dataset(pa.concat_tables(blocks)) if blocks else Dataset.from_list([])


def _torch_long():
    import torch

    return torch.long


def _save_final(trainer, tok, spec: dict, cfg: TrainCfg, rank: int) -> None:
    """The final full model (LoRA merged), tokenizer, card and loss history, to the output URI.

    Every rank calls this: under ZeRO-3 gathering the weights is a collective.
    """
    state = trainer.accelerator.get_state_dict(trainer.deepspeed) if trainer.is_deepspeed_enabled else None
    if rank != 0:
        return
    model = trainer.accelerator.unwrap_model(trainer.model)
    if cfg.lora is not None:
        model, state = model.merge_and_unload(), None
    out = Path(tempfile.mkdtemp(prefix="mediphi-final-"))
    try:
        model.save_pretrained(str(out), state_dict=state, max_shard_size=cfg.save_shard_size)
        tok.save_pretrained(str(out))
        (out / "log_history.json").write_text(json.dumps(trainer.state.log_history, indent=1))
        card = spec["options"].get("card")
        if card:
            (out / "README.md").write_text(card)
        storage.upload_dir(out, spec["output"])
    finally:
        shutil.rmtree(out, ignore_errors=True)


class AlreadyFinished(Exception):
    """The checkpoint a run resumed from had reached max_steps: there is nothing to train."""


class StopWhenFinished(TrainerCallback):
    """Stop a run resumed from a finished checkpoint before it takes a step.

    The HF Trainer checks max_steps only after a step, so resuming at max_steps trained one more
    step (and saved it: every such resume added another), and the job's model was no longer the
    one the uninterrupted run made. The checkpoint's weights and state are loaded by then.
    """

    def on_step_begin(self, args, state, control, **kwargs):
        if state.max_steps > 0 and state.global_step >= state.max_steps:
            raise AlreadyFinished


class ThroughputCallback(TrainerCallback):
    """Adds samples/s and tokens/s since the previous log record to every log record."""

    def __init__(self, seq_len: int):
        self.seq_len = seq_len
        self.last_time: float | None = None
        self.last_step = 0

    def on_train_begin(self, args, state, control, **kwargs):
        self.last_time, self.last_step = time.time(), state.global_step
        if state.global_step > 0:  # resumed: say so in the history that the stage reports
            state.log_history.append({"resumed_from_step": state.global_step, "step": state.global_step})

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs is None or self.last_time is None or "loss" not in logs:
            return
        now = time.time()
        steps = state.global_step - self.last_step
        if steps > 0:
            samples = steps * args.per_device_train_batch_size * args.gradient_accumulation_steps * args.world_size
            rates = {"samples_per_second": round(samples / (now - self.last_time), 3),
                     "tokens_per_second": round(samples * self.seq_len / (now - self.last_time), 1)}
            logs.update(rates)  # what the reporting integrations (TensorBoard, ...) see
            # Trainer.log appends a copy of `logs` to the history before the callbacks run: update
            # that record too, so the stage's log_history.json (and benchmarks) carry the rates.
            if state.log_history and state.log_history[-1].get("step") == state.global_step:
                state.log_history[-1].update(rates)
        self.last_time, self.last_step = now, state.global_step
