"""The jobs the scheduler and the command line run: collect one source, tag what is pending.

A collect job runs the collector outside any transaction, then stores the new items and the
source's new cursor in ONE transaction: killed before the commit, nothing is stored and the
cursor is unchanged, so the next run fetches the same items again; killed after, all is there.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine

from collectors import pipeline
from collectors.base import CollectResult
from collectors.errors import CollectError
from collectors.filters import compile_filter
from collectors.http import Fetcher
from collectors.registry import KINDS
from pulse import health
from pulse.privacy import privacy_step, pseudonymiser
from pulse.settings import Settings, SourceConfig
from store.db import transaction
from store.erasure import erased_authors, erased_mentions
from store.models import utcnow
from store.reporting import local_today, record_source_day
from store.stories import group_pending
from store.tagging import save_results, tag_inputs
from store.writes import (
    fetch_state,
    record_failure,
    record_success,
    save_items,
    switch_version,
    sync_sources,
)

log = logging.getLogger("pulse.jobs")


@dataclass
class CollectOutcome:
    """What one collect run of one source did."""

    key: str
    new_items: int = 0
    updated_items: int = 0  # stored before, seen again with other content: re-tagged
    fetched: int = 0
    not_modified: bool = False
    error_kind: str | None = None
    error: str | None = None
    skipped: str | None = None  # "disabled" or "not_due" when the run did not fetch
    warnings: list[str] = field(default_factory=list)  # faults that did not stop the run


def make_fetcher(settings: Settings) -> Fetcher:
    """Return the shared polite HTTP client configured from pulse.toml."""
    http = settings.pulse.http
    return Fetcher(settings.user_agent, http.connect_timeout, http.read_timeout, http.max_bytes)


def build_collector(cfg: SourceConfig, fetcher: Fetcher):
    """Return the collector object for a configured source, through its kind's declaration."""
    return KINDS[cfg.kind].build(cfg, fetcher, os.environ)


def run_pipeline(settings: Settings, cfg: SourceConfig, fetcher: Fetcher, cursor: dict,
                 query: str | None = None,
                 erased: frozenset[str] = frozenset()) -> CollectResult:
    """Run a source through the collect pipeline (collectors.pipeline) with its filter, or
    with `query` instead, and the privacy step; store nothing. Raises CollectError on
    failure, PseudonymKeyError without the pseudonym key."""
    query = cfg.filter if query is None else query
    return pipeline.run(build_collector(cfg, fetcher), cursor,
                        compile_filter(query) if query else None,
                        protect=privacy_step(settings, cfg, erased))


def sync_config_sources(engine: Engine, settings: Settings) -> None:
    """Write the configured sources to the database (new ones added, changed ones updated)."""
    with transaction(engine) as session:
        sync_sources(session, settings.sources)


def collect_source(engine: Engine, settings: Settings, key: str,
                   fetcher: Fetcher | None = None, on_schedule: bool = False) -> CollectOutcome:
    """Collect one source and store its new items and cursor together; never raises for faults
    of the source. Raises PseudonymKeyError without the pseudonym key (store.privacy).

    With `on_schedule`, a source that is disabled or not yet due (its interval stretched
    after failures, or a Retry-After) is skipped; `outcome.skipped` says why.
    """
    cfg = settings.sources_by_key[key]
    pseudonymiser()  # no key, no collecting: raises before anything is fetched or counted
    outcome = CollectOutcome(key)
    now = utcnow()
    with transaction(engine) as session:
        source, state = fetch_state(session, key)
        cursor = dict(state.cursor or {})
        score = state.failure_score or 0.0
        erased_people, erased_ids = erased_authors(session), erased_mentions(session, source.id)
        if state.disabled_at is not None:
            outcome.skipped = "disabled"
            record_source_day(session, source.id, local_today(now), disabled=True)
        elif on_schedule and state.next_due_at and state.next_due_at > now + timedelta(
                seconds=min(60, cfg.interval_seconds / 10)):  # slack for timer jitter
            outcome.skipped = "not_due"
    if outcome.skipped:
        return outcome
    result = None
    try:
        result = run_pipeline(settings, cfg, fetcher or make_fetcher(settings), cursor,
                              erased=erased_people)
    except CollectError as exc:
        outcome.error_kind, outcome.error = exc.kind, exc.detail
        retry_after = exc.retry_after
    except Exception as exc:  # a bug or an odd input must not stop the other sources
        log.exception("collect source=%s unexpected error", key)
        outcome.error_kind, outcome.error = "unexpected", f"{type(exc).__name__}: {exc}"
        retry_after = None
    if result is None:
        score += health.failure_weight(outcome.error_kind)
        disable = health.should_disable(score)
        log.warning("collect source=%s error_kind=%s failure_score=%.0f disabled=%s detail=%s",
                    key, outcome.error_kind, score, disable, outcome.error)
        with transaction(engine) as session:
            record_failure(session, source, outcome.error_kind, outcome.error or "", score,
                           health.next_due_after_failure(now, cfg.interval_seconds, score,
                                                         retry_after), disable)
            record_source_day(session, source.id, local_today(now),
                              error_kind=outcome.error_kind, error=outcome.error)
        return outcome
    next_due = utcnow() + timedelta(seconds=cfg.interval_seconds)
    if erased_ids:  # erased on request: never stored again
        result.items = [i for i in result.items if i.external_id not in erased_ids]
    with transaction(engine) as session:
        saved = save_items(session, source, result.items)
        record_success(session, source, result.cursor, saved.new, next_due,
                       warning="; ".join(result.warnings) or None)
        record_source_day(session, source.id, local_today(now), new_items=saved.new)
    outcome.new_items, outcome.updated_items = saved.new, saved.updated
    outcome.fetched, outcome.not_modified = len(result.items), result.not_modified
    outcome.warnings = result.warnings
    log.info("collect source=%s fetched=%d new=%d updated=%d not_modified=%s skipped=%d "
             "filtered=%d warnings=%d", key, outcome.fetched, saved.new, saved.updated,
             result.not_modified, result.skipped, result.filtered, len(result.warnings))
    for warning in result.warnings:
        log.warning("collect source=%s warning=%s", key, warning)
    return outcome


