"""Corpus stage throughput and memory against raw `tokenizers` batch encoding.

    .venv/bin/python benchmarks/corpus.py --scale 1 10 --repeats 1

For each scale N the bundled corpus (mediphi/data/corpora, as the tiny recipe reads it) is
replicated N times into a temp dir and the corpus stage (`mediphi.pipeline.run_stage`, fresh
run folder) runs on it in its own subprocess, so peak memory is per run. Around it:

- The tokenizer is trained once beforehand on the bundled corpus and given to the recipe as
  `corpus.tokenizer`: tokenizer training is not timed.
- Ray starts (`ray.init`) before the clock starts: start-up is NOT timed. Everything the stage
  does after that is, Ray Data's worker and actor start-up included. The stage time used for
  the rates is the stage's own stats.json `timing.seconds - timing.tokenizer_seconds` (pass 1,
  the driver's dedup decisions, pass 2), the same window as its docs_per_s/tokens_per_s; the
  whole run_stage wall time (tokenizer copy, manifest) is printed beside it.
- Raw encode: `tokenizers.Tokenizer.encode_batch` (same tokenizer.json, no special tokens, one
  call over all texts, median of 3) on the stage's KEPT texts, read back from its shards after
  the stage, in the same subprocess with Ray shut down. Those are exactly the strings the
  stage tokenized, so the token totals must match (checked). The stage also tokenizes the
  texts it later drops as duplicates, so the ratio slightly favours raw encode. The stage calls
  `encode_batch_fast` (same ids, no offsets), so that rate is reported as well ("fast").
- Warm: after the timed run the child runs the stage again on the same cluster, into another
  run folder ("warm s", "warm/raw"): what every job but a long-lived cluster's first sees, with
  Ray Data's detached autoscaling-coordinator actor and the workers' imports already there.
- Floor: then, on that warm cluster, the stage's own read tasks fused with a map that only
  tokenizes and a parquet write ("floor s", "floor/raw"): no clean-up, scrub, filters, hashes
  or MinHash, no dedup decision, no pass 2. The best the stage could reach on this machine with
  all its per-document work free; it tokenizes every row read, so its tok/s is over those.
- CPU seconds: the sampler also sums the CPU time of the tree over the stage (and the child
  measures the raw encode's): on a shared machine the wall-clock ratio moves with the load,
  CPU seconds much less. Each run waits for a quiet machine (benchmarks/common.py) unless
  --no-wait, and prints the load averages before and after it.
- Peak RSS: the parent samples the subprocess's whole process tree (driver, raylet, GCS,
  Ray workers and agents) every 0.2 s and sums RSS; the driver alone is reported too, and the
  tree's RSS just before the stage starts (idle Ray) so the stage's own growth is visible.
  Summed RSS counts shared pages (the object store's shared memory, shared libraries) once
  per process that touches them, so it overstates real use; it is what the target is about.

Replicas: copy 0 is the bundled files unchanged; copy r >= 1 gets new file names and ids and
has the words of every line shuffled (seeded by r and the line; separators stay in place, so
fixed-width code files keep their columns, and the words, hence the tokens per character, are
those of the original). Without the shuffle the copies are exact duplicates and dedup drops
9/10 of the 10x corpus before pass 2, which would make the 10x run look cheap; appending a
sentence is not enough either, since MinHash still sees a near duplicate. Code-table copies
also shift the first character of every code, so their category ids differ. The bundled
corpus's deliberate duplicates stay duplicates only in copy 0 (dedup counts are printed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "mediphi" / "recipes" / "tiny.yaml"
CORPORA = REPO / "mediphi" / "data" / "corpora"
SAMPLE_S = 0.2
sys.path.insert(0, str(REPO))  # benchmarks.common, when run as `python benchmarks/corpus.py`

# --- the replicated corpus ---------------------------------------------------------------------

_SEP = re.compile(r"(\s+)")


def shuffle_line(line: str, rng_key: str) -> str:
    """The line's words in a seeded order; whitespace runs stay where they were (same length)."""
    parts = _SEP.split(line)
    words = parts[0::2]
    if len([w for w in words if w]) < 2:
        return line
    rng = random.Random(hashlib.sha1(rng_key.encode()).digest())
    rng.shuffle(words)
    parts[0::2] = words
    return "".join(parts)


