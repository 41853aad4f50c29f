"""Activity evaluation (strategy section 5: activities for residents are evaluated and
reported continuously): for each activity of the campaign calendar, the days before it
against the days during and after it, among its target groups — volume, sentiment, and the
resonance of its keywords and core messages — with the uncertainty of small numbers.

The public summary (`public=True`) is plain Swedish (or English) for the city's channels:
counts and shares only, no post text, no author, nothing that identifies a person.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from pulse.settings import Settings
from pulse.settings.calendar import Activity
from reports import charts
from reports.i18n import t
from reports.render import environment, safe_url
from reports.shares import load_calibration, presence, sentiment
from store.db import transaction
from store.quantify import Calibration
from store.queries import Filters, group_figures, top_stories

MIN_WINDOW_DAYS = 14
FEW = 10  # fewer stories than this in a window: its change is "too few for a comparison"


@dataclass
class Document:
    """A rendered report: its HTML and the files that go beside it (suffix → bytes)."""

    html: str
    files: dict[str, bytes] = field(default_factory=dict)
    data: dict = field(default_factory=dict)


def windows(activity: Activity, today: date) -> list[dict]:
    """Return the before, during and after windows of an activity as [{"id", "start",
    "end", "days"}]: before and after last as long as the activity, at least 14 days; a
    window that has not begun by `today` is left out, one under way ends today."""
    length = max(activity.days, MIN_WINDOW_DAYS)
    spans = [("before", activity.start - timedelta(days=length),
              activity.start - timedelta(days=1)),
             ("during", activity.start, activity.end),
             ("after", activity.end + timedelta(days=1), activity.end + timedelta(days=length))]
    out = []
    for ident, start, end in spans:
        if start > today:
            continue
        end = min(end, today)
        out.append({"id": ident, "start": start, "end": end, "days": (end - start).days + 1})
    return out


def evaluate(session: Session, activity: Activity, calibration: Calibration,
             today: date) -> dict:
    """Return the activity's figures per window among its target groups (all third-party
    mentions when it names none): stories, per day, net sentiment and share negative, and
    the share carrying each of its keywords and core messages."""
    groups = tuple(activity.target_groups)
    out = []
    for w in windows(activity, today):
        f = Filters(start=w["start"], end=w["end"])
        figures = group_figures(session, f, groups)
        total = figures["total"]
        shares = sentiment(figures["sentiment"], calibration)
        resonance = []
        for kind, ids in (("keyword", activity.keywords), ("message", activity.messages)):
            for ident in ids:
                k = figures["tags"][kind].get(ident, 0)
                resonance.append({"kind": kind, "id": ident, "count": k,
                                  "share": presence(k, total, calibration, f"{kind}:{ident}")})
        out.append({**w, "total": total, "per_day": total / w["days"],
                    "sentiment": figures["sentiment"], "net": shares["net"],
                    "negative": shares["negative"], "resonance": resonance,
                    "few": total < FEW})
    return {"activity": activity, "windows": out}


def _ratio(during: dict | None, before: dict | None) -> float | None:
    if not during or not before or not before["per_day"] or during["few"] or before["few"]:
        return None
    return during["per_day"] / before["per_day"]


def _pct(value: float | None, signed: bool = False) -> str:
    return "–" if value is None else f"{value * 100:{'+' if signed else ''}.0f} %"


def _dec(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "sv" else text


def summary_sentences(result: dict, settings: Settings, lang: str) -> list[str]:
    """Return the evaluation in a few plain sentences (counts and shares only)."""
    activity = result["activity"]
    by_id = {w["id"]: w for w in result["windows"]}
    before, during, after = by_id.get("before"), by_id.get("during"), by_id.get("after")
    groups = [settings.strategy.label("target_group", g, lang) for g in activity.target_groups]
    who = (", ".join(groups) if groups else t("act_everyone", lang))
    lines = [t("act_lead", lang, name=activity.name, start=activity.start, end=activity.end,
               who=who.lower() if lang == "sv" else who)]
    if during:
        lines.append(t("act_during", lang, n=during["total"], per_day=_dec(during["per_day"], lang),
                       before=_dec(before["per_day"], lang) if before else "–"))
        ratio = _ratio(during, before)
        if ratio is not None:
            lines.append(t("act_ratio", lang, ratio=_dec(ratio, lang)))
        elif before:
            lines.append(t("act_few", lang, n=FEW))
        if during["total"]:
            lines.append(t("act_tone", lang, net=during["net"].text(lang, True),
                           before=before["net"].short(True) if before else "–"))
        for r in during["resonance"]:
            label = settings.strategy.label(r["kind"], r["id"], lang)
            lines.append(t("act_resonance", lang, label=label, share=r["share"].text(lang)))
    if after and after["total"]:
        lines.append(t("act_after", lang, n=after["total"], per_day=_dec(after["per_day"], lang),
                       net=after["net"].short(True)))
    return lines


def _window_rows(result: dict, settings: Settings, lang: str) -> list[dict]:
    rows = []
    for w in result["windows"]:
        rows.append({"label": t(f"win_{w['id']}", lang), "span": f"{w['start']} – {w['end']}",
                     "days": w["days"], "total": w["total"], "per_day": _dec(w["per_day"], lang),
                     "net": w["net"].text(lang, True), "negative": w["negative"].text(lang),
                     "few": w["few"],
                     "resonance": [{"label": settings.strategy.label(r["kind"], r["id"], lang),
                                    "share": r["share"].text(lang)} for r in w["resonance"]]})
    return rows


def chart_png(result: dict, lang: str) -> bytes | None:
    """Return the before/during/after chart (stories per day by sentiment) as PNG."""
    if not result["windows"]:
        return None
    chart = charts.window_chart([{"label": t(f"win_{w['id']}", lang), "days": w["days"],
                                  "sentiment": w["sentiment"]} for w in result["windows"]], lang)
    return charts.png(chart)


def build_activity_report(engine: Engine, settings: Settings, activity: Activity, lang: str,
                          public: bool = False, calibration: Calibration | None = None,
                          today: date | None = None, demo: bool = False,
                          chart_name: str = "-diagram.png") -> Document:
    """Return the evaluation of one activity: the analysts' page (with the most-engaged
    stories of each window), or with `public` the short summary for residents, whose chart
    is a file beside it (`chart_name`)."""
    from datetime import datetime

    calibration = calibration if calibration is not None else load_calibration()
    today = today or datetime.now(settings.pulse.general.zone).date()
    with transaction(engine) as session:
        result = evaluate(session, activity, calibration, today)
        stories = {} if public else {
            w["id"]: top_stories(session, Filters(start=w["start"], end=w["end"]), 3,
                                 tuple(activity.target_groups)) for w in result["windows"]}
    png = chart_png(result, lang)
    ctx = {"t": lambda key, **kw: t(key, lang, **kw), "lang": lang, "activity": activity,
           "kind": t(f"kind_{activity.kind}", lang), "sentences": summary_sentences(
               result, settings, lang), "rows": _window_rows(result, settings, lang),
           "demo": demo, "few": FEW,
           "groups": [settings.strategy.label("target_group", g, lang)
                      for g in activity.target_groups]}
    files = {}
    if public:
        if png:
            files[chart_name] = png
        ctx["chart"] = chart_name if png else None
        html = environment().get_template("activity_public.html.j2").render(**ctx)
    else:
        ctx["chart"] = ("data:image/png;base64," + base64.b64encode(png).decode()) if png else None
        ctx["stories"] = {w: [{"title": " ".join((s["title"] or s["text"] or "").split())[:140],
                               "url": safe_url(s["url"]), "source": s["source_name"],
                               "day": s["published_at"].date().isoformat(),
                               "sentiment": t(s["sentiment"] or "neutral", lang)}
                              for s in items] for w, items in stories.items()}
        html = environment().get_template("activity.html.j2").render(**ctx)
    return Document(html, files, result)
