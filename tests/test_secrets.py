"""Secrets never leave the environment: a full `pulse -v collect` against local X, Bluesky and
Reddit servers answering 401, 429 and 200, then every byte of its output, of every file it
wrote and every row of its database is searched for each secret and each token it was handed.
"""

from __future__ import annotations

import base64
import json
import time

import pytest
from sqlalchemy import MetaData, select

from collectors import bluesky, reddit, x
from store.db import make_engine
from tests.bskyapi import FakeBluesky
from tests.conftest import write_config
from tests.redditapi import FakeReddit
from tests.test_cli import pulse
from tests.xapi import FakeXAPI

X_TOKEN = "AAAAAAAAAAAAAAAAAAAAAxtoken-s3cr3t-9f8e7d6c5b4a"
BSKY_PASSWORD = "bsky-app-pass-w0rd-k3y1"
REDDIT_SECRET = "reddit-client-s3cret-77aa"
OTHER_SECRETS = {
    "PULSE_SMTP_PASSWORD": "smtp-pa55word-zz91",
    "PULSE_WEBHOOK_URL": "https://hooks.example/services/T000/B000/webhook-s3cret-abc",
    "PULSE_PSEUDONYM_KEY": "pseudonym-k3y-0011223344",
}


@pytest.fixture
def servers():
    """Fake APIs: X that accepts the token, X that refuses it (401), X that is rate limited
    (429); Bluesky that logs in, Bluesky that refuses the password (401), Bluesky rate
    limited; Reddit that grants a token, Reddit that refuses the secret."""
    made = {
        "x_ok": FakeXAPI(token=X_TOKEN), "x_401": FakeXAPI(token="another-token"),
        "x_429": FakeXAPI(token=X_TOKEN),
        "bsky_ok": FakeBluesky(app_password=BSKY_PASSWORD),
        "bsky_401": FakeBluesky(app_password="a-different-password"),
        "bsky_429": FakeBluesky(app_password=BSKY_PASSWORD),
        "reddit_ok": FakeReddit(client_secret=REDDIT_SECRET),
        "reddit_401": FakeReddit(client_secret="not-this-one"),
    }
    for name in ("x_ok", "x_401", "x_429"):
        api = made[name]
        city = api.add_user("smartsthlm", "Smart Stad Stockholm")
        anna = api.add_user("anna_k", "Anna K")
        root = api.post(city, "Öppna data om cykelbanor", hours_ago=3)
        api.post(anna, "@smartsthlm Bra!", reply_to=root, hours_ago=2)
    made["x_429"].fail("*", 429, headers={"x-rate-limit-reset": str(int(time.time()) + 900)},
                       times=None)
    for name in ("bsky_ok", "bsky_401", "bsky_429"):
        api = made[name]
        city = api.add_account("stockholm.se", "Stockholms stad")
        other = api.add_account("anna.bsky.social")
        root = api.post(city, "Ny e-tjänst för bygglov", hours_ago=3)
        api.post(other, "Äntligen!", reply_to=root, hours_ago=2, mentions=[city])
    made["bsky_429"].fail("app.bsky.feed.getAuthorFeed", 429, headers={"Retry-After": "900"},
                          times=None)
    for name in ("reddit_ok", "reddit_401"):
        api = made[name]
        post = api.submit("anna_k", "Skolplattformen", "Fungerar den idag?", hours_ago=2)
        api.comment("erik", "Nej", post, hours_ago=1)
    for api in made.values():
        api.start()
    yield made
    for api in made.values():
        api.stop()


def _sources(servers) -> str:
    entries = [
        ("x-ok", "x_user", 'username = "smartsthlm"', "x_ok"),
        ("x-401", "x_user", 'username = "smartsthlm"', "x_401"),
        ("x-429", "x_search", 'query = "cykelbanor"', "x_429"),
        ("bsky-ok", "bluesky_account", 'username = "stockholm.se"', "bsky_ok"),
        ("bsky-search", "bluesky_search", 'query = "e-tjänst"', "bsky_ok"),
        ("bsky-401", "bluesky_account", 'username = "stockholm.se"', "bsky_401"),
        ("bsky-429", "bluesky_account", 'username = "stockholm.se"', "bsky_429"),
        ("reddit-ok", "reddit_subreddit", 'subreddit = "stockholm"', "reddit_ok"),
        ("reddit-401", "reddit_subreddit", 'subreddit = "stockholm"', "reddit_401"),
    ]
    return "".join(f'[[source]]\nkey = "{key}"\nkind = "{kind}"\n{target}\n'
                   f'api_base_url = "{servers[api].base_url}"\n\n'
                   for key, kind, target, api in entries)


def test_no_secret_in_any_output_file_or_row(tmp_path, servers):
    config = write_config(tmp_path, _sources(servers))
    db = tmp_path / "pulse.sqlite"
    env = {"PULSE_CONFIG_DIR": str(config), "PULSE_DATABASE_URL": f"sqlite:///{db}",
           x.TOKEN_ENV: X_TOKEN, bluesky.HANDLE_ENV: servers["bsky_ok"].handle,
           bluesky.PASSWORD_ENV: BSKY_PASSWORD,
           reddit.CLIENT_ID_ENV: servers["reddit_ok"].client_id,
           reddit.CLIENT_SECRET_ENV: REDDIT_SECRET, **OTHER_SECRETS}
    assert pulse("db", "upgrade", env=env).returncode == 0
    result = pulse("-v", "collect", env=env)
    assert result.returncode == 1  # some sources failed, as they were made to
    outcome = {line.split(":")[0].strip(): line for line in result.stderr.splitlines()
               if line.startswith("  ")}
    assert "new" in outcome["x-ok"] and "unauthorized" in outcome["x-401"]
    assert "rate_limited" in outcome["x-429"] and "new" in outcome["bsky-ok"]
    assert "new" in outcome["bsky-search"] and "unauthorized" in outcome["bsky-401"]
    assert "rate_limited" in outcome["bsky-429"] and "new" in outcome["reddit-ok"]
    assert "unauthorized" in outcome["reddit-401"]
    assert "INFO" in result.stderr  # -v: the log lines are there to be searched

    # the secrets were really sent, so a leak had something to leak
    assert any(r.headers.get("Authorization") == f"Bearer {X_TOKEN}"
               for r in servers["x_ok"].requests)
    assert servers["bsky_ok"].tokens and servers["reddit_ok"].tokens
    handed_out = servers["bsky_ok"].tokens | servers["bsky_429"].tokens | \
        servers["reddit_ok"].tokens
    basic = base64.b64encode(f"{servers['reddit_ok'].client_id}:{REDDIT_SECRET}".encode())
    secrets = {X_TOKEN, BSKY_PASSWORD, REDDIT_SECRET, basic.decode(), *OTHER_SECRETS.values(),
               *handed_out}

    haystacks = {"stdout": result.stdout, "stderr": result.stderr}
    for path in tmp_path.rglob("*"):
        if path.is_file():
            haystacks[str(path)] = path.read_bytes().decode("utf-8", "replace")
    engine = make_engine(f"sqlite:///{db}")
    meta = MetaData()
    meta.reflect(engine)
    rows = 0
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                rows += 1
                haystacks[f"row of {table.name}"] = haystacks.get(
                    f"row of {table.name}", "") + json.dumps([str(v) for v in row])
    engine.dispose()
    assert rows > 20 and any(name.endswith("pulse.sqlite") for name in haystacks)
    leaks = [(secret[:12] + "…", where) for secret in secrets
             for where, text in haystacks.items() if secret in text]
    assert leaks == []
