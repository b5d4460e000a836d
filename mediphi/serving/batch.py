"""Batch generation for the stages: a Ray Dataset of prompts in, the same rows with generations out.

Input rows carry `messages` (chat, a list of {role, content}), `sampling` (max_tokens,
temperature, top_p, seed, stop) and optionally `json_schema` (a JSON Schema as a JSON string, so
the output is constrained to it). Output rows add `generated_text`, `finish_reason` and `error`
('' when the row succeeded): a failed row is reported in its row, never by failing the job.

Two transports behind one function:
- ray_data (default): `ray.data.llm`'s vLLM processor inside the cluster;
- http: any OpenAI-compatible endpoint (a running `mediphi serve`, or another server), with
  bounded concurrency and retries with backoff.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import random

from mediphi.config import GenerationCfg, ServeCfg

log = logging.getLogger("mediphi.generate")

OUTPUT_COLUMNS = ("generated_text", "finish_reason", "error")


def generate(ds, model: str, cfg: GenerationCfg, serve: ServeCfg):
    """Generations for every row of `ds` with `model` (http: the endpoint's model name).

    In the cluster `model` is a model folder, an s3:// URI or a hub id, never a copy in the
    driver's cache: ray.data.llm's engines may run on other nodes, and fetch an s3:// or hub model
    there themselves.
    """
    if cfg.transport == "http":
        # The key is read here, where the user set it, not in the worker: a cluster's workers do
        # not inherit the submitting shell's environment.
        from ray.data import ActorPoolStrategy

        key = os.environ.get(cfg.api_key_env, "") if cfg.api_key_env else ""
        return ds.map_batches(HttpGenerator, fn_constructor_kwargs={"cfg_json": cfg.model_dump_json(), "model": model,
                                                                    "api_key": key},
                              batch_size=cfg.batch_size, compute=ActorPoolStrategy(size=1), batch_format="pandas")
    return _ray_data(ds, model, cfg, serve)


def engine_kwargs(serve: ServeCfg, model: str) -> tuple[dict, dict]:
    """vLLM engine kwargs and env vars, shared by the server and the batch processor."""
    from mediphi.serving.app import llm_config

    cfg = llm_config("_", model, serve, "vllm")
    return cfg["engine_kwargs"], cfg["runtime_env"]["env_vars"]


def _ray_data(ds, model: str, cfg: GenerationCfg, serve: ServeCfg):
    from ray.data.llm import build_processor, vLLMEngineProcessorConfig

    kwargs, env = engine_kwargs(serve, model)
    on_cpu = serve.device == "cpu"
    config = vLLMEngineProcessorConfig(
        model_source=model,
        engine_kwargs=kwargs,
        runtime_env={"env_vars": env},
        batch_size=cfg.batch_size,
        concurrency=cfg.replicas,
        placement_group_config={"bundles": [{"CPU": 1}]} if on_cpu else None,
        accelerator_type=None if on_cpu else serve.accelerator_type,
        should_continue_on_error=True,
    )
    # build_processor calls ray.init(runtime_env=...) with the engine's variables. Connected
    # already, that call only merges runtime envs, and under `ray job submit` Ray refuses the merge
    # when the job's runtime_env sets one of the same variables (ray_jobs/runtime_env.cpu.yaml
    # sets VLLM_CPU_KVCACHE_SPACE) unless told that the engine's values win for the engine.
    os.environ["RAY_OVERRIDE_JOB_RUNTIME_ENV"] = "1"
    # vllm-cpu 0.32 kills its engine ("CPU Generator does not use offset") when a seeded request's
    # prefill is chunked, which a busy batch does: on CPU the engine's own seed stands in.
    processor = build_processor(config, preprocess=functools.partial(_to_vllm, seeded=not on_cpu))
    # Error rows skip a postprocess step, so every row is normalised after the processor instead.
    return processor(ds).map(_from_vllm)


def _to_vllm(row: dict, seeded: bool = True) -> dict:
    """Every row gets the same parameter keys with concrete values: Ray Data stores them in Arrow
    columns, where a missing value in some rows turns other rows' integers into floats (which
    vLLM's request decoder rejects)."""
    sampling = {k: v for k, v in dict(row.get("sampling") or {}).items() if v is not None}
    params = {
        "max_tokens": int(sampling.get("max_tokens", 256)),
        "temperature": float(sampling.get("temperature", 1.0)),
        "top_p": float(sampling.get("top_p", 1.0)),
    }
    if seeded:
        params["seed"] = int(sampling["seed"]) if "seed" in sampling else stable_seed(row["messages"])
    schema = row.get("json_schema")
    if schema:  # as a JSON string: a nested schema would be re-typed by Arrow too
        params["structured_outputs"] = {"json": schema}
    return {**row, "messages": [dict(m) for m in row["messages"]], "sampling_params": params}


def stable_seed(messages) -> int:
    import hashlib

    return int(hashlib.sha256(json.dumps([dict(m) for m in messages], sort_keys=True).encode()).hexdigest()[:8], 16)


def _from_vllm(row: dict) -> dict:
    keep = {k: v for k, v in row.items() if k not in _VLLM_COLUMNS}
    error = row.get("__inference_error__") or ""
    text = "" if error else (row.get("generated_text") or "")
    return {**keep, "generated_text": text, "finish_reason": "error" if error else _finish(row), "error": error}


# Columns ray.data.llm adds that the stages do not need downstream.
_VLLM_COLUMNS = {"sampling_params", "prompt", "prompt_token_ids", "tokenized_prompt", "generated_tokens",
                 "num_generated_tokens", "num_input_tokens", "request_id", "batch_uuid", "time_taken_llm",
                 "params", "metrics", "generated_text", "embeddings", "__inference_error__", "finish_reason",
                 "generated_logprobs", "prompt_logprobs", "image", "multimodal_data"}


def _finish(row: dict) -> str:
    reason = row.get("finish_reason")
    return str(reason) if reason else "stop"


class HttpGenerator:
    """Ray Data callable: one batch of rows -> the same rows with generations, over HTTP."""

    def __init__(self, cfg_json: str, model: str, api_key: str = ""):
        self.cfg = GenerationCfg.model_validate_json(cfg_json)
        self.model = model or self.cfg.endpoint_model
        self.api_key = api_key or "none"  # the client insists on one; servers without a key ignore it

    def __call__(self, batch):
        rows = batch.to_dict("records")
        results = asyncio.run(self._all(rows))
        for row, (text, finish, error) in zip(rows, results, strict=True):
            row.update(generated_text=text, finish_reason=finish, error=error)
        import pandas as pd

        return pd.DataFrame(rows)

    async def _all(self, rows: list[dict]) -> list[tuple[str, str, str]]:
        from openai import AsyncOpenAI

        client = AsyncOpenAI(base_url=self.cfg.endpoint, api_key=self.api_key,
                             timeout=self.cfg.request_timeout_s, max_retries=0)
        gate = asyncio.Semaphore(self.cfg.max_concurrency)
        try:
            return await asyncio.gather(*(self._one(client, gate, r) for r in rows))
        finally:
            await client.close()

    async def _one(self, client, gate, row: dict) -> tuple[str, str, str]:
        import openai

        sampling = {k: v for k, v in dict(row.get("sampling") or {}).items() if v is not None}
        kwargs: dict = {"model": self.model, "messages": [dict(m) for m in row["messages"]], **sampling}
        if row.get("json_schema"):
            kwargs["response_format"] = {"type": "json_schema",
                                         "json_schema": {"name": "output", "schema": json.loads(row["json_schema"])}}
        delay = 0.5
        for attempt in range(self.cfg.max_retries + 1):
            try:
                async with gate:
                    resp = await client.chat.completions.create(**kwargs)
                choice = resp.choices[0]
                return choice.message.content or "", choice.finish_reason or "stop", ""
            except (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError,
                    openai.APITimeoutError) as exc:
                if attempt == self.cfg.max_retries:
                    return "", "error", f"{type(exc).__name__} after {attempt + 1} attempts: {exc}"
                await asyncio.sleep(delay * (1 + random.random()))  # jittered exponential backoff
                delay *= 2
            except openai.APIStatusError as exc:  # a 4xx: retrying cannot help
                return "", "error", f"{exc.status_code}: {exc.message}"
        return "", "error", "unreachable"


def generate_each(requests: dict[str, list[dict]], cfg: GenerationCfg, serve: ServeCfg) -> dict[str, list[dict]]:
    """Generations for several models, each with its own rows: {model: rows} -> {model: rows out}.

    Over HTTP each model is a name at the endpoint. In the cluster, one engine actor loads the
    models one after another (vLLM imported once, each engine built in-process and freed before
    the next): for evaluating a dozen small models this costs seconds per model, where one
    `ray.data.llm` pipeline per model pays the start-up of its actors every time.
    """
    import ray

    if cfg.transport == "http":
        return {model: generate(ray.data.from_items(rows), model, cfg, serve).take_all() if rows else []
                for model, rows in requests.items()}
    on_cpu = serve.device == "cpu"
    options = {"num_cpus": 1} if on_cpu else {"num_gpus": serve.engine_args.tensor_parallel_size}
    worker = ray.remote(SequentialEngine).options(**options).remote()
    try:
        return {model: ray.get(worker.generate.remote(model, rows, *engine_kwargs(serve, model), not on_cpu))
                if rows else [] for model, rows in requests.items()}
    finally:
        ray.kill(worker)


class SequentialEngine:
    """A Ray actor that runs vLLM's offline engine on one model at a time."""

    def generate(self, model: str, rows: list[dict], kwargs: dict, env: dict, seeded: bool) -> list[dict]:
        import gc
        import os

        os.environ.update(env)  # the engine reads its settings (KV cache size, ...) when it is built

        from vllm import LLM, SamplingParams
        from vllm.sampling_params import StructuredOutputsParams

        from mediphi import storage

        path = str(storage.localize(model)) if storage.is_s3(model) else model
        llm = LLM(path, **kwargs)
        try:
            tok = llm.get_tokenizer()
            limit = kwargs["max_model_len"]
            out: list[dict | None] = [None] * len(rows)
            todo, prompts, params = [], [], []
            for i, row in enumerate(rows):
                request = _to_vllm(row, seeded)["sampling_params"]
                ids = tok.apply_chat_template([dict(m) for m in row["messages"]], add_generation_prompt=True,
                                              tokenize=True, return_dict=True)["input_ids"]
                if len(ids) + request["max_tokens"] > limit:  # a row error, as the other transports report
                    out[i] = {**row, "generated_text": "", "finish_reason": "error",
                              "error": f"prompt of {len(ids)} tokens + max_tokens {request['max_tokens']} exceeds "
                                       f"the maximum context length {limit}"}
                    continue
                schema = request.pop("structured_outputs", None)
                if schema:
                    request["structured_outputs"] = StructuredOutputsParams(json=schema["json"])
                todo.append(i)
                prompts.append({"prompt_token_ids": ids})
                params.append(SamplingParams(**request))
            for i, result in zip(todo, llm.generate(prompts, params, use_tqdm=False), strict=True):
                choice = result.outputs[0]
                out[i] = {**rows[i], "generated_text": choice.text, "finish_reason": choice.finish_reason or "stop",
                          "error": ""}
            return out
        finally:
            del llm
            gc.collect()
