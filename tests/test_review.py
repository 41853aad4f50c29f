"""The review queue (store.review) on SQLite and PostgreSQL: the tagger's confidence is kept,
the queue ranks a week's unreviewed third-party stories by (1 − confidence) × weight, a
confirmation changes no tag and no figure and is undoable, and `pulse train` reads confirmed
mentions with their confirmed labels beside corrected ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from store import rollups
from store.corrections import CorrectionError, add_correction, corrected_records, undo_correction
from store.db import transaction
from store.models import Confirmation, DailyCount, Mention, Tag
from store.review import (
    confirm_mention,
    review_queue,
    reviews_since,
    undo_confirmation,
    weight,
)
from tests.review_data import VERSION, at, result, store_mentions

WEEK = date(2026, 11, 23)  # Monday of ISO week 48


def test_save_tagging_keeps_the_confidence_of_sentiment_and_intent(engine):
    ids = store_mentions(engine, {
        "learned": {"when": at(24), "result": result(confidence=0.62, intent_confidence=0.41)},
        "rules": {"when": at(24), "result": result(confidence=None, intent_confidence=None)}})
    with transaction(engine) as session:
        got = {(m, k): c for m, k, c in session.execute(
            select(Tag.mention_id, Tag.kind, Tag.confidence))}
    assert got[(ids["learned"], "sentiment")] == pytest.approx(0.62)
    assert got[(ids["learned"], "intent")] == pytest.approx(0.41)
    assert got[(ids["learned"], "topic")] is None  # a multi-label tag's score is its probability
    assert got[(ids["rules"], "sentiment")] is None and got[(ids["rules"], "intent")] is None


def queue_specs() -> dict[str, dict]:
    return {
        # (1 − 0.9) × 1 = 0.1
        "sure": {"when": at(24), "result": result(confidence=0.9, intent_confidence=0.95)},
        # the intent is the least sure decision: (1 − 0.4) × 1 = 0.6
        "unsure_intent": {"when": at(25), "result": result(confidence=0.8,
                                                            intent_confidence=0.4)},
        # (1 − 0.5) × 1 = 0.5
        "unsure": {"when": at(26), "result": result(confidence=0.5, intent_confidence=0.9)},
        # (1 − 0.7) × (1 + ln 1001) ≈ 2.37: engaged, so it weighs most
        "engaged": {"when": at(27), "result": result(confidence=0.7, intent_confidence=0.9),
                    "engagement": {"likes": 900, "reposts": 100}},
        # (1 − 0.95) × 3 copies = 0.15; its copies are not candidates themselves
        "copied": {"when": at(23, 8), "result": result(confidence=0.95,
                                                       intent_confidence=0.95)},
        "copy1": {"when": at(24), "copy_of": "copied", "result": result(confidence=0.05)},
        "copy2": {"when": at(30), "copy_of": "copied", "result": result(confidence=0.05)},
        # (1 − 0.75) × 1 = 0.25, published Sunday 23:30 in Stockholm (22:30 UTC): week 48
        "sunday_night": {"when": at(29, 22), "result": result(confidence=0.75,
                                                              intent_confidence=0.9)},
        # Monday 00:30 in Stockholm (23:30 UTC on Sunday): week 49, not in the queue
        "next_week": {"when": datetime(2026, 11, 29, 23, 30, tzinfo=UTC),
                      "result": result(confidence=0.01, intent_confidence=0.01)},
        "last_week": {"when": at(20), "result": result(confidence=0.01, intent_confidence=0.01)},
        "own": {"when": at(24), "result": result(confidence=0.01, intent_confidence=0.01,
                                                 voice="own")},
        # unknown confidence: after every known one
        "unknown": {"when": at(24), "result": result(confidence=None, intent_confidence=None),
                    "engagement": {"likes": 5000}},
    }


def test_queue_ranks_the_weeks_unsure_and_weighty_stories_first(engine):
    ids = store_mentions(engine, queue_specs())
    with transaction(engine) as session:
        queue = review_queue(session, WEEK, limit=20)
    order = [r["id"] for r in queue["rows"]]
    names = {v: k for k, v in ids.items()}
    assert [names[i] for i in order] == ["engaged", "unsure_intent", "unsure", "sunday_night",
                                         "copied", "sure", "unknown"]
    assert queue["remaining"] == 7
    rows = {names[r["id"]]: r for r in queue["rows"]}
    assert rows["copied"]["copies"] == 3 and rows["copied"]["weight"] == pytest.approx(3.0)
    assert rows["engaged"]["engagement"] == 1000
    assert rows["engaged"]["priority"] == pytest.approx(0.3 * weight(1, 1000))
    assert rows["unsure_intent"]["confidence"] == pytest.approx(0.4)
    assert rows["unknown"]["confidence"] is None and rows["unknown"]["priority"] is None
    labels = rows["unsure_intent"]["labels"]
    assert [(t["value"], t["confidence"]) for t in labels["sentiment"]] == \
        [("negative", pytest.approx(0.8))]
    assert [t["value"] for t in labels["intent"]] == ["complaint"]
    assert [t["value"] for t in labels["topic"]] == ["t-a"]
    assert rows["unsure"]["text"] == "Text unsure om Stockholm"
    with transaction(engine) as session:
        assert [r["id"] for r in review_queue(session, WEEK, limit=2)["rows"]] == order[:2]


def test_reviewed_stories_leave_the_queue_and_come_back_when_undone(engine):
    ids = store_mentions(engine, queue_specs())
    with transaction(engine) as session:
        confirm_mention(session, ids["engaged"], "Analytiker A")
        # a correction of a copy reviews the whole story
        correction = add_correction(session, ids["copy1"], "sentiment", "positive",
                                    "Analytiker B")
    with transaction(engine) as session:
        queue = review_queue(session, WEEK, limit=20)
    left = {r["id"] for r in queue["rows"]}
    assert ids["engaged"] not in left and ids["copied"] not in left
    assert queue["remaining"] == 5
    with transaction(engine) as session:
        (confirmation,) = session.scalars(select(Confirmation)).all()
        undo_confirmation(session, confirmation.id, "Analytiker C")
        undo_correction(session, correction.id, "Analytiker C")
    with transaction(engine) as session:
        queue = review_queue(session, WEEK, limit=20)
    assert queue["remaining"] == 7 and queue["rows"][0]["id"] == ids["engaged"]


def _snapshot(session) -> tuple:
    tags = sorted((t.id, t.mention_id, t.kind, t.value, t.active, t.origin, t.score)
                  for t in session.scalars(select(Tag)))
    counts = sorted((d.day, d.voice, d.source_id, d.lang, d.sentiment, d.kind, d.value,
                     d.aspect, d.n) for d in session.scalars(select(DailyCount)))
    mentions = sorted((m.id, m.sentiment, m.sentiment_score, m.voice)
                      for m in session.scalars(select(Mention)))
    return tags, counts, mentions


def test_a_confirmation_is_recorded_changes_nothing_and_is_undoable(engine):
    ids = store_mentions(engine, queue_specs())
    with transaction(engine) as session:
        before = _snapshot(session)
        row = confirm_mention(session, ids["unsure"], "  Analytiker A ")
        confirmed_id = row.id
    with transaction(engine) as session:
        assert _snapshot(session) == before
        assert rollups.differences(session) == []
        (c,) = session.scalars(select(Confirmation)).all()
        assert (c.id, c.mention_id, c.author, c.tagger_version, c.undone_at) == \
            (confirmed_id, ids["unsure"], "Analytiker A", VERSION, None)
        assert c.labels == {"sentiment": "negative", "intent": "complaint", "topics": ["t-a"],
                            "audiences": ["residents"], "keywords": [], "messages": []}
        assert c.created_at is not None
    with transaction(engine) as session, pytest.raises(CorrectionError, match="already"):
        confirm_mention(session, ids["unsure"], "Analytiker B")
    with transaction(engine) as session, pytest.raises(CorrectionError, match="author"):
        confirm_mention(session, ids["sure"], "  ")
    with transaction(engine) as session:
        undo_confirmation(session, confirmed_id, "Analytiker B")
    with transaction(engine) as session:
        assert _snapshot(session) == before
        (c,) = session.scalars(select(Confirmation)).all()
        assert c.undone_by == "Analytiker B" and c.undone_at is not None
        assert corrected_records(session) == []
    with transaction(engine) as session, pytest.raises(CorrectionError, match="already undone"):
        undo_confirmation(session, confirmed_id, "Analytiker B")


def test_training_reads_confirmed_and_corrected_mentions_with_their_labels(engine):
    ids = store_mentions(engine, queue_specs())
    with transaction(engine) as session:
        confirm_mention(session, ids["unsure"], "Analytiker A")
        add_correction(session, ids["sure"], "sentiment", "positive", "Analytiker B")
        # confirmed, then one of its labels corrected: the correction wins for that task
        confirm_mention(session, ids["engaged"], "Analytiker A")
        add_correction(session, ids["engaged"], "intent", "question", "Analytiker B")
    with transaction(engine) as session:
        found = {r["text"]: (r, taught) for r, taught in corrected_records(session)}
    assert set(found) == {"Text unsure om Stockholm", "Text sure om Stockholm",
                          "Text engaged om Stockholm"}
    record, taught = found["Text unsure om Stockholm"]
    assert sorted(taught) == ["audiences", "intent", "keywords", "messages", "sentiment",
                              "topics"]
    assert (record["sentiment"], record["intent"], record["topics"], record["audiences"]) == \
        ("negative", "complaint", ["t-a"], ["residents"])
    record, taught = found["Text sure om Stockholm"]
    assert taught == ["sentiment"] and record["sentiment"] == "positive"
    assert "intent" not in record
    record, taught = found["Text engaged om Stockholm"]
    assert record["intent"] == "question" and record["sentiment"] == "negative"
    assert taught.count("intent") == 1 and "topics" in taught


def test_reviews_are_counted_since_a_day(engine):
    ids = store_mentions(engine, queue_specs())
    with transaction(engine) as session:
        confirm_mention(session, ids["unsure"], "A")
        add_correction(session, ids["sure"], "sentiment", "positive", "B")
        add_correction(session, ids["sure"], "topic", "t-b", "B")
        undone = add_correction(session, ids["engaged"], "sentiment", "positive", "B")
        undo_correction(session, undone.id, "B")
        old = confirm_mention(session, ids["sunday_night"], "A")
        old.created_at = datetime.now(UTC) - timedelta(days=30)
    with transaction(engine) as session:
        assert reviews_since(session, None) == {"confirmed": 2, "corrected": 1, "total": 3}
        since = datetime.now(UTC) - timedelta(days=1)
        assert reviews_since(session, since) == {"confirmed": 1, "corrected": 1, "total": 2}
