"""The eval stage: task files with broken lines, the run's model list, a real evaluation of tiny
models through vLLM (batch generation on the session's Ray cluster) into the report, and
`mediphi eval --model` on a model folder."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mediphi import DOMAINS, storage
from mediphi.config import TinyModelCfg, load_recipe
from mediphi.context import RunContext
from mediphi.eval.data import load_examples, split_examples, task_uri
from mediphi.eval.models import run_models, select_models
from mediphi.eval.runner import load_tasks
from mediphi.eval.tasks import TASK_NAMES, TASKS

GOOD = {"sentence1": "She denies chest pain.", "sentence2": "She has no chest pain.", "gold_label": "entailment"}
# line number -> (the line's bytes, the reason it must be rejected with, or None when it is good)
BROKEN_MEDNLI = {
    1: (json.dumps(GOOD).encode(), None),
    2: (b'{"sentence1": "x", "sentence2": ', "invalid_json"),
    3: (json.dumps({**GOOD, "gold_label": "contradiction", "sentence2": "She has chest pain."}).encode(), None),
    4: (json.dumps({"sentence1": "x", "gold_label": "neutral"}).encode(), "missing_field"),
    5: (json.dumps({**GOOD, "sentence1": 3}).encode(), "wrong_type"),
    6: (json.dumps({**GOOD, "gold_label": "maybe"}).encode(), "invalid_value"),
    7: (b'["not", "an", "object"]', "not_an_object"),
    8: (b'{"sentence1": "caf\xe9"}', "invalid_utf8"),
    9: (b"   ", None),  # blank: neither an example nor a reject
    10: (json.dumps({**GOOD, "gold_label": "neutral", "sentence2": "She smokes."}).encode(), None),
    11: (json.dumps({**GOOD, "sentence2": ""}).encode(), "empty_field"),
    12: (json.dumps({**GOOD, "gold_label": "Neutral", "sentence2": "She is 40."}).encode(), None),
}


def broken_mednli_bytes() -> bytes:
    return b"\n".join(line for line, _ in BROKEN_MEDNLI.values()) + b"\n"


def expected_rejects() -> list[tuple[int, str]]:
    return [(n, reason) for n, (_, reason) in BROKEN_MEDNLI.items() if reason]


def test_broken_task_lines_are_reported_with_line_and_reason_and_skipped(tmp_path):
    path = tmp_path / "mednli.jsonl"
    path.write_bytes(broken_mednli_bytes())
    examples, rejects = load_examples(TASKS["mednli"], str(path))
    assert [(r.line, r.reason) for r in rejects] == expected_rejects()
    assert all(r.file == "mednli.jsonl" and r.detail for r in rejects)
    assert "sentence2" in rejects[1].detail and "sentence1" in rejects[2].detail
    assert [e.id for e in examples] == ["mednli.jsonl:1", "mednli.jsonl:3", "mednli.jsonl:10", "mednli.jsonl:12"]


def test_field_map_reads_a_file_with_other_column_names(tmp_path):
    path = tmp_path / "nli.jsonl"
    path.write_text(json.dumps({"premise": "a", "hypothesis": "b", "label": "neutral"}) + "\n")
    mapping = {"sentence1": "premise", "sentence2": "hypothesis", "gold_label": "label"}
    assert load_examples(TASKS["mednli"], str(path))[1][0].reason == "missing_field"
    examples, rejects = load_examples(TASKS["mednli"], str(path), mapping)
    assert not rejects and TASKS["mednli"].reference(examples[0].row) == "neutral"


def test_shots_are_never_scored_and_the_split_is_seeded():
    examples, _ = load_examples(TASKS["sdoh"], task_uri("sdoh", {}))
    shots, scored = split_examples(examples, 3, None, seed=7)
    assert len(shots) == 3 and len(scored) == len(examples) - 3
    assert not {e.id for e in shots} & {e.id for e in scored}
    assert (shots, scored) == split_examples(examples, 3, None, seed=7)
    assert len(split_examples(examples, 3, 4, seed=7)[1]) == 4
    shots, scored = split_examples(examples[:2], 3, None, seed=7)  # too few lines: one stays to be scored
    assert len(shots) == 1 and len(scored) == 1


def test_task_file_on_s3_with_rejects(s3_server, bucket):
    storage.s3_client().put_object(Bucket=bucket, Key="eval/mednli.jsonl", Body=broken_mednli_bytes())
    recipe = load_recipe("tiny", [f"eval.task_paths.mednli=s3://{bucket}/eval/mednli.jsonl", "eval.tasks=[mednli]"])
    loaded = load_tasks(recipe.eval, seed=0)
    assert loaded["mednli"].uri == f"s3://{bucket}/eval/mednli.jsonl"
    assert [(r.line, r.reason) for r in loaded["mednli"].rejects] == expected_rejects()
    assert len(loaded["mednli"].shots) + len(loaded["mednli"].scored) == 4


def test_unknown_task_names_fail_when_the_recipe_loads():
    from mediphi.config import RecipeError

    with pytest.raises(RecipeError, match="unknown eval task"):
        load_recipe("tiny", ["eval.tasks=[mednli,medqa]"])
    with pytest.raises(RecipeError, match="unknown eval task"):
        load_recipe("tiny", ["eval.task_paths.nope=/x.jsonl"])


def test_preflight_and_inputs_follow_the_task_files(tmp_path):
    from mediphi.config import RecipeError
    from mediphi.eval import stage

    path = tmp_path / "mednli.jsonl"
    recipe = load_recipe("tiny", [f"run.storage={tmp_path}", f"eval.task_paths.mednli={path}"])
    with pytest.raises(RecipeError, match="mednli"):
        stage.preflight(recipe.eval, recipe)
    path.write_text(json.dumps(GOOD) + "\n")
    stage.preflight(recipe.eval, recipe)
    ctx = RunContext(recipe)
    before = stage.inputs(recipe.eval, ctx)["eval_task_files"]
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n")
    after = stage.inputs(recipe.eval, ctx)["eval_task_files"]
    assert before["mednli"] != after["mednli"] and before["sdoh"] == after["sdoh"] and set(after) == set(TASK_NAMES)
    assert load_tasks(recipe.eval.model_copy(update={"few_shot": 0}), seed=0, names=["sdoh"])["sdoh"].shots == []


# --- a run folder built by hand ---------------------------------------------------------------------


def write_manifest(uri: str, stage: str, metrics: dict) -> None:
    manifest = {"stage": stage, "config_hash": "test", "inputs": {}, "metrics": metrics, "files": {}}
    storage.write_text(storage.join(uri, "manifest.json"), json.dumps(manifest))


def fake_model(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")


def test_run_models_lists_complete_artifacts_in_the_papers_order(tmp_path):
    recipe = load_recipe("tiny", [f"run.storage={tmp_path}"])
    ctx = RunContext(recipe)
    root = Path(ctx.root)
    assert run_models(ctx) == {}
    write_manifest(str(root / "base"), "base", {"built": True})
    fake_model(root / "base" / "model")
    for d in ("medcode", "pubmed"):  # two experts finished their folders
        fake_model(root / "experts" / d / "model")
    write_manifest(str(root / "experts"), "experts", {})
    fake_model(root / "merge" / "slerp" / "pubmed" / "model")
    fake_model(root / "merge" / "merged" / "model")
    write_manifest(str(root / "merge"), "merge", {})
    fake_model(root / "align" / "sft" / "model")  # align never wrote its manifest: an interrupted attempt
    models = run_models(ctx)
    assert list(models) == ["base", "expert-pubmed", "expert-medcode", "slerp-pubmed", "merged"]
    assert models["merged"] == str(root / "merge" / "merged" / "model")

    fake_model(root / "align" / "dpo" / "model")
    write_manifest(str(root / "align"), "align", {})
    assert list(run_models(ctx))[-2:] == ["sft", "aligned"]
    assert list(select_models(run_models(ctx), ["aligned", "base"])) == ["base", "aligned"]
    with pytest.raises(ValueError, match="expert-guidelines"):
        select_models(run_models(ctx), ["expert-guidelines"])

    write_manifest(str(root / "base"), "base", {"built": False})  # a pretrained base is its hub name
    recipe.base = recipe.base.model_copy(update={"source": "pretrained", "path": "microsoft/Phi-3.5-mini-instruct"})
    assert run_models(ctx)["base"] == "microsoft/Phi-3.5-mini-instruct"


# --- real evaluation -----------------------------------------------------------------------------------

JSON_TASKS = ("mednli", "longhealth", "medisumcode", "medec", "sdoh", "icd10cm")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A run folder with a corpus (held-out shards), a built tiny base with its warm-up loss, an
    experts artifact with loss curves but no model folders, and a merged model."""
    from mediphi.models.tiny import build_model, train_tokenizer

    top = tmp_path_factory.mktemp("evalrun")
    recipe = load_recipe("tiny", [f"run.storage={top}"])
    root = Path(storage.join(recipe.run.storage, recipe.run.name))
    texts = [json.dumps(ex.row) for n, t in TASKS.items() for ex in load_examples(t, task_uri(n, {}))[0]]
    tok = train_tokenizer(texts, 800, top / "tokenizer")
    assert tok.chat_template
    cfg = TinyModelCfg(vocab_size=800, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                       num_attention_heads=2, max_position_embeddings=1024)
    for i, d in enumerate(DOMAINS):  # held-out text: a different slice of the sample lines per domain
        shard = root / "corpus" / "shards" / f"domain={d}" / "split=heldout"
        shard.mkdir(parents=True)
        pq.write_table(pa.table({"id": [f"{d}-{j}" for j in range(4)], "text": texts[i::7][:4]}), shard / "0.parquet")
    write_manifest(str(root / "corpus"), "corpus", {})
    build_model(cfg, top / "tokenizer", root / "base" / "model", seed=1)
    write_manifest(str(root / "base"), "base", {"built": True, "loss": [[10, 6.6], [20, 6.1], [30, 5.8]]})
    write_manifest(str(root / "experts"), "experts", {"loss_curves": {
        "pubmed": [[10, 6.0], [20, 5.5]], "medcode": [[10, 6.2], [20, 5.1]]}})
    build_model(cfg, top / "tokenizer", root / "merge" / "merged" / "model", seed=2)
    write_manifest(str(root / "merge"), "merge", {})
    return top, root


