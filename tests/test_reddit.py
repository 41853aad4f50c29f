"""Reddit collection (JSON listings through the Fetcher) against a fake Reddit on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import time

import pytest
from sqlalchemy import select

from collectors import reddit
from collectors.errors import CollectError
from collectors.http import Fetcher
from pulse import jobs
from pulse.settings import SourceConfig
from store.db import transaction
from store.models import FetchState, Mention
from store.queries import source_health
from tests.conftest import make_settings
from tests.redditapi import FakeReddit

USER_AGENT = "Pulse/test (City of Stockholm media monitoring; +mailto:test@example.org)"


@pytest.fixture
def api():
    """A running fake Reddit."""
    fake = FakeReddit().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _fresh_tokens():
    reddit._tokens.clear()
    yield
    reddit._tokens.clear()


@pytest.fixture
def creds(api):
    """The environment with the fake Reddit's app credentials."""
    return {reddit.CLIENT_ID_ENV: api.client_id, reddit.CLIENT_SECRET_ENV: api.client_secret}


@pytest.fixture
def world(api):
    """r/stockholm with a self post, a link post, a crosspost, comments and a reply."""
    w = {}
    w["self"] = api.submit("anna_k", "Skolplattformen krånglar igen",
                           "Någon mer som inte kan logga in? &amp; varför?", hours_ago=10,
                           score=42)
    w["link"] = api.submit("nyheter_sthlm", "Stockholm satsar på smart stad",
                           url="https://www.svt.se/nyheter/lokalt/stockholm/x", hours_ago=8)
    w["comment"] = api.comment("erik", "Samma här sedan i morse.", w["self"], hours_ago=9)
    w["reply"] = api.comment("anna_k", "Tack, skönt att veta", w["comment"], hours_ago=8.5)
    w["deleted"] = api.comment("[deleted]", "[removed]", w["self"], hours_ago=7)
    api.subreddits.add("sweden")
    w["elsewhere"] = api.submit("per", "Smart stad i Göteborg", sub="sweden", hours_ago=6)
    w["crosspost"] = api.submit("per", "Smart stad i Göteborg", hours_ago=5,
                                crosspost_of=w["elsewhere"])
    return w


def _fetcher(**kwargs) -> Fetcher:
    return Fetcher(USER_AGENT, **{"connect_timeout": 1.0, "read_timeout": 2.0, "backoff": 0.01,
                                  **kwargs})


def _collector(api, kind="reddit_subreddit", env=None, fetcher=None, **cfg):
    target = {"subreddit": "stockholm"} if kind == "reddit_subreddit" else \
        {"query": "smart stad"}
    source = SourceConfig(**{"key": "r", "kind": kind, "api_base_url": api.base_url,
                             **target, **cfg})
    return reddit.build(source, fetcher or _fetcher(), env or {})


def _by_id(result):
    return {item.external_id: item for item in result.items}


def test_subreddit_collects_posts_and_comments_from_public_listings(api, world):
    result = _collector(api).collect({})
    items = _by_id(result)
    w = world
    assert set(items) == {w[k]["name"] for k in ("self", "link", "comment", "reply",
                                                 "crosspost")}
    post = items[w["self"]["name"]]
    assert post.title == "Skolplattformen krånglar igen"
    assert post.text == "Någon mer som inte kan logga in? &amp; varför?"
    assert post.url == f"https://www.reddit.com{w['self']['permalink']}"
    assert (post.author_handle, post.platform, post.voice) == ("anna_k", "reddit", None)
    assert post.published_at.timestamp() == w["self"]["created_utc"]
    assert post.conversation_id == w["self"]["name"] and post.relation is None
    assert post.engagement == {"likes": 42, "replies": 3}
    link = items[w["link"]["name"]]
    assert link.text == link.title == "Stockholm satsar på smart stad"
    assert link.raw["url"] == "https://www.svt.se/nyheter/lokalt/stockholm/x"
    comment = items[w["comment"]["name"]]
    assert (comment.relation, comment.parent_external_id, comment.conversation_id) == (
        "reply", w["self"]["name"], w["self"]["name"])
    assert comment.parent_url == w["self"]["url"]
    reply = items[w["reply"]["name"]]
    assert (reply.relation, reply.parent_external_id) == ("reply", w["comment"]["name"])
    crosspost = items[w["crosspost"]["name"]]
    assert (crosspost.relation, crosspost.parent_external_id) == (
        "repost", w["elsewhere"]["name"])

    paths = [r.path for r in api.requests]
    assert paths == ["/r/stockholm/new.json", "/r/stockholm/comments.json"]
    assert all(r.params["limit"] == "100" and r.params["raw_json"] == "1"
               for r in api.requests)
    assert all("Authorization" not in r.headers for r in api.requests)
    assert {r.headers["User-Agent"] for r in api.requests} == {USER_AGENT}
    assert result.cursor == {
        "subreddit": "stockholm",
        "posts_since": w["crosspost"]["created_utc"], "posts_at": [w["crosspost"]["name"]],
        "comments_since": w["deleted"]["created_utc"], "comments_at": [w["deleted"]["name"]]}


