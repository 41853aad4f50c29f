"""Mastodon collection (kinds mastodon_tag, mastodon_account) against a real local HTTP server."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from collectors import mastodon
from collectors.errors import CollectError
from collectors.http import Fetcher
from pulse import jobs
from pulse.settings import SourceConfig
from store.db import transaction
from store.models import FetchState, Mention, Source
from tests.apiserver import requests_to, use_query_routes
from tests.conftest import fixture_bytes, make_settings

TAG = "/api/v1/timelines/tag/smartstad"
LOOKUP = "/api/v1/accounts/lookup"
CITY_ID = "109000000000000042"
STATUSES = f"/api/v1/accounts/{CITY_ID}/statuses"
UA = "Pulse/test (City of Stockholm media monitoring; +mailto:test@example.se)"
JSON = {"Content-Type": "application/json; charset=utf-8"}
S1, S2, S3, S4 = (f"11350000000000000{n}" for n in range(1, 5))


def _fixture(name: str) -> bytes:
    return fixture_bytes(f"mastodon/{name}")


def _links(server, path: str, older: str, newer: str) -> dict[str, str]:
    url = server.url(path)
    return {**JSON, "Link": f'<{url}?max_id={older}>; rel="next", '
                            f'<{url}?min_id={newer}>; rel="prev"'}


def _serve_tag(server) -> None:
    server.route(TAG, _fixture("tag_page1.json"), headers=_links(server, TAG, S2, S3))
    server.route(f"{TAG}?max_id={S2}", _fixture("tag_page2.json"),
                 headers=_links(server, TAG, S1, S1))
    server.route(f"{TAG}?max_id={S1}", b"[]", headers=JSON)


def _serve_tag_newer(server) -> None:
    server.route(f"{TAG}?since_id={S3}", _fixture("tag_new.json"),
                 headers=_links(server, TAG, S4, S4))
    server.route(f"{TAG}?since_id={S3}&max_id={S4}", b"[]", headers=JSON)


def _serve_account(server) -> None:
    server.route(f"{LOOKUP}?acct=stockholmsstad", _fixture("account.json"), headers=JSON)
    server.route(STATUSES, _fixture("account_statuses.json"),
                 headers=_links(server, STATUSES, "113600000000000011", "113600000000000013"))
    server.route(f"{STATUSES}?max_id=113600000000000011", b"[]", headers=JSON)


def _fetcher(**kwargs) -> Fetcher:
    return Fetcher(UA, **{"retries": 0, "read_timeout": 5.0, **kwargs})


def _tag_collector(server, fetcher: Fetcher | None = None, **settings):
    cfg = SourceConfig(key="tag", kind="mastodon_tag", url=server.base_url, tag="#smartstad",
                       **settings)
    return mastodon.build(cfg, fetcher or _fetcher())


def _account_collector(server, **settings):
    cfg = SourceConfig(key="city", kind="mastodon_account", url=server.base_url + "/",
                       username="@stockholmsstad", **settings)
    return mastodon.build(cfg, _fetcher())


@pytest.fixture
def instance(server):
    """The local server as a Mastodon instance, routing by path and query parameters."""
    return use_query_routes(server)


def test_building_makes_no_request(instance):
    _serve_tag(instance)
    _tag_collector(instance)
    _account_collector(instance)
    assert instance.requests == []


def test_hashtag_statuses_become_items(instance):
    _serve_tag(instance)
    result = _tag_collector(instance).collect({})
    by_id = {i.external_id: i for i in result.items}
    assert list(by_id) == [S3, S2, S1]
    first = by_id[S3]
    assert first.kind == "post"
    assert first.text == "Långt inlägg om sensorer\nBuller, trafik och luft i samma karta. " \
                         "#smartstad"
    assert first.published_at == datetime(2026, 11, 3, 7, 45, tzinfo=UTC)
    assert first.published_at.tzinfo is UTC
    assert first.url == "https://m.example/@anna/113500000000000003"
    assert first.author_handle == "anna@127.0.0.1"  # a local account gets its instance
    assert first.author_name == "Anna Andersson ✨"
    assert first.author_description == "Stadsplanerare i Stockholm. Cyklar året runt."
    assert first.author_followers == 812 and first.author_verified is None
    assert first.engagement == {"likes": 3, "reposts": 1, "replies": 0}
    assert first.relation is None and first.parent_external_id is None
    reply = by_id[S2]
    assert reply.text == "@anna Finns det ett API? Vi vill bygga en karta & dela den. #smartstad"
    assert reply.relation == "reply" and reply.parent_external_id == S1
    assert reply.author_handle == "erik@social.example"
    raw = json.loads(json.dumps(reply.raw))  # JSON-safe
    assert raw["created_at"] == "2026-11-02T09:30:00+00:00"
    assert raw["tags"] == ["smartstad"] and raw["account"]["acct"] == "erik@social.example"

    assert result.cursor == {"since_id": S3}
    pages = requests_to(instance, TAG)
    assert pages == [{"limit": "40"}, {"limit": "40", "max_id": S2},
                     {"limit": "40", "max_id": S1}]
    assert {h.get("User-Agent") for _, h in instance.requests} == {UA}


def test_second_run_asks_only_for_newer_statuses(instance):
    _serve_tag(instance)
    _serve_tag_newer(instance)
    collector = _tag_collector(instance)
    first = collector.collect({})
    second = _tag_collector(instance).collect(first.cursor)
    assert [i.external_id for i in second.items] == [S4]
    assert second.cursor == {"since_id": S4}
    later = requests_to(instance, TAG)[3:]
    assert later == [{"limit": "40", "since_id": S3},
                     {"limit": "40", "since_id": S3, "max_id": S4}]  # since_id kept on page 2


def test_statuses_a_server_repeats_are_not_returned_again(instance):
    _serve_tag(instance)  # this server ignores since_id
    result = _tag_collector(instance).collect({"since_id": S2})
    assert [i.external_id for i in result.items] == [S3]
    assert result.cursor == {"since_id": S3}
    assert len(requests_to(instance, TAG)) == 2  # page 2 brought nothing newer: stop


def test_paging_stops_at_max_pages(instance):
    _serve_tag(instance)
    result = _tag_collector(instance, max_pages=1).collect({})
    assert [i.external_id for i in result.items] == [S3, S2]
    assert len(requests_to(instance, TAG)) == 1
    assert result.cursor == {"since_id": S3}


def test_account_statuses_with_reply_and_repost(instance):
    _serve_account(instance)
    result = _account_collector(instance).collect({})
    by_id = {i.external_id: i for i in result.items}
    repost = by_id["113600000000000013"]
    assert repost.relation == "repost" and repost.parent_external_id == "113600000000000005"
    assert repost.text == "Stockholm är bäst på öppna data i Norden."
    assert repost.url == "https://social.example/@erik/113600000000000005"
    assert repost.author_handle == "stockholmsstad@127.0.0.1"
    assert repost.raw["reblog"]["account"] == "erik@social.example"
    reply = by_id["113600000000000012"]
    assert reply.relation == "reply" and reply.parent_external_id == "113600000000000011"
    assert result.cursor == {"acct": "stockholmsstad", "account_id": CITY_ID,
                             "since_id": "113600000000000013"}
    assert requests_to(instance, LOOKUP) == [{"acct": "stockholmsstad"}]
    assert requests_to(instance, STATUSES)[0] == {"limit": "40"}  # reblogs are not excluded

    instance.route(f"{STATUSES}?since_id=113600000000000013", b"[]", headers=JSON)
    again = _account_collector(instance).collect(result.cursor)
    assert again.items == [] and again.cursor == result.cursor
    assert len(requests_to(instance, LOOKUP)) == 1  # the account id came from the cursor
    assert requests_to(instance, STATUSES)[-1] == {"limit": "40",
                                                   "since_id": "113600000000000013"}


def test_account_id_that_is_gone_is_looked_up_again(instance):
    _serve_account(instance)  # /api/v1/accounts/1/statuses answers 404
    result = _account_collector(instance).collect({"acct": "stockholmsstad", "account_id": "1"})
    assert result.cursor["account_id"] == CITY_ID and len(result.items) == 3
    assert len(requests_to(instance, LOOKUP)) == 1


def test_rate_limit_is_reported_at_once_with_retry_after(instance):
    instance.route(TAG, json.dumps({"error": "Too many requests"}), status=429,
                   headers={**JSON, "Retry-After": "120",
                            "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0"})
    started = time.monotonic()
    with pytest.raises(CollectError) as err:
        _tag_collector(instance).collect({})
    assert err.value.kind == "rate_limited"
    assert err.value.retry_after == 120
    assert time.monotonic() - started < 3  # Mastodon.py did not sleep on it
    assert len(requests_to(instance, TAG)) == 1


@pytest.mark.parametrize(("status", "kind"), [
    (401, "unauthorized"), (403, "forbidden"), (404, "not_found"), (410, "not_found"),
    (500, "server_error"), (502, "server_error"), (422, "http_error"),
])
def test_http_errors_are_classified(instance, status, kind):
    instance.route(TAG, json.dumps({"error": "Nej"}), status=status, headers=JSON)
    with pytest.raises(CollectError) as err:
        _tag_collector(instance).collect({})
    assert err.value.kind == kind


def test_unknown_account_is_not_found(instance):
    instance.route(LOOKUP, json.dumps({"error": "Record not found"}), status=404, headers=JSON)
    with pytest.raises(CollectError) as err:
        _account_collector(instance).collect({})
    assert err.value.kind == "not_found"


@pytest.mark.parametrize("body", [b"<html><body>Maintenance</body></html>",
                                  b'{"error": "not a list"}'])
def test_non_json_or_non_list_answer_is_malformed(instance, body):
    instance.route(TAG, body, headers={"Content-Type": "text/html"})
    with pytest.raises(CollectError) as err:
        _tag_collector(instance).collect({})
    assert err.value.kind == "malformed"


def test_hanging_instance_times_out(instance):
    instance.route(TAG, _fixture("tag_page1.json"), delay=5, headers=JSON)
    started = time.monotonic()
    with pytest.raises(CollectError) as err:
        _tag_collector(instance, _fetcher(read_timeout=0.5)).collect({})
    assert err.value.kind == "timeout"
    assert time.monotonic() - started < 3


def test_unreachable_instance_is_a_connection_error():
    cfg = SourceConfig(key="tag", kind="mastodon_tag", url="http://127.0.0.1:9", tag="x")
    with pytest.raises(CollectError) as err:
        mastodon.build(cfg, _fetcher(connect_timeout=1)).collect({})
    assert err.value.kind == "connection"


def test_oversized_answer_is_refused(instance):
    _serve_tag(instance)
    with pytest.raises(CollectError) as err:
        _tag_collector(instance, _fetcher(max_bytes=2000)).collect({})
    assert err.value.kind == "too_large"


def test_source_filter_skips_irrelevant_statuses_in_the_pipeline(instance, base_settings):
    _serve_tag(instance)
    cfg = SourceConfig(key="tag", kind="mastodon_tag", url=instance.base_url, tag="smartstad",
                       filter="karta")
    assert len(mastodon.build(cfg, _fetcher()).collect({}).items) == 3  # collectors never filter
    result = jobs.run_pipeline(base_settings, cfg, _fetcher(), {})
    assert [i.external_id for i in result.items] == [S3, S2]
    assert result.skipped == result.filtered == 1 and result.cursor == {"since_id": S3}


def _mentions(engine, key: str) -> dict[str, Mention]:
    with transaction(engine) as s:
        rows = s.scalars(select(Mention).join(Source).where(Source.key == key)
                         .options(selectinload(Mention.author)))
        return {m.external_id: m for m in rows}


def _cursor(engine, key: str) -> dict:
    with transaction(engine) as s:
        return s.scalars(select(FetchState).join(Source).where(Source.key == key)).one().cursor


def test_job_stores_statuses_once_and_keeps_threads(engine, instance, base_settings):
    _serve_tag(instance)
    _serve_account(instance)
    settings = make_settings(base_settings, [
        {"key": "masto_tag", "kind": "mastodon_tag", "url": instance.base_url,
         "tag": "smartstad"},
        {"key": "masto_city", "kind": "mastodon_account", "url": instance.base_url,
         "username": "stockholmsstad", "voice": "own"},
    ])
    first = {o.key: o for o in jobs.collect_all(engine, settings)}
    assert (first["masto_tag"].error_kind, first["masto_tag"].new_items) == (None, 3)
    assert (first["masto_city"].error_kind, first["masto_city"].new_items) == (None, 3)
    second = {o.key: o for o in jobs.collect_all(engine, settings)}  # servers repeat all
    assert second["masto_tag"].new_items == 0 and second["masto_city"].new_items == 0
    tag = _mentions(engine, "masto_tag")
    assert sorted(tag) == [S1, S2, S3]
    reply, parent = tag[S2], tag[S1]
    assert reply.relation == "reply" and reply.parent_external_id == parent.external_id
    # A resident is stored as the keyed pseudonym of their acct, with no copy of it.
    from pulse.privacy import pseudonymiser

    assert reply.author.handle == pseudonymiser().handle("erik@social.example")
    assert reply.author.category == "private" and reply.author.followers == 95
    assert "erik" not in json.dumps(reply.raw).lower()
    # The link still opens the post, to answer it; a Mastodon link has no form without the
    # acct, so it keeps it until retention removes the link.
    assert reply.url == "https://social.example/@erik/113500000000000002"
    assert reply.engagement == {"likes": 2, "reposts": 0, "replies": 0}
    assert reply.published_at == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    assert reply.voice == "third_party"
    city = _mentions(engine, "masto_city")
    assert city["113600000000000013"].relation == "repost"
    assert all(m.voice == "own" for m in city.values())
    assert _cursor(engine, "masto_tag") == {"since_id": S3}
    assert _cursor(engine, "masto_city")["account_id"] == CITY_ID

    _serve_tag_newer(instance)
    third = jobs.collect_source(engine, settings, "masto_tag")
    assert third.error_kind is None and third.new_items == 1
    assert sorted(_mentions(engine, "masto_tag")) == [S1, S2, S3, S4]
    assert _cursor(engine, "masto_tag") == {"since_id": S4}
