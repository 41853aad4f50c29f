"""Each page's reads, through store.queries only, and their cached wrapper.

`PAGES` maps a page to its plan: the queries it needs, as callables of a session. `run_page`
runs a plan (its queries in parallel); the dashboard calls it through `load` (cached per
filter with a TTL) and bench/dashboard.py times it bare.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta

import streamlit as st

from pulse.topics import EMERGING_TEXTS_PER_WEEK, latest_emerging
from store.db import make_engine, transaction
from store.figures import last_complete_week
from store.queries import (
    SENTIMENTS,
    Filters,
    count_mentions,
    driving_stories,
    latest_mentions,
    negative_needing_answer,
    sentiments_of,
    source_health,
    stories_by_author,
    stories_by_source,
    tag_counts,
    tag_counts_by_voice,
    tag_pairs,
    tag_volume,
    volume_by_sentiment,
    volume_by_source,
    weekly_by_voice,
)

CACHE_TTL = 60
QUERY_WORKERS = 4  # a page's queries at once; SQLite releases the GIL while it steps
EMERGING_TTL = 600


def _comparison_window(f: Filters) -> tuple[Filters, date]:
    """The last complete week by the period's end, plus the four weeks before it."""
    week = last_complete_week(f.end or date.today())
    return replace(f, start=week - timedelta(weeks=4), end=week + timedelta(days=6)), week


def week_filters(f: Filters, week: date) -> Filters:
    """The filters narrowed to the ISO week starting on `week`."""
    return replace(f, start=week, end=week + timedelta(days=6))


def bucket_filters(f: Filters, bucket: date, granularity: str) -> Filters:
    """The filters narrowed to one time bucket (a day, or an ISO week within the period)."""
    end = bucket if granularity == "day" else bucket + timedelta(days=6)
    start = max(bucket, f.start) if f.start else bucket
    return replace(f, start=start, end=min(end, f.end) if f.end else end)


def page_overview(f: Filters, granularity: str = "week") -> dict:
    """Overview: volume by sentiment over the period, five weeks of figures by voice, topics
    and keywords for the week-on-week comparison, what drove the last complete week (its
    top stories, sources and authors) and the negative stories still needing an answer."""
    window, this_week = _comparison_window(f)
    week = week_filters(f, this_week)
    return {"total": lambda s: count_mentions(s, f),
            "volume": lambda s: volume_by_sentiment(s, f, granularity),
            "weekly": lambda s: weekly_by_voice(s, window),
            "topics_weekly": lambda s: tag_volume(s, window, "topic", "week"),
            "keywords_weekly": lambda s: tag_volume(s, window, "keyword", "week"),
            ("drivers", "by_engagement"): lambda s: driving_stories(s, week, "engagement"),
            ("drivers", "by_copies"): lambda s: driving_stories(s, week, "copies"),
            ("drivers", "sources"): lambda s: stories_by_source(s, week),
            ("drivers", "authors"): lambda s: stories_by_author(s, week),
            "needs_answer": lambda s: negative_needing_answer(s, f),
            "this_week": this_week}


def page_spike(f: Filters, granularity: str = "week", bucket: date | None = None) -> dict:
    """A spike's drivers: the top stories, keywords, topics and sources of its bucket (by
    default the last complete week's)."""
    g = bucket_filters(f, bucket or last_complete_week(f.end or date.today()), granularity)
    return {"stories": lambda s: driving_stories(s, g, "engagement", limit=3),
            "keywords": lambda s: tag_counts(s, g, "keyword"),
            "topics": lambda s: tag_counts(s, g, "topic"),
            "sources": lambda s: stories_by_source(s, g, limit=3),
            "filters": g}


def page_keywords(f: Filters, granularity: str = "week") -> dict:
    """Keywords and core messages: over time, by sentiment, and by voice (resonance and
    alignment)."""
    plan: dict = {}
    for kind in ("keyword", "message"):
        plan[(kind, "volume")] = lambda s, k=kind: tag_volume(s, f, k, granularity)
        plan[(kind, "counts")] = lambda s, k=kind: tag_counts(s, f, k)
        plan[(kind, "by_voice")] = lambda s, k=kind: tag_counts_by_voice(s, f, k)
    return plan


def page_audiences(f: Filters, granularity: str = "week") -> dict:
    """Target groups: volume by sentiment and each group's behaviour signals."""
    plan: dict = {"counts": lambda s: tag_counts(s, f, "audience")}
    for kind in ("intent", "message", "topic"):
        plan[("pairs", kind)] = lambda s, k=kind: tag_pairs(s, f, "audience", k)
    return plan


def page_topics(f: Filters, granularity: str = "week") -> dict:
    """Taxonomy topics over time and by sentiment."""
    return {"volume": lambda s: tag_volume(s, f, "topic", granularity),
            "counts": lambda s: tag_counts(s, f, "topic")}


def page_sources(f: Filters, granularity: str = "week") -> dict:
    """Channels and sources: health of every source and volume per source."""
    return {"health": source_health,
            "volume": lambda s: volume_by_source(s, f, granularity)}


def page_mentions(f: Filters, granularity: str = "week", limit: int = 25,
                  offset: int = 0) -> dict:
    """Mentions: how many match and one page of them with tags and evidence."""
    return {"total": lambda s: count_mentions(s, f),
            "rows": lambda s: latest_mentions(s, f, limit, offset)}


def page_benchmark(f: Filters, granularity: str = "week") -> dict:
    """Benchmark: stories naming each configured city, over time and by sentiment."""
    return {"volume": lambda s: tag_volume(s, f, "city", granularity),
            "counts": lambda s: tag_counts(s, f, "city")}


PAGES = {"overview": page_overview, "spike": page_spike, "keywords": page_keywords,
         "audiences": page_audiences, "topics": page_topics, "sources": page_sources,
         "mentions": page_mentions,
         "benchmark": page_benchmark}


def run_page(eng, page: str, f: Filters, granularity: str = "week",
             workers: int = QUERY_WORKERS, **kwargs) -> dict:
    """Run a page's queries and return its data (nested by the plan's key paths).

    A page's queries are independent, so with `workers` > 1 they run at once, each in its
    own session and connection (SQLite in WAL mode and PostgreSQL both read in parallel);
    the figures of one page may then come from snapshots a moment apart."""
    plan = PAGES[page](f, granularity, **kwargs)
    calls = {key: fn for key, fn in plan.items() if callable(fn)}

    def one(fn):
        with transaction(eng) as session:
            return fn(session)

    if workers > 1 and len(calls) > 1:
        with ThreadPoolExecutor(max_workers=min(workers, len(calls))) as pool:
            results = dict(zip(calls, pool.map(one, calls.values()), strict=True))
    else:
        results = {key: one(fn) for key, fn in calls.items()}
    data: dict = {}
    for key, value in plan.items():
        path = key if isinstance(key, tuple) else (key,)
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = results[key] if key in calls else value
    return data


def emerging_topics(session, f: Filters, per_week: int = EMERGING_TEXTS_PER_WEEK) -> list:
    """Emerging topics of the 4 weeks ending at the period's end, as `pulse topics` finds
    them (pulse.topics: at most `per_week` texts a week, so the cost does not grow with the
    archive), each as {"topic": EmergingTopic, "sentiment": {label: number of its
    documents}}."""
    found = latest_emerging(session, f, per_week=per_week)
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
    return run_page(engine(url), page, f, granularity, **kwargs)


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
