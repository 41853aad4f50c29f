"""What every collector returns: items plus the cursor to store with them.

The item type itself lives in store.items, where both the collectors and the store may import
it (the store never imports collectors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from store.items import Item


@dataclass
class CollectResult:
    """The outcome of one collector run: new items and the cursor to store in the same commit."""

    items: list[Item]
    cursor: dict[str, Any]
    not_modified: bool = False
    skipped: int = 0  # items dropped by the source's filter


class Collector(Protocol):
    """A plain object that, given its source's last cursor, returns the new items and the next
    cursor. It never touches the database; failures are raised as CollectError."""

    def collect(self, cursor: dict[str, Any]) -> CollectResult:
        """Return the items published since `cursor` and the cursor to store with them."""
        ...
