"""A database Pulse cannot use ends every command in one line that names PULSE_DATABASE_URL
and says what to do; `postgres://` is PostgreSQL; jobs ride out an outage; SQLite under
concurrent dashboard reads and collector writes loses no write."""

from __future__ import annotations

import contextlib
import logging
import socket
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from pulse import jobs
from pulse.scheduler import build_scheduler
from store.db import DatabaseError, database_problem, make_engine, transaction, upgrade
from store.items import Item
from store.models import Mention, Source
from store.queries import Filters, count_mentions, latest_mentions, volume_by_source
from store.writes import fetch_state, save_items, sync_sources
from tests.conftest import make_settings
from tests.test_cli import pulse


def _one_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "Background on this error" not in result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:////proc/pulse.sqlite", "/proc/pulse.sqlite, which cannot be opened or created"),
    ("mysql://pulse:pw@localhost/pulse", "uses 'mysql', which Pulse does not support"),
    ("not a url", "'not a url' is not a database URL"),
    ("sqlite:///{file}/pulse.sqlite", "cannot be created (File exists)"),
    ("postgresql://pulse@127.0.0.1:{closed}/pulse", "Cannot reach the database server"),
    ("postgresql://pulse:s3cret-pw@127.0.0.1:{closed}/pulse", "postgresql://pulse:***@"),
    ("sqlite:///file:{tmp}/ro.sqlite?mode=ro&uri=true", "is read-only"),
])
@pytest.mark.parametrize("command", [["db", "upgrade"], ["sources"], ["collect"], ["export"]])
def test_bad_database_urls_give_one_line(tmp_path, url, expected, command):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    if "mode=ro" in url:
        upgrade(make_engine(f"sqlite:///{tmp_path / 'ro.sqlite'}"))
    url = url.format(file=a_file, closed=closed, tmp=tmp_path)
    if "mode=ro" in url and command != ["sources"]:
        command = ["collect"]  # a migrated file reads fine; writing is what fails
    result = pulse(*command, env={"PULSE_DATABASE_URL": url})
    assert result.returncode == 1
    line = _one_line(result)
    assert expected in line
    assert "PULSE_DATABASE_URL" in line
    assert "s3cret-pw" not in result.stderr + result.stdout


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgres_scheme_is_postgresql(db_url):
    url = "postgres://" + db_url.split("://", 1)[1]
    result = pulse("db", "upgrade", env={"PULSE_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "database ready: postgresql+psycopg://" in result.stderr
    assert make_engine(url).dialect.name == "postgresql"


def test_a_locked_sqlite_database_is_one_sentence(tmp_path):
    path = tmp_path / "locked.sqlite"
    holder = sqlite3.connect(path)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    with pytest.raises(sqlite3.OperationalError) as err:
        sqlite3.connect(path, timeout=0).execute("SELECT * FROM t")
    holder.rollback()
    message = database_problem(err.value, f"sqlite:///{path}")
    assert message.startswith(f"The SQLite database {path} stayed locked")
    assert "PULSE_DATABASE_URL" in message


def test_make_engine_refuses_what_pulse_cannot_use(tmp_path):
    for url in ("mysql://x@y/z", "oracle://x@y/z", "::::"):
        with pytest.raises(DatabaseError, match="PULSE_DATABASE_URL"):
            make_engine(url)
    assert make_engine("postgres://u@h/db").url.drivername == "postgresql+psycopg"
    assert database_problem(ValueError("not ours")) is None


# --- jobs ride out an outage ------------------------------------------------------------

class FlakyProxy:
    """A TCP proxy to PostgreSQL that can drop every connection (the server "down")."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.up = False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.target)
            self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()

    def down(self) -> None:
        """Refuse new connections and cut the open ones."""
        self.up = False
        for s in self._open:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self._open.clear()

    def close(self) -> None:
        """Stop listening."""
        self.down()
        self.listener.close()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_jobs_retry_with_backoff_while_the_database_is_down(db_url, server, base_settings,
                                                            caplog):
    from tests.conftest import fixture_bytes

    direct = make_engine(db_url)
    upgrade(direct)
    server.route("/rss", fixture_bytes("news_rss.xml"))
    settings = make_settings(base_settings, [{"key": "news", "kind": "feed",
                                              "url": server.url("/rss")}])
    jobs.sync_config_sources(direct, settings)
    parsed = make_url(db_url)
    proxy = FlakyProxy((parsed.host, parsed.port or 5432))
    engine = make_engine(parsed.set(host="127.0.0.1", port=proxy.port)
                         .render_as_string(hide_password=False))
    caplog.set_level(logging.WARNING, logger="pulse.scheduler")
    scheduler = build_scheduler(engine, settings, retry_first=0.2)
    scheduler.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and caplog.text.count("database_outage") < 3:
            time.sleep(0.1)
        assert caplog.text.count("job=collect:news database_outage") >= 3
        assert "attempt=3 retry_in=0.8s" in caplog.text
        assert "Cannot reach the database server" in caplog.text
        assert scheduler.running
        proxy.up = True

        def stored():
            with transaction(direct) as s:
                return s.scalar(select(func.count(Mention.id)))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and stored() < 3:
            time.sleep(0.2)
        assert stored() == 3
        assert "job=collect:news database back after" in caplog.text
    finally:
        scheduler.shutdown(wait=True)
        proxy.close()
        engine.dispose()
        direct.dispose()


# --- SQLite: dashboard reads beside collector writes -------------------------------------

def test_sqlite_loses_no_write_under_concurrent_reads_and_writes(tmp_path, base_settings):
    url = f"sqlite:///{tmp_path / 'busy.sqlite'}"
    upgrade(make_engine(url))
    settings = make_settings(base_settings, [
        {"key": f"w{n}", "kind": "feed", "url": f"https://w{n}.example/feed"} for n in range(3)])
    with transaction(make_engine(url)) as s:
        sync_sources(s, settings.sources)
    writers, batches, per_batch = 3, 40, 25
    errors: list[BaseException] = []
    stop = threading.Event()
    start = datetime(2026, 11, 2, 8, tzinfo=UTC)

    def write(n: int) -> None:
        engine = make_engine(url)  # a process of its own would hold its own connections too
        try:
            for b in range(batches):
                with transaction(engine) as s:
                    source, _ = fetch_state(s, f"w{n}")
                    save_items(s, source, [Item(
                        external_id=f"{n}-{b}-{i}", kind="news", text=f"Text {n} {b} {i}",
                        published_at=start + timedelta(minutes=b * per_batch + i),
                        url=f"https://w{n}.example/{b}/{i}") for i in range(per_batch)])
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            errors.append(exc)

    def read() -> None:
        engine = make_engine(url)
        f = Filters(start=start.date(), end=(start + timedelta(days=30)).date())
        try:
            while not stop.is_set():
                with transaction(engine) as s:
                    count_mentions(s, f, tagged_only=False)
                    latest_mentions(s, f, limit=50)
                    volume_by_source(s, f)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    writing = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in readers + writing:
        t.start()
    for t in writing:
        t.join(120)
    stop.set()
    for t in readers:
        t.join(30)
    assert errors == []
    with transaction(make_engine(url)) as s:
        per_source = dict(s.execute(select(Source.key, func.count(Mention.id))
                                    .join(Mention).group_by(Source.key)).all())
        mode = s.connection().exec_driver_sql("PRAGMA journal_mode").scalar()
        busy = s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert per_source == {f"w{n}": batches * per_batch for n in range(writers)}
    assert (mode, busy) == ("wal", 30000)
