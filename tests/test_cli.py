"""The `pulse` command: migrations required, analyze, collect + tag + export."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, feed_source_toml, fixture_bytes, write_config


def pulse(*args, env=None, stdin=None, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "pulse.cli", *args], capture_output=True,
                          text=True, input=stdin, env={**os.environ, **(env or {})}, cwd=cwd,
                          timeout=300)


def test_commands_refuse_an_unmigrated_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    for command in (["collect"], ["tag"], ["export"], ["sources"]):
        result = pulse(*command, env={"PULSE_DATABASE_URL": url})
        assert result.returncode == 1, command
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert lines[-1].startswith("error: The database")
        assert "run `pulse db upgrade` first" in result.stderr
        assert "Traceback" not in result.stderr


def test_invalid_config_stops_with_file_and_key(tmp_path):
    config = write_config(tmp_path, '[[source]]\nkey = "x"\nkind = "rss"\n')
    result = pulse("analyze", "-", env={"PULSE_CONFIG_DIR": str(config)}, stdin="")
    assert result.returncode == 2
    assert "sources.toml: source[0] (x).kind:" in result.stderr
    assert "Traceback" not in result.stderr


def test_analyze_jsonl_keeps_order_and_shape():
    lines = [
        {"id": "a", "text": "Städerna blir hållbara och uppkopplade! 👍"},
        {"id": "b", "text": "Security flaws in the platform again, never fixed. The city's "
                            "cybersecurity team says it is working on it.",
         "author": "someone"},
        {"text": "Stockholm ska bli världens smartaste stad 2040."},
    ]
    result = pulse("analyze", "-", stdin="\n".join(json.dumps(x) for x in lines))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", "b", None]
    assert out[0]["lang"] == "sv" and out[1]["lang"] == "en"
    assert {k["id"] for k in out[0]["keywords"]} == {"sustainable", "connected"}
    assert out[0]["sentiment"]["label"] == "positive"
    assert {"label", "score", "evidence", "confidence"} <= set(out[0]["sentiment"])
    assert {"id", "score", "sentiment", "evidence"} <= set(out[0]["keywords"][0])
    assert out[1]["keywords"][0]["id"] == "safe_secure"
    assert out[1]["sentiment"]["label"] == "negative"
    assert "smartest_2040" in [m["id"] for m in out[2]["messages"]]
    assert out[2]["cities"] == [{"id": "stockholm", "evidence": ["Stockholm"]}]
    assert out[0]["cities"] == []
    assert all(o["voice"] == "third_party" for o in out)


def test_analyze_csv_file(tmp_path):
    path = tmp_path / "in.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text", "url"])
        writer.writerow(["1", "Tillgängligheten har blivit sämre.", ""])
        writer.writerow(["2", "Vi lanserar öppna data.", "https://start.stockholm/x"])
    result = pulse("analyze", str(path))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["1", "2"]
    assert out[0]["keywords"][0]["id"] == "accessible"
    assert out[1]["voice"] == "own"


def test_analyze_bad_input_is_one_clear_line(tmp_path):
    result = pulse("analyze", "-", stdin='{"text": "ok"}\n{"nope": 1}\n')
    assert result.returncode == 2
    assert "stdin:2: each line needs a \"text\" string" in result.stderr
    result = pulse("analyze", str(tmp_path / "missing.jsonl"))
    assert result.returncode == 1 and "no such file" in result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_collect_tag_export_through_the_cli(tmp_path, server, fmt):
    server.route("/rss", fixture_bytes("news_rss.xml"))
    config = write_config(tmp_path, feed_source_toml("news", server.url("/rss")))
    env = {"PULSE_CONFIG_DIR": str(config),
           "PULSE_DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite'}"}
    assert pulse("db", "upgrade", env=env).returncode == 0
    collected = pulse("collect", env=env)
    assert collected.returncode == 0 and "collected 3 new items" in collected.stderr
    assert "tagged 3 mentions" in pulse("tag", env=env).stderr
    sources = pulse("sources", env=env)
    assert "news" in sources.stdout and sources.returncode == 0
    exported = pulse("export", "--format", fmt, env=env)
    assert exported.returncode == 0, exported.stderr
    if fmt == "jsonl":
        rows = [json.loads(line) for line in exported.stdout.splitlines()]
        assert [r["external_id"] for r in rows] == ["news-a1", "news-a2", "news-a3"]
        assert rows[1]["sentiment"]["label"] == "negative"
        assert "safe_secure" in {k["id"] for k in rows[1]["keywords"]}
    else:
        rows = list(csv.DictReader(io.StringIO(exported.stdout)))
        assert len(rows) == 3 and rows[0]["source"] == "news"
        assert "sustainable" in rows[0]["keywords"].split(";")


def test_collect_reports_each_failure_once_and_exits_1(tmp_path, server):
    server.route("/rss", fixture_bytes("news_rss.xml"))
    server.route("/broken", fixture_bytes("broken.xml"))
    config = write_config(tmp_path, feed_source_toml("news", server.url("/rss"))
                          + feed_source_toml("broken", server.url("/broken"))
                          + feed_source_toml("gone", server.url("/missing")))
    env = {"PULSE_CONFIG_DIR": str(config),
           "PULSE_DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite'}"}
    assert pulse("db", "upgrade", env=env).returncode == 0
    quiet = pulse("collect", env=env)
    assert quiet.returncode == 1
    lines = [line for line in quiet.stderr.splitlines() if line.strip()]
    assert lines == ["  news: 3 new", lines[1], lines[2],
                     "collected 3 new items from 3 sources; 2 failed"]
    assert lines[1].startswith("  broken: malformed ")
    assert lines[2].startswith("  gone: not_found ")
    verbose = pulse("-v", "collect", env=env)
    assert verbose.returncode == 1
    assert "INFO pulse.jobs collect source=news" in verbose.stderr
    assert "WARNING pulse.jobs collect source=gone error_kind=not_found" in verbose.stderr
    assert "Traceback" not in verbose.stderr
    ok = pulse("collect", "--source", "news", env=env)
    assert ok.returncode == 0 and ok.stderr.splitlines()[-1].endswith("; 0 failed")


def test_export_into_a_closed_pipe_is_not_an_error(demo_url):
    result = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m pulse.cli export -f jsonl | head -1; "
                       "echo \"status=${PIPESTATUS[0]}\" >&2"],
        capture_output=True, text=True, env={**os.environ, "PULSE_DATABASE_URL": demo_url},
        cwd=REPO, timeout=300)
    assert json.loads(result.stdout.splitlines()[0])["external_id"]
    assert len(result.stdout.splitlines()) == 1
    assert "status=0" in result.stderr
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_analyze_a_50_mb_single_line_is_one_line_and_long_csv_fields_work(tmp_path):
    big = tmp_path / "one-line.txt"
    big.write_text("Stockholm är en smart stad, " * 1_900_000, encoding="utf-8")
    assert big.stat().st_size > 50_000_000
    result = pulse("analyze", str(big))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {big}: expected JSON Lines or CSV with a `text` column"]
    long_field = tmp_path / "long.csv"
    text = "Öppna data gör staden hållbar. " * 10_000  # 300 kB: past csv's 128 KiB default
    long_field.write_text(f'id,text\n1,"{text}"\n', encoding="utf-8")
    result = pulse("analyze", str(long_field))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["id"] == "1" and {k["id"] for k in out["keywords"]} >= {"open", "sustainable"}
