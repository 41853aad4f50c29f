"""`pulse digest`: the managers' weekly digest, printed, written to a file or mailed."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

from pulse.commands.common import console, context, fail, is_demo, write_file


def digest(
    week: str = typer.Option(None, "--week", metavar="YYYY-Www",
                             help="ISO week, e.g. 2026-W48; default: the last complete week."),
    lang: str = typer.Option(None, "--lang", help="sv or en (default: pulse.toml)."),
    out: Path = typer.Option(None, "--out", "-o", metavar="FILE",
                             help="Write the digest to FILE (.html, or .txt for plain text)."),
    send: bool = typer.Option(False, "--send", help="Mail it ([mail] in pulse.toml)."),
    to: list[str] = typer.Option(None, "--to", metavar="ADDRESS",
                                 help="Mail to this address instead of [digest] recipients "
                                      "(repeatable); with --send."),
    force: bool = typer.Option(False, "--force",
                               help="With --send: send again to those sent it before."),
):
    """Build the weekly digest of one ISO week; without --send nothing is mailed."""
    from pulse.settings.reports import Recipient
    from reports import digest as digest_mod
    from reports.deliver import send_digest

    settings, engine = context()
    if lang and lang not in ("sv", "en"):
        fail(f"unknown language {lang!r}; choose sv or en", 2)
    tz = settings.pulse.general.zone
    try:
        monday = digest_mod.parse_week(week) if week else digest_mod.default_week(tz)
    except digest_mod.WeekError as exc:
        fail(str(exc), 2)
    if to and not send:
        fail("--to is for mailing: add --send", 2)
    lang = lang or settings.pulse.general.language
    if out or not send:
        started = time.perf_counter()
        built = digest_mod.build(engine, settings, monday, lang, demo=is_demo())
        took = time.perf_counter() - started
        if out:
            write_file(out, built.text if out.suffix == ".txt" else built.standalone_html())
            console().print(f"digest of {digest_mod.kpis.week_label(monday)} ({lang}) written "
                            f"to {out} in {took:.1f} s")
        else:
            sys.stdout.write(built.text)
    if not send:
        return
    if to:
        try:
            recipients = [Recipient(address=a, lang=lang) for a in to]
        except ValueError as exc:
            fail(f"--to: {exc.errors()[0]['msg'].removeprefix('Value error, ')}", 2)
    else:
        recipients = list(settings.pulse.digest.recipients)
        if not recipients:
            fail("no recipients: give --to ADDRESS or set [digest] recipients in pulse.toml", 2)
    results = send_digest(engine, settings, monday, recipients, force=force, demo=is_demo())
    for r in results:
        what = {"sent": f"sent ({r.bytes / 1024:.0f} kB)",
                "skipped": "already sent this week (--force sends again)",
                "failed": f"[red]failed[/red]: {r.error}"}[r.status]
        console().print(f"  {r.address}: {what}", highlight=False)
    if any(r.status == "failed" for r in results):
        fail("the digest could not be sent to every recipient; see above")
