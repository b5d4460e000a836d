"""Build small run folders for tests: real tiny models and real artifacts with manifests, without
running the slow upstream stages (the pipeline tests run those)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mediphi import storage
from mediphi.config import TinyModelCfg

WORDS = {
    "guidelines": ["recommend", "adults", "therapy", "evidence", "strong", "grade", "certainty", "dose", "monitoring", "review"],
    "medcode": ["code", "category", "diabetes", "mellitus", "type", "unspecified", "complication", "chronic", "acute", "billable"],
}


def domain_text(domain: str, i: int, n_words: int = 120) -> str:
    rng = np.random.default_rng(hash((domain, i)) % (1 << 32))
    words = WORDS[domain]
    return " ".join(words[j] for j in rng.integers(0, len(words), n_words)) + f" {domain} document {i}."


def write_manifest(uri: str, stage: str, metrics: dict) -> None:
    manifest = {"stage": stage, "config_hash": "test", "inputs": {}, "metrics": metrics,
                "timings": {"started": time.time(), "seconds": 0}, "files": storage.list_tree(uri)}
    storage.write_text(storage.join(uri, "manifest.json"), json.dumps(manifest))


def tiny_base(model_dir: Path, texts: list[str], hidden: int = 64) -> None:
    from mediphi.models.tiny import build_model, train_tokenizer

    train_tokenizer(texts, 400, model_dir.parent / "tokenizer")
    cfg = TinyModelCfg(vocab_size=400, hidden_size=hidden, intermediate_size=2 * hidden, num_hidden_layers=2,
                       num_attention_heads=2, max_position_embeddings=2048)
    build_model(cfg, model_dir.parent / "tokenizer", model_dir)


def fake_run(root: Path, domains: tuple[str, ...] = ("guidelines", "medcode"), seq_len: int = 64,
             rows_per_domain: int = 120) -> None:
    """corpus (held-out shards), base (a tiny model) and pit (packed sequences) artifacts."""
    from transformers import AutoTokenizer

    from mediphi.packing import pack, to_table

    texts = {d: [domain_text(d, i) for i in range(60)] for d in domains}
    for d in domains:
        for split, part in (("heldout", slice(0, 8)), ("train", slice(8, None))):
            shard = root / "corpus" / "shards" / f"domain={d}" / f"split={split}"
            shard.mkdir(parents=True)
            rows = texts[d][part]
            pq.write_table(pa.table({"id": [f"{d}-{split}{i}" for i in range(len(rows))], "text": rows}),
                           shard / "0.parquet")
    write_manifest(str(root / "corpus"), "corpus", {})
    tiny_base(root / "base" / "model", [t for ts in texts.values() for t in ts])
    write_manifest(str(root / "base"), "base", {"built": True})
    tok = AutoTokenizer.from_pretrained(str(root / "base" / "model"))
    pit_metrics = {"domains": {}}
    for d in domains:
        ids = tok([domain_text(d, 1000 + i) for i in range(rows_per_domain)], add_special_tokens=False)["input_ids"]
        chunks = list(pack(((x, x) for x in ids), seq_len, tok.eos_token_id))
        out = root / "pit" / d / "phase2"
        out.mkdir(parents=True)
        pq.write_table(to_table(chunks), out / "0.parquet")
        pit_metrics["domains"][d] = {"chunks": 0, "qa_pairs": 0, "dropped_generations": {},
                                     "sequences": {"phase2": len(chunks)}}
    write_manifest(str(root / "pit"), "pit", pit_metrics)


def recipe_yaml(root: Path, storage_root: Path, name: str, domains=("guidelines", "medcode"), **experts) -> Path:
    """A recipe whose run folder is `storage_root/name` (the fake run built above)."""
    import yaml

    train = {"max_steps": 40, "save_steps": 10, "logging_steps": 5, "per_device_batch_size": 4,
             "learning_rate": 0.003, "num_checkpoints_to_keep": 2, **experts}
    recipe = {
        "run": {"name": name, "storage": str(storage_root), "ray": {"num_cpus": 8}},
        "base": {"source": "tiny", "seq_len": 64},
        "corpus": {"domains": {d: {"sources": [{"path": str(root), "format": "text"}]} for d in domains}},
        "experts": {"train": train, "max_steps_from_data": False},
        "eval": {"perplexity_max_tokens": 2000},
    }
    path = root / f"{name}.yaml"
    path.write_text(yaml.safe_dump(recipe))
    return path
