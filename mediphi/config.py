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
    save_shard_size: PositiveInt = Field(
        500_000_000, description="Bytes per safetensors shard of the saved model: a merge maps one shard of "
        "each input at a time, so smaller shards bound the pages it holds.")

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


# --- pre-instruction tuning and experts --------------------------------------------------------


class PitCfg(Section):
    """Pre-instruction tuning data (Jiang et al., ACL 2024): QA pairs first, then documents + QA."""

    chunk_tokens: Annotated[int, Field(ge=16)] = 256
    qa_per_chunk: PositiveInt = 3
    max_chunks_per_domain: PositiveInt | None = None
    max_question_chars: PositiveInt = 200
    max_answer_chars: PositiveInt = 300
    max_new_tokens: PositiveInt = Field(768, description="Generation budget for one chunk's QA JSON.")
    temperature: Annotated[float, Field(ge=0)] = 0.7
    prompts: str | None = Field(None, description="A prompts YAML; None: the packaged data/prompts/pit.yaml.")
    ordering: Literal["pit", "mixed", "docs_only"] = Field(
        "pit", description="pit: QA phase then documents+QA; mixed: one shuffled phase; docs_only: plain "
        "continued pre-training (the baseline PIT is compared against)."
    )
    phase1_epochs: NonNegInt = 1
    phase2_epochs: PositiveInt = 1
    qa_mix_ratio: Fraction = Field(0.5, description="Share of the QA examples mixed into the document phase.")
    loss_on: Literal["answers", "all"] = "answers"


class ExpertsCfg(Section):
    domains: list[Domain] | None = Field(None, description="None: every corpus domain.")
    train: TrainCfg = TrainCfg()
    per_domain: dict[Domain, dict[str, Any]] = Field(
        default_factory=dict, description="TrainCfg overrides for one domain, e.g. {medcode: {num_workers: 2}}."
    )
    max_steps_from_data: bool = Field(
        True, description="One pass over the PIT schedule (its phases in order); train.max_steps caps it."
    )
    replay_fraction: float = Field(
        0.0, ge=0.0, lt=1.0,
        description="Share of each expert's document phase drawn from the other domains' documents "
        "(replay), so that an expert specialises without forgetting what the base knew of the others: "
        "their task vectors then add up in the merge instead of cancelling.")

    def for_domain(self, domain: str) -> TrainCfg:
        return TrainCfg.model_validate({**self.train.model_dump(), **self.per_domain.get(domain, {})})

    @model_validator(mode="after")
    def _overrides_are_valid(self) -> ExpertsCfg:
        for domain in self.per_domain:
            self.for_domain(domain)  # raises with the offending key
        return self


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
    cpu_threads: PositiveInt | None = Field(
        None, description="CPU: OpenMP threads of each engine; None: every core of the node its replica runs on "
        "(an engine alone on its node). Set it when several engines share a node's cores.")
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
    api_key_env: str | None = Field("MEDIPHI_API_KEY", description="http transport: the environment variable "
                                    "holding the endpoint's API key (read where the stage is launched).")
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


# --- merge -----------------------------------------------------------------------------------

# The mergekit methods the final merge offers: those that take any number of experts. Each has
# its own per-expert parameters (mergekit's registry says which); the stage passes only those.
MergeMethod = Literal[
    "breadcrumbs_ties", "breadcrumbs", "ties", "dare_ties", "dare_linear", "della", "della_linear",
    "task_arithmetic", "linear", "model_stock", "sce", "multislerp", "karcher",
]
MergeDtype = Literal["float32", "bfloat16", "float16"]
SearchParam = Literal["weight", "density", "gamma", "epsilon", "t"]
# The paper's SLERP factors (t=0 is the base, t=1 the expert); other domains take 0.5.
PAPER_SLERP_T: dict[str, float] = {"guidelines": 0.25, "medcode": 0.5}


class ExpertMergeCfg(Section):
    """One expert's settings in the final merge; a method reads only the ones it defines."""

    weight: float = Field(0.2, description="Scale of the expert's task vector (or its share in linear).")
    density: Annotated[float, Field(gt=0, le=1)] = Field(
        0.8, description="Fraction of the task vector's entries kept (ties, dare, breadcrumbs, della).")
    gamma: Fraction = Field(0.01, description="breadcrumbs: fraction of the largest-magnitude entries dropped.")
    epsilon: Fraction | None = Field(None, description="della: spread of keep probabilities; None: mergekit's.")


