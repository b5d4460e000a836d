"""The align stage: TRL SFT on the MediFlow split, then DPO on the DPO split, from the merged model.

Both run through the experts' Ray Train launcher (CPU DDP / GPU DeepSpeed, optional LoRA,
checkpoints, resume). A deterministic share of each split (by content hash) is held out: the
launcher evaluates the starting model and the trained one on it, so the stage reports SFT's
held-out loss and DPO's held-out preference accuracy and reward margin before and after.

A row whose prompt alone fills `align.max_length` (in the start model's chat template, as TRL
counts it) is set aside before the split: TRL's SFT would truncate its whole completion away and
DPO drops it, so it could neither train nor be measured, and a held-out set of only such rows
evaluated nothing. Each goes to rejects/align.parquet with its length, and is counted.

The driver streams each split in chunks (measure, set aside, split, write TRL's examples to
parquet in the stage's scratch), so its memory is one chunk's, not the split's: the real MediFlow
has 2.5M instructions. The training workers read the examples from there through Ray Data.
Output: sft/model and dpo/model (the aligned model), each an HF folder with a model card.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field

import pyarrow as pa

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


def prompt_lengths(rows: list[dict], tok) -> list[int]:
    """Tokens of each row's prompt, rendered as TRL renders it (chat template, generation prompt)."""
    if not rows:
        return []
    encoded = tok.apply_chat_template([_prompt(r) for r in rows], add_generation_prompt=True, tokenize=True,
                                      return_dict=True)  # one batched call: the fast tokenizer in Rust
    return [len(ids) for ids in encoded["input_ids"]]


def fitting_rows(rows: list[dict], lengths: list[int], max_length: int,
                 source: str, first_line: int = 0) -> tuple[list[dict], list[Reject]]:
    """The rows whose prompt leaves room for a completion, and a reject for each other one (its
    `line` is the row's index in the split's parquet, `rows` starting at `first_line`)."""
    kept, rejects = [], []
    for i, (row, n) in enumerate(zip(rows, lengths, strict=True)):
        if n < max_length:
            kept.append(row)
        else:
            rejects.append(Reject(source, first_line + i, "prompt_too_long",
                                  f"the prompt is {n} tokens; align.max_length is {max_length}"))
    return kept, rejects


def sft_examples(rows: list[dict]) -> list[dict]:
    """TRL's conversational prompt-completion format: the loss falls on the completion only."""
    return [{"prompt": _prompt(r), "completion": [{"role": "assistant", "content": r["output"]}]} for r in rows]


def dpo_examples(rows: list[dict]) -> list[dict]:
    return [{"prompt": _prompt(r), "chosen": [{"role": "assistant", "content": r["output"]}],
             "rejected": [{"role": "assistant", "content": r["rejected_output"]}]} for r in rows]


# Rows per chunk of a split on the driver. The whole split at once (rows, every prompt's token ids
# and encodings from one call, the examples) took 11.5 GB of driver memory for 200,000 rows of
# MediFlow's size, where these chunks take 0.4 GB, most of it the input's decoded row group
# (benchmarks/align_prep.py, docs/benchmarks.md#align).
LENGTH_CHUNK = 1024
MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
EXAMPLES = {"sft": (sft_examples, pa.schema([("prompt", MESSAGES), ("completion", MESSAGES)])),
            "dpo": (dpo_examples, pa.schema([("prompt", MESSAGES), ("chosen", MESSAGES), ("rejected", MESSAGES)]))}


@dataclass
class PreparedSplit:
    """One MediFlow split as TRL examples in two parquet files, and what was set aside."""

    train: str
    held_out: str
    rows: dict[str, int] = field(default_factory=lambda: {"train": 0, "held_out": 0})  # examples written
    rows_read: int = 0
    rejects: list[Reject] = field(default_factory=list)

    @property
    def train_rows(self) -> int:
        return self.rows["train"]

    @property
    def held_out_rows(self) -> int:
        return self.rows["held_out"]

    @property
    def kept(self) -> int:
        return self.train_rows + self.held_out_rows