def shuffle_text(text: str, replica: int) -> str:
    return "\n".join(shuffle_line(ln, f"{replica}\0{ln}") for ln in text.split("\n"))


def _shift(c: str, r: int) -> str:
    if c.isdigit():
        return str((int(c) + r) % 10)
    if "A" <= c <= "Z":
        return chr((ord(c) - 65 + r) % 26 + 65)
    return c


def replicate_file(src: Path, dst_dir: Path, fmt: str, r: int) -> None:
    name = src.name if r == 0 else f"{src.stem}-r{r:02d}{src.suffix}"
    dst = dst_dir / name
    if r == 0:
        shutil.copyfile(src, dst)
        return
    text = src.read_text(encoding="utf-8")
    if fmt == "jsonl":
        out = []
        for line in text.splitlines():
            rec = json.loads(line)
            rec["id"] = f"{rec.get('id', src.stem)}-r{r:02d}"
            for k in ("text", "title"):
                if isinstance(rec.get(k), str):
                    rec[k] = shuffle_text(rec[k], r)
            out.append(json.dumps(rec, ensure_ascii=False))
        text = "\n".join(out) + "\n"
    elif fmt == "jats":
        # Words of every text node between tags; the PMC id (the document id) gets the suffix.
        text = re.sub(r">([^<]+)<", lambda m: ">" + shuffle_text(m.group(1), r) + "<", text)
        text = re.sub(r'(pub-id-type="pmc">)([^<]+)<', rf"\g<1>\g<2>-r{r:02d}<", text)
    elif fmt == "text":
        text = shuffle_text(text, r)
    elif fmt == "icd10_order":
        lines = []
        for ln in text.split("\n"):
            if len(ln) > 16:  # order(1-5) code(7-13) billable(15) short(17-76) long(78-)
                code = _shift(ln[6], r) + ln[7:13]
                ln = (
                    ln[:6]
                    + code
                    + ln[13:16]
                    + shuffle_line(ln[16:76], f"{r}\0{ln[16:76]}")
                    + ln[76:77]
                    + (shuffle_line(ln[77:], f"{r}\0{ln[77:]}"))
                )
            lines.append(ln)
        text = "\n".join(lines)
    elif fmt == "code_csv":
        import csv
        import io

        rows = list(csv.reader(io.StringIO(text)))
        head, body = rows[0], rows[1:]
        ci, di = head.index("code"), head.index("description")
        for row in body:
            row[ci] = _shift(row[ci][0], r) + row[ci][1:]
            row[di] = shuffle_line(row[di], f"{r}\0{row[di]}")
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([head, *body])
        text = buf.getvalue()
    else:
        raise ValueError(f"no replica rule for format {fmt}")
    dst.write_text(text, encoding="utf-8")


def build_corpus(scale: int, root: Path, tokenizer: Path, storage_root: Path) -> Path:
    """root/<domain>/... with `scale` copies of every bundled file; returns the recipe path."""
    recipe = yaml.safe_load(TINY.read_text())
    recipe["run"]["storage"] = str(storage_root)
    recipe["run"]["name"] = f"bench-x{scale}"
    recipe["corpus"]["tokenizer"] = str(tokenizer)
    for dc in recipe["corpus"]["domains"].values():
        for src in dc["sources"]:
            rel = src["path"].removeprefix("package://data/corpora/")
            files = sorted(CORPORA.glob(rel))
            dst_dir = root / Path(rel).parent
            dst_dir.mkdir(parents=True, exist_ok=True)
            for f in files:
                for r in range(scale):
                    replicate_file(f, dst_dir, src["format"], r)
            if "*" not in rel:  # a single file: its copies are <stem>-rNN<suffix> beside it
                p = Path(rel)
                rel = str(p.parent / f"{p.stem}*{p.suffix}")
            src["path"] = str(root / rel)
    path = root / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False))
    return path


