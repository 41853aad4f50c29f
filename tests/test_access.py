"""Access to the dashboard: roles from pulse.toml, the bind rule of `pulse dashboard`, the
server-side role check of every write, and a real login in Chromium against a real OpenID
provider (oidc-provider-mock, a provider server made for tests) on 127.0.0.1.

A missing browser fails the browser test: it is never skipped."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from pydantic import ValidationError
from sqlalchemy import select, update

from dashboard.access import AccessDenied, User, require, write
from dashboard.export import export_file
from pulse.login import AUTH_KEYS, bind_problem, missing_auth_keys
from pulse.settings.app import DashboardSettings, RoleSettings, is_loopback
from store.corrections import add_correction
from store.db import make_engine, transaction
from store.models import AuditEntry, Correction, FetchState, Mention, Response, Source
from store.queries import Filters
from tests.conftest import REPO
from tests.test_dashboard_browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    _free_port,
    _idle,
    _ready,
)

APP = str(REPO / "dashboard" / "app.py")
ROLES_TOML = """
[dashboard.roles]
admin = ["ada@stockholm.se"]
analyst = ["group:pulse-analytiker"]
viewer = ["*@stockholm.se"]
"""
# sub -> (e-mail, groups, role): the analyst gets their role from a group, the viewer from the
# domain, the admin by e-mail; the outsider matches nothing.
PEOPLE = {"vera": ("vera@stockholm.se", [], "viewer"),
          "anders": ("anders@stockholm.se", ["pulse-analytiker"], "analyst"),
          "ada": ("ada@stockholm.se", ["pulse-analytiker"], "admin"),
          "otto": ("otto@example.org", ["andra"], None)}


# --- Roles and config -----------------------------------------------------------------------

def test_roles_match_email_domain_and_group_and_the_highest_wins():
    roles = RoleSettings(admin=["Ada@Stockholm.se"], analyst=["group:pulse-analytiker"],
                         viewer=["*@stockholm.se", "gast@example.org"])
    assert roles.role_of("ada@stockholm.se", ["pulse-analytiker"]) == "admin"
    assert roles.role_of("ADA@stockholm.se") == "admin"  # e-mails compare case-insensitively
    assert roles.role_of("anders@stockholm.se", ["pulse-analytiker"]) == "analyst"
    assert roles.role_of("extern@example.org", ["pulse-analytiker"]) == "analyst"
    assert roles.role_of("vera@stockholm.se", []) == "viewer"
    assert roles.role_of("gast@example.org") == "viewer"
    assert roles.role_of("otto@example.org", ["andra"]) is None
    assert roles.role_of("vera@stockholm.se.evil.org") is None  # a domain is matched whole
    assert roles.role_of("vera@sub.stockholm.se") is None
    assert roles.role_of(None, []) is None
    assert RoleSettings().role_of("ada@stockholm.se") is None  # no roles: nobody gets in


@pytest.mark.parametrize("entry", ["stockholm.se", "*stockholm.se", "group:", "a@b", "*@*.se",
                                   "anna @stockholm.se"])
def test_a_role_entry_that_is_no_email_domain_or_group_is_refused(entry):
    with pytest.raises(ValidationError, match="e-mail|group"):
        RoleSettings(viewer=[entry])


def test_dashboard_settings_are_strict_and_default_to_local_without_login():
    cfg = DashboardSettings()
    assert (cfg.address, cfg.login, cfg.local_role, cfg.groups_claim) == (
        "127.0.0.1", "none", "analyst", "groups")
    assert cfg.local_only
    with pytest.raises(ValidationError):
        DashboardSettings(login="yes")
    with pytest.raises(ValidationError):
        DashboardSettings(client_secret="x")  # secrets have no place in pulse.toml
    for address in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(address), address
    for address in ("0.0.0.0", "", "::", "10.1.2.3", "pulse.stockholm.se"):
        assert not is_loopback(address), address


def _secrets(tmp_path: Path, **auth: str) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text("[auth]\n" + "".join(f'{k} = "{v}"\n' for k, v in auth.items()),
                    encoding="utf-8")
    return path


def test_bind_problem_says_why_and_what_to_set_and_never_shows_a_secret(tmp_path):
    secret = secrets.token_hex(16)
    assert bind_problem(DashboardSettings()) is None
    problem = bind_problem(DashboardSettings(address="0.0.0.0"))
    assert problem and problem.count(". ") == 0 and problem.endswith(".")  # one sentence
    assert 'login = "oidc"' in problem and "[auth]" in problem
    partial = _secrets(tmp_path, client_id="pulse", client_secret=secret)
    problem = bind_problem(DashboardSettings(address="0.0.0.0", login="oidc"), [partial])
    assert "server_metadata_url, redirect_uri, cookie_secret" in problem
    assert secret not in problem and "client_secret" not in problem
    full = _secrets(tmp_path, **{k: f"{k}-{secret}" for k in AUTH_KEYS})
    assert missing_auth_keys([full]) == []
    assert bind_problem(DashboardSettings(address="0.0.0.0", login="oidc"), [full]) is None
    # login on a local address still needs the [auth] table
    assert "lacks" in bind_problem(DashboardSettings(login="oidc"), [tmp_path / "none.toml"])


def _config(tmp_path: Path, dashboard: str) -> Path:
    """A config folder: the shipped files, with pulse.toml's [dashboard] replaced."""
    config = tmp_path / "config"
    config.mkdir(parents=True)
    for name in ("strategy.toml", "sources.toml", "calendar.toml"):
        shutil.copy(REPO / "config" / name, config / name)
    text = (REPO / "config" / "pulse.toml").read_text(encoding="utf-8")
    start = text.index("[dashboard]\n")
    end = text.index("\n[", text.index("[dashboard.roles]"))
    (config / "pulse.toml").write_text(text[:start] + dashboard.strip() + "\n" + text[end:],
                                       encoding="utf-8")
    return config


