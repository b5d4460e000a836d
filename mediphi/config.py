"""The one `Recipe`: every setting of a run, loaded from YAML with `--set a.b=c` overrides.

Every section forbids unknown keys, so a typo stops the run before any work with a message that
names the file, the key path and (where it can) the line.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mediphi import DOMAINS

Domain = Literal["pubmed", "guidelines", "medwiki", "medcode", "clinical"]
PACKAGE_SCHEME = "package://"

PositiveInt = Annotated[int, Field(gt=0)]
NonNegInt = Annotated[int, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# --- run -------------------------------------------------------------------------------------


class RayCfg(Section):
    address: str | None = Field(
        None, description="Ray cluster address; None uses RAY_ADDRESS or starts an embedded cluster."
    )
    num_cpus: PositiveInt | None = Field(
        None,
        description="Logical CPUs of an embedded cluster. More than the cores keeps Ray Data and Ray "
        "Train from starving each other on small machines.",
    )
    object_store_memory_mb: PositiveInt | None = None


class RunCfg(Section):
    name: str = Field(..., pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    storage: str = Field("runs", description="Root for runs: a local folder or s3://bucket/prefix.")
    seed: int = 42
    ray: RayCfg = RayCfg()


# --- models and training ---------------------------------------------------------------------


class LoraCfg(Section):
    r: PositiveInt = 16
    alpha: PositiveInt = 32
    dropout: Fraction = 0.05
    target_modules: list[str] = ["qkv_proj", "o_proj", "gate_up_proj", "down_proj"]


class DeepSpeedCfg(Section):
    stage: Literal[2, 3] = 2
    offload_optimizer: bool = False
    offload_params: bool = False
    overlap_comm: bool = True
    allgather_bucket_size: PositiveInt = 200_000_000
    reduce_bucket_size: PositiveInt = 200_000_000

    @model_validator(mode="after")
    def _offload_params_needs_zero3(self) -> DeepSpeedCfg:
        if self.offload_params and self.stage != 3:
            raise ValueError("offload_params needs ZeRO stage 3 (ZeRO-2 does not partition parameters)")
        return self


class TrainCfg(Section):
    """One training job on Ray Train: the warm-up, each expert, SFT and DPO use this shape."""

    num_workers: PositiveInt = 1
    cpus_per_worker: Annotated[float, Field(gt=0)] = 1.0
    gpus_per_worker: Annotated[float, Field(ge=0)] = 0.0
    accelerator_type: str | None = None
    max_steps: PositiveInt = 100
    per_device_batch_size: PositiveInt = 8
    gradient_accumulation_steps: PositiveInt = 1
    learning_rate: Annotated[float, Field(gt=0)] = 5e-4
    lr_scheduler: Literal["linear", "cosine", "constant", "constant_with_warmup"] = "cosine"
    warmup_ratio: Fraction = 0.05
    weight_decay: Annotated[float, Field(ge=0)] = 0.0
    max_grad_norm: Annotated[float, Field(gt=0)] = 1.0
    bf16: bool = False
    gradient_checkpointing: bool = False
    deepspeed: DeepSpeedCfg | None = None
    lora: LoraCfg | None = None
    logging_steps: PositiveInt = 10
    save_steps: PositiveInt = 50
    num_checkpoints_to_keep: PositiveInt = 2
    max_failures: NonNegInt = 2
    report_to: list[Literal["tensorboard", "mlflow", "wandb"]] = ["tensorboard"]

    @model_validator(mode="after")
    def _gpu_only_settings(self) -> TrainCfg:
        if self.bf16 and self.gpus_per_worker == 0:
            raise ValueError("bf16 is for GPU workers (gpus_per_worker > 0); on CPU float32 is faster here")
        if self.lora is not None and self.deepspeed is not None and self.deepspeed.stage == 3:
            raise ValueError("LoRA with ZeRO-3 is not supported: use ZeRO-2 (LoRA weights are small)")
        return self


class TinyModelCfg(Section):
    """A Phi-3 built from config with random weights, for CPU runs and tests."""

    vocab_size: Annotated[int, Field(ge=300)] = 4096
    hidden_size: PositiveInt = 128
    intermediate_size: PositiveInt = 384
    num_hidden_layers: PositiveInt = 4
    num_attention_heads: PositiveInt = 4
    max_position_embeddings: PositiveInt = 1024

    @model_validator(mode="after")
    def _heads_divide_hidden(self) -> TinyModelCfg:
        if self.hidden_size % self.num_attention_heads:
            raise ValueError("hidden_size must be a multiple of num_attention_heads")
        return self


class BaseCfg(Section):
    source: Literal["pretrained", "tiny"] = "pretrained"
    path: str | None = Field(None, description="HF model name, local folder or s3:// folder (pretrained).")
    tiny: TinyModelCfg | None = None
    warmup: TrainCfg | None = Field(None, description="tiny only: a short training on all domains.")
    seq_len: PositiveInt = 512

    @model_validator(mode="after")
    def _source_fields(self) -> BaseCfg:
        if self.source == "pretrained" and not self.path:
            raise ValueError("base.source 'pretrained' needs base.path")
        if self.source == "tiny" and self.tiny is None:
            self.tiny = TinyModelCfg()
        return self


# --- corpus ----------------------------------------------------------------------------------

SourceFormat = Literal["jats", "jsonl", "parquet", "text", "icd10_order", "code_csv"]


class SourceCfg(Section):
    path: str = Field(..., description="A file, folder or glob; local, package:// or s3://.")
    format: SourceFormat
    id_field: str = "id"
    title_field: str = "title"
    text_field: str = "text"
    code_field: str = "code"
    description_field: str = "description"
    code_system: str = Field("ICD-10-CM", description="Name written into code-table documents.")


class FilterCfg(Section):
    min_chars: NonNegInt = 200
    max_chars: PositiveInt = 500_000
    max_symbol_ratio: Fraction = 0.3
    max_dup_line_fraction: Fraction = 0.3
    max_dup_ngram_fraction: Fraction = 0.5


class DomainCorpusCfg(Section):
    sources: Annotated[list[SourceCfg], Field(min_length=1)]
    phi_scrub: bool | None = Field(None, description="None: on for the clinical domain only.")
    filters: FilterCfg | None = Field(None, description="Overrides corpus.filters for this domain.")


class DedupCfg(Section):
    exact: bool = True
    near: bool = True
    threshold: Annotated[float, Field(gt=0, lt=1)] = 0.8
    num_perm: Annotated[int, Field(ge=16, le=1024)] = 128
    shingle_tokens: PositiveInt = 5


class CorpusCfg(Section):
    domains: dict[Domain, DomainCorpusCfg]
    tokenizer: str | None = Field(
        None, description="Tokenizer for token counts and shingles; None: the base's (trained here if tiny)."
    )
    filters: FilterCfg = FilterCfg()
    dedup: DedupCfg = DedupCfg()
    heldout_fraction: Annotated[float, Field(gt=0, lt=1)] = 0.1
    max_line_bytes: PositiveInt = 4_000_000
    max_file_bytes: PositiveInt = 256_000_000
    batch_size: PositiveInt = 256


# --- serving and generation --------------------------------------------------------------------


class EngineArgs(Section):
    """vLLM engine settings (the transformers fallback reads max_model_len and dtype)."""

    max_model_len: PositiveInt = 2048
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    tensor_parallel_size: PositiveInt = 1
    gpu_memory_utilization: Annotated[float, Field(gt=0, le=1)] = 0.9
    cpu_kv_cache_gib: PositiveInt = Field(
        1, description="KV cache on CPU (VLLM_CPU_KVCACHE_SPACE); vLLM's default asks for most of the RAM."
    )
    enforce_eager: bool = False
    extra: dict[str, Any] = Field(default_factory=dict, description="Passed to vLLM's engine as they are.")


class AutoscalingCfg(Section):
    min_replicas: NonNegInt = 1
    max_replicas: PositiveInt = 1
    target_ongoing_requests: PositiveInt = 16

    @model_validator(mode="after")
    def _order(self) -> AutoscalingCfg:
        if self.min_replicas > self.max_replicas:
            raise ValueError("min_replicas must not exceed max_replicas")
        return self


class ServeCfg(Section):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    engine: Literal["auto", "vllm", "transformers"] = Field(
        "auto", description="auto: vLLM where it runs (vllm on GPU, vllm-cpu on CPU), else transformers."
    )
    device: Literal["cpu", "gpu"] = "cpu"
    accelerator_type: str | None = Field(None, description="Ray accelerator type for GPU replicas, e.g. H100.")
    autoscaling: AutoscalingCfg = AutoscalingCfg()
    max_ongoing_requests: PositiveInt = 32
    max_queued_requests: PositiveInt = 128
    engine_args: EngineArgs = EngineArgs()
    api_key_env: str | None = Field(None, description="Name of the environment variable holding the API key.")
    api_key_file: str | None = Field(None, description="Path of a file holding the API key (a mounted secret).")
    generator: str = Field("base", description="The generator model: a run artifact (base, merge, align) or a path.")
    startup_timeout_s: PositiveInt = 600


class GenerationCfg(Section):
    """How stages generate text (synthetic QA, MediFlow rows, judge scores, eval answers)."""

    transport: Literal["ray_data", "http"] = Field(
        "ray_data", description="ray_data: in-cluster ray.data.llm; http: an OpenAI-compatible endpoint."
    )
    endpoint: str | None = Field(None, description="http transport: base URL, e.g. http://127.0.0.1:8000/v1")
    endpoint_model: str | None = Field(None, description="http transport: the model name at the endpoint.")
    max_concurrency: PositiveInt = 8
    max_retries: NonNegInt = 3
    request_timeout_s: PositiveInt = 120
    batch_size: PositiveInt = 32
    replicas: PositiveInt = 1

    @model_validator(mode="after")
    def _http_needs_endpoint(self) -> GenerationCfg:
        if self.transport == "http" and not self.endpoint:
            raise ValueError("transport 'http' needs an endpoint")
        return self


# --- eval ------------------------------------------------------------------------------------


class EvalCfg(Section):
    perplexity_max_tokens: PositiveInt = Field(50_000, description="Held-out tokens scored per domain and model.")
    num_gpus: Annotated[float, Field(ge=0)] = Field(0, description="GPUs per scoring task (0 on CPU).")


# --- the recipe ------------------------------------------------------------------------------


class Recipe(Section):
    run: RunCfg
    base: BaseCfg
    corpus: CorpusCfg
    eval: EvalCfg = EvalCfg()
    serve: ServeCfg = ServeCfg()
    generation: GenerationCfg = GenerationCfg()

    def section_hash(self, *names: str) -> str:
        """A stable hash of the named sections: a stage reruns when its sections change."""
        payload = {n: getattr(self, n).model_dump(mode="json") for n in names}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


# --- loading ---------------------------------------------------------------------------------


class RecipeError(ValueError):
    """A recipe that cannot run: the message names the file, the key path and the line."""


def packaged_recipes() -> list[str]:
    return sorted(p.name.removesuffix(".yaml") for p in resources.files("mediphi.recipes").iterdir()
                  if p.name.endswith(".yaml"))


def recipe_path(ref: str) -> Path:
    """A packaged recipe name (`tiny`) or a path to a YAML file."""
    candidate = Path(ref)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        if not candidate.is_file():
            raise RecipeError(f"recipe file not found: {ref}")
        return candidate.resolve()
    packaged = resources.files("mediphi.recipes") / f"{ref}.yaml"
    if not packaged.is_file():
        raise RecipeError(f"unknown recipe {ref!r}: not a file and not one of {packaged_recipes()}")
    return Path(str(packaged))


def load_recipe(ref: str, overrides: list[str] | tuple[str, ...] = ()) -> Recipe:
    path = recipe_path(ref)
    return parse_recipe(path.read_text(), str(path), path.parent, overrides)


def parse_recipe(text: str, source: str, base_dir: Path, overrides=()) -> Recipe:
    """Validate recipe YAML; `source` names it in errors, relative paths resolve from `base_dir`."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise RecipeError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RecipeError(f"{source}: a recipe is a mapping of sections, got {type(data).__name__}")
    for item in overrides:
        _apply_override(data, item, source)
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        raise RecipeError(_describe(exc, source, text, overrides)) from None
    _resolve_source_paths(recipe, base_dir)
    return recipe


