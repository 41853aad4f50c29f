"""What every collector returns: items plus the cursor to store with them.

The item type itself lives in store.items, where both the collectors and the store may import
it (the store never imports collectors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from store.items import Item


@dataclass
class CollectResult:
    """The outcome of one collector run: new items and the cursor to store in the same commit.

    `warnings` name what was wrong with the source's answer but did not stop the run (broken
    XML whose entries could be read, a wrong charset label …); they show on its health."""

    items: list[Item]
    cursor: dict[str, Any]
    not_modified: bool = False
    skipped: int = 0   # items left out: unreadable, empty, a repeated id, or by the filter
    filtered: int = 0  # of those, the ones the source's filter dropped
    warnings: list[str] = field(default_factory=list)


class Collector(Protocol):
    """A plain object that, given its source's last cursor, returns the new items and the next
    cursor. It never touches the database and never applies the source's filter (the pipeline
    does, collectors.pipeline); failures are raised as CollectError.

    A collector may also have `enrich(items, cursor) -> (items, cursor)`, which the pipeline
    calls with the items the filter kept (the feed kind fetches full articles there)."""

    def collect(self, cursor: dict[str, Any]) -> CollectResult:
        """Return the items published since `cursor` and the cursor to store with them."""
        ...
