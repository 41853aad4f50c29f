"""Who, what and why on the overview: what drove the last complete week, the negative stories
still needing an answer, and what drove each spike. Every figure has a button that opens
Omnämnanden filtered to the mentions behind it (dashboard.drill)."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from dashboard.context import Context
from dashboard.data import load
from dashboard.drill import drill_button
from dashboard.fmt import local_time, md_escape, number
from dashboard.i18n import plural, t
from store.figures import rising

SHOWN = 5


def _headline(row: dict, limit: int = 90) -> str:
    """A story's title (or the start of its text) on one line, markdown-escaped."""
    text = (row.get("title") or row.get("text") or "").replace("\n", " ").strip()
    if len(text) > limit:
        text = text[:limit].rstrip() + " …"
    return md_escape(text)


def _story_rows(ctx: Context, rows: list[dict], key: str, figure: str) -> None:
    lang = ctx.lang
    # A story without reactions is not "most engaged", nor one stored once "spread".
    rows = [r for r in rows if (r["copies"] > 1 if figure == "copies" else r["engagement"])]
    if not rows:
        st.caption(t("none_this_week", lang))
        return
    for row in rows:
        left, right = st.columns([4, 1], vertical_alignment="center")
        value = (plural("copies_n", lang, row["copies"]) if figure == "copies"
                 else plural("engagement_n", lang, row["engagement"]))
        left.markdown(f"{_headline(row)}  \n:gray[{md_escape(row['source_name'])} · "
                      f"{local_time(row['published_at'], ctx.tz, fmt='%Y-%m-%d')} · {value}]")
        with right:
            drill_button(t("drill_short", lang), f"drill-{key}-{row['id']}", lang,
                         story=row["id"], period=_period_of(ctx))


def _period_of(ctx: Context) -> tuple[date, date] | None:
    f = ctx.filters
    return (f.start, f.end) if f.start and f.end else None


def _count_rows(ctx: Context, rows: list[dict], key: str, label, drill, period,
                ident) -> None:
    """Rows of (label, count, drill button); `drill(row)` gives the drill-down filters,
    `ident(row)` what keeps the button's key unique (two sources may share a name)."""
    lang = ctx.lang
    if not rows:
        st.caption(t("none_this_week", lang))
        return
    for row in rows:
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.markdown(f"{md_escape(label(row))} · **{number(row['count'])}**")
        with right:
            drill_button(t("drill_short", lang), f"drill-{key}-{ident(row)}", lang,
                         period=period, **drill(row))


def _rising_rows(ctx: Context, rows: list[dict], kind: str, week: date) -> None:
    lang = ctx.lang
    found = rising(rows, week, min_count=2, limit=SHOWN, baseline_weeks=1)
    if not found:
        st.caption(t("nothing_rose", lang))
        return
    period = (week, week + timedelta(days=6))
    filter_key = {"keyword": "keyword", "topic": "topic"}[kind]
    for r in found:
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.markdown(f"{md_escape(ctx.label(kind, r['value']))} · **{number(r['this'])}** "
                      f":gray[({t('week_before', lang)}: {number(r['avg4'])})]")
        with right:
            drill_button(t("drill_short", lang), f"drill-rise-{kind}-{r['value']}", lang,
                         period=period, **{filter_key: r["value"]})


