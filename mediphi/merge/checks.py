"""Checks that models can be merged, from their config, tokenizer and safetensors headers only.

mergekit finds most mismatches itself, but only once it is reading tensors, possibly an hour into
a 3.8B merge, and with messages that name a tensor rather than the two models. These checks read
no tensor data (safetensors headers and pickles opened on the meta device), so they run first and
say which two models differ and in what.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

# What mergekit computes in and writes, by recipe name and by safetensors header code.
KNOWN_DTYPES = ("float32", "bfloat16", "float16")
SAFETENSORS_DTYPES = {"F32": "float32", "BF16": "bfloat16", "F16": "float16"}
# Config keys that fix every weight shape of a decoder (others, e.g. rope scaling, do not).
SHAPE_KEYS = ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
              "num_key_value_heads", "head_dim", "vocab_size", "tie_word_embeddings")
# Weights whose first axis is the vocabulary: they may differ when a tokenizer_source is given.
VOCAB_TENSOR_HINTS = ("embed_tokens", "lm_head", "wte", "word_embeddings")


class MergeMismatch(ValueError):
    """Two models of a merge cannot be merged; the message names both and what differs."""


@dataclass
class ModelInfo:
    name: str
    path: Path
    config: dict
    tensors: dict[str, tuple[str, tuple[int, ...]]]  # name -> (dtype code, shape)
    vocab: dict[str, int] | None = None
    tokenizer_rules: str | None = None  # the tokenizer minus its vocabulary, as canonical JSON
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.path})"


def describe(name: str, path: str | Path) -> ModelInfo:
    """Read what the checks need from a model folder, without reading any tensor data."""
    path = Path(path)
    config_file = path / "config.json"
    if not config_file.is_file():
        raise MergeMismatch(f"{name} ({path}) is not a model folder: it has no config.json")
    config = json.loads(config_file.read_text())
    info = ModelInfo(name, path, config, _tensor_headers(name, path))
    info.vocab, info.tokenizer_rules = _tokenizer(path)
    return info


def _weight_files(name: str, path: Path) -> list[Path]:
    for index_name in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
        index = path / index_name
        if index.is_file():
            return [path / f for f in sorted(set(json.loads(index.read_text())["weight_map"].values()))]
    for single in ("model.safetensors", "pytorch_model.bin"):
        if (path / single).is_file():
            return [path / single]
    raise MergeMismatch(f"{name} ({path}) has no weights (model.safetensors[.index.json] or pytorch_model.bin)")


def _tensor_headers(name: str, path: Path) -> dict[str, tuple[str, tuple[int, ...]]]:
    out: dict[str, tuple[str, tuple[int, ...]]] = {}
    for file in _weight_files(name, path):
        if file.suffix == ".safetensors":
            # The header is a little-endian u64 length then JSON: names, dtypes, shapes, offsets.
            with open(file, "rb") as f:
                size = int.from_bytes(f.read(8), "little")
                header = json.loads(f.read(size))
            header.pop("__metadata__", None)
            out.update({k: (v["dtype"], tuple(v["shape"])) for k, v in header.items()})
        else:
            import torch

            # The meta device materialises no storage: only the pickle's metadata is read.
            state = torch.load(file, map_location="meta", weights_only=True)
            codes = {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16"}
            out.update({k: (codes.get(t.dtype, str(t.dtype)), tuple(t.shape)) for k, t in state.items()})
    return out


def _tokenizer(path: Path) -> tuple[dict[str, int] | None, str | None]:
    tok_json = path / "tokenizer.json"
    if tok_json.is_file():
        data = json.loads(tok_json.read_text())
        model = dict(data.get("model") or {})
        vocab = dict(model.pop("vocab", {}) or {})
        if isinstance(vocab, list):  # Unigram models list [piece, score] pairs
            vocab = {piece: i for i, (piece, _score) in enumerate(vocab)}
        vocab.update({t["content"]: t["id"] for t in data.get("added_tokens", [])})
        rules = {k: data.get(k) for k in ("normalizer", "pre_tokenizer", "decoder")}
        rules["model"] = model  # merges, type, byte fallback...: how text becomes those ids
        return vocab, json.dumps(rules, sort_keys=True)
    if (path / "tokenizer.model").is_file() or (path / "vocab.json").is_file():
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(str(path)).get_vocab(), None
    return None, None


def check_dtype(dtype: str) -> None:
    if dtype not in KNOWN_DTYPES:
        raise MergeMismatch(f"merge dtype {dtype!r} is not one of {', '.join(KNOWN_DTYPES)}")


def check_compatible(models: list[ModelInfo], tokenizer_source: str | None = None) -> None:
    """Raise MergeMismatch unless every model matches the first (the base where there is one)."""
    ref = models[0]
    for info in models:
        bad = sorted({d for d, _ in info.tensors.values() if d not in SAFETENSORS_DTYPES})
        if bad:
            names = [k for k, (d, _) in info.tensors.items() if d == bad[0]][:3]
            raise MergeMismatch(
                f"{info.label} has weights in dtype {', '.join(bad)} (e.g. {', '.join(names)}); "
                f"a merge reads only {', '.join(SAFETENSORS_DTYPES)} ({', '.join(KNOWN_DTYPES)})")
    for other in models[1:]:
        _check_pair(ref, other, tokenizer_source)


def _check_pair(a: ModelInfo, b: ModelInfo, tokenizer_source: str | None) -> None:
    def fail(what: str) -> None:
        raise MergeMismatch(f"cannot merge {a.label} with {b.label}: {what}")

    arch_a, arch_b = a.config.get("architectures"), b.config.get("architectures")
    if a.config.get("model_type") != b.config.get("model_type") or arch_a != arch_b:
        fail(f"different architectures: {a.config.get('model_type')} {arch_a} vs "
             f"{b.config.get('model_type')} {arch_b}")
    vocab_free = tokenizer_source is not None
    for key in SHAPE_KEYS:
        if key == "vocab_size" and vocab_free:
            continue
        if a.config.get(key) != b.config.get(key):
            what = "different vocabulary size" if key == "vocab_size" else "different shapes"
            fail(f"{what}: {key} {a.config.get(key)} vs {b.config.get(key)}")
    missing, extra = sorted(set(a.tensors) - set(b.tensors)), sorted(set(b.tensors) - set(a.tensors))
    if missing or extra:
        fail(f"different weights: {len(missing)} only in {a.name} (e.g. {missing[:2]}), "
             f"{len(extra)} only in {b.name} (e.g. {extra[:2]})")
    for key, (_, shape) in a.tensors.items():
        other = b.tensors[key][1]
        if shape == other:
            continue
        if vocab_free and any(h in key for h in VOCAB_TENSOR_HINTS) and shape[1:] == other[1:]:
            continue  # rows per token: mergekit maps them through the tokenizer_source's vocabulary
        fail(f"different shapes: {key} is {list(shape)} vs {list(other)}")
    if vocab_free:
        return
    if a.vocab is None or b.vocab is None:
        nameless = a if a.vocab is None else b
        fail(f"{nameless.name} has no tokenizer to compare; give merge.tokenizer_source to choose one")
    if a.vocab != b.vocab:
        only_a = sorted(set(a.vocab) - set(b.vocab))
        moved = sorted(t for t in set(a.vocab) & set(b.vocab) if a.vocab[t] != b.vocab[t])
        detail = [f"{len(a.vocab)} vs {len(b.vocab)} tokens"]
        if only_a:
            detail.append(f"{len(only_a)} tokens of {a.name} missing from {b.name} (e.g. {only_a[0]!r})")
        if moved:
            t = moved[0]
            detail.append(f"{len(moved)} tokens with other ids (e.g. {t!r}: {a.vocab[t]} vs {b.vocab[t]})")
        fail("different tokenizers: " + "; ".join(detail) + "; give merge.tokenizer_source to merge anyway")
    if a.tokenizer_rules is not None and b.tokenizer_rules is not None and a.tokenizer_rules != b.tokenizer_rules:
        fail("different tokenizers: same vocabulary but other merges/normalizer/pre-tokenizer rules; "
             "give merge.tokenizer_source to merge anyway")
