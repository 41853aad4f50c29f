"""Every read the dashboard, digests and exports need, aggregated in SQL.

Tags are always read at the mention's current tagger version, so a retag in progress never
mixes two versions into one figure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from store.models import (
    Author,
    DailyCount,
    Delivery,
    FetchState,
    JobState,
    Mention,
    Source,
    SourceDay,
    Tag,
)
from store.rollups import PAIR_SEPARATOR, PAIRS
from store.search import text_matches

SENTIMENTS = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class Filters:
    """The filter bar: an inclusive local-date range and optional voice, sentiment, tag filters.

    `search` is a case-insensitive substring of title or text; `response` is a follow-up
    status ("needs_answer", "answered"). Tag filters match the mention's current tags.
    `story` keeps the copies of one story (its first copy's id), `author` one author's
    mentions (the handle).
    """

    start: date | None = None
    end: date | None = None
    voice: str | None = "third_party"
    sentiment: str | None = None
    keyword: str | None = None
    message: str | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)
    lang: str | None = None
    topic: str | None = None
    audience: str | None = None
    intent: str | None = None
    city: str | None = None
    search: str | None = None
    response: str | None = None
    story: int | None = None
    author: str | None = None


TAG_FILTERS = ("keyword", "message", "topic", "audience", "intent", "city")


def _current_tags():
    """A mention's effective tags: its tagger version's, without those a correction overrules."""
    return and_(Tag.mention_id == Mention.id, Tag.tagger_version == Mention.tagger_version,
                Tag.active.is_(True))


def _has_tag(kind: str, value: str):
    # An alias: the outer query may itself select from tags (tag counts under a tag filter).
    tag = aliased(Tag)
    return (select(tag.id).where(tag.mention_id == Mention.id,
                                 tag.tagger_version == Mention.tagger_version,
                                 tag.active.is_(True), tag.kind == kind, tag.value == value)
            .correlate(Mention).exists())


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
    for kind in TAG_FILTERS:
        value = getattr(f, kind)
        if value:
            stmt = stmt.where(_has_tag(kind, value))
    if f.sources:
        stmt = stmt.where(Mention.source_id.in_(
            select(Source.id).where(Source.key.in_(f.sources))))
    if f.search and f.search.strip():
        stmt = stmt.where(text_matches(f.search))
    if f.response:
        stmt = stmt.where(Mention.response_status == f.response)
    if f.story:
        stmt = stmt.where(func.coalesce(Mention.story_id, Mention.id) == f.story)
    if f.author:
        stmt = stmt.where(Mention.author_id.in_(
            select(Author.id).where(Author.handle == f.author)))
    return stmt


# --- period figures: from the rollup when the filters allow it, else from the raw rows ------
#
# A story counts once, as its first copy (story_id NULL) with that copy's day, source, voice,
# language and labels: the same in both paths (store.rollups keeps the rollup exact).

def _first_copies():
    # coalesce(story_id, id) = id is "story_id IS NULL" (a copy never points to itself) in a
    # form no index serves, so the period index stays the access path, not ix_mentions_story.
    return and_(func.coalesce(Mention.story_id, Mention.id) == Mention.id,
                Mention.tagger_version.is_not(None))


def _rollup_serves(f: Filters) -> bool:
    """True when every filter is a dimension of the rollup (period, voice, sentiment, language,
    sources); tag filters, text search and follow-up status need the raw rows."""
    return not (any(getattr(f, k) for k in TAG_FILTERS) or (f.search and f.search.strip())
                or f.response or f.story or f.author)


def _apply_rollup(stmt: Select, f: Filters) -> Select:
    d = DailyCount
    if f.start:
        stmt = stmt.where(d.day >= f.start)
    if f.end:
        stmt = stmt.where(d.day <= f.end)
    if f.voice:
        stmt = stmt.where(d.voice == f.voice)
    if f.sentiment:
        stmt = stmt.where(d.sentiment == f.sentiment)
    if f.lang:
        stmt = stmt.where(d.lang == f.lang)
    if f.sources:
        stmt = stmt.where(d.source_id.in_(select(Source.id).where(Source.key.in_(f.sources))))
    return stmt


def _rollup_bucket(granularity: str):
    return DailyCount.day if granularity == "day" else DailyCount.week


def _bucket(granularity: str):
    return Mention.local_day if granularity == "day" else Mention.local_week


def count_mentions(session: Session, f: Filters, tagged_only: bool = True,
                   copies: bool = False) -> int:
    """Return the number of stories matching the filters (copies of one story count once);
    with `copies`, of every stored copy (what a list of mentions shows)."""
    if copies:
        stmt = select(func.count(Mention.id))
        if tagged_only:
            stmt = stmt.where(Mention.tagger_version.is_not(None))
        return session.scalar(_apply(stmt, f)) or 0
    if not tagged_only:  # collected stories, tagged or not: the rollup counts tagged only
        first = func.coalesce(Mention.story_id, Mention.id) == Mention.id
        return session.scalar(_apply(select(func.count(Mention.id)).where(first), f)) or 0
    if _rollup_serves(f):
        stmt = select(func.coalesce(func.sum(DailyCount.n), 0)).where(DailyCount.kind == "")
        return int(session.scalar(_apply_rollup(stmt, f)) or 0)
    return session.scalar(_apply(select(func.count(Mention.id)).where(_first_copies()), f)) or 0


def volume_by_sentiment(session: Session, f: Filters, granularity: str = "day") -> list[dict]:
    """Return [{"bucket", "sentiment", "count"}] per local day or ISO week (stories counted)."""
    if _rollup_serves(f):
        bucket = _rollup_bucket(granularity)
        stmt = (select(bucket, DailyCount.sentiment, func.sum(DailyCount.n))
                .where(DailyCount.kind == "", DailyCount.sentiment != "")
                .group_by(bucket, DailyCount.sentiment).order_by(bucket))
        rows = session.execute(_apply_rollup(stmt, f)).all()
    else:
        bucket = _bucket(granularity)
        stmt = (select(bucket.label("bucket"), Mention.sentiment, func.count(Mention.id))
                .where(_first_copies(), Mention.sentiment.is_not(None))
                .group_by(bucket, Mention.sentiment).order_by(bucket))
        rows = session.execute(_apply(stmt, f)).all()
    return [{"bucket": b, "sentiment": s, "count": int(n)} for b, s, n in rows]


def tag_counts(session: Session, f: Filters, kind: str) -> list[dict]:
    """Return [{"value", "sentiment", "count"}]: stories per tag value and aspect sentiment."""
    if _rollup_serves(f):
        stmt = (select(DailyCount.value, DailyCount.aspect, func.sum(DailyCount.n))
                .where(DailyCount.kind == kind)
                .group_by(DailyCount.value, DailyCount.aspect).order_by(DailyCount.value))
        rows = session.execute(_apply_rollup(stmt, f)).all()
    else:
        stmt = (select(Tag.value, Tag.sentiment, func.count(func.distinct(Mention.id)))
                .join(Mention, _current_tags()).where(Tag.kind == kind, _first_copies())
                .group_by(Tag.value, Tag.sentiment).order_by(Tag.value))
        rows = session.execute(_apply(stmt, f)).all()
    return [{"value": v, "sentiment": s or "neutral", "count": int(n)} for v, s, n in rows]


def tag_volume(session: Session, f: Filters, kind: str, granularity: str = "week") -> list[dict]:
    """Return [{"bucket", "value", "sentiment", "count"}]: stories per tag value, time bucket
    and aspect sentiment (keywords, messages, topics or benchmark cities over time)."""
    if _rollup_serves(f):
        bucket = _rollup_bucket(granularity)
        stmt = (select(bucket, DailyCount.value, DailyCount.aspect, func.sum(DailyCount.n))
                .where(DailyCount.kind == kind)
                .group_by(bucket, DailyCount.value, DailyCount.aspect)
                .order_by(bucket, DailyCount.value))
        rows = session.execute(_apply_rollup(stmt, f)).all()
    else:
        bucket = _bucket(granularity)
        stmt = (select(bucket, Tag.value, Tag.sentiment, func.count(func.distinct(Mention.id)))
                .join(Mention, _current_tags()).where(Tag.kind == kind, _first_copies())
                .group_by(bucket, Tag.value, Tag.sentiment).order_by(bucket, Tag.value))
        rows = session.execute(_apply(stmt, f)).all()
    return [{"bucket": b, "value": v, "sentiment": s or "neutral", "count": int(n)}
            for b, v, s, n in rows]


def weekly_by_voice(session: Session, f: Filters) -> list[dict]:
    """Return [{"week", "voice", "sentiment", "count"}] over all voices (f.voice is ignored):
    the basis of week-on-week figures and share of voice."""
    f = replace(f, voice=None)
    if _rollup_serves(f):
        d = DailyCount
        stmt = (select(d.week, d.voice, d.sentiment, func.sum(d.n))
                .where(d.kind == "", d.sentiment != "")
                .group_by(d.week, d.voice, d.sentiment).order_by(d.week))
        rows = session.execute(_apply_rollup(stmt, f)).all()
    else:
        stmt = (select(Mention.local_week, Mention.voice, Mention.sentiment,
                       func.count(Mention.id))
                .where(_first_copies(), Mention.sentiment.is_not(None))
                .group_by(Mention.local_week, Mention.voice, Mention.sentiment)
                .order_by(Mention.local_week))
        rows = session.execute(_apply(stmt, f)).all()
    return [{"week": w, "voice": v, "sentiment": s, "count": int(n)} for w, v, s, n in rows]


def tag_counts_by_voice(session: Session, f: Filters, kind: str) -> dict:
    """Return {"totals": {voice: stories}, "rows": [{"voice", "value", "count"}]} over all
    voices (f.voice is ignored): what the city says against what others say, per tag."""
    f = replace(f, voice=None)
    if _rollup_serves(f):
        d = DailyCount
        totals = dict(session.execute(_apply_rollup(
            select(d.voice, func.sum(d.n)).where(d.kind == "").group_by(d.voice), f)).all())
        stmt = (select(d.voice, d.value, func.sum(d.n)).where(d.kind == kind)
                .group_by(d.voice, d.value))
        rows = session.execute(_apply_rollup(stmt, f)).all()
    else:
        totals = dict(session.execute(_apply(
            select(Mention.voice, func.count(Mention.id)).where(_first_copies())
            .group_by(Mention.voice), f)).all())
        stmt = (select(Mention.voice, Tag.value, func.count(func.distinct(Mention.id)))
                .join(Mention, _current_tags()).where(Tag.kind == kind, _first_copies())
                .group_by(Mention.voice, Tag.value))
        rows = session.execute(_apply(stmt, f)).all()
    return {"totals": {v: int(n) for v, n in totals.items()},
            "rows": [{"voice": v, "value": value, "count": int(n)} for v, value, n in rows]}


def tag_pairs(session: Session, f: Filters, kind: str, other_kind: str) -> list[dict]:
    """Return [{"value", "other", "count"}]: stories carrying both a `kind` tag and an
    `other_kind` tag (e.g. target group x intent), counted per pair of values."""
    pair = f"{kind}+{other_kind}"
    if _rollup_serves(f) and (kind, other_kind) in PAIRS:
        stmt = (select(DailyCount.value, func.sum(DailyCount.n))
                .where(DailyCount.kind == pair).group_by(DailyCount.value))
        return [{"value": v.split(PAIR_SEPARATOR)[0], "other": v.split(PAIR_SEPARATOR)[1],
                 "count": int(n)} for v, n in session.execute(_apply_rollup(stmt, f)).all()]
    other = aliased(Tag)
    stmt = (select(Tag.value, other.value, func.count(func.distinct(Mention.id)))
            .join(Mention, _current_tags())
            .join(other, and_(other.mention_id == Mention.id,
                              other.tagger_version == Mention.tagger_version,
                              other.active.is_(True), other.kind == other_kind))
            .where(Tag.kind == kind, _first_copies()).group_by(Tag.value, other.value))
    return [{"value": v, "other": o, "count": int(n)}
            for v, o, n in session.execute(_apply(stmt, f)).all()]


def volume_by_source(session: Session, f: Filters, granularity: str = "week") -> list[dict]:
    """Return [{"bucket", "source", "count"}]: mentions (every copy) per source and bucket."""
    bucket = _bucket(granularity)
    stmt = (select(bucket, Source.key, func.count(Mention.id))
            .join(Source, Source.id == Mention.source_id)
            .where(Mention.tagger_version.is_not(None))
            .group_by(bucket, Source.key).order_by(bucket))
    return [{"bucket": b, "source": k, "count": n}
            for b, k, n in session.execute(_apply(stmt, f)).all()]


def latest_mentions(session: Session, f: Filters, limit: int = 50, offset: int = 0) -> list[dict]:
    """Return the newest tagged mentions with source, author, engagement, follow-up status and
    every current tag with its evidence (tags[kind] = [{"value", "score", "sentiment",
    "evidence"}])."""
    # local_day is the Stockholm day of published_at, so (local_day, published_at, id) is the
    # same order as (published_at, id), and the one of ix_mentions_day: the newest rows are
    # read from the index's end, with no sort of the whole period.
    stmt = (select(Mention, Source.key, Source.settings, Author.handle, Author.name)
            .join(Source, Source.id == Mention.source_id)
            .join(Author, Author.id == Mention.author_id, isouter=True)
            .where(Mention.tagger_version.is_not(None))
            .order_by(Mention.local_day.desc(), Mention.published_at.desc(), Mention.id.desc())
            .limit(limit).offset(offset))
    rows = session.execute(_apply(stmt, f)).all()
    tags = _tags_of(session, [m.id for m, *_ in rows])
    return [{
        "id": m.id, "published_at": m.published_at, "source": key,
        "source_name": (source_settings or {}).get("name") or key, "kind": m.kind,
        "title": m.title, "text": m.text, "url": m.url, "lang": m.lang, "voice": m.voice,
        "author": handle, "author_name": name, "engagement": m.engagement or {},
        "sentiment": m.sentiment, "sentiment_score": m.sentiment_score,
        "response_status": m.response_status, "story_id": m.story_id or m.id,
        "tags": tags[m.id],
        "keywords": sorted(t["value"] for t in tags[m.id].get("keyword", [])),
        "messages": sorted(t["value"] for t in tags[m.id].get("message", [])),
    } for m, key, source_settings, handle, name in rows]


def _tags_of(session: Session, ids: list[int]) -> dict[int, dict[str, list[dict]]]:
    tags: dict[int, dict[str, list[dict]]] = {i: {} for i in ids}
    if ids:
        for tag in session.scalars(select(Tag).join(Mention, _current_tags())
                                   .where(Tag.mention_id.in_(ids)).order_by(Tag.id)):
            tags[tag.mention_id].setdefault(tag.kind, []).append({
                "value": tag.value, "score": tag.score, "sentiment": tag.sentiment,
                "evidence": tag.evidence or []})
    return tags


def source_health(session: Session) -> list[dict]:
    """Return each source with its fetch state and number of stored mentions."""
    counts = dict(session.execute(
        select(Mention.source_id, func.count(Mention.id)).group_by(Mention.source_id)).all())
    rows = session.execute(
        select(Source, FetchState).join(FetchState, FetchState.source_id == Source.id,
                                        isouter=True).order_by(Source.key)).all()
    return [{
        "key": s.key, "name": (s.settings or {}).get("name") or s.key, "kind": s.kind,
        "enabled": s.enabled, "voice": s.voice,
        "channel": (s.settings or {}).get("channel"),  # written by sync_sources
        "interval": (s.settings or {}).get("interval"),
        "mentions": counts.get(s.id, 0),
        "last_success_at": st.last_success_at if st else None,
        "last_error_at": st.last_error_at if st else None,
        "last_error_kind": st.last_error_kind if st else None,
        "last_error": st.last_error if st else None,
        "last_warning": st.last_warning if st else None,
        "last_warning_at": st.last_warning_at if st else None,
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


def texts_by_week(session: Session, f: Filters,
                  per_week: int | None = None) -> list[tuple[int, date, str, str]]:
    """Return (id, local week, language, title + text) of tagged mentions, one per story;
    with `per_week`, at most that many per week (the newest ids)."""
    stmt = (select(Mention.id, Mention.local_week, Mention.lang, Mention.title, Mention.text)
            .where(_first_copies()))
    stmt = _apply(stmt, f)
    if per_week:
        rank = func.row_number().over(partition_by=Mention.local_week,
                                      order_by=Mention.id.desc()).label("rank")
        inner = stmt.add_columns(rank).subquery()
        stmt = (select(inner.c.id, inner.c.local_week, inner.c.lang, inner.c.title,
                       inner.c.text).where(inner.c.rank <= per_week))
        rows = session.execute(stmt.order_by(inner.c.id)).all()
    else:
        rows = session.execute(stmt.order_by(Mention.id)).all()
    return [(i, week, lang or "other", f"{title or ''} {text}".strip())
            for i, week, lang, title, text in rows]


def sentiments_of(session: Session, ids: list[int]) -> dict[int, str]:
    """Return the current sentiment label of each mention id (e.g. an emerging topic's
    documents)."""
    if not ids:
        return {}
    return dict(session.execute(select(Mention.id, Mention.sentiment)
                                .where(Mention.id.in_(ids))).all())


# --- reports: digest, alerts, activities, measurement points ---------------------------------

def _has_any_tag(kind: str, values: tuple[str, ...] | None = None):
    """EXISTS a current tag of `kind` (with one of `values`, when given)."""
    tag = aliased(Tag)
    stmt = select(tag.id).where(tag.mention_id == Mention.id,
                                tag.tagger_version == Mention.tagger_version,
                                tag.active.is_(True), tag.kind == kind)
    if values:
        stmt = stmt.where(tag.value.in_(values))
    return stmt.correlate(Mention).exists()


def _story():
    """A mention's story: copies share their first copy's id (listing stories with copies)."""
    return func.coalesce(Mention.story_id, Mention.id)


def _engagement_score():
    """Likes + reposts + replies + quotes from the engagement JSON (0 where absent)."""
    parts = [func.coalesce(Mention.engagement[key].as_integer(), 0)
             for key in ("likes", "reposts", "replies", "quotes")]
    return parts[0] + parts[1] + parts[2] + parts[3]


def top_stories(session: Session, f: Filters, limit: int = 5,
                audiences: tuple[str, ...] = ()) -> list[dict]:
    """Return the most-engaged stories matching the filters (and, with `audiences`, from any
    of those target groups): [{"id", "title", "text", "url", "source_name", "published_at",
    "sentiment", "engagement", "copies"}], ranked by engagement (likes, reposts, replies,
    quotes of its most-engaged copy), then by how many copies the story has, then newest."""
    story = _story().label("story")
    stmt = (select(story, func.max(_engagement_score()).label("score"),
                   func.count(Mention.id).label("copies"),
                   func.max(Mention.published_at).label("newest"))
            .where(Mention.tagger_version.is_not(None)).group_by(story))
    stmt = _apply(stmt, f)
    if audiences:
        stmt = stmt.where(_has_any_tag("audience", audiences))
    ranked = session.execute(stmt.order_by(func.max(_engagement_score()).desc(),
                                           func.count(Mention.id).desc(),
                                           func.max(Mention.published_at).desc(),
                                           story).limit(limit)).all()
    return _stories(session, ranked)


def _stories(session: Session, ranked) -> list[dict]:
    """The ranked (story, score, copies) rows as story dicts, read from each first copy."""
    if not ranked:
        return []
    rows = {m.id: (m, key, settings) for m, key, settings in session.execute(
        select(Mention, Source.key, Source.settings).join(Source, Source.id == Mention.source_id)
        .where(Mention.id.in_([r.story for r in ranked]))).all()}
    out = []
    for r in ranked:
        m, key, settings = rows[r.story]
        out.append({"id": m.id, "title": m.title, "text": m.text, "url": m.url,
                    "source": key, "source_name": (settings or {}).get("name") or key,
                    "published_at": m.published_at, "sentiment": m.sentiment,
                    "engagement": int(r.score or 0), "copies": int(r.copies)})
    return out


def driving_stories(session: Session, f: Filters, by: str = "engagement",
                    limit: int = 5) -> list[dict]:
    """Return the stories whose first copy matches the filters (a story counts once, as its
    first copy), ranked `by` "engagement" (likes, reposts, replies, quotes of its most-engaged
    copy) or "copies" (how many copies were stored, anywhere), the other as tie-break, then
    newest: [{"id", "title", "text", "url", "source", "source_name", "published_at",
    "sentiment", "engagement", "copies"}]; `id` is the first copy's (the story's) id."""
    firsts = _apply(select(Mention.id).where(_first_copies()), f)
    story = _story().label("story")
    score = func.max(_engagement_score())
    copies = func.count(Mention.id)
    # The first copies by id, their other copies by story_id: both by index, where
    # coalesce(story_id, id) IN (…) would read every mention of every period.
    stmt = (select(story, score.label("score"), copies.label("copies"))
            .where(Mention.tagger_version.is_not(None),
                   or_(Mention.id.in_(firsts), Mention.story_id.in_(firsts)))
            .group_by(story))
    order = (score.desc(), copies.desc()) if by == "engagement" else (copies.desc(),
                                                                        score.desc())
    ranked = session.execute(stmt.order_by(*order, story.desc()).limit(limit)).all()
    return _stories(session, ranked)


def stories_by_source(session: Session, f: Filters, limit: int = 5) -> list[dict]:
    """Return the sources that wrote most stories matching the filters (first copies):
    [{"source", "name", "count", "negative"}], most first."""
    negative = func.count(case((Mention.sentiment == "negative", Mention.id)))
    stmt = (select(Source.id, Source.key, func.count(Mention.id), negative)
            .join(Source, Source.id == Mention.source_id).where(_first_copies())
            .group_by(Source.id, Source.key))  # never by the JSON column (PostgreSQL)
    stmt = _apply(stmt, f).order_by(func.count(Mention.id).desc(), Source.key).limit(limit)
    rows = session.execute(stmt).all()
    names = {i: (settings or {}).get("name") for i, settings in session.execute(
        select(Source.id, Source.settings).where(Source.id.in_([r[0] for r in rows]))).all()}
    return [{"source": key, "name": names.get(i) or key, "count": int(n), "negative": int(neg)}
            for i, key, n, neg in rows]


def stories_by_author(session: Session, f: Filters, limit: int = 5) -> list[dict]:
    """Return the authors who wrote most stories matching the filters (first copies; stories
    without a known author are left out), one row per handle (what the author drill-down
    filters on): [{"author", "name", "source", "count"}], most first; `source` is the source
    of the author's newest story there."""
    stmt = (select(Author.handle, func.max(Author.name), func.count(Mention.id),
                   func.max(Mention.id))
            .join(Author, Author.id == Mention.author_id).where(_first_copies())
            .group_by(Author.handle))
    stmt = _apply(stmt, f).order_by(func.count(Mention.id).desc(), Author.handle).limit(limit)
    rows = session.execute(stmt).all()
    keys = dict(session.execute(select(Mention.id, Source.key)
                                .join(Source, Source.id == Mention.source_id)
                                .where(Mention.id.in_([r[3] for r in rows]))).all())
    return [{"author": handle, "name": name or handle, "source": keys.get(newest),
             "count": int(n)} for handle, name, n, newest in rows]


