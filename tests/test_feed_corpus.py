"""The odd real-world-shaped feed documents of tests/data/feeds/, served on 127.0.0.1 the way
manifest.json says and collected by the real job: what is stored, what fails and why, and
what shows as a warning on the source's health."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import select

from pulse import jobs
from store.db import transaction
from store.models import FetchState, Mention, Source, utcnow
from tests.conftest import make_settings

CORPUS = Path(__file__).resolve().parent / "data" / "feeds"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))


def _collect(engine, server, base_settings, entry):
    server.route("/feed", (CORPUS / entry["file"]).read_bytes(),
                 headers={"Content-Type": entry["content_type"]}, framed=entry["framed"])
    settings = make_settings(base_settings, [{"key": "odd", "kind": "feed",
                                              "url": server.url("/feed")}])
    fetcher = jobs.make_fetcher(settings)
    fetcher.retries = 0
    jobs.sync_config_sources(engine, settings)
    return jobs.collect_source(engine, settings, "odd", fetcher)


def _stored(engine):
    with transaction(engine) as s:
        mentions = list(s.scalars(select(Mention).order_by(Mention.id)))
        state = s.scalars(select(FetchState).join(Source).where(Source.key == "odd")).one()
        return mentions, state


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_odd_document(engine, server, base_settings, entry):
    started = utcnow()
    outcome = _collect(engine, server, base_settings, entry)
    mentions, state = _stored(engine)
    if entry.get("error"):
        assert outcome.error_kind == entry["error"], outcome.error
        assert state.last_error_kind == entry["error"] and mentions == []
        assert state.cursor == {}  # unchanged: the next run fetches it again
        if entry.get("detail"):
            assert entry["detail"] in outcome.error
        return
    assert outcome.error_kind is None, outcome.error
    assert [m.title for m in mentions] == entry["titles"]
    assert all("<" not in (m.title or "") and "script" not in m.text for m in mentions)
    assert bool(state.last_warning) == bool(entry.get("warning")), state.last_warning
    if "links" in entry:
        expected = [link.replace("BASE", server.base_url) if link else None
                    for link in entry["links"]]
        assert [m.url for m in mentions] == expected
    if entry.get("dates") == "now":
        assert all(started - timedelta(seconds=5) <= m.published_at <= utcnow()
                   for m in mentions)
        assert all("published_original" in m.raw for m in mentions[:2])
    for mention, length in zip(mentions, entry.get("text_lengths", []), strict=False):
        if length:  # capped at `length`, less the whitespace at the cut
            assert length - 5 <= len(mention.text) <= length
    for mention, text in zip(mentions, entry.get("texts", []), strict=False):
        assert mention.text == text


def test_every_item_feedparser_reads_is_expected_to_be_stored():
    """Over the corpus, the manifest (which test_odd_document holds the real collection to)
    keeps every item feedparser can read from the bytes, cut-off bodies aside (those are
    fetched again)."""
    readable = stored = 0
    for entry in MANIFEST:
        if entry.get("error") == "truncated":
            continue
        data = (CORPUS / entry["file"]).read_bytes()
        parsed = feedparser.parse(data, response_headers={"content-type": entry["content_type"]})
        keys = {e.get("id") or e.get("link") or e.get("title") for e in parsed.entries
                if e.get("title") or e.get("summary")}
        readable += len(keys)
        stored += len(entry.get("titles", []))
    assert stored >= readable - 1  # the duplicate GUID pair feedparser counts by link
    assert readable > 100


def test_a_truncated_body_is_fetched_again_and_the_whole_document_stored(engine, server,
                                                                           base_settings):
    cut = next(e for e in MANIFEST if e["file"] == "truncated_unframed.xml")
    whole = {**cut, "file": "complete_unframed.xml"}
    first = _collect(engine, server, base_settings, cut)
    assert first.error_kind == "truncated" and _stored(engine)[0] == []
    second = _collect(engine, server, base_settings, whole)
    assert second.error_kind is None and second.new_items == 3
    mentions, state = _stored(engine)
    assert state.consecutive_failures == 0 and state.last_error_kind == "truncated"


def test_an_item_seen_again_with_more_content_is_updated_and_retagged(engine, server,
                                                                     base_settings):
    framed_cut = next(e for e in MANIFEST if e["file"] == "truncated_framed.xml")
    assert _collect(engine, server, base_settings, framed_cut).new_items == 1
    with transaction(engine) as s:
        s.execute(Mention.__table__.update().values(tagger_version="rules-test"))
    before = _stored(engine)[0][0]
    whole = next(e for e in MANIFEST if e["file"] == "utf8.xml")
    outcome = _collect(engine, server, base_settings, whole)
    assert (outcome.new_items, outcome.updated_items) == (2, 0)  # the same text: unchanged
    mentions = _stored(engine)[0]
    assert mentions[0].id == before.id and mentions[0].tagger_version == "rules-test"
    with transaction(engine) as s:
        s.execute(Mention.__table__.update().values(tagger_version="rules-test"))
    changed = (CORPUS / "utf8.xml").read_bytes().replace(
        "Staden öppnar sina data".encode(), "Staden öppnar nu alla sina data".encode())
    server.route("/feed", changed, headers={"Content-Type": "application/rss+xml"})
    settings = make_settings(base_settings, [{"key": "odd", "kind": "feed",
                                              "url": server.url("/feed")}])
    again = jobs.collect_source(engine, settings, "odd")
    assert (again.new_items, again.updated_items) == (0, 1)
    mentions = _stored(engine)[0]
    assert len(mentions) == 3 and mentions[0].id == before.id
    assert "alla sina data" in mentions[0].text and mentions[0].tagger_version is None
    assert mentions[0].content_hash != before.content_hash
    assert mentions[0].collected_at == before.collected_at
    assert [m.tagger_version for m in mentions[1:]] == ["rules-test"] * 2
