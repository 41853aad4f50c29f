"""Nothing from a post runs or renders: hostile posts (tests/hostile.py) collected through the
real collectors (an RSS feed, an Atom feed, a WordPress REST API site, all on 127.0.0.1),
tagged, then shown on every dashboard page in a real Chromium, in the weekly digest, in the
yearly report's PDF and in the exports.

On every page: no JS dialog, no request to the beacon server, no element made from a post
(an image, frame, script, javascript:/data:/vbscript: link, rendered LaTeX, a markdown
heading, table or strikethrough, a link inside rendered markdown), no bidi override reaching
the page; and the hostile text shows as plain, literal text (so no directive, icon, emoji or
entity was read either)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests

from tests import hostile
from tests.apiserver import use_query_routes
from tests.conftest import REPO, write_config
from tests.httpserver import LocalServer
from tests.test_dashboard_browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    LOOPBACK,
    TIMEOUT_MS,
    _free_port,
    _idle,
    _ready,
)

PAGES = {"overview": ("", "Pulse – bilden av Stockholm som smart stad"),
         "keywords": ("keywords", "Nyckelord och budskap"),
         "audiences": ("audiences", "Målgrupper"), "topics": ("topics", "Ämnen"),
         "sources": ("sources", "Kanaler och källor"), "mentions": ("mentions", "Omnämnanden"),
         "benchmark": ("benchmark", "Stockholms röstandel bland smarta städer"),
         "activities": ("activities", "Aktiviteter: före, under och efter"),
         "kpis": ("kpis", "Mätpunkter vecka för vecka"),
         "review": ("review", "Granska")}
DIRECTIVES = "Smart stad :red[VARNING] :material/warning: :streamlit: :rocket: i Stockholm"
# What each page must show literally (its post text, shown as text): the overview lists the
# week's stories and authors, Omnämnanden and Granska the posts themselves.
LITERAL = {
    "overview": ['<script>alert("pulse-xss")</script> Smart stad i Stockholm',
                 "<i>Kursiv</i> &amp; Co",
                 DIRECTIVES,
                 '<img src=x onerror=alert("pulse-xss")>Redaktionen'],
    "mentions": ['<script>alert("pulse-xss")</script> Smart stad i Stockholm',
                 '[klicka här](javascript:alert("pulse-xss"))',
                 "$\\sqrt{2}$ och $$e^x$$",
                 '<img src=x onerror=alert("pulse-xss")>Redaktionen',
                 '[Redaktör](javascript:alert("pulse-xss"))',
                 ":blue[Admin] <b>fet</b>", "Maja <maja@example.se>",
                 '&lt;img src=x onerror=alert("pulse-xss")&gt; Smart stad Stockholm',
                 "&#60;script&#62;"],
    "review": ['<script>alert("pulse-xss")</script> Smart stad i Stockholm',
               DIRECTIVES,
               '[klicka här](javascript:alert("pulse-xss"))',
               "$\\sqrt{2}$ och $$e^x$$",
               '<javascript:alert("pulse-xss")>', '","Stockholm smart stad") www.example.se'],
}
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# Elements a post could make, found in the live DOM. Streamlit's own scripts are the
# bundles it serves itself (a src on the dashboard's origin); nothing else may run.
INJECTED_JS = """([origin, own]) => {
  const found = [];
  const say = (el, why) => found.push(why + ': ' + el.outerHTML.slice(0, 160));
  for (const el of document.querySelectorAll('img')) {
    const src = el.getAttribute('src') || '';
    if (src === 'x' || src.includes('/md-image') || src.includes('beacon')) say(el, 'img');
  }
  for (const el of document.querySelectorAll('iframe, frame, object, embed')) say(el, 'frame');
  for (const el of document.querySelectorAll('script')) {
    if (el.src ? !el.src.startsWith(origin + '/') : !own.includes(el.textContent.trim())) {
      say(el, 'script');
    }
  }
  for (const el of document.querySelectorAll('a[href], area[href]')) {
    const href = el.getAttribute('href').trim().toLowerCase();
    if (/^(javascript|data|vbscript):/.test(href.replace(/[\\s\\x00-\\x1f]/g, ''))) say(el, 'link');
  }
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.getAttributeNames()) {
      if (/^on/.test(a)) say(el, 'handler');
    }
  }
  for (const el of document.querySelectorAll('.katex, math, del, s, table.markdown, '
      + '[data-testid="stMarkdownContainer"] table, '
      + '[data-testid="stMarkdownContainer"] img, '
      + '[data-testid="stMarkdownContainer"] a:not([href^="#"]), '
      + '[data-testid="stMarkdownContainer"] [data-testid="stIconMaterial"]')) {
    say(el, 'markdown');
  }
  for (const el of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    if (el.textContent.includes('Rubrik')) say(el, 'heading');
  }
  for (const el of document.querySelectorAll('style')) {
    if (el.textContent.includes('display:none}') && el.textContent.includes('body{')) {
      say(el, 'style');
    }
  }
  return found;
}"""


def _sources_toml(base: str) -> str:
    return (f'[[source]]\nkey = "hostile-news"\nname = "Fientliga nyheter"\nkind = "feed"\n'
            f'url = "{base}/news.xml"\n\n'
            f'[[source]]\nkey = "hostile-blog"\nname = "Fientlig blogg"\nkind = "feed"\n'
            f'url = "{base}/blog.xml"\n\n'
            f'[[source]]\nkey = "hostile-wp"\nname = "Fientlig WordPress"\n'
            f'kind = "wordpress_api"\nurl = "{base}/"\n\n')


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory, base_settings):
    """The hostile sources served on 127.0.0.1, collected by the real collectors and tagged
    into a fresh SQLite file; yields {"url", "config", "beacon", "items", "env"}. The beacon
    server stays up: any request it gets is recorded and fails the tests."""
    from nlp.tagger import Tagger
    from pulse import jobs
    from pulse.settings import load_settings
    from store.db import make_engine, upgrade

    now = datetime.now(UTC)
    folder = tmp_path_factory.mktemp("hostile")
    beacon = LocalServer().start()
    site = use_query_routes(LocalServer()).start()
    try:
        b, base = beacon.base_url, site.base_url
        items = hostile.items(b, now)
        site.route("/news.xml", hostile.rss(b, base, now, items),
                   headers={"Content-Type": "application/rss+xml; charset=utf-8"})
        site.route("/blog.xml", hostile.atom(b, base, now,
                                             [{**i, "id": "a" + i["id"]} for i in items[:3]]),
                   headers={"Content-Type": "application/atom+xml; charset=utf-8"})
        wp = {"Content-Type": "application/json; charset=UTF-8", "X-WP-Total": "3",
              "X-WP-TotalPages": "1"}
        site.route("/wp-json/wp/v2/posts", hostile.wp_posts(b, base, items[:3]), headers=wp)
        site.route("/wp-json/wp/v2/comments", hostile.wp_comments(items[3:5]), headers=wp)
        config = write_config(folder, _sources_toml(base))
        settings = load_settings(config)
        url = f"sqlite:///{folder / 'hostile.sqlite'}"
        engine = make_engine(url)
        upgrade(engine)
        outcomes = jobs.collect_all(engine, settings)
        assert [(o.new_items, o.error_kind) for o in outcomes] == [(6, None), (3, None),
                                                                  (5, None)]
        assert jobs.tag_pending(engine, settings, Tagger(settings.strategy)) == 14
        engine.dispose()
        env = {"PULSE_DATABASE_URL": url, "PULSE_CONFIG_DIR": str(config)}
        yield {"url": url, "config": config, "beacon": beacon, "items": items, "env": env,
               "folder": folder}
    finally:
        site.stop()
        beacon.stop()


@pytest.fixture(scope="module")
def hostile_dashboard(hostile_db):
    """The real dashboard (streamlit run) on the hostile database; yields its base URL."""
    port = _free_port()
    folder = hostile_db["folder"]
    log = open(folder / "streamlit.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env={**os.environ, **hostile_db["env"]}, stdout=log, stderr=subprocess.STDOUT)
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
                            + (folder / "streamlit.log").read_text())
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture(scope="module")
def chromium():
    """Headless Debian chromium through Playwright (one for the module)."""
    from playwright.sync_api import expect, sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class Watch:
    """What a page did that it must not: dialogs opened, requests to the beacon or to any
    host that is not this machine."""

    def __init__(self, context, page, beacon: LocalServer):
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        port = beacon.httpd.server_address[1]

        def on_dialog(dialog) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def route(r) -> None:
            parts = urlsplit(r.request.url)
            if r.request.url.startswith(("blob:", "data:image/", "file:")):
                r.continue_()
            elif parts.port == port or (parts.hostname or "") not in LOOPBACK:
                self.requests.append(r.request.url)
                r.abort()
            else:
                r.continue_()

        page.on("dialog", on_dialog)
        context.route("**/*", route)
        self.beacon = beacon

    @staticmethod
    def own_scripts(origin: str) -> list[str]:
        """The inline scripts of the page Streamlit serves itself (none for a file)."""
        if not origin.startswith("http"):
            return []
        body = requests.get(origin + "/", timeout=10).text
        return [m.strip() for m in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>",
                                              body, re.S)]

    def check(self, page, where: str, origin: str) -> None:
        """Fail on a dialog, a beacon or outside request, an injected element, a bidi
        control, all seen on `page` so far."""
        injected = page.evaluate(INJECTED_JS, [origin, self.own_scripts(origin)])
        text = page.locator("body").inner_text()
        assert not self.dialogs, f"{where}: a script from a post ran: {self.dialogs}"
        assert not self.requests, f"{where}: the page asked for {self.requests}"
        assert not self.beacon.requests, f"{where}: the beacon was asked: {self.beacon.requests}"
        assert not injected, f"{where}: elements made from a post: {injected}"
        bidi = [hex(ord(c)) for c in BIDI_CONTROLS if c in text]
        assert not bidi, f"{where}: bidi controls from a post reached the page: {bidi}"


def _literal(page, where: str, wanted: list[str]) -> None:
    """Every string of `wanted` is on the page as text, character for character (as read:
    the word joiners dashboard.fmt.md_escape puts in front of "://" and "@" have no width)."""
    text = page.locator("body").inner_text().replace("\u2060", "")
    missing = [w for w in wanted if w not in text]
    assert not missing, f"{where}: not shown literally: {missing}"


@pytest.fixture
def watched(chromium, hostile_db):
    """A fresh browser context and page, watched (see Watch)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(context, page, hostile_db["beacon"])
    yield page, watch
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_post_runs_or_renders_on_a_dashboard_page(hostile_dashboard, watched, name):
    page, watch = watched
    path, heading = PAGES[name]
    page.goto(f"{hostile_dashboard}/{path}")
    _ready(page, heading)
    page.wait_for_timeout(500)  # images and frames a post made would be asked for by now
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"hostile-{name}.png"), full_page=True)
    watch.check(page, name, hostile_dashboard)
    _literal(page, name, LITERAL.get(name, []))