def _pulse(*args, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pulse.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **env}, cwd=REPO, timeout=timeout)


def test_pulse_dashboard_refuses_a_non_local_address_without_login(tmp_path, demo_url):
    port = _free_port()
    config = _config(tmp_path, f'[dashboard]\naddress = "0.0.0.0"\nport = {port}\n')
    result = _pulse("dashboard", env={"PULSE_CONFIG_DIR": str(config),
                                      "PULSE_DATABASE_URL": demo_url})
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert '0.0.0.0' in lines[0] and 'login = "oidc"' in lines[0] and "[auth]" in lines[0]
    assert "Traceback" not in result.stderr
    with pytest.raises(requests.ConnectionError):  # nothing was started
        requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)

    # login switched on without the [auth] table: refused too, naming what is missing
    config_login = _config(tmp_path / "b", '[dashboard]\naddress = "0.0.0.0"\nlogin = "oidc"\n')
    secret = secrets.token_hex(16)
    file = _secrets(tmp_path, client_id="pulse", client_secret=secret)
    result = _pulse("dashboard", env={"PULSE_CONFIG_DIR": str(config_login),
                                      "PULSE_DATABASE_URL": demo_url,
                                      "PULSE_SECRETS_FILE": str(file)})
    assert result.returncode == 2
    assert "cookie_secret" in result.stderr and secret not in result.stderr


# --- The server-side check ------------------------------------------------------------------

