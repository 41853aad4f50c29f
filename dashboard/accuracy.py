"""The accuracy panel of the review page: the model's measured figures per task (from
nlp.evaluate.load_figures), how each changed against the previous model, and how many analyst
reviews have been made since the measurement (they feed the next `pulse train`)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.context import Context
from dashboard.data import engine
from dashboard.i18n import t
from nlp.calibration import calibration_path
from nlp.evaluate import TASKS, load_figures
from store.db import transaction
from store.review import reviews_since


def _known(value) -> bool:
    return isinstance(value, int | float) and not math.isnan(value)


def _value(entry: dict) -> str:
    if not _known(entry.get("value")):
        return "–"  # measured on no mention (NaN in the file)
    if not (_known(entry.get("low")) and _known(entry.get("high"))):
        return f"{entry['value']:.0%}"
    return f"{entry['value']:.0%} ({entry['low']:.0%}–{entry['high']:.0%})"


def accuracy_rows(figures: dict, previous: dict | None, lang: str) -> list[dict]:
    """Return one table row per measured task (in nlp.evaluate's task order): task, metric,
    value with its 95 % interval, mentions measured on, and the change in percentage points
    against `previous` (the previous model's figures; "–" where it lacks the task)."""
    rows = []
    for task in [*[x for x in TASKS if x in figures], *sorted(set(figures) - set(TASKS))]:
        entry = figures[task]
        before = (previous or {}).get(task)
        change = "–"
        if before and _known(before.get("value")) and _known(entry.get("value")):
            delta = (entry["value"] - before["value"]) * 100
            change = t("accuracy_points", lang, d=f"{delta:+.1f}")
        rows.append({t("accuracy_task", lang): t(f"task_{task}", lang),
                     t("accuracy_metric", lang): t(f"metric_{entry['metric']}", lang),
                     t("accuracy_value", lang): _value(entry),
                     t("accuracy_n", lang): entry["n"],
                     t("accuracy_change", lang): change})
    return rows


def _since(measured: str | None) -> datetime | None:
    try:
        day = date.fromisoformat(measured) if measured else None
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def accuracy_panel(ctx: Context, path: Path | None = None) -> None:
    """Draw the panel: figures per task and their change, or, without a calibration file,
    that the model is not measured yet and which command measures it; then the reviews
    made since the measurement (all of them when there is none)."""
    lang = ctx.lang
    st.subheader(t("accuracy_title", lang))
    data = load_figures(path or calibration_path())
    figures = data.get("figures") or {}
    if not figures:
        st.info(t("accuracy_none", lang))
    else:
        st.caption(t("accuracy_measured", lang, tagger=data.get("tagger") or "–",
                     date=data.get("date") or "–", source=data.get("source") or "–"))
        history = data.get("history") or []
        previous = history[-1] if history else None
        st.dataframe(pd.DataFrame(accuracy_rows(figures, (previous or {}).get("figures"),
                                                lang)),
                     hide_index=True, key="accuracy_table")
        if previous:
            st.caption(t("accuracy_previous", lang, tagger=previous.get("tagger") or "–",
                         date=previous.get("date") or "–"))
        else:
            st.caption(t("accuracy_first", lang))
    since = _since(data.get("date")) if figures else None
    with transaction(engine(ctx.url)) as session:
        counts = reviews_since(session, since)
    if since:
        st.markdown(t("reviews_since", lang, date=data["date"], **counts))
    else:
        st.markdown(t("reviews_all", lang, **counts))
