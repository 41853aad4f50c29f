"""Mentions: search and read them with their evidence, correct tags, follow up answers."""

from __future__ import annotations

import math

import streamlit as st

from dashboard.access import AccessDenied, User, current_user, identity_field
from dashboard.access import write as access_write
from dashboard.context import Context, current
from dashboard.correction_fields import allowed_values, changes, fields
from dashboard.data import engine, invalidate
from dashboard.drill import DRILL_ONLY
from dashboard.fmt import local_time, md_escape
from dashboard.i18n import t
from dashboard.views.mention_list import mention_list
from store.corrections import (
    CorrectionError,
    add_correction,
    correction_history,
    undo_correction,
)
from store.db import transaction
from store.inert import without_bidi
from store.models import RESPONSE_STATUSES
from store.responses import ResponseError, set_response

PAGE_SIZE = 20
MULTI_KINDS = ("keyword", "message", "topic", "audience")


def _current(row: dict, kind: str) -> list[str]:
    return [tag["value"] for tag in row["tags"].get(kind, [])]


def _values(row: dict) -> dict[str, list[str]]:
    """The mention's current values per kind, as the correction fields read them."""
    values = {kind: _current(row, kind) for kind in ("intent", *MULTI_KINDS)}
    return {**values, "sentiment": [row["sentiment"]] if row["sentiment"] else []}


def corrections_to_store(row: dict, form: dict) -> list[tuple[str, str, bool]]:
    """Return (kind, value, remove) for what the form changes against the mention's current
    tags: nothing for a field left as it was."""
    return changes(_values(row), form, MULTI_KINDS)


def _correction_form(ctx: Context, row: dict) -> None:
    """Corrections of the chosen mention, stored as corrections (store.corrections).

    Every widget is keyed by the mention's id and built from its current tags, so choosing
    another mention never carries the previous one's values into the form."""
    lang = ctx.lang
    allowed = allowed_values(ctx)
    mid = row["id"]
    user = current_user()
    with st.form(key=f"correct_form_{mid}", border=True):
        st.markdown(f"**{t('correct', lang)}**")
        st.caption(t("story_copies", lang))
        form = fields(ctx, _values(row), allowed, MULTI_KINDS, "fix", mid)
        submitted = st.form_submit_button(t("save_correction", lang),
                                          disabled=not user.can("correction"))
    if not submitted:
        return
    analyst = _author(user, lang)
    if analyst is None:
        return
    changes = corrections_to_store(row, form)
    if not changes:
        st.info(t("nothing_changed", lang))
        return

    def write(session) -> None:
        for kind, value, remove in changes:
            add_correction(session, mid, kind, value, analyst, remove=remove, allowed=allowed)

    _save(ctx, "correction", write, target=mid)


def _author(user: User, lang: str) -> str | None:
    """Who a write is stored as (the logged-in e-mail or the typed name); None, with the
    reason shown, when no name was typed. A role without the right gets its refusal from
    the write itself (access.write), not from here."""
    who = user.author
    if who is None and user.role is not None and not user.logged_in:
        st.error(t("need_name", lang))
        return None
    return who or user.actor


def _history(ctx: Context, row: dict) -> None:
    """The story's corrections (who, when, what), each in force with a button to undo it."""
    lang = ctx.lang
    with transaction(engine(ctx.url)) as session:
        entries = correction_history(session, row["id"])
    if not entries:
        return
    user = current_user()
    with st.expander(t("correction_history", lang, n=len(entries))):
        for entry in entries:
            what = (f"{t(entry['kind'], lang)}: "
                    f"{'−' if entry['action'] == 'remove' else ''}"
                    f"{ctx.label(entry['kind'], entry['value'])}")
            when = local_time(entry["created_at"], ctx.tz)
            left, right = st.columns([4, 1])
            if entry["action"] == "undo":
                left.text(t("undo_row", lang, when=when, who=entry["author"], what=what))
                continue
            state = t("undone", lang) if entry["undone"] else ""
            left.text(f"{when} · {entry['author']} · {what} {state}".strip())
            if not entry["undone"] and right.button(t("undo", lang),
                                                    key=f"undo_{entry['id']}",
                                                    disabled=not user.can("undo")):
                analyst = _author(user, lang)
                if analyst is None:
                    return
                _save(ctx, "undo", lambda session, cid=entry["id"], who=analyst:
                      undo_correction(session, cid, who), target=entry["id"])


