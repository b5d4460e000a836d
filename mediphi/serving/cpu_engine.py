"""ray.serve.llm's vLLM server, with vLLM's in-process executor on CPU.

ray.serve.llm overwrites `distributed_executor_backend` with "mp" for every CPU LLMConfig, so a
one-process engine still runs its model in a second process (`VLLM::Worker`) that the engine
core drives over a shared-memory queue it polls. On a 2-core node that polling took 85% of a core
from the model (docs/benchmarks.md#serve). With one worker there is nothing to distribute: the
model runs inside the engine core ("uni"), as vLLM's own `AsyncLLM` does by default.

Threads: Ray gives the replica OMP_NUM_THREADS = its placement bundle's CPUs (1), which the engine
core inherits. The engine gets `serve.engine_args.cpu_threads`, or else every core of the node the
replica landed on (measured on 2 cores: 1 thread 587 tokens/s, 2 threads 765 at concurrency 32).
"""

from __future__ import annotations

import logging
import os

from ray.llm._internal.serve.engines.vllm.vllm_engine import VLLMEngine
from ray.serve.llm.deployment import LLMServer

log = logging.getLogger("mediphi")


class InProcessVLLMEngine(VLLMEngine):
    def _start_async_llm_engine(self, vllm_engine_args, vllm_engine_config, placement_group):
        from mediphi.serving.app import ENGINE_THREADS_ENV

        parallel = vllm_engine_config.parallel_config
        if parallel.world_size == 1:
            parallel.distributed_executor_backend = "uni"
        # The engine core is a child of this replica: it starts with this environment.
        os.environ["OMP_NUM_THREADS"] = os.environ.get(ENGINE_THREADS_ENV) or str(len(os.sched_getaffinity(0)))
        log.info("vLLM engine on CPU: executor %s, %s OpenMP threads",
                 parallel.distributed_executor_backend, os.environ["OMP_NUM_THREADS"])
        return super()._start_async_llm_engine(vllm_engine_args, vllm_engine_config, placement_group)


class InProcessVLLMServer(LLMServer):
    """LLMServer whose single-worker vLLM engines run in one process (LLMConfig.server_cls on CPU)."""

    _default_engine_cls = InProcessVLLMEngine