class MergeSearchCfg(Section):
    """A Ray Tune search of merge parameters that minimises a validation objective."""

    enabled: bool = False
    num_samples: PositiveInt = Field(8, description="Trials (random samples of the space).")
    max_concurrent: PositiveInt = Field(2, description="Trials merging and scoring at once.")
    params: Annotated[list[SearchParam], Field(min_length=1)] = Field(
        ["weight", "density", "gamma"],
        description="Per-expert parameters to search; 't' searches the SLERP factors too (each trial "
        "then re-SLERPs every expert).",
    )
    ranges: dict[SearchParam, tuple[float, float]] = Field(
        default_factory=lambda: {"weight": (0.05, 0.5), "density": (0.5, 1.0), "gamma": (0.0, 0.05),
                                 "epsilon": (0.01, 0.1), "t": (0.1, 0.9)},
        description="Uniform sampling range [low, high] of each parameter.",
    )
    objective: Literal["perplexity", "eval"] = Field(
        "perplexity", description="perplexity: mean held-out perplexity over the domains (minimised); "
        "eval: the eval suite's score (maximised), once that stage provides one.")
    beat_base: bool = Field(
        True, description="Pick the best trial among those whose merged model has a lower held-out "
        "perplexity than the base in every domain, where any has; a mean alone can trade one domain away.")
    include_recipe: bool = Field(
        True, description="Trial 0 is the recipe's own parameters, so the search can only improve on them.")
    max_tokens: PositiveInt | None = Field(
        None, description="Held-out tokens per domain scored per trial; None: eval.perplexity_max_tokens.")

    @model_validator(mode="after")
    def _ranges(self) -> MergeSearchCfg:
        for name in self.params:
            if name not in self.ranges:
                raise ValueError(f"search param {name!r} has no entry in search.ranges")
        for name, (low, high) in self.ranges.items():
            if low > high:
                raise ValueError(f"search.ranges.{name}: low {low} is above high {high}")
        return self


class MergeCfg(Section):
    """SLERP each expert into the base, then merge the SLERPed experts on the base (mergekit)."""

    slerp_t: dict[Domain, Fraction] = Field(
        default_factory=lambda: dict(PAPER_SLERP_T),
        description="SLERP factor per domain (0 = base, 1 = expert); domains not listed use default_t.")
    default_t: Fraction = 0.5
    method: MergeMethod = "breadcrumbs_ties"
    experts: dict[Domain, ExpertMergeCfg] = Field(
        default_factory=dict, description="Per-expert settings; domains not listed use default_expert.")
    default_expert: ExpertMergeCfg = ExpertMergeCfg()
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="Method-wide mergekit parameters (normalize, lambda, select_topk, ...).")
    dtype: MergeDtype = Field("float32", description="mergekit's compute and output dtype.")
    out_shard_size: PositiveInt = Field(
        500_000_000, description="Bytes per output shard: bounds the writer's buffer and the next merge's reads.")
    lazy_unpickle: bool = Field(True, description="Read pickled (.bin) inputs tensor by tensor.")
    tokenizer_source: str | None = Field(
        None, description="None: all models must share one tokenizer (checked); 'base', 'union' or a model "
        "path: mergekit builds the output vocabulary from it.")
    memory_gb: Annotated[float, Field(gt=0)] = Field(
        8, description="Memory each merge task declares to Ray, so it lands on a node with that much free.")
    num_cpus: Annotated[float, Field(gt=0)] = 1
    label_selector: dict[str, str] = Field(
        default_factory=dict, description="Ray node labels a merge task must land on, e.g. a CPU worker group.")
    search: MergeSearchCfg = MergeSearchCfg()

    def t_for(self, domain: str) -> float:
        return self.slerp_t.get(domain, self.default_t)  # type: ignore[call-overload]

    def expert(self, domain: str) -> ExpertMergeCfg:
        return self.experts.get(domain, self.default_expert)  # type: ignore[call-overload]


