"""Emerging topics read as words: named by their most distinctive terms (never an id, never
words that carry no subject), and `pulse topics` shows the dashboard's topics and growth."""

from __future__ import annotations

import os
import subprocess
import sys

from streamlit.testing.v1 import AppTest

from pulse.topics import GENERIC_WORDS, topic_name
from tests.conftest import REPO


def test_a_name_is_the_heaviest_distinctive_terms():
    terms = ["stockholm", "förskoleansökan", "bra", "dataläcka", "förskoleansökan stängs",
             "personuppgifter", "imy"]
    assert topic_name(terms, shared=frozenset({"stockholm"})) == \
        "förskoleansökan, dataläcka, personuppgifter"
    # Shared single words give way only while two other terms remain.
    assert topic_name(["stockholm", "city", "tack"], shared=frozenset({"stockholm"})) == \
        "stockholm, city"
    assert topic_name(["väldigt", "gärna", "tack", "bra"]) == ""


def test_dashboard_and_cli_show_the_same_topics_by_name(demo_url, monkeypatch):
    monkeypatch.setenv("PULSE_DATABASE_URL", demo_url)
    monkeypatch.delenv("PULSE_DEMO", raising=False)
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120).run()
    at.switch_page("views/topics.py").run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "Ord" in df.value.columns)
    assert len(table) >= 3
    names = list(table["Ämne"])
    for name in names:
        assert name and not name.startswith("e-"), name
        words = {w for term in name.split(", ") for w in term.split(" ")}
        assert not words & GENERIC_WORDS, name
        assert 2 <= len(name.split(", ")) <= 3, name
    assert len(set(names)) == len(names)
    out = subprocess.run([sys.executable, "-m", "pulse.cli", "topics", "--weeks", "1"],
                         capture_output=True, text=True, cwd=REPO, timeout=300,
                         env={**os.environ, "PULSE_DATABASE_URL": demo_url})
    assert out.returncode == 0, out.stderr
    lines = [line.strip() for line in out.stdout.splitlines() if line.startswith("  ")]
    assert len(lines) == len(table)
    for line, (_, row) in zip(lines, table.iterrows(), strict=True):
        growth = row["Tillväxt"].replace("ny", "new")
        assert line.startswith(row["Ämne"]), (line, row["Ämne"])
        assert f" {row['Andel']}  " in line and f" {growth}  " in line, (line, growth)
        assert line.endswith(row["Ord"])
