"""Numbers for the mediflow stage's report: the filter funnel, the task x document-type coverage
and the error-type distribution. Plain dicts (JSON-ready for the manifest's metrics) plus a
Markdown rendering of the coverage table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from mediphi.mediflow.errors import ERROR_TYPES
from mediphi.mediflow.judge import DROP_REASONS
from mediphi.mediflow.taxonomy import Taxonomy


def filter_counts(planned: int, kept: int, *dropped: Mapping[str, int],
                  below_threshold: Mapping[str, int] | None = None) -> dict:
    """The funnel from planned cells to kept rows: drops by reason (every known reason listed, 0
    when none), and their sum checked against planned - kept."""
    total = Counter()
    for d in dropped:
        total.update(d)
    by_reason = {r: int(total.get(r, 0)) for r in DROP_REASONS}
    by_reason |= {r: int(n) for r, n in total.items() if r not in by_reason}
    out = {"planned": planned, "kept": kept, "dropped": sum(by_reason.values()), "dropped_by_reason": by_reason,
           "accounted": sum(by_reason.values()) + kept == planned}
    if below_threshold is not None:
        out["below_threshold_by_criterion"] = dict(below_threshold)
    return out


def coverage(rows: Iterable[Mapping], taxonomy: Taxonomy) -> dict:
    """Counts per task x document type, with what is covered and what is missing."""
    cells = Counter((r["task_type"], r["input_data"]) for r in rows)
    tasks = Counter()
    docs = Counter()
    for (t, d), n in cells.items():
        tasks[t] += n
        docs[d] += n
    possible = sum(len(taxonomy.docs_for(t)) for t in taxonomy.tasks)
    matrix: dict[str, dict[str, int]] = {}
    for (t, d), n in sorted(cells.items()):
        matrix.setdefault(t, {})[d] = n
    return {
        "rows": sum(cells.values()),
        "tasks": {t: tasks.get(t, 0) for t in taxonomy.tasks} | {t: n for t, n in tasks.items() if t not in taxonomy.tasks},
        "doc_types": {d: docs.get(d, 0) for d in taxonomy.doc_types} | {d: n for d, n in docs.items()
                                                                       if d not in taxonomy.doc_types},
        "tasks_covered": sum(1 for t in taxonomy.tasks if tasks.get(t)),
        "tasks_total": len(taxonomy.tasks),
        "doc_types_covered": sum(1 for d in taxonomy.doc_types if docs.get(d)),
        "doc_types_total": len(taxonomy.doc_types),
        "missing_tasks": [t for t in taxonomy.tasks if not tasks.get(t)],
        "missing_doc_types": [d for d in taxonomy.doc_types if not docs.get(d)],
        "cells_covered": sum(1 for (t, d) in cells if t in taxonomy.tasks and d in taxonomy.docs_for(t)),
        "cells_possible": possible,
        "matrix": matrix,
    }


def coverage_markdown(cov: Mapping, taxonomy: Taxonomy) -> str:
    """Document types down, tasks across (numbered, with a legend): 98 rows read better than 98 columns."""
    tasks = list(taxonomy.tasks)
    head = "| document type | " + " | ".join(f"T{i + 1}" for i in range(len(tasks))) + " | total |"
    lines = [head, "|" + "---|" * (len(tasks) + 2)]
    matrix = cov["matrix"]
    for d in taxonomy.doc_types:
        counts = [matrix.get(t, {}).get(d, 0) for t in tasks]
        lines.append(f"| {d} | " + " | ".join(str(n) if n else "." for n in counts) + f" | {sum(counts)} |")
    totals = [cov["tasks"].get(t, 0) for t in tasks]
    lines.append("| **total** | " + " | ".join(map(str, totals)) + f" | {sum(totals)} |")
    legend = ", ".join(f"T{i + 1} = {t}" for i, t in enumerate(tasks))
    return "\n".join(lines) + f"\n\n{legend}\n"


def error_distribution(dpo_rows: Iterable[Mapping]) -> dict[str, int]:
    """Rows per error type (every known type listed, 0 when none; imported types appended)."""
    counts = Counter(r["error_type"] for r in dpo_rows)
    return {t: counts.get(t, 0) for t in ERROR_TYPES} | {t: n for t, n in sorted(counts.items()) if t not in ERROR_TYPES}
