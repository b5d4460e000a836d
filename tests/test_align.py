"""The mediflow stage with real generation and judging (vLLM on CPU), then SFT and DPO on it with
the Ray Train launcher (TRL trainers), on a small run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mediphi.config import load_recipe
from mediphi.context import RunContext
from mediphi.mediflow import schema
from mediphi.mediflow.taxonomy import load_taxonomy
from mediphi.pipeline import get_stage, run_stage

from .runs import fake_run, recipe_yaml, write_manifest

OVERRIDES = [
    "mediflow.num_rows=36", "mediflow.input_words=30", "mediflow.max_tokens=320", "mediflow.max_chars=40",
    "mediflow.judge_max_tokens=96", "mediflow.dpo_fraction=0.6",
    "mediflow.thresholds={quality: 1, alignment: 1, coherence: 1, realism: 1, difficulty: 1}",
    # the test tokenizer (400 tokens) spends ~1200 on a generation prompt
    "serve.engine_args.max_model_len=2048",
    "align.max_length=256", "align.heldout_fraction=0.2",
    "align.sft={max_steps: 30, per_device_batch_size: 4, learning_rate: 0.002, logging_steps: 5, save_steps: 15}",
    "align.dpo={max_steps: 20, per_device_batch_size: 4, learning_rate: 0.001, logging_steps: 5, save_steps: 10}",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("align")
    run = root / "runs" / "align"
    fake_run(run)
    # The merged model the align stage starts from: here the tiny base itself.
    shutil.copytree(run / "base" / "model", run / "merge" / "merged" / "model")
    write_manifest(str(run / "merge"), "merge", {})
    return root


@pytest.fixture(scope="module")
def recipe(run_dir):
    return load_recipe(str(recipe_yaml(run_dir, run_dir / "runs", "align")), OVERRIDES)


@pytest.fixture(scope="module")
def mediflow(ray_cluster, recipe):
    return run_stage(get_stage("mediflow"), RunContext(recipe))


def test_mediflow_produces_both_splits_with_exactly_the_mediflow_columns(mediflow, run_dir):
    out = run_dir / "runs" / "align" / "mediflow"
    sft, dpo = pq.read_table(out / "sft" / "sft.parquet"), pq.read_table(out / "dpo" / "dpo.parquet")
    tax = load_taxonomy()
    assert sft.column_names == list(schema.SFT_COLUMNS) and dpo.column_names == list(schema.DPO_COLUMNS)
    assert schema.validate_table(sft, False, tax) == [] and schema.validate_table(dpo, True, tax) == []
    m = mediflow.metrics
    assert m["planned"] == 36 and m["sft_rows"] == sft.num_rows > 0 and m["dpo_rows"] == dpo.num_rows > 0
    funnel = m["filter"]
    assert funnel["accounted"], funnel  # every planned row is kept or counted under one reason
    assert m["near_duplicate_pairs_kept"] == 0
    assert sum(m["error_types"].values()) == dpo.num_rows
    for row in dpo.to_pylist():
        assert row["rejected_output"] != row["output"] and row["error_type"]
    assert (out / "coverage.md").read_text().count("|") > 100


def test_prompts_that_do_not_fit_the_generators_context_stop_mediflow_before_any_engine_starts(
        ray_cluster, run_dir, monkeypatch):
    import mediphi.serving.batch
    from mediphi.config import RecipeError

    # A spy, not a stand-in: the stage must stop before it would start an engine.
    monkeypatch.setattr(mediphi.serving.batch, "generate", lambda *a, **k: pytest.fail("an engine was started"))
    # The recipe asks for 4096 tokens of context; the test base has 2048 positions, so the engine
    # would get 2048, and about 1200 tokens of prompt plus 1000 to generate do not fit in it.
    recipe = load_recipe(str(recipe_yaml(run_dir, run_dir / "runs", "align")),
                         [*OVERRIDES, "serve.engine_args.max_model_len=4096", "mediflow.max_tokens=1000"])
    with pytest.raises(RecipeError) as raised:
        run_stage(get_stage("mediflow"), RunContext(recipe))
    message = str(raised.value)
    longest = int(re.search(r"longest generation prompt takes (\d+) tokens", message).group(1))
    assert longest + 1000 > 2048 and f"{longest + 1000} in all" in message, message
    assert "context of 2048 tokens" in message and "serve.engine_args.max_model_len" in message, message


def test_rows_too_long_for_the_judges_context_are_counted_not_sent_to_the_engine(run_dir):
    """A judge prompt carries its generated row, so only the rows that fit the judge's context with
    its answer are judged; the others are counted as judge_too_long, a reason of the funnel."""
    from transformers import AutoTokenizer

    from mediphi.mediflow import plan
    from mediphi.mediflow.judge import DROP_REASONS
    from mediphi.mediflow.stage import engine_view, judgeable

    model = str(run_dir / "runs" / "align" / "base" / "model")
    cfg = load_recipe(str(recipe_yaml(run_dir, run_dir / "runs", "align")), OVERRIDES).mediflow
    tax, prompts = load_taxonomy(), plan.load_prompts(cfg.prompts)
    rows = [{"cell_id": f"mf-{n}", "task_type": "summarization", "input_data": "discharge_summary",
             "output_format": "plain_text", "difficulty_level": "hard", "seed": n,
             "instruction": "Summarise for the GP.", "input": "fever and cough " * n, "output": "- CAP, treated."}
            for n in (0, 40, 80)]
    requests = [{**r, **plan.judge_request(r, cfg, tax, prompts)} for r in rows]
    # Counted here with the model's own chat template, apart from the code under test.
    tok = AutoTokenizer.from_pretrained(model)
    lengths = [len(tok.apply_chat_template(r["messages"], add_generation_prompt=True, tokenize=True,
                                           return_dict=True)["input_ids"]) for r in requests]
    assert lengths == sorted(lengths) and len(set(lengths)) == 3, lengths
    # Room for the second prompt and the judge's answer, exactly: the third does not fit.
    serve = load_recipe(str(recipe_yaml(run_dir, run_dir / "runs", "align")),
                        [*OVERRIDES, f"serve.engine_args.max_model_len={lengths[1] + cfg.judge_max_tokens}"]).serve
    fits, dropped = judgeable(requests, *engine_view(model, serve))
    assert [r["cell_id"] for r in fits] == ["mf-0", "mf-40"] and dropped == 1
    roomy = serve.model_copy(update={"engine_args": serve.engine_args.model_copy(update={"max_model_len": 2048})})
    assert judgeable(requests, *engine_view(model, roomy)) == (requests, 0)
    assert "judge_too_long" in DROP_REASONS  # listed in every funnel, 0 when none


def test_rows_whose_prompt_fills_max_length_are_set_aside_with_their_length(run_dir):
    from transformers import AutoTokenizer

    from mediphi.align import fitting_rows, prompt_lengths

    tok = AutoTokenizer.from_pretrained(str(run_dir / "runs" / "align" / "base" / "model"))
    rows = [{"instruction": "Summarise the note.", "input": "fever and cough " * n, "output": "ok"}
            for n in (0, 5, 60, 120)]
    lengths = prompt_lengths(rows, tok)
    assert lengths == sorted(lengths) and len(set(lengths)) == 4, lengths
    limit = lengths[2]  # a prompt of exactly max_length leaves no token for the completion
    kept, rejects = fitting_rows(rows, lengths, limit, "s3://bucket/run/mediflow/sft/sft.parquet")
    assert kept == rows[:2]
    assert [(r.file, r.line, r.reason) for r in rejects] == [
        ("s3://bucket/run/mediflow/sft/sft.parquet", 2, "prompt_too_long"),
        ("s3://bucket/run/mediflow/sft/sft.parquet", 3, "prompt_too_long")]
    assert rejects[1].detail == f"the prompt is {lengths[3]} tokens; align.max_length is {limit}"


@pytest.mark.parametrize(("chunk", "where"), [(1, "local"), (3, "s3"), (1024, "local")])
def test_a_split_streams_in_chunks_to_the_same_examples_rejects_and_held_out_rows(run_dir, tmp_path, monkeypatch,
                                                                                   request, chunk, where):
    """prepare_split holds one chunk of rows at a time; where chunks fall must change nothing, and
    it reads and writes S3 (moto on 127.0.0.1) as it does local files."""
    import pyarrow as pa
    from transformers import AutoTokenizer

    from mediphi import align, storage

    tok = AutoTokenizer.from_pretrained(str(run_dir / "runs" / "align" / "base" / "model"))
    rows = [{"instruction": f"Question {i}.", "input": "fever and cough " * (90 if i % 4 == 1 else i % 3),
             "output": f"answer {i}", "rejected_output": f"wrong {i}"} for i in range(11)]
    base = f"s3://{request.getfixturevalue('bucket')}/align" if where == "s3" else str(tmp_path)
    storage.write_parquet(pa.Table.from_pylist(rows), f"{base}/dpo.parquet")
    lengths = align.prompt_lengths(rows, tok)
    limit = sorted(lengths)[-3]  # the three rows with i % 4 == 1 do not fit
    monkeypatch.setattr(align, "LENGTH_CHUNK", chunk)

    def prepared(fraction: float):
        out = align.prepare_split("dpo", f"{base}/dpo.parquet", f"{base}/out-{fraction}", tok, limit, fraction)
        return out, storage.read_parquet(out.train).to_pylist(), storage.read_parquet(out.held_out).to_pylist()

    out, train, held = prepared(0.5)
    fits = [r for r, n in zip(rows, lengths, strict=True) if n < limit]
    assert [(r.file, r.line, r.reason) for r in out.rejects] == [
        (f"{base}/dpo.parquet", line, "prompt_too_long") for line in (1, 5, 9)]
    expected_held = [r for r in fits if align._held_out(r, 0.5)]
    assert 0 < len(expected_held) < len(fits)  # the hash sends some rows each way
    assert held == align.dpo_examples(expected_held)
    assert train == align.dpo_examples([r for r in fits if not align._held_out(r, 0.5)])
    assert (out.rows_read, out.train_rows, out.held_out_rows) == (11, len(train), len(held))
    # Nothing held out by the hash: the last train row is, so that there is something to measure.
    out, train, held = prepared(0.0)
    assert held == align.dpo_examples(fits[-1:]) and train == align.dpo_examples(fits[:-1])
    assert (out.train_rows, out.held_out_rows) == (len(fits) - 1, 1)


def test_each_worker_gets_the_examples_as_from_list_would_give_them(ray_cluster, tmp_path):
    """launcher.hf_dataset builds TRL's dataset from the Arrow blocks: same rows, same features as
    Dataset.from_list over the rows, and an empty split gives an empty dataset."""
    import pyarrow as pa
    from datasets import Dataset

    from mediphi import align
    from mediphi.train.launcher import hf_dataset

    schema = align.EXAMPLES["dpo"][1]
    rows = [{"instruction": f"q{i}", "input": "x" * i, "output": f"a{i}", "rejected_output": f"b{i}"} for i in range(7)]
    pq.write_table(pa.Table.from_pylist(align.dpo_examples(rows), schema=schema), tmp_path / "train.parquet")
    pq.write_table(schema.empty_table(), tmp_path / "empty.parquet")
    it = ray_cluster.data.read_parquet(str(tmp_path / "train.parquet")).iterator()
    ours, theirs = hf_dataset(it), Dataset.from_list(list(it.iter_rows()))
    assert ours.features == theirs.features and ours.to_list() == theirs.to_list() == align.dpo_examples(rows)
    assert len(hf_dataset(ray_cluster.data.read_parquet(str(tmp_path / "empty.parquet")).iterator())) == 0


def test_sft_then_dpo_improve_on_held_out_rows(mediflow, recipe, ray_temp_dir):
    artifact = run_stage(get_stage("align"), RunContext(recipe))
    m = artifact.metrics
    # Prompts that fill align.max_length (the test's is short) are set aside before the split, so
    # the held-out rows are ones TRL can measure, and each set-aside row is in the rejects file.
    rejects = pq.read_table(Path(artifact.uri) / "rejects" / "align.parquet").to_pylist()
    assert len(rejects) == m["sft"]["prompt_too_long"] + m["dpo"]["prompt_too_long"]
    for r in rejects:
        assert r["reason"] == "prompt_too_long" and int(r["detail"].split()[3]) >= 256, r
    assert m["sft"]["held_out_rows"] >= 1 and m["dpo"]["held_out_pairs"] >= 1, m
    loss = m["sft"]["eval_loss"]
    assert loss["after"] < loss["before"], loss
    accuracy, margin = m["dpo"]["eval_rewards/accuracies"], m["dpo"]["eval_rewards/margins"]
    assert margin["after"] > margin["before"], margin
    assert accuracy["after"] > accuracy["before"], accuracy
    final = Path(artifact.uri) / "dpo" / "model"
    assert (final / "model.safetensors").exists() and "DPO" in (final / "README.md").read_text()
    # TRL's dataset maps are fingerprinted with dill, which captures `dis.dis` output to read a
    # function's globals; Ray Train's print patch used to log that output from every worker.
    logs = {f.name: f.read_text(errors="replace") for f in (ray_temp_dir / "session_latest" / "logs").rglob("*")
            if f.is_file() and f.suffix in (".out", ".err", ".log")}
    assert any("RayTrainWorker" in text for text in logs.values())
    leaked = [name for name, text in logs.items() if "LOAD_GLOBAL" in text]
    assert not leaked, f"bytecode disassembly in the worker logs: {leaked}"
