"""Shared chart pieces: one colour per sentiment everywhere, a colour-blind-safe palette,
every chart paired with its table, and a sentence instead of an empty chart."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.i18n import t
from store.queries import SENTIMENTS

# Okabe-Ito: distinguishable with the common colour-vision deficiencies. Sentiment keeps the
# same three colours on every page; other categories take the rest of the palette in order.
SENTIMENT_COLOURS = {"positive": "#009E73", "neutral": "#999999", "negative": "#D55E00"}
PALETTE = ["#0072B2", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#009E73", "#D55E00",
           "#000000"]
OWN_COLOUR, THIRD_COLOUR = "#0072B2", "#E69F00"


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
                   sort=None) -> alt.Chart:
    """Bars stacked by sentiment; `frame` has columns x, y and the sentiment label column."""
    colour = alt.Color(f"{t('sentiment', lang)}:N", scale=sentiment_scale(lang),
                       legend=alt.Legend(orient="bottom"))
    if horizontal:
        return alt.Chart(frame).mark_bar().encode(
            y=alt.Y(f"{y}:N", sort=sort or "-x", title=None),
            x=alt.X(f"{x}:Q", stack="zero"), color=colour, tooltip=list(frame.columns))
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X(f"{x}:O", title=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y(f"{y}:Q", stack="zero"), color=colour, tooltip=list(frame.columns))


def complete(frame: pd.DataFrame, x: str, series: str, y: str) -> pd.DataFrame:
    """Return `frame` with a 0 row for every missing (x, series) pair."""
    if frame.empty:
        return frame
    wide = frame.pivot_table(index=x, columns=series, values=y, aggfunc="sum", fill_value=0)
    return wide.reset_index().melt(id_vars=x, var_name=series, value_name=y)


def tag_sentiment_chart(rows: list[dict], name: str, label, lang: str, key: str) -> None:
    """Draw store.queries.tag_counts rows as horizontal bars stacked by sentiment, with table;
    `label` turns a tag value into its display label, `name` heads the value column."""
    count_col = t("count", lang)
    frame = pd.DataFrame([{name: label(r["value"]), t("sentiment", lang): t(r["sentiment"], lang),
                           count_col: r["count"]} for r in rows])
    with_table(sentiment_bars(frame, count_col, name, lang, horizontal=True), frame, lang, key)


def tag_lines_chart(rows: list[dict], name: str, label, lang: str, key: str) -> None:
    """Draw store.queries.tag_volume rows as one line per tag value (sentiments summed), with
    table."""
    date_col, count_col = t("date", lang), t("count", lang)
    totals: dict[tuple, int] = {}
    for r in rows:
        point = (r["bucket"].isoformat(), label(r["value"]))
        totals[point] = totals.get(point, 0) + r["count"]
    frame = pd.DataFrame([{date_col: b, name: v, count_col: n} for (b, v), n in totals.items()])
    with_table(lines(frame, date_col, count_col, name, lang), frame, lang, key)


def lines(frame: pd.DataFrame, x: str, y: str, series: str, lang: str,
          y_format: str | None = None) -> alt.Chart:
    """One line per series over ordinal time buckets; a bucket without mentions is drawn as 0,
    not skipped."""
    values = list(dict.fromkeys(frame[series]))
    frame = complete(frame, x, series, y)
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X(f"{x}:O", title=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y(f"{y}:Q", axis=alt.Axis(format=y_format) if y_format else alt.Axis()),
        color=alt.Color(f"{series}:N", scale=category_scale(values),
                        legend=alt.Legend(orient="bottom", columns=4)),
        tooltip=list(frame.columns))
