"""Figures derived from aggregated query rows (store.queries): week-on-week comparisons,
spikes, rolling net sentiment, resonance and alignment. Pure functions, no Streamlit, no
database: the dashboard, the digest and the reports all derive their figures here, so a
figure is the same wherever it is shown."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

SPIKE_SIGMAS = 2.0
SPIKE_MIN_HISTORY = 4
SPIKE_MIN_COUNT = 5
MIN_COMPARABLE = 20  # fewer third-party mentions than this: no comparison is shown


def monday(day: date) -> date:
    """Return the Monday of the ISO week of `day`."""
    return day - timedelta(days=day.weekday())


def last_complete_week(day: date) -> date:
    """Return the Monday of the last ISO week that is complete on `day` (the week of `day`
    itself when `day` is its Sunday): week figures never compare a part week with whole ones."""
    this = monday(day)
    return this if day.weekday() == 6 else this - timedelta(weeks=1)


def net_sentiment(positive: int, negative: int, total: int) -> float | None:
    """Return (positive - negative) / total, or None when there is nothing to measure."""
    return (positive - negative) / total if total else None


@dataclass(frozen=True)
class WeekFigures:
    """Third-party perception in one week (or the mean of several)."""

    third_party: float
    own: float
    positive: float
    negative: float

    @property
    def net(self) -> float | None:
        """Net sentiment of third-party mentions."""
        return net_sentiment(self.positive, self.negative, self.third_party)

    @property
    def share_negative(self) -> float | None:
        """Share of third-party mentions that are negative."""
        return self.negative / self.third_party if self.third_party else None

    @property
    def share_of_voice(self) -> float | None:
        """Third-party share of all mentions (the rest is the city's own voice)."""
        total = self.third_party + self.own
        return self.third_party / total if total else None


def week_figures(rows: Iterable[dict], weeks: list[date]) -> WeekFigures:
    """Mean figures over `weeks` from store.queries.weekly_by_voice rows."""
    wanted = set(weeks)
    sums = defaultdict(float)
    for r in rows:
        if r["week"] in wanted:
            sums[r["voice"]] += r["count"]
            if r["voice"] == "third_party":
                sums[r["sentiment"]] += r["count"]
    n = max(len(weeks), 1)
    return WeekFigures(third_party=sums["third_party"] / n, own=sums["own"] / n,
                       positive=sums["positive"] / n, negative=sums["negative"] / n)


def compare_weeks(rows: Iterable[dict], this_week: date) -> dict[str, WeekFigures]:
    """Return figures for the week of `this_week`, the week before and the mean of the four
    weeks before it (callers pass a complete week, see last_complete_week)."""
    rows = list(rows)
    this_week = monday(this_week)
    previous = [this_week - timedelta(weeks=k) for k in range(1, 5)]
    return {"this": week_figures(rows, [this_week]),
            "last": week_figures(rows, previous[:1]),
            "avg4": week_figures(rows, previous)}


def comparable(*weeks: WeekFigures, minimum: int = MIN_COMPARABLE) -> bool:
    """Return True when every week rests on at least `minimum` third-party mentions: fewer,
    and a change says more about chance than about perception."""
    return all(w.third_party >= minimum for w in weeks)


def fastest_rising(rows: Iterable[dict], this_week: date, min_count: int = 3) -> dict | None:
    """Return the tag value whose volume rose most this week against the 4-week mean.

    `rows` are store.queries.tag_volume rows by week. Growth is (this + 1) / (mean + 1), so
    a topic from nothing to a handful does not outrank a real surge; values with fewer than
    `min_count` stories this week are left out. Returns {"value", "this", "avg4", "growth"}.
    """
    this_week = monday(this_week)
    previous = {this_week - timedelta(weeks=k) for k in range(1, 5)}
    now: dict[str, float] = defaultdict(float)
    before: dict[str, float] = defaultdict(float)
    for r in rows:
        if r["bucket"] == this_week:
            now[r["value"]] += r["count"]
        elif r["bucket"] in previous:
            before[r["value"]] += r["count"] / 4
    best = None
    for value, count in now.items():
        if count < min_count:
            continue
        growth = (count + 1) / (before[value] + 1)
        if best is None or growth > best["growth"]:
            best = {"value": value, "this": count, "avg4": before[value], "growth": growth}
    return best if best and best["growth"] > 1 else None


def totals_by_bucket(rows: Iterable[dict]) -> list[tuple[date, int, int, int]]:
    """Return (bucket, total, positive, negative) per bucket, oldest first, from
    store.queries.volume_by_sentiment rows."""
    acc: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        acc[r["bucket"]][0] += r["count"]
        if r["sentiment"] == "positive":
            acc[r["bucket"]][1] += r["count"]
        elif r["sentiment"] == "negative":
            acc[r["bucket"]][2] += r["count"]
    return [(b, *acc[b]) for b in sorted(acc)]


def rolling_net(buckets: list[tuple[date, int, int, int]], window: int = 4) -> list[float | None]:
    """Net sentiment over the last `window` buckets, per bucket (pooled counts)."""
    out = []
    for i in range(len(buckets)):
        part = buckets[max(0, i - window + 1):i + 1]
        total = sum(b[1] for b in part)
        out.append(net_sentiment(sum(b[2] for b in part), sum(b[3] for b in part), total))
    return out


def spikes(buckets: list[tuple[date, int, int, int]], sigmas: float = SPIKE_SIGMAS,
           history: int = 8) -> list[date]:
    """Return the buckets whose volume exceeds the mean of the preceding `history` buckets by
    more than `sigmas` standard deviations (and is at least SPIKE_MIN_COUNT)."""
    found = []
    for i, (bucket, total, *_) in enumerate(buckets):
        before = [b[1] for b in buckets[max(0, i - history):i]]
        if len(before) < SPIKE_MIN_HISTORY or total < SPIKE_MIN_COUNT:
            continue
        mean = sum(before) / len(before)
        sd = math.sqrt(sum((x - mean) ** 2 for x in before) / len(before))
        if total > mean + sigmas * max(sd, 1.0):
            found.append(bucket)
    return found


def resonance(by_voice: dict, values: Iterable[str]) -> list[dict]:
    """Share of third-party stories carrying each value (e.g. echoing each core message).

    `by_voice` is store.queries.tag_counts_by_voice output. Returns [{"value", "count",
    "share"}] in the order of `values`; share is None when there is no third-party mention.
    """
    total = by_voice["totals"].get("third_party", 0)
    counts = {r["value"]: r["count"] for r in by_voice["rows"] if r["voice"] == "third_party"}
    return [{"value": v, "count": counts.get(v, 0),
             "share": counts.get(v, 0) / total if total else None} for v in values]


def alignment(by_voice: dict, values: Iterable[str]) -> list[dict]:
    """What the city says against what others say, per value: the share of own-voice stories
    and of third-party stories carrying it, and the gap (third party minus own, in shares)."""
    totals = by_voice["totals"]
    counts = defaultdict(int)
    for r in by_voice["rows"]:
        counts[(r["voice"], r["value"])] += r["count"]
    out = []
    for v in values:
        own = counts[("own", v)] / totals["own"] if totals.get("own") else None
        third = (counts[("third_party", v)] / totals["third_party"]
                 if totals.get("third_party") else None)
        gap = third - own if own is not None and third is not None else None
        out.append({"value": v, "own": own, "third_party": third, "gap": gap})
    return out


def share_of_voice(rows: Iterable[dict]) -> list[dict]:
    """Per bucket, each value's share of all tagged stories of that bucket (benchmark cities).

    `rows` are store.queries.tag_volume rows; sentiments are pooled. Returns [{"bucket",
    "value", "count", "share"}].
    """
    counts: dict[tuple[date, str], int] = defaultdict(int)
    per_bucket: dict[date, int] = defaultdict(int)
    for r in rows:
        counts[(r["bucket"], r["value"])] += r["count"]
        per_bucket[r["bucket"]] += r["count"]
    return [{"bucket": b, "value": v, "count": n, "share": n / per_bucket[b]}
            for (b, v), n in sorted(counts.items())]


def source_status(row: dict) -> str:
    """Return the status id of a source_health row: off, disabled, no_token, failing, never
    or ok."""
    if not row["enabled"]:
        return "off"
    if row["disabled_at"]:
        return "disabled"
    if row["last_error_kind"] == "no_credentials":
        return "no_token"
    if row["last_error_at"] and (not row["last_success_at"]
                                 or row["last_error_at"] >= row["last_success_at"]):
        return "failing"
    if not row["last_success_at"]:
        return "never"
    return "ok"


# --- reports: rising tags, counted shares, spikes against a weekly baseline, responsiveness --

def rising(rows: Iterable[dict], this_week: date, min_count: int = 3,
           limit: int = 5, baseline_weeks: int = 4) -> list[dict]:
    """Return the tag values whose volume rose this week against the mean of the
    `baseline_weeks` weeks before (4, or 1: the week before), fastest first (growth as in
    fastest_rising): [{"value", "this", "avg4", "growth"}] ("avg4" is that mean)."""
    this_week = monday(this_week)
    previous = {this_week - timedelta(weeks=k) for k in range(1, baseline_weeks + 1)}
    now: dict[str, float] = defaultdict(float)
    before: dict[str, float] = defaultdict(float)
    for r in rows:
        if r["bucket"] == this_week:
            now[r["value"]] += r["count"]
        elif r["bucket"] in previous:
            before[r["value"]] += r["count"] / baseline_weeks
    found = [{"value": v, "this": n, "avg4": before[v], "growth": (n + 1) / (before[v] + 1)}
             for v, n in now.items() if n >= min_count]
    found = [r for r in found if r["growth"] > 1]
    return sorted(found, key=lambda r: (-r["growth"], -r["this"], r["value"]))[:limit]


Z90 = 1.6448536269514722  # two-sided 90 %, the level of store.quantify


def counted_share(k: float, n: float, z: float = Z90):
    """Return the counted share k/n as a store.quantify.Estimate with a Wilson interval: the
    uncertainty of small numbers only, not the classifier's bias (shown "ej korrigerad")."""
    from store.quantify import NO_DATA, Estimate

    if not n:
        return NO_DATA
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), int(n), p)


