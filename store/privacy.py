"""Private persons are pseudonymised before anything of theirs is stored.

Every collected item's author is classified: media, public bodies, organisations and public
figures keep their names (lists and rules from [privacy] of pulse.toml); everyone else is a
private person. A private person's handle and name are replaced by a keyed hash (HMAC-SHA256
with PULSE_PSEUDONYM_KEY), and every copy of them in the raw payload, the bio and the links is
replaced too, so the database never holds them. The hash is the same for the same handle on
every run, so stories, corrections, follow-up and every figure work on the pseudonym, and
`pulse erase --author HANDLE` finds the person again from the handle alone.

What is kept about a private person until retention (store.retention): the post's text and
title, its time, source, engagement, the tags, the bio (target groups are read from it) with
the handle and name replaced, and the link to the post (the communicator needs it to answer;
X and Bluesky links are rewritten to forms without the handle, a Mastodon link keeps it).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from store.items import Item

KEY_VARIABLE = "PULSE_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16
PRIVATE = "private"
PUBLIC_CATEGORIES = ("media", "public_body", "organisation", "public_figure")
PSEUDONYM_PREFIX = "anon:"
# Keys of a raw payload that hold a picture of a person or a way to reach them; dropped.
_IDENTIFYING_KEYS = re.compile(r"avatar|email|profile_image|profile_banner|header_static|"
                               r"^header$|gravatar|author_url", re.IGNORECASE)


class PseudonymKeyError(Exception):
    """PULSE_PSEUDONYM_KEY is missing or too short; the message says how to make one."""


def key_from_environment(environ: Mapping[str, str] | None = None) -> bytes:
    """Return the pseudonym key from PULSE_PSEUDONYM_KEY; raise PseudonymKeyError when it is
    missing or shorter than 16 characters. The key is never printed."""
    value = (environ if environ is not None else os.environ).get(KEY_VARIABLE, "")
    if not value:
        raise PseudonymKeyError(
            f"{KEY_VARIABLE} is not set. Pulse stores private persons' handles and names only "
            "as a keyed hash and does not collect without the key. Make one with "
            "`python -c \"import secrets; print(secrets.token_urlsafe(32))\"`, keep it secret "
            "and the same for good (a new key makes new pseudonyms), and set it in the "
            "environment of `pulse run`, `pulse collect` and `pulse erase`.")
    if len(value) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(
            f"{KEY_VARIABLE} is shorter than {MIN_KEY_LENGTH} characters; a short key lets "
            "anyone recompute the pseudonyms. Make a longer one with "
            "`python -c \"import secrets; print(secrets.token_urlsafe(32))\"`.")
    return value.encode("utf-8")


def normal_handle(handle: str) -> str:
    """Return a handle as Pulse compares it: no leading @, no surrounding space, lower case."""
    return handle.strip().lstrip("@").strip().lower()


@dataclass(frozen=True)
class Pseudonymiser:
    """Keyed pseudonyms of handles: the same handle gives the same pseudonym with the same
    key, and nothing but the key turns a handle into its pseudonym."""

    key: bytes = field(repr=False)

    def digest(self, handle: str) -> str:
        """Return the hex HMAC of a normalised handle (20 characters: 80 bits)."""
        return hmac.new(self.key, normal_handle(handle).encode("utf-8"),
                        hashlib.sha256).hexdigest()[:20]

    def handle(self, handle: str) -> str:
        """Return the stored handle of a private person: "anon:" and the digest."""
        return PSEUDONYM_PREFIX + self.digest(handle)

    def name(self, handle: str) -> str:
        """Return the name shown for a private person: "Privatperson" and the digest's start."""
        return f"Privatperson {self.digest(handle)[:6]}"


def is_pseudonym(handle: str | None) -> bool:
    """Return True for a stored handle that is a pseudonym."""
    return bool(handle) and handle.startswith(PSEUDONYM_PREFIX)


@dataclass(frozen=True)
class AuthorPolicy:
    """Who keeps their name (pulse.toml [privacy]). `public` maps a category to handles and
    domains, `name_words` a category to words that mark an organisation in a display name."""

    public: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    name_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    min_followers: int | None = 10_000
    verified_is_public: bool = True
    public_body_names: frozenset[str] = frozenset()  # display names, lower case (the city's)

    def _listed(self, handle: str) -> str | None:
        """The category whose list holds the handle, or a domain it ends in ("kth.se" holds
        Bluesky's "news.kth.se"); a Mastodon acct is listed whole ("user@host")."""
        handle = normal_handle(handle)
        for category, entries in self.public.items():
            for entry in entries:
                if handle == entry or ("." in entry and "@" not in entry
                                       and "@" not in handle and handle.endswith("." + entry)):
                    return category
        return None

    def _named(self, name: str) -> str | None:
        words = set(re.findall(r"[\w-]+", name.lower()))  # "AB-testare" is not "AB"
        for category, markers in self.name_words.items():
            if any(marker.lower() in words for marker in markers):
                return category
        return None

    def classify(self, item: Item, rule: str = "classify") -> str:
        """Return the author's category: a public one, or "private".

        `rule` is the source's: a category for all its authors, or "classify" to decide per
        author: the city's own voice, the allow-lists, the words of the name, a verified
        account, a following above the threshold; else a private person."""
        if rule != "classify":
            return rule
        if item.voice == "own":
            return "public_body"
        if item.author_handle and (listed := self._listed(item.author_handle)):
            return listed
        if item.author_name and item.author_name.strip().lower() in self.public_body_names:
            return "public_body"
        if item.author_name and (named := self._named(item.author_name)):
            return named
        if self.verified_is_public and item.author_verified:
            return "public_figure"
        if (self.min_followers is not None and item.author_followers is not None
                and item.author_followers >= self.min_followers):
            return "public_figure"
        return PRIVATE