def prepare_split(kind: str, uri: str, out: str, tok, max_length: int, heldout_fraction: float) -> PreparedSplit:
    """Stream the `kind` split at `uri` in chunks of LENGTH_CHUNK rows: set aside the rows whose
    prompt fills max_length, send each other row to train or held out by its content hash, and
    write its TRL example to `out`/{train,held_out}.parquet. A split whose hash sends nothing to
    held out still gives its last train row to it, to measure with (when it has two or more)."""
    import pyarrow.parquet as pq

    to_examples, schema = EXAMPLES[kind]
    prepared = PreparedSplit(storage.join(out, "train.parquet"), storage.join(out, "held_out.parquet"))
    fs, path = storage.filesystem(uri)
    out_fs, out_path = storage.filesystem(out)
    out_fs.create_dir(out_path, recursive=True)
    last_train: list[dict] = []  # written once the next train row or the end shows where it goes
    with fs.open_input_file(path) as source, out_fs.open_output_stream(f"{out_path}/train.parquet") as t_file, \
            out_fs.open_output_stream(f"{out_path}/held_out.parquet") as h_file, \
            pq.ParquetWriter(t_file, schema) as t_writer, pq.ParquetWriter(h_file, schema) as h_writer:
        writers = {"train": t_writer, "held_out": h_writer}

        def write(part: str, rows: list[dict]) -> None:
            writers[part].write_table(pa.Table.from_pylist(to_examples(rows), schema=schema))
            prepared.rows[part] += len(rows)

        for batch in pq.ParquetFile(source).iter_batches(batch_size=LENGTH_CHUNK):
            rows = batch.to_pylist()
            kept, rejects = fitting_rows(rows, prompt_lengths(rows, tok), max_length, uri, prepared.rows_read)
            prepared.rows_read += len(rows)
            prepared.rejects += rejects
            held = [_held_out(r, heldout_fraction) for r in kept]
            train = last_train + [r for r, h in zip(kept, held, strict=True) if not h]
            train, last_train = train[:-1], train[-1:]
            write("train", train)
            write("held_out", [r for r, h in zip(kept, held, strict=True) if h])
        write("held_out" if not prepared.held_out_rows and prepared.train_rows >= 1 else "train", last_train)
    return prepared


def run(cfg: AlignCfg, ctx: RunContext) -> dict:
    from transformers import AutoTokenizer

    from mediphi.models.refs import resolve, tokenizer_dir
    from mediphi.train.launcher import TrainJob, launch

    recipe = ctx.recipe
    ctx.ensure_ray()
    mediflow = ctx.artifact("mediflow")
    start = resolve(cfg.start_from, ctx)
    tok = AutoTokenizer.from_pretrained(tokenizer_dir(start))
    splits: dict[str, PreparedSplit] = {}
    for kind in ("sft", "dpo"):
        splits[kind] = prepared = prepare_split(
            kind, mediflow.path(kind, f"{kind}.parquet"), storage.join(ctx.work_uri("align"), "examples", kind),
            tok, cfg.max_length, cfg.heldout_fraction)
        if prepared.rejects:
            log.warning("align: %d of %d %s rows set aside, their prompt fills align.max_length=%d "
                        "(rejects/align.parquet)", len(prepared.rejects), prepared.rows_read, kind, cfg.max_length)
    sft_data, dpo_data = splits["sft"], splits["dpo"]
    too_long = {kind: len(prepared.rejects) for kind, prepared in splits.items()}
    storage.write_parquet(Reject.table(sft_data.rejects + dpo_data.rejects),
                          storage.join(ctx.out, "rejects", "align.parquet"))
    if not sft_data.kept:
        raise ValueError(f"no mediflow SFT row fits align.max_length={cfg.max_length} "
                         f"({too_long['sft']} prompts too long): nothing to align on")
    metrics: dict = {"start_from": cfg.start_from, "loss_curves": {}}

    sft_out = storage.join(ctx.out, "sft", "model")
    common = {"seq_len": cfg.max_length, "max_length": cfg.max_length, "seed": recipe.run.seed}
    [sft] = launch([TrainJob(
        name="sft", kind="sft", model=start, cfg=cfg.sft, checkpoints=ctx.work_uri("align"), output=sft_out,
        tensorboard=storage.join(ctx.root, "tensorboard", "align-sft"), datasets=_datasets(sft_data),
        options={**common, "card": _card("SFT", cfg.start_from, sft_data.train_rows, cfg.sft)},
    )])
    metrics["loss_curves"]["sft"] = _curve(sft.log_history)
    metrics["sft"] = {"train_rows": sft_data.train_rows, "held_out_rows": sft_data.held_out_rows,
                      "prompt_too_long": too_long["sft"],
                      **_before_after(sft.log_history, ("eval_loss",))}

    if dpo_data.kept:
        dpo_out = storage.join(ctx.out, "dpo", "model")
        [dpo] = launch([TrainJob(
            name="dpo", kind="dpo", model=sft_out, cfg=cfg.dpo, checkpoints=ctx.work_uri("align"), output=dpo_out,
            tensorboard=storage.join(ctx.root, "tensorboard", "align-dpo"), datasets=_datasets(dpo_data),
            options={**common, "beta": cfg.beta,
                     "card": _card("DPO", "sft", dpo_data.train_rows, cfg.dpo, cfg.beta)},
        )])
        metrics["loss_curves"]["dpo"] = _curve(dpo.log_history)
        metrics["dpo"] = {"train_pairs": dpo_data.train_rows, "held_out_pairs": dpo_data.held_out_rows,
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


def _datasets(prepared: PreparedSplit) -> dict:
    """The split's examples as Ray Data datasets read from its parquet files, not from the driver."""
    import ray

    return {name: ray.data.read_parquet(path, filesystem=fs)
            for name, (fs, path) in (("train", storage.filesystem(prepared.train)),
                                     ("eval", storage.filesystem(prepared.held_out)))}


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
