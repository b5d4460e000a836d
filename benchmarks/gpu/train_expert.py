"""One expert's training throughput and MFU on one GPU: ~1B Phi-3, ZeRO-2 + bf16, mediphi's launcher.

    python benchmarks/gpu/train_expert.py              # on a machine with one CUDA GPU (repo root, repo venv)
    python benchmarks/gpu/train_expert.py --cpu-smoke  # checks the script's logic on CPU (tiny model)

What runs, with no network:
- a byte-level BPE tokenizer trained on the bundled corpora (mediphi/data/corpora) and a Phi-3
  built from config (random init; default hidden 2048, 16 layers, MLP 5632, 16 heads, vocabulary
  32064 as Phi-3's: ~0.95B parameters), saved in bf16;
- those corpora tokenized and packed into rows of --seq-len tokens (repeated to fill the run),
  one parquet file read with ray.data.read_parquet, as the experts stage reads the pit data;
- `mediphi.train.launcher.launch([TrainJob(...)])`: Ray Train, 1 GPU worker, DeepSpeed ZeRO-2
  (the launcher's config from DeepSpeedCfg) and bf16, `--steps` optimizer steps; no checkpoint
  before the end (save_steps beyond the run), no TensorBoard.

Tokens/s: the launcher's ThroughputCallback records (tokens since the previous record / seconds)
after the first --warmup-steps steps, total tokens / total seconds. Achieved TFLOP/s counts
6 * params FLOPs per token (params include both embedding matrices, as usual for "6N"); a second
figure adds causal attention's 6 * layers * hidden * seq (QK^T and AV, forward and backward,
half the square). MFU divides by the GPU's dense bf16 peak from a small table keyed on
torch.cuda.get_device_name(); an unknown GPU gets achieved TFLOP/s only.

--cpu-smoke: a tiny model, a few steps, float32, ZeRO-2 on CPU over gloo (DeepSpeed without bf16):
the same code path but the GPU resources.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from benchmarks.train import steady  # noqa: E402 (after the path: the repository root is not installed)

# Dense (no sparsity) bf16 tensor-core peaks, TFLOP/s, from the vendors' data sheets. Checked in
# order: the first name fragment found in torch.cuda.get_device_name() wins.
PEAK_BF16_TFLOPS = [
    ("H100 PCIe", 756.5),
    ("H100 NVL", 835.5),
    ("H100", 989.4),  # SXM5 ("NVIDIA H100 80GB HBM3")
    ("GH200", 989.4),
    ("H200", 989.4),
    ("B200", 2250.0),
    ("A100", 312.0),
    ("L40S", 362.05),
    ("L4", 121.0),
]

FULL = {"hidden": 2048, "layers": 16, "intermediate": 5632, "heads": 16, "vocab": 32064,
        "seq_len": 2048, "batch": 8, "steps": 40, "warmup_steps": 10, "logging_steps": 5, "tok_vocab": 16000}
SMOKE = {"hidden": 64, "layers": 2, "intermediate": 128, "heads": 2, "vocab": 512,
         "seq_len": 64, "batch": 4, "steps": 6, "warmup_steps": 2, "logging_steps": 2, "tok_vocab": 512}


def peak_for(name: str) -> float | None:
    return next((tflops for key, tflops in PEAK_BF16_TFLOPS if key in name), None)


def build(root: Path, s: dict, bf16: bool, rows_needed: int) -> tuple[Path, Path, int]:
    """Tokenizer, model folder and packed parquet under root; returns (model, data, params)."""
    import pyarrow.parquet as pq
    import torch
    from transformers import GenerationConfig, Phi3Config, Phi3ForCausalLM

    from benchmarks.common import corpus_texts
    from mediphi.models.tiny import END, EOS, train_tokenizer
    from mediphi.packing import pack, to_table

    tok = train_tokenizer(corpus_texts(), s["tok_vocab"], root / "tok")
    eos, end = tok.convert_tokens_to_ids(EOS), tok.convert_tokens_to_ids(END)
    # The model's vocabulary may exceed the tokenizer's (Phi-3's 32064 rows; the bundled corpora
    # cannot train that many merges): the unused rows cost what they cost in the real model.
    vocab = max(s["vocab"], len(tok))
    config = Phi3Config(vocab_size=vocab, hidden_size=s["hidden"], intermediate_size=s["intermediate"],
                        num_hidden_layers=s["layers"], num_attention_heads=s["heads"],
                        num_key_value_heads=s["heads"], max_position_embeddings=max(4096, s["seq_len"]),
                        original_max_position_embeddings=max(4096, s["seq_len"]), bos_token_id=eos,
                        eos_token_id=eos, pad_token_id=eos, tie_word_embeddings=False)
    torch.manual_seed(0)
    model = Phi3ForCausalLM(config).to(torch.bfloat16 if bf16 else torch.float32)
    model.generation_config = GenerationConfig(bos_token_id=eos, eos_token_id=[end, eos], pad_token_id=eos)
    params = sum(p.numel() for p in model.parameters())
    model.save_pretrained(str(root / "model"))
    tok.save_pretrained(str(root / "model"))
    del model
    ids = tok(list(corpus_texts()), add_special_tokens=False)["input_ids"]
    chunks = list(pack(((x, x) for x in ids), s["seq_len"], eos))
    if not chunks:
        raise RuntimeError(f"the corpora hold fewer than {s['seq_len']} tokens")
    chunks = (chunks * (rows_needed // len(chunks) + 1))[:rows_needed]
    (root / "data").mkdir()
    pq.write_table(to_table(chunks), root / "data" / "0.parquet")
    return root / "model", root / "data" / "0.parquet", params


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cpu-smoke", action="store_true", help="tiny model on CPU, float32: checks the logic")
    for key, value in FULL.items():
        ap.add_argument(f"--{key.replace('_', '-')}", type=int, default=None, help=f"default {value} (smoke "
                        f"{SMOKE[key]})")
    ap.add_argument("--workdir", help="keep model, data and checkpoints here (default: a temp dir, removed)")
    args = ap.parse_args()

    import torch

    gpu = not args.cpu_smoke
    if gpu and not torch.cuda.is_available():
        # Fail before building anything: this benchmark means one CUDA GPU (or --cpu-smoke).
        print(f"error: no CUDA GPU visible to torch {torch.__version__} (torch.cuda.is_available() is False). "
              "Run this on a machine with one NVIDIA GPU and a CUDA build of torch, or pass --cpu-smoke to "
              "check the script on CPU.", file=sys.stderr)
        return 2
    s = {k: (getattr(args, k) if getattr(args, k) is not None else (FULL if gpu else SMOKE)[k]) for k in FULL}
    os.environ.setdefault("TORCH_EXTENSIONS_DIR", str(REPO / ".torch_extensions"))  # DeepSpeed's op builds
    os.environ.setdefault("RAY_DATA_DISABLE_PROGRESS_BARS", "1")
    name = torch.cuda.get_device_name(0) if gpu else "CPU (smoke test)"
    print(f"# benchmarks/gpu/train_expert.py {' '.join(sys.argv[1:])}\n# device: {name}; torch {torch.__version__}",
          flush=True)

    import ray

    from mediphi.config import DeepSpeedCfg, TrainCfg
    from mediphi.train.launcher import TrainJob, launch

    work = Path(args.workdir or tempfile.mkdtemp(prefix="mphi-gpu-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    temp = tempfile.mkdtemp(prefix="mphi-gb-", dir="/tmp")  # short: Ray's socket paths have a length limit
    try:
        t0 = time.time()
        model, data, params = build(work, s, bf16=gpu, rows_needed=s["steps"] * s["batch"])
        print(f"model: Phi-3 {params / 1e9:.3f}B parameters (hidden {s['hidden']}, {s['layers']} layers, MLP "
              f"{s['intermediate']}, vocab {max(s['vocab'], s['tok_vocab'])}), seq {s['seq_len']}, batch {s['batch']}, "
              f"{s['steps']} steps, first {s['warmup_steps']} not timed; built in {time.time() - t0:.0f}s", flush=True)
        # Logical CPUs beyond the worker's: Ray Data's read tasks must not wait for the train worker's.
        ray.init(num_cpus=max(8, os.cpu_count() or 1), include_dashboard=False, _temp_dir=temp, log_to_driver=True)
        cfg = TrainCfg(num_workers=1, cpus_per_worker=4 if gpu else 1, gpus_per_worker=1 if gpu else 0, bf16=gpu,
                       deepspeed=DeepSpeedCfg(stage=2), max_steps=s["steps"], per_device_batch_size=s["batch"],
                       logging_steps=s["logging_steps"], save_steps=s["steps"] + 1000, learning_rate=3e-4,
                       warmup_ratio=0.0, report_to=[], max_failures=0)
        job = TrainJob(name="gpu-expert", model=str(model), datasets={"train": ray.data.read_parquet(str(data))},
                       cfg=cfg, checkpoints=str(work / "ckpt"), output=str(work / "out"), tensorboard=str(work / "tb"),
                       options={"seq_len": s["seq_len"], "seed": 42})
        t0 = time.time()
        [result] = launch([job])
        wall = time.time() - t0
    finally:
        if ray.is_initialized():
            ray.shutdown()
        shutil.rmtree(temp, ignore_errors=True)
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)

    losses = [h["loss"] for h in result.log_history if "loss" in h]
    tps, timed = steady(result.log_history, s["warmup_steps"], s["logging_steps"])
    flops_6n = 6 * params * tps
    flops_attn = flops_6n + 6 * s["layers"] * s["hidden"] * s["seq_len"] * tps
    print(f"\nloss {losses[0]:.3f} -> {losses[-1]:.3f} over {s['steps']} steps; launch() wall {wall:.0f}s "
          "(Ray Train start-up, DeepSpeed init and the final save included)")
    print(f"tokens/s: {tps:,.0f} over {timed} timed steps")
    print(f"achieved: {flops_6n / 1e12:.1f} TFLOP/s (6N), {flops_attn / 1e12:.1f} TFLOP/s (6N + attention)")
    peak = peak_for(name) if gpu else None
    if peak:
        print(f"MFU: {flops_6n / 1e12 / peak:.1%} (6N), {flops_attn / 1e12 / peak:.1%} (6N + attention) "
              f"of {name}'s dense bf16 peak {peak} TFLOP/s")
    elif gpu:
        print(f"MFU: {name} is not in the peak table; achieved TFLOP/s only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
