"""Exact and near duplicate detection.

Signatures are MinHash over shingles of token ids, computed with numpy in the parallel map step
(the same affine32 scheme as datasketch, checked in tests). The decisions need a global view, so
they run on the driver over the small (id, hash, signature) columns only, never the text: an
exact duplicate is a repeated content hash; a near duplicate is a document that shares a MinHash
LSH band (datasketch's bands and rows for the threshold) with an earlier kept document whose
estimated Jaccard is at or above the threshold. The first document in a deterministic order is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

import numpy as np

SEED = 1
_PRIME = np.uint64(0x9E3779B97F4A7C15)  # spreads the window of token ids over 64 bits


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer, as datasketch applies it before the affine permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


class Signer:
    """MinHash signatures of token-id shingles, vectorised over all shingles of a batch of documents."""

    def __init__(self, num_perm: int, shingle: int):
        # datasketch's affine32 permutations for SEED, drawn the way it draws them (the test
        # compares): the map workers then need no datasketch, whose import pulls in scipy.
        gen = np.random.RandomState(SEED)
        self.a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        self.b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
        self.k = shingle
        self.powers = _PRIME ** np.arange(shingle, dtype=np.uint64)

    def shingle_hashes(self, ids: Sequence[int]) -> np.ndarray:
        """The distinct hashes of the document's windows of `shingle` token ids."""
        return np.unique(self._window_hashes([ids])[0])

    def signature(self, ids: Sequence[int]) -> np.ndarray:
        return self.signatures([ids])[0]

    def _window_hashes(self, docs: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """One 32-bit hash per window of `shingle` ids, for all documents end to end, and each
        document's window count. A document shorter than a shingle is padded with 0s to one window."""
        k, n = self.k, len(docs)
        real = np.fromiter(map(len, docs), dtype=np.int64, count=n)
        lens = np.maximum(real, k)
        ids = np.fromiter(chain.from_iterable(docs), dtype=np.uint64, count=int(real.sum()))
        if (lens != real).any():
            padded = np.zeros(int(lens.sum()), dtype=np.uint64)
            shift = np.repeat(np.cumsum(lens) - lens - (np.cumsum(real) - real), real)
            padded[np.arange(len(ids)) + shift] = ids
            ids = padded
        m = len(ids) - k + 1
        # Per window, the sum of id * PRIME**j (mod 2**64), as k shifted contiguous slices:
        # cheaper than reducing a strided sliding-window view along its short axis.
        with np.errstate(over="ignore"):
            h = ids[:m] * self.powers[0]
            for j in range(1, k):
                h += ids[j:j + m] * self.powers[j]
        # Keep the windows that start inside a document and end inside the same one.
        starts = np.cumsum(lens) - lens
        inside = (np.arange(m) - np.repeat(starts, lens)[:m]) <= np.repeat(lens - k, lens)[:m]
        return (h ^ (h >> np.uint64(32))).astype(np.uint32)[inside], lens - k + 1

    def signatures(self, docs: Sequence[Sequence[int]], chunk: int = 1 << 13) -> np.ndarray:
        """The MinHash signature of every document (rows of the result), over a batch at once.

        No np.unique of the windows: a repeated shingle cannot change a minimum, and sorting cost
        more than the repeated rows save. Per chunk of windows, one (num_perm x windows) product
        is reduced per document with np.minimum.reduceat: per-document numpy calls cost about as
        much as the arithmetic on the bundled corpus's short documents. The product goes into one
        buffer reused across chunks, of 4 MiB at 128 permutations: a fresh 16 MiB product per chunk
        of 2**15 windows spent more time faulting in new pages and missing the cache than on the
        arithmetic (0.35-0.43 s against 0.175 s for the 10x benchmark corpus's 3.8M windows;
        2**12 and 2**14 were no better, 2**11 worse).
        """
        out = np.full((len(docs), len(self.a)), np.iinfo(np.uint32).max, dtype=np.uint32)
        if not len(docs):
            return out
        hashes, counts = self._window_hashes(docs)
        hv = _fmix32(hashes)
        first = np.cumsum(counts) - counts  # each document's first window in hv
        buf = np.empty((len(self.a), min(chunk, len(hv))), dtype=np.uint32)
        a, b = self.a[:, None], self.b[:, None]
        for lo in range(0, len(hv), chunk):
            hi = min(lo + chunk, len(hv))
            cuts = np.union1d([lo], first[(first > lo) & (first < hi)])
            rows = np.searchsorted(first, cuts, side="right") - 1
            # Permutations down, windows across: both the product and the reduction then run
            # along contiguous rows (the transposed layout took 6x longer here).
            prod = buf[:, :hi - lo]
            np.multiply(a, hv[None, lo:hi], out=prod)
            prod += b
            out[rows] = np.minimum(out[rows], np.minimum.reduceat(prod, cuts - lo, axis=1).T)
        return out


@lru_cache
def _bands_and_rows(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch MinHashLSH's bands and rows for the threshold. Its constructor integrates the
    false positive and negative rates numerically (12 ms): once per setting, not once per domain."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def find_duplicates(keys: list[str], hashes: list[str], signatures: list[bytes], *, exact: bool,
                    near: bool, threshold: float, num_perm: int) -> dict[str, tuple[str, str]]:
    """key -> (reason, key of the kept document) for every duplicate; earlier keys win.

    The decisions of inserting every kept signature into a datasketch MinHashLSH in order and
    querying it first: candidates are earlier kept documents that share an LSH band (the same
    bands and rows datasketch picks for the threshold), confirmed by the signatures' estimated
    Jaccard; the smallest confirming key is reported. The bands are grouped with numpy over all
    documents at once, so only documents with candidates take a Python step.
    """
    out: dict[str, tuple[str, str]] = {}
    rest = list(range(len(keys)))
    if exact:
        first: dict[str, int] = {}
        rest = []
        for i, h in enumerate(hashes):
            j = first.setdefault(h, i)
            if j != i:
                out[keys[i]] = ("exact_duplicate", keys[j])
            else:
                rest.append(i)
    if not near or len(rest) < 2:
        return out
    bands, rows = _bands_and_rows(threshold, num_perm)
    sig = np.frombuffer(b"".join(signatures[i] for i in rest), dtype=np.uint32).reshape(len(rest), num_perm)
    earlier: dict[int, set[int]] = {}
    for band in range(bands):
        cells = np.ascontiguousarray(sig[:, band * rows:(band + 1) * rows])
        _, group = np.unique(cells.view(np.dtype((np.void, cells.itemsize * rows))).ravel(), return_inverse=True)
        order = np.argsort(group, kind="stable")  # each group's documents in document order
        starts = np.flatnonzero(np.r_[True, np.diff(group[order]) != 0])
        ends = np.r_[starts[1:], len(order)]
        for lo, hi in zip(starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist(), strict=True):
            members = order[lo:hi].tolist()  # only groups of two or more: the rest share this band with nobody
            for pos in range(1, len(members)):
                earlier.setdefault(members[pos], set()).update(members[:pos])
    kept = np.ones(len(rest), dtype=bool)
    for i in sorted(earlier):
        similar = [j for j in earlier[i] if kept[j] and np.count_nonzero(sig[i] == sig[j]) / num_perm >= threshold]
        if similar:
            kept[i] = False
            out[keys[rest[i]]] = ("near_duplicate", min(keys[rest[j]] for j in similar))
    return out
