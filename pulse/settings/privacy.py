"""[privacy] of pulse.toml: who counts as a private person, and how long their posts are kept.

Authors who act in a public role keep their names: media, public bodies, organisations and
public figures, recognised by the lists and rules here (store.privacy applies them). Everyone
else is a private person, whose handle and name are stored only as a keyed hash. The key comes
from the environment (PULSE_PSEUDONYM_KEY), never from this file.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from pulse.settings.common import Strict

PUBLIC_CATEGORIES = ("media", "public_body", "organisation", "public_figure")


class PublicAuthors(Strict):
    """[privacy.public]: per category, handles (any platform; "user@host" for Mastodon) and
    domains (an entry with a dot also matches a handle ending in it, as Bluesky's domain
    handles: "kth.se" matches "kth.se" and "news.kth.se")."""

    media: list[str] = Field(default_factory=list)
    public_body: list[str] = Field(default_factory=list)
    organisation: list[str] = Field(default_factory=list)
    public_figure: list[str] = Field(default_factory=list)

    @field_validator("media", "public_body", "organisation", "public_figure")
    @classmethod
    def _normalised(cls, value: list[str]) -> list[str]:
        return [v.strip().lstrip("@").lower() for v in value if v.strip()]


class NameWords(Strict):
    """[privacy.name_words]: per category, words that in an author's display name mark an
    organisation ("AB", "kommun" …); matched as whole words, ignoring case."""

    media: list[str] = Field(default_factory=list)
    public_body: list[str] = Field(default_factory=list)
    organisation: list[str] = Field(default_factory=list)


class PrivacySettings(Strict):
    """[privacy]: retention of private persons' posts and the rules that tell who is one."""

    retention_days: int = Field(default=90, ge=1, le=3650)
    retention_time: str = Field(default="03:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    min_followers: int | None = Field(default=10_000, ge=1)  # None: followers never decide
    verified_is_public: bool = True
    public: PublicAuthors = PublicAuthors()
    name_words: NameWords = NameWords()
