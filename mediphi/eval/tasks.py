"""The CLUE+ task registry: the 12 tasks of the MediPhi paper's benchmark.

Each task names the JSONL fields as its public release names them (so a user's converted file
loads as it is), the prompt that asks for an answer, the answer format (a JSON schema where the
answer is a label or a code, so constrained decoding makes even a tiny model answer in a form
that parses), the generation length and the metric. Six tasks come from CLUE (Dada et al.,
2024); six were added by the MediPhi paper. Most releases are licensed (PhysioNet and others):
the package ships a small sample of each, written for this project or drawn from the public
CMS ICD-10-CM tables, and the recipe points a task at the real file (`eval.task_paths`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from mediphi.eval import metrics

FieldType = type | tuple[type, ...]
# ICD-10-CM codes without the dot: a letter, a digit, then 1-5 letters or digits. Dotted forms
# are accepted from files and free text; the schema asks for the undotted form because an
# escaped dot in a pattern did not stay a literal dot under vLLM's xgrammar backend here.
CODE_PATTERN = "^[A-Z][0-9][0-9A-Z]{1,5}$"
CODE_IN_TEXT = re.compile(r"\b[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?\b")


@dataclass(frozen=True)
class TaskScore:
    score: float  # the task's headline number, 0-100
    per_example: list[float]  # the same metric per scored example (for predictions.jsonl)
    extras: dict[str, float | None] = field(default_factory=dict)  # secondary metrics


@dataclass(frozen=True)
class Task:
    name: str  # the registry key: what recipes, reports and `--tasks` use
    title: str  # the column name in the paper's table
    source: str  # the public release the field names follow
    fields: dict[str, FieldType]  # required fields and their JSON types
    system: str
    template: str  # the user turn, formatted with `prompt_vars(row)`
    document: str | None  # the prompt variable cut when a prompt does not fit the context
    metric: str
    k: int  # few-shot examples by default (CLUE's choice for the CLUE tasks)
    max_tokens: int
    optional: dict[str, FieldType] = field(default_factory=dict)

    def prompt_vars(self, row: dict) -> dict[str, str]:
        return {**{k: "" for k in self.optional}, **{k: str(v) for k, v in row.items()}}

    def user_turn(self, row: dict, document_chars: int | None = None) -> str:
        values = self.prompt_vars(row)
        if document_chars is not None and self.document:
            values[self.document] = values[self.document][:document_chars] + " [...]"
        return self.template.format_map(values).strip()

    def check(self, row: dict) -> str | None:
        """A reason the row cannot be scored beyond field types (an unknown label, ...)."""
        return None

    def reference(self, row: dict) -> Any:
        raise NotImplementedError

    def shot_answer(self, row: dict) -> str:
        """The assistant turn of a few-shot example: the reference in the answer format."""
        return str(self.reference(row))

    def schema(self, row: dict) -> dict | None:
        return None

    def parse(self, text: str) -> Any:
        return text.strip()

    def score(self, predictions: list, references: list) -> TaskScore:
        raise NotImplementedError


def _json_answer(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def _compact(obj: dict) -> str:
    # The same spacing the structured-output backend produces (no free whitespace).
    return json.dumps(obj, separators=(",", ":"))


@dataclass(frozen=True)
class TextTask(Task):
    """Free-text answers scored with ROUGE against the reference text."""

    target: str = ""
    rouge: str = "rougeL"

    def reference(self, row: dict) -> str:
        return str(row[self.target])

    def score(self, predictions: list, references: list) -> TaskScore:
        per = [metrics.rouge(p, r, self.rouge) for p, r in zip(predictions, references, strict=True)]
        return TaskScore(metrics.mean(per), per)


@dataclass(frozen=True)
class LabelTask(Task):
    """One label out of a fixed set: accuracy, or macro-F1 where the classes are unbalanced."""

    label_field: str = ""
    labels: tuple[str, ...] = ()
    macro: bool = False

    def check(self, row: dict) -> str | None:
        label = str(row[self.label_field]).strip().lower()
        return None if label in self.labels else f"label {label!r} is not one of {', '.join(self.labels)}"

    def reference(self, row: dict) -> str:
        return str(row[self.label_field]).strip().lower()

    def shot_answer(self, row: dict) -> str:
        return _compact({"label": self.reference(row)})

    def schema(self, row: dict) -> dict:
        return {"type": "object", "properties": {"label": {"enum": list(self.labels)}},
                "required": ["label"], "additionalProperties": False}

    def parse(self, text: str) -> str | None:
        answer = _json_answer(text)
        if answer is not None:
            label = str(answer.get("label", "")).strip().lower()
            return label if label in self.labels else None
        # Free text (a server without structured output): the one label the answer names.
        found = {lab for lab in self.labels if re.search(rf"\b{re.escape(lab)}\b", text.lower())}
        return found.pop() if len(found) == 1 else None

    def score(self, predictions: list, references: list) -> TaskScore:
        per = [100.0 if p == r else 0.0 for p, r in zip(predictions, references, strict=True)]
        acc = metrics.accuracy(predictions, references)
        if not self.macro:
            return TaskScore(acc, per)
        return TaskScore(metrics.macro_f1(predictions, references, self.labels), per, {"accuracy": acc})


@dataclass(frozen=True)
class ChoiceTask(Task):
    """LongHealth: five options per question about a patient's documents; accuracy."""

    letters: tuple[str, ...] = ("A", "B", "C", "D", "E")

    def _options(self, row: dict) -> list[str]:
        return [str(row[f"answer_{x.lower()}"]) for x in self.letters]

    def prompt_vars(self, row: dict) -> dict[str, str]:
        texts = row["texts"]
        docs = list(texts.values()) if isinstance(texts, dict) else texts if isinstance(texts, list) else [texts]
        options = "\n".join(f"{x}: {o}" for x, o in zip(self.letters, self._options(row), strict=True))
        return {"documents": "\n\n--- next document ---\n\n".join(map(str, docs)),
                "question": str(row["question"]), "options": options}

    def _matches(self, row: dict) -> list[str]:
        # LongHealth's `correct` holds the text of the right option; like CLUE, an option that
        # contains it matches (an exact match wins when several do).
        correct = str(row["correct"]).strip()
        options = dict(zip(self.letters, (o.strip() for o in self._options(row)), strict=True))
        exact = [x for x, o in options.items() if o == correct]
        return exact or [x for x, o in options.items() if correct and correct in o]

    def check(self, row: dict) -> str | None:
        return None if len(self._matches(row)) == 1 else "'correct' must match exactly one of answer_a..answer_e"

    def reference(self, row: dict) -> str:
        return self._matches(row)[0]

    def shot_answer(self, row: dict) -> str:
        return _compact({"answer": self.reference(row)})

    def schema(self, row: dict) -> dict:
        return {"type": "object", "properties": {"answer": {"enum": list(self.letters)}},
                "required": ["answer"], "additionalProperties": False}

    def parse(self, text: str) -> str | None:
        answer = _json_answer(text)
        if answer is not None:
            return answer.get("answer") if answer.get("answer") in self.letters else None
        found = re.search(r"\b(?:answer is|answer:)\s*([A-E])\b", text, flags=re.IGNORECASE)
        return found.group(1).upper() if found else None

    def score(self, predictions: list, references: list) -> TaskScore:
        per = [100.0 if p == r else 0.0 for p, r in zip(predictions, references, strict=True)]
        return TaskScore(metrics.accuracy(predictions, references), per)


