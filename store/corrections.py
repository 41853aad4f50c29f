"""Analysts' corrections: rows of their own that win over machine tags.

A correction applies to every copy of the same story. It is (re)applied each time a mention
is tagged, so a retag by a new tagger version keeps every correction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from store.models import Correction, Mention, Tag

SINGLE_KINDS = ("sentiment", "intent", "audience", "voice")
MULTI_KINDS = ("keyword", "message", "topic")
SENTIMENT_SCORES = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}


class CorrectionError(ValueError):
    """A correction that cannot be stored; the message says why."""


def _root():
    return func.coalesce(Mention.story_id, Mention.id)


def story_members(session: Session, mention_id: int) -> list[int]:
    """Return the ids of every copy of the mention's story (itself included)."""
    root = session.scalar(select(_root()).where(Mention.id == mention_id))
    if root is None:
        raise CorrectionError(f"no mention with id {mention_id}")
    return list(session.scalars(select(Mention.id).where(_root() == root)))


def add_correction(session: Session, mention_id: int, kind: str, value: str, author: str,
                   *, remove: bool = False, note: str | None = None,
                   allowed: dict[str, Iterable[str]] | None = None) -> Correction:
    """Store a correction and apply it to every copy of the story; return it.

    `allowed` maps kinds to their valid ids (from the strategy); unknown values are refused.
    """
    if kind not in SINGLE_KINDS + MULTI_KINDS:
        raise CorrectionError(f"unknown kind {kind!r}; use one of "
                              f"{', '.join(SINGLE_KINDS + MULTI_KINDS)}")
    if allowed and kind in allowed and value not in set(allowed[kind]):
        raise CorrectionError(f"{value!r} is not a {kind} id; valid: "
                              f"{', '.join(sorted(allowed[kind]))}")
    if remove and kind in SINGLE_KINDS:
        raise CorrectionError(f"{kind} has one value: set another value instead of removing")
    if not author.strip():
        raise CorrectionError("a correction needs an author")
    members = story_members(session, mention_id)
    correction = Correction(mention_id=mention_id, kind=kind, value=value, author=author,
                            action="remove" if remove else ("set" if kind in SINGLE_KINDS
                                                            else "add"), note=note)
    session.add(correction)
    session.flush()
    apply_corrections(session, members)
    return correction


def corrections_for(session: Session, mention_ids: list[int]) -> dict[int, list[Correction]]:
    """Return, per mention, the corrections of its story in the order they were made."""
    if not mention_ids:
        return {}
    roots = dict(session.execute(select(Mention.id, _root()).where(Mention.id.in_(mention_ids)))
                 .all())
    by_root: dict[int, list[Correction]] = defaultdict(list)
    rows = session.execute(select(Correction, _root()).join(Mention, Mention.id ==
                                                            Correction.mention_id)
                           .where(_root().in_(set(roots.values())))
                           .order_by(Correction.created_at, Correction.id)).all()
    for correction, root in rows:
        by_root[root].append(correction)
    return {mid: by_root[root] for mid, root in roots.items() if by_root.get(root)}


def apply_corrections(session: Session, mention_ids: list[int], version: str | None = None,
                      update_mention: bool = True) -> int:
    """Apply stored corrections to the tags of `version` (default: each mention's current
    one); with `update_mention`, also to the mention's own columns. Return how many
    mentions had corrections."""
    found = corrections_for(session, mention_ids)
    for mention_id, corrections in found.items():
        mention = session.get(Mention, mention_id)
        tag_version = version or mention.tagger_version
        if tag_version is None:
            continue  # not tagged yet: corrections are applied when it is
        for c in corrections:
            _apply_one(session, mention, c, tag_version, update_mention)
    return len(found)


def _apply_one(session: Session, mention: Mention, c: Correction, version: str,
               update_mention: bool) -> None:
    evidence = [f"correction by {c.author}"]
    same = (Tag.mention_id == mention.id, Tag.tagger_version == version, Tag.kind == c.kind)
    if c.kind in SINGLE_KINDS or c.action == "remove":
        condition = same if c.kind in SINGLE_KINDS else (*same, Tag.value == c.value)
        session.execute(delete(Tag).where(*condition))
    if c.action != "remove":
        exists = session.scalar(select(Tag.id).where(*same, Tag.value == c.value))
        if exists is None:
            score = SENTIMENT_SCORES.get(c.value, 1.0) if c.kind == "sentiment" else 1.0
            session.add(Tag(mention_id=mention.id, kind=c.kind, value=c.value, score=score,
                            sentiment=c.value if c.kind == "sentiment" else mention.sentiment,
                            evidence=evidence, tagger_version=version))
    if update_mention and c.kind == "sentiment":
        session.execute(update(Mention).where(Mention.id == mention.id).values(
            sentiment=c.value, sentiment_score=SENTIMENT_SCORES[c.value]))
    if update_mention and c.kind == "voice":
        session.execute(update(Mention).where(Mention.id == mention.id).values(voice=c.value))
    session.flush()
