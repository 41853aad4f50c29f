"""Retention: a private person's post is kept whole for a configured time (default 90 days),
then what identifies them is removed and what was counted stays.

Removed from each of their mentions older than that: the text and title, the raw payload, the
link (and the parent's link), the author (their pseudonymised author row goes when no mention
needs it), the tags' evidence (words quoted from the text) and the near-duplicate bands (a
fingerprint of the text). Kept: the time, source, voice, language, sentiment, engagement, the
story it belongs to, every tag, correction and follow-up status, so the daily rollup, and with
it every figure of the dashboard, digest and reports, is exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from store.models import Author, Mention, MentionBand, Tag, utcnow
from store.privacy import PRIVATE

_CHUNK = 500


@dataclass(frozen=True)
class RetentionResult:
    """What a retention run removed (or, dry, would remove)."""

    cutoff: datetime
    mentions: int
    authors: int
    dry_run: bool


def _due(cutoff: datetime):
    """The mentions of private persons published before the cutoff and not yet redacted."""
    private = select(Author.id).where(Author.category == PRIVATE)
    return (select(Mention.id).where(Mention.author_id.in_(private),
                                     Mention.published_at < cutoff,
                                     Mention.redacted_at.is_(None))
            .order_by(Mention.id))


def _orphans():
    """Private authors no mention refers to any more."""
    used = exists().where(Mention.author_id == Author.id)
    return select(Author.id).where(Author.category == PRIVATE, ~used)


def run_retention(session: Session, days: int, *, now: datetime | None = None,
                  dry_run: bool = False) -> RetentionResult:
    """Redact private persons' mentions published more than `days` days ago (in the caller's
    transaction); with `dry_run`, only count them. Figures do not change: no label, tag,
    story or count is touched."""
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    ids = list(session.scalars(_due(cutoff)))
    if dry_run:
        kept = exists().where(Mention.author_id == Author.id, Mention.id.not_in(_due(cutoff)))
        orphaned = session.scalar(select(func.count(Author.id)).where(
            Author.category == PRIVATE, ~kept)) or 0
        return RetentionResult(cutoff, len(ids), orphaned, True)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        session.execute(update(Mention).where(Mention.id.in_(chunk)).values(
            text="", title=None, raw={}, url=None, canonical_url=None, parent_url=None,
            author_id=None, redacted_at=now).execution_options(synchronize_session=False))
        session.execute(update(Tag).where(Tag.mention_id.in_(chunk)).values(evidence=[])
                        .execution_options(synchronize_session=False))
        session.execute(delete(MentionBand).where(MentionBand.mention_id.in_(chunk)))
    authors = session.execute(delete(Author).where(Author.id.in_(_orphans()))
                              .execution_options(synchronize_session=False)).rowcount
    return RetentionResult(cutoff, len(ids), authors or 0, False)
