"""Text search over mentions: a case-insensitive substring of the title or the text.

On SQLite an FTS5 table with the trigram tokenizer (mentions_fts, kept by triggers, migration
0008) finds the candidate rows by index, Å/Ä/Ö folded like A–Z; on PostgreSQL pg_trgm GIN
indexes serve ILIKE directly. The ILIKE stays in both, so the match is exactly a substring
whatever the index does; searches under three characters (no trigram) are plain scans.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import Boolean

from store.models import Mention

TRIGRAM = 3


def like_pattern(text: str) -> str:
    """Return the ILIKE pattern of a literal search text (% and _ escaped)."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class _Candidates(ColumnElement):
    """`mentions.id IN (rows of mentions_fts matching the phrase)` on SQLite, TRUE elsewhere."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, phrase: str):
        self.phrase = phrase


@compiles(_Candidates)
def _candidates_default(element, compiler, **kw):
    return "1 = 1"


@compiles(_Candidates, "sqlite")
def _candidates_sqlite(element, compiler, **kw):
    from sqlalchemy import bindparam

    phrase = '"' + element.phrase.replace('"', '""') + '"'
    bound = compiler.process(bindparam("fts_phrase", phrase, unique=True), **kw)
    return f"mentions.id IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH {bound})"


def text_matches(text: str):
    """Return the condition "title or text contains `text`", in any case."""
    pattern = like_pattern(text)
    exact = or_(Mention.text.ilike(pattern, escape="\\"),
                Mention.title.ilike(pattern, escape="\\"))
    if len(text.strip()) < TRIGRAM:
        return exact
    return _Candidates(text.strip()) & exact
