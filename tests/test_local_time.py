"""Local time on every page of the dashboard ([general] timezone), the zone said once, the
default language from [general] language, and exports that say their zone."""

from __future__ import annotations

import io
import re
import shutil
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from reports.export import export_bytes
from store.db import make_engine, transaction
from store.models import FetchState, Mention, Source
from store.queries import Filters, iter_export_rows
from tests.conftest import REPO

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _app(url: str, monkeypatch, config=None) -> AppTest:
    monkeypatch.setenv("PULSE_DATABASE_URL", url)
    monkeypatch.delenv("PULSE_DEMO", raising=False)
    if config:
        monkeypatch.setenv("PULSE_CONFIG_DIR", str(config))
    return AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)


def test_mention_times_are_local_with_the_zone_said_once(demo_url, monkeypatch):
    at = _app(demo_url, monkeypatch).run()
    zone_notes = [c.value for c in at.sidebar.caption if "Europe/Stockholm" in c.value]
    assert len(zone_notes) == 1 and re.search(r"\((CET|CEST)\)", zone_notes[0])
    at.switch_page("views/mentions.py").run()
    heads = [m.value for m in at.markdown if re.match(r"\*\*\d{4}-\d{2}-\d{2} \d\d:\d\d\*\*",
                                                      m.value)]
    assert heads
    with transaction(make_engine(demo_url)) as session:
        stored = [m.published_at for m in session.scalars(
            select(Mention).where(Mention.tagger_version.is_not(None)))]
    local = {p.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") for p in stored}
    utc = {p.astimezone(UTC).strftime("%Y-%m-%d %H:%M") for p in stored}
    shown = [re.match(r"\*\*(.{16})\*\*", h).group(1) for h in heads]
    assert all(s in local for s in shown)
    assert any(s not in utc for s in shown)  # an hour (or two) after UTC, not UTC
    picked = at.selectbox(key="pick_mention")
    assert picked.options[0][:16] in local


def test_source_health_times_are_local(demo_url, monkeypatch):
    when = datetime(2026, 7, 1, 10, 5, tzinfo=UTC)  # 12:05 in Stockholm (summer time)
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        source = session.scalars(select(Source).order_by(Source.key)).first()
        state = session.get(FetchState, source.id)
        state.last_success_at = when
        key = source.key
    at = _app(demo_url, monkeypatch).run()
    at.switch_page("views/sources.py").run()
    health = next(df.value for df in at.dataframe if "Status" in df.value.columns)
    row = health[health["Källa"] == key].iloc[0]
    assert row["Senast hämtad"] == "2026-07-01 12:05"


def test_general_language_sets_the_default_language(demo_url, monkeypatch, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    toml = (config / "pulse.toml").read_text(encoding="utf-8")
    assert re.search(r'^language = "sv"', toml, re.M)
    (config / "pulse.toml").write_text(re.sub(r'^language = "sv"', 'language = "en"', toml,
                                              flags=re.M), encoding="utf-8")
    at = _app(demo_url, monkeypatch, config).run()
    assert not at.exception
    assert at.title[0].value.startswith("Pulse – how Stockholm is perceived")
    assert at.sidebar.radio(key="lang").value == "English"


def test_exports_say_their_zone(demo_url):
    from openpyxl import load_workbook

    with transaction(make_engine(demo_url)) as session:
        rows = list(iter_export_rows(session, Filters()))
    csv_text = export_bytes(rows, "csv").decode("utf-8-sig")
    assert all(line.split(",")[4].endswith("+00:00") for line in csv_text.splitlines()[1:3])
    sheet = load_workbook(io.BytesIO(export_bytes(rows, "xlsx"))).active
    assert '"UTC"' in sheet.cell(row=2, column=5).number_format
