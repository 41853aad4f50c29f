"""WordPress REST API collection (kind wordpress_api) against a real local HTTP server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from collectors import wordpress
from collectors.errors import CollectError
from collectors.http import Fetcher
from pulse import jobs
from pulse.settings import SourceConfig
from store.db import transaction
from store.models import FetchState, Mention, Source
from tests.apiserver import requests_to, use_query_routes
from tests.conftest import fixture_bytes, make_settings

POSTS = "/wp-json/wp/v2/posts"
COMMENTS = "/wp-json/wp/v2/comments"
UA = "Pulse/test (City of Stockholm media monitoring; +mailto:test@example.se)"
POSTS_AFTER = "2026-11-03T09:30:00+00:00"
COMMENTS_AFTER = "2026-11-03T11:45:00+00:00"


def _wp(name: str) -> bytes:
    return fixture_bytes(f"wp_api/{name}")


def _headers(total: int, pages: int) -> dict[str, str]:
    return {"Content-Type": "application/json; charset=UTF-8",
            "X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}


def _serve_site(server, posts: bytes | None = None, comments: bytes | None = None) -> None:
    server.route(POSTS, posts or _wp("posts.json"), headers=_headers(2, 1))
    server.route(COMMENTS, comments or _wp("comments.json"), headers=_headers(4, 1))
    server.route(f"{POSTS}/97", _wp("post_97.json"), headers=_headers(1, 1))
    server.route(f"{POSTS}/55", json.dumps({
        "code": "rest_post_invalid_id", "message": "Ogiltigt inläggs-ID.",
        "data": {"status": 404}}), status=404, headers={"Content-Type": "application/json"})


def _serve_newer(server) -> None:
    server.route(f"{POSTS}?{urlencode({'after': POSTS_AFTER})}", _wp("posts_new.json"),
                 headers=_headers(1, 1))
    server.route(f"{COMMENTS}?{urlencode({'after': COMMENTS_AFTER})}", _wp("comments_new.json"),
                 headers=_headers(1, 1))


def _collector(server, **settings) -> wordpress.WordPressApiCollector:
    cfg = SourceConfig(key="blog", kind="wordpress_api", url=server.base_url + "/", **settings)
    return wordpress.build(cfg, Fetcher(UA, retries=0, read_timeout=5))


@pytest.fixture
def site(server):
    """The local server, routing by path and query parameters."""
    return use_query_routes(server)


def test_posts_and_comments_become_items(site):
    _serve_site(site)
    result = _collector(site).collect({})
    by_id = {i.external_id: i for i in result.items}
    assert sorted(by_id) == ["comment-5000", "comment-5001", "comment-5002", "comment-5003",
                             "post-100", "post-101"]
    post = by_id["post-101"]
    assert post.kind == "blog_post"
    assert post.title == "Smart stad – Stockholm öppnar mer data"
    assert by_id["post-100"].title == "Sensorer i Kungsholmen & Vasastan"
    assert "“öppna data”" in post.text and "världens smartaste stad 2040" in post.text
    assert "<" not in post.text and "&#" not in post.text
    assert post.published_at == datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    assert post.url == "https://smartsthlm.example/2026/11/03/oppna-data/"

    comment = by_id["comment-5002"]
    assert comment.kind == "blog_comment" and comment.title is None
    assert comment.text == "Kul att datan blir öppen. Finns det ett API?"
    assert comment.author_handle == comment.author_name == "Lisa"
    assert comment.parent_external_id == "post-101"
    assert comment.parent_url == "https://smartsthlm.example/2026/11/03/oppna-data/"
    assert comment.url == "https://smartsthlm.example/2026/11/03/oppna-data/#comment-5002"
    assert comment.published_at == datetime(2026, 11, 3, 10, 10, tzinfo=UTC)
    # post 97 was not in this run: looked up once for its two comments
    assert by_id["comment-5003"].text == "Håller med Lisa – bra initiativ!"
    for key in ("comment-5001", "comment-5003"):
        assert by_id[key].parent_url == "https://smartsthlm.example/2026/10/20/cykelbanor/"
    assert len(requests_to(site, f"{POSTS}/97")) == 1
    # comment on a page (404 as a post): its own link, less fragment and comment page
    assert by_id["comment-5000"].parent_url == "https://smartsthlm.example/om-oss/"

    assert result.cursor == {"posts_after": POSTS_AFTER, "comments_after": COMMENTS_AFTER}
    [posts_query] = requests_to(site, POSTS)
    assert posts_query == {"per_page": "100", "orderby": "date", "order": "desc",
                           "_fields": wordpress.POST_FIELDS, "page": "1"}
    [comments_query] = requests_to(site, COMMENTS)
    assert "after" not in comments_query and comments_query["per_page"] == "100"
    assert {h.get("User-Agent") for _, h in site.requests} == {UA}


def test_second_run_asks_only_for_what_is_newer(site):
    _serve_site(site)
    _serve_newer(site)
    collector = _collector(site)
    first = collector.collect({})
    second = collector.collect(first.cursor)
    assert [i.external_id for i in second.items] == ["post-102", "comment-5004"]
    assert requests_to(site, POSTS)[-1]["after"] == POSTS_AFTER
    assert requests_to(site, COMMENTS)[-1]["after"] == COMMENTS_AFTER
    assert second.items[1].parent_url == "https://smartsthlm.example/2026/11/04/digital-tvilling/"
    assert not requests_to(site, f"{POSTS}/102")  # its post came in the same run
    assert second.cursor == {"posts_after": "2026-11-04T12:00:00+00:00",
                             "comments_after": "2026-11-04T13:20:00+00:00"}
    third = collector.collect({**second.cursor, "posts_after": "2026-11-05T00:00:00Z"})
    assert third.cursor["posts_after"] == "2026-11-05T00:00:00+00:00"  # never moves back


@pytest.mark.parametrize(("max_pages", "total_pages", "expected_pages"), [
    (2, 5, ["1", "2"]),       # the source's limit stops it
    (5, 3, ["1", "2", "3"]),  # X-WP-TotalPages stops it
])
def test_paging_follows_total_pages_up_to_max_pages(site, max_pages, total_pages,
                                                    expected_pages):
    _serve_site(site)
    pages = [_wp("posts.json"), _wp("posts_new.json"),
             json.dumps([{"id": 90, "date_gmt": "2026-10-01T08:00:00", "link": "https://x/90",
                          "title": {"rendered": "Äldre"}, "content": {"rendered": "<p>Ä</p>"}}])]
    for number in range(1, 6):
        site.route(f"{POSTS}?page={number}", pages[min(number, 3) - 1],
                   headers=_headers(300, total_pages))
    result = _collector(site, max_pages=max_pages).collect({})
    assert [q["page"] for q in requests_to(site, POSTS)] == expected_pages
    posts = {i.external_id for i in result.items if i.kind == "blog_post"}
    assert "post-102" in posts and ("post-90" in posts) == (len(expected_pages) == 3)
    assert result.cursor["posts_after"] == "2026-11-04T12:00:00+00:00"


def test_page_past_the_end_ends_paging(site):
    _serve_site(site)
    site.route(f"{POSTS}?page=1", _wp("posts.json"), headers=_headers(250, 3))  # stale count
    site.route(f"{POSTS}?page=2", json.dumps({
        "code": "rest_post_invalid_page_number",
        "message": "Det begärda sidnumret är större än antalet tillgängliga sidor.",
        "data": {"status": 400}}), status=400, headers={"Content-Type": "application/json"})
    result = _collector(site).collect({})
    assert [q["page"] for q in requests_to(site, POSTS)] == ["1", "2"]
    assert {i.external_id for i in result.items if i.kind == "blog_post"} == {
        "post-100", "post-101"}
    site.route(f"{POSTS}?page=1", b'{"code":"rest_invalid_param"}', status=400)
    with pytest.raises(CollectError) as err:
        _collector(site).collect({})
    assert err.value.kind == "http_error"  # a 400 on the first page is a real fault


def test_missing_total_pages_header_stops_at_a_short_page(site):
    _serve_site(site)
    site.route(POSTS, _wp("posts.json"), headers={"Content-Type": "application/json"})
    _collector(site).collect({})
    assert [q["page"] for q in requests_to(site, POSTS)] == ["1"]


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><html><head><title>Underh\xc3\xa5ll</title></head><body>Vi "
    b"uppdaterar sajten.</body></html>",
    b'{"code":"rest_no_route","message":"No route was found","data":{"status":404}}',
])
def test_non_json_or_non_list_answer_is_malformed(site, body):
    _serve_site(site)
    site.route(POSTS, body, headers={"Content-Type": "text/html; charset=UTF-8"})
    with pytest.raises(CollectError) as err:
        _collector(site).collect({})
    assert err.value.kind == "malformed"


@pytest.mark.parametrize(("status", "kind"), [(401, "unauthorized"), (403, "forbidden")])
def test_closed_comments_endpoint_fails_the_run(site, status, kind):
    _serve_site(site)
    site.route(COMMENTS, json.dumps({"code": "rest_cannot_read", "data": {"status": status}}),
               status=status, headers={"Content-Type": "application/json"})
    with pytest.raises(CollectError) as err:
        _collector(site).collect({})
    assert err.value.kind == kind


@pytest.mark.parametrize(("status", "body", "kind"), [
    (200, b"<html>Blocked by a security plugin</html>", None),  # fall back on the link
    (503, b"Service Unavailable", "server_error"),                # transient: fail the run
])
def test_parent_post_lookup_failures(site, status, body, kind):
    _serve_site(site)
    site.route(f"{POSTS}/97", body, status=status, headers={"Content-Type": "text/html"})
    if kind:
        with pytest.raises(CollectError) as err:
            _collector(site).collect({})
        assert err.value.kind == kind
        return
    items = {i.external_id: i for i in _collector(site).collect({}).items}
    assert items["comment-5003"].parent_url == "https://smartsthlm.example/2026/10/20/cykelbanor/"
    assert len(requests_to(site, f"{POSTS}/97")) == 1


def test_odd_encodings_and_dates(site):
    posts = [
        {"id": 7, "date_gmt": "2026-11-05T06:00:00Z", "link": "https://s.example/a/",
         "title": {"rendered": "Det &#8217;smarta&#8217; Stockholm &amp; AI&nbsp;&hellip;"},
         "content": {"rendered": "", "protected": True},
         "excerpt": {"rendered": "<p>Lösenordsskyddat inlägg, här är utdraget.</p>"}},
        {"id": 8, "date_gmt": None, "link": "https://s.example/b/",
         "title": {"rendered": "Ö-dag"}, "content": {"rendered": "<p>Ö&#8209;dag</p>"}},
    ]
    body = b"\xef\xbb\xbf\r\n" + json.dumps(posts, ensure_ascii=False).encode("utf-8")
    _serve_site(site, posts=body, comments=b"[]")
    site.route(POSTS, body, headers={"Content-Type": "application/json; charset=ISO-8859-1",
                                     "x-wp-totalpages": "1"})
    now = datetime(2026, 11, 6, 12, 0, tzinfo=UTC)
    collector = _collector(site)
    collector._now = now
    result = collector.collect({})
    first, second = result.items
    assert first.title == "Det ’smarta’ Stockholm & AI …"
    assert first.text == "Lösenordsskyddat inlägg, här är utdraget."
    assert first.published_at == datetime(2026, 11, 5, 6, 0, tzinfo=UTC)
    assert second.text == "Ö‑dag" and second.published_at == now  # no date_gmt
    assert result.cursor == {"posts_after": "2026-11-05T06:00:00+00:00"}
    assert wordpress.parse_wp_time("2026-11-02T07:00:00").tzinfo == UTC
    assert wordpress.parse_wp_time("0000-00-00T00:00:00") is None


def _collect(engine, settings, fetcher):
    jobs.sync_config_sources(engine, settings)
    return jobs.collect_source(engine, settings, "smartsthlm", fetcher)


def _stored(engine) -> dict[str, Mention]:
    with transaction(engine) as s:
        return {m.external_id: m for m in s.scalars(select(Mention))}


def _cursor(engine) -> dict:
    with transaction(engine) as s:
        return s.scalars(select(FetchState).join(Source)
                         .where(Source.key == "smartsthlm")).one().cursor


def test_job_stores_posts_and_comments_once_and_links_them(engine, site, base_settings):
    _serve_site(site)  # this server ignores `after`: the second run gets everything again
    settings = make_settings(base_settings, [{"key": "smartsthlm", "kind": "wordpress_api",
                                              "url": site.base_url, "voice": "own"}])
    fetcher = jobs.make_fetcher(settings)
    fetcher.retries = 0
    first = _collect(engine, settings, fetcher)
    assert first.error_kind is None and first.new_items == 6
    second = _collect(engine, settings, fetcher)
    assert second.error_kind is None and second.new_items == 0
    assert requests_to(site, POSTS)[-1]["after"] == POSTS_AFTER
    stored = _stored(engine)
    assert len(stored) == 6
    post, comment = stored["post-101"], stored["comment-5002"]
    assert post.kind == "blog_post" and post.voice == "own"
    assert post.canonical_url == "https://smartsthlm.example/2026/11/03/oppna-data/"
    assert comment.parent_url == post.canonical_url
    assert comment.parent_external_id == "post-101"
    assert stored["comment-5001"].parent_url == "https://smartsthlm.example/2026/10/20/cykelbanor/"
    assert _cursor(engine) == {"posts_after": POSTS_AFTER, "comments_after": COMMENTS_AFTER}

    # a failing run stores nothing and leaves the cursor where it was
    _serve_newer(site)
    site.route(f"{COMMENTS}?{urlencode({'after': COMMENTS_AFTER})}", b"Internal Server Error",
               status=500)
    failed = _collect(engine, settings, fetcher)
    assert failed.error_kind == "server_error"
    assert _cursor(engine) == {"posts_after": POSTS_AFTER, "comments_after": COMMENTS_AFTER}
    assert len(_stored(engine)) == 6

    _serve_newer(site)
    third = _collect(engine, settings, fetcher)
    assert third.error_kind is None and third.new_items == 2
    stored = _stored(engine)
    assert stored["comment-5004"].parent_url == stored["post-102"].canonical_url
    assert _cursor(engine)["comments_after"] == "2026-11-04T13:20:00+00:00"
