"""The yearly report (strategy section 5: "Resultatet publiceras i en årlig rapport"): per
quarter third-party perception, keywords, core messages, target groups, topics, the
benchmark against other cities, the measurement points week by week against their targets,
the year's activities and how each was received, and what Pulse could not see.

A one-page summary comes first; the HTML has print CSS (A4, page numbers) and is turned into
a PDF by reports.pdf (WeasyPrint). Every figure is read through store.queries.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from collectors.errors import error_message
from pulse.settings import Settings
from reports import activities, charts, kpis
from reports.activities import Document
from reports.i18n import t
from reports.render import environment
from reports.shares import Share, load_calibration, presence, sentiment
from store.db import transaction
from store.figures import monday
from store.quantify import Calibration
from store.queries import (
    Filters,
    count_mentions,
    group_figures,
    items_per_day,
    source_days,
    tag_counts,
    tag_volume,
    volume_by_sentiment,
)

TAG_KINDS = ("keyword", "message", "topic")


def quarters(year: int, today: date) -> list[dict]:
    """Return the year's quarters as [{"label", "start", "end", "future"}]; a quarter that
    has begun ends at `today` at the latest."""
    out = []
    for q in range(4):
        start = date(year, 3 * q + 1, 1)
        end = (date(year + 1, 1, 1) if q == 3 else date(year, 3 * q + 4, 1)) - timedelta(1)
        out.append({"label": f"Q{q + 1}", "start": start, "end": min(end, today),
                    "future": start > today, "full_end": end})
    return out


def _quarter(session: Session, q: dict, settings: Settings, calibration: Calibration) -> dict:
    f = Filters(start=q["start"], end=q["end"])
    figures = group_figures(session, f, (), TAG_KINDS)
    total = figures["total"]
    groups = defaultdict(lambda: defaultdict(int))
    for r in tag_counts(session, f, "audience"):
        groups[r["value"]][r["sentiment"]] += r["count"]
    cities: dict[str, int] = defaultdict(int)
    for r in tag_volume(session, Filters(start=q["start"], end=q["end"], lang="en"), "city",
                        "week"):
        cities[r["value"]] += r["count"]
    city_total = sum(cities.values())
    home = settings.strategy.home_city
    return {
        **q, "total": total, "own": count_mentions(session, Filters(
            start=q["start"], end=q["end"], voice="own")),
        "sentiment_counts": figures["sentiment"],
        "sentiment": sentiment(figures["sentiment"], calibration),
        "tags": {kind: {ident: presence(figures["tags"][kind].get(ident, 0), total,
                                        calibration, f"{kind}:{ident}")
                        for ident in settings.strategy.ids(kind)} for kind in TAG_KINDS},
        "tag_counts": figures["tags"],
        "groups": {g: {"total": sum(c.values()), "shares": sentiment(c, calibration)}
                   for g, c in groups.items()},
        "cities": {c: presence(n, city_total, Calibration({}), f"city:{c}")
                   for c, n in cities.items()}, "city_total": city_total,
        "home_share": presence(cities.get(home.id, 0) if home else 0, city_total,
                               Calibration({}), "city"),
        "kpis": {k.id: kpis.measure(session, k, q["start"], q["end"], q["label"], calibration,
                                    home.id if home else None) for k in settings.pulse.kpis},
        "blind": source_days(session, q["start"], q["end"]),
        "days": items_per_day(session, q["start"], q["end"]),
    }


def collect(session: Session, settings: Settings, year: int, calibration: Calibration,
            today: date) -> dict:
    """Return the year's figures: per quarter, per week (perception and measurement
    points), the whole year, and the activities of the year evaluated."""
    qs = quarters(year, today)
    done = [q for q in qs if not q["future"]]
    per_quarter = [_quarter(session, q, settings, calibration) for q in done]
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    year_q = _quarter(session, {"label": str(year), "start": start, "end": end,
                                "future": False, "full_end": date(year, 12, 31)},
                      settings, calibration) if done else None
    first_week = monday(start) if start.weekday() < 4 else monday(start) + timedelta(weeks=1)
    weeks = []
    w = first_week
    while w + timedelta(days=6) <= end:
        weeks.append(w)
        w += timedelta(weeks=1)
    home = settings.strategy.home_city
    weekly = kpis.weekly(session, settings.pulse.kpis, weeks, calibration,
                         home.id if home else None) if weeks else {}
    acts = [activities.evaluate(session, a, calibration, today) for a in settings.calendar
            if a.start.year == year or a.end.year == year]
    perception = volume_by_sentiment(session, Filters(start=start, end=end), "week")
    return {"year": year, "quarters": qs, "done": per_quarter, "year_figures": year_q,
            "weeks": weeks, "kpi_weeks": weekly, "activities": acts,
            "perception": perception, "today": today}


def _img(png: bytes | None) -> str | None:
    return "data:image/png;base64," + base64.b64encode(png).decode() if png else None


def _blind_lines(q: dict, lang: str) -> list[str]:
    lines = []
    for s in q["blind"]:
        if s["failures"]:
            lines.append(t("blind_failed", lang, name=s["name"], n=s["failures"],
                           days=_days(s["failed_days"], lang),
                           why=error_message(s["last_error_kind"] or "unexpected", lang)))
        if s["disabled_runs"]:
            lines.append(t("blind_disabled", lang, name=s["name"], key=s["key"],
                           days=_days(s["disabled_days"], lang)))
    n_days = (q["end"] - q["start"]).days + 1
    empty = [q["start"] + timedelta(days=k) for k in range(n_days)
             if q["start"] + timedelta(days=k) not in q["days"]]
    if empty:
        lines.append(t("blind_days_n", lang, n=len(empty), days=_days(empty, lang)))
    return lines


def _days(days: list[date], lang: str) -> str:
    """Days as ranges: "2026-07-01 – 2026-07-14, 2026-08-03"."""
    if not days:
        return ""
    days = sorted(days)
    spans, first, prev = [], days[0], days[0]
    for d in days[1:]:
        if d == prev + timedelta(days=1):
            prev = d
            continue
        spans.append((first, prev))
        first = prev = d
    spans.append((first, prev))
    parts = [a.isoformat() if a == b else f"{a.isoformat()} – {b.isoformat()}"
             for a, b in spans]
    if len(parts) > 6:
        more = len(parts) - 6
        parts = [*parts[:6], (f"och {more} perioder till" if lang == "sv"
                              else f"and {more} more periods")]
    return ", ".join(parts)


def _pct(share: Share | None, lang: str, signed: bool = False) -> str:
    return share.short(signed) if share is not None else "–"


def render(data: dict, settings: Settings, lang: str, demo: bool = False) -> Document:
    """Render the report's HTML (charts inline) in `lang`."""
    strategy = settings.strategy
    done = data["done"]
    qlabels = [q["label"] for q in done]
    y = data["year_figures"]

    def tag_rows(kind: str) -> list[dict]:
        rows = []
        for ident in strategy.ids(kind):
            rows.append({"label": strategy.label(kind, ident, lang),
                         "cells": [q["tags"][kind][ident].short() for q in done],
                         "year": y["tags"][kind][ident].text(lang) if y else "–"})
        return rows

    topic_ids = sorted(strategy.ids("topic"),
                       key=lambda i: -(y["tags"]["topic"][i].value or 0) if y else 0)[:8]
    topic_rows = [r for i, r in zip(strategy.ids("topic"), tag_rows("topic"), strict=True)
                  if i in topic_ids]
    topic_rows.sort(key=lambda r: [strategy.label("topic", i, lang) for i in topic_ids]
                    .index(r["label"]))
    groups = [{"label": strategy.label("target_group", g, lang),
               "cells": [f"{q['groups'].get(g, {}).get('total', 0)} · "
                         f"{_pct(q['groups'].get(g, {}).get('shares', {}).get('net'), lang, True)}"
                         for q in done],
               "year": (f"{y['groups'].get(g, {}).get('total', 0)} · "
                        f"{_pct(y['groups'].get(g, {}).get('shares', {}).get('net'), lang, True)}"
                        if y else "–")} for g in strategy.ids("target_group")]
    cities = [{"label": strategy.label("benchmark_city", c.id, lang), "home": c.home,
               "cells": [q["cities"].get(c.id).short() if q["cities"].get(c.id) else "0 %"
                         for q in done],
               "year": y["cities"][c.id].text(lang) if y and y["cities"].get(c.id) else "–"}
              for c in strategy.benchmark_city]
    perception = [
        {"label": t("third_party_volume", lang), "cells": [str(q["total"]) for q in done],
         "year": str(y["total"]) if y else "–", "id": "volume"},
        {"label": t("net_sentiment", lang),
         "cells": [q["sentiment"]["net"].short(True) for q in done],
         "year": y["sentiment"]["net"].text(lang, True) if y else "–", "id": "net"},
        {"label": t("share_negative", lang),
         "cells": [q["sentiment"]["negative"].short() for q in done],
         "year": y["sentiment"]["negative"].text(lang) if y else "–", "id": "negative"},
        {"label": t("own_posts", lang), "cells": [str(q["own"]) for q in done],
         "year": str(y["own"]) if y else "–", "id": "own"},
    ]
    kpi_rows, kpi_charts = [], []
    for k in settings.pulse.kpis:
        values = [q["kpis"][k.id] for q in done]
        year_value = y["kpis"][k.id] if y else None
        kpi_rows.append({
            "label": getattr(k.label, lang), "target": kpis.target_text(k, lang),
            "cells": [kpis.format_value(k, v.value, lang) for v in values],
            "year": (year_value.share.text(lang, k.metric == "net_sentiment")
                     if year_value and year_value.share else
                     kpis.format_value(k, year_value.value if year_value else None, lang)),
            "met": year_value.met(k) if year_value else None,
            "above": k.direction == "at_most"})
        points = [{"label": f"{t('weeks_short', lang)}{w.isocalendar()[1]}",
                   "value": v.value} for w, v in zip(data["weeks"], data["kpi_weeks"].get(
                       k.id, []), strict=False)]
        chart = charts.series_chart(points, lang, k.target, k.is_share, width=300, height=110)
        kpi_charts.append({"label": getattr(k.label, lang), "target": kpis.target_text(k, lang),
                           "img": _img(charts.png(chart)) if chart is not None else None})
    acts = []
    for result in data["activities"]:
        a = result["activity"]
        by = {w["id"]: w for w in result["windows"]}
        acts.append({"name": a.name, "kind": t(f"kind_{a.kind}", lang),
                     "span": f"{a.start} – {a.end}",
                     "groups": ", ".join(strategy.label("target_group", g, lang)
                                         for g in a.target_groups) or "–",
                     "before": (f"{by['before']['per_day']:.1f}" if "before" in by else "–"),
                     "during": (f"{by['during']['per_day']:.1f}" if "during" in by else "–"),
                     "net": by["during"]["net"].text(lang, True) if "during" in by else "–",
                     "sentences": activities.summary_sentences(result, settings, lang)[1:]})
    summary = _summary(data, settings, lang, kpi_rows)
    chart_q = charts.quarter_chart([{"label": q["label"], "sentiment": q["sentiment_counts"]}
                                    for q in done], lang) if done else None
    chart_w = charts.perception_chart(data["perception"], lang, width=620, height=200)
    ctx = {"t": lambda key, **kw: t(key, lang, **kw), "lang": lang, "year": data["year"],
           "demo": demo, "qlabels": qlabels, "perception": perception,
           "keywords": tag_rows("keyword"), "messages": tag_rows("message"),
           "topics": topic_rows, "groups": groups, "cities": cities, "kpis": kpi_rows,
           "kpi_charts": kpi_charts, "activities": acts, "summary": summary,
           "chart_quarters": _img(charts.png(chart_q)) if chart_q is not None else None,
           "chart_weeks": _img(charts.png(chart_w)) if chart_w is not None else None,
           "blind": [{"label": q["label"], "lines": _blind_lines(q, lang)} for q in done],
           "made": data["today"].isoformat(), "empty": not done or not (y and y["total"])}
    html = environment().get_template("yearly.html.j2").render(**ctx)
    return Document(html, {}, data)


