"""Where the corpus stage's per-document CPU goes, in one process without Ray.

    .venv/bin/python benchmarks/corpus_profile.py TOKENIZER_JSON [--scale 10]

Reads the tiny recipe's bundled corpora, replicates the rows --scale times, runs the stage's own
`Processor` (normalise, PHI scrub, filters, one `encode_batch_fast`, MinHash) over them under
cProfile in the stage's batches of `corpus.batch_size` rows, then one `encode_batch_fast` alone over the kept texts: the floor that
benchmarks/corpus.py's "raw encode" stands for. TOKENIZER_JSON: any byte-level BPE tokenizer.json,
e.g. the corpus stage's (RUN/corpus/tokenizer/tokenizer.json).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))



def main() -> None:
    import pyarrow as pa

    from mediphi.config import load_recipe
    from mediphi.corpus import stage
    from mediphi.corpus.readers import read_local

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tokenizer")
    ap.add_argument("--scale", type=int, default=10)
    args = ap.parse_args()
    cfg = load_recipe("tiny").corpus
    files = stage._files(cfg)
    t0 = time.perf_counter()
    rows = []
    for domain, per_source in files.items():
        for src, refs in zip(cfg.domains[domain].sources, per_source, strict=True):
            for ref in refs:
                rows += read_local(ref.uri.removeprefix("file://"), domain, src)
    t_read = time.perf_counter() - t0
    rows = rows * args.scale
    tok_json = Path(args.tokenizer).read_text()
    proc = stage.Processor(cfg.model_dump_json(), tok_json)
    cols = {k: [r.get(k) for r in rows] for k in rows[0]}
    table = pa.table(cols)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    out = pa.concat_tables([proc(table.slice(i, cfg.batch_size)) for i in range(0, table.num_rows, cfg.batch_size)])
    profile.disable()
    t_proc = time.perf_counter() - started
    kept = [t for t, r in zip(out.column("text").to_pylist(), out.column("reason").to_pylist(), strict=True) if not r]
    started = time.perf_counter()
    encodings = proc.tok.encode_batch_fast(kept, add_special_tokens=False)
    t_enc = time.perf_counter() - started
    tokens = sum(len(e.ids) for e in encodings)
    print(f"docs {len(rows)}; read (x1, once) {t_read:.2f}s; Processor {t_proc:.2f}s; encode_batch_fast alone "
          f"{t_enc:.2f}s over the {len(kept)} kept texts, {tokens} tokens; encode / Processor = {t_enc / t_proc:.2f}")
    pstats.Stats(profile).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
