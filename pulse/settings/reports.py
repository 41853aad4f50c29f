"""pulse.toml's report tables: [mail], [digest], [[alert]] and [[kpi]].

The SMTP user and password and the alert webhook's URL are secrets: they come from the
environment (PULSE_SMTP_USER, PULSE_SMTP_PASSWORD, PULSE_ALERT_WEBHOOK_URL), never from a
file, and are never logged.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Literal

from pydantic import Field, field_validator, model_validator

from pulse.settings.common import Labels, Strict, parse_interval, unique_ids

ID = r"^[a-z][a-z0-9_]{0,59}$"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


def _address(value: str) -> str:
    if not _ADDRESS.match(value):
        raise ValueError(f'"{value}" is not an e-mail address')
    return value


class MailSettings(Strict):
    """[mail]: the SMTP server digests and alerts are sent through."""

    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    sender: str = "pulse@localhost.localdomain"
    timeout: float = Field(default=30.0, gt=0)

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return _address(value)


class Recipient(Strict):
    """One digest recipient and the language the digest is written in for them."""

    address: str
    lang: Literal["sv", "en"] = "sv"

    @field_validator("address")
    @classmethod
    def _valid(cls, value: str) -> str:
        return _address(value)


class DigestSettings(Strict):
    """[digest]: who gets the weekly digest, and when (local time of [general] timezone)."""

    recipients: list[Recipient] = Field(default_factory=list)
    weekday: Literal[WEEKDAYS] = "monday"  # type: ignore[valid-type]
    time: str = "07:00"
    retry: str = "15m"  # a failed send is tried again this often, within the week

    @field_validator("time")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
            raise ValueError(f'"{value}" is not a time of day; write e.g. "07:00"')
        return value

    @field_validator("retry")
    @classmethod
    def _interval(cls, value: str) -> str:
        parse_interval(value)
        return value

    @property
    def clock(self) -> time:
        """Return the send time as a time of day."""
        hours, minutes = self.time.split(":")
        return time(int(hours), int(minutes))

    @property
    def weekday_index(self) -> int:
        """Return the send weekday, Monday = 0."""
        return WEEKDAYS.index(self.weekday)


ALERT_WHATS = ("volume", "negative_share")
CHANNELS = ("email", "webhook")


class AlertRule(Strict):
    """One [[alert]] rule: what is watched, how far above its baseline counts as a spike,
    where the alert goes and how long the rule stays quiet after one."""

    id: str = Field(pattern=ID)
    what: Literal[ALERT_WHATS]  # type: ignore[valid-type]
    # Scope: all third-party mentions, one keyword or topic, or each keyword/topic in turn.
    keyword: str | None = None
    topic: str | None = None
    per: Literal["keyword", "topic"] | None = None
    threshold: float = Field(default=3.0, gt=0)  # standard deviations above the baseline
    min_count: int = Field(default=8, ge=1)      # fewer stories in the window: never an alert
    min_rise: float = Field(default=0.15, ge=0)  # negative_share: at least this much above
    window: str = "24h"                          # the rolling window that is compared
    baseline_weeks: int = Field(default=8, ge=2, le=52)  # the same hours in that many weeks
    channel: list[Literal[CHANNELS]] = Field(default_factory=lambda: ["email"])  # type: ignore[valid-type]
    recipients: list[str] = Field(default_factory=list)  # default: the digest's recipients
    cooldown: str = "24h"

    @field_validator("window", "cooldown")
    @classmethod
    def _interval(cls, value: str) -> str:
        parse_interval(value)
        return value

    @field_validator("recipients")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        return [_address(v) for v in value]

    @model_validator(mode="after")
    def _one_scope(self) -> AlertRule:
        if sum(x is not None for x in (self.keyword, self.topic, self.per)) > 1:
            raise ValueError("give at most one of `keyword`, `topic` and `per`")
        if parse_interval(self.window) > 7 * 86400:
            raise ValueError("`window` is at most 7d: the baseline is the same hours of "
                             "earlier weeks")
        return self

    @property
    def window_seconds(self) -> int:
        """Return the window's length in seconds."""
        return parse_interval(self.window)

    @property
    def cooldown_seconds(self) -> int:
        """Return the cooldown in seconds."""
        return parse_interval(self.cooldown)


DEFAULT_ALERTS = (
    AlertRule(id="volume", what="volume", channel=["email", "webhook"]),
    AlertRule(id="negative_share", what="negative_share", channel=["email", "webhook"]),
)

KPI_METRICS = ("share_with", "net_sentiment", "share_negative", "share_of_voice",
               "responsiveness", "response_time", "volume")


