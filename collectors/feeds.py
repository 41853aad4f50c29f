"""RSS/Atom feeds and WordPress comment feeds, fetched with requests, parsed by feedparser.

feedparser only ever sees bytes we fetched: it never opens URLs or files itself.
"""

from __future__ import annotations

import calendar
import hashlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urldefrag

import feedparser

from collectors.base import CollectResult, Item
from collectors.errors import CollectError
from collectors.filters import ItemFilter
from collectors.http import Fetcher
from collectors.jsonfeed import looks_like_json_feed, parse_json_feed
from collectors.text import html_to_text

log = logging.getLogger(__name__)
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
               "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.9, */*;q=0.5")


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    best = max((c.get("value", "") for c in contents), key=len, default="")
    summary = entry.get("summary", "")
    return html_to_text(best if len(best) > len(summary) else summary)


def _external_id(entry: Any) -> str | None:
    ident = entry.get("id") or entry.get("link")
    if ident:
        return ident.strip()
    basis = f"{entry.get('title', '')}|{entry.get('published', '')}|{entry.get('summary', '')}"
    if basis.strip("|"):
        return "sha1:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()
    return None


FULL_TEXT_BELOW = 600      # characters: shorter feed texts are treated as summaries
FULL_TEXT_PER_RUN = 25     # article fetches per run, to stay polite


def fetch_full_texts(items: list[Item], fetcher: Fetcher,
                     seen: set[str] | None = None) -> list[str]:
    """Replace summary-only texts by the article's main text (trafilatura); return the ids
    whose article was fetched. Ids in `seen` (fetched in earlier runs) are not fetched again.

    A failing article keeps its summary: the feed's items are never lost for it.
    """
    import trafilatura

    fetched: list[str] = []
    for item in items:
        if len(fetched) >= FULL_TEXT_PER_RUN:
            break
        if len(item.text) >= FULL_TEXT_BELOW or not (item.url or "").startswith("http"):
            continue
        if seen and item.external_id in seen:
            continue
        fetched.append(item.external_id)
        try:
            page = fetcher.get(item.url, accept="text/html,application/xhtml+xml")
        except CollectError as exc:
            log.info("full_text url=%s error_kind=%s; keeping the summary", item.url, exc.kind)
            continue
        text = trafilatura.extract(page.content.decode(_charset(page.headers), "replace"),
                                   include_comments=False, include_tables=False,
                                   favor_precision=True)
        if text and len(text) > len(item.text):
            item.raw["summary"] = item.text
            item.text = text
    return fetched


def _charset(headers: dict[str, str]) -> str:
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    for part in ctype.split(";"):
        if part.strip().lower().startswith("charset="):
            return part.split("=", 1)[1].strip().strip('"') or "utf-8"
    return "utf-8"


def parse_feed(content: bytes, url: str, headers: dict[str, str] | None = None) -> Any:
    """Parse feed bytes with feedparser; raise CollectError('malformed') when nothing is usable."""
    # Only the Content-Type (its charset) is passed on; links in feeds are absolute in practice.
    parsed = feedparser.parse(content, response_headers={
        k.lower(): v for k, v in (headers or {}).items() if k.lower() == "content-type"})
    if parsed.bozo and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise CollectError("malformed", f"{url}: {type(reason).__name__}: {reason}")
    if not parsed.entries and not parsed.feed:
        raise CollectError("malformed", f"{url}: not an RSS or Atom feed")
    return parsed


def build(cfg: Any, fetcher: Fetcher, env: Mapping[str, str] | None = None) -> FeedCollector:
    """Return the collector of a `feed` source (RSS, Atom or JSON Feed); no request."""
    return FeedCollector(cfg.url, fetcher, item_filter=cfg.filter, max_items=cfg.max_items,
                         full_text=cfg.full_text)


def build_comments(cfg: Any, fetcher: Fetcher,
                   env: Mapping[str, str] | None = None) -> FeedCollector:
    """Return the collector of a `wordpress_comments` source (a comment feed); no request."""
    return FeedCollector(cfg.url, fetcher, comments=True, item_filter=cfg.filter,
                         max_items=cfg.max_items)


class FeedCollector:
    """Collects an RSS/Atom feed; with `comments=True` the items are WordPress comments."""

    def __init__(self, url: str, fetcher: Fetcher, *, comments: bool = False,
                 item_filter: str | None = None, max_items: int = 500,
                 full_text: bool = False, now: datetime | None = None):
        self.url = url
        self.fetcher = fetcher
        self.comments = comments
        self.full_text = full_text
        self.filter = ItemFilter(item_filter) if item_filter else None
        self.max_items = max_items
        self._now = now

    def collect(self, cursor: dict[str, Any]) -> CollectResult:
        """Fetch the feed (conditionally, from `cursor`) and return its items and new cursor."""
        resp = self.fetcher.get(self.url, etag=cursor.get("etag"),
                                last_modified=cursor.get("last_modified"), accept=FEED_ACCEPT)
        if resp.not_modified:
            return CollectResult([], dict(cursor), not_modified=True)
        now = self._now or datetime.now(UTC)
        if looks_like_json_feed(resp.content, resp.headers):
            candidates = parse_json_feed(resp.content, self.url, now=now)[: self.max_items]
        else:
            parsed = parse_feed(resp.content, self.url, resp.headers)
            candidates = [self._item(e, now) for e in parsed.entries[: self.max_items]]
        items, skipped = [], 0
        for item in candidates:
            if item is None:
                skipped += 1
                continue
            if self.filter and not self.filter.matches(f"{item.title or ''} {item.text}"):
                skipped += 1
                continue
            items.append(item)
        new_cursor = {k: v for k, v in cursor.items() if k not in ("etag", "last_modified")}
        if self.full_text:
            seen = list(cursor.get("full_text_seen", []))
            seen += fetch_full_texts(items, self.fetcher, seen=set(seen))
            new_cursor["full_text_seen"] = seen[-1000:]
        if resp.etag:
            new_cursor["etag"] = resp.etag
        if resp.last_modified:
            new_cursor["last_modified"] = resp.last_modified
        return CollectResult(items, new_cursor, skipped=skipped)

    def _item(self, entry: Any, now: datetime) -> Item | None:
        external_id = _external_id(entry)
        text = _entry_text(entry)
        title = html_to_text(entry.get("title")) or None
        if not external_id or not (text or title):
            return None
        link = entry.get("link")
        published = _entry_time(entry) or now
        author = entry.get("author") or None
        raw = {
            "id": entry.get("id"), "link": link, "title": entry.get("title"),
            "published": entry.get("published") or entry.get("updated"),
            "author": author, "tags": [t.get("term") for t in entry.get("tags", [])],
            "comments_feed": entry.get("wfw_commentrss"),
            "comment_count": entry.get("slash_comments"),
        }
        parent_url = None
        if self.comments:
            parent_url = urldefrag(link)[0] if link else None
            # WordPress titles comments "Kommentar till <post> av <author>"; the text is the body.
        return Item(
            external_id=external_id,
            kind="blog_comment" if self.comments else ("news" if not raw["comments_feed"]
                                                       else "blog_post"),
            text=text or title or "",
            published_at=published,
            url=link,
            title=None if self.comments else title,
            author_handle=author,
            author_name=author,
            parent_url=parent_url,
            raw={k: v for k, v in raw.items() if v not in (None, [], "")},
        )
