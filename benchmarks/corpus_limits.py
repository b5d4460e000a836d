"""What Ray Data's first second costs the corpus stage on a warm cluster.

    .venv/bin/python benchmarks/corpus_limits.py --scale 10 --pairs 4

Ray Data 2.60 learns the CPUs it may use from its autoscaling coordinator, asynchronously: the
first answer arrives after the executor's first scheduling step, and the executor caches the
limits it saw (zero) for `ResourceManager.GLOBAL_LIMITS_UPDATE_INTERVAL_S` (1 s). Until then it
runs one task at a time, so every execution of the stage (pass 1, pass 2) starts with about a
second on one task, and a pass 2 shorter than that runs one task at a time throughout.

This is a diagnostic, not a setting mediphi uses: on one embedded cluster, after a first (cold)
run that is not counted, it alternates warm runs of the corpus stage with that class constant at
Ray's 1 s and at 0 (limits refreshed on every scheduling step), and prints the medians. The
constant is private to Ray Data; only this script touches it.
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
    ap.add_argument("--scale", type=int, default=10, help="corpus copies (default 10)")
    ap.add_argument("--pairs", type=int, default=4, help="warm runs per setting (default 4)")
    ap.add_argument("--no-wait", action="store_true", help="measure now, without waiting for a quiet machine")
    args = ap.parse_args()

    from ray.data._internal.execution.resource_manager import ResourceManager

    from benchmarks.common import embedded_cluster, header, loadavg, wait_for_quiet
    from benchmarks.corpus import build_corpus, train_tokenizer_once
    from mediphi.config import load_recipe
    from mediphi.context import RunContext
    from mediphi.pipeline import get_stage, run_stage

    header("benchmarks/corpus_limits.py " + " ".join(sys.argv[1:]))
    work = Path(tempfile.mkdtemp(prefix="mediphi-bench-limits-"))
    default_interval = ResourceManager.GLOBAL_LIMITS_UPDATE_INTERVAL_S
    runs: dict[float, list[dict]] = {default_interval: [], 0: []}
    try:
        train_tokenizer_once(work / "tokenizer")
        recipe = load_recipe(str(build_corpus(args.scale, work / "corpus", work / "tokenizer", work / "runs")))
        if not args.no_wait:
            wait_for_quiet()
        print(f"before: {loadavg()}", flush=True)
        with embedded_cluster(num_cpus=recipe.run.ray.num_cpus):
            time.sleep(2.0)  # let the idle-worker prestart settle, as benchmarks/corpus.py does
            for i in range(2 * args.pairs + 1):
                interval = default_interval if i % 2 == 0 else 0
                ResourceManager.GLOBAL_LIMITS_UPDATE_INTERVAL_S = interval
                name = recipe.run.name + f"-{i}"
                run_recipe = recipe.model_copy(update={"run": recipe.run.model_copy(update={"name": name})})
                timing = run_stage(get_stage("corpus"), RunContext(run_recipe), force=True).metrics["timing"]
                stage_s = timing["seconds"] - timing["tokenizer_seconds"]
                label = "cold, not counted" if i == 0 else f"limits refreshed every {interval} s"
                print(f"run {i}: {label}: stage {stage_s:.2f}s (pass1 {timing['pass1_seconds']:.2f}s, "
                      f"pass2 {timing['pass2_seconds']:.2f}s)", flush=True)
                if i:
                    runs[interval].append({"stage": stage_s, "pass1": timing["pass1_seconds"],
                                           "pass2": timing["pass2_seconds"]})
    finally:
        ResourceManager.GLOBAL_LIMITS_UPDATE_INTERVAL_S = default_interval
        shutil.rmtree(work, ignore_errors=True)
    print(f"after: {loadavg()}")
    med = {k: {m: statistics.median(r[m] for r in v) for m in ("stage", "pass1", "pass2")} for k, v in runs.items()}
    for k, m in med.items():
        print(f"x{args.scale}, limits refreshed every {k} s, median of {len(runs[k])}: stage {m['stage']:.2f}s, "
              f"pass1 {m['pass1']:.2f}s, pass2 {m['pass2']:.2f}s")
    print(f"stage time, refreshed every step / Ray's default: {med[0]['stage'] / med[default_interval]['stage']:.2f}")


if __name__ == "__main__":
    main()
