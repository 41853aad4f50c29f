"""The dashboard's export of the current selection: checked against the role and recorded in
the audit log when it is built (on the click), not when the button is drawn."""

from __future__ import annotations

from dashboard.access import User, require
from dashboard.data import engine
from reports.export import export_bytes
from store.audit import record
from store.db import transaction
from store.queries import Filters, iter_export_rows


def _counted(rows, seen: list[int]):
    """Yield `rows`, counting them into seen[0] (the audit log's row count)."""
    for row in rows:
        seen[0] += 1
        yield row


def export_file(user: User, url: str | None, filters: Filters, fmt: str, lang: str = "sv") -> bytes:
    """Return the export of `filters` as `fmt` and record it in the audit log (filter, rows,
    format); a role without export is refused (AccessDenied, recorded) and gets nothing."""
    require(user, "export", url, lang)
    seen = [0]
    with transaction(engine(url)) as session:
        data = export_bytes(_counted(iter_export_rows(session, filters), seen), fmt)
        record(session, user.actor, "export", filters=filters, rows=seen[0],
               details={"format": fmt, "via": "dashboard"})
    return data
