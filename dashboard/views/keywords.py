"""Keywords and core messages: over time with sentiment, resonance, and alignment."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.charts import (
    AXIS_ROOM,
    OWN_COLOUR,
    ROW_HEIGHT,
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
from dashboard.shares import calibration, error_bars, presence, share_columns
from store.figures import resonance


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
    total = by_voice["totals"].get("third_party")
    if not total:
        empty(lang)
        return
    cal = calibration()
    name, share, count_col, text = (t("message", lang), t("share", lang), t("count", lang),
                                    t("share_ci", lang))
    records = []
    for r in rows:
        s = presence(r["count"], total, cal, f"message:{r['value']}")
        records.append({name: ctx.label("message", r["value"]), share: s.value,
                        **share_columns(s, "ci"), text: s.text(lang), count_col: r["count"]})
    frame = pd.DataFrame(records)
    order = list(frame.sort_values(share, ascending=False)[name])
    bars = alt.Chart(frame).mark_bar(color=THIRD_COLOUR).encode(
        y=alt.Y(f"{name}:N", sort=order, axis=label_axis()),
        x=alt.X(f"{share}:Q", axis=alt.Axis(format="%")),
        tooltip=[name, text, count_col])
    chart = alt.layer(bars, error_bars(frame, name, "ci", sort=order)).properties(
        height=ROW_HEIGHT * len(frame) + AXIS_ROOM["bars"])
    with_table(chart, frame[[name, share, text, count_col]], lang, "resonance")


def _alignment(ctx: Context, by_voice: dict) -> None:
    lang = ctx.lang
    st.subheader(t("alignment", lang))
    st.caption(t("alignment_help", lang))
    totals = by_voice["totals"]
    if not totals.get("own") or not totals.get("third_party"):
        st.info(t("no_own", lang) if totals.get("third_party") else t("empty", lang))
        return
    cal = calibration()
    ids = [k.id for k in ctx.settings.strategy.keyword]
    counts = {(r["voice"], r["value"]): r["count"] for r in by_voice["rows"]}
    name, who, share, gap, text = (t("keyword", lang), t("who", lang), t("share", lang),
                                   t("gap", lang), t("share_ci", lang))
    long, gaps = [], []
    for ident in ids:
        label = ctx.label("keyword", ident)
        found = {}
        for voice, side in (("own", "city_says"), ("third_party", "others_say")):
            s = presence(counts.get((voice, ident), 0), totals[voice], cal, f"keyword:{ident}")
            found[voice] = s
            long.append({name: label, who: t(side, lang), share: s.value,
                         **share_columns(s, "ci"), text: s.text(lang)})
        gaps.append({name: label, gap: (found["third_party"].value - found["own"].value) * 100})
    long, gaps = pd.DataFrame(long), pd.DataFrame(gaps)
    order = list(gaps.sort_values(gap)[name])
    colour = alt.Color(f"{who}:N", scale=alt.Scale(
        domain=[t("city_says", lang), t("others_say", lang)], range=[OWN_COLOUR, THIRD_COLOUR]),
        legend=legend())
    rule = alt.Chart(long).mark_line(color="#999999").encode(
        y=alt.Y(f"{name}:N", sort=order, axis=label_axis()), x=alt.X(f"{share}:Q"),
        detail=f"{name}:N")
    bars = alt.Chart(long).mark_rule(strokeWidth=1.5).encode(
        y=alt.Y(f"{name}:N", sort=order, axis=label_axis()),
        x=alt.X("ci_low:Q", title=None), x2="ci_high:Q", color=colour)
    dots = alt.Chart(long).mark_circle(size=120, opacity=1).encode(
        y=alt.Y(f"{name}:N", sort=order, axis=label_axis()),
        x=alt.X(f"{share}:Q", axis=alt.Axis(format="%")), color=colour,
        tooltip=[name, who, text])
    table = gaps.merge(long.pivot(index=name, columns=who, values=share).reset_index(), on=name)
    texts = long.pivot(index=name, columns=who, values=text)
    texts.columns = [f"{c} ({t('share_ci', lang)})" for c in texts.columns]
    table = table.merge(texts.reset_index(), on=name)
    chart = alt.layer(rule, bars, dots).properties(
        height=ROW_HEIGHT * len(order) + AXIS_ROOM["bars"])
    with_table(chart, table, lang, "alignment")


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
