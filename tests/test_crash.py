"""Crash safety: `pulse collect` killed with SIGKILL at many points loses and duplicates nothing.

Every feed answers with an ETag. If a run stored the new ETag without the items (or the items
without the ETag), a kill between the two would lose items for good (the next run gets 304)
or fetch them twice. Items and cursor are committed together, so after the kills and one
clean run every item is stored exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from sqlalchemy import func, select

from store.db import make_engine, transaction, upgrade
from store.models import Mention, Source
from tests.conftest import feed_source_toml, write_config

FEEDS, ITEMS = 6, 250


def _feed(n: int) -> bytes:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    items = "".join(
        f"<item><title>Nyhet {n}-{i} om hållbar stad</title>"
        f"<link>https://crash.example/{n}/{i}</link><guid>feed{n}-item{i}</guid>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=i))}</pubDate>"
        f"<description>Text {i} i flöde {n}: {'uppkopplade tjänster ' * 20}</description></item>"
        for i in range(ITEMS))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Feed {n}</title>{items}</channel></rss>").encode()


def test_sigkill_mid_run_loses_and_duplicates_nothing(db_url, server, tmp_path):
    for n in range(FEEDS):
        server.route(f"/f{n}", _feed(n), etag=f'"feed{n}"', delay=0.15)
    config = write_config(tmp_path, "".join(feed_source_toml(f"f{n}", server.url(f"/f{n}"))
                                            for n in range(FEEDS)))
    engine = make_engine(db_url)
    upgrade(engine)
    env = {**os.environ, "PULSE_CONFIG_DIR": str(config), "PULSE_DATABASE_URL": db_url}
    cmd = [sys.executable, "-m", "pulse.cli", "collect"]
    rng = random.Random(20261127)
    kills = 0
    for _ in range(6):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.8, 3.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
    assert kills >= 3, "the runs finished before they could be killed; make them slower"
    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    with transaction(engine) as session:
        total = session.scalar(select(func.count(Mention.id)))
        per_source = dict(session.execute(
            select(Source.key, func.count(Mention.id)).join(Mention).group_by(Source.key)).all())
        distinct = session.scalar(select(func.count(func.distinct(Mention.external_id))))
    engine.dispose()
    assert per_source == {f"f{n}": ITEMS for n in range(FEEDS)}
    assert total == distinct == FEEDS * ITEMS
