"""Activities: each activity of the campaign calendar, before against during and after,
among its target groups (reports.activities, the same figures as `pulse report --activity`),
with the public summary for residents to download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.context import Context, current
from dashboard.data import CACHE_TTL, engine
from dashboard.i18n import t


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _report(url: str | None, activity_id: str, lang: str, public: bool):
    from reports.activities import build_activity_report

    ctx = current()
    activity = next(a for a in ctx.settings.calendar if a.id == activity_id)
    return build_activity_report(engine(url), ctx.settings, activity, lang, public=public,
                                 chart_name=f"{activity_id}-diagram.png")


def render(ctx: Context) -> None:
    """Draw the activities page."""
    from reports.activities import summary_sentences
    from reports.i18n import t as rt

    lang = ctx.lang
    st.header(t("activities_title", lang))
    st.caption(t("activities_help", lang))
    calendar = list(ctx.settings.calendar)
    if not calendar:
        st.info(t("no_activities", lang))
        return
    chosen = st.selectbox(t("pick_activity", lang), [a.id for a in calendar], key="activity",
                          format_func=lambda i: next(f"{a.name} ({a.start} – {a.end})"
                                                     for a in calendar if a.id == i))
    doc = _report(ctx.url, chosen, lang, False)
    result = doc.data
    for sentence in summary_sentences(result, ctx.settings, lang):
        st.write(sentence)
    from reports.charts import window_chart

    if result["windows"]:
        st.altair_chart(window_chart([{"label": rt(f"win_{w['id']}", lang), "days": w["days"],
                                       "sentiment": w["sentiment"]}
                                      for w in result["windows"]], lang), width="stretch")
    rows = []
    for w in result["windows"]:
        row = {rt("window", lang): rt(f"win_{w['id']}", lang),
               t("period", lang): f"{w['start']} – {w['end']}",
               rt("stories_n", lang): w["total"],
               rt("per_day_h", lang): round(w["per_day"], 1),
               rt("net_sentiment", lang): w["net"].text(lang, True),
               rt("share_negative", lang): w["negative"].text(lang)}
        for r in w["resonance"]:
            row[ctx.label(r["kind"], r["id"])] = r["share"].text(lang)
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="table-activity")
    public = _report(ctx.url, chosen, lang, True)
    st.caption(t("public_help", lang))
    cols = st.columns(2)
    cols[0].download_button(t("download_summary", lang), public.html.encode("utf-8"),
                            file_name=f"{chosen}.html", mime="text/html",
                            key="download-summary", on_click="ignore")
    for name, data in public.files.items():
        cols[1].download_button(t("download_chart", lang), data, file_name=name,
                                mime="image/png", key="download-chart", on_click="ignore")


render(current())