def collect_all(engine: Engine, settings: Settings, only: str | None = None,
                on_done: Callable[[CollectOutcome], None] | None = None) -> list[CollectOutcome]:
    """Collect every enabled source (or only `only`); one failing source never stops the rest."""
    sync_config_sources(engine, settings)
    keys = [only] if only else [s.key for s in settings.sources if s.enabled]
    fetcher = make_fetcher(settings)
    outcomes = []
    for key in keys:
        outcome = collect_source(engine, settings, key, fetcher)
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    return outcomes


def group_stories(engine: Engine, batch_size: int = 2000) -> int:
    """Group every new mention into its story (syndicated copies count once); return how many."""
    done = 0
    while True:
        with transaction(engine) as session:
            n = group_pending(session, batch_size)
        if not n:
            return done
        done += n
        log.info("stories grouped=%d total=%d", n, done)


def tag_pending(engine: Engine, settings: Settings, tagger=None, batch_size: int | None = None,
                on_batch: Callable[[int], None] | None = None) -> int:
    """Group new mentions into stories, then tag every mention not tagged by the current
    tagger version; return how many were tagged. `on_batch(n)` is called as each n mentions
    are tagged."""
    return _tag_all(engine, settings, tagger, batch_size, on_batch, pending_only=True)


def retag(engine: Engine, settings: Settings, tagger=None, batch_size: int | None = None,
          on_batch: Callable[[int], None] | None = None) -> int:
    """Re-tag every mention with the current tagger version. The new tags are written next to
    the old ones, which stay current (and shown) until all are done; then one transaction
    switches every mention to the new version and removes the old tags. Corrections are
    re-applied. Return how many mentions were re-tagged."""
    return _tag_all(engine, settings, tagger, batch_size, on_batch, pending_only=False)


def _tag_all(engine: Engine, settings: Settings, tagger, batch_size: int | None,
             on_batch: Callable[[int], None] | None, pending_only: bool) -> int:
    """The one batch loop of tagging and retagging: read a batch, tag it, write it, repeat."""
    from nlp.tagger import Tagger

    group_stories(engine)
    tagger = tagger or Tagger(settings.strategy)
    version = tagger.version
    batch_size = batch_size or settings.pulse.tagging.batch_size
    what = "tag" if pending_only else "retag"
    done, last_id = 0, 0
    while True:
        with transaction(engine) as session:
            records = tag_inputs(session, last_id, batch_size,
                                 pending_for=version if pending_only else None)
            if not records:
                break
            # Progress is reported per chunk the tagger finishes, so a bar moves within a batch.
            save_results(session, records, tagger.tag(records, on_chunk=on_batch), version,
                         make_current=pending_only)
            last_id = records[-1]["id"]
        done += len(records)
        log.info("%s batch=%d total=%d version=%s", what, len(records), done, version)
    if not pending_only:
        with transaction(engine) as session:
            switched = switch_version(session, version)
        log.info("retag switched=%d version=%s", switched, version)
    return done


def retention(engine: Engine, settings: Settings, *, dry_run: bool = False,
              days: int | None = None, actor: str = "scheduler"):
    """Remove what identifies private persons from their mentions older than [privacy]
    retention_days (store.retention), recorded in the audit log; return the result."""
    from store import audit
    from store.retention import run_retention

    days = days or settings.pulse.privacy.retention_days
    with transaction(engine) as session:
        result = run_retention(session, days, dry_run=dry_run)
        if not dry_run:
            audit.record(session, actor, "retention", rows=result.mentions,
                         filters={"older_than_days": days, "before": result.cutoff},
                         details={"authors_removed": result.authors})
    log.info("retention days=%d cutoff=%s mentions=%d authors=%d dry_run=%s", days,
             result.cutoff.isoformat(), result.mentions, result.authors, dry_run)
    return result
