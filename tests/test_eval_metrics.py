"""Every eval metric on cases small enough to compute by hand, and the tasks' answer parsing."""

from __future__ import annotations

import json

import pytest

from mediphi.eval import metrics
from mediphi.eval.data import Example
from mediphi.eval.prompts import PromptFitter, build_messages
from mediphi.eval.tasks import TASKS

# --- label metrics (scikit-learn) ------------------------------------------------------------------


def test_accuracy_counts_an_unparsed_answer_as_wrong():
    assert metrics.accuracy(["a", "b", None], ["a", "a", "b"]) == pytest.approx(100 / 3)
    assert metrics.accuracy([], []) == 0.0


def test_macro_f1_by_hand():
    # class x: TP 1, FN 1, FP 0 -> P 1, R 1/2, F1 2/3
    # class y: TP 1 (3rd), FP 1 (2nd), FN 1 (4th, unparsed) -> P 1/2, R 1/2, F1 1/2
    # class z never occurs in references or predictions: not averaged in
    score = metrics.macro_f1(["x", "y", "y", None], ["x", "x", "y", "y"], labels=("x", "y", "z"))
    assert score == pytest.approx(100 * (2 / 3 + 1 / 2) / 2)


# --- ROUGE (rouge-score) -----------------------------------------------------------------------------


def test_rouge_by_hand():
    # tokens: the cat sat on the mat / the cat lay on a mat -> 4 shared unigrams (the, cat, on, mat),
    # also the longest common subsequence: P = R = 4/6
    assert metrics.rouge("the cat lay on a mat", "the cat sat on the mat", "rouge1") == pytest.approx(400 / 6)
    assert metrics.rouge("the cat lay on a mat", "the cat sat on the mat", "rougeL") == pytest.approx(400 / 6)
    # the same four words reversed: every unigram matches, the LCS is one word
    assert metrics.rouge("rash headache cough fever", "fever cough headache rash", "rouge1") == pytest.approx(100)
    assert metrics.rouge("rash headache cough fever", "fever cough headache rash", "rougeL") == pytest.approx(25)
    assert metrics.rouge(None, "anything") == 0.0
    assert metrics.rouge("", "anything") == 0.0


# --- code sets (ours) --------------------------------------------------------------------------------


def test_code_normalisation():
    assert metrics.normalize_code(" e11.9 ") == "E119"
    assert metrics.normalize_code("T78.40XA") == "T7840XA"


def test_code_f1_by_hand():
    # 3 predicted, 4 gold, 2 shared (E11.9 = E119, I10): P 2/3, R 2/4, F1 = 2PR/(P+R) = 4/7
    p, r, f = metrics.code_prf(["E11.9", "I10", "J18.9"], ["E119", "I10", "N17.9", "E78.5"])
    assert (p, r, f) == (pytest.approx(200 / 3), pytest.approx(50), pytest.approx(400 / 7))
    # categories: a wrong subcode of the right category counts at level 3 only
    assert metrics.code_f1(["E11.65"], ["E11.9"]) == 0.0
    assert metrics.code_f1(["E11.65"], ["E11.9"], level=3) == 100.0
    # duplicates collapse into the set; nothing predicted scores 0; nothing to find and nothing found is right
    assert metrics.code_f1(["I10", "i10", "I11.0"], ["I10"]) == pytest.approx(100 * 2 * (1 / 2) / (1 / 2 + 1))
    assert metrics.code_f1([], ["I10"]) == 0.0
    assert metrics.code_f1([], []) == 100.0


def test_code_exact_match_and_valid_rate():
    assert metrics.code_exact_match(["i10", "E11.9"], ["E119", "I10"]) == 100.0
    assert metrics.code_exact_match(["I10"], ["E119", "I10"]) == 0.0
    # E11.9 and I10 are in the CMS table, XYZ99 is not
    assert metrics.valid_code_rate(["E11.9", "I10", "XYZ99"]) == pytest.approx(200 / 3)
    assert metrics.valid_code_rate([]) is None


# --- each task's parsing and scoring -------------------------------------------------------------------


def test_label_task_parses_json_and_free_text():
    mednli = TASKS["mednli"]
    assert mednli.parse('{"label":"neutral"}') == "neutral"
    assert mednli.parse("The relation is CONTRADICTION.") == "contradiction"
    assert mednli.parse("entailment or neutral") is None  # two labels named: no answer
    assert mednli.parse('{"label":"maybe"}') is None
    scored = mednli.score(["neutral", None, "entailment"], ["neutral", "neutral", "contradiction"])
    assert scored.score == pytest.approx(100 / 3) and scored.per_example == [100.0, 0.0, 0.0]


def test_sdoh_scores_macro_f1_with_accuracy_beside():
    sdoh = TASKS["sdoh"]
    scored = sdoh.score(["housing", "housing", "none"], ["housing", "employment", "none"])
    # housing: P 1/2 R 1 F1 2/3; employment: F1 0; none: F1 1 -> mean of the three present classes
    assert scored.score == pytest.approx(100 * (2 / 3 + 0 + 1) / 3)
    assert scored.extras["accuracy"] == pytest.approx(200 / 3)


