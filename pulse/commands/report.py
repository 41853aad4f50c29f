"""`pulse report`: the yearly report (PDF or HTML) and an activity's evaluation."""

from __future__ import annotations

from pathlib import Path

import typer

from pulse.commands.common import console, context, fail, is_demo, write_file


def report(
    year: int = typer.Option(None, "--year", help="The yearly report of this year."),
    activity: str = typer.Option(None, "--activity", metavar="ID",
                                 help="Evaluate one activity of calendar.toml."),
    public: bool = typer.Option(False, "--public",
                                help="With --activity: the short summary for residents "
                                     "(no personal data), HTML plus a PNG chart."),
    lang: str = typer.Option(None, "--lang", help="sv or en (default: pulse.toml)."),
    out: Path = typer.Option(None, "--out", "-o", metavar="FILE",
                             help="report.pdf or report.html."),
):
    """Write the yearly report (--year) or an activity's evaluation (--activity)."""
    import time

    settings, engine = context()
    lang = lang or settings.pulse.general.language
    if lang not in ("sv", "en"):
        fail(f"unknown language {lang!r}; choose sv or en", 2)
    if (year is None) == (activity is None):
        fail("give either --year YEAR or --activity ID", 2)
    if out is None:
        fail("give --out FILE (.pdf or .html)", 2)
    if out.suffix.lower() not in (".pdf", ".html"):
        fail(f"{out}: write .pdf or .html", 2)
    started = time.perf_counter()
    if year is not None:
        from reports.yearly import build_yearly

        doc = build_yearly(engine, settings, year, lang, demo=is_demo())
    else:
        from reports.activities import build_activity_report

        chosen = next((a for a in settings.calendar if a.id == activity), None)
        if chosen is None:
            known = ", ".join(a.id for a in settings.calendar) or "none"
            fail(f"no activity {activity!r} in {settings.config_dir / 'calendar.toml'}; "
                 f"known: {known}", 2)
        doc = build_activity_report(engine, settings, chosen, lang, public=public,
                                    demo=is_demo())
    if out.suffix.lower() == ".pdf":
        from reports.pdf import html_to_pdf

        write_file(out, html_to_pdf(doc.html))
    else:
        write_file(out, doc.html)
    for name, data in doc.files.items():
        write_file(out.with_name(f"{out.stem}{name}"), data)
    console().print(f"wrote {out} in {time.perf_counter() - started:.1f} s"
                    + "".join(f", {out.stem}{n}" for n in doc.files))