@lru_cache(maxsize=4096)  # the same author's posts come together: one pattern each
def _pattern(found: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(s) for s in found)
                      + r")(?![\w])", re.IGNORECASE)


def whole_words(secrets: Iterable[str]) -> re.Pattern | None:
    """Return a pattern finding any of the secrets of 3 or more characters, ignoring case,
    as whole words only ("anna" leaves "Annastigen" alone), the longest first ("anna@host"
    before "anna"); None when there is none."""
    found = tuple(sorted({s for s in secrets if s and len(s) >= 3}, key=lambda s: (-len(s), s)))
    return _pattern(found) if found else None


def _replacer(secrets: Iterable[str], pseudonym: str):
    """Return a function that replaces every secret (whole_words) in a text by the pseudonym."""
    pattern = whole_words(secrets)
    if pattern is None:
        return lambda text: text
    return lambda text: pattern.sub(pseudonym, text)


def scrub(value: Any, replace_text) -> Any:
    """Return a JSON value with the secrets replaced in every string and in keys' values, and
    pictures and addresses of people (avatars, e-mail, author links) dropped."""
    if isinstance(value, str):
        return replace_text(value)
    if isinstance(value, dict):
        return {k: scrub(v, replace_text) for k, v in value.items()
                if not _IDENTIFYING_KEYS.search(str(k))}
    if isinstance(value, list):
        return [scrub(v, replace_text) for v in value]
    return value


_X_STATUS = re.compile(r"^(https?://(?:www\.|mobile\.)?(?:x|twitter)\.com)/[^/]+/status/(\d+)")
_BSKY_PROFILE = re.compile(r"^(https?://bsky\.app/profile/)[^/]+(/post/.+)$")


def _handle_free_link(url: str | None, item: Item) -> str | None:
    """Return a post's link without its author's handle where the platform has such a link:
    X's /i/web/status/ID, Bluesky's profile/DID/post/…; other links as they are."""
    if not url:
        return url
    if match := _X_STATUS.match(url):
        return f"{match.group(1)}/i/web/status/{match.group(2)}"
    if (match := _BSKY_PROFILE.match(url)) and item.external_id.startswith("at://did:"):
        did = item.external_id.removeprefix("at://").split("/", 1)[0]
        return f"{match.group(1)}{did}{match.group(2)}"
    return url


def protect(items: Iterable[Item], policy: AuthorPolicy, pseudonymiser: Pseudonymiser,
            rule: str = "classify", erased: frozenset[str] = frozenset()) -> list[Item]:
    """Return the items with each author classified (`author_category`) and every private
    person pseudonymised: handle and name replaced by the keyed pseudonym, and every copy of
    them in the title ("Kommentar av Anna"), text, bio, raw payload and links replaced too.
    Items by an author erased on request
    (`erased`: their pseudonyms) are left out."""
    protected = []
    for item in items:
        if not item.author_handle and not item.author_name:
            protected.append(item)
            continue
        if erased and pseudonymiser.handle(item.author_handle or item.author_name) in erased:
            continue
        category = policy.classify(item, rule)
        if category != PRIVATE:
            protected.append(replace(item, author_category=category))
            continue
        handle = item.author_handle or item.author_name or ""
        alias = pseudonymiser.handle(handle)
        secrets = [handle, normal_handle(handle), item.author_name or ""]
        shown = pseudonymiser.name(handle)
        quoted = list(secrets)
        if "@" in normal_handle(handle):  # a Mastodon acct: its user part in profile links,
            user = normal_handle(handle).split("@", 1)[0]  # and quoted as @user in texts
            secrets.append(user)
            quoted.append("@" + user)
        clean, clean_text = _replacer(secrets, alias), _replacer(quoted, shown)
        protected.append(replace(
            item, author_handle=alias, author_name=shown, author_category=PRIVATE,
            author_description=clean_text(item.author_description)
            if item.author_description else None,
            title=clean_text(item.title) if item.title else item.title,
            text=clean_text(item.text),
            url=_handle_free_link(item.url, item), raw=scrub(item.raw, clean)))
    return protected
