"""JSON Feed 1.0/1.1 parsing (collectors.jsonfeed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from collectors.errors import CollectError
from collectors.jsonfeed import looks_like_json_feed, parse_json_feed

URL = "https://news.example/feed.json"
NOW = datetime(2026, 11, 6, 12, 0, tzinfo=UTC)


def _feed(**overrides) -> dict:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Stadsnytt",
        "home_page_url": "https://news.example/",
        "feed_url": URL,
        "authors": [{"name": "Redaktionen"}],
        "language": "sv",
        "items": [
            {"id": "https://news.example/a1", "url": "/2026/11/luft",
             "title": "Stockholm &amp; luften –  nu i realtid",
             "content_html": "<p>Staden visar <b>luftkvalitet</b> per kvarter.</p>"
                             "<script>track()</script><p>Öppna data för alla.</p>",
             "summary": "Kort", "date_published": "2026-11-02T08:00:00+01:00",
             "authors": [{"name": "Lisa Berg", "url": "https://news.example/lisa"}],
             "tags": ["smart stad", "öppna data"], "image": "/img/luft.jpg"},
            {"id": 42, "url": "https://news.example/b2",
             "content_text": "Nya  cykelbanor\n på Söder.",
             "date_modified": "2026-11-03T10:00:00Z"},
            {"id": "c3", "title": "Bara en rubrik"},
            {"id": "d4"},                     # nothing to read: skipped
            "not an item",                    # not an object: skipped
        ],
    }
    feed.update(overrides)
    return feed


def _parse(feed, **kwargs):
    return parse_json_feed(json.dumps(feed, ensure_ascii=False).encode("utf-8"), URL,
                           now=NOW, **kwargs)


def test_json_feed_items_become_news_items():
    first, second, third = _parse(_feed())
    assert first.kind == "news"
    assert first.external_id == "https://news.example/a1"
    assert first.url == "https://news.example/2026/11/luft"  # relative to home_page_url
    assert first.title == "Stockholm & luften – nu i realtid"
    assert first.text == "Staden visar luftkvalitet per kvarter.\nÖppna data för alla."
    assert first.published_at == datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
    assert first.author_handle == first.author_name == "Lisa Berg"
    assert first.raw["tags"] == ["smart stad", "öppna data"]
    assert first.raw["image"] == "https://news.example/img/luft.jpg"
    assert second.external_id == "42"  # numeric ids in the wild
    assert second.text == "Nya cykelbanor på Söder." and second.title is None
    assert second.published_at == datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    assert second.author_name == "Redaktionen"  # the feed's author
    assert third.text == third.title == "Bara en rubrik"
    assert third.published_at == NOW and third.url is None


def test_version_1_0_author_and_missing_ids():
    feed = {"version": "https://jsonfeed.org/version/1", "title": "Gammal",
            "author": {"name": "Kommunikation"},
            "items": [{"url": "https://news.example/x", "content_text": "Text ett"},
                      {"content_text": "Text två", "date_published": "2026-11-01T09:00:00"}]}
    first, second = _parse(feed)
    assert first.external_id == "https://news.example/x"  # no id: the URL
    assert first.author_name == "Kommunikation"
    assert second.external_id.startswith("sha1:")
    assert second.external_id == _parse(feed)[1].external_id  # stable across runs
    assert second.published_at == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def test_byte_order_mark_and_unicode_escapes():
    body = b"\xef\xbb\xbf\n" + json.dumps(_feed(), ensure_ascii=True).encode("ascii")
    items = parse_json_feed(body, URL, now=NOW)
    assert items[1].text == "Nya cykelbanor på Söder."


@pytest.mark.parametrize("body", [
    b"{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [",   # cut off
    b"<html><body>Not found</body></html>",
    b"[1, 2, 3]",
    b'{"version": "https://jsonfeed.org/version/1.1", "title": "no items"}',
    b'{"items": {"id": "1"}}',
    b"\xff\xfe\x00garbage",
])
def test_broken_json_feed_is_malformed(body):
    with pytest.raises(CollectError) as err:
        parse_json_feed(body, URL)
    assert err.value.kind == "malformed"
    assert URL in err.value.detail


@pytest.mark.parametrize(("content", "headers", "expected"), [
    (b"{}", {"Content-Type": "application/feed+json"}, True),
    (b"[]", {"content-type": "application/json; charset=utf-8"}, True),
    (b"\xef\xbb\xbf  {\"version\": 1}", {"Content-Type": "text/plain"}, True),
    (b"<?xml version='1.0'?><rss/>", {"Content-Type": "application/rss+xml"}, False),
    (b"<rss/>", None, False),
])
def test_json_answers_are_recognised(content, headers, expected):
    assert looks_like_json_feed(content, headers) is expected
