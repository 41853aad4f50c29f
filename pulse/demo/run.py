"""`pulse demo`: serve the sample feeds locally, collect and tag them, open the dashboard."""

from __future__ import annotations

import dataclasses

from pulse.demo.feeds import FEEDS
from pulse.settings import Settings, SourceConfig

DEMO_DATABASE = "sqlite:///var/demo.sqlite"


def demo_sources(base_url: str) -> list[SourceConfig]:
    """Return the source configs of the demo feeds served at `base_url`."""
    return [SourceConfig(key=f"demo-{f.feed.replace('_', '-')}", name=f.title, kind=f.kind,
                         url=base_url + f.path, interval="1h", voice=f.voice, filter=f.filter,
                         channel=f.channel)
            for f in FEEDS]


def demo_settings(settings: Settings, base_url: str) -> Settings:
    """Return the settings with the configured sources replaced by the demo feeds."""
    new = dataclasses.replace(settings, sources=demo_sources(base_url))
    new.__dict__.pop("sources_by_key", None)
    return new
