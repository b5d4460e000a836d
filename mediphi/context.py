"""The run context a stage receives: where its output goes, its inputs, and the Ray cluster."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from mediphi import storage
from mediphi.config import Recipe

log = logging.getLogger("mediphi")


class StageNotReady(RuntimeError):
    """A stage needs an artifact that has not been produced yet."""


@dataclass
class Artifact:
    stage: str
    uri: str
    manifest: dict = field(default_factory=dict)

    @property
    def metrics(self) -> dict:
        return self.manifest.get("metrics", {})

    @property
    def digest(self) -> str:
        return storage.manifest_digest(self.manifest)

    def path(self, *parts: str) -> str:
        return storage.join(self.uri, *parts)

    def local(self, *parts: str) -> Path:
        """A local copy of a folder of the artifact, downloaded once per artifact version (a single
        file is read in place instead, e.g. with storage.read_parquet)."""
        return storage.localize(self.path(*parts), version=self.digest)


class RunContext:
    def __init__(self, recipe: Recipe):
        self.recipe = recipe
        self.root = storage.join(recipe.run.storage, recipe.run.name)
        self.out: str = ""  # the current stage's output folder, set by the pipeline
        self.stage: str = ""
        self.work_key: str = "default"  # the current stage's config+inputs digest, set by the pipeline

    def artifact_uri(self, stage: str) -> str:
        return storage.join(self.root, stage)

    def work_uri(self, stage: str) -> str:
        """Scratch that outlives an interrupted attempt (checkpoints), unlike the output folder.

        Keyed by the stage's config and inputs: a rerun of the same attempt resumes from it, a
        changed recipe or input starts clean instead of resuming someone else's checkpoints.
        """
        return storage.join(self._stage_work(stage), self.work_key)

    def _stage_work(self, stage: str) -> str:
        """Every attempt's scratch of the stage: one place, so that what clear_work removes is what
        work_uri hands out."""
        return storage.join(self.root, "_work", stage)

    def clear_work(self, stage: str) -> None:
        """Remove the stage's scratch, every attempt's: once its artifact is committed nothing is
        left to resume, and a forced rerun must start afresh rather than from the last checkpoint
        of a finished run (for a real model that scratch is tens of GB of optimizer state)."""
        storage.remove_tree(self._stage_work(stage))

    def artifact(self, stage: str) -> Artifact:
        uri = self.artifact_uri(stage)
        manifest = storage.read_manifest(uri)
        if manifest is None:
            raise StageNotReady(f"stage {stage!r} has no complete artifact at {uri}; run it first")
        return Artifact(stage, uri, manifest)

    def has(self, stage: str) -> bool:
        return storage.read_manifest(self.artifact_uri(stage)) is not None

    def local_scratch(self, name: str) -> Path:
        """A local folder for this run and stage (models must be local for torch and vLLM)."""
        key = f"{self.root}|{name}".encode().hex()[-40:]
        path = storage.cache_dir() / "scratch" / key
        path.mkdir(parents=True, exist_ok=True)
        return path

    def ensure_ray(self) -> None:
        ensure_ray(self.recipe)


# Ray Train's PlacementGroupCleaner asks the State API, which lives in the dashboard, once a second
# whether the training controller is alive, and warns each time it cannot (hundreds of lines per
# `make demo`). An embedded cluster starts no dashboard (it would add about 950 MiB of RSS) and
# dies with this process, taking its placement groups with it: the cleaner has nothing to do there.
_QUIET_ON_EMBEDDED = "ray.train.v2._internal.execution.controller.placement_group_cleaner"


def quiet_embedded_cluster_loggers() -> None:
    """Runs in every worker process of an embedded cluster (runtime_env's worker_process_setup_hook)."""
    logging.getLogger(_QUIET_ON_EMBEDDED).setLevel(logging.ERROR)


def configure_ray_data() -> None:
    """Ray Data settings for this process, the one that plans the datasets (the driver).

    Ray Data 2.60's default parquet reader (its "datasource V2") lists the files in a task of its
    own and reads their footers in a pool of new actors, RAY_DATA_PARQUET_FOOTER_NUM_ACTORS of
    them (32 unless set), started for every read_parquet and killed after it: each a new worker
    process that imports Ray Data and pyarrow. That suits a listing of thousands of remote files;
    the stages read tens of files, dozens of times per run (pit: each domain's shards once per
    epoch; experts: every phase of every domain). A read of the tiny recipe's shard size on two
    cores took 8.0 s with 32 actors, 1.0 s with one, and 0.24 s with the V1 reader, which reads
    the footers where the read is planned (in tasks when there are many files) and starts no
    actors (benchmarks/parquet_reads.py; medians of 5, docs/benchmarks.md). The choice holds
    for the pinned Ray 2.60.x; look again when upgrading Ray, as V1 is the older reader.
    """
    from ray.data import DataContext

    DataContext.get_current().use_datasource_v2 = False


def ensure_ray(recipe: Recipe) -> None:
    """Connect to the cluster (run.ray.address or RAY_ADDRESS) or start an embedded one."""
    import ray

    configure_ray_data()  # also when connected already: the setting belongs to this process
    if ray.is_initialized():
        return
    cfg = recipe.run.ray
    address = cfg.address or os.environ.get("RAY_ADDRESS")
    kwargs: dict = {"log_to_driver": True, "include_dashboard": False}
    if address:
        kwargs["address"] = address
    else:
        if cfg.num_cpus:
            kwargs["num_cpus"] = cfg.num_cpus
        if cfg.object_store_memory_mb:
            kwargs["object_store_memory"] = cfg.object_store_memory_mb * 1024 * 1024
        kwargs["runtime_env"] = {"worker_process_setup_hook": quiet_embedded_cluster_loggers}
    # An embedded cluster's workers inherit this process's environment (S3 endpoint, caches);
    # on a real cluster the job's runtime_env carries it.
    t0 = time.time()
    ray.init(**kwargs)
    log.info("ray %s in %.1fs: %s", "connected" if address else "started", time.time() - t0,
             ray.cluster_resources())
