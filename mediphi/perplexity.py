"""Held-out perplexity per domain: the measure that every model of a run is compared on.

All models of a run share one tokenizer, so their perplexities on the same packed held-out
tokens are comparable. Each model is scored in a Ray task that declares its resources (a GPU
on a cluster), several models in parallel when the cluster has room.
"""

from __future__ import annotations

import math

import pyarrow.dataset as pads

from mediphi import storage
from mediphi.packing import pack


def heldout_texts(corpus_uri: str, domain: str, split: str = "heldout") -> list[str]:
    fs, path = storage.filesystem(storage.join(corpus_uri, "shards", f"domain={domain}", f"split={split}"))
    table = pads.dataset(path, filesystem=fs, format="parquet").to_table(columns=["id", "text"])
    table = table.sort_by("id")  # a fixed order: the same tokens for every model
    return table.column("text").to_pylist()


def perplexity(model, tok, texts: list[str], seq_len: int, max_tokens: int, batch_size: int = 8) -> float:
    """exp(mean next-token NLL) over packed seq_len windows of the texts, up to max_tokens."""
    import torch

    encoded = tok(texts, add_special_tokens=False)["input_ids"]
    windows = [ids for ids, _ in pack(((e, e) for e in encoded), seq_len, tok.eos_token_id)]
    windows = windows[: max(1, max_tokens // seq_len)]
    if not windows:  # less held-out text than one window: score what there is
        flat = [t for e in encoded for t in [*e, tok.eos_token_id]]
        windows = [flat[:seq_len]]
    device = next(model.parameters()).device
    total_nll, total_tokens = 0.0, 0
    model.eval()
    with torch.no_grad():
        for i in range(0, len(windows), batch_size):
            batch = torch.tensor(windows[i: i + batch_size], device=device)
            logits = model(input_ids=batch).logits[:, :-1].float()
            nll = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)),
                                                    batch[:, 1:].reshape(-1), reduction="sum")
            total_nll += nll.item()
            total_tokens += batch[:, 1:].numel()
    return math.exp(total_nll / total_tokens)


def score_model(model_uri: str, corpus_uri: str, domains: list[str], seq_len: int, max_tokens: int,
                version: str = "") -> dict[str, float]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    local = storage.localize(model_uri, version=version) if storage.is_s3(model_uri) else model_uri
    tok = AutoTokenizer.from_pretrained(str(local))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = AutoModelForCausalLM.from_pretrained(str(local), dtype=torch.float32).to(device)
    return {d: round(perplexity(model, tok, heldout_texts(corpus_uri, d), seq_len, max_tokens), 3)
            for d in domains}


def score_models(models: dict[str, str], corpus_uri: str, domains: list[str], seq_len: int,
                 max_tokens: int, num_gpus: float = 0, num_cpus: float = 1) -> dict[str, dict[str, float]]:
    """{model name: {domain: perplexity}} for several model folders, as parallel Ray tasks."""
    import ray

    task = ray.remote(score_model).options(num_cpus=num_cpus, num_gpus=num_gpus)
    refs = {name: task.remote(uri, corpus_uri, domains, seq_len, max_tokens) for name, uri in models.items()}
    return {name: ray.get(ref) for name, ref in refs.items()}
