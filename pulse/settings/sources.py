"""sources.toml: what to collect. Each kind's settings are checked against its declaration in
collectors.registry, and a source's filter is parsed here, so a typo stops the start."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from collectors.filters import FilterSyntaxError, ItemFilter
from collectors.registry import KINDS
from pulse.settings.common import Strict, parse_interval

COMMON = ("key", "name", "kind", "interval", "voice", "filter", "enabled", "max_items",
          "channel", "authors")
AUTHOR_RULES = ("classify", "private", "media", "public_body", "organisation", "public_figure")
# Settings of one kind or another; each kind declares which of them it takes.
KIND_SETTINGS = ("url", "username", "query", "tag", "subreddit", "api_base_url", "max_pages",
                 "full_text")


class SourceConfig(Strict):
    """One [[source]] table of sources.toml."""

    key: str = Field(pattern=r"^[A-Za-z0-9_-]{1,100}$")
    name: str | None = Field(default=None, min_length=1, max_length=200)  # shown to people
    kind: str
    url: str | None = None          # feed URL; site URL for wordpress_api; instance for mastodon
    username: str | None = None     # x_user, bluesky_account (handle); mastodon_account: user@host
    query: str | None = None        # x_search, bluesky_search, reddit_search: the query
    tag: str | None = None          # mastodon_tag: the hashtag, without #
    subreddit: str | None = Field(default=None, pattern=r"^(r/)?[A-Za-z0-9_]{2,21}$")  # reddit
    api_base_url: str | None = None  # X, Bluesky, Reddit: another API host (tests, proxies)
    max_pages: int = Field(default=5, ge=1, le=100)  # a run never follows more pages than this
    full_text: bool = False         # feeds: fetch the article when the feed has only a summary
    interval: str = "1h"
    voice: str = "third_party"
    filter: str | None = None
    enabled: bool = True
    max_items: int = Field(default=500, ge=1)
    channel: str | None = None      # a [[channel]] id of strategy.toml; None: the kind's default
    # Who its authors are (store.privacy): "classify" each one by [privacy] of pulse.toml, or
    # one category for all ("media" for a newspaper's bylines, "private" …). None: the city's
    # own sources are "public_body", other feeds "media", everything else "classify".
    authors: str | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f'"{value}" is not a kind of source; use one of {", ".join(KINDS)}')
        return value

    @field_validator("voice")
    @classmethod
    def _known_voice(cls, value: str) -> str:
        if value not in ("own", "third_party"):
            raise ValueError(f'"{value}" is not a voice; use "own" or "third_party"')
        return value

    @field_validator("authors")
    @classmethod
    def _known_rule(cls, value: str | None) -> str | None:
        if value is not None and value not in AUTHOR_RULES:
            raise ValueError(f'"{value}" is not an author rule; use one of '
                             f'{", ".join(AUTHOR_RULES)}')
        return value

    @field_validator("interval")
    @classmethod
    def _valid_interval(cls, value: str) -> str:
        if parse_interval(value) < 60:
            raise ValueError("interval must be at least 1m, to be polite to the source")
        return value

    @field_validator("url", "api_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f'"{value}" is not an http(s) URL')
        return value

    @field_validator("filter")
    @classmethod
    def _valid_filter(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ItemFilter(value)
            except FilterSyntaxError as exc:
                raise ValueError(f"the filter is not valid: {exc}") from None
        return value

    @model_validator(mode="after")
    def _kind_settings(self) -> SourceConfig:
        declared = KINDS[self.kind]
        missing = [name for name in declared.required if not getattr(self, name)]
        if missing:
            hint = ' (the instance, e.g. "https://mastodon.social")' \
                if declared.needs_instance and "url" in missing else ""
            raise ValueError(f'kind "{self.kind}" needs `{"`, `".join(missing)}`{hint}')
        allowed = set(declared.required) | set(declared.optional)
        stray = [name for name in KIND_SETTINGS if name not in allowed
                 and name in self.model_fields_set]
        if stray:
            raise ValueError(f'`{"`, `".join(stray)}` is not a setting of kind "{self.kind}"')
        return self

    @property
    def display_name(self) -> str:
        """Return the name people see (the key when no `name` is configured)."""
        return self.name or self.key

    @property
    def effective_channel(self) -> str:
        """Return the explicit channel, or the kind's default for this voice."""
        return self.channel or KINDS[self.kind].channel(self.voice)

    @property
    def author_rule(self) -> str:
        """Return how this source's authors are classified: its `authors`, or the default
        (the city's own: public body; other feeds: media, their bylines; else classify)."""
        if self.authors:
            return self.authors
        if self.voice == "own":
            return "public_body"
        return "media" if self.kind == "feed" else "classify"

    @property
    def interval_seconds(self) -> int:
        """Return the collect interval in seconds."""
        return parse_interval(self.interval)


class SourcesFile(Strict):
    """The whole of sources.toml."""

    source: list[SourceConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_keys(self) -> SourcesFile:
        seen: set[str] = set()
        for src in self.source:
            if src.key in seen:
                raise ValueError(f'source key "{src.key}" is used twice')
            seen.add(src.key)
        return self
