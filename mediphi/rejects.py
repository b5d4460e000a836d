"""A line of a user's file that was skipped, and why: the record every reader of user data keeps
(task files, MediFlow imports) so that one bad line is reported instead of stopping the work."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pyarrow as pa

SCHEMA = pa.schema({"file": pa.string(), "line": pa.int64(), "reason": pa.string(), "detail": pa.string()})


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    reason: str
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def table(rejects: list[Reject]) -> pa.Table:
        """The rejects with SCHEMA's columns, empty or not: a rejects/*.parquet file's table."""
        return pa.Table.from_pylist([r.as_dict() for r in rejects], schema=SCHEMA)
