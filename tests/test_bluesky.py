"""Bluesky collection (XRPC through the Fetcher) against a fake Bluesky on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from collectors import bluesky
from collectors.errors import CollectError
from collectors.http import Fetcher
from pulse import jobs
from pulse.settings import SourceConfig
from store.db import transaction
from store.models import FetchState, Mention, Source
from store.queries import source_health
from tests.bskyapi import FakeBluesky
from tests.conftest import make_settings

USER_AGENT = "Pulse/test (City of Stockholm media monitoring; +mailto:test@example.org)"


@pytest.fixture
def api():
    """A running fake Bluesky service."""
    fake = FakeBluesky().start()
    yield fake
    fake.stop()


@pytest.fixture
def login_env(api):
    """The environment with the fake service's handle and app password."""
    return {bluesky.HANDLE_ENV: api.handle, bluesky.PASSWORD_ENV: api.app_password}


@pytest.fixture
def world(api):
    """A city account with a thread (reply, reply to the reply), a repost, a quote, a mention."""
    w = {}
    w["city"] = api.add_account("stockholm.se", "Stockholms stad")
    w["anna"] = api.add_account("anna.bsky.social", "Anna K")
    w["kth"] = api.add_account("kth.se", "KTH")
    w["kth_post"] = api.post(w["kth"], "Vår forskning om uppkopplade städer", hours_ago=40)
    w["root"] = api.post(w["city"], "Nu öppnar vi data om cykelbanor i Stockholm",
                         hours_ago=30, likes=12, reposts=3)
    w["reply"] = api.post(w["anna"], "Äntligen! Finns ett API?", reply_to=w["root"],
                          hours_ago=29)
    w["answer"] = api.post(w["city"], "Ja, på dataportalen.", reply_to=w["reply"],
                           hours_ago=28)
    w["deeper"] = api.post(w["kth"], "Vi använder det i en kurs.", reply_to=w["reply"],
                           hours_ago=27)
    w["repost"] = api.repost(w["city"], w["kth_post"], hours_ago=20)
    w["quote"] = api.post(w["kth"], "Spännande!", quote=w["root"], hours_ago=5)
    w["mention"] = api.post(w["anna"], "Bra möte med @stockholm.se om smart stad",
                            hours_ago=3, mentions=[w["city"]])
    w["unrelated"] = api.post(w["anna"], "Fotboll ikväll", hours_ago=2)
    return w


def _fetcher(**kwargs) -> Fetcher:
    return Fetcher(USER_AGENT, **{"connect_timeout": 1.0, "read_timeout": 2.0, "backoff": 0.01,
                                  **kwargs})


def _collector(api, kind="bluesky_account", env=None, fetcher=None, **cfg):
    target = {"username": "stockholm.se"} if kind == "bluesky_account" else \
        {"query": "smart stad"}
    source = SourceConfig(**{"key": "bsky", "kind": kind, "api_base_url": api.base_url,
                             **target, **cfg})
    return bluesky.build(source, fetcher or _fetcher(), env or {})


@pytest.fixture(autouse=True)
def _fresh_sessions():
    bluesky._sessions.clear()
    yield
    bluesky._sessions.clear()


def _by_id(result):
    return {item.external_id: item for item in result.items}


def test_account_collects_its_feed_and_the_replies_in_its_threads(api, world):
    result = _collector(api).collect({})
    items = _by_id(result)
    w = world
    expected = {w["root"]["uri"]: "timeline", w["answer"]["uri"]: "timeline",
                w["repost"]["uri"]: "timeline", w["reply"]["uri"]: "replies",
                w["deeper"]["uri"]: "replies"}
    assert {k: v.raw["stream"] for k, v in items.items()} == expected

    root = items[w["root"]["uri"]]
    rkey = w["root"]["uri"].rsplit("/", 1)[1]
    assert root.url == f"https://bsky.app/profile/stockholm.se/post/{rkey}"
    assert (root.author_handle, root.author_name, root.platform) == (
        "stockholm.se", "Stockholms stad", "bluesky")
    assert root.text == w["root"]["record"]["text"]
    assert root.published_at == api.now.replace(microsecond=0) - __import__(
        "datetime").timedelta(hours=30)
    assert (root.relation, root.parent_external_id) == (None, None)
    assert root.conversation_id == w["root"]["uri"]
    assert root.engagement == {"likes": 12, "reposts": 3, "replies": 1, "quotes": 0}
    assert root.voice is None  # the source's voice

    reply = items[w["reply"]["uri"]]
    assert (reply.relation, reply.parent_external_id, reply.conversation_id) == (
        "reply", w["root"]["uri"], w["root"]["uri"])
    assert reply.voice == "third_party" and reply.author_handle == "anna.bsky.social"
    deeper = items[w["deeper"]["uri"]]
    assert (deeper.relation, deeper.parent_external_id, deeper.conversation_id) == (
        "reply", w["reply"]["uri"], w["root"]["uri"])
    answer = items[w["answer"]["uri"]]
    assert answer.relation == "reply" and answer.parent_external_id == w["reply"]["uri"]
    repost = items[w["repost"]["uri"]]
    assert (repost.relation, repost.parent_external_id) == ("repost", w["kth_post"]["uri"])
    assert repost.text == w["kth_post"]["record"]["text"]
    assert repost.author_handle == "stockholm.se"

    feed = api.seen("app.bsky.feed.getAuthorFeed")[0].params
    assert feed["actor"] == ["stockholm.se"] and feed["filter"] == ["posts_with_replies"]
    assert feed["limit"] == ["100"]
    assert api.seen("app.bsky.feed.getPostThread")[0].params["uri"] == [w["root"]["uri"]]
    assert api.seen("app.bsky.feed.searchPosts") == []  # mentions need a login
    assert all("Authorization" not in r.headers for r in api.requests)
    assert {r.headers["User-Agent"] for r in api.requests} == {USER_AGENT}
    assert result.cursor["account"] == "stockholm.se"
    assert result.cursor["timeline_since"] == w["repost"]["indexedAt"]
    assert result.cursor["threads"] == {w["root"]["uri"]: w["deeper"]["indexedAt"]}