def test_longhealth_reference_and_parse():
    lh = TASKS["longhealth"]
    row = {"texts": {"text_0": "doc"}, "question": "q", "answer_a": "Hodgkin lymphoma", "answer_b": "Follicular",
           "answer_c": "Diffuse large B-cell lymphoma", "answer_d": "x", "answer_e": "y",
           "correct": "Diffuse large B-cell lymphoma"}
    assert lh.check(row) is None and lh.reference(row) == "C"
    assert lh.parse('{"answer":"C"}') == "C"
    assert lh.parse("The correct answer is B: Follicular") == "B"
    assert lh.check({**row, "correct": "not an option"}) is not None


def test_medec_needs_flag_and_sentence():
    medec = TASKS["medec"]
    refs = [(1, 2), (1, 2), (0, -1), (1, 0)]
    preds = [(1, 2), (1, 1), (0, 3), None]  # right; wrong sentence; right (no error: id ignored); unparsed
    scored = medec.score(preds, refs)
    assert scored.per_example == [100.0, 0.0, 100.0, 0.0]
    assert scored.extras["flag_accuracy"] == pytest.approx(75.0)
    assert medec.parse('{"error_flag":1,"error_sentence_id":3}') == (1, 3)


def test_code_tasks_score_sets_and_single_codes():
    code_set = TASKS["medisumcode"]
    assert code_set.parse('{"codes":["E119","I10"]}') == ["E119", "I10"]
    assert code_set.parse("Codes: E11.9, I10") == ["E11.9", "I10"]  # free text from a server without schemas
    scored = code_set.score([["E11.9", "I10"], None], [["E119", "I10"], ["J189"]])
    assert scored.per_example == [100.0, 0.0]
    assert scored.extras["exact_match"] == 50.0 and scored.extras["valid_code_rate"] == 100.0
    icd = TASKS["icd10cm"]
    assert icd.parse('{"code":"E11.9"}') == "E119"
    scored = icd.score(["E119", "E1165", None], ["E119", "E119", "I10"])
    assert scored.per_example == [100.0, 0.0, 0.0]
    assert scored.extras["category_accuracy"] == pytest.approx(200 / 3)


def test_json_schemas_accept_the_few_shot_answers():
    """The answer format a few-shot example shows is the one the schema constrains to."""
    import jsonschema

    from mediphi.eval.data import load_examples, task_uri

    for name, task in TASKS.items():
        examples, rejects = load_examples(task, task_uri(name, {}))
        assert len(examples) >= 8 and not rejects, name
        for ex in examples:
            schema = task.schema(ex.row)
            if schema is not None:
                jsonschema.validate(json.loads(task.shot_answer(ex.row)), schema)


# --- prompt fitting --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    from mediphi.eval.data import load_examples, task_uri
    from mediphi.models.tiny import train_tokenizer

    texts = [json.dumps(ex.row) for n, t in TASKS.items() for ex in load_examples(t, task_uri(n, {}))[0]]
    return train_tokenizer(texts, 600, tmp_path_factory.mktemp("tok"))


def test_prompt_fitting_drops_shots_then_cuts_the_document(tokenizer):
    task = TASKS["aci"]
    from mediphi.eval.data import load_examples, task_uri

    examples = load_examples(task, task_uri("aci", {}))[0]
    shots, row = examples[:2], examples[2].row
    fitter = PromptFitter(tokenizer, max_model_len=10_000)
    full = fitter.count(build_messages(task, row, shots))
    _, info = fitter.fit(task, row, shots, max_tokens=16)
    assert info == {"shots": 2, "document_chars": None, "tokens": full, "fits": True}

    one_shot = fitter.count(build_messages(task, row, shots[:1]))
    fitter.max_model_len = one_shot + 16
    _, info = fitter.fit(task, row, shots, max_tokens=16)
    assert info["shots"] == 1 and info["document_chars"] is None and info["fits"]

    no_shot = fitter.count(build_messages(task, row, []))
    fitter.max_model_len = no_shot - 40 + 16  # 40 tokens too many even without examples
    messages, info = fitter.fit(task, row, shots, max_tokens=16)
    assert info["shots"] == 0 and info["fits"] and info["tokens"] <= fitter.max_model_len - 16
    assert 0 < info["document_chars"] < len(row["dialogue"])
    assert messages[-1]["content"].startswith("Transcript:\n" + row["dialogue"][:20])
    assert "[...]" in messages[-1]["content"]


def test_few_shot_examples_come_before_the_question():
    task = TASKS["mednli"]
    shot = Example("f:1", {"sentence1": "a", "sentence2": "b", "gold_label": "neutral"})
    messages = build_messages(task, {"sentence1": "c", "sentence2": "d", "gold_label": "entailment"}, [shot])
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == '{"label":"neutral"}'
    assert "entailment" not in messages[-1]["content"]  # the answer is never in the prompt
