"""The eval stage: every model of the run on the CLUE+ tasks, held-out perplexity per domain,
and the report (report.md, report.json, predictions.jsonl and three PNGs) in the artifact."""

from __future__ import annotations

import logging
import time

from mediphi import storage
from mediphi.config import EvalCfg, Recipe, RecipeError
from mediphi.context import RunContext, StageNotReady
from mediphi.eval import report
from mediphi.eval.data import task_uri
from mediphi.eval.models import run_models, select_models
from mediphi.eval.runner import evaluate_models, load_tasks
from mediphi.eval.tasks import TASK_NAMES, TASKS

log = logging.getLogger("mediphi.eval")

TRAINING_STAGES = ("base", "experts", "align")


def _task_names(cfg: EvalCfg) -> list[str]:
    return list(cfg.tasks or TASK_NAMES)


def preflight(cfg: EvalCfg, recipe: Recipe) -> None:
    missing = [f"{t}: {task_uri(t, cfg.task_paths)}" for t in _task_names(cfg)
               if not storage.exists(task_uri(t, cfg.task_paths))]
    if missing:
        raise RecipeError("eval task files not found:\n  " + "\n  ".join(missing))


def inputs(cfg: EvalCfg, ctx: RunContext) -> dict:
    """The task files' contents: a user who replaces a task file at the same path gets a new
    evaluation (the model artifacts are inputs already, through the stage's `needs`)."""
    return {"eval_task_files": {t: [f.fingerprint for f in storage.expand(task_uri(t, cfg.task_paths))]
                                for t in _task_names(cfg)}}


def loss_curves(ctx: RunContext) -> dict[str, dict[str, list]]:
    """{stage: {job: [[step, loss], ...]}} from the training stages' manifests."""
    curves = {}
    for stage in TRAINING_STAGES:
        if not ctx.has(stage):
            continue
        metrics = ctx.artifact(stage).metrics
        jobs = dict(metrics.get("loss_curves") or {})
        if metrics.get("loss"):  # the base stage records its warm-up as one list
            jobs.setdefault("warmup", metrics["loss"])
        if jobs:
            curves[stage] = jobs
    return curves


def run(cfg: EvalCfg, ctx: RunContext) -> dict:
    from mediphi.perplexity import score_models

    recipe = ctx.recipe
    models = select_models(run_models(ctx), cfg.models)
    if not models:
        raise StageNotReady("eval: the run has no model yet (run the base stage first)")
    ctx.ensure_ray()
    tasks = load_tasks(cfg, recipe.run.seed)
    result = evaluate_models(models, tasks, cfg, recipe)

    ppl, ppl_seconds = {}, 0.0
    if ctx.has("corpus"):
        started = time.time()
        domains = list(recipe.corpus.domains)
        ppl = score_models(models, ctx.artifact("corpus").uri, domains, recipe.base.seq_len,
                           cfg.perplexity_max_tokens, num_gpus=cfg.num_gpus)
        ppl_seconds = round(time.time() - started, 1)
    else:
        log.warning("eval: no corpus artifact, so no held-out perplexity")

    body = report.build(models, tasks, result, ppl, loss_curves(ctx))
    report.write_to(ctx.out, body, result["predictions"])
    return {
        "models": models,
        # The manifest is written with sorted keys: these lists keep the paper's order for `show`.
        "model_order": list(models),
        "domains": list(recipe.corpus.domains) if ppl else [],
        "tasks": list(tasks),
        "scores": body["scores"],
        "average": body["average"],
        "perplexity": ppl,
        "rejected_lines": {t: len(td.rejects) for t, td in tasks.items()},
        "generation_seconds": result["seconds"]["generation_all_models"],
        "perplexity_seconds": ppl_seconds,
        "report": storage.join(ctx.artifact_uri(ctx.stage or "eval"), "report.md"),
    }


def summarize(manifest: dict) -> str:
    from mediphi.tables import format_table

    m = manifest.get("metrics", {})
    order = m.get("model_order") or list(m.get("scores", {}))
    ppl = m.get("perplexity", {})
    body = {"scores": {k: m["scores"][k] for k in order if k in m.get("scores", {})},
            "average": m.get("average", {}),
            "perplexity": {k: {d: ppl[k][d] for d in m.get("domains") or ppl[k] if d in ppl[k]} for k in order if k in ppl},
            "tasks": {t: {"title": TASKS[t].title, "metric": TASKS[t].metric} for t in m.get("tasks", []) if t in TASKS}}
    lines = ["  CLUE+ task scores (0-100, higher is better)", format_table(report.task_table(body))]
    if body["perplexity"]:
        lines += ["", "  held-out perplexity (lower is better)", format_table(report.perplexity_table(body))]
    rejected = {t: n for t, n in m.get("rejected_lines", {}).items() if n}
    if rejected:
        lines.append("  rejected task lines: " + ", ".join(f"{t} {n}" for t, n in rejected.items()))
    if m.get("generation_seconds") is not None:
        n = len(order)
        lines.append(f"  generation: {m['generation_seconds']:.0f}s for {n} models (one engine actor, models loaded "
                     f"in turn); perplexity {m.get('perplexity_seconds')}s")
    lines.append(f"  report: {m.get('report')}")
    return "\n".join(lines)
