"""`pulse run`: APScheduler runs each source on its own interval and tags every minute.

Each job has max_instances=1 (never overlaps itself) and coalesces missed runs; a failing job
is logged and the others go on. Ctrl-C stops cleanly after the running jobs finish.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from pulse import jobs
from pulse.settings import Settings, parse_interval

log = logging.getLogger("pulse.scheduler")


def build_scheduler(engine: Engine, settings: Settings) -> BackgroundScheduler:
    """Return a scheduler with one collect job per enabled source and one tagging job."""
    from nlp.tagger import Tagger

    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone=UTC,
    )
    fetcher = jobs.make_fetcher(settings)
    start = datetime.now(UTC) + timedelta(seconds=1)
    for i, cfg in enumerate(s for s in settings.sources if s.enabled):
        scheduler.add_job(
            _safe(jobs.collect_source, f"collect:{cfg.key}"), "interval",
            seconds=cfg.interval_seconds, args=[engine, settings, cfg.key, fetcher, True],
            id=f"collect:{cfg.key}", next_run_time=start + timedelta(seconds=2 * i))
    tagger = Tagger(settings.strategy)
    scheduler.add_job(
        _safe(jobs.tag_pending, "tag"), "interval",
        seconds=settings.pulse.tagging.interval_seconds, args=[engine, settings, tagger],
        id="tag", next_run_time=start + timedelta(seconds=5))
    add_report_jobs(scheduler, engine, settings, start + timedelta(seconds=30))
    return scheduler


ALERT_INTERVAL = timedelta(minutes=15)


def add_report_jobs(scheduler: BackgroundScheduler, engine: Engine, settings: Settings,
                    start: datetime) -> None:
    """Add the digest job (checks every [digest] retry interval whether the week's digest is
    due and not yet sent to someone; the sent-log makes it once per week and recipient) and
    the alert check every 15 minutes."""
    from reports.alerts import alerts_job
    from reports.deliver import digest_job

    scheduler.add_job(_safe(digest_job, "digest"), "interval",
                      seconds=parse_interval(settings.pulse.digest.retry),
                      args=[engine, settings], id="digest", next_run_time=start)
    scheduler.add_job(_safe(alerts_job, "alerts"), "interval",
                      seconds=ALERT_INTERVAL.total_seconds(), args=[engine, settings],
                      id="alerts", next_run_time=start + timedelta(seconds=10))


def _safe(func, name: str):
    def run(*args):
        try:
            return func(*args)
        except Exception:
            log.exception("job=%s failed; the other jobs go on", name)
            return None

    run.__name__ = name
    return run


def run_forever(engine: Engine, settings: Settings) -> None:
    """Start the scheduler and block until Ctrl-C or SIGTERM."""
    jobs.sync_config_sources(engine, settings)
    scheduler = build_scheduler(engine, settings)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    scheduler.start()
    log.info("scheduler started jobs=%d", len(scheduler.get_jobs()))
    try:
        stop.wait()
    finally:
        log.info("scheduler stopping; waiting for running jobs")
        scheduler.shutdown(wait=True)