def _sentence_ids(row: dict) -> list[int]:
    """MEDEC's `Sentences` field is the text one sentence a line, each line led by its ID."""
    ids = [int(m.group(1)) for m in re.finditer(r"^\s*(\d+)\s", str(row.get("Sentences", "")), re.MULTILINE)]
    return ids


@dataclass(frozen=True)
class ErrorTask(Task):
    """MEDEC: does the note hold a medical error, and in which sentence? A prediction is right
    when the flag is right and, for a flagged note, the sentence ID is right too (the error
    sentence detection accuracy of MEDIQA-CORR)."""

    def check(self, row: dict) -> str | None:
        flag, sid = row["Error Flag"], row["Error Sentence ID"]
        if flag not in (0, 1):
            return f"Error Flag must be 0 or 1, got {flag!r}"
        if not _sentence_ids(row):
            return "Sentences has no lines of the form '<id> <sentence>'"
        if flag == 1 and sid not in _sentence_ids(row):
            return f"Error Sentence ID {sid} is not a sentence ID of the text"
        if flag == 0 and sid != -1:
            return "a text without error must have Error Sentence ID -1"
        return None

    def reference(self, row: dict) -> tuple[int, int]:
        return int(row["Error Flag"]), int(row["Error Sentence ID"])

    def shot_answer(self, row: dict) -> str:
        flag, sid = self.reference(row)
        return _compact({"error_flag": flag, "error_sentence_id": sid})

    def schema(self, row: dict) -> dict:
        return {"type": "object",
                "properties": {"error_flag": {"enum": [0, 1]},
                               "error_sentence_id": {"enum": [-1, *_sentence_ids(row)]}},
                "required": ["error_flag", "error_sentence_id"], "additionalProperties": False}

    def parse(self, text: str) -> tuple[int, int] | None:
        answer = _json_answer(text)
        if answer is None or answer.get("error_flag") not in (0, 1):
            return None
        sid = answer.get("error_sentence_id")
        return int(answer["error_flag"]), int(sid) if isinstance(sid, int) else -1

    def score(self, predictions: list, references: list) -> TaskScore:
        def right(p, r) -> bool:
            return p is not None and p[0] == r[0] and (r[0] == 0 or p[1] == r[1])

        per = [100.0 if right(p, r) else 0.0 for p, r in zip(predictions, references, strict=True)]
        flags = [100.0 if p is not None and p[0] == r[0] else 0.0 for p, r in zip(predictions, references, strict=True)]
        return TaskScore(metrics.mean(per), per, {"flag_accuracy": metrics.mean(flags)})


