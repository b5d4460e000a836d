"""The experts stage: one domain expert per corpus domain, trained concurrently on Ray Train.

Each expert continues the base on its domain's pre-instruction-tuning schedule (the pit stage's
phase 1 then phase 2, in order, one pass), as one `TorchTrainer` per domain launched together:
they share the cluster by their declared resources and Ray queues what does not fit. Each ends
as a full HF model folder <domain>/model with a model card, plus its loss curve; the stage then
scores the base and every expert on every domain's held-out text.
"""

from __future__ import annotations

import json
import math

from mediphi import storage
from mediphi.config import ExpertsCfg
from mediphi.context import RunContext


def run(cfg: ExpertsCfg, ctx: RunContext) -> dict:
    import ray

    from mediphi.models.refs import resolve
    from mediphi.perplexity import score_models
    from mediphi.pit import domains_of, phase_paths
    from mediphi.train.launcher import TrainJob, launch

    recipe = ctx.recipe
    ctx.ensure_ray()
    pit, corpus = ctx.artifact("pit"), ctx.artifact("corpus")
    base = resolve("base", ctx)
    fs, _ = storage.filesystem(pit.uri)
    jobs, steps, replayed = [], {}, {}
    domains = domains_of(recipe)
    for domain in domains:
        tcfg = cfg.for_domain(domain)
        files = [storage.filesystem(u)[1] for u in phase_paths(pit.uri, domain)]
        if not files:
            raise ValueError(f"the pit artifact has no training data for domain {domain!r}")
        rows = sum(pit.metrics["domains"][domain]["sequences"].values())
        data, replayed[domain] = (_with_replay(pit, domain, domains, cfg.replay_fraction, recipe.run.seed)
                                  if cfg.replay_fraction > 0 else (None, 0))
        if data is None:  # no replay: the domain's schedule as the pit stage wrote it
            data = ray.data.read_parquet(files, filesystem=fs)
        rows += replayed[domain]
        per_step = tcfg.per_device_batch_size * tcfg.num_workers * tcfg.gradient_accumulation_steps
        if cfg.max_steps_from_data:
            # One pass over the schedule: a second pass would restart phase 1 after phase 2.
            tcfg = tcfg.model_copy(update={"max_steps": max(1, min(tcfg.max_steps, rows // per_step))})
        steps[domain] = tcfg.max_steps
        jobs.append(TrainJob(
            name=f"expert-{domain}", model=base, cfg=tcfg,
            datasets={"train": data},
            checkpoints=ctx.work_uri("experts"), output=storage.join(ctx.out, domain, "model"),
            tensorboard=storage.join(ctx.root, "tensorboard", f"experts-{domain}"),
            options={"seq_len": recipe.base.seq_len, "seed": recipe.run.seed,
                     "card": _card(domain, pit.metrics["domains"][domain], tcfg, recipe.pit.ordering, base)
                     + (f"\nReplay: {replayed[domain]} document sequences of the other domains mixed into the "
                        f"document phase ({cfg.replay_fraction:.0%}).\n" if replayed.get(domain) else "")},
        ))
    results = launch(jobs)
    curves = {r.name: [[h["step"], h["loss"]] for h in r.log_history if "loss" in h] for r in results}
    models = {"base": base, **{r.name: r.output for r in results}}
    ppl = score_models(models, corpus.uri, list(recipe.corpus.domains), recipe.base.seq_len,
                       recipe.eval.perplexity_max_tokens, num_gpus=recipe.eval.num_gpus)
    resumed = {r.name: next((h["resumed_from_step"] for h in r.log_history if "resumed_from_step" in h), 0)
               for r in results}
    return {"perplexity": ppl, "gain": specialisation(ppl), "loss_curves": curves, "steps": steps,
            "resumed_from_step": resumed, "replayed_sequences": replayed}


def _with_replay(pit, domain: str, domains: list[str], fraction: float, seed: int):
    """The domain's schedule with other domains' document sequences mixed into its document phase.

    Phase 1 (the QA pairs) stays first and pure; phase 2 becomes the domain's own sequences plus
    replayed ones, `fraction` of the mix, sampled evenly from the other domains and shuffled in.
    Returns the dataset and the number of replayed sequences; (None, 0) when there is nothing to
    replay.
    """
    from mediphi.pit import phase_paths, union_all

    fs, _ = storage.filesystem(pit.uri)
    own = pit.metrics["domains"][domain]["sequences"]
    target = int(own.get("phase2", 0) * fraction / (1 - fraction))
    others = [d for d in domains if d != domain]
    if target == 0 or not others:
        return None, 0
    import ray

    def phase(d: str, name: str):
        paths = [storage.filesystem(u)[1] for u in phase_paths(pit.uri, d) if f"/{name}/" in u]
        return ray.data.read_parquet(paths, filesystem=fs) if paths else None

    per_other = max(1, target // len(others))
    parts = []
    for d in others:
        available = pit.metrics["domains"][d]["sequences"].get("phase2", 0)
        docs = phase(d, "phase2")
        if docs is not None and available:
            # a little over the share, then cut: a Bernoulli sample rarely lands exactly on it
            parts.append(docs.random_sample(min(1.0, 1.2 * per_other / available), seed=seed).limit(per_other))
    if not parts:
        return None, 0
    replay = union_all(parts)
    own_docs, own_qa = phase(domain, "phase2"), phase(domain, "phase1")
    mixed = (own_docs.union(replay) if own_docs is not None else replay)
    blocks = max(1, (own.get("phase2", 0) + target) // 5000 + 1)
    mixed = mixed.repartition(blocks).random_shuffle(seed=seed)
    return (own_qa.union(mixed) if own_qa is not None else mixed), per_other * len(parts)


def specialisation(ppl: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Per expert: log-perplexity gain over the base on its own domain vs the mean on the others."""
    out = {}
    for name, scores in ppl.items():
        if not name.startswith("expert-"):
            continue
        own = name[len("expert-"):]
        gains = {d: math.log(ppl["base"][d] / scores[d]) for d in scores}
        others = [g for d, g in gains.items() if d != own]
        out[name] = {"own": round(gains[own], 4), "others": round(sum(others) / max(1, len(others)), 4)}
    return out


def _card(domain: str, pit_metrics: dict, cfg, ordering: str, base: str) -> str:
    return (
        f"# mediphi expert: {domain}\n\n"
        f"Continued from `{base}` with pre-instruction tuning ({ordering} ordering) on the {domain} corpus: "
        f"{pit_metrics['qa_pairs']} generated question/answer pairs from {pit_metrics['chunks']} passages, then "
        f"the documents with QA mixed in; {sum(pit_metrics['sequences'].values())} packed sequences.\n\n"
        f"Training: {cfg.max_steps} steps, {cfg.num_workers} worker(s), batch {cfg.per_device_batch_size}, "
        f"lr {cfg.learning_rate}, {'LoRA r=' + str(cfg.lora.r) + ' (merged)' if cfg.lora else 'full fine-tuning'}"
        f"{', DeepSpeed ZeRO-' + str(cfg.deepspeed.stage) if cfg.deepspeed else ''}.\n\n"
        f"Settings: `{json.dumps(cfg.model_dump(mode='json'))}`\n"
    )


def summarize(manifest: dict) -> str:
    from mediphi.tables import format_table

    m = manifest.get("metrics", {})
    ppl = m.get("perplexity", {})
    if not ppl:
        return "  (no metrics)"
    models = list(ppl)
    domains = list(next(iter(ppl.values())))
    rows = [("held-out perplexity", *models)]
    rows += [(d, *(ppl[name][d] for name in models)) for d in domains]
    gain = m.get("gain", {})
    rows.append(("own-domain gain", "", *(gain[n]["own"] for n in models[1:])))
    rows.append(("other-domain gain", "", *(gain[n]["others"] for n in models[1:])))
    ok = all(g["own"] > g["others"] for g in gain.values())
    verdict = "every expert gains most on its own domain" if ok else "NOT every expert gains most on its own domain"
    return f"{format_table(rows)}\n  gain = log(base perplexity / expert perplexity); {verdict}"
