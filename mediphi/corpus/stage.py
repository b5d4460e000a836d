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
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from mediphi import storage
from mediphi.config import CorpusCfg, Recipe, RecipeError
from mediphi.context import RunContext
from mediphi.corpus.clean import PHI_TYPES, normalize, quality_issue, scrub_phi
from mediphi.corpus.dedup import Signer, find_duplicates
from mediphi.tables import format_table

log = logging.getLogger("mediphi.corpus")

SMALL_COLUMNS = ["row_key", "id", "domain", "source", "location", "title", "reason", "detail", "n_tokens",
                 "content_hash", "signature", *[f"phi_{t}" for t in PHI_TYPES]]
SHARD_COLUMNS = ["id", "domain", "source", "title", "text", "meta", "n_tokens", "split"]


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


# --- the per-batch work (runs in Ray Data actors) ---------------------------------------------


class Processor:
    """Normalise, scrub, filter, tokenize and sign one batch of rows from the readers."""

    def __init__(self, cfg_json: str, tokenizer_json: str | None):
        from tokenizers import Tokenizer

        self.cfg = CorpusCfg.model_validate_json(cfg_json)
        self.tok = Tokenizer.from_str(tokenizer_json) if tokenizer_json else None
        self.signer = Signer(self.cfg.dedup.num_perm, self.cfg.dedup.shingle_tokens)

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows = batch.to_pylist()
        keep_idx = []
        for i, r in enumerate(rows):
            r["row_key"] = f"{r['source']}#{r['location']}"
            for t in PHI_TYPES:
                r[f"phi_{t}"] = 0
            r["n_tokens"], r["content_hash"], r["signature"] = 0, "", b""
            if r["reason"]:
                continue
            dc = self.cfg.domains[r["domain"]]
            text = normalize(r["text"])
            r["title"] = normalize(r["title"])
            if dc.phi_scrub if dc.phi_scrub is not None else r["domain"] == "clinical":
                text, counts = scrub_phi(text)
                r["title"] = scrub_phi(r["title"])[0]
                for t, n in counts.items():
                    r[f"phi_{t}"] = n
            r["text"] = text
            issue = quality_issue(text, dc.filters or self.cfg.filters)
            if issue:
                r["reason"], r["detail"] = issue, f"{len(text)} chars after clean-up"
                continue
            r["content_hash"] = hashlib.sha1(text.encode()).hexdigest()
            keep_idx.append(i)
        if self.tok is not None and keep_idx:
            # One batched call: the Rust tokenizer parallelises across documents.
            encodings = self.tok.encode_batch([rows[i]["text"] for i in keep_idx], add_special_tokens=False)
            for i, enc in zip(keep_idx, encodings, strict=True):
                rows[i]["n_tokens"] = len(enc.ids)
                rows[i]["signature"] = self.signer.signature(enc.ids).tobytes()
        return pa.Table.from_pylist(rows, schema=PROCESSED_SCHEMA)


PROCESSED_SCHEMA = pa.schema(
    [
        ("row_key", pa.string()), ("id", pa.string()), ("domain", pa.string()), ("source", pa.string()),
        ("location", pa.string()), ("title", pa.string()), ("text", pa.string()), ("meta", pa.string()),
        ("reason", pa.string()), ("detail", pa.string()), ("n_tokens", pa.int64()),
        ("content_hash", pa.string()), ("signature", pa.binary()),
        *[(f"phi_{t}", pa.int64()) for t in PHI_TYPES],
    ]
)


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


def _read_all(cfg: CorpusCfg):
    import ray

    from mediphi.corpus.readers import CorpusDatasource

    datasets = []
    for domain, per_source in _files(cfg).items():
        for src, refs in zip(cfg.domains[domain].sources, per_source, strict=True):
            fs, _ = storage.filesystem(refs[0].uri)
            paths = [storage.filesystem(r.uri)[1] for r in refs]
            source = CorpusDatasource(paths, domain, src, cfg.max_line_bytes, cfg.max_file_bytes, filesystem=fs)
            datasets.append(ray.data.read_datasource(source, override_num_blocks=max(1, min(len(paths), 64))))
    return datasets[0].union(*datasets[1:]) if len(datasets) > 1 else datasets[0]


