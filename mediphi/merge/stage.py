"""The merge stage: SLERP each expert back into the base, then merge the SLERPed experts on the base.

The published recipe SLERPs each expert into its base to keep general ability (guidelines at
t=0.25, medcode at t=0.5), then merges all of them on the base with mergekit's breadcrumbs_ties,
per-expert density / gamma / weight apparently found by a search. Here any multi-model mergekit
method can take breadcrumbs_ties' place, and an optional Ray Tune search finds the per-expert
parameters (and optionally the SLERP factors) that minimise the mean held-out perplexity.

Every merge is a Ray task that declares its memory (see runner.run_jobs). The stage then scores
the base, each expert, each SLERPed expert and the merged model on every domain's held-out text.
"""

from __future__ import annotations

import logging
import time
import uuid

from mediphi import DOMAINS, storage
from mediphi.config import MergeCfg, Recipe
from mediphi.context import RunContext
from mediphi.merge.runner import MergeJob, Source

log = logging.getLogger("mediphi")

PER_EXPERT = ("weight", "density", "gamma", "epsilon")


def expert_domains(recipe: Recipe) -> list[str]:
    return list(recipe.experts.domains or recipe.corpus.domains)


def slerp_job(cfg: MergeCfg, base: Source, domain: str, expert_uri: str, t: float, out_uri: str,
              seed: int | None = None, version: str = "") -> MergeJob:
    return MergeJob(
        name=f"slerp-{domain}", method="slerp", models=(base, Source(f"expert-{domain}", expert_uri, version=version)),
        base=base, out_uri=out_uri, parameters={"t": t}, dtype=cfg.dtype, tokenizer_source=cfg.tokenizer_source,
        out_shard_size=cfg.out_shard_size, lazy_unpickle=cfg.lazy_unpickle, seed=seed,
        note=f"The {domain} expert SLERPed back into the base at t={t:g} (0 is the base, 1 the expert), "
        "so that it keeps the base's general ability.",
    )


def final_job(cfg: MergeCfg, base: Source, slerped: dict[str, str], params: dict[str, dict[str, float]],
              out_uri: str, seed: int | None = None, name: str = "merged", version: str = "",
              shown: dict[str, str] | None = None) -> MergeJob:
    from mergekit.merge_methods.base import BasePolicy

    from mediphi.merge.runner import method_spec

    uses_base = method_spec(cfg.method).contract.base != BasePolicy.IGNORED
    models = tuple(Source(f"slerp-{d}", uri, params[d], version=version, shown_as=(shown or {}).get(d, ""))
                   for d, uri in slerped.items())
    return MergeJob(
        name=name, method=cfg.method, models=models, base=base if uses_base else None, out_uri=out_uri,
        parameters=dict(cfg.parameters), dtype=cfg.dtype, tokenizer_source=cfg.tokenizer_source,
        out_shard_size=cfg.out_shard_size, lazy_unpickle=cfg.lazy_unpickle, seed=seed,
        note=f"The {len(models)} SLERPed domain experts merged into one model.",
    )


def expert_params(cfg: MergeCfg, domains: list[str]) -> dict[str, dict[str, float]]:
    return {d: cfg.expert(d).model_dump() for d in domains}


