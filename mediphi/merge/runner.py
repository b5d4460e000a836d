"""One mergekit merge as data (`MergeJob`), run in this process or as a Ray task.

A job names its inputs by URI (local, s3:// or a Hugging Face repo id) and its output folder by
URI; whoever runs it fetches the inputs, checks them, writes the mergekit YAML, merges through
mergekit's Python API and puts `model/` (with a model card) and `merge.yaml` into the output. The
YAML is written first and parsed back for the merge, so the saved file is exactly what ran.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mediphi import storage
from mediphi.merge.checks import MergeMismatch, check_compatible, check_dtype, describe

log = logging.getLogger("mediphi")


@dataclass(frozen=True)
class Source:
    """One input model: a display name (base, expert-pubmed, slerp-pubmed...) and where it is."""

    name: str
    uri: str
    params: dict[str, float] = field(default_factory=dict)  # per-model mergekit parameters
    version: str = ""  # keys the local cache of an s3:// model: a changed model is fetched again
    shown_as: str = ""  # where the model will live for readers, when it is read from elsewhere (staging)

    @property
    def location(self) -> str:
        return self.shown_as or self.uri


@dataclass(frozen=True)
class MergeJob:
    name: str
    method: str
    models: tuple[Source, ...]
    base: Source | None
    out_uri: str  # receives model/ and merge.yaml
    parameters: dict[str, Any] = field(default_factory=dict)  # method-wide mergekit parameters
    dtype: str = "float32"
    tokenizer_source: str | None = None
    out_shard_size: int = 500_000_000
    lazy_unpickle: bool = True
    seed: int | None = None
    note: str = ""  # a sentence for the model card: why this merge exists

    def sources(self) -> list[Source]:
        """Every distinct input, the base first (the checks compare all others against it)."""
        out = [self.base] if self.base else []
        return out + [m for m in self.models if m.uri not in {s.uri for s in out}]


def localize_model(uri: str, version: str = "") -> Path:
    """A local folder for a model: itself, a cached copy of an s3:// folder, or a Hub snapshot."""
    if storage.is_s3(uri) or Path(uri).exists():
        return storage.localize(uri, version=version)
    from huggingface_hub import snapshot_download  # a pretrained base named by its repo id

    return Path(snapshot_download(uri, allow_patterns=["*.json", "*.safetensors", "*.model", "*.txt", "*.jinja"]))


def method_spec(method: str):
    from mergekit.merge_methods import registry

    return registry.get(method).spec


def build_yaml(job: MergeJob, local: dict[str, Path]) -> str:
    """The mergekit config of a job as YAML text, models named by their local paths."""
    from mergekit.merge_methods.base import BasePolicy

    spec = method_spec(job.method)
    per_model = {p.name for p in spec.input_parameters}
    config: dict[str, Any] = {"merge_method": job.method}
    if job.base is not None and spec.contract.base != BasePolicy.IGNORED:
        config["base_model"] = str(local[job.base.name])
    models = []
    for src in job.models:
        entry: dict[str, Any] = {"model": str(local[src.name])}
        params = {k: v for k, v in src.params.items() if k in per_model and v is not None}
        if params and not (job.base is not None and src.name == job.base.name):
            entry["parameters"] = params
        models.append(entry)
    config["models"] = models
    if job.parameters:
        config["parameters"] = dict(job.parameters)
    config["dtype"] = job.dtype
    if job.tokenizer_source is not None:
        config["tokenizer_source"] = str(local.get("tokenizer_source", job.tokenizer_source))
    # The comment maps the local copies back to the parents, so the file explains itself later.
    header = [f"# mediphi merge {job.name!r}: mergekit {job.method}; local copy -> parent"]
    header += [f"#   {local[s.name]} -> {s.name}: {s.location}" for s in job.sources()]
    return "\n".join(header) + "\n" + yaml.safe_dump(config, sort_keys=False)


