"""Stateful Ray Data callables run as tasks: one instance per worker process, built once.

Ray Data runs a callable class in an actor pool, and an actor pool starts worker processes of
its own for every dataset that uses it. Each pays its imports and set-up again (transformers and
a tokenizer: about 6 s on 2 cores) while the maps around it wait. The pit stage packed each
domain's phases in such a pool: on its one-domain test a phase of 2 rows took 6-7 s, and 0.1-0.2 s
as a task in a worker that had built its instance for an earlier dataset. Tasks run in Ray's
pooled worker processes, which outlive a dataset, so an instance serves every later dataset of
the job with the same arguments; a task also fuses with the read before it.

Not behind a `limit()`: Ray Data cancels the tasks a limit no longer needs, and a task cancelled
while importing torch leaves its worker process unable to import torch again (see pit.run).
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")

# One instance per class: a worker process serves one stage's datasets at a time, so keeping the
# latest arguments' instance is enough, and a changed argument (another recipe) builds anew.
_INSTANCES: dict[type, tuple[dict[str, Any], Any]] = {}


def cached(cls: type[T], **kwargs: Any) -> T:
    """`cls(**kwargs)`, built at most once per worker process for the same arguments."""
    held = _INSTANCES.get(cls)
    if held is None or held[0] != kwargs:
        held = _INSTANCES[cls] = (kwargs, cls(**kwargs))
    return held[1]
