"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), a local HTTP server,
settings pointing at test sources.

PostgreSQL runs when PULSE_TEST_POSTGRES_URL is set. Without it the PostgreSQL variants skip
with a visible reason, except in CI (CI=true), where a missing or unreachable PostgreSQL fails.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from pulse.settings import HttpSettings, Settings, SourceConfig, load_settings
from store.db import make_engine, upgrade
from tests.httpserver import LocalServer

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Figures in tests are the counted ones unless a test writes a calibration of its own: the
# shipped nlp/models/calibration.json changes with every training (subprocesses inherit it).
os.environ["PULSE_CALIBRATION"] = str(Path(tempfile.gettempdir()) /
                                      f"pulse-tests-{uuid.uuid4().hex}" / "calibration.json")


# Collecting needs the pseudonym key (store.privacy); tests use one of their own, and the test
# of a missing key removes it.
os.environ["PULSE_PSEUDONYM_KEY"] = "pulse-tests-key-" + uuid.uuid4().hex


def pytest_addoption(parser):
    """--soak-minutes N: how long the soak test publishes (default: a short run for CI)."""
    parser.addoption("--soak-minutes", type=float, default=1.25,
                     help="minutes the soak test (marker `soak`) keeps publishing; "
                          "default 1.25 (CI)")


@pytest.fixture
def soak_minutes(request) -> float:
    """How long the soak test publishes, in minutes (--soak-minutes)."""
    return request.config.getoption("--soak-minutes")


def _postgres_url() -> str | None:
    url = os.environ.get("PULSE_TEST_POSTGRES_URL")
    if not url:
        if IN_CI:
            pytest.fail("CI=true but PULSE_TEST_POSTGRES_URL is not set: .ci/run must set it")
        pytest.skip("PostgreSQL tests skipped: set PULSE_TEST_POSTGRES_URL "
                    "(e.g. postgresql://postgres@127.0.0.1:5432/test)")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A fresh, empty database URL: a SQLite file, or a new schema on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pulse.sqlite'}"
    url = _postgres_url()
    schema = f"pulse_test_{uuid.uuid4().hex[:10]}"
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        pytest.fail(f"PostgreSQL at {url} is unreachable: {exc}")
    sep = "&" if "?" in url else "?"
    request.addfinalizer(lambda: _drop_schema(engine, schema))
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def _drop_schema(engine, schema: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def engine(db_url):
    """A migrated database engine."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def server():
    """A local HTTP server on 127.0.0.1 with programmable routes."""
    srv = LocalServer().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    """The project's shipped configuration."""
    return load_settings(REPO / "config")


def make_settings(base: Settings, sources: list[dict], **http) -> Settings:
    """Return settings with these test sources and optional http overrides (short timeouts)."""
    pulse = base.pulse.model_copy(update={
        "http": HttpSettings(**{**base.pulse.http.model_dump(), **http})})
    new = dataclasses.replace(base, pulse=pulse,
                              sources=[SourceConfig(**s) for s in sources])
    new.__dict__.pop("sources_by_key", None)
    return new


def write_config(tmp_path: Path, sources_toml: str) -> Path:
    """Return a config folder with the shipped pulse.toml and strategy.toml and these sources."""
    config = tmp_path / "config"
    config.mkdir()
    for name in ("pulse.toml", "strategy.toml"):
        (config / name).write_text((REPO / "config" / name).read_text(encoding="utf-8"),
                                   encoding="utf-8")
    (config / "sources.toml").write_text(sources_toml, encoding="utf-8")
    return config


def feed_source_toml(key: str, url: str) -> str:
    """Return one [[source]] table of kind feed."""
    return f'[[source]]\nkey = "{key}"\nkind = "feed"\nurl = "{url}"\n\n'


def fixture_bytes(name: str) -> bytes:
    """Return a file from tests/fixtures."""
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory, base_settings) -> Path:
    """A SQLite file holding the demo's sample data, collected and tagged by the real pipeline
    (built once per test session; copy it before changing it)."""
    from nlp.tagger import Tagger
    from pulse import jobs
    from pulse.demo.run import demo_settings
    from pulse.demo.server import DemoFeedServer

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with DemoFeedServer() as server:
        settings = demo_settings(base_settings, server.base_url)
        jobs.collect_all(engine, settings)
    jobs.tag_pending(engine, settings, Tagger(settings.strategy))
    engine.dispose()
    return path


@pytest.fixture
def demo_url(demo_sqlite, tmp_path) -> str:
    """A private copy of the demo database, as a SQLAlchemy URL."""
    import shutil

    copy = tmp_path / "demo.sqlite"
    shutil.copy(demo_sqlite, copy)
    return f"sqlite:///{copy}"
