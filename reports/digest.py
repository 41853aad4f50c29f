"""The managers' weekly digest: one ISO week of third-party perception against the week
before and the 4-week mean, as an e-mail (plain text + HTML with inline charts) or a file.

Every figure is read through store.queries and derived in store.figures, as the dashboard
does, so the digest and the dashboard agree for the same week.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from collectors.errors import error_message
from pulse.settings import Settings
from reports import charts, kpis
from reports.i18n import t
from reports.render import environment, safe_url
from reports.shares import Share, presence, sentiment
from store.db import transaction
from store.figures import (
    MIN_COMPARABLE,
    comparable,
    compare_weeks,
    last_complete_week,
    monday,
    resonance,
    rising,
    share_of_voice,
    source_status,
)
from store.quantify import Calibration
from store.queries import (
    Filters,
    count_mentions,
    items_per_day,
    latest_mentions,
    source_days,
    source_health,
    tag_counts_by_voice,
    tag_volume,
    top_stories,
    volume_by_sentiment,
    weekly_by_voice,
)

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
PERCEPTION_CID = "perception"


class WeekError(ValueError):
    """A week given in a form Pulse does not read."""


def parse_week(text: str) -> date:
    """Return the Monday of an ISO week written "2026-W48"."""
    match = _WEEK.match(text.strip())
    if not match:
        raise WeekError(f"{text!r} is not an ISO week; write e.g. 2026-W48")
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise WeekError(f"{text!r}: {match.group(1)} has no week {match.group(2)}") from None


def default_week(tz: ZoneInfo, now: datetime | None = None) -> date:
    """Return the Monday of the last complete ISO week in `tz` (Europe/Stockholm)."""
    today = (now or datetime.now(tz)).astimezone(tz).date()
    return last_complete_week(today)


@dataclass
class Digest:
    """A rendered digest: subject, plain text, HTML (charts as cid: references) and the
    charts' PNG bytes by content id."""

    week: date
    lang: str
    subject: str
    text: str
    html: str
    images: dict[str, bytes] = field(default_factory=dict)
    data: dict = field(default_factory=dict)

    def standalone_html(self) -> str:
        """Return the HTML with each chart inlined as a data: URI (for a file or a
        browser); the mail keeps the cid: references."""
        import base64

        html = self.html
        for cid, data in self.images.items():
            html = html.replace(f"cid:{cid}",
                                "data:image/png;base64," + base64.b64encode(data).decode())
        return html


def _week_days(week: date) -> tuple[date, date]:
    return week, week + timedelta(days=6)


def _sentiment_counts(rows: list[dict], weeks: list[date]) -> dict[str, float]:
    counts: dict[str, float] = defaultdict(float)
    wanted = set(weeks)
    for r in rows:
        if r["voice"] == "third_party" and r["week"] in wanted:
            counts[r["sentiment"]] += r["count"] / len(weeks)
    return counts


def _residents_group(settings: Settings) -> str | None:
    """The target group whose behaviour goal is expressing ideas and needs (residents)."""
    for group in settings.strategy.target_group:
        if group.signal and group.signal.kind == "intent" and group.signal.value == "idea_need":
            return group.id
    return None