def test_eval_stage_end_to_end(ray_cluster, tiny_run, tmp_path):
    from matplotlib.image import imread

    from mediphi.eval import stage

    top, root = tiny_run
    broken = tmp_path / "mednli.jsonl"
    broken.write_bytes(broken_mednli_bytes())
    recipe = load_recipe("tiny", [f"run.storage={top}", "eval.max_examples=2", "eval.max_tokens=24",
                                  "eval.perplexity_max_tokens=1024", f"eval.task_paths.mednli={broken}"])
    ctx = RunContext(recipe)
    ctx.out, ctx.stage = str(tmp_path / "out"), "eval"
    stage.preflight(recipe.eval, recipe)
    metrics = stage.run(recipe.eval, ctx)

    out = Path(ctx.out)
    report = json.loads((out / "report.json").read_text())
    assert list(report["models"]) == ["base", "merged"]  # experts recorded no model folders
    for model in ("base", "merged"):
        assert set(report["scores"][model]) == set(TASK_NAMES)
        assert all(isinstance(v, float) and 0 <= v <= 100 for v in report["scores"][model].values())
        assert report["average"][model] == pytest.approx(sum(report["scores"][model].values()) / 12, abs=0.01)
        assert set(report["perplexity"][model]) == set(DOMAINS)
        assert all(1 < p < 1e6 for p in report["perplexity"][model].values())
    rejects = report["tasks"]["mednli"]["rejects"]
    assert [(r["line"], r["reason"]) for r in rejects] == expected_rejects()
    assert report["tasks"]["mednli"]["scored"] + report["tasks"]["mednli"]["shots"] == 4
    assert set(report["loss_curves"]) == {"base", "experts"}

    predictions = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert len(predictions) == 2 * (11 * 2 + 1)  # 2 models x 2 examples of 11 tasks + mednli's 1 left after 3 shots
    assert all(p["error"] == "" and p["generated_text"] for p in predictions)
    for p in predictions:
        if p["task"] in JSON_TASKS:  # constrained decoding: even a random model answers in the format
            json.loads(p["generated_text"])
            assert p["prediction"] is not None, p
    # each score is the mean of its examples' scores (the label metrics aside)
    rrs = [p["score"] for p in predictions if p["model"] == "base" and p["task"] == "rrsqa"]
    assert report["scores"]["base"]["rrsqa"] == pytest.approx(sum(rrs) / len(rrs), abs=0.01)

    for png in ("task_scores.png", "perplexity.png", "loss_curves.png"):
        image = imread(out / png)
        assert image.shape[0] > 200 and image.shape[1] > 400, png
    md = (out / "report.md").read_text()
    assert "| MedNLI | accuracy |" in md and "mednli.jsonl line 2: invalid_json" in md and "![task_scores.png]" in md

    assert metrics["rejected_lines"]["mednli"] == len(expected_rejects())
    assert metrics["report"] == storage.join(ctx.root, "eval", "report.md")
    # the pipeline writes manifests with sorted keys: `show` still prints the paper's order
    text = stage.summarize({"metrics": json.loads(json.dumps(metrics, sort_keys=True))})
    assert "MeDiSumCode" in text and "Average" in text and "held-out perplexity" in text and "report:" in text
    header = next(line for line in text.splitlines() if line.strip().startswith("task"))
    assert header.index("base") < header.index("merged")
    assert text.index("  pubmed ") < text.index("  guidelines ") < text.index("  clinical ")
    assert metrics["generation_seconds"] > 0


def test_cli_eval_on_a_model_folder(ray_cluster, tiny_run, tmp_path, capsys):
    from mediphi.cli import main

    _, root = tiny_run
    model = root / "base" / "model"
    out = tmp_path / "report"
    rc = main(["eval", "--model", str(model), "--tasks", "mednli,icd10cm", "--out", str(out),
               "--set", "eval.max_examples=2", "--set", "eval.max_tokens=16"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "MedNLI" in printed and "ICD10CM" in printed and "Average" in printed and "report.md" in printed
    report = json.loads((out / "report.json").read_text())
    assert list(report["scores"]) == ["base"] and set(report["scores"]["base"]) == {"mednli", "icd10cm"}
    assert (out / "task_scores.png").stat().st_size > 1000 and not (out / "perplexity.png").exists()

    assert main(["eval", "--model", str(tmp_path / "nothing"), "--tasks", "mednli"]) == 2
    assert main(["eval", "--model", str(model), "--tasks", "mednli,nope"]) == 2
