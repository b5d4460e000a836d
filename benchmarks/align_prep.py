"""The align stage's preparation of MediFlow rows, on the driver and in each training worker:
peak memory and time.

    .venv/bin/python benchmarks/align_prep.py [--rows 20000 50000]

Before training, the align stage measures every MediFlow row's prompt in the start model's chat
template (`align.prompt_lengths`), sets aside the rows whose prompt fills `align.max_length`,
splits off the held-out rows by content hash and builds TRL's examples. The baseline is the code
before 2026-12-07: the whole split read into Python rows, every prompt measured in one
`apply_chat_template` call, the examples built in memory (then handed to `ray.data.from_items`,
not included here). Ours is `align.prepare_split`: chunks of `align.LENGTH_CHUNK` rows streamed
from the parquet file into the examples' parquet files. Each runs in a fresh process over the same
synthetic split (MediFlow-sized fields cut from the bundled corpora), measured by its peak RSS
(VmHWM) above the process's own after imports; both must give the same training and held-out
examples.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MAX_LENGTH, HELDOUT = 4096, 0.01
# Characters per field: a MediFlow instruction, its input (often a clinical note) and two answers.
FIELD_CHARS = {"instruction": 300, "input": 1000, "output": 800, "rejected_output": 800}


def build(root: Path, rows: int) -> tuple[Path, Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from benchmarks.common import corpus_texts
    from mediphi.models.tiny import train_tokenizer

    texts = list(corpus_texts())
    train_tokenizer(texts, 4096, root / "tokenizer")
    words = " ".join(texts).split()
    rnd = random.Random(0)

    def field(chars: int) -> str:
        start = rnd.randrange(len(words) - chars)
        out, n = [], 0
        while n < chars:
            out.append(words[start + len(out)])
            n += len(out[-1]) + 1
        return " ".join(out)

    table = pa.Table.from_pylist([{k: field(v) for k, v in FIELD_CHARS.items()} for _ in range(rows)])
    pq.write_table(table, root / "sft.parquet")
    return root / "tokenizer", root / "sft.parquet"


def baseline(rows: list[dict], tok, split: str) -> tuple[list[dict], list[dict]]:
    from mediphi import align

    kept, _ = align.fitting_rows(rows, align.prompt_lengths(rows, tok), MAX_LENGTH, split)
    train = [r for r in kept if not align._held_out(r, HELDOUT)]
    held = [r for r in kept if align._held_out(r, HELDOUT)]
    return align.sft_examples(train), align.sft_examples(held)


def peak_rss_kib() -> int:
    """This process's peak RSS (VmHWM). Not getrusage's ru_maxrss: Linux carries that across fork and
    exec, so a child would start at its parent's peak (the parent built the split in Python)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def worker_child(mode: str, examples: str) -> None:
    import ray
    from datasets import Dataset

    from mediphi.context import configure_ray_data
    from mediphi.train.launcher import hf_dataset

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    configure_ray_data()
    it = ray.data.read_parquet(examples).iterator()
    next(iter(it.iter_batches(batch_size=1)))  # Ray Data's first-job start-up, outside the measure
    before = peak_rss_kib()
    t0 = time.perf_counter()
    data = Dataset.from_list(list(it.iter_rows())) if mode == "worker-baseline" else hf_dataset(it)
    seconds = time.perf_counter() - t0
    peak = peak_rss_kib()
    sample = [data[i] for i in range(0, len(data), max(1, len(data) // 1000))]
    print(json.dumps({"seconds": seconds, "peak_mib": (peak - before) / 1024, "train": len(data),
                      "checksum": hashlib.sha256(json.dumps([str(data.features), sample]).encode()).hexdigest()}))
    ray.shutdown()


def child(mode: str, tokenizer: str, split: str) -> None:
    import pyarrow.parquet as pq
    from transformers import AutoTokenizer

    from mediphi import align

    tok = AutoTokenizer.from_pretrained(tokenizer)
    before = peak_rss_kib()
    t0 = time.perf_counter()
    if mode == "baseline":
        train, held = baseline(pq.read_table(split).to_pylist(), tok, split)
    else:
        out = align.prepare_split("sft", split, str(Path(split).parent / "examples"), tok, MAX_LENGTH, HELDOUT)
    seconds = time.perf_counter() - t0
    peak = peak_rss_kib()
    if mode != "baseline":
        train, held = pq.read_table(out.train).to_pylist(), pq.read_table(out.held_out).to_pylist()
    print(json.dumps({"seconds": seconds, "peak_mib": (peak - before) / 1024, "train": len(train),
                      "checksum": hashlib.sha256(json.dumps([train, held]).encode()).hexdigest()}))


def run(mode: str, tokenizer: Path, split: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(tokenizer), str(split)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    from benchmarks.common import loadavg, machine
    from mediphi import align

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[20000, 50000])
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        mode, *paths = args.child
        worker_child(mode, paths[1]) if mode.startswith("worker") else child(mode, *paths)
        return
    print(f"# benchmarks/align_prep.py {' '.join(sys.argv[1:])}\n# {machine()}\n# python {sys.version.split()[0]}, "
          f"{loadavg()}", flush=True)
    for rows in args.rows:
        with tempfile.TemporaryDirectory(prefix="mediphi-bench-align-") as tmp:
            tokenizer, split = build(Path(tmp), rows)
            before, ours = run("baseline", tokenizer, split), run("ours", tokenizer, split)
            examples = split.parent / "examples" / "train.parquet"
            w_before, w_ours = run("worker-baseline", tokenizer, examples), run("worker-ours", tokenizer, examples)
        assert before["checksum"] == ours["checksum"], "the streamed split differs from the in-memory one"
        assert w_before["checksum"] == w_ours["checksum"], "the Arrow-built dataset differs from from_list's"
        print(f"{rows} rows ({before['train']} train): driver: in memory {before['peak_mib']:.0f} MiB in "
              f"{before['seconds']:.1f}s; streamed in chunks of {align.LENGTH_CHUNK} {ours['peak_mib']:.0f} MiB in "
              f"{ours['seconds']:.1f}s; peak memory in memory / streamed {before['peak_mib'] / ours['peak_mib']:.1f}x, "
              f"time streamed / in memory {ours['seconds'] / before['seconds']:.2f}x", flush=True)
        print(f"{rows} rows, each worker: from_list {w_before['peak_mib']:.0f} MiB in {w_before['seconds']:.1f}s; "
              f"from Arrow blocks {w_ours['peak_mib']:.0f} MiB in {w_ours['seconds']:.1f}s; peak memory from_list / "
              f"Arrow {w_before['peak_mib'] / max(w_ours['peak_mib'], 1):.1f}x, time Arrow / from_list "
              f"{w_ours['seconds'] / w_before['seconds']:.2f}x", flush=True)


if __name__ == "__main__":
    main()