def train_tokenizer_once(out: Path) -> float:
    """The tiny recipe's BPE on the bundled corpus, the way the stage would train it."""
    from mediphi import storage
    from mediphi.config import load_recipe
    from mediphi.corpus.clean import normalize
    from mediphi.corpus.readers import read_local
    from mediphi.models.tiny import train_tokenizer

    t0 = time.time()
    recipe = load_recipe(str(TINY))
    texts = []
    for domain, dc in recipe.corpus.domains.items():
        for src in dc.sources:
            for ref in storage.expand(src.path):
                texts += [normalize(r["text"]) for r in read_local(ref.uri, domain, src) if not r["reason"]]
    train_tokenizer(texts, recipe.base.tiny.vocab_size, out)
    return time.time() - t0


# --- one run, in its own process ---------------------------------------------------------------


def child(recipe_path: str, result_path: str) -> None:
    import pyarrow.dataset as pads
    from tokenizers import Tokenizer

    from benchmarks.common import embedded_cluster
    from mediphi.config import load_recipe
    from mediphi.context import RunContext
    from mediphi.pipeline import get_stage, run_stage

    marks: dict = {}
    recipe = load_recipe(recipe_path)
    t0 = time.time()
    with embedded_cluster(num_cpus=recipe.run.ray.num_cpus):
        marks["ray_init_s"] = round(time.time() - t0, 2)
        # transformers (the stage copies the given tokenizer with AutoTokenizer, which pulls in torch)
        # is imported before the clock starts: seconds of CPU that are neither corpus work nor Ray
        # start-up, and outside the stage's throughput window anyway.
        from transformers import AutoTokenizer  # noqa: F401

        time.sleep(2.0)  # let Ray's idle-worker prestart settle, so the "before" RSS is idle Ray
        marks["stage_start"] = time.time()
        ctx = RunContext(recipe)
        artifact = run_stage(get_stage("corpus"), ctx, force=True)
        marks["stage_end"] = time.time()
        # The same stage again on the same cluster, into another run folder: what every job but the
        # first sees on a long-lived cluster. Ray Data's autoscaling coordinator (a detached actor,
        # created on the cluster's first dataset) and the workers' imports are then already there.
        warm = recipe.model_copy(update={"run": recipe.run.model_copy(update={"name": recipe.run.name + "-warm"})})
        marks["warm_timing"] = run_stage(get_stage("corpus"), RunContext(warm), force=True).metrics["timing"]
        tokenizer_json = Path(artifact.uri) / "tokenizer" / "tokenizer.json"
        marks["floor"] = floor_run(recipe, tokenizer_json, Path(result_path).with_suffix(".floor"))

    metrics = artifact.metrics
    shards = pads.dataset(str(Path(artifact.uri) / "shards"), format="parquet").to_table(
        columns=["text", "n_tokens"]
    )
    texts = shards.column("text").to_pylist()
    tok = Tokenizer.from_file(str(Path(artifact.uri) / "tokenizer" / "tokenizer.json"))
    # encode_batch is the baseline the target names; encode_batch_fast (same ids, no offsets) is
    # what the stage calls, so its rate is reported too.
    raw = {}
    for name in ("encode_batch", "encode_batch_fast"):
        encode = getattr(tok, name)
        times, cpu, n_tokens = [], [], 0
        for _ in range(3):
            t, c = (
                time.perf_counter(),
                time.process_time(),
            )  # process_time counts the Rust threads too
            enc = encode(texts, add_special_tokens=False)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            n_tokens = sum(len(e.ids) for e in enc)
            del enc
        raw[name] = {"times": times, "cpu": cpu, "tokens": n_tokens}
    stage_tokens = sum(shards.column("n_tokens").to_pylist())
    rows_read = sum(d["rows_read"] for d in metrics["domains"].values())
    dedup = {
        k: sum(d["dropped"].get(k, 0) for d in metrics["domains"].values())
        for k in ("exact_duplicate", "near_duplicate")
    }
    Path(result_path).write_text(
        json.dumps(
            {
                **marks,
                "timing": metrics["timing"],
                "totals": metrics["totals"],
                "rows_read": rows_read,
                "dedup": dedup,
                "run_stage_s": artifact.manifest["timings"]["seconds"],
                "raw": raw,
                "raw_docs": len(texts),
                "stage_tokens": stage_tokens,
            }
        )
    )


