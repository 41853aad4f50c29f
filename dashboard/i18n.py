"""One table of UI labels, Swedish (default) and English."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "title": {"sv": "Pulse – bilden av Stockholm som smart stad",
              "en": "Pulse – how Stockholm is perceived as a smart city"},
    "language": {"sv": "Språk", "en": "Language"},
    "period": {"sv": "Period", "en": "Period"},
    "granularity": {"sv": "Tidsindelning", "en": "Time buckets"},
    "day": {"sv": "Dag", "en": "Day"},
    "week": {"sv": "Vecka", "en": "Week"},
    "voice": {"sv": "Röst", "en": "Voice"},
    "all": {"sv": "Alla", "en": "All"},
    "demo_banner": {
        "sv": "Demo: allt innehåll är EXEMPELDATA skriven för Pulse, inte verkliga händelser.",
        "en": "Demo: all content is SAMPLE DATA written for Pulse, not real events."},
    "mentions": {"sv": "Omnämnanden", "en": "Mentions"},
    "share_negative": {"sv": "Andel negativa", "en": "Share negative"},
    "net_sentiment": {"sv": "Nettoton", "en": "Net sentiment"},
    "net_help": {"sv": "Andel positiva minus andel negativa.",
                 "en": "Share positive minus share negative."},
    "over_time": {"sv": "Tredjepartsomnämnanden över tid, per ton",
                  "en": "Third-party mentions over time, by sentiment"},
    "over_time_any": {"sv": "Omnämnanden över tid, per ton",
                      "en": "Mentions over time, by sentiment"},
    "keywords": {"sv": "Nyckelord", "en": "Keywords"},
    "messages": {"sv": "Kärnbudskap", "en": "Core messages"},
    "latest": {"sv": "Senaste omnämnanden", "en": "Latest mentions"},
    "show_table": {"sv": "Visa som tabell", "en": "Show as table"},
    "empty": {"sv": "Inga omnämnanden matchar filtret under perioden.",
              "en": "No mentions match the filter in this period."},
    "no_db": {"sv": "Databasen är inte redo: {error}",
              "en": "The database is not ready: {error}"},
    "date": {"sv": "Datum", "en": "Date"},
    "count": {"sv": "Antal", "en": "Count"},
    "sentiment": {"sv": "Ton", "en": "Sentiment"},
    "source": {"sv": "Källa", "en": "Source"},
    "text": {"sv": "Text", "en": "Text"},
    "link": {"sv": "Länk", "en": "Link"},
    "published": {"sv": "Publicerad", "en": "Published"},
    "positive": {"sv": "Positiv", "en": "Positive"},
    "neutral": {"sv": "Neutral", "en": "Neutral"},
    "negative": {"sv": "Negativ", "en": "Negative"},
    "own": {"sv": "Egen röst (staden)", "en": "Own voice (the city)"},
    "third_party": {"sv": "Tredje part", "en": "Third party"},
    "open_link": {"sv": "öppna", "en": "open"},
}


def t(key: str, lang: str, **kwargs) -> str:
    """Return the label `key` in `lang` (falls back to Swedish, then to the key)."""
    entry = LABELS.get(key, {})
    text = entry.get(lang) or entry.get("sv") or key
    return text.format(**kwargs) if kwargs else text