def negative_needing_answer(session: Session, f: Filters, limit: int = 10) -> dict:
    """Return {"total", "rows"}: the negative stories matching the filters (first copies, as
    every story) with a copy whose follow-up status is "needs_answer", and the newest `limit`
    of them as [{"id", "title", "text", "url", "source", "source_name", "published_at"}]."""
    f = replace(f, sentiment="negative", response=None)
    waiting = (select(func.coalesce(Mention.story_id, Mention.id))
               .where(Mention.response_status == "needs_answer"))
    scope = (_first_copies(), Mention.id.in_(waiting))
    total = session.scalar(_apply(select(func.count(Mention.id)).where(*scope), f)) or 0
    stmt = (select(Mention, Source.key, Source.settings)
            .join(Source, Source.id == Mention.source_id).where(*scope)
            .order_by(Mention.published_at.desc(), Mention.id.desc()).limit(limit))
    rows = session.execute(_apply(stmt, f)).all()
    return {"total": int(total), "rows": [
        {"id": m.id, "title": m.title, "text": m.text, "url": m.url, "source": key,
         "source_name": (settings or {}).get("name") or key, "published_at": m.published_at}
        for m, key, settings in rows]}


def group_figures(session: Session, f: Filters, audiences: tuple[str, ...] = (),
                  kinds: tuple[str, ...] = ("keyword", "message")) -> dict:
    """Return {"total", "sentiment": {label: stories}, "tags": {kind: {value: stories}}} for
    the stories matching the filters and, with `audiences`, coming from any of those target
    groups (an activity's), counted once per story."""
    def scoped(stmt):
        stmt = _apply(stmt.where(_first_copies()), f)
        return stmt.where(_has_any_tag("audience", audiences)) if audiences else stmt

    by_sentiment = dict(session.execute(scoped(
        select(Mention.sentiment, func.count(func.distinct(Mention.id)))
        .group_by(Mention.sentiment))).all())
    tags: dict[str, dict[str, int]] = {k: {} for k in kinds}
    if kinds:
        stmt = (select(Tag.kind, Tag.value, func.count(func.distinct(Mention.id)))
                .join(Mention, _current_tags()).where(Tag.kind.in_(kinds))
                .group_by(Tag.kind, Tag.value))
        for kind, value, n in session.execute(scoped(stmt)).all():
            tags[kind][value] = n
    total = session.scalar(scoped(select(func.count(func.distinct(Mention.id))))) or 0
    return {"total": total,
            "sentiment": {s: by_sentiment.get(s, 0) for s in SENTIMENTS}, "tags": tags}


