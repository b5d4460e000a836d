"""Training throughput: one expert on Ray Train (mediphi's launcher) against a plain HF Trainer.

    .venv/bin/python benchmarks/train.py            # the real run: waits for a quiet machine first
    .venv/bin/python benchmarks/train.py --quick    # tiny model, few steps: checks the script

One run, one model, one data set:

- model: a Phi-3 built from config (random init; default hidden 512, 4 layers, MLP 1536, 8 heads,
  vocabulary 8192 from a BPE trained on the bundled corpora: ~22M parameters, float32);
- data: the bundled corpora tokenized and packed into rows of `--seq-len` tokens (mediphi's
  packing), one parquet file, as the pit stage hands them to the experts stage;
- plain: `transformers.Trainer` in one process (torch's default threads: both cores) on those rows
  (a map-style dataset, `default_data_collator`);
- ray-1 / ray-2: `mediphi.train.launcher.launch([TrainJob(...)])`, the experts stage's call, with
  `ray.data.read_parquet` of the same file, on an embedded Ray (num_cpus=8, as the tiny recipe),
  1 worker with cpus_per_worker=2, or 2 workers (DDP over gloo) with cpus_per_worker=1 each (Ray
  sets each worker's OMP threads to its CPUs).

All three use the launcher's own TrainingArguments (`_training_arguments`: same batch, lr
schedule, logging) and its ThroughputCallback, whose log records carry tokens/s since the previous
record. save_steps lies beyond the run in all three (no mid-run checkpoints; the Trainer's save at
the end comes after the last timed step), and report_to is empty (no TensorBoard) in all three.
Tokens/s = the records after the first `--warmup-steps` steps: total tokens / total seconds. With
2 workers the per-device batch is the same, so each step trains twice the tokens (weak scaling).

Peak: torch fp32 matmul (n=2048) GFLOP/s with 2 threads and 1 thread, best of several, in child
processes. MFU = 6 * params * tokens/s / peak(2 threads); also given with the input embedding left
out of params (a lookup, no FLOPs).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SIZES = {  # hidden, layers, intermediate, heads, vocab
    "full": (512, 4, 1536, 8, 8192),
    "quick": (64, 2, 128, 2, 512),
}


# --- model, data, peak -----------------------------------------------------------------------------


def build(root: Path, size: str, seq_len: int, rows_needed: int) -> tuple[Path, Path, int, int]:
    import pyarrow.parquet as pq
    from transformers import AutoTokenizer

    from benchmarks.common import corpus_texts
    from mediphi.config import TinyModelCfg
    from mediphi.models.tiny import build_model, train_tokenizer
    from mediphi.packing import pack, to_table

    hidden, layers, inter, heads, vocab = SIZES[size]
    train_tokenizer(corpus_texts(), vocab, root / "tok")
    cfg = TinyModelCfg(vocab_size=vocab, hidden_size=hidden, intermediate_size=inter, num_hidden_layers=layers,
                       num_attention_heads=heads, max_position_embeddings=max(1024, seq_len))
    params = build_model(cfg, root / "tok", root / "model", seed=0)
    tok = AutoTokenizer.from_pretrained(str(root / "model"))
    ids = tok(list(corpus_texts()), add_special_tokens=False)["input_ids"]
    chunks = list(pack(((x, x) for x in ids), seq_len, tok.eos_token_id))
    # Repeat the corpus if the run needs more rows than it has: throughput does not care.
    chunks = (chunks * (rows_needed // len(chunks) + 1))[:rows_needed]
    (root / "data").mkdir()
    pq.write_table(to_table(chunks), root / "data" / "0.parquet")
    embed = vocab * hidden
    return root / "model", root / "data" / "0.parquet", params, embed


def peak_child(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    n = 2048
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        a @ b  # warm-up: thread pool and caches
    best = 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(10):
            a @ b
        best = max(best, 10 * 2 * n**3 / (time.perf_counter() - t0) / 1e9)
    print(json.dumps({"threads": torch.get_num_threads(), "gflops": round(best, 1)}))


def measure_peak() -> dict[int, float]:
    out = {}
    for threads in (2, 1):
        proc = subprocess.run([sys.executable, __file__, "--peak-child", str(threads)], capture_output=True, text=True,
                              check=True)
        out[threads] = json.loads(proc.stdout.strip().splitlines()[-1])["gflops"]
    return out


# --- the runs ----------------------------------------------------------------------------------------


def train_cfg(spec: dict, **over):
    from mediphi.config import TrainCfg

    return TrainCfg(max_steps=spec["steps"], per_device_batch_size=spec["batch"], logging_steps=spec["logging_steps"],
                    save_steps=spec["steps"] + 1000, learning_rate=5e-4, warmup_ratio=0.0, report_to=[],
                    max_failures=0, **over)


def plain_child(spec: dict) -> None:
    """One process, no Ray: the same TrainingArguments and ThroughputCallback as a launcher worker."""
    import pyarrow.parquet as pq
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, default_data_collator

    from mediphi.train.launcher import ThroughputCallback, _training_arguments

    table = pq.read_table(spec["data"])
    rows = [{"input_ids": torch.tensor(i, dtype=torch.long), "labels": torch.tensor(lab, dtype=torch.long)}
            for i, lab in zip(table["input_ids"].to_pylist(), table["labels"].to_pylist(), strict=True)]
    cfg = train_cfg(spec)
    work = Path(tempfile.mkdtemp(prefix="mphi-plain-"))
    job = {"kind": "lm", "options": {"seed": 42, "seq_len": spec["seq_len"]}}
    args = _plain_arguments(_training_arguments, cfg, work, job)
    model = AutoModelForCausalLM.from_pretrained(spec["model"], dtype=torch.float32)
    tok = AutoTokenizer.from_pretrained(spec["model"])
    trainer = Trainer(model=model, args=args, train_dataset=rows, processing_class=tok,
                      data_collator=default_data_collator)
    trainer.callback_handler.callbacks.insert(0, ThroughputCallback(spec["seq_len"]))
    trainer.train()
    shutil.rmtree(work, ignore_errors=True)
    print("RESULT " + json.dumps({"threads": torch.get_num_threads(), "log_history": trainer.state.log_history}))


def _plain_arguments(make, cfg, work: Path, job: dict):
    """The launcher's TrainingArguments with ddp_backend=None: its "gloo" asks accelerate for a
    process group, which only a launcher (Ray Train, torchrun) sets up; one process needs none."""
    import transformers

    real = transformers.TrainingArguments

    class Plain(real):
        def __post_init__(self):
            self.ddp_backend = None
            super().__post_init__()

    transformers.TrainingArguments = Plain  # the launcher imports it by name when called
    try:
        plain = make(cfg, work, job)
    finally:
        transformers.TrainingArguments = real
    # Back to the real class (the Trainer pickles its arguments into checkpoints).
    return real(**{f.name: getattr(plain, f.name) for f in dataclasses.fields(real) if f.init})


def ray_child(spec: dict) -> None:
    """An embedded Ray and the launcher, as the experts stage calls it."""
    import ray

    from benchmarks.common import embedded_cluster
    from mediphi.train.launcher import TrainJob, launch

    workers = spec["workers"]
    os.environ["RAY_DATA_DISABLE_PROGRESS_BARS"] = "1"
    with embedded_cluster(num_cpus=8):
        out = Path(spec["work"]) / f"ray-{workers}"
        cfg = train_cfg(spec, num_workers=workers, cpus_per_worker=2 / workers)
        job = TrainJob(name=f"bench-{workers}", model=spec["model"],
                       datasets={"train": ray.data.read_parquet(spec["data"])}, cfg=cfg,
                       checkpoints=str(out / "ckpt"), output=str(out / "model"), tensorboard=str(out / "tb"),
                       options={"seq_len": spec["seq_len"], "seed": 42})
        sampler = CpuSampler(os.getpid())
        sampler.start()
        try:
            [result] = launch([job])
        finally:
            sampler.stop()
    print("RESULT " + json.dumps({"log_history": result.log_history, "cpu_seconds": sampler.totals()}))


class CpuSampler:
    """CPU seconds used by this process's descendants, grouped by their Ray process title (read at
    every sample: a worker's title changes from IDLE to the actor or task it runs): shows how many
    cores the train workers used and what Ray Data and the rest cost beside them."""

    def __init__(self, root: int):
        self.root = root
        self.prev: dict[int, float] = {}
        self.used: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.tick = os.sysconf("SC_CLK_TCK")

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self):
        while not self._stop.wait(1.0):
            self._sample()

    def _sample(self):
        from benchmarks.common import descendants

        for pid in descendants(self.root):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                title = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
            except OSError:
                continue
            cpu = (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime
            group = _group(title)
            self.used[group] = self.used.get(group, 0.0) + cpu - self.prev.get(pid, 0.0)
            self.prev[pid] = cpu

    def totals(self) -> dict[str, float]:
        return {k: round(v, 1) for k, v in sorted(self.used.items(), key=lambda kv: -kv[1])}


def _group(title: str) -> str:
    if title.startswith("ray::"):
        name = title[len("ray::"):].split("(")[0].split(".")[0].split(":")[0]
        return "ray::" + ("IDLE/other" if name in ("IDLE", "") else name)
    return os.path.basename(title.split()[0]) if title else "?"


def run_child(flag: str, spec: dict, work: Path, name: str) -> dict:
    path = work / f"{name}.json"
    path.write_text(json.dumps(spec))
    log = work / f"{name}.log"
    with log.open("w") as f:
        proc = subprocess.run([sys.executable, __file__, flag, str(path)], stdout=f, stderr=subprocess.STDOUT,
                              env={k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"})
    text = log.read_text()
    result = next((json.loads(ln[len("RESULT "):]) for ln in text.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode != 0 or result is None:
        raise RuntimeError(f"{name} failed ({proc.returncode}):\n{text[-4000:]}")
    return result


def steady(log_history: list[dict], warmup_steps: int, logging_steps: int) -> tuple[float, int]:
    """tokens/s over the records after warm-up: each record covers logging_steps steps."""
    records = [h for h in log_history if "tokens_per_second" in h and h["step"] > warmup_steps]
    if not records:
        raise RuntimeError("no throughput records after the warm-up steps: run more steps")
    # Equal tokens per record, so the total rate is the harmonic mean of the records' rates.
    seconds = sum(1 / h["tokens_per_second"] for h in records)
    return len(records) / seconds, len(records) * logging_steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny model, few steps: a check of the script")
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--warmup-steps", type=int, default=10)
    ap.add_argument("--logging-steps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=8, help="per-device batch")
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--runs", nargs="+", default=["plain", "ray-1", "ray-2"], choices=["plain", "ray-1", "ray-2"])
    ap.add_argument("--no-wait", action="store_true", help="measure now, whatever the load")
    ap.add_argument("--workdir", help="keep the model, data and logs here (default: a temp dir, removed)")
    ap.add_argument("--peak-child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--plain-child", help=argparse.SUPPRESS)
    ap.add_argument("--ray-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.peak_child:
        return peak_child(args.peak_child)
    if args.plain_child:
        return plain_child(json.loads(Path(args.plain_child).read_text()))
    if args.ray_child:
        return ray_child(json.loads(Path(args.ray_child).read_text()))

    from benchmarks.common import Contention, header, loadavg, wait_for_quiet

    header("benchmarks/train.py " + " ".join(sys.argv[1:]))
    if args.quick:
        args.steps, args.warmup_steps, args.logging_steps, args.batch, args.seq_len = 6, 2, 2, 4, 64
    work = Path(args.workdir or tempfile.mkdtemp(prefix="mphi-train-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.time()
        model, data, params, embed = build(work, "quick" if args.quick else "full", args.seq_len,
                                           rows_needed=2 * args.steps * args.batch)
        print(f"model: Phi-3 {params / 1e6:.1f}M parameters ({embed / 1e6:.1f}M input embedding), float32; "
              f"seq {args.seq_len}, per-device batch {args.batch}, {args.steps} steps, first {args.warmup_steps} "
              f"not timed; built in {time.time() - t0:.0f}s", flush=True)
        gate = not (args.quick or args.no_wait)
        spec = {"model": str(model), "data": str(data), "steps": args.steps, "batch": args.batch,
                "logging_steps": args.logging_steps, "seq_len": args.seq_len, "work": str(work)}

        def measured(what: str, fn):
            """fn() on a quiet machine; again (4 tries, least disturbed kept) if others took more
            than Contention.MAX_OTHERS of the CPU while it ran."""
            best = None
            for attempt in range(1, 5 if gate else 2):
                if gate:
                    wait_for_quiet()
                before = loadavg()
                with Contention() as cont:
                    value = fn()
                note = f"CPU ours {cont.mine:.0%}, others {cont.others:.0%}; {before} -> {loadavg()}"
                print(f"  {what} try {attempt}: {note}", flush=True)
                if best is None or cont.others < best[1]:
                    best = (value, cont.others, note)
                if not gate or cont.clean:
                    break
            return best

        peak, _, note = measured("matmul peak", measure_peak)
        print(f"\nmatmul fp32 peak: {peak[2]:.1f} GFLOP/s (2 threads), {peak[1]:.1f} GFLOP/s (1 thread); {note}",
              flush=True)
        rows = []
        for run in args.runs:
            t0 = time.time()
            if run == "plain":
                res, others, note = measured(run, lambda: run_child("--plain-child", spec, work, "plain"))
                extra = f"torch threads {res['threads']}"
            else:
                workers = int(run[-1])
                res, others, note = measured(run, lambda w=workers: run_child("--ray-child", {**spec, "workers": w},
                                                                             work, f"ray-{w}"))
                extra = "CPU s: " + ", ".join(f"{k} {v}" for k, v in res["cpu_seconds"].items() if v >= 0.5)
            tps, steps = steady(res["log_history"], args.warmup_steps, args.logging_steps)
            rows.append((run, tps, steps, others))
            print(f"{run}: {tps:.0f} tokens/s over {steps} steps ({time.time() - t0:.0f}s with waits); {extra}\n"
                  f"  {note}", flush=True)
        plain = next((tps for run, tps, _, _ in rows if run == "plain"), None)
        print("\n| run | tokens/s | vs plain | GFLOP/s (6N) | MFU 6N | MFU 6N w/o input embedding | others' CPU |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for run, tps, _, others in rows:
            flops = 6 * params * tps / 1e9
            ratio = f"{tps / plain:.2f}x" if plain else "-"
            print(f"| {run} | {tps:.0f} | {ratio} | {flops:.1f} | {flops / peak[2]:.1%} | "
                  f"{6 * (params - embed) * tps / 1e9 / peak[2]:.1%} | {others:.0%} |")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
