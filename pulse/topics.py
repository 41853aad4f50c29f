"""Emerging topics as people read them, the same in `pulse topics` and on the dashboard.

Both read the texts the same way (one per story, at most EMERGING_TEXTS_PER_WEEK a week, the
newest), leave out words that carry no subject ("bra, tack, väldigt, gärna" is not a topic),
track the topics week by week (nlp.emerging.track) and name each by its two or three most
distinctive terms, never by its internal id.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from store.figures import monday
from store.queries import Filters, texts_by_week

EMERGING_TEXTS_PER_WEEK = 1500
WINDOW_WEEKS = 4
NAME_TERMS = 3

# Words people write about anything: praise, thanks, intensifiers, hedges, chat. nlp.emerging
# removes grammatical stop words; these would otherwise make "topics" of tone, not subject.
GENERIC_WORDS = frozenset("""
    bra dålig dåligt dåliga tack tacka väldigt gärna verkligen kul roligt trevligt fint
    härligt toppen super grymt jättebra jätte faktiskt typ liksom precis absolut äntligen
    hoppas tycker tyckte tänker tror vet veta känns känner skriver skrev läser läste säger
    sagt aldrig alltid ibland ofta fel rätt gången gång gånger finns fanns hej hallå ok okej
    mamma pappa folk folks sak saker grej grejer år dag dagar vecka veckor idag igår imorgon
    nog väl redan bättre bäst sämre sämst stor stort stora liten litet små lätt svårt enkelt
    good great nice bad thanks thank please really actually maybe probably think thought
    know knew feel felt write wrote read says said never always often sometimes wrong right
    time times thing things people lot lots day days week weeks year years today yesterday
    hope love hate want wants better best worse worst big small easy hard simple
    yes ok okay hi hello lol
""".split())

_WORD = re.compile(r"[^\W\d_]+")


def _without_generic(text: str) -> str:
    """The text with each generic word replaced by a sentence break, so no term (nor word
    pair) is made of one, and no pair spans a removed word."""
    return _WORD.sub(lambda m: " . " if m.group(0).lower() in GENERIC_WORDS else m.group(0),
                     text)


def emerging_docs(session, f: Filters, weeks: int = 1,
                  per_week: int = EMERGING_TEXTS_PER_WEEK) -> list[tuple]:
    """Return the (id, week, language, text) documents of the windows of the last `weeks`
    weeks ending at the period's end (generic words left out, at most `per_week` a week)."""
    end = f.end or date.today()
    start = monday(end) - timedelta(weeks=WINDOW_WEEKS - 1 + max(weeks - 1, 0))
    docs = texts_by_week(session, replace(f, start=start, end=end), per_week=per_week)
    return [(i, week, lang, _without_generic(text)) for i, week, lang, text in docs]


def emerging_by_week(session, f: Filters, weeks: int = 1,
                     per_week: int = EMERGING_TEXTS_PER_WEEK) -> dict[date, list]:
    """Return {Monday: [EmergingTopic]} for the last `weeks` weeks ending at the period's end
    (each week's 4-week window; ids and "new" carried week to week), oldest first."""
    from nlp.emerging import track

    docs = emerging_docs(session, f, weeks, per_week)
    if not docs:
        return {}
    end = monday(f.end or date.today())
    wanted = [end - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    return track(docs, weeks=wanted, window_weeks=WINDOW_WEEKS)


def latest_emerging(session, f: Filters, per_week: int = EMERGING_TEXTS_PER_WEEK) -> list:
    """Return the emerging topics of the window ending at the period's end (tracked from the
    week before, so "new" means not seen then)."""
    by_week = emerging_by_week(session, f, weeks=2, per_week=per_week)
    return by_week[max(by_week)] if by_week else []


def topic_name(terms: list[str], n: int = NAME_TERMS, shared: frozenset[str] = frozenset()
               ) -> str:
    """Name a topic by its `n` most distinctive terms: its heaviest, without repeating a word
    of an earlier term, without generic words, and without single words `shared` with the
    other topics' terms ("stockholm", "city") while enough other terms remain."""
    def pick(avoid: set[str]) -> list[str]:
        chosen: list[str] = []
        seen: set[str] = set()
        for term in terms:
            words = set(term.split(" "))
            if words & seen or words & GENERIC_WORDS or (len(words) == 1 and words & avoid):
                continue
            chosen.append(term)
            seen |= words
            if len(chosen) == n:
                break
        return chosen

    chosen = pick(set(shared))
    if len(chosen) < 2:
        chosen = pick(set())
    return ", ".join(chosen)


def topic_names(topics: list) -> list[str]:
    """Name each of one week's topics (EmergingTopic) by its most distinctive terms: words
    that head several topics' terms do not tell them apart."""
    count: dict[str, int] = {}
    for topic in topics:
        for word in {w for term in topic.terms for w in term.split(" ")}:
            count[word] = count.get(word, 0) + 1
    shared = frozenset(w for w, k in count.items() if k > 1)
    return [topic_name(topic.terms, shared=shared) for topic in topics]


def growth_text(growth: float | None, new_word: str = "new") -> str:
    """The growth as shown everywhere: "×1.8" (this week's share against the weeks before),
    `new_word` when it had no share before, "–" when there is nothing before to compare."""
    if growth is None:
        return "–"
    if growth == float("inf"):
        return new_word
    return f"×{growth:.1f}"