def tag_presence_by_week(session: Session, f: Filters, kind: str,
                         value: str | None = None) -> list[dict]:
    """Return [{"week", "count"}]: stories per ISO week carrying a current tag of `kind` (any
    value, or `value`), for shares of stories that carry something (a measurement point)."""
    stmt = (select(Mention.local_week, func.count(func.distinct(Mention.id)))
            .where(_first_copies(), _has_any_tag(kind, (value,) if value else None))
            .group_by(Mention.local_week).order_by(Mention.local_week))
    return [{"week": w, "count": n} for w, n in session.execute(_apply(stmt, f)).all()]


def window_counts(session: Session, start: datetime, end: datetime,
                  kind: str | None = None, value: str | None = None) -> dict:
    """Return {scope: {"total", "negative"}} of tagged third-party stories published in
    [start, end) (UTC): scope None for all of them; with `kind` (keyword, topic), one scope
    per tag value (or only `value`). The basis of spike alerts."""
    base = (_first_copies(), Mention.voice == "third_party",
            Mention.published_at >= start, Mention.published_at < end)
    negative = func.count(func.distinct(case((Mention.sentiment == "negative", Mention.id))))
    if kind is None:
        total, neg = session.execute(select(func.count(func.distinct(Mention.id)), negative)
                                     .where(*base)).one()
        return {None: {"total": total or 0, "negative": neg or 0}}
    stmt = (select(Tag.value, func.count(func.distinct(Mention.id)), negative)
            .join(Mention, _current_tags()).where(Tag.kind == kind, *base)
            .group_by(Tag.value))
    if value:
        stmt = stmt.where(Tag.value == value)
    return {v: {"total": n, "negative": neg} for v, n, neg in session.execute(stmt).all()}


