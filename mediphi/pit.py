"""The pit stage: pre-instruction tuning data for every domain (Jiang et al., ACL 2024).

1. Chunk each domain's train documents to `pit.chunk_tokens` tokens.
2. The generator writes `qa_per_chunk` question/answer pairs per chunk, as JSON constrained by a
   schema (guided decoding), with the per-domain prompts in data/prompts/pit.yaml. Generations
   that fail, do not parse or are empty are counted and dropped; the stage goes on.
3. Build the schedule: phase 1 the QA pairs alone, phase 2 the documents with a share of the QA
   mixed in (or one mixed phase, or documents only, per `ordering`); QA in the base's chat
   template, documents as plain text.
4. Tokenize and pack into `base.seq_len` sequences (loss on answers only, or on all tokens) and
   write parquet per domain and phase: <domain>/phase1/, <domain>/phase2/ (rows in training order).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from importlib import resources

import pyarrow as pa
import yaml

from mediphi import storage
from mediphi.config import PitCfg, Recipe
from mediphi.context import RunContext
from mediphi.packing import IGNORE, pack, to_table
from mediphi.worker_cache import cached

log = logging.getLogger("mediphi.pit")


def domains_of(recipe: Recipe) -> list[str]:
    return list(recipe.experts.domains or recipe.corpus.domains)


def qa_schema(k: int, max_answer_chars: int, max_question_chars: int = 200) -> dict:
    pair = {"type": "object", "additionalProperties": False, "required": ["question", "answer"],
            "properties": {"question": {"type": "string", "minLength": 8, "maxLength": max_question_chars},
                           "answer": {"type": "string", "minLength": 1, "maxLength": max_answer_chars}}}
    return {"type": "object", "additionalProperties": False, "required": ["pairs"],
            "properties": {"pairs": {"type": "array", "items": pair, "minItems": k, "maxItems": k}}}


def union_all(datasets: list):
    """One Ray Data dataset of all of `datasets` (at least one). Ray 2.60's planner asserts on a
    union with no other dataset, so one dataset is returned as it is."""
    return datasets[0].union(*datasets[1:]) if len(datasets) > 1 else datasets[0]


def load_prompts(cfg: PitCfg) -> dict:
    from pathlib import Path

    text = (Path(cfg.prompts).read_text() if cfg.prompts
            else (resources.files("mediphi") / "data" / "prompts" / "pit.yaml").read_text())
    return yaml.safe_load(text)


class Chunker:
    """Ray Data callable: train documents -> passages of at most chunk_tokens tokens."""

    def __init__(self, tokenizer: dict[str, bytes], chunk_tokens: int):
        from mediphi.models.refs import load_tokenizer

        self.tok = load_tokenizer(tokenizer)  # by value: see refs.tokenizer_files
        self.n = chunk_tokens

    def __call__(self, batch: pa.Table) -> pa.Table:
        out = {"domain": [], "doc_id": [], "chunk": [], "passage": []}
        enc = self.tok(batch.column("text").to_pylist(), add_special_tokens=False)["input_ids"]
        for domain, doc_id, ids in zip(batch.column("domain").to_pylist(), batch.column("id").to_pylist(), enc,
                                       strict=True):
            for c, start in enumerate(range(0, len(ids), self.n)):
                piece = ids[start: start + self.n]
                if len(piece) < self.n // 4 and start > 0:
                    continue  # a short tail repeats its document's last chunk's context
                out["domain"].append(domain)
                out["doc_id"].append(doc_id)
                out["chunk"].append(c)
                out["passage"].append(self.tok.decode(piece))
        return pa.table(out)


def select_chunks(docs: dict, tokenizer: dict[str, bytes], cfg: PitCfg):
    """Every domain's chunks (`docs`: domain -> its train documents, a Ray dataset), at most
    max_chunks_per_domain of them: the first ones in the train shards' file order, materialized.

    In order, so that the same corpus gives the same chunks: a limit over a stream that is not
    ordered keeps whichever chunks arrive first, and with a domain in two shard files the tiny
    recipe's medcode QA came from a different 15 of its 60 chunks on each run.
    """
    import ray

    chunk_sets = []
    for ds in docs.values():
        # An actor, not a task as the Formatter below: the limit cancels the chunking it no longer
        # needs, and a task cancelled while importing torch (transformers imports it) leaves its
        # pooled worker process unable to import torch again: the next task Ray gives that worker
        # fails ("duplicate registrations for aten.linspace", "partially initialized module
        # 'torch'"; seen in the pit test, reproduced with a bare limit). An actor's process ends
        # with the actor.
        chunks = ds.map_batches(Chunker, fn_constructor_kwargs={"tokenizer": tokenizer, "chunk_tokens": cfg.chunk_tokens},
                                batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(size=1))
        if cfg.max_chunks_per_domain:
            chunks = chunks.limit(cfg.max_chunks_per_domain)
        chunk_sets.append(chunks)
    chunks = union_all(chunk_sets)
    chunks.context.execution_options.preserve_order = True
    # Chunk first, then generate: streaming both at once keeps one chunker actor per domain alive
    # beside the generation pipeline's actors, and on a small cluster they can hold every CPU the
    # generator's last stage needs (a deadlock). The chunks are small: text, bounded per domain.
    selected = chunks.materialize()
    # Derived datasets copy the context: the generation reading these chunks has no need to wait
    # for its slowest batch (the stage orders the results itself).
    selected.context.execution_options.preserve_order = False
    return selected


def _requests(batch: dict, prompts: dict, k: int, schema: str, max_tokens: int, temperature: float) -> dict:
    messages = []
    for domain, passage in zip(batch["domain"], batch["passage"], strict=True):
        user = prompts["domains"][domain].format(k=k, passage=passage)
        messages.append([{"role": "system", "content": prompts["system"]}, {"role": "user", "content": user}])
    n = len(messages)
    return {**batch, "messages": messages, "json_schema": [schema] * n,
            "sampling": [{"max_tokens": max_tokens, "temperature": temperature}] * n}


def parse_pairs(text: str, error: str, k: int) -> tuple[list[dict], str]:
    """The QA pairs of one generation, or the reason it was dropped."""
    if error:
        return [], "generation_error"
    if not text.strip():
        return [], "empty_generation"
    try:
        pairs = json.loads(text, strict=False)["pairs"]  # raw control characters: a tiny model writes them
    except (json.JSONDecodeError, KeyError, TypeError):
        return [], "unparseable_json"
    good = [p for p in pairs if isinstance(p, dict) and str(p.get("question", "")).strip()
            and str(p.get("answer", "")).strip()]
    if not good:
        return [], "empty_pairs"
    return good[:k], ""


class Formatter:
    """Ray Data callable: examples (QA or document) in schedule order -> packed sequences."""

    def __init__(self, tokenizer: dict[str, bytes], seq_len: int, loss_on: str):
        from mediphi.models.refs import load_tokenizer

        self.tok = load_tokenizer(tokenizer)
        self.seq_len, self.loss_on = seq_len, loss_on

    def _encode(self, kind: str, text: str, question: str, answer: str) -> tuple[list[int], list[int]]:
        if kind == "doc":
            ids = self.tok(text, add_special_tokens=False)["input_ids"]
            return ids, ids
        user = [{"role": "user", "content": question}]
        prompt = self.tok.apply_chat_template(user, add_generation_prompt=True, tokenize=True,
                                              return_dict=True)["input_ids"]
        full = self.tok.apply_chat_template(user + [{"role": "assistant", "content": answer}], tokenize=True,
                                            return_dict=True)["input_ids"]
        if self.loss_on == "all":
            return full, full
        n = len(prompt) if full[: len(prompt)] == prompt else 0
        return full, [IGNORE] * n + full[n:]

    def __call__(self, batch: pa.Table) -> pa.Table:
        cols = {c: batch.column(c).to_pylist() for c in ("kind", "text", "question", "answer")}
        seqs = (self._encode(*row) for row in zip(*cols.values(), strict=True))
        return to_table(list(pack(seqs, self.seq_len, self.tok.eos_token_id)))


def format_batch(batch: pa.Table, tokenizer: dict[str, bytes], seq_len: int, loss_on: str) -> pa.Table:
    """The Formatter as a task, built once per worker process (see mediphi.worker_cache)."""
    return cached(Formatter, tokenizer=tokenizer, seq_len=seq_len, loss_on=loss_on)(batch)


def packed_phase(examples, tokenizer: dict[str, bytes], seq_len: int, loss_on: str):
    """A phase's examples (from _schedule) packed into sequences, in the order its seeded shuffles give.

    Without preserve_order the shuffles' inputs (a union, reads in several blocks) arrive in
    the order their blocks happen to finish, so the same seed gave another schedule on every
    run; the inputs are small, and ordered they gave the same sequences three runs out of three.
    """
    packed = examples.map_batches(format_batch, fn_kwargs={"tokenizer": tokenizer, "seq_len": seq_len,
                                                           "loss_on": loss_on},
                                  batch_format="pyarrow", batch_size=256)
    packed.context.execution_options.preserve_order = True
    return packed


def run(cfg: PitCfg, ctx: RunContext) -> dict:
    import ray

    from mediphi.base import train_shards
    from mediphi.models.refs import resolve, tokenizer_files
    from mediphi.serving.batch import generate

    recipe = ctx.recipe
    ctx.ensure_ray()
    corpus = ctx.artifact("corpus")
    base_tokenizer = tokenizer_files(resolve("base", ctx))
    # The URI, not a copy on this machine: the engine may run on another node (see serving.batch).
    generator = resolve(recipe.serve.generator, ctx)
    domains = domains_of(recipe)
    fs, _ = storage.filesystem(corpus.uri)
    prompts = load_prompts(cfg)
    missing = [d for d in domains if d not in prompts["domains"]]
    if missing:
        raise ValueError(f"the PIT prompts have no entry for domain(s) {missing}")

    # 1-2. chunks of every domain, one generation pass (one engine) for all of them.
    docs = {d: ray.data.read_parquet(storage.filesystem(train_shards(corpus.uri, [d])[0])[1], filesystem=fs,
                                     columns=["id", "text"]).add_column("domain", lambda b, d=d: pa.array([d] * len(b)))
            for d in domains}
    chunks = select_chunks(docs, base_tokenizer, cfg)
    schema = json.dumps(qa_schema(cfg.qa_per_chunk, cfg.max_answer_chars, cfg.max_question_chars))
    requests = chunks.map_batches(_requests, fn_kwargs={"prompts": prompts, "k": cfg.qa_per_chunk, "schema": schema,
                                                        "max_tokens": cfg.max_new_tokens,
                                                        "temperature": cfg.temperature}, batch_format="numpy")
    # Generations finish in a different order on every run, and phase 1 is a seeded shuffle of
    # each domain's QA list: the list is put in one order first (a chunk is its document and
    # position; the rows are grouped by domain below, so the domains' order does not matter).
    generated = sorted(generate(requests, generator, recipe.generation, recipe.serve).take_all(),
                       key=lambda r: (r["domain"], r["doc_id"], int(r["chunk"])))

    qa: dict[str, list[dict]] = {d: [] for d in domains}
    drops: dict[str, Counter] = {d: Counter() for d in domains}
    first_error: dict[str, str] = {}
    for row in generated:
        pairs, reason = parse_pairs(row["generated_text"], row["error"], cfg.qa_per_chunk)
        if reason:
            drops[row["domain"]][reason] += 1
            first_error.setdefault(row["domain"], (row["error"] or row["generated_text"])[:300])
        for p in pairs:
            qa[row["domain"]].append({"domain": row["domain"], "doc_id": row["doc_id"], "chunk": int(row["chunk"]),
                                      "question": str(p["question"]), "answer": str(p["answer"])})
    all_qa = [r for d in domains for r in qa[d]]
    storage.write_parquet(pa.Table.from_pylist(all_qa, schema=QA_SCHEMA), storage.join(ctx.out, "qa", "qa.parquet"))

    # 3-4. the schedule per domain, tokenized and packed, one folder per phase.
    metrics: dict = {"domains": {}, "generator": recipe.serve.generator}
    for d in domains:
        doc_count = sum(corpus.metrics["domains"][d]["documents"].values()) if "domains" in corpus.metrics else 0
        phases = _schedule(cfg, docs[d], qa[d], recipe.run.seed, doc_count)
        counts = {}
        for phase, ds in phases.items():
            out_fs, path = storage.filesystem(storage.join(ctx.out, d, phase))
            packed_phase(ds, base_tokenizer, recipe.base.seq_len, cfg.loss_on).write_parquet(path, filesystem=out_fs)
            counts[phase] = _count_rows(storage.join(ctx.out, d, phase))
        chunks_generated = sum(1 for r in generated if r["domain"] == d)
        metrics["domains"][d] = {"chunks": chunks_generated, "qa_pairs": len(qa[d]),
                                 "dropped_generations": dict(drops[d]), "sequences": counts}
        if d in first_error:  # one example, so a run that drops everything says why
            metrics["domains"][d]["example_drop"] = first_error[d]
        log.info("pit %s: %d chunks, %d QA pairs, %s dropped, sequences %s", d, chunks_generated, len(qa[d]),
                 dict(drops[d]) or 0, counts)
    return metrics


QA_SCHEMA = pa.schema([("domain", pa.string()), ("doc_id", pa.string()), ("chunk", pa.int64()),
                       ("question", pa.string()), ("answer", pa.string())])


def _schedule(cfg: PitCfg, docs, qa: list[dict], seed: int, doc_count: int) -> dict:
    """{phase: dataset of examples in training order}: rows {kind, text, question, answer}."""
    import ray

    doc_rows = docs.map_batches(lambda b: {"kind": ["doc"] * len(b["text"]), "text": b["text"],
                                           "question": [""] * len(b["text"]), "answer": [""] * len(b["text"])},
                                batch_format="numpy")
    qa_rows = [{"kind": "qa", "text": "", "question": r["question"], "answer": r["answer"]} for r in qa]
    qa_ds = ray.data.from_items(qa_rows) if qa_rows else None

    # A random shuffle keeps its input's block count, which after the reads and maps can be
    # hundreds of tiny blocks (minutes of task overhead on a small domain): size it by the rows.
    blocks = max(1, min(64, (doc_count + len(qa_rows)) // 5000 + 1))

    def repeat(ds, epochs: int, salt: int):
        ds = ds.repartition(blocks)
        return union_all([ds.random_shuffle(seed=seed + salt + e) for e in range(epochs)])

    if cfg.ordering == "docs_only" or qa_ds is None:
        return {"phase2": repeat(doc_rows, cfg.phase2_epochs, 2)}
    if cfg.ordering == "mixed":
        return {"phase2": repeat(doc_rows.union(qa_ds), cfg.phase2_epochs, 2)}
    phases = {}
    if cfg.phase1_epochs:
        phases["phase1"] = repeat(qa_ds, cfg.phase1_epochs, 1)
    mixed = doc_rows
    if cfg.qa_mix_ratio > 0:
        mixed = doc_rows.union(qa_ds.random_sample(cfg.qa_mix_ratio, seed=seed) if cfg.qa_mix_ratio < 1 else qa_ds)
    phases["phase2"] = repeat(mixed, cfg.phase2_epochs, 2)
    return phases


def _count_rows(uri: str) -> int:
    import pyarrow.dataset as pads

    if not storage.exists(uri):  # nothing to write (too few tokens for one sequence): S3 has no empty folders
        return 0
    fs, path = storage.filesystem(uri)
    return pads.dataset(path, filesystem=fs, format="parquet").count_rows()


def phase_paths(pit_uri: str, domain: str) -> list[str]:
    """The packed parquet files of a domain in training order (phase 1's before phase 2's)."""
    out = []
    for phase in ("phase1", "phase2"):
        uri = storage.join(pit_uri, domain, phase)
        if storage.exists(uri):
            out += sorted(storage.join(uri, k) for k in storage.list_tree(uri) if k.endswith(".parquet"))
    return out


def summarize(manifest: dict) -> str:
    from mediphi.tables import format_table

    rows = [("domain", "chunks", "QA pairs", "dropped", "phase1 seqs", "phase2 seqs")]
    for d, m in manifest.get("metrics", {}).get("domains", {}).items():
        rows.append((d, m["chunks"], m["qa_pairs"], sum(m["dropped_generations"].values()),
                     m["sequences"].get("phase1", 0), m["sequences"].get("phase2", 0)))
    return format_table(rows)
