"""`pulse retention`, `pulse erase` and `pulse audit`: the GDPR side of Pulse.

Every run that changes data is recorded in the audit log with who ran it (the
operating-system user, or $PULSE_ACTOR), never with a resident's handle.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from pulse.commands.common import console, context, fail


def retention(
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Only count what would be removed; change nothing."),
    days: int = typer.Option(None, "--days", min=1,
                             help="Keep this many days instead of [privacy] retention_days."),
):
    """Remove the text, raw payload, link and author of private persons' mentions older than
    the retention period; tags, stories and every figure stay as they are."""
    from pulse import jobs
    from store.audit import command_line_actor

    settings, engine = context()
    result = jobs.retention(engine, settings, dry_run=dry_run, days=days,
                            actor=command_line_actor())
    kept = days or settings.pulse.privacy.retention_days
    verb = "would redact" if dry_run else "redacted"
    console().print(f"{verb} {result.mentions} mentions of private persons published before "
                    f"{result.cutoff:%Y-%m-%d %H:%M} UTC (kept {kept} days); "
                    f"{'would remove' if dry_run else 'removed'} {result.authors} authors")


def erase(
    author: str = typer.Option(None, "--author", metavar="HANDLE",
                               help="Erase everything about this author (their handle, as on "
                                    "the platform: @name, name@instance …)."),
    mention: int = typer.Option(None, "--mention", metavar="ID",
                                help="Erase one mention (its id, see `pulse export`)."),
):
    """Erase a person's data everywhere (mentions, tags, corrections, follow-up, raw payloads,
    rollups, search index), on request; print what was removed."""
    from pulse.privacy import pseudonymiser
    from store import audit
    from store.db import transaction
    from store.erasure import compact, erase_author, erase_mention
    from store.privacy import PseudonymKeyError

    if (author is None) == (mention is None):
        fail("give exactly one of --author HANDLE or --mention ID", 2)
    if author is not None and not author.strip().lstrip("@"):
        fail("--author needs a handle", 2)
    _, engine = context()
    with transaction(engine) as session:
        if author is not None:
            try:
                report = erase_author(session, author, pseudonymiser())
            except PseudonymKeyError as exc:
                fail(str(exc), 2)
        else:
            report = erase_mention(session, mention)
            if report is None:
                fail(f"no mention with id {mention}", 2)
        audit.record(session, audit.command_line_actor(), "erase", target=report.target,
                     rows=report.removed.get("mentions", 0), details=report.removed)
    compact(engine)
    out = console()
    out.print(f"erased {report.target}:")
    for name, n in report.removed.items():
        out.print(f"  {name.replace('_', ' ')}: {n}")
    if not report.removed.get("mentions") and not report.removed.get("authors"):
        out.print("  nothing of theirs was stored; collecting will not store it from now on")


def audit_log(
    action: str = typer.Option(None, "--action", help="Only this action (export, erase, "
                                                      "retention, correction, login …)."),
    actor: str = typer.Option(None, "--actor", help="Only what this person did."),
    since: str = typer.Option(None, "--since", metavar="DATE", help="From this day, YYYY-MM-DD."),
    limit: int = typer.Option(50, "--limit", min=1, help="How many entries, newest first."),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines on stdout."),
):
    """List the audit log: who exported, erased, corrected, logged in or ran retention."""
    from store.audit import ACTIONS, entries
    from store.db import transaction

    if action and action not in ACTIONS:
        fail(f"unknown action {action!r}; choose one of {', '.join(ACTIONS)}", 2)
    start = None
    if since:
        try:
            start = datetime.fromisoformat(since).replace(tzinfo=UTC)
        except ValueError:
            fail(f"--since {since!r}: not a date; give YYYY-MM-DD", 2)
    settings, engine = context()
    zone = settings.pulse.general.zone
    with transaction(engine) as session:
        rows = list(entries(session, action=action, actor=actor, since=start, limit=limit))
    if as_json:
        for row in rows:
            typer.echo(json.dumps({**row, "at": row["at"].isoformat()}, ensure_ascii=False))
        return
    table = Table("when (local)", "who", "action", "target", "rows", "filter / details")
    for row in rows:
        what = {**row["filters"], **row["details"]}
        table.add_row(row["at"].astimezone(zone).strftime("%Y-%m-%d %H:%M"), row["actor"],
                      row["action"], row["target"] or "",
                      "" if row["rows"] is None else str(row["rows"]),
                      ", ".join(f"{k}={v}" for k, v in what.items()))
    out = Console(soft_wrap=True)  # the listing is the command's output: stdout
    out.print(table)
    newest = f" (the newest {limit})" if len(rows) == limit else ""
    console().print(f"{len(rows)} entries{newest}")