def test_second_run_gets_only_new_things_even_in_the_same_second(api, world):
    collector = _collector(api)
    first = collector.collect({})
    same_second = api.submit("lisa", "Ny post samma sekund", hours_ago=5)
    assert same_second["created_utc"] == world["crosspost"]["created_utc"]
    newer = api.comment("erik", "Ny kommentar", world["link"], hours_ago=0.1)
    second = collector.collect(first.cursor)
    assert set(_by_id(second)) == {same_second["name"], newer["name"]}
    assert second.cursor["posts_at"] == sorted([world["crosspost"]["name"],
                                                same_second["name"]])
    third = collector.collect(second.cursor)
    assert third.items == [] and third.cursor == second.cursor


def test_paging_follows_after_until_the_cursor_and_at_most_max_pages(api, world):
    api.page_size = 2
    first = _collector(api).collect({})
    new_pages = [r for r in api.requests if r.path.endswith("/new.json")]
    assert len(new_pages) == 2 and new_pages[1].params["after"] == world["link"]["name"]
    assert len(first.items) == 5
    for n in range(10):
        api.submit("bot", f"Post {n}", hours_ago=1 - n / 100)
    capped = _collector(api, max_pages=3).collect(first.cursor)
    assert len([i for i in capped.items if i.raw["stream"] == "posts"]) == 6


def test_search_in_a_subreddit_and_site_wide(api, world):
    result = _collector(api, kind="reddit_search", subreddit="stockholm").collect({})
    assert {i.external_id for i in result.items} == {world["link"]["name"],
                                                     world["crosspost"]["name"]}
    seen = api.requests[-1]
    assert seen.path == "/r/stockholm/search.json"
    assert (seen.params["q"], seen.params["sort"], seen.params["restrict_sr"]) == (
        "smart stad", "new", "1")
    wide = _collector(api, kind="reddit_search").collect({})
    assert api.requests[-1].path == "/search.json"
    assert world["elsewhere"]["name"] in {i.external_id for i in wide.items}
    assert wide.cursor["query"] == "smart stad" and "subreddit" not in wide.cursor


def test_oauth_login_once_and_the_token_only_to_the_api(api, world, creds):
    result = _collector(api, env=creds).collect({})
    _collector(api, env=creds).collect(result.cursor)
    logins = [r for r in api.requests if r.path == "/api/v1/access_token"]
    assert len(logins) == 1
    listings = [r for r in api.requests if r.path != "/api/v1/access_token"]
    assert [r.path for r in listings[:2]] == ["/r/stockholm/new", "/r/stockholm/comments"]
    assert all(r.headers["Authorization"].startswith("Bearer ") for r in listings)
    assert len(result.items) == 5
    dumped = json.dumps(result.cursor)
    assert api.client_secret not in dumped and not any(t in dumped for t in api.tokens)


def test_a_revoked_token_is_renewed_once(api, world, creds):
    _collector(api, env=creds).collect({})
    api.tokens.clear()
    result = _collector(api, env=creds).collect({})
    assert len([r for r in api.requests if r.path == "/api/v1/access_token"]) == 2
    assert len(result.items) == 5