def _audit(url: str) -> list[tuple]:
    with transaction(make_engine(url)) as session:
        return [(e.actor, e.action, e.target, e.rows, e.details)
                for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def _corrections(url: str) -> list[tuple]:
    with transaction(make_engine(url)) as session:
        return [(c.mention_id, c.kind, c.value, c.author)
                for c in session.scalars(select(Correction).order_by(Correction.id))]


def _a_mention(url: str) -> int:
    with transaction(make_engine(url)) as session:
        return session.scalar(select(Mention.id).where(Mention.tagger_version.is_not(None))
                              .order_by(Mention.id))


def test_a_viewer_write_is_refused_on_the_server_recorded_and_nothing_is_written(demo_url):
    mid = _a_mention(demo_url)
    viewer = User(role="viewer", email="vera@stockholm.se", logged_in=True)
    analyst = User(role="analyst", email="anders@stockholm.se", logged_in=True)

    def correct(who: User):
        return lambda session: add_correction(session, mid, "sentiment", "negative",
                                              who.author)

    with pytest.raises(AccessDenied, match="läsare.*analytiker"):
        write(viewer, "correction", demo_url, correct(viewer), target=mid)
    with pytest.raises(AccessDenied, match="viewer.*analyst"):
        write(viewer, "follow_up", demo_url, lambda s: pytest.fail("ran"), lang="en")
    with pytest.raises(AccessDenied):
        write(analyst, "source_enable", demo_url, lambda s: pytest.fail("ran"), target="x")
    with pytest.raises(AccessDenied):
        export_file(viewer, demo_url, Filters(), "csv")
    assert _corrections(demo_url) == []
    denied = [(a, act, target, d["tried"]) for a, act, target, _, d in _audit(demo_url)]
    assert denied == [("vera@stockholm.se", "denied", str(mid), "correction"),
                      ("vera@stockholm.se", "denied", None, "follow_up"),
                      ("anders@stockholm.se", "denied", "x", "source_enable"),
                      ("vera@stockholm.se", "denied", None, "export")]

    write(analyst, "correction", demo_url, correct(analyst), target=mid)
    assert _corrections(demo_url) == [(mid, "sentiment", "negative", "anders@stockholm.se")]
    data = export_file(analyst, demo_url, Filters(voice=None), "csv")
    entry = _audit(demo_url)[-1]
    lines = data.decode("utf-8-sig").strip().splitlines()
    assert entry[:2] == ("anders@stockholm.se", "export")
    assert entry[3] == len(lines) - 1 > 0 and entry[4] == {"format": "csv", "via": "dashboard"}
    with pytest.raises(AccessDenied):  # no role at all: refused, even reading is not writing
        require(User(role=None), "export", demo_url)


def test_a_click_arriving_after_the_role_was_revoked_writes_nothing(demo_url, tmp_path,
                                                                    monkeypatch):
    """The form was drawn for an analyst; before the click arrives, pulse.toml makes the local
    role a viewer: the rerun draws the save button disabled (Streamlit then drops the click)
    and nothing is written; the page offers no name field and no write to the viewer."""
    from streamlit.testing.v1 import AppTest

    config = _config(tmp_path, '[dashboard]\nlocal_role = "analyst"\n')
    monkeypatch.setenv("PULSE_CONFIG_DIR", str(config))
    monkeypatch.setenv("PULSE_DATABASE_URL", demo_url)
    monkeypatch.delenv("PULSE_DEMO", raising=False)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/mentions.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="analyst").set_value("Anna").run()
    tone = next(w for w in at.main.selectbox if w.label == "Ton")
    tone.set_value(next(o for o in ("negative", "positive", "neutral") if o != tone.value))
    button = next(b for b in at.main.button if b.label == "Spara rättelse")
    assert not button.disabled
    pulse_toml = config / "pulse.toml"
    pulse_toml.write_text(pulse_toml.read_text(encoding="utf-8").replace(
        'local_role = "analyst"', 'local_role = "viewer"'), encoding="utf-8")
    os.utime(pulse_toml, ns=(time.time_ns() + 10**9,) * 2)  # a new stamp: settings re-read
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.success, "a viewer's click saved something"
    assert _corrections(demo_url) == []
    assert [e for e in _audit(demo_url) if e[1] != "denied"] == []
    # and now drawn for a viewer: no name field, the buttons disabled, the export too
    assert not [w for w in at.text_input if w.key == "analyst"]
    assert next(b for b in at.main.button if b.label == "Spara rättelse").disabled
    assert next(b for b in at.main.button if b.label == "Spara uppföljning").disabled


def test_the_dashboard_shows_no_data_when_served_beyond_this_machine_without_login(
        demo_url, tmp_path):
    """Defence in depth: `streamlit run` straight onto 0.0.0.0, no login: the page shows the
    refusal, not the figures, even to a browser on this machine."""
    page_text = _served_text(demo_url, tmp_path, "0.0.0.0")
    assert "Pulse visar inga data här" in page_text
    assert "Omnämnanden" not in page_text and "Nettoton" not in page_text


def _served_text(url: str, tmp_path: Path, address: str) -> str:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    log = open(tmp_path / "served.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", APP, "--server.port", str(port),
         "--server.address", address, "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        env={**os.environ, "PULSE_DATABASE_URL": url}, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", proc, tmp_path / "served.log")
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS,
                                  headless=True)
            page = b.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            _idle(page)
            page.get_by_test_id("stAlert").first.wait_for(timeout=TIMEOUT_MS)
            text = page.get_by_test_id("stApp").inner_text()
            b.close()
        return text
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


# --- A real login in Chromium ----------------------------------------------------------------

