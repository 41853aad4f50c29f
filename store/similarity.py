"""Near-duplicate detection for syndicated news: word shingles, MinHash, LSH bands.

Two texts whose estimated Jaccard similarity of 3-word shingles is at least THRESHOLD are
the same story. Band keys are stored per mention so candidates are found by index lookup.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

NUM_PERM = 64
BANDS, ROWS = 16, 4          # 16 bands of 4 rows: J=0.7 is a candidate ~99 % of the time
THRESHOLD = 0.6
MIN_WORDS = 12               # shorter texts ("Bra jobbat!") are never merged by content
_PRIME = np.uint64(4294967311)  # a prime just above 2**32
_rng = np.random.default_rng(20261127)
_A = _rng.integers(1, 2**32 - 1, NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, 2**32 - 1, NUM_PERM, dtype=np.uint64)
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = 3) -> set[str]:
    """Return the set of `size`-word shingles of a text (case-folded)."""
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def signature(text: str) -> np.ndarray | None:
    """Return the MinHash signature of a text, or None when it is too short to compare."""
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little")
         for s in shingles(text)), dtype=np.uint64)
    # (a*x + b) mod p for every permutation and shingle; fits in uint64 since a, x < 2**32.
    permuted = (np.outer(_A, hashes) + _B[:, None]) % _PRIME
    return permuted.min(axis=1)


def band_keys(sig: np.ndarray) -> list[int]:
    """Return one signed 63-bit key per LSH band of a signature."""
    keys = []
    for band in range(BANDS):
        chunk = sig[band * ROWS:(band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little") >> 1)
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Return the estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))
