"""Topics: the taxonomy's topics over time with sentiment, and topics emerging in the texts."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.charts import (
    AXIS_ROOM,
    HEAT_SCHEME,
    ROW_HEIGHT,
    bucket_axis,
    empty,
    label_axis,
    legend,
    tag_heatmap,
    tag_sentiment_chart,
    with_table,
)
from dashboard.context import Context, current
from dashboard.data import load, load_emerging
from dashboard.i18n import t
from pulse.topics import EMERGING_TEXTS_PER_WEEK, growth_text, topic_names


def _taxonomy(ctx: Context, data: dict) -> None:
    lang = ctx.lang
    name = t("topic", lang)
    left, right = st.columns(2)
    with left:
        st.subheader(t("topics_over_time", lang))
        tag_heatmap(data["volume"], name, lambda v: ctx.label("topic", v), lang,
                    "topics-time", ctx.buckets())
    with right:
        st.subheader(t("topic_sentiment", lang))
        tag_sentiment_chart(data["counts"], name, lambda v: ctx.label("topic", v), lang,
                            "topics-sentiment")


def _emerging(ctx: Context) -> None:
    lang = ctx.lang
    st.subheader(t("emerging", lang))
    st.caption(t("emerging_help", lang, n=EMERGING_TEXTS_PER_WEEK))
    found = load_emerging(ctx.url, ctx.filters)
    if not found:
        st.info(t("too_few_emerging", lang))
        return
    name, share, week_col = t("topic", lang), t("share", lang), t("week_col", lang)
    names = topic_names([e["topic"] for e in found])
    rows = []
    for entry, topic_label in zip(found, names, strict=True):
        topic, sentiment = entry["topic"], entry["sentiment"]
        rows.append({name: topic_label, t("terms", lang): ", ".join(topic.terms),
                     share: f"{topic.weight:.0%}",
                     t("growth", lang): growth_text(topic.growth, t("new", lang)),
                     **{t(s, lang): n for s, n in sentiment.items()}})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="table-emerging")
    shares = pd.DataFrame([{week_col: week.isoformat(), name: topic_label, share: value}
                           for topic, topic_label in zip((e["topic"] for e in found), names,
                                                         strict=True)
                           for week, value in sorted(topic.shares.items())])
    if len(shares):
        # One colour scale for every topic and week (eight lines would reuse colours).
        order = names
        chart = alt.Chart(shares).mark_rect().encode(
            x=alt.X(f"{week_col}:O", **bucket_axis(sorted(set(shares[week_col])))),
            y=alt.Y(f"{name}:N", sort=order, axis=label_axis()),
            color=alt.Color(f"{share}:Q", scale=alt.Scale(scheme=HEAT_SCHEME, domainMin=0),
                            legend=legend(format="%")),
            tooltip=[week_col, name, alt.Tooltip(share, format=".0%")]).properties(
            height=ROW_HEIGHT * len(order) + AXIS_ROOM["heat"])
        with_table(chart, shares, lang, "emerging-time")


def render(ctx: Context) -> None:
    """Draw the topics page."""
    st.header(t("page_topics", ctx.lang))
    data = load("topics", ctx.url, ctx.filters, ctx.granularity)
    if not data["counts"]:
        empty(ctx.lang)
    else:
        _taxonomy(ctx, data)
    _emerging(ctx)


render(current())
