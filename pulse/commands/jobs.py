"""`pulse jobs`: the health of the report jobs and the digests and alerts that failed."""

from __future__ import annotations

from pulse.commands.common import context


def jobs():
    """Show the digest and alert jobs' health: last run, last success, last error, and
    every delivery that failed and is waiting for its retry."""
    from rich.console import Console
    from rich.table import Table

    from store.db import transaction
    from store.queries import deliveries, job_health

    _, engine = context()
    with transaction(engine) as session:
        health = job_health(session)
        failed = [d for d in deliveries(session) if d["status"] != "sent"]
        sent = [d for d in deliveries(session, limit=20) if d["status"] == "sent"]
    fmt = lambda t: t.strftime("%Y-%m-%d %H:%M") if t else "–"  # noqa: E731
    table = Table("job", "last run", "last success", "last error", "fails in a row",
                  "failed deliveries", title="report jobs")
    for h in health:
        table.add_row(h["job"], fmt(h["last_run_at"]), fmt(h["last_success_at"]),
                      h["last_error"] or "–", str(h["consecutive_failures"]),
                      str(h["failed_deliveries"]))
    out = Console()
    out.print(table)
    if failed:
        waiting = Table("kind", "what", "to", "status", "attempts", "error",
                        title="not delivered (tried again by `pulse run`)")
        for d in failed:
            waiting.add_row(d["kind"], d["key"], d["recipient"], d["status"],
                            str(d["attempts"]), d["last_error"] or "–")
        out.print(waiting)
    if sent:
        done = Table("kind", "what", "to", "sent", title="last sent")
        for d in sent:
            done.add_row(d["kind"], d["key"], d["recipient"], fmt(d["sent_at"]))
        out.print(done)