def test_a_hostile_mentions_details_and_author_drill_stay_inert(hostile_dashboard, watched):
    """Omnämnanden's details panel for each hostile mention (its label in the picker, the
    correction form and history), and the overview's drill-down to a hostile author."""
    from playwright.sync_api import expect

    page, watch = watched
    page.goto(f"{hostile_dashboard}/mentions")
    _ready(page, "Omnämnanden")
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Välj omnämnande")
    picker.click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    labels = options.all_inner_texts()
    assert any('<script>alert("pulse-xss")</script>' in label for label in labels), labels
    page.keyboard.press("Escape")
    for n in range(min(len(labels), 6)):
        picker.click()
        page.get_by_role("option").nth(n).click()
        _idle(page)
        watch.check(page, f"mentions, details of option {n}", hostile_dashboard)
    # The overview's top authors (five, the most stories first, then by handle; the
    # comments' authors are private persons, shown by pseudonym): drill to authors whose
    # names are an <img> tag, a markdown link and HTML with an entity; Omnämnanden then says
    # whose mentions it shows, in a notice.
    for n, author in enumerate(['<img src=x onerror=alert("pulse-xss")>Redaktionen',
                                '[Redaktör](javascript:alert("pulse-xss"))',
                                "<i>Kursiv</i> &amp; Co"]):
        page.goto(f"{hostile_dashboard}/")
        _ready(page, "Pulse – bilden av Stockholm som smart stad")
        row = page.get_by_test_id("stHorizontalBlock").filter(has_text=author).filter(
            has=page.get_by_role("button")).last
        row.get_by_role("button").last.click()
        _ready(page, "Omnämnanden")
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / f"hostile-author-drill-{n}.png"), full_page=True)
        watch.check(page, f"mentions drilled to author {author}", hostile_dashboard)
        notice = page.get_by_test_id("stAlert").filter(has_text="Visar omnämnanden av")
        shown = notice.inner_text().replace("\u2060", "")
        assert author in shown, f"the author is not shown literally: {shown!r}"


