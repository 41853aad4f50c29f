"""The dashboard through Streamlit's AppTest: every page, every filter, corrections and
follow-up, on databases filled by the real pipeline (collectors over HTTP, tagger).

Expected figures are counted in the tests with their own SQL over the stored rows, not with
store.queries, so a filter wired to the wrong field fails."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from collectors.base import Item
from nlp.tagger import Tagger
from pulse import jobs
from store.db import make_engine, transaction
from store.models import Correction, Mention, Response, Source
from store.writes import save_items
from tests.conftest import REPO, fixture_bytes, make_settings
from tests.counts import count_stories as _stories

APP = str(REPO / "dashboard" / "app.py")
PAGES = ("overview", "keywords", "audiences", "topics", "sources", "mentions", "benchmark")
HEADERS_SV = {"keywords": "Nyckelord och budskap", "audiences": "Målgrupper",
              "topics": "Ämnen", "sources": "Kanaler och källor", "mentions": "Omnämnanden",
              "benchmark": "Stockholms röstandel bland smarta städer"}
HEADERS_EN = {"keywords": "Keywords and messages", "audiences": "Target groups",
              "topics": "Topics", "sources": "Channels and sources", "mentions": "Mentions",
              "benchmark": "Stockholm's share of voice among smart cities"}


def _app(url: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("PULSE_DATABASE_URL", url)
    monkeypatch.delenv("PULSE_DEMO", raising=False)
    return AppTest.from_file(APP, default_timeout=120)


def _page(at: AppTest, name: str) -> AppTest:
    if name != "overview":
        at.switch_page(f"views/{name}.py")
    else:
        at.switch_page("views/overview.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _set_period(at: AppTest, start: date, end: date) -> AppTest:
    at.sidebar.date_input(key="period").set_value((start, end))
    return at.run()


def _matching(at: AppTest) -> int:
    """The number of matching mentions the Mentions page reports."""
    caption = next((c.value for c in at.caption if "matchar" in c.value or "match" in c.value),
                   None)
    if caption is None:
        assert any("Inga omnämnanden" in i.value or "No mentions" in i.value for i in at.info)
        return 0
    return int(re.match(r"(\d+)", caption).group(1))


# --- small database filled through the real collectors ---------------------------------------

@pytest.fixture
def filled(engine, server, base_settings):
    server.route("/rss", fixture_bytes("news_rss.xml"))
    server.route("/blog", fixture_bytes("wp_posts.xml"))
    server.route("/broken", b"Internal error", status=500)
    settings = make_settings(base_settings, [
        {"key": "news", "kind": "feed", "url": server.url("/rss")},
        {"key": "blog", "kind": "feed", "url": server.url("/blog"), "voice": "own"},
        {"key": "broken", "kind": "feed", "url": server.url("/broken")},
    ], connect_timeout=2, read_timeout=2)
    jobs.collect_all(engine, settings)
    jobs.tag_pending(engine, settings, Tagger(settings.strategy))
    return engine.url.render_as_string(hide_password=False)


def test_every_page_renders_in_swedish_and_english(filled, monkeypatch):
    at = _set_period(_app(filled, monkeypatch).run(), date(2026, 11, 1), date(2026, 11, 30))
    assert at.title[0].value.startswith("Pulse – bilden av Stockholm")
    assert at.metric[0].label == "Omnämnanden" and at.metric[0].value == "3"
    for name, header in HEADERS_SV.items():
        assert _page(at, name).header[0].value == header
    at.sidebar.radio(key="lang").set_value("English").run()
    for name, header in HEADERS_EN.items():
        assert _page(at, name).header[0].value == header
    _page(at, "overview")
    assert at.title[0].value.startswith("Pulse – how Stockholm is perceived")
    assert at.metric[0].label == "Mentions"


def test_sources_page_never_mistakes_a_broken_source_for_silence(filled, monkeypatch):
    at = _page(_app(filled, monkeypatch).run(), "sources")
    assert "broken" in at.warning[0].value and "Tystnad" in at.warning[0].value
    health = next(df.value for df in at.dataframe if "Status" in df.value.columns)
    status = dict(zip(health["Källa"], health["Status"], strict=True))
    assert status == {"blog": "OK", "broken": "Fel", "news": "OK"}
    errors = dict(zip(health["Källa"], health["Senaste fel"], strict=True))
    assert errors["news"] == "–" and errors["broken"] != "–"


def test_empty_database_says_so_on_every_page(engine, monkeypatch):
    at = _app(engine.url.render_as_string(hide_password=False), monkeypatch).run()
    for name in PAGES:
        _page(at, name)
        assert not at.get("vega_lite_chart"), name
        if name not in ("sources",):
            texts = [i.value for i in at.info]
            assert any("Inga omnämnanden" in x or "För få" in x for x in texts), (name, texts)


def test_unmigrated_database_gives_a_clear_message(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    make_engine(url).dispose()
    at = _app(url, monkeypatch).run()
    assert not at.exception
    assert "pulse db upgrade" in at.error[0].value


def test_post_text_is_never_rendered_as_html(engine, base_settings, monkeypatch):
    settings = make_settings(base_settings, [{"key": "h", "kind": "feed",
                                              "url": "https://html.example/feed"}])
    jobs.sync_config_sources(engine, settings)
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> Kista är bra"
    with transaction(engine) as session:
        source = session.scalars(select(Source).where(Source.key == "h")).one()
        save_items(session, source, [Item("x1", "news", hostile,
                                          datetime(2026, 11, 3, 12, tzinfo=UTC),
                                          url="javascript:alert(3)")])
    jobs.tag_pending(engine, settings, Tagger(settings.strategy))
    at = _app(engine.url.render_as_string(hide_password=False), monkeypatch).run()
    _set_period(at, date(2026, 11, 1), date(2026, 11, 30))
    _page(at, "mentions")
    body = at.get("html")[0].proto.body
    # Evidence words are marked inside the escaped text; the text itself stays escaped.
    text = re.sub(r'<mark style="[^"]*" class="ev-tag">|</mark>', "", body)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in text
    assert "<script" not in body and "<img" not in body
    assert not at.get("link_button")  # a javascript: URL is never offered as a link
    assert all("<script>" not in m.value for m in at.markdown)


# --- the demo's sample data --------------------------------------------------------------------

TODAY = date.today()
START = TODAY - timedelta(weeks=12)


def test_overview_compares_this_week_with_last_week(demo_url, monkeypatch):
    at = _app(demo_url, monkeypatch).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Omnämnanden"] == str(_stories(demo_url, START, TODAY))
    # The last complete week (never the week in progress) against the week before.
    monday = TODAY - timedelta(days=TODAY.weekday())
    week = monday if TODAY.weekday() == 6 else monday - timedelta(weeks=1)
    sunday = week + timedelta(days=6)
    this_week = _stories(demo_url, week, sunday)
    last_week = _stories(demo_url, week - timedelta(weeks=1), week - timedelta(days=1))
    assert metrics["Tredjepartsomnämnanden"] == str(this_week)
    volume = next(m for m in at.metric if m.label == "Tredjepartsomnämnanden")
    assert any(f"Vecka {week.isocalendar().week} ({week} – {sunday})" in c.value
               for c in at.caption)
    too_few = any("För få omnämnanden för en säker jämförelse" in c.value for c in at.caption)
    if min(this_week, last_week) >= 20:
        assert volume.proto.delta == f"{this_week - last_week:+d}" and not too_few
    else:
        assert not volume.proto.delta and too_few
    negative = _stories(demo_url, week, sunday, sentiment="negative")
    # Without a calibration: the counted share (its interval and "ej korrigerad" under it).
    assert metrics["Andel negativa"] == f"{negative / this_week * 100:.0f} %"
    assert len(at.get("vega_lite_chart")) == 1


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("keyword", "open", {"tags": (("keyword", "open"),)}),
    ("message", "together", {"tags": (("message", "together"),)}),
    ("sentiment", "negative", {"sentiment": "negative"}),
    ("topic", "mobility", {"tags": (("topic", "mobility"),)}),
    ("audience", "business", {"tags": (("audience", "business"),)}),
    ("intent", "criticism", {"tags": (("intent", "criticism"),)}),
    ("content_lang", "en", {"lang": "en"}),
    ("voice", "own", {"voice": "own"}),
    ("voice", "all", {"voice": None}),
])
def test_each_filter_narrows_every_figure(demo_url, monkeypatch, key, value, expected):
    at = _page(_app(demo_url, monkeypatch).run(), "mentions")
    everything = _matching(at)
    widget = at.sidebar.selectbox(key=key)
    widget.set_value(value).run()
    want = _stories(demo_url, START, TODAY, **expected)
    assert _matching(at) == want and want > 0
    assert want != everything
    _page(at, "overview")
    assert at.metric[0].value == str(want)


def test_channel_and_source_filters(demo_url, monkeypatch):
    at = _page(_app(demo_url, monkeypatch).run(), "mentions")
    at.sidebar.selectbox(key="channel").set_value("own_blog").run()
    sources = tuple(at.sidebar.multiselect(key="sources").options)
    assert sources and all(s.startswith("demo-") for s in sources)
    want = _stories(demo_url, START, TODAY, sources=sources)
    assert _matching(at) == want > 0
    at.sidebar.multiselect(key="sources").set_value([sources[0]]).run()
    assert _matching(at) == _stories(demo_url, START, TODAY, sources=sources[:1])


def test_search_and_period(demo_url, monkeypatch):
    at = _page(_app(demo_url, monkeypatch).run(), "mentions")
    at.text_input(key="search").input("kista").run()  # any case
    assert _matching(at) == _stories(demo_url, START, TODAY, text="Kista") > 0
    start, end = TODAY - timedelta(days=40), TODAY - timedelta(days=6)
    _set_period(at, start, end)
    assert _matching(at) == _stories(demo_url, start, end, text="Kista")
    at.text_input(key="search").input("ÖPPEN").run()  # Swedish letters in any case too
    assert _matching(at) == _stories(demo_url, start, end, text="öppen") > 0
    at.text_input(key="search").input("").run()
    assert _matching(at) == _stories(demo_url, start, end)
    at.sidebar.radio(key="granularity").set_value("day").run()
    assert not at.exception


def test_correcting_sentiment_changes_the_figures(demo_url, monkeypatch):
    at = _page(_app(demo_url, monkeypatch).run(), "mentions")
    at.sidebar.selectbox(key="sentiment").set_value("positive").run()
    before = _matching(at)
    picked = at.selectbox(key="pick_mention").value
    at.selectbox(key=f"fix_sentiment_{picked}").set_value("negative")
    at.text_input(key="analyst").input("Analytiker A")
    next(b for b in at.button if b.label == "Spara rättelse").click().run()
    assert not at.exception
    assert _matching(at) == before - 1
    assert any("Sparat" in s.value for s in at.success)
    with transaction(make_engine(demo_url)) as session:
        fixed = session.scalars(select(Correction)).one()
        assert (fixed.mention_id, fixed.kind, fixed.value, fixed.author) == (
            picked, "sentiment", "negative", "Analytiker A")
        assert session.get(Mention, picked).sentiment == "negative"


def test_a_correction_needs_a_name(demo_url, monkeypatch):
    at = _page(_app(demo_url, monkeypatch).run(), "mentions")
    picked = at.selectbox(key="pick_mention").value
    at.selectbox(key=f"fix_sentiment_{picked}").set_value("negative")
    next(b for b in at.button if b.label == "Spara rättelse").click().run()
    assert "namn" in at.error[0].value
    with transaction(make_engine(demo_url)) as session:
        assert session.scalar(select(func.count(Correction.id))) == 0


def test_marking_needs_answer_and_answered(demo_url, monkeypatch):
    at = _page(_app(demo_url, monkeypatch).run(), "mentions")
    picked = at.selectbox(key="pick_mention").value
    at.radio(key=f"set_status_{picked}").set_value("needs_answer")
    at.text_input(key="analyst").input("Analytiker B")
    next(b for b in at.button if b.label == "Spara uppföljning").click().run()
    at.selectbox(key="response_filter").set_value("needs_answer").run()
    assert _matching(at) == 1
    assert at.selectbox(key="pick_mention").value == picked
    at.radio(key=f"set_status_{picked}").set_value("answered")
    at.text_input(key="analyst").input("Analytiker B")
    next(b for b in at.button if b.label == "Spara uppföljning").click().run()
    assert _matching(at) == 0
    with transaction(make_engine(demo_url)) as session:
        assert [r.status for r in session.scalars(select(Response).order_by(Response.id))] == [
            "needs_answer", "answered"]


def test_keywords_page_resonance_and_alignment(demo_url, monkeypatch):
    at = _page(_app(demo_url, monkeypatch).run(), "keywords")
    frames = {tuple(df.value.columns): df.value for df in at.dataframe}
    resonance = next(f for cols, f in frames.items() if "Kärnbudskap" in cols and "Andel" in cols)
    assert len(resonance) == 6
    third = _stories(demo_url, START, TODAY)
    together = resonance[resonance["Kärnbudskap"].str.startswith("Tillsammans")].iloc[0]
    assert together["Antal"] == _stories(demo_url, START, TODAY, tags=(("message", "together"),))
    assert together["Andel"] == pytest.approx(together["Antal"] / third)
    alignment = next(f for cols, f in frames.items() if "Gap (procentenheter)" in cols)
    assert len(alignment) == 8
    own = _stories(demo_url, START, TODAY, voice="own")
    row = alignment[alignment["Nyckelord"] == "Öppen"].iloc[0]
    own_open = _stories(demo_url, START, TODAY, voice="own", tags=(("keyword", "open"),))
    third_open = _stories(demo_url, START, TODAY, tags=(("keyword", "open"),))
    assert row["Staden"] == pytest.approx(own_open / own)
    assert row["Gap (procentenheter)"] == pytest.approx((third_open / third - own_open / own)
                                                        * 100)
    assert len(at.get("vega_lite_chart")) == 6


def test_target_groups_table_and_drill_down(demo_url, monkeypatch):
    at = _page(_app(demo_url, monkeypatch).run(), "audiences")
    table = next(df.value for df in at.dataframe if "Beteendesignal" in df.value.columns)
    assert len(table) == 5
    residents = table[table["Målgrupp"] == "Invånare och besökare"].iloc[0]
    assert residents["Omnämnanden"] == _stories(demo_url, START, TODAY,
                                                 tags=(("audience", "residents"),))
    ideas = _stories(demo_url, START, TODAY, tags=(("audience", "residents"),
                                                   ("intent", "idea_need")))
    assert residents["Antal med signal"] == ideas > 0
    at.selectbox(key="drill_group").set_value("residents").run()
    at.toggle(key="drill_signal").set_value(True).run()
    assert _matching(at) == ideas


def test_topics_page_shows_taxonomy_and_emerging_topics(demo_url, monkeypatch):
    at = _page(_app(demo_url, monkeypatch).run(), "topics")
    assert len(at.get("vega_lite_chart")) >= 2
    emerging = next(df.value for df in at.dataframe if "Ord" in df.value.columns)
    assert len(emerging) >= 1 and all(emerging["Ord"].str.len() > 0)
    assert (emerging[["Positiv", "Neutral", "Negativ"]].sum(axis=1) > 0).all()


def test_benchmark_page_counts_cities(demo_url, monkeypatch):
    at = _page(_app(demo_url, monkeypatch).run(), "benchmark")
    table = next(df.value for df in at.dataframe if "Stad" in df.value.columns
                 and "Andel" in df.value.columns)
    helsinki = table[table["Stad"] == "Helsingfors"]["Antal"].sum()
    assert helsinki == _stories(demo_url, START, TODAY, lang="en",
                                tags=(("city", "helsinki"),)) > 0
    shares = table.groupby("Datum")["Andel"].sum()
    assert all(abs(s - 1) < 1e-9 for s in shares)