def run_job(job: MergeJob, num_threads: int | None = None) -> dict:
    """Check, merge and write one job; returns what the stage records about it."""
    from mergekit.config import MergeConfiguration
    from mergekit.merge import run_merge
    from mergekit.options import MergeOptions

    started = time.time()
    check_dtype(job.dtype)
    sources = job.sources()
    local = {s.name: localize_model(s.uri, s.version) for s in sources}
    if job.tokenizer_source not in (None, "base", "union"):
        local["tokenizer_source"] = localize_model(job.tokenizer_source)
    check_compatible([describe(s.name, local[s.name]) for s in sources], job.tokenizer_source)
    text = build_yaml(job, local)
    config = MergeConfiguration.model_validate(yaml.safe_load(text))

    # Local outputs are written in place; S3 outputs go through a local folder, then upload.
    to_s3 = storage.is_s3(job.out_uri)
    out_local = Path(tempfile.mkdtemp(prefix="mphi-merge-")) if to_s3 else Path(job.out_uri)
    model_dir = out_local / "model"
    if model_dir.exists():
        shutil.rmtree(model_dir)  # a retried task must not mix shards of two attempts
    out_local.mkdir(parents=True, exist_ok=True)
    (out_local / "merge.yaml").write_text(text)
    options = MergeOptions(
        lazy_unpickle=job.lazy_unpickle, out_shard_size=job.out_shard_size, copy_tokenizer=True,
        write_model_card=False,  # mergekit's card names the local copies; ours names the parents
        random_seed=job.seed, quiet=True, safe_serialization=True,
    )
    if num_threads:
        import torch

        # A reused Ray worker keeps the thread count of the task that started it: use this task's CPUs.
        torch.set_num_threads(num_threads)
    try:
        run_merge(config, str(model_dir), options, config_source=text)
        (model_dir / "README.md").write_text(model_card(job))
        if to_s3:
            storage.upload_dir(out_local, job.out_uri)
    finally:
        if to_s3:  # a merged model is several GB on the worker's disk
            shutil.rmtree(out_local, ignore_errors=True)
    seconds = round(time.time() - started, 2)
    log.info("merge %s (%s of %d models) in %.1fs -> %s", job.name, job.method, len(job.models), seconds, job.out_uri)
    return {"name": job.name, "uri": job.out_uri, "model": storage.join(job.out_uri, "model"), "seconds": seconds}


def run_jobs(jobs: list[MergeJob], num_cpus: float, memory_gb: float,
             label_selector: dict[str, str] | None = None) -> list[dict]:
    """Run jobs as Ray tasks that declare their memory, so a cluster places each merge on a node
    with that much free RAM (a CPU node: they ask for no GPU); independent jobs run in parallel."""
    import ray

    options: dict[str, Any] = {"num_cpus": num_cpus, "num_gpus": 0, "memory": int(memory_gb * 2**30),
                               "max_retries": 1}  # a node lost mid-merge: try once more elsewhere
    if label_selector:
        options["label_selector"] = dict(label_selector)
    task = ray.remote(run_job).options(**options)
    refs = [task.remote(job, max(1, int(num_cpus))) for job in jobs]
    try:
        return ray.get(refs)
    except ray.exceptions.RayTaskError as exc:
        if isinstance(exc.cause, MergeMismatch):
            raise exc.cause from None  # the check's message, not a remote traceback
        raise


def model_card(job: MergeJob) -> str:
    from importlib.metadata import version

    rows = []
    if job.base is not None:
        rows.append(f"| base | {job.base.name} | `{job.base.location}` | |")
    for src in job.models:
        if job.base is not None and src.uri == job.base.uri:
            continue
        params = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in src.params.items() if v is not None)
        rows.append(f"| merged | {src.name} | `{src.location}` | {params} |")
    shared = ", ".join(f"{k}={v}" for k, v in job.parameters.items()) or "mergekit's defaults"
    return (
        f"# mediphi merge: {job.name}\n\n"
        f"Made with mergekit {version('mergekit')} by the `{job.method}` method"
        + (f" on the base model `{job.base.name}`" if job.base is not None else "") + f", in {job.dtype}. "
        + (job.note + "\n\n" if job.note else "\n\n")
        + "## Parents\n\n| role | name | location | parameters |\n|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        f"Method-wide parameters: {shared}.\n\n"
        "## Configuration\n\n"
        "`../merge.yaml` beside this folder is the exact mergekit configuration that ran (it names the "
        "parents by the local copies the merge read; its header maps them back to the locations above). "
        "`mergekit-yaml ../merge.yaml OUT` repeats the merge where those copies exist.\n"
    )