def counted_difference(a: float, b: float, n: float, z: float = Z90):
    """Return (a - b) / n (net sentiment: positive minus negative) as an Estimate with a
    normal-approximation interval of a difference of two shares of one sample."""
    from store.quantify import NO_DATA, Estimate

    if not n:
        return NO_DATA
    p, q = a / n, b / n
    # The spread from shares pulled towards the middle (Agresti-Caffo style), so that a
    # handful of mentions all alike does not get an interval of width zero.
    ps, qs = (a + 0.5) / (n + 1.5), (b + 0.5) / (n + 1.5)
    half = z * math.sqrt(max(ps + qs - (ps - qs) ** 2, 0.0) / (n + 1.5))
    return Estimate(p - q, max(-1.0, p - q - half), min(1.0, p - q + half), int(n), p - q)


def volume_spike(count: int, baseline: list[int], threshold: float,
                 min_count: int) -> dict | None:
    """Return {"count", "mean", "sd", "limit", "ratio"} when `count` (stories in a window) is
    a spike against `baseline` (the same window in earlier weeks, so the weekly rhythm is in
    the baseline), else None. A spike is above mean + threshold·max(sd, √mean, 1) — the
    Poisson spread keeps a quiet baseline from making every handful a spike — and at least
    `min_count`."""
    if count < min_count or len(baseline) < 2:
        return None
    mean = sum(baseline) / len(baseline)
    sd = math.sqrt(sum((x - mean) ** 2 for x in baseline) / (len(baseline) - 1))
    limit = mean + threshold * max(sd, math.sqrt(mean), 1.0)
    if count <= limit:
        return None
    return {"count": count, "mean": mean, "sd": sd, "limit": limit,
            "ratio": count / mean if mean else None}


