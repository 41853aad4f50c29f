"""strategy.toml: the communication strategy's vocabulary. Another city's strategy is another
file: no id is fixed in code, only checked for consistency (unique, referred to correctly)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from nlp.labels import INTENT_IDS
from pulse.settings.common import Labels, Strict, unique_ids

ID_PATTERN = r"^[a-z][a-z0-9_]{0,59}$"


class VocabularyEntry(Strict):
    """A keyword: its terms per language (lemmas, "phrases", prefix*) and look-alikes."""

    id: str = Field(pattern=ID_PATTERN)
    label: Labels
    sv: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


class TopicEntry(Strict):
    """A topic of the taxonomy and the terms that show it (both languages in one list)."""

    id: str = Field(pattern=ID_PATTERN)
    label: Labels
    terms: list[str] = Field(min_length=1)
    exclude: list[str] = Field(default_factory=list)


class MessageEntry(Strict):
    """A core message: rules, each a list of cue groups that must all occur in one sentence."""

    id: str = Field(pattern=ID_PATTERN)
    label: Labels
    rules: list[list[str]] = Field(min_length=1)
    # Sentences that carry the message in other words: the semantic matcher's examples.
    examples: list[str] = Field(default_factory=list)


class LabelledId(Strict):
    """An id with its display labels (voice, channel)."""

    id: str = Field(pattern=ID_PATTERN)
    label: Labels


class Signal(Strict):
    """A target group's behaviour goal as something the tagger finds: an intent, a core
    message or a topic id (checked against this strategy's ids)."""

    kind: Literal["intent", "message", "topic"]
    value: str
    label: Labels

    @model_validator(mode="after")
    def _known_intent(self) -> Signal:
        # Intents are Pulse's own; messages and topics are checked by StrategyFile.
        if self.kind == "intent" and self.value not in INTENT_IDS:
            raise ValueError(f'unknown intent "{self.value}"; use one of '
                             f"{', '.join(INTENT_IDS)}")
        return self


class TargetGroupEntry(LabelledId):
    """A target group; `cues` are terms (keyword syntax) that show the group in a text or an
    author's name and bio, `domains` hosts (by suffix) whose pages speak from the group."""

    signal: Signal | None = None
    cues: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)


class BenchmarkCity(Strict):
    """A city whose share of voice is compared with the home city's (strategy section 5)."""

    id: str = Field(pattern=ID_PATTERN)
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


class VoiceConfig(Strict):
    """The city's own web estate and accounts: what publishes in its own voice.

    `own_domains` match by host suffix (stockholm.se covers start.stockholm.se); `own_tlds`
    are whole top-level domains of the city's (every host under .stockholm)."""

    own_domains: list[str] = Field(default_factory=list)
    own_tlds: list[str] = Field(default_factory=list)
    own_urls: list[str] = Field(default_factory=list)  # host + path prefixes
    own_accounts: list[str] = Field(default_factory=list)
    own_names: list[str] = Field(default_factory=list)


class StrategyFile(Strict):
    """The whole of strategy.toml."""

    voice: VoiceConfig = VoiceConfig()
    keyword: list[VocabularyEntry] = Field(min_length=1)
    message: list[MessageEntry] = Field(default_factory=list)
    target_group: list[TargetGroupEntry] = Field(default_factory=list)
    topic: list[TopicEntry] = Field(default_factory=list)
    voice_label: list[LabelledId] = Field(default_factory=list)
    channel: list[LabelledId] = Field(default_factory=list)
    actors: list[str] = Field(default_factory=list)
    benchmark_city: list[BenchmarkCity] = Field(default_factory=list)

    @field_validator("keyword", "message", "target_group", "topic", "voice_label", "channel")
    @classmethod
    def _unique(cls, value: list, info) -> list:
        return unique_ids(value, info.field_name)

    @field_validator("benchmark_city")
    @classmethod
    def _one_home_city(cls, value: list[BenchmarkCity]) -> list[BenchmarkCity]:
        if not value:
            return value
        unique_ids(value, "benchmark_city")
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

    @model_validator(mode="after")
    def _signals_exist(self) -> StrategyFile:
        known = {"message": set(self.ids("message")), "topic": set(self.ids("topic"))}
        for group in self.target_group:
            signal = group.signal
            if signal is not None and signal.kind in known and \
                    signal.value not in known[signal.kind]:
                raise ValueError(
                    f'target group "{group.id}": signal {signal.kind} "{signal.value}" is not '
                    f"one of this strategy's: {', '.join(sorted(known[signal.kind]))}")
        return self

    def ids(self, kind: str) -> list[str]:
        """Return the ids of a kind (keyword, message, target_group/audience, topic, channel,
        benchmark_city/city), in the file's order."""
        return [entry.id for entry in self._entries(kind)]

    def _entries(self, kind: str) -> list:
        kind = {"audience": "target_group", "city": "benchmark_city"}.get(kind, kind)
        return {"keyword": self.keyword, "message": self.message,
                "target_group": self.target_group, "voice": self.voice_label,
                "channel": self.channel, "topic": self.topic,
                "benchmark_city": self.benchmark_city}[kind]

    @property
    def home_city(self) -> BenchmarkCity | None:
        """Return the benchmark city marked `home` (Stockholm), or None without benchmarks."""
        return next((c for c in self.benchmark_city if c.home), None)

    def label(self, kind: str, ident: str, lang: str) -> str:
        """Return the display label of an id (keyword, message, target_group, voice,
        channel, topic, benchmark_city); the id itself when it is not in this strategy."""
        for entry in self._entries(kind):
            if entry.id == ident:
                return getattr(entry.label, lang)
        return ident
