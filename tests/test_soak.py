"""Soak: `pulse run` against 20 sources that keep publishing, with injected faults, killed with
SIGKILL twice at random moments and restarted; at the end every published item is stored
exactly once and every kind of fault shows in source health.

Sources: 16 RSS feeds (conditional GET with ETag), 2 Bluesky accounts and 2 subreddits, all on
127.0.0.1. About one request in ten is a fault, of the kind its source is assigned: HTTP 500,
a hang past the read timeout, a malformed document, a body that stalls past the read timeout,
or 429 with a Retry-After longer than Pulse waits. A transient fault lasts as many requests
as the Fetcher tries (so the run fails and shows in health, instead of being absorbed by a
retry); one source of each kind fails on its first request, so every kind occurs even in the
short run.

The short run (CI) publishes for 75 s; `--soak-minutes N` publishes for N minutes. After the
last `pulse run` is stopped, publishing and faults stop and one `pulse collect` catches up on
sources whose failures stretched their interval past the end; the ETags and since-cursors it
starts from are the ones the killed processes committed, so an item lost by a bad commit stays
lost. The figures are printed (run pytest with -s to see them).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from collectors import bluesky, reddit
from store.db import make_engine, transaction, upgrade
from store.models import FetchState, Mention, Source
from tests.bskyapi import FakeBluesky
from tests.conftest import REPO, fixture_bytes
from tests.redditapi import FakeReddit

pytestmark = pytest.mark.soak

FEEDS = 16
KINDS = ("server_error", "hang", "malformed", "slow_body", "rate_limited")
API_KINDS = ("server_error", "hang", "malformed", "rate_limited")
FAULT_RATE = 0.1
TRIES = 3          # the Fetcher's first try and its two retries
HANG = 3.0         # seconds; the read timeout in the soak's pulse.toml is 1 s
RETRY_AFTER = "45"  # longer than Pulse waits within a run (30 s): the run gives up at once


class Chaos:
    """Decides, per request of a source, whether it is a fault, and counts what it did."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.kind: dict[str, str] = {}
        self.first: set[str] = set()      # sources that fail on their first request
        self.pending: dict[str, int] = defaultdict(int)
        self.requests: Counter = Counter()
        self.faults: Counter = Counter()   # faulty requests by kind
        self.episodes: Counter = Counter()  # failed runs caused, by kind
        self.on = True
        self._lock = threading.Lock()

    def assign(self, source: str, kind: str, first: bool = False) -> None:
        """Give a source its kind of fault."""
        self.kind[source] = kind
        if first:
            self.first.add(source)

    def next(self, source: str) -> str | None:
        """Return the fault for this request of `source`, or None."""
        with self._lock:
            self.requests[source] += 1
            kind = self.kind[source]
            if not self.on:
                return None
            if self.pending[source]:
                self.pending[source] -= 1
            elif source in self.first or self.rng.random() < FAULT_RATE:
                self.first.discard(source)
                self.episodes[kind] += 1
                transient = kind in ("server_error", "hang", "slow_body")
                self.pending[source] = TRIES - 1 if transient else 0
            else:
                return None
            self.faults[kind] += 1
            return kind


