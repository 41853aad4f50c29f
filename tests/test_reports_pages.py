"""The report pages of the dashboard (Aktiviteter, Mätpunkter) through AppTest on the demo's
sample data with its calendar, and one week's figures the same in the dashboard, the digest
and the yearly report."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from pulse.demo.run import demo_calendar, demo_settings, write_demo_config
from reports import digest as digest_mod
from reports.yearly import build_yearly
from store.db import make_engine
from tests.conftest import REPO
from tests.counts import count_stories

APP = str(REPO / "dashboard" / "app.py")


@pytest.fixture(autouse=True)
def _fresh_dashboard_caches():
    """Leave no demo config in the dashboard's process-wide caches for later tests."""
    yield
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


def _demo_config(tmp_path, base_settings):
    settings = demo_settings(base_settings, "http://127.0.0.1:9")
    return write_demo_config(settings, tmp_path / "demo-config"), settings


def _app(url, config, monkeypatch) -> AppTest:
    import streamlit as st

    # the dashboard keeps its settings for the process (st.cache_resource): an earlier
    # test's config folder, without the demo's calendar, must not be the one read here
    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setenv("PULSE_DATABASE_URL", url)
    monkeypatch.setenv("PULSE_CONFIG_DIR", str(config))
    monkeypatch.delenv("PULSE_DEMO", raising=False)
    return AppTest.from_file(APP, default_timeout=120)


def test_activities_page_shows_the_calendar_with_counts_as_sql(demo_url, base_settings,
                                                               tmp_path, monkeypatch):
    config, settings = _demo_config(tmp_path, base_settings)
    at = _app(demo_url, config, monkeypatch).run()
    at.switch_page("views/activities.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value == "Aktiviteter: före, under och efter"
    pick = at.selectbox(key="activity")
    assert pick.options[0].startswith("Open Stockholm Award: hackathon")
    pick.set_value("dialogpaviljong-farsta").run()
    pavilion = next(a for a in settings.calendar if a.id == "dialogpaviljong-farsta")
    during = count_stories(demo_url, pavilion.start, pavilion.end,
                           tags=(("audience", "residents"),))
    texts = [m.value for m in at.markdown]
    assert any(f"Under aktiviteten kom {during} omnämnanden" in x for x in texts), texts
    assert len(at.get("vega_lite_chart")) == 1
    assert [b.label for b in at.get("download_button")][:2] == [
        "Sammanfattning för invånare (HTML)", "Diagrammet (PNG)"]
    at.sidebar.radio(key="lang").set_value("English").run()
    assert at.header[0].value == "Activities: before, during and after"


def test_kpis_page_tracks_every_point_against_its_target(demo_url, base_settings, tmp_path,
                                                         monkeypatch):
    config, settings = _demo_config(tmp_path, base_settings)
    at = _app(demo_url, config, monkeypatch).run()
    at.switch_page("views/kpis.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.main.subheader] == [k.label.sv for k in settings.pulse.kpis]
    assert len(at.get("vega_lite_chart")) >= 5  # one per point with a value
    assert "Besvarade frågor och kommentarer i stadens kanaler" in [s.value
                                                                    for s in at.subheader]


def _num(text: str) -> float:
    return float(re.sub(r"[^\d+\-,.]", "", text).replace(",", ".").replace("\u2009", ""))


def test_one_week_is_the_same_in_dashboard_digest_and_yearly_report(demo_url, base_settings,
                                                                    monkeypatch, tmp_path):
    week = digest_mod.default_week(base_settings.pulse.general.zone)
    sunday = week + timedelta(days=6)
    config, _ = _demo_config(tmp_path, base_settings)
    at = _app(demo_url, config, monkeypatch).run()
    at.sidebar.date_input(key="period").set_value((sunday - timedelta(weeks=8), sunday)).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    built = digest_mod.build(make_engine(demo_url), base_settings, week, "sv")
    rows = {r["name"]: r for r in digest_mod.headline_rows(built.data, "sv")}
    total = count_stories(demo_url, week, sunday)
    assert _num(metrics["Tredjepartsomnämnanden"]) == rows["Tredjepartsomnämnanden"][
        "value"] == total
    # The same share text as the digest: the value with its 90 % interval (reports.shares).
    captions = [c.value for c in at.caption]
    assert rows["Nettoton"]["this"] in captions and rows["Andel negativa"]["this"] in captions
    assert metrics["Nettoton"] == rows["Nettoton"]["this"].split(" (")[0]
    assert _num(metrics["Tredje parts andel av rösterna"]) == round(
        rows["Tredje parts andel av rösterna (resten är stadens egna)"]["value"] * 100)
    # the yearly report's weekly measurement points read the same week the same way
    report = build_yearly(make_engine(demo_url), base_settings, week.year, "sv",
                          today=sunday)
    weekly = dict(zip(report.data["weeks"], report.data["kpi_weeks"]["message_carried"],
                      strict=True))
    digest_kpi = next(k for k in built.data["kpis"] if k["kpi"].id == "message_carried")
    assert weekly[week].value == digest_kpi["value"].value


def test_demo_calendar_is_dated_like_the_sample_items():
    hackathon, pavilion = demo_calendar()
    today = date.today()
    assert 50 <= (today - hackathon.start).days <= 54 and hackathon.days == 2
    assert 8 <= (today - pavilion.end).days <= 11 and pavilion.target_groups == ["residents"]
