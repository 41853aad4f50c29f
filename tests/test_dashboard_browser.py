"""End to end in a real headless Chromium (Debian's `chromium`, driven by Playwright) against
the real Streamlit server on the demo's sample data: filters, a correction, an export.

Screenshots of every page are saved as test artefacts in $PULSE_TEST_ARTIFACTS (default
tests/artifacts/). A missing browser fails the test: it is never skipped."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import REPO
from tests.counts import count_stories

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PAGES = {"overview": ("", "Pulse – bilden av Stockholm som smart stad"),
         "keywords": ("keywords", "Nyckelord och budskap"),
         "audiences": ("audiences", "Målgrupper"), "topics": ("topics", "Ämnen"),
         "sources": ("sources", "Kanaler och källor"), "mentions": ("mentions", "Omnämnanden"),
         "benchmark": ("benchmark", "Stockholms röstandel bland smarta städer")}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
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
    from playwright.sync_api import expect

    # Every expectation waits as long as an action may (its default, 5 s, is shorter than a
    # script run on a loaded 2-core machine).
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _idle(page) -> None:
    """Wait until Streamlit has finished the current script run and no element of the run
    before is still on the page (a stale copy beside the new one makes locators ambiguous)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=TIMEOUT_MS)
    page.wait_for_function('!document.querySelector(\'[data-stale="true"]\')',
                           timeout=TIMEOUT_MS)


