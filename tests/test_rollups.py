"""The daily rollup agrees with the raw rows after everything that changes a figure: tagging,
a correction and its undo, a retag, a deleted mention (also a story's first copy)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from nlp.tagger import Tagger
from pulse import jobs
from store import rollups
from store.corrections import add_correction, undo_correction
from store.db import make_engine, transaction
from store.items import Item
from store.models import DailyCount, Mention, Source
from store.queries import Filters, count_mentions, tag_counts, tag_pairs
from store.writes import delete_mentions, save_items
from tests.counts import count_stories


def _exact(engine) -> None:
    with transaction(engine) as session:
        assert rollups.differences(session) == []
        assert session.scalar(select(func.count()).select_from(DailyCount)) > 0


def test_the_rollup_stays_exact(demo_url, base_settings):
    engine = make_engine(demo_url)
    _exact(engine)  # after collecting and tagging the demo
    with transaction(engine) as session:
        first = session.scalar(select(Mention.id).where(Mention.story_id.is_(None),
                                                        Mention.voice == "third_party")
                               .order_by(Mention.id))
        wrong = add_correction(session, first, "sentiment", "negative", "anna")
        add_correction(session, first, "keyword", "transparent", "anna")
        add_correction(session, first, "audience", "academia", "anna")
    _exact(engine)
    with transaction(engine) as session:
        undo_correction(session, wrong.id, "bertil")
    _exact(engine)
    jobs.retag(engine, base_settings, Tagger(base_settings.strategy))
    _exact(engine)

    with transaction(engine) as session:  # a syndicated copy of a story, in another source
        root_row = session.get(Mention, first)
        source = session.scalars(select(Source).where(Source.id != root_row.source_id)).first()
        save_items(session, source, [Item("copy-1", "news", root_row.text,
                                          root_row.published_at + timedelta(hours=2),
                                          url=root_row.url, title=root_row.title)])
    jobs.tag_pending(engine, base_settings, Tagger(base_settings.strategy))
    _exact(engine)
    with transaction(engine) as session:  # the copy comes back whole: untagged until re-read
        save_items(session, source, [Item("copy-1", "news", root_row.text + " Mer text.",
                                          root_row.published_at + timedelta(hours=2),
                                          url=root_row.url, title=root_row.title)])
    _exact(engine)
    jobs.tag_pending(engine, base_settings, Tagger(base_settings.strategy))
    _exact(engine)
    with transaction(engine) as session:
        copy, root = session.execute(select(Mention.id, Mention.story_id)
                                     .where(Mention.story_id.is_not(None))
                                     .order_by(Mention.id)).first()
        lonely = session.scalar(select(Mention.id).where(
            Mention.story_id.is_(None), Mention.id != root,
            ~select(Mention.id).where(Mention.story_id == Mention.id).exists())
            .order_by(Mention.id.desc()))
        stories = count_mentions(session, Filters(voice=None))
        assert delete_mentions(session, [root, lonely]) == 2
    _exact(engine)
    with transaction(engine) as session:
        assert session.get(Mention, copy).story_id is None  # the copy carries the story on
        assert count_mentions(session, Filters(voice=None)) == stories - 1


def test_rollup_and_raw_rows_give_the_same_figures(demo_url):
    engine = make_engine(demo_url)
    end = date.today()
    start = end - timedelta(weeks=12)
    with transaction(engine) as session:
        f = Filters(start=start, end=end)
        assert count_mentions(session, f) == count_stories(demo_url, start, end)
        # A tag filter reads the raw rows: the same story counting must come out.
        opened = Filters(start=start, end=end, keyword="open")
        assert count_mentions(session, opened) == count_stories(
            demo_url, start, end, tags=(("keyword", "open"),))
        by_rollup = {(r["value"], r["sentiment"]): r["count"]
                     for r in tag_counts(session, f, "topic")}
        for (topic, _), _n in by_rollup.items():
            total = sum(n for (t, _), n in by_rollup.items() if t == topic)
            assert total == count_stories(demo_url, start, end, tags=(("topic", topic),))
        pairs = {(r["value"], r["other"]): r["count"]
                 for r in tag_pairs(session, f, "audience", "intent")}
        assert pairs and all(
            n == count_stories(demo_url, start, end, tags=(("audience", a), ("intent", i)))
            for (a, i), n in pairs.items())
