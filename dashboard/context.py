"""The shared filter bar in the sidebar and the context every page renders with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from dashboard.charts import all_buckets
from dashboard.drill import DRILL_ONLY, follow_drill
from dashboard.i18n import t
from nlp.labels import INTENT_IDS
from store.queries import SENTIMENTS, Filters

CONTEXT_KEY = "_pulse_context"
CONTENT_LANGS = ("sv", "en", "other")


@dataclass(frozen=True)
class Context:
    """What a page needs: UI language, filters, time buckets, database URL and settings."""

    lang: str
    filters: Filters
    granularity: str
    url: str | None
    settings: object
    tz: ZoneInfo = ZoneInfo("Europe/Stockholm")

    def buckets(self) -> list[str]:
        """Every time bucket of the period (ISO dates), for evenly spaced time axes."""
        return all_buckets(self.filters.start, self.filters.end, self.granularity)

    def label(self, kind: str, ident: str | None) -> str:
        """Display label of a strategy id (keyword, message, topic, target_group …)."""
        if ident is None:
            return "–"
        if kind == "intent":
            return t(f"intent_{ident}", self.lang)
        if kind == "sentiment":
            return t(ident, self.lang)
        kind = {"audience": "target_group", "city": "benchmark_city"}.get(kind, kind)
        return self.settings.strategy.label(kind, ident, self.lang)


SECONDARY = ("sentiment", "topic", "audience", "intent", "content_lang", "channel", "sources")


def _select(label: str, options: list[str], key: str, fmt, lang: str, where=None) -> str | None:
    choice = (where or st.sidebar).selectbox(
        label, ["*", *options], key=key,
        format_func=lambda v: t("any", lang) if v == "*" else fmt(v))
    return None if choice == "*" else choice


def _period(lang: str) -> tuple[date, date]:
    today = date.today()
    # A pair as the default keeps it a range picker (a drill-down may set the range in
    # session state; Streamlit then logs that the default is unused).
    period = st.sidebar.date_input(t("period", lang), value=(today - timedelta(weeks=12), today),
                                   key="period", format="YYYY-MM-DD")
    if isinstance(period, tuple | list):
        if len(period) == 2:
            return period[0], period[1]
        if len(period) == 1:  # the user picked the start and not yet the end
            return period[0], period[0]
        return today - timedelta(weeks=12), today
    return period, period


# Choices whose shown label depends on the UI language (filter bar and page widgets).
TRANSLATED = ("granularity", "voice", "keyword", "message", "sentiment", "topic", "audience",
              "intent", "content_lang", "channel", "response_filter", "drill_group")


def _keep_choices() -> None:
    """On a language switch, set every translated choice again through session state.

    The browser holds a radio's or selectbox's choice as its label; without this, it keeps
    the Swedish label after the switch (an empty radio) and sends it back as the value on
    the next run (a filter set to "Alla", "More filters (6)")."""
    for key in TRANSLATED:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def filter_bar(settings, url: str | None, sources: list[dict],
               search_page: bool = False) -> Context:
    """Render the sidebar filter bar and return the page context (also kept in session state).

    `sources` are store.queries.source_health rows: the source and channel choices. The
    text search and follow-up filters belong to the Mentions page (`search_page`)."""
    follow_drill(search_page)
    default_lang = settings.pulse.general.language
    lang_name = st.sidebar.radio("Språk / Language", ["Svenska", "English"], key="lang",
                                 horizontal=True, index=0 if default_lang == "sv" else 1,
                                 on_change=_keep_choices)
    lang = "sv" if lang_name == "Svenska" else "en"
    strategy = settings.strategy
    start, end = _period(lang)
    zone = ZoneInfo(settings.pulse.general.timezone)
    st.sidebar.caption(t("times_in", lang, zone=settings.pulse.general.timezone,
                         abbr=datetime.now(zone).tzname()))
    granularity = st.sidebar.radio(t("granularity", lang), ["week", "day"], horizontal=True,
                                   format_func=lambda g: t(g, lang), key="granularity")
    voice = st.sidebar.selectbox(t("voice", lang), ["third_party", "own", "all"],
                                 format_func=lambda v: t(v, lang), key="voice")

    def label(kind):
        return lambda ident: strategy.label(kind, ident, lang)

    keyword = _select(t("keyword", lang), [k.id for k in strategy.keyword], "keyword",
                      label("keyword"), lang)
    message = _select(t("message", lang), [m.id for m in strategy.message], "message",
                      label("message"), lang)
    active = sum(1 for k in SECONDARY if st.session_state.get(k) not in (None, "*", []))
    more = st.sidebar.expander(t("more_filters", lang) + (f" ({active})" if active else ""),
                               expanded=active > 0)
    sentiment = _select(t("sentiment", lang), list(SENTIMENTS), "sentiment",
                        lambda s: t(s, lang), lang, more)
    topic = _select(t("topic", lang), [x.id for x in strategy.topic], "topic", label("topic"),
                    lang, more)
    audience = _select(t("audience", lang), [g.id for g in strategy.target_group], "audience",
                       label("target_group"), lang, more)
    intent = _select(t("intent", lang), list(INTENT_IDS), "intent",
                     lambda i: t(f"intent_{i}", lang), lang, more)
    content_lang = _select(t("content_lang", lang), list(CONTENT_LANGS), "content_lang",
                           lambda c: t(f"lang_{c}", lang), lang, more)
    channels = {s["key"]: s["channel"] for s in sources}
    channel_ids = [c.id for c in strategy.channel if c.id in set(channels.values())]
    channel = _select(t("channel", lang), channel_ids, "channel", label("channel"), lang, more)
    keys = sorted(k for k, c in channels.items() if channel is None or c == channel)
    picked = more.multiselect(t("sources", lang), keys, key="sources",
                              placeholder=t("any", lang))
    chosen = tuple(picked) if picked else (tuple(keys) if channel else ())
    if channel and not chosen:
        chosen = ("-",)  # a channel without sources matches nothing, not everything
    if not search_page:  # one story's copies, one author: drill-downs of Omnämnanden only
        for key in DRILL_ONLY:
            st.session_state.pop(key, None)
    story = st.session_state.get("story") if search_page else None
    author = st.session_state.get("author") if search_page else None
    search = (st.session_state.get("search") or None) if search_page else None
    response = st.session_state.get("response_filter") if search_page else None
    filters = Filters(start=start, end=end, voice=None if voice == "all" else voice,
                      sentiment=sentiment, keyword=keyword, message=message, sources=chosen,
                      lang=content_lang, topic=topic, audience=audience, intent=intent,
                      search=search, response=None if response in (None, "*") else response,
                      story=story, author=author)
    ctx = Context(lang=lang, filters=filters, granularity=granularity, url=url,
                  settings=settings, tz=zone)
    st.session_state[CONTEXT_KEY] = ctx
    return ctx


def current() -> Context:
    """Return the context the filter bar set for this run (pages call this)."""
    return st.session_state[CONTEXT_KEY]
