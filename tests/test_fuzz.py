"""Property-based fuzzing (hypothesis) of the pipeline's pure steps: the feed parser on
mutated real-world-shaped documents and on arbitrary bytes, the normaliser, the URL
canonicaliser and the filter language."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from collectors.errors import CollectError
from collectors.filters import FilterSyntaxError, ItemFilter, normalise
from collectors.normalise import EARLIEST, MAX_ID, clean_item, feed_item
from collectors.parse import parse_document
from store.items import Item
from store.keys import canonical_url
from store.writes import local_day_and_week

CORPUS = Path(__file__).resolve().parent / "data" / "feeds"
DOCUMENTS = [(CORPUS / e["file"]).read_bytes() for e in
             json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
             if (CORPUS / e["file"]).stat().st_size < 50_000]
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated_documents(draw):
    doc = draw(st.sampled_from(DOCUMENTS))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(doc)))
        action = draw(st.sampled_from(["cut", "insert", "delete", "replace"]))
        piece = draw(st.sampled_from([b"&", b"<", b"]]>", b"&nbsp;", b"\x00", b"\xff\xfe",
                                      b"<item>", b"</item>", b"<?xml version='1.0'?>",
                                      b"\xc3", b"&#0;", b"<![CDATA[", b"\r\n"])
                     | st.binary(max_size=8))
        if action == "cut":
            doc = doc[:at]
        elif action == "insert":
            doc = doc[:at] + piece + doc[at:]
        elif action == "delete":
            doc = doc[:at] + doc[at + draw(st.integers(1, 40)):]
        else:
            doc = doc[:at] + piece + doc[at + len(piece):]
    return doc


CONTENT_TYPES = st.sampled_from(["application/rss+xml", "text/xml; charset=utf-8",
                                 "text/xml; charset=iso-8859-1", "application/json",
                                 "text/html", "application/xml; charset=utf-16", "",
                                 "x/y; charset=nope"])


@FUZZ
@given(mutated_documents(), CONTENT_TYPES, st.booleans())
def test_the_parser_reads_or_names_a_reason(document, content_type, framed):
    try:
        parsed = parse_document(document, "https://f.example/feed",
                                {"Content-Type": content_type}, framed=framed, now=NOW)
    except CollectError as exc:
        assert exc.kind in ("truncated", "not_a_feed", "malformed", "empty")
        assert exc.detail
        return
    items = parsed.items if parsed.items is not None else [
        feed_item(e, "https://f.example/feed", NOW) for e in parsed.entries]
    for item in items:
        if item is not None:
            cleaned = clean_item(item, NOW)
            assert cleaned is None or (cleaned.text and "\x00" not in cleaned.text)


@FUZZ
@given(st.binary(max_size=2000), CONTENT_TYPES)
def test_the_parser_takes_any_bytes(document, content_type):
    try:
        parse_document(document, "https://f.example/feed", {"Content-Type": content_type},
                       framed=True, now=NOW)
    except CollectError as exc:
        assert exc.kind in ("not_a_feed", "malformed", "empty")


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)
TIME_TUPLES = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)) \
    .map(lambda d: d.timetuple())


@FUZZ
@given(st.fixed_dictionaries({}, optional={
    "id": TEXT, "link": TEXT, "title": TEXT, "summary": TEXT, "author": TEXT,
    "published": TEXT, "published_parsed": TIME_TUPLES, "updated_parsed": TIME_TUPLES,
    "content": st.lists(st.fixed_dictionaries({"value": TEXT}), max_size=2),
    "tags": st.lists(st.fixed_dictionaries({"term": TEXT}), max_size=3),
}), st.booleans())
def test_the_normaliser_makes_every_entry_storable(entry, comments):
    item = feed_item(entry, "https://f.example/feed", NOW, comments=comments)
    if item is None:
        return
    cleaned = clean_item(item, NOW)
    if cleaned is None:
        return
    assert cleaned.text.strip() and len(cleaned.external_id) <= MAX_ID
    assert EARLIEST <= cleaned.published_at <= NOW + timedelta(days=1)
    assert cleaned.published_at.tzinfo is not None
    local_day_and_week(cleaned.published_at)  # the store's own use of the time
    for value in (cleaned.text, cleaned.title or "", cleaned.external_id):
        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in value)
    assert cleaned.url is None or urlsplit(cleaned.url).scheme in ("http", "https")
    json.dumps(cleaned.raw)
    assert clean_item(cleaned, NOW) == cleaned  # normalising twice changes nothing


@FUZZ
@given(st.builds(Item, external_id=TEXT, kind=st.just("post"), text=TEXT,
                 published_at=st.datetimes(timezones=st.timezones())
                 | st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
                 title=st.none() | TEXT, url=st.none() | TEXT))
def test_clean_items_of_any_kind(item):
    cleaned = clean_item(item, NOW)
    if cleaned is not None:
        assert EARLIEST <= cleaned.published_at <= NOW + timedelta(days=1)
        local_day_and_week(cleaned.published_at)


HOSTS = st.sampled_from(["Example.ORG", "nyheter.example", "[::1]", "xn--smrgs-wxa.se",
                         "a.b.c.example", "exa mple", "[::1", "host:99999", "host:443"])
PARAMS = st.lists(st.tuples(st.sampled_from(["utm_source", "fbclid", "id", "q", "UTM_Medium",
                                             "page", "gclid", "ocid"]), TEXT), max_size=5)


@FUZZ
@given(st.sampled_from(["http", "https", "HTTPS", "ftp", "javascript"]), HOSTS,
       st.text(max_size=30), PARAMS, st.text(max_size=10), st.booleans())
def test_canonical_urls_are_idempotent_and_untracked(scheme, host, path, params, fragment,
                                                      keep):
    query = "&".join(f"{k}={v}" for k, v in params)
    url = f"{scheme}://{host}/{path}?{query}#{fragment}"
    once = canonical_url(url, keep_fragment=keep)
    assert canonical_url(once, keep_fragment=keep) == once
    try:
        parts = urlsplit(once)
        parts.port  # noqa: B018 - raises for a port that is not one
    except ValueError:
        assert once == url.strip(" \t\n\r\x0b\x0c")  # nothing to canonicalise in what names no host
        return
    if parts.scheme in ("http", "https") and "[::1]" not in once:
        names = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
        assert not names & {"utm_source", "utm_medium", "fbclid", "gclid", "ocid"}
        assert keep or not parts.fragment


@FUZZ
@given(st.text(max_size=80))
def test_any_filter_text_parses_or_says_why(query):
    started = time.monotonic()
    try:
        item_filter = ItemFilter(query)
    except FilterSyntaxError as exc:
        assert str(exc)
        return
    item_filter.matches("Stockholm bygger en smart stad")
    assert time.monotonic() - started < 5  # no exponential blow-up on odd input


WORDS = ["stad", "data", "smart", "fiber", "sport", "kista"]
ENDINGS = ["", "en", "er", "arna", "erna", "sutbyggnad"]


def _expr():
    leaf = st.sampled_from(WORDS).map(lambda w: ("T", w))
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(st.just("NOT"), inner),
        st.tuples(st.sampled_from(["AND", "OR"]), inner, inner)), max_leaves=8)


def _render(node) -> str:
    if node[0] == "T":
        return node[1]
    if node[0] == "NOT":
        return f"NOT ({_render(node[1])})"
    return f"({_render(node[1])} {node[0]} {_render(node[2])})"


def _reference(node, words: list[str]) -> bool:
    if node[0] == "T":
        return any(w == node[1] or (w.startswith(node[1]) and len(w) - len(node[1]) <= 4)
                   for w in words)
    if node[0] == "NOT":
        return not _reference(node[1], words)
    left, right = _reference(node[1], words), _reference(node[2], words)
    return left and right if node[0] == "AND" else left or right


@FUZZ
@given(_expr(), st.lists(st.tuples(st.sampled_from(WORDS + ["och", "i"]),
                                   st.sampled_from(ENDINGS)), max_size=8))
def test_filters_agree_with_a_reference_evaluator(tree, pieces):
    words = [w + e for w, e in pieces]
    text = " ".join(words)
    assert ItemFilter(_render(tree)).matches(text) == _reference(tree, words)


@FUZZ
@given(_expr(), st.text(st.sampled_from("aåäöeéiostdSTÅÄÖ "), max_size=40))
def test_filters_ignore_case_and_diacritics(tree, text):
    query = ItemFilter(_render(tree))
    assert query.matches(text) == query.matches(text.upper()) == \
        query.matches(normalise(text))


@FUZZ
@given(_expr(), _expr(), st.lists(st.sampled_from(WORDS), max_size=6))
def test_de_morgan(a, b, words):
    text = " ".join(words)
    left = ItemFilter(f"NOT ({_render(a)} OR {_render(b)})").matches(text)
    right = ItemFilter(f"NOT ({_render(a)}) AND NOT ({_render(b)})").matches(text)
    assert left == right
    assume(words)
