"""The corpus stage end to end on a real local Ray cluster, locally and on a real S3 server."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
import yaml

from mediphi import DOMAINS, storage
from mediphi.config import load_recipe
from mediphi.context import RunContext
from mediphi.corpus.clean import PHI_PATTERNS
from mediphi.pipeline import get_stage, run_pipeline, run_stage

from .conftest import BROKEN, CORPORA

TINY = Path(__file__).resolve().parents[1] / "mediphi" / "recipes" / "tiny.yaml"

# Each deliberately broken file and the reject reason it must produce (and where).
EXPECTED_REJECTS = {
    ("records.jsonl", "invalid_json"), ("records.jsonl", "missing_text"), ("records.jsonl", "invalid_utf8"),
    ("records.jsonl", "line_too_long"), ("empty.jsonl", "empty_file"), ("truncated.xml", "invalid_xml"),
    ("not_jats.xml", "invalid_xml"), ("entity_bomb.xml", "invalid_xml"), ("binary.txt", "binary_file"),
    ("blank.txt", "empty_file"), ("latin1_note.txt", "invalid_utf8"), ("bad_order.txt", "invalid_code_line"),
    ("bad_codes.csv", "invalid_code_line"), ("no_columns.csv", "invalid_csv"), ("bad.parquet", "invalid_parquet"),
}


def tiny_with_broken_inputs(tmp_path: Path, storage_root: str) -> str:
    """The tiny recipe with every broken sample added as an extra source of some domain."""
    data = yaml.safe_load(TINY.read_text())
    data["run"]["storage"] = storage_root
    data["corpus"]["max_line_bytes"] = 30_000  # so records.jsonl's 50 kB line is "absurdly long" here
    d = data["corpus"]["domains"]
    d["guidelines"]["sources"] += [{"path": f"{BROKEN}/*.jsonl", "format": "jsonl"},
                                   {"path": f"{BROKEN}/bad.parquet", "format": "parquet"}]
    d["pubmed"]["sources"].append({"path": f"{BROKEN}/*.xml", "format": "jats"})
    d["clinical"]["sources"].append({"path": f"{BROKEN}/*.txt", "format": "text"})
    d["medcode"]["sources"] += [{"path": f"{BROKEN}/bad_order.txt", "format": "icd10_order"},
                                {"path": f"{BROKEN}/*.csv", "format": "code_csv", "code_system": "ATC"}]
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def read_shards(root: str, domain: str, split: str) -> list[dict]:
    fs, path = storage.filesystem(storage.join(root, "corpus", "shards", f"domain={domain}", f"split={split}"))
    return pads.dataset(path, filesystem=fs, format="parquet").to_table().to_pylist()


class ExecutionPlans(logging.Handler):
    """The operator chains of the Ray Data executions while installed (Ray Data's own log line)."""

    LOGGER = "ray.data._internal.execution.streaming_executor"

    def __init__(self):
        super().__init__(logging.INFO)
        self.plans: list[list[str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        m = re.match(r"Execution plan of Dataset \S+: (.*)", record.getMessage())
        if m:
            self.plans.append(m.group(1).split(" -> "))

    def __enter__(self) -> ExecutionPlans:
        logger = logging.getLogger(self.LOGGER)
        self.saved_level = logger.level
        logger.setLevel(logging.INFO)
        logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logger = logging.getLogger(self.LOGGER)
        logger.removeHandler(self)
        logger.setLevel(self.saved_level)


def test_tiny_corpus_local_with_every_kind_of_bad_input(ray_cluster, tmp_path):
    recipe = load_recipe(tiny_with_broken_inputs(tmp_path, str(tmp_path / "runs")))
    with ExecutionPlans() as executions:
        [artifact] = run_pipeline(recipe, only=["corpus"])
    # Every pass is one fused task per block (read -> process -> write): rows never go through
    # the object store between operators. A write option that bundles rows (min_rows_per_file)
    # had split pass 2 into a read and a separate map -> write.
    assert len(executions.plans) == 3, executions.plans  # tokenizer training, pass 1, pass 2
    for plan in executions.plans:
        assert len(plan) == 2 and plan[0] == "InputDataBuffer[Input]", plan
    root = str(tmp_path / "runs" / "tiny")
    stats = artifact.metrics["domains"]
    for domain in DOMAINS:
        train, heldout = read_shards(root, domain, "train"), read_shards(root, domain, "heldout")
        assert len(train) > 10 and len(heldout) >= 1, domain
        assert stats[domain]["documents"] == {"train": len(train), "heldout": len(heldout)}
        assert stats[domain]["tokens"]["train"] == sum(r["n_tokens"] for r in train)
        per_domain = json.loads((Path(root) / "corpus" / "stats" / f"{domain}.json").read_text())
        assert per_domain == stats[domain]
        ids = [r["id"] for r in train + heldout]
        assert len(ids) == len(set(ids)), f"{domain}: a document is in both splits or twice"

    rejects = pq.read_table(Path(root) / "corpus" / "rejects" / "rejects.parquet").to_pylist()
    seen = {(Path(r["source"]).name, r["reason"]) for r in rejects}
    assert seen >= EXPECTED_REJECTS, EXPECTED_REJECTS - seen
    line_rejects = [r for r in rejects if Path(r["source"]).name == "records.jsonl"]
    assert {r["location"] for r in line_rejects} >= {"line 2", "line 3", "line 7", "line 8"}
    assert all(r["detail"] for r in rejects)
    # The bundled corpus carries deliberate exact and near duplicates: each is found and named.
    dups = [r for r in rejects if r["reason"] in ("exact_duplicate", "near_duplicate")]
    assert {r["reason"] for r in dups} == {"exact_duplicate", "near_duplicate"}
    assert all(r["detail"].startswith("duplicate of ") for r in dups)
    # Bad lines are counted and the good records around them are kept.
    guideline_ids = {r["id"] for r in read_shards(root, "guidelines", "train") + read_shards(root, "guidelines", "heldout")}
    assert sum(stats["guidelines"]["rejects"].values()) >= 6
    assert stats["clinical"]["rejects"]["invalid_utf8"] == 1
    assert guideline_ids  # the broken file did not take the domain down

    # PHI: every type was found in the clinical notes and none is left in the shards.
    assert all(stats["clinical"]["phi"][kind] > 0 for kind in PHI_PATTERNS), stats["clinical"]["phi"]
    clinical_text = "\n".join(r["text"] for r in read_shards(root, "clinical", "train"))
    assert "[PHONE]" in clinical_text and "[DATE]" in clinical_text
    for kind, pattern in PHI_PATTERNS.items():
        assert not pattern.search(clinical_text), f"{kind} left in clinical shards"
    assert (Path(root) / "corpus" / "tokenizer" / "tokenizer.json").exists()

    # The CLI's summary shows the counts.
    from mediphi.pipeline import show

    text = show(RunContext(recipe))
    assert "invalid_json" in text and "near_duplicate" in text and "clinical" in text


def small_corpus(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "guidelines").mkdir(parents=True)
    shutil.copy(CORPORA / "guidelines" / "guidelines.jsonl", src / "guidelines" / "guidelines.jsonl")
    (src / "medcode").mkdir()
    shutil.copy(CORPORA / "medcode" / "atc_sample.csv", src / "medcode" / "atc.csv")
    return src


def small_recipe(tmp_path: Path, src: str, storage_root: str) -> str:
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump({
        "run": {"name": "small", "storage": storage_root},
        "base": {"source": "tiny", "tiny": {"vocab_size": 600}},
        "corpus": {"domains": {
            "guidelines": {"sources": [{"path": f"{src}/guidelines/*.jsonl", "format": "jsonl"}]},
            "medcode": {"filters": {"min_chars": 40, "max_dup_ngram_fraction": 0.95},
                        "sources": [{"path": f"{src}/medcode/atc.csv", "format": "code_csv", "code_system": "ATC"}]},
        }},
    }))
    return str(path)


def test_rerun_skips_and_changes_rerun(ray_cluster, tmp_path, monkeypatch):
    src = small_corpus(tmp_path)
    recipe_path = small_recipe(tmp_path, str(src), str(tmp_path / "runs"))
    stage = get_stage("corpus")
    hashed: Counter[str] = Counter()
    sha256_file = storage._sha256_file
    monkeypatch.setattr(storage, "_sha256_file", lambda path: hashed.update([path]) or sha256_file(path))
    [first] = run_pipeline(load_recipe(recipe_path), only=["corpus"])
    # The fingerprint reads each input once; the check that the paths exist and the read plan do not.
    assert hashed == Counter({str(p): 1 for p in src.rglob("*") if p.is_file()})
    again = run_stage(stage, RunContext(load_recipe(recipe_path)))
    assert again.manifest["timings"] == first.manifest["timings"], "an unchanged stage must be skipped"

    # A changed input file reruns the stage, and the new content is in the shards.
    path = src / "guidelines" / "guidelines.jsonl"
    words = [f"{w}{i}" for i, w in enumerate(["hygiene", "gloves", "alcohol", "sink", "soap", "clinic"] * 20)]
    extra = {"id": "gl-new", "title": "Hand hygiene", "text": "Recommendation 1: " + " ".join(words)}
    path.write_text(path.read_text() + json.dumps(extra) + "\n")
    changed = run_stage(stage, RunContext(load_recipe(recipe_path)))
    assert changed.manifest["timings"] != first.manifest["timings"]
    assert changed.manifest["inputs"]["files:guidelines"] != first.manifest["inputs"]["files:guidelines"]
    root = str(tmp_path / "runs" / "small")
    ids = {r["id"] for s in ("train", "heldout") for r in read_shards(root, "guidelines", s)}
    assert "gl-new" in ids

    # A changed corpus section reruns it too.
    recipe = load_recipe(recipe_path, ["corpus.heldout_fraction=0.3"])
    rerun = run_stage(stage, RunContext(recipe))
    assert rerun.manifest["config_hash"] != changed.manifest["config_hash"]
    held = rerun.metrics["domains"]["guidelines"]["documents"]["heldout"]
    assert held > changed.metrics["domains"]["guidelines"]["documents"]["heldout"]


def test_tiny_corpus_on_s3(ray_cluster, bucket, tmp_path):
    """The whole bundled corpus read from and written to a real S3 server (moto) on loopback."""
    storage.upload_dir(CORPORA, f"s3://{bucket}/corpora")
    data = yaml.safe_load(TINY.read_text())
    data["run"]["storage"] = f"s3://{bucket}/runs"
    for domain in data["corpus"]["domains"].values():
        for src in domain["sources"]:
            src["path"] = src["path"].replace("package://data/corpora", f"s3://{bucket}/corpora")
    path = tmp_path / "s3.yaml"
    path.write_text(yaml.safe_dump(data))
    recipe = load_recipe(str(path))
    [artifact] = run_pipeline(recipe, only=["corpus"])
    assert artifact.uri == f"s3://{bucket}/runs/tiny/corpus"
    keys = storage.list_tree(artifact.uri)
    for domain in DOMAINS:
        assert any(k.startswith(f"shards/domain={domain}/split=train/") for k in keys), domain
        assert f"stats/{domain}.json" in keys
    assert "rejects/rejects.parquet" in keys and "tokenizer/tokenizer.json" in keys
    assert not any(k.startswith("_scratch") for k in keys)
    assert storage.read_manifest(artifact.uri)["files"] == keys
    assert len(read_shards(artifact.uri.rsplit("/corpus", 1)[0], "clinical", "train")) > 10
    # Inputs on S3 are fingerprinted by ETag: an unchanged rerun is skipped.
    again = run_stage(get_stage("corpus"), RunContext(load_recipe(str(path))))
    assert again.manifest["timings"] == artifact.manifest["timings"]


@pytest.mark.parametrize("missing", ["s3", "local"])
def test_missing_inputs_stop_before_work(s3_server, bucket, tmp_path, missing):
    from mediphi.config import RecipeError

    src = f"s3://{bucket}/nothing-here" if missing == "s3" else str(tmp_path / "nothing-here")
    recipe = load_recipe(small_recipe(tmp_path, src, str(tmp_path / "runs")))
    with pytest.raises(RecipeError, match=r"corpus.domains.guidelines.sources.0.path: no input files"):
        run_pipeline(recipe, only=["corpus"])
    assert not (tmp_path / "runs").exists(), "nothing may be written when the inputs are missing"


def test_read_tasks_carry_only_their_files_and_survive_ray_datas_large_task_path(ray_cluster, tmp_path):
    """Tens of thousands of input files: each read task pickles its own group, not the whole list,
    and one task above Ray Data's 1 MiB warning size (which logs read_fn.__name__) still runs."""
    import pickle

    from mediphi.config import SourceCfg
    from mediphi.corpus.readers import CorpusDatasource

    note = tmp_path / "note.txt"
    note.write_text("Patient seen for follow-up of hypertension; blood pressure well controlled.\n")
    src = SourceCfg(path=str(note), format="text")
    # The same small file 20,000 times, as distinct entries (pickle stores a repeated object once).
    files = [("clinical", src, os.path.join(str(tmp_path), "note.txt"), note.stat().st_size) for _ in range(20_000)]
    source = CorpusDatasource(files, 4_000_000, 256_000_000)
    tasks = source.get_read_tasks(8)
    assert len(tasks) == 8
    assert all(len(pickle.dumps(t)) < len(pickle.dumps(files)) / 4 for t in tasks)  # a share, not all
    one = source.get_read_tasks(1)[0]
    assert len(pickle.dumps(one)) > 1 << 20
    ds = ray_cluster.data.read_datasource(source, override_num_blocks=1)
    assert ds.count() == 20_000
