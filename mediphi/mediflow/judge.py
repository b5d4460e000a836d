"""Turning generations into MediFlow rows, the judge filter, and near-duplicate removal.

Every row that does not survive is counted under exactly one reason, in funnel order:
generation_error, empty_generation, generation_unparseable, invalid_json_output (a json row whose
output fails its task schema), then judge_too_long (the row does not fit the judge's context),
judge_error, judge_unparseable, low_<criterion> (the first criterion below its threshold, in
CRITERIA order), then exact_duplicate, near_duplicate.

Duplicates are found on word shingles of the instruction (the fields in `dedup_fields`), not on
model tokens: instructions are short, words make the result independent of whichever generator
wrote them, and no tokenizer needs loading. The schema text the stage appends to json
instructions is cut off first, since it is the same for every json row of a task.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from jsonschema import Draft202012Validator

from mediphi.corpus.dedup import Signer, find_duplicates
from mediphi.mediflow.plan import CRITERIA, Prompts, schema_text
from mediphi.mediflow.schema import TEXT_COLUMNS
from mediphi.mediflow.taxonomy import Taxonomy

if TYPE_CHECKING:
    from mediphi.config import DedupCfg, JudgeThresholds

GENERATION_REASONS = ("generation_error", "empty_generation", "generation_unparseable", "invalid_json_output")
JUDGE_REASONS = ("judge_too_long", "judge_error", "judge_unparseable", *(f"low_{c}" for c in CRITERIA))
DEDUP_REASONS = ("exact_duplicate", "near_duplicate")
DROP_REASONS = (*GENERATION_REASONS, *JUDGE_REASONS, *DEDUP_REASONS)
# Up to this many rows, kept instructions are also compared pairwise with exact Jaccard, so the
# "no two kept rows are near duplicates" guarantee is exact there (MinHash LSH alone is approximate).
EXACT_CHECK_MAX = 2000

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def load_json_object(text: str) -> dict | None:
    """A JSON object from a model's reply: the whole text, a fenced block, or the outermost braces."""
    candidates = [text]
    fenced = _FENCE.match(text)
    if fenced:
        candidates.append(fenced.group(1))
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start:end + 1])
    for c in candidates:
        try:
            value = json.loads(c, strict=False)  # raw control characters in strings, as xgrammar allows
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(value, dict):
            return value
    return None


def validation_errors(output: str, schema: dict) -> list[str]:
    """Why a json-format output is not a valid instance of its schema ([] when it is)."""
    try:
        value = json.loads(output)
    except (json.JSONDecodeError, TypeError) as exc:
        return [f"not JSON: {exc}"]
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in Draft202012Validator(schema).iter_errors(value)]


def instruction_with_schema(instruction: str, schema: dict, prompts: Prompts) -> str:
    return instruction.rstrip() + prompts.schema_instruction.substitute(schema=schema_text(schema))


def instruction_core(instruction: str, prompts: Prompts) -> str:
    """The instruction without the schema text appended to json rows."""
    marker = prompts.schema_instruction.template.split("$schema")[0]
    head, sep, _ = instruction.rpartition(marker)
    return head if sep else instruction


# --- generation -> rows ------------------------------------------------------------------------


def parse_generation(cell: dict, text: str | None, error: str | None, taxonomy: Taxonomy,
                     prompts: Prompts) -> tuple[dict | None, str | None]:
    """(row, None) with the MediFlow text columns (plus cell_id and seed), or (None, drop reason)."""
    if error:
        return None, "generation_error"
    if not text or not text.strip():
        return None, "empty_generation"
    obj = load_json_object(text)
    if obj is None:
        return None, "generation_unparseable"
    fields = {k: obj.get(k) for k in ("input", "instruction", "output")}
    if any(v is None or (isinstance(v, str | list | dict) and not v) for v in fields.values()):
        return None, "empty_generation"
    if not isinstance(fields["input"], str) or not isinstance(fields["instruction"], str):
        return None, "generation_unparseable"
    if not fields["input"].strip() or not fields["instruction"].strip():
        return None, "empty_generation"
    instruction, output = fields["instruction"].strip(), fields["output"]
    if cell["output_format"] == "json":
        schema = taxonomy.schema_for(cell["task_type"])
        if isinstance(output, str):  # a generator without guided decoding may return JSON as text
            output = load_json_object(output)
        if not isinstance(output, dict):
            return None, "invalid_json_output"
        output = json.dumps(output, ensure_ascii=False)
        if validation_errors(output, schema):
            return None, "invalid_json_output"
        instruction = instruction_with_schema(instruction, schema, prompts)
    elif not isinstance(output, str):
        return None, "generation_unparseable"
    elif not output.strip():
        return None, "empty_generation"
    row = {"instruction": instruction, "input": fields["input"].strip(),
           "output": output.strip() if isinstance(output, str) else output,
           **{k: cell[k] for k in TEXT_COLUMNS[3:]}}
    return {**row, **{k: cell[k] for k in ("cell_id", "seed") if k in cell}}, None


def plan_position(row: dict) -> str:
    """A generated row's place in the plan. Generations come back in the order they finish, which
    changes from run to run; the splits' row order, the dedup's ties (the earlier row wins) and the
    DPO pick (ties by position) follow plan order instead, so that the same generations give the
    same splits. Cell ids are zero-padded ("mf-0000042"): their string order is the plan's."""
    return row.get("cell_id") or ""


