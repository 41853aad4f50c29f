"""Every read the dashboard, digests and exports need, aggregated in SQL.

Tags are always read at the mention's current tagger version, so a retag in progress never
mixes two versions into one figure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from store.models import Author, FetchState, Mention, Source, Tag

SENTIMENTS = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class Filters:
    """The filter bar: an inclusive local-date range and optional voice, sentiment, tag filters."""

    start: date | None = None
    end: date | None = None
    voice: str | None = "third_party"
    sentiment: str | None = None
    keyword: str | None = None
    message: str | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)
    lang: str | None = None


def _story():
    """A mention's story: syndicated copies share one, so perception figures count it once."""
    return func.coalesce(Mention.story_id, Mention.id)


def _current_tags():
    return and_(Tag.mention_id == Mention.id, Tag.tagger_version == Mention.tagger_version)


def _has_tag(kind: str, value: str):
    return (select(Tag.id).where(_current_tags(), Tag.kind == kind, Tag.value == value)
            .exists())


def _apply(stmt: Select, f: Filters) -> Select:
    if f.start:
        stmt = stmt.where(Mention.local_day >= f.start)
    if f.end:
        stmt = stmt.where(Mention.local_day <= f.end)
    if f.voice:
        stmt = stmt.where(Mention.voice == f.voice)
    if f.sentiment:
        stmt = stmt.where(Mention.sentiment == f.sentiment)
    if f.lang:
        stmt = stmt.where(Mention.lang == f.lang)
    if f.keyword:
        stmt = stmt.where(_has_tag("keyword", f.keyword))
    if f.message:
        stmt = stmt.where(_has_tag("message", f.message))
    if f.sources:
        stmt = stmt.where(Mention.source_id.in_(
            select(Source.id).where(Source.key.in_(f.sources))))
    return stmt


def count_mentions(session: Session, f: Filters, tagged_only: bool = True) -> int:
    """Return the number of stories (copies of one story count once) matching the filters."""
    stmt = select(func.count(func.distinct(_story())))
    if tagged_only:
        stmt = stmt.where(Mention.tagger_version.is_not(None))
    return session.scalar(_apply(stmt, f)) or 0


def volume_by_sentiment(session: Session, f: Filters, granularity: str = "day") -> list[dict]:
    """Return [{"bucket", "sentiment", "count"}] per local day or ISO week (stories counted)."""
    bucket = Mention.local_day if granularity == "day" else Mention.local_week
    stmt = (select(bucket.label("bucket"), Mention.sentiment, func.count(func.distinct(_story())))
            .where(Mention.sentiment.is_not(None))
            .group_by(bucket, Mention.sentiment).order_by(bucket))
    rows = session.execute(_apply(stmt, f)).all()
    return [{"bucket": b, "sentiment": s, "count": n} for b, s, n in rows]


def tag_counts(session: Session, f: Filters, kind: str) -> list[dict]:
    """Return [{"value", "sentiment", "count"}]: mentions per tag value and aspect sentiment."""
    stmt = (select(Tag.value, Tag.sentiment, func.count(func.distinct(_story())))
            .join(Mention, _current_tags()).where(Tag.kind == kind)
            .group_by(Tag.value, Tag.sentiment).order_by(Tag.value))
    rows = session.execute(_apply(stmt, f)).all()
    return [{"value": v, "sentiment": s or "neutral", "count": n} for v, s, n in rows]


def latest_mentions(session: Session, f: Filters, limit: int = 50) -> list[dict]:
    """Return the newest tagged mentions with their source, tags and link."""
    stmt = (select(Mention, Source.key)
            .join(Source, Source.id == Mention.source_id)
            .where(Mention.tagger_version.is_not(None))
            .order_by(Mention.published_at.desc(), Mention.id.desc()).limit(limit))
    rows = session.execute(_apply(stmt, f)).all()
    ids = [m.id for m, _ in rows]
    tags: dict[int, dict[str, list[str]]] = {i: {} for i in ids}
    if ids:
        for mention_id, kind, value in session.execute(
            select(Tag.mention_id, Tag.kind, Tag.value).join(Mention, _current_tags())
            .where(Tag.mention_id.in_(ids), Tag.kind.in_(("keyword", "message")))
        ):
            tags[mention_id].setdefault(kind, []).append(value)
    return [{
        "id": m.id, "published_at": m.published_at, "source": key, "kind": m.kind,
        "title": m.title, "text": m.text, "url": m.url, "lang": m.lang, "voice": m.voice,
        "sentiment": m.sentiment, "sentiment_score": m.sentiment_score,
        "keywords": sorted(tags[m.id].get("keyword", [])),
        "messages": sorted(tags[m.id].get("message", [])),
    } for m, key in rows]


