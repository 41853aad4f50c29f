"""Chart specs for the digest, the reports and (later) the dashboard, without Streamlit: the
dashboard's own Altair charts as plain builders, rendered to PNG through vl-convert (what
Altair itself uses for chart.save("x.png")).

The colours are the dashboard's (dashboard/charts.py): Okabe-Ito, one per sentiment.
"""

from __future__ import annotations

import io

import altair as alt
import pandas as pd

from reports.i18n import t
from store.figures import rolling_net, spikes, totals_by_bucket
from store.queries import SENTIMENTS

SENTIMENT_COLOURS = {"positive": "#009E73", "neutral": "#999999", "negative": "#D55E00"}
PALETTE = ["#0072B2", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#009E73", "#D55E00",
           "#000000"]
FONT = "DejaVu Sans"


def _sentiment_scale(lang: str) -> alt.Scale:
    return alt.Scale(domain=[t(s, lang) for s in SENTIMENTS],
                     range=[SENTIMENT_COLOURS[s] for s in SENTIMENTS])


def _style(chart, width: int, height: int):
    return (chart.properties(width=width, height=height)
            .configure(font=FONT).configure_view(strokeWidth=0)
            .configure_axis(labelFontSize=11, titleFontSize=11)
            .configure_legend(labelFontSize=11, titleFontSize=11))


def perception_chart(rows: list[dict], lang: str, width: int = 560, height: int = 220):
    """The overview's chart: third-party stories per bucket stacked by sentiment, the rolling
    net sentiment (dashed, right axis) and spikes marked ▲. `rows` are
    store.queries.volume_by_sentiment rows. Returns None without rows."""
    if not rows:
        return None
    date_col, count_col, sent_col = t("week", lang), t("count", lang), t("sentiment", lang)
    frame = pd.DataFrame([{date_col: r["bucket"].isoformat(), sent_col: t(r["sentiment"], lang),
                           count_col: r["count"]} for r in rows])
    buckets = totals_by_bucket(rows)
    net_col = t("rolling_net", lang)
    peaks = set(spikes(buckets))
    trend = pd.DataFrame([{date_col: b[0].isoformat(), net_col: n, "spike": b[0] in peaks,
                           count_col: b[1]}
                          for b, n in zip(buckets, rolling_net(buckets), strict=True)])
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X(f"{date_col}:O", title=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y(f"{count_col}:Q", stack="zero"),
        color=alt.Color(f"{sent_col}:N", scale=_sentiment_scale(lang),
                        legend=alt.Legend(orient="bottom", title=None)))
    line = alt.Chart(trend).mark_line(color="#000000", strokeDash=[4, 3]).encode(
        x=alt.X(f"{date_col}:O"), y=alt.Y(f"{net_col}:Q", axis=alt.Axis(format="+%"),
                                          scale=alt.Scale(domain=[-1, 1])))
    left = bars
    marked = trend[trend["spike"]]
    if len(marked):
        left = alt.layer(bars, alt.Chart(marked).mark_text(
            text="▲", dy=-8, fontSize=14, color="#CC79A7").encode(
            x=alt.X(f"{date_col}:O"), y=alt.Y(f"{count_col}:Q")))
    return _style(alt.layer(left, line).resolve_scale(y="independent"), width, height)


def series_chart(points: list[dict], lang: str, target: float | None = None,
                 percent: bool = True, width: int = 520, height: int = 160):
    """A measurement point week by week: [{"label", "value"}] as a line with points, the
    target as a dashed rule. None without any value."""
    frame = pd.DataFrame([{"x": p["label"], "y": p["value"]} for p in points
                          if p["value"] is not None])
    if frame.empty:
        return None
    axis = alt.Axis(format="%" if percent else "~s", title=None)
    line = alt.Chart(frame).mark_line(point=True, color=PALETTE[0]).encode(
        x=alt.X("x:O", title=None, sort=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("y:Q", axis=axis))
    if target is None:
        return _style(line, width, height)
    rule = alt.Chart(pd.DataFrame({"t": [target]})).mark_rule(
        color="#D55E00", strokeDash=[6, 4]).encode(y="t:Q")
    return _style(alt.layer(line, rule), width, height)


def window_chart(windows: list[dict], lang: str, width: int = 480, height: int = 180):
    """An activity's windows (before, during, after): stories per day stacked by sentiment.
    `windows` are [{"label", "days", "sentiment": {label: stories}}]."""
    per_day, sent_col = t("per_day", lang), t("sentiment", lang)
    frame = pd.DataFrame([{"window": w["label"], sent_col: t(s, lang),
                           per_day: w["sentiment"].get(s, 0) / max(w["days"], 1)}
                          for w in windows for s in SENTIMENTS])
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("window:N", title=None, sort=[w["label"] for w in windows],
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{per_day}:Q", stack="zero"),
        color=alt.Color(f"{sent_col}:N", scale=_sentiment_scale(lang),
                        legend=alt.Legend(orient="bottom", title=None)))
    return _style(chart, width, height)


def quarter_chart(quarters: list[dict], lang: str, width: int = 520, height: int = 200):
    """Third-party stories per quarter stacked by sentiment: [{"label", "sentiment"}]."""
    count_col, sent_col = t("count", lang), t("sentiment", lang)
    frame = pd.DataFrame([{"q": q["label"], sent_col: t(s, lang),
                           count_col: q["sentiment"].get(s, 0)}
                          for q in quarters for s in SENTIMENTS])
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("q:N", title=None, sort=[q["label"] for q in quarters],
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{count_col}:Q", stack="zero"),
        color=alt.Color(f"{sent_col}:N", scale=_sentiment_scale(lang),
                        legend=alt.Legend(orient="bottom", title=None)))
    return _style(chart, width, height)


def share_bars(rows: list[dict], lang: str, width: int = 480, height: int | None = None):
    """Horizontal bars of shares: [{"label", "value"}] (e.g. benchmark cities' share of
    voice, core-message resonance)."""
    frame = pd.DataFrame([{"label": r["label"], "value": r["value"] or 0} for r in rows])
    if frame.empty:
        return None
    chart = alt.Chart(frame).mark_bar(color=PALETTE[0]).encode(
        y=alt.Y("label:N", title=None, sort=None),
        x=alt.X("value:Q", title=None, axis=alt.Axis(format="%")))
    return _style(chart, width, height or 22 * len(rows) + 20)


def png(chart, scale: float = 2.0) -> bytes:
    """Render an Altair chart to PNG bytes (vl-convert, as Altair's chart.save does)."""
    buffer = io.BytesIO()
    chart.save(buffer, format="png", scale_factor=scale)
    return buffer.getvalue()
