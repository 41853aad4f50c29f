"""The overview's who, what and why (store.queries): top stories by engagement and by copies,
sources and authors that wrote most, negative stories needing an answer, and the story and
author drill-down filters, on SQLite and PostgreSQL, against the tests' own reading of the
stored rows."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import select

from nlp.tagger import Tagger
from pulse import jobs
from pulse.settings import SourceConfig
from store.corrections import add_correction
from store.db import transaction
from store.items import Item
from store.models import Author, Mention, Source
from store.queries import (
    Filters,
    count_mentions,
    driving_stories,
    latest_mentions,
    negative_needing_answer,
    stories_by_author,
    stories_by_source,
)
from store.responses import set_response
from store.writes import save_items, sync_sources

WIRE = ("Stockholms stad lanserar en ny e-tjänst för bygglov som ska korta handläggningstiden "
        "med flera veckor. Tjänsten har testats av 300 invånare under våren och kritiken har "
        "främst gällt tillgängligheten för personer som använder skärmläsare.")
OTHER = ("Trafikkontoret vill sätta upp fler sensorer längs Essingeleden för att mäta buller "
         "och luftkvalitet. Förslaget ska behandlas i trafiknämnden i december och kostar "
         "omkring fyra miljoner kronor.")
THIRD = ("Kista science city får en ny öppen testbädd för självkörande bussar, och forskare "
         "från KTH ska följa hur resenärerna upplever trygghet och tillgänglighet ombord.")
WEEK = Filters(start=date(2026, 11, 2), end=date(2026, 11, 8))


def _item(ext, text, day=2, url=None, author=None, likes=0, hour=8):
    return Item(ext, "news", text, datetime(2026, 11, day, hour, tzinfo=UTC), url=url,
                title=text[:40], author_handle=author, author_name=author and author.title(),
                engagement={"likes": likes} if likes else {})


def _fill(engine, base_settings):
    configs = [SourceConfig(key=k, kind="feed", url=f"https://{k}.example/feed",
                            name=f"{k.title()} Nyheter") for k in ("wire", "paper", "blog")]
    with transaction(engine) as session:
        sources = sync_sources(session, configs)
        save_items(session, sources["wire"], [
            _item("w1", WIRE, url="https://wire.example/1", author="anna", likes=2),
            _item("w2", OTHER, url="https://wire.example/2", author="anna", likes=40),
            _item("w3", THIRD, day=10, url="https://wire.example/3", author="bo")])
        save_items(session, sources["paper"], [
            _item("p1", WIRE, url="https://paper.example/1", hour=9, likes=5),
            _item("p2", THIRD, url="https://paper.example/2", author="bo", hour=9)])
        save_items(session, sources["blog"], [
            _item("b1", WIRE, url="https://blog.example/1", hour=10),
            _item("b2", OTHER, day=9, url="https://blog.example/2", author="cecilia")])
    import dataclasses
    settings = dataclasses.replace(base_settings, sources=configs)
    settings.__dict__.pop("sources_by_key", None)
    jobs.tag_pending(engine, settings, Tagger(settings.strategy))


def _rows(engine) -> dict[str, Mention]:
    with transaction(engine) as session:
        rows = session.execute(select(Mention, Source.key, Author.handle)
                               .join(Source, Source.id == Mention.source_id)
                               .join(Author, Author.id == Mention.author_id, isouter=True)).all()
        for m, key, handle in rows:
            m.source_key, m.handle = key, handle
            session.expunge(m)
    return {m.external_id: m for m, _, _ in rows}


def test_week_drivers_count_each_story_once_as_its_first_copy(engine, base_settings):
    _fill(engine, base_settings)
    rows = _rows(engine)
    story = {e: m.story_id or m.id for e, m in rows.items()}
    assert story["w1"] == story["p1"] == story["b1"]  # the wire story, stored three times
    firsts = [m for m in rows.values() if m.story_id is None and WEEK.start <= m.local_day
              <= WEEK.end and m.voice == "third_party"]
    with transaction(engine) as session:
        by_copies = driving_stories(session, WEEK, "copies")
        by_engagement = driving_stories(session, WEEK, "engagement")
        sources = stories_by_source(session, WEEK)
        authors = stories_by_author(session, WEEK)
    # Copies anywhere, engagement of the most-engaged copy; one row per story.
    copies = Counter(story.values())
    likes: dict[int, int] = {}
    for e, m in rows.items():
        likes[story[e]] = max(likes.get(story[e], 0), (m.engagement or {}).get("likes", 0))
    assert [r["id"] for r in by_copies][0] == story["w1"]
    assert {r["id"]: r["copies"] for r in by_copies} == {m.id: copies[m.id] for m in firsts}
    assert [r["id"] for r in by_engagement] == sorted(
        (m.id for m in firsts), key=lambda i: (-likes[i], -copies[i], -i))
    assert by_engagement[0]["engagement"] == 40 and by_engagement[0]["source_name"] == \
        "Wire Nyheter"
    # The week's stories per source and author: first copies only (a copy on the blog is
    # the wire's story, not the blog's).
    assert {r["source"]: r["count"] for r in sources} == dict(
        Counter(m.source_key for m in firsts))
    assert sources[0]["name"] == "Wire Nyheter"
    assert {r["author"]: r["count"] for r in authors} == dict(
        Counter(m.handle for m in firsts if m.handle))
    with transaction(engine) as session:
        assert count_mentions(session, Filters(author="anna", voice=None)) == sum(
            1 for m in rows.values() if m.handle == "anna" and m.story_id is None)
        copies_listed = latest_mentions(session, Filters(story=story["w1"], voice=None))
    assert sorted(r["id"] for r in copies_listed) == sorted(
        m.id for e, m in rows.items() if story[e] == story["w1"])


def test_negative_stories_needing_an_answer(engine, base_settings):
    _fill(engine, base_settings)
    rows = _rows(engine)
    with transaction(engine) as session:
        # The wire story is negative; its paper copy is the one flagged.
        add_correction(session, rows["w1"].id, "sentiment", "negative", "test")
        add_correction(session, rows["w3"].id, "sentiment", "positive", "test")
        set_response(session, rows["p1"].id, "needs_answer", "test")
        set_response(session, rows["w3"].id, "needs_answer", "test")  # not negative
        set_response(session, rows["b2"].id, "answered", "test")
    with transaction(engine) as session:
        waiting = negative_needing_answer(session, Filters(start=date(2026, 11, 1),
                                                           end=date(2026, 11, 30)))
        before = negative_needing_answer(session, Filters(start=date(2026, 10, 1),
                                                          end=date(2026, 10, 31)))
    assert waiting["total"] == 1 and [r["id"] for r in waiting["rows"]] == [rows["w1"].id]
    assert waiting["rows"][0]["source_name"] == "Wire Nyheter"
    assert before == {"total": 0, "rows": []}
