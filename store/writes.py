"""Idempotent writes: sources from config, collected items with their cursor, source health, tags.

The items of a run and the source's new cursor are written in one transaction by the caller
(see pulse.jobs), so a crash at any point loses nothing and stores nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store import rollups
from store.items import Item
from store.keys import canonical_url, content_hash
from store.models import Author, FetchState, Mention, Source, Tag, utcnow

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local_day_and_week(when: datetime, tz: ZoneInfo = STOCKHOLM) -> tuple[date, date]:
    """Return the local calendar day of `when` and the Monday of its ISO week."""
    day = when.astimezone(tz).date()
    return day, day - timedelta(days=day.weekday())


def _insert(session: Session, table: Table):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"Pulse supports SQLite and PostgreSQL, not {dialect}")


def sync_sources(session: Session, configs: Iterable[Any]) -> dict[str, Source]:
    """Create or update a Source row (and its FetchState) per configured source; return by key."""
    existing = {s.key: s for s in session.scalars(select(Source))}
    for cfg in configs:
        settings = cfg.model_dump(exclude={"key", "kind", "url", "voice", "enabled"})
        settings["channel"] = cfg.effective_channel  # explicit or derived, for queries by channel
        src = existing.get(cfg.key)
        if src is None:
            src = Source(key=cfg.key, kind=cfg.kind, url=cfg.url, voice=cfg.voice,
                         enabled=cfg.enabled, settings=settings)
            session.add(src)
            existing[cfg.key] = src
        else:
            src.kind, src.url, src.voice = cfg.kind, cfg.url, cfg.voice
            src.enabled, src.settings = cfg.enabled, settings
    session.flush()
    for src in existing.values():
        if session.get(FetchState, src.id) is None:
            session.add(FetchState(source_id=src.id, cursor={}))
    session.flush()
    return existing


def _author_ids(session: Session, source: Source,
                items: Sequence[Item]) -> dict[tuple[str, str], int]:
    """Upsert the items' authors; return their ids by (platform, handle). An item's platform
    is its own (x, bluesky …) or, for feeds, the source's key: a feed's authors are its own."""
    latest: dict[tuple[str, str], Item] = {}
    for item in items:
        if item.author_handle:
            latest[(item.platform or source.key, item.author_handle[:300])] = item
    if not latest:
        return {}
    rows = [{"platform": p, "handle": h, "name": (i.author_name or h)[:300],
             "description": i.author_description, "followers": i.author_followers,
             "verified": i.author_verified, "category": i.author_category}
            for (p, h), i in latest.items()]
    stmt = _insert(session, Author.__table__).values(rows)
    # The category is kept up to date (an account that became verified keeps its name from
    # then on); profiles change too: keep the newest name, bio and follower count.
    has_profiles = any(r["description"] is not None or r["followers"] is not None for r in rows)
    columns = ("category", "name", "description", "followers", "verified") if has_profiles \
        else ("category",)
    stmt = stmt.on_conflict_do_update(index_elements=["platform", "handle"],
                                      set_={c: stmt.excluded[c] for c in columns})
    session.execute(stmt)
    found: dict[tuple[str, str], int] = {}
    for platform in {p for p, _ in latest}:
        handles = [h for p, h in latest if p == platform]
        for handle, ident in session.execute(select(Author.handle, Author.id).where(
                Author.platform == platform, Author.handle.in_(handles))):
            found[(platform, handle)] = ident
    return found


class Saved(int):
    """How many items a save stored anew (the int itself) and, in `updated`, how many stored
    ones it updated because they came back with other content."""

    updated: int

    def __new__(cls, new: int, updated: int = 0) -> Saved:
        value = super().__new__(cls, new)
        value.updated = updated
        return value

    @property
    def new(self) -> int:
        """Return how many items were stored anew."""
        return int(self)


def _forget_changed(session: Session, source: Source, rows: list[dict]) -> None:
    """Take the stored mentions these rows will update (same id, other content) out of the
    daily rollup: they become untagged until the tagging stage has read them again."""
    hashes = {r["external_id"]: r["content_hash"] for r in rows}
    changed: list[int] = []
    external = list(hashes)
    for start in range(0, len(external), 500):
        for mid, ext, old in session.execute(
                select(Mention.id, Mention.external_id, Mention.content_hash).where(
                    Mention.source_id == source.id,
                    Mention.external_id.in_(external[start:start + 500]))):
            if hashes[ext] != old:
                changed.append(mid)
    if changed:
        rollups.subtract(session, changed)


def save_items(session: Session, source: Source, items: Sequence[Item]) -> Saved:
    """Store items, unique per source + external id, in one statement (an upsert); return
    how many were new, with `.updated` how many stored ones were updated.

    An item stored before that comes back with other content (the whole article after a
    truncated one, an edited post) replaces its text, title, content hash and raw payload and
    becomes pending for tagging again (its tagger version is cleared; the tagging stage
    re-applies its corrections). One that comes back unchanged is left as it is. Within one
    call the first item of an id wins.
    """
    if not items:
        return Saved(0)
    authors = _author_ids(session, source, items)
    now = utcnow()
    rows, seen = [], set()
    for item in items:
        if item.external_id in seen:
            continue
        seen.add(item.external_id)
        day, week = local_day_and_week(item.published_at)
        rows.append({
            "source_id": source.id, "external_id": item.external_id[:500], "kind": item.kind,
            "url": item.url,
            "canonical_url": canonical_url(item.url, keep_fragment=item.kind == "blog_comment"),
            "content_hash": content_hash(item.title, item.text), "title": item.title,
            "text": item.text,
            "author_id": authors.get((item.platform or source.key,
                                      (item.author_handle or "")[:300])),
            "parent_external_id": item.parent_external_id, "parent_url": item.parent_url,
            "published_at": item.published_at, "local_day": day, "local_week": week,
            "collected_at": now, "raw": item.raw,
            "voice": item.voice or source.voice or "third_party",
            "conversation_id": item.conversation_id, "relation": item.relation,
            "engagement": item.engagement or None,
        })
    _forget_changed(session, source, rows)
    table = Mention.__table__
    stmt = _insert(session, table)
    # One compiled statement, executed as batched multi-row INSERTs ("insertmanyvalues"). A
    # conflicting row is updated only when its content changed; RETURNING gives inserted and
    # updated rows, told apart by collected_at (an update keeps the first collection's).
    stmt = (stmt.on_conflict_do_update(
        index_elements=["source_id", "external_id"],
        set_={"text": stmt.excluded.text, "title": stmt.excluded.title,
              "content_hash": stmt.excluded.content_hash, "raw": stmt.excluded.raw,
              "url": stmt.excluded.url, "canonical_url": stmt.excluded.canonical_url,
              "author_id": stmt.excluded.author_id, "redacted_at": None,
              "tagger_version": None, "tagged_at": None},
        where=table.c.content_hash != stmt.excluded.content_hash)
        .returning(table.c.id, table.c.collected_at))
    inserted = updated = 0
    for _id, collected_at in session.execute(stmt, rows):
        if collected_at == now:
            inserted += 1
        else:
            updated += 1
    return Saved(inserted, updated)


def fetch_state(session: Session, key: str) -> tuple[Source, FetchState]:
    """Return a configured source and its fetch state (cursor, health) by key."""
    source = session.scalars(select(Source).where(Source.key == key)).one()
    return source, session.get(FetchState, source.id)


def record_success(session: Session, source: Source, cursor: dict, new_items: int,
                   next_due: datetime | None, warning: str | None = None) -> None:
    """Store the new cursor and a successful run on the source's fetch state, with what was
    wrong with the answer without failing it (`warning`; None clears an earlier one)."""
    now = utcnow()
    session.execute(update(FetchState).where(FetchState.source_id == source.id).values(
        cursor=cursor, last_attempt_at=now, last_success_at=now, items_last_run=new_items,
        consecutive_failures=0, failure_score=0.0, next_due_at=next_due,
        last_warning=warning[:2000] if warning else None,
        last_warning_at=now if warning else None))


def record_failure(session: Session, source: Source, kind: str, detail: str,
                   failure_score: float, next_due: datetime | None,
                   disable: bool = False) -> None:
    """Store a failed run (kind, detail, new score); the cursor stays as it was."""
    now = utcnow()
    values = dict(last_attempt_at=now, last_error_at=now, last_error_kind=kind,
                  last_error=detail[:2000], items_last_run=0,
                  consecutive_failures=FetchState.consecutive_failures + 1,
                  failure_score=failure_score, next_due_at=next_due)
    if disable:
        values["disabled_at"] = now
    session.execute(update(FetchState).where(FetchState.source_id == source.id).values(**values))


def enable_source(session: Session, key: str) -> bool:
    """Re-enable a source disabled after failures; return False when no such source exists."""
    source = session.scalars(select(Source).where(Source.key == key)).one_or_none()
    if source is None:
        return False
    session.execute(update(FetchState).where(FetchState.source_id == source.id).values(
        disabled_at=None, failure_score=0.0, consecutive_failures=0, next_due_at=None))
    return True


def save_tagging(session: Session, mention_id: int, result: dict, version: str,
                 update_mention: bool = True) -> None:
    """Replace the mention's tags of `version` with `result` (an analyze() record); with
    `update_mention`, also make it the mention's current labels and version.

    The sentiment and intent tags keep the tagger's calibrated confidence in `confidence`
    (None from the rule taggers: unknown); a multi-label tag's score is its probability."""
    session.execute(delete(Tag).where(Tag.mention_id == mention_id, Tag.tagger_version == version))
    sentiment = result["sentiment"]

    def tag(kind: str, value: str, score: float = 1.0, aspect: str | None = None,
            evidence: list | None = None, confidence: float | None = None) -> dict:
        return {"mention_id": mention_id, "kind": kind, "value": value, "score": score,
                "confidence": confidence, "sentiment": aspect, "evidence": evidence or [],
                "tagger_version": version}

    tags = [tag("sentiment", sentiment["label"], sentiment["score"], sentiment["label"],
                sentiment["evidence"], sentiment.get("confidence")),
            tag("lang", result["lang"]), tag("voice", result["voice"])]
    for kind, key in (("keyword", "keywords"), ("message", "messages"), ("topic", "topics"),
                      ("audience", "audiences")):
        tags += [tag(kind, t["id"], t["score"], t["sentiment"], t["evidence"])
                 for t in result.get(key, [])]
    if result.get("intent"):
        tags.append(tag("intent", result["intent"], 1.0, sentiment["label"],
                        result.get("intent_evidence"), result.get("intent_confidence")))
    if result.get("echo"):
        tags.append(tag("echo", "echo"))
    tags += [tag("city", c["id"], 1.0, sentiment["label"], c["evidence"])
             for c in result.get("cities", [])]
    session.execute(Tag.__table__.insert(), tags)
    if update_mention:
        session.execute(update(Mention).where(Mention.id == mention_id).values(
            lang=result["lang"], sentiment=sentiment["label"], sentiment_score=sentiment["score"],
            voice=result["voice"], tagger_version=version, tagged_at=utcnow()))


