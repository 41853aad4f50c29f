"""Engine and session set-up, migrations, and the check that a database is migrated."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE_PATH = Path("var") / "pulse.sqlite"


class NotMigratedError(RuntimeError):
    """The database schema is missing or older than this version of Pulse."""


def database_url(explicit: str | None = None) -> str:
    """Return the database URL: the explicit one, PULSE_DATABASE_URL, or SQLite under ./var/."""
    url = explicit or os.environ.get("PULSE_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # SQLite's own lower() folds ASCII only; case-insensitive search (ILIKE compiles to
    # lower() LIKE lower()) must also match Å/Ä/Ö as PostgreSQL does.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for `url` (see database_url); SQLite gets WAL mode and foreign keys."""
    url = database_url(url)
    parsed = make_url(url)
    if parsed.drivername.startswith("postgresql") and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic config that runs the bundled migrations on `engine`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to `revision` (default: the newest)."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None when it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """Return the newest migration revision shipped with this version."""
    script = ScriptDirectory.from_config(alembic_config(create_engine("sqlite://")))
    return script.get_current_head()


def require_migrated(engine: Engine) -> None:
    """Raise NotMigratedError with a one-line instruction when the schema is not at head."""
    current = current_revision(engine)
    if current != head_revision():
        state = "not set up" if current is None else f"at revision {current}, older than Pulse"
        raise NotMigratedError(
            f"The database {engine.url.render_as_string(hide_password=True)} is {state}: "
            "run `pulse db upgrade` first."
        )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to `engine` (objects stay usable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """Yield a session inside one transaction: committed on success, rolled back on error."""
    with session_factory(engine).begin() as session:
        yield session