class KpiFilter(Strict):
    """Which mentions a measurement point is measured over (ids of strategy.toml)."""

    voice: Literal["third_party", "own", "all"] = "third_party"
    keyword: str | None = None
    message: str | None = None
    topic: str | None = None
    audience: str | None = None
    intent: str | None = None
    city: str | None = None
    lang: str | None = None


class KpiConfig(Strict):
    """One [[kpi]]: a measurement point the city defines (strategy section 5), a metric over
    a filter, and a target with a direction.

    Metrics: `share_with` (share of the filtered stories carrying `tag`, "kind:id" or
    "kind:*" for any of a kind), `net_sentiment`, `share_negative`, `share_of_voice` (the
    home city's share among the benchmark cities), `responsiveness` (share of third-party
    questions and comments on the city's own channels that the city answered),
    `response_time` (median hours to that answer) and `volume` (stories a week)."""

    id: str = Field(pattern=ID)
    label: Labels
    metric: Literal[KPI_METRICS]  # type: ignore[valid-type]
    tag: str | None = None
    filter: KpiFilter = KpiFilter()
    target: float
    direction: Literal["at_least", "at_most"] = "at_least"

    @model_validator(mode="after")
    def _tag_for_share(self) -> KpiConfig:
        if self.metric == "share_with":
            if not self.tag or not re.match(r"^[a-z_]+:([a-z][a-z0-9_]*|\*)$", self.tag):
                raise ValueError('metric "share_with" needs `tag`, e.g. "message:*" or '
                                 '"keyword:open"')
        elif self.tag:
            raise ValueError(f'`tag` belongs to metric "share_with", not "{self.metric}"')
        return self

    @property
    def is_share(self) -> bool:
        """Return True when the metric is a share (shown in per cent)."""
        return self.metric not in ("response_time", "volume")


# The defaults name no strategy id (another city's strategy has other ids); measurement points
# about the strategy's own vocabulary are [[kpi]] tables in config/pulse.toml.
DEFAULT_KPIS = (
    KpiConfig(id="message_carried", metric="share_with", tag="message:*", target=0.25,
              label=Labels(sv="Andel tredjepartsomnämnanden som bär ett kärnbudskap",
                           en="Share of third-party mentions carrying a core message")),
    KpiConfig(id="responsiveness", metric="responsiveness", target=0.80,
              label=Labels(sv="Besvarade frågor och kommentarer i stadens kanaler",
                           en="Questions and comments answered on the city's channels")),
    KpiConfig(id="response_time", metric="response_time", target=24, direction="at_most",
              label=Labels(sv="Mediantid till stadens svar (timmar)",
                           en="Median time to the city's answer (hours)")),
)


def unique_rules(rules: list, what: str) -> list:
    """Return `rules` when their ids are unique (ValueError naming those used twice)."""
    return unique_ids(rules, what)


def check_report_ids(pulse_file, strategy, path, errors: list[str]) -> None:
    """Append `path: key: problem` for each strategy id an alert rule or a measurement point
    names that strategy.toml does not know."""
    known = {"keyword": set(strategy.ids("keyword")), "topic": set(strategy.ids("topic")),
             "message": set(strategy.ids("message")),
             "audience": set(strategy.ids("target_group")),
             "city": set(strategy.ids("benchmark_city"))}

    def check(where: str, kind: str, ident: str | None) -> None:
        if ident and ident != "*" and kind in known and ident not in known[kind]:
            errors.append(f'{path}: {where}: "{ident}" is not a {kind} id of strategy.toml; '
                          f"use one of {', '.join(sorted(known[kind]))}")

    for n, rule in enumerate(pulse_file.alert):
        check(f"alert[{n}] ({rule.id}).keyword", "keyword", rule.keyword)
        check(f"alert[{n}] ({rule.id}).topic", "topic", rule.topic)
    for n, kpi in enumerate(pulse_file.kpi):
        for kind in ("keyword", "message", "topic", "audience", "city"):
            check(f"kpi[{n}] ({kpi.id}).filter.{kind}", kind, getattr(kpi.filter, kind))
        if kpi.tag:
            kind, ident = kpi.tag.split(":")
            if kind not in known:
                errors.append(f'{path}: kpi[{n}] ({kpi.id}).tag: "{kind}" is not a tag kind; '
                              f"use one of {', '.join(sorted(known))}")
            check(f"kpi[{n}] ({kpi.id}).tag", kind, ident)
        if kpi.metric == "share_of_voice" and not strategy.home_city:
            errors.append(f"{path}: kpi[{n}] ({kpi.id}).metric: share_of_voice needs "
                          "[[benchmark_city]] entries with one `home = true` in strategy.toml")
