"""Exact and near duplicate detection.

Signatures are MinHash over shingles of token ids, computed with numpy in the parallel map step
(the same affine32 scheme as datasketch, checked in tests). The decisions need a global view, so
they run on the driver over the small (id, hash, signature) columns only, never the text: an
exact duplicate is a repeated content hash; a near duplicate is a document whose MinHash LSH
(datasketch) finds an earlier document above the Jaccard threshold. The first document in a
deterministic order is kept.
"""

from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

SCHEME = "affine32"
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
    """MinHash signatures of token-id shingles, vectorised over all shingles of a document."""

    def __init__(self, num_perm: int, shingle: int):
        a, b = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations
        self.a, self.b = a.astype(np.uint32), b.astype(np.uint32)
        self.k = shingle
        self.powers = _PRIME ** np.arange(shingle, dtype=np.uint64)

    def shingle_hashes(self, ids: list[int] | np.ndarray) -> np.ndarray:
        """The distinct hashes of the document's windows of `shingle` token ids."""
        return np.unique(self._window_hashes(ids))

    def _window_hashes(self, ids: list[int] | np.ndarray) -> np.ndarray:
        """shingle_hashes() before np.unique: one hash per window, repeats included."""
        arr = np.asarray(ids, dtype=np.uint64)
        if len(arr) < self.k:
            arr = np.pad(arr, (0, self.k - len(arr)), constant_values=np.uint64(0))
        n = len(arr) - self.k + 1
        # Per window, the sum of id * PRIME**j (mod 2**64), as k shifted contiguous slices:
        # cheaper than reducing a strided sliding-window view along its short axis.
        with np.errstate(over="ignore"):
            h = arr[:n] * self.powers[0]
            for j in range(1, self.k):
                h += arr[j:j + n] * self.powers[j]
        return (h ^ (h >> np.uint64(32))).astype(np.uint32)

    def signature(self, ids: list[int] | np.ndarray) -> np.ndarray:
        # No np.unique: a repeated shingle cannot change a minimum, and sorting cost more than
        # the repeated rows save (half of signature()'s time on the bundled corpus).
        hv = _fmix32(self._window_hashes(ids))[:, None]
        with np.errstate(over="ignore"):
            out = hv * self.a
            out += self.b
        return out.min(axis=0)


def lean(signature: bytes | np.ndarray) -> LeanMinHash:
    values = np.frombuffer(signature, dtype=np.uint32) if isinstance(signature, bytes) else signature
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


def find_duplicates(keys: list[str], hashes: list[str], signatures: list[bytes], *, exact: bool,
                    near: bool, threshold: float, num_perm: int) -> dict[str, tuple[str, str]]:
    """key -> (reason, key of the kept document) for every duplicate; earlier keys win."""
    out: dict[str, tuple[str, str]] = {}
    first_by_hash: dict[str, str] = {}
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm) if near else None
    kept: dict[str, LeanMinHash] = {}
    for key, h, sig in zip(keys, hashes, signatures, strict=True):
        if exact and h in first_by_hash:
            out[key] = ("exact_duplicate", first_by_hash[h])
            continue
        first_by_hash.setdefault(h, key)
        if lsh is None:
            continue
        m = lean(sig)
        # LSH buckets give candidates; the estimated Jaccard of the signatures confirms them.
        similar = sorted(o for o in lsh.query(m) if m.jaccard(kept[o]) >= threshold)
        if similar:
            out[key] = ("near_duplicate", similar[0])
            continue
        lsh.insert(key, m)
        kept[key] = m
    return out
