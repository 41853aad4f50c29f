"""The review queue ("Granska"): the stories the model is least sure of that weigh most in a
week's figures, and analysts' confirmations that the machine read one right.

A confirmation is a row of its own (store.models.Confirmation), not a correction: it changes
no tag and no figure (so neither the tags nor the daily rollup are touched), it records who,
when and which labels it confirms, it is undone by marking it so (the row stays), and
store.corrections.corrected_records hands its confirmed labels to `pulse train` beside the
corrections. A story an analyst has reviewed (a confirmation or a correction in force on any
of its copies) leaves the queue; undoing the review brings it back.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from store import audit
from store.corrections import TASK_OF_KIND, CorrectionError
from store.models import Confirmation, Correction, Mention, Source, Tag, utcnow

CONFIDENCE_KINDS = ("sentiment", "intent")  # the one-valued decisions with a confidence
LABEL_KINDS = ("sentiment", "intent", "audience", "topic", "message", "keyword")
ENGAGEMENT_KEYS = ("likes", "reposts", "replies", "quotes")


def weight(copies: int, engagement: int) -> float:
    """Return how much a story weighs in a week's picture: its copies (each a place it was
    published) times 1 + ln(1 + engagement) (likes, reposts, replies and quotes of its most
    engaged copy), so a story with 1,000 reactions weighs about eight unengaged ones."""
    return max(copies, 1) * (1.0 + math.log1p(max(engagement, 0)))


def priority(confidence: float | None, story_weight: float) -> float | None:
    """Return (1 − confidence) × weight: what reviewing the story can change in the figures;
    None when the confidence is unknown (tagged before it was kept, or by rule taggers)."""
    return None if confidence is None else (1.0 - confidence) * story_weight


def _members_of(root):
    """The ids of every copy of the story whose first copy is `root` (itself included)."""
    copy = aliased(Mention)
    return (select(copy.id).where(or_(copy.id == root, copy.story_id == root))
            .correlate(Mention))


def _reviewed(root):
    """EXISTS a confirmation or a correction in force on a copy of the story of `root`."""
    undo = aliased(Correction)
    corrected = (select(Correction.id)
                 .where(Correction.mention_id.in_(_members_of(root)),
                        Correction.action != "undo",
                        ~select(undo.id).where(undo.undoes == Correction.id).exists())
                 .correlate(Mention).exists())
    confirmed = (select(Confirmation.id)
                 .where(Confirmation.mention_id.in_(_members_of(root)),
                        Confirmation.undone_at.is_(None)).correlate(Mention).exists())
    return or_(corrected, confirmed)


def _candidates(week: date):
    """Tagged third-party first copies published (Stockholm time) in the ISO week of `week`
    that no analyst has reviewed, with their confidence, copies and engagement."""
    tag = aliased(Tag)
    confidence = (select(func.min(tag.confidence))
                  .where(tag.mention_id == Mention.id,
                         tag.tagger_version == Mention.tagger_version,
                         tag.active.is_(True), tag.origin == "machine",
                         tag.kind.in_(CONFIDENCE_KINDS))
                  .correlate(Mention).scalar_subquery())
    copy = aliased(Mention)
    copies = (select(func.count(copy.id)).where(copy.story_id == Mention.id)
              .correlate(Mention).scalar_subquery())
    score = sum(func.coalesce(copy.engagement[key].as_integer(), 0) for key in ENGAGEMENT_KEYS)
    engagement = (select(func.max(score)).where(or_(copy.id == Mention.id,
                                                    copy.story_id == Mention.id))
                  .correlate(Mention).scalar_subquery())
    return (select(Mention.id, Mention.published_at, confidence.label("confidence"),
                   copies.label("copies"), engagement.label("engagement"))
            .where(Mention.local_day >= week, Mention.local_day <= week + timedelta(days=6),
                   Mention.voice == "third_party",
                   Mention.tagger_version.is_not(None), Mention.story_id.is_(None),
                   ~_reviewed(Mention.id)))


def review_queue(session: Session, week: date, limit: int = 10) -> dict:
    """Return the week's review queue: {"week", "remaining", "rows"}.

    `week` is the Monday of an ISO week (Europe/Stockholm, as Mention.local_week). Candidates
    are the tagged third-party stories of that week no analyst has reviewed, each counted once
    as its first copy (as every figure counts it). They are ranked by priority, (1 − the
    lowest confidence of its sentiment and intent) × weight (see `weight`); stories whose
    confidence is unknown come after every known one, by weight. Ties: heavier, newer, lower
    id first. `remaining` is how many candidates there are; `rows` the first `limit`, each
    {"id", "published_at", "source", "source_name", "kind", "lang", "title", "text", "url",
    "copies", "engagement", "weight", "confidence", "priority", "tagger_version", "labels"}
    with labels[kind] = [{"value", "score", "confidence", "evidence"}] of its current tags.

    The ranking (a logarithm SQLite lacks) is done here over one small row per story of the
    week; only the first `limit` stories are read in full."""
    ranked = []
    for mid, published, confidence, copies, engagement in session.execute(_candidates(week)):
        w = weight(1 + int(copies or 0), int(engagement or 0))
        ranked.append((mid, published, confidence, 1 + int(copies or 0), int(engagement or 0),
                       w, priority(confidence, w)))
    ranked.sort(key=lambda r: (r[6] is None, -(r[6] if r[6] is not None else r[5]), -r[5],
                               -r[1].timestamp(), r[0]))
    top = ranked[:limit]
    details = _details(session, [r[0] for r in top])
    rows = [{**details[mid], "copies": copies, "engagement": engagement, "weight": w,
             "confidence": confidence, "priority": prio}
            for mid, _, confidence, copies, engagement, w, prio in top]
    return {"week": week, "remaining": len(ranked), "rows": rows}


def _details(session: Session, ids: list[int]) -> dict[int, dict]:
    """The text, source and current tags (with score and confidence) of these mentions."""
    if not ids:
        return {}
    out: dict[int, dict] = {}
    for m, key, settings in session.execute(
            select(Mention, Source.key, Source.settings)
            .join(Source, Source.id == Mention.source_id).where(Mention.id.in_(ids))):
        out[m.id] = {"id": m.id, "published_at": m.published_at, "source": key,
                     "source_name": (settings or {}).get("name") or key, "kind": m.kind,
                     "lang": m.lang, "title": m.title, "text": m.text, "url": m.url,
                     "tagger_version": m.tagger_version, "labels": {}}
    for tag in session.scalars(
            select(Tag).join(Mention, and_(Tag.mention_id == Mention.id,
                                           Tag.tagger_version == Mention.tagger_version))
            .where(Tag.mention_id.in_(ids), Tag.active.is_(True),
                   Tag.kind.in_(LABEL_KINDS)).order_by(Tag.id)):
        out[tag.mention_id]["labels"].setdefault(tag.kind, []).append(
            {"value": tag.value, "score": tag.score, "confidence": tag.confidence,
             "evidence": tag.evidence or []})
    return out


def current_labels(session: Session, mention_id: int) -> tuple[str, dict]:
    """Return the mention's tagger version and its effective labels as labelled-mention
    fields ({"sentiment", "intent" when it has one, "keywords", "messages", "topics",
    "audiences"}): what a confirmation of it confirms."""
    mention = session.get(Mention, mention_id)
    if mention is None:
        raise CorrectionError(f"no mention with id {mention_id}")
    if mention.tagger_version is None:
        raise CorrectionError(f"mention {mention_id} is not tagged yet: nothing to confirm")
    values: dict[str, list[str]] = {kind: [] for kind in LABEL_KINDS}
    for kind, value in session.execute(
            select(Tag.kind, Tag.value).where(
                Tag.mention_id == mention_id, Tag.tagger_version == mention.tagger_version,
                Tag.active.is_(True), Tag.kind.in_(LABEL_KINDS)).order_by(Tag.id)):
        values[kind].append(value)
    labels: dict = {}
    for kind, found in values.items():
        field = TASK_OF_KIND[kind]
        if kind in CONFIDENCE_KINDS:
            if found:
                labels[field] = found[0]
        else:
            labels[field] = sorted(found)
    return mention.tagger_version, labels


def confirm_mention(session: Session, mention_id: int, author: str,
                    note: str | None = None) -> Confirmation:
    """Record that the machine's current labels of the mention are right; return the row.

    Changes no tag and no figure. Refused without an author, for an untagged mention, and
    when a confirmation of it is already in force (a second click stores nothing)."""
    author = author.strip()
    if not author:
        raise CorrectionError("a confirmation needs an author")
    version, labels = current_labels(session, mention_id)
    if session.scalar(select(Confirmation.id).where(Confirmation.mention_id == mention_id,
                                                    Confirmation.undone_at.is_(None))):
        raise CorrectionError(f"mention {mention_id} is already confirmed")
    confirmation = Confirmation(mention_id=mention_id, tagger_version=version, labels=labels,
                                author=author[:200], note=note)
    session.add(confirmation)
    session.flush()
    audit.record(session, author[:200], "confirmation", target=f"mention {mention_id}", rows=1)
    return confirmation


def undo_confirmation(session: Session, confirmation_id: int, author: str) -> Confirmation:
    """Take a confirmation back (who, when); the row stays as the record, and the story
    returns to the review queue unless a correction reviewed it. Return the row."""
    author = author.strip()
    if not author:
        raise CorrectionError("undoing a confirmation needs an author")
    confirmation = session.get(Confirmation, confirmation_id)
    if confirmation is None:
        raise CorrectionError(f"no confirmation with id {confirmation_id}")
    if confirmation.undone_at is not None:
        raise CorrectionError(f"confirmation {confirmation_id} is already undone")
    confirmation.undone_at, confirmation.undone_by = utcnow(), author[:200]
    session.flush()
    audit.record(session, author[:200], "undo", target=f"confirmation {confirmation_id}",
                 rows=1)
    return confirmation


def recent_confirmations(session: Session, limit: int = 10) -> list[dict]:
    """Return the newest confirmations in force, newest first: [{"id", "mention_id",
    "author", "created_at", "labels", "title", "text"}] (to undo one from the page)."""
    rows = session.execute(
        select(Confirmation, Mention.title, Mention.text)
        .join(Mention, Mention.id == Confirmation.mention_id)
        .where(Confirmation.undone_at.is_(None))
        .order_by(Confirmation.created_at.desc(), Confirmation.id.desc()).limit(limit)).all()
    return [{"id": c.id, "mention_id": c.mention_id, "author": c.author,
             "created_at": c.created_at, "labels": c.labels, "title": title, "text": text}
            for c, title, text in rows]


def reviews_since(session: Session, since: datetime | None) -> dict:
    """Return how many mentions analysts reviewed since `since` (all time for None), counting
    reviews in force only (what the next `pulse train` learns from): {"confirmed",
    "corrected", "total"} (a mention both confirmed and corrected counts once in "total")."""
    undo = aliased(Correction)
    corrected_stmt = select(Correction.mention_id).where(
        Correction.action != "undo",
        ~select(undo.id).where(undo.undoes == Correction.id).exists())
    confirmed_stmt = select(Confirmation.mention_id).where(Confirmation.undone_at.is_(None))
    if since is not None:
        corrected_stmt = corrected_stmt.where(Correction.created_at >= since)
        confirmed_stmt = confirmed_stmt.where(Confirmation.created_at >= since)
    corrected = set(session.scalars(corrected_stmt))
    confirmed = set(session.scalars(confirmed_stmt))
    return {"confirmed": len(confirmed), "corrected": len(corrected),
            "total": len(confirmed | corrected)}
