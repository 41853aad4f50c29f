"""Daily counts (store.models.DailyCount): the period figures' rollup, exact at all times.

Every change of what a story counts as goes through here in the same transaction as the
change itself: `maintained(session, ids)` subtracts the mentions' contributions before the
change and adds them back after it (tagging a batch, a correction and its undo, a mention
updated or erased); `rebuild` recomputes everything (after a retag switches versions, and in
the migration that creates the table); `differences` compares the rollup with the raw rows.

A story counts once, as its first copy (story_id NULL) with that copy's labels, which is how
store.queries counts from the raw rows too, so both paths give the same figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Select, and_, delete, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from store.models import DailyCount, Mention, Tag

# Pairs of tag kinds counted together (a target group's behaviour signal: audience × intent,
# message or topic), so the target-group page is a rollup read too.
PAIRS = (("audience", "intent"), ("audience", "message"), ("audience", "topic"))
PAIR_SEPARATOR = "\t"
KEY = ("day", "voice", "source_id", "lang", "sentiment", "kind", "value", "aspect")
_CHUNK = 500


def _mention_dims():
    return (Mention.local_day, Mention.local_week, Mention.voice, Mention.source_id,
            func.coalesce(Mention.lang, ""), func.coalesce(Mention.sentiment, ""))


def _counted():
    """The mentions a figure counts: tagged first copies of their stories (as in
    store.queries; coalesce keeps the id lookup, not ix_mentions_story, the access path)."""
    return and_(func.coalesce(Mention.story_id, Mention.id) == Mention.id,
                Mention.tagger_version.is_not(None))


def _current(tag):
    return and_(tag.mention_id == Mention.id, tag.tagger_version == Mention.tagger_version,
                tag.active.is_(True))


def _contributions(where) -> list[Select]:
    """SELECTs of (day, week, voice, source_id, lang, sentiment, kind, value, aspect, n) for
    the counted mentions matching `where`: the stories, their tags, their pairs."""
    dims = _mention_dims()
    stories = (select(*dims, literal(""), literal(""), literal(""), func.count())
               .where(_counted(), where).group_by(*dims))
    tag = aliased(Tag)
    aspect = func.coalesce(tag.sentiment, "")  # one object: PostgreSQL matches GROUP BY by it
    tags = (select(*dims, tag.kind, tag.value, aspect, func.count(func.distinct(Mention.id)))
            .join(tag, _current(tag)).where(_counted(), where)
            .group_by(*dims, tag.kind, tag.value, aspect))
    out = [stories, tags]
    for first, second in PAIRS:
        a, b = aliased(Tag), aliased(Tag)
        value = a.value + literal(PAIR_SEPARATOR) + b.value
        out.append(select(*dims, literal(f"{first}+{second}"), value, literal(""),
                          func.count(func.distinct(Mention.id)))
                   .join(a, and_(_current(a), a.kind == first))
                   .join(b, and_(_current(b), b.kind == second))
                   .where(_counted(), where).group_by(*dims, value))
    return out


def _rows(session: Session, where) -> dict[tuple, tuple[object, int]]:
    """Return {key: (week, n)} of the contributions of the mentions matching `where`."""
    found: dict[tuple, list] = {}
    for stmt in _contributions(where):
        for day, week, voice, source_id, lang, sentiment, kind, value, aspect, n in \
                session.execute(stmt):
            key = (day, voice, source_id, lang, sentiment, kind, value, aspect)
            entry = found.setdefault(key, [week, 0])
            entry[1] += n
    return {k: (v[0], v[1]) for k, v in found.items()}


def _upsert(session: Session, rows: dict[tuple, tuple[object, int]], sign: int) -> None:
    if not rows:
        return
    values = [dict(zip(KEY, key, strict=True), week=week, n=sign * n)
              for key, (week, n) in rows.items()]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = DailyCount.__table__
    for start in range(0, len(values), 2000):
        stmt = insert(table).values(values[start:start + 2000])
        session.execute(stmt.on_conflict_do_update(index_elements=list(KEY),
                                                   set_={"n": table.c.n + stmt.excluded.n}))
    days = sorted({key[0] for key in rows})
    for start in range(0, len(days), _CHUNK):
        session.execute(delete(DailyCount).where(DailyCount.day.in_(days[start:start + _CHUNK]),
                                                 DailyCount.n == 0))


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def subtract(session: Session, mention_ids: Iterable[int]) -> None:
    """Take the mentions' current contributions out of the rollup (before changing them)."""
    for chunk in _chunks(list(mention_ids)):
        _upsert(session, _rows(session, Mention.id.in_(chunk)), -1)


def add(session: Session, mention_ids: Iterable[int]) -> None:
    """Put the mentions' current contributions into the rollup (after changing them)."""
    session.flush()
    for chunk in _chunks(list(mention_ids)):
        _upsert(session, _rows(session, Mention.id.in_(chunk)), 1)


@contextmanager
def maintained(session: Session, mention_ids: Iterable[int]) -> Iterator[None]:
    """Keep the rollup exact across a change of these mentions made inside the block."""
    ids = list(mention_ids)
    session.flush()
    subtract(session, ids)
    yield
    add(session, ids)


def rebuild(session: Session) -> int:
    """Recompute the whole rollup from the raw rows, in the database (INSERT … SELECT: the
    stories, their tags and their pairs go to distinct keys); return how many rows it has."""
    session.execute(delete(DailyCount))
    columns = ["day", "week", "voice", "source_id", "lang", "sentiment", "kind", "value",
               "aspect", "n"]
    for stmt in _contributions(literal(True)):
        session.execute(DailyCount.__table__.insert().from_select(columns, stmt))
    return session.scalar(select(func.count()).select_from(DailyCount)) or 0


def differences(session: Session) -> list[tuple]:
    """Return (key, in rollup, from raw rows) for every cell where the two disagree: empty
    when the rollup is exact."""
    raw = {key: n for key, (_, n) in _rows(session, literal(True)).items()}
    stored: dict[tuple, int] = defaultdict(int)
    for row in session.scalars(select(DailyCount)):
        stored[tuple(getattr(row, k) for k in KEY)] = row.n
    return [(key, stored.get(key, 0), raw.get(key, 0))
            for key in sorted(set(raw) | set(stored), key=repr)
            if stored.get(key, 0) != raw.get(key, 0)]
