"""Pulse dashboard: third-party perception of Stockholm as a smart city, over time.

Run with `pulse dashboard` (or `pulse demo`). Reads only through store.queries.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.i18n import t
from pulse.settings import ConfigError, load_settings
from store.db import NotMigratedError, make_engine, require_migrated, transaction
from store.queries import (
    SENTIMENTS,
    Filters,
    count_mentions,
    latest_mentions,
    tag_counts,
    volume_by_sentiment,
)

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
SENTIMENT_COLOURS = {"positive": "#009E73", "neutral": "#A0A0A0", "negative": "#D55E00"}
CACHE_TTL = 60


@st.cache_resource
def _engine(url: str | None):
    return make_engine(url)


@st.cache_resource
def _settings():
    return load_settings()


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _volume(url: str | None, f: Filters, granularity: str) -> list[dict]:
    with transaction(_engine(url)) as session:
        return volume_by_sentiment(session, f, granularity)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _tags(url: str | None, f: Filters, kind: str) -> list[dict]:
    with transaction(_engine(url)) as session:
        return tag_counts(session, f, kind)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _latest(url: str | None, f: Filters, limit: int) -> list[dict]:
    with transaction(_engine(url)) as session:
        return latest_mentions(session, f, limit)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _count(url: str | None, f: Filters) -> int:
    with transaction(_engine(url)) as session:
        return count_mentions(session, f)


def _sentiment_scale(lang: str) -> alt.Scale:
    return alt.Scale(domain=[t(s, lang) for s in SENTIMENTS],
                     range=[SENTIMENT_COLOURS[s] for s in SENTIMENTS])


def _sidebar() -> tuple[str, Filters, str]:
    lang_name = st.sidebar.radio("Språk / Language", ["Svenska", "English"], key="lang")
    lang = "sv" if lang_name == "Svenska" else "en"
    today = date.today()
    period = st.sidebar.date_input(t("period", lang), value=(today - timedelta(weeks=12), today),
                                   key="period")
    start, end = (period if isinstance(period, tuple) and len(period) == 2
                  else (period[0] if isinstance(period, tuple) else period,) * 2)
    granularity = st.sidebar.radio(t("granularity", lang), ["week", "day"],
                                   format_func=lambda g: t(g, lang), key="granularity")
    voice = st.sidebar.selectbox(t("voice", lang), ["third_party", "own", "all"],
                                 format_func=lambda v: t(v, lang), key="voice")
    return lang, Filters(start=start, end=end, voice=None if voice == "all" else voice), granularity


def _with_table(chart: alt.Chart, frame: pd.DataFrame, lang: str, key: str) -> None:
    st.altair_chart(chart, width="stretch")
    with st.expander(t("show_table", lang)):
        st.dataframe(frame, hide_index=True, width="stretch", key=f"table-{key}")


def _over_time(url, f: Filters, granularity: str, lang: str) -> None:
    st.subheader(t("over_time" if f.voice == "third_party" else "over_time_any", lang))
    rows = _volume(url, f, granularity)
    if not rows:
        st.info(t("empty", lang))
        return
    # Buckets as ordinal labels: bars fill their band (a time axis draws weeks as hairlines).
    frame = pd.DataFrame([{t("date", lang): r["bucket"].isoformat(),
                           t("sentiment", lang): t(r["sentiment"], lang),
                           t("count", lang): r["count"]} for r in rows])
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X(f"{t('date', lang)}:O", title=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y(f"{t('count', lang)}:Q", stack="zero"),
        color=alt.Color(f"{t('sentiment', lang)}:N", scale=_sentiment_scale(lang)),
        tooltip=list(frame.columns))
    _with_table(chart, frame, lang, "over-time")


def _tag_chart(url, f: Filters, kind: str, lang: str) -> None:
    settings = _settings()
    st.subheader(t("keywords" if kind == "keyword" else "messages", lang))
    rows = _tags(url, f, kind)
    if not rows:
        st.info(t("empty", lang))
        return
    name = t("keywords" if kind == "keyword" else "messages", lang)
    frame = pd.DataFrame([{name: settings.strategy.label(kind, r["value"], lang),
                           t("sentiment", lang): t(r["sentiment"], lang),
                           t("count", lang): r["count"]} for r in rows])
    chart = alt.Chart(frame).mark_bar().encode(
        y=alt.Y(f"{name}:N", sort="-x", title=None),
        x=alt.X(f"{t('count', lang)}:Q", stack="zero"),
        color=alt.Color(f"{t('sentiment', lang)}:N", scale=_sentiment_scale(lang)),
        tooltip=list(frame.columns))
    _with_table(chart, frame, lang, kind)


def _latest_table(url, f: Filters, lang: str) -> None:
    settings = _settings()
    st.subheader(t("latest", lang))
    rows = _latest(url, f, 50)
    if not rows:
        st.info(t("empty", lang))
        return
    frame = pd.DataFrame([{
        t("published", lang): r["published_at"].strftime("%Y-%m-%d %H:%M"),
        t("source", lang): r["source"],
        t("sentiment", lang): t(r["sentiment"], lang),
        t("text", lang): (r["title"] + " – " if r["title"] else "") + r["text"][:300],
        t("keywords", lang): ", ".join(settings.strategy.label("keyword", k, lang)
                                       for k in r["keywords"]),
        t("messages", lang): ", ".join(settings.strategy.label("message", m, lang)
                                       for m in r["messages"]),
        t("link", lang): r["url"],
    } for r in rows])
    # st.dataframe renders cell text as text, never as HTML: posts cannot inject markup.
    st.dataframe(frame, hide_index=True, width="stretch", key="latest", column_config={
        t("link", lang): st.column_config.LinkColumn(display_text=t("open_link", lang))})


def main() -> None:
    """Render the dashboard."""
    st.set_page_config(page_title="Pulse", layout="wide")
    lang, filters, granularity = _sidebar()
    st.title(t("title", lang))
    if os.environ.get("PULSE_DEMO"):
        st.warning(t("demo_banner", lang))
    url = os.environ.get("PULSE_DATABASE_URL")
    try:
        _settings()
        require_migrated(_engine(url))
    except (ConfigError, NotMigratedError) as exc:
        st.error(t("no_db", lang, error=exc))
        return
    total = _count(url, filters)
    if total:
        rows = _volume(url, filters, "week")
        counts = {s: sum(r["count"] for r in rows if r["sentiment"] == s) for s in SENTIMENTS}
        c1, c2, c3 = st.columns(3)
        c1.metric(t("mentions", lang), total)
        c2.metric(t("share_negative", lang), f"{counts['negative'] / total:.0%}")
        c3.metric(t("net_sentiment", lang),
                  f"{(counts['positive'] - counts['negative']) / total:+.0%}",
                  help=t("net_help", lang))
    _over_time(url, filters, granularity, lang)
    left, right = st.columns(2)
    with left:
        _tag_chart(url, filters, "keyword", lang)
    with right:
        _tag_chart(url, filters, "message", lang)
    _latest_table(url, filters, lang)


main()
