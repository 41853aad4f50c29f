"""The end of `pulse demo`: the demo's config folder (its sources and campaign calendar) and
the report commands that work on the demo database."""

from __future__ import annotations

import datetime as dt

from pulse.commands.common import console


def print_report_commands(settings, url: str) -> dict[str, str]:
    """Write the demo's config folder, print the digest and report commands for the demo
    database, and return the environment the demo's dashboard runs with."""
    from pulse.demo.run import write_demo_config

    folder = write_demo_config(settings)
    env = {"PULSE_DATABASE_URL": url, "PULSE_DEMO": "1", "PULSE_CONFIG_DIR": str(folder)}
    prefix = " ".join(f"{k}={v}" for k, v in env.items())
    year = dt.date.today().year
    first = settings.calendar[0].id if settings.calendar else "ID"
    console().print("the digest and reports of the demo (SAMPLE DATA):", highlight=False)
    for command in ("pulse digest --out digest.html",
                    f"pulse report --year {year} --out report.pdf",
                    f"pulse report --activity {first} --out activity.html",
                    f"pulse report --activity {first} --public --out summary.html"):
        console().print(f"  {prefix} {command}", highlight=False, soft_wrap=True)
    return env
