"""End to end in a real headless Chromium (Debian's `chromium`, driven by Playwright) against
the real Streamlit server on the demo's sample data: filters, a correction, an export.

Screenshots of every page are saved as test artefacts in $PULSE_TEST_ARTIFACTS (default
tests/artifacts/). A missing browser fails the test: it is never skipped."""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO
from tests.counts import count_stories

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PAGES = {"overview": "", "keywords": "keywords", "audiences": "audiences", "topics": "topics",
         "sources": "sources", "mentions": "mentions", "benchmark": "benchmark"}
ARTIFACTS = Path(os.environ.get("PULSE_TEST_ARTIFACTS", REPO / "tests" / "artifacts"))
TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dashboard(demo_url, tmp_path):
    """The real dashboard (streamlit run) on a copy of the demo database; yields its URL."""
    port = _free_port()
    log = open(tmp_path / "streamlit.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env={**os.environ, "PULSE_DATABASE_URL": demo_url, "PULSE_DEMO": "1"},
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/_stcore/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the dashboard did not start: "
                            + (tmp_path / "streamlit.log").read_text())
            time.sleep(0.3)
        yield base, demo_url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture
def browser():
    """Headless Debian chromium through Playwright."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium); the "
                    "browser test needs it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _ready(page) -> None:
    """Wait until the script run is drawn: the sidebar export button comes last."""
    page.wait_for_selector('[data-testid="stDownloadButton"]', timeout=TIMEOUT_MS)


def _set_start_date(page, day: date) -> None:
    segments = page.get_by_role("group", name="Period start date").get_by_role("spinbutton")
    segments.first.click()
    page.keyboard.type(day.strftime("%Y%m%d"))
    page.keyboard.press("Tab")
    page.locator("h1").first.click()  # leave the field: the new range is sent


def test_filters_correction_and_export_in_a_real_browser(dashboard, browser):
    from playwright.sync_api import expect

    base, url = dashboard
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    today = date.today()
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.set_default_timeout(TIMEOUT_MS)

    page.goto(base + "/")
    _ready(page)
    metric = page.locator('[data-testid="stMetric"]').first
    expect(metric).to_contain_text(str(count_stories(url, today - timedelta(weeks=12), today)))
    expect(page.get_by_text("EXEMPELDATA")).to_be_visible()

    start = today - timedelta(days=30)
    _set_start_date(page, start)
    expect(metric).to_contain_text(str(count_stories(url, start, today)))

    sidebar = page.get_by_test_id("stSidebar")
    keyword = sidebar.get_by_label("Nyckelord", exact=True)
    keyword.click()
    page.keyboard.type("Öppen")
    page.keyboard.press("Enter")
    open_tag = (("keyword", "open"),)
    expect(metric).to_contain_text(str(count_stories(url, start, today, tags=open_tag)))

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Omnämnanden").click()
    _ready(page)
    sidebar.get_by_text("Fler filter").click()
    sidebar.get_by_label("Ton", exact=True).click()
    page.keyboard.type("Positiv")
    page.keyboard.press("Enter")
    positive = count_stories(url, start, today, sentiment="positive", tags=open_tag)
    assert positive >= 2
    caption = page.get_by_text("omnämnanden matchar")
    expect(caption).to_contain_text(f"{positive} omnämnanden matchar")

    main = page.get_by_test_id("stMain")
    form = main.get_by_test_id("stForm").first
    form.get_by_label("Ditt namn").fill("Analytiker E2E")
    form.get_by_label("Ton", exact=True).click()
    page.keyboard.type("Negativ")
    page.keyboard.press("Enter")
    form.get_by_role("button", name="Spara rättelse").click()
    expect(caption).to_contain_text(f"{positive - 1} omnämnanden matchar")
    expect(main.get_by_text("Sparat.")).to_be_visible()
    assert count_stories(url, start, today, sentiment="positive", tags=open_tag) == positive - 1
    page.screenshot(path=str(ARTIFACTS / "mentions-after-correction.png"), full_page=True)

    with page.expect_download() as download:
        sidebar.get_by_role("button", name="Ladda ner CSV").click()
    data = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert len(rows) == count_stories(url, start, today, sentiment="positive", tags=open_tag,
                                      copies=True)
    assert all(r["sentiment"] == "positive" and "open" in r["keywords"].split(";")
               and r["voice"] == "third_party" for r in rows)
    assert download.value.suggested_filename.endswith(".csv")

    for name, path in PAGES.items():
        page.goto(f"{base}/{path}")
        _ready(page)
        page.wait_for_timeout(500)  # let Vega finish drawing before the picture
        assert not page.get_by_test_id("stException").count(), name
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
