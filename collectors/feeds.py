"""RSS/Atom/RDF and JSON feeds and WordPress comment feeds: the feed kinds' collector.

A run is the pipeline's first steps for a feed: fetch (collectors.http, conditional GET) →
decode (collectors.decode) → parse (collectors.parse) → entries to items
(collectors.normalise.feed_item). The steps after it, the same for every kind, are in
collectors.pipeline. With `full_text`, the pipeline's last step fetches the article of items
the feed carries only a summary of (`enrich`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from collectors.base import CollectResult, Item
from collectors.decode import decode
from collectors.errors import CollectError
from collectors.http import Fetcher
from collectors.normalise import feed_item
from collectors.parse import parse_document

log = logging.getLogger(__name__)
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
               "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.9, */*;q=0.5")


FULL_TEXT_BELOW = 600      # characters: shorter feed texts are treated as summaries
FULL_TEXT_PER_RUN = 25     # article fetches per run, to stay polite


def _summary_hash(item: Item) -> str:
    return hashlib.sha1(f"{item.title or ''}\n{item.text}".encode()).hexdigest()[:16]


def fetch_full_texts(items: list[Item], fetcher: Fetcher,
                     seen: dict[str, str | None] | None = None) -> tuple[list[Item], dict]:
    """Replace summary-only texts by the article's main text (trafilatura); return the items
    to store and the updated `seen` map (id → hash of the summary whose article was fetched).

    An item whose article was fetched in an earlier run with the same summary is left out:
    it is stored already with its article, and its summary must not replace that. A failing
    article keeps its summary: the feed's items are never lost for it.
    """
    import trafilatura

    seen = dict(seen or {})
    kept: list[Item] = []
    fetched = 0
    for item in items:
        if len(item.text) >= FULL_TEXT_BELOW or not (item.url or "").startswith("http"):
            kept.append(item)
            continue
        summary = _summary_hash(item)
        if item.external_id in seen and seen[item.external_id] in (None, summary):
            continue  # None: recorded before summaries were hashed
        if fetched >= FULL_TEXT_PER_RUN:
            kept.append(item)
            continue
        fetched += 1
        seen.pop(item.external_id, None)
        seen[item.external_id] = summary
        kept.append(item)
        try:
            page = fetcher.get(item.url, accept="text/html,application/xhtml+xml")
        except CollectError as exc:
            log.info("full_text url=%s error_kind=%s; keeping the summary", item.url, exc.kind)
            continue
        content_type = next((v for k, v in page.headers.items()
                             if k.lower() == "content-type"), None)
        text = trafilatura.extract(decode(page.content, content_type).text,
                                   include_comments=False, include_tables=False,
                                   favor_precision=True)
        if text and len(text) > len(item.text):
            item.raw["summary"] = item.text
            item.text = text
    return kept, seen


def parse_feed(content: bytes, url: str, headers: dict[str, str] | None = None) -> Any:
    """Return the parsed document (collectors.parse.Parsed) of feed bytes; CollectError when
    nothing can be read."""
    return parse_document(content, url, headers)


def build(cfg: Any, fetcher: Fetcher, env: Mapping[str, str] | None = None) -> FeedCollector:
    """Return the collector of a `feed` source (RSS, Atom or JSON Feed); no request."""
    return FeedCollector(cfg.url, fetcher, max_items=cfg.max_items, full_text=cfg.full_text)


def build_comments(cfg: Any, fetcher: Fetcher,
                   env: Mapping[str, str] | None = None) -> FeedCollector:
    """Return the collector of a `wordpress_comments` source (a comment feed); no request."""
    return FeedCollector(cfg.url, fetcher, comments=True, max_items=cfg.max_items)


class FeedCollector:
    """Collects an RSS/Atom/JSON feed; with `comments=True` the items are WordPress comments."""

    def __init__(self, url: str, fetcher: Fetcher, *, comments: bool = False,
                 max_items: int = 500, full_text: bool = False, now: datetime | None = None):
        self.url = url
        self.fetcher = fetcher
        self.comments = comments
        self.full_text = full_text
        self.max_items = max_items
        self._now = now

    def collect(self, cursor: dict[str, Any]) -> CollectResult:
        """Fetch the feed (conditionally, from `cursor`) and return its items and new cursor."""
        resp = self.fetcher.get(self.url, etag=cursor.get("etag"),
                                last_modified=cursor.get("last_modified"), accept=FEED_ACCEPT)
        if resp.not_modified:
            return CollectResult([], dict(cursor), not_modified=True)
        now = self._now or datetime.now(UTC)
        parsed = parse_document(resp.content, self.url, resp.headers, framed=resp.framed,
                                now=now)
        if parsed.items is not None:
            candidates = parsed.items[: self.max_items]
        else:
            candidates = [feed_item(e, self.url, now, comments=self.comments)
                          for e in parsed.entries[: self.max_items]]
        items = [item for item in candidates if item is not None]
        new_cursor = {k: v for k, v in cursor.items() if k not in ("etag", "last_modified")}
        if resp.etag:
            new_cursor["etag"] = resp.etag
        if resp.last_modified:
            new_cursor["last_modified"] = resp.last_modified
        return CollectResult(items, new_cursor, skipped=len(candidates) - len(items),
                             warnings=parsed.notes)

    def enrich(self, items: list[Item], cursor: dict[str, Any]) -> tuple[list[Item], dict]:
        """With `full_text`, fetch the articles of the items (kept by the filter) that carry
        only a summary; return the items to store and the cursor to store with them."""
        if not self.full_text:
            return items, cursor
        seen = cursor.get("full_text_seen") or {}
        if isinstance(seen, list):  # the older form: ids only
            seen = dict.fromkeys(seen)
        kept, seen = fetch_full_texts(items, self.fetcher, seen=seen)
        return kept, {**cursor, "full_text_seen": dict(list(seen.items())[-1000:])}
