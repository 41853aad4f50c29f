"""`pulse run`: APScheduler runs each source on its own interval and tags every minute.

Each job has max_instances=1 (never overlaps itself) and coalesces missed runs; a failing job
is logged and the others go on. When the database is unreachable or locked, a job is tried
again after 5 s, 10 s, 20 s … (at most 5 min) besides its interval, and each retry is logged
with the reason; the scheduler keeps running. Ctrl-C stops cleanly after the running jobs
finish.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from pulse import jobs
from pulse.settings import Settings, parse_interval
from store.db import database_problem, is_outage

log = logging.getLogger("pulse.scheduler")
RETRY_FIRST = 5.0      # seconds before the first retry after a database outage
RETRY_MAX = 300.0      # the longest wait between retries


def build_scheduler(engine: Engine, settings: Settings,
                    retry_first: float = RETRY_FIRST) -> BackgroundScheduler:
    """Return a scheduler with one collect job per enabled source and one tagging job; a job
    that meets a database outage is retried with backoff starting at `retry_first` s."""
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
            _Guarded(scheduler, jobs.collect_source, f"collect:{cfg.key}", retry_first),
            "interval",
            seconds=cfg.interval_seconds, args=[engine, settings, cfg.key, fetcher, True],
            id=f"collect:{cfg.key}", next_run_time=start + timedelta(seconds=2 * i))
    tagger = Tagger(settings.strategy)
    scheduler.add_job(
        _Guarded(scheduler, jobs.tag_pending, "tag", retry_first), "interval",
        seconds=settings.pulse.tagging.interval_seconds, args=[engine, settings, tagger],
        id="tag", next_run_time=start + timedelta(seconds=5))
    add_report_jobs(scheduler, engine, settings, start + timedelta(seconds=30), retry_first)
    add_retention_job(scheduler, engine, settings, retry_first)
    return scheduler


def add_retention_job(scheduler: BackgroundScheduler, engine: Engine, settings: Settings,
                      retry_first: float = RETRY_FIRST) -> None:
    """Add the nightly retention run ([privacy] retention_time, local time), and one a minute
    after start, so a process that is restarted every day still keeps the retention period."""
    hour, minute = (int(p) for p in settings.pulse.privacy.retention_time.split(":"))
    job = _Guarded(scheduler, jobs.retention, "retention", retry_first)
    scheduler.add_job(job, CronTrigger(hour=hour, minute=minute,
                                       timezone=settings.pulse.general.zone),
                      args=[engine, settings], id="retention",
                      next_run_time=datetime.now(UTC) + timedelta(minutes=1))


ALERT_INTERVAL = timedelta(minutes=15)


def add_report_jobs(scheduler: BackgroundScheduler, engine: Engine, settings: Settings,
                    start: datetime, retry_first: float = RETRY_FIRST) -> None:
    """Add the digest job (checks every [digest] retry interval whether the week's digest is
    due and not yet sent to someone; the sent-log makes it once per week and recipient) and
    the alert check every 15 minutes."""
    from reports.alerts import alerts_job
    from reports.deliver import digest_job

    scheduler.add_job(_Guarded(scheduler, digest_job, "digest", retry_first), "interval",
                      seconds=parse_interval(settings.pulse.digest.retry),
                      args=[engine, settings], id="digest", next_run_time=start)
    scheduler.add_job(_Guarded(scheduler, alerts_job, "alerts", retry_first), "interval",
                      seconds=ALERT_INTERVAL.total_seconds(), args=[engine, settings],
                      id="alerts", next_run_time=start + timedelta(seconds=10))


class _Guarded:
    """A job that never raises: a database outage schedules a retry with backoff, any other
    failure is logged; the other jobs go on either way."""

    def __init__(self, scheduler: BackgroundScheduler, func, name: str, retry_first: float):
        self.scheduler, self.func, self.name = scheduler, func, name
        self.__name__ = name
        self.retry_first = retry_first
        self.outages = 0
        self._lock = threading.Lock()

    def __call__(self, *args):
        """Run the job once."""
        try:
            result = self.func(*args)
        except Exception as exc:
            if not is_outage(exc):
                log.exception("job=%s failed; the other jobs go on", self.name)
                return None
            with self._lock:
                self.outages += 1
                delay = min(self.retry_first * 2 ** (self.outages - 1), RETRY_MAX)
            url = args[0].url if args and isinstance(args[0], Engine) else None
            log.warning("job=%s database_outage attempt=%d retry_in=%.1fs: %s", self.name,
                        self.outages, delay, database_problem(exc, url))
            self.scheduler.add_job(self, "date", args=args, id=f"{self.name}:retry",
                                   replace_existing=True,
                                   run_date=datetime.now(UTC) + timedelta(seconds=delay))
            return None
        with self._lock:
            if self.outages:
                log.warning("job=%s database back after %d failed attempts", self.name,
                            self.outages)
            self.outages = 0
        return result


def run_forever(engine: Engine, settings: Settings) -> None:
    """Start the scheduler and block until Ctrl-C or SIGTERM. Refuses to start (raises
    PseudonymKeyError) without the pseudonym key."""
    from pulse.privacy import pseudonymiser

    pseudonymiser()
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
