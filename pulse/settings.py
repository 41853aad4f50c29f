"""Configuration: the TOML files in config/ (or PULSE_CONFIG_DIR), validated at start.

Every problem is reported as `file: key: problem`, all of them at once, so a user can fix
a config in one go.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

KEYWORD_IDS = (
    "innovative", "open", "connected", "climate_smart",
    "sustainable", "accessible", "transparent", "safe_secure",
)
MESSAGE_IDS = (
    "smartest_2040", "together", "ever_smarter",
    "digital_efficiency", "innovation_region", "digital_hub",
)
TARGET_GROUP_IDS = ("residents", "business", "academia", "public_sector", "cities_world")
VOICE_IDS = ("own", "third_party")
TOPIC_IDS = (
    "mobility", "energy_climate", "connectivity", "open_data", "e_services", "health_care",
    "education", "safety_surveillance", "privacy", "innovation_business", "research",
    "housing_planning", "democracy_dialogue", "digital_inclusion", "it_failures_costs",
    "rankings",
)
INTENT_IDS = ("inform", "praise", "criticism", "question", "idea_need")
CHANNEL_IDS = ("own_web", "own_blog", "own_x", "media", "social")
SIGNAL_IDS = {"intent": INTENT_IDS, "message": MESSAGE_IDS, "topic": TOPIC_IDS}
CANONICAL_IDS = {"keyword": KEYWORD_IDS, "message": MESSAGE_IDS,
                 "target_group": TARGET_GROUP_IDS, "topic": TOPIC_IDS}
SOURCE_KINDS = ("feed", "wordpress_comments", "wordpress_api", "x_user", "x_search",
                "mastodon_tag", "mastodon_account")

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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Labels(_Strict):
    sv: str
    en: str


def source_channel(kind: str, voice: str | None, channel: str | None = None) -> str:
    """Return the channel a source publishes in: `channel` when set, else derived from the
    kind and voice (X: own_x for the city's account, else social; Mastodon: social; WordPress
    comments and API: own_blog; feeds: own_web for the city's own, else media)."""
    if channel:
        return channel
    if kind.startswith("x_"):
        return "own_x" if voice == "own" else "social"
    if kind.startswith("mastodon"):
        return "social"
    if kind.startswith("wordpress"):
        return "own_blog"
    return "own_web" if voice == "own" else "media"


class SourceConfig(_Strict):
    """One [[source]] table of sources.toml."""

    key: str = Field(pattern=r"^[A-Za-z0-9_-]{1,100}$")
    kind: Literal["feed", "wordpress_comments", "wordpress_api", "x_user", "x_search",
                  "mastodon_tag", "mastodon_account"]
    url: str | None = None          # feed URL; site URL for wordpress_api; instance for mastodon
    username: str | None = None     # x_user: the account; mastodon_account: user@instance or user
    query: str | None = None        # x_search: the recent-search query
    tag: str | None = None          # mastodon_tag: the hashtag, without #
    api_base_url: str | None = None  # X: another API host (tests, proxies); default api.x.com
    max_pages: int = Field(default=5, ge=1, le=100)  # a run never follows more pages than this
    full_text: bool = False         # feeds: fetch the article when the feed has only a summary
    interval: str = "1h"
    voice: Literal["own", "third_party"] = "third_party"
    filter: str | None = None
    enabled: bool = True
    max_items: int = Field(default=500, ge=1)
    channel: str | None = None      # one of CHANNEL_IDS; None: derived (see source_channel)

    @field_validator("channel")
    @classmethod
    def _known_channel(cls, value: str | None) -> str | None:
        if value is not None and value not in CHANNEL_IDS:
            raise ValueError(f'"{value}" is not a channel; use one of {", ".join(CHANNEL_IDS)}')
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

    @model_validator(mode="after")
    def _needs_target(self) -> SourceConfig:
        needed = {"feed": "url", "wordpress_comments": "url", "wordpress_api": "url",
                  "x_user": "username", "x_search": "query", "mastodon_tag": "tag",
                  "mastodon_account": "username"}[self.kind]
        if self.kind.startswith("mastodon") and not self.url:
            raise ValueError(f'kind "{self.kind}" needs `url` (the instance, e.g. '
                             '"https://mastodon.social")')
        if not getattr(self, needed):
            raise ValueError(f'kind "{self.kind}" needs `{needed}`')
        return self

    @property
    def effective_channel(self) -> str:
        """Return the explicit channel, or the one derived from kind and voice."""
        return source_channel(self.kind, self.voice, self.channel)

    @property
    def interval_seconds(self) -> int:
        """Return the collect interval in seconds."""
        return parse_interval(self.interval)


class SourcesFile(_Strict):
    source: list[SourceConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_keys(self) -> SourcesFile:
        seen: set[str] = set()
        for src in self.source:
            if src.key in seen:
                raise ValueError(f'source key "{src.key}" is used twice')
            seen.add(src.key)
        return self


class VocabularyEntry(_Strict):
    id: str
    label: Labels
    sv: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


class TopicEntry(_Strict):
    id: str
    label: Labels
    terms: list[str] = Field(min_length=1)
    exclude: list[str] = Field(default_factory=list)


class MessageEntry(_Strict):
    id: str
    label: Labels
    rules: list[list[str]] = Field(min_length=1)


class LabelledId(_Strict):
    id: str
    label: Labels


class Signal(_Strict):
    """A target group's behaviour goal as something the tagger finds: an intent, a core
    message or a topic id."""

    kind: Literal["intent", "message", "topic"]
    value: str
    label: Labels

    @model_validator(mode="after")
    def _known_value(self) -> Signal:
        ids = SIGNAL_IDS[self.kind]
        if self.value not in ids:
            raise ValueError(f'unknown {self.kind} "{self.value}"; use one of {", ".join(ids)}')
        return self


class TargetGroupEntry(LabelledId):
    signal: Signal | None = None


class BenchmarkCity(_Strict):
    """A city whose share of voice is compared with Stockholm's (strategy section 5)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    label: Labels
    names: list[str] = Field(min_length=1)  # the forms a text uses; see nlp.cities
    exclude: list[str] = Field(default_factory=list)  # words that start like a name but are not it
    home: bool = False

    @field_validator("names", "exclude")
    @classmethod
    def _clean_forms(cls, value: list[str]) -> list[str]:
        for form in value:
            if not form.strip() or form != form.strip():
                raise ValueError(f'"{form}" is empty or has spaces at an end')
        return value


class VoiceConfig(_Strict):
    own_domains: list[str] = Field(default_factory=list)
    own_accounts: list[str] = Field(default_factory=list)
    own_names: list[str] = Field(default_factory=list)


def _check_ids(entries: list, expected: tuple[str, ...], what: str) -> None:
    got = [e.id for e in entries]
    missing = [i for i in expected if i not in got]
    unknown = [i for i in got if i not in expected]
    if missing or unknown or len(set(got)) != len(got):
        raise ValueError(
            f"{what} ids must be exactly {', '.join(expected)}"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )


class StrategyFile(_Strict):
    voice: VoiceConfig = VoiceConfig()
    keyword: list[VocabularyEntry]
    message: list[MessageEntry]
    target_group: list[TargetGroupEntry]
    topic: list[TopicEntry]
    voice_label: list[LabelledId] = Field(default_factory=list)
    channel: list[LabelledId] = Field(default_factory=list)
    actors: list[str] = Field(default_factory=list)
    benchmark_city: list[BenchmarkCity] = Field(default_factory=list)

    @field_validator("keyword", "message", "target_group", "topic")
    @classmethod
    def _canonical_ids(cls, value: list, info: ValidationInfo) -> list:
        _check_ids(value, CANONICAL_IDS[info.field_name], info.field_name)
        return value

    @field_validator("benchmark_city")
    @classmethod
    def _one_home_city(cls, value: list[BenchmarkCity]) -> list[BenchmarkCity]:
        if not value:
            return value
        ids = [c.id for c in value]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"ids used twice: {', '.join(twice)}")
        homes = [c.id for c in value if c.home]
        if len(homes) != 1:
            raise ValueError("exactly one city must have `home = true`, found "
                             + (", ".join(homes) if homes else "none"))
        owner: dict[str, str] = {}
        for city in value:
            for form in city.names:
                other = owner.setdefault(form.casefold(), city.id)
                if other != city.id:
                    raise ValueError(f'name "{form}" is given to both {other} and {city.id}')
        return value

    @property
    def home_city(self) -> BenchmarkCity | None:
        """Return the benchmark city marked `home` (Stockholm), or None without benchmarks."""
        return next((c for c in self.benchmark_city if c.home), None)

    def label(self, kind: str, ident: str, lang: str) -> str:
        """Return the display label of an id (keyword, message, target_group, voice,
        channel, topic, benchmark_city)."""
        entries = {"keyword": self.keyword, "message": self.message,
                   "target_group": self.target_group, "voice": self.voice_label,
                   "channel": self.channel, "topic": self.topic,
                   "benchmark_city": self.benchmark_city}[kind]
        for entry in entries:
            if entry.id == ident:
                return getattr(entry.label, lang)
        return ident


class GeneralSettings(_Strict):
    timezone: str = "Europe/Stockholm"
    language: Literal["sv", "en"] = "sv"


class HttpSettings(_Strict):
    contact: str = "smartstad@stockholm.se"
    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0)
    max_bytes: int = Field(default=10_000_000, gt=1000)


class TaggingSettings(_Strict):
    interval_seconds: int = Field(default=60, ge=5)
    batch_size: int = Field(default=500, ge=1)


class DashboardSettings(_Strict):
    port: int = Field(default=8501, ge=1, le=65535)
    address: str = "127.0.0.1"


class PulseFile(_Strict):
    general: GeneralSettings = GeneralSettings()
    http: HttpSettings = HttpSettings()
    tagging: TaggingSettings = TaggingSettings()
    dashboard: DashboardSettings = DashboardSettings()


def default_config_dir() -> Path:
    """Return PULSE_CONFIG_DIR, ./config when it exists, or the config/ shipped with Pulse."""
    env = os.environ.get("PULSE_CONFIG_DIR")
    if env:
        return Path(env)
    local = Path.cwd() / "config"
    if (local / "strategy.toml").exists():
        return local
    return Path(__file__).resolve().parent.parent / "config"


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
    if strategy is not None and sources is not None and strategy.channel:
        known = [c.id for c in strategy.channel]
        for n, src in enumerate(sources.source):
            if src.effective_channel not in known:
                how = "" if src.channel else " (derived from kind and voice; set `channel`)"
                errors.append(f"{directory / 'sources.toml'}: source[{n}] ({src.key}).channel: "
                              f'"{src.effective_channel}"{how} is not a channel of '
                              f"strategy.toml; use one of {', '.join(known)}")
    if errors:
        raise ConfigError("Invalid configuration:\n  " + "\n  ".join(errors))
    return Settings(directory, pulse_file, strategy, list(sources.source))
