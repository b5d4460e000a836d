"""The MediFlow grid as typed, validated objects, loaded from `data/mediflow/taxonomy.yaml`.

The taxonomy is data so that a user can widen it (their own task or document types) with a YAML
file of the same shape, and the loader is strict so that such a file fails at load time, naming
what is wrong, rather than halfway through a generation run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

FORMATS = ("plain_text", "json")
ALL = "all"


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used: the message names the file and the entry."""


@dataclass(frozen=True)
class DocType:
    id: str
    name: str
    description: str
    category: str


@dataclass(frozen=True)
class DifficultyLevel:
    id: str
    name: str
    description: str
    weight: float


@dataclass(frozen=True)
class TaskType:
    id: str
    name: str
    description: str
    output_formats: tuple[str, ...]
    doc_categories: tuple[str, ...]
    json_schema: dict[str, Any] | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Taxonomy:
    tasks: dict[str, TaskType]
    doc_types: dict[str, DocType]
    formats: dict[str, str]  # id -> description
    levels: dict[str, DifficultyLevel]  # in order, easiest first
    categories: dict[str, str]

    def docs_for(self, task_id: str, allowed: set[str] | None = None) -> list[str]:
        """The document types a task makes sense on, in file order, optionally within `allowed`."""
        cats = self.tasks[task_id].doc_categories
        return [d.id for d in self.doc_types.values()
                if (ALL in cats or d.category in cats) and (allowed is None or d.id in allowed)]

    def schema_for(self, task_id: str) -> dict[str, Any]:
        schema = self.tasks[task_id].json_schema
        if schema is None:
            raise KeyError(f"task {task_id!r} has no json output format")
        return schema


def _source_text(path: str | Path | None) -> tuple[str, str]:
    if path is None:
        ref = resources.files("mediphi") / "data" / "mediflow" / "taxonomy.yaml"
        return ref.read_text(), "package://data/mediflow/taxonomy.yaml"
    return Path(path).read_text(), str(path)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The packaged taxonomy (cached), or the one in `path`."""
    if path is None:
        return _packaged()
    return parse_taxonomy(*_source_text(path))


@lru_cache(maxsize=1)
def _packaged() -> Taxonomy:
    return parse_taxonomy(*_source_text(None))


def parse_taxonomy(text: str, source: str) -> Taxonomy:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{source}: not valid YAML: {exc}") from exc
    problems: list[str] = []

    def entries(key: str) -> list[dict]:
        items = data.get(key)
        if not isinstance(items, list) or not items:
            problems.append(f"{key}: a non-empty list is required")
            return []
        good = [i for i in items if isinstance(i, dict) and isinstance(i.get("id"), str) and i["id"]]
        if len(good) != len(items):
            problems.append(f"{key}: every entry needs a non-empty string id")
        ids = [i["id"] for i in good]
        dups = sorted({i for i in ids if ids.count(i) > 1})
        if dups:
            problems.append(f"{key}: duplicate ids {dups}")
        return good

    formats = {f["id"]: str(f.get("description", "")) for f in entries("output_formats")}
    if formats and set(formats) != set(FORMATS):
        problems.append(f"output_formats: must be exactly {list(FORMATS)}, got {sorted(formats)}")

    categories = {c["id"]: str(c.get("description", "")) for c in entries("doc_categories")}

    levels: dict[str, DifficultyLevel] = {}
    for lv in entries("difficulty_levels"):
        weight = lv.get("weight")
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            problems.append(f"difficulty_levels.{lv['id']}: weight must be a positive number")
            weight = 1.0
        levels[lv["id"]] = DifficultyLevel(lv["id"], str(lv.get("name", lv["id"])),
                                           str(lv.get("description", "")), float(weight))

    docs: dict[str, DocType] = {}
    for d in entries("doc_types"):
        if d.get("category") not in categories:
            problems.append(f"doc_types.{d['id']}: unknown category {d.get('category')!r}")
        if not d.get("description"):
            problems.append(f"doc_types.{d['id']}: a description is required")
        docs[d["id"]] = DocType(d["id"], str(d.get("name", d["id"])), str(d.get("description", "")),
                                str(d.get("category")))

    tasks: dict[str, TaskType] = {}
    for t in entries("task_types"):
        where = f"task_types.{t['id']}"
        fmts = tuple(t.get("output_formats") or ())
        if not fmts or any(f not in FORMATS for f in fmts):
            problems.append(f"{where}: output_formats must be a non-empty subset of {list(FORMATS)}")
        cats = tuple(t.get("doc_categories") or ())
        unknown = [c for c in cats if c != ALL and c not in categories]
        if not cats or unknown:
            problems.append(f"{where}: doc_categories must name known categories or 'all' (unknown: {unknown})")
        schema = t.get("json_schema")
        if "json" in fmts:
            if not isinstance(schema, dict):
                problems.append(f"{where}: the json format needs a json_schema")
                schema = None
            else:
                problems += [f"{where}.json_schema: {p}" for p in _schema_problems(schema)]
        elif schema is not None:
            problems.append(f"{where}: json_schema given but json is not one of its output_formats")
            schema = None
        if not t.get("description"):
            problems.append(f"{where}: a description is required")
        tasks[t["id"]] = TaskType(t["id"], str(t.get("name", t["id"])), str(t.get("description", "")),
                                  fmts, cats, schema)

    taxonomy = Taxonomy(tasks, docs, formats, levels, categories)
    for task_id in tasks:
        if not problems and not taxonomy.docs_for(task_id):
            problems.append(f"task_types.{task_id}: no document type is in its doc_categories")
    if problems:
        raise TaxonomyError(f"invalid taxonomy {source}:\n  " + "\n  ".join(problems))
    return taxonomy


def _schema_problems(schema: dict) -> list[str]:
    """Meta-schema errors, plus the one shape the generator relies on: a top-level object."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [f"not a valid Draft 2020-12 schema: {exc.message}"]
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return ["must describe an object (type: object, with properties)"]
    return []
