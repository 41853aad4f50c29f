"""The audit log: who exported, erased, corrected, logged in or ran retention, when, with which
filter and how many rows. Written in the same transaction as what it records, so an entry
exists exactly when the action happened; `pulse audit` lists it.

An entry never holds a resident's handle, name or text: erasures record the pseudonym and the
counts, exports the filter and the row count.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import AuditEntry

ACTIONS = ("export", "erase", "retention", "correction", "undo", "follow_up", "confirmation",
           "login", "logout", "denied", "source_enable")


def command_line_actor() -> str:
    """Return who runs a command: $PULSE_ACTOR when set (a service account names itself),
    else the operating-system user, as "cli:<user>"."""
    explicit = os.environ.get("PULSE_ACTOR")
    if explicit:
        return explicit[:300]
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}"


def _plain(value: Any) -> Any:
    """Make a filter or detail JSON-safe: dates as ISO text, tuples as lists, no Nones."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v not in (None, (), [], "")}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def record(session: Session, actor: str, action: str, *, target: str | None = None,
           filters: Any = None, rows: int | None = None, details: dict | None = None) -> None:
    """Add one entry to the audit log, in the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; one of {', '.join(ACTIONS)}")
    session.add(AuditEntry(actor=(actor or "unknown")[:300], action=action,
                           target=None if target is None else str(target)[:300],
                           filters=_plain(filters) or {}, rows=rows,
                           details=_plain(details) or {}))
    session.flush()


def entries(session: Session, *, action: str | None = None, actor: str | None = None,
            since: datetime | None = None, limit: int = 100) -> Iterator[dict]:
    """Yield the newest audit entries first, optionally of one action or actor, since a time."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    for entry in session.scalars(stmt.limit(limit)):
        yield {"id": entry.id, "at": entry.at, "actor": entry.actor, "action": entry.action,
               "target": entry.target, "filters": entry.filters, "rows": entry.rows,
               "details": entry.details}
