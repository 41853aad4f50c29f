"""`pulse alerts`: check the alert rules once."""

from __future__ import annotations

import typer

from pulse.commands.common import console, context


def alerts(dry_run: bool = typer.Option(False, "--dry-run",
                                        help="Show what would be sent; send nothing.")):
    """Check every alert rule once against its weekly baseline and deliver new alerts."""
    from reports.alerts import run_alerts

    settings, engine = context()
    found = run_alerts(engine, settings, dry_run=dry_run)
    if not found:
        console().print("no alert: nothing rose above its baseline")
    for a in found:
        console().print(f"{a.status}: {a.summary('en')}", highlight=False)