def test_a_wrong_secret_is_unauthorized_and_never_shown(api, world):
    env = {reddit.CLIENT_ID_ENV: api.client_id, reddit.CLIENT_SECRET_ENV: "not-the-secret-42"}
    with pytest.raises(CollectError) as err:
        _collector(api, env=env).collect({})
    assert err.value.kind == "unauthorized" and "not-the-secret-42" not in str(err.value)


def test_half_the_credentials_is_no_credentials(api):
    with pytest.raises(CollectError) as err:
        _collector(api, env={reddit.CLIENT_ID_ENV: "only-the-id"})
    assert err.value.kind == "no_credentials" and reddit.CLIENT_SECRET_ENV in err.value.detail


def test_an_unknown_subreddit_is_not_found(api):
    with pytest.raises(CollectError) as err:
        _collector(api, subreddit="finnsinte").collect({})
    assert err.value.kind == "not_found"


def test_rate_limited_with_a_long_retry_after_gives_up_at_once(api, world):
    api.fail("/new", 429, body=b"<html>Too Many Requests</html>",
             headers={"Retry-After": "600"}, times=None)
    started = time.monotonic()
    with pytest.raises(CollectError) as err:
        _collector(api).collect({})
    assert time.monotonic() - started < 2
    assert err.value.kind == "rate_limited" and err.value.retry_after == 600
    assert len(api.requests) == 1


@pytest.mark.parametrize(("status", "body", "kind"), [
    (403, None, "forbidden"),
    (500, None, "server_error"),
    (200, b"<!doctype html><title>reddit</title>", "malformed"),
    (200, b'{"kind": "Listing", "data": {"children": {}}}', "malformed"),
])
def test_failures_are_classified(api, world, status, body, kind):
    api.fail("/new", status, body=body, times=None)
    with pytest.raises(CollectError) as err:
        _collector(api).collect({})
    assert err.value.kind == kind


def test_defaults_are_reddits_hosts():
    source = SourceConfig(key="r", kind="reddit_subreddit", subreddit="r/stockholm")
    collector = reddit.build(source, _fetcher(), {})
    assert collector.subreddit == "stockholm"
    assert collector._url("/r/stockholm/new", {}) == \
        "https://www.reddit.com/r/stockholm/new.json?raw_json=1"
    logged_in = reddit.build(source, _fetcher(), {reddit.CLIENT_ID_ENV: "a",
                                                  reddit.CLIENT_SECRET_ENV: "b"})
    assert logged_in._url("/r/stockholm/new", {}) == \
        "https://oauth.reddit.com/r/stockholm/new?raw_json=1"
    assert logged_in.token_url == "https://www.reddit.com/api/v1/access_token"


def test_job_stores_each_item_once(engine, api, world, base_settings, creds, monkeypatch,
                                   caplog):
    for name, value in creds.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.DEBUG)
    settings = make_settings(base_settings, [{"key": "r-stockholm", "kind": "reddit_subreddit",
                                              "subreddit": "stockholm",
                                              "api_base_url": api.base_url}])
    assert settings.sources[0].effective_channel == "social"
    jobs.sync_config_sources(engine, settings)
    first = jobs.collect_source(engine, settings, "r-stockholm")
    assert first.error_kind is None and first.new_items == 5
    assert jobs.collect_source(engine, settings, "r-stockholm").new_items == 0
    with transaction(engine) as s:
        stored = {m.external_id: m for m in s.scalars(select(Mention))}
        cursor = s.scalars(select(FetchState.cursor)).one()
    assert stored[world["reply"]["name"]].relation == "reply"
    assert stored[world["reply"]["name"]].parent_external_id == world["comment"]["name"]
    with transaction(engine) as s:
        (health,) = source_health(s)
    assert (health["channel"], health["mentions"], health["kind"]) == (
        "social", 5, "reddit_subreddit")
    dumped = json.dumps(cursor) + caplog.text
    assert api.client_secret not in dumped and not any(t in dumped for t in api.tokens)
