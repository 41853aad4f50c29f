"""The fields of a correction form, shared by Omnämnanden and Granska: the valid values per
kind, the widgets (keyed by the mention's id, built from its current labels every time, so a
form never carries another mention's values) and what a submitted form changes."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboard.context import Context
from dashboard.i18n import t
from nlp.labels import INTENT_IDS
from store.queries import SENTIMENTS

NONE = "-"


def allowed_values(ctx: Context) -> dict[str, list[str]]:
    """Return the valid ids per kind (the strategy's, the intents, the sentiments)."""
    s = ctx.settings.strategy
    return {"keyword": [k.id for k in s.keyword], "message": [m.id for m in s.message],
            "topic": [x.id for x in s.topic], "audience": [g.id for g in s.target_group],
            "intent": list(INTENT_IDS), "sentiment": list(SENTIMENTS)}


def fields(ctx: Context, current: dict[str, list[str]], allowed: dict[str, list[str]],
           kinds: Sequence[str], key: str, mid: int) -> dict:
    """Draw the fields inside a form from the mention's `current` values per kind; widget
    keys are f"{key}_{kind}_{mid}". Return the form's values."""
    lang = ctx.lang
    cols = st.columns(2)
    sentiment_now = (current.get("sentiment") or ["neutral"])[0]
    form = {"sentiment": cols[0].selectbox(
        t("sentiment", lang), list(SENTIMENTS), index=list(SENTIMENTS).index(sentiment_now),
        format_func=lambda s: t(s, lang), key=f"{key}_sentiment_{mid}")}
    intents = [NONE, *allowed["intent"]]
    intent_now = (current.get("intent") or [NONE])[0]
    form["intent"] = cols[1].selectbox(
        t("intent", lang), intents,
        index=intents.index(intent_now) if intent_now in intents else 0,
        format_func=lambda i: "–" if i == NONE else t(f"intent_{i}", lang),
        key=f"{key}_intent_{mid}")
    for kind in kinds:
        form[kind] = st.multiselect(
            t(kind, lang), allowed[kind],
            default=[v for v in current.get(kind, []) if v in allowed[kind]],
            format_func=lambda v, k=kind: ctx.label(k, v), key=f"{key}_{kind}_{mid}",
            placeholder=t("none_chosen", lang))
    return form


def changes(current: dict[str, list[str]], form: dict,
            kinds: Sequence[str]) -> list[tuple[str, str, bool]]:
    """Return (kind, value, remove) for what the form changes against the `current` values:
    nothing for a field left as it was."""
    out: list[tuple[str, str, bool]] = []
    if form["sentiment"] != (current.get("sentiment") or ["neutral"])[0]:
        out.append(("sentiment", form["sentiment"], False))
    intent_now = (current.get("intent") or [NONE])[0]
    if form["intent"] not in (intent_now, NONE):
        out.append(("intent", form["intent"], False))
    for kind in kinds:
        before, after = set(current.get(kind, [])), set(form[kind])
        out += [(kind, v, False) for v in sorted(after - before)]
        out += [(kind, v, True) for v in sorted(before - after)]
    return out
