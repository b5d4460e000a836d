"""A Ray Tune search of merge parameters: each trial merges with its sampled parameters into a
scratch folder, scores the result, deletes it, and reports the objective.

The objective is the mean held-out perplexity over the domains (minimised), or the eval suite's
score (maximised) once `mediphi.eval.score_for_merge_search` exists. Trials are Tune function
trainables, i.e. Ray actors that declare the merge's CPUs and memory (and the scoring GPUs), so
`max_concurrent` of them merge and score at once wherever the cluster has room.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mediphi import storage
from mediphi.config import MergeCfg, Recipe
from mediphi.merge.runner import Source

log = logging.getLogger("mediphi")


@dataclass
class TrialSpec:
    """Everything a trial needs, shipped once to the object store (tune.with_parameters)."""

    cfg: MergeCfg
    base: Source
    experts: dict[str, str]  # domain -> expert model URI
    slerped: dict[str, str] | None  # domain -> SLERPed expert URI; None when t is searched
    t: dict[str, float]  # the recipe's SLERP factors (searched ones are replaced per trial)
    params: dict[str, dict[str, float]]  # the recipe's per-expert parameters (ditto)
    corpus_uri: str
    domains: list[str]
    seq_len: int
    max_tokens: int
    num_gpus: float = 0
    seed: int | None = None
    recipe: Recipe | None = None  # only for the 'eval' objective
    experts_version: str = ""  # cache keys of s3:// copies (see runner.Source.version)
    slerped_version: str = ""
    base_perplexity: dict[str, float] | None = None  # for search.beat_base


@dataclass
class SearchResult:
    params: dict[str, dict[str, float]]
    t: dict[str, float]
    objective: float
    metric: str
    best_trial: str
    perplexity: dict[str, float]
    trials: list[dict[str, Any]] = field(default_factory=list)
    num_errors: int = 0
    beats_base: bool = False

    def summary(self) -> dict:
        searched = {d: {k: v for k, v in p.items() if v is not None} for d, p in self.params.items()}
        return {"best": {"params": searched, "t": self.t}, "objective": self.objective, "metric": self.metric,
                "best_trial": self.best_trial, "num_trials": len(self.trials), "num_errors": self.num_errors,
                "best_beats_base": self.beats_base}


def search_space(spec: TrialSpec) -> dict:
    from ray import tune

    search = spec.cfg.search
    space: dict[str, dict] = {d: {} for d in spec.experts}
    for name in search.params:
        low, high = search.ranges[name]
        for d in spec.experts:
            space[d][name] = tune.uniform(low, high)
    return space


def recipe_point(spec: TrialSpec) -> dict:
    """The recipe's own values of the searched parameters, in the search space's shape."""
    point: dict[str, dict] = {d: {} for d in spec.experts}
    for name in spec.cfg.search.params:
        for d in spec.experts:
            value = spec.t[d] if name == "t" else spec.params[d].get(name)
            if value is not None:
                point[d][name] = value
    return point


def apply_trial(spec: TrialSpec, config: dict) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """The per-expert parameters and SLERP factors of one trial (the recipe's where not searched)."""
    params = {d: dict(p) for d, p in spec.params.items()}
    t = dict(spec.t)
    for d, values in config.items():
        for name, value in values.items():
            if name == "t":
                t[d] = float(value)
            else:
                params[d][name] = float(value)
    return params, t


def trial(config: dict, spec: TrialSpec, scratch: str) -> None:
    """One Tune trial: merge into scratch, score, remove the weights, report."""
    from ray import tune

    from mediphi.merge.runner import run_job
    from mediphi.merge.stage import final_job, slerp_job
    from mediphi.perplexity import score_model

    params, t = apply_trial(spec, config)
    Path(scratch).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="trial-", dir=scratch))
    try:
        slerped = spec.slerped
        if slerped is None:  # t is searched: this trial SLERPs every expert at its own factors
            slerped = {}
            for d, uri in spec.experts.items():
                job = slerp_job(spec.cfg, spec.base, d, uri, t[d], str(work / "slerp" / d), spec.seed,
                                spec.experts_version)
                slerped[d] = run_job(job)["model"]
        version = spec.slerped_version if spec.slerped is not None else ""  # trial SLERPs are local
        merged = run_job(final_job(spec.cfg, spec.base, slerped, params, str(work / "merged"), spec.seed,
                                   name="search-trial", version=version))["model"]
        ppl = score_model(merged, spec.corpus_uri, spec.domains, spec.seq_len, spec.max_tokens)
        metrics: dict[str, Any] = {"perplexity": ppl, "mean_perplexity": sum(ppl.values()) / len(ppl)}
        if spec.base_perplexity:
            metrics["beats_base"] = all(ppl[d] < spec.base_perplexity[d] for d in ppl)
        if spec.cfg.search.objective == "eval":
            from mediphi.eval import score_for_merge_search  # type: ignore[attr-defined]

            metrics["objective"] = float(score_for_merge_search(merged, spec.recipe))
        else:
            metrics["objective"] = metrics["mean_perplexity"]
    finally:
        shutil.rmtree(work, ignore_errors=True)  # a trial's weights are only needed for its score
    tune.report(metrics)


