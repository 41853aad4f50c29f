"""The report commands of `pulse`: digest, alerts, report and jobs (registered in
pulse/cli.py with register())."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the report commands to the `pulse` command line."""
    from pulse.commands import alerts, digest, jobs, privacy, report

    app.command("digest")(digest.digest)
    app.command("alerts")(alerts.alerts)
    app.command("report")(report.report)
    app.command("jobs")(jobs.jobs)
    app.command("retention")(privacy.retention)
    app.command("erase")(privacy.erase)
    app.command("audit")(privacy.audit_log)
