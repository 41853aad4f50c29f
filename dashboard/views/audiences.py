"""Target groups: the strategy's table made live — volume, attitude and behaviour per group."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard.charts import empty, tag_sentiment_chart
from dashboard.context import Context, current
from dashboard.data import load
from dashboard.i18n import t
from dashboard.views.mention_list import mention_list
from store.figures import net_sentiment


def _table(ctx: Context, data: dict) -> pd.DataFrame:
    lang = ctx.lang
    by_group: dict[str, dict[str, int]] = {}
    for r in data["counts"]:
        by_group.setdefault(r["value"], {}).setdefault(r["sentiment"], 0)
        by_group[r["value"]][r["sentiment"]] += r["count"]
    rows = []
    for group in ctx.settings.strategy.target_group:
        counts = by_group.get(group.id, {})
        total = sum(counts.values())
        signal = getattr(group, "signal", None)
        hits = 0
        if signal is not None:
            hits = sum(p["count"] for p in data["pairs"][signal.kind]
                       if p["value"] == group.id and p["other"] == signal.value)
        net = net_sentiment(counts.get("positive", 0), counts.get("negative", 0), total)
        rows.append({
            t("audience", lang): ctx.label("target_group", group.id),
            t("mentions", lang): total,
            t("positive", lang): counts.get("positive", 0),
            t("neutral", lang): counts.get("neutral", 0),
            t("negative", lang): counts.get("negative", 0),
            t("net_sentiment", lang): "–" if net is None else f"{net:+.0%}",
            t("signal", lang): getattr(signal.label, lang) if signal else "–",
            t("signal_count", lang): hits,
            t("share", lang): "–" if not total else f"{hits / total:.0%}",
        })
    return pd.DataFrame(rows)


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
    _drill_down(ctx)


render(current())
