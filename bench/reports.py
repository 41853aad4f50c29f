"""Build times of the digest, the yearly report and an activity's evaluation on the demo's
sample data (collected and tagged by the real pipeline into a temporary SQLite), and the
digest mail's size. Prints figures; asserts nothing.

    python -m bench.reports
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from statistics import median


def _best(fn, runs: int = 3):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), median(times), result


def main() -> None:
    """Build the demo database, then time each output."""
    from nlp.tagger import Tagger
    from pulse import jobs
    from pulse.demo.run import demo_settings
    from pulse.demo.server import DemoFeedServer
    from pulse.settings import load_settings
    from reports import digest
    from reports.activities import build_activity_report
    from reports.mail import build_message
    from reports.pdf import html_to_pdf
    from reports.yearly import build_yearly
    from store.db import make_engine, upgrade

    folder = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{folder / 'demo.sqlite'}")
    upgrade(engine)
    with DemoFeedServer() as server:
        settings = demo_settings(load_settings(), server.base_url)
        jobs.collect_all(engine, settings)
    jobs.tag_pending(engine, settings, Tagger(settings.strategy))
    week = digest.default_week(settings.pulse.general.zone)
    best, mid, d = _best(lambda: digest.build(engine, settings, week, "sv"))
    message = build_message(d.subject, "pulse@example.org", "chef@example.org", d.text,
                            d.html, d.images)
    size = len(message.as_bytes())
    print(f"digest build (queries + chart PNG + templates): best {best:.2f} s, median {mid:.2f} s")
    print(f"digest mail: {size / 1024:.0f} kB (text {len(d.text) / 1024:.0f} kB, html "
          f"{len(d.html) / 1024:.0f} kB, chart {sum(map(len, d.images.values())) / 1024:.0f} kB)")
    year = week.year
    best, mid, doc = _best(lambda: build_yearly(engine, settings, year, "sv"), 2)
    print(f"yearly report HTML (queries + charts): best {best:.2f} s, median {mid:.2f} s")
    best, mid, pdf = _best(lambda: html_to_pdf(doc.html), 2)
    print(f"yearly report PDF (WeasyPrint): best {best:.2f} s, median {mid:.2f} s, "
          f"{len(pdf) / 1024:.0f} kB")
    activity = settings.calendar[-1]
    best, mid, _ = _best(lambda: build_activity_report(engine, settings, activity, "sv",
                                                       public=True))
    print(f"activity summary ({activity.id}): best {best:.2f} s, median {mid:.2f} s")


if __name__ == "__main__":
    main()
