"""pulse.toml: how this installation runs (time zone, UI language, HTTP manners, tagging,
dashboard). Secrets never go here: they come from the environment."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from pulse.settings.common import Strict
from pulse.settings.privacy import PrivacySettings
from pulse.settings.reports import (
    DEFAULT_ALERTS,
    DEFAULT_KPIS,
    AlertRule,
    DigestSettings,
    KpiConfig,
    MailSettings,
    unique_rules,
)


class GeneralSettings(Strict):
    """[general]: the zone weeks and days are counted in, and the default language."""

    timezone: str = "Europe/Stockholm"
    language: Literal["sv", "en"] = "sv"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f'"{value}" is not a time zone; write e.g. "Europe/Stockholm"') \
                from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """Return the configured time zone."""
        return ZoneInfo(self.timezone)


class HttpSettings(Strict):
    """[http]: the manners every fetch shares."""

    contact: str = "smartstad@stockholm.se"
    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0)
    max_bytes: int = Field(default=10_000_000, gt=1000)


class TaggingSettings(Strict):
    """[tagging]: how often and in what batches `pulse run` tags."""

    interval_seconds: int = Field(default=60, ge=5)
    batch_size: int = Field(default=500, ge=1)


class DashboardSettings(Strict):
    """[dashboard]: where the dashboard listens."""

    port: int = Field(default=8501, ge=1, le=65535)
    address: str = "127.0.0.1"


class PulseFile(Strict):
    """The whole of pulse.toml."""

    general: GeneralSettings = GeneralSettings()
    http: HttpSettings = HttpSettings()
    tagging: TaggingSettings = TaggingSettings()
    dashboard: DashboardSettings = DashboardSettings()
    mail: MailSettings = MailSettings()
    digest: DigestSettings = DigestSettings()
    privacy: PrivacySettings = PrivacySettings()
    alert: list[AlertRule] = Field(default_factory=list)  # none: reports.alerts' defaults
    kpi: list[KpiConfig] = Field(default_factory=list)    # none: the default measurement points

    @field_validator("alert", "kpi")
    @classmethod
    def _unique_rules(cls, value: list, info) -> list:
        return unique_rules(value, info.field_name)

    @property
    def alert_rules(self) -> tuple[AlertRule, ...]:
        """Return the configured alert rules, or the defaults (overall third-party volume and
        negative share) when pulse.toml has none."""
        return tuple(self.alert) or DEFAULT_ALERTS

    @property
    def kpis(self) -> tuple[KpiConfig, ...]:
        """Return the configured measurement points, or the defaults when pulse.toml has
        none."""
        return tuple(self.kpi) or DEFAULT_KPIS
