"""The transformers fallback engine, for machines where vLLM cannot run.

It implements ray.serve.llm's engine protocol, so it sits behind the same `LLMServer`, the same
ingress, the same routes and errors as vLLM: chat and text completions, streaming (SSE), and
JSON-schema output constrained token by token with xgrammar's transformers logits processor.
One request generates at a time per replica (no continuous batching): it is a fallback, not a
fast path; `benchmarks/serve.py` measures the difference.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncGenerator

from ray.llm._internal.serve.core.configs.openai_api_models import (
    ChatCompletionResponse,
    CompletionResponse,
    ErrorInfo,
    ErrorResponse,
)
from ray.llm._internal.serve.core.engine.protocol import LLMEngine
from ray.serve.llm.deployment import LLMServer

from mediphi import storage


class RequestError(ValueError):
    """A bad request: becomes a 400 with an OpenAI-style body."""


def _error(message: str, code: int = 400, kind: str = "BadRequestError") -> ErrorResponse:
    return ErrorResponse(error=ErrorInfo(message=message, type=kind, code=code))


class TransformersEngine(LLMEngine):
    def __init__(self, llm_config):
        self.llm_config = llm_config
        self.model_id = llm_config.model_id
        source = llm_config.model_loading_config.model_source
        self.source = source if isinstance(source, str) else str(source)
        self.max_model_len = int(llm_config.engine_kwargs.get("max_model_len", 2048))
        self.lock = asyncio.Lock()

    async def start(self):
        await asyncio.to_thread(self._load)

    def _load(self):
        import torch
        import xgrammar as xgr
        from transformers import AutoModelForCausalLM, AutoTokenizer

        local = str(storage.localize(self.source)) if storage.is_s3(self.source) else self.source
        self.tok = AutoTokenizer.from_pretrained(local)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = torch.bfloat16 if self.device == "cuda" else torch.float32
        self.model = AutoModelForCausalLM.from_pretrained(local, dtype=dtype).to(self.device).eval()
        self.stop_ids = _stop_ids(self.model, self.tok)
        self.grammars = xgr.GrammarCompiler(xgr.TokenizerInfo.from_huggingface(
            self.tok, vocab_size=self.model.config.vocab_size))

    # --- the protocol ----------------------------------------------------------------------------

    async def chat(self, request, raw_request_info=None) -> AsyncGenerator:
        try:
            messages = [dict(m) for m in request.messages]
            if not messages:
                raise RequestError("messages must hold at least one message")
            prompt_ids = self.tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                                      return_dict=True)["input_ids"]
            job = self._job(request, prompt_ids, _schema_of(request))
        except (RequestError, ValueError, TypeError) as exc:
            yield _error(str(exc))
            return
        async for item in self._run(job, request, chat=True):
            yield item

    async def completions(self, request, raw_request_info=None) -> AsyncGenerator:
        try:
            prompt = request.prompt
            if not isinstance(prompt, str) or not prompt:
                raise RequestError("prompt must be a non-empty string")
            prompt_ids = self.tok(prompt, add_special_tokens=False)["input_ids"]
            job = self._job(request, prompt_ids, _schema_of(request))
        except (RequestError, ValueError, TypeError) as exc:
            yield _error(str(exc))
            return
        async for item in self._run(job, request, chat=False):
            yield item

    def _job(self, request, prompt_ids: list[int], schema: dict | None) -> dict:
        if getattr(request, "n", 1) not in (None, 1):
            raise RequestError("the transformers engine generates one choice per request (n=1)")
        room = self.max_model_len - len(prompt_ids)
        max_tokens = getattr(request, "max_completion_tokens", None) or request.max_tokens or room
        if max_tokens < 1:
            raise RequestError(f"max_tokens must be at least 1, got {max_tokens}")
        if request.temperature is not None and request.temperature < 0:
            raise RequestError(f"temperature must be >= 0, got {request.temperature}")
        if request.top_p is not None and not 0 < request.top_p <= 1:
            raise RequestError(f"top_p must be in (0, 1], got {request.top_p}")
        if max_tokens > room:
            raise RequestError(f"max_tokens={max_tokens} is more than the context leaves: max_model_len "
                               f"{self.max_model_len} - {len(prompt_ids)} prompt tokens = {room}")
        processor = None
        if schema is not None:
            from xgrammar.contrib.hf import LogitsProcessor

            try:
                compiled = self.grammars.compile_json_schema(json.dumps(schema), any_whitespace=False)
            except Exception as exc:  # xgrammar raises RuntimeError on a schema it cannot compile
                raise RequestError(f"invalid JSON schema: {exc}") from exc
            processor = LogitsProcessor(compiled)
        temperature = 1.0 if request.temperature is None else request.temperature
        return {"prompt_ids": prompt_ids, "max_tokens": max_tokens, "temperature": temperature,
                "top_p": request.top_p if request.top_p is not None else 1.0, "processor": processor,
                "seed": getattr(request, "seed", None),
                # vLLM's extension, on the same request model: run to max_tokens past any stop token
                # (benchmarks need a fixed output length to compare engines).
                "ignore_eos": bool(getattr(request, "ignore_eos", False))}

    async def _run(self, job: dict, request, chat: bool) -> AsyncGenerator:
        created, rid = int(time.time()), f"{'chatcmpl' if chat else 'cmpl'}-{uuid.uuid4().hex}"
        async with self.lock:
            if not request.stream:
                text, n_out, finish = await asyncio.to_thread(self._generate, job, None)
                usage = {"prompt_tokens": len(job["prompt_ids"]), "completion_tokens": n_out,
                         "total_tokens": len(job["prompt_ids"]) + n_out}
                if chat:
                    yield ChatCompletionResponse(id=rid, created=created, model=self.model_id, usage=usage, choices=[
                        {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}])
                else:
                    yield CompletionResponse(id=rid, created=created, model=self.model_id, usage=usage,
                                             choices=[{"index": 0, "text": text, "finish_reason": finish}])
                return
            queue: asyncio.Queue = asyncio.Queue()
            loop = asyncio.get_running_loop()

            def on_text(piece: str | None):
                loop.call_soon_threadsafe(queue.put_nowait, piece)

            worker = threading.Thread(target=self._generate, args=(job, on_text), daemon=True)
            worker.start()
            first = True
            while (piece := await queue.get()) is not None:
                yield _sse(rid, created, self.model_id, chat, piece, role=first and chat)
                first = False
            worker.join()
            yield _sse(rid, created, self.model_id, chat, "", finish=job.get("finish", "stop"))

    def _generate(self, job: dict, on_text) -> tuple[str, int, str]:
        import torch
        from transformers import LogitsProcessorList, TextIteratorStreamer

        ids = torch.tensor([job["prompt_ids"]], device=self.device)
        if job["seed"] is not None:
            torch.manual_seed(job["seed"])
        sample = job["temperature"] > 0
        # eos_token_id=None overrides the generation config's stop ids: generate does not stop on them.
        stop_ids = None if job["ignore_eos"] else self.stop_ids
        kwargs = dict(max_new_tokens=job["max_tokens"], do_sample=sample, eos_token_id=stop_ids,
                      pad_token_id=self.tok.pad_token_id or self.stop_ids[0],
                      logits_processor=LogitsProcessorList([job["processor"]]) if job["processor"] else None)
        if sample:
            kwargs.update(temperature=job["temperature"], top_p=job["top_p"])
        streamer = None
        if on_text is not None:
            streamer = TextIteratorStreamer(self.tok, skip_prompt=True, skip_special_tokens=True)
            kwargs["streamer"] = streamer
            relay = threading.Thread(target=lambda: [on_text(t) for t in streamer if t], daemon=True)
            relay.start()
        with torch.no_grad():
            out = self.model.generate(ids, **kwargs)[0, ids.shape[1]:].tolist()
        finish = "stop" if out and out[-1] in self.stop_ids and not job["ignore_eos"] else "length"
        job["finish"] = finish
        if on_text is not None:
            relay.join()
            on_text(None)
        return self.tok.decode(out, skip_special_tokens=True), len(out), finish

    # The rest of the protocol: not offered by this fallback.
    async def embeddings(self, request, raw_request_info=None):
        yield _error("embeddings are not served by the transformers engine", 400)

    async def transcriptions(self, request, raw_request_info=None):
        yield _error("transcriptions are not served by the transformers engine", 400)

    async def tokenize(self, request, raw_request_info=None):
        yield _error("tokenize is not served by the transformers engine", 400)

    async def detokenize(self, request, raw_request_info=None):
        yield _error("detokenize is not served by the transformers engine", 400)

    async def score(self, request, raw_request_info=None):
        yield _error("score is not served by the transformers engine", 400)

    def routing_stats(self) -> dict:
        return {}

    async def resolve_lora(self, lora_model):
        raise NotImplementedError("LoRA adapters are not served by the transformers engine")

    async def check_health(self) -> None:
        return None

    async def reset_prefix_cache(self) -> None:
        return None

    async def sleep(self, **kwargs) -> None:
        return None

    async def wakeup(self, **kwargs) -> None:
        return None

    async def is_sleeping(self) -> bool:
        return False

    async def pause(self, **kwargs) -> None:
        return None

    async def resume(self, **kwargs) -> None:
        return None

    async def is_paused(self) -> bool:
        return False

    async def collective_rpc(self, *args, **kwargs):
        return []

    async def build_asgi_app(self):
        raise NotImplementedError

    async def shutdown(self) -> None:
        return None


class TransformersServer(LLMServer):
    """LLMServer with the transformers engine (LLMConfig.server_cls points here)."""

    _default_engine_cls = TransformersEngine


def _schema_of(request) -> dict | None:
    fmt = getattr(request, "response_format", None)
    if fmt is None or fmt.type == "text":
        return None
    if fmt.type == "json_object":
        return {"type": "object"}
    if fmt.type == "json_schema" and fmt.json_schema is not None and fmt.json_schema.json_schema is not None:
        return fmt.json_schema.json_schema
    raise RequestError(f"unsupported response_format {fmt.type!r}")


def _stop_ids(model, tok) -> list[int]:
    eos = model.generation_config.eos_token_id if model.generation_config else None
    ids = eos if isinstance(eos, list) else [eos] if eos is not None else []
    if tok.eos_token_id is not None and tok.eos_token_id not in ids:
        ids.append(tok.eos_token_id)
    return ids


def _sse(rid: str, created: int, model: str, chat: bool, text: str, role: bool = False,
         finish: str | None = None) -> str:
    if chat:
        delta = {"role": "assistant", "content": text} if role else ({"content": text} if text else {})
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        obj = {"id": rid, "object": "chat.completion.chunk", "created": created, "model": model, "choices": [choice]}
    else:
        obj = {"id": rid, "object": "text_completion", "created": created, "model": model,
               "choices": [{"index": 0, "text": text, "finish_reason": finish}]}
    return f"data: {json.dumps(obj)}\n\n"
