"""Every kind of source, declared once: the settings it takes, the channel it publishes in by
default, and the collector that reads it.

A new kind is one collector module plus one entry here; pulse.settings validates sources.toml
against these declarations and pulse.jobs builds collectors through them. The factories are
imported lazily, so a kind's library (tweepy, Mastodon.py …) loads only when it is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from collectors.base import Collector


@dataclass(frozen=True)
class Kind:
    """How one kind of source is configured and collected."""

    name: str
    required: tuple[str, ...]          # settings a source of this kind must have
    optional: tuple[str, ...] = ()     # settings it may have beyond the common ones
    factory: str = ""                  # "module:function" building the collector
    own_channel: str = "own_web"       # default channel when the source is the city's own
    third_party_channel: str = "media"  # default channel otherwise
    needs_instance: bool = False       # `url` is the instance/host of a federated service
    help: str = ""                     # one line for sources.toml's documentation

    def channel(self, voice: str | None) -> str:
        """Return the default channel of a source of this kind with this voice."""
        return self.own_channel if voice == "own" else self.third_party_channel

    def build(self, cfg: Any, fetcher: Any, env: Mapping[str, str]) -> Collector:
        """Return the collector for a configured source (no request is made)."""
        module, _, function = self.factory.partition(":")
        build: Callable[..., Collector] = getattr(importlib.import_module(module), function)
        return build(cfg, fetcher, env)


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("feed", ("url",), ("full_text",), "collectors.feeds:build",
         help="RSS, Atom or JSON Feed"),
    Kind("wordpress_comments", ("url",), (), "collectors.feeds:build_comments",
         own_channel="own_blog", third_party_channel="own_blog",
         help="a WordPress comment feed (comments are third party)"),
    Kind("wordpress_api", ("url",), ("max_pages",), "collectors.wordpress:build",
         own_channel="own_blog", third_party_channel="own_blog",
         help="a WordPress site's REST API: posts and comments"),
    Kind("x_user", ("username",), ("max_pages", "api_base_url"), "collectors.x:build",
         own_channel="own_x", third_party_channel="social",
         help="an X account: its posts, mentions and the replies in its conversations"),
    Kind("x_search", ("query",), ("max_pages", "api_base_url"), "collectors.x:build",
         own_channel="own_x", third_party_channel="social",
         help="X recent search"),
    Kind("mastodon_tag", ("url", "tag"), ("max_pages",), "collectors.mastodon:build",
         own_channel="social", third_party_channel="social", needs_instance=True,
         help="a Mastodon hashtag timeline on an instance"),
    Kind("mastodon_account", ("url", "username"), ("max_pages",), "collectors.mastodon:build",
         own_channel="social", third_party_channel="social", needs_instance=True,
         help="a Mastodon account's public posts"),
    Kind("bluesky_account", ("username",), ("max_pages", "api_base_url"),
         "collectors.bluesky:build", own_channel="social", third_party_channel="social",
         help="a Bluesky account: its posts, the replies in its threads, mentions with a login"),
    Kind("bluesky_search", ("query",), ("max_pages", "api_base_url"),
         "collectors.bluesky:build", own_channel="social", third_party_channel="social",
         help="Bluesky post search (needs PULSE_BLUESKY_HANDLE and an app password)"),
    Kind("reddit_subreddit", ("subreddit",), ("max_pages", "api_base_url"),
         "collectors.reddit:build", own_channel="social", third_party_channel="social",
         help="a subreddit's new posts and comments"),
    Kind("reddit_search", ("query",), ("subreddit", "max_pages", "api_base_url"),
         "collectors.reddit:build", own_channel="social", third_party_channel="social",
         help="Reddit search, newest first (in one subreddit when `subreddit` is set)"),
)}


def kind(name: str) -> Kind:
    """Return the declaration of a kind; KeyError names the known kinds."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f'"{name}" is not a kind of source; use one of '
                       f"{', '.join(KINDS)}") from None