def collect(session: Session, settings: Settings, week: date,
            calibration: Calibration) -> dict:
    """Return the digest's figures for the ISO week starting on `week` (language-free)."""
    week = monday(week)
    first, last = _week_days(week)
    window = Filters(start=week - timedelta(weeks=4), end=last, voice=None)
    third_window = replace(window, voice="third_party")
    this_week = Filters(start=first, end=last)
    weekly = weekly_by_voice(session, window)
    weeks = compare_weeks(weekly, week)
    previous = [week - timedelta(weeks=k) for k in range(1, 5)]
    sentiments = {name: sentiment(_sentiment_counts(weekly, ws), calibration)
                  for name, ws in (("this", [week]), ("last", previous[:1]),
                                   ("avg4", previous))}
    strategy = settings.strategy
    by_voice = tag_counts_by_voice(session, this_week, "message")
    total_third = by_voice["totals"].get("third_party", 0)
    messages = []
    before = tag_counts_by_voice(session, Filters(start=previous[-1], end=week - timedelta(1)),
                                 "message")
    before_shares = {r["value"]: r["share"] for r in resonance(before, strategy.ids("message"))}
    for r in resonance(by_voice, strategy.ids("message")):
        messages.append({"value": r["value"], "count": r["count"],
                         "share": presence(r["count"], total_third, calibration,
                                           f"message:{r['value']}"),
                         "avg4": before_shares.get(r["value"])})
    cities = []
    city_rows = tag_volume(session, replace(third_window, lang="en"), "city", "week")
    sov_week = [r for r in share_of_voice(city_rows) if r["bucket"] == week]
    pooled: dict[str, int] = defaultdict(int)
    for r in city_rows:
        if r["bucket"] in previous:
            pooled[r["value"]] += r["count"]
    pooled_total = sum(pooled.values())
    week_total = sum(r["count"] for r in sov_week)
    for city in strategy.benchmark_city:
        row = next((r for r in sov_week if r["value"] == city.id), None)
        cities.append({"value": city.id, "home": city.home, "count": row["count"] if row else 0,
                       "share": presence(row["count"] if row else 0, week_total,
                                         Calibration({}), f"city:{city.id}"),
                       "avg4": pooled[city.id] / pooled_total if pooled_total else None})
    residents = _residents_group(settings)
    health = {r["key"]: r for r in source_health(session)}
    home = strategy.home_city
    week_kpis = []
    for kpi in settings.pulse.kpis:
        value = kpis.measure(session, kpi, first, last, kpis.week_label(week), calibration,
                             home.id if home else None)
        week_kpis.append({"kpi": kpi, "value": value})
    return {
        "week": week, "first": first, "last": last,
        "figures": weeks, "comparable": comparable(weeks["this"], weeks["last"]),
        "comparable_avg": comparable(weeks["this"], weeks["avg4"]),
        "sentiment": sentiments,
        "perception": volume_by_sentiment(
            session, Filters(start=week - timedelta(weeks=11), end=last), "week"),
        "rising_topics": rising(tag_volume(session, third_window, "topic", "week"), week),
        "rising_keywords": rising(tag_volume(session, third_window, "keyword", "week"), week),
        "messages": messages,
        "top_positive": top_stories(session, replace(this_week, sentiment="positive"), 3),
        "top_negative": top_stories(session, replace(this_week, sentiment="negative"), 3),
        "ideas": top_stories(session, replace(this_week, intent="idea_need",
                                              audience=residents), 5),
        "needs_answer_count": count_mentions(session, Filters(voice=None,
                                                               response="needs_answer")),
        "needs_answer": latest_mentions(session, Filters(voice=None, response="needs_answer"),
                                        limit=8),
        "cities": cities, "cities_total": week_total,
        "sources": source_days(session, first, last), "health": health,
        "days": items_per_day(session, first, last),
        "kpis": week_kpis,
        "activities": [a for a in settings.calendar if a.start <= last and a.end >= first],
    }


def blind_spots(data: dict, lang: str) -> list[str]:
    """Return, in words, what Pulse could not see in the digest's period: each source that
    failed, was disabled or had no token, and the days without any collected mention."""
    lines = []
    for s in data["sources"]:
        now = data["health"].get(s["key"])
        status = source_status(now) if now else "never"
        days = ", ".join(d.isoformat() for d in s["failed_days"] or s["disabled_days"])
        if status == "off" or not s["enabled"]:
            lines.append(t("blind_off", lang, name=s["name"]))
        elif s["last_error_kind"] == "no_credentials" or status == "no_token":
            lines.append(t("blind_no_token", lang, name=s["name"],
                           why=error_message("no_credentials", lang)))
        elif s["disabled_runs"] or status == "disabled":
            lines.append(t("blind_disabled", lang, name=s["name"], key=s["key"],
                           days=days or t("blind_now", lang)))
        elif s["failures"]:
            lines.append(t("blind_failed", lang, name=s["name"], n=s["failures"], days=days,
                           why=error_message(s["last_error_kind"] or "unexpected", lang)))
        elif not s["runs"] and not (now and now["last_success_at"]
                                    and data["first"] <= _day(now["last_success_at"])):
            lines.append(t("blind_never", lang, name=s["name"]))
    empty_days = [data["first"] + timedelta(days=k) for k in range(7)
                  if data["first"] + timedelta(days=k) not in data["days"]]
    if empty_days:
        lines.append(t("blind_days", lang, days=", ".join(_day_name(d, lang)
                                                           for d in empty_days)))
    return lines


