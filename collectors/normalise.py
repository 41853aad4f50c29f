"""Normalise step: feed entries to Items, and every kind's Items made safe to store.

`feed_item` turns one feedparser entry into an Item: title and text as plain text (HTML,
scripts and styles removed, entities read), links made absolute against the feed's address
and kept only when http(s) (store.inert.safe_url), the time of the entry in UTC, a stable
id (the GUID, else the link, else a hash of title, time and text).

`clean_items` is the pipeline's step for every kind of source: it keeps an item's link and
its parent's only when they are http(s) links with a host (an API's javascript:, data: or
vbscript: "link" is never an address of the post: it is dropped here, so no page, report or
export ever has it to show; the raw payload keeps what the source sent), removes characters no
database takes (NUL, other C0 controls) from every text and from raw payloads, caps very long
titles and texts, replaces an id longer than the store's 500 characters by its hash (cutting
it could make two items one), puts a time far in the future (more than a day ahead: a wrong
time zone or year) at the collection time and one before 1990 (an empty or zero date) too,
keeping the original in raw["published_original"], and keeps the first of items that share
an id (duplicate GUIDs in one feed).
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urldefrag, urljoin

from collectors.text import html_to_text
from store.inert import safe_url
from store.items import Item

MAX_TEXT = 200_000
MAX_TITLE = 1_000
MAX_ID = 500
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_TEXT_FIELDS = ("text", "title", "author_handle", "author_name", "author_description", "url",
                "parent_url", "parent_external_id", "conversation_id")


def entry_time(entry: Any) -> datetime | None:
    """Return the first of an entry's published, updated, created times, in UTC, or None."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: feedparser's own get() maps a missing key onto another, with a warning
        value = dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError, TypeError):
                continue
    return None


def entry_text(entry: Any) -> str:
    """Return an entry's longest body (content or summary) as plain text."""
    contents = entry.get("content") or []
    best = max((c.get("value", "") or "" for c in contents), key=len, default="")
    summary = entry.get("summary", "") or ""
    return html_to_text(best if len(best) > len(summary) else summary)


def entry_id(entry: Any) -> str | None:
    """Return an entry's stable id: its GUID, else its link, else a hash of what it says."""
    ident = entry.get("id") or entry.get("link")
    if isinstance(ident, str) and ident.strip():
        return ident.strip()
    basis = f"{entry.get('title', '')}|{entry.get('published', '')}|{entry.get('summary', '')}"
    if basis.strip("|"):
        return "sha1:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()
    return None


def absolute_url(link: Any, base: str | None) -> str | None:
    """Return `link` made absolute against `base`, or None when it is not an http(s) URL."""
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        url = urljoin(base or "", link.strip())
    except ValueError:
        return None
    return safe_url(url)


def feed_item(entry: Any, base: str | None, now: datetime, *,
              comments: bool = False) -> Item | None:
    """Return the Item of a feedparser entry (see the module text), or None when the entry
    has neither text nor title, or no id at all."""
    external_id = entry_id(entry)
    text = entry_text(entry)
    title = html_to_text(entry.get("title")) or None
    if not external_id or not (text or title):
        return None
    link = absolute_url(entry.get("link"), base)
    author = html_to_text(entry.get("author")) or None
    raw = {
        "id": entry.get("id"), "link": entry.get("link"), "title": entry.get("title"),
        "published": entry.get("published") or entry.get("updated"),
        "author": author,
        "tags": [t.get("term") for t in entry.get("tags", []) if t.get("term")],
        "comments_feed": entry.get("wfw_commentrss"),
        "comment_count": entry.get("slash_comments"),
    }
    parent_url = urldefrag(link)[0] if comments and link else None
    # WordPress titles comments "Kommentar till <post> av <author>"; the text is the body.
    return Item(
        external_id=external_id,
        kind="blog_comment" if comments else ("news" if not raw["comments_feed"]
                                              else "blog_post"),
        text=text or title or "",
        published_at=entry_time(entry) or now,
        url=link,
        title=None if comments else title,
        author_handle=author,
        author_name=author,
        parent_url=parent_url,
        raw={k: v for k, v in raw.items() if v not in (None, [], "")},
    )


def _clean_text(value: Any, limit: int | None = None) -> Any:
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    return value[:limit] if limit else value


def _clean_raw(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, dict):
        return {_CONTROL.sub("", str(k)): _clean_raw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_raw(v) for v in value]
    return value


def clean_item(item: Item, now: datetime) -> Item | None:
    """Return the item made safe to store (see the module text), or None when nothing of it
    is left to read."""
    changes: dict[str, Any] = {f: _clean_text(getattr(item, f)) for f in _TEXT_FIELDS}
    for field in ("url", "parent_url"):
        changes[field] = safe_url(changes[field])
    changes["text"] = _clean_text(item.text, MAX_TEXT).strip()
    title = _clean_text(item.title, MAX_TITLE)
    changes["title"] = title.strip() or None if isinstance(title, str) else None
    if not changes["text"]:
        if not changes["title"]:
            return None
        changes["text"] = changes["title"]
    raw = _clean_raw(item.raw or {})
    when = item.published_at
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when > now + FUTURE_SLACK or when < EARLIEST:
        raw["published_original"] = when.isoformat()
        when = now
    changes["published_at"] = when.astimezone(UTC)
    external_id = _clean_text(str(item.external_id)).strip()
    if not external_id:
        return None
    if len(external_id) > MAX_ID:
        raw["id_original"] = external_id
        external_id = "sha256:" + hashlib.sha256(external_id.encode("utf-8")).hexdigest()
    changes["external_id"] = external_id
    changes["raw"] = raw
    return replace(item, **changes)


def clean_items(items: list[Item], now: datetime) -> tuple[list[Item], int]:
    """Return the items made safe to store, the first of each id only, and how many were
    dropped (empty, or a repeated id)."""
    kept: list[Item] = []
    seen: set[str] = set()
    for item in items:
        cleaned = clean_item(item, now)
        if cleaned is None or cleaned.external_id in seen:
            continue
        seen.add(cleaned.external_id)
        kept.append(cleaned)
    return kept, len(items) - len(kept)