def accept_generations(rows: Iterable[dict], taxonomy: Taxonomy, prompts: Prompts) -> tuple[list[dict], Counter]:
    """Rows out of `serving.batch.generate` (cell columns + generated_text + error) -> MediFlow rows,
    in plan order."""
    kept, dropped = [], Counter()
    for r in sorted(rows, key=plan_position):
        row, reason = parse_generation(r, r.get("generated_text"), r.get("error"), taxonomy, prompts)
        if row is None:
            dropped[reason] += 1
        else:
            kept.append(row)
    return kept, dropped


# --- judge -------------------------------------------------------------------------------------


def _score(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 1 <= value <= 5 else None


def parse_judge(text: str | None) -> dict[str, int] | None:
    """The five integer scores 1-5, or None when any is missing or out of range."""
    obj = load_json_object(text or "")
    if obj is None:
        return None
    scores = {c: _score(obj.get(c)) for c in CRITERIA}
    if any(v is None for v in scores.values()):
        return None
    return scores  # type: ignore[return-value]


def judge_verdict(scores: dict[str, int] | None, thresholds: JudgeThresholds) -> str | None:
    """The drop reason of a judged row, or None to keep it."""
    if scores is None:
        return "judge_unparseable"
    for c in CRITERIA:
        if scores[c] < getattr(thresholds, c):
            return f"low_{c}"
    return None


def accept_judged(rows: Iterable[dict], thresholds: JudgeThresholds) -> tuple[list[dict], Counter, Counter]:
    """Rows from the judge round (row columns + generated_text + error) -> rows with the five scores.

    Returns (kept, in plan order; dropped by reason; below-threshold counts per criterion: a row
    low on several criteria is dropped once, under the first, but counted here under each).
    """
    kept, dropped, below = [], Counter(), Counter()
    for r in sorted(rows, key=plan_position):
        if r.get("error"):
            dropped["judge_error"] += 1
            continue
        scores = parse_judge(r.get("generated_text"))
        reason = judge_verdict(scores, thresholds)
        if scores is not None:
            below.update(c for c in CRITERIA if scores[c] < getattr(thresholds, c))
        if reason:
            dropped[reason] += 1
            continue
        base = {k: r[k] for k in TEXT_COLUMNS}
        kept.append({**base, **scores, **{k: r[k] for k in ("cell_id", "seed") if k in r}})
    return kept, dropped, below


# --- near duplicates ---------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(ws: Sequence[str], k: int) -> set[tuple[str, ...]]:
    if len(ws) < k:
        return {tuple(ws)}
    return {tuple(ws[i:i + k]) for i in range(len(ws) - k + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def dedup_text(row: dict, fields: Sequence[str], prompts: Prompts) -> str:
    return "\n".join(instruction_core(row[f], prompts) if f == "instruction" else row[f] for f in fields)


def total_score(row: dict) -> int:
    return sum(int(row.get(c) or 0) for c in CRITERIA)


def _similar(a: set, b: set, threshold: float) -> bool:
    # |A & B| / |A | B| <= min/max of the sizes: most pairs are ruled out without a set operation.
    if min(len(a), len(b)) < threshold * max(len(a), len(b)):
        return False
    return jaccard(a, b) >= threshold


def near_duplicate_pairs(texts: Sequence[str], threshold: float, shingle: int,
                         max_rows: int = EXACT_CHECK_MAX) -> list[tuple[int, int, float]]:
    """Every pair (i, j, exact Jaccard) at or above `threshold` among the first `max_rows` texts:
    the stage report's proof that no two kept instructions are near duplicates."""
    sets = [shingles(words(t), shingle) for t in texts[:max_rows]]
    return [(i, j, jaccard(sets[i], sets[j])) for j in range(len(sets)) for i in range(j)
            if _similar(sets[i], sets[j], threshold)]


def dedup_rows(rows: Sequence[dict], cfg: DedupCfg, fields: Sequence[str], prompts: Prompts) -> tuple[list[dict], Counter]:
    """Drop exact and near duplicate rows, keeping the best-judged of each group (then the earlier).

    MinHash (mediphi.corpus.dedup, datasketch's scheme) over shingles of `cfg.shingle_tokens`
    words, LSH at `cfg.threshold`; up to EXACT_CHECK_MAX rows, a pairwise exact-Jaccard pass makes
    the result exact. Returns the kept rows in their input order and the drop counts.
    """
    texts = [dedup_text(r, fields, prompts) for r in rows]
    order = sorted(range(len(rows)), key=lambda i: (-total_score(rows[i]), i))
    signer = Signer(cfg.num_perm, cfg.shingle_tokens)
    keys, hashes, ids = [], [], []
    for i in order:
        ws = words(texts[i])
        keys.append(f"{i:010d}")
        hashes.append(hashlib.sha1(" ".join(ws).encode()).hexdigest())
        # crc32, not hash(): Python salts str hashes per process, and signatures must be stable.
        ids.append(np.fromiter((zlib.crc32(w.encode()) for w in ws), dtype=np.uint64, count=len(ws)))
    sigs = [sig.tobytes() for sig in signer.signatures(ids)]
    found = find_duplicates(keys, hashes, sigs, exact=cfg.exact, near=cfg.near, threshold=cfg.threshold,
                            num_perm=cfg.num_perm)
    dropped = Counter(reason for reason, _ in found.values())
    survivors = [i for i in order if f"{i:010d}" not in found]
    if cfg.near and len(survivors) <= EXACT_CHECK_MAX:
        sets = {i: shingles(words(texts[i]), cfg.shingle_tokens) for i in survivors}
        checked: list[int] = []
        for i in survivors:  # best first: a row goes when it is close to one already kept
            if any(_similar(sets[i], sets[j], cfg.threshold) for j in checked):
                dropped["near_duplicate"] += 1
            else:
                checked.append(i)
        survivors = checked
    keep = set(survivors)
    return [r for i, r in enumerate(rows) if i in keep], dropped
