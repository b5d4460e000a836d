"""The corpus stage: read -> normalise -> PHI scrub -> filter -> dedup -> split -> parquet shards.

Streaming on Ray Data, in two passes so memory is bounded by block size, not corpus size:
  1. read every source, clean, filter, tokenize (token counts and MinHash shingles) and write
     the processed rows to scratch parquet;
  2. on the driver, read only the small columns (ids, hashes, signatures) to decide duplicates,
     write rejects and stats; then stream the scratch rows once more into the final shards.

Output (under the stage folder):
  shards/domain=<d>/split=<train|heldout>/*.parquet   {id, domain, source, title, text, meta, n_tokens}
  stats/<d>.json, stats.json                          documents, tokens, drops by reason, PHI counts
  rejects/rejects.parquet                             every row not kept, with file, location, reason
  tokenizer/                                          the tokenizer used (trained here for a tiny base)
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from mediphi import storage
from mediphi.config import CorpusCfg, Recipe, RecipeError
from mediphi.context import RunContext
from mediphi.corpus.clean import PHI_TYPES, normalize_column, quality_issue, scrub_phi_column
from mediphi.corpus.dedup import Signer, find_duplicates
from mediphi.tables import format_table
from mediphi.worker_cache import cached

log = logging.getLogger("mediphi.corpus")

SMALL_COLUMNS = ["row_key", "id", "domain", "source", "location", "title", "reason", "detail", "n_tokens",
                 "content_hash", "signature", *[f"phi_{t}" for t in PHI_TYPES]]
SHARD_COLUMNS = ["id", "domain", "source", "title", "text", "meta", "n_tokens", "split"]
PASS2_COLUMNS = ["row_key", "reason", "content_hash", *[c for c in SHARD_COLUMNS if c != "split"]]


# --- checks before any work, and the inputs that decide whether the stage reruns ---------------


def _files(cfg: CorpusCfg) -> dict[str, list[list[storage.FileRef]]]:
    return {d: [storage.expand(s.path) for s in dc.sources] for d, dc in cfg.domains.items()}


def preflight(cfg: CorpusCfg, recipe: Recipe) -> None:
    for domain, per_source in _files(cfg).items():
        for i, refs in enumerate(per_source):
            if not refs:
                path = cfg.domains[domain].sources[i].path
                raise RecipeError(f"corpus.domains.{domain}.sources.{i}.path: no input files at {path}")
    if cfg.tokenizer is None and recipe.base.source == "pretrained" and not recipe.base.path:
        raise RecipeError("corpus.tokenizer is unset and the base has no path to take one from")


def inputs(cfg: CorpusCfg, ctx: RunContext) -> dict[str, str]:
    """One content digest per domain over its files (path + sha256/ETag), plus the tokenizer."""
    out = {}
    for domain, per_source in _files(cfg).items():
        h = hashlib.sha256()
        for refs in per_source:
            for r in refs:
                h.update(f"{r.uri}\0{r.fingerprint}\n".encode())
        out[f"files:{domain}"] = h.hexdigest()[:16]
    return out


# --- the per-batch work (runs in Ray Data tasks) ----------------------------------------------


class Processor:
    """Normalise, scrub, filter, tokenize and sign one batch of rows from the readers."""

    def __init__(self, cfg_json: str, tokenizer_json: str | None):
        from tokenizers import Tokenizer

        self.cfg = CorpusCfg.model_validate_json(cfg_json)
        self.tok = Tokenizer.from_str(tokenizer_json) if tokenizer_json else None
        self.signer = Signer(self.cfg.dedup.num_perm, self.cfg.dedup.shingle_tokens)
        self.filters = {d: dc.filters or self.cfg.filters for d, dc in self.cfg.domains.items()}
        self.scrubbed = {d: dc.phi_scrub if dc.phi_scrub is not None else d == "clinical"
                         for d, dc in self.cfg.domains.items()}

    def __call__(self, batch: pa.Table) -> pa.Table:
        # Clean-up and scrub run over whole columns (Arrow kernels); only the filters, the
        # content hash and the tokenizer's input need Python strings, and id/meta never leave Arrow.
        n = batch.num_rows
        domains = batch.column("domain").to_pylist()
        reasons, details = batch.column("reason").to_pylist(), batch.column("detail").to_pylist()
        ok = np.array([not r for r in reasons], dtype=bool)
        texts = normalize_column(batch.column("text").combine_chunks())
        titles = normalize_column(batch.column("title").combine_chunks())
        phi = {t: np.zeros(n, dtype=np.int64) for t in PHI_TYPES}
        scrub = ok & np.array([self.scrubbed[d] for d in domains], dtype=bool)
        if scrub.any():
            rows, mask = np.flatnonzero(scrub), pa.array(scrub)
            scrubbed, counts = scrub_phi_column(texts.take(rows))
            texts = pc.replace_with_mask(texts, mask, scrubbed)
            titles = pc.replace_with_mask(titles, mask, scrub_phi_column(titles.take(rows))[0])
            for t, c in counts.items():
                phi[t][rows] = c
        text_list = texts.to_pylist()
        n_tokens, hashes, signatures = [0] * n, [""] * n, [b""] * n
        keep_idx = []
        for i in np.flatnonzero(ok).tolist():
            issue = quality_issue(text_list[i], self.filters[domains[i]])
            if issue:
                reasons[i], details[i] = issue, f"{len(text_list[i])} chars after clean-up"
                continue
            hashes[i] = hashlib.sha1(text_list[i].encode()).hexdigest()
            keep_idx.append(i)
        if self.tok is not None and keep_idx:
            # One batched call: the Rust tokenizer parallelises across documents. The _fast
            # variant skips the character offsets, which nothing here uses (same ids).
            ids = [e.ids for e in self.tok.encode_batch_fast([text_list[i] for i in keep_idx],
                                                              add_special_tokens=False)]
            for i, sig, doc in zip(keep_idx, self.signer.signatures(ids), ids, strict=True):
                n_tokens[i], signatures[i] = len(doc), sig.tobytes()
        columns = {
            "row_key": pc.binary_join_element_wise(batch.column("source"), batch.column("location"), "#"),
            "id": batch.column("id"), "domain": batch.column("domain"), "source": batch.column("source"),
            "location": batch.column("location"), "title": titles, "text": texts, "meta": batch.column("meta"),
            "reason": reasons, "detail": details, "n_tokens": n_tokens, "content_hash": hashes,
            "signature": signatures, **{f"phi_{t}": phi[t] for t in PHI_TYPES},
        }
        return pa.table({f.name: pa.array(columns[f.name], type=f.type) if isinstance(columns[f.name], list)
                         else columns[f.name] for f in PROCESSED_SCHEMA}, schema=PROCESSED_SCHEMA)


PROCESSED_SCHEMA = pa.schema(
    [
        ("row_key", pa.string()), ("id", pa.string()), ("domain", pa.string()), ("source", pa.string()),
        ("location", pa.string()), ("title", pa.string()), ("text", pa.string()), ("meta", pa.string()),
        ("reason", pa.string()), ("detail", pa.string()), ("n_tokens", pa.int64()),
        ("content_hash", pa.string()), ("signature", pa.binary()),
        *[(f"phi_{t}", pa.int64()) for t in PHI_TYPES],
    ]
)


def process_batch(batch: pa.Table, cfg_json: str, tokenizer_json: str | None) -> pa.Table:
    """Processor as a task function, built once per worker process rather than per batch.

    A function, not an actor pool: Ray Data fuses read -> function -> write into one task, so
    rows never leave the worker between reading and the scratch parquet, and no actors (one
    process each, idle while the reads run) are started.
    """
    return cached(Processor, cfg_json=cfg_json, tokenizer_json=tokenizer_json)(batch)


def split_of(content_hash: str, heldout_fraction: float) -> str:
    """Deterministic by content: the same document always lands in the same split."""
    return "heldout" if int(content_hash[:8], 16) / 0x1_0000_0000 < heldout_fraction else "train"


def _finalize(batch: pa.Table, dups: dict[str, str], heldout_fraction: float) -> pa.Table:
    keys = batch.column("row_key").to_pylist()
    reasons = batch.column("reason").to_pylist()
    hashes = batch.column("content_hash").to_pylist()
    keep = [not r and k not in dups for k, r in zip(keys, reasons, strict=True)]
    kept = batch.filter(pa.array(keep, type=pa.bool_()))
    splits = [split_of(h, heldout_fraction) for h, k in zip(hashes, keep, strict=True) if k]
    return kept.append_column("split", pa.array(splits, type=pa.string())).select(SHARD_COLUMNS)


# --- the stage ---------------------------------------------------------------------------------


def _read_all(cfg: CorpusCfg, listed: dict[str, list[list[storage.FileRef]]]):
    import ray

    from mediphi.corpus.readers import CorpusDatasource

    files = [(domain, src, ref.uri, ref.size)
             for domain, per_source in listed.items()
             for src, refs in zip(cfg.domains[domain].sources, per_source, strict=True) for ref in refs]
    source = CorpusDatasource(files, cfg.max_line_bytes, cfg.max_file_bytes, block_rows=cfg.batch_size)
    return ray.data.read_datasource(source, override_num_blocks=_read_tasks(source.estimate_inmemory_data_size()))


TASK_BYTES = 8 << 20
# Pass 2 only reads its compressed scratch, drops rows and writes them again, so 8 MiB of
# scratch made tasks of about 0.1 s, too short (below). With 64 MiB, the 99 MB of scratch at
# 100x take 4 tasks instead of 12 (a warm 2-core cluster, 3 runs each after a first: 12 tasks
# 1.14-1.22 s, 4 tasks 0.90-1.24 s, 2 tasks 0.86-0.99 s).
PASS2_TASK_BYTES = 64 << 20


def _read_tasks(input_bytes: int, task_bytes: int = TASK_BYTES) -> int:
    """Read tasks for `input_bytes` of input: about `task_bytes` each, at least two per CPU slot.

    Ray Data's own choice cut the 30x corpus of benchmarks/corpus.py (76 MB) into 72 tasks of
    about 0.12 s each, and its executor took about as long again to start the next task once one
    ended: on 2 cores the pass ran one task at a time on average. Tasks of a second or more make
    that gap small, and two per slot still let a fast slot take over a slow one's share.
    """
    import ray
    from ray.data import DataContext

    limit = DataContext.get_current().execution_options.resource_limits.cpu
    slots = limit if limit is not None and math.isfinite(limit) else ray.cluster_resources().get("CPU", 1)
    return max(2 * int(slots), math.ceil(input_bytes / task_bytes))


def _processed(cfg: CorpusCfg, listed: dict[str, list[list[storage.FileRef]]], tokenizer_json: str | None):
    # No batch_size: the reader's blocks are already cfg.batch_size rows, and a batch_size here
    # would keep Ray Data from fusing this map with the read.
    return _read_all(cfg, listed).map_batches(process_batch, fn_kwargs={"cfg_json": cfg.model_dump_json(),
                                                                        "tokenizer_json": tokenizer_json},
                                              batch_format="pyarrow")


def _local_cores() -> int | None:
    """The cores of this machine when the cluster is this machine alone and claims more CPUs."""
    import ray

    nodes = [n for n in ray.nodes() if n.get("Alive")]
    if len(nodes) != 1 or nodes[0].get("NodeManagerAddress") != ray.util.get_node_ip_address():
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if nodes[0].get("Resources", {}).get("CPU", 0) > cores else None


@contextmanager
def _cpu_bound_limits() -> Iterator[None]:
    """Run the stage's datasets with no more concurrent tasks than the machine has cores.

    An embedded cluster may declare more logical CPUs than cores (the tiny recipe: 8 on 2, so
    that Ray Train and Ray Data cannot starve each other). Ray Data then runs 8 of these
    CPU-bound tasks at once, each in a worker process of its own that pays its imports and
    memory, all time-slicing the same 2 cores. Measured with benchmarks/corpus.py on 2 cores:
    9 worker processes instead of 2, 1.8-2.3x the CPU seconds and +1.6-1.9 GiB peak RSS, for
    no gain in wall time. Clusters of several nodes are left as they are.
    """
    from ray.data import DataContext

    dctx = DataContext.get_current()
    saved = dctx.execution_options.resource_limits
    cores = _local_cores()
    if cores is not None:
        dctx.execution_options.resource_limits = saved.copy(cpu=cores)
    try:
        yield
    finally:
        dctx.execution_options.resource_limits = saved


def resolve_tokenizer(cfg: CorpusCfg, recipe: Recipe, out_dir: Path,
                      listed: dict[str, list[list[storage.FileRef]]]) -> Path:
    """The tokenizer folder: the recipe's, the pretrained base's, or one trained on the `listed` files."""
    from transformers import AutoTokenizer

    from mediphi.models.tiny import train_tokenizer

    source = cfg.tokenizer or (recipe.base.path if recipe.base.source == "pretrained" else None)
    if source is not None:
        local = storage.localize(source) if storage.is_s3(source) else source
        AutoTokenizer.from_pretrained(str(local)).save_pretrained(str(out_dir))
        return out_dir
    t0 = time.time()
    ds = _processed(cfg, listed, None)

    def texts():
        for batch in ds.iter_batches(batch_format="pyarrow", batch_size=cfg.batch_size):
            for text, reason in zip(batch.column("text").to_pylist(), batch.column("reason").to_pylist(),
                                    strict=True):
                if not reason:
                    yield text

    train_tokenizer(texts(), recipe.base.tiny.vocab_size, out_dir)
    log.info("trained a %d-token BPE tokenizer on the corpus in %.1fs", recipe.base.tiny.vocab_size,
             time.time() - t0)
    return out_dir


def run(cfg: CorpusCfg, ctx: RunContext) -> dict:
    ctx.ensure_ray()
    with _cpu_bound_limits():
        return _run(cfg, ctx)


def _run(cfg: CorpusCfg, ctx: RunContext) -> dict:
    import ray

    from mediphi.corpus.readers import ParquetFilesDatasource

    t0 = time.time()
    work = Path(tempfile.mkdtemp(prefix="mediphi-corpus-"))
    # Listed once: a trained tokenizer sees exactly the files pass 1 reads. The listing counts
    # as pass 1's time, not the tokenizer's.
    listed = _files(cfg)
    t_tok_start = time.time()
    try:
        tok_dir = resolve_tokenizer(cfg, ctx.recipe, work / "tokenizer", listed)
        storage.upload_dir(tok_dir, storage.join(ctx.out, "tokenizer"))
        tokenizer_json = (tok_dir / "tokenizer.json").read_text()
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the output has the tokenizer now
    t_tok = time.time() - t_tok_start

    # Pass 1: every row, processed, to scratch parquet next to the output.
    scratch_uri = storage.join(ctx.out, "_scratch")
    fs, scratch = storage.filesystem(scratch_uri)
    _processed(cfg, listed, tokenizer_json).write_parquet(scratch, filesystem=fs)
    t_pass1 = time.time() - t0 - t_tok

    # Decisions on the driver from the small columns only.
    small = pads.dataset(scratch, filesystem=fs, format="parquet").to_table(columns=SMALL_COLUMNS)
    small = small.sort_by([("domain", "ascending"), ("row_key", "ascending")])
    dups = _duplicates(small, cfg)
    stats = _stats(small, dups, cfg)
    _write_rejects(small, dups, ctx.out)
    for domain, st in stats.items():
        storage.write_text(storage.join(ctx.out, "stats", f"{domain}.json"), json.dumps(st, indent=2))
    t_decide = time.time() - t0 - t_tok - t_pass1

    # Pass 2: the kept rows, split, into shards partitioned by domain and split. Only the
    # columns the shards and the keep/split decision need are read back (not the signatures).
    # No min_rows_per_file: a write that bundles rows cannot fuse with the read, so every block
    # went through the object store to a map -> write task per 1000 rows. Fused, each read task
    # writes one file per domain and split (same shards; 40 files at 10x either way), and pass 2
    # took 0.39-0.45 s instead of 0.51-0.69 s at 30x on a warm 2-core cluster.
    out_fs, shards = storage.filesystem(storage.join(ctx.out, "shards"))
    scratch_rows = ParquetFilesDatasource(scratch_uri, PASS2_COLUMNS, cfg.batch_size)
    tasks = _read_tasks(scratch_rows.estimate_inmemory_data_size(), PASS2_TASK_BYTES)
    ray.data.read_datasource(scratch_rows, override_num_blocks=tasks).map_batches(
        _finalize, fn_kwargs={"dups": {k: v[0] for k, v in dups.items()}, "heldout_fraction": cfg.heldout_fraction},
        batch_format="pyarrow",
    ).write_parquet(shards, filesystem=out_fs, partition_cols=["domain", "split"])
    storage.remove_tree(scratch_uri)
    t_pass2 = time.time() - t0 - t_tok - t_pass1 - t_decide

    elapsed = time.time() - t0
    totals = {
        "documents": sum(s["documents"]["train"] + s["documents"]["heldout"] for s in stats.values()),
        "tokens": sum(s["tokens"]["train"] + s["tokens"]["heldout"] for s in stats.values()),
        "rejects": sum(sum(s["rejects"].values()) for s in stats.values()),
        "dropped": sum(sum(s["dropped"].values()) for s in stats.values()),
    }
    timing = {"seconds": round(elapsed, 2), "tokenizer_seconds": round(t_tok, 2),
              "pass1_seconds": round(t_pass1, 2), "decide_seconds": round(t_decide, 2),
              "pass2_seconds": round(t_pass2, 2)}
    rows_in = small.num_rows
    timing["docs_per_s"] = round(rows_in / max(elapsed - t_tok, 1e-9), 1)
    timing["tokens_per_s"] = round(totals["tokens"] / max(elapsed - t_tok, 1e-9), 1)
    storage.write_text(storage.join(ctx.out, "stats.json"),
                       json.dumps({"domains": stats, "totals": totals, "timing": timing}, indent=2))
    log.info("corpus: %d documents, %d tokens kept; %d rejects, %d dropped; %.1fs (%.0f docs/s, %.0f tokens/s)",
             totals["documents"], totals["tokens"], totals["rejects"], totals["dropped"], elapsed,
             timing["docs_per_s"], timing["tokens_per_s"])
    return {"domains": stats, "totals": totals, "timing": timing}


def _duplicates(small: pa.Table, cfg: CorpusCfg) -> dict[str, tuple[str, str]]:
    """row_key -> (reason, kept id) for every duplicate, deciding per domain."""
    out: dict[str, tuple[str, str]] = {}
    ok = small.filter(pc.equal(small.column("reason"), ""))
    by_domain: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(ok.column("domain").to_pylist()):
        by_domain[d].append(i)
    keys, ids = ok.column("row_key").to_pylist(), ok.column("id").to_pylist()
    hashes, sigs = ok.column("content_hash").to_pylist(), ok.column("signature").to_pylist()
    id_of = dict(zip(keys, ids, strict=True))
    for idx in by_domain.values():
        found = find_duplicates([keys[i] for i in idx], [hashes[i] for i in idx], [sigs[i] for i in idx],
                                exact=cfg.dedup.exact, near=cfg.dedup.near, threshold=cfg.dedup.threshold,
                                num_perm=cfg.dedup.num_perm)
        out.update({k: (reason, id_of[kept]) for k, (reason, kept) in found.items()})
    return out


READ_REASONS = {"empty_file", "binary_file", "file_too_large", "invalid_utf8", "line_too_long", "invalid_json",
                "invalid_xml", "invalid_parquet", "invalid_csv", "invalid_code_line", "missing_text"}


def _stats(small: pa.Table, dups: dict, cfg: CorpusCfg) -> dict[str, dict]:
    stats: dict[str, dict] = {}
    for d in cfg.domains:
        stats[d] = {"documents": {"train": 0, "heldout": 0}, "tokens": {"train": 0, "heldout": 0},
                    "rejects": Counter(), "dropped": Counter(), "phi": Counter(), "rows_read": 0}
    cols = {c: small.column(c).to_pylist() for c in ("row_key", "domain", "reason", "n_tokens", "content_hash")}
    phi = {t: small.column(f"phi_{t}").to_pylist() for t in PHI_TYPES}
    for i, key in enumerate(cols["row_key"]):
        st = stats[cols["domain"][i]]
        st["rows_read"] += 1
        for t in PHI_TYPES:
            st["phi"][t] += phi[t][i]
        reason = cols["reason"][i] or (dups[key][0] if key in dups else "")
        if reason in READ_REASONS:
            st["rejects"][reason] += 1
        elif reason:
            st["dropped"][reason] += 1
        else:
            split = split_of(cols["content_hash"][i], cfg.heldout_fraction)
            st["documents"][split] += 1
            st["tokens"][split] += cols["n_tokens"][i]
    for st in stats.values():
        for k in ("rejects", "dropped", "phi"):
            st[k] = dict(sorted(st[k].items()))
    return stats


def _write_rejects(small: pa.Table, dups: dict, out_uri: str) -> None:
    keys = small.column("row_key").to_pylist()
    reasons, details = small.column("reason").to_pylist(), small.column("detail").to_pylist()
    for i, k in enumerate(keys):
        if not reasons[i] and k in dups:
            reasons[i], details[i] = dups[k][0], f"duplicate of {dups[k][1]}"
    table = small.select(["domain", "source", "location", "id", "title"])
    table = table.append_column("reason", pa.array(reasons)).append_column("detail", pa.array(details))
    table = table.filter(pc.not_equal(table.column("reason"), ""))
    storage.write_parquet(table, storage.join(out_uri, "rejects", "rejects.parquet"))


def summarize(manifest: dict) -> str:
    m = manifest.get("metrics", {})
    rows = [("domain", "train docs", "heldout docs", "tokens", "rejects", "dropped", "PHI replaced")]
    for d, st in m.get("domains", {}).items():
        rows.append((d, st["documents"]["train"], st["documents"]["heldout"],
                     st["tokens"]["train"] + st["tokens"]["heldout"], _fmt(st["rejects"]), _fmt(st["dropped"]),
                     sum(st["phi"].values())))
    t = m.get("timing", {})
    table = format_table(rows)
    return f"{table}\n  {t.get('docs_per_s')} docs/s, {t.get('tokens_per_s')} tokens/s"


def _fmt(counts: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "0"
