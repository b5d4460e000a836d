"""The align stage: TRL SFT on the MediFlow split, then DPO on the DPO split, from the merged model.

Both run through the experts' Ray Train launcher (CPU DDP / GPU DeepSpeed, optional LoRA,
checkpoints, resume). A deterministic share of each split (by content hash) is held out: the
launcher evaluates the starting model and the trained one on it, so the stage reports SFT's
held-out loss and DPO's held-out preference accuracy and reward margin before and after.

A row whose prompt alone fills `align.max_length` (in the start model's chat template, as TRL
counts it) is set aside before the split: TRL's SFT would truncate its whole completion away and
DPO drops it, so it could neither train nor be measured, and a held-out set of only such rows
evaluated nothing. Each goes to rejects/align.parquet with its length, and is counted.
Output: sft/model and dpo/model (the aligned model), each an HF folder with a model card.
"""

from __future__ import annotations

import hashlib
import json
import logging

from mediphi import storage
from mediphi.config import AlignCfg
from mediphi.context import RunContext
from mediphi.rejects import Reject

log = logging.getLogger("mediphi.align")


def _prompt(row: dict) -> list[dict]:
    content = row["instruction"] if not row["input"] else f"{row['instruction']}\n\n{row['input']}"
    return [{"role": "user", "content": content}]


def _held_out(row: dict, fraction: float) -> bool:
    key = f"{row['instruction']}\0{row['input']}".encode()
    return int(hashlib.sha256(key).hexdigest()[:8], 16) / 0x1_0000_0000 < fraction


def split_rows(rows: list[dict], fraction: float) -> tuple[list[dict], list[dict]]:
    train = [r for r in rows if not _held_out(r, fraction)]
    held = [r for r in rows if _held_out(r, fraction)]
    if not held and len(train) > 1:  # a tiny split still gets one held-out row to measure with
        held.append(train.pop())
    return train, held


def prompt_lengths(rows: list[dict], tok) -> list[int]:
    """Tokens of each row's prompt, rendered as TRL renders it (chat template, generation prompt)."""
    if not rows:
        return []
    encoded = tok.apply_chat_template([_prompt(r) for r in rows], add_generation_prompt=True, tokenize=True,
                                      return_dict=True)  # one batched call: the fast tokenizer in Rust
    return [len(ids) for ids in encoded["input_ids"]]


def fitting_rows(rows: list[dict], lengths: list[int], max_length: int,
                 source: str) -> tuple[list[dict], list[Reject]]:
    """The rows whose prompt leaves room for a completion, and a reject for each other one (its
    `line` is the row's index in the split's parquet)."""
    kept, rejects = [], []
    for i, (row, n) in enumerate(zip(rows, lengths, strict=True)):
        if n < max_length:
            kept.append(row)
        else:
            rejects.append(Reject(source, i, "prompt_too_long",
                                  f"the prompt is {n} tokens; align.max_length is {max_length}"))
    return kept, rejects


def sft_examples(rows: list[dict]) -> list[dict]:
    """TRL's conversational prompt-completion format: the loss falls on the completion only."""
    return [{"prompt": _prompt(r), "completion": [{"role": "assistant", "content": r["output"]}]} for r in rows]


def dpo_examples(rows: list[dict]) -> list[dict]:
    return [{"prompt": _prompt(r), "chosen": [{"role": "assistant", "content": r["output"]}],
             "rejected": [{"role": "assistant", "content": r["rejected_output"]}]} for r in rows]


