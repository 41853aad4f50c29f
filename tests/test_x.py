"""X collection (tweepy Client, API v2) against a fake X API on 127.0.0.1 (tests/xapi.py)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from collectors import x
from collectors.errors import CollectError
from collectors.http import Fetcher, PoliteSession
from pulse import jobs
from pulse.settings import SourceConfig
from store.db import transaction
from store.models import FetchState, Mention, Source
from tests.conftest import make_settings
from tests.xapi import FakeXAPI, snowflake

TOKEN = "test-token"
ENV = {x.TOKEN_ENV: TOKEN}
USER_AGENT = "Pulse/test (City of Stockholm media monitoring; +mailto:test@example.org)"


@pytest.fixture
def api():
    """A running fake X API."""
    fake = FakeXAPI(token=TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def world(api):
    """The city's account, a thread with a reply to a reply, a repost, mentions, a quote."""
    w = {}
    w["city"] = api.add_user("smartsthlm", "Smart Stad Stockholm",
                             "Stockholms stads konto för smart stad", followers=5400,
                             verified=True)
    w["anna"] = api.add_user("anna_k", "Anna K", "Invånare i Hägersten", followers=120)
    w["kth"] = api.add_user("kthuniversity", "KTH", "Kungliga Tekniska högskolan",
                            followers=90000, verified=True)
    w["other"] = api.add_user("fotbollsfan", "Fan")
    w["kth_post"] = api.post(w["kth"], "Ny forskning om hur smarta och uppkopplade städer kan "
                             "bli mer hållbara: vi har följt Stockholms arbete med öppna data "
                             "och sensorer i tre år och publicerar nu resultaten.", hours_ago=40)
    w["root"] = api.post(w["city"], "Nu lanserar vi öppna data för cykelbanor i Stockholm",
                         hours_ago=30, likes=12, reposts=3, replies=2, quotes=1)
    w["reply"] = api.post(w["anna"], "@smartsthlm Äntligen! Finns API:et dokumenterat?",
                          reply_to=w["root"], hours_ago=29, likes=3)
    w["answer"] = api.post(w["city"], "@anna_k Ja, på dataportalen.", reply_to=w["reply"],
                           hours_ago=28)
    w["deeper"] = api.post(w["kth"], "@anna_k Vi använder det redan i en kurs.",
                           reply_to=w["reply"], hours_ago=27, likes=4)
    w["repost"] = api.post(w["city"], "", repost=w["kth_post"], hours_ago=20)
    w["mention"] = api.post(w["anna"], "Bra möte med @smartsthlm om uppkopplade stadsdelar",
                            hours_ago=10)
    w["quote"] = api.post(w["kth"], "Spännande! @smartsthlm", quote=w["root"], hours_ago=5,
                          quotes=0, likes=7)
    w["unrelated"] = api.post(w["other"], "Fotboll ikväll", hours_ago=2)
    return w


def _fetcher(**kwargs) -> Fetcher:
    return Fetcher(USER_AGENT, **{"connect_timeout": 1.0, "read_timeout": 2.0, **kwargs})


def _collector(api, kind: str = "x_user", env=None, fetcher=None, **cfg) -> x.XCollector:
    target = {"username": "smartsthlm"} if kind == "x_user" else {"query": "smart stad"}
    source = SourceConfig(**{"key": "x", "kind": kind, "api_base_url": api.base_url,
                             **target, **cfg})
    return x.build(source, fetcher or _fetcher(), ENV if env is None else env)