def _tokenize_only(batch, tokenizer_json: str):
    """The floor's map: the stage's tokenizer call and nothing else."""
    import pyarrow as pa
    import tokenizers

    # Cached on a module the worker has imported: this function travels by value from __main__,
    # so a global of its own would not outlive the task.
    cached = getattr(tokenizers, "_mediphi_bench_floor", None)
    if cached is None or cached[0] != tokenizer_json:
        cached = (tokenizer_json, tokenizers.Tokenizer.from_str(tokenizer_json))
        tokenizers._mediphi_bench_floor = cached
    enc = cached[1].encode_batch_fast(batch.column("text").to_pylist(), add_special_tokens=False)
    return pa.table({"text": batch.column("text"), "n_tokens": pa.array([len(e.ids) for e in enc], pa.int64())})


def floor_run(recipe, tokenizer_json: Path, out: Path) -> dict:
    """The stage's own read tasks and fused read -> map -> write, with a map that only tokenizes.

    No clean-up, scrub, filters, content hash or MinHash, no dedup decision and no pass 2, on
    the cluster the stage has just warmed: what a Ray Data pipeline of the stage's shape costs on
    this machine before any of the stage's per-document work, so the best the stage could reach
    with all of that work free.
    """
    import pyarrow.dataset as pads

    from mediphi.corpus import stage

    fn_kwargs = {"tokenizer_json": tokenizer_json.read_text()}
    started = time.time()
    with stage._cpu_bound_limits():
        reads = stage._read_all(recipe.corpus, stage._files(recipe.corpus))
        reads.map_batches(_tokenize_only, fn_kwargs=fn_kwargs, batch_format="pyarrow").write_parquet(str(out))
    seconds = time.time() - started
    tokens = pads.dataset(str(out), format="parquet").to_table(columns=["n_tokens"]).column("n_tokens")
    shutil.rmtree(out, ignore_errors=True)
    return {"seconds": seconds, "tokens": sum(tokens.to_pylist())}


# --- the parent: run, sample memory, report ----------------------------------------------------


def tree_sample(proc, names: dict[int, str]) -> dict[int, tuple[int, float]]:
    """pid -> (RSS bytes, CPU seconds) for the process and all its descendants; `names` gets
    each process's title (Ray names its workers after what they run)."""
    import psutil

    out = {}
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return out
    for p in procs:
        try:
            with p.oneshot():
                t = p.cpu_times()
                out[p.pid] = (p.memory_info().rss, t.user + t.system)
                # Read every time: a Ray worker renames itself (ray::IDLE, ray::MapWorker(...)).
                names[p.pid] = " ".join(p.cmdline()) or p.name()
        except psutil.Error:
            pass
    return out


def _kind(cmdline: str) -> str:
    """A short name for a process: Ray's title for workers, else the program or script."""
    words = cmdline.split() or ["?"]
    if words[0].startswith("ray::"):
        return words[0]
    if "python" in os.path.basename(words[0]):
        script = next((w for w in words[1:] if w.endswith(".py")), words[-1])
        return os.path.basename(script)
    return os.path.basename(words[0])