def run(cfg: MergeCfg, ctx: RunContext) -> dict:
    from mediphi.base import model_uri
    from mediphi.merge.runner import run_jobs
    from mediphi.perplexity import score_models

    recipe = ctx.recipe
    ctx.ensure_ray()
    corpus, experts_art = ctx.artifact("corpus"), ctx.artifact("experts")
    domains, experts = list(recipe.corpus.domains), expert_domains(recipe)
    seed = recipe.run.seed
    base = Source("base", model_uri(ctx), version=ctx.artifact("base").digest)
    # S3 copies are cached by version: the experts' digest, and for the SLERPs written here, this attempt
    attempt = uuid.uuid4().hex
    expert_uris = {d: experts_art.path(d, "model") for d in experts}
    slerp_out = {d: storage.join(ctx.out, "slerp", d) for d in experts}
    slerped = {d: storage.join(slerp_out[d], "model") for d in experts}
    t = {d: cfg.t_for(d) for d in experts}
    params = expert_params(cfg, experts)
    placement = {"num_cpus": cfg.num_cpus, "memory_gb": cfg.memory_gb, "label_selector": cfg.label_selector}
    timings: dict[str, float] = {}
    models = {"base": base.uri, **{f"expert-{d}": u for d, u in expert_uris.items()},
              **{f"slerp-{d}": u for d, u in slerped.items()}, "merged": storage.join(ctx.out, "merged", "model")}
    # The experts stage scored the base and the experts on the same held-out tokens (it hashes the
    # same eval settings): reuse those rather than load six more models.
    ppl = {n: s for n, s in experts_art.metrics.get("perplexity", {}).items()
           if n in models and set(s) == set(domains)}

    def score(names: list[str]) -> None:
        todo = {n: models[n] for n in names if n not in ppl}
        ppl.update(score_models(todo, corpus.uri, domains, recipe.base.seq_len, recipe.eval.perplexity_max_tokens,
                                num_gpus=recipe.eval.num_gpus))

    def slerp_all() -> None:
        started = time.time()
        run_jobs([slerp_job(cfg, base, d, expert_uris[d], t[d], slerp_out[d], seed, experts_art.digest)
                  for d in experts], **placement)
        timings["slerp_s"] = round(time.time() - started, 2)

    search_metrics = None
    searches_t = cfg.search.enabled and "t" in cfg.search.params
    if not searches_t:  # the search then merges these SLERPed experts in every trial
        slerp_all()
    if cfg.search.enabled:
        from mediphi.merge.search import TrialSpec, run_search, write_search

        started = time.time()
        tokens = cfg.search.max_tokens or recipe.eval.perplexity_max_tokens
        base_ppl = None
        if cfg.search.beat_base:  # the base on the trials' tokens (a prefix of the report's, when fewer)
            if tokens == recipe.eval.perplexity_max_tokens:
                score(["base"])
                base_ppl = ppl["base"]
            else:
                base_ppl = score_models({"base": base.uri}, corpus.uri, domains, recipe.base.seq_len, tokens,
                                        num_gpus=recipe.eval.num_gpus)["base"]
        spec = TrialSpec(
            cfg=cfg, base=base, experts=expert_uris, slerped=None if searches_t else slerped, t=t, params=params,
            corpus_uri=corpus.uri, domains=domains, seq_len=recipe.base.seq_len, max_tokens=tokens,
            num_gpus=recipe.eval.num_gpus, seed=seed, recipe=recipe if cfg.search.objective == "eval" else None,
            experts_version=experts_art.digest, slerped_version=attempt, base_perplexity=base_ppl,
        )
        result = run_search(spec, storage_path=storage.join(ctx.work_uri(ctx.stage or "merge"), "tune"),
                            scratch=str(ctx.local_scratch("merge-search")))
        write_search(result, storage.join(ctx.out, "search"))
        params, t = result.params, result.t
        timings["search_s"] = round(time.time() - started, 2)
        search_metrics = result.summary()
    if searches_t:
        slerp_all()

    started = time.time()
    # The SLERPed experts are read from this attempt's folder; the card names where they end up.
    final = {d: storage.join(ctx.artifact_uri(ctx.stage or "merge"), "slerp", d, "model") for d in experts}
    job = final_job(cfg, base, slerped, params, storage.join(ctx.out, "merged"), seed, version=attempt, shown=final)
    run_jobs([job], **placement)
    timings["merge_s"] = round(time.time() - started, 2)

    started = time.time()
    score(list(models))
    timings["score_s"] = round(time.time() - started, 2)
    worse = [d for d in domains if ppl["merged"][d] >= ppl["base"][d]]
    log.info("merge: merged beats base in %d of %d domains", len(domains) - len(worse), len(domains))
    return {
        "perplexity": {n: ppl[n] for n in models},
        "method": cfg.method,
        "slerp_t": t,
        "expert_params": {d: {k: v for k, v in p.items() if v is not None} for d, p in params.items()},
        "merged_beats_base": not worse,
        "worse_than_base": worse,
        "search": search_metrics,
        "timings": timings,
    }


