"""Mentions: search and read them with their evidence, correct tags, follow up answers."""

from __future__ import annotations

import streamlit as st

from dashboard.context import Context, current
from dashboard.data import engine, invalidate
from dashboard.i18n import t
from dashboard.views.mention_list import mention_list
from pulse.settings import INTENT_IDS
from store.corrections import CorrectionError, add_correction
from store.db import transaction
from store.models import RESPONSE_STATUSES
from store.queries import SENTIMENTS
from store.responses import ResponseError, set_response

PAGE_SIZE = 20
MULTI_KINDS = ("keyword", "message", "topic")


def _allowed(ctx: Context) -> dict[str, list[str]]:
    s = ctx.settings.strategy
    return {"keyword": [k.id for k in s.keyword], "message": [m.id for m in s.message],
            "topic": [x.id for x in s.topic], "audience": [g.id for g in s.target_group],
            "intent": list(INTENT_IDS), "sentiment": list(SENTIMENTS)}


def _current(row: dict, kind: str) -> list[str]:
    return [tag["value"] for tag in row["tags"].get(kind, [])]


def _correction_form(ctx: Context, row: dict) -> None:
    """Corrections of the chosen mention, stored as corrections (store.corrections)."""
    lang = ctx.lang
    allowed = _allowed(ctx)
    with st.form(key="correct_form", border=True):
        st.markdown(f"**{t('correct', lang)}**")
        st.caption(t("story_copies", lang))
        analyst = st.text_input(t("analyst", lang), key="analyst")
        cols = st.columns(3)
        sentiment = cols[0].selectbox(t("sentiment", lang), list(SENTIMENTS),
                                      index=list(SENTIMENTS).index(row["sentiment"] or "neutral"),
                                      format_func=lambda s: t(s, lang), key="fix_sentiment")
        audience_now = (_current(row, "audience") or [None])[0]
        audience = cols[1].selectbox(
            t("audience", lang), allowed["audience"],
            index=allowed["audience"].index(audience_now) if audience_now in allowed["audience"]
            else 0, format_func=lambda g: ctx.label("target_group", g), key="fix_audience")
        intent_now = (_current(row, "intent") or [None])[0]
        intent = cols[2].selectbox(
            t("intent", lang), allowed["intent"],
            index=allowed["intent"].index(intent_now) if intent_now in allowed["intent"] else 0,
            format_func=lambda i: t(f"intent_{i}", lang), key="fix_intent")
        chosen = {}
        for kind in MULTI_KINDS:
            chosen[kind] = st.multiselect(t(kind, lang), allowed[kind],
                                          default=_current(row, kind),
                                          format_func=lambda v, k=kind: ctx.label(k, v),
                                          key=f"fix_{kind}")
        submitted = st.form_submit_button(t("save_correction", lang))
    if not submitted:
        return
    if not analyst.strip():
        st.error(t("need_name", lang))
        return
    changes: list[tuple[str, str, bool]] = []
    if sentiment != (row["sentiment"] or "neutral"):
        changes.append(("sentiment", sentiment, False))
    if audience != audience_now:
        changes.append(("audience", audience, False))
    if intent != intent_now:
        changes.append(("intent", intent, False))
    for kind in MULTI_KINDS:
        before = set(_current(row, kind))
        changes += [(kind, v, False) for v in chosen[kind] if v not in before]
        changes += [(kind, v, True) for v in sorted(before - set(chosen[kind]))]
    if not changes:
        st.info(t("nothing_changed", lang))
        return
    def write(session) -> None:
        for kind, value, remove in changes:
            add_correction(session, row["id"], kind, value, analyst, remove=remove,
                           allowed=allowed)

    _save(ctx, write)


def _follow_up(ctx: Context, row: dict) -> None:
    lang = ctx.lang
    options = ["none", *RESPONSE_STATUSES]
    current_status = row["response_status"] or "none"
    with st.form(key="response_form", border=True):
        status = st.radio(t("response", lang), options, index=options.index(current_status),
                          horizontal=True, key="set_status",
                          format_func=lambda s: t("clear_status" if s == "none" else s, lang))
        analyst = st.text_input(t("analyst", lang), key="analyst_response")
        submitted = st.form_submit_button(t("set_status", lang))
    if not submitted or status == current_status:
        return
    if not analyst.strip():
        st.error(t("need_name", lang))
        return
    _save(ctx, lambda session: set_response(session, row["id"],
                                            None if status == "none" else status, analyst))


def _save(ctx: Context, write) -> None:
    """Run an analyst's write in one transaction; on success forget cached figures and redraw
    (with a confirmation), on a refused value show why."""
    try:
        with transaction(engine(ctx.url)) as session:
            write(session)
    except (CorrectionError, ResponseError) as exc:
        st.error(str(exc))
        return
    invalidate()
    st.session_state["_pulse_saved"] = True
    st.rerun()


def _label(row: dict) -> str:
    text = (row["title"] or row["text"]).replace("\n", " ")
    return f"{row['published_at']:%Y-%m-%d} · {row['source']} · {text[:70]}"


def render(ctx: Context) -> None:
    """Draw the mentions page."""
    lang = ctx.lang
    st.header(t("page_mentions", lang))
    if st.session_state.pop("_pulse_saved", False):
        st.success(t("saved", lang))
    left, mid, right = st.columns([3, 1, 1])
    left.text_input(t("search", lang), key="search")
    mid.selectbox(t("response", lang), ["*", *RESPONSE_STATUSES], key="response_filter",
                  format_func=lambda s: t("any" if s == "*" else s, lang))
    page = right.number_input(t("page_no", lang), min_value=1, value=1, step=1, key="page_no")
    listing, panel = st.columns([3, 2])
    with listing:
        data = mention_list(ctx, ctx.filters, limit=PAGE_SIZE,
                            offset=(int(page) - 1) * PAGE_SIZE)
    rows = data["rows"]
    if not rows:
        return
    by_id = {r["id"]: r for r in rows}
    with panel:
        picked = st.selectbox(t("pick_mention", lang), list(by_id), key="pick_mention",
                              format_func=lambda i: _label(by_id[i]))
        row = by_id[picked]
        _correction_form(ctx, row)
        _follow_up(ctx, row)


render(current())
