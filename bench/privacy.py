"""What privacy costs: the pseudonymising step of collecting, against the normalising step it
follows (both per item, the same items, in the same run), and retention and erasure on a
SQLite database of N synthetic mentions (written for this benchmark; no real person).

    python -m bench.privacy [--n 100000]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def _items(n: int, now: datetime) -> list:
    from store.items import Item

    rnd = random.Random(7)
    items = []
    for i in range(n):
        handle = f"invanare_{rnd.randrange(n // 4 + 1)}"
        items.append(Item(
            external_id=str(i), kind="post", published_at=now - timedelta(hours=i % 4000),
            text=f"Smart stad i Stockholm? Bussen {i} kom inte, skriver {handle} igen.",
            url=f"https://x.com/{handle}/status/{i}", author_handle=handle,
            author_name=f"Namn Efternamn {i % 997}", author_followers=rnd.randrange(5000),
            raw={"user": {"username": handle, "name": f"Namn Efternamn {i % 997}",
                          "profile_image_url": "https://pbs.example/a.jpg"}, "id": str(i)}))
    return items


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> None:
    """Time the privacy step, then retention, erasure and compaction at N mentions."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    n = parser.parse_args().n

    from collectors.normalise import clean_items
    from store.db import make_engine, transaction, upgrade
    from store.erasure import compact, erase_author
    from store.models import Source
    from store.privacy import AuthorPolicy, Pseudonymiser, protect
    from store.retention import run_retention
    from store.writes import save_items

    now = datetime.now(UTC)
    items = _items(n, now)
    keyed = Pseudonymiser(b"bench-key-not-a-secret-0123456789")
    base, (cleaned, _) = _timed(lambda: clean_items(items, now))
    cost, protected = _timed(lambda: protect(cleaned, AuthorPolicy(), keyed))
    print(f"items: {n:,}")
    print(f"normalise (baseline):  {n / base:10,.0f} items/s")
    print(f"privacy step:          {n / cost:10,.0f} items/s   "
          f"({cost / base:.2f} × the normalise step's time)")

    folder = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{folder / 'bench.sqlite'}")
    upgrade(engine)
    with transaction(engine) as session:
        source = Source(key="bench", kind="x_search", voice="third_party", settings={})
        session.add(source)
        session.flush()
        for start in range(0, n, 5000):
            save_items(session, source, protected[start:start + 5000])
    size = (folder / "bench.sqlite").stat().st_size / 1e6
    print(f"database: {size:,.0f} MB")

    with transaction(engine) as session:
        took, report = _timed(lambda: erase_author(session, items[0].author_handle, keyed))
    packed, _ = _timed(lambda: compact(engine))
    print(f"erase one author:      {took:8.2f} s  ({report.removed.get('mentions', 0)} "
          f"mentions, {report.removed.get('tags', 0)} tags)")
    print(f"compact after erasure: {packed:8.2f} s  (search-index merge and WAL checkpoint)")
    with transaction(engine) as session:
        dry, found = _timed(lambda: run_retention(session, 90, dry_run=True))
    with transaction(engine) as session:
        wet, done = _timed(lambda: run_retention(session, 90))
    print(f"retention dry run:     {dry:8.2f} s  ({found.mentions:,} mentions due)")
    print(f"retention:             {wet:8.2f} s  ({done.mentions:,} mentions redacted, "
          f"{done.authors:,} authors removed, "
          f"{done.mentions / max(wet, 1e-9):,.0f} mentions/s)")

if __name__ == "__main__":
    main()