def _pulse(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pulse.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **env}, cwd=REPO, timeout=300)


def test_the_digest_shows_hostile_posts_as_text(hostile_db, watched, tmp_path):
    page, watch = watched
    out = tmp_path / "digest.html"
    result = _pulse("digest", "--out", str(out), env=hostile_db["env"])
    assert result.returncode == 0, result.stderr
    page.goto(out.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "hostile-digest.png"), full_page=True)
    watch.check(page, "digest", "file://")
    _literal(page, "digest", ['<script>alert("pulse-xss")</script> Smart stad i Stockholm',
                              DIRECTIVES])
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs


def test_the_yearly_report_has_no_active_links_or_post_markup(hostile_db, tmp_path):
    import pypdf

    out = tmp_path / "report.pdf"
    year = str(datetime.now(UTC).year)
    result = _pulse("report", "--year", year, "--out", str(out), env=hostile_db["env"])
    assert result.returncode == 0, result.stderr
    reader = pypdf.PdfReader(out)
    uris = []
    for pdf_page in reader.pages:
        for annot in pdf_page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            if action.get("/URI") is not None:
                uris.append(str(action["/URI"]))
            assert action.get("/S") not in ("/JavaScript", "/Launch"), action
    assert all(u.startswith(("http://", "https://")) for u in uris), uris
    assert "/JavaScript" not in str(reader.trailer["/Root"].get("/Names") or {})
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "pulse-xss" not in text  # the report shows figures only, never a post's markup
    assert not hostile_db["beacon"].requests