def _follow_up(ctx: Context, row: dict) -> None:
    lang = ctx.lang
    options = ["none", *RESPONSE_STATUSES]
    current_status = row["response_status"] or "none"
    user = current_user()
    with st.form(key=f"response_form_{row['id']}", border=True):
        status = st.radio(t("response", lang), options, index=options.index(current_status),
                          horizontal=True, key=f"set_status_{row['id']}",
                          format_func=lambda s: t("clear_status" if s == "none" else s, lang))
        submitted = st.form_submit_button(t("set_status", lang),
                                          disabled=not user.can("follow_up"))
    if not submitted or status == current_status:
        return
    analyst = _author(user, lang)
    if analyst is None:
        return
    _save(ctx, "follow_up", lambda session: set_response(
        session, row["id"], None if status == "none" else status, analyst), target=row["id"])


def _save(ctx: Context, action: str, write, target=None) -> None:
    """Run an analyst's write in one transaction after the server-side role check
    (access.write); on success forget cached figures and redraw (with a confirmation), on a
    refused value or role show why."""
    try:
        access_write(current_user(), action, ctx.url, write, ctx.lang, target=target)
    except (CorrectionError, ResponseError, AccessDenied) as exc:
        st.error(str(exc))
        return
    invalidate()
    st.session_state["_pulse_saved"] = True
    st.rerun()


def _label(row: dict, tz) -> str:
    text = without_bidi(row["title"] or row["text"]).replace("\n", " ")  # shown as text
    return (f"{local_time(row['published_at'], tz, fmt='%Y-%m-%d %H:%M')} · "
            f"{row['source_name']} · {text[:70]}")


def _drilled(ctx: Context) -> None:
    """Say which drill-down narrows the list (one story's copies, one author) and offer to
    show every mention again."""
    f = ctx.filters
    if not (f.story or f.author):
        return
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.info(t("drilled_story", ctx.lang) if f.story
              else t("drilled_author", ctx.lang, author=md_escape(f.author)))

    def clear() -> None:
        for key in DRILL_ONLY:
            st.session_state.pop(key, None)

    right.button(t("drill_clear", ctx.lang), key="drill_clear", on_click=clear)


def _pager(lang: str, page: int, total: int) -> None:
    """Previous and next under the list (the page number above sets the same page)."""
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if pages == 1:
        return

    def go(to: int) -> None:
        st.session_state["page_no"] = to

    back, where, forward = st.columns([1, 2, 1], vertical_alignment="center")
    back.button(t("previous", lang), key="page_prev", disabled=page <= 1,
                on_click=go, args=(page - 1,), width="stretch")
    where.markdown(f"<div style='text-align:center'>{t('page_of', lang, page=page, pages=pages)}"
                   "</div>", unsafe_allow_html=True)
    forward.button(t("next", lang), key="page_next", disabled=page >= pages,
                   on_click=go, args=(page + 1,), width="stretch")


def render(ctx: Context) -> None:
    """Draw the mentions page."""
    lang = ctx.lang
    st.header(t("page_mentions", lang))
    if st.session_state.pop("_pulse_saved", False):
        st.success(t("saved", lang))
    _drilled(ctx)
    left, mid, right = st.columns([3, 1, 1])
    left.text_input(t("search", lang), key="search")
    mid.selectbox(t("response", lang), ["*", *RESPONSE_STATUSES], key="response_filter",
                  format_func=lambda s: t("any" if s == "*" else s, lang))
    page = right.number_input(t("page_no", lang), min_value=1, value=1, step=1, key="page_no")
    listing, panel = st.columns([3, 2])
    with listing:
        data = mention_list(ctx, ctx.filters, limit=PAGE_SIZE,
                            offset=(int(page) - 1) * PAGE_SIZE)
        _pager(lang, int(page), data["total"])
    rows = data["rows"]
    if not rows:
        return
    by_id = {r["id"]: r for r in rows}
    with panel:
        picked = st.selectbox(t("pick_mention", lang), list(by_id), key="pick_mention",
                              format_func=lambda i: _label(by_id[i], ctx.tz))
        row = by_id[picked]
        identity_field(current_user(), "correction", lang)
        _correction_form(ctx, row)
        _history(ctx, row)
        _follow_up(ctx, row)


render(current())
