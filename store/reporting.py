"""Writes of the reports: the sent-log of digests and alerts (claimed before sending, so two
processes never send the same one), the health of the report jobs, and each source's day of
collecting (what Pulse could not see).

A delivery is claimed with one conditional UPDATE (status sending, unless already sent or
being sent), which works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from store.models import Delivery, JobState, SourceDay, utcnow
from store.writes import _insert

STALE_SENDING = timedelta(hours=1)  # a "sending" row older than this was left by a crash


def claim_delivery(session: Session, kind: str, topic: str, key: str, recipient: str,
                   force: bool = False, details: dict | None = None) -> Delivery | None:
    """Claim the delivery of (kind, key) to `recipient`; return it, or None when it was sent
    already (unless `force`) or another process is sending it right now. The caller commits
    the claim before sending, then calls finish_delivery."""
    now = utcnow()
    session.execute(_insert(session, Delivery.__table__).values(
        kind=kind, topic=topic, key=key, recipient=recipient, status="new", attempts=0,
        details=details or {}, created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["kind", "key", "recipient"]))
    claimable = or_(Delivery.status.in_(("new", "failed")),
                    (Delivery.status == "sending") & (Delivery.updated_at < now - STALE_SENDING))
    if force:
        claimable = or_(claimable, Delivery.status == "sent")
    result = session.execute(
        update(Delivery).where(Delivery.kind == kind, Delivery.key == key,
                               Delivery.recipient == recipient, claimable)
        .values(status="sending", attempts=Delivery.attempts + 1, updated_at=now,
                details=details or {}))
    if result.rowcount != 1:
        return None
    return session.scalars(select(Delivery).where(
        Delivery.kind == kind, Delivery.key == key, Delivery.recipient == recipient)).one()


def finish_delivery(session: Session, delivery_id: int, error: str | None = None) -> None:
    """Record how a claimed delivery ended: sent, or failed with `error` (tried again later)."""
    now = utcnow()
    values = ({"status": "sent", "sent_at": now, "last_error": None} if error is None
              else {"status": "failed", "last_error": error[:2000]})
    session.execute(update(Delivery).where(Delivery.id == delivery_id)
                    .values(updated_at=now, **values))


def record_job(session: Session, job: str, error: str | None = None) -> None:
    """Record one run of a report job (digest, alerts): a success, or its error in words."""
    now = utcnow()
    session.execute(_insert(session, JobState.__table__).values(
        job=job, consecutive_failures=0).on_conflict_do_nothing(index_elements=["job"]))
    values: dict = {"last_run_at": now}
    if error is None:
        values.update(last_success_at=now, consecutive_failures=0)
    else:
        values.update(last_error_at=now, last_error=error[:2000],
                      consecutive_failures=JobState.consecutive_failures + 1)
    session.execute(update(JobState).where(JobState.job == job).values(**values))


def record_source_day(session: Session, source_id: int, day: date, *, new_items: int = 0,
                      error_kind: str | None = None, error: str | None = None,
                      disabled: bool = False) -> None:
    """Add one collect run of a source to its local day: a success with `new_items`, a
    failure (`error_kind`, `error`), or a run skipped because the source is disabled."""
    session.execute(_insert(session, SourceDay.__table__).values(
        source_id=source_id, day=day, runs=0, failures=0, disabled_runs=0, new_items=0,
    ).on_conflict_do_nothing(index_elements=["source_id", "day"]))
    values: dict = {"runs": SourceDay.runs + 1, "new_items": SourceDay.new_items + new_items}
    if error_kind:
        values.update(failures=SourceDay.failures + 1, last_error_kind=error_kind,
                      last_error=(error or "")[:2000])
    if disabled:
        values["disabled_runs"] = SourceDay.disabled_runs + 1
    session.execute(update(SourceDay).where(SourceDay.source_id == source_id,
                                            SourceDay.day == day).values(**values))


def local_today(now: datetime | None = None) -> date:
    """Return today's date in Europe/Stockholm (the day a collect run is counted on)."""
    from store.writes import STOCKHOLM

    return (now or utcnow()).astimezone(STOCKHOLM).date()