def _day(when: datetime) -> date:
    return when.astimezone(ZoneInfo("Europe/Stockholm")).date()


DAY_NAMES = {"sv": ("mån", "tis", "ons", "tor", "fre", "lör", "sön"),
             "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def _day_name(day: date, lang: str) -> str:
    return f"{DAY_NAMES[lang][day.weekday()]} {day.isoformat()}"


def _change(now: float | None, before: float | None, pct: bool, ok: bool) -> str | None:
    if not ok or now is None or before is None:
        return None
    diff = now - before
    return f"{diff * 100:+.0f} pe" if pct else f"{diff:+.0f}"


def _number(value: float | None, lang: str = "sv") -> str:
    if value is None:
        return "–"
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    text = text.replace(",", "\u2009")
    return text.replace(".", ",") if lang == "sv" else text


def _percent(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value * 100:{'+' if signed else ''}.0f} %"


def headline_rows(data: dict, lang: str) -> list[dict]:
    """Return the headline table: per figure this week, the week before, the 4-week mean,
    and the changes (None when the numbers are too small for a comparison)."""
    f, s = data["figures"], data["sentiment"]
    ok, ok_avg = data["comparable"], data["comparable_avg"]
    this, last, avg = f["this"], f["last"], f["avg4"]
    unit = "pp" if lang == "en" else "pe"

    def pct_change(a: Share, b: Share, good: bool) -> str | None:
        if not good or a.value is None or b.value is None:
            return None
        return f"{(a.value - b.value) * 100:+.0f} {unit}"

    rows = [{"name": t("third_party_volume", lang), "this": _number(this.third_party, lang),
             "last": _number(last.third_party, lang), "avg4": _number(avg.third_party, lang),
             "vs_last": _change(this.third_party, last.third_party, False, ok),
             "vs_avg": _change(this.third_party, avg.third_party, False, ok_avg),
             "value": this.third_party},
            {"name": t("net_sentiment", lang), "this": s["this"]["net"].text(lang, True),
             "last": s["last"]["net"].short(True), "avg4": s["avg4"]["net"].short(True),
             "vs_last": pct_change(s["this"]["net"], s["last"]["net"], ok),
             "vs_avg": pct_change(s["this"]["net"], s["avg4"]["net"], ok_avg),
             "value": s["this"]["net"].counted},
            {"name": t("share_negative", lang), "this": s["this"]["negative"].text(lang),
             "last": s["last"]["negative"].short(), "avg4": s["avg4"]["negative"].short(),
             "vs_last": pct_change(s["this"]["negative"], s["last"]["negative"], ok),
             "vs_avg": pct_change(s["this"]["negative"], s["avg4"]["negative"], ok_avg),
             "value": s["this"]["negative"].counted},
            {"name": t("third_party_share", lang), "this": _percent(this.share_of_voice),
             "last": _percent(last.share_of_voice), "avg4": _percent(avg.share_of_voice),
             "vs_last": _change(this.share_of_voice, last.share_of_voice, True, ok)
             and f"{(this.share_of_voice - last.share_of_voice) * 100:+.0f} {unit}",
             "vs_avg": _change(this.share_of_voice, avg.share_of_voice, True, ok_avg)
             and f"{(this.share_of_voice - avg.share_of_voice) * 100:+.0f} {unit}",
             "value": this.share_of_voice},
            {"name": t("own_posts", lang), "this": _number(this.own, lang),
             "last": _number(last.own, lang), "avg4": _number(avg.own, lang),
             "vs_last": None, "vs_avg": None, "value": this.own,
             "no_compare": True}]
    for r in rows:
        r.setdefault("no_compare", False)
    return rows


def _story(r: dict, lang: str, tz: ZoneInfo) -> dict:
    text = (r.get("title") or r.get("text") or "").strip()
    snippet = (r.get("text") or "").strip() if r.get("title") else ""
    meta = [r.get("source_name") or r.get("source") or "",
            r["published_at"].astimezone(tz).date().isoformat()]
    if r.get("engagement"):
        meta.append(t("engagement_n", lang, n=r["engagement"]))
    if r.get("copies", 1) > 1:
        meta.append(t("copies_n", lang, n=r["copies"]))
    return {"title": _clip(text, 140), "snippet": _clip(snippet, 220), "meta": " · ".join(meta),
            "url": safe_url(r.get("url")), "source": r.get("source_name") or r.get("source"),
            "day": r["published_at"].astimezone(tz).date().isoformat(),
            "engagement": r.get("engagement", 0), "copies": r.get("copies", 1),
            "sentiment": r.get("sentiment")}


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def render(data: dict, settings: Settings, lang: str, demo: bool = False) -> Digest:
    """Render the digest's figures in `lang`: subject, plain text, HTML and the chart."""
    tz = settings.pulse.general.zone
    strategy = settings.strategy
    week = data["week"]
    label = kpis.week_label(week)
    chart = charts.perception_chart(data["perception"], lang)
    images = {PERCEPTION_CID: charts.png(chart, scale=1.5)} if chart is not None else {}
    total = data["figures"]["this"].third_party + data["figures"]["this"].own
    headline = headline_rows(data, lang)
    net = data["sentiment"]["this"]["net"]
    summary = (f"{_number(data['figures']['this'].third_party)} "
               f"{t('third_party_volume', lang).lower()}, {t('net_sentiment', lang).lower()} "
               f"{net.short(True)}") if total else t("no_data_short", lang)
    ctx = {
        "lang": lang, "t": lambda key, **kw: t(key, lang, **kw), "week": label,
        "start": data["first"].isoformat(), "end": data["last"].isoformat(),
        "empty": not total and not sum(data["days"].values()),
        "no_third": not data["figures"]["this"].third_party,
        "headline": headline, "comparable": data["comparable"], "min_n": MIN_COMPARABLE,
        "chart": PERCEPTION_CID if images else None,
        "rising_topics": [{"label": strategy.label("topic", r["value"], lang),
                           "this": _number(r["this"], lang), "avg": _number(r["avg4"], lang)}
                          for r in data["rising_topics"]],
        "rising_keywords": [{"label": strategy.label("keyword", r["value"], lang),
                             "this": _number(r["this"], lang), "avg": _number(r["avg4"], lang)}
                            for r in data["rising_keywords"]],
        "messages": [{"label": strategy.label("message", m["value"], lang),
                      "count": m["count"], "share": m["share"].text(lang),
                      "avg4": _percent(m["avg4"])} for m in data["messages"]],
        "top_positive": [_story(r, lang, tz) for r in data["top_positive"]],
        "top_negative": [_story(r, lang, tz) for r in data["top_negative"]],
        "ideas": [_story(r, lang, tz) for r in data["ideas"]],
        "needs_answer_count": data["needs_answer_count"],
        "needs_answer": [_story(r, lang, tz) for r in data["needs_answer"]],
        "cities": [{"label": strategy.label("benchmark_city", c["value"], lang),
                    "home": c["home"], "count": c["count"], "share": c["share"].text(lang),
                    "avg4": _percent(c["avg4"])} for c in data["cities"]
                   if c["count"] or c["avg4"]],
        "cities_total": data["cities_total"],
        "kpis": [{"label": getattr(k["kpi"].label, lang),
                  "value": (k["value"].share.text(lang, k["kpi"].metric == "net_sentiment")
                            if k["value"].share else
                            kpis.format_value(k["kpi"], k["value"].value, lang)),
                  "target": kpis.target_text(k["kpi"], lang), "met": k["value"].met(k["kpi"]),
                  "n": k["value"].n, "above": k["kpi"].direction == "at_most"}
                 for k in data["kpis"]],
        "activities": [{"name": a.name, "start": a.start.isoformat(), "end": a.end.isoformat()}
                       for a in data["activities"]],
        "blind": blind_spots(data, lang),
        "demo": demo,
    }
    env = environment()
    subject = t("digest_subject", lang, week=label, headline=summary)
    if demo:
        subject = f"[{t('sample_data', lang)}] {subject}"
    html = env.get_template("digest.html.j2").render(subject=subject, **ctx)
    text = env.get_template("digest.txt.j2").render(subject=subject, **ctx)
    return Digest(week=week, lang=lang, subject=subject, text=text, html=html, images=images,
                  data=data)


def build(engine: Engine, settings: Settings, week: date, lang: str,
          calibration: Calibration | None = None, demo: bool = False) -> Digest:
    """Read and render the digest of the ISO week starting on `week` in `lang`."""
    from reports.shares import load_calibration

    calibration = calibration if calibration is not None else load_calibration()
    with transaction(engine) as session:
        data = collect(session, settings, week, calibration)
    return render(data, settings, lang, demo)
