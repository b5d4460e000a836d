"""Names for the models of a run, as the serve command, the generator setting and eval use them."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from mediphi import storage
from mediphi.context import RunContext

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf")

# Where each stage leaves its model folders (relative to the stage artifact).
LAYOUT = {
    "base": "model",
    "experts": "{domain}/model",
    "slerp": "slerp/{domain}/model",
    "merged": "merged/model",
    "sft": "sft/model",
    "aligned": "dpo/model",
}


def resolve(ref: str, ctx: RunContext) -> str:
    """A model folder URI for `ref`: base | merged | sft | aligned | latest | expert-<domain> |
    slerp-<domain> | a local path or s3:// URI."""
    from mediphi.base import model_uri

    if ref == "latest":
        for name in ("aligned", "merged"):
            uri = _stage_model(name, ctx)
            if uri:
                return uri
        return model_uri(ctx)
    if ref == "base":
        return model_uri(ctx)
    if ref in ("merged", "sft", "aligned") or ref.startswith(("expert-", "slerp-")):
        uri = _stage_model(ref, ctx)
        if uri is None:
            raise FileNotFoundError(f"model {ref!r} is not in run {ctx.root} (its stage has not run)")
        return uri
    if storage.is_s3(ref) or storage.exists(ref):
        return ref
    raise FileNotFoundError(f"{ref!r} is neither a model of run {ctx.root} nor an existing path")


def _stage_model(name: str, ctx: RunContext) -> str | None:
    if name.startswith("expert-"):
        stage, rel = "experts", LAYOUT["experts"].format(domain=name[len("expert-"):])
    elif name.startswith("slerp-"):
        stage, rel = "merge", LAYOUT["slerp"].format(domain=name[len("slerp-"):])
    else:
        stage, rel = {"merged": "merge", "sft": "align", "aligned": "align"}[name], LAYOUT[name]
    if not ctx.has(stage):
        return None
    uri = storage.join(ctx.artifact_uri(stage), rel)
    return uri if storage.exists(storage.join(uri, "config.json")) else None


def tokenizer_dir(model: str) -> str:
    """A local folder with the model's tokenizer and config (not its weights): the driver fits
    (eval) or measures (align) prompts, while the weights load wherever the engine or trainer runs."""
    if not storage.is_s3(model):
        return model
    target = storage.cache_dir() / "tokenizers" / hashlib.sha256(model.encode()).hexdigest()[:20]
    target.mkdir(parents=True, exist_ok=True)
    fs, root = storage.filesystem(model)
    for rel in storage.list_tree(model):
        if "/" not in rel and not rel.endswith(WEIGHT_SUFFIXES):
            with fs.open_input_stream(f"{root}/{rel}") as src:
                (target / rel).write_bytes(src.read())
    return str(target)


def tokenizer_files(model: str) -> dict[str, bytes]:
    """The model's tokenizer as file contents, for Ray tasks and actors on any node of a cluster.

    A path on the driver's machine (a temp folder, its download cache) does not exist on the other
    nodes, so the tokenizer travels by value, as the corpus stage's does: a few MB at most.
    """
    from transformers import AutoTokenizer

    with tempfile.TemporaryDirectory(prefix="mediphi-tok-") as tmp:
        AutoTokenizer.from_pretrained(tokenizer_dir(model)).save_pretrained(tmp)
        return {p.name: p.read_bytes() for p in Path(tmp).iterdir() if p.is_file()}


def load_tokenizer(files: dict[str, bytes]):
    """The tokenizer that `tokenizer_files` packed, loaded in the process that uses it."""
    from transformers import AutoTokenizer

    with tempfile.TemporaryDirectory(prefix="mediphi-tok-") as tmp:
        for name, data in files.items():
            (Path(tmp) / name).write_bytes(data)
        return AutoTokenizer.from_pretrained(tmp)
