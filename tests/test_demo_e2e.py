"""End to end: the bundled demo feeds → real collectors → tagger → dashboard queries and app.

Expected figures come from the sample data files themselves (their feed and off-topic
marks), not from the code under test.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from nlp.tagger import Tagger
from pulse import jobs
from pulse.demo.feeds import FEEDS
from pulse.demo.run import demo_settings
from pulse.demo.server import DemoFeedServer
from store.db import transaction
from store.models import Mention
from store.queries import Filters, count_mentions, tag_counts, volume_by_sentiment
from tests.conftest import REPO


def _sample_items() -> list[dict]:
    items = []
    for name in ("items_sv.json", "items_en.json"):
        path = resources.files("pulse.demo") / "data" / name
        items += json.loads(path.read_text(encoding="utf-8"))
    return items


@pytest.fixture
def demo_db(engine, base_settings):
    with DemoFeedServer() as server:
        settings = demo_settings(base_settings, server.base_url)
        outcomes = jobs.collect_all(engine, settings)
        again = jobs.collect_all(engine, settings)  # second run: 304s, nothing new
    tagged = jobs.tag_pending(engine, settings, Tagger(settings.strategy))
    return engine, outcomes, again, tagged


def test_demo_data_is_large_spread_and_marked_as_sample():
    items = _sample_items()
    assert len(items) >= 300
    assert {i["feed"] for i in items} == {f.feed for f in FEEDS}
    assert max(i["days_ago"] for i in items) <= 84 and min(i["days_ago"] for i in items) >= 0
    weeks = {int(i["days_ago"] // 7) for i in items}
    assert len(weeks) == 12
    assert len({i["id"] for i in items}) == len(items)


def test_demo_collect_tag_and_query(demo_db):
    engine, outcomes, again, tagged = demo_db
    items = _sample_items()
    relevant = [i for i in items if not i.get("offtopic")]
    own_feeds = {f.feed for f in FEEDS if f.voice == "own"}
    # the city's own replies among the blog comments are marked "voice": "own" in the data
    expected_third = sum(1 for i in relevant
                         if i["feed"] not in own_feeds and i.get("voice") != "own")

    assert all(o.error_kind is None for o in outcomes + again)
    assert sum(o.new_items for o in outcomes) == len(relevant)
    assert all(o.not_modified and o.new_items == 0 for o in again)
    assert tagged == len(relevant)

    today = date.today()
    window = Filters(start=today - timedelta(days=90), end=today + timedelta(days=1))
    with transaction(engine) as session:
        assert session.scalar(select(func.count(Mention.id))) == len(relevant)
        assert count_mentions(session, window) == expected_third
        assert count_mentions(session, Filters(voice="own")) == len(relevant) - expected_third
        weekly = volume_by_sentiment(session, window, "week")
        assert sum(r["count"] for r in weekly) == expected_third
        assert len({r["bucket"] for r in weekly}) >= 12
        sentiments = {r["sentiment"] for r in weekly}
        assert sentiments == {"positive", "neutral", "negative"}
        keywords = {r["value"] for r in tag_counts(session, window, "keyword")}
        messages = {r["value"] for r in tag_counts(session, window, "message")}
    assert len(keywords) == 8, keywords
    assert len(messages) >= 5, messages


def test_demo_dashboard_shows_the_counts(demo_db, monkeypatch):
    engine, *_ = demo_db
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("PULSE_DATABASE_URL", url)
    monkeypatch.setenv("PULSE_DEMO", "1")
    with transaction(engine) as session:
        expected = count_mentions(session, Filters(
            start=date.today() - timedelta(weeks=12), end=date.today()))
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120).run()
    assert not at.exception
    assert at.metric[0].value == str(expected)
    assert "EXEMPELDATA" in at.warning[0].value
    assert len(at.get("vega_lite_chart")) == 1  # perception over time