def run_one(recipe: Path, result: Path, log: Path, retry: bool = True) -> dict:
    import psutil

    from benchmarks.common import loadavg

    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env["RAY_DATA_DISABLE_PROGRESS_BARS"] = "1"
    env.setdefault("MEDIPHI_CACHE", str(result.parent / "cache"))
    with open(log, "w") as out:
        popen = subprocess.Popen(
            [sys.executable, __file__, "_child", str(recipe), str(result)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
        )
        proc = psutil.Process(popen.pid)
        samples, names = [], {}
        while popen.poll() is None:
            samples.append((time.time(), tree_sample(proc, names)))
            time.sleep(SAMPLE_S)
    if popen.returncode != 0:
        text = log.read_text()
        # A machine loaded far beyond its cores can time out Ray's own start-up (GCS/raylet):
        # that is not the stage failing, so such a run is tried again once.
        if retry and "timed out during startup" in text:
            print(f"    Ray did not start ({loadavg()}); trying the run again", flush=True)
            return run_one(recipe, result, log, retry=False)
        sys.exit(f"the run failed (exit {popen.returncode}); its log: {log}\n{text[-4000:]}")
    res = json.loads(result.read_text())
    before = [s for t, s in samples if t < res["stage_start"]]
    during = [s for t, s in samples if res["stage_start"] <= t <= res["stage_end"]]
    res["peak_tree"] = max(sum(r for r, _ in s.values()) for s in during)
    res["peak_driver"] = max(s[popen.pid][0] for s in during if popen.pid in s)
    res["idle_tree"] = sum(r for r, _ in before[-1].values()) if before else 0
    res["max_procs"] = max(len(s) for s in during)
    # CPU seconds the tree spent in the stage: per process, the last value seen in the window
    # less its value before the stage (0 for processes started during it). A process that
    # exits between samples loses at most 0.2 s. Load inflates this far less than wall time
    # (but shared cores and caches still do: compare CPU seconds taken under similar loads).
    start = before[-1] if before else {}
    last: dict[int, float] = {}
    for s in during:
        last.update({pid: c for pid, (_, c) in s.items()})
    cpu = {pid: c - start.get(pid, (0, 0.0))[1] for pid, c in last.items()}
    res["stage_cpu_s"] = sum(cpu.values())
    by_name: dict[str, list] = {}
    for pid, c in cpu.items():
        name = "driver" if pid == popen.pid else _kind(names.get(pid, "?"))
        by_name.setdefault(name, [0, 0.0])
        by_name[name][0] += 1
        by_name[name][1] += c
    res["cpu_by_process"] = sorted(
        ([n, k, round(c, 1)] for n, (k, c) in by_name.items()), key=lambda x: -x[2]
    )
    res["samples"] = len(during)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--scale",
        type=int,
        nargs="+",
        default=[1, 10],
        help="corpus copies per run (default 1 10)",
    )
    ap.add_argument("--repeats", type=int, default=1, help="runs per scale; the median is reported")
    ap.add_argument("--verbose", action="store_true", help="also print CPU seconds by process kind")
    ap.add_argument(
        "--no-wait",
        action="store_true",
        help="measure now, without waiting for a quiet machine",
    )
    ap.add_argument(
        "--quiet-load",
        type=float,
        default=3.0,
        help="1-min load average to wait for (default 3)",
    )
    ap.add_argument(
        "--max-wait-min", type=float, default=30, help="longest wait for it before each run (default 30)"
    )
    ap.add_argument(
        "--workdir",
        help="keep the corpora, runs and logs here (default: a temp dir, removed)",
    )
    args = ap.parse_args()

    work = Path(args.workdir or tempfile.mkdtemp(prefix="mediphi-bench-corpus-"))
    work.mkdir(parents=True, exist_ok=True)
    from benchmarks.common import header, loadavg, wait_for_quiet

    header("benchmarks/corpus.py " + " ".join(sys.argv[1:]))
    try:
        tok_dir = work / "tokenizer"
        t_tok = train_tokenizer_once(tok_dir)
        print(f"tokenizer: trained once on the bundled corpus in {t_tok:.1f}s (not timed below) -> {tok_dir}")
        recipes = {}
        for scale in args.scale:
            root = work / f"corpus-x{scale}"
            shutil.rmtree(root, ignore_errors=True)
            recipes[scale] = build_corpus(scale, root, tok_dir, work / "runs")
            size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file() and f.name != "recipe.yaml")
            print(f"x{scale}: {size / 1e6:.1f} MB of input files in {root}", flush=True)
        runs: dict[int, list[dict]] = {}
        # Scales alternate within each repeat, so a change in the machine's load hits them alike.
        for rep in range(args.repeats):
            for scale in args.scale:
                # Each run waits for a quiet machine (at most --max-wait-min, then it measures anyway and
                # says so): a number taken under a load far above the cores measures the neighbours.
                quiet = args.no_wait or wait_for_quiet(args.quiet_load, max_wait_s=args.max_wait_min * 60)
                before = loadavg()
                res = run_one(
                    recipes[scale],
                    work / f"result-x{scale}-{rep}.json",
                    work / f"log-x{scale}-{rep}.txt",
                )
                res["loads"] = (before, loadavg(), quiet)
                runs.setdefault(scale, []).append(res)
                print(
                    f"x{scale} run {rep + 1} ({before} -> {loadavg()}{'' if quiet else ', NOT quiet'}): "
                    f"{_line(res)}",
                    flush=True,
                )
                if args.verbose:
                    print(
                        "    CPU-s by process:",
                        ", ".join(f"{n} x{k} {c}" for n, k, c in res["cpu_by_process"]),
                    )
        report(runs)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


