"""Feed and WordPress-comment collection against a real local HTTP server."""

from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from pulse import jobs
from store.db import transaction
from store.models import FetchState, Mention, Source
from tests.conftest import fixture_bytes, make_settings


def _collect(engine, settings, key):
    jobs.sync_config_sources(engine, settings)
    return jobs.collect_source(engine, settings, key)


def _mentions(engine, key=None):
    with transaction(engine) as s:
        stmt = (select(Mention).join(Source).options(selectinload(Mention.author))
                .order_by(Mention.external_id))
        if key:
            stmt = stmt.where(Source.key == key)
        return list(s.scalars(stmt))


def _state(engine, key) -> FetchState:
    with transaction(engine) as s:
        return s.scalars(select(FetchState).join(Source).where(Source.key == key)).one()


def test_new_items_are_stored_with_canonical_url_and_author(engine, server, base_settings):
    server.route("/rss", fixture_bytes("news_rss.xml"),
                 headers={"Content-Type": "application/rss+xml"})
    settings = make_settings(base_settings, [{"key": "news", "kind": "feed",
                                              "url": server.url("/rss")}])
    outcome = _collect(engine, settings, "news")
    assert outcome.error_kind is None and outcome.new_items == 3
    stored = _mentions(engine)
    assert [m.external_id for m in stored] == ["news-a1", "news-a2", "news-a3"]
    first = stored[0]
    assert first.canonical_url == "https://news.example/a1"
    assert "världens smartaste stad 2040" in first.text and "<b>" not in first.text
    assert first.published_at.isoformat() == "2026-11-02T07:00:00+00:00"
    assert first.local_day.isoformat() == "2026-11-02"
    assert first.kind == "news" and first.voice == "third_party"
    user_agents = {h.get("User-Agent") for _, h in server.requests}
    assert all(ua.startswith("Pulse/") and "mailto:" in ua for ua in user_agents)


def test_recollect_stores_each_item_once(engine, server, base_settings):
    server.route("/rss", fixture_bytes("news_rss.xml"))
    settings = make_settings(base_settings, [{"key": "news", "kind": "feed",
                                              "url": server.url("/rss")}])
    assert _collect(engine, settings, "news").new_items == 3
    assert _collect(engine, settings, "news").new_items == 0
    server.route("/rss", fixture_bytes("news_rss_more.xml"))
    assert _collect(engine, settings, "news").new_items == 2
    assert len(_mentions(engine)) == 5


def test_unchanged_feed_answers_304_and_keeps_validators(engine, server, base_settings):
    server.route("/rss", fixture_bytes("news_rss.xml"), etag='"v1"',
                 headers={"Last-Modified": "Mon, 02 Nov 2026 08:00:00 GMT"})
    settings = make_settings(base_settings, [{"key": "news", "kind": "feed",
                                              "url": server.url("/rss")}])
    assert _collect(engine, settings, "news").new_items == 3
    assert _state(engine, "news").cursor == {
        "etag": '"v1"', "last_modified": "Mon, 02 Nov 2026 08:00:00 GMT"}
    second = _collect(engine, settings, "news")
    assert second.not_modified and second.new_items == 0 and second.error_kind is None
    path, headers = server.requests[-1]
    assert headers.get("If-None-Match") == '"v1"'
    assert headers.get("If-Modified-Since") == "Mon, 02 Nov 2026 08:00:00 GMT"
    assert _state(engine, "news").cursor["etag"] == '"v1"'
    assert _state(engine, "news").last_success_at is not None


def test_malformed_feed_records_error_and_other_sources_go_on(engine, server, base_settings):
    server.route("/broken", fixture_bytes("broken.xml"))
    server.route("/rss", fixture_bytes("news_rss.xml"))
    settings = make_settings(base_settings, [
        {"key": "broken", "kind": "feed", "url": server.url("/broken")},
        {"key": "news", "kind": "feed", "url": server.url("/rss")},
    ])
    outcomes = {o.key: o for o in jobs.collect_all(engine, settings)}
    assert outcomes["broken"].error_kind == "malformed"
    assert outcomes["news"].new_items == 3
    state = _state(engine, "broken")
    assert state.last_error_kind == "malformed" and state.consecutive_failures == 1
    assert state.last_success_at is None


def test_http_500_is_a_server_error(engine, server, base_settings):
    server.route("/rss", b"oops", status=500)
    settings = make_settings(base_settings, [{"key": "news", "kind": "feed",
                                              "url": server.url("/rss")}])
    fetcher = jobs.make_fetcher(settings)
    fetcher.retries, fetcher.backoff = 1, 0.01
    jobs.sync_config_sources(engine, settings)
    outcome = jobs.collect_source(engine, settings, "news", fetcher)
    assert outcome.error_kind == "server_error"
    assert len([p for p, _ in server.requests if p == "/rss"]) == 2  # one retry
    assert _state(engine, "news").last_error_kind == "server_error"
    assert _mentions(engine) == []