class Publisher:
    """16 RSS feeds that grow while the soak runs, with faults from Chaos."""

    def __init__(self, chaos: Chaos):
        self.chaos = chaos
        self.items: dict[int, list[tuple[str, datetime]]] = {n: [] for n in range(FEEDS)}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.httpd.handle_error = _quiet  # a killed client resets its connections
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, n: int) -> str:
        """Return feed n's address."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/feed/{n}"

    def publish(self, n: int) -> str:
        """Add an item to feed n and return its guid."""
        with self._lock:
            guid = f"soak-{n}-{len(self.items[n])}"
            self.items[n].append((guid, datetime.now(UTC)))
        return guid

    def _document(self, n: int) -> tuple[bytes, str]:
        with self._lock:
            items = list(self.items[n])
        body = "".join(
            f"<item><title>Nyhet {guid} om smart stad</title>"
            f"<link>https://soak.example/{guid}</link><guid>{guid}</guid>"
            f"<pubDate>{format_datetime(when)}</pubDate>"
            f"<description>Stockholm {guid}: uppkopplade tjänster och öppna data."
            f"</description></item>" for guid, when in reversed(items))
        xml = (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
               f"<title>Feed {n}</title>{body}</channel></rss>")
        return xml.encode(), f'"f{n}-{len(items)}"'

    def stop(self) -> None:
        """Stop serving."""
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self):
        pub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                n = int(self.path.rsplit("/", 1)[1])
                fault = pub.chaos.next(f"feed-{n}")
                body, etag = pub._document(n)
                status, headers = 200, {"Content-Type": "application/rss+xml", "ETag": etag}
                if fault == "server_error":
                    status, body, headers = 500, b"<h1>500 Internal Server Error</h1>", {}
                elif fault == "hang":
                    pub._stop.wait(HANG)
                elif fault == "malformed":
                    body = fixture_bytes("broken.xml")
                elif fault == "rate_limited":
                    status, body = 429, b"Too Many Requests"
                    headers = {"Retry-After": RETRY_AFTER}
                elif self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    if fault == "slow_body":
                        self.wfile.write(body[: len(body) // 2])
                        self.wfile.flush()
                        pub._stop.wait(HANG)
                    self.wfile.write(body[len(body) // 2:] if fault == "slow_body" else body)

            def log_message(self, *args):
                pass

        return Handler


def _quiet(request, client_address) -> None:
    """Ignore a connection the client broke off (SIGKILL, a timeout): expected here."""


def _chaotic(api, source: str, chaos: Chaos) -> None:
    """Make a fake API (Bluesky or Reddit) answer with the source's faults from Chaos."""
    api.httpd.handle_error = _quiet
    answer = api.answer

    def faulty(verb, path, params, headers, body):
        if path.endswith("createSession") or path.endswith("access_token"):
            return answer(verb, path, params, headers, body)
        fault = chaos.next(source)
        if fault == "server_error":
            return 500, {}, b'{"error": "InternalServerError", "message": "Internal"}'
        if fault == "hang":
            time.sleep(HANG)
        if fault == "malformed":
            return 200, {}, b'{"feed": [{"post": '
        if fault == "rate_limited":
            return 429, {"Retry-After": RETRY_AFTER}, b'{"error": "RateLimitExceeded"}'
        return answer(verb, path, params, headers, body)

    api.answer = faulty


def _config(tmp_path, publisher, apis) -> str:
    config = tmp_path / "config"
    config.mkdir()
    (config / "strategy.toml").write_text((REPO / "config" / "strategy.toml").read_text(
        encoding="utf-8"), encoding="utf-8")
    (config / "pulse.toml").write_text(
        '[http]\nconnect_timeout = 1.0\nread_timeout = 1.0\n\n[tagging]\n'
        'interval_seconds = 30\n', encoding="utf-8")
    toml = "".join(f'[[source]]\nkey = "feed-{n}"\nkind = "feed"\nurl = "{publisher.url(n)}"\n'
                   f'interval = "1m"\n\n' for n in range(FEEDS))
    for key, (kind, target, api) in apis.items():
        toml += (f'[[source]]\nkey = "{key}"\nkind = "{kind}"\n{target}\n'
                 f'api_base_url = "{api.base_url}"\ninterval = "1m"\n\n')
    (config / "sources.toml").write_text(toml, encoding="utf-8")
    return str(config)


