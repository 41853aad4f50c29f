"""Canonical URLs and content hashes: the keys by which the store finds copies of one story."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|ref_src|"
    r"s_cid|cmpid|at_medium|at_campaign|at_custom\d*|xtor|ns_source|ns_mchannel|ocid)$",
    re.IGNORECASE,
)


_SPACE = " \t\n\r\x0b\x0c"  # ASCII only: str.strip() would also eat U+0085 in a path


def canonical_url(url: str | None, keep_fragment: bool = False) -> str | None:
    """Return `url` without tracking parameters, default port and (unless `keep_fragment`,
    as for comment anchors like #comment-7) fragment; scheme and host lower-cased."""
    if not url:
        return None
    url = url.strip(_SPACE)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a broken IPv6 host or port: kept as given, it names nothing else
        return url
    if parts.scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    if port and not (
        (parts.scheme == "http" and port == 80)
        or (parts.scheme == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(k)]
    query.sort()
    path = parts.path or "/"
    fragment = parts.fragment if keep_fragment else ""
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(query), fragment)).strip(_SPACE)


def content_hash(title: str | None, text: str) -> str:
    """Return a SHA-256 of title and text, case- and whitespace-insensitive."""
    normal = " ".join(f"{title or ''} {text}".casefold().split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()
