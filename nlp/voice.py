"""Own voice (the city's web estate and accounts) or third party (docs/labelling.md)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Estate:
    """The city's web estate and accounts, normalised for matching (from strategy.toml's
    [voice])."""

    domains: tuple[str, ...]
    tlds: tuple[str, ...]
    urls: tuple[str, ...]
    accounts: frozenset[str]
    names: frozenset[str]

    @classmethod
    def of(cls, voice) -> Estate:
        """Build it from a pulse.settings VoiceConfig (or anything with its fields)."""
        return cls(tuple(d.lower().strip(".") for d in voice.own_domains),
                   tuple(t.lower().strip(".") for t in getattr(voice, "own_tlds", ())),
                   tuple(u.lower().rstrip("/") for u in getattr(voice, "own_urls", ())),
                   frozenset(a.lower().lstrip("@") for a in voice.own_accounts),
                   frozenset(n.lower() for n in voice.own_names))

    def owns_url(self, url: str | None) -> bool:
        """Return True when the URL is on the city's web estate."""
        if not url:
            return False
        parts = urlsplit(url if "//" in url else "//" + url)
        host = (parts.hostname or "").lower().removeprefix("www.")
        if not host:
            return False
        if any(host == d or host.endswith("." + d) for d in self.domains):
            return True
        if host.rsplit(".", 1)[-1] in self.tlds:
            return True
        where = (host + parts.path.lower()).rstrip("/")
        return any(where == u or where.startswith(u + "/") for u in self.urls)

    def owns_author(self, author: str | None) -> bool:
        """Return True when the author is one of the city's accounts or names."""
        if not author:
            return False
        name = author.strip().lower()
        return name.lstrip("@") in self.accounts or name in self.names


def detect_voice(*, source_voice: str | None, author: str | None, url: str | None,
                 estate: Estate, source_kind: str | None = None) -> str:
    """Return "own" when the source, author or URL belongs to the city, else "third_party".

    Comments live on the city's blog domain but are written by others, so for comments the
    domain says nothing; only the author does. The publisher decides, not the person quoted.
    """
    if source_voice == "own":
        return "own"
    if estate.owns_author(author):
        return "own"
    if source_kind != "blog_comment" and estate.owns_url(url):
        return "own"
    return "third_party"


def is_echo(*, voice: str, relation: str | None, text: str, parent_author: str | None,
            own_accounts) -> bool:
    """Return True for a third-party mention that only reposts or quotes the city."""
    if voice != "third_party":
        return False
    own = {a.lower().lstrip("@") for a in own_accounts}
    if relation in ("repost", "quote") and parent_author and parent_author.lower() in own:
        return True
    match = text.lstrip().lower()
    return any(match.startswith(f"rt @{a}") for a in own)
