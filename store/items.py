"""The collected item as the store takes it: what collectors return and store.writes saves.

It lives in store/ so that both may import it; the store never imports collectors/ or pulse/.
"""

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
    parent_external_id: str | None = None  # the post a comment belongs to / the tweet replied to
    parent_url: str | None = None
    author_description: str | None = None
    author_followers: int | None = None
    author_verified: bool | None = None
    conversation_id: str | None = None
    relation: str | None = None  # reply | quote | repost (how it refers to parent_external_id)
    engagement: dict[str, int] = field(default_factory=dict)  # likes, reposts, replies, quotes
    voice: str | None = None  # "own"/"third_party" when the item itself says; else the source's
    raw: dict[str, Any] = field(default_factory=dict)
    platform: str | None = None  # whose accounts the author handles are (x, bluesky …); None:
    # the source's own (a feed's authors are its own)
    author_category: str | None = None  # "private" or a public category (store.privacy)