def test_second_run_returns_only_what_is_new(api, world):
    collector = _collector(api)
    first = collector.collect({})
    fresh = api.post(world["city"], "Ny sensor på Sveavägen", hours_ago=0.5)
    reply = api.post(world["anna"], "Var då?", reply_to=world["root"], hours_ago=0.4)
    on_fresh = api.post(world["kth"], "Bra!", reply_to=fresh, hours_ago=0.3)
    second = collector.collect(first.cursor)
    assert set(_by_id(second)) == {fresh["uri"], reply["uri"], on_fresh["uri"]}
    assert set(second.cursor["threads"]) == {world["root"]["uri"], fresh["uri"]}
    third = collector.collect(second.cursor)
    assert third.items == [] and third.cursor == second.cursor


def test_author_feed_pages_until_the_cursor_and_at_most_max_pages(api, world):
    api.page_size = 2
    result = _collector(api).collect({})
    assert len(api.seen("app.bsky.feed.getAuthorFeed")) == 2  # 3 entries, 2 a page
    assert api.seen("app.bsky.feed.getAuthorFeed")[1].params["cursor"]
    assert len(result.items) == 5
    for n in range(12):
        api.post(world["city"], f"Inlägg {n}", hours_ago=1 - n / 100)
    capped = _collector(api, max_pages=3).collect(result.cursor)
    assert len(api.seen("app.bsky.feed.getAuthorFeed")) == 5
    assert len([i for i in capped.items if i.raw["stream"] == "timeline"]) == 6


def test_login_once_and_the_token_only_to_the_service(api, world, login_env):
    collector = _collector(api, env=login_env)
    result = collector.collect({})
    again = _collector(api, env=login_env)
    again.collect(result.cursor)
    logins = api.seen("com.atproto.server.createSession")
    assert len(logins) == 1  # the session is kept in memory for the process
    assert json.loads(logins[0].body) == {"identifier": api.handle,
                                          "password": api.app_password}
    calls = [r for r in api.requests if r.method != "com.atproto.server.createSession"]
    assert calls and all(r.headers["Authorization"].startswith("Bearer ey") for r in calls)
    mention = _by_id(result)[world["mention"]["uri"]]
    assert mention.raw["stream"] == "mentions" and mention.voice == "third_party"
    assert api.seen("app.bsky.feed.searchPosts")[0].params["mentions"] == ["stockholm.se"]
    assert "mentions_since" in result.cursor
    assert api.app_password not in json.dumps(result.cursor)
    assert not any(t in json.dumps(result.cursor) for t in api.tokens)


def test_an_expired_token_is_renewed_once(api, world, login_env):
    collector = _collector(api, env=login_env)
    collector.collect({})
    api.expire_tokens()
    api.post(world["city"], "Efter förnyelsen", hours_ago=0.1)
    result = _collector(api, env=login_env).collect({})
    assert len(api.seen("com.atproto.server.createSession")) == 2
    assert any(i.text == "Efter förnyelsen" for i in result.items)


def test_search_needs_a_login(api, world):
    with pytest.raises(CollectError) as err:
        _collector(api, kind="bluesky_search")
    assert err.value.kind == "no_credentials" and bluesky.PASSWORD_ENV in err.value.detail
    assert api.requests == []


