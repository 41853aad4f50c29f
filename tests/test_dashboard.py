"""The dashboard through Streamlit's AppTest, on a database filled by the real pipeline."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from collectors.base import Item
from nlp.tagger import Tagger
from pulse import jobs
from store.db import make_engine, transaction
from store.models import Source
from store.writes import save_items
from tests.conftest import REPO, fixture_bytes, make_settings

APP = str(REPO / "dashboard" / "app.py")


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120)


@pytest.fixture
def filled(engine, server, base_settings, monkeypatch):
    server.route("/rss", fixture_bytes("news_rss.xml"))
    server.route("/blog", fixture_bytes("wp_posts.xml"))
    settings = make_settings(base_settings, [
        {"key": "news", "kind": "feed", "url": server.url("/rss")},
        {"key": "blog", "kind": "feed", "url": server.url("/blog"), "voice": "own"},
    ])
    jobs.collect_all(engine, settings)
    jobs.tag_pending(engine, settings, Tagger(settings.strategy))
    monkeypatch.setenv("PULSE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("PULSE_DEMO", raising=False)
    return engine


def _set_period(at: AppTest, start: date, end: date) -> AppTest:
    at.sidebar.date_input(key="period").set_value((start, end))
    return at.run()


def test_swedish_by_default_and_english_selectable(filled):
    at = _app().run()
    assert not at.exception
    _set_period(at, date(2026, 11, 1), date(2026, 11, 30))
    assert at.title[0].value.startswith("Pulse – bilden av Stockholm")
    assert at.metric[0].label == "Omnämnanden" and at.metric[0].value == "3"
    at.sidebar.radio(key="lang").set_value("English").run()
    assert at.title[0].value.startswith("Pulse – how Stockholm is perceived")
    assert [s.value for s in at.subheader][:3] == [
        "Third-party mentions over time, by sentiment", "Keywords", "Core messages"]


def test_date_range_and_voice_filter_change_the_figures(filled):
    at = _set_period(_app().run(), date(2026, 11, 3), date(2026, 11, 4))
    assert at.metric[0].value == "2"
    at.sidebar.selectbox(key="voice").set_value("own").run()
    assert not at.metric  # no own-voice mention in those two days
    assert "Inga omnämnanden" in at.info[0].value
    _set_period(at, date(2026, 11, 1), date(2026, 11, 30))
    assert at.metric[0].value == "1"


def test_keyword_and_latest_tables(filled):
    at = _set_period(_app().run(), date(2026, 11, 1), date(2026, 11, 30))
    frames = [df.value for df in at.dataframe]
    keyword_table = next(f for f in frames if "Nyckelord" in f.columns and "Antal" in f.columns)
    assert "Hållbar" in set(keyword_table["Nyckelord"])
    latest = next(f for f in frames if "Länk" in f.columns)
    assert list(latest["Länk"]) == ["https://news.example/a3", "https://news.example/a2",
                                    "https://news.example/a1?utm_source=rss&utm_medium=feed"]
    assert len(at.get("vega_lite_chart")) == 3


def test_empty_database_says_so(engine, monkeypatch):
    monkeypatch.setenv("PULSE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    at = _app().run()
    assert not at.exception
    assert not at.get("vega_lite_chart")
    assert all("Inga omnämnanden" in i.value for i in at.info) and len(at.info) == 4


def test_unmigrated_database_gives_a_clear_message(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    make_engine(url).dispose()
    monkeypatch.setenv("PULSE_DATABASE_URL", url)
    at = _app().run()
    assert not at.exception
    assert "pulse db upgrade" in at.error[0].value


def test_post_text_is_never_rendered_as_html(engine, base_settings, monkeypatch):
    settings = make_settings(base_settings, [{"key": "h", "kind": "feed",
                                              "url": "https://html.example/feed"}])
    jobs.sync_config_sources(engine, settings)
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> Kista"
    with transaction(engine) as session:
        source = session.scalars(select(Source).where(Source.key == "h")).one()
        save_items(session, source, [Item("x1", "news", hostile,
                                          datetime(2026, 11, 3, 12, tzinfo=UTC))])
    jobs.tag_pending(engine, settings, Tagger(settings.strategy))
    monkeypatch.setenv("PULSE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    at = _set_period(_app().run(), date(2026, 11, 1), date(2026, 11, 30))
    latest = next(df.value for df in at.dataframe if "Länk" in df.value.columns)
    assert list(latest["Text"]) == [hostile]  # shown as text in a data grid
    assert all("<script>" not in m.value and "<img" not in m.value for m in at.markdown)
