"""ray.serve.llm's vLLM server, with vLLM's in-process executor on CPU.

ray.serve.llm overwrites `distributed_executor_backend` with "mp" for every CPU LLMConfig, so a
one-process engine still runs its model in a second process (`VLLM::Worker`) that the engine
core drives over a shared-memory queue it polls. On a 2-core node that polling took 85% of a core
from the model (docs/benchmarks.md#serve). This engine puts back the backend the LLMConfig asked
for (`mediphi.serving.app.llm_config` asks for "uni" on CPU: the model inside the engine core, as
vLLM's own `AsyncLLM` runs it).

Threads: Ray gives the replica OMP_NUM_THREADS = its placement bundle's CPUs (1), which the engine
core inherits. The engine gets `serve.engine_args.cpu_threads`, or else every core of the node the
replica landed on (measured on 2 cores: 1 thread 587 tokens/s, 2 threads 765 at concurrency 32).
"""

from __future__ import annotations

import logging
import os

from ray.llm._internal.serve.engines.vllm.vllm_engine import VLLMEngine
from ray.serve.llm.deployment import LLMServer

from mediphi.serving.app import ENGINE_THREADS_ENV

log = logging.getLogger("mediphi")


class InProcessVLLMEngine(VLLMEngine):
    def _start_async_llm_engine(self, vllm_engine_args, vllm_engine_config, placement_group):
        parallel = vllm_engine_config.parallel_config
        asked = self.llm_config.engine_kwargs.get("distributed_executor_backend")
        if asked:
            parallel.distributed_executor_backend = asked
        # The engine core is a child of this replica: it starts with this environment.
        os.environ["OMP_NUM_THREADS"] = os.environ.get(ENGINE_THREADS_ENV) or str(len(os.sched_getaffinity(0)))
        log.info("vLLM engine on CPU: executor %s, %s OpenMP threads",
                 parallel.distributed_executor_backend, os.environ["OMP_NUM_THREADS"])
        return super()._start_async_llm_engine(vllm_engine_args, vllm_engine_config, placement_group)


class InProcessVLLMServer(LLMServer):
    """LLMServer whose vLLM engines keep the executor their LLMConfig names (LLMConfig.server_cls on CPU)."""

    _default_engine_cls = InProcessVLLMEngine
