"""Corrections win over machine tags, cover every copy of a story, survive a retag; a retag
keeps the old tags current until it is done."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from collectors.base import Item
from nlp.tagger import Tagger
from pulse import jobs
from pulse.settings import SourceConfig
from store import rollups
from store.corrections import CorrectionError, add_correction, undo_correction
from store.db import transaction
from store.models import Correction, Mention, Tag
from store.queries import Filters, count_mentions, tag_counts
from store.writes import save_items, save_tagging, switch_version, sync_sources

TEXT = ("Stockholms stad lanserar en ny e-tjänst för bygglov som kortar handläggningstiden med "
        "flera veckor. Användarna är mycket nöjda: tjänsten är snabb, enkel och fungerar "
        "riktigt bra.")  # plainly positive, so that every correction below changes something


@pytest.fixture
def tagged(engine, base_settings):
    configs = [SourceConfig(key=k, kind="feed", url=f"https://{k}.example/feed")
               for k in ("wire", "paper")]
    with transaction(engine) as session:
        sources = sync_sources(session, configs)
        when = datetime(2026, 11, 2, 8, tzinfo=UTC)
        save_items(session, sources["wire"], [Item("w1", "news", TEXT, when)])
        save_items(session, sources["paper"], [Item("p1", "news", TEXT + " (TT)", when)])
    settings = base_settings
    jobs.tag_pending(engine, settings, Tagger(settings.strategy))
    with transaction(engine) as session:
        ids = {m.external_id: m.id for m in session.scalars(select(Mention))}
    return engine, settings, ids


def _mention(engine, mention_id) -> Mention:
    with transaction(engine) as session:
        return session.get(Mention, mention_id)


def _tags(engine, mention_id, kind) -> set[str]:
    with transaction(engine) as session:
        mention = session.get(Mention, mention_id)
        return set(session.scalars(select(Tag.value).where(
            Tag.mention_id == mention_id, Tag.kind == kind, Tag.active.is_(True),
            Tag.tagger_version == mention.tagger_version)))


def test_correction_wins_and_covers_the_copies(tagged):
    engine, _, ids = tagged
    assert _mention(engine, ids["w1"]).sentiment == "positive"
    with transaction(engine) as session:
        add_correction(session, ids["w1"], "sentiment", "negative", "analys@stockholm.se")
        add_correction(session, ids["w1"], "keyword", "transparent", "analys@stockholm.se")
        add_correction(session, ids["p1"], "topic", "e_services", "analys@stockholm.se",
                       remove=True)
    for key in ("w1", "p1"):  # the syndicated copy is corrected too
        mention = _mention(engine, ids[key])
        assert (mention.sentiment, mention.sentiment_score) == ("negative", -1.0)
        assert "transparent" in _tags(engine, ids[key], "keyword")
        assert "e_services" not in _tags(engine, ids[key], "topic")
    with transaction(engine) as session:
        counts = {r["value"] for r in tag_counts(session, Filters(voice=None), "keyword")}
        assert "transparent" in counts
        assert count_mentions(session, Filters(voice=None, sentiment="negative")) == 1


def test_corrections_survive_a_retag(tagged):
    engine, settings, ids = tagged
    with transaction(engine) as session:
        add_correction(session, ids["p1"], "sentiment", "neutral", "analys@stockholm.se")
        add_correction(session, ids["p1"], "intent", "criticism", "analys@stockholm.se")
    jobs.retag(engine, settings, Tagger(settings.strategy))
    for key in ("w1", "p1"):
        assert _mention(engine, ids[key]).sentiment == "neutral"
        assert _tags(engine, ids[key], "intent") == {"criticism"}


def test_retag_keeps_old_tags_current_until_done(tagged):
    engine, settings, ids = tagged
    old = _mention(engine, ids["w1"]).tagger_version
    tagger = Tagger(settings.strategy)
    result = tagger.tag([{"text": "Katastrof. Allt är fel och ingen svarar."}])[0]
    with transaction(engine) as session:  # a new version written next to the old one
        save_tagging(session, ids["w1"], result, "next-version", update_mention=False)
    mention = _mention(engine, ids["w1"])
    assert mention.tagger_version == old and mention.sentiment == "positive"
    with transaction(engine) as session:
        assert count_mentions(session, Filters(voice=None, sentiment="negative")) == 0
        assert switch_version(session, "next-version") == 1
    mention = _mention(engine, ids["w1"])
    assert (mention.tagger_version, mention.sentiment) == ("next-version", "negative")
    with transaction(engine) as session:
        versions = set(session.scalars(select(Tag.tagger_version).where(
            Tag.mention_id == ids["w1"])))
    assert versions == {"next-version"}


def test_bad_corrections_are_refused(tagged):
    engine, _, ids = tagged
    with transaction(engine) as session, pytest.raises(CorrectionError, match="not a keyword"):
        add_correction(session, ids["w1"], "keyword", "opne", "a",
                       allowed={"keyword": ["open"]})
    with transaction(engine) as session, pytest.raises(CorrectionError, match="one value"):
        add_correction(session, ids["w1"], "sentiment", "negative", "a", remove=True)
    with transaction(engine) as session, pytest.raises(CorrectionError, match="no mention"):
        add_correction(session, 999_999, "sentiment", "negative", "a")


def test_undo_brings_the_machine_tags_back_and_keeps_the_record(tagged):
    engine, settings, ids = tagged
    machine = {key: _mention(engine, ids[key]) for key in ("w1", "p1")}
    machine_intent = _tags(engine, ids["w1"], "intent")
    assert len(machine_intent) == 1
    other = "criticism" if machine_intent != {"criticism"} else "praise"
    with transaction(engine) as session:
        wrong = add_correction(session, ids["w1"], "sentiment", "negative", "anna")
        removed = add_correction(session, ids["w1"], "intent", other, "anna")
        add_correction(session, ids["w1"], "keyword", "transparent", "anna")
    with transaction(engine) as session:
        undo_correction(session, wrong.id, "bertil")
        undo_correction(session, removed.id, "bertil")
    for key in ("w1", "p1"):
        mention = _mention(engine, ids[key])
        assert (mention.sentiment, mention.sentiment_score) == (
            machine[key].sentiment, machine[key].sentiment_score)
        assert "transparent" in _tags(engine, ids[key], "keyword")  # not undone: still in force
    assert _tags(engine, ids["w1"], "intent") == machine_intent
    with transaction(engine) as session:
        rows = [(c.action, c.author, c.undoes) for c in
                session.scalars(select(Correction).order_by(Correction.id))]
        assert rows[-2:] == [("undo", "bertil", wrong.id), ("undo", "bertil", removed.id)]
        with pytest.raises(CorrectionError, match="already undone"):
            undo_correction(session, wrong.id, "bertil")
    with transaction(engine) as session:
        assert rollups.differences(session) == []
    jobs.retag(engine, settings, Tagger(settings.strategy))  # and a retag keeps it that way
    assert _mention(engine, ids["w1"]).sentiment == machine["w1"].sentiment
    assert "transparent" in _tags(engine, ids["w1"], "keyword")
    with transaction(engine) as session:
        assert rollups.differences(session) == []
