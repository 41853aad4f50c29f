"""Target groups by rule: the strategy's cues (strategy.toml `[[target_group]] cues` and
`domains`) found in the text, the author's name and bio, or the URL's host.

The rules are the fallback and a feature of the learned tagger (nlp.classify): a group is only
given when something shows it, and several may be. Nothing found means "unclear" — never a
default group (docs/labelling.md).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from nlp.vocabulary import Hit

_WORD = re.compile(r"[\wåäöéü]+", re.IGNORECASE)


def _profile_matches(cue: str, words: set[str], profile: str) -> bool:
    cue = cue.strip().strip('"').lower()
    if not cue:
        return False
    if cue.endswith("*"):
        return any(w.startswith(cue[:-1]) for w in words)
    return cue in words if " " not in cue else f" {cue} " in f" {profile} "


def rule_audiences(groups, text_hits: list[Hit], author: str | None,
                   description: str | None, url: str | None) -> list[dict]:
    """Return [{"id", "score", "evidence"}] for every group the cues show, by id."""
    found: dict[str, list[str]] = {}
    for hit in text_hits:  # entries "g:<group id>" of the tagger's term matcher
        found.setdefault(hit.entry[2:], [])
        if hit.evidence not in found[hit.entry[2:]]:
            found[hit.entry[2:]].append(hit.evidence)
    profile = " ".join(p for p in (author, description) if p).lower()
    words = set(_WORD.findall(profile))
    host = (urlsplit(url).hostname or "").lower() if url else ""
    for group in groups:
        for cue in group.cues:
            if profile and _profile_matches(cue, words, profile):
                found.setdefault(group.id, []).append(cue.strip('"').rstrip("*"))
                break
        for domain in group.domains:
            d = domain.lower().strip(".")
            if host and (host == d or host.endswith("." + d)):
                found.setdefault(group.id, []).append(host)
                break
    order = [g.id for g in groups]
    return [{"id": g, "score": round(min(1.0, 0.5 + 0.15 * len(ev)), 2), "evidence": ev}
            for g, ev in sorted(found.items(), key=lambda kv: order.index(kv[0]))
            if g in order]
