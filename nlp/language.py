"""Language detection (sv / en / other) with lingua, limited to a few languages for memory."""

from __future__ import annotations

import re
from functools import cache

from lingua import Language, LanguageDetectorBuilder

_LANGS = {Language.SWEDISH: "sv", Language.ENGLISH: "en"}
# Neighbours that are confused with Swedish or English when left out; they map to "other".
_ALSO = (Language.DANISH, Language.BOKMAL, Language.GERMAN, Language.FINNISH)
_NOISE = re.compile(r"https?://\S+|[@#]\w+|\s+")


@cache
def _detector():
    # Low-accuracy mode uses trigram models only: ~15 MB instead of ~180 MB resident, and on
    # the gold set it is as accurate (most texts are decided by function words before this).
    return (LanguageDetectorBuilder.from_languages(*_LANGS, *_ALSO)
            .with_low_accuracy_mode().build())


# Function words that (almost) never occur in the other language: when a text has several of
# one list and none of the other, it is decided without lingua (most mentions are).
_SV_ONLY = frozenset("och att det som är inte för med har jag på av den till ett om vi kan "
                     "så men från eller när också skulle där nu efter hur vad vill måste "
                     "mycket bara sina sin sitt våra vår hade blir varit".split())
_EN_ONLY = frozenset("the and that is for with have this not are was from they you will "
                     "would which their been has there what about when can more also than "
                     "into just should could our its".split())
# Danish and Norwegian share many Swedish function words; these tell them apart.
_NORDIC_OTHER = frozenset("ikke og af jeg mig hvad hvor meget være været kun også ble "
                          "bliver blir fordi nå hun ham".split())
_WORDS = re.compile(r"[a-zåäöæøéü']+")


def _quick_guess(cleaned: str) -> str | None:
    lowered = cleaned.lower()
    if "æ" in lowered or "ø" in lowered:
        return None  # Danish or Norwegian: let lingua decide
    words = _WORDS.findall(lowered)
    sv = sum(w in _SV_ONLY for w in words)
    en = sum(w in _EN_ONLY for w in words)
    if any(w in _NORDIC_OTHER for w in words):
        return None
    if sv >= 2 and en == 0:
        return "sv"
    if en >= 2 and sv == 0:
        return "en"
    return None


def detect_language(text: str) -> str:
    """Return "sv", "en" or "other" for a text (URLs, mentions and hashtags are ignored)."""
    cleaned = _NOISE.sub(" ", text).strip()
    if len(cleaned) < 3:
        return "other"
    quick = _quick_guess(cleaned)
    if quick:
        return quick
    lang = _detector().detect_language_of(cleaned)
    return _LANGS.get(lang, "other")
