"""calendar.toml: the campaign calendar. Each [[activity]] (a hackathon, a Digital Demo day, a
dialogue pavilion, a campaign …) names its days, target groups, keywords and core messages,
so that an expected spike is labelled as the activity's and each activity can be evaluated
(strategy section 5: activities for residents are evaluated continuously).

The file is optional: without it the calendar is empty.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from pulse.settings.common import Strict, unique_ids

KINDS = ("hackathon", "demo_day", "dialogue", "campaign", "event", "meetup", "other")


class Activity(Strict):
    """One [[activity]] of calendar.toml; `start` and `end` are local days, both included."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal[KINDS] = "other"  # type: ignore[valid-type]
    start: date
    end: date
    target_groups: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    messages: list[str] = Field(default_factory=list)
    channel: str | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Activity:
        if self.end < self.start:
            raise ValueError(f"`end` {self.end} is before `start` {self.start}")
        return self

    @property
    def days(self) -> int:
        """Return how many days the activity lasts (start and end included)."""
        return (self.end - self.start).days + 1

    def covers(self, day: date) -> bool:
        """Return True when `day` is one of the activity's days."""
        return self.start <= day <= self.end


class CalendarFile(Strict):
    """The whole of calendar.toml."""

    activity: list[Activity] = Field(default_factory=list)

    @field_validator("activity")
    @classmethod
    def _unique(cls, value: list[Activity]) -> list[Activity]:
        return unique_ids(value, "activity")


def check_calendar(calendar: CalendarFile, strategy, path, errors: list[str]) -> None:
    """Append `path: activity[n] (id).key: problem` for every id the strategy does not know."""
    known = {"target_groups": set(strategy.ids("target_group")),
             "keywords": set(strategy.ids("keyword")),
             "messages": set(strategy.ids("message"))}
    channels = set(strategy.ids("channel"))
    for n, activity in enumerate(calendar.activity):
        for key, ids in known.items():
            for ident in getattr(activity, key):
                if ident not in ids:
                    errors.append(f"{path}: activity[{n}] ({activity.id}).{key}: "
                                  f'"{ident}" is not an id of strategy.toml; use one of '
                                  f"{', '.join(sorted(ids))}")
        if activity.channel and channels and activity.channel not in channels:
            errors.append(f"{path}: activity[{n}] ({activity.id}).channel: "
                          f'"{activity.channel}" is not a channel of strategy.toml')
