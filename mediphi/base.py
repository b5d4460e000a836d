"""The base stage: the model every expert starts from.

A pretrained base (the paper's Phi-3.5-mini-instruct) is used as it is and only recorded. A tiny
base is built here: a random-init Phi-3 with the corpus stage's tokenizer, then a short warm-up
on a mix of all five domains, so that the experts later specialise from a shared start.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from mediphi import storage
from mediphi.config import BaseCfg, Recipe
from mediphi.context import RunContext


def model_uri(ctx: RunContext) -> str:
    """Where downstream stages load the base from: the built model, or the pretrained path."""
    base = ctx.artifact("base")
    return base.path("model") if base.metrics.get("built") else ctx.recipe.base.path


def train_shards(corpus_uri: str, domains: list[str], split: str = "train") -> list[str]:
    return [storage.join(corpus_uri, "shards", f"domain={d}", f"split={split}") for d in domains]


def warmup_data(corpus_uri: str, domains: list[str], tokenizer: dict, seq_len: int, seed: int, tokens: int):
    """The warm-up's packed sequences: every domain's train shards, packed and shuffled together.

    The same seed gives the same rows in the same order only when the run preserves order (the
    packer concatenates documents in the order it receives them, and the seeded shuffle then
    permutes whatever that gave): the launcher runs every LM job's ingest in order for this.
    """
    import ray

    from mediphi.packing import TextPacker

    fs, _ = storage.filesystem(corpus_uri)
    paths = [storage.filesystem(p)[1] for p in train_shards(corpus_uri, domains)]
    return (
        ray.data.read_parquet(paths, filesystem=fs, columns=["text"])
        .map_batches(TextPacker, fn_constructor_kwargs={"tokenizer": tokenizer, "seq_len": seq_len},
                     batch_format="pyarrow", batch_size=64, compute=ray.data.ActorPoolStrategy(size=1))
        # Mix the domains (the shards come one domain at a time). A shuffle keeps its input's
        # block count: size that by the corpus rather than by the many small read blocks.
        .repartition(max(1, min(64, tokens // (seq_len * 5000) + 1)))
        .random_shuffle(seed=seed)
    )


def run(cfg: BaseCfg, ctx: RunContext) -> dict:
    recipe: Recipe = ctx.recipe
    if cfg.source == "pretrained":
        return {"built": False, "model": cfg.path}

    from mediphi.models.refs import tokenizer_files
    from mediphi.models.tiny import build_model
    from mediphi.perplexity import score_models
    from mediphi.train.launcher import TrainJob, launch

    ctx.ensure_ray()
    corpus = ctx.artifact("corpus")
    domains = list(recipe.corpus.domains)
    out_model = storage.join(ctx.out, "model")
    init_local = Path(tempfile.mkdtemp(prefix="mediphi-base-init-"))
    try:
        params = build_model(cfg.tiny, corpus.local("tokenizer"), init_local, seed=recipe.run.seed)
        tokenizer = tokenizer_files(str(init_local))
        init_uri = storage.join(ctx.work_uri("base"), "init")
        storage.upload_dir(init_local, init_uri)
        if cfg.warmup is None:
            storage.upload_dir(init_local, out_model)
    finally:
        shutil.rmtree(init_local, ignore_errors=True)  # only this machine could read it: storage has it
    card = _card(cfg, params, domains)
    history: list[dict] = []
    if cfg.warmup is not None:
        job = TrainJob(
            name="warmup", model=init_uri, checkpoints=ctx.work_uri("base"), output=out_model,
            datasets={"train": warmup_data(corpus.uri, domains, tokenizer, cfg.seq_len, recipe.run.seed,
                                           corpus.metrics["totals"]["tokens"])},
            cfg=cfg.warmup, tensorboard=storage.join(ctx.root, "tensorboard", "base-warmup"),
            options={"seq_len": cfg.seq_len, "card": card, "seed": recipe.run.seed},
        )
        history = launch([job])[0].log_history
    ppl = score_models({"base": out_model}, corpus.uri, domains, cfg.seq_len,
                       max_tokens=recipe.eval.perplexity_max_tokens, num_gpus=recipe.eval.num_gpus)["base"]
    return {"built": True, "parameters": params, "perplexity": ppl,
            "loss": [[h["step"], h["loss"]] for h in history if "loss" in h]}


def _card(cfg: BaseCfg, params: int, domains: list[str]) -> str:
    t = cfg.tiny
    return (
        "# mediphi tiny base\n\n"
        f"A Phi-3 architecture model with random initialisation ({params:,} parameters: hidden {t.hidden_size}, "
        f"{t.num_hidden_layers} layers, {t.num_attention_heads} heads, vocabulary {t.vocab_size}), warmed up on "
        f"a mix of the {', '.join(domains)} corpora for {cfg.warmup.max_steps if cfg.warmup else 0} steps. "
        "For pipeline tests and demos on CPU; it knows no medicine.\n\n"
        f"Settings: `{json.dumps(cfg.model_dump(mode='json'))}`\n"
    )


def summarize(manifest: dict) -> str:
    from mediphi.tables import format_table

    m = manifest.get("metrics", {})
    if not m.get("built"):
        return f"  pretrained base: {m.get('model')}"
    ppl = m.get("perplexity", {})
    loss = m.get("loss") or []
    lines = [f"  tiny Phi-3, {m.get('parameters'):,} parameters; warm-up loss "
             + (f"{loss[0][1]:.3f} -> {loss[-1][1]:.3f} over {loss[-1][0]} steps" if loss else "n/a")]
    lines.append(format_table([("held-out perplexity", *ppl), ("base", *ppl.values())]))
    return "\n".join(lines)
