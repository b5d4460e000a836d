"""worker_cache.cached: a Ray Data task's stateful callable is built once per worker process."""

from __future__ import annotations

from mediphi.worker_cache import cached


class Built:
    count = 0

    def __init__(self, tokenizer: dict[str, bytes], n: int):
        Built.count += 1
        self.tokenizer, self.n = tokenizer, n


def test_same_arguments_reuse_the_instance_and_changed_ones_build_anew():
    Built.count = 0
    files = {"tokenizer.json": b"x" * 1000}
    first = cached(Built, tokenizer=files, n=4)
    # Equal, not identical: every task deserialises its own copy of the arguments.
    assert cached(Built, tokenizer={"tokenizer.json": b"x" * 1000}, n=4) is first
    assert Built.count == 1
    other = cached(Built, tokenizer=files, n=8)
    assert other is not first and other.n == 8 and Built.count == 2
    assert cached(Built, tokenizer={"tokenizer.json": b"y"}, n=8).tokenizer == {"tokenizer.json": b"y"}
    assert Built.count == 3
