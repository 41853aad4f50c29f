"""After `pulse demo`, everyday commands work on the demo's data: the demo prints the one line
that points the command line at its database and config, and `pulse sources` and `pulse
export` then read them (from any folder). Tagging reports progress per chunk."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys

from sqlalchemy import func, select

from nlp.tagger import Tagger
from pulse import jobs
from pulse.privacy import DEMO_KEY
from store.db import make_engine, transaction
from store.models import Mention, Source


def _pulse(args, cwd, env):
    return subprocess.run([sys.executable, "-m", "pulse.cli", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=600)


def test_sources_and_export_work_after_the_demo(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PULSE_DATABASE_URL", "PULSE_CONFIG_DIR", "PULSE_DEMO",
                        "PULSE_PSEUDONYM_KEY")}
    env["COLUMNS"] = "250"
    work = tmp_path / "work"
    work.mkdir()
    demo = _pulse(["demo", "--no-dashboard"], work, env)
    assert demo.returncode == 0, demo.stderr
    said = demo.stderr + demo.stdout  # the console speaks on stderr
    line = next(x.strip() for x in said.splitlines() if x.strip().startswith("export "))
    pointed = dict(re.findall(r"(PULSE_\w+)=(\S+)", line))
    # Without a key of the user's, the demo uses its public one (sample data) and says it.
    assert set(pointed) == {"PULSE_DATABASE_URL", "PULSE_CONFIG_DIR", "PULSE_PSEUDONYM_KEY"}
    assert pointed["PULSE_PSEUDONYM_KEY"] == DEMO_KEY
    assert "pulse sources" in said and "pulse export" in said
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**env, **pointed}
    listed = _pulse(["sources"], elsewhere, env)
    assert listed.returncode == 0, listed.stderr
    engine = make_engine(pointed["PULSE_DATABASE_URL"])
    with transaction(engine) as session:
        keys = session.scalars(select(Source.key)).all()
        tagged = session.scalar(select(func.count(Mention.id))
                                .where(Mention.tagger_version.is_not(None)))
    engine.dispose()
    assert keys and all(k.startswith("demo-") for k in keys)
    assert all(k in listed.stdout + listed.stderr for k in keys), listed.stdout
    exported = _pulse(["export", "--format", "csv"], elsewhere, env)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout.lstrip("\ufeff"))))
    assert len(rows) == tagged > 0
    assert {r["source"] for r in rows} <= set(keys)
    # A commenter's access request works on the demo with the printed key.
    asked = _pulse(["export", "--format", "jsonl", "--author", "Gunnar Holm"], elsewhere, env)
    assert asked.returncode == 0, asked.stderr
    assert len(asked.stdout.splitlines()) == 1 and '"anon:' in asked.stdout


def test_tagging_reports_progress_per_chunk(demo_url, base_settings):
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        total = session.scalar(select(func.count(Mention.id)))
    tagger = Tagger(base_settings.strategy)
    steps: list[int] = []
    assert jobs.retag(engine, base_settings, tagger, on_batch=steps.append) == total
    assert sum(steps) == total
    assert len(steps) >= 2 and max(steps) <= tagger.batch_size
