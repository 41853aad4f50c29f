"""Measurement points (mätpunkter, strategy section 5): each [[kpi]] of pulse.toml measured
over a period (a week, a quarter) through store.queries, against its target."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from pulse.settings.reports import KpiConfig
from reports.shares import Share, presence, sentiment
from store.figures import responsiveness
from store.quantify import Calibration
from store.queries import (
    Filters,
    conversation_turns,
    count_mentions,
    tag_presence_by_week,
    tag_volume,
    volume_by_sentiment,
)


@dataclass(frozen=True)
class KpiValue:
    """One measurement of a point over one period: the value (a share, hours or stories),
    the share with its interval where it is one, how many it rests on, and whether it meets
    the target (None without a value)."""

    label: str
    start: date
    end: date
    value: float | None
    n: int
    share: Share | None = None
    detail: str = ""

    def met(self, kpi: KpiConfig) -> bool | None:
        """Return True when the value meets the target, False when not, None without one."""
        if self.value is None:
            return None
        return self.value >= kpi.target if kpi.direction == "at_least" else \
            self.value <= kpi.target


def kpi_filters(kpi: KpiConfig, start: date, end: date) -> Filters:
    """Return the store.queries filters of a measurement point over [start, end]."""
    f = kpi.filter
    return Filters(start=start, end=end, voice=None if f.voice == "all" else f.voice,
                   keyword=f.keyword, message=f.message, topic=f.topic, audience=f.audience,
                   intent=f.intent, city=f.city, lang=f.lang)


def measure(session: Session, kpi: KpiConfig, start: date, end: date, label: str,
            calibration: Calibration, home_city: str | None) -> KpiValue:
    """Measure one point over the local days [start, end]."""
    f = kpi_filters(kpi, start, end)
    if kpi.metric == "volume":
        n = count_mentions(session, f)
        return KpiValue(label, start, end, float(n), n)
    if kpi.metric in ("net_sentiment", "share_negative"):
        counts: dict[str, int] = defaultdict(int)
        for r in volume_by_sentiment(session, f, "week"):
            counts[r["sentiment"]] += r["count"]
        n = sum(counts.values())
        share = sentiment(counts, calibration)["net" if kpi.metric == "net_sentiment"
                                               else "negative"]
        return KpiValue(label, start, end, share.value, n, share)
    if kpi.metric == "share_with":
        kind, value = kpi.tag.split(":")
        n = count_mentions(session, f)
        present = sum(r["count"] for r in tag_presence_by_week(
            session, f, kind, None if value == "*" else value))
        share = presence(present, n, calibration, kpi.tag)
        return KpiValue(label, start, end, share.value, n, share, f"{present}/{n}")
    if kpi.metric == "share_of_voice":
        per_city: dict[str, int] = defaultdict(int)
        for r in tag_volume(session, f, "city", "week"):
            per_city[r["value"]] += r["count"]
        n = sum(per_city.values())
        home = per_city.get(home_city or "", 0)
        share = presence(home, n, Calibration({}), f"city:{home_city}")
        return KpiValue(label, start, end, share.value, n, share, f"{home}/{n}")
    turns = conversation_turns(session, start, end)
    result = responsiveness(turns["asks"], turns["answers"])
    if kpi.metric == "responsiveness":
        share = presence(result["answered"], result["asked"], Calibration({}), "answered")
        return KpiValue(label, start, end, share.value, result["asked"], share,
                        f"{result['answered']}/{result['asked']}")
    return KpiValue(label, start, end, result["median_hours"], result["answered"])


def weekly(session: Session, kpis, weeks: list[date], calibration: Calibration,
           home_city: str | None) -> dict[str, list[KpiValue]]:
    """Return each point's values week by week (ISO weeks starting on the given Mondays)."""
    return {k.id: [measure(session, k, w, w + timedelta(days=6), week_label(w), calibration,
                           home_city) for w in weeks] for k in kpis}


def week_label(monday: date) -> str:
    """Return the ISO week of a Monday as "2026-W48"."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def format_value(kpi: KpiConfig, value: float | None, lang: str) -> str:
    """Return a value as people read it: "23 %", "+12 %" (net sentiment), "5,5 h", "42"."""
    if value is None:
        return "–"
    if kpi.metric == "net_sentiment":
        return f"{value * 100:+.0f} %"
    if kpi.is_share:
        return f"{value * 100:.0f} %"
    if kpi.metric == "response_time":
        text = f"{value:.1f} h"
        return text.replace(".", ",") if lang == "sv" else text
    return f"{value:.0f}"


def target_text(kpi: KpiConfig, lang: str) -> str:
    """Return the target as "minst 25 %" / "at most 24,0 h"."""
    from reports.i18n import t

    return t(kpi.direction, lang, v=format_value(kpi, kpi.target, lang))
