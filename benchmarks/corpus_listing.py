"""What listing the corpus stage's inputs costs, with and without reading every file.

    .venv/bin/python benchmarks/corpus_listing.py --scale 10 30 100

The corpus stage lists its input files (`stage._files`) to check that the paths exist, to decide
whether it must rerun, and to plan its reads. Only the rerun check needs each file's sha256, which
`storage.FileRef.fingerprint` now computes on first use; until 2026-11-28 every listing computed it.
Per scale of benchmarks/corpus.py's replicated corpus, this times a listing (ours) and the sha256
of every listed file (what each listing also did before), three times each, and prints the medians.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks.*, run as a script


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, nargs="+", default=[10, 30, 100], help="corpus copies")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    from benchmarks.common import header
    from benchmarks.corpus import build_corpus, train_tokenizer_once
    from mediphi.config import load_recipe
    from mediphi.corpus import stage

    header("benchmarks/corpus_listing.py " + " ".join(sys.argv[1:]))
    work = Path(tempfile.mkdtemp(prefix="mediphi-bench-listing-"))
    try:
        train_tokenizer_once(work / "tokenizer")
        for scale in args.scale:
            cfg = load_recipe(str(build_corpus(scale, work / f"corpus-x{scale}", work / "tokenizer",
                                               work / "runs"))).corpus
            listed, hashed = [], []
            for _ in range(args.repeats):
                started = time.perf_counter()
                refs = [r for per_source in stage._files(cfg).values() for group in per_source for r in group]
                listed.append(time.perf_counter() - started)
                started = time.perf_counter()
                for r in refs:
                    r.fingerprint  # noqa: B018 - computed on first access: this is the timed work
                hashed.append(time.perf_counter() - started)
            ours = statistics.median(listed)
            before = ours + statistics.median(hashed)
            print(f"x{scale}: {len(refs)} files; listing {ours:.3f}s; listing with every sha256 (before) "
                  f"{before:.3f}s; before / ours {before / ours:.1f}x (medians of {args.repeats})", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
