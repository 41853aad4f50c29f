"""Erasure on request: everything Pulse holds about one person, or one mention, removed.

`erase_author` finds the person by their handle (a private person's stored handle is the keyed
pseudonym of it, so the key is needed) and deletes their mentions with their tags,
corrections, confirmations, follow-up history, near-duplicate bands and search-index entries,
takes them out of the daily rollup (every figure loses exactly what they counted), deletes the
author row, and replaces the handle where other people's posts quote it. A tombstone (the
pseudonym, never the handle) keeps collecting from storing them again. `compact` then makes
sure no deleted byte stays readable in the database files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, String, cast, func, or_, select, text, update
from sqlalchemy.orm import Session

from store.models import (
    Author,
    Confirmation,
    Correction,
    Delivery,
    Erasure,
    Mention,
    MentionBand,
    Response,
    Tag,
)
from store.privacy import Pseudonymiser, normal_handle, scrub, whole_words
from store.writes import delete_mentions

ERASED = "[raderad]"


@dataclass
class ErasureReport:
    """What an erasure removed, by kind of record."""

    target: str                      # the pseudonym, or "mention N"
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Return how many records were removed or changed in all."""
        return sum(self.removed.values())


def _count(session: Session, model, ids: list[int]) -> int:
    if not ids:
        return 0
    return session.scalar(select(func.count()).select_from(model)
                          .where(model.mention_id.in_(ids))) or 0


def _remove_mentions(session: Session, ids: list[int], report: ErasureReport) -> None:
    """Delete the mentions and everything hanging on them, counting each kind first."""
    for name, model in (("tags", Tag), ("corrections", Correction),
                        ("confirmations", Confirmation), ("follow_up", Response),
                        ("near_duplicate_bands", MentionBand)):
        report.removed[name] = report.removed.get(name, 0) + _count(session, model, ids)
    report.removed["mentions"] = report.removed.get("mentions", 0) + delete_mentions(session, ids)


def _scrub_references(session: Session, secrets: list[str], report: ErasureReport) -> None:
    """Replace the person's handle where other mentions quote it (text, title, links, raw)."""
    # Whole handles only: erasing "anna" must not touch "Annastigen" in someone's text.
    pattern = whole_words(secrets)
    if pattern is None:
        return
    likes = [f"%{s.lower()}%" for s in secrets if len(s) >= 3]
    columns = (Mention.text, Mention.title, Mention.url, Mention.parent_url,
               cast(Mention.raw, String))
    where = or_(*(func.lower(c).like(like) for c in columns for like in likes))
    changed = 0
    for mention in session.scalars(select(Mention).where(where)):
        values = {}
        for name in ("text", "title", "url", "parent_url"):
            value = getattr(mention, name)
            if value and pattern.search(value):
                values[name] = pattern.sub(ERASED, value)
        raw = mention.raw or {}
        if raw and pattern.search(str(raw)):
            values["raw"] = scrub(raw, lambda t: pattern.sub(ERASED, t))
        if values:
            session.execute(update(Mention).where(Mention.id == mention.id).values(**values)
                            .execution_options(synchronize_session=False))
            changed += 1
    report.removed["quotes_in_other_mentions"] = changed
    sent = 0  # alerts keep their message (top stories, links) in the sent-log
    for delivery in session.scalars(select(Delivery).where(or_(
            *(func.lower(cast(Delivery.details, String)).like(like) for like in likes)))):
        if pattern.search(str(delivery.details)):
            session.execute(update(Delivery).where(Delivery.id == delivery.id).values(
                details=scrub(delivery.details, lambda t: pattern.sub(ERASED, t)))
                .execution_options(synchronize_session=False))
            sent += 1
    report.removed["quotes_in_sent_alerts"] = sent
    session.expire_all()


def _tombstone(session: Session, kind: str, value: str) -> None:
    if session.scalar(select(Erasure.id).where(Erasure.kind == kind,
                                               Erasure.value == value)) is None:
        session.add(Erasure(kind=kind, value=value))
        session.flush()


def erase_author(session: Session, handle: str, pseudonymiser: Pseudonymiser) -> ErasureReport:
    """Erase everything about the author with this handle, on every platform, whether they
    were stored pseudonymised (a private person) or by name; return what was removed."""
    plain = normal_handle(handle)
    alias = pseudonymiser.handle(plain)
    authors = list(session.execute(select(Author.id, Author.handle, Author.name).where(
        or_(Author.handle == alias, func.lower(Author.handle) == plain))))
    report = ErasureReport(alias)
    ids = list(session.scalars(select(Mention.id).where(
        Mention.author_id.in_([a.id for a in authors])))) if authors else []
    _remove_mentions(session, ids, report)
    if authors:
        report.removed["authors"] = session.query(Author).filter(
            Author.id.in_([a.id for a in authors])).delete(synchronize_session=False)
    secrets = [plain, alias]
    if "@" in plain:  # a Mastodon acct: quoted as @user, linked as host/@user
        secrets.append("@" + plain.split("@", 1)[0])
    secrets += [a.name for a in authors if a.name and not a.name.startswith("Privatperson ")]
    _scrub_references(session, secrets, report)
    _tombstone(session, "author", alias)
    return report


def erase_mention(session: Session, mention_id: int) -> ErasureReport | None:
    """Erase one mention and everything hanging on it; None when there is no such mention.
    Its author stays when they wrote other mentions, and goes with it when not."""
    row = session.execute(select(Mention.source_id, Mention.external_id, Mention.author_id)
                          .where(Mention.id == mention_id)).one_or_none()
    if row is None:
        return None
    report = ErasureReport(f"mention {mention_id}")
    _remove_mentions(session, [mention_id], report)
    if row.author_id is not None and session.scalar(
            select(func.count(Mention.id)).where(Mention.author_id == row.author_id)) == 0:
        report.removed["authors"] = session.query(Author).filter(
            Author.id == row.author_id).delete(synchronize_session=False)
    _tombstone(session, "mention", f"{row.source_id}:{row.external_id}")
    return report


def erased_authors(session: Session) -> frozenset[str]:
    """Return the pseudonyms of every author erased on request."""
    return frozenset(session.scalars(select(Erasure.value).where(Erasure.kind == "author")))


def erased_mentions(session: Session, source_id: int) -> frozenset[str]:
    """Return the external ids of a source's mentions erased on request."""
    prefix = f"{source_id}:"
    return frozenset(v.removeprefix(prefix) for v in session.scalars(
        select(Erasure.value).where(Erasure.kind == "mention", Erasure.value.like(prefix + "%"))))


def compact(engine: Engine) -> None:
    """Leave no deleted byte readable: on SQLite (which overwrites deleted rows, store.db)
    merge the search index, so its deleted entries go, and fold the write-ahead log into
    the database file; on PostgreSQL, VACUUM the tables an erasure touches, so that their
    dead rows' space is reclaimed."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            if conn.execute(text("SELECT name FROM sqlite_master WHERE name = 'mentions_fts'")
                            ).first():
                conn.execute(text("INSERT INTO mentions_fts(mentions_fts) VALUES ('optimize')"))
        with engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("mentions", "authors", "tags", "corrections", "confirmations",
                      "responses", "mention_bands"):
            conn.execute(text(f"VACUUM {table}"))