def week_drivers(ctx: Context, data: dict) -> None:
    """What drove the last complete week: top stories by engagement and by copies, the sources
    and authors that wrote most, and the keywords and topics that rose most against the week
    before."""
    lang = ctx.lang
    week = data["this_week"]
    period = (week, week + timedelta(days=6))
    drivers = data["drivers"]
    st.subheader(t("drivers_title", lang, week=week.isocalendar().week))
    left, right = st.columns(2)
    with left, st.container(border=True):
        st.markdown(f"**{t('top_engagement', lang)}**")
        _story_rows(ctx, drivers["by_engagement"], "eng", "engagement")
    with right, st.container(border=True):
        st.markdown(f"**{t('top_copies', lang)}**")
        _story_rows(ctx, drivers["by_copies"], "copies", "copies")
    left, right = st.columns(2)
    with left, st.container(border=True):
        st.markdown(f"**{t('top_sources', lang)}**")
        _count_rows(ctx, drivers["sources"], "source", lambda r: r["name"],
                    lambda r: {"sources": [r["source"]]}, period, lambda r: r["source"])
    with right, st.container(border=True):
        st.markdown(f"**{t('top_authors', lang)}**")
        _count_rows(ctx, drivers["authors"], "author", lambda r: r["name"],
                    lambda r: {"author": r["author"]}, period, lambda r: r["author"])
    left, right = st.columns(2)
    with left, st.container(border=True):
        st.markdown(f"**{t('rising_keywords', lang)}**")
        _rising_rows(ctx, data["keywords_weekly"], "keyword", week)
    with right, st.container(border=True):
        st.markdown(f"**{t('rising_topics', lang)}**")
        _rising_rows(ctx, data["topics_weekly"], "topic", week)


def needs_answer(ctx: Context, data: dict) -> None:
    """The negative stories of the period whose follow-up status is "needs answer"."""
    lang = ctx.lang
    waiting = data["needs_answer"]
    st.subheader(t("needs_answer_title", lang))
    if not waiting["total"]:
        st.caption(t("none_waiting", lang))
        return
    head, button = st.columns([4, 1], vertical_alignment="center")
    head.markdown(plural("waiting_n", lang, waiting["total"]))
    with button:
        drill_button(t("drill_short", lang), "drill-waiting", lang, period=_period_of(ctx),
                     sentiment="negative", response_filter="needs_answer")
    for row in waiting["rows"]:
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.markdown(f"{_headline(row)}  \n:gray[{md_escape(row['source_name'])} · "
                      f"{local_time(row['published_at'], ctx.tz)}]")
        with right:
            drill_button(t("drill_short", lang), f"drill-waiting-{row['id']}", lang,
                         story=row["id"], period=_period_of(ctx))


def spike_drivers(ctx: Context, peaks: list[tuple[date, int]]) -> None:
    """Each spike with what drove it (top stories, terms and sources) and a link to its
    mentions."""
    lang = ctx.lang
    for bucket, count in peaks:
        spike = load("spike", ctx.url, ctx.filters, ctx.granularity, bucket=bucket)
        g = spike["filters"]
        name = (t("day_of", lang, day=bucket.isoformat()) if ctx.granularity == "day"
                else t("week_of", lang, day=bucket.isoformat()))
        with st.container(border=True):
            head, button = st.columns([4, 1], vertical_alignment="center")
            head.markdown(f"**▲ {name}** · {plural('mentions_n', lang, count)}")
            with button:
                drill_button(t("drill_short", lang), f"drill-spike-{bucket}", lang,
                             period=(g.start, g.end))
            terms = _top_terms(ctx, spike)
            sources = ", ".join(f"{r['name']} ({r['count']})" for r in spike["sources"])
            lines = [f"{t('spike_stories', lang)}: "
                     + "; ".join(_headline(r, 60) for r in spike["stories"])]
            if terms:
                lines.append(f"{t('spike_terms', lang)}: {md_escape(terms)}")
            if sources:
                lines.append(f"{t('spike_sources', lang)}: {md_escape(sources)}")
            st.markdown("  \n".join(lines))


def _top_terms(ctx: Context, spike: dict, limit: int = 5) -> str:
    totals: dict[tuple[str, str], int] = {}
    for kind in ("keyword", "topic"):
        for r in spike[f"{kind}s"]:
            totals[(kind, r["value"])] = totals.get((kind, r["value"]), 0) + r["count"]
    top = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return ", ".join(f"{ctx.label(kind, value)} ({n})" for (kind, value), n in top)