def preflight(cfg: MergeCfg, recipe: Recipe) -> None:
    """Settings mergekit would reject only after the experts are loaded: reject them now."""
    from mediphi.merge.runner import method_spec

    spec = method_spec(cfg.method)
    shared = {p.name for p in spec.shared_parameters}
    unknown = sorted(set(cfg.parameters) - shared)
    if unknown:
        raise ValueError(f"merge.parameters: {unknown} are not parameters of {cfg.method} "
                         f"(it takes {sorted(shared) or 'none'})")
    n = len(expert_domains(recipe))
    if cfg.method == "model_stock" and n < 2:
        raise ValueError("merge.method model_stock needs at least two experts")
    if cfg.method.startswith("della"):
        default_eps = next(p.default for p in spec.input_parameters if p.name == "epsilon")
        for d in expert_domains(recipe):
            e = cfg.expert(d)
            eps = default_eps if e.epsilon is None else e.epsilon
            if not (e.density - eps > 0 and e.density + eps < 1):
                raise ValueError(f"merge: {cfg.method} needs 0 < density +/- epsilon < 1; {d} has density "
                                 f"{e.density}, epsilon {eps}")
    if cfg.search.enabled:
        per_model = {p.name for p in spec.input_parameters}
        useless = [p for p in cfg.search.params if p != "t" and p not in per_model]
        if useless:
            raise ValueError(f"merge.search.params {useless}: {cfg.method} has no such per-expert parameter "
                             f"(it has {sorted(per_model) or 'none'}; 't' is the SLERP factor)")
        if cfg.search.objective == "eval":
            import importlib

            try:
                hook = getattr(importlib.import_module("mediphi.eval"), "score_for_merge_search", None)
            except ImportError:
                hook = None
            if hook is None:
                raise ValueError("merge.search.objective 'eval' needs mediphi.eval.score_for_merge_search "
                                 "(the eval suite); use 'perplexity' until it exists")


def summarize(manifest: dict) -> str:
    from mediphi.tables import format_table

    m = manifest.get("metrics", {})
    ppl: dict[str, dict[str, float]] = m.get("perplexity", {})
    if not ppl:
        return "  no perplexities recorded"
    # The manifest stores metrics with sorted keys: put domains and models back in pipeline order.
    domains = [d for d in DOMAINS if d in ppl["base"]]
    names = ["base", *(f"expert-{d}" for d in domains), *(f"slerp-{d}" for d in domains), "merged"]
    rows: list[tuple] = [("held-out perplexity", *domains, "mean")]
    for name in [n for n in names if n in ppl]:
        values = [ppl[name][d] for d in domains]
        rows.append((name, *values, sum(values) / len(values)))
    worse = m.get("worse_than_base", [])
    verdict = "yes" if not worse else f"no (not better in {', '.join(worse)})"
    lines = [f"  method {m.get('method')}", format_table(rows), f"  merged beats base in every domain: {verdict}"]
    search = m.get("search")
    if search:
        lines.append(f"  search: {search['num_trials']} trials ({search['num_errors']} failed); best trial "
                     f"{search['best_trial']}, {search['metric']} {search['objective']:.3f}")
    params, t = m.get("expert_params", {}), m.get("slerp_t", {})
    keys = sorted({k for p in params.values() for k in p})
    table: list[tuple] = [("merge parameters", "slerp t", *keys)]
    table += [(d, t.get(d, ""), *(params.get(d, {}).get(k, "") for k in keys)) for d in domains if d in params]
    lines.append(format_table(table))
    return "\n".join(lines)
