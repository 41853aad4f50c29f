"""What every collector returns: items plus the cursor to store with them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Item:
    """One collected item, normalised, before it is stored as a mention."""

    external_id: str
    kind: str  # news | blog_post | blog_comment | post
    text: str
    published_at: datetime
    url: str | None = None
    title: str | None = None
    author_handle: str | None = None
    author_name: str | None = None
    parent_external_id: str | None = None
    parent_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class CollectResult:
    """The outcome of one collector run: new items and the cursor to store in the same commit."""

    items: list[Item]
    cursor: dict[str, Any]
    not_modified: bool = False
    skipped: int = 0  # items dropped by the source's filter
