"""One card of the review queue: the mention, the machine's labels with their confidence, a
one-click confirmation and a correction form (store.review, store.corrections).

Every widget is keyed by the mention's id and built from that mention's own labels, so a
card never shows or stores another mention's state."""

from __future__ import annotations

import streamlit as st

from dashboard.context import Context
from dashboard.correction_fields import allowed_values, changes, fields
from dashboard.fmt import local_time, md_escape, number, percent
from dashboard.i18n import t
from dashboard.views.mention_list import evidence_words, highlight
from store.inert import safe_url

MULTI_KINDS = ("audience", "topic", "message", "keyword")
MAX_TEXT = 1200


def _values(labels: dict, kind: str) -> list[str]:
    return [tag["value"] for tag in labels.get(kind, [])]


def _current(labels: dict) -> dict[str, list[str]]:
    """The machine's values per kind (a queue row's "labels"), as the correction fields
    read them."""
    return {kind: _values(labels, kind) for kind in ("sentiment", "intent", *MULTI_KINDS)}


def _sure(ctx: Context, tag: dict, key: str = "confidence") -> str:
    value = tag.get(key)
    shown = percent(value) if value is not None else t("review_unknown", ctx.lang)
    return t("review_confidence" if key == "confidence" else "review_probability", ctx.lang,
             p=shown)


def _labels(ctx: Context, row: dict) -> None:
    """The machine's labels: sentiment and intent with their confidence, the multi-label
    ids with their probability (score)."""
    lang, labels = ctx.lang, row["labels"]
    lines = []
    for kind in ("sentiment", "intent"):
        tags = labels.get(kind) or []
        shown = ", ".join(f"{ctx.label(kind, tag['value'])} ({_sure(ctx, tag)})"
                          for tag in tags) or "–"
        lines.append(f"**{t(kind, lang)}:** {shown}")
    for kind in MULTI_KINDS:
        tags = labels.get(kind) or []
        shown = ", ".join(f"{ctx.label(kind, tag['value'])} ({percent(tag['score'])})"
                          for tag in tags) or "–"
        lines.append(f"**{t(kind, lang)}:** {shown}")
    st.markdown("  \n".join(lines))


def card(ctx: Context, row: dict, on_confirm, on_correct, can_write: bool = True) -> None:
    """Draw one queued mention. `on_confirm(mention_id)` runs when the analyst confirms it,
    `on_correct(mention_id, changes)` when the correction form is saved with changes; without
    `can_write` (a role that only reads) both buttons are disabled (the writes still check
    the role themselves)."""
    lang, mid = ctx.lang, row["id"]
    with st.container(border=True, key=f"review_card_{mid}"):
        title = row["title"] or ""
        when = local_time(row["published_at"], ctx.tz)
        if title:  # markdown-escaped: a post's title is text, never a link or an image
            st.markdown(f"**{md_escape(title)}**")
        st.caption(f"{when} · {row['source_name']} · " + t(
            "review_weight", lang, copies=row["copies"], engagement=number(row["engagement"]),
            weight=f"{row['weight']:.1f}"))
        text = row["text"] or ""
        text = text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " …"
        # HTML-escaped and shown as HTML, not markdown: only the evidence marks are markup
        body = highlight(text, evidence_words(row["labels"])).replace("\n", "<br>")
        st.html(f'<div class="pulse-text">{body}</div>')
        link = safe_url(row.get("url"))
        if link:  # http(s) only, and a button: the address never goes through markdown
            st.link_button(t("open_original", lang), link, icon=":material/open_in_new:")
        _labels(ctx, row)
        if st.button(t("review_confirm", lang), key=f"review_confirm_{mid}", type="primary",
                     help=t("review_confirm_help", lang), icon=":material/check:",
                     disabled=not can_write):
            on_confirm(mid)
        with st.expander(t("review_fix", lang)):
            _correction_form(ctx, row, on_correct, can_write)


def _correction_form(ctx: Context, row: dict, on_correct, can_write: bool = True) -> None:
    lang, mid, labels = ctx.lang, row["id"], row["labels"]
    allowed = allowed_values(ctx)
    with st.form(key=f"review_form_{mid}", border=False):
        form = fields(ctx, _current(labels), allowed, MULTI_KINDS, "review_fix", mid)
        submitted = st.form_submit_button(t("save_correction", lang), disabled=not can_write)
    if submitted:
        on_correct(mid, changes(_current(labels), form, MULTI_KINDS))