def _chromium() -> str:
    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium); the "
                    "browser test needs it")
    return executable


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if requests.get(f"{base}/_stcore/health", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the dashboard did not start: " + log.read_text())
        time.sleep(0.3)


@pytest.fixture
def provider():
    """oidc-provider-mock's real OpenID provider (Flask app, werkzeug server) on 127.0.0.1,
    with the four people as its predefined users; yields its base URL."""
    import oidc_provider_mock
    import werkzeug.serving

    users = [oidc_provider_mock.User(sub=sub, claims={"email": email, "groups": groups,
                                                      "name": sub.title()})
             for sub, (email, groups, _) in PEOPLE.items()]
    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, oidc_provider_mock.app(user_claims=users, require_nonce=True),
        threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture
def login_dashboard(provider, demo_url, tmp_path):
    """`pulse dashboard` with login = "oidc" against the provider, on a copy of the demo
    database with one source disabled; yields (base URL, database URL, disabled key, secrets,
    log path)."""
    port = _free_port()
    with transaction(make_engine(demo_url)) as session:
        key, source_id = session.execute(select(Source.key, Source.id).order_by(Source.id)
                                         ).first()
        session.execute(update(FetchState).where(FetchState.source_id == source_id)
                        .values(disabled_at=datetime.now(UTC), consecutive_failures=9))
    config = _config(tmp_path, '[dashboard]\naddress = "127.0.0.1"\nlogin = "oidc"\n'
                     'groups_claim = "groups"\n' + ROLES_TOML)
    auth = {"client_id": "pulse-dashboard", "client_secret": secrets.token_urlsafe(24),
            "cookie_secret": secrets.token_urlsafe(32),
            "server_metadata_url": f"{provider}/.well-known/openid-configuration",
            "redirect_uri": f"http://127.0.0.1:{port}/oauth2callback"}
    secrets_file = _secrets(tmp_path, **auth)
    log_path = tmp_path / "dashboard.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulse.cli", "dashboard", "--port", str(port)],
        env={**os.environ, "PULSE_DATABASE_URL": demo_url, "PULSE_CONFIG_DIR": str(config),
             "PULSE_SECRETS_FILE": str(secrets_file)},
        stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc, log_path)
        yield base, demo_url, key, auth, log_path
    finally:
        proc.terminate()  # as a service manager stops it: Streamlit must stop with it
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(30)
        left = _left_running(proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        log.close()
        assert not left, "pulse dashboard left Streamlit running after SIGTERM"


def _left_running(group: int) -> bool:
    """Return whether any process of the group outlived its leader; kill what did."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.2)
    os.killpg(group, signal.SIGKILL)
    return True


def _log_in(browser, base: str, sub: str):
    """A fresh browser context logged in as `sub` through the provider's form."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(base + "/")
    _idle(page)
    assert not page.locator('[data-testid="stMetric"]').count()  # nothing before the login
    page.get_by_role("button", name="Logga in / Log in").click()
    page.wait_for_url(re.compile(r"/oauth2/authorize"), timeout=TIMEOUT_MS)
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(re.compile(re.escape(base) + r"/?$"), timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stSidebar").get_by_text(
        f"Inloggad som {PEOPLE[sub][0]}")).to_be_visible(timeout=TIMEOUT_MS)
    return context, page


def _state(url: str, key: str) -> dict:
    with transaction(make_engine(url)) as session:
        disabled = session.scalar(select(FetchState.disabled_at).join(
            Source, Source.id == FetchState.source_id).where(Source.key == key))
        return {"corrections": _corrections(url),
                "responses": [(r.mention_id, r.status, r.author)
                              for r in session.scalars(select(Response).order_by(Response.id))],
                "disabled": disabled is not None}


def _ready_or_picture(page, heading: str, sub: str) -> None:
    """Wait for the page; when it never comes, keep a picture of what came instead."""
    try:
        _ready(page, heading)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"access-{sub}-failed.png"), full_page=True)
        raise


def _try_everything(page, base: str, url: str, sub: str, key: str) -> dict:
    """As the logged-in `sub`: try to correct the first mention's tone, set its follow-up,
    export CSV and re-enable the disabled source. Return what each control allowed."""
    try:
        return _try_each(page, base, url, sub, key)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"access-{sub}-failed.png"), full_page=True)
        raise


