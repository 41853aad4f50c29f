"""Engine and session set-up, migrations, and the check that a database is migrated."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE_PATH = Path("var") / "pulse.sqlite"
EXAMPLES = "e.g. postgresql://user@host/pulse or sqlite:///var/pulse.sqlite"


class NotMigratedError(RuntimeError):
    """The database schema is missing or older than this version of Pulse."""


class DatabaseError(RuntimeError):
    """A database Pulse cannot use; the message is one sentence naming PULSE_DATABASE_URL and
    what to do."""


def _redact(url: str) -> str:
    """Return a URL string with any password replaced by ***."""
    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", url)


def _shown(url: URL | str | None) -> str:
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return _redact(str(url or database_url()))


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split("\n")[0].split())
    return text.split(" (Background on this error")[0][:300] or type(orig).__name__


def database_problem(exc: BaseException, url: URL | str | None = None) -> str | None:
    """Return one sentence saying what is wrong with the database and what to do, for a
    failure to open, reach or write it; None when `exc` is not a database failure."""
    if isinstance(exc, DatabaseError | NotMigratedError):
        return str(exc)
    if not isinstance(exc, sa_exc.SQLAlchemyError | sqlite3.Error):
        return None
    if isinstance(exc, sa_exc.StatementError) and not isinstance(exc, sa_exc.DBAPIError):
        return None  # a bug in a statement, not the database's fault
    shown = _shown(url)
    detail = _first_line(exc)
    low = detail.casefold()
    sqlite = shown.startswith("sqlite")
    if sqlite:
        with suppress(sa_exc.ArgumentError):
            shown = make_url(shown).database or shown
    if "database is locked" in low or "database table is locked" in low:
        return (f"The SQLite database {shown} stayed locked by another process for longer "
                "than the busy timeout (30 s); try again, and stop any other program writing "
                "to it, or set PULSE_DATABASE_URL to a PostgreSQL server for several writers.")
    if "readonly database" in low or "read-only" in low:
        return (f"The database {shown} is read-only ({detail}); make the file and its folder "
                "writable for this user, or set PULSE_DATABASE_URL to a writable place.")
    if sqlite and ("unable to open database file" in low or "disk i/o error" in low
                   or "not a database" in low):
        return (f"PULSE_DATABASE_URL points at the SQLite file {shown}, which cannot be opened "
                f"or created ({detail}); point it at a file in a writable folder, {EXAMPLES}.")
    if "password authentication failed" in low or "no password supplied" in low or \
            re.search(r'role "[^"]+" does not exist', low):
        return (f"The database server refused the login in PULSE_DATABASE_URL {shown} "
                f"({detail}); fix the user or password in PULSE_DATABASE_URL.")
    if re.search(r'database "[^"]+" does not exist', low):
        return (f"The database named in PULSE_DATABASE_URL {shown} does not exist on the "
                f"server ({detail}); create it (createdb) or fix the name in the URL.")
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) and not sqlite:
        return (f"Cannot reach the database server of PULSE_DATABASE_URL {shown} ({detail}); "
                "start the server or fix the host and port in the URL.")
    return f"The database {shown} failed: {detail}; check PULSE_DATABASE_URL and the server."


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
    # A deleted row's bytes are overwritten, not left in free pages: an erased resident's
    # handle or text must not stay readable in the database file (store.privacy).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
    # SQLite's own lower() folds ASCII only; case-insensitive search (ILIKE compiles to
    # lower() LIKE lower()) must also match Å/Ä/Ö as PostgreSQL does.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def is_outage(exc: BaseException) -> bool:
    """Return True for a database failure that may pass (server unreachable or restarting,
    connection dropped, SQLite locked): worth retrying with backoff."""
    return isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError
                      | sa_exc.DisconnectionError | sa_exc.TimeoutError
                      | sqlite3.OperationalError)


def parse_database_url(url: str | None = None) -> URL:
    """Return the database URL parsed (see database_url); `postgres://` is PostgreSQL with
    psycopg. Raise DatabaseError, one sentence, for anything Pulse cannot use."""
    raw = database_url(url)
    try:
        parsed = make_url(raw)
    except (sa_exc.ArgumentError, ValueError):
        raise DatabaseError(f"PULSE_DATABASE_URL {_redact(raw)!r} is not a database URL; set "
                            f"it to a SQLAlchemy URL, {EXAMPLES}.") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgres", "postgresql"):
        return parsed.set(drivername=f"postgresql+{driver or 'psycopg'}")
    if backend == "sqlite":
        return parsed
    raise DatabaseError(f"PULSE_DATABASE_URL uses {backend!r}, which Pulse does not support; "
                        f"use PostgreSQL or SQLite, {EXAMPLES}.")


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for `url` (see database_url); SQLite gets WAL mode, foreign keys and
    a 30 s busy timeout. Raise DatabaseError for a URL Pulse cannot use."""
    parsed = parse_database_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(
                    f"PULSE_DATABASE_URL points at the SQLite file {parsed.database}, whose "
                    f"folder {folder} cannot be created ({exc.strerror or exc}); point it at "
                    f"a file in a writable folder, {EXAMPLES}.") from None
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(f"PULSE_DATABASE_URL {_shown(parsed)} cannot be used "
                            f"({_first_line(exc)}); {EXAMPLES}.") from None


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
