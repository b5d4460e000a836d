"""Pre-instruction tuning data: parsing generations, formatting and masking, the phase schedule,
and the stage itself with real generation (vLLM on CPU) on a small run."""

from __future__ import annotations

import json

import jsonschema
import pyarrow as pa
import pyarrow.dataset as pads
import pytest

from mediphi.config import PitCfg, load_recipe
from mediphi.models.refs import tokenizer_files
from mediphi.packing import IGNORE
from mediphi.pit import Chunker, Formatter, _schedule, packed_phase, parse_pairs, qa_schema, select_chunks

from .runs import fake_run, recipe_yaml


def test_parse_pairs_counts_every_kind_of_bad_generation():
    good = json.dumps({"pairs": [{"question": "What dose was given?", "answer": "5 mg"},
                                 {"question": "Which side?", "answer": "left"}]})
    assert parse_pairs(good, "", 2) == (json.loads(good)["pairs"], "")
    assert parse_pairs("", "engine died", 2) == ([], "generation_error")
    assert parse_pairs("   ", "", 2) == ([], "empty_generation")
    assert parse_pairs('{"pairs": [{"question": "trunc', "", 2) == ([], "unparseable_json")
    assert parse_pairs('{"pairs": [{"question": " ", "answer": ""}]}', "", 2) == ([], "empty_pairs")
    # The schema the generator is held to accepts exactly k pairs.
    schema = qa_schema(2, 100)
    jsonschema.validate(json.loads(good), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"pairs": json.loads(good)["pairs"][:1]}, schema)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("pit")
    fake_run(root / "runs" / "pit")
    return root


def test_formatter_masks_questions_when_loss_is_on_answers(small_run):
    model = str(small_run / "runs" / "pit" / "base" / "model")
    batch = pa.table({"kind": ["qa", "doc"], "text": ["", "recommend adults therapy " * 30],
                      "question": ["which therapy is recommended", ""], "answer": ["strong grade therapy", ""]})
    answers = Formatter(tokenizer_files(model), 32, "answers")
    ids, labels = answers._encode("qa", "", "which therapy is recommended", "strong grade therapy")
    masked = [i for i, lab in enumerate(labels) if lab == IGNORE]
    assert masked and masked == list(range(len(masked))), "the prompt (and only it) is masked"
    assert labels[len(masked):] == ids[len(masked):]
    ids_all, labels_all = Formatter(tokenizer_files(model), 32, "all")._encode("qa", "", "which therapy is recommended",
                                                               "strong grade therapy")
    assert labels_all == ids_all
    packed = answers(batch).to_pylist()
    assert packed and all(len(r["input_ids"]) == 32 == len(r["labels"]) for r in packed)


def test_the_same_seed_packs_the_same_schedule_on_every_run(ray_cluster, small_run):
    """The phases are seeded shuffles of a union of many blocks; their order must not depend on
    which block happened to finish first."""
    import ray

    tokenizer = tokenizer_files(str(small_run / "runs" / "pit" / "base" / "model"))
    texts = [f"document {i} recommends therapy {i % 7} for adults " * 8 for i in range(300)]
    qa = [{"question": f"which therapy {i}", "answer": f"therapy {i % 7}"} for i in range(60)]
    cfg = PitCfg(phase1_epochs=1, phase2_epochs=2, qa_mix_ratio=0.5)

    def schedule() -> dict[str, list]:
        docs = ray.data.from_items([{"id": str(i), "text": t} for i, t in enumerate(texts)], override_num_blocks=8)
        return {phase: [list(r["input_ids"]) for r in packed_phase(ds, tokenizer, 32, "answers").take_all()]
                for phase, ds in _schedule(cfg, docs, qa, seed=3, doc_count=len(texts)).items()}

    first = schedule()
    assert set(first) == {"phase1", "phase2"} and len(first["phase2"]) > 100
    assert schedule() == first


