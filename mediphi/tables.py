"""Plain-text tables for `mediphi show` and the logs."""

from __future__ import annotations


def format_table(rows: list[tuple], indent: str = "  ") -> str:
    """The first row is the header; numbers are right-aligned."""
    widths = [max(len(_cell(r[i])) for r in rows) for i in range(len(rows[0]))]

    def line(r):
        return indent + "  ".join(
            _cell(c).rjust(w) if isinstance(c, int | float) else _cell(c).ljust(w)
            for c, w in zip(r, widths, strict=True)
        ).rstrip()

    return "\n".join([line(rows[0]), indent + "  ".join("-" * w for w in widths), *map(line, rows[1:])])


def _cell(c) -> str:
    if isinstance(c, float):
        return f"{c:.2f}" if abs(c) < 1000 else f"{c:.0f}"
    return str(c)
