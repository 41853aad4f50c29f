"""Language detection (sv / en / other) with lingua, limited to a few languages for memory."""

from __future__ import annotations

import re
from functools import cache

from lingua import Language, LanguageDetectorBuilder

_LANGS = {Language.SWEDISH: "sv", Language.ENGLISH: "en"}
# Neighbours that are confused with Swedish or English when left out; they map to "other".
_ALSO = (Language.DANISH, Language.BOKMAL, Language.GERMAN)
_NOISE = re.compile(r"https?://\S+|[@#]\w+|\s+")


@cache
def _detector():
    return (LanguageDetectorBuilder.from_languages(*_LANGS, *_ALSO)
            .with_preloaded_language_models().build())


def detect_language(text: str) -> str:
    """Return "sv", "en" or "other" for a text (URLs, mentions and hashtags are ignored)."""
    cleaned = _NOISE.sub(" ", text).strip()
    if len(cleaned) < 3:
        return "other"
    lang = _detector().detect_language_of(cleaned)
    return _LANGS.get(lang, "other")
