"""The mediflow stage with real generation and judging (vLLM on CPU), then SFT and DPO on it with
the Ray Train launcher (TRL trainers), on a small run."""

from __future__ import annotations

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


def test_sft_then_dpo_improve_on_held_out_rows(mediflow, recipe):
    artifact = run_stage(get_stage("align"), RunContext(recipe))
    m = artifact.metrics
    loss = m["sft"]["eval_loss"]
    assert loss["after"] < loss["before"], loss
    accuracy, margin = m["dpo"]["eval_rewards/accuracies"], m["dpo"]["eval_rewards/margins"]
    assert margin["after"] > margin["before"], margin
    assert accuracy["after"] > accuracy["before"], accuracy
    final = Path(artifact.uri) / "dpo" / "model"
    assert (final / "model.safetensors").exists() and "DPO" in (final / "README.md").read_text()