def test_the_same_corpus_gives_the_same_chunks_the_first_in_file_order(ray_cluster, small_run, tmp_path):
    """max_chunks_per_domain keeps a domain's first chunks in shard-file order, whichever read
    finishes first. The second file's read is made slow here: the files after it are read and
    chunked while it sleeps, and a limit over the stream as it arrives would keep their chunks."""
    import time

    import pyarrow.parquet as pq
    import ray

    tokenizer = tokenizer_files(str(small_run / "runs" / "pit" / "base" / "model"))
    tables = []
    for j, n in enumerate([3, 40, 3, 3, 3, 3]):
        rows = [{"id": f"part-{j}:{i}", "text": f"part {j} document {i} recommends therapy {i % 7} for adults " * 6}
                for i in range(n)]
        tables.append(pa.Table.from_pylist(rows))
        pq.write_table(tables[-1], tmp_path / f"part-{j}.parquet")
    cfg = PitCfg(chunk_tokens=24, max_chunks_per_domain=30)
    one_pass = Chunker(tokenizer, cfg.chunk_tokens)(
        pa.concat_tables(tables).append_column("domain", pa.array(["pubmed"] * sum(t.num_rows for t in tables))))
    expected = list(zip(one_pass.column("doc_id").to_pylist(), one_pass.column("chunk").to_pylist(),
                        strict=True))[:30]
    assert {doc.split(":")[0] for doc, _ in expected} == {"part-0", "part-1"}

    def slow_second_file(batch: pa.Table) -> pa.Table:
        if batch.num_rows and batch.column("id")[0].as_py().startswith("part-1:"):
            time.sleep(3)
        return batch.append_column("domain", pa.array(["pubmed"] * batch.num_rows))

    docs = ray.data.read_parquet(str(tmp_path)).map_batches(slow_second_file, batch_format="pyarrow")
    rows = select_chunks({"pubmed": docs}, tokenizer, cfg).take_all()
    assert [(r["doc_id"], r["chunk"]) for r in rows] == expected


def test_pit_stage_generates_and_writes_phases_in_order(ray_cluster, small_run):
    from mediphi.context import RunContext
    from mediphi.pipeline import get_stage, run_stage

    path = recipe_yaml(small_run, small_run / "runs", "pit")
    recipe = load_recipe(str(path), ["pit.max_chunks_per_domain=6", "pit.qa_per_chunk=2", "pit.chunk_tokens=48",
                                     "pit.max_answer_chars=32", "pit.max_question_chars=32", "pit.max_new_tokens=400", "pit.phase2_epochs=2",
                                     "serve.engine_args.max_model_len=512"])
    artifact = run_stage(get_stage("pit"), RunContext(recipe))
    metrics = artifact.metrics["domains"]
    root = small_run / "runs" / "pit" / "pit"
    for domain, m in metrics.items():
        assert m["chunks"] == 6
        assert m["qa_pairs"] >= 2, m  # constrained decoding makes most generations parse
        # Every chunk either gave its pairs or was counted as dropped: nothing vanished.
        assert m["qa_pairs"] + 2 * sum(m["dropped_generations"].values()) >= 2 * m["chunks"] - 1
        phase1 = pads.dataset(str(root / domain / "phase1")).to_table().to_pylist() if m["qa_pairs"] else []
        phase2 = pads.dataset(str(root / domain / "phase2")).to_table().to_pylist()
        assert len(phase2) == m["sequences"]["phase2"] > 0
        assert all(len(r["input_ids"]) == 64 for r in phase1 + phase2)
        if phase1:  # QA only, answers only: phase 1 rows carry masked positions
            assert all(IGNORE in r["labels"] for r in phase1)
    qa = pads.dataset(str(root / "qa")).to_table()
    assert set(qa.column_names) == {"domain", "doc_id", "chunk", "question", "answer"}
    assert PitCfg().ordering == "pit"
