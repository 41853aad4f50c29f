"""Shared chart pieces: one colour per sentiment everywhere (and only for sentiment), a
colour-blind-safe palette, every time bucket of the period on the axis (an empty one as 0),
whole-number count axes, labels never cut off, every chart paired with its table, and a
sentence instead of an empty chart."""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.i18n import t
from store.queries import SENTIMENTS

# Okabe-Ito: distinguishable with the common colour-vision deficiencies. Sentiment keeps the
# same three colours on every page; other categories take the rest of the palette in order,
# never a sentiment colour (a green keyword line would read as "positive").
SENTIMENT_COLOURS = {"positive": "#009E73", "neutral": "#999999", "negative": "#D55E00"}
PALETTE = ["#0072B2", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
OWN_COLOUR, THIRD_COLOUR = "#0072B2", "#E69F00"
HEAT_SCHEME = "blues"  # one sequential scale for every cell of a heatmap
ROW_HEIGHT = 24
# Streamlit fits a chart's axes and legend inside its height: room for them besides the rows.
AXIS_ROOM = {"bars": 150, "heat": 190}


def count_axis(**kwargs) -> alt.Axis:
    """An axis of counts: whole numbers only (no 0.5 mentions)."""
    return alt.Axis(format="d", tickMinStep=1, **kwargs)


def label_axis(**kwargs) -> alt.Axis:
    """An axis of names (keywords, messages, groups): labels never cut off."""
    return alt.Axis(labelLimit=0, title=None, **kwargs)


def legend(**kwargs) -> alt.Legend:
    """A legend under the chart whose labels are never cut off."""
    return alt.Legend(orient="bottom", labelLimit=0, **kwargs)


def all_buckets(start: date | None, end: date | None, granularity: str) -> list[str]:
    """Every time bucket from `start` to `end` as ISO dates (days, or the Mondays of ISO
    weeks), so a chart's axis is evenly spaced and an empty bucket shows as 0."""
    if not start or not end or end < start:
        return []
    if granularity == "day":
        return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    first = start - timedelta(days=start.weekday())
    weeks = ((end - timedelta(days=end.weekday())) - first).days // 7 + 1
    return [(first + timedelta(weeks=i)).isoformat() for i in range(weeks)]


def bucket_axis(domain: list[str] | None) -> dict:
    """The x encoding's arguments for ordinal time buckets: every bucket of `domain` in order."""
    scale = alt.Scale(domain=domain) if domain else alt.Undefined
    return {"title": None, "axis": alt.Axis(labelAngle=-45), "scale": scale,
            "sort": domain or "ascending"}


def sentiment_scale(lang: str) -> alt.Scale:
    """The sentiment colour scale, with labels in `lang`."""
    return alt.Scale(domain=[t(s, lang) for s in SENTIMENTS],
                     range=[SENTIMENT_COLOURS[s] for s in SENTIMENTS])


def category_scale(values: list[str]) -> alt.Scale:
    """A stable colour per category value (cycled through the Okabe-Ito palette)."""
    return alt.Scale(domain=values, range=[PALETTE[i % len(PALETTE)] for i in range(len(values))])


def empty(lang: str, key: str = "empty") -> None:
    """Say in words that nothing matches (never a blank chart)."""
    st.info(t(key, lang))


def with_table(chart: alt.Chart, frame: pd.DataFrame, lang: str, key: str) -> None:
    """Draw the chart and, under it, the same figures as a table."""
    st.altair_chart(chart, width="stretch")
    with st.expander(t("show_table", lang)):
        st.dataframe(frame, hide_index=True, width="stretch", key=f"table-{key}")


def sentiment_bars(frame: pd.DataFrame, x: str, y: str, lang: str, horizontal: bool = False,
                   sort=None, buckets: list[str] | None = None) -> alt.Chart:
    """Bars stacked by sentiment; `frame` has columns x, y and the sentiment label column.
    Vertical bars are over time buckets: every one of `buckets` gets its place."""
    colour = alt.Color(f"{t('sentiment', lang)}:N", scale=sentiment_scale(lang),
                       legend=legend())
    if horizontal:
        return alt.Chart(frame).mark_bar().encode(
            y=alt.Y(f"{y}:N", sort=sort or "-x", axis=label_axis()),
            x=alt.X(f"{x}:Q", stack="zero", axis=count_axis()), color=colour,
            tooltip=list(frame.columns)).properties(
            height=ROW_HEIGHT * frame[y].nunique() + AXIS_ROOM["bars"])
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X(f"{x}:O", **bucket_axis(buckets)),
        y=alt.Y(f"{y}:Q", stack="zero", axis=count_axis()), color=colour,
        tooltip=list(frame.columns))


