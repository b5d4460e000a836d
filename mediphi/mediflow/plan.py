"""The sampling plan over task x document type x output format x difficulty, and the prompts.

Plan: a deterministic function of (taxonomy, MediflowCfg, seed). Rows per task come from the
quotas, then the weights (largest remainder, every weighted task first gets one row so all tasks
appear whenever num_rows allows). Inside a task the document types are dealt in shuffled rounds
(every compatible type once before any twice), and the formats and difficulty levels are exact
apportionments, shuffled: coverage is as even as the counts allow instead of merely even on
average, and the plan is cheap at MediFlow's 2.5M rows (numpy, no per-row Python loop).

Generation is ONE round per cell: the generator returns {"input", "instruction", "output"} under
a JSON schema whose `output` is the task's schema for json rows (so guided decoding constrains
the output to it) or a string for plain_text rows. The judge is a second, short call per
surviving row that returns five integer scores under JUDGE_SCHEMA.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import yaml

from mediphi.mediflow.taxonomy import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from mediphi.config import MediflowCfg

CRITERIA = ("quality", "alignment", "coherence", "realism", "difficulty")

PLAN_SCHEMA = pa.schema([
    ("cell_id", pa.string()), ("task_type", pa.string()), ("input_data", pa.string()),
    ("output_format", pa.string()), ("difficulty_level", pa.string()), ("seed", pa.int64()),
])

# Integers as enums: every guided-decoding backend supports enum, not all support minimum/maximum.
JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {c: {"type": "integer", "enum": [1, 2, 3, 4, 5]} for c in CRITERIA},
    "required": list(CRITERIA),
    "additionalProperties": False,
}


class PlanError(ValueError):
    """A plan the configuration cannot produce: names the setting at fault."""


def apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split `total` in proportion to `weights` by largest remainder (ties: the order given)."""
    positive = {k: w for k, w in weights.items() if w > 0}
    if total <= 0 or not positive:
        return dict.fromkeys(weights, 0)
    norm = sum(positive.values())
    exact = {k: total * w / norm for k, w in positive.items()}
    out = {k: int(v) for k, v in exact.items()}
    order = sorted(positive, key=lambda k: -(exact[k] - out[k]))  # stable sort keeps ties in order
    for k in order[: total - sum(out.values())]:
        out[k] += 1
    return {k: out.get(k, 0) for k in weights}


def _check_names(cfg: MediflowCfg, tax: Taxonomy) -> None:
    """The recipe checks these names against the packaged taxonomy; a custom one is checked here."""
    checks = {"tasks": (cfg.tasks or [], tax.tasks), "task_quotas": (cfg.task_quotas, tax.tasks),
              "task_weights": (cfg.task_weights, tax.tasks), "doc_types": (cfg.doc_types or [], tax.doc_types),
              "difficulty_weights": (cfg.difficulty_weights or {}, tax.levels)}
    for name, (given, known) in checks.items():
        bad = sorted(set(given) - set(known))
        if bad:
            raise PlanError(f"mediflow.{name}: unknown ids {bad}")


def task_counts(cfg: MediflowCfg, tax: Taxonomy) -> dict[str, int]:
    """Rows per task: quotas first, the rest by weight, at least one per weighted task if possible."""
    _check_names(cfg, tax)
    allowed_docs = set(cfg.doc_types) if cfg.doc_types else None
    named = set(cfg.tasks or ()) | set(cfg.task_quotas)
    tasks = []
    for t in tax.tasks:
        if cfg.tasks is not None and t not in cfg.tasks:
            continue
        if not tax.docs_for(t, allowed_docs):
            if t in named:
                raise PlanError(f"mediflow: task {t!r} has no document type left within mediflow.doc_types")
            continue  # a task the user did not ask for by name, out of reach of their doc types
        tasks.append(t)
    if not tasks:
        raise PlanError("mediflow: no task type is left to plan (check tasks and doc_types)")
    quotas = {t: cfg.task_quotas[t] for t in tasks if t in cfg.task_quotas}
    rest = cfg.num_rows - sum(quotas.values())
    if rest < 0:
        raise PlanError(f"mediflow.task_quotas sum to {sum(quotas.values())}, above num_rows {cfg.num_rows}")
    weights = {t: cfg.task_weights.get(t, 1.0) for t in tasks if t not in quotas}
    weighted = [t for t, w in weights.items() if w > 0]
    if rest and not weighted:
        raise PlanError(f"mediflow: {rest} rows are left after task_quotas but no other task has a weight")
    counts = dict(quotas)
    floor = 1 if rest >= len(weighted) else 0  # coverage first: one row per weighted task
    share = apportion(rest - floor * len(weighted), weights)
    for t in weights:
        counts[t] = share[t] + (floor if t in weighted else 0)
    return {t: counts[t] for t in tasks}


