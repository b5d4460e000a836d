"""Tokenize and pack text into fixed-length training sequences.

Sequences are concatenated with an end-of-text token between them and cut into `seq_len`
chunks: no padding, every position trains. `labels` carry -100 where the loss is masked (a
prompt when the loss is on answers only).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pyarrow as pa

IGNORE = -100
PACKED_SCHEMA = pa.schema([("input_ids", pa.list_(pa.int32())), ("labels", pa.list_(pa.int32()))])


def pack(sequences: Iterable[tuple[list[int], list[int]]], seq_len: int, eos_id: int) -> Iterator[tuple]:
    """(input_ids, labels) pairs of any length -> chunks of exactly seq_len; the tail is dropped."""
    ids_buf: list[int] = []
    lab_buf: list[int] = []
    for ids, labels in sequences:
        ids_buf += [*ids, eos_id]
        lab_buf += [*labels, eos_id if labels and labels[-1] != IGNORE else IGNORE]
        while len(ids_buf) >= seq_len:
            yield ids_buf[:seq_len], lab_buf[:seq_len]
            ids_buf, lab_buf = ids_buf[seq_len:], lab_buf[seq_len:]


class TextPacker:
    """Ray Data map_batches callable: a batch of {text} -> packed {input_ids, labels}."""

    def __init__(self, tokenizer: dict[str, bytes], seq_len: int):
        from mediphi.models.refs import load_tokenizer

        self.tok = load_tokenizer(tokenizer)  # by value: see refs.tokenizer_files
        self.seq_len = seq_len
        self.eos = self.tok.eos_token_id

    def __call__(self, batch: pa.Table) -> pa.Table:
        texts = batch.column("text").to_pylist()
        encoded = self.tok(texts, add_special_tokens=False)["input_ids"]
        chunks = list(pack(((ids, ids) for ids in encoded), self.seq_len, self.eos))
        return to_table(chunks)


def to_table(chunks: list[tuple[list[int], list[int]]]) -> pa.Table:
    if not chunks:
        return PACKED_SCHEMA.empty_table()
    ids = np.asarray([c[0] for c in chunks], dtype=np.int32)
    labels = np.asarray([c[1] for c in chunks], dtype=np.int32)
    return pa.table({"input_ids": list(ids), "labels": list(labels)}, schema=PACKED_SCHEMA)
