"""Measurement points: each [[kpi]] of pulse.toml week by week against its target (the same
figures as the digest and the yearly report, reports.kpis)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard.context import Context, current
from dashboard.data import CACHE_TTL, engine
from dashboard.i18n import t
from store.figures import last_complete_week

WEEKS = 12


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _weekly(url: str | None, end: date) -> dict:
    from reports import kpis
    from reports.shares import load_calibration
    from store.db import transaction

    settings = current().settings
    last = last_complete_week(end)
    weeks = [last - timedelta(weeks=k) for k in range(WEEKS - 1, -1, -1)]
    home = settings.strategy.home_city
    with transaction(engine(url)) as session:
        return {"weeks": weeks, "values": kpis.weekly(session, settings.pulse.kpis, weeks,
                                                      load_calibration(),
                                                      home.id if home else None)}


def render(ctx: Context) -> None:
    """Draw the measurement points page."""
    from reports import charts, kpis

    lang = ctx.lang
    st.header(t("kpis_title", lang))
    st.caption(t("kpis_help", lang))
    data = _weekly(ctx.url, ctx.filters.end or date.today())
    for kpi in ctx.settings.pulse.kpis:
        values = data["values"][kpi.id]
        latest = values[-1]
        met = latest.met(kpi)
        st.subheader(getattr(kpi.label, lang))
        shown = (latest.share.text(lang, kpi.metric == "net_sentiment") if latest.share
                 else kpis.format_value(kpi, latest.value, lang))
        status = "–" if met is None else ("✓ " + t("on_target", lang) if met
                                         else "✗ " + t("off_target", lang))
        st.markdown(f"**{t('kpi_latest', lang)} ({latest.label}):** {shown} · "
                    f"{t('target', lang)} {kpis.target_text(kpi, lang)} · {status} · "
                    f"{t('rests_on', lang)} {latest.n}")
        chart = charts.series_chart([{"label": v.label, "value": v.value} for v in values],
                                    lang, kpi.target, kpi.is_share)
        if chart is not None:
            st.altair_chart(chart, width="stretch")
        with st.expander(t("show_table", lang)):
            st.dataframe(pd.DataFrame([{t("week_col", lang): v.label,
                                        t("value", lang): kpis.format_value(kpi, v.value, lang),
                                        "n": v.n} for v in values]),
                         hide_index=True, width="stretch", key=f"table-kpi-{kpi.id}")


render(current())
