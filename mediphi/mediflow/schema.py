"""The MediFlow columns, exactly: the SFT split, and the DPO split (the same + rejected_output and
error_type), as pyarrow schemas with checks for single rows (the importer) and whole tables (the
stage, before it writes a split).

Scores are int64 in 1-5 (the judge's integer scale). The text columns are strings that may not be
null; `input` may be empty (an instruction can stand alone), the others may not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from mediphi.mediflow.plan import CRITERIA
from mediphi.mediflow.taxonomy import FORMATS, Taxonomy

TEXT_COLUMNS = ("instruction", "input", "output", "task_type", "input_data", "output_format", "difficulty_level")
SCORE_COLUMNS = CRITERIA  # quality, alignment, coherence, realism, difficulty
SFT_COLUMNS = (*TEXT_COLUMNS, *SCORE_COLUMNS)
DPO_EXTRA = ("rejected_output", "error_type")
DPO_COLUMNS = (*SFT_COLUMNS, *DPO_EXTRA)
MAY_BE_EMPTY = {"input"}

SFT_SCHEMA = pa.schema([pa.field(c, pa.string(), nullable=False) for c in TEXT_COLUMNS]
                       + [pa.field(c, pa.int64(), nullable=False) for c in SCORE_COLUMNS])
DPO_SCHEMA = pa.schema([*SFT_SCHEMA, *(pa.field(c, pa.string(), nullable=False) for c in DPO_EXTRA)])


def columns(dpo: bool) -> tuple[str, ...]:
    return DPO_COLUMNS if dpo else SFT_COLUMNS


def arrow_schema(dpo: bool) -> pa.Schema:
    return DPO_SCHEMA if dpo else SFT_SCHEMA


def _as_score(value: Any) -> int | None:
    """An int, or a float with an integral value (JSON writers differ); never a bool or a string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def check_row(row: dict, dpo: bool) -> tuple[dict | None, str | None, str]:
    """(the row with exactly the split's columns, None, '') or (None, reason, detail).

    Reasons, the first that applies: missing_columns (detail: the names), wrong_type (the columns
    and the types found), invalid_value (what is out of range or empty). Extra keys are dropped.
    """
    cols = columns(dpo)
    missing = [c for c in cols if c not in row or row[c] is None]
    if missing:
        return None, "missing_columns", ", ".join(missing)
    wrong, out = [], {}
    for c in cols:
        v = row[c]
        if c in SCORE_COLUMNS:
            score = _as_score(v)
            if score is None:
                wrong.append(f"{c} ({type(v).__name__})")
            out[c] = score
        elif not isinstance(v, str):
            wrong.append(f"{c} ({type(v).__name__})")
        else:
            out[c] = v
    if wrong:
        return None, "wrong_type", ", ".join(wrong)
    bad = [f"{c}={out[c]} (not 1-5)" for c in SCORE_COLUMNS if not 1 <= out[c] <= 5]
    if out["output_format"] not in FORMATS:
        bad.append(f"output_format={out['output_format']!r} (not one of {', '.join(FORMATS)})")
    bad += [f"{c} is empty" for c in cols if c not in SCORE_COLUMNS and c not in MAY_BE_EMPTY and not out[c].strip()]
    if dpo and out["rejected_output"] == out["output"]:
        bad.append("rejected_output equals output")
    if bad:
        return None, "invalid_value", "; ".join(bad)
    return out, None, ""


def to_table(rows: Iterable[dict], dpo: bool) -> pa.Table:
    """Rows (extra keys ignored) as a table with exactly the split's schema."""
    cols = columns(dpo)
    return pa.Table.from_pylist([{c: r[c] for c in cols} for r in rows], schema=arrow_schema(dpo))


def validate_table(table: pa.Table, dpo: bool, taxonomy: Taxonomy | None = None) -> list[str]:
    """Every way `table` departs from the split's schema ([] when it is a valid split). With a
    taxonomy, task types, document types and difficulty levels must also be its ids."""
    expected = arrow_schema(dpo)
    if tuple(table.column_names) != tuple(expected.names):
        return [f"columns are {table.column_names}, expected exactly {expected.names}"]
    problems = [f"{f.name}: type {table.schema.field(f.name).type}, expected {f.type}"
                for f in expected if table.schema.field(f.name).type != f.type]
    if problems:
        return problems
    for c in expected.names:
        nulls = table[c].null_count
        if nulls:
            problems.append(f"{c}: {nulls} nulls")
    for c in SCORE_COLUMNS:
        out = pc.sum(pc.or_(pc.less(table[c], 1), pc.greater(table[c], 5))).as_py() or 0
        if out:
            problems.append(f"{c}: {out} values outside 1-5")
    allowed = {"output_format": set(FORMATS)}
    if taxonomy is not None:
        allowed |= {"task_type": set(taxonomy.tasks), "input_data": set(taxonomy.doc_types),
                    "difficulty_level": set(taxonomy.levels)}
    for c, ok in allowed.items():
        unknown = sorted(set(pc.unique(table[c]).to_pylist()) - ok)
        if unknown:
            problems.append(f"{c}: unknown values {unknown[:10]}")
    for c in expected.names:
        if c in SCORE_COLUMNS or c in MAY_BE_EMPTY:
            continue
        empty = pc.sum(pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(table[c])), 0)).as_py() or 0
        if empty:
            problems.append(f"{c}: {empty} empty values")
    if dpo:
        same = pc.sum(pc.equal(table["rejected_output"], table["output"])).as_py() or 0
        if same:
            problems.append(f"rejected_output: {same} rows equal to output")
    return problems
