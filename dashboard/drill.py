"""Drill-down: a figure's button that opens Omnämnanden filtered to the mentions behind it.

The Mentions page reads its filters from the filter bar's widgets in session state (and its
own search and follow-up widgets), so a drill-down sets those keys in the button's callback
(before any widget of the next run exists) and switches page."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.i18n import t

MENTIONS_PAGE = "views/mentions.py"
FLAG = "_pulse_drill"
# Every filter of the filter bar and of Omnämnanden, kept across a drill-down's page switch.
KEEP = ("lang", "period", "granularity", "voice", "keyword", "message", "sentiment", "topic",
        "audience", "intent", "content_lang", "channel", "sources", "search",
        "response_filter")
# Set only by a drill-down: a story (its first copy's id) or an author (handle).
DRILL_ONLY = ("story", "author")
# Filter-bar keys a drill-down may set, with the value that means "any".
ANY = {"keyword": "*", "message": "*", "sentiment": "*", "topic": "*", "audience": "*",
       "intent": "*", "content_lang": "*", "channel": "*", "sources": [],
       "response_filter": "*", "search": ""}


def drill_state(period: tuple[date, date] | None = None, **filters) -> dict:
    """Return the session-state values that make Omnämnanden show `filters` (filter-bar keys:
    keyword, topic, sentiment, sources …, plus response_filter, search, story and author) over
    `period`; a source filter clears the channel so the source is always a choice."""
    state: dict = {}
    if period is not None:
        state["period"] = tuple(period)
    for key, value in filters.items():
        if key not in DRILL_ONLY and key not in ANY:
            raise ValueError(f"{key!r} is not a filter the Mentions page reads")
        state[key] = value
    if filters.get("sources"):
        state["channel"] = "*"
    for key in DRILL_ONLY:
        state.setdefault(key, None)
    return state


def keep_filters() -> None:
    """Set every filter's current value again through session state (from a callback).

    The page switch that follows starts a run in which no widget of the interrupted run was
    drawn; without this, the filter bar came back with every choice reset to "Alla"."""
    for key in KEEP:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def drill_button(label: str, key: str, lang: str, period: tuple[date, date] | None = None,
                 where=None, **filters) -> None:
    """Draw a button that opens Omnämnanden filtered to `filters` over `period` (see
    drill_state); other filters of the filter bar stay as they are."""
    state = drill_state(period, **filters)

    def apply() -> None:
        keep_filters()
        st.session_state.pop("page_no", None)  # the list starts on its first page
        st.session_state.update(state)
        st.session_state[FLAG] = True

    # The switch happens at the start of the next run (follow_drill), not on the button's
    # return value: the new filters may redraw the page without this button (a spike's week
    # is no spike on its own).
    (where or st).button(label, key=key, on_click=apply, help=t("drill_help", lang))


def follow_drill(on_mentions: bool) -> None:
    """Switch to Omnämnanden when a drill-down button was pressed (call before any widget)."""
    if st.session_state.pop(FLAG, False) and not on_mentions:
        st.switch_page(MENTIONS_PAGE)
