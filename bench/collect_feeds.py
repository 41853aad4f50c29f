"""Benchmark: collect 20,000 feed items from a local server into SQLite.

Prints items/s of the whole collect (HTTP, parse, filter, store with per-source dedupe, one
transaction per feed) and its ratio to feedparser's bare parse of the same documents,
measured in the same run. Goal from issue #3: ratio <= 1.5. The near-duplicate story stage,
which runs after collection (before tagging), is timed and printed separately.

    python -m bench.collect_feeds [--items 20000] [--feeds 40]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import feedparser

from pulse import jobs
from pulse.settings import SourceConfig, load_settings
from store.db import make_engine, upgrade
from tests.httpserver import LocalServer

VOCABULARY = """
stad stockholm invånare hållbar uppkopplad e-tjänst fiber data öppen trafik skola vård
kostnad kritik förslag nämnd projekt sensor cykel buss energi klimat bostad plan dialog
startup forskning kista region kommun budget leverantör app säkerhet tillgänglig digital
smart innovation samarbete invigning rapport granskning beslut miljoner kronor vecka
månad år ny gammal stor liten bra dålig snabb långsam viktig
""".split()


def make_feed(feed: int, items: int) -> bytes:
    """Return an RSS document with `items` distinct items of about 60 words each."""
    start = datetime(2026, 9, 1, tzinfo=UTC)
    rng = random.Random(feed)
    parts = []
    for i in range(items):
        words = " ".join(rng.choice(VOCABULARY) for _ in range(60))
        parts.append(
            f"<item><title>Nyhet {feed}-{i}: {rng.choice(VOCABULARY)}</title>"
            f"<link>https://bench.example/{feed}/{i}?utm_source=rss</link>"
            f"<guid isPermaLink=\"false\">bench-{feed}-{i}</guid>"
            f"<pubDate>{format_datetime(start + timedelta(minutes=i))}</pubDate>"
            f"<description>&lt;p&gt;{words} ({feed}/{i})&lt;/p&gt;</description></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Bench {feed}</title>{''.join(parts)}</channel></rss>").encode()


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3, help="best of N, for noisy machines")
    args = parser.parse_args()
    per_feed = args.items // args.feeds
    docs = {f"/f{n}": make_feed(n, per_feed) for n in range(args.feeds)}

    bare_times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        parsed = sum(len(feedparser.parse(doc).entries) for doc in docs.values())
        bare_times.append(time.perf_counter() - started)

    server = LocalServer().start()
    for path, doc in docs.items():
        server.route(path, doc, headers={"Content-Type": "application/rss+xml"})
    base = load_settings()
    sources = [SourceConfig(key=f"bench{n}", kind="feed", url=server.url(f"/f{n}"),
                            max_items=per_feed) for n in range(args.feeds)]
    settings = dataclasses.replace(base, sources=sources)
    full_times, group_times = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
            upgrade(engine)
            started = time.perf_counter()
            outcomes = jobs.collect_all(engine, settings)
            full_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            grouped = jobs.group_stories(engine)
            group_times.append(time.perf_counter() - started)
            engine.dispose()
    server.stop()
    bare, full, group = min(bare_times), min(full_times), min(group_times)
    stored = sum(o.new_items for o in outcomes)
    errors = [o for o in outcomes if o.error_kind]
    print(f"items: {parsed} parsed, {stored} stored, {len(errors)} failed sources")
    print(f"best of {args.repeat} runs each")
    print(f"feedparser bare parse: {bare:.2f} s  ({parsed / bare:,.0f} items/s)")
    print(f"full collect (HTTP + parse + dedupe + SQLite): {full:.2f} s  "
          f"({stored / full:,.0f} items/s)")
    print(f"ratio full/bare: {full / bare:.2f}  (goal <= 1.5)")
    print(f"story grouping stage (runs before tagging, not in collect): {group:.2f} s for "
          f"{grouped} mentions ({grouped / group:,.0f}/s); collect + grouping / bare: "
          f"{(full + group) / bare:.2f}")


if __name__ == "__main__":
    main()
