"""A line of a user's file that was skipped, and why: the record every reader of user data keeps
(task files, MediFlow imports) so that one bad line is reported instead of stopping the work."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    reason: str
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)