def run_search(spec: TrialSpec, storage_path: str, scratch: str) -> SearchResult:
    from ray import tune
    from ray.tune.search.basic_variant import BasicVariantGenerator

    search = spec.cfg.search
    mode = "max" if search.objective == "eval" else "min"
    resources = {"cpu": spec.cfg.num_cpus, "gpu": spec.num_gpus, "memory": int(spec.cfg.memory_gb * 2**30)}
    trainable = tune.with_resources(tune.with_parameters(trial, spec=spec, scratch=scratch), resources)
    if not storage.is_s3(storage_path):
        Path(storage_path).mkdir(parents=True, exist_ok=True)
    tuner = tune.Tuner(
        trainable,
        param_space=search_space(spec),
        tune_config=tune.TuneConfig(
            metric="objective", mode=mode, num_samples=search.num_samples,
            reuse_actors=True,  # a new trial process would re-import torch and mergekit (seconds, ~600 MB)
            # A seeded random search: the same recipe samples the same trials. (Tune ignores
            # TuneConfig.max_concurrent_trials with a generator like this one: it takes its own.)
            search_alg=BasicVariantGenerator(
                random_state=spec.seed, max_concurrent=search.max_concurrent,
                points_to_evaluate=[recipe_point(spec)] if search.include_recipe else None),
        ),
        run_config=tune.RunConfig(name="merge-search", storage_path=storage_path, verbose=0),
    )
    grid = tuner.fit()
    rows = [_row(result) for result in grid]
    ok = [r for r in rows if r["status"] == "ok" and r["objective"] is not None]
    if not ok:
        raise RuntimeError(f"every merge search trial failed; first error: {rows[0].get('error') if rows else None}")
    # Among the trials that beat the base everywhere when there are any (search.beat_base), the best
    # by the objective; Tune's own pick would consider the objective alone.
    pool = [r for r in ok if r.get("beats_base")] if search.beat_base else []
    sign = -1 if mode == "max" else 1
    best = min(pool or ok, key=lambda r: sign * r["objective"])
    params, t = apply_trial(spec, best["config"])
    metric = "eval score" if search.objective == "eval" else "mean held-out perplexity"
    log.info("merge search: %d trials, best %s %.4f (trial %s)", len(rows), metric, best["objective"],
             best["trial_id"])
    result = SearchResult(params=params, t=t, objective=float(best["objective"]), metric=metric,
                          best_trial=best["trial_id"], perplexity=best["perplexity"], trials=rows,
                          num_errors=len(rows) - len(ok), beats_base=bool(best.get("beats_base")))
    for r in rows:  # the table keeps the flat columns
        r.pop("config"), r.pop("perplexity")
    return result


def _row(result) -> dict[str, Any]:
    """One line of the trial table: status, objective, per-domain perplexity, the parameters."""
    metrics = result.metrics or {}
    row: dict[str, Any] = {"trial_id": metrics.get("trial_id") or Path(result.path).name,
                           "status": "error" if result.error else "ok",
                           "objective": metrics.get("objective"), "beats_base": metrics.get("beats_base")}
    if result.error:
        row["error"] = str(result.error).splitlines()[0][:300]
    for d, v in (metrics.get("perplexity") or {}).items():
        row[f"ppl_{d}"] = v
    for d, values in (result.config or {}).items():
        for name, value in values.items():
            row[f"{d}.{name}"] = value
    row["seconds"] = metrics.get("time_total_s")
    row["config"], row["perplexity"] = result.config or {}, metrics.get("perplexity")
    return row


def write_search(result: SearchResult, out_uri: str) -> None:
    """search/trials.parquet (one row per trial) and search/best.json."""
    import pyarrow as pa

    names = list(dict.fromkeys(k for row in result.trials for k in row))
    table = pa.table({k: [row.get(k) for row in result.trials] for k in names})
    storage.write_parquet(table, storage.join(out_uri, "trials.parquet"))
    best = {**result.summary(), "perplexity": result.perplexity}
    storage.write_text(storage.join(out_uri, "best.json"), json.dumps(best, indent=2, sort_keys=True))