# --- mediflow --------------------------------------------------------------------------------

Score = Annotated[int, Field(ge=1, le=5)]


class JudgeThresholds(Section):
    """The lowest judge score (1-5) a row may get on each criterion and still be kept."""

    quality: Score = 4
    alignment: Score = 4
    coherence: Score = 4
    realism: Score = 3
    difficulty: Score = Field(1, description="1 keeps every difficulty; the plan already favours hard rows.")


class MediflowCfg(Section):
    """MediFlow-style synthetic instructions: sampling plan, generation, judge filter, DPO errors."""

    taxonomy: str | None = Field(None, description="A taxonomy YAML; None: the packaged data/mediflow/taxonomy.yaml.")
    prompts: str | None = Field(None, description="A prompts YAML; None: the packaged data/mediflow/prompts.yaml.")
    num_rows: PositiveInt = Field(1000, description="Planned cells (generation requests), before any filtering.")
    tasks: list[str] | None = Field(None, description="Task types to plan for; None: all of the taxonomy's.")
    doc_types: list[str] | None = Field(None, description="Document types to plan for; None: all.")
    task_quotas: dict[str, NonNegInt] = Field(default_factory=dict, description="Exact row counts for some tasks.")
    task_weights: dict[str, Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict, description="Relative shares of the rows task_quotas leaves; a task not named weighs 1."
    )
    json_fraction: Fraction = Field(0.4, description="Share of json rows among tasks that allow both formats.")
    difficulty_weights: dict[str, Annotated[float, Field(ge=0)]] | None = Field(
        None, description="Level id -> weight; None: the taxonomy's (70% on the hardest three)."
    )
    input_words: PositiveInt = Field(300, description="Rough length asked for the generated input document.")
    max_tokens: PositiveInt = Field(1536, description="Generation budget of one cell (input + instruction + output).")
    max_chars: PositiveInt | None = Field(
        None, description="maxLength on every free-text string of the generation schema: lets a weak generator "
        "(the tiny random model) close its JSON within max_tokens. None: unbounded.",
    )
    temperature: Annotated[float, Field(ge=0)] = 0.9
    top_p: Annotated[float, Field(gt=0, le=1)] = 0.95
    judge: str | None = Field(None, description="The judge model (a run artifact or a path); None: the generator.")
    judge_max_tokens: PositiveInt = 64
    judge_temperature: Annotated[float, Field(ge=0)] = 0.0
    thresholds: JudgeThresholds = JudgeThresholds()
    dedup: DedupCfg = Field(
        default_factory=lambda: DedupCfg(threshold=0.7, shingle_tokens=3),
        description="Near-duplicate instruction removal; shingle_tokens counts words here (instructions are short).",
    )
    dedup_fields: list[Literal["instruction", "input", "output"]] = Field(
        ["instruction"], min_length=1, description="Text compared for duplicates (concatenated)."
    )
    dpo_fraction: Fraction = Field(
        0.054, description="Share of kept rows, best judged first, given a rejected output (MediFlow: ~135k of 2.5M)."
    )
    error_types: list[str] | None = Field(None, description="Error types to inject for DPO; None: all.")
    import_sft: str | None = Field(
        None, description="Real MediFlow SFT JSONL (file, folder or glob; local or s3://), imported instead of generated."
    )
    import_dpo: str | None = Field(None, description="Real MediFlow DPO JSONL, as import_sft.")

    @model_validator(mode="after")
    def _names_exist(self) -> MediflowCfg:
        # Imported only when names are given: the default section is built when this module loads.
        if not (self.error_types or self.tasks or self.doc_types or self.task_quotas or self.task_weights
                or self.difficulty_weights):
            return self
        from mediphi.mediflow.errors import ERROR_TYPES

        unknown_errors = sorted(set(self.error_types or ()) - set(ERROR_TYPES))
        if unknown_errors:
            raise ValueError(f"unknown error_types {unknown_errors}; known: {', '.join(ERROR_TYPES)}")
        if self.taxonomy is not None:  # a custom file is checked by the plan, once its path resolves
            return self
        from mediphi.mediflow.taxonomy import load_taxonomy

        tax = load_taxonomy()
        checks = {"tasks": (self.tasks or [], tax.tasks), "task_quotas": (self.task_quotas, tax.tasks),
                  "task_weights": (self.task_weights, tax.tasks), "doc_types": (self.doc_types or [], tax.doc_types),
                  "difficulty_weights": (self.difficulty_weights or {}, tax.levels)}
        for name, (given, known) in checks.items():
            bad = sorted(set(given) - set(known))
            if bad:
                raise ValueError(f"{name}: unknown ids {bad}; known: {', '.join(known)}")
        return self