def _codes_from_text(text: str) -> list[str]:
    return CODE_IN_TEXT.findall(text.upper())


@dataclass(frozen=True)
class CodeSetTask(Task):
    """MeDiSumCode: every diagnosis code of a discharge letter; mean per-letter code-set F1."""

    max_codes: int = 20

    def check(self, row: dict) -> str | None:
        codes = row["icd_codes"]
        if not all(isinstance(c, dict) and isinstance(c.get("code"), str) for c in codes):
            return "icd_codes must be a list of objects with a string 'code'"
        return None

    def reference(self, row: dict) -> list[str]:
        return sorted({metrics.normalize_code(c["code"]) for c in row["icd_codes"]})

    def shot_answer(self, row: dict) -> str:
        return _compact({"codes": self.reference(row)})

    def schema(self, row: dict) -> dict:
        return {"type": "object",
                "properties": {"codes": {"type": "array", "maxItems": self.max_codes,
                                         "items": {"type": "string", "pattern": CODE_PATTERN}}},
                "required": ["codes"], "additionalProperties": False}

    def parse(self, text: str) -> list[str]:
        answer = _json_answer(text)
        if answer is not None and isinstance(answer.get("codes"), list):
            return [str(c) for c in answer["codes"]]
        return _codes_from_text(text)

    def score(self, predictions: list, references: list) -> TaskScore:
        pairs = list(zip(predictions, references, strict=True))
        per = [metrics.code_f1(p or [], r) for p, r in pairs]
        predicted = [c for p, _ in pairs for c in (p or [])]
        return TaskScore(metrics.mean(per), per, {
            "category_f1": metrics.mean([metrics.code_f1(p or [], r, level=3) for p, r in pairs]),
            "exact_match": metrics.mean([metrics.code_exact_match(p or [], r) for p, r in pairs]),
            "valid_code_rate": metrics.valid_code_rate(predicted),
        })


@dataclass(frozen=True)
class CodeTask(Task):
    """ICD10CM: the one code of a diagnosis description; exact-match accuracy."""

    def check(self, row: dict) -> str | None:
        return None if CODE_IN_TEXT.fullmatch(row["code"].strip().upper()) else f"{row['code']!r} is not an ICD-10-CM code"

    def reference(self, row: dict) -> str:
        return metrics.normalize_code(row["code"])

    def shot_answer(self, row: dict) -> str:
        return _compact({"code": self.reference(row)})

    def schema(self, row: dict) -> dict:
        return {"type": "object", "properties": {"code": {"type": "string", "pattern": CODE_PATTERN}},
                "required": ["code"], "additionalProperties": False}

    def parse(self, text: str) -> str | None:
        answer = _json_answer(text)
        if answer is not None:
            return metrics.normalize_code(answer["code"]) if isinstance(answer.get("code"), str) else None
        codes = _codes_from_text(text)
        return metrics.normalize_code(codes[0]) if codes else None

    def score(self, predictions: list, references: list) -> TaskScore:
        pairs = list(zip(predictions, references, strict=True))
        per = [metrics.code_exact_match([p] if p else [], [r]) for p, r in pairs]
        return TaskScore(metrics.mean(per), per, {
            "category_accuracy": metrics.mean([100.0 if p and p[:3] == r[:3] else 0.0 for p, r in pairs]),
            "valid_code_rate": metrics.valid_code_rate([p for p, _ in pairs if p]),
        })


