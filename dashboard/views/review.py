"""Granska (review): the stories of the last complete week the model is least sure of and
that weigh most, each confirmed with one click or corrected; and the model's accuracy."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import streamlit as st

from dashboard.access import AccessDenied, current_user, identity_field
from dashboard.access import write as access_write
from dashboard.accuracy import accuracy_panel
from dashboard.context import Context, current
from dashboard.correction_fields import allowed_values
from dashboard.data import engine, invalidate
from dashboard.fmt import local_time
from dashboard.i18n import t
from dashboard.review_form import card
from store.corrections import CorrectionError, add_correction
from store.db import transaction
from store.figures import last_complete_week
from store.review import confirm_mention, recent_confirmations, review_queue, undo_confirmation

QUEUE_SIZE = 10
SAVED_KEY = "_pulse_review_saved"


def review_week(ctx: Context) -> date:
    """The Monday of the week under review: the last complete ISO week (Stockholm time) by
    the period's end, as the overview's week figures."""
    today = datetime.now(ctx.tz).date()
    end = min(ctx.filters.end or today, today)
    return last_complete_week(end)


def _analyst() -> str | None:
    """Who a write is stored as: the logged-in e-mail or the typed name (None: neither);
    a role without the right is refused by the write itself (access.write)."""
    user = current_user()
    if user.author or user.logged_in or not user.can("confirmation"):
        return user.author or user.actor
    return None


def _write(ctx: Context, kind: str, action, message: str, figures_changed: bool,
           target=None) -> None:
    """Run an analyst's write in one transaction after the server-side role check, then
    redraw with `message` (a refused write or role shows why instead)."""
    try:
        access_write(current_user(), kind, ctx.url, action, ctx.lang, target=target)
    except (CorrectionError, AccessDenied) as exc:
        st.error(str(exc))
        return
    if figures_changed:
        invalidate()
    st.session_state[SAVED_KEY] = message
    st.rerun()


def _confirm(ctx: Context, mention_id: int) -> None:
    who = _analyst()
    if who is None:
        st.error(t("need_name", ctx.lang))
        return
    _write(ctx, "confirmation", lambda s: confirm_mention(s, mention_id, who),
           "review_confirmed", False, target=mention_id)


def _correct(ctx: Context, mention_id: int, wanted: list[tuple[str, str, bool]]) -> None:
    who = _analyst()
    if who is None:
        st.error(t("need_name", ctx.lang))
        return
    if not wanted:
        st.info(t("nothing_changed", ctx.lang))
        return
    allowed = allowed_values(ctx)

    def write(session) -> None:
        for kind, value, remove in wanted:
            add_correction(session, mention_id, kind, value, who, remove=remove,
                           allowed=allowed)

    _write(ctx, "correction", write, "review_corrected", True, target=mention_id)


def _recent(ctx: Context) -> None:
    """The latest confirmations, each with a button to undo it."""
    lang = ctx.lang
    with transaction(engine(ctx.url)) as session:
        rows = recent_confirmations(session)
    if not rows:
        return
    with st.expander(t("review_recent", lang, n=len(rows))):
        for row in rows:
            left, right = st.columns([4, 1])
            text = (row["title"] or row["text"] or "").replace("\n", " ")[:70]
            left.text(f"{local_time(row['created_at'], ctx.tz)} · {row['author']} · {text}")
            if right.button(t("undo", lang), key=f"review_undo_{row['id']}",
                            disabled=not current_user().can("undo")):
                who = _analyst()
                if who is None:
                    st.error(t("need_name", lang))
                    return
                _write(ctx, "undo",
                       lambda s, cid=row["id"], by=who: undo_confirmation(s, cid, by),
                       "review_undone", False, target=row["id"])


def render(ctx: Context) -> None:
    """Draw the review page."""
    lang = ctx.lang
    st.header(t("page_review", lang))
    saved = st.session_state.pop(SAVED_KEY, None)
    if saved:
        st.success(t(saved, lang))
    week = review_week(ctx)
    st.subheader(t("review_title", lang))
    st.caption(t("review_help", lang, week=f"{week.isocalendar()[1]}", start=week.isoformat(),
                 end=(week + timedelta(days=6)).isoformat()))
    user = current_user()
    identity_field(user, "confirmation", lang)
    with transaction(engine(ctx.url)) as session:
        queue = review_queue(session, week, limit=QUEUE_SIZE)
    if not queue["rows"]:
        st.info(t("review_empty", lang, week=week.isocalendar()[1]))
    else:
        st.caption(t("review_remaining", lang, n=queue["remaining"]))
        for row in queue["rows"]:
            card(ctx, row, lambda mid: _confirm(ctx, mid),
                 lambda mid, wanted: _correct(ctx, mid, wanted),
                 can_write=user.can("confirmation"))
    _recent(ctx)
    st.divider()
    accuracy_panel(ctx)


render(current())