def source_health(session: Session) -> list[dict]:
    """Return each source with its fetch state and number of stored mentions."""
    counts = dict(session.execute(
        select(Mention.source_id, func.count(Mention.id)).group_by(Mention.source_id)).all())
    rows = session.execute(
        select(Source, FetchState).join(FetchState, FetchState.source_id == Source.id,
                                        isouter=True).order_by(Source.key)).all()
    return [{
        "key": s.key, "kind": s.kind, "enabled": s.enabled, "voice": s.voice,
        "mentions": counts.get(s.id, 0),
        "last_success_at": st.last_success_at if st else None,
        "last_error_at": st.last_error_at if st else None,
        "last_error_kind": st.last_error_kind if st else None,
        "last_error": st.last_error if st else None,
        "items_last_run": st.items_last_run if st else 0,
        "consecutive_failures": st.consecutive_failures if st else 0,
        "failure_score": st.failure_score if st else 0.0,
        "disabled_at": st.disabled_at if st else None,
        "next_due_at": st.next_due_at if st else None,
    } for s, st in rows]


def iter_export_rows(session: Session, f: Filters, batch: int = 1000) -> Iterator[dict]:
    """Yield every tagged mention matching the filters, with all its tags, streamed in batches."""
    last_id = 0
    while True:
        stmt = (select(Mention, Source.key, Author.handle)
                .join(Source, Source.id == Mention.source_id)
                .join(Author, Author.id == Mention.author_id, isouter=True)
                .where(Mention.tagger_version.is_not(None), Mention.id > last_id)
                .order_by(Mention.id).limit(batch))
        rows = session.execute(_apply(stmt, f)).all()
        if not rows:
            return
        ids = [m.id for m, _, _ in rows]
        tags: dict[int, list[Tag]] = {i: [] for i in ids}
        for tag in session.scalars(select(Tag).join(Mention, _current_tags())
                                   .where(Tag.mention_id.in_(ids)).order_by(Tag.id)):
            tags[tag.mention_id].append(tag)
        for m, key, handle in rows:
            by_kind: dict[str, list[dict]] = {}
            for t in tags[m.id]:
                if t.kind != "sentiment":
                    by_kind.setdefault(t.kind, []).append(
                        {"id": t.value, "score": t.score, "sentiment": t.sentiment,
                         "evidence": t.evidence})
            sentiment_tag = next((t for t in tags[m.id] if t.kind == "sentiment"), None)
            yield {
                "id": m.id, "source": key, "external_id": m.external_id, "kind": m.kind,
                "url": m.url, "canonical_url": m.canonical_url, "title": m.title,
                "text": m.text, "author": handle, "published_at": m.published_at.isoformat(),
                "lang": m.lang, "voice": m.voice,
                "sentiment": {"label": m.sentiment, "score": m.sentiment_score,
                              "evidence": sentiment_tag.evidence if sentiment_tag else []},
                "keywords": by_kind.get("keyword", []), "messages": by_kind.get("message", []),
                "topics": by_kind.get("topic", []), "audiences": by_kind.get("audience", []),
                "tagger_version": m.tagger_version,
            }
        last_id = ids[-1]


def texts_by_week(session: Session, f: Filters) -> list[tuple[int, date, str, str]]:
    """Return (id, local week, language, title + text) of tagged mentions, one per story."""
    stmt = (select(Mention.id, Mention.local_week, Mention.lang, Mention.title, Mention.text)
            .where(Mention.tagger_version.is_not(None), Mention.story_id.is_(None))
            .order_by(Mention.id))
    return [(i, week, lang or "other", f"{title or ''} {text}".strip())
            for i, week, lang, title, text in session.execute(_apply(stmt, f))]