def test_hanging_server_times_out(engine, server, base_settings):
    server.route("/slow", fixture_bytes("news_rss.xml"), delay=5)
    settings = make_settings(base_settings, [{"key": "slow", "kind": "feed",
                                              "url": server.url("/slow")}], read_timeout=0.5)
    fetcher = jobs.make_fetcher(settings)
    fetcher.retries = 0
    jobs.sync_config_sources(engine, settings)
    started = time.monotonic()
    outcome = jobs.collect_source(engine, settings, "slow", fetcher)
    assert outcome.error_kind == "timeout"
    assert time.monotonic() - started < 4
    assert _state(engine, "slow").last_error_kind == "timeout"


def test_oversized_body_is_refused(engine, server, base_settings):
    server.route("/big", b"<rss>" + b" " * 50_000 + b"</rss>")
    server.route("/endless", chunked_forever=True)
    settings = make_settings(base_settings, [
        {"key": "big", "kind": "feed", "url": server.url("/big")},
        {"key": "endless", "kind": "feed", "url": server.url("/endless")},
    ], max_bytes=20_000)
    outcomes = {o.key: o for o in jobs.collect_all(engine, settings)}
    assert outcomes["big"].error_kind == "too_large"
    assert outcomes["endless"].error_kind == "too_large"


def test_latin1_and_atom_feeds_are_decoded(engine, server, base_settings):
    server.route("/latin1", fixture_bytes("news_latin1.xml"),
                 headers={"Content-Type": "application/rss+xml"})
    server.route("/atom", fixture_bytes("news_atom.xml"),
                 headers={"Content-Type": "application/atom+xml"})
    settings = make_settings(base_settings, [
        {"key": "latin", "kind": "feed", "url": server.url("/latin1")},
        {"key": "atom", "kind": "feed", "url": server.url("/atom")},
    ])
    jobs.collect_all(engine, settings)
    latin = _mentions(engine, "latin")
    assert latin[0].title == "Stockholm satsar på hållbara och uppkopplade stadsdelar"
    atom = _mentions(engine, "atom")
    assert atom[0].text == "Both cities want to become more sustainable and connected."
    assert atom[0].url == "https://review.example/twins"


def test_wordpress_comments_are_linked_to_their_post(engine, server, base_settings):
    server.route("/feed/", fixture_bytes("wp_posts.xml"))
    server.route("/comments/feed/", fixture_bytes("wp_comments.xml"))
    settings = make_settings(base_settings, [
        {"key": "blog", "kind": "feed", "url": server.url("/feed/"), "voice": "own"},
        {"key": "comments", "kind": "wordpress_comments", "url": server.url("/comments/feed/")},
    ])
    jobs.collect_all(engine, settings)
    post = _mentions(engine, "blog")[0]
    comments = _mentions(engine, "comments")
    assert post.kind == "blog_post" and post.voice == "own"
    assert post.raw["comment_count"] == "2"
    assert "Tillsammans med invånare" in post.text  # full content:encoded, not the summary
    assert [c.kind for c in comments] == ["blog_comment", "blog_comment"]
    assert {c.parent_url for c in comments} == {post.canonical_url}
    assert all(c.voice == "third_party" for c in comments)
    # A commenter is a private person: stored as the keyed pseudonym of their name.
    from pulse.privacy import pseudonymiser

    assert comments[0].author.handle == pseudonymiser().handle("Lisa")
    assert comments[0].author.category == "private" and "Lisa" not in str(comments[0].raw)


def test_source_filter_keeps_only_relevant_items(engine, server, base_settings):
    server.route("/rss", fixture_bytes("news_rss_more.xml"))
    settings = make_settings(base_settings, [{
        "key": "news", "kind": "feed", "url": server.url("/rss"),
        "filter": '(Stockholm OR staden) AND (hållbar* OR "open data" OR dataläcka) NOT sport'}])
    _collect(engine, settings, "news")
    assert [m.external_id for m in _mentions(engine)] == ["news-a1", "news-a5"]


def test_unknown_host_is_a_connection_error(engine, base_settings):
    settings = make_settings(base_settings, [{"key": "nowhere", "kind": "feed",
                                              "url": "http://127.0.0.1:9/feed"}])
    fetcher = jobs.make_fetcher(settings)
    fetcher.retries = 0
    jobs.sync_config_sources(engine, settings)
    assert jobs.collect_source(engine, settings, "nowhere", fetcher).error_kind == "connection"
    with transaction(engine) as s:
        assert s.scalar(select(func.count(Mention.id))) == 0


