"""Stories: copies of one piece of news (same canonical URL, same text, near-duplicate text)
are grouped so perception figures count them once; every copy is kept and linked.

Grouping runs as its own stage after collection, in one process (the tagging job), so that
sources collected concurrently can never each start "the first copy" of the same story.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from store import similarity
from store.models import Mention, MentionBand


def group_pending(session: Session, limit: int = 2000) -> int:
    """Assign the next `limit` ungrouped mentions (oldest first) to stories; return how many."""
    rows = session.execute(
        select(Mention.id, Mention.canonical_url, Mention.content_hash, Mention.title,
               Mention.text)
        .where(Mention.story_checked.is_(False)).order_by(Mention.id).limit(limit)).all()
    if not rows:
        return 0
    _assign(session, [(r.id, r._asdict()) for r in rows])
    session.execute(update(Mention).where(Mention.id.in_([r.id for r in rows]))
                    .values(story_checked=True))
    return len(rows)


def _chunks(values: list, size: int = 900):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _assign(session: Session, new: list[tuple[int, dict]]) -> None:
    """Group new mentions with earlier copies of the same story (same canonical URL, same
    text, or near-duplicate text) by setting story_id to the story's first mention; the
    first mention itself keeps story_id NULL.

    Only a story's first mention stores its LSH bands, so a story copied a thousand times
    still costs one candidate per band, not a thousand.
    """
    if not new:
        return
    sigs = {mid: similarity.signature(f"{row['title'] or ''} {row['text']}") for mid, row in new}
    bands = {mid: similarity.band_keys(sig) for mid, sig in sigs.items() if sig is not None}

    story_of: dict[int, int] = {}
    urls = list({row["canonical_url"] for _, row in new if row["canonical_url"]})
    hashes = list({row["content_hash"] for mid, row in new if mid in bands})
    exact_url: dict[str, list[int]] = defaultdict(list)
    exact_hash: dict[str, list[int]] = defaultdict(list)
    for column, values, target in ((Mention.canonical_url, urls, exact_url),
                                   (Mention.content_hash, hashes, exact_hash)):
        for chunk in _chunks(values):
            for mid, story, key in session.execute(
                    select(Mention.id, Mention.story_id, column).where(column.in_(chunk))):
                target[key].append(mid)
                story_of[mid] = story or mid
    roots_by_band: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(list({b for keys in bands.values() for b in keys})):
        for mid, band in session.execute(select(MentionBand.mention_id, MentionBand.band)
                                         .where(MentionBand.band.in_(chunk))):
            roots_by_band[band].add(mid)
    root_sigs: dict[int, object] = {}
    earlier = {m for ms in roots_by_band.values() for m in ms}
    for chunk in _chunks(list(earlier)):
        for mid, title, text in session.execute(
                select(Mention.id, Mention.title, Mention.text).where(Mention.id.in_(chunk))):
            root_sigs[mid] = similarity.signature(f"{title or ''} {text}")
            story_of[mid] = mid

    updates, band_rows = [], []
    for mid, row in new:
        same = [m for m in exact_url.get(row["canonical_url"], []) if m < mid]
        if not same and mid in bands:
            same = [m for m in exact_hash.get(row["content_hash"], []) if m < mid]
        root = story_of.get(min(same), min(same)) if same else None
        if root is None and mid in bands:
            candidates = {r for key in bands[mid] for r in roots_by_band.get(key, ()) if r < mid}
            scored = [(similarity.similarity(sigs[mid], root_sigs[c]), c) for c in candidates
                      if root_sigs.get(c) is not None]
            best_score, best = max(scored, default=(0.0, None))
            if best_score >= similarity.THRESHOLD:
                root = story_of.get(best, best)
        if root is None:
            root = mid
            if mid in bands:  # a new story: its bands make it findable for later copies
                root_sigs[mid] = sigs[mid]
                for key in bands[mid]:
                    roots_by_band[key].add(mid)
                    band_rows.append({"mention_id": mid, "band": key})
        story_of[mid] = root
        if root != mid:  # story_id NULL means "first of its own story" (see queries._story)
            updates.append({"mid": mid, "sid": root})
    if band_rows:  # many small rows: straight to the driver, past per-row ORM overhead
        marker = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
        session.connection().exec_driver_sql(
            f"INSERT INTO mention_bands (mention_id, band) VALUES ({marker}, {marker})",
            [(r["mention_id"], r["band"]) for r in band_rows])
    if updates:
        session.execute(update(Mention.__table__)
                        .where(Mention.__table__.c.id == bindparam("mid"))
                        .values(story_id=bindparam("sid")), updates)


