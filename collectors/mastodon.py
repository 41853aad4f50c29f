"""Mastodon through Mastodon.py: a public hashtag timeline, or one account's public statuses.

No login is needed: both endpoints are public on most instances. A run asks for statuses newer
than the cursor's `since_id`, 40 a page, newest first, and pages back with `max_id` (keeping
`since_id`, which Mastodon.py's own `fetch_next` would drop) for at most `max_pages` pages.
An account is resolved once with `account_lookup`; its id is kept in the cursor (`account_id`).
The cursor is returned only with a fully successful run.

The client makes no request when it is built (`version_check_mode="none"`) and throws on 429
instead of sleeping; its session is the shared one of collectors.http (User-Agent, timeouts,
size cap, retries, Retry-After). Every Mastodon.py exception becomes a CollectError through the
same classifier as every other kind.
Note: Mastodon.py asks `/api/v2/instance/` once per run before a hashtag timeline (to warn when
the instance closes it); a failure of that request is ignored by the library.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from collectors.base import CollectResult, Item
from collectors.errors import CollectError
from collectors.http import Fetcher, request_error, retry_after_seconds, status_error
from collectors.text import html_to_text

PAGE_SIZE = 40  # the maximum of the timeline and account-statuses endpoints


def build(cfg: Any, fetcher: Fetcher, env: Mapping[str, str] | None = None) -> MastodonCollector:
    """Return the collector for a `mastodon_tag` or `mastodon_account` source; no request."""
    if cfg.kind == "mastodon_tag":
        tag, account = (cfg.tag or "").strip().lstrip("#"), None
        if not tag:
            raise CollectError("config", f"source {cfg.key}: mastodon_tag needs `tag`")
    else:
        tag, account = None, (cfg.username or "").strip().lstrip("@")
        if not account:
            raise CollectError("config", f"source {cfg.key}: mastodon_account needs `username`")
    return MastodonCollector(cfg.url, fetcher, tag=tag, account=account,
                             max_pages=cfg.max_pages, max_items=cfg.max_items)


class MastodonCollector:
    """Collects new public statuses of a hashtag or of one account on a Mastodon instance."""

    def __init__(self, instance_url: str, fetcher: Fetcher, *, tag: str | None = None,
                 account: str | None = None, max_pages: int = 5, max_items: int = 500):
        if bool(tag) == bool(account):
            raise CollectError("config", "a Mastodon source needs either a tag or an account")
        self.instance_url = instance_url.rstrip("/")
        self.host = (urlsplit(self.instance_url).hostname or "").lower()
        self.tag, self.account = tag, account
        self.max_pages, self.max_items = max_pages, max_items
        self.session = fetcher.new_session()
        self.session.headers["Accept"] = "application/json"
        self._account_id: str | None = None
        self.client = Mastodon(
            api_base_url=self.instance_url,
            request_timeout=(fetcher.connect_timeout, fetcher.read_timeout),
            user_agent=fetcher.user_agent,
            version_check_mode="none",
            ratelimit_method="throw",
            session=self.session,
        )

    def collect(self, cursor: dict[str, Any]) -> CollectResult:
        """Fetch statuses newer than the cursor's `since_id`; return items and the new cursor."""
        try:
            return self._collect(cursor)
        except MastodonError as exc:
            raise self._error(exc) from exc
        finally:
            self.session.close()

    def _collect(self, cursor: dict[str, Any]) -> CollectResult:
        new_cursor = dict(cursor)
        if self.account and cursor.get("acct") != self.account:
            # another account than the cursor was made for: start afresh
            for key in ("account_id", "since_id"):
                new_cursor.pop(key, None)
        since_id = new_cursor.get("since_id")
        if self.tag:
            statuses = self._pages(lambda **kw: self.client.timeline_hashtag(self.tag, **kw),
                                   since_id)
        else:
            account_id = new_cursor.get("account_id")
            try:
                statuses = self._account_pages(account_id or self._lookup(), since_id)
            except MastodonNotFoundError:
                if not account_id:
                    raise
                # the cached id is gone (the account moved or was re-created): look it up again
                statuses = self._account_pages(self._lookup(), since_id)
            new_cursor["acct"] = self.account
            new_cursor["account_id"] = self._account_id
        items, skipped = [], 0
        for status in statuses[: self.max_items]:
            item = self._item(status)
            if item is None:
                skipped += 1
            else:
                items.append(item)
        newest = _newest_id([s.get("id") for s in statuses] + [since_id])
        if newest is not None:
            new_cursor["since_id"] = newest
        return CollectResult(items, new_cursor, skipped=skipped)

    def _lookup(self) -> str:
        account = self.client.account_lookup(self.account)
        if not isinstance(account, dict) or account.get("id") is None:
            raise CollectError("malformed", f"{self.instance_url}: account lookup of "
                                            f"{self.account} gave no id")
        return str(account["id"])

    def _account_pages(self, account_id: str, since_id: str | None) -> list[dict]:
        self._account_id = account_id
        return self._pages(lambda **kw: self.client.account_statuses(
            account_id, exclude_reblogs=False, **kw), since_id)

    def _pages(self, fetch, since_id: str | None) -> list[dict]:
        statuses: list[dict] = []
        seen: set[str] = set()
        max_id = None
        for number in range(1, self.max_pages + 1):
            page = fetch(since_id=since_id, max_id=max_id, limit=PAGE_SIZE)
            # Mastodon.py turns a JSON object where a list belongs into a list of its keys
            if not isinstance(page, list) or not all(isinstance(s, dict) for s in page):
                raise CollectError("malformed", f"{self.instance_url}: expected a JSON list "
                                                "of statuses")
            fresh = [s for s in page if s.get("id") is not None and str(s["id"]) not in seen
                     and not _not_newer(s["id"], since_id)]
            seen.update(str(s["id"]) for s in fresh)
            statuses.extend(fresh)
            if not fresh or len(statuses) >= self.max_items or number == self.max_pages:
                break
            following = getattr(page, "_pagination_next", None) or {}
            if following.get("max_id") is not None:
                max_id = str(following["max_id"])
            elif len(page) >= PAGE_SIZE:  # no Link header: go on below the oldest one seen
                max_id = str(page[-1]["id"])
            else:
                break
        return statuses

    def _handle(self, account: dict) -> str | None:
        acct = str(account.get("acct") or account.get("username") or "").strip().lstrip("@")
        if not acct:
            return None
        return acct if "@" in acct or not self.host else f"{acct}@{self.host}"

    def _item(self, status: dict) -> Item | None:
        reblog = status.get("reblog") if isinstance(status.get("reblog"), dict) else None
        target = reblog or status
        account = status.get("account") if isinstance(status.get("account"), dict) else {}
        text = html_to_text(target.get("content"))
        spoiler = " ".join(str(target.get("spoiler_text") or "").split())
        if spoiler:
            text = f"{spoiler}\n{text}" if text else spoiler
        if not text:  # media only: its descriptions are what there is to read
            text = "\n".join(str(m.get("description")).strip()
                             for m in target.get("media_attachments") or []
                             if isinstance(m, dict) and m.get("description"))
        published = _utc(status.get("created_at")) or _utc(target.get("created_at"))
        if not text or published is None:
            return None
        if reblog:
            relation, parent = "repost", str(reblog.get("id"))
        elif status.get("in_reply_to_id") is not None:
            relation, parent = "reply", str(status["in_reply_to_id"])
        else:
            relation, parent = None, None
        followers = account.get("followers_count")
        return Item(
            external_id=str(status["id"]),
            kind="post",
            text=text,
            published_at=published,
            url=status.get("url") or target.get("url") or status.get("uri") or None,
            author_handle=self._handle(account),
            author_name=(account.get("display_name") or "").strip() or None,
            author_description=html_to_text(account.get("note")) or None,
            author_followers=followers if isinstance(followers, int) else None,
            author_verified=None,
            conversation_id=None,
            relation=relation,
            parent_external_id=parent,
            engagement={key: status[src] for key, src in (
                ("likes", "favourites_count"), ("reposts", "reblogs_count"),
                ("replies", "replies_count")) if isinstance(status.get(src), int)},
            raw=_raw(status, account, reblog),
        )

    def _error(self, exc: MastodonError) -> CollectError:
        where = self.instance_url
        if isinstance(exc, MastodonRatelimitError):
            return CollectError("rate_limited", f"{where}: HTTP 429 (rate limited)",
                                retry_after=retry_after_seconds(self.session.last_headers))
        if isinstance(exc, MastodonNetworkError):
            cause = _cause(exc)
            if isinstance(cause, CollectError):
                return cause
            if isinstance(cause, requests.exceptions.RequestException):
                return request_error(cause, where)
            return CollectError("connection", f"{where}: {exc}")
        if isinstance(exc, MastodonIllegalArgumentError):
            return CollectError("config", f"{where}: {exc}")
        if isinstance(exc, MastodonAPIError):
            status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
            message = str(exc.args[3]) if len(exc.args) > 3 and exc.args[3] else ""
            detail = f"{where}: HTTP {status}" + (f" ({message})" if message else "")
            if status is None and str(exc.args[0] if exc.args else "").startswith(
                    "Could not parse response as JSON"):
                return CollectError("malformed", f"{where}: the answer is not JSON")
            if status is None:
                status = (401 if isinstance(exc, MastodonUnauthorizedError)
                          else 404 if isinstance(exc, MastodonNotFoundError)
                          else 500 if isinstance(exc, MastodonServerError) else None)
            found = status_error(status, where, self.session.last_headers) if status else None
            if found is None:
                return CollectError("http_error", f"{where}: {exc}")
            return CollectError(found.kind, detail, retry_after=found.retry_after)
        return CollectError("unexpected", f"{where}: {type(exc).__name__}: {exc}")


