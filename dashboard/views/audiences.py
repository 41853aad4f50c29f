"""Target groups: the strategy's table made live — volume, attitude and behaviour per group."""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.charts import (
    AXIS_ROOM,
    ROW_HEIGHT,
    empty,
    label_axis,
    tag_sentiment_chart,
    with_table,
)
from dashboard.context import Context, current
from dashboard.data import load
from dashboard.i18n import t
from dashboard.shares import calibration, error_bars, presence, sentiment, share_columns
from dashboard.views.mention_list import mention_list


def _table(ctx: Context, data: dict) -> pd.DataFrame:
    lang = ctx.lang
    by_group: dict[str, dict[str, int]] = {}
    for r in data["counts"]:
        by_group.setdefault(r["value"], {}).setdefault(r["sentiment"], 0)
        by_group[r["value"]][r["sentiment"]] += r["count"]
    rows = []
    cal = calibration()
    for group in ctx.settings.strategy.target_group:
        counts = by_group.get(group.id, {})
        total = sum(counts.values())
        signal = getattr(group, "signal", None)
        hits = 0
        if signal is not None:
            hits = sum(p["count"] for p in data["pairs"][signal.kind]
                       if p["value"] == group.id and p["other"] == signal.value)
        shares = sentiment(counts, cal)
        signal_share = (presence(hits, total, cal, f"{signal.kind}:{signal.value}")
                        if signal is not None else None)
        rows.append({
            t("audience", lang): ctx.label("target_group", group.id),
            t("mentions", lang): total,
            t("positive", lang): counts.get("positive", 0),
            t("neutral", lang): counts.get("neutral", 0),
            t("negative", lang): counts.get("negative", 0),
            t("net_sentiment", lang): shares["net"].text(lang, signed=True),
            t("signal", lang): getattr(signal.label, lang) if signal else "–",
            t("signal_count", lang): hits,
            t("share", lang): signal_share.text(lang) if signal_share else "–",
        })
    return pd.DataFrame(rows)


def _net_chart(ctx: Context, data: dict) -> None:
    """Net sentiment per target group with its 90 % interval as an error bar."""
    lang = ctx.lang
    by_group: dict[str, dict[str, int]] = {}
    for r in data["counts"]:
        by_group.setdefault(r["value"], {}).setdefault(r["sentiment"], 0)
        by_group[r["value"]][r["sentiment"]] += r["count"]
    name, net, text = t("audience", lang), "net", t("net_ci", lang)
    cal = calibration()
    rows = []
    for group in ctx.settings.strategy.target_group:
        share = sentiment(by_group.get(group.id, {}), cal)["net"]
        if share.value is not None:
            rows.append({name: ctx.label("target_group", group.id), **share_columns(share, net),
                         text: share.text(lang, signed=True)})
    if not rows:
        return
    frame = pd.DataFrame(rows)
    order = list(frame.sort_values(net)[name])
    dots = alt.Chart(frame).mark_point(filled=True, size=80, color="#000000").encode(
        y=alt.Y(f"{name}:N", sort=order, axis=label_axis()),
        x=alt.X(f"{net}:Q", axis=alt.Axis(format="+%"), title=t("net_ci", lang),
                scale=alt.Scale(domain=[-1, 1])),
        tooltip=[name, text])
    chart = alt.layer(error_bars(frame, name, net, sort=order, fmt="+%"), dots).properties(
        height=ROW_HEIGHT * len(frame) + AXIS_ROOM["bars"])
    st.subheader(t("net_by_group", lang))
    with_table(chart, frame[[name, text]], lang, "groups-net")


def _drill_down(ctx: Context) -> None:
    lang = ctx.lang
    groups = [g for g in ctx.settings.strategy.target_group]
    st.subheader(t("drill_group", lang))
    left, right = st.columns([2, 1])
    chosen = left.selectbox(t("audience", lang), [g.id for g in groups], key="drill_group",
                            format_func=lambda g: ctx.label("target_group", g))
    group = next(g for g in groups if g.id == chosen)
    signal = getattr(group, "signal", None)
    only = right.toggle(t("only_signal", lang), key="drill_signal", disabled=signal is None)
    f = replace(ctx.filters, audience=chosen)
    if only and signal is not None:
        f = replace(f, **{signal.kind: signal.value})
    mention_list(ctx, f, limit=10)


def render(ctx: Context) -> None:
    """Draw the target groups page."""
    lang = ctx.lang
    st.header(t("page_audiences", lang))
    data = load("audiences", ctx.url, ctx.filters, ctx.granularity)
    if not data["counts"]:
        empty(lang)
        return
    st.subheader(t("groups_table", lang))
    table = _table(ctx, data)
    # Narrow number columns, so the last column is on screen without scrolling sideways.
    narrow = {c: st.column_config.Column(width="small") for c in table.columns[1:]
              if c != t("signal", lang)}
    st.dataframe(table, hide_index=True, width="stretch", key="table-groups",
                 column_config=narrow)
    tag_sentiment_chart(data["counts"], t("audience", lang),
                        lambda v: ctx.label("target_group", v), lang, "groups-sentiment")
    _net_chart(ctx, data)
    _drill_down(ctx)


render(current())
