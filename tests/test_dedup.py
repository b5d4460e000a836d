import numpy as np
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
