"""The end of `pulse demo`: the demo's config folder (its sources and campaign calendar) and
the report commands that work on the demo database."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from pulse.commands.common import console
from pulse.privacy import DEMO_KEY
from store.privacy import KEY_VARIABLE


def absolute_url(url: str) -> str:
    """Return a SQLite URL with its file as an absolute path (other URLs unchanged), so a
    printed command works from any folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/"):
        return prefix + str(Path(url[len(prefix):]).resolve())
    return url


def print_report_commands(settings, url: str) -> dict[str, str]:
    """Write the demo's config folder, print the one line that points the command line at the
    demo's database and config, then the everyday commands (sources, export, digest,
    reports) that work on it; return the environment the demo's dashboard runs with."""
    from pulse.demo.run import write_demo_config

    folder = write_demo_config(settings).resolve()
    url = absolute_url(url)
    env = {"PULSE_DATABASE_URL": url, "PULSE_DEMO": "1", "PULSE_CONFIG_DIR": str(folder)}
    year = dt.date.today().year
    first = settings.calendar[0].id if settings.calendar else "ID"
    out = console()
    out.print("to use the command line on the demo (SAMPLE DATA), first run:", highlight=False)
    # The demo's pseudonym key is public (sample data only), so `pulse erase --author` and
    # `pulse export --author` work on the demo; a real key set by the user is never printed.
    key = f" {KEY_VARIABLE}={DEMO_KEY}" if os.environ.get(KEY_VARIABLE) == DEMO_KEY else ""
    out.print(f"  export PULSE_DATABASE_URL={url} PULSE_CONFIG_DIR={folder}{key}",
              highlight=False, soft_wrap=True)
    out.print("then, for example:", highlight=False)
    for command in ("pulse sources", "pulse export --format csv --output demo.csv",
                    "pulse digest --out digest.html",
                    f"pulse report --year {year} --out report.pdf",
                    f"pulse report --activity {first} --out activity.html",
                    f"pulse report --activity {first} --public --out summary.html",
                    "pulse retention --dry-run", "pulse audit"):
        out.print(f"  {command}", highlight=False, soft_wrap=True)
    return env
