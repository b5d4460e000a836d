"""Ray Data's two parquet readers on the reads the stages make: a folder of a few parquet files.

    .venv/bin/python benchmarks/parquet_reads.py [--files 4] [--rows 100] [--repeats 5] [--no-wait]

Writes --files parquet files of --rows rows of bundled-corpus text into a temp folder (the
defaults: about the train shards of one domain of the tiny recipe), starts an embedded Ray cluster
(8 logical CPUs, as the tiny recipe), waits for a quiet machine (benchmarks/common.py) unless
--no-wait, then reads the folder to the end (`read_parquet(...).materialize()`) --repeats times
with each reader, in turn, and prints the median and the spread of the wall time of one read:

- "v2, 32 footer actors": Ray Data 2.60's default reader (use_datasource_v2), with its default
  pool of FooterReader actors, what a cluster that mediphi did not start (`ray job submit`,
  KubeRay) gets unless RAY_DATA_PARQUET_FOOTER_NUM_ACTORS says otherwise;
- "v2, 1 footer actor": the same with the pool cut to one, as mediphi set on the clusters it
  started before 2026-11-28;
- "v1": the reader the stages use now (`mediphi.context.configure_ray_data`).

The first read of each reader is dropped from the median and printed apart: it includes the
first use of a pooled worker process. The readers take turns, round by round, so a change in
the machine's load falls on all of them alike. Rows read are checked to be the rows written.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import corpus_texts, embedded_cluster, header, loadavg, wait_for_quiet  # noqa: E402

READERS = {"v2, 32 footer actors": (True, "32"), "v2, 1 footer actor": (True, "1"), "v1": (False, None)}


def write_files(folder: Path, files: int, rows: int) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = list(corpus_texts())
    for f in range(files):
        column = [texts[(f * rows + i) % len(texts)] for i in range(rows)]
        pq.write_table(pa.table({"id": [f"{f}-{i}" for i in range(rows)], "text": column}),
                       folder / f"part-{f:03d}.parquet")
    return files * rows


def read_once(folder: Path, v2: bool, footer_actors: str | None) -> tuple[float, int]:
    import ray
    from ray.data import DataContext

    DataContext.get_current().use_datasource_v2 = v2
    if footer_actors is not None:  # read by the V2 indexer when the read is planned, in this process
        os.environ["RAY_DATA_PARQUET_FOOTER_NUM_ACTORS"] = footer_actors
    started = time.perf_counter()
    ds = ray.data.read_parquet(str(folder)).materialize()
    return time.perf_counter() - started, ds.count()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--rows", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-wait", action="store_true", help="measure without waiting for a quiet machine")
    args = ap.parse_args()
    header("benchmarks/parquet_reads.py " + " ".join(sys.argv[1:]))
    os.environ["RAY_DATA_DISABLE_PROGRESS_BARS"] = "1"
    with tempfile.TemporaryDirectory(prefix="mediphi-bench-parquet-") as tmp, embedded_cluster(8):
        folder = Path(tmp)
        written = write_files(folder, args.files, args.rows)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
        quiet = args.no_wait or wait_for_quiet()
        print(f"{args.files} files, {written} rows, {size:.1f} MiB; {loadavg()}"
              + ("" if quiet else " (the wait for a quiet machine gave up)"), flush=True)
        times: dict[str, list[float]] = {name: [] for name in READERS}
        for _ in range(args.repeats + 1):
            for name, (v2, actors) in READERS.items():
                seconds, rows = read_once(folder, v2, actors)
                assert rows == written, f"{name}: read {rows} rows of {written}"
                times[name].append(seconds)
        v1 = statistics.median(times["v1"][1:])
        print(f"\n| reader | first read s | median s of the next {args.repeats} | min-max s | median / v1's |")
        print("|---|---|---|---|---|")
        for name, ts in times.items():
            median = statistics.median(ts[1:])
            print(f"| {name} | {ts[0]:.2f} | {median:.2f} | {min(ts[1:]):.2f}-{max(ts[1:]):.2f} | {median / v1:.1f}x |")
        print(f"\n{loadavg()}")


if __name__ == "__main__":
    main()