ASSISTANT = "You are a careful clinical assistant helping medical professionals."

TASKS: dict[str, Task] = {t.name: t for t in (
    LabelTask(
        name="mednli", title="MedNLI", metric="accuracy", k=3, max_tokens=48,
        source="MedNLI (PhysioNet, mli_test_v1.jsonl)",
        fields={"sentence1": str, "sentence2": str, "gold_label": str},
        system=f"{ASSISTANT} Decide how the second sentence relates to the first: entailment (it must be "
               "true), contradiction (it cannot be true) or neutral (it may or may not be true).",
        template="Sentence 1: {sentence1}\nSentence 2: {sentence2}", document=None,
        label_field="gold_label", labels=("entailment", "contradiction", "neutral"),
    ),
    TextTask(
        name="pls", title="PLS", metric="rougeL", k=3, max_tokens=128,
        source="BioNLP 2023 Task 1A problem list summarisation (PhysioNet), columns as CLUE reads them",
        fields={"Assessment": str, "Summary": str}, optional={"Subjectives": str},
        system=f"{ASSISTANT} From a progress note, list the diagnoses and problems of the patient.",
        template="Progress note:\n{Subjectives}\n\nAssessment:\n{Assessment}\n\n"
                 "List the diagnoses and problems, separated by semicolons.",
        document="Subjectives", target="Summary",
    ),
    TextTask(
        name="meqsum", title="MeQSum", metric="rougeL", k=3, max_tokens=64,
        source="MeQSum (Ben Abacha & Demner-Fushman 2019, MeQSum_ACL2019 spreadsheet)",
        fields={"CHQ": str, "Summary": str},
        system=f"{ASSISTANT} Rewrite a patient's message as one short question that keeps what they need to know.",
        template="Patient message:\n{CHQ}\n\nThe question in one sentence:", document="CHQ", target="Summary",
    ),
    ChoiceTask(
        name="longhealth", title="LH", metric="accuracy", k=0, max_tokens=24,
        source="LongHealth (benchmark_v5.json), one line per question with the patient's texts",
        fields={"texts": (dict, list, str), "question": str, "answer_a": str, "answer_b": str, "answer_c": str,
                "answer_d": str, "answer_e": str, "correct": str},
        system=f"{ASSISTANT} Read the patient's documents and answer the multiple-choice question with one letter.",
        template="Documents:\n{documents}\n\nQuestion: {question}\n{options}", document="documents",
    ),
    TextTask(
        name="medisumqa", title="MeDiSumQA", metric="rougeL", k=1, max_tokens=128,
        source="MeDiSumQA (CLUE, from MIMIC-IV discharge summaries)",
        fields={"discharge_summary": str, "Question": str, "Answer": str},
        system=f"{ASSISTANT} Answer a patient's question about their discharge letter briefly and plainly.",
        template="Discharge letter:\n{discharge_summary}\n\nQuestion: {Question}", document="discharge_summary",
        target="Answer",
    ),
    CodeSetTask(
        name="medisumcode", title="MeDiSumCode", metric="code F1", k=1, max_tokens=192,
        source="MeDiSumCode (CLUE, from MIMIC-IV discharge summaries and diagnoses)",
        fields={"text": str, "icd_codes": list},
        system=f"{ASSISTANT} List the ICD-10-CM codes of every primary and secondary diagnosis in a discharge letter.",
        template="Discharge letter:\n{text}\n\nThe ICD-10-CM codes of its diagnoses:", document="text",
    ),
    TextTask(
        name="rrsqa", title="RRS QA", metric="rougeL", k=3, max_tokens=96,
        source="Radiology report summarisation (MIMIC-CXR RRS: findings -> impression)",
        fields={"findings": str, "impression": str},
        system=f"{ASSISTANT} Read the findings of a radiology report and write its impression.",
        template="Findings:\n{findings}\n\nWhat is the impression?", document="findings", target="impression",
    ),
    TextTask(
        name="medicationqa", title="MedicationQA", metric="rougeL", k=2, max_tokens=160,
        source="MedicationQA (Ben Abacha et al., MedInfo 2019, Medication_QA_MedInfo2019 spreadsheet)",
        fields={"Question": str, "Answer": str}, optional={"Focus (Drug)": str},
        system=f"{ASSISTANT} Answer a consumer's question about a medication accurately and briefly.",
        template="Question: {Question}", document=None, target="Answer",
    ),
    ErrorTask(
        name="medec", title="MEDEC", metric="accuracy", k=2, max_tokens=64,
        source="MEDEC-MS (Ben Abacha et al., 2024, MEDIQA-CORR CSV)",
        fields={"Text": str, "Sentences": str, "Error Flag": int, "Error Sentence ID": int},
        optional={"Error Type": str, "Corrected Sentence": str},
        system=f"{ASSISTANT} A clinical text has at most one medical error (diagnosis, management, treatment, "
               "pharmacotherapy or causal organism). Say whether it has one and give the ID of that sentence "
               "(-1 when there is none).",
        template="Text, one sentence a line after its ID:\n{Sentences}", document="Sentences",
    ),
    TextTask(
        name="aci", title="ACI", metric="rouge1", k=1, max_tokens=256,
        source="ACI-Bench (Yim et al., 2023, challenge CSV)",
        fields={"dialogue": str, "note": str},
        system=f"{ASSISTANT} Write the clinical note of a doctor-patient visit from its transcript.",
        template="Transcript:\n{dialogue}\n\nThe clinical note:", document="dialogue", target="note",
    ),
    LabelTask(
        name="sdoh", title="SDoH", metric="macro-F1", k=3, max_tokens=48,
        source="SDoH annotations of MIMIC-III sentences (Guevara et al., 2024, PhysioNet)",
        fields={"text": str, "label": str},
        system=f"{ASSISTANT} Name the social determinant of health a sentence from a clinical note mentions: "
               "employment, housing, transportation, parent (parental status), relationship, support "
               "(social support) or none.",
        template="Sentence: {text}", document=None,
        label_field="label", labels=("employment", "housing", "transportation", "parent", "relationship",
                                     "support", "none"), macro=True,
    ),
    CodeTask(
        name="icd10cm", title="ICD10CM", metric="exact match", k=3, max_tokens=32,
        source="ICD-10-CM code descriptions (CMS tables, public domain)",
        fields={"description": str, "code": str},
        system=f"{ASSISTANT} Give the ICD-10-CM code of a diagnosis.",
        template="Diagnosis: {description}", document=None,
    ),
)}
TASK_NAMES = tuple(TASKS)