def items_per_day(session: Session, start: date, end: date) -> dict[date, int]:
    """Return the number of stored mentions (every source, voice and copy) per local day from
    `start` to `end`; days without any are absent."""
    return dict(session.execute(
        select(Mention.local_day, func.count(Mention.id))
        .where(Mention.local_day >= start, Mention.local_day <= end)
        .group_by(Mention.local_day)).all())


def source_days(session: Session, start: date, end: date) -> list[dict]:
    """Return per source what collecting did from `start` to `end` (local days): runs,
    failures, runs skipped while disabled, new items, the days with a failure, and the last
    failure's kind and detail. Sources without a recorded run are included with zeros."""
    rows = session.execute(
        select(SourceDay, Source.key, Source.settings)
        .join(Source, Source.id == SourceDay.source_id)
        .where(SourceDay.day >= start, SourceDay.day <= end)
        .order_by(Source.key, SourceDay.day)).all()
    out: dict[str, dict] = {}
    for s in session.execute(select(Source.key, Source.settings, Source.kind,
                                    Source.enabled).order_by(Source.key)).all():
        out[s.key] = {"key": s.key, "name": (s.settings or {}).get("name") or s.key,
                      "kind": s.kind, "enabled": s.enabled, "runs": 0, "failures": 0,
                      "disabled_runs": 0, "new_items": 0, "failed_days": [],
                      "disabled_days": [], "last_error_kind": None, "last_error": None}
    for day, key, _settings in rows:
        r = out[key]
        r["runs"] += day.runs
        r["failures"] += day.failures
        r["disabled_runs"] += day.disabled_runs
        r["new_items"] += day.new_items
        if day.failures:
            r["failed_days"].append(day.day)
            r["last_error_kind"], r["last_error"] = day.last_error_kind, day.last_error
        if day.disabled_runs:
            r["disabled_days"].append(day.day)
    return list(out.values())


