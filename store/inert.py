"""What of a post may reach a page: the two rules every place that shows posts applies
(dashboard, digest, alerts, reports) and the collectors apply before storing.

- Links: only http(s) with a host (`safe_url`). A post's javascript:, data: or vbscript:
  "link" is never a link to its original; it is dropped, not shown.
- Text: without the Unicode controls that reorder what follows them (`without_bidi`): a
  right-to-left override in a title would otherwise turn the source name, the date or the
  next title on the same line around (and make "txt.exe" read "exe.txt"). Right-to-left
  text itself needs none of them to show right; the implicit marks (U+200E, U+200F) stay.

Markup is escaped where it is rendered (dashboard.fmt.md_escape for markdown, html.escape
and Jinja2's autoescape for HTML); that depends on the target, so it is not done here.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SCHEMES = ("http", "https")
# Embeddings, overrides and their pop (U+202A–U+202E), isolates and theirs (U+2066–U+2069).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SPACE = " \t\n\r\x0b\x0c"


def safe_url(url: str | None) -> str | None:
    """Return `url` (without surrounding white space) when it is an http(s) link with a
    host, else None: never a javascript:, data: or vbscript: link, nor one hidden behind
    controls or white space inside its scheme."""
    if not isinstance(url, str):
        return None
    url = url.strip(_SPACE)
    if not url or any(ord(c) < 0x20 or c == "\x7f" for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in SCHEMES or not host:
        return None
    return url


def without_bidi(text: str | None) -> str:
    """Return `text` without bidi embedding, override and isolate controls ("" for None)."""
    return BIDI_CONTROLS.sub("", text or "")
