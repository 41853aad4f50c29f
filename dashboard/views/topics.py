"""Topics: the taxonomy's topics over time with sentiment, and topics emerging in the texts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.charts import empty, lines, tag_heatmap, tag_sentiment_chart, with_table
from dashboard.context import Context, current
from dashboard.data import EMERGING_TEXTS_PER_WEEK, load, load_emerging
from dashboard.i18n import t


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
    rows = []
    for entry in found:
        topic, sentiment = entry["topic"], entry["sentiment"]
        growth = (t("new", lang) if topic.is_new else "–" if topic.growth in (None, float("inf"))
                  else f"×{topic.growth:.1f}")
        rows.append({t("topic", lang): topic.id, t("terms", lang): ", ".join(topic.terms),
                     t("share", lang): f"{topic.weight:.0%}", t("growth", lang): growth,
                     **{t(s, lang): n for s, n in sentiment.items()}})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="table-emerging")
    shares = pd.DataFrame([{t("week_col", lang): week.isoformat(),
                            t("topic", lang): f"{topic.id}: {', '.join(topic.terms[:3])}",
                            t("share", lang): share}
                           for topic in (e["topic"] for e in found)
                           for week, share in sorted(topic.shares.items())])
    if len(shares):
        with_table(lines(shares, t("week_col", lang), t("share", lang), t("topic", lang), lang,
                         y_format="%"), shares, lang, "emerging-time")


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
