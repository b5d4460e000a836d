"""Import real MediFlow JSONL (the published SFT and DPO files) into the split schemas.

A bad line never stops the import: it becomes a reject (file, line, reason, detail) with reason
invalid_json (not JSON, not UTF-8, or not an object), missing_columns, wrong_type or
invalid_value (see schema.check_row), and the import goes on. Files are local paths or s3:// URIs
(a file, a folder or a glob, through mediphi.storage); `.gz`/`.bz2`/`.zst` are decompressed by
pyarrow on the fly. Lines are read in 1 MiB blocks, and rows become Arrow tables in chunks, so a
multi-GB file streams through bounded memory apart from the resulting table.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from mediphi import storage
from mediphi.mediflow.schema import arrow_schema, check_row, columns, to_table
from mediphi.rejects import Reject

BLOCK = 1 << 20


@dataclass
class ImportResult:
    table: pa.Table
    rejects: list[Reject]  # the first `max_rejects`; reject_counts counts them all
    reject_counts: Counter = field(default_factory=Counter)
    lines: int = 0
    files: list[str] = field(default_factory=list)
    ignored_columns: Counter = field(default_factory=Counter)

    def summary(self) -> dict:
        return {"files": len(self.files), "lines": self.lines, "imported": self.table.num_rows,
                "rejected": sum(self.reject_counts.values()), "rejects_by_reason": dict(self.reject_counts),
                "ignored_columns": dict(self.ignored_columns)}


def _lines(uri: str) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, raw bytes) of a file, streamed in blocks."""
    fs, path = storage.filesystem(uri)
    with fs.open_input_stream(path) as stream:  # compression="detect" by default: .gz etc. by name
        pending, lineno = b"", 0
        while block := stream.read(BLOCK):
            parts = (pending + block).split(b"\n")
            pending = parts.pop()
            for part in parts:
                lineno += 1
                yield lineno, part
        if pending:
            yield lineno + 1, pending


def import_jsonl(sources: str | Sequence[str], dpo: bool = False, max_rejects: int = 10_000,
                 chunk_rows: int = 50_000) -> ImportResult:
    """Every line of the JSONL files named by `sources` as a row of the SFT (or DPO) schema."""
    uris = [f.uri for src in ([sources] if isinstance(sources, str) else sources) for f in storage.expand(src)]
    result = ImportResult(table=arrow_schema(dpo).empty_table(), rejects=[], files=uris)
    wanted = set(columns(dpo))
    tables: list[pa.Table] = []
    rows: list[dict] = []

    def reject(uri: str, line: int, reason: str, detail: str) -> None:
        result.reject_counts[reason] += 1
        if len(result.rejects) < max_rejects:
            result.rejects.append(Reject(uri, line, reason, detail))

    for uri in uris:
        for lineno, raw in _lines(uri):
            if not raw.strip():
                continue  # blank lines (a trailing newline, say) are not records
            result.lines += 1
            try:
                obj = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
                reject(uri, lineno, "invalid_json", str(exc)[:200])
                continue
            if not isinstance(obj, dict):
                reject(uri, lineno, "invalid_json", f"a JSON {type(obj).__name__}, not an object")
                continue
            row, reason, detail = check_row(obj, dpo)
            if row is None:
                reject(uri, lineno, reason or "invalid_value", detail)
                continue
            result.ignored_columns.update(k for k in obj if k not in wanted)
            rows.append(row)
            if len(rows) >= chunk_rows:
                tables.append(to_table(rows, dpo))
                rows = []
    if rows:
        tables.append(to_table(rows, dpo))
    if tables:
        result.table = pa.concat_tables(tables).combine_chunks()
    return result
