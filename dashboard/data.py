"""Each page's reads, through store.queries only, and their cached wrapper.

`PAGES` maps a page to the function that runs all of its queries; the dashboard calls them
through `load` (cached per filter with a TTL) and bench/dashboard.py times them bare.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import streamlit as st

from dashboard.analytics import monday
from store.db import make_engine, transaction
from store.queries import (
    SENTIMENTS,
    Filters,
    count_mentions,
    latest_mentions,
    sentiments_of,
    source_health,
    tag_counts,
    tag_counts_by_voice,
    tag_pairs,
    tag_volume,
    texts_by_week,
    volume_by_sentiment,
    volume_by_source,
    weekly_by_voice,
)

CACHE_TTL = 60
EMERGING_TTL = 600
EMERGING_TEXTS_PER_WEEK = 1500


def _comparison_window(f: Filters) -> tuple[Filters, date]:
    """The five weeks ending at the period's end: this week plus the four before it."""
    this_week = monday(f.end or date.today())
    end = f.end or this_week + timedelta(days=6)
    return replace(f, start=this_week - timedelta(weeks=4), end=end), this_week


def page_overview(session, f: Filters, granularity: str = "week") -> dict:
    """Overview: volume by sentiment over the period, and five weeks of figures by voice and
    of topics for the week-on-week comparison."""
    window, this_week = _comparison_window(f)
    return {"total": count_mentions(session, f),
            "volume": volume_by_sentiment(session, f, granularity),
            "weekly": weekly_by_voice(session, window),
            "topics_weekly": tag_volume(session, window, "topic", "week"),
            "this_week": this_week}


def page_keywords(session, f: Filters, granularity: str = "week") -> dict:
    """Keywords and core messages: over time, by sentiment, and by voice (resonance and
    alignment)."""
    return {kind: {"volume": tag_volume(session, f, kind, granularity),
                   "counts": tag_counts(session, f, kind),
                   "by_voice": tag_counts_by_voice(session, f, kind)}
            for kind in ("keyword", "message")}


def page_audiences(session, f: Filters, granularity: str = "week") -> dict:
    """Target groups: volume by sentiment and each group's behaviour signals."""
    return {"counts": tag_counts(session, f, "audience"),
            "pairs": {kind: tag_pairs(session, f, "audience", kind)
                      for kind in ("intent", "message", "topic")}}


def page_topics(session, f: Filters, granularity: str = "week") -> dict:
    """Taxonomy topics over time and by sentiment."""
    return {"volume": tag_volume(session, f, "topic", granularity),
            "counts": tag_counts(session, f, "topic")}


def page_sources(session, f: Filters, granularity: str = "week") -> dict:
    """Channels and sources: health of every source and volume per source."""
    return {"health": source_health(session),
            "volume": volume_by_source(session, f, granularity)}


def page_mentions(session, f: Filters, granularity: str = "week", limit: int = 25,
                  offset: int = 0) -> dict:
    """Mentions: how many match and one page of them with tags and evidence."""
    return {"total": count_mentions(session, f),
            "rows": latest_mentions(session, f, limit, offset)}


def page_benchmark(session, f: Filters, granularity: str = "week") -> dict:
    """Benchmark: stories naming each configured city, over time and by sentiment."""
    return {"volume": tag_volume(session, f, "city", granularity),
            "counts": tag_counts(session, f, "city")}


PAGES = {"overview": page_overview, "keywords": page_keywords, "audiences": page_audiences,
         "topics": page_topics, "sources": page_sources, "mentions": page_mentions,
         "benchmark": page_benchmark}


def emerging_topics(session, f: Filters, per_week: int = EMERGING_TEXTS_PER_WEEK) -> list:
    """Emerging topics of the 4 weeks ending at the period's end (nlp.emerging.discover over
    at most `per_week` texts a week, so the cost does not grow with the archive), each as
    {"topic": EmergingTopic, "sentiment": {label: number of its documents}}."""
    from nlp.emerging import discover

    window, _ = _comparison_window(f)
    docs = texts_by_week(session, window, per_week=per_week)
    found = discover(docs, window_weeks=4)
    labels = sentiments_of(session, [i for topic in found for i in topic.doc_ids])
    return [{"topic": topic, "sentiment": {s: sum(1 for i in topic.doc_ids
                                                  if labels.get(i) == s) for s in SENTIMENTS}}
            for topic in found]


@st.cache_resource
def engine(url: str | None):
    """One engine (and connection pool) per database URL for the dashboard process."""
    return make_engine(url)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def load(page: str, url: str | None, f: Filters, granularity: str = "week", **kwargs) -> dict:
    """Run a page's queries, cached per page, database, filters and options."""
    with transaction(engine(url)) as session:
        return PAGES[page](session, f, granularity, **kwargs)


@st.cache_data(ttl=EMERGING_TTL, show_spinner=False)
def load_emerging(url: str | None, f: Filters) -> list:
    """Emerging topics, cached longer: discovery costs seconds, not milliseconds."""
    with transaction(engine(url)) as session:
        return emerging_topics(session, f)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def load_sources(url: str | None) -> list[dict]:
    """Source health rows (for the filter bar's source and channel choices)."""
    with transaction(engine(url)) as session:
        return source_health(session)


def invalidate() -> None:
    """Forget every cached figure (after a correction or follow-up change)."""
    load.clear()
    load_emerging.clear()
    load_sources.clear()
