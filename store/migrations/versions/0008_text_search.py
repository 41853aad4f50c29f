"""text search by index: an FTS5 trigram table kept by triggers on SQLite, pg_trgm GIN indexes
on PostgreSQL (store/search.py)

Where the pg_trgm extension cannot be created (no privilege), search still works, by scan.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
import logging

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

SQLITE_UP = [
    "CREATE VIRTUAL TABLE mentions_fts USING fts5(title, text, content='mentions', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER mentions_fts_insert AFTER INSERT ON mentions BEGIN "
    "INSERT INTO mentions_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions BEGIN "
    "INSERT INTO mentions_fts(mentions_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER mentions_fts_update AFTER UPDATE OF title, text ON mentions BEGIN "
    "INSERT INTO mentions_fts(mentions_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO mentions_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO mentions_fts(mentions_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS mentions_fts_update",
               "DROP TRIGGER IF EXISTS mentions_fts_delete",
               "DROP TRIGGER IF EXISTS mentions_fts_insert",
               "DROP TABLE IF EXISTS mentions_fts"]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        savepoint.commit()
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        log.warning("pg_trgm is not available (%s); text search scans", type(exc).__name__)
        return
    # The extension may live in another schema than this database's tables: name its
    # operator class by its schema.
    schema = bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'")).scalar_one()
    ops = f'"{schema}".gin_trgm_ops'
    op.execute(f"CREATE INDEX ix_mentions_text_trgm ON mentions USING gin (text {ops})")
    op.execute(f"CREATE INDEX ix_mentions_title_trgm ON mentions USING gin (title {ops})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
        return
    op.execute("DROP INDEX IF EXISTS ix_mentions_title_trgm")
    op.execute("DROP INDEX IF EXISTS ix_mentions_text_trgm")
