"""Target group of a mention's author: residents, business, academia, public_sector or
cities_world — from author metadata (name, bio), the URL's domain and cues in the text.

The city's own voice is a public actor (public_sector). Without any cue the author is taken
to be a resident, the largest group, with a low score.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_BIO_CUES: dict[str, re.Pattern] = {
    "academia": re.compile(
        r"\b(forskare|forskar\w*|professor|doktorand|phd|postdoc|researcher|research\w*|"
        r"universit\w*|högskola|kth|stockholms universitet|karolinska|lektor|lecturer|"
        r"academic|akademi|institut\w*|rise|scientist)\b", re.IGNORECASE),
    "business": re.compile(
        r"\b(vd|ceo|cto|founder|grundare|medgrundare|co-founder|startup\w*|start-up|företag\w*|"
        r"bolag\w*|entreprenör\w*|entrepreneur\w*|investor|investerare|affärs\w*|business\w*|"
        r"consultant|konsult\w*|näringsliv\w*|company|ab|inc|ltd|gmbh|sales|marketing)\b",
        re.IGNORECASE),
    "public_sector": re.compile(
        r"\b(kommun\w*|region\w*|myndighet\w*|skr|förvaltning\w*|politiker|kommunalråd|"
        r"borgarråd|tjänsteman|tjänstemän|nämnd\w*|riksdag\w*|regering\w*|government|"
        r"municipal\w*|agency|ministry|departement\w*|stadsdel\w*|"
        r"storsthlm|länsstyrelse\w*|digg|myndigheten)\b", re.IGNORECASE),
}
_OTHER_CITIES = re.compile(
    r"\b(helsinki|helsingfors|köpenhamn|copenhagen|københavn|oslo|amsterdam|barcelona|wien|"
    r"vienna|singapore|tallinn|berlin|hamburg|munich|münchen|paris|london|rotterdam|"
    r"utrecht|aarhus|espoo|tampere|bergen|trondheim|reykjavik|dublin|lisbon|lissabon|"
    r"madrid|milan|milano|seoul|tokyo|toronto|boston|new york|eurocities)\b", re.IGNORECASE)
_ACADEMIC_DOMAINS = re.compile(r"(^|\.)(kth\.se|su\.se|ki\.se|chalmers\.se|lu\.se|uu\.se|"
                               r"[a-z-]+\.edu|[a-z-]+\.ac\.[a-z]{2}|uni-[a-z-]+\.de|ri\.se)$")
_PUBLIC_DOMAINS = re.compile(r"(^|\.)(regionstockholm\.se|skr\.se|[a-z-]+\.kommun\.se|"
                             r"gov\.[a-z]{2}|[a-z-]+\.gov|europa\.eu|digg\.se|"
                             r"storsthlm\.se)$")
_TEXT_CUES: dict[str, re.Pattern] = {
    "academia": re.compile(r"\b(vi forskare|som forskare|vår forskning|vår studie|min avhandling|"
                           r"our research|our study|my thesis|my research|as a researcher|"
                           r"våra studenter|our students)\b", re.IGNORECASE),
    "business": re.compile(r"\b(vårt företag|vår startup|våra kunder|vi på \w+ ab|our startup|"
                           r"our company|our customers|our product|vår tjänst|our platform|"
                           r"som företagare|as a founder)\b", re.IGNORECASE),
    "public_sector": re.compile(r"\b(vi i kommunen|vår kommun|vår förvaltning|i nämnden|"
                                r"our municipality|our agency|regionen (vill|ska|satsar))\b",
                                re.IGNORECASE),
    "cities_world": re.compile(r"\b(here in|hos oss i|i vår stad|in our city|our city|"
                               r"we in|vi i) (helsinki|helsingfors|köpenhamn|copenhagen|oslo|"
                               r"amsterdam|barcelona|wien|vienna|singapore|tallinn|berlin)",
                               re.IGNORECASE),
    "residents": re.compile(r"\b(som förälder|jag bor|vi som bor|min dotter|min son|mina barn|"
                            r"min mamma|min pappa|som cyklist|som pensionär|i live|as a parent|"
                            r"my kids|my daughter|my son|my mum|my mom|as a resident|"
                            r"our neighbourhood|vårt kvarter)\b", re.IGNORECASE),
}


# One pass over the text for every group's cues (the group is the name of the match).
_TEXT_CUE = re.compile("|".join(f"(?P<{group}>{pattern.pattern})"
                                for group, pattern in _TEXT_CUES.items()), re.IGNORECASE)


def detect_audience(*, text: str, voice: str, author: str | None = None,
                    author_description: str | None = None,
                    url: str | None = None) -> tuple[str, float, list[str]]:
    """Return (target group id, score, evidence) for a mention's author."""
    if voice == "own":
        return "public_sector", 0.9, ["own voice"]
    profile = " ".join(p for p in (author, author_description) if p)
    if profile:
        if m := _OTHER_CITIES.search(profile):
            return "cities_world", 0.8, [m.group(0)]
        for group, pattern in _BIO_CUES.items():
            if m := pattern.search(profile):
                return group, 0.8, [m.group(0)]
    host = (urlsplit(url).hostname or "").lower() if url else ""
    if host and _ACADEMIC_DOMAINS.search(host):
        return "academia", 0.7, [host]
    if host and _PUBLIC_DOMAINS.search(host):
        return "public_sector", 0.7, [host]
    if m := _TEXT_CUE.search(text):
        return m.lastgroup, 0.6, [m.group(0)]
    return "residents", 0.3, []
