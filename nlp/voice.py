"""Own voice (the city's accounts and domains) or third party."""

from __future__ import annotations

from urllib.parse import urlsplit


def detect_voice(*, source_voice: str | None, author: str | None, url: str | None,
                 own_accounts: list[str], own_domains: list[str],
                 own_names: list[str] = (), source_kind: str | None = None) -> str:
    """Return "own" when the source, author or URL belongs to the city, else "third_party".

    Comments live on the city's blog domain but are written by others, so for comments
    the domain says nothing; only the author does.
    """
    if source_voice == "own":
        return "own"
    if author:
        name = author.strip().lstrip("@").lower()
        if name in {a.lower() for a in own_accounts} or name in {n.lower() for n in own_names}:
            return "own"
    if url and source_kind != "blog_comment":
        host = (urlsplit(url).hostname or "").lower()
        for domain in own_domains:
            domain = domain.lower()
            if host == domain or host.endswith("." + domain):
                return "own"
    return "third_party"


def is_echo(*, voice: str, relation: str | None, text: str, parent_author: str | None,
            own_accounts: list[str]) -> bool:
    """Return True for a third-party mention that only reposts or quotes the city."""
    if voice != "third_party":
        return False
    own = {a.lower() for a in own_accounts}
    if relation in ("repost", "quote") and parent_author and parent_author.lower() in own:
        return True
    match = text.lstrip().lower()
    return any(match.startswith(f"rt @{a}") for a in own)