def _level_weights(cfg: MediflowCfg, tax: Taxonomy) -> dict[str, float]:
    weights = cfg.difficulty_weights or {k: lv.weight for k, lv in tax.levels.items()}
    weights = {k: weights.get(k, 0.0) for k in tax.levels}  # taxonomy order: easiest first
    if sum(weights.values()) <= 0:
        raise PlanError("mediflow.difficulty_weights: at least one level needs a positive weight")
    return weights


def _dealt(items: list[str], n: int, rng: np.random.Generator) -> np.ndarray:
    """n items dealt in shuffled rounds: each item once per round, a fresh order every round."""
    rounds = -(-n // len(items))
    order = np.argsort(rng.random((rounds, len(items))), axis=1).ravel()[:n]
    return np.asarray(items, dtype=object)[order]


def _exact(counts: dict[str, int], rng: np.random.Generator) -> np.ndarray:
    values = np.repeat(np.asarray(list(counts), dtype=object), list(counts.values()))
    return values[rng.permutation(len(values))]


def plan_cells(cfg: MediflowCfg, seed: int, taxonomy: Taxonomy | None = None) -> pa.Table:
    """The planned cells (PLAN_SCHEMA), one per generation request, in a seeded interleaved order."""
    tax = taxonomy or load_taxonomy(cfg.taxonomy)
    counts = task_counts(cfg, tax)
    levels = _level_weights(cfg, tax)
    allowed_docs = set(cfg.doc_types) if cfg.doc_types else None
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("task_type", "input_data", "output_format",
                                                          "difficulty_level")}
    for task_id, n in counts.items():
        if n == 0:
            continue
        # Seeded per task (by name), so changing one task's quota leaves the others' cells alone.
        rng = np.random.default_rng([seed, zlib.crc32(task_id.encode())])
        fmts = tax.tasks[task_id].output_formats
        n_json = round(n * cfg.json_fraction) if len(fmts) == 2 else (n if fmts == ("json",) else 0)
        parts["task_type"].append(np.full(n, task_id, dtype=object))
        parts["input_data"].append(_dealt(tax.docs_for(task_id, allowed_docs), n, rng))
        parts["output_format"].append(_exact({"json": n_json, "plain_text": n - n_json}, rng))
        parts["difficulty_level"].append(_exact(apportion(n, levels), rng))
    rng = np.random.default_rng(seed)
    order = rng.permutation(cfg.num_rows)  # interleave tasks so any prefix or batch is a mix
    columns = {k: np.concatenate(v)[order].tolist() for k, v in parts.items()}
    width = max(7, len(str(cfg.num_rows)))
    return pa.table({
        "cell_id": [f"mf-{i:0{width}d}" for i in range(cfg.num_rows)],
        **columns,
        "seed": rng.integers(0, 2**31 - 1, size=cfg.num_rows, dtype=np.int64),
    }, schema=PLAN_SCHEMA)


# --- prompts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prompts:
    generator_system: str
    generator_user: Template
    output_plain_text: str
    output_json: str
    schema_instruction: Template
    judge_system: str
    judge_user: Template


def load_prompts(path: str | Path | None = None) -> Prompts:
    """The packaged prompts (cached) or those in `path`."""
    return _packaged_prompts() if path is None else _parse_prompts(Path(path).read_text())