def conversation_turns(session: Session, start: date, end: date) -> dict:
    """Return what responsiveness is computed from, for third-party mentions of `start` to
    `end` (local days) that ask the city something on its own channels:
    {"asks": [{"id", "kind", "thread", "external_id", "published_at"}], "answers": [{"thread",
    "parent", "published_at"}]}. An ask is a blog comment, or a post in a conversation (X)
    whose intent is a question; its thread is the conversation, or the blog post commented
    on. Answers are the city's own replies and comments in those threads (any later day)."""
    thread = func.coalesce(Mention.conversation_id, Mention.parent_external_id,
                           Mention.parent_url)
    asks_stmt = (select(Mention.id, Mention.kind, thread, Mention.external_id,
                        Mention.published_at)
                 .where(Mention.tagger_version.is_not(None), Mention.voice == "third_party",
                        Mention.local_day >= start, Mention.local_day <= end,
                        _first_copies(), thread.is_not(None),
                        or_(Mention.kind == "blog_comment",
                            and_(Mention.conversation_id.is_not(None),
                                 _has_tag("intent", "question"))))
                 .order_by(Mention.published_at, Mention.id))
    asks = [{"id": i, "kind": k, "thread": t, "external_id": e, "published_at": p}
            for i, k, t, e, p in session.execute(asks_stmt).all()]
    threads = sorted({a["thread"] for a in asks})
    answers: list[dict] = []
    for chunk in range(0, len(threads), 500):
        part = threads[chunk:chunk + 500]
        for t, raw, parent, published in session.execute(
                select(thread, Mention.raw, Mention.parent_external_id, Mention.published_at)
                .where(Mention.voice == "own", thread.in_(part),
                       or_(Mention.kind == "blog_comment", Mention.relation == "reply"))):
            replied_to = (raw or {}).get("parent")
            answers.append({"thread": t, "published_at": published,
                            "parent": f"comment-{replied_to}" if replied_to else None,
                            "parent_external_id": parent})
    return {"asks": asks, "answers": answers}


