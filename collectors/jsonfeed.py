"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), parsed into news items.

`FeedCollector` fetches the bytes; when `looks_like_json_feed` says the answer is JSON it calls
`parse_json_feed` instead of feedparser, which does not read JSON Feed.
"""

from __future__ import annotations

import hashlib
import html
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from collectors.base import Item
from collectors.errors import CollectError
from collectors.text import html_to_text, parse_iso_utc

JSON_FEED_TYPES = ("application/feed+json", "application/json")
_BOM = b"\xef\xbb\xbf"


def looks_like_json_feed(content: bytes, headers: dict[str, str] | None = None) -> bool:
    """Return True when an answer is JSON: a JSON Content-Type, or a body starting with "{"."""
    content_type = next((v for k, v in (headers or {}).items()
                         if k.lower() == "content-type"), "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in JSON_FEED_TYPES:
        return True
    return content.lstrip(_BOM + b" \t\r\n").startswith(b"{")


def _plain(value: Any) -> str:
    """Return a plain-text field (titles, names) unescaped and with whitespace tidied."""
    return " ".join(html.unescape(value).split()) if isinstance(value, str) else ""


_time = parse_iso_utc


def _url(value: Any, base: str) -> str | None:
    return urljoin(base, value.strip()) if isinstance(value, str) and value.strip() else None


def _author(entry: dict[str, Any], feed: dict[str, Any]) -> str | None:
    for holder in (entry, feed):
        authors = holder.get("authors")  # 1.1
        candidates = authors if isinstance(authors, list) else [holder.get("author")]  # 1.0
        for author in candidates:
            if isinstance(author, dict) and _plain(author.get("name")):
                return _plain(author.get("name"))
    return None


def parse_json_feed(content: bytes, url: str, *, now: datetime | None = None) -> list[Item]:
    """Parse JSON Feed bytes into news Items; raise CollectError('malformed') when not a feed."""
    try:
        feed = json.loads(content.lstrip(_BOM + b" \t\r\n"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CollectError("malformed", f"{url}: not JSON ({exc})") from exc
    if not isinstance(feed, dict) or not isinstance(feed.get("items"), list):
        raise CollectError("malformed", f"{url}: not a JSON Feed (no `items` list)")
    base = _url(feed.get("feed_url"), url) or url
    home = _url(feed.get("home_page_url"), base) or base
    now = now or datetime.now(UTC)
    items = []
    for entry in feed["items"]:
        if isinstance(entry, dict):
            item = _item(entry, feed, home, now)
            if item is not None:
                items.append(item)
    return items


def _item(entry: dict[str, Any], feed: dict[str, Any], home: str, now: datetime) -> Item | None:
    link = _url(entry.get("url"), home)
    title = _plain(entry.get("title")) or None
    text = (html_to_text(entry.get("content_html") or None)
            or " ".join(str(entry.get("content_text") or "").split())
            or _plain(entry.get("summary")))
    if not (text or title):
        return None
    ident = entry.get("id")
    external_id = (str(ident).strip() if ident not in (None, "") else "") or link
    if not external_id:
        basis = f"{title or ''}|{entry.get('date_published') or ''}|{text}"
        external_id = "sha1:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()
    author = _author(entry, feed)
    raw = {
        "id": ident, "url": link, "external_url": _url(entry.get("external_url"), home),
        "title": entry.get("title"), "summary": entry.get("summary"),
        "date_published": entry.get("date_published"),
        "date_modified": entry.get("date_modified"), "author": author,
        "tags": [t for t in entry.get("tags") or [] if isinstance(t, str)],
        "image": _url(entry.get("image"), home), "language": entry.get("language"),
    }
    return Item(
        external_id=external_id,
        kind="news",
        text=text or title or "",
        title=title,
        published_at=(_time(entry.get("date_published")) or _time(entry.get("date_modified"))
                      or now),
        url=link,
        author_handle=author,
        author_name=author,
        raw={k: v for k, v in raw.items() if v not in (None, "", [])},
    )
