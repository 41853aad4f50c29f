"""`pulse run`: per-source jobs that never overlap, failures isolated, clean stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from pulse.scheduler import build_scheduler
from store.db import transaction
from store.models import FetchState, Mention, Source
from tests.conftest import feed_source_toml, fixture_bytes, make_settings, write_config


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_jobs_run_isolated_and_never_overlap(engine, server, base_settings):
    server.route("/rss", fixture_bytes("news_rss.xml"))
    server.route("/broken", fixture_bytes("broken.xml"))
    settings = make_settings(base_settings, [
        {"key": "broken", "kind": "feed", "url": server.url("/broken")},
        {"key": "news", "kind": "feed", "url": server.url("/rss"), "interval": "5m"},
    ])
    from pulse.jobs import sync_config_sources

    sync_config_sources(engine, settings)
    scheduler = build_scheduler(engine, settings)
    jobs = {j.id: j for j in scheduler.get_jobs()}
    assert set(jobs) == {"collect:broken", "collect:news", "tag", "digest", "alerts",
                         "retention"}
    assert jobs["alerts"].trigger.interval.total_seconds() == 900
    retention = str(jobs["retention"].trigger)  # nightly at [privacy] retention_time, local
    assert "hour='3'" in retention and "minute='30'" in retention
    assert str(jobs["retention"].trigger.timezone) == "Europe/Stockholm"
    assert jobs["collect:news"].trigger.interval.total_seconds() == 300
    scheduler.start()
    try:
        assert all(j.max_instances == 1 and j.coalesce for j in scheduler.get_jobs())
        def tagged():
            with transaction(engine) as s:
                return s.scalar(select(func.count(Mention.id))
                                .where(Mention.tagger_version.is_not(None))) == 3
        assert _wait_for(tagged)
    finally:
        scheduler.shutdown(wait=True)
    with transaction(engine) as s:
        broken = s.scalars(select(FetchState).join(Source).where(Source.key == "broken")).one()
        assert broken.last_error_kind == "malformed"


def test_pulse_run_stops_cleanly_on_ctrl_c(tmp_path, server):
    server.route("/rss", fixture_bytes("news_rss.xml"))
    config = write_config(tmp_path, feed_source_toml("news", server.url("/rss")))
    env = {**os.environ, "PULSE_CONFIG_DIR": str(config),
           "PULSE_DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite'}"}
    subprocess.run([sys.executable, "-m", "pulse.cli", "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "pulse.cli", "-v", "run"], env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: any(p == "/rss" for p, _ in server.requests), 60)
        time.sleep(1)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err
