"""What every configuration file shares: strict models, labels, intervals, the error type."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

_INTERVAL = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(Exception):
    """Invalid configuration; the message lists each problem as `file: key: problem`."""


def parse_interval(text: str) -> int:
    """Return the number of seconds in an interval such as "15m", "1h" or "1d"."""
    match = _INTERVAL.match(text.strip())
    if not match:
        raise ValueError(f'"{text}" is not an interval; write e.g. "15m", "1h" or "1d"')
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


class Strict(BaseModel):
    """A config table: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Labels(Strict):
    """A display label in Swedish and English."""

    sv: str
    en: str


def unique_ids(entries: list, what: str) -> list:
    """Return `entries` when their ids are unique; raise ValueError naming the ones used twice."""
    ids = [e.id for e in entries]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValueError(f"ids used twice: {', '.join(twice)}")
    return entries