def _collect_within(collector: x.XCollector, cursor: dict, seconds: float):
    """Collect in a thread; fail (instead of hanging the suite) if it takes longer."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = collector.collect(cursor)
        except BaseException as exc:  # re-raised in the test thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"collect() still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _by_id(result):
    return {item.external_id: item for item in result.items}


def test_user_collects_timeline_mentions_and_conversation_replies(api, world):
    result = _collector(api).collect({})
    items = _by_id(result)
    w = world
    streams = {key: items[w[key]["id"]].raw["stream"] for key in
               ("root", "answer", "repost", "reply", "mention", "quote", "deeper")}
    assert streams == {"root": "timeline", "answer": "timeline", "repost": "timeline",
                       "reply": "mentions", "mention": "mentions", "quote": "mentions",
                       "deeper": "replies"}
    assert len(items) == 7 and w["unrelated"]["id"] not in items

    root = items[w["root"]["id"]]
    assert root.kind == "post" and root.text == w["root"]["text"]
    assert root.url == f"https://x.com/smartsthlm/status/{w['root']['id']}"
    assert (root.author_handle, root.author_name, root.author_followers,
            root.author_verified) == ("smartsthlm", "Smart Stad Stockholm", 5400, True)
    assert root.author_description == "Stockholms stads konto för smart stad"
    assert root.published_at == api.now - timedelta(hours=30)
    assert root.published_at.utcoffset() == timedelta(0)
    assert root.conversation_id == w["root"]["id"]
    assert (root.relation, root.parent_external_id) == (None, None)
    assert root.engagement == {"likes": 12, "reposts": 3, "replies": 2, "quotes": 1}
    assert root.raw["edit_history_tweet_ids"] == [w["root"]["id"]]
    assert root.raw["lang"] == "sv"

    reply = items[w["reply"]["id"]]
    assert (reply.relation, reply.parent_external_id) == ("reply", w["root"]["id"])
    assert reply.conversation_id == w["root"]["id"]
    assert (reply.author_handle, reply.author_followers, reply.author_verified) == (
        "anna_k", 120, False)
    deeper = items[w["deeper"]["id"]]
    assert (deeper.relation, deeper.parent_external_id) == ("reply", w["reply"]["id"])
    assert deeper.conversation_id == w["root"]["id"] and deeper.author_handle == "kthuniversity"
    quote = items[w["quote"]["id"]]
    assert (quote.relation, quote.parent_external_id) == ("quote", w["root"]["id"])
    assert quote.engagement["likes"] == 7
    repost = items[w["repost"]["id"]]
    assert (repost.relation, repost.parent_external_id) == ("repost", w["kth_post"]["id"])
    assert repost.text == "RT @kthuniversity: " + w["kth_post"]["text"]  # not cut at 140

    search = api.seen("search")[0].params
    assert search["query"] == f"(to:smartsthlm OR conversation_id:{w['root']['id']}) " \
                              "-from:smartsthlm"
    for seen in api.seen("timeline") + api.seen("mentions") + api.seen("search"):
        assert set(seen.params["expansions"].split(",")) == {
            "author_id", "referenced_tweets.id", "in_reply_to_user_id"}
        assert set(seen.params["tweet.fields"].split(",")) >= {
            "created_at", "conversation_id", "in_reply_to_user_id", "referenced_tweets",
            "public_metrics", "lang", "author_id", "entities"}
        assert set(seen.params["user.fields"].split(",")) >= {
            "username", "name", "description", "verified", "public_metrics"}
        assert seen.params["max_results"] == "100" and "since_id" not in seen.params
    assert {r.headers["User-Agent"] for r in api.requests} == {USER_AGENT}
    assert {r.headers["Authorization"] for r in api.requests} == {f"Bearer {TOKEN}"}

    assert result.cursor == {
        "user_id": w["city"]["id"], "username": "smartsthlm",
        "timeline_since_id": w["repost"]["id"], "mentions_since_id": w["quote"]["id"],
        "replies_since_id": w["deeper"]["id"], "conversation_ids": [w["root"]["id"]]}


def test_second_run_sends_since_id_and_gets_only_new_posts(api, world):
    collector = _collector(api)
    first = collector.collect({})
    fresh = api.post(world["city"], "Ny sensor på Sveavägen", hours_ago=0.6)
    mention = api.post(world["anna"], "Tack @smartsthlm!", hours_ago=0.5)
    reply = api.post(world["other"], "Håller med", reply_to=fresh, hours_ago=0.4)

    second = collector.collect(first.cursor)
    assert set(_by_id(second)) == {fresh["id"], mention["id"], reply["id"]}
    assert _by_id(second)[reply["id"]].raw["stream"] == "replies"
    assert len(api.seen("user")) == 1  # the user id is kept in the cursor
    assert api.seen("timeline")[-1].params["since_id"] == first.cursor["timeline_since_id"]
    assert api.seen("mentions")[-1].params["since_id"] == first.cursor["mentions_since_id"]
    replies = api.seen("search")[-1].params
    assert replies["since_id"] == first.cursor["replies_since_id"]
    assert f"conversation_id:{fresh['id']}" in replies["query"]
    assert second.cursor["conversation_ids"] == [fresh["id"], world["root"]["id"]]

    third = collector.collect(second.cursor)
    assert third.items == [] and third.cursor == second.cursor


def test_a_thread_new_to_the_query_is_read_from_its_start(api, world):
    collector = _collector(api)
    first = collector.collect({})
    thread = api.post(world["anna"], "Vilka e-tjänster saknar ni?", hours_ago=50)
    # a reply older than the replies cursor, found only once the city joins the thread
    older = api.post(world["kth"], "Bygglov!", reply_to=thread, hours_ago=40)
    api.post(world["city"], "@anna_k Tipsa oss gärna", reply_to=thread, hours_ago=0.5)
    assert int(older["id"]) < int(first.cursor["replies_since_id"])

    second = collector.collect(first.cursor)
    assert older["id"] in _by_id(second)
    assert api.seen("search")[-1].params["since_id"] == thread["id"]
    assert second.cursor["replies_since_id"] == first.cursor["replies_since_id"]


def test_pagination_follows_next_token(api, world):
    api.page_size = 2
    result = _collector(api).collect({})
    assert len(result.items) == 7
    timeline = api.seen("timeline")
    assert len(timeline) == 2  # three own posts, two per page
    assert "pagination_token" not in timeline[0].params
    assert timeline[1].params["pagination_token"]
    assert all("next_token" not in r.params for r in timeline)
    search = api.seen("search")
    assert len(search) == 1 or search[1].params["next_token"]
    assert result.cursor["timeline_since_id"] == world["repost"]["id"]


def test_max_pages_stops_an_endless_next_token(api, world):
    api.page_size, api.endless = 2, True
    started = time.monotonic()
    result = _collector(api, max_pages=3).collect({})
    assert time.monotonic() - started < 5
    assert len(api.seen("timeline")) == 3 and len(api.seen("mentions")) == 3
    assert len(api.seen("search")) == 3
    assert result.cursor["timeline_since_id"] == world["repost"]["id"]


def test_rate_limit_with_reset_header_gives_up_at_once(api, world):
    collector = _collector(api)
    cursor = collector.collect({}).cursor
    before = dict(cursor)
    api.post(world["anna"], "Hej @smartsthlm", hours_ago=0.1)
    api.fail("mentions", 429, headers={"x-rate-limit-limit": "450",
                                       "x-rate-limit-remaining": "0",
                                       "x-rate-limit-reset": str(int(time.time()) + 120)})
    started = time.monotonic()
    with pytest.raises(CollectError) as err:
        _collect_within(collector, cursor, 5)
    assert time.monotonic() - started < 2
    assert err.value.kind == "rate_limited" and err.value.transient
    assert 100 < err.value.retry_after <= 121
    assert cursor == before
    assert len(api.seen("mentions")) == 2  # one per run: no retry


def test_rate_limit_without_reset_header_does_not_retry_forever(api, world):
    api.fail("timeline", 429, times=None)
    started = time.monotonic()
    with pytest.raises(CollectError) as err:
        _collect_within(_collector(api), {}, 5)
    assert time.monotonic() - started < 2
    assert err.value.kind == "rate_limited" and err.value.retry_after is None
    assert len(api.seen("timeline")) == 1


@pytest.mark.parametrize(("status", "body", "kind"), [
    (401, None, "unauthorized"),
    (403, None, "forbidden"),
    (500, None, "server_error"),
    (503, b"<html>over capacity</html>", "server_error"),
    (200, b'{"data": [{"id": "1", "text": ', "malformed"),
    (200, b"[1, 2, 3]", "malformed"),
    (200, b'{"data": {"not": "a list"}}', "malformed"),
])
def test_http_failures_are_classified(api, world, status, body, kind):
    api.fail("timeline", status, body=body, times=None)
    with pytest.raises(CollectError) as err:
        _collector(api).collect({})
    assert err.value.kind == kind
    assert TOKEN not in str(err.value)


def test_wrong_token_is_unauthorized(api, world):
    with pytest.raises(CollectError) as err:
        _collector(api, env={x.TOKEN_ENV: "expired-token"}).collect({})
    assert err.value.kind == "unauthorized" and "expired-token" not in str(err.value)


def test_unknown_account_is_not_found(api, world):
    with pytest.raises(CollectError) as err:
        _collector(api, username="finns_inte").collect({})
    assert err.value.kind == "not_found" and "finns_inte" in err.value.detail


def test_hanging_api_times_out(api, world):
    api.fail("timeline", 200, body=b"{}", delay=5)
    started = time.monotonic()
    with pytest.raises(CollectError) as err:
        _collector(api, fetcher=_fetcher(read_timeout=0.5, retries=0)).collect({})
    assert err.value.kind == "timeout"
    assert time.monotonic() - started < 3


def test_transient_faults_are_retried_by_the_shared_session(api, world):
    api.fail("timeline", 200, body=b"{}", delay=5)
    api.fail("mentions", 503, headers={"Retry-After": "0"})
    result = _collector(api, fetcher=_fetcher(read_timeout=0.5, backoff=0.01)).collect({})
    assert world["root"]["id"] in {i.external_id for i in result.items}
    assert len(api.seen("timeline")) == 2 and len(api.seen("mentions")) == 2


def test_requests_go_to_api_x_com_by_default():
    source = SourceConfig(key="x", kind="x_user", username="smartsthlm")
    session = x.build(source, _fetcher(), ENV).client.session
    adapter = session.get_adapter("https://api.twitter.com/2/users/1/tweets")
    assert adapter.base_url == "https://api.x.com"
    assert isinstance(session, PoliteSession) and session.manners.timeout == (1.0, 2.0)


def test_unreachable_api_is_a_connection_error():
    source = SourceConfig(key="x", kind="x_user", username="smartsthlm",
                          api_base_url="http://127.0.0.1:9")
    with pytest.raises(CollectError) as err:
        x.build(source, _fetcher(), ENV).collect({})
    assert err.value.kind == "connection"


@pytest.mark.parametrize("env", [{}, {x.TOKEN_ENV: ""}, {x.TOKEN_ENV: "   "}])
def test_no_token_is_no_credentials(env):
    source = SourceConfig(key="x", kind="x_search", query="smart stad")
    with pytest.raises(CollectError) as err:
        x.build(source, _fetcher(), env)
    assert err.value.kind == "no_credentials" and x.TOKEN_ENV in err.value.detail


def test_partial_errors_do_not_fail_the_run(api, world, caplog):
    deleted = snowflake(api.now - timedelta(hours=3), 99)
    orphan = api.post(world["anna"], "@smartsthlm svarar på en borttagen post",
                      reply_to=deleted, hours_ago=1)
    api.extra_errors = [{"title": "Authorization Error", "resource_type": "user",
                         "detail": "Sorry, you are not authorized to see the user with id: "
                                   "[42].", "parameter": "in_reply_to_user_id",
                         "resource_id": "42", "value": "42",
                         "type": "https://api.twitter.com/2/problems/not-authorized-for-resource"}]
    with caplog.at_level(logging.WARNING, logger="collectors.x"):
        result = _collector(api).collect({})
    items = _by_id(result)
    assert len(items) == 8
    assert items[orphan["id"]].parent_external_id == deleted
    assert "partial errors" in caplog.text and "Could not find tweet" in caplog.text


def test_search_collects_and_keeps_its_own_since_id(api, world):
    hit = api.post(world["anna"], "Stockholm som smart stad, vad tycker ni?", hours_ago=3)
    collector = _collector(api, kind="x_search")
    first = collector.collect({})
    assert [i.external_id for i in first.items] == [hit["id"]]
    assert first.items[0].raw["stream"] == "search"
    assert api.seen("search")[0].params["query"] == "smart stad"
    assert first.cursor == {"query": "smart stad", "search_since_id": hit["id"]}
    newer = api.post(world["kth"], "Smart stad-seminarium på KTH", hours_ago=0.2)
    second = collector.collect(first.cursor)
    assert [i.external_id for i in second.items] == [newer["id"]]
    assert api.seen("search")[-1].params["since_id"] == hit["id"]


def test_search_drops_a_since_id_older_than_recent_search_allows(api, world):
    hit = api.post(world["anna"], "En smart stad behöver öppna data", hours_ago=3)
    stale = snowflake(api.now - timedelta(days=9))
    result = _collector(api, kind="x_search").collect(
        {"query": "smart stad", "search_since_id": stale})
    assert [i.external_id for i in result.items] == [hit["id"]]
    assert "since_id" not in api.seen("search")[-1].params
    changed = _collector(api, kind="x_search", query="cykelbanor").collect(result.cursor)
    assert "since_id" not in api.seen("search")[-1].params  # a new query starts afresh
    assert [i.external_id for i in changed.items] == [world["root"]["id"]]


def test_long_posts_use_the_note_text(api, world):
    long_text = "Stockholm " * 60
    post = api.post(world["city"], long_text[:270] + "…", note=long_text, hours_ago=1)
    items = _by_id(_collector(api).collect({}))
    assert items[post["id"]].text == long_text


# --- through the real job, on SQLite and PostgreSQL -------------------------------------

def _mentions(engine):
    with transaction(engine) as s:
        return list(s.scalars(select(Mention).options(selectinload(Mention.author))
                              .order_by(Mention.external_id)))


def _cursor(engine, key):
    with transaction(engine) as s:
        return s.scalars(select(FetchState.cursor).join(Source).where(Source.key == key)).one()


def test_job_stores_each_post_once_and_never_logs_the_token(engine, api, world, base_settings,
                                                            make_x_settings, monkeypatch, caplog):
    monkeypatch.setenv(x.TOKEN_ENV, TOKEN)
    caplog.set_level(logging.DEBUG)
    settings = make_x_settings(base_settings, api)
    jobs.sync_config_sources(engine, settings)
    first = jobs.collect_source(engine, settings, "smartsthlm-x")
    assert first.error_kind is None and (first.fetched, first.new_items) == (7, 7)
    stored = {m.external_id: m for m in _mentions(engine)}
    assert set(stored) == {world[k]["id"] for k in
                           ("root", "answer", "repost", "reply", "mention", "quote", "deeper")}
    reply = stored[world["reply"]["id"]]
    assert reply.relation == "reply" and reply.parent_external_id == world["root"]["id"]
    assert reply.conversation_id == world["root"]["id"]
    assert reply.author.handle == "anna_k" and reply.author.followers == 120
    assert stored[world["root"]["id"]].engagement["likes"] == 12
    # The account's own posts are the city's voice; mentions and replies are third parties.
    assert stored[world["root"]["id"]].voice == "own"
    assert reply.voice == "third_party"
    assert stored[world["mention"]["id"]].voice == "third_party"
    cursor = _cursor(engine, "smartsthlm-x")
    assert cursor["user_id"] == world["city"]["id"]

    again = jobs.collect_source(engine, settings, "smartsthlm-x")
    assert again.error_kind is None and again.new_items == 0
    assert len(_mentions(engine)) == 7

    assert any(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in api.requests)
    assert any("Authorization" in r.getMessage() for r in caplog.records)  # tweepy logged
    assert TOKEN not in caplog.text


def test_job_keeps_the_cursor_when_rate_limited(engine, api, world, base_settings,
                                                make_x_settings, monkeypatch):
    monkeypatch.setenv(x.TOKEN_ENV, TOKEN)
    settings = make_x_settings(base_settings, api)
    jobs.sync_config_sources(engine, settings)
    assert jobs.collect_source(engine, settings, "smartsthlm-x").new_items == 7
    before = _cursor(engine, "smartsthlm-x")
    new = api.post(world["anna"], "Hallå @smartsthlm", hours_ago=0.1)
    api.post(world["city"], "Ny post", hours_ago=0.2)
    api.fail("mentions", 429, headers={"x-rate-limit-reset": str(int(time.time()) + 60)})

    limited = jobs.collect_source(engine, settings, "smartsthlm-x")
    assert limited.error_kind == "rate_limited" and limited.new_items == 0
    assert _cursor(engine, "smartsthlm-x") == before  # the timeline part did not move it
    assert len(_mentions(engine)) == 7

    after = jobs.collect_source(engine, settings, "smartsthlm-x")
    assert after.error_kind is None and after.new_items == 2
    assert new["id"] in {m.external_id for m in _mentions(engine)}


def test_job_without_token_reports_no_credentials(engine, api, world, base_settings,
                                                  make_x_settings, monkeypatch):
    monkeypatch.delenv(x.TOKEN_ENV, raising=False)
    settings = make_x_settings(base_settings, api)
    jobs.sync_config_sources(engine, settings)
    outcome = jobs.collect_source(engine, settings, "smartsthlm-x")
    assert outcome.error_kind == "no_credentials"
    assert api.requests == []


@pytest.fixture
def make_x_settings():
    """Settings with one x_user source pointing at the fake API."""
    def make(base, api):
        return make_settings(base, [{"key": "smartsthlm-x", "kind": "x_user",
                                     "username": "smartsthlm", "api_base_url": api.base_url,
                                     "voice": "own"}])
    return make


def test_published_at_is_aware_utc(api, world):
    items = _collector(api).collect({}).items
    assert all(i.published_at.tzinfo is not None and i.published_at.utcoffset() == timedelta(0)
               for i in items)
    assert all(i.published_at.tzinfo == UTC for i in items)
