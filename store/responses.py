"""Follow-up of mentions that need an answer from the city: "needs answer" → "answered".

Every change is kept as a row in `responses` (who, when, note); the mention's
`response_status` holds the latest so that filters and counts stay one indexed lookup.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store import audit
from store.models import RESPONSE_STATUSES, Mention, Response


class ResponseError(ValueError):
    """A follow-up change that cannot be stored; the message says why."""


def set_response(session: Session, mention_id: int, status: str | None, author: str,
                 note: str | None = None) -> Response:
    """Set a mention's follow-up status (None clears it), keep the change as history; return it."""
    if status is not None and status not in RESPONSE_STATUSES:
        raise ResponseError(f"unknown status {status!r}; use one of {', '.join(RESPONSE_STATUSES)}")
    if not author.strip():
        raise ResponseError("a follow-up change needs an author")
    if session.scalar(select(Mention.id).where(Mention.id == mention_id)) is None:
        raise ResponseError(f"no mention with id {mention_id}")
    response = Response(mention_id=mention_id, status=status, author=author.strip(), note=note)
    session.add(response)
    session.execute(update(Mention).where(Mention.id == mention_id)
                    .values(response_status=status))
    session.flush()
    audit.record(session, author.strip(), "follow_up", target=f"mention {mention_id}", rows=1,
                 details={"status": status or "cleared"})
    return response


def response_history(session: Session, mention_id: int) -> list[Response]:
    """Return a mention's follow-up changes, oldest first."""
    return list(session.scalars(select(Response).where(Response.mention_id == mention_id)
                                .order_by(Response.created_at, Response.id)))
