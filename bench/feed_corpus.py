"""Benchmark: how much of the odd feed corpus (tests/data/feeds/) Pulse stores.

Every document is served on 127.0.0.1 as its manifest says (Content-Type, with or without
Content-Length) and collected by the same job as `pulse collect` (pulse.jobs.collect_source,
one document a source) into a fresh SQLite file; an exception that escapes the job is
counted as the error kind "crash". Printed per document and in total: the items feedparser itself
reads from the bytes (unique entries with a title or text; the baseline, measured in the same
run), the items stored, how many of those have exactly the title the manifest expects (the
document decoded right), and the error kind of a feed that failed. With `--baseline-rev` the
same is measured on an older revision of Pulse (extracted with `git archive` into a temporary
folder and run there, on this corpus), so before and after print side by side.

    python -m bench.feed_corpus [--baseline-rev 7baecb7] [--show all|diff]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import subprocess
import sys
import tarfile
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import feedparser

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "data" / "feeds"


def _server(corpus: Path, manifest: list[dict]) -> ThreadingHTTPServer:
    by_path = {f"/{e['file']}": e for e in manifest}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            entry = by_path.get(self.path)
            if entry is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = (corpus / entry["file"]).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", entry["content_type"])
            if entry["framed"]:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def readable_by_feedparser(data: bytes, content_type: str) -> int:
    """Return how many distinct entries with a title or text feedparser reads from bytes."""
    parsed = feedparser.parse(data, response_headers={"content-type": content_type})
    return len({e.get("id") or e.get("link") or e.get("title") for e in parsed.entries
                if e.get("title") or e.get("summary")})


def measure(corpus: Path) -> list[dict]:
    """Collect every corpus document with this tree's Pulse; return one row per document."""
    from sqlalchemy import select

    from pulse import jobs
    from pulse.settings import SourceConfig, load_settings
    from store.db import make_engine, transaction, upgrade
    from store.models import Mention, Source

    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    httpd = _server(corpus, manifest)
    base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    keys = {e["file"]: f"doc{i}" for i, e in enumerate(manifest)}
    base = load_settings(REPO / "config")
    settings = dataclasses.replace(base, sources=[
        SourceConfig(key=keys[e["file"]], kind="feed", url=f"{base_url}/{e['file']}")
        for e in manifest])
    settings.__dict__.pop("sources_by_key", None)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'corpus.sqlite'}")
        upgrade(engine)
        jobs.sync_config_sources(engine, settings)
        outcomes = {}
        for key in keys.values():  # collect_all's loop, with a crash of one kept apart
            try:
                outcomes[key] = jobs.collect_source(engine, settings, key)
            except Exception as exc:  # noqa: BLE001 - an older revision may crash; count it
                outcomes[key] = jobs.CollectOutcome(key, error_kind="crash",
                                                    error=f"{type(exc).__name__}: {exc}")
        titles: dict[str, list[str | None]] = {}
        with transaction(engine) as session:
            for key, title in session.execute(select(Source.key, Mention.title).join(
                    Mention, Mention.source_id == Source.id).order_by(Mention.id)):
                titles.setdefault(key, []).append(title)
        engine.dispose()
    httpd.shutdown()
    for entry in manifest:
        key = keys[entry["file"]]
        data = (corpus / entry["file"]).read_bytes()
        stored = titles.get(key, [])
        expected = entry.get("titles", [])
        rows.append({"file": entry["file"],
                     "readable": readable_by_feedparser(data, entry["content_type"]),
                     "stored": len(stored),
                     "right": sum(1 for t in stored if t in expected),
                     "error": outcomes[key].error_kind,
                     "detail": (outcomes[key].error or "")[:160]})
    return rows


def measure_revision(rev: str, corpus: Path) -> list[dict]:
    """Run `measure` on another revision of this repository, on this corpus."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev],
                             check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        (Path(tmp) / "bench").mkdir(exist_ok=True)
        (Path(tmp) / "bench" / "feed_corpus.py").write_bytes(Path(__file__).read_bytes())
        env = {**os.environ, "PYTHONPATH": tmp}
        done = subprocess.run([sys.executable, "-m", "bench.feed_corpus", "--json",
                               "--corpus", str(corpus)], cwd=tmp, env=env,
                              capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"measuring {rev} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def _totals(rows: list[dict]) -> dict:
    return {"readable": sum(r["readable"] for r in rows),
            "stored": sum(r["stored"] for r in rows),
            "right": sum(r["right"] for r in rows),
            "failed": sum(1 for r in rows if r["error"]),
            "failed_with_readable": sum(1 for r in rows if r["error"] and r["readable"])}


def main() -> None:
    """Measure and print (see the module text)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--baseline-rev", help="also measure this git revision of Pulse")
    parser.add_argument("--show", choices=("all", "diff"), default="all")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON only")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # each odd document logs its warning; the table says it
    rows = measure(args.corpus)
    if args.json:
        print(json.dumps(rows))
        return
    before = {r["file"]: r for r in measure_revision(args.baseline_rev, args.corpus)} \
        if args.baseline_rev else {}
    width = max(len(r["file"]) for r in rows)
    rev = args.baseline_rev
    head = f"{'document':<{width}}  readable"
    if before:
        head += f"  stored@{rev}  right@{rev}  error@{rev}"
    print(head + "  stored  right  error")
    for row in rows:
        old = before.get(row["file"])
        if args.show == "diff" and old and (old["stored"], old["error"]) == (
                row["stored"], row["error"]):
            continue
        line = f"{row['file']:<{width}}  {row['readable']:>8}"
        if old:
            line += f"  {old['stored']:>{7 + len(rev)}}  {old['right']:>{6 + len(rev)}}  " \
                    f"{old['error'] or '-':<{6 + len(rev)}}"
        print(line + f"  {row['stored']:>6}  {row['right']:>5}  {row['error'] or '-'}")
    now = _totals(rows)
    print(f"\n{len(rows)} documents; feedparser reads {now['readable']} items from the bytes")
    for label, totals in ((args.baseline_rev, _totals(list(before.values()))) if before
                          else (None, None), ("this tree", now)):
        if label is None:
            continue
        print(f"{label:>12}: stored {totals['stored']} "
              f"({totals['stored'] / max(now['readable'], 1):.0%} of readable), "
              f"{totals['right']} of them with the title right; "
              f"{totals['failed']} feeds failed, {totals['failed_with_readable']} of them "
              "with items feedparser reads")
    if before:
        print("\nfailures at the baseline:")
        for row in before.values():
            if row["error"]:
                print(f"  {row['file']}: {row['error']}: {row['detail']}")
    print("\nfailures now:")
    for row in rows:
        if row["error"]:
            print(f"  {row['file']}: {row['error']}: {row['detail']}")


if __name__ == "__main__":
    main()
