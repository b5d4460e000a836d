"""Replay in the experts stage: the other domains' documents mixed into an expert's document
phase, its QA phase still first and pure."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq

from mediphi.context import Artifact
from mediphi.experts import _with_replay


def write_pit(root, sizes: dict[str, dict[str, int]]) -> Artifact:
    """Packed sequences whose first token says where they come from: domain index * 10 + phase."""
    metrics = {"domains": {}}
    for i, (domain, phases) in enumerate(sizes.items()):
        for phase, n in phases.items():
            tag = i * 10 + int(phase[-1])
            out = root / domain / phase
            out.mkdir(parents=True)
            pq.write_table(pa.table({"input_ids": [[tag, j] for j in range(n)], "labels": [[tag, j] for j in range(n)]}),
                           out / "0.parquet")
        metrics["domains"][domain] = {"sequences": phases}
    return Artifact("pit", str(root), {"metrics": metrics})


def test_replay_mixes_other_domains_into_the_document_phase_only(ray_cluster, tmp_path):
    pit = write_pit(tmp_path, {"pubmed": {"phase1": 20, "phase2": 300},
                               "clinical": {"phase1": 10, "phase2": 400},
                               "medcode": {"phase1": 10, "phase2": 200}})
    data, replayed = _with_replay(pit, "pubmed", ["pubmed", "clinical", "medcode"], 0.5, seed=0)
    tags = [int(r["input_ids"][0]) for r in data.take_all()]
    # 300 own documents at a half share: 300 replayed, 150 from each other domain
    assert replayed == 300 and len(tags) == 20 + 300 + 300
    assert tags[:20] == [1] * 20, "the QA phase comes first, unmixed"
    rest = tags[20:]
    # exactly the own documents and an even share of the others' documents: no QA rows (1, 11, 21)
    assert Counter(rest) == {2: 300, 12: 150, 22: 150}, Counter(rest)
    # shuffled in, not appended: replayed sequences appear in the first half of the phase
    assert {12, 22} & set(rest[:150])


def test_no_replay_for_a_single_domain(ray_cluster, tmp_path):
    pit = write_pit(tmp_path, {"pubmed": {"phase2": 30}})
    assert _with_replay(pit, "pubmed", ["pubmed"], 0.5, seed=0) == (None, 0)


def test_replay_from_the_one_other_domain_of_a_two_domain_recipe(ray_cluster, tmp_path):
    """One other domain gives one replay part: no union of one dataset (Ray Data's planner
    asserts on it, and the experts stage of every two-domain recipe failed)."""
    pit = write_pit(tmp_path, {"pubmed": {"phase1": 10, "phase2": 100}, "clinical": {"phase2": 200}})
    data, replayed = _with_replay(pit, "pubmed", ["pubmed", "clinical"], 0.5, seed=0)
    tags = [int(r["input_ids"][0]) for r in data.take_all()]
    assert replayed == 100 and tags[:10] == [1] * 10
    assert Counter(tags[10:]) == {2: 100, 12: 100}
