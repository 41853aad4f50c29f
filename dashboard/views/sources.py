"""Channels and sources: volume and health per source, so a silent source is never mistaken
for silence."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from collectors.errors import error_message
from dashboard.access import AccessDenied, current_user
from dashboard.access import write as access_write
from dashboard.charts import empty, lines, with_table
from dashboard.context import Context, current
from dashboard.data import invalidate, load
from dashboard.fmt import local_time
from dashboard.i18n import t
from store.audit import record
from store.figures import source_status
from store.writes import enable_source

ENABLED_KEY = "_pulse_source_enabled"


def _health(ctx: Context, health: list[dict]) -> None:
    lang = ctx.lang
    st.subheader(t("source_health", lang))
    silent = [r["key"] for r in health if source_status(r) != "ok"]
    if silent:
        st.warning(t("silent_warning", lang, n=len(silent), keys=", ".join(silent)))
        disabled = [r["key"] for r in health if source_status(r) == "disabled"]
        if disabled:
            st.caption(t("enable_hint", lang))
            _enable_buttons(ctx, disabled)
    rows = []
    for r in health:
        status = source_status(r)
        error = (error_message(r["last_error_kind"], lang) if r["last_error_kind"] else "")
        rows.append({
            t("source", lang): r["key"], t("channel", lang): ctx.label("channel", r["channel"]),
            t("status", lang): t(f"status_{status}", lang),
            t("mentions", lang): r["mentions"],
            t("last_success", lang): local_time(r["last_success_at"], ctx.tz),
            t("last_error", lang): (f"{local_time(r['last_error_at'], ctx.tz)} {error}".strip()
                                    if r["last_error_at"] else "–"),
            t("items_last_run", lang): r["items_last_run"],
            t("last_warning", lang): r.get("last_warning") or "–",
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="table-health")


def _enable(ctx: Context, key: str) -> None:
    """Re-enable a disabled source (store.writes.enable_source), admin only: the role is
    checked on the server inside the write, which is recorded in the audit log."""
    user = current_user()

    def write(session) -> None:
        if enable_source(session, key):
            record(session, user.actor, "source_enable", target=key)

    try:
        access_write(user, "source_enable", ctx.url, write, ctx.lang, target=key)
    except AccessDenied as exc:
        st.error(str(exc))
        return
    invalidate()
    st.session_state[ENABLED_KEY] = key
    st.rerun()


def _enable_buttons(ctx: Context, keys: list[str]) -> None:
    """One button per disabled source; enabled for an admin only."""
    admin = current_user().can("source_enable")
    if not admin:
        st.caption(t("enable_admin_only", ctx.lang))
    columns = st.columns(min(len(keys), 4))
    for i, key in enumerate(keys):
        if columns[i % len(columns)].button(t("enable_source", ctx.lang, source=key),
                                            key=f"enable_{key}", disabled=not admin,
                                            icon=":material/restart_alt:"):
            _enable(ctx, key)


def _volume(ctx: Context, rows: list[dict]) -> None:
    lang = ctx.lang
    st.subheader(t("volume_by_source", lang))
    if not rows:
        empty(lang)
        return
    date_col, source, count_col = t("date", lang), t("source", lang), t("count", lang)
    frame = pd.DataFrame([{date_col: r["bucket"].isoformat(), source: r["source"],
                           count_col: r["count"]} for r in rows])
    with_table(lines(frame, date_col, count_col, source, lang, buckets=ctx.buckets()), frame,
               lang, "sources-time")


def render(ctx: Context) -> None:
    """Draw the channels and sources page."""
    st.header(t("page_sources", ctx.lang))
    enabled = st.session_state.pop(ENABLED_KEY, None)
    if enabled:
        st.success(t("source_enabled", ctx.lang, source=enabled))
    data = load("sources", ctx.url, ctx.filters, ctx.granularity)
    _health(ctx, data["health"])
    _volume(ctx, data["volume"])


render(current())
