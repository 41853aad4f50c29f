"""Store: migrations, SQLite pragmas, idempotent writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from collectors.base import Item
from pulse.settings import SourceConfig
from store.db import (
    NotMigratedError,
    current_revision,
    head_revision,
    make_engine,
    require_migrated,
    transaction,
    upgrade,
)
from store.models import Author, Mention
from store.writes import local_day_and_week, save_items, sync_sources


def test_unmigrated_database_is_refused_with_instruction(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with pytest.raises(NotMigratedError, match="run `pulse db upgrade` first"):
        require_migrated(engine)
    upgrade(engine)
    require_migrated(engine)
    upgrade(engine)  # idempotent
    assert current_revision(engine) == head_revision()


def test_sqlite_uses_wal_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'x.sqlite'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_same_item_twice_is_stored_once(engine):
    cfg = SourceConfig(key="s", kind="feed", url="https://x.example/feed")
    item = Item("ext-1", "news", "Hållbar stad", datetime(2026, 11, 1, 23, 30, tzinfo=UTC),
                url="https://x.example/a?utm_campaign=x&id=2", author_handle="anna")
    with transaction(engine) as session:
        source = sync_sources(session, [cfg])["s"]
        assert save_items(session, source, [item, item]) == 1
    with transaction(engine) as session:
        source = sync_sources(session, [cfg])["s"]
        assert save_items(session, source, [item]) == 0
        mention = session.scalars(select(Mention)).one()
        assert mention.canonical_url == "https://x.example/a?id=2"
        assert mention.local_day.isoformat() == "2026-11-02"  # 00:30 in Stockholm
        assert session.scalar(select(func.count(Author.id))) == 1


def test_week_buckets_are_stockholm_mondays():
    day, week = local_day_and_week(datetime(2026, 11, 29, 23, 30, tzinfo=UTC))
    assert day.isoformat() == "2026-11-30" and week.isoformat() == "2026-11-30"
    day, week = local_day_and_week(datetime(2026, 11, 29, 22, 30, tzinfo=UTC))
    assert day.isoformat() == "2026-11-29" and week.isoformat() == "2026-11-23"


def test_models_and_migrations_agree(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from store.models import Base

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # Text search lives outside the models (migration 0008): SQLite's FTS5 table and its
    # shadow tables, and PostgreSQL's trigram indexes where pg_trgm could be created.
    diff = [d for d in diff if not (d[0] == "remove_index" and d[1].name.endswith("_trgm"))
            and not (d[0] == "remove_table" and d[1].name.startswith("mentions_fts"))]
    assert diff == []


def test_text_search_ignores_case_of_swedish_letters_and_escapes_wildcards(engine):
    from store.queries import Filters, count_mentions

    cfg = SourceConfig(key="s", kind="feed", url="https://x.example/feed")
    when = datetime(2026, 11, 2, 12, tzinfo=UTC)
    texts = ["ÄLVSJÖ får ny skola", "Nya bussar i älvsjö", "Kista 100% uppkopplat", "Kista 100 x"]
    with transaction(engine) as session:
        source = sync_sources(session, [cfg])["s"]
        save_items(session, source, [Item(f"e{i}", "news", t, when) for i, t in enumerate(texts)])
        session.execute(Mention.__table__.update().values(tagger_version="v"))
    with transaction(engine) as session:
        def n(search):
            return count_mentions(session, Filters(voice=None, search=search))
        assert n("Älvsjö") == 2 and n("ÄLVSJÖ") == 2
        assert n("100%") == 1 and n("100_") == 0