def resolve_tokenizer(cfg: CorpusCfg, recipe: Recipe, out_dir: Path) -> Path:
    """The tokenizer folder: the recipe's, the pretrained base's, or one trained on this corpus."""
    from transformers import AutoTokenizer

    from mediphi.models.tiny import train_tokenizer

    source = cfg.tokenizer or (recipe.base.path if recipe.base.source == "pretrained" else None)
    if source is not None:
        local = storage.localize(source) if storage.is_s3(source) else source
        AutoTokenizer.from_pretrained(str(local)).save_pretrained(str(out_dir))
        return out_dir
    t0 = time.time()
    ds = _read_all(cfg).map_batches(Processor, fn_constructor_kwargs={"cfg_json": cfg.model_dump_json(),
                                                                     "tokenizer_json": None},
                                    batch_format="pyarrow", concurrency=(1, 2))

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
    import ray

    ctx.ensure_ray()
    t0 = time.time()
    work = Path(tempfile.mkdtemp(prefix="mediphi-corpus-"))
    tok_dir = resolve_tokenizer(cfg, ctx.recipe, work / "tokenizer")
    storage.upload_dir(tok_dir, storage.join(ctx.out, "tokenizer"))
    t_tok = time.time() - t0

    # Pass 1: every row, processed, to scratch parquet next to the output.
    scratch_uri = storage.join(ctx.out, "_scratch")
    fs, scratch = storage.filesystem(scratch_uri)
    tokenizer_json = (tok_dir / "tokenizer.json").read_text()
    processed = _read_all(cfg).map_batches(
        Processor, fn_constructor_kwargs={"cfg_json": cfg.model_dump_json(), "tokenizer_json": tokenizer_json},
        batch_format="pyarrow", batch_size=cfg.batch_size, concurrency=(1, 4),
    )
    processed.write_parquet(scratch, filesystem=fs)
    t_pass1 = time.time() - t0 - t_tok

    # Decisions on the driver from the small columns only.
    small = pads.dataset(scratch, filesystem=fs, format="parquet").to_table(columns=SMALL_COLUMNS)
    small = small.sort_by([("domain", "ascending"), ("row_key", "ascending")])
    dups = _duplicates(small, cfg)
    stats = _stats(small, dups, cfg)
    _write_rejects(small, dups, ctx.out)
    for domain, st in stats.items():
        storage.write_text(storage.join(ctx.out, "stats", f"{domain}.json"), json.dumps(st, indent=2))

    # Pass 2: the kept rows, split, into shards partitioned by domain and split.
    out_fs, shards = storage.filesystem(storage.join(ctx.out, "shards"))
    ray.data.read_parquet(scratch, filesystem=fs).map_batches(
        _finalize, fn_kwargs={"dups": {k: v[0] for k, v in dups.items()}, "heldout_fraction": cfg.heldout_fraction},
        batch_format="pyarrow", batch_size=cfg.batch_size,
    ).write_parquet(shards, filesystem=out_fs, partition_cols=["domain", "split"], min_rows_per_file=1000)
    storage.remove_tree(scratch_uri)

    elapsed = time.time() - t0
    totals = {
        "documents": sum(s["documents"]["train"] + s["documents"]["heldout"] for s in stats.values()),
        "tokens": sum(s["tokens"]["train"] + s["tokens"]["heldout"] for s in stats.values()),
        "rejects": sum(sum(s["rejects"].values()) for s in stats.values()),
        "dropped": sum(sum(s["dropped"].values()) for s in stats.values()),
    }
    timing = {"seconds": round(elapsed, 2), "tokenizer_seconds": round(t_tok, 2),
              "pass1_seconds": round(t_pass1, 2)}
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
    fs, path = storage.filesystem(storage.join(out_uri, "rejects", "rejects.parquet"))
    fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
    with fs.open_output_stream(path) as f:
        pq.write_table(table, f)


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
