"""Serving throughput and latency: bare vLLM against `mediphi serve` (vLLM and transformers engines).

    .venv/bin/python benchmarks/serve.py            # the real run: waits for a quiet machine first
    .venv/bin/python benchmarks/serve.py --quick    # tiny model, few requests: checks the script

One run, one model, the same prompts for every engine:

- model: a Phi-3 built from config (random init; default hidden 768, 8 layers, MLP 2048, 12
  heads, ~69M parameters, float32), its byte-level BPE tokenizer (8192) trained on the bundled
  corpora (mediphi/data/corpora), built with mediphi.models.tiny;
- prompts: windows of `--prompt-tokens` tokens cut from those corpora, decoded to text; every
  request is a text completion of exactly `--max-tokens` tokens (greedy, ignore_eos), so each
  engine does the same work whatever the random weights predict;
- (a) vllm: vLLM's own AsyncLLM in a child process, with exactly the engine arguments and
  environment `mediphi.serving.app.llm_config` gives the served engine (float32, eager, one
  process: `distributed_executor_backend=uni`, VLLM_ENABLE_V1_MULTIPROCESSING=0,
  VLLM_CPU_KVCACHE_SPACE), requests sent with `AsyncLLM.generate` (FINAL_ONLY output);
- (b) serve: `python -m mediphi.cli serve tiny --model bench=DIR --set serve.engine=vllm` as a
  subprocess on 127.0.0.1 and a free port (its own embedded Ray), queried over HTTP with the
  official `openai.AsyncOpenAI` client (non-streaming `completions.create`, extra_body
  ignore_eos); stopped by its PID;
- (c) hf: the same with `--set serve.engine=transformers` (one request at a time per replica).

For each engine and concurrency c: a short warm-up, then `requests(c)` requests issued by c
concurrent workers from one queue (closed loop). Output tokens/s = all completion tokens (as the
engine reports them) / wall time of the level; latency = each request's end-to-end seconds,
p50/p99 over the level's requests. Ratios are against (a). The load average is printed before
and after each engine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SIZES = {  # hidden, layers, intermediate, heads, vocab
    "full": (768, 8, 2048, 12, 8192),
    "quick": (128, 2, 256, 4, 1024),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- model and prompts -----------------------------------------------------------------------------


def build(root: Path, size: str) -> tuple[Path, int]:
    from benchmarks.common import corpus_texts
    from mediphi.config import TinyModelCfg
    from mediphi.models.tiny import build_model, train_tokenizer

    hidden, layers, inter, heads, vocab = SIZES[size]
    train_tokenizer(corpus_texts(), vocab, root / "tok")
    cfg = TinyModelCfg(vocab_size=vocab, hidden_size=hidden, intermediate_size=inter, num_hidden_layers=layers,
                       num_attention_heads=heads, max_position_embeddings=1024)
    params = build_model(cfg, root / "tok", root / "model", seed=0)
    return root / "model", params


def make_prompts(model_dir: Path, n: int, tokens: int) -> list[str]:
    """n distinct corpus windows of `tokens` tokens, as text (each engine tokenizes it itself)."""
    from transformers import AutoTokenizer

    from benchmarks.common import corpus_texts

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    prompts: list[str] = []
    for text in corpus_texts():
        ids = tok(text, add_special_tokens=False)["input_ids"]
        for start in range(0, len(ids) - tokens, tokens * 7):  # spread over the text, not adjacent
            prompts.append(tok.decode(ids[start:start + tokens]))
            if len(prompts) == n:
                return prompts
    raise RuntimeError(f"the corpora gave only {len(prompts)} prompts of {tokens} tokens")


# --- the closed-loop load generator ------------------------------------------------------------------


def requests_for(c: int, quick: bool) -> int:
    # Enough requests that the level runs several rounds at full concurrency (p99 means something).
    return max(4, 2 * c) if quick else max(16, 3 * c)


async def run_level(send, prompts: list[str], c: int, n: int) -> dict:
    """c workers take the n requests from one queue; `send(prompt)` returns completion tokens."""
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(prompts[i % len(prompts)])
    latencies: list[float] = []
    tokens = 0

    async def worker():
        nonlocal tokens
        while not queue.empty():
            prompt = queue.get_nowait()
            t0 = time.perf_counter()
            got = await send(prompt)  # not `tokens += await ...`: that reads tokens before awaiting
            latencies.append(time.perf_counter() - t0)
            tokens += got

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(c)))
    wall = time.perf_counter() - t0
    return {"concurrency": c, "requests": n, "tokens": tokens, "wall_s": round(wall, 3),
            "tok_s": round(tokens / wall, 2), "p50_s": round(_pct(latencies, 50), 3),
            "p99_s": round(_pct(latencies, 99), 3)}


def _pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


async def run_levels(send, prompts: list[str], levels: list[int], quick: bool, max_tokens: int,
                     gate: bool) -> list[dict]:
    """Each level once, or (gate) until other processes took at most Contention.MAX_OTHERS of the
    CPU while it ran, waiting for a quiet machine between tries (4 tries; the least disturbed is kept)."""
    from benchmarks.common import Contention, loadavg, wait_for_quiet

    warm = min(max(levels), 8)
    await run_level(send, prompts, warm, warm)  # first batches pay one-time costs: not measured
    out = []
    for c in levels:
        best = None
        for attempt in range(1, 5 if gate else 2):
            if attempt > 1:
                wait_for_quiet()  # blocks the loop, harmless: nothing is in flight between tries
            before = loadavg()
            with Contention() as cont:
                row = await run_level(send, prompts, c, requests_for(c, quick))
            row.update(others_cpu=round(cont.others, 3), ours_cpu=round(cont.mine, 3), attempt=attempt,
                       load_before=before, load_after=loadavg())
            expected = row["requests"] * max_tokens
            if row["tokens"] != expected:  # fixed output length is what makes engines comparable
                raise RuntimeError(f"c={c}: {row['tokens']} completion tokens, expected {expected}")
            print(f"  c={c:>3}: {row['tok_s']:8.1f} tok/s  p50 {row['p50_s']:6.2f}s  p99 {row['p99_s']:6.2f}s "
                  f"({row['requests']} requests, {row['wall_s']:.1f}s; CPU ours {cont.mine:.0%}, others "
                  f"{cont.others:.0%}; {before} -> {row['load_after']})", flush=True)
            if best is None or row["others_cpu"] < best["others_cpu"]:
                best = row
            if not gate or cont.clean:
                break
            print(f"  others took {cont.others:.0%} of the CPU during c={c}: measuring again on a quiet machine",
                  flush=True)
        out.append(best)
    return out


# --- (a) bare vLLM, in a child process ------------------------------------------------------------


def vllm_engine_settings(model_dir: str, max_model_len: int, kv_gib: int) -> tuple[dict, dict]:
    """The served engine's kwargs and environment, from the same function `mediphi serve` uses."""
    from mediphi.config import EngineArgs, ServeCfg
    from mediphi.serving.app import llm_config

    cfg = ServeCfg(engine="vllm", engine_args=EngineArgs(max_model_len=max_model_len, cpu_kv_cache_gib=kv_gib))
    conf = llm_config("bench", model_dir, cfg, "vllm")
    return conf["engine_kwargs"], conf["runtime_env"]["env_vars"]


