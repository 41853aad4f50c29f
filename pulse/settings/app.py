"""pulse.toml: how this installation runs (time zone, UI language, HTTP manners, tagging,
dashboard). Secrets never go here: they come from the environment."""

from __future__ import annotations

import ipaddress
import re
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


ROLES = ("viewer", "analyst", "admin")  # each may do what the one before it may, and more
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_EMAIL = re.compile(r"^[^@\s*]+@[^@\s*]+\.[^@\s*]+$")
_DOMAIN = re.compile(r"^\*@[^@\s*]+\.[^@\s*]+$")


class RoleSettings(Strict):
    """[dashboard.roles]: who gets which role once logged in. Each entry is an e-mail
    ("anna.andersson@stockholm.se"), every address of a domain ("*@stockholm.se") or a group
    of the identity provider's group claim ("group:pulse-analytiker")."""

    admin: list[str] = Field(default_factory=list)
    analyst: list[str] = Field(default_factory=list)
    viewer: list[str] = Field(default_factory=list)

    @field_validator("admin", "analyst", "viewer")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for entry in value:
            if entry.startswith("group:"):
                if not entry[len("group:"):].strip():
                    raise ValueError(f'"{entry}" names no group; write e.g. "group:pulse"')
            elif not (_EMAIL.match(entry) or _DOMAIN.match(entry)):
                raise ValueError(f'"{entry}" is not an e-mail, "*@domain" or "group:NAME"')
        return [e if e.startswith("group:") else e.lower() for e in value]

    def role_of(self, email: str | None, groups: list[str] | tuple[str, ...] = ()) -> str | None:
        """Return the highest role whose entries match the user's e-mail (exactly or by
        domain, case-insensitive) or one of their groups; None when none matches."""
        address = (email or "").strip().lower()
        domain = address.rpartition("@")[2] if "@" in address else None
        member = {f"group:{g}" for g in groups}
        for role in reversed(ROLES):
            for entry in getattr(self, role):
                if entry in member or (address and entry == address) or (
                        domain and entry == f"*@{domain}"):
                    return role
        return None


class DashboardSettings(Strict):
    """[dashboard]: where the dashboard listens, whether it asks for a login and who may do
    what. The identity provider's client settings are secrets: they live only in Streamlit's
    secrets file ([auth]), never here."""

    port: int = Field(default=8501, ge=1, le=65535)
    address: str = "127.0.0.1"
    login: Literal["none", "oidc"] = "none"
    local_role: Literal["viewer", "analyst", "admin"] = "analyst"  # without login
    groups_claim: str = Field(default="groups", min_length=1)
    roles: RoleSettings = RoleSettings()

    @property
    def local_only(self) -> bool:
        """Return whether the dashboard listens on this machine only (a loopback address)."""
        return is_loopback(self.address)


def is_loopback(address: str | None) -> bool:
    """Return whether a bind address is this machine only (127.0.0.0/8, ::1, localhost); an
    empty address means every interface."""
    if not address:
        return False
    if address.strip().lower() in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False


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
