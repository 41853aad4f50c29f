"""Own voice (the city's accounts and domains) or third party."""

from __future__ import annotations

from urllib.parse import urlsplit


def detect_voice(*, source_voice: str | None, author: str | None, url: str | None,
                 own_accounts: list[str], own_domains: list[str]) -> str:
    """Return "own" when the source, author or URL belongs to the city, else "third_party"."""
    if source_voice == "own":
        return "own"
    if author and author.strip().lstrip("@").lower() in {a.lower() for a in own_accounts}:
        return "own"
    if url:
        host = (urlsplit(url).hostname or "").lower()
        for domain in own_domains:
            domain = domain.lower()
            if host == domain or host.endswith("." + domain):
                return "own"
    return "third_party"