def _cause(exc: BaseException) -> BaseException | None:
    """Return the exception Mastodon.py wrapped (it raises its own inside `except`)."""
    seen = exc.__cause__ or exc.__context__
    while isinstance(seen, MastodonError) and (seen.__cause__ or seen.__context__):
        seen = seen.__cause__ or seen.__context__
    return seen


def _utc(value: Any) -> datetime | None:
    if isinstance(value, str) and value.strip():
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _as_int(value: Any) -> int | None:
    text = str(value)
    return int(text) if text.isdigit() else None


def _not_newer(status_id: Any, since_id: Any) -> bool:
    """Return True when a status is not newer than `since_id` (servers that ignore it)."""
    if since_id is None:
        return False
    ident, since = _as_int(status_id), _as_int(since_id)
    return ident is not None and since is not None and ident <= since


def _newest_id(ids: list[Any]) -> str | None:
    present = [str(i) for i in ids if i is not None]
    numeric = [i for i in present if i.isdigit()]
    if numeric:
        return max(numeric, key=int)
    return present[0] if present else None  # non-numeric ids come newest first


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _raw(status: dict, account: dict, reblog: dict | None) -> dict[str, Any]:
    target = reblog or status
    raw = {
        "id": status.get("id"), "uri": status.get("uri"), "url": status.get("url"),
        "created_at": status.get("created_at"), "edited_at": status.get("edited_at"),
        "language": target.get("language"), "visibility": status.get("visibility"),
        "sensitive": target.get("sensitive"), "spoiler_text": target.get("spoiler_text"),
        "in_reply_to_id": status.get("in_reply_to_id"),
        "in_reply_to_account_id": status.get("in_reply_to_account_id"),
        "tags": [t.get("name") for t in target.get("tags") or [] if isinstance(t, dict)],
        "mentions": [m.get("acct") for m in target.get("mentions") or []
                     if isinstance(m, dict)],
        "media": [{"type": m.get("type"), "url": m.get("url"),
                   "description": m.get("description")}
                  for m in target.get("media_attachments") or [] if isinstance(m, dict)],
        "account": {"id": account.get("id"), "acct": account.get("acct"),
                    "url": account.get("url"), "bot": account.get("bot")},
    }
    if reblog:
        reblog_account = reblog.get("account") if isinstance(reblog.get("account"), dict) else {}
        raw["reblog"] = {"id": reblog.get("id"), "uri": reblog.get("uri"),
                         "url": reblog.get("url"), "created_at": reblog.get("created_at"),
                         "account": reblog_account.get("acct")}
    return _json_safe({k: v for k, v in raw.items() if v not in (None, "", [])})
