"""Benchmark: Stockholm's share of voice against other smart cities, over time."""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.charts import (
    bucket_axis,
    category_scale,
    empty,
    legend,
    tag_sentiment_chart,
    with_table,
)
from dashboard.context import Context, current
from dashboard.data import load
from dashboard.i18n import t
from store.figures import share_of_voice


def render(ctx: Context) -> None:
    """Draw the benchmark page."""
    lang = ctx.lang
    st.header(t("benchmark_title", lang))
    cities = getattr(ctx.settings.strategy, "benchmark_city", [])
    if not cities:
        st.info(t("no_cities", lang))
        return
    st.caption(t("benchmark_help", lang))
    international = st.toggle(t("international_only", lang), value=True, key="international")
    f = replace(ctx.filters, lang="en") if international else ctx.filters
    data = load("benchmark", ctx.url, f, ctx.granularity)
    if not data["volume"]:
        empty(lang)
        return
    order = [ctx.label("benchmark_city", c.id) for c in cities]
    date_col, city, share, count_col = (t("date", lang), t("city", lang), t("share", lang),
                                        t("count", lang))
    frame = pd.DataFrame([{date_col: r["bucket"].isoformat(),
                           city: ctx.label("benchmark_city", r["value"]),
                           share: r["share"], count_col: r["count"]}
                          for r in share_of_voice(data["volume"])])
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X(f"{date_col}:O", **bucket_axis(ctx.buckets())),
        y=alt.Y(f"{share}:Q", stack="normalize", axis=alt.Axis(format="%")),
        color=alt.Color(f"{city}:N", scale=category_scale(order), sort=order,
                        legend=legend(columns=5)),
        order=alt.Order(f"{count_col}:Q", sort="descending"),
        tooltip=[date_col, city, alt.Tooltip(share, format=".0%"), count_col])
    with_table(chart, frame, lang, "benchmark")
    st.subheader(t("city_sentiment", lang))
    tag_sentiment_chart(data["counts"], city, lambda v: ctx.label("benchmark_city", v), lang,
                        "benchmark-sentiment")


render(current())
