"""Keywords and core messages: over time with sentiment, resonance, and alignment."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.charts import (
    OWN_COLOUR,
    THIRD_COLOUR,
    empty,
    label_axis,
    legend,
    tag_heatmap,
    tag_sentiment_chart,
    with_table,
)
from dashboard.context import Context, current
from dashboard.data import load
from dashboard.i18n import t
from store.figures import alignment, resonance


def _over_time(ctx: Context, rows: list[dict], kind: str, title: str) -> None:
    lang = ctx.lang
    st.subheader(t(title, lang))
    if not rows:
        empty(lang)
        return
    tag_heatmap(rows, t(kind, lang), lambda v: ctx.label(kind, v), lang, f"{kind}-time",
                ctx.buckets())


def _by_sentiment(ctx: Context, rows: list[dict], kind: str, title: str) -> None:
    lang = ctx.lang
    st.subheader(t(title, lang))
    if not rows:
        empty(lang)
        return
    tag_sentiment_chart(rows, t(kind, lang), lambda v: ctx.label(kind, v), lang,
                        f"{kind}-sentiment")


def _resonance(ctx: Context, by_voice: dict) -> None:
    lang = ctx.lang
    st.subheader(t("resonance", lang))
    ids = [m.id for m in ctx.settings.strategy.message]
    rows = resonance(by_voice, ids)
    if not by_voice["totals"].get("third_party"):
        empty(lang)
        return
    name, share, count_col = t("message", lang), t("share", lang), t("count", lang)
    frame = pd.DataFrame([{name: ctx.label("message", r["value"]), share: r["share"],
                           count_col: r["count"]} for r in rows])
    chart = alt.Chart(frame).mark_bar(color=THIRD_COLOUR).encode(
        y=alt.Y(f"{name}:N", sort="-x", axis=label_axis()),
        x=alt.X(f"{share}:Q", axis=alt.Axis(format="%")),
        tooltip=[name, alt.Tooltip(share, format=".1%"), count_col])
    with_table(chart, frame, lang, "resonance")


def _alignment(ctx: Context, by_voice: dict) -> None:
    lang = ctx.lang
    st.subheader(t("alignment", lang))
    st.caption(t("alignment_help", lang))
    if not by_voice["totals"].get("own") or not by_voice["totals"].get("third_party"):
        st.info(t("no_own", lang) if by_voice["totals"].get("third_party") else t("empty", lang))
        return
    rows = alignment(by_voice, [k.id for k in ctx.settings.strategy.keyword])
    name, who, share, gap = t("keyword", lang), t("who", lang), t("share", lang), t("gap", lang)
    long = pd.DataFrame([{name: ctx.label("keyword", r["value"]), who: t(side, lang),
                          share: r[voice]}
                         for r in rows for voice, side in (("own", "city_says"),
                                                           ("third_party", "others_say"))])
    gaps = pd.DataFrame([{name: ctx.label("keyword", r["value"]), gap: r["gap"] * 100}
                         for r in rows])
    order = list(gaps.sort_values(gap)[name])
    rule = alt.Chart(long).mark_line(color="#999999").encode(
        y=alt.Y(f"{name}:N", sort=order, axis=label_axis()), x=alt.X(f"{share}:Q"),
        detail=f"{name}:N")
    dots = alt.Chart(long).mark_circle(size=120, opacity=1).encode(
        y=alt.Y(f"{name}:N", sort=order, axis=label_axis()),
        x=alt.X(f"{share}:Q", axis=alt.Axis(format="%")),
        color=alt.Color(f"{who}:N", scale=alt.Scale(
            domain=[t("city_says", lang), t("others_say", lang)],
            range=[OWN_COLOUR, THIRD_COLOUR]), legend=legend()),
        tooltip=[name, who, alt.Tooltip(share, format=".1%")])
    table = gaps.merge(long.pivot(index=name, columns=who, values=share).reset_index(), on=name)
    with_table(alt.layer(rule, dots), table, lang, "alignment")


def render(ctx: Context) -> None:
    """Draw the keywords and core messages page."""
    st.header(t("page_keywords", ctx.lang))
    data = load("keywords", ctx.url, ctx.filters, ctx.granularity)
    left, right = st.columns(2)
    with left:
        _over_time(ctx, data["keyword"]["volume"], "keyword", "over_time_kw")
        _by_sentiment(ctx, data["keyword"]["counts"], "keyword", "kw_sentiment")
    with right:
        _over_time(ctx, data["message"]["volume"], "message", "over_time_msg")
        _by_sentiment(ctx, data["message"]["counts"], "message", "msg_sentiment")
    left, right = st.columns(2)
    with left:
        _resonance(ctx, data["message"]["by_voice"])
    with right:
        _alignment(ctx, data["keyword"]["by_voice"])


render(current())
