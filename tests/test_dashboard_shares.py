"""The dashboard's shares with error bars, as the reports show them (reports.shares):
bias-corrected with a 90 % interval where the calibration measured the tag, else counted and
said to be uncorrected. The calibration file is written by the test."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from reports.shares import presence, sentiment
from store.quantify import Calibration, Confusion
from store.quantify import presence as presence_confusion
from tests.counts import count_stories
from tests.test_dashboard import START, TODAY, _app, _page

LABELS = ("negative", "neutral", "positive")


def _calibration(tmp_path, monkeypatch) -> Calibration:
    cal = Calibration({
        "sentiment": Confusion(LABELS, ((40, 8, 2), (6, 30, 14), (1, 4, 45))),
        "message:together": presence_confusion([(True, True)] * 30 + [(True, False)] * 10
                                               + [(False, False)] * 50 + [(False, True)] * 5),
    }, "test")
    path = tmp_path / "calibration.json"
    cal.save(path)
    monkeypatch.setenv("PULSE_CALIBRATION", str(path))
    return Calibration.load(path)


def _week():
    monday = TODAY - timedelta(days=TODAY.weekday())
    week = monday if TODAY.weekday() == 6 else monday - timedelta(weeks=1)
    return week, week + timedelta(days=6)


def _counts(url, start, end, **kw):
    return {s: count_stories(url, start, end, sentiment=s, **kw) for s in LABELS}


def test_overview_shares_are_corrected_with_their_interval(demo_url, monkeypatch, tmp_path):
    cal = _calibration(tmp_path, monkeypatch)
    at = _app(demo_url, monkeypatch).run()
    metrics = {m.label: m.value for m in at.metric}
    want = sentiment(_counts(demo_url, *_week()), cal)
    assert metrics["Andel negativa"] == want["negative"].short()
    assert metrics["Nettoton"] == want["net"].short(signed=True)
    captions = [c.value for c in at.caption]
    assert want["negative"].text("sv") in captions and want["net"].text("sv", True) in captions
    assert any(re.fullmatch(r"\d+ % \(\d+–\d+ %\)", c) for c in captions)
    # A range with a negative end has spaced dashes: "-13 % (-24 – -2 %)".
    assert any(re.fullmatch(r"[+-]\d+ % \([+-]\d+(–| – )[+-]\d+ %\)", c) for c in captions)


def test_without_a_calibration_shares_say_they_are_uncorrected(demo_url, monkeypatch,
                                                               tmp_path):
    monkeypatch.setenv("PULSE_CALIBRATION", str(tmp_path / "absent.json"))
    at = _app(demo_url, monkeypatch).run()
    week, sunday = _week()
    negative = count_stories(demo_url, week, sunday, sentiment="negative")
    total = count_stories(demo_url, week, sunday)
    share = f"{negative / total * 100:.0f} %"
    assert {m.label: m.value for m in at.metric}["Andel negativa"] == share
    assert any(c.value.startswith(share + " (") and c.value.endswith(", ej korrigerad)")
               for c in at.caption)
    at.sidebar.radio(key="lang").set_value("English").run()
    assert any(c.value.startswith(share + " (") and c.value.endswith(", uncorrected)")
               for c in at.caption)


def test_keyword_and_group_shares_have_intervals_and_error_bars(demo_url, monkeypatch,
                                                                tmp_path):
    cal = _calibration(tmp_path, monkeypatch)
    at = _page(_app(demo_url, monkeypatch).run(), "keywords")
    resonance = next(df.value for df in at.dataframe if "Kärnbudskap" in df.value.columns
                     and "Andel (90 % intervall)" in df.value.columns)
    third = count_stories(demo_url, START, TODAY)
    together = count_stories(demo_url, START, TODAY, tags=(("message", "together"),))
    row = resonance[resonance["Kärnbudskap"].str.startswith("Tillsammans")].iloc[0]
    want = presence(together, third, cal, "message:together")
    assert row["Andel (90 % intervall)"] == want.text("sv") and "ej korrigerad" not in \
        row["Andel (90 % intervall)"]
    assert row["Andel"] == want.value != together / third  # corrected, not counted
    others = resonance[~resonance["Kärnbudskap"].str.startswith("Tillsammans")]
    assert all(v.endswith(", ej korrigerad)") for v in others["Andel (90 % intervall)"])
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    bars = [layer for spec in specs for layer in spec.get("layer", [])
            if layer.get("mark", {}).get("type") == "rule" and "x2" in layer.get("encoding", {})]
    assert len(bars) >= 2  # resonance and alignment carry error bars
    at = _page(at, "audiences")
    table = next(df.value for df in at.dataframe if "Beteendesignal" in df.value.columns)
    residents = table[table["Målgrupp"] == "Invånare och besökare"].iloc[0]
    counts = _counts(demo_url, START, TODAY, tags=(("audience", "residents"),))
    assert residents["Nettoton"] == sentiment(counts, cal)["net"].text("sv", signed=True)
    assert re.fullmatch(r"\d+ % \(\d+–\d+ %, ej korrigerad\)", residents["Andel"])
    assert any(s.value == "Nettoton per målgrupp" for s in at.subheader)