def vllm_child(spec: dict) -> None:
    """Runs in the child process (its environment already holds the engine's variables)."""
    from vllm import SamplingParams
    from vllm.engine.arg_utils import AsyncEngineArgs
    from vllm.sampling_params import RequestOutputKind
    from vllm.v1.engine.async_llm import AsyncLLM

    kwargs = dict(spec["engine_kwargs"])
    # ray.serve.llm turns this dict into vLLM's config object before building the engine; so do we.
    from vllm.config import StructuredOutputsConfig

    if isinstance(kwargs.get("structured_outputs_config"), dict):
        kwargs["structured_outputs_config"] = StructuredOutputsConfig(**kwargs["structured_outputs_config"])
    t0 = time.time()
    engine = AsyncLLM.from_engine_args(AsyncEngineArgs(model=spec["model"], **kwargs))
    print(f"  engine ready in {time.time() - t0:.0f}s; torch threads {_torch_threads()}", flush=True)
    params = SamplingParams(max_tokens=spec["max_tokens"], temperature=0.0, ignore_eos=True,
                            output_kind=RequestOutputKind.FINAL_ONLY)

    async def send(prompt: str) -> int:
        final = None
        async for out in engine.generate(prompt, params, request_id=uuid.uuid4().hex):
            final = out
        return len(final.outputs[0].token_ids)

    try:
        rows = asyncio.run(run_levels(send, spec["prompts"], spec["levels"], spec["quick"], spec["max_tokens"],
                                      spec["gate"]))
    finally:
        engine.shutdown()
    print("RESULT " + json.dumps(rows), flush=True)


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def run_vllm(model_dir: Path, prompts: list[str], args, work: Path) -> list[dict]:
    kwargs, env = vllm_engine_settings(str(model_dir), args.max_model_len, args.kv_gib)
    spec = {"model": str(model_dir), "engine_kwargs": kwargs, "prompts": prompts, "levels": args.concurrency,
            "quick": args.quick, "max_tokens": args.max_tokens, "gate": args.gate}
    (work / "vllm_spec.json").write_text(json.dumps(spec))
    print(f"  engine_kwargs {json.dumps(kwargs)}\n  env {json.dumps(env)}", flush=True)
    proc = subprocess.run([sys.executable, __file__, "--vllm-child", str(work / "vllm_spec.json")],
                          env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
        elif line.startswith("  "):
            print(line, flush=True)
    (work / "vllm_child.log").write_text(proc.stdout)
    if proc.returncode != 0 or result is None:
        raise RuntimeError(f"bare vLLM child failed ({proc.returncode}):\n{proc.stdout[-4000:]}")
    return result


# --- (b), (c) mediphi serve over HTTP --------------------------------------------------------------


def start_server(model_dir: Path, engine: str, args, work: Path) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = work / f"serve-{engine}.log"
    cmd = [sys.executable, "-m", "mediphi.cli", "serve", "tiny", "--port", str(port), "--model", f"bench={model_dir}",
           "--set", f"serve.engine={engine}", "--set", f"serve.engine_args.max_model_len={args.max_model_len}",
           "--set", f"serve.engine_args.cpu_kv_cache_gib={args.kv_gib}", "--set", f"run.storage={work / 'runs'}",
           *[x for s in args.serve_set for x in ("--set", s)]]
    print(f"  $ {' '.join(cmd[1:])}", flush=True)
    env = {**os.environ, "RAY_DATA_DISABLE_PROGRESS_BARS": "1", **dict(e.split("=", 1) for e in args.server_env)}
    env.pop("RAY_ADDRESS", None)  # an embedded cluster of its own, never someone else's
    proc = subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env, cwd=work,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}/v1"
    import httpx

    t0 = time.time()
    while time.time() - t0 < 900:  # bounded: a server that never comes up fails the run
        if proc.poll() is not None:
            raise RuntimeError(f"mediphi serve exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        # Not /v1/models: the ingress answers it from the model cards while the engine replica is
        # still starting. The CLI prints "serving ..." once the whole application is RUNNING.
        if "serving bench at" in log.read_text(errors="replace"):
            try:
                r = httpx.post(f"{base}/completions", timeout=120, json={"model": "bench", "prompt": "Patient",
                                                                          "max_tokens": 1})
                if r.status_code == 200:
                    print(f"  server ready in {time.time() - t0:.0f}s (pid {proc.pid})", flush=True)
                    return proc, base, log
            except httpx.HTTPError:
                pass
        time.sleep(2)
    stop(proc)
    raise TimeoutError(f"server not ready:\n{log.read_text()[-4000:]}")


def stop(proc: subprocess.Popen) -> None:
    """Stop the server we started, by its PID's process group (the CLI, its raylet and workers)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)  # the CLI shuts Serve down on Ctrl-C
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def run_http(base: str, prompts: list[str], args) -> list[dict]:
    import openai

    async def main() -> list[dict]:
        client = openai.AsyncOpenAI(base_url=base, api_key="none", max_retries=0, timeout=1800)

        async def send(prompt: str) -> int:
            r = await client.completions.create(model="bench", prompt=prompt, max_tokens=args.max_tokens,
                                                temperature=0, extra_body={"ignore_eos": True})
            return r.usage.completion_tokens

        try:
            return await run_levels(send, prompts, args.concurrency, args.quick, args.max_tokens, args.gate)
        finally:
            await client.close()

    return asyncio.run(main())


def replica_threads(server_pid: int) -> str:
    """OMP_NUM_THREADS and OS threads of the server's engine processes (its descendants: Ray's
    raylet is the CLI's child, the replicas and vLLM's EngineCore the raylet's)."""
    from benchmarks.common import descendants

    found = []
    for pid in descendants(server_pid):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
            if not ("ServeReplica" in title and "Ingress" not in title) and "EngineCore" not in title:
                continue
            env = dict(kv.split("=", 1) for kv in Path(f"/proc/{pid}/environ").read_bytes().decode(
                errors="replace").split("\0") if "=" in kv)
            threads = next(ln.split()[1] for ln in Path(f"/proc/{pid}/status").read_text().splitlines()
                           if ln.startswith("Threads:"))
            found.append(f"{title[:60]} OMP_NUM_THREADS={env.get('OMP_NUM_THREADS', 'unset')} threads={threads}")
        except (OSError, StopIteration):
            continue
    return "; ".join(found) or "no engine process found"


# --- the report -----------------------------------------------------------------------------------


NAMES = {"vllm": "(a) vLLM AsyncLLM", "serve": "(b) mediphi serve, vllm", "hf": "(c) mediphi serve, transformers"}


def report(results: dict[str, list[dict]], loads: dict[str, tuple[str, str]]) -> None:
    base = {r["concurrency"]: r for r in results.get(NAMES["vllm"], [])}
    print("\n| engine | c | requests | output tok/s | p50 s | p99 s | tok/s vs (a) | p50 vs (a) | CPU ours / others |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, rows in results.items():
        for r in rows:
            b = base.get(r["concurrency"])
            ratio = f"{r['tok_s'] / b['tok_s']:.2f}x" if b else "-"
            lat = f"{r['p50_s'] / b['p50_s']:.2f}x" if b else "-"
            print(f"| {name} | {r['concurrency']} | {r['requests']} | {r['tok_s']:.1f} | {r['p50_s']:.2f} | "
                  f"{r['p99_s']:.2f} | {ratio} | {lat} | {r['ours_cpu']:.0%} / {r['others_cpu']:.0%} |")
    print("\nCPU ours / others: share of the 2 cores used by this benchmark's processes (client, server or "
          "engine) / by everything else while the level ran.")
    for name, (before, after) in loads.items():
        print(f"{name}: {before} before, {after} after")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny model and few requests: a check of the script")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    ap.add_argument("--engines", nargs="+", default=["vllm", "serve", "hf"], choices=["vllm", "serve", "hf"])
    ap.add_argument("--max-tokens", type=int, default=64, help="output tokens of every request")
    ap.add_argument("--prompt-tokens", type=int, default=64)
    ap.add_argument("--max-model-len", type=int, default=1024)
    ap.add_argument("--kv-gib", type=int, default=2, help="VLLM_CPU_KVCACHE_SPACE for both vLLM engines")
    ap.add_argument("--serve-set", action="append", default=[], metavar="KEY=VALUE",
                    help="extra --set for both `mediphi serve` runs (e.g. serve.max_ongoing_requests=64)")
    ap.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                    help="environment of both `mediphi serve` processes (their embedded Ray's workers inherit it)")
    ap.add_argument("--no-wait", action="store_true", help="measure now, whatever the load")
    ap.add_argument("--workdir", help="keep the model and logs here (default: a temp dir, removed)")
    ap.add_argument("--vllm-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.vllm_child:
        vllm_child(json.loads(Path(args.vllm_child).read_text()))
        return

    from benchmarks.common import header, loadavg, wait_for_quiet

    header("benchmarks/serve.py " + " ".join(sys.argv[1:]))
    if args.quick:
        args.max_tokens = min(args.max_tokens, 16)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="mphi-serve-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.time()
        model_dir, params = build(work, "quick" if args.quick else "full")
        prompts = make_prompts(model_dir, 64, args.prompt_tokens)
        print(f"model: Phi-3 {params / 1e6:.1f}M parameters, float32, built in {time.time() - t0:.0f}s; "
              f"{len(prompts)} prompts of {args.prompt_tokens} tokens, {args.max_tokens} output tokens each",
              flush=True)
        args.gate = not (args.quick or args.no_wait)
        results: dict[str, list[dict]] = {}
        loads: dict[str, tuple[str, str]] = {}
        for engine in args.engines:
            name = NAMES[engine]
            print(f"\n{name}", flush=True)
            if args.gate:
                wait_for_quiet()
            before = loadavg()
            if engine == "vllm":
                results[name] = run_vllm(model_dir, prompts, args, work)
            else:
                proc, base, _ = start_server(model_dir, "vllm" if engine == "serve" else "transformers", args, work)
                try:
                    print(f"  replica: {replica_threads(proc.pid)}", flush=True)
                    results[name] = run_http(base, prompts, args)
                finally:
                    stop(proc)
            loads[name] = (before, loadavg())
        report(results, loads)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
