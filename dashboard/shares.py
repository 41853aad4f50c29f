"""Shares on the dashboard as the reports show them (reports.shares): bias-corrected with a
90 % interval where the calibration measured the tag, else counted with the uncertainty of
small numbers and the words "ej korrigerad" / "uncorrected"; and their error bars."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import streamlit as st

from nlp.calibration import calibration_path
from reports.shares import Share, load_calibration, presence, sentiment
from store.quantify import Calibration

__all__ = ["Share", "calibration", "error_bars", "presence", "sentiment", "share_columns",
           "week_counts"]


@st.cache_resource
def _load(path: str, stamp: float | None) -> Calibration:
    return load_calibration(Path(path))


def calibration() -> Calibration:
    """The calibration the reports use, read again when its file changes (`pulse eval`)."""
    path = calibration_path()
    return _load(str(path), path.stat().st_mtime if path.is_file() else None)


def share_columns(share: Share, prefix: str) -> dict:
    """The columns a chart of shares needs for one value: the share and its interval ends
    (None without data)."""
    e = share.estimate
    return {prefix: e.value, f"{prefix}_low": e.low, f"{prefix}_high": e.high}


def error_bars(frame, y: str, x: str, colour: str | None = None, sort=None,
               fmt: str = "%") -> alt.Chart:
    """Horizontal error bars from `x`_low to `x`_high per `y` (frame from share_columns)."""
    enc = {"y": alt.Y(f"{y}:N", sort=sort, title=None, axis=alt.Axis(labelLimit=0)),
           "x": alt.X(f"{x}_low:Q", axis=alt.Axis(format=fmt), title=None),
           "x2": alt.X2(f"{x}_high:Q")}
    if colour:
        enc["color"] = alt.Color(f"{colour}:N", legend=None)
        enc["yOffset"] = alt.YOffset(f"{colour}:N")
    return alt.Chart(frame).mark_rule(color="#000000", strokeWidth=1.5).encode(**enc)


def week_counts(rows: list[dict], week, voice: str = "third_party") -> dict[str, int]:
    """Stories per sentiment label in one week, from store.queries.weekly_by_voice rows."""
    counts = {"positive": 0, "neutral": 0, "negative": 0}
    for r in rows:
        if r["week"] == week and r["voice"] == voice and r["sentiment"] in counts:
            counts[r["sentiment"]] += r["count"]
    return counts