def _rates(res: dict) -> dict:
    t = res["timing"]
    stage_s = t["seconds"] - t["tokenizer_seconds"]
    tokens = res["totals"]["tokens"]
    warm_s = res["warm_timing"]["seconds"] - res["warm_timing"]["tokenizer_seconds"]
    out = {
        "stage_s": stage_s,
        "warm_s": warm_s,
        "docs_s": res["rows_read"] / stage_s,
        "tok_s": tokens / stage_s,
    }
    for name, key in (("encode_batch", "raw"), ("encode_batch_fast", "fast")):
        raw = res["raw"][name]
        assert raw["tokens"] == res["stage_tokens"] == tokens, f"{name} saw other text than the stage kept"
        wall, cpu = statistics.median(raw["times"]), statistics.median(raw["cpu"])
        out |= {
            f"{key}_s": wall,
            f"{key}_cpu": cpu,
            f"{key}_tok_s": tokens / wall,
            f"{key}_ratio": (tokens / stage_s) / (tokens / wall),
            f"{key}_warm_ratio": wall / warm_s,
        }
    floor = res["floor"]
    out["floor_s"] = floor["seconds"]
    out["floor_ratio"] = (floor["tokens"] / floor["seconds"]) / out["raw_tok_s"]
    return out


def _line(res: dict) -> str:
    r, t = _rates(res), res["timing"]
    passes = ", ".join(
        f"{k.removesuffix('_seconds')} {v:.2f}s"
        for k, v in t.items()
        if k.endswith("_seconds") and k != "tokenizer_seconds"
    )
    return (
        f"stage {r['stage_s']:.2f}s ({passes}; whole run_stage {res['run_stage_s']:.2f}s), "
        f"{res['stage_cpu_s']:.1f} CPU-s; encode_batch {r['raw_s']:.3f}s ({r['raw_cpu']:.2f} CPU-s), "
        f"encode_batch_fast {r['fast_s']:.3f}s ({r['fast_cpu']:.2f} CPU-s); peak RSS tree "
        f"{res['peak_tree'] / 2**20:.0f} MiB (idle Ray before the stage {res['idle_tree'] / 2**20:.0f} MiB), "
        f"driver {res['peak_driver'] / 2**20:.0f} MiB, {res['max_procs']} processes at most"
    )


