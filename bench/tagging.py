"""Benchmark: full tagging of ~50-word mentions, batched through nlp.pipe-style batches.

Prints mentions/s of the whole tagger (language, words, the rule matchers, the lexicon, the
shared features and every learned tagger: sentiment, intent, target groups, topics, messages,
keywords; voice, cities) and of spaCy's bare tokenizer + lookup lemmatizer on the same texts in
the same run, their ratio, and the process's peak RSS. It runs on one core (the BLAS thread
pools are limited to one thread before numpy loads). Goal (issue #10): >= 1,000 mentions/s
for the whole tagger on one core.

    python -m bench.tagging                      # recombined sample sentences (sv + en)
    python -m bench.tagging --data a.csv b.csv   # texts from labelled CSVs (column `text`)
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core, before numpy is imported

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from importlib import resources  # noqa: E402
from pathlib import Path  # noqa: E402


def sample_texts(n: int, words: int = 50, seed: int = 7) -> list[str]:
    """Return n texts of about `words` words made of sentences of the bundled sample data."""
    items = []
    for name in ("items_sv.json", "items_en.json"):
        items += json.loads((resources.files("pulse.demo") / "data" / name).read_text("utf-8"))
    by_lang: dict[str, list[str]] = {"sv": [], "en": []}
    for item in items:
        lang = "sv" if item["id"].startswith("sv") else "en"
        by_lang[lang] += [s for s in re.split(r"(?<=[.!?])\s+", item["text"]) if s]
    rng = random.Random(seed)
    texts = []
    for i in range(n):
        pool = by_lang["sv" if i % 3 else "en"]  # two Swedish for each English, as in practice
        parts: list[str] = []
        while sum(len(p.split()) for p in parts) < words:
            parts.append(rng.choice(pool))
        texts.append(" ".join(parts))
    return texts


def csv_texts(paths: list[Path], n: int) -> list[str]:
    """Return up to n texts from the `text` column of CSV files, interleaved."""
    columns = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as fh:
            columns.append([r["text"] for r in csv.DictReader(fh)])
    texts = [t for group in zip(*columns, strict=False) for t in group]
    return texts[:n]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=6000)
    parser.add_argument("--data", type=Path, nargs="*")
    args = parser.parse_args()
    texts = csv_texts(args.data, args.n) if args.data else sample_texts(args.n)
    avg_words = sum(len(t.split()) for t in texts) / len(texts)

    from nlp.lemmas import pipeline
    from nlp.tagger import Tagger
    from pulse.settings import load_settings

    tagger = Tagger(load_settings().strategy)
    tagger.tag([{"text": t} for t in texts[:200]])  # load models, tables and detectors
    for lang in ("sv", "en"):
        list(pipeline(lang).pipe(texts[:50]))

    started = time.perf_counter()
    for lang in ("sv", "en"):  # the baseline gets every text through each language's pipeline
        list(pipeline(lang).pipe(texts[: len(texts) // 2] if lang == "sv"
                                 else texts[len(texts) // 2:], batch_size=500))
    bare = time.perf_counter() - started

    started = time.perf_counter()
    results = tagger.tag([{"text": t} for t in texts])
    full = time.perf_counter() - started
    started = time.perf_counter()
    tagger.tag([{"text": t} for t in texts])  # again: word forms and n-grams now cached
    warm = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    source = "CSV: " + ", ".join(p.name for p in args.data) if args.data else "sample sentences"
    print(f"{len(texts)} mentions, {avg_words:.0f} words on average ({source})")
    print(f"spaCy tokenizer + lookup lemmatizer: {bare:.2f} s  ({len(texts) / bare:,.0f}/s)")
    print(f"full tagging ({tagger.version}): {full:.2f} s  ({len(results) / full:,.0f}/s; "
          "goal >= 1,000/s on one core)")
    print(f"the same texts again (a long-running tagger's caches warm): {warm:.2f} s  "
          f"({len(texts) / warm:,.0f}/s)")
    print(f"ratio full/bare: {full / bare:.2f}")
    print(f"peak RSS: {rss:,.0f} MB")


if __name__ == "__main__":
    main()
