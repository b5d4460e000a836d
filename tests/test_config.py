from pathlib import Path

import pytest

from mediphi.config import RecipeError, load_recipe, packaged_recipes
from mediphi.pipeline import get_stage, preflight


def write(tmp_path: Path, text: str) -> str:
    p = tmp_path / "recipe.yaml"
    p.write_text(text)
    return str(p)


MINIMAL = """\
run:
  name: t
base:
  source: tiny
corpus:
  domains:
    clinical:
      sources:
        - path: notes/*.txt
          format: text
"""


def test_packaged_recipes_load():
    assert {"tiny", "mediphi-3.8b"} <= set(packaged_recipes())
    for name in packaged_recipes():
        recipe = load_recipe(name)
        assert recipe.run.name


def test_the_paper_recipe_trains_every_job_on_gpus_in_bf16_with_deepspeed():
    # A section the recipe leaves out takes the CPU defaults (1 worker, no GPU, float32): a 3.8B
    # model's SFT would then run on one CPU worker of a GPU cluster.
    from mediphi.train.launcher import validate_deepspeed

    recipe = load_recipe("mediphi-3.8b")
    for key, job in {"experts.train": recipe.experts.train, "align.sft": recipe.align.sft,
                     "align.dpo": recipe.align.dpo}.items():
        assert job.gpus_per_worker >= 1 and job.num_workers > 1 and job.bf16, key
        assert job.deepspeed is not None, key
        validate_deepspeed(job.deepspeed)
    # DPO from the SFT model at a far smaller learning rate, as Zephyr's DPO (5e-7 against 2e-5 here).
    assert recipe.align.dpo.learning_rate < recipe.align.sft.learning_rate <= recipe.experts.train.learning_rate


def test_unknown_key_names_path_file_and_line(tmp_path):
    path = write(tmp_path, MINIMAL.replace("          format: text", "          format: text\n          formt: jats"))
    with pytest.raises(RecipeError) as err:
        load_recipe(path)
    msg = str(err.value)
    assert path in msg
    assert "corpus.domains.clinical.sources.0.formt (line 11): unknown key" in msg


def test_wrong_type_names_path_and_value(tmp_path):
    path = write(tmp_path, MINIMAL.replace("  name: t", "  name: t\n  seed: many"))
    with pytest.raises(RecipeError, match=r"run.seed \(line 3\): Input should be a valid integer.*'many'"):
        load_recipe(path)


def test_unknown_domain(tmp_path):
    path = write(tmp_path, MINIMAL.replace("    clinical:", "    cardiology:"))
    with pytest.raises(RecipeError, match=r"corpus.domains.cardiology \(line 7\): unknown domain 'cardiology'"):
        load_recipe(path)


def test_overrides_apply_and_errors_say_they_came_from_set(tmp_path):
    path = write(tmp_path, MINIMAL)
    recipe = load_recipe(path, ["run.seed=7", "corpus.heldout_fraction=0.2", "corpus.domains.clinical.sources.0.format=jsonl"])
    assert recipe.run.seed == 7 and recipe.corpus.heldout_fraction == 0.2
    assert recipe.corpus.domains["clinical"].sources[0].format == "jsonl"
    with pytest.raises(RecipeError, match=r"base.tiny.hidden_size \(from --set\): Input should be greater than 0"):
        load_recipe(path, ["base.tiny.hidden_size=-4"])
    with pytest.raises(RecipeError, match="expected KEY.PATH=VALUE"):
        load_recipe(path, ["run.seed"])


def test_relative_and_package_paths_resolve(tmp_path):
    recipe = load_recipe(write(tmp_path, MINIMAL))
    assert recipe.corpus.domains["clinical"].sources[0].path == str(tmp_path / "notes" / "*.txt")
    tiny = load_recipe("tiny")
    assert Path(tiny.corpus.domains["pubmed"].sources[0].path).parent.is_dir()


def test_missing_input_path_stops_before_work(tmp_path):
    recipe = load_recipe(write(tmp_path, MINIMAL))
    with pytest.raises(RecipeError, match=r"corpus.domains.clinical.sources.0.path: no input files at .*notes/\*.txt"):
        preflight(recipe, [get_stage("corpus")])


def test_deepspeed_and_training_rules(tmp_path):
    path = write(tmp_path, MINIMAL)
    with pytest.raises(RecipeError, match="offload_params needs ZeRO stage 3"):
        load_recipe(path, ["base.warmup.deepspeed={stage: 2, offload_params: true}"])
    with pytest.raises(RecipeError, match="bf16 is for GPU workers"):
        load_recipe(path, ["base.warmup.bf16=true"])
    with pytest.raises(RecipeError, match="LoRA with ZeRO-3"):
        load_recipe(path, ["base.warmup.lora={r: 4}", "base.warmup.deepspeed={stage: 3}"])


def test_cli_reports_recipe_errors(tmp_path, capsys):
    from mediphi.cli import main

    path = write(tmp_path, MINIMAL.replace("  name: t", "  name: t\n  colour: blue"))
    assert main(["run", path]) == 2
    assert "run.colour (line 3): unknown key" in capsys.readouterr().err
