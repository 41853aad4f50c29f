"""Privacy by default: private persons pseudonymised before storage, retention that keeps
every figure, erasure that leaves nothing readable, and the audit log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pulse import jobs
from pulse.demo.run import demo_settings
from pulse.demo.server import DemoFeedServer
from pulse.privacy import author_policy
from store import audit
from store.db import make_engine, transaction
from store.items import Item
from store.models import AuditEntry, Author, Mention, Tag
from store.privacy import (
    AuthorPolicy,
    Pseudonymiser,
    PseudonymKeyError,
    key_from_environment,
    protect,
)
from store.queries import Filters
from store.rollups import differences
from tests.conftest import REPO

KEY = Pseudonymiser(b"a-key-for-the-privacy-tests-only")
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
DEMO_ITEMS = [i for name in ("items_sv.json", "items_en.json")
              for i in json.loads((REPO / "pulse/demo/data" / name).read_text("utf-8"))]


def _post(handle="maja_sthlm", name="Maja Lind", **kw) -> Item:
    return Item(external_id=kw.pop("external_id", "1"), kind="post",
                text=kw.pop("text", "Smart stad? Bussen kom inte idag."), published_at=NOW,
                author_handle=handle, author_name=name, **kw)


def pulse(*args, env=None):
    return subprocess.run([sys.executable, "-m", "pulse.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, cwd=REPO, timeout=300)


def _database_bytes(url: str) -> bytes:
    """Every byte of a SQLite database: the file and its write-ahead log and shared memory."""
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
                    if p.exists())


# --- who is a private person ----------------------------------------------------------------

def test_authors_are_classified_by_lists_words_verification_and_following():
    policy = AuthorPolicy(public={"media": ("svt.se", "dn"), "public_body": ("smartsthlm",)},
                          name_words={"organisation": ("AB",)}, min_followers=5000)
    assert policy.classify(_post("smartsthlm", "Smart Stockholm")) == "public_body"
    assert policy.classify(_post("@DN", "Dagens Nyheter")) == "media"
    assert policy.classify(_post("nyheter.svt.se", "SVT Nyheter")) == "media"  # a domain handle
    assert policy.classify(_post("dn@evil.example", "Not DN")) == "private"  # acct listed whole
    assert policy.classify(_post("x1", "Kista Science AB")) == "organisation"
    assert policy.classify(_post("x2", "Anna", author_verified=True)) == "public_figure"
    assert policy.classify(_post("x3", "Anna", author_followers=5000)) == "public_figure"
    assert policy.classify(_post("x4", "Anna", author_followers=4999)) == "private"
    assert policy.classify(_post("x5", "Anna", voice="own")) == "public_body"
    assert policy.classify(_post("x6", "Anna"), rule="media") == "media"  # the source's rule
    assert policy.classify(_post("x7", "Abby AB-testare")) == "private"   # whole words only


def test_the_shipped_config_keeps_the_citys_accounts_and_media_by_name(base_settings):
    policy = author_policy(base_settings)
    assert policy.classify(_post("smartsthlm", "Smart Stockholm")) == "public_body"
    assert policy.classify(_post("svtnyheter", "SVT Nyheter")) == "media"
    assert policy.classify(_post("kalle_92", "Kalle")) == "private"
    # The city answering in its blog's comments, by its name: its own voice, not a resident.
    assert policy.classify(_post("Smart Stockholm-bloggen", "Smart Stockholm-bloggen")) == \
        "public_body"


def test_a_private_person_is_stored_as_a_keyed_pseudonym_with_no_copy_of_them():
    raw = {"user": {"username": "maja_sthlm", "name": "Maja Lind",
                    "profile_image_url": "https://pbs.example/maja.jpg",
                    "url": "https://x.com/maja_sthlm"},
           "entities": {"mentions": [{"username": "smartsthlm"}]}}
    item = _post(url="https://x.com/maja_sthlm/status/123", raw=raw,
                 title="Maja Lind om bussen", text="Hälsningar, Maja Lind. @maja_sthlm",
                 author_description="Maja Lind, Söder. Cyklar.")
    (out,) = protect([item], AuthorPolicy(), KEY)
    assert out.author_category == "private"
    assert out.author_handle == KEY.handle("maja_sthlm") == KEY.handle("@Maja_Sthlm")
    assert out.author_handle.startswith("anon:") and out.author_name.startswith("Privatperson ")
    stored = json.dumps([out.raw, out.url, out.title, out.text, out.author_description,
                         out.author_name, out.author_handle], ensure_ascii=False).lower()
    assert "maja" not in stored and "lind" not in stored and "pbs.example" not in stored
    assert out.url == "https://x.com/i/web/status/123"  # still opens the post
    assert "smartsthlm" in stored  # other accounts named in the post stay
    other = Pseudonymiser(b"another-key-another-installation")
    assert other.handle("maja_sthlm") != out.author_handle  # nothing but the key makes it


def test_public_authors_keep_their_names_and_posts_without_authors_pass():
    listed = AuthorPolicy(public={"media": ("svtnyheter",)})
    item = _post("svtnyheter", "SVT Nyheter", raw={"user": {"name": "SVT Nyheter"}})
    nobody = Item(external_id="2", kind="news", text="t", published_at=NOW)
    out, anonymous = protect([item, nobody], listed, KEY)
    assert (out.author_handle, out.author_name, out.author_category) == \
        ("svtnyheter", "SVT Nyheter", "media")
    assert out.raw == item.raw and anonymous == nobody


def test_a_mastodon_acct_and_a_bluesky_link_lose_the_handle():
    masto = _post("erik@social.example", "Erik", text="Se @erik och @anna",
                  raw={"account": {"url": "https://social.example/@erik", "acct": "erik"}})
    bsky = _post("erik.bsky.social", "Erik", external_id="at://did:plc:abc123/app.bsky.feed."
                 "post/3k2", url="https://bsky.app/profile/erik.bsky.social/post/3k2")
    out_masto, out_bsky = protect([masto, bsky], AuthorPolicy(), KEY)
    assert "erik" not in json.dumps(out_masto.raw).lower()
    assert "@erik" not in out_masto.text and "@anna" in out_masto.text
    assert out_bsky.url == "https://bsky.app/profile/did:plc:abc123/post/3k2"


def test_the_key_is_required_and_never_shown():
    with pytest.raises(PseudonymKeyError, match="PULSE_PSEUDONYM_KEY is not set.*secrets"):
        key_from_environment({})
    with pytest.raises(PseudonymKeyError, match="shorter than 16"):
        key_from_environment({"PULSE_PSEUDONYM_KEY": "short"})
    assert "a-key" not in repr(KEY)


def test_collecting_refuses_to_start_without_the_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PULSE_PSEUDONYM_KEY"}
    env["PULSE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'p.sqlite'}"
    assert pulse("db", "upgrade", env=env).returncode == 0
    for command in (("collect",), ("run",)):
        result = subprocess.run([sys.executable, "-m", "pulse.cli", *command], env=env,
                                capture_output=True, text=True, cwd=REPO, timeout=120)
        assert result.returncode == 2, result.stderr
        assert "PULSE_PSEUDONYM_KEY is not set" in result.stderr
        assert "Traceback" not in result.stderr


def test_no_private_persons_name_is_in_the_database_file_on_day_one(demo_sqlite):
    """The demo's blog comments were collected through the real feed collector; the names of
    their private authors appear nowhere in the database file."""
    data = _database_bytes(f"sqlite:///{demo_sqlite}").lower()
    commenters = {i["author"] for i in DEMO_ITEMS if i["feed"] == "smartsthlm_comments"
                  and i["author"] != "Smart Stockholm-bloggen"}
    assert len(commenters) > 50
    # A name that is also a word of some post ("IT-konsult", in "IT-konsulter") or inside a
    # byline ("Tobias", in "Tobias Wren") is not a sign of a leak; every other one is.
    written = " ".join(f"{i.get('title') or ''} {i['text']} {i['author']}" for i in DEMO_ITEMS
                       if i["feed"] != "smartsthlm_comments").lower()
    searched = [n for n in commenters if n.lower() not in written]
    assert len(searched) > 50
    assert [n for n in searched if n.lower().encode() in data] == []
    engine = make_engine(f"sqlite:///{demo_sqlite}")
    with transaction(engine) as session:
        private = session.scalar(select(func.count(Author.id)).where(
            Author.category == "private", Author.handle.like("anon:%")))
        named = session.scalar(select(func.count(Author.id)).where(Author.category == "media"))
    engine.dispose()
    assert private > 50 and named > 10


# --- retention ----------------------------------------------------------------------------

def _figures(engine) -> dict:
    """Every aggregate figure of the dashboard's pages over the whole period (the lists of
    stories are compared by id and count, since their texts are what retention removes)."""
    from dashboard.data import PAGES, run_page

    f = Filters(start=None, end=datetime.now(UTC).date())
    figures = {}
    for page in PAGES:
        if page == "mentions":
            figures[page] = run_page(engine, page, f, workers=1)["total"]
            continue
        figures[page] = run_page(engine, page, f, workers=1)
    overview = figures["overview"]
    drivers = overview.pop("drivers")
    overview["drivers"] = {k: [(r.get("id"), r.get("copies"), r.get("engagement"),
                                r.get("n"), r.get("sentiment")) for r in v]
                           for k, v in drivers.items()}
    answer = overview["needs_answer"]
    overview["needs_answer"] = (answer["total"], [r["id"] for r in answer["rows"]])
    figures["spike"].pop("stories")
    figures["sources"].pop("health")  # the sources' fetch health, not a figure of mentions
    return figures


def test_retention_removes_what_identifies_and_keeps_every_figure(demo_url, base_settings):
    engine = make_engine(demo_url)
    before = _figures(engine)
    with transaction(engine) as session:
        tags_before = session.scalar(select(func.count(Tag.id)))
    settings = base_settings
    dry = jobs.retention(engine, settings, dry_run=True, days=20)
    assert dry.mentions > 30
    result = jobs.retention(engine, settings, days=20, actor="test")
    assert (result.mentions, result.authors) == (dry.mentions, dry.authors)
    assert _figures(engine) == before
    with transaction(engine) as session:
        assert differences(session) == []
        redacted = list(session.scalars(select(Mention).where(Mention.redacted_at.is_not(None))))
        assert len(redacted) == result.mentions
        assert all(m.text == "" and m.raw == {} and m.url is None and m.author_id is None
                   and m.title is None and m.sentiment for m in redacted)
        assert session.scalar(select(func.count(Tag.id))) == tags_before
        assert not session.scalar(select(func.count(Tag.id)).where(
            Tag.mention_id.in_([m.id for m in redacted]), Tag.evidence != []))
        cutoff = datetime.now(UTC) - timedelta(days=20)
        young = session.scalar(select(func.count(Mention.id)).join(Author).where(
            Author.category == "private", Mention.published_at >= cutoff))
        assert young > 0  # the last 20 days are whole
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "retention")).one()
        assert entry.actor == "test" and entry.rows == result.mentions
    again = jobs.retention(engine, settings, days=20)
    assert again.mentions == 0
    engine.dispose()


def test_retention_from_the_command_line_dry_run_changes_nothing(demo_url):
    env = {"PULSE_DATABASE_URL": demo_url}
    dry = pulse("retention", "--dry-run", "--days", "20", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "would redact" in dry.stderr
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        assert not session.scalar(select(func.count(Mention.id)).where(
            Mention.redacted_at.is_not(None)))
    engine.dispose()
    done = pulse("retention", "--days", "20", env=env)
    assert done.returncode == 0 and "redacted" in done.stderr
    listed = pulse("audit", "--action", "retention", "--json", env=env)
    (entry,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert entry["action"] == "retention" and entry["actor"].startswith("cli:")


# --- erasure ------------------------------------------------------------------------------

COMMENTER = "Gunnar Holm"


def test_erasure_leaves_no_trace_in_the_database_file_and_collecting_does_not_bring_it_back(
        demo_url, base_settings):
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        alias = KEY.handle(COMMENTER)  # the test key is not the one the demo was stored with
        stored = session.scalar(select(func.count(Mention.id)).join(Author).where(
            Author.name.like("Privatperson %")))
    assert stored > 50
    quoted = f"Håller med {COMMENTER}!"
    (comment,) = [i["text"] for i in DEMO_ITEMS if i["author"] == COMMENTER]
    words = comment[:40].encode()
    assert words in _database_bytes(demo_url)  # what they wrote is there before
    with transaction(engine) as session:  # someone else's post quotes the person by name
        other = session.scalars(select(Mention).where(Mention.kind == "news")).first()
        other.text = f"{other.text} {quoted}"
    engine.dispose()
    result = pulse("erase", "--author", COMMENTER, env={"PULSE_DATABASE_URL": demo_url})
    assert result.returncode == 0, result.stderr
    assert "mentions: 1" in result.stderr and "authors: 1" in result.stderr
    assert "quotes in other mentions: 1" in result.stderr
    data = _database_bytes(demo_url)
    assert words not in data  # and gone after, from the table, the search index and the log
    for form in (COMMENTER, COMMENTER.lower(), COMMENTER.upper()):
        assert form.encode() not in data
    assert alias.encode() not in data  # another key's pseudonym: a sanity check of the search
    # Collect the same feeds again: the erased comment is not stored a second time.
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        count = session.scalar(select(func.count(Mention.id)))
        assert differences(session) == []
    with DemoFeedServer() as server:
        jobs.collect_all(engine, demo_settings(base_settings, server.base_url))
    with transaction(engine) as session:
        assert session.scalar(select(func.count(Mention.id))) == count
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).one()
        assert entry.target.startswith("anon:") and COMMENTER not in json.dumps(entry.details)
    engine.dispose()
    assert COMMENTER.encode() not in _database_bytes(demo_url)


def test_erasing_one_mention_by_id(demo_url):
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        mention = session.scalars(select(Mention).where(Mention.kind == "news")).first()
        mid, title = mention.id, mention.title
    engine.dispose()
    result = pulse("erase", "--mention", str(mid), env={"PULSE_DATABASE_URL": demo_url})
    assert result.returncode == 0, result.stderr
    assert "mentions: 1" in result.stderr
    assert title.encode() not in _database_bytes(demo_url)
    missing = pulse("erase", "--mention", "999999", env={"PULSE_DATABASE_URL": demo_url})
    assert missing.returncode == 2 and "no mention with id 999999" in missing.stderr
    both = pulse("erase", env={"PULSE_DATABASE_URL": demo_url})
    assert both.returncode == 2 and "exactly one of" in both.stderr


# --- audit ----------------------------------------------------------------------------------

def test_exports_and_corrections_are_in_the_audit_log(demo_url, tmp_path):
    env = {"PULSE_DATABASE_URL": demo_url, "PULSE_ACTOR": "analytiker@stockholm.se"}
    out = tmp_path / "e.csv"
    assert pulse("export", "--format", "csv", "--output", str(out), "--voice", "third_party",
                 env=env).returncode == 0
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        mid = session.scalars(select(Mention.id).where(Mention.tagger_version.is_not(None))
                              ).first()
    corrected = pulse("correct", str(mid), "sentiment", "negative", "--author", "Anna", env=env)
    assert corrected.returncode == 0, corrected.stderr
    with transaction(engine) as session:
        rows = list(audit.entries(session))
    engine.dispose()
    correction, export = rows[0], rows[1]
    assert correction["action"] == "correction" and correction["actor"] == "Anna"
    assert correction["details"] == {"kind": "sentiment", "value": "negative", "action": "set"}
    assert export["action"] == "export" and export["actor"] == "analytiker@stockholm.se"
    assert export["filters"] == {"voice": "third_party"} and export["rows"] > 100
    assert export["target"] == "csv"
    listed = pulse("audit", env=env)
    assert listed.returncode == 0 and "export" in listed.stdout and "correction" in listed.stdout
    wrong = pulse("audit", "--action", "nothing", env=env)
    assert wrong.returncode == 2 and "unknown action" in wrong.stderr


def test_a_residents_access_request_exports_their_mentions_by_handle(demo_url, tmp_path):
    out = tmp_path / "access.jsonl"
    env = {"PULSE_DATABASE_URL": demo_url}
    result = pulse("export", "--author", COMMENTER, "--output", str(out), env=env)
    assert result.returncode == 0, result.stderr
    (row,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert row["author"].startswith("anon:") and row["kind"] == "blog_comment"
    unknown = pulse("export", "--author", "nobody_here", env=env)
    assert unknown.returncode == 2 and "no author 'nobody_here'" in unknown.stderr


def test_erasure_removes_the_person_from_every_table(engine, server, base_settings):
    """A commenter's mention with a correction, a follow-up and a confirmation, erased by the
    name they commented under: no row of any table holds their text or pseudonym after,
    but the tombstone and the audit entry (SQLite and PostgreSQL)."""
    from sqlalchemy import text as sql

    from pulse.privacy import pseudonymiser
    from store.corrections import add_correction
    from store.erasure import compact, erase_author
    from store.models import Base
    from store.responses import set_response
    from store.review import confirm_mention
    from tests.conftest import fixture_bytes, make_settings

    server.route("/feed/", fixture_bytes("wp_posts.xml"))
    server.route("/comments/feed/", fixture_bytes("wp_comments.xml"))
    settings = make_settings(base_settings, [
        {"key": "blog", "kind": "feed", "url": server.url("/feed/"), "voice": "own"},
        {"key": "comments", "kind": "wordpress_comments", "url": server.url("/comments/feed/")},
    ])
    jobs.collect_all(engine, settings)
    jobs.tag_pending(engine, settings)
    alias = pseudonymiser().handle("Lisa")
    with transaction(engine) as session:
        lisa = session.scalars(select(Mention).join(Author).where(Author.handle == alias)).one()
        mid, said = lisa.id, lisa.text[:30]
        add_correction(session, mid, "sentiment", "positive", "Analytiker")
        set_response(session, mid, "needs_answer", "Analytiker")
        confirm_mention(session, mid, "Analytiker")
    with transaction(engine) as session:
        report = erase_author(session, "Lisa", pseudonymiser())
        audit.record(session, "test", "erase", target=report.target, details=report.removed)
    compact(engine)  # VACUUM on PostgreSQL, index merge and checkpoint on SQLite
    assert report.removed["mentions"] == 1 and report.removed["authors"] == 1
    assert report.removed["corrections"] == 1 and report.removed["follow_up"] == 1
    assert report.removed["confirmations"] == 1 and report.removed["tags"] > 3
    found = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in ("erasures", "audit_log"):
                continue
            for row in conn.execute(select(table)):
                text = str(tuple(row))
                if alias in text or said in text:
                    found.append((table.name, text[:80]))
        if engine.dialect.name == "sqlite":
            hits = conn.execute(sql("SELECT count(*) FROM mentions_fts WHERE mentions_fts "
                                    "MATCH :q"), {"q": f'"{said[:12]}"'}).scalar()
            assert hits == 0
    assert found == []
    with transaction(engine) as session:
        assert differences(session) == []
        omar = session.scalar(select(func.count(Mention.id)).where(Mention.kind ==
                                                                    "blog_comment"))
    assert omar == 1  # the other commenter is untouched


def test_a_private_person_is_shown_by_the_pseudonyms_name():
    from dashboard.fmt import author_shown

    alias = KEY.handle("maja_sthlm")
    assert author_shown(alias, KEY.name("maja_sthlm")).startswith("Privatperson ")
    assert author_shown("svtnyheter", "SVT Nyheter") == "svtnyheter"
    assert author_shown(None, "Redaktionen") == "Redaktionen"