def deliveries(session: Session, kind: str | None = None, key: str | None = None,
               limit: int = 200) -> list[dict]:
    """Return the sent-log, newest first: [{"kind", "topic", "key", "recipient", "status",
    "attempts", "last_error", "sent_at", "updated_at", "details"}]."""
    stmt = select(Delivery).order_by(Delivery.updated_at.desc(), Delivery.id.desc()).limit(limit)
    if kind:
        stmt = stmt.where(Delivery.kind == kind)
    if key:
        stmt = stmt.where(Delivery.key == key)
    return [{"kind": d.kind, "topic": d.topic, "key": d.key, "recipient": d.recipient,
             "status": d.status, "attempts": d.attempts, "last_error": d.last_error,
             "sent_at": d.sent_at, "updated_at": d.updated_at, "details": d.details or {}}
            for d in session.scalars(stmt)]


def last_sent(session: Session, kind: str, topic: str) -> datetime | None:
    """Return when the newest delivery of `kind` and `topic` was sent (an alert rule's
    cooldown), None when never."""
    return session.scalar(select(func.max(Delivery.sent_at))
                          .where(Delivery.kind == kind, Delivery.topic == topic,
                                 Delivery.status == "sent"))


def job_health(session: Session) -> list[dict]:
    """Return every report job's health: last run, last success, last error, failures in a
    row, and how many of its deliveries are failing now."""
    failing = dict(session.execute(select(Delivery.kind, func.count(Delivery.id))
                                   .where(Delivery.status == "failed")
                                   .group_by(Delivery.kind)).all())
    return [{"job": j.job, "last_run_at": j.last_run_at, "last_success_at": j.last_success_at,
             "last_error_at": j.last_error_at, "last_error": j.last_error,
             "consecutive_failures": j.consecutive_failures,
             "failed_deliveries": failing.get(j.job, 0)}
            for j in session.scalars(select(JobState).order_by(JobState.job))]


def first_published(session: Session) -> datetime | None:
    """Return when the earliest tagged third-party mention was published (how far back a
    baseline can look), None without any."""
    return session.scalar(select(func.min(Mention.published_at)).where(
        Mention.tagger_version.is_not(None), Mention.voice == "third_party"))
