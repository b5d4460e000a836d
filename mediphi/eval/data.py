"""Task files: JSONL from a local path, package:// or s3://, read line by line with rejects.

A broken line (not UTF-8, not JSON, not an object, a missing field, a wrong type, a value the
task cannot score) is recorded with its file, line and reason and skipped: one bad line in a
user's thousand-line file must not stop an evaluation that takes hours of GPU time.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from mediphi import storage
from mediphi.config import resolve_path
from mediphi.eval.tasks import Task
from mediphi.rejects import Reject


@dataclass(frozen=True)
class Example:
    id: str  # file name and line: stable across runs, and what a reader can look up
    row: dict


def default_path(task: str) -> str:
    return f"package://data/eval/{task}.jsonl"


def task_uri(task: str, task_paths: dict[str, str]) -> str:
    """The file a task reads: the recipe's override or the packaged sample."""
    return resolve_path(task_paths.get(task, default_path(task)), Path.cwd())


def _type_name(t) -> str:
    names = {str: "string", int: "integer", float: "number", list: "list", dict: "object", bool: "boolean"}
    return " or ".join(names.get(x, x.__name__) for x in (t if isinstance(t, tuple) else (t,)))


def _has_type(value, t) -> bool:
    types = t if isinstance(t, tuple) else (t,)
    if isinstance(value, bool) and bool not in types:  # JSON true is not the integer 1 here
        return False
    return isinstance(value, types)


def check_row(task: Task, raw) -> tuple[str, str] | None:
    """(reason, detail) when a parsed line cannot be used, else None."""
    if not isinstance(raw, dict):
        return "not_an_object", f"expected a JSON object, got {type(raw).__name__}"
    for name, t in task.fields.items():
        if name not in raw or raw[name] is None:
            return "missing_field", f"no {name!r} field"
        if not _has_type(raw[name], t):
            return "wrong_type", f"{name!r} must be {_type_name(t)}, got {type(raw[name]).__name__}"
        if isinstance(raw[name], str) and not raw[name].strip():
            return "empty_field", f"{name!r} is empty"
    for name, t in task.optional.items():
        if raw.get(name) is not None and not _has_type(raw[name], t):
            return "wrong_type", f"{name!r} must be {_type_name(t)}, got {type(raw[name]).__name__}"
    problem = task.check(raw)
    return ("invalid_value", problem) if problem else None


def load_examples(task: Task, uri: str, field_map: dict[str, str] | None = None) -> tuple[list[Example], list[Reject]]:
    """Every usable line of a task file, and a Reject for every other non-blank line.

    `field_map` renames the file's columns to the task's field names ({task field: file column})
    for releases whose columns are spelled differently.
    """
    fs, path = storage.filesystem(uri)
    with fs.open_input_stream(path) as f:
        data = f.read()
    name = uri.rsplit("/", 1)[-1]
    examples, rejects = [], []
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        if not raw_line.strip():
            continue
        try:
            row = json.loads(raw_line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            rejects.append(Reject(name, number, "invalid_utf8", str(exc)))
            continue
        except json.JSONDecodeError as exc:
            rejects.append(Reject(name, number, "invalid_json", exc.msg + f" at column {exc.colno}"))
            continue
        if isinstance(row, dict) and field_map:
            row = {**row, **{ours: row[theirs] for ours, theirs in field_map.items() if theirs in row}}
        problem = check_row(task, row)
        if problem:
            rejects.append(Reject(name, number, *problem))
            continue
        examples.append(Example(f"{name}:{number}", row))
    return examples, rejects


def split_examples(examples: list[Example], k: int, max_examples: int | None,
                   seed: int) -> tuple[list[Example], list[Example]]:
    """(few-shot examples, scored examples): a seeded shuffle, then the first k are the shots.

    Shots never count in the score; a file with few lines keeps at least one scored example.
    """
    order = list(examples)
    random.Random(seed).shuffle(order)  # files are often sorted by label; shots should not all share one
    k = max(0, min(k, len(order) - 1))
    scored = order[k:]
    return order[:k], scored[:max_examples] if max_examples else scored