def test_failures_stretch_the_interval_and_disable_hard_failing_sources(engine, server,
                                                                         base_settings):
    server.route("/gone", b"", status=404)
    server.route("/flaky", b"", status=503)
    settings = make_settings(base_settings, [
        {"key": "gone", "kind": "feed", "url": server.url("/gone"), "interval": "10m"},
        {"key": "flaky", "kind": "feed", "url": server.url("/flaky"), "interval": "10m"},
    ])
    fetcher = jobs.make_fetcher(settings)
    fetcher.retries = 0
    jobs.sync_config_sources(engine, settings)
    delays = []
    for _ in range(4):
        before = time.time()
        jobs.collect_source(engine, settings, "gone", fetcher)
        jobs.collect_source(engine, settings, "flaky", fetcher)
        delays.append(_state(engine, "flaky").next_due_at.timestamp() - before)
    gone, flaky = _state(engine, "gone"), _state(engine, "flaky")
    assert gone.failure_score == 12 and gone.disabled_at is not None
    assert flaky.failure_score == 4 and flaky.disabled_at is None
    assert delays == sorted(delays) and delays[-1] > 8 * delays[0] * 0.9
    # A disabled source is skipped, even by hand, until someone enables it again.
    requests_before = len(server.requests)
    assert jobs.collect_source(engine, settings, "gone", fetcher).skipped == "disabled"
    assert len(server.requests) == requests_before
    # A stretched source is skipped by the scheduler until it is due.
    assert jobs.collect_source(engine, settings, "flaky", fetcher,
                               on_schedule=True).skipped == "not_due"
    server.route("/flaky", fixture_bytes("news_rss.xml"))
    assert jobs.collect_source(engine, settings, "flaky", fetcher).new_items == 3
    assert _state(engine, "flaky").failure_score == 0


def test_retry_after_on_429_sets_next_due(engine, server, base_settings):
    server.route("/limited", b"slow down", status=429, headers={"Retry-After": "7200"})
    settings = make_settings(base_settings, [{"key": "limited", "kind": "feed",
                                              "url": server.url("/limited"),
                                              "interval": "5m"}])
    jobs.sync_config_sources(engine, settings)
    before = time.time()
    outcome = jobs.collect_source(engine, settings, "limited")
    assert outcome.error_kind == "rate_limited"
    assert len(server.requests) == 1  # a long Retry-After is never slept through
    assert _state(engine, "limited").next_due_at.timestamp() >= before + 7200


ARTICLE = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>A</title></head>
<body><nav><a href="/">Start</a> | <a href="/sport">Sport</a></nav>
<article><h1>Stockholm satsar på hållbara och uppkopplade stadsdelar</h1>
<p>Stockholms stad vill att de nya stadsdelarna ska vara både hållbara och uppkopplade från
första dagen. Fibernätet byggs ut samtidigt som gatorna, och sensorer mäter energiförbrukningen
i varje hus.</p>
<p>Kritiker menar att kostnaderna är för höga och att invånarna inte har fått vara med och
tycka till. Stadsbyggnadsborgarrådet svarar att dialogen fortsätter under hela våren.</p>
</article><footer>Kontakt: redaktionen</footer></body></html>"""


def test_full_text_is_fetched_for_summary_feeds_once(engine, server, base_settings):
    rss = fixture_bytes("news_rss.xml").replace(b"https://news.example/",
                                                server.url("/").encode())
    server.route("/rss", rss)  # a2 and a3 answer 404: their summaries are kept
    server.route("/a1?utm_source=rss&utm_medium=feed", ARTICLE,
                 headers={"Content-Type": "text/html; charset=utf-8"})
    settings = make_settings(base_settings, [{"key": "news", "kind": "feed",
                                              "url": server.url("/rss"), "full_text": True}])
    assert _collect(engine, settings, "news").new_items == 3
    first = next(m for m in _mentions(engine) if m.external_id == "news-a1")
    assert "Kritiker menar att kostnaderna är för höga" in first.text
    assert "Kontakt: redaktionen" not in first.text and "Sport" not in first.text
    assert first.raw["summary"].startswith("Staden vill bli")
    assert next(m for m in _mentions(engine) if m.external_id == "news-a2").text.startswith(
        "Säkerhetsbrister i plattformen")
    articles = [p for p, _ in server.requests if p != "/rss"]
    _collect(engine, settings, "news")
    assert [p for p, _ in server.requests if p != "/rss"] == articles  # not fetched again
    assert sorted(articles) == ["/a1?utm_source=rss&utm_medium=feed", "/a2", "/a3"]


def test_a_relative_guid_is_the_id_as_written_wherever_the_feed_lives(engine, server,
                                                                     base_settings):
    # feedparser resolves a relative permalink GUID against the feed's address; an id must not
    # change when the feed moves, or every item would be stored again.
    server.route("/feed", b'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
                 b"<item><title>Stockholm och smart stad</title><guid>item-7</guid>"
                 b"<link>/nyheter/7</link><description>Text</description></item>"
                 b"</channel></rss>")
    settings = make_settings(base_settings, [{"key": "f", "kind": "feed",
                                              "url": server.url("/feed")}])
    jobs.collect_all(engine, settings)
    with transaction(engine) as session:
        (external_id, url), = session.execute(select(Mention.external_id, Mention.url)).all()
    assert external_id == "item-7"
    assert url == server.url("/nyheter/7")  # a relative link is still made absolute
