"""Benchmark: near-duplicate detection, store/similarity.py against datasketch's MinHash LSH.

A corpus of articles is built from the sentences of the demo's sample items and the gold set:
each base article gets syndicated copies (an agency prefix, a boilerplate footer), edited
copies (words replaced or dropped), a cut-short copy, and "hard negatives" (other articles
sharing a third or half of its sentences). The truth is the exact Jaccard similarity of 3-word
shingles (store.similarity.shingles): at least THRESHOLD is a duplicate. Each method indexes
the articles one by one and asks, for each, which earlier articles are near-duplicates (LSH
candidates, then the estimated similarity ≥ THRESHOLD, as store.stories does).

Printed per method: signatures/s, index+query time, recall and precision over pairs, and the
ratio of its time to similarity.py's, all measured in the same run (best of `--repeat`).

    python -m bench.near_duplicates [--articles 600] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
import zlib
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from store import similarity

REPO = Path(__file__).resolve().parent.parent
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _sentences() -> list[str]:
    from pulse.demo.feeds import sample_items

    texts = [f"{i['text']}" for i in sample_items()]
    gold = (REPO / "tests" / "data" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    texts += [json.loads(line)["text"] for line in gold]
    found = {s.strip() for t in texts for s in _SENTENCE.split(t) if len(s.split()) >= 5}
    return sorted(found)


def build_corpus(articles: int, seed: int = 20261204) -> tuple[list[str], list[int]]:
    """Return texts and the family (base article) of each."""
    rng = random.Random(seed)
    pool = _sentences()
    words = sorted({w for s in pool for w in s.split()})
    texts, family = [], []

    def add(text: str, fam: int) -> None:
        texts.append(text)
        family.append(fam)

    for fam in range(articles):
        base = rng.sample(pool, rng.randint(6, 12))
        text = " ".join(base)
        add(text, fam)
        kind = fam % 4
        if kind == 0:
            add("TT: " + text + " Läs mer på vår webbplats. Prenumerera på nyhetsbrevet.", fam)
        if kind in (0, 1):
            tokens = text.split()
            for share in (0.05, 0.15, 0.3):
                edited = [rng.choice(words) if rng.random() < share else t for t in tokens]
                add(" ".join(edited), fam)
        if kind == 2:
            add(" ".join(base[: max(3, int(len(base) * 0.8))]), fam)
            tokens = text.split()
            add(" ".join(t for t in tokens if rng.random() > 0.1), fam)
        if kind == 3:
            for keep in (0.5, 0.33):
                shared = base[: max(2, int(len(base) * keep))]
                add(" ".join(shared + rng.sample(pool, len(base) - len(shared))), fam)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [family[i] for i in order]


def truth(texts: list[str], family: list[int]) -> set[tuple[int, int]]:
    """Return the pairs (i < j) of one family whose exact shingle Jaccard ≥ THRESHOLD."""
    sets = [similarity.shingles(t) for t in texts]
    by_family = defaultdict(list)
    for i, fam in enumerate(family):
        by_family[fam].append(i)
    pairs = set()
    for members in by_family.values():
        for i, j in combinations(sorted(members), 2):
            a, b = sets[i], sets[j]
            if len(similarity._WORD.findall(texts[i])) < similarity.MIN_WORDS or \
                    len(similarity._WORD.findall(texts[j])) < similarity.MIN_WORDS:
                continue
            if len(a & b) / len(a | b) >= similarity.THRESHOLD:
                pairs.add((i, j))
    return pairs


def exact_jaccard(texts: list[str], i: int, j: int) -> float:
    """Return the exact 3-shingle Jaccard similarity of two texts."""
    a, b = similarity.shingles(texts[i]), similarity.shingles(texts[j])
    return len(a & b) / len(a | b) if a | b else 0.0


def run_similarity_py(texts: list[str]) -> tuple[set[tuple[int, int]], float, float]:
    """Index and query with store.similarity; return pairs, signature seconds, total seconds."""
    started = time.perf_counter()
    sigs = [similarity.signature(t) for t in texts]
    sig_time = time.perf_counter() - started
    buckets: dict[int, list[int]] = defaultdict(list)
    found = set()
    for i, sig in enumerate(sigs):
        if sig is None:
            continue
        keys = similarity.band_keys(sig)
        candidates = {c for k in keys for c in buckets[k]}
        for c in candidates:
            if similarity.similarity(sig, sigs[c]) >= similarity.THRESHOLD:
                found.add((c, i))
        for k in keys:
            buckets[k].append(i)
    return found, sig_time, time.perf_counter() - started


def run_datasketch(texts: list[str], num_perm: int, hashfunc=None
                   ) -> tuple[set[tuple[int, int]], float, float]:
    """Index and query with datasketch MinHash + MinHashLSH on the same shingles."""
    from datasketch import MinHash, MinHashLSH

    started = time.perf_counter()
    kwargs = {"hashfunc": hashfunc} if hashfunc else {}
    sigs = []
    for text in texts:
        if len(similarity._WORD.findall(text.casefold())) < similarity.MIN_WORDS:
            sigs.append(None)
            continue
        m = MinHash(num_perm=num_perm, **kwargs)
        m.update_batch([s.encode("utf-8") for s in similarity.shingles(text)])
        sigs.append(m)
    sig_time = time.perf_counter() - started
    lsh = MinHashLSH(threshold=similarity.THRESHOLD, num_perm=num_perm)
    found = set()
    for i, m in enumerate(sigs):
        if m is None:
            continue
        for c in lsh.query(m):
            if m.jaccard(sigs[c]) >= similarity.THRESHOLD:
                found.add((c, i))
        lsh.insert(i, m)
    return found, sig_time, time.perf_counter() - started


def _crc32(data: bytes) -> int:
    return zlib.crc32(data)


def main() -> None:
    """Build the corpus, run every method, print the table (see the module text)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts, family = build_corpus(args.articles)
    true_pairs = truth(texts, family)
    print(f"{len(texts)} texts from {args.articles} articles; {len(true_pairs)} true "
          f"near-duplicate pairs (exact 3-shingle Jaccard ≥ {similarity.THRESHOLD})")
    methods = {
        f"store/similarity.py ({similarity.NUM_PERM} perm, {similarity.BANDS}x"
        f"{similarity.ROWS} bands)": lambda: run_similarity_py(texts),
        f"datasketch {similarity.NUM_PERM} perm, sha1": lambda: run_datasketch(
            texts, similarity.NUM_PERM),
        f"datasketch {similarity.NUM_PERM} perm, crc32": lambda: run_datasketch(
            texts, similarity.NUM_PERM, _crc32),
        "datasketch 128 perm, sha1 (its default)": lambda: run_datasketch(texts, 128),
    }
    results = {}
    for name, method in methods.items():
        best = None
        for _ in range(args.repeat):
            found, sig_time, total = method()
            if best is None or total < best[2]:
                best = (found, sig_time, total)
        results[name] = best
    baseline = next(iter(results.values()))[2]
    width = max(len(n) for n in results)
    print(f"{'method':<{width}}  sigs/s   total s  ×base  recall  precision  "
          "false+ (exact J)")
    for name, (found, sig_time, total) in results.items():
        hits = found & true_pairs
        recall = len(hits) / max(len(true_pairs), 1)
        precision = len(hits) / max(len(found), 1)
        false = sorted(found - true_pairs)
        worst = max((exact_jaccard(texts, i, j) for i, j in false), default=0.0)
        print(f"{name:<{width}}  {len(texts) / sig_time:>6.0f}  {total:>8.3f}  "
              f"{total / baseline:>5.2f}  {recall:>6.1%}  {precision:>9.1%}  "
              f"{len(false)} (max {worst:.2f})")


if __name__ == "__main__":
    main()