def _ready(page, heading: str) -> None:
    """Wait until the page whose heading is `heading` is drawn and its script run is done:
    the heading proves the navigation happened (the old page's elements prove nothing)."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stMain").get_by_role("heading", name=heading).first
           ).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stDownloadButton"]', timeout=TIMEOUT_MS)
    _idle(page)


def _matches(n: int):
    """The Mentions page's count line for `n`, anchored: "3 omnämnanden" never passes as
    "13 omnämnanden"."""
    return re.compile(rf"^{n} omnämnande{'' if n == 1 else 'n'} matchar")


def _set_start_date(page, day: date) -> None:
    segments = page.get_by_role("group", name="Period start date").get_by_role("spinbutton")
    segments.first.click()
    page.keyboard.type(day.strftime("%Y%m%d"))
    page.keyboard.press("Tab")
    page.locator("h1").first.click()  # leave the field: the new range is sent


def _outside_requests(context) -> list[str]:
    """Record every request the pages make to a host that is not this machine (and refuse it):
    the demo promises that nothing leaves the machine."""
    seen: list[str] = []

    def check(route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            seen.append(route.request.url)
            route.abort()

    context.route("**/*", check)
    return seen


def _corrections(url: str) -> list[tuple]:
    from sqlalchemy import select

    from store.db import make_engine, transaction
    from store.models import Correction

    with transaction(make_engine(url)) as session:
        return [(c.mention_id, c.kind, c.value, c.author)
                for c in session.scalars(select(Correction).order_by(Correction.id))]


def _listed(url: str, start: date, end: date) -> list[tuple[int, str]]:
    """(id, title) of the positive third-party mentions with keyword open, newest first, as the
    Mentions page lists them (the test's own SQL)."""
    from sqlalchemy import select

    from store.db import make_engine, transaction
    from store.models import Mention, Tag

    with transaction(make_engine(url)) as session:
        rows = session.execute(
            select(Mention.id, Mention.title, Mention.text)
            .where(Mention.voice == "third_party", Mention.sentiment == "positive",
                   Mention.local_day >= start, Mention.local_day <= end,
                   select(Tag.id).where(Tag.mention_id == Mention.id, Tag.kind == "keyword",
                                        Tag.value == "open", Tag.active.is_(True),
                                        Tag.tagger_version == Mention.tagger_version).exists())
            .order_by(Mention.local_day.desc(), Mention.published_at.desc(),
                      Mention.id.desc())).all()
    return [(i, title or text) for i, title, text in rows]


def test_filters_correction_and_export_in_a_real_browser(dashboard, browser):
    from playwright.sync_api import expect

    base, url = dashboard
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    today = date.today()
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True)
    outside = _outside_requests(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    page.goto(base + "/")
    _ready(page, "Pulse – bilden av Stockholm som smart stad")
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
    _idle(page)

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Omnämnanden").click()
    expect(page).to_have_url(re.compile(r"/mentions$"), timeout=TIMEOUT_MS)
    _ready(page, "Omnämnanden")
    sidebar.get_by_text("Fler filter").click()
    sidebar.get_by_label("Ton", exact=True).click()
    page.keyboard.type("Positiv")
    page.keyboard.press("Enter")
    positive = count_stories(url, start, today, sentiment="positive", tags=open_tag)
    assert positive >= 2
    caption = page.get_by_text(re.compile(r"omnämnanden? matchar"))
    expect(caption).to_contain_text(_matches(positive))
    _idle(page)

    # Choose the first mention (A), then the second (B), change only B's tone: exactly one
    # correction row, for B, for the tone.
    listed = _listed(url, start, today)
    second_id, second_title = listed[1]
    main = page.get_by_test_id("stMain")
    chooser = main.get_by_label("Välj omnämnande")
    expect(chooser).to_be_visible()
    chooser.click()
    page.get_by_role("option", name=re.compile(re.escape(second_title[:40]))).first.click()
    _idle(page)
    form = main.get_by_test_id("stForm").first
    tone = form.get_by_role("combobox", name="Ton", exact=True)
    expect(tone).to_have_count(1)  # the previous mention's form is gone
    expect(tone).to_have_value("Positiv")
    main.get_by_role("textbox", name="Ditt namn").fill("Analytiker E2E")
    main.get_by_role("textbox", name="Ditt namn").press("Tab")
    _idle(page)
    expect(tone).to_have_count(1)
    tone.click()
    page.keyboard.type("Negativ")
    page.keyboard.press("Enter")
    form.get_by_role("button", name="Spara rättelse").click()
    expect(caption).to_contain_text(_matches(positive - 1))
    expect(main.get_by_text("Sparat.")).to_be_visible()
    assert _corrections(url) == [(second_id, "sentiment", "negative", "Analytiker E2E")]
    assert count_stories(url, start, today, sentiment="positive", tags=open_tag) == positive - 1
    page.screenshot(path=str(ARTIFACTS / "mentions-after-correction.png"), full_page=True)

    _idle(page)
    with page.expect_download() as download:
        sidebar.get_by_role("button", name="Ladda ner CSV").click()
    data = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert len(rows) == count_stories(url, start, today, sentiment="positive", tags=open_tag,
                                      copies=True)
    assert all(r["sentiment"] == "positive" and "open" in r["keywords"].split(";")
               and r["voice"] == "third_party" for r in rows)
    assert download.value.suggested_filename.endswith(".csv")

    for name, (path, heading) in PAGES.items():
        page.goto(f"{base}/{path}")
        _ready(page, heading)
        page.wait_for_timeout(500)  # let Vega finish drawing before the picture
        assert not page.get_by_test_id("stException").count(), name
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert outside == [], f"the dashboard reached outside the machine: {outside}"
    context.close()


def test_a_drill_down_opens_the_mentions_behind_a_figure(dashboard, browser):
    """The overview's "Visa" opens Omnämnanden filtered to the figure's mentions, with the
    filter bar's own choices kept (a page switch once reset them)."""
    from playwright.sync_api import expect

    base, url = dashboard
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    week = monday if today.weekday() == 6 else monday - timedelta(weeks=1)
    sunday = week + timedelta(days=6)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside = _outside_requests(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(base + "/")
    _ready(page, "Pulse – bilden av Stockholm som smart stad")
    sidebar = page.get_by_test_id("stSidebar")
    keyword = sidebar.get_by_label("Nyckelord", exact=True)
    keyword.click()
    page.keyboard.type("Öppen")
    page.keyboard.press("Enter")
    open_tag = (("keyword", "open"),)
    metric = page.locator('[data-testid="stMetric"]').first
    expect(metric).to_contain_text(str(count_stories(url, today - timedelta(weeks=12), today,
                                                     tags=open_tag)))
    _idle(page)
    page.get_by_test_id("stMain").get_by_role("button", name="Visa veckans omnämnanden").click()
    expect(page).to_have_url(re.compile(r"/mentions$"), timeout=TIMEOUT_MS)
    _ready(page, "Omnämnanden")
    n = count_stories(url, week, sunday, tags=open_tag)
    expect(page.get_by_text(re.compile(r"omnämnanden? matchar"))).to_contain_text(_matches(n))
    expect(sidebar.get_by_label("Nyckelord", exact=True)).to_have_value("Öppen")
    page.screenshot(path=str(ARTIFACTS / "drill-down.png"), full_page=True)
    assert outside == [], f"the dashboard reached outside the machine: {outside}"
    context.close()