def complete(frame: pd.DataFrame, x: str, series: str, y: str,
             buckets: list[str] | None = None) -> pd.DataFrame:
    """Return `frame` with a 0 row for every missing (x, series) pair, x over `buckets` too."""
    if frame.empty:
        return frame
    wide = frame.pivot_table(index=x, columns=series, values=y, aggfunc="sum", fill_value=0)
    if buckets:
        wide = wide.reindex(sorted(set(buckets) | set(wide.index)), fill_value=0)
        wide.index.name = x
    return wide.reset_index().melt(id_vars=x, var_name=series, value_name=y)


def tag_sentiment_chart(rows: list[dict], name: str, label, lang: str, key: str) -> None:
    """Draw store.queries.tag_counts rows as horizontal bars stacked by sentiment, with table;
    `label` turns a tag value into its display label, `name` heads the value column."""
    count_col = t("count", lang)
    frame = pd.DataFrame([{name: label(r["value"]), t("sentiment", lang): t(r["sentiment"], lang),
                           count_col: r["count"]} for r in rows])
    with_table(sentiment_bars(frame, count_col, name, lang, horizontal=True), frame, lang, key)


def tag_heatmap(rows: list[dict], name: str, label, lang: str, key: str,
                buckets: list[str] | None = None) -> None:
    """Draw store.queries.tag_volume rows as a heatmap: one row per tag value (most mentioned
    first), one column per time bucket (every bucket of the period, empty ones 0), one colour
    scale for all cells (sentiments summed), with table."""
    date_col, count_col = t("date", lang), t("count", lang)
    totals: dict[tuple, int] = {}
    for r in rows:
        point = (r["bucket"].isoformat(), label(r["value"]))
        totals[point] = totals.get(point, 0) + r["count"]
    frame = pd.DataFrame([{date_col: b, name: v, count_col: n} for (b, v), n in totals.items()])
    frame = complete(frame, date_col, name, count_col, buckets)
    order = list(frame.groupby(name)[count_col].sum().sort_values(ascending=False).index)
    chart = alt.Chart(frame).mark_rect().encode(
        x=alt.X(f"{date_col}:O", **bucket_axis(buckets or sorted(set(frame[date_col])))),
        y=alt.Y(f"{name}:N", sort=order, axis=label_axis()),
        color=alt.Color(f"{count_col}:Q", scale=alt.Scale(scheme=HEAT_SCHEME, domainMin=0),
                        legend=legend(format="d", tickMinStep=1)),
        tooltip=[date_col, name, count_col]).properties(
        height=ROW_HEIGHT * len(order) + AXIS_ROOM["heat"])
    table = frame.pivot_table(index=name, columns=date_col, values=count_col,
                              aggfunc="sum", fill_value=0).reindex(order).reset_index()
    with_table(chart, table, lang, key)


def lines(frame: pd.DataFrame, x: str, y: str, series: str, lang: str,
          y_format: str | None = None, buckets: list[str] | None = None) -> alt.Chart:
    """One line per series over ordinal time buckets (every one of `buckets`); a bucket without
    mentions is drawn as 0, not skipped. Without `y_format`, y is a count."""
    values = list(dict.fromkeys(frame[series]))
    frame = complete(frame, x, series, y, buckets)
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X(f"{x}:O", **bucket_axis(buckets or sorted(set(frame[x])))),
        y=alt.Y(f"{y}:Q", axis=alt.Axis(format=y_format) if y_format else count_axis()),
        color=alt.Color(f"{series}:N", scale=category_scale(values),
                        legend=legend(columns=2)),
        tooltip=list(frame.columns))
