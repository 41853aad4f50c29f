"""`pulse demo`: serve the sample feeds locally, collect and tag them, open the dashboard."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from pulse.demo.feeds import FEEDS
from pulse.settings import Settings, SourceConfig
from pulse.settings.calendar import Activity

DEMO_DATABASE = "sqlite:///var/demo.sqlite"
DEMO_CONFIG = Path("var") / "demo-config"
ZONE = ZoneInfo("Europe/Stockholm")


def demo_sources(base_url: str) -> list[SourceConfig]:
    """Return the source configs of the demo feeds served at `base_url`."""
    return [SourceConfig(key=f"demo-{f.feed.replace('_', '-')}", name=f.title, kind=f.kind,
                         url=base_url + f.path, interval="1h", voice=f.voice, filter=f.filter,
                         channel=f.channel)
            for f in FEEDS]


def demo_calendar(now: datetime | None = None) -> tuple[Activity, ...]:
    """Return the demo's campaign calendar (two SAMPLE activities), dated relative to `now`
    as the sample items are (pulse/demo/data/calendar.json)."""
    now = now or datetime.now(UTC)
    path = resources.files("pulse.demo") / "data" / "calendar.json"
    tz = ZONE

    def day(days_ago: float):
        return (now - timedelta(days=days_ago)).astimezone(tz).date()

    return tuple(Activity(**{k: v for k, v in a.items() if not k.endswith("_days_ago")},
                          start=day(a["start_days_ago"]), end=day(a["end_days_ago"]))
                 for a in json.loads(path.read_text(encoding="utf-8")))


def demo_settings(settings: Settings, base_url: str) -> Settings:
    """Return the settings with the configured sources replaced by the demo feeds and the
    demo's campaign calendar."""
    new = dataclasses.replace(settings, sources=demo_sources(base_url), calendar=demo_calendar())
    new.__dict__.pop("sources_by_key", None)
    return new


def write_demo_config(settings: Settings, folder: Path = DEMO_CONFIG) -> Path:
    """Write a config folder for the demo database: the shipped pulse.toml and strategy.toml,
    the demo's sources and its calendar with real dates, so that `pulse digest`, `pulse
    report` and the dashboard read the demo as the demo saw it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("pulse.toml", "strategy.toml"):
        (folder / name).write_text((settings.config_dir / name).read_text(encoding="utf-8"),
                                   encoding="utf-8")
    lines = ["# The demo's feeds (SAMPLE DATA), written by `pulse demo`.\n"]
    for s in settings.sources:
        lines.append(f'[[source]]\nkey = "{s.key}"\nname = {json.dumps(s.name)}\n'
                     f'kind = "{s.kind}"\nurl = "{s.url}"\nvoice = "{s.voice}"\n'
                     + (f"filter = {json.dumps(s.filter)}\n" if s.filter else "")
                     + (f'channel = "{s.channel}"\n' if s.channel else "") + "\n")
    (folder / "sources.toml").write_text("".join(lines), encoding="utf-8")
    cal = ["# The demo's campaign calendar (SAMPLE DATA), written by `pulse demo`.\n"]
    for a in settings.calendar:
        cal.append(f'[[activity]]\nid = "{a.id}"\nname = {json.dumps(a.name, ensure_ascii=False)}'
                   f'\nkind = "{a.kind}"\nstart = {a.start.isoformat()}\n'
                   f"end = {a.end.isoformat()}\ntarget_groups = {json.dumps(a.target_groups)}\n"
                   f"keywords = {json.dumps(a.keywords)}\nmessages = {json.dumps(a.messages)}\n"
                   + (f'channel = "{a.channel}"\n' if a.channel else "")
                   + (f"description = {json.dumps(a.description, ensure_ascii=False)}\n"
                      if a.description else "") + "\n")
    (folder / "calendar.toml").write_text("".join(cal), encoding="utf-8")
    return folder