def run(cfg: AlignCfg, ctx: RunContext) -> dict:
    import ray
    from transformers import AutoTokenizer

    from mediphi.models.refs import resolve, tokenizer_dir
    from mediphi.train.launcher import TrainJob, launch

    recipe = ctx.recipe
    ctx.ensure_ray()
    mediflow = ctx.artifact("mediflow")
    start = resolve(cfg.start_from, ctx)
    tok = AutoTokenizer.from_pretrained(tokenizer_dir(start))
    splits, rejects, too_long = {}, [], {}
    for split in ("sft", "dpo"):
        uri = mediflow.path(split, f"{split}.parquet")
        rows = storage.read_parquet(uri).to_pylist()
        splits[split], dropped = fitting_rows(rows, prompt_lengths(rows, tok), cfg.max_length, uri)
        rejects += dropped
        too_long[split] = len(dropped)
        if dropped:
            log.warning("align: %d of %d %s rows set aside, their prompt fills align.max_length=%d "
                        "(rejects/align.parquet)", len(dropped), len(rows), split, cfg.max_length)
    storage.write_parquet(Reject.table(rejects), storage.join(ctx.out, "rejects", "align.parquet"))
    sft_rows, dpo_rows = splits["sft"], splits["dpo"]
    if not sft_rows:
        raise ValueError(f"no mediflow SFT row fits align.max_length={cfg.max_length} "
                         f"({too_long['sft']} prompts too long): nothing to align on")
    metrics: dict = {"start_from": cfg.start_from, "loss_curves": {}}

    sft_train, sft_held = split_rows(sft_rows, cfg.heldout_fraction)
    sft_out = storage.join(ctx.out, "sft", "model")
    common = {"seq_len": cfg.max_length, "max_length": cfg.max_length, "seed": recipe.run.seed}
    [sft] = launch([TrainJob(
        name="sft", kind="sft", model=start, cfg=cfg.sft, checkpoints=ctx.work_uri("align"), output=sft_out,
        tensorboard=storage.join(ctx.root, "tensorboard", "align-sft"),
        datasets={"train": ray.data.from_items(sft_examples(sft_train)),
                  "eval": ray.data.from_items(sft_examples(sft_held))},
        options={**common, "card": _card("SFT", cfg.start_from, len(sft_train), cfg.sft)},
    )])
    metrics["loss_curves"]["sft"] = _curve(sft.log_history)
    metrics["sft"] = {"train_rows": len(sft_train), "held_out_rows": len(sft_held), "prompt_too_long": too_long["sft"],
                      **_before_after(sft.log_history, ("eval_loss",))}

    if dpo_rows:
        dpo_train, dpo_held = split_rows(dpo_rows, cfg.heldout_fraction)
        dpo_out = storage.join(ctx.out, "dpo", "model")
        [dpo] = launch([TrainJob(
            name="dpo", kind="dpo", model=sft_out, cfg=cfg.dpo, checkpoints=ctx.work_uri("align"), output=dpo_out,
            tensorboard=storage.join(ctx.root, "tensorboard", "align-dpo"),
            datasets={"train": ray.data.from_items(dpo_examples(dpo_train)),
                      "eval": ray.data.from_items(dpo_examples(dpo_held))},
            options={**common, "beta": cfg.beta, "card": _card("DPO", "sft", len(dpo_train), cfg.dpo, cfg.beta)},
        )])
        metrics["loss_curves"]["dpo"] = _curve(dpo.log_history)
        metrics["dpo"] = {"train_pairs": len(dpo_train), "held_out_pairs": len(dpo_held),
                          "prompt_too_long": too_long["dpo"],
                          **_before_after(dpo.log_history, ("eval_rewards/accuracies", "eval_rewards/margins",
                                                            "eval_loss"))}
    else:  # no DPO pairs: the SFT model is the aligned one
        storage.upload_dir(storage.localize(sft_out), storage.join(ctx.out, "dpo", "model"))
        metrics["dpo"] = {"skipped": "no DPO pair fits align.max_length" if too_long["dpo"] else "the DPO split is empty",
                          "prompt_too_long": too_long["dpo"]}
    # Where the model lives once the stage commits (the run's align/ folder), not the staging copy.
    metrics["final_model"] = storage.join(ctx.artifact_uri(ctx.stage or "align"), "dpo", "model")
    return metrics


def _curve(history: list[dict]) -> list[list[float]]:
    return [[h["step"], h["loss"]] for h in history if "loss" in h and "held_out" not in h]


def _before_after(history: list[dict], keys: tuple[str, ...]) -> dict:
    phases = {h["held_out"]: h for h in history if "held_out" in h}
    return {key: {p: round(phases[p][key], 4) for p in ("before", "after") if key in phases.get(p, {})}
            for key in keys}


def _card(kind: str, parent: str, rows: int, cfg, beta: float | None = None) -> str:
    extra = f", beta {beta}" if beta is not None else ""
    return (f"# mediphi aligned model ({kind})\n\n{kind} with TRL from the run's `{parent}` model on {rows} "
            f"MediFlow-style {'preference pairs' if kind == 'DPO' else 'instructions'}, in the base's chat "
            f"template; {cfg.max_steps} steps, lr {cfg.learning_rate}{extra}.\n\n"
            f"Settings: `{json.dumps(cfg.model_dump(mode='json'))}`\n")


def summarize(manifest: dict) -> str:
    from mediphi.tables import format_table

    m = manifest.get("metrics", {})
    rows = [("held-out measure", "before", "after")]
    for stage, key, label in (("sft", "eval_loss", "SFT loss"), ("dpo", "eval_rewards/accuracies", "DPO preference accuracy"),
                              ("dpo", "eval_rewards/margins", "DPO reward margin")):
        values = m.get(stage, {}).get(key, {})
        if values:
            rows.append((label, values.get("before", ""), values.get("after", "")))
    too_long = {split: m.get(split, {}).get("prompt_too_long") for split in ("sft", "dpo")}
    note = ""
    if any(too_long.values()):
        note = (f"  set aside, prompt longer than align.max_length: {too_long['sft'] or 0} SFT rows, "
                f"{too_long['dpo'] or 0} DPO pairs (rejects/align.parquet)\n")
    return f"  aligned from {m.get('start_from')} -> {m.get('final_model')}\n" + note + format_table(rows)
