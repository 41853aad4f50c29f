"""Mentions for the review queue's tests, stored and tagged by the real writers
(store.writes, store.tagging) from tagger results with chosen labels and confidences."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from pulse.settings import SourceConfig
from store.db import transaction
from store.items import Item
from store.models import Mention
from store.tagging import save_results
from store.writes import save_items, sync_sources

VERSION = "test-v1"


def result(sentiment="negative", confidence=0.9, intent="complaint", intent_confidence=0.9,
           voice="third_party", topics=("t-a",)) -> dict:
    """A tagger result (an analyze() record) with chosen labels and confidences."""
    score = {"positive": 0.6, "neutral": 0.0, "negative": -0.6}[sentiment]
    return {"lang": "sv", "voice": voice,
            "sentiment": {"label": sentiment, "score": score, "confidence": confidence,
                          "evidence": []},
            "keywords": [], "messages": [],
            "topics": [{"id": t, "score": 0.7, "sentiment": sentiment, "evidence": []}
                       for t in topics],
            "audiences": [{"id": "residents", "score": 0.8, "sentiment": sentiment,
                           "evidence": []}],
            "intent": intent, "intent_evidence": [], "intent_confidence": intent_confidence,
            "echo": False, "cities": []}


def store_mentions(engine, specs: dict[str, dict]) -> dict[str, int]:
    """Store and tag one mention per spec {"when", "result", "engagement", "copy_of"}; return
    the ids by name. Copies point at their first copy (story_id), as story detection does."""
    config = SourceConfig(key="paper", kind="feed", url="https://paper.example/feed")
    with transaction(engine) as session:
        source = sync_sources(session, [config])["paper"]
        items = [Item(name, "news", f"Text {name} om Stockholm", spec["when"],
                      url=f"https://paper.example/{name}", title=f"Rubrik {name}",
                      engagement=spec.get("engagement", {}))
                 for name, spec in specs.items()]
        save_items(session, source, items)
        ids = {m.external_id: m.id for m in session.scalars(select(Mention))}
        for name, spec in specs.items():
            if spec.get("copy_of"):
                session.execute(update(Mention).where(Mention.id == ids[name])
                                .values(story_id=ids[spec["copy_of"]]))
        records = [{"id": ids[name]} for name in specs]
        save_results(session, records, [spec["result"] for spec in specs.values()], VERSION)
    return ids


def at(day: int, hour: int = 10) -> datetime:
    """A UTC time on a November 2026 day."""
    return datetime(2026, 11, day, hour, tzinfo=UTC)
