"""Analysts' corrections: rows of their own that win over machine tags, and can be undone.

A correction applies to every copy of the same story. A mention's effective tags are always
derived the same way: its machine tags (of the tagger version in use), then each correction
of its story that is not undone, in the order they were made. A machine tag a correction
overrules is kept inactive, so undoing the correction (a later "undo" row, with who and when)
brings it back. Tagging and retagging re-derive the same way, so corrections survive both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from store import audit
from store.models import Correction, Mention, Tag
from store.rollups import maintained

SINGLE_KINDS = ("sentiment", "intent", "voice")
MULTI_KINDS = ("keyword", "message", "topic", "audience")
SENTIMENT_SCORES = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}
# The labelled-mention field (and training task) of each kind an analyst reviews.
TASK_OF_KIND = {"sentiment": "sentiment", "intent": "intent", "keyword": "keywords",
                "message": "messages", "topic": "topics", "audience": "audiences"}


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
    author = author.strip()
    if not author:
        raise CorrectionError("a correction needs an author")
    members = story_members(session, mention_id)
    correction = Correction(mention_id=mention_id, kind=kind, value=value, author=author,
                            action="remove" if remove else ("set" if kind in SINGLE_KINDS
                                                            else "add"), note=note)
    session.add(correction)
    session.flush()
    with maintained(session, members):
        apply_corrections(session, members)
    audit.record(session, author, "correction", target=f"mention {mention_id}",
                 rows=len(members), details={"kind": kind, "value": value,
                                             "action": correction.action})
    return correction


def undo_correction(session: Session, correction_id: int, author: str,
                    note: str | None = None) -> Correction:
    """Take a correction back: store an "undo" correction (who, when) and re-derive the tags
    of every copy of the story, so the machine's tag shows again; return the undo row."""
    author = author.strip()
    if not author:
        raise CorrectionError("undoing a correction needs an author")
    target = session.get(Correction, correction_id)
    if target is None:
        raise CorrectionError(f"no correction with id {correction_id}")
    if target.action == "undo":
        raise CorrectionError(f"correction {correction_id} is itself an undo")
    if session.scalar(select(Correction.id).where(Correction.undoes == correction_id)):
        raise CorrectionError(f"correction {correction_id} is already undone")
    undo = Correction(mention_id=target.mention_id, kind=target.kind, value=target.value,
                      action="undo", undoes=target.id, author=author, note=note)
    session.add(undo)
    session.flush()
    members = story_members(session, target.mention_id)
    with maintained(session, members):
        apply_corrections(session, members)
    audit.record(session, author, "undo", target=f"correction {correction_id}",
                 rows=len(members), details={"kind": target.kind, "value": target.value})
    return undo


def corrections_for(session: Session, mention_ids: list[int]) -> dict[int, list[Correction]]:
    """Return, per mention, every correction row of its story (undos included), oldest first."""
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


def correction_history(session: Session, mention_id: int) -> list[dict]:
    """Return the corrections of the mention's story, oldest first, as {"id", "kind", "value",
    "action", "author", "created_at", "note", "undone"}; "undo" rows are included."""
    rows = corrections_for(session, [mention_id]).get(mention_id, [])
    undone = {c.undoes for c in rows if c.action == "undo"}
    return [{"id": c.id, "kind": c.kind, "value": c.value, "action": c.action,
             "author": c.author, "created_at": c.created_at, "note": c.note,
             "undone": c.id in undone} for c in rows]


def in_force(corrections: list[Correction]) -> list[Correction]:
    """Return the corrections that apply: not undos, and not undone."""
    undone = {c.undoes for c in corrections if c.action == "undo"}
    return [c for c in corrections if c.action != "undo" and c.id not in undone]


def apply_corrections(session: Session, mention_ids: list[int], version: str | None = None,
                      update_mention: bool = True) -> int:
    """Re-derive the effective tags of `version` (default: each mention's current one) from
    its machine tags and its story's corrections in force; with `update_mention`, also the
    mention's own sentiment and voice. Return how many mentions had corrections."""
    found = corrections_for(session, mention_ids)
    for mention_id, corrections in found.items():
        mention = session.get(Mention, mention_id)
        tag_version = version or mention.tagger_version
        if tag_version is None:
            continue  # not tagged yet: corrections are applied when it is
        _rederive(session, mention, in_force(corrections), tag_version, update_mention)
    return len(found)