def dump_recipe(recipe: Recipe) -> str:
    return yaml.safe_dump(recipe.model_dump(mode="json", exclude_none=True), sort_keys=False)


def _apply_override(data: dict, item: str, path: str) -> None:
    key, sep, raw = item.partition("=")
    if not sep or not key:
        raise RecipeError(f"--set {item!r}: expected KEY.PATH=VALUE")
    value = yaml.safe_load(raw) if raw != "" else ""
    node = data
    parts = key.split(".")
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = node[_list_index(part, parts[: i + 1], item)]
            continue
        nxt = node.setdefault(part, {})
        if not isinstance(nxt, dict | list):
            raise RecipeError(f"--set {item!r}: {'.'.join(parts[: i + 1])} in {path} is a value, not a section")
        node = nxt
    if isinstance(node, list):
        node[_list_index(parts[-1], parts, item)] = value
    else:
        node[parts[-1]] = value


def _list_index(part: str, where: list[str], item: str) -> int:
    if not part.isdigit():
        raise RecipeError(f"--set {item!r}: {'.'.join(where)} indexes a list and needs a number")
    return int(part)


def _describe(exc: ValidationError, path: str, text: str, overrides) -> str:
    lines = [f"invalid recipe {path}:"]
    for err in exc.errors():
        is_key = err["loc"][-1:] == ("[key]",)
        parts = err["loc"][:-1] if is_key else err["loc"]
        loc = ".".join(str(p) for p in parts)
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        if is_key and "domains" in parts:
            msg = f"unknown domain {parts[-1]!r}; the domains are {', '.join(DOMAINS)}"
        elif is_key:
            msg = f"invalid key: {err['msg']}"
        if err["type"] == "missing":
            msg = "required key is missing"
        where = _line_of(text, parts)
        from_set = any(o.split("=", 1)[0] == loc for o in overrides)
        origin = " (from --set)" if from_set else (f" (line {where})" if where else "")
        got = "" if err["type"] in ("missing", "extra_forbidden") or is_key else f"; got {err.get('input')!r}"
        lines.append(f"  {loc}{origin}: {msg}{got}")
    return "\n".join(lines)


def _line_of(text: str, loc: tuple) -> int | None:
    """The 1-based line of a key path in the YAML text, or of its deepest existing parent."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def resolve_path(value: str, base_dir: Path) -> str:
    """package:// -> the installed package's folder; relative -> next to the recipe file."""
    if value.startswith(PACKAGE_SCHEME):
        return str(Path(str(resources.files("mediphi"))) / value[len(PACKAGE_SCHEME):])
    if "://" in value or Path(value).is_absolute():
        return value
    return str((base_dir / value).resolve())


def _resolve_source_paths(recipe: Recipe, base_dir: Path) -> None:
    for domain in recipe.corpus.domains.values():
        for src in domain.sources:
            src.path = resolve_path(src.path, base_dir)
    if not recipe.run.storage.startswith("s3://"):
        recipe.run.storage = resolve_path(recipe.run.storage, Path.cwd())


assert set(DOMAINS) == set(Domain.__args__)  # one list of domains, two spellings kept in step
