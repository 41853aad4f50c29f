"""Expected figures counted with the tests' own SQL over stored rows (not store.queries), so
that a dashboard filter wired to the wrong field fails its test."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, select

from store.db import make_engine
from store.models import Mention, Source, Tag


def count_stories(url: str, start: date, end: date, voice: str | None = "third_party",
                  sentiment: str | None = None, lang: str | None = None,
                  tags: tuple[tuple[str, str], ...] = (), sources: tuple[str, ...] = (),
                  text: str | None = None, copies: bool = False) -> int:
    """Count tagged stories (with `copies`, every stored copy) matching these conditions. A
    story counts once, as its first copy (story_id NULL) with that copy's labels."""
    engine = make_engine(url)
    stmt = select(func.count(func.distinct(Mention.id))).where(
        Mention.tagger_version.is_not(None), Mention.local_day >= start, Mention.local_day <= end)
    if not copies:
        stmt = stmt.where(Mention.story_id.is_(None))
    if voice:
        stmt = stmt.where(Mention.voice == voice)
    if sentiment:
        stmt = stmt.where(Mention.sentiment == sentiment)
    if lang:
        stmt = stmt.where(Mention.lang == lang)
    for kind, value in tags:
        stmt = stmt.where(select(Tag.id).where(and_(
            Tag.mention_id == Mention.id, Tag.tagger_version == Mention.tagger_version,
            Tag.active.is_(True), Tag.kind == kind, Tag.value == value)).exists())
    if sources:
        stmt = stmt.where(Mention.source_id.in_(select(Source.id).where(Source.key.in_(sources))))
    if text:
        stmt = stmt.where(Mention.text.contains(text) | Mention.title.contains(text))
    with engine.connect() as conn:
        n = conn.execute(stmt).scalar_one()
    engine.dispose()
    return n