def test_soak_pulse_run_with_faults_and_kills(tmp_path, soak_minutes):
    rng = random.Random(20261201)
    chaos = Chaos(seed=rng.randrange(1 << 30))
    publisher = Publisher(chaos)
    bsky = {f"bsky-{n}": FakeBluesky().start() for n in range(2)}
    subs = {f"reddit-{n}": FakeReddit().start() for n in range(2)}
    accounts = {key: api.add_account(f"konto{n}.bsky.social") for n, (key, api)
                in enumerate(bsky.items())}
    apis = {key: ("bluesky_account", f'username = "konto{n}.bsky.social"', api)
            for n, (key, api) in enumerate(bsky.items())}
    apis |= {key: ("reddit_subreddit", 'subreddit = "stockholm"', api)
             for key, api in subs.items()}
    for n in range(FEEDS):
        chaos.assign(f"feed-{n}", KINDS[n % len(KINDS)], first=n < len(KINDS))
    for n, key in enumerate(apis):
        chaos.assign(key, API_KINDS[(n + 1) % len(API_KINDS)])
    for key, (_, _, api) in apis.items():
        _chaotic(api, key, chaos)
    published: dict[str, set[str]] = defaultdict(set)

    def publish(stop: threading.Event) -> None:
        while not stop.wait(rng.uniform(0.05, 0.25)):
            n = rng.randrange(FEEDS + 4)
            if n < FEEDS:
                published[f"feed-{n}"].add(publisher.publish(n))
            elif n < FEEDS + 2:
                key = f"bsky-{n - FEEDS}"
                api = bsky[key]
                ago = (api.now - datetime.now(UTC)).total_seconds() / 3600
                post = api.post(accounts[key], f"Inlägg {len(published[key])} om smart stad",
                                hours_ago=ago)
                published[key].add(post["uri"])
            else:
                key = f"reddit-{n - FEEDS - 2}"
                api = subs[key]
                ago = (api.now - datetime.now(UTC)).total_seconds() / 3600
                post = api.submit("invanare", f"Tråd {len(published[key])} om Stockholm",
                                  "Vad tycker ni om e-tjänsterna?", hours_ago=ago)
                published[key].add(post["name"])

    url = f"sqlite:///{tmp_path / 'soak.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    env = {**os.environ, "PULSE_CONFIG_DIR": _config(tmp_path, publisher, apis),
           "PULSE_DATABASE_URL": url}
    for name in (bluesky.HANDLE_ENV, bluesky.PASSWORD_ENV, reddit.CLIENT_ID_ENV,
                 reddit.CLIENT_SECRET_ENV):
        env.pop(name, None)  # public endpoints, as a fresh installation has them
    duration = soak_minutes * 60
    kills = sorted(rng.uniform(0.15, 0.8) * duration for _ in range(2))
    stop = threading.Event()
    publishing = threading.Thread(target=publish, args=(stop,), daemon=True)
    started = time.monotonic()
    publishing.start()
    logs, runs = [], 0
    try:
        for until in [*kills, duration]:
            log = tmp_path / f"run-{runs}.log"
            logs.append(log)
            with log.open("w") as out:
                proc = subprocess.Popen([sys.executable, "-m", "pulse.cli", "-v", "run"],
                                        env=env, stdout=out, stderr=subprocess.STDOUT,
                                        cwd=tmp_path)
            runs += 1
            deadline = time.monotonic() + 90  # a kill before the scheduler runs proves little
            while "scheduler started" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(max(0.0, until - (time.monotonic() - started)))
            if until is duration:
                proc.send_signal(signal.SIGTERM)
                assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
            else:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
    finally:
        stop.set()
        publishing.join(5)
    soaked = time.monotonic() - started
    chaos.on = False
    during = dict(chaos.faults)
    final = subprocess.run([sys.executable, "-m", "pulse.cli", "collect"], env=env,
                           capture_output=True, text=True, timeout=300, cwd=tmp_path)
    try:
        assert final.returncode == 0, final.stderr
        with transaction(engine) as s:
            rows = s.execute(select(Source.key, Mention.external_id).join(Mention)).all()
            health = {key: (kind, detail) for key, kind, detail in s.execute(
                select(Source.key, FetchState.last_error_kind, FetchState.last_error)
                .join(FetchState))}
        engine.dispose()
        stored: dict[str, list[str]] = defaultdict(list)
        for key, external_id in rows:
            stored[key].append(external_id)
        total_published = sum(len(v) for v in published.values())
        lost = sum(len(published[k] - set(stored[k])) for k in published)
        duplicated = sum(len(v) - len(set(v)) + len(set(v) - published[k])
                         for k, v in stored.items())
        run_log = "".join(p.read_text() for p in logs)
        shown = Counter(kind for kind, _ in health.values() if kind)
        print(f"\nSOAK {soaked:.0f} s of publishing ({soak_minutes:g} min asked), "
              f"{runs} pulse run processes, 2 SIGKILLs at {kills[0]:.0f} s and {kills[1]:.0f} s; "
              f"published={total_published} stored={len(rows)} lost={lost} "
              f"duplicated={duplicated}; requests={sum(chaos.requests.values())} "
              f"faulty requests by kind={dict(during)} failed runs caused by kind="
              f"{dict(chaos.episodes)}; last errors in source health={dict(shown)}; "
              f"collect errors logged by pulse run={run_log.count('error_kind=')}")
        assert total_published > 100
        assert lost == 0 and duplicated == 0
        assert len(rows) == total_published
        assert set(during) == set(KINDS)
        assert set(shown) >= {"server_error", "timeout", "malformed", "rate_limited"}
        details = " ".join(detail or "" for _, detail in health.values())
        assert "within the timeout" in details  # a hang
        assert "stalled while sending the body" in details  # a slow body: a timeout too
        assert run_log.count("scheduler started") == runs
        assert "Traceback" not in run_log
    finally:
        publisher.stop()
        for api in [*bsky.values(), *subs.values()]:
            api.stop()
