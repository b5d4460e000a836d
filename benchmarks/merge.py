"""Merge memory and time: the merge stage's mergekit call against the `mergekit-yaml` command.

    .venv/bin/python benchmarks/merge.py --repeats 3
    .venv/bin/python benchmarks/merge.py --repeats 1 --vocab 32064 --hidden 768 --layers 12 --intermediate 2048

What runs: a Phi-3 built from config (random init, float32), saved as the base; five "experts" =
the base plus seeded Gaussian noise (1% of each tensor's std); all six saved in shards of the
merge's `out_shard_size`, as the stage's models are written (the launcher's
`train.save_shard_size`, mergekit's `out_shard_size` for SLERPed experts); then the stage's final
merge of the five on the base (breadcrumbs_ties, per-expert weight/density/gamma from MergeCfg's
defaults) twice per repeat:

- api: `mediphi.merge.runner.run_job` (the function each merge Ray task runs: checks, YAML,
  `mergekit.merge.run_merge` with `MergeOptions`) in a fresh Python subprocess;
- cli: `mergekit-yaml <the merge.yaml that api wrote> OUT` with the same options.

The two alternate order every repeat. Each is one child process; its peak RSS is the kernel's
high-water mark for it (`os.wait4` rusage ru_maxrss), which counts the pages of the mmapped
safetensors inputs that the merge touched as well as its heap; the anonymous (heap) and file-backed
(mapped inputs) parts are sampled from /proc every 50 ms and shown beside it. Wall time is the
child's, from spawn to exit (Python, torch and mergekit imports included on both sides). "One model"
is the base's safetensors bytes on disk. Targets: api peak RSS <= 2.5x one model, api time <= 1.1x cli.

The default shape (16 layers, hidden 1024, intermediate 2736, vocabulary 8192: ~218M parameters)
keeps Phi-3.5-mini's proportions, where the largest tensor is ~2.6% of the model. The shape matters:
mergekit merges tensor by tensor, and for one tensor it holds every input's copy plus the deltas,
sort indices and masks of breadcrumbs_ties (~18x the tensor for five experts), so the peak is about
the interpreter (~0.4 GB) + one mapped shard per input + 18x the largest tensor. A 768-wide model
with the full 32k vocabulary (the second command) has an embedding of 18% of the model and peaks
far above 2.5x, with the command as with the API.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MERGEKIT_YAML = Path(sys.executable).parent / "mergekit-yaml"


def build_models(root: Path, layers: int, hidden: int, intermediate: int, vocab: int, shard_bytes: int) -> int:
    """The base and five perturbed experts under root; returns the parameter count."""
    import torch
    from transformers import Phi3Config, Phi3ForCausalLM

    from mediphi.models.tiny import train_tokenizer

    tok_dir = root / "tokenizer"
    words = ["patient", "dose", "code", "trial", "guideline", "fever", "the", "of", "with", "and"]
    train_tokenizer([" ".join(words[(i * j) % 10] for j in range(12)) for i in range(300)], 400, tok_dir)
    config = Phi3Config(vocab_size=vocab, hidden_size=hidden, intermediate_size=intermediate,
                        num_hidden_layers=layers, num_attention_heads=hidden // 64, num_key_value_heads=hidden // 64,
                        max_position_embeddings=2048, original_max_position_embeddings=2048,
                        bos_token_id=0, eos_token_id=0, pad_token_id=0,  # the tokenizer's <|endoftext|>
                        tie_word_embeddings=False, dtype="float32")
    torch.manual_seed(0)
    model = Phi3ForCausalLM(config)
    params = sum(p.numel() for p in model.parameters())
    model.save_pretrained(str(root / "base"), max_shard_size=shard_bytes)
    for f in tok_dir.iterdir():
        shutil.copy(f, root / "base" / f.name)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    for i in range(5):
        gen = torch.Generator().manual_seed(i + 1)
        with torch.no_grad():
            for name, p in model.named_parameters():
                p.copy_(state[name] + torch.randn(p.shape, generator=gen) * (0.01 * float(state[name].std()) + 1e-6))
        out = root / f"expert-{i}"
        model.save_pretrained(str(out), max_shard_size=shard_bytes)
        for f in tok_dir.iterdir():
            shutil.copy(f, out / f.name)
    return params


def measure(cmd: list[str]) -> tuple[float, int, dict[str, int]]:
    """(wall seconds, peak RSS bytes, sampled peaks of RssAnon / RssFile in bytes) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks = {"RssAnon": 0, "RssFile": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            try:
                for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                    key, _, value = line.partition(":")
                    if key in peaks:
                        peaks[key] = max(peaks[key], int(value.split()[0]) * 1024)
            except (OSError, ValueError):
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[:3]} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return wall, usage.ru_maxrss * 1024, peaks  # Linux reports KiB


def api_child(root: str, out: str, shard_bytes: int) -> None:
    """Runs in the subprocess: the stage's final merge exactly as a merge Ray task runs it."""
    from mediphi.config import MergeCfg
    from mediphi.merge.runner import Source, run_job
    from mediphi.merge.stage import expert_params, final_job

    cfg = MergeCfg(out_shard_size=shard_bytes)
    experts = {f"e{i}": str(Path(root) / f"expert-{i}") for i in range(5)}
    run_job(final_job(cfg, Source("base", str(Path(root) / "base")), experts,
                      expert_params(cfg, list(experts)), out, seed=0))