# The paper's CLUE+ scores (MediPhi model cards): a reference line for the report, not a target.
PUBLISHED = {
    "Phi-3.5-mini-instruct (base)": {
        "mednli": 66.6, "pls": 28.4, "meqsum": 36.7, "longhealth": 45.9, "medisumqa": 25.9, "medisumcode": 41.1,
        "rrsqa": 41.2, "medicationqa": 11.2, "medec": 14.8, "aci": 42.3, "sdoh": 35.1, "icd10cm": 49.3},
    "MediPhi (merged)": {
        "mednli": 66.9, "pls": 28.8, "meqsum": 37.9, "longhealth": 45.7, "medisumqa": 26.1, "medisumcode": 41.7,
        "rrsqa": 44.5, "medicationqa": 11.3, "medec": 29.1, "aci": 44.3, "sdoh": 39.7, "icd10cm": 55.5},
    "MediPhi-Instruct (aligned)": {
        "mednli": 71.0, "pls": 26.0, "meqsum": 42.8, "longhealth": 45.0, "medisumqa": 29.1, "medisumcode": 37.2,
        "rrsqa": 61.6, "medicationqa": 19.3, "medec": 34.4, "aci": 43.5, "sdoh": 56.7, "icd10cm": 54.9},
}


def get_task(name: str) -> Task:
    if name not in TASKS:
        raise KeyError(f"unknown eval task {name!r}; the tasks are: {', '.join(TASK_NAMES)}")
    return TASKS[name]
