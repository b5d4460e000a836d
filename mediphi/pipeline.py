"""The order of the stages, and the rule that skips a stage whose artifact is current.

A stage's artifact is current when its manifest records the same config hash (the recipe
sections the stage reads) and the same inputs (upstream artifact digests and, for the corpus,
the content hashes of the raw files). Anything else reruns it.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import mediphi
from mediphi import storage
from mediphi.config import Recipe, dump_recipe
from mediphi.context import Artifact, RunContext, StageNotReady

log = logging.getLogger("mediphi")


@dataclass(frozen=True)
class Stage:
    name: str
    module: str  # holds `run(cfg, ctx) -> metrics`, optionally `preflight`, `inputs`, `summarize`
    section: str  # the recipe section passed to `run`
    needs: tuple[str, ...] = ()  # upstream stages whose artifacts it reads
    also_hashes: tuple[str, ...] = ()  # other recipe sections that change its output

    def load(self):
        return importlib.import_module(self.module)


STAGES: tuple[Stage, ...] = (
    Stage("corpus", "mediphi.corpus.stage", "corpus", also_hashes=("base",)),
    Stage("base", "mediphi.base", "base", needs=("corpus",), also_hashes=("eval",)),
    Stage("pit", "mediphi.pit", "pit", needs=("corpus", "base"), also_hashes=("experts.domains", "base.seq_len", "serve", "generation")),
    Stage("experts", "mediphi.experts", "experts", needs=("corpus", "base", "pit"),
          also_hashes=("base.seq_len", "eval")),
    Stage("merge", "mediphi.merge", "merge", needs=("corpus", "base", "experts"), also_hashes=("base.seq_len", "eval")),
    Stage("mediflow", "mediphi.mediflow.stage", "mediflow", needs=("base",), also_hashes=("serve", "generation")),
    Stage("align", "mediphi.align", "align", needs=("merge", "mediflow")),
    Stage("eval", "mediphi.eval.stage", "eval", needs=("corpus", "base", "experts", "merge", "align"),
          also_hashes=("base.seq_len", "serve", "generation")),
)
STAGE_NAMES = tuple(s.name for s in STAGES)


def get_stage(name: str) -> Stage:
    for s in STAGES:
        if s.name == name:
            return s
    raise SystemExit(f"unknown stage {name!r}; stages are: {', '.join(STAGE_NAMES)}")


def _fingerprint(stage: Stage, recipe: Recipe, ctx: RunContext) -> dict:
    module = stage.load()
    inputs = {up: ctx.artifact(up).digest for up in stage.needs}
    extra: Callable | None = getattr(module, "inputs", None)
    if extra is not None:
        inputs.update(extra(getattr(recipe, stage.section), ctx))
    return {"config_hash": recipe.section_hash(stage.section, *stage.also_hashes), "inputs": inputs}


def is_current(stage: Stage, ctx: RunContext) -> bool:
    manifest = storage.read_manifest(ctx.artifact_uri(stage.name))
    if manifest is None:
        return False
    try:
        fp = _fingerprint(stage, ctx.recipe, ctx)
    except StageNotReady:
        return False
    return manifest.get("config_hash") == fp["config_hash"] and manifest.get("inputs") == fp["inputs"]


def run_stage(stage: Stage, ctx: RunContext, force: bool = False) -> Artifact:
    recipe = ctx.recipe
    fp = _fingerprint(stage, recipe, ctx)  # raises StageNotReady when an upstream is missing
    final = ctx.artifact_uri(stage.name)
    existing = storage.read_manifest(final)
    if (not force and existing and existing.get("config_hash") == fp["config_hash"]
            and existing.get("inputs") == fp["inputs"]):
        log.info("stage %s: up to date (%s), skipped", stage.name, final)
        return Artifact(stage.name, final, existing)

    # Local runs write to a staging folder and rename it into place; S3 has no rename, so there
    # the stage writes in place and the manifest (written last) is the commit.
    if storage.is_s3(final):
        storage.remove_tree(final)
        out = final
    else:
        out = storage.join(ctx.root, ".staging", f"{stage.name}-{uuid.uuid4().hex[:8]}")
    storage.make_dirs(out)
    ctx.out, ctx.stage = out, stage.name
    ctx.work_key = storage.manifest_digest({"stage": stage.name, **fp})
    log.info("stage %s: running -> %s", stage.name, final)
    started = time.time()
    metrics = stage.load().run(getattr(recipe, stage.section), ctx) or {}
    elapsed = time.time() - started
    if out != final:
        storage.remove_tree(final)
        os.replace(out, final)
    manifest = {
        "stage": stage.name,
        **fp,
        "package_version": mediphi.__version__,
        "recipe": recipe.run.name,
        "metrics": metrics,
        "timings": {"started": started, "seconds": round(elapsed, 2)},
        "files": storage.list_tree(final),
    }
    storage.write_text(storage.join(final, storage.MANIFEST), json.dumps(manifest, indent=2, sort_keys=True))
    ctx.clear_work(stage.name)
    log.info("stage %s: done in %.1fs", stage.name, elapsed)
    return Artifact(stage.name, final, manifest)


def preflight(recipe: Recipe, stages: list[Stage]) -> None:
    """Checks that need no cluster and no compute (input paths exist, ...), before any work."""
    for stage in stages:
        check = getattr(stage.load(), "preflight", None)
        if check is not None:
            check(getattr(recipe, stage.section), recipe)


def run_pipeline(recipe: Recipe, only: list[str] | None = None, force: bool = False) -> list[Artifact]:
    stages = [get_stage(n) for n in only] if only else list(STAGES)
    preflight(recipe, stages)
    ctx = RunContext(recipe)
    # The resolved recipe beside the artifacts: `mediphi show RUN` and reruns read it back.
    storage.write_text(storage.join(ctx.root, "recipe.yaml"), dump_recipe(recipe))
    done = []
    for stage in stages:
        done.append(run_stage(stage, ctx, force=force))
    return done


def show(ctx: RunContext) -> str:
    """What each stage produced, with its metrics, as text for a terminal."""
    lines = [f"run {ctx.recipe.run.name} at {ctx.root}"]
    for stage in STAGES:
        manifest = storage.read_manifest(ctx.artifact_uri(stage.name))
        if manifest is None:
            lines.append(f"\n[{stage.name}] not run")
            continue
        current = "current" if is_current(stage, ctx) else "stale (recipe or inputs changed)"
        secs = manifest.get("timings", {}).get("seconds")
        lines.append(f"\n[{stage.name}] {current}, {secs}s, {len(manifest.get('files', {}))} files")
        summarize = getattr(stage.load(), "summarize", None)
        if summarize is not None:
            lines.append(summarize(manifest))
        else:
            lines.append(json.dumps(manifest.get("metrics", {}), indent=2, sort_keys=True))
    return "\n".join(lines)
