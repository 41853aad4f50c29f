"""Source health policy: weighted failures stretch a source's interval and finally disable it.

Hard errors (401, 403, 404, broken feeds, bad config) weigh more than transient ones
(timeouts, 5xx, 429): a feed that is gone is disabled after a few runs, while one that is
merely flaky keeps being tried, less often. A success resets the score.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from collectors.errors import ERROR_KINDS

TRANSIENT_WEIGHT = 1.0
HARD_WEIGHT = 3.0
DISABLE_AT = 12.0          # e.g. four hard failures in a row, or twelve transient ones
MAX_DELAY = timedelta(hours=24)


def failure_weight(kind: str) -> float:
    """Return how much a failure of this kind adds to the source's failure score."""
    if kind == "no_credentials":
        return 0.0  # not the source's fault; it shows as disabled until the token is set
    transient = ERROR_KINDS.get(kind, ERROR_KINDS["unexpected"])[0]
    return TRANSIENT_WEIGHT if transient else HARD_WEIGHT


def next_due_after_failure(now: datetime, interval_seconds: int, score: float,
                           retry_after: float | None = None) -> datetime:
    """Return when to try again: the interval stretched by 2^score (max 24 h), or Retry-After."""
    stretch = min(2 ** min(score, 16), MAX_DELAY.total_seconds() / max(interval_seconds, 1))
    due = now + timedelta(seconds=interval_seconds * max(stretch, 1))
    if retry_after:
        due = max(due, now + timedelta(seconds=retry_after))
    return min(due, now + MAX_DELAY) if not retry_after else due


def should_disable(score: float) -> bool:
    """Return True when the failure score has passed the threshold."""
    return score >= DISABLE_AT