def _until(check, what: str) -> None:
    """Wait until `check()` holds (a write reached the database)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} never reached the database")
        time.sleep(0.2)


def _try_each(page, base: str, url: str, sub: str, key: str) -> dict:
    from playwright.sync_api import expect

    tried = {}
    page.goto(base + "/mentions")
    _ready_or_picture(page, "Omnämnanden", sub)
    main, sidebar = page.get_by_test_id("stMain"), page.get_by_test_id("stSidebar")
    assert not main.get_by_role("textbox", name="Ditt namn").count()  # the login says who
    form = main.get_by_test_id("stForm").first
    save = form.get_by_role("button", name="Spara rättelse")
    tried["correct"] = save.is_enabled()
    if tried["correct"]:
        tone = form.get_by_role("combobox", name="Ton", exact=True)
        tone.click()
        page.keyboard.type("Negativ" if tone.input_value() != "Negativ" else "Positiv")
        page.keyboard.press("Enter")
        before = len(_corrections(url))
        save.click()
        _until(lambda: len(_corrections(url)) > before, "the correction")
        _idle(page)
    follow = main.get_by_test_id("stForm").nth(1)
    status_button = follow.get_by_role("button", name="Spara uppföljning")
    tried["follow_up"] = status_button.is_enabled()
    if tried["follow_up"]:
        answered = follow.get_by_role("radio", name="Besvarad", exact=True)
        wanted = "Behöver svar" if answered.is_checked() else "Besvarad"
        follow.get_by_text(wanted, exact=True).click()
        before = len(_state(url, key)["responses"])
        status_button.click()
        _until(lambda: len(_state(url, key)["responses"]) > before, "the follow-up")
        _idle(page)
    download = sidebar.get_by_role("button", name="Ladda ner CSV")
    tried["export"] = download.is_enabled()
    if tried["export"]:
        with page.expect_download() as got:
            download.click()
        tried["export_rows"] = len(Path(got.value.path()).read_text(
            encoding="utf-8-sig").strip().splitlines()) - 1
    page.goto(base + "/sources")
    _ready_or_picture(page, "Kanaler och källor", sub)
    enable = page.get_by_test_id("stMain").get_by_role("button", name=f"Slå på {key} igen")
    tried["enable"] = enable.is_enabled()
    if tried["enable"]:
        enable.click()
        expect(page.get_by_text(f"Källan {key} är påslagen igen.")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"access-{sub}.png"), full_page=True)
    return tried


def test_each_role_logs_in_and_may_do_exactly_its_part(login_dashboard):
    from playwright.sync_api import expect, sync_playwright

    base, url, key, auth, log_path = login_dashboard
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS,
                                    headless=True)
        # viewer: reads, every write control is disabled, nothing is written
        context, page = _log_in(browser, base, "vera")
        assert _try_everything(page, base, url, "vera", key) == {
            "correct": False, "follow_up": False, "export": False, "enable": False}
        assert _state(url, key) == {"corrections": [], "responses": [], "disabled": True}
        context.close()

        # analyst: corrects, follows up and exports as their e-mail; cannot re-enable
        context, page = _log_in(browser, base, "anders")
        tried = _try_everything(page, base, url, "anders", key)
        assert tried.pop("export_rows") > 0
        assert tried == {"correct": True, "follow_up": True, "export": True, "enable": False}
        state = _state(url, key)
        assert [c[3] for c in state["corrections"]] == ["anders@stockholm.se"]
        assert [(r[1], r[2]) for r in state["responses"]] == [("answered",
                                                               "anders@stockholm.se")]
        assert state["disabled"]
        page.goto(base + "/")
        _ready(page, "Pulse – bilden av Stockholm som smart stad")
        page.get_by_test_id("stSidebar").get_by_role("button", name="Logga ut").click()
        page.wait_for_timeout(1000)
        context.close()

        # admin: everything, including the re-enable
        context, page = _log_in(browser, base, "ada")
        tried = _try_everything(page, base, url, "ada", key)
        tried.pop("export_rows")
        assert tried == {"correct": True, "follow_up": True, "export": True, "enable": True}
        assert not _state(url, key)["disabled"]
        context.close()

        # logged in, but in no role: a refusal and no data
        context, page = _log_in(browser, base, "otto")
        expect(page.get_by_text("har ingen roll i Pulse")).to_be_visible()
        assert not page.get_by_test_id("stSidebarNav").count()
        assert not page.locator('[data-testid="stMetric"]').count()
        assert not page.get_by_role("button", name="Ladda ner CSV").count()
        page.screenshot(path=str(ARTIFACTS / "access-no-role.png"), full_page=True)
        context.close()
        browser.close()

    audit = [(a, act, target) for a, act, target, _, _ in _audit(url)]
    # one login per browser session, however many reruns it had
    assert [a for a, act, _ in audit if act == "login"] == [
        "vera@stockholm.se", "anders@stockholm.se", "ada@stockholm.se", "otto@example.org"]
    assert ("anders@stockholm.se", "logout", None) in audit
    exports = [a for a, act, _ in audit if act == "export"]
    assert exports == ["anders@stockholm.se", "ada@stockholm.se"]
    assert [(a, target) for a, act, target in audit if act == "source_enable"] == [
        ("ada@stockholm.se", key)]
    assert not [e for e in audit if e[1] == "denied"]  # the disabled controls sent nothing
    log = log_path.read_text()
    for name in ("client_secret", "cookie_secret"):
        assert auth[name] not in log, f"{name} in the dashboard's log"
