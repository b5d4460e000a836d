import numpy as np
import pytest
from datasketch import MinHash

from mediphi.corpus.dedup import Signer, find_duplicates


def test_signature_matches_datasketch():
    signer = Signer(num_perm=64, shingle=5)
    ids = list(np.random.default_rng(0).integers(0, 5000, size=300))
    reference = MinHash(num_perm=64, seed=1, hashfunc=int)
    reference.update_batch(signer.shingle_hashes(ids).tolist())
    assert np.array_equal(reference.hashvalues, signer.signature(ids))


def test_exact_and_near_duplicates_found_and_distinct_kept():
    rng = np.random.default_rng(1)
    signer = Signer(num_perm=128, shingle=5)
    a = list(rng.integers(0, 5000, size=400))
    b = list(rng.integers(0, 5000, size=400))
    a_near = a.copy()
    a_near[200] = 4999  # one token changed: Jaccard of 5-shingles stays > 0.9
    docs = {"a": a, "b": b, "a_copy": a, "a_near": a_near}
    keys = list(docs)
    hashes = [str(hash(tuple(v))) for v in docs.values()]
    sigs = [signer.signature(v).tobytes() for v in docs.values()]
    found = find_duplicates(keys, hashes, sigs, exact=True, near=True, threshold=0.8, num_perm=128)
    assert found == {"a_copy": ("exact_duplicate", "a"), "a_near": ("near_duplicate", "a")}
    only_exact = find_duplicates(keys, hashes, sigs, exact=True, near=False, threshold=0.8, num_perm=128)
    assert only_exact == {"a_copy": ("exact_duplicate", "a")}


def test_batch_signatures_equal_one_document_signatures():
    rng = np.random.default_rng(2)
    signer = Signer(num_perm=128, shingle=5)
    # Short documents are padded, long ones span several chunks of windows.
    docs = [list(rng.integers(0, 5000, size=int(n))) for n in rng.integers(0, 400, size=200)] + [[], [7], [1, 2, 3, 4]]
    expected = np.stack([signer.signature(d) for d in docs])
    for chunk in (7, 1000, 1 << 15):
        assert np.array_equal(signer.signatures(docs, chunk=chunk), expected)


def _lsh_reference(keys, hashes, sigs, threshold, num_perm):
    """The decisions of inserting kept documents into datasketch's MinHashLSH one at a time."""
    from datasketch import LeanMinHash, MinHashLSH

    out, first, kept = {}, {}, {}
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for key, h, sig in zip(keys, hashes, sigs, strict=True):
        if h in first:
            out[key] = ("exact_duplicate", first[h])
            continue
        first[h] = key
        m = LeanMinHash(seed=1, hashvalues=np.frombuffer(sig, dtype=np.uint32), scheme="affine32")
        similar = sorted(o for o in lsh.query(m) if m.jaccard(kept[o]) >= threshold)
        if similar:
            out[key] = ("near_duplicate", similar[0])
            continue
        lsh.insert(key, m)
        kept[key] = m
    return out


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9])
def test_near_duplicates_decided_as_datasketch_lsh_would(threshold):
    rng = np.random.default_rng(3)
    signer = Signer(num_perm=128, shingle=5)
    originals = [list(rng.integers(0, 3000, size=int(rng.integers(5, 300)))) for _ in range(150)]
    docs = []
    for _ in range(1200):  # copies with a few tokens changed, chains of them, and unrelated documents
        d = list(originals[rng.integers(len(originals))]) if rng.random() < 0.6 else list(
            rng.integers(0, 3000, size=int(rng.integers(5, 300))))
        for _ in range(int(rng.integers(0, 6))):
            d[int(rng.integers(len(d)))] = int(rng.integers(3000))
        docs.append(d)
    keys = [f"k{i:05d}" for i in rng.permutation(len(docs))]
    hashes = [str(hash(tuple(d))) for d in docs]
    sigs = [s.tobytes() for s in signer.signatures(docs)]
    found = find_duplicates(keys, hashes, sigs, exact=True, near=True, threshold=threshold, num_perm=128)
    assert found == _lsh_reference(keys, hashes, sigs, threshold, 128)
    assert sum(r == "near_duplicate" for r, _ in found.values()) > 20  # the test has near duplicates to decide