def test_exports_neutralise_formulas_and_keep_data_verbatim(hostile_db, tmp_path):
    from openpyxl import load_workbook

    env = hostile_db["env"]
    files = {}
    for fmt in ("csv", "xlsx", "jsonl"):
        files[fmt] = tmp_path / f"export.{fmt}"
        result = _pulse("export", "--format", fmt, "--output", str(files[fmt]), env=env)
        assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(files["csv"].read_text(encoding="utf-8-sig"))))
    cells = [r[k] for r in rows for k in ("title", "text", "author", "url")]
    assert "'=HYPERLINK(" in "\n".join(cells)
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    sheet = load_workbook(files["xlsx"]).active
    values = [c for r in sheet.iter_rows(min_row=2) for c in r]
    assert not [c.coordinate for c in values if c.data_type == "f"]
    assert not [c.coordinate for c in values if c.hyperlink]
    assert any(isinstance(c.value, str) and c.value.startswith("=HYPERLINK(") and c.quotePrefix
               for c in values)
    records = [json.loads(line) for line in files["jsonl"].read_text().splitlines()]
    stored = {i["title"] for i in hostile_db["items"]}
    assert stored <= {r["title"] for r in records if r.get("title")}  # verbatim, as data
    assert not [r["url"] for r in records
                if r.get("url") and not r["url"].startswith(("http://", "https://"))]
