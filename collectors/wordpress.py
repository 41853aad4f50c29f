"""WordPress sites through the REST API (/wp-json/wp/v2): posts and their comments.

A run asks for posts and comments newer than the source's cursor (`posts_after`,
`comments_after`: the UTC time of the newest one seen), newest first, 100 a page, following
`X-WP-TotalPages` up to the source's `max_pages`. The cursor is returned only with a fully
successful run, so a failure anywhere leaves it where it was and the next run asks again.

WordPress oddities handled here: rendered titles full of HTML entities (`&#8211;`), `date_gmt`
without a timezone (it is UTC), a byte-order mark before the JSON, HTML error pages answered
with 200 (→ "malformed"), a 400 for a page past the end (ends paging), comments on pages or
private posts whose post cannot be looked up (the parent URL then comes from the comment link).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urldefrag, urlencode

from collectors.base import CollectResult, Item
from collectors.errors import CollectError
from collectors.http import Fetcher, Response
from collectors.text import html_to_text, parse_iso_utc
from store.keys import canonical_url

PER_PAGE = 100
POST_FIELDS = "id,date_gmt,modified_gmt,link,title,content,excerpt,author"
COMMENT_FIELDS = "id,post,parent,author_name,author_url,date_gmt,content,link"
JSON_ACCEPT = "application/json"
_HTTP_400 = re.compile(r"\bHTTP 400\b")
_COMMENT_PAGE = re.compile(r"comment-page-\d+/?$")


def build(cfg: Any, fetcher: Fetcher,
          env: Mapping[str, str] | None = None) -> WordPressApiCollector:
    """Return the collector for a `wordpress_api` source (cfg.url is the site's root URL)."""
    return WordPressApiCollector(cfg.url, fetcher, max_pages=cfg.max_pages,
                                 max_items=cfg.max_items)


def parse_wp_time(value: Any) -> datetime | None:
    """Return a WordPress `date_gmt` as an aware UTC datetime (naive values are UTC)."""
    if isinstance(value, str) and value.startswith("0000-00-00"):
        return None
    return parse_iso_utc(value)


def _rendered(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if isinstance(value, dict):
        value = value.get("rendered")
    return html_to_text(value) if isinstance(value, str) else ""


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def _json_body(resp: Response, url: str) -> Any:
    body = resp.content.lstrip(b"\xef\xbb\xbf \t\r\n")  # some sites send a BOM or blank lines
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        start = body[:60].decode("utf-8", "replace")
        raise CollectError("malformed", f"{url}: not JSON ({type(exc).__name__}); "
                                        f"the answer starts {start!r}") from exc


class WordPressApiCollector:
    """Collects a WordPress site's new posts and comments through its REST API."""

    def __init__(self, site_url: str, fetcher: Fetcher, *, max_pages: int = 5,
                 max_items: int = 500, now: datetime | None = None):
        self.api = site_url.rstrip("/") + "/wp-json/wp/v2"
        self.fetcher = fetcher
        self.max_pages = max_pages
        self.max_items = max_items
        self._now = now

    def collect(self, cursor: dict[str, Any]) -> CollectResult:
        """Fetch posts and comments newer than `cursor`; return the items and the new cursor."""
        posts_after, comments_after = cursor.get("posts_after"), cursor.get("comments_after")
        posts = self._fetch_pages("posts", {
            "per_page": PER_PAGE, "orderby": "date", "order": "desc", "_fields": POST_FIELDS,
        }, posts_after)
        comments = self._fetch_pages("comments", {
            "per_page": PER_PAGE, "orderby": "date", "order": "desc",
            "_fields": COMMENT_FIELDS,
        }, comments_after)
        now = self._now or datetime.now(UTC)
        links: dict[Any, str | None] = {p.get("id"): p.get("link") for p in posts
                                        if isinstance(p.get("link"), str)}
        items: list[Item] = []
        skipped = 0
        for record in posts:
            item = self._post_item(record, now)
            if item is None:
                skipped += 1
            else:
                items.append(item)
        for record in comments:
            post_id = record.get("post")
            if post_id not in links:
                links[post_id] = self._post_link(post_id, record.get("link"))
            item = self._comment_item(record, links[post_id], now)
            if item is None:
                skipped += 1
            else:
                items.append(item)
        new_cursor = dict(cursor)
        for key, records, before in (("posts_after", posts, posts_after),
                                     ("comments_after", comments, comments_after)):
            newest = _newest(records, before)
            if newest:
                new_cursor[key] = newest
        return CollectResult(items, new_cursor, skipped=skipped)

    def _get_json(self, path: str, params: dict[str, Any]) -> tuple[Any, Response]:
        url = f"{self.api}/{path}?{urlencode(params)}"
        resp = self.fetcher.get(url, accept=JSON_ACCEPT)
        return _json_body(resp, url), resp

    def _fetch_pages(self, path: str, params: dict[str, Any],
                     after: str | None) -> list[dict[str, Any]]:
        if after:
            params = {**params, "after": after}
        records: list[dict[str, Any]] = []
        for page in range(1, self.max_pages + 1):
            try:
                data, resp = self._get_json(path, {**params, "page": page})
            except CollectError as exc:
                # WordPress answers 400 rest_post_invalid_page_number past the last page
                # (posts deleted since page 1 was counted): that is the end, not a fault.
                if page > 1 and exc.kind == "http_error" and _HTTP_400.search(exc.detail):
                    break
                raise
            if not isinstance(data, list):
                raise CollectError("malformed", f"{self.api}/{path}: expected a JSON list, "
                                                f"got {type(data).__name__}")
            records.extend(r for r in data if isinstance(r, dict))
            if len(records) >= self.max_items:
                return records[: self.max_items]
            total = _header(resp.headers, "X-WP-TotalPages")
            if total is not None and total.strip().isdigit():
                if page >= int(total):
                    break
            elif len(data) < PER_PAGE:  # a proxy dropped the header: a short page is the last
                break
        return records

    def _post_link(self, post_id: Any, comment_link: Any) -> str | None:
        """Return the permalink of a post not fetched in this run (asked once per run)."""
        if isinstance(post_id, int) and not isinstance(post_id, bool) and post_id > 0:
            try:
                data, _ = self._get_json(f"posts/{post_id}", {"_fields": "id,link"})
            except CollectError as exc:
                if exc.transient:  # try the whole run again later
                    raise
                data = None  # a page, a private or blocked post: fall back on the comment link
            if isinstance(data, dict) and isinstance(data.get("link"), str):
                return data["link"]
        if isinstance(comment_link, str) and comment_link:
            return _COMMENT_PAGE.sub("", urldefrag(comment_link)[0])
        return None

    def _post_item(self, record: dict[str, Any], now: datetime) -> Item | None:
        post_id = record.get("id")
        if post_id is None:
            return None
        title = _rendered(record, "title") or None
        text = _rendered(record, "content") or _rendered(record, "excerpt") or title or ""
        if not text:
            return None
        return Item(
            external_id=f"post-{post_id}",
            kind="blog_post",
            text=text,
            title=title,
            published_at=parse_wp_time(record.get("date_gmt")) or now,
            url=record.get("link") or None,
            raw=_compact({"id": post_id, "link": record.get("link"),
                          "date_gmt": record.get("date_gmt"),
                          "modified_gmt": record.get("modified_gmt"),
                          "author": record.get("author")}),
        )

    def _comment_item(self, record: dict[str, Any], post_link: str | None,
                      now: datetime) -> Item | None:
        comment_id, post_id = record.get("id"), record.get("post")
        text = _rendered(record, "content")
        if comment_id is None or not text:
            return None
        author = (record.get("author_name") or "").strip() or None
        return Item(
            external_id=f"comment-{comment_id}",
            kind="blog_comment",
            text=text,
            published_at=parse_wp_time(record.get("date_gmt")) or now,
            url=record.get("link") or None,
            author_handle=author,
            author_name=author,
            parent_external_id=f"post-{post_id}" if post_id else None,
            parent_url=canonical_url(post_link),
            raw=_compact({"id": comment_id, "post": post_id,
                          "parent": record.get("parent") or None,
                          "link": record.get("link"), "date_gmt": record.get("date_gmt"),
                          "author_url": record.get("author_url")}),
        )


def _compact(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if v not in (None, "", [])}


def _newest(records: list[dict[str, Any]], before: str | None) -> str | None:
    times = [t for t in (parse_wp_time(r.get("date_gmt")) for r in records) if t]
    previous = parse_wp_time(before)
    if previous:
        times.append(previous)
    return max(times).isoformat() if times else None