# --- align -------------------------------------------------------------------------------------


class AlignCfg(Section):
    """SFT on the MediFlow split, then DPO on the DPO split, from the merged model."""

    start_from: str = Field("merged", description="The model aligned: a run model name or a path.")
    heldout_fraction: Annotated[float, Field(gt=0, lt=1)] = Field(
        0.1, description="Rows kept out of training (by content hash) to measure SFT loss and DPO accuracy."
    )
    max_length: PositiveInt = Field(
        1024, description="Tokens per training sequence. A row whose prompt alone fills it is set aside "
                          "(rejects/align.parquet): it would leave no completion to train on or measure.")
    sft: TrainCfg = TrainCfg()
    dpo: TrainCfg = TrainCfg(learning_rate=5e-6)
    beta: Annotated[float, Field(gt=0)] = Field(0.1, description="DPO's KL strength.")


# --- eval ------------------------------------------------------------------------------------


class EvalCfg(Section):
    """CLUE+ tasks and held-out perplexity for every model of a run (see mediphi/eval)."""

    perplexity_max_tokens: PositiveInt = Field(50_000, description="Held-out tokens scored per domain and model.")
    num_gpus: Annotated[float, Field(ge=0)] = Field(0, description="GPUs per scoring task (0 on CPU).")
    tasks: list[str] | None = Field(None, description="Task names to run; None: all 12 CLUE+ tasks.")
    task_paths: dict[str, str] = Field(
        default_factory=dict,
        description="Per-task JSONL file (local, package:// or s3://; relative to the working directory). "
        "A task without one reads the packaged sample, package://data/eval/<task>.jsonl.",
    )
    task_fields: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Per task, {task field: column name in the file} for files that "
        "spell a column differently from the public release.",
    )
    few_shot: NonNegInt | None = Field(None, description="Few-shot examples per prompt; None: each task's own.")
    max_examples: PositiveInt | None = Field(None, description="Scored examples per task; None: all.")
    max_tokens: PositiveInt | None = Field(
        None, description="Cap on free-text answers (tiny runs); label and code answers keep their task's length."
    )
    models: list[str] | None = Field(
        None, description="Run models to evaluate by name (base, expert-<domain>, slerp-<domain>, merged, sft, "
        "aligned); None: every model the run has.",
    )

    @model_validator(mode="after")
    def _known_tasks(self) -> EvalCfg:
        from mediphi.eval.tasks import TASK_NAMES  # the registry lives with the tasks

        named = {*(self.tasks or ()), *self.task_paths, *self.task_fields}
        unknown = sorted(named - set(TASK_NAMES))
        if unknown:
            raise ValueError(f"unknown eval task(s) {', '.join(unknown)}; the tasks are {', '.join(TASK_NAMES)}")
        return self


# --- the recipe ------------------------------------------------------------------------------


class Recipe(Section):
    run: RunCfg
    base: BaseCfg
    corpus: CorpusCfg
    mediflow: MediflowCfg = MediflowCfg()
    merge: MergeCfg = MergeCfg()
    pit: PitCfg = PitCfg()
    experts: ExpertsCfg = ExpertsCfg()
    align: AlignCfg = AlignCfg()
    eval: EvalCfg = EvalCfg()
    serve: ServeCfg = ServeCfg()
    generation: GenerationCfg = GenerationCfg()

    def section_hash(self, *names: str) -> str:
        """A stable hash of the named sections (or dotted keys inside them): a stage reruns when
        what it reads changes."""
        payload = {}
        for name in names:
            value: Any = self
            for part in name.split("."):
                value = getattr(value, part)
            payload[name] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
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
