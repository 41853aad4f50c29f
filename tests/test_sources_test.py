"""`pulse sources --test KEY`: which recent items a source's filter keeps and drops, fetched
now, with nothing stored and no database needed."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO, fixture_bytes, write_config


def pulse(*args, env):
    return subprocess.run([sys.executable, "-m", "pulse.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **env}, cwd=REPO, timeout=300)


def _config(tmp_path, server, filter_text):
    server.route("/rss", fixture_bytes("news_rss.xml"))
    sources = (f'[[source]]\nkey = "news"\nkind = "feed"\nurl = "{server.url("/rss")}"\n'
               f"filter = '{filter_text}'\n")
    return {"PULSE_CONFIG_DIR": str(write_config(tmp_path, sources)),
            "PULSE_DATABASE_URL": f"sqlite:///{tmp_path / 'never.sqlite'}"}


def test_shows_kept_and_dropped_items_and_stores_nothing(tmp_path, server):
    env = _config(tmp_path, server, "title:säkerhet* OR dataläcka")
    result = pulse("sources", "--test", "news", env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    kept = [line for line in lines if line.strip().startswith("keep")]
    dropped = [line for line in lines if line.strip().startswith("drop")]
    assert len(kept) == 1 and len(dropped) == 2
    assert "1 kept, 2 dropped of 3 recent items (nothing stored)" in result.stdout
    assert not (tmp_path / "never.sqlite").exists()


def test_another_filter_can_be_tried(tmp_path, server):
    env = _config(tmp_path, server, "nothing-matches-this")
    result = pulse("sources", "--test", "news", "--filter", "Stockholm OR staden", env=env)
    assert result.returncode == 0, result.stderr
    assert "dropped of 3" in result.stdout and " 0 dropped" not in result.stdout
    bad = pulse("sources", "--test", "news", "--filter", "(Stockholm", env=env)
    assert bad.returncode == 2 and "is not valid" in bad.stderr
    assert "Traceback" not in bad.stderr
    unknown = pulse("sources", "--test", "nope", env=env)
    assert unknown.returncode == 1 and "no source with key 'nope'" in unknown.stderr
