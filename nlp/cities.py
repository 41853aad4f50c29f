"""Benchmark cities named in a text: Stockholm's share of voice against other smart cities
(strategy section 5; the cities are `[[benchmark_city]]` in strategy.toml).

The rule, meant for counting which cities a media text is about:
- a name form matches in any case, and only where a word starts: never inside another word
  ("#smartsthlm" is not "Sthlm", "Storstockholm" is not counted; "Stor-Stockholm" is);
- it may go on with letters: endings and compounds count ("Stockholms", "Oslos",
  "Stockholmsregionen", "Köpenhamnsmodellen", "Singaporean"), as do "Stockholm's" and
  "Helsingfors'" (the apostrophe ends the word);
- a city's `exclude` drops words that start like a name but are not the city; an entry is a
  whole word, or a prefix when it ends in "*" ("wiener*": wienerbröd, wienerkorv).

All forms of all cities are one compiled regex, built once per city list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache


def _field(city, name: str, default=None):
    if isinstance(city, Mapping):
        return city.get(name, default)
    return getattr(city, name, default)


def _key(cities: Sequence) -> tuple:
    return tuple((_field(c, "id"), tuple(_field(c, "names") or ()),
                  tuple(_field(c, "exclude") or ())) for c in cities)


def _norm(form: str) -> str:
    return " ".join(form.casefold().split())


@dataclass(frozen=True)
class CityMatcher:
    """The compiled form of a benchmark city list."""

    pattern: re.Pattern
    owner: dict[str, str]                       # normalised name form -> city id
    exclude_words: dict[str, frozenset[str]]    # city id -> excluded whole words
    exclude_prefixes: dict[str, tuple[str, ...]]  # city id -> excluded word prefixes

    def find(self, text: str) -> list[dict]:
        """Return [{"id", "evidence"}] for the cities named in `text`, sorted by id; the
        evidence is each distinct word that matched, as written."""
        found: dict[str, dict[str, None]] = {}
        for match in self.pattern.finditer(text):
            city = self.owner.get(_norm(match.group(1)))
            if city is None:
                continue
            word = match.group(0)
            folded = word.casefold()
            if folded in self.exclude_words[city] or folded.startswith(
                    self.exclude_prefixes[city]):
                continue
            found.setdefault(city, {})[word] = None
        return [{"id": city, "evidence": list(words)} for city, words in sorted(found.items())]


@lru_cache(maxsize=16)
def _compile(key: tuple) -> CityMatcher:
    owner: dict[str, str] = {}
    words: dict[str, frozenset[str]] = {}
    prefixes: dict[str, tuple[str, ...]] = {}
    for ident, names, exclude in key:
        for name in names:
            owner.setdefault(_norm(name), ident)
        words[ident] = frozenset(e.casefold() for e in exclude if not e.endswith("*"))
        prefixes[ident] = tuple(e[:-1].casefold() for e in exclude if e.endswith("*"))
    forms = sorted(owner, key=len, reverse=True)  # longest first: "Stockholms" before "Stockholm"
    if not forms:
        return CityMatcher(re.compile(r"(?!)"), owner, words, prefixes)
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in form.split())
                            for form in forms)
    pattern = re.compile(rf"(?<!\w)({alternatives})[^\W\d_]*", re.IGNORECASE)
    return CityMatcher(pattern, owner, words, prefixes)


def city_matcher(cities: Sequence) -> CityMatcher:
    """Return the compiled matcher of `cities` (BenchmarkCity models or dicts with id, names
    and optional exclude); compiled once per distinct list."""
    return _compile(_key(cities))


def detect_cities(text: str, cities: Sequence) -> list[dict]:
    """Return [{"id", "evidence": [matched words]}] for the benchmark cities named in `text`,
    sorted by id. See the module docstring for the matching rule."""
    if not text or not cities:
        return []
    return city_matcher(cities).find(text)