def test_search_keeps_its_since_and_sends_it(api, world, login_env):
    collector = _collector(api, kind="bluesky_search", env=login_env)
    first = collector.collect({})
    assert [i.external_id for i in first.items] == [world["mention"]["uri"]]
    assert first.items[0].raw["stream"] == "search" and first.items[0].voice is None
    params = api.seen("app.bsky.feed.searchPosts")[0].params
    assert params["q"] == ["smart stad"] and params["sort"] == ["latest"]
    assert "since" not in params
    assert first.cursor == {"query": "smart stad",
                            "search_since": world["mention"]["indexedAt"]}
    newer = api.post(world["kth"], "Seminarium om smart stad", hours_ago=0.2)
    second = collector.collect(first.cursor)
    assert api.seen("app.bsky.feed.searchPosts")[-1].params["since"] == [
        world["mention"]["indexedAt"]]
    # `since` is inclusive: the boundary post comes again and the store keeps it once
    assert {i.external_id for i in second.items} == {newer["uri"], world["mention"]["uri"]}


def test_wrong_app_password_is_unauthorized_and_never_shown(api, world):
    env = {bluesky.HANDLE_ENV: api.handle, bluesky.PASSWORD_ENV: "wrong-pass-word-1234"}
    with pytest.raises(CollectError) as err:
        _collector(api, env=env).collect({})
    assert err.value.kind == "unauthorized"
    assert "wrong-pass-word-1234" not in str(err.value)


def test_rate_limit_with_a_long_retry_after_gives_up_at_once(api, world):
    api.fail("app.bsky.feed.getAuthorFeed", 429, headers={"Retry-After": "120"})
    started = time.monotonic()
    with pytest.raises(CollectError) as err:
        _collector(api).collect({})
    assert time.monotonic() - started < 2
    assert err.value.kind == "rate_limited" and err.value.retry_after == 120
    assert len(api.seen("app.bsky.feed.getAuthorFeed")) == 1


@pytest.mark.parametrize(("status", "body", "kind"), [
    (500, None, "server_error"),
    (502, None, "server_error"),
    (200, b'{"feed": [', "malformed"),
    (200, b'{"feed": {"not": "a list"}}', "malformed"),
    (400, {"error": "InvalidRequest", "message": "Profile not found"}, "http_error"),
])
def test_failures_are_classified(api, world, status, body, kind):
    api.fail("app.bsky.feed.getAuthorFeed", status, body=body, times=None)
    with pytest.raises(CollectError) as err:
        _collector(api).collect({})
    assert err.value.kind == kind


def test_a_hanging_service_times_out(api, world):
    api.fail("app.bsky.feed.getAuthorFeed", 200, body=b'{"feed": []}', delay=5, times=None)
    with pytest.raises(CollectError) as err:
        _collector(api, fetcher=_fetcher(read_timeout=0.3, retries=0)).collect({})
    assert err.value.kind == "timeout"


def test_a_deleted_thread_is_dropped(api, world):
    first = _collector(api).collect({})
    del api.posts[world["root"]["uri"]]
    second = _collector(api).collect(first.cursor)
    assert world["root"]["uri"] not in second.cursor["threads"]


def test_defaults_are_the_public_appview_and_the_entryway():
    source = SourceConfig(key="b", kind="bluesky_account", username="stockholm.se")
    collector = bluesky.build(source, _fetcher(), {})
    assert collector._api == "https://public.api.bsky.app"
    logged_in = bluesky.build(source, _fetcher(), {bluesky.HANDLE_ENV: "a.bsky.social",
                                                   bluesky.PASSWORD_ENV: "x"})
    assert logged_in._api == "https://bsky.social"


# --- through the real job -----------------------------------------------------------------

def test_job_stores_each_post_once_with_platform_and_no_secret(engine, api, world, base_settings,
                                                               login_env, monkeypatch, caplog):
    for name, value in login_env.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.DEBUG)
    settings = make_settings(base_settings, [{
        "key": "stockholm-bsky", "kind": "bluesky_account", "username": "stockholm.se",
        "api_base_url": api.base_url, "voice": "own"}])
    assert settings.sources[0].effective_channel == "social"
    jobs.sync_config_sources(engine, settings)
    first = jobs.collect_source(engine, settings, "stockholm-bsky")
    assert first.error_kind is None and first.new_items == 6
    again = jobs.collect_source(engine, settings, "stockholm-bsky")
    assert again.error_kind is None and again.new_items == 0
    with transaction(engine) as s:
        mentions = {m.external_id: m for m in s.scalars(
            select(Mention).options(selectinload(Mention.author)))}
        cursor = s.scalars(select(FetchState.cursor).join(Source)).one()
    assert len(mentions) == 6
    root = mentions[world["root"]["uri"]]
    assert root.voice == "own" and root.author.platform == "bluesky"
    assert mentions[world["reply"]["uri"]].voice == "third_party"
    assert mentions[world["reply"]["uri"]].relation == "reply"
    with transaction(engine) as s:
        (health,) = source_health(s)
    assert (health["key"], health["channel"], health["mentions"]) == (
        "stockholm-bsky", "social", 6)  # the dashboard's sources page reads this
    dumped = json.dumps(cursor) + caplog.text
    assert api.app_password not in dumped
    assert not any(t in dumped for t in api.tokens)
