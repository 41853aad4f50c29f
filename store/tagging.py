"""What the tagging stage reads and writes: batches of mentions to tag, and their results.

A batch is read, tagged (by nlp, outside the store) and written in one transaction by the
caller (pulse.jobs), so a crash leaves every mention either tagged or pending, never half.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from store.corrections import apply_corrections
from store.models import Author, Mention
from store.rollups import maintained
from store.writes import save_tagging


def _pending(version: str):
    # A mention whose text retention removed keeps the tags it had: it is never read again.
    return and_(or_(Mention.tagger_version.is_(None), Mention.tagger_version != version),
                Mention.redacted_at.is_(None))


def pending_count(session: Session, version: str) -> int:
    """Return how many mentions have no tags of `version`."""
    return session.scalar(select(func.count(Mention.id)).where(_pending(version))) or 0


def mention_count(session: Session) -> int:
    """Return how many mentions are stored."""
    return session.scalar(select(func.count(Mention.id))) or 0


def tag_inputs(session: Session, after_id: int, limit: int,
               pending_for: str | None = None) -> list[dict]:
    """Return the tagger's input records of the next `limit` mentions with an id above
    `after_id` (with `pending_for`, only those without tags of that version), in id order:
    text, title, URL, author, source kind and relation; never labels. Mentions whose text
    retention removed are left out: their tags stay as they were."""
    stmt = (select(Mention.id, Mention.title, Mention.text, Mention.url, Mention.voice,
                   Mention.kind, Mention.relation, Author.handle, Author.name,
                   Author.description)
            .join(Author, Author.id == Mention.author_id, isouter=True)
            .where(Mention.id > after_id, Mention.redacted_at.is_(None))
            .order_by(Mention.id).limit(limit))
    if pending_for:
        stmt = stmt.where(_pending(pending_for))
    return [{"id": r.id, "title": r.title if r.kind != "blog_comment" else None,
             "text": r.text, "url": r.url, "source_voice": r.voice, "source_kind": r.kind,
             "relation": r.relation, "author": r.handle if r.kind == "post" else r.name,
             "author_description": r.description} for r in session.execute(stmt)]


def save_results(session: Session, records: list[dict], results: list[dict], version: str,
                 make_current: bool = True) -> None:
    """Write the tagger's results of a batch, then re-apply the analysts' corrections; with
    `make_current`, the results become each mention's current labels at once (a retag writes
    them beside the current ones and switches when all are done)."""
    ids = [r["id"] for r in records]
    # A retag writes beside the current tags (no figure changes until the switch rebuilds).
    with maintained(session, ids) if make_current else contextlib.nullcontext():
        for record, result in zip(records, results, strict=True):
            save_tagging(session, record["id"], result, version, update_mention=make_current)
        apply_corrections(session, ids, version if not make_current else None,
                          update_mention=make_current)