def share_spike(negative: int, total: int, base_negative: int, base_total: int,
                threshold: float, min_count: int, min_rise: float) -> dict | None:
    """Return {"share", "baseline", "z", "rise"} when the negative share of a window rose
    significantly above the pooled share of the same window in earlier weeks: a one-sided
    binomial z-test above `threshold`, a rise of at least `min_rise`, at least `min_count`
    stories in the window. None otherwise."""
    if total < min_count or not base_total:
        return None
    share, base = negative / total, base_negative / base_total
    p0 = min(max(base, 0.5 / base_total), 1 - 0.5 / base_total)
    z = (share - p0) / math.sqrt(p0 * (1 - p0) / total)
    if z <= threshold or share - base < min_rise:
        return None
    return {"share": share, "baseline": base, "z": z, "rise": share - base,
            "negative": negative, "total": total}


def responsiveness(asks: list[dict], answers: list[dict]) -> dict:
    """Return {"asked", "answered", "share", "median_hours", "hours"} from
    store.queries.conversation_turns: an ask is answered by the first own reply in its thread
    published after it (an own comment that names the comment it replies to answers only
    that one). `share` and `median_hours` are None without asks or answers."""
    by_thread: dict[str, list[dict]] = defaultdict(list)
    for a in answers:
        by_thread[a["thread"]].append(a)
    for replies in by_thread.values():
        replies.sort(key=lambda a: a["published_at"])
    hours = []
    for ask in asks:
        for reply in by_thread.get(ask["thread"], ()):
            if reply["published_at"] <= ask["published_at"]:
                continue
            if reply.get("parent") and reply["parent"] != ask.get("external_id"):
                continue
            hours.append((reply["published_at"] - ask["published_at"]).total_seconds() / 3600)
            break
    hours.sort()
    median = None
    if hours:
        mid = len(hours) // 2
        median = hours[mid] if len(hours) % 2 else (hours[mid - 1] + hours[mid]) / 2
    return {"asked": len(asks), "answered": len(hours),
            "share": len(hours) / len(asks) if asks else None, "median_hours": median,
            "hours": hours}