def _median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: _rates(r)["stage_s"])[len(runs) // 2]


def report(runs: dict[int, list[dict]]) -> None:
    mib = 2**20
    rows = [
        (
            "scale",
            "docs in",
            "kept docs",
            "kept tokens",
            "dups ex/near",
            "stage s",
            "stage docs/s",
            "stage tok/s",
            "raw tok/s",
            "stage/raw",
            "warm s",
            "warm/raw",
            "floor s",
            "floor/raw",
            "fast tok/s",
            "stage/fast",
            "CPU-s stage",
            "CPU-s raw",
            "peak RSS tree",
            "peak driver",
        )
    ]
    for scale, rs in runs.items():
        res = _median_run(rs)
        r = _rates(res)
        rows.append(
            (
                f"x{scale}",
                res["rows_read"],
                res["totals"]["documents"],
                res["totals"]["tokens"],
                f"{res['dedup']['exact_duplicate']}/{res['dedup']['near_duplicate']}",
                f"{r['stage_s']:.2f}",
                f"{r['docs_s']:.0f}",
                f"{r['tok_s']:.0f}",
                f"{r['raw_tok_s']:.0f}",
                f"{r['raw_ratio']:.2f}",
                f"{r['warm_s']:.2f}",
                f"{r['raw_warm_ratio']:.2f}",
                f"{r['floor_s']:.2f}",
                f"{r['floor_ratio']:.2f}",
                f"{r['fast_tok_s']:.0f}",
                f"{r['fast_ratio']:.2f}",
                f"{res['stage_cpu_s']:.1f}",
                f"{r['raw_cpu']:.2f}",
                f"{res['peak_tree'] / mib:.0f} MiB",
                f"{res['peak_driver'] / mib:.0f} MiB",
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    print()
    for row in rows:
        print("  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)))
    scales = sorted(runs)
    lo = _median_run(runs[scales[0]])
    for scale in scales[1:]:
        hi = _median_run(runs[scale])
        grow = (hi["peak_tree"] - hi["idle_tree"]) / max(1, lo["peak_tree"] - lo["idle_tree"])
        print(
            f"\npeak RSS x{scale} / x{scales[0]}: tree {hi['peak_tree'] / lo['peak_tree']:.2f}, "
            f"driver {hi['peak_driver'] / lo['peak_driver']:.2f}, tree less the idle Ray before the stage {grow:.2f}"
        )
    n = len(next(iter(runs.values())))
    loaded = [
        f"x{scale} run {i + 1}" for scale, rs in runs.items() for i, r in enumerate(rs) if not r["loads"][2]
    ]
    if loaded:
        print(f"\nmeasured WITHOUT a quiet machine (the wait gave up or --no-wait): {', '.join(loaded)}")
    print(
        f"\nMedians of {n} run(s). stage s: stats.json timing.seconds - tokenizer_seconds (Ray start-up and the "
        "tokenizer excluded). raw / fast: tokenizers encode_batch / encode_batch_fast, one call over the "
        "stage's kept texts, median of 3, same process after the stage. stage/raw: stage tok/s over raw "
        "tok/s. warm: the same stage run again on the same cluster (Ray Data's coordinator actor and the "
        "workers' imports already there), as every job but a cluster's first sees it. floor: on that warm "
        "cluster, the stage's read tasks fused with a map that only tokenizes (encode_batch_fast) and a parquet "
        "write, no other per-document work and no pass 2; floor/raw: its tok/s (over every row read) over raw "
        "tok/s. CPU-s: CPU seconds of the stage's process tree (whole run_stage) and of one encode_batch: "
        "load stretches wall time much more than these."
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
