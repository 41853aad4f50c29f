"""Overview: how third parties perceive Stockholm this week, and what changed."""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.charts import bucket_axis, count_axis, empty, sentiment_bars, with_table
from dashboard.context import Context, current
from dashboard.data import load
from dashboard.drill import drill_button
from dashboard.drivers import needs_answer, spike_drivers, week_drivers
from dashboard.fmt import number, percent
from dashboard.i18n import t
from dashboard.shares import calibration, sentiment, week_counts
from store.figures import (
    MIN_COMPARABLE,
    comparable,
    compare_weeks,
    fastest_rising,
    rolling_net,
    spikes,
    totals_by_bucket,
)


def _delta(now: float | None, before: float | None, pct: bool) -> str | None:
    if now is None or before is None:
        return None
    diff = now - before
    return f"{diff * 100:+.0f} pp" if pct else f"{diff:+,.0f}".replace(",", "\u2009")


def _week_comparison(ctx: Context, data: dict) -> None:
    lang = ctx.lang
    week = data["this_week"]
    weeks = compare_weeks(data["weekly"], week)
    this, last, avg = weeks["this"], weeks["last"], weeks["avg4"]
    st.caption(t("period_used", lang, week=week.isocalendar().week, start=week.isoformat(),
                 end=(week + timedelta(days=6)).isoformat()))
    steady = comparable(this, last)
    if not steady:
        st.caption(t("too_few_to_compare", lang, n=MIN_COMPARABLE))

    def delta(now, before, pct: bool) -> str | None:
        return _delta(now, before, pct) if steady else None

    rising = fastest_rising(data["topics_weekly"], week)
    cols = [*st.columns(3), *st.columns([1, 2])]
    cols[0].metric(t("third_party_volume", lang), number(this.third_party),
                   delta=delta(this.third_party, last.third_party, False), delta_color="off",
                   help=t("vs_avg", lang, value=number(avg.third_party)))
    # Shares as the reports show them: bias-corrected with a 90 % interval, or counted and
    # said to be uncorrected (reports.shares).
    cal = calibration()
    now = sentiment(week_counts(data["weekly"], week), cal)
    before = sentiment(week_counts(data["weekly"], week - timedelta(weeks=1)), cal)
    # The metric shows the value (the whole text would be cut off), the caption under it the
    # text the reports show.
    cols[1].metric(t("net_sentiment", lang), now["net"].short(signed=True),
                   delta=delta(now["net"].value, before["net"].value, True),
                   help=t("net_help", lang) + " " + t("interval_help", lang) + " "
                   + t("vs_avg", lang, value=percent(avg.net, True)))
    cols[1].caption(now["net"].text(lang, signed=True))
    cols[2].metric(t("share_negative", lang), now["negative"].short(),
                   delta=delta(now["negative"].value, before["negative"].value, True),
                   delta_color="inverse",
                   help=t("interval_help", lang) + " "
                   + t("vs_avg", lang, value=percent(avg.share_negative)))
    cols[2].caption(now["negative"].text(lang))
    cols[3].metric(t("third_party_share", lang), percent(this.share_of_voice),
                   delta=delta(this.share_of_voice, last.share_of_voice, True),
                   delta_color="off",
                   help=t("sov_help", lang) + " "
                   + t("vs_avg", lang, value=percent(avg.share_of_voice)))
    if rising:
        cols[4].metric(t("rising_topic", lang), ctx.label("topic", rising["value"]),
                       delta=f"×{rising['growth']:.2f}" if rising["growth"] < 1.1
                       else f"×{rising['growth']:.1f}",
                       help=t("vs_avg", lang, value=number(rising["avg4"])))
    else:
        cols[4].metric(t("rising_topic", lang), t("no_rising", lang))
    period = (week, week + timedelta(days=6))
    left, right, _ = st.columns([1, 1, 2])
    with left:
        drill_button(t("drill_week", lang), "drill-week", lang, period=period)
    with right:
        drill_button(t("drill_week_negative", lang), "drill-week-negative", lang,
                     period=period, sentiment="negative")
    table = pd.DataFrame([
        {t("figure", lang): t(name, lang), t("this_week", lang): fmt(getattr(this, attr)),
         t("last_week", lang): fmt(getattr(last, attr)), t("avg4", lang): fmt(getattr(avg, attr))}
        for name, attr, fmt in (
            ("third_party_volume", "third_party", number), ("own_posts", "own", number),
            ("third_party_share", "share_of_voice", percent))])
    shares = pd.DataFrame([
        {t("figure", lang): t(name, lang), t("this_week", lang): now[key].text(lang, signed),
         t("last_week", lang): before[key].text(lang, signed),
         t("avg4", lang): percent(getattr(avg, attr), signed)}
        for name, key, attr, signed in (("net_sentiment", "net", "net", True),
                                        ("share_negative", "negative", "share_negative",
                                         False))])
    table = pd.concat([table.iloc[:2], shares, table.iloc[2:]], ignore_index=True)
    with st.expander(t("show_table", lang)):
        st.dataframe(table, hide_index=True, width="stretch", key="table-weeks")