def switch_version(session: Session, version: str) -> int:
    """Make `version` current for every mention that has its tags (labels copied from them),
    then drop older tags of those mentions; return how many mentions switched."""
    def label(kind: str, column=Tag.value):
        return (select(column).where(Tag.mention_id == Mention.id, Tag.kind == kind,
                                     Tag.tagger_version == version, Tag.active.is_(True))
                .limit(1).scalar_subquery())

    has_new = select(Tag.id).where(Tag.mention_id == Mention.id, Tag.kind == "sentiment",
                                   Tag.tagger_version == version).exists()
    switched = session.execute(update(Mention).where(has_new).values(
        sentiment=label("sentiment"), sentiment_score=label("sentiment", Tag.score),
        lang=label("lang"), voice=label("voice"), tagger_version=version,
        tagged_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    session.execute(delete(Tag).where(Tag.tagger_version != version, Tag.mention_id.in_(
        select(Mention.id).where(Mention.tagger_version == version))))
    rollups.rebuild(session)
    return switched


def delete_mentions(session: Session, mention_ids: Sequence[int]) -> int:
    """Delete mentions (their tags, corrections and follow-up go with them) and keep every
    figure right: a deleted first copy hands its story to the next copy, and the rollup loses
    exactly what the mentions counted. Return how many were deleted."""
    ids = sorted(set(mention_ids))
    if not ids:
        return 0
    roots = {mid for mid, story in session.execute(
        select(Mention.id, Mention.story_id).where(Mention.id.in_(ids))) if story is None}
    gone = set(ids)
    copies: dict[int, list[int]] = {}
    for copy_id, story in session.execute(
            select(Mention.id, Mention.story_id).where(Mention.story_id.in_(sorted(roots)))
            .order_by(Mention.id)):
        if copy_id not in gone:
            copies.setdefault(story, []).append(copy_id)
    heirs = [members[0] for members in copies.values()]
    with rollups.maintained(session, [*ids, *heirs]):
        for members in copies.values():
            heir, rest = members[0], members[1:]
            session.execute(update(Mention).where(Mention.id == heir).values(story_id=None))
            if rest:
                session.execute(update(Mention).where(Mention.id.in_(rest))
                                .values(story_id=heir))
        deleted = session.execute(delete(Mention).where(Mention.id.in_(ids))).rowcount
    return deleted
