"""The collect pipeline, the same for every kind of source:

    fetch → decode → parse      the kind's collector (collectors.feeds, x, mastodon …),
                                through the one HTTP layer (collectors.http)
    → normalise                 collectors.normalise.clean_items: safe to store, one per id
    → filter                    the source's query (collectors.filters), parsed at config load
    → enrich                    the collector's optional last step (full-text articles)
    → protect                   store.privacy: authors classified, private persons
                                pseudonymised before anything of theirs is kept
    → hand to the store         pulse.jobs stores items and cursor in one transaction

A collector never filters; this module is the only place a source's filter is applied.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from collectors.base import Collector, CollectResult
from collectors.filters import ItemFilter
from collectors.normalise import clean_items
from store.items import Item


def split(items: list[Item], item_filter: ItemFilter | None) -> tuple[list[Item], list[Item]]:
    """Return the items the filter keeps and those it drops (all kept without a filter)."""
    if item_filter is None:
        return list(items), []
    kept, dropped = [], []
    for item in items:
        (kept if item_filter.matches(item) else dropped).append(item)
    return kept, dropped


def run(collector: Collector, cursor: dict[str, Any], item_filter: ItemFilter | None = None,
        *, now: datetime | None = None,
        protect: Callable[[list[Item]], list[Item]] | None = None) -> CollectResult:
    """Run one source through the pipeline; return the items to store and the new cursor.
    Failures of any step are raised as CollectError and nothing of the run is kept.
    `protect` is the privacy step (store.privacy.protect with the source's rule), last, so
    that the filter still reads the author's handle and nothing after it does."""
    now = now or datetime.now(UTC)
    result = collector.collect(dict(cursor))
    items, unusable = clean_items(result.items, now)
    kept, dropped = split(items, item_filter)
    new_cursor = result.cursor
    enrich = getattr(collector, "enrich", None)
    if enrich is not None and kept:
        kept, new_cursor = enrich(kept, new_cursor)
        kept, _ = clean_items(kept, now)
    if protect is not None:
        kept = protect(kept)
    return CollectResult(kept, new_cursor, not_modified=result.not_modified,
                         skipped=result.skipped + unusable + len(dropped),
                         filtered=len(dropped), warnings=list(result.warnings))