@lru_cache(maxsize=1)
def _packaged_prompts() -> Prompts:
    return _parse_prompts((resources.files("mediphi") / "data" / "mediflow" / "prompts.yaml").read_text())


def _parse_prompts(text: str) -> Prompts:
    data = yaml.safe_load(text)
    gen, judge = data["generator"], data["judge"]
    return Prompts(gen["system"], Template(gen["user"]), gen["output_plain_text"], gen["output_json"],
                   Template(data["schema_instruction"]), judge["system"], Template(judge["user"]))


def schema_text(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False)


def _bounded(schema: Any, max_chars: int) -> Any:
    """`schema` with maxLength on free-text strings. Not on patterned ones: xgrammar cannot combine
    a pattern with length bounds (vLLM then refuses or falls back to another backend)."""
    if isinstance(schema, list):
        return [_bounded(s, max_chars) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _bounded(v, max_chars) for k, v in schema.items()}
    if out.get("type") == "string" and not {"pattern", "format", "enum", "maxLength"} & out.keys():
        out["maxLength"] = max_chars
    return out


def generation_schema(task_schema: dict | None, max_chars: int | None = None) -> dict[str, Any]:
    """The one-round response: the document first, then the instruction, then the output."""
    schema = {
        "type": "object",
        "properties": {"input": {"type": "string"}, "instruction": {"type": "string"},
                       "output": task_schema if task_schema is not None else {"type": "string"}},
        "required": ["input", "instruction", "output"],
        "additionalProperties": False,
    }
    return _bounded(schema, max_chars) if max_chars else schema


def generation_request(cell: dict, cfg: MediflowCfg, taxonomy: Taxonomy, prompts: Prompts) -> dict[str, Any]:
    """messages, sampling and json_schema for one planned cell (the input of serving.batch.generate)."""
    task = taxonomy.tasks[cell["task_type"]]
    doc = taxonomy.doc_types[cell["input_data"]]
    level = taxonomy.levels[cell["difficulty_level"]]
    is_json = cell["output_format"] == "json"
    user = prompts.generator_user.substitute(
        task_name=task.name, task_description=task.description, doc_name=doc.name,
        doc_description=doc.description, difficulty_name=level.name, difficulty_description=level.description,
        format_description=taxonomy.formats[cell["output_format"]],
        input_words=cfg.input_words, output_spec=prompts.output_json if is_json else prompts.output_plain_text,
    )
    schema = generation_schema(task.json_schema if is_json else None, cfg.max_chars)
    return {
        "messages": [{"role": "system", "content": prompts.generator_system}, {"role": "user", "content": user}],
        "sampling": {"max_tokens": cfg.max_tokens, "temperature": cfg.temperature, "top_p": cfg.top_p,
                     "seed": int(cell["seed"])},
        "json_schema": schema_text(schema),
    }


def judge_request(row: dict, cfg: MediflowCfg, taxonomy: Taxonomy, prompts: Prompts) -> dict[str, Any]:
    """messages, sampling and json_schema asking the judge for the five 1-5 scores of one row."""
    task = taxonomy.tasks.get(row["task_type"])
    doc = taxonomy.doc_types.get(row["input_data"])
    level = taxonomy.levels.get(row["difficulty_level"])
    user = prompts.judge_user.substitute(
        task_name=task.name if task else row["task_type"], task_description=task.description if task else "",
        doc_name=doc.name if doc else row["input_data"], difficulty_name=level.name if level else row["difficulty_level"],
        output_format=row["output_format"], instruction=row["instruction"], input=row["input"], output=row["output"],
    )
    seed = row.get("seed")
    return {
        "messages": [{"role": "system", "content": prompts.judge_system}, {"role": "user", "content": user}],
        "sampling": {"max_tokens": cfg.judge_max_tokens, "temperature": cfg.judge_temperature, "top_p": 1.0,
                     **({"seed": int(seed)} if seed is not None else {})},
        "json_schema": schema_text(JUDGE_SCHEMA),
    }