def _over_time(ctx: Context, data: dict) -> None:
    lang = ctx.lang
    f = ctx.filters
    st.subheader(t("over_time" if f.voice == "third_party" else "over_time_any", lang))
    rows = data["volume"]
    if not rows:
        empty(lang)
        return
    date_col, count_col, sent_col = t("date", lang), t("count", lang), t("sentiment", lang)
    frame = pd.DataFrame([{date_col: r["bucket"].isoformat(), sent_col: t(r["sentiment"], lang),
                           count_col: r["count"]} for r in rows])
    domain = ctx.buckets()
    # Every bucket of the period, an empty one as 0: the spikes' baseline counts quiet days.
    present = {b[0].isoformat(): b for b in totals_by_bucket(rows)}
    buckets = [present.get(d) or (date.fromisoformat(d), 0, 0, 0) for d in domain] \
        or list(present.values())
    net_col = t("rolling_net", lang)
    peaks = set(spikes(buckets))
    trend = pd.DataFrame([{date_col: b[0].isoformat(), net_col: n,
                           t("spike", lang): b[0] in peaks, count_col: b[1]}
                          for b, n in zip(buckets, rolling_net(buckets), strict=True)])
    # Buckets as ordinal labels: bars fill their band (a time axis draws weeks as hairlines).
    bars = sentiment_bars(frame, date_col, count_col, lang, buckets=domain)
    line = alt.Chart(trend).mark_line(color="#000000", strokeDash=[4, 3]).encode(
        x=alt.X(f"{date_col}:O", **bucket_axis(domain)),
        y=alt.Y(f"{net_col}:Q", axis=alt.Axis(format="+%"), scale=alt.Scale(domain=[-1, 1])),
        tooltip=[date_col, alt.Tooltip(net_col, format="+.0%")])
    marked = trend[trend[t("spike", lang)]]
    left = bars
    if len(marked):
        left = alt.layer(bars, alt.Chart(marked).mark_text(
            text="▲", dy=-8, fontSize=14, color="#CC79A7").encode(
            x=alt.X(f"{date_col}:O", **bucket_axis(domain)),
            y=alt.Y(f"{count_col}:Q", axis=count_axis()),
            tooltip=[date_col, count_col]))
    chart = alt.layer(left, line).resolve_scale(y="independent")
    table = frame.pivot_table(index=date_col, columns=sent_col, values=count_col,
                              aggfunc="sum", fill_value=0).reset_index()
    table = table.merge(trend, on=date_col, how="right").fillna(
        {c: 0 for c in table.columns if c != date_col})
    with_table(chart, table, lang, "over-time")
    if peaks:
        st.markdown("**" + t("spikes", lang) + "**")
        spike_drivers(ctx, [(b[0], b[1]) for b in buckets if b[0] in peaks])
    else:
        st.caption(t("no_spikes", lang))


def render(ctx: Context) -> None:
    """Draw the overview page."""
    st.title(t("title", ctx.lang))
    data = load("overview", ctx.url, ctx.filters, ctx.granularity)
    if not data["total"]:
        empty(ctx.lang)
        return
    st.metric(t("mentions", ctx.lang), number(data["total"]))
    _week_comparison(ctx, data)
    week_drivers(ctx, data)
    needs_answer(ctx, data)
    _over_time(ctx, data)


render(current())