def largest_tensor(model_dir: Path) -> int:
    """Element count of the largest weight in a saved model, from the safetensors headers (this
    process must stay small: see main)."""
    from math import prod

    largest = 0
    for f in model_dir.glob("*.safetensors"):
        with f.open("rb") as fh:
            header = json.loads(fh.read(int.from_bytes(fh.read(8), "little")))
        largest = max([largest, *(prod(t["shape"]) for k, t in header.items() if k != "__metadata__")])
    return largest


def disk_bytes(model_dir: Path) -> int:
    return sum(f.stat().st_size for f in model_dir.glob("*.safetensors"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layers", type=int, default=16)
    ap.add_argument("--hidden", type=int, default=1024)
    ap.add_argument("--intermediate", type=int, default=2736)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--shard-mb", type=int, default=100, help="out_shard_size (MB) of the merge and the experts")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workdir", default=None, help="keep models here (default: a temp dir, removed)")
    ap.add_argument("--api-child", nargs=3, metavar=("ROOT", "OUT", "SHARD"), help=argparse.SUPPRESS)
    ap.add_argument("--build-child", metavar="ROOT", help=argparse.SUPPRESS)
    args = ap.parse_args()
    shard = args.shard_mb * 1_000_000
    if args.api_child:
        api_child(args.api_child[0], args.api_child[1], int(args.api_child[2]))
        return
    if args.build_child:
        root = Path(args.build_child)
        params = build_models(root, args.layers, args.hidden, args.intermediate, args.vocab, shard)
        (root / "params.json").write_text(json.dumps({"params": params}))
        return

    root = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="mphi-merge-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if not (root / "params.json").exists():
        # In a child: a merge child's ru_maxrss starts from this process's own peak (Python's
        # subprocess spawns with vfork, and exec keeps the larger of the two high-water marks), so
        # this process must never hold the models it builds.
        subprocess.run([sys.executable, __file__, "--build-child", str(root), "--layers", str(args.layers),
                        "--hidden", str(args.hidden), "--intermediate", str(args.intermediate),
                        "--vocab", str(args.vocab), "--shard-mb", str(args.shard_mb)], check=True)
    params = json.loads((root / "params.json").read_text())["params"]
    one = disk_bytes(root / "base")
    print(f"models: {params / 1e6:.1f}M parameters, one model {one / 2**20:.0f} MiB on disk; "
          f"built in {time.perf_counter() - started:.0f}s; out_shard_size {shard:,} bytes", flush=True)

    runs: dict[str, list[tuple[float, int]]] = {"api": [], "cli": []}
    biggest = largest_tensor(root / "base")
    print(f"largest tensor: {biggest / 1e6:.1f}M parameters ({biggest / params:.1%} of the model)", flush=True)
    cli_opts = ["--lazy-unpickle", "--out-shard-size", str(shard), "--random-seed", "0", "--quiet",
                "--no-write-model-card"]
    for r in range(args.repeats):
        order = ["api", "cli"] if r % 2 == 0 else ["cli", "api"]
        for which in order:
            out = root / f"out-{which}"
            shutil.rmtree(out, ignore_errors=True)
            if which == "api":
                cmd = [sys.executable, __file__, "--api-child", str(root), str(root / "api"), str(shard)]
                shutil.rmtree(root / "api", ignore_errors=True)
            else:
                cmd = [str(MERGEKIT_YAML), str(root / "api" / "merge.yaml"), str(out), *cli_opts]
                if not (root / "api" / "merge.yaml").exists():  # the first repeat's cli needs api's YAML
                    measure([sys.executable, __file__, "--api-child", str(root), str(root / "api"), str(shard)])
            wall, rss, parts = measure(cmd)
            runs[which].append((wall, rss))
            print(f"  repeat {r + 1} {which}: {wall:6.1f}s, peak RSS {rss / 2**20:6.0f} MiB "
                  f"({rss / one:.2f}x one model; sampled peaks: anonymous {parts['RssAnon'] / 2**20:.0f} MiB = "
                  f"{parts['RssAnon'] / one:.2f}x, mapped files {parts['RssFile'] / 2**20:.0f} MiB); "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)

    def stats(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f})"

    api_t, cli_t = [w for w, _ in runs["api"]], [w for w, _ in runs["cli"]]
    api_m, cli_m = [m / one for _, m in runs["api"]], [m / one for _, m in runs["cli"]]
    ratios = [a / c for a, c in zip(api_t, cli_t, strict=True)]
    print()
    print("| | api (mediphi, run_job) | cli (mergekit-yaml) |")
    print("|---|---|---|")
    print(f"| wall s, median (min, max) | {stats(api_t)} | {stats(cli_t)} |")
    print(f"| peak RSS / one model | {stats(api_m)} | {stats(cli_m)} |")
    print(f"| peak RSS MiB, max | {max(m for _, m in runs['api']) / 2**20:.0f} | "
          f"{max(m for _, m in runs['cli']) / 2**20:.0f} |")
    print(f"\napi/cli time per repeat: {', '.join(f'{x:.3f}' for x in ratios)}; "
          f"target api RSS <= 2.5x: {'met' if max(api_m) <= 2.5 else 'MISSED'}; "
          f"target api time <= 1.1x cli: {'met' if statistics.median(ratios) <= 1.1 else 'MISSED'} (median ratio)")
    if not args.workdir:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