def _rederive(session: Session, mention: Mention, corrections: list[Correction], version: str,
              update_mention: bool) -> None:
    mine = (Tag.mention_id == mention.id, Tag.tagger_version == version)
    session.execute(delete(Tag).where(*mine, Tag.origin == "correction"))
    session.execute(update(Tag).where(*mine, Tag.active.is_(False)).values(active=True))
    for c in corrections:
        same = (*mine, Tag.kind == c.kind, Tag.active.is_(True))
        if c.action == "set":
            session.execute(update(Tag).where(*same, Tag.value != c.value).values(active=False))
        elif c.action == "remove":
            session.execute(update(Tag).where(*same, Tag.value == c.value).values(active=False))
        if c.action in ("set", "add") and session.scalar(
                select(Tag.id).where(*same, Tag.value == c.value)) is None:
            score = SENTIMENT_SCORES.get(c.value, 1.0) if c.kind == "sentiment" else 1.0
            session.add(Tag(mention_id=mention.id, kind=c.kind, value=c.value, score=score,
                            sentiment=c.value if c.kind == "sentiment" else None,
                            evidence=[f"correction by {c.author}"], tagger_version=version,
                            origin="correction", active=True))
    session.flush()
    labels = {kind: (value, score) for kind, value, score in session.execute(
        select(Tag.kind, Tag.value, Tag.score).where(
            *mine, Tag.active.is_(True), Tag.kind.in_(("sentiment", "voice"))))}
    if "sentiment" in labels:  # a tag an analyst added takes the mention's tone as its aspect
        session.execute(update(Tag).where(*mine, Tag.origin == "correction",
                                          Tag.kind != "sentiment")
                        .values(sentiment=labels["sentiment"][0]))
    if not update_mention:
        return
    values = {}
    if "sentiment" in labels:
        values["sentiment"], values["sentiment_score"] = labels["sentiment"]
    if "voice" in labels:
        values["voice"] = labels["voice"][0]
    if values:
        session.execute(update(Mention).where(Mention.id == mention.id).values(**values))


def corrected_records(session: Session) -> list[tuple[dict, list[str]]]:
    """Return, per corrected or confirmed mention, a labelled record (text and metadata, and
    labels) with the tasks it teaches: what `pulse train` learns from analysts.

    A corrected kind teaches the mention's effective labels of that kind now; a confirmation
    in force (store.review) teaches the labels it confirmed, for every task it covers that no
    correction of the mention covers."""
    from store.models import Author, Confirmation

    rows = session.scalars(select(Correction).order_by(Correction.id)).all()
    kinds: dict[int, set[str]] = defaultdict(set)
    for c in in_force(rows):
        kinds[c.mention_id].add(c.kind)
    confirmed = {c.mention_id: c.labels or {} for c in session.scalars(
        select(Confirmation).where(Confirmation.undone_at.is_(None))
        .order_by(Confirmation.created_at, Confirmation.id))}
    if not kinds and not confirmed:
        return []
    out = []
    mentions = session.execute(
        select(Mention, Author.handle, Author.name, Author.description)
        .join(Author, Author.id == Mention.author_id, isouter=True)
        .where(Mention.id.in_(sorted(set(kinds) | set(confirmed))))
        .order_by(Mention.id)).all()
    for mention, handle, name, description in mentions:
        if not mention.text:
            continue  # its text was removed (retention): nothing left to learn from
        tags = defaultdict(list)
        for kind, value in session.execute(select(Tag.kind, Tag.value).where(
                Tag.mention_id == mention.id, Tag.tagger_version == mention.tagger_version,
                Tag.active.is_(True))):
            tags[kind].append(value)
        record = {"text": mention.text, "title": mention.title, "url": mention.url,
                  "author": handle if mention.kind == "post" else name,
                  "author_description": description, "source_kind": mention.kind,
                  "lang": mention.lang, "voice": mention.voice}
        taught = []
        for kind in sorted(kinds.get(mention.id, set()) & set(TASK_OF_KIND)):
            field = TASK_OF_KIND[kind]
            record[field] = tags[kind][0] if kind in ("sentiment", "intent") and tags[kind] \
                else sorted(tags[kind])
            taught.append(field)
        for field, value in sorted(confirmed.get(mention.id, {}).items()):
            if field in TASK_OF_KIND.values() and field not in taught:
                record[field] = value
                taught.append(field)
        if taught:
            out.append((record, taught))
    return out
