"""Reading the three TOML files of a config folder and checking them against each other.

Every problem is reported as `file: key: problem`, all of them at once, so a user can fix a
config in one go.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ValidationError

from pulse.settings.app import PulseFile
from pulse.settings.calendar import Activity, CalendarFile, check_calendar
from pulse.settings.common import ConfigError
from pulse.settings.reports import check_report_ids
from pulse.settings.sources import SourceConfig, SourcesFile
from pulse.settings.strategy import StrategyFile

PACKAGE_CONFIG = Path(__file__).resolve().parent.parent.parent / "config"


def default_config_dir() -> Path:
    """Return PULSE_CONFIG_DIR, ./config when it exists, or the config/ shipped with Pulse."""
    env = os.environ.get("PULSE_CONFIG_DIR")
    if env:
        return Path(env)
    local = Path.cwd() / "config"
    if (local / "strategy.toml").exists():
        return local
    return PACKAGE_CONFIG


def _format_errors(path: Path, error: ValidationError, data: dict) -> list[str]:
    lines = []
    for err in error.errors():
        parts: list[str] = []
        node = data
        for loc in err["loc"]:
            if isinstance(loc, int) and isinstance(node, list) and loc < len(node):
                item = node[loc]
                name = item.get("key") or item.get("id") if isinstance(item, dict) else None
                parts[-1] = f"{parts[-1]}[{loc}]" + (f" ({name})" if name else "")
                node = item
            else:
                parts.append(str(loc))
                node = node.get(loc, {}) if isinstance(node, dict) else {}
        key = ".".join(parts) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{path}: {key}: {msg}")
    return lines


def _load(path: Path, model: type[BaseModel], errors: list[str]):
    if not path.exists():
        errors.append(f"{path}: (file): missing; copy it from Pulse's config/ folder")
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        errors.append(f"{path}: (syntax): {exc}")
        return None
    except UnicodeDecodeError:
        errors.append(f"{path}: (encoding): the file is not UTF-8")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors.extend(_format_errors(path, exc, data))
        return None


@dataclass(frozen=True)
class Settings:
    """All configuration of one Pulse process."""

    config_dir: Path
    pulse: PulseFile
    strategy: StrategyFile
    sources: list[SourceConfig]
    calendar: tuple[Activity, ...] = ()

    @cached_property
    def sources_by_key(self) -> dict[str, SourceConfig]:
        """Return the configured sources by key."""
        return {s.key: s for s in self.sources}

    @property
    def user_agent(self) -> str:
        """Return the User-Agent sent with every request, naming Pulse and a contact."""
        from pulse import __version__

        return (f"Pulse/{__version__} (City of Stockholm media monitoring; "
                f"+mailto:{self.pulse.http.contact})")


def _check_channels(directory: Path, strategy: StrategyFile, sources: SourcesFile,
                    errors: list[str]) -> None:
    known = strategy.ids("channel")
    if not known:
        return
    for n, src in enumerate(sources.source):
        if src.effective_channel not in known:
            how = "" if src.channel else " (derived from kind and voice; set `channel`)"
            errors.append(f"{directory / 'sources.toml'}: source[{n}] ({src.key}).channel: "
                          f'"{src.effective_channel}"{how} is not a channel of '
                          f"strategy.toml; use one of {', '.join(known)}")


def load_settings(config_dir: Path | str | None = None) -> Settings:
    """Load and validate pulse.toml, strategy.toml and sources.toml; raise ConfigError if bad."""
    directory = Path(config_dir) if config_dir else default_config_dir()
    errors: list[str] = []
    if not directory.is_dir():
        raise ConfigError(
            f"{directory}: (folder): not found; set PULSE_CONFIG_DIR to a config folder")
    pulse_file = _load(directory / "pulse.toml", PulseFile, errors)
    strategy = _load(directory / "strategy.toml", StrategyFile, errors)
    sources = _load(directory / "sources.toml", SourcesFile, errors)
    if strategy is not None and sources is not None:
        _check_channels(directory, strategy, sources, errors)
    calendar = CalendarFile()
    if (directory / "calendar.toml").exists():  # optional: no file, no activities
        calendar = _load(directory / "calendar.toml", CalendarFile, errors) or calendar
    if strategy is not None:
        check_calendar(calendar, strategy, directory / "calendar.toml", errors)
        if pulse_file is not None:
            check_report_ids(pulse_file, strategy, directory / "pulse.toml", errors)
    if errors:
        raise ConfigError("Invalid configuration:\n  " + "\n  ".join(errors))
    return Settings(directory, pulse_file, strategy, list(sources.source),
                    tuple(calendar.activity))