def _summary(data: dict, settings: Settings, lang: str, kpi_rows: list[dict]) -> list[str]:
    """Return the summary page's sentences."""
    y, done = data["year_figures"], data["done"]
    if not done or not y or not y["total"]:
        return [t("year_empty", lang, year=data["year"])]
    out = [t("sum_volume", lang, n=y["total"], own=y["own"],
             net=y["sentiment"]["net"].text(lang, True),
             neg=y["sentiment"]["negative"].text(lang))]
    if len(done) > 1:
        best = max(done, key=lambda q: q["sentiment"]["net"].value
                   if q["sentiment"]["net"].value is not None else -2)
        worst = min(done, key=lambda q: q["sentiment"]["net"].value
                    if q["sentiment"]["net"].value is not None else 2)
        out.append(t("sum_quarters", lang, best=best["label"],
                     best_net=best["sentiment"]["net"].short(True), worst=worst["label"],
                     worst_net=worst["sentiment"]["net"].short(True)))
    strategy = settings.strategy
    msgs = sorted(((y["tags"]["message"][m].value or 0, m) for m in strategy.ids("message")),
                  reverse=True)
    if msgs and msgs[0][0]:
        out.append(t("sum_message", lang, label=strategy.label("message", msgs[0][1], lang),
                     share=y["tags"]["message"][msgs[0][1]].text(lang)))
    if strategy.home_city and y["city_total"]:
        out.append(t("sum_sov", lang, share=y["home_share"].text(lang)))
    met = sum(1 for r in kpi_rows if r["met"])
    measured = sum(1 for r in kpi_rows if r["met"] is not None)
    out.append(t("sum_kpis", lang, met=met, n=measured))
    if data["activities"]:
        out.append(t("sum_activities", lang, n=len(data["activities"])))
    outages = sum(len(_blind_lines(q, lang)) for q in done)
    out.append(t("sum_blind", lang, n=outages) if outages else t("sum_blind_none", lang))
    return out


def build_yearly(engine: Engine, settings: Settings, year: int, lang: str,
                 calibration: Calibration | None = None, today: date | None = None,
                 demo: bool = False) -> Document:
    """Read and render the yearly report of `year` (up to today for the current year)."""
    calibration = calibration if calibration is not None else load_calibration()
    today = today or datetime.now(settings.pulse.general.zone).date()
    with transaction(engine) as session:
        data = collect(session, settings, year, calibration, today)
    return render(data, settings, lang, demo)
