"""The `pulse` command line."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pulse.commands import nlp as nlp_commands
from pulse.commands import register as register_report_commands
from pulse.logs import setup_logging

app = typer.Typer(help="Pulse: how third parties perceive Stockholm as a smart city.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console(stderr=True, soft_wrap=True)
DASHBOARD_APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def _fail(message: str, code: int = 1) -> None:
    console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _require_pseudonym_key() -> None:
    """End the command when PULSE_PSEUDONYM_KEY is missing: nothing is collected without it."""
    from pulse.privacy import pseudonymiser
    from store.privacy import PseudonymKeyError

    try:
        pseudonymiser()
    except PseudonymKeyError as exc:
        _fail(str(exc), 2)


def _settings():
    from pulse.settings import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        _fail(str(exc), 2)


def _engine(migrated: bool = True, url: str | None = None):
    from store.db import database_problem, make_engine, require_migrated

    try:
        engine = make_engine(url)
        if migrated:
            require_migrated(engine)
    except Exception as exc:  # bad URL, unreachable server, unreadable file …
        problem = database_problem(exc, url)
        if problem is None:
            raise
        _fail(problem)
    return engine


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, disable=not console.is_terminal)


_verbose = False


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress lines.")):
    """Pulse: how third parties perceive Stockholm as a smart city."""
    global _verbose
    _verbose = verbose
    setup_logging(verbose)


def cli() -> None:
    """Run the `pulse` command; a database that cannot be used ends in one line, a closed
    stdout (`pulse export | head -1`) ends quietly."""
    from store.db import database_problem

    try:
        app()
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(0)
    except Exception as exc:
        problem = database_problem(exc)
        if problem is None:
            raise
        console.print(f"[red]error:[/red] {problem}", highlight=False)
        sys.exit(1)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush does not fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


@db_app.command("upgrade")
def db_upgrade():
    """Create or migrate the database schema to the newest version."""
    from store.db import upgrade

    engine = _engine(migrated=False)
    upgrade(engine)
    console.print(f"database ready: {engine.url.render_as_string(hide_password=True)}")


def _collect(engine, settings, source: str | None) -> list:
    from pulse import jobs

    if source and source not in settings.sources_by_key:
        _fail(f"no source with key {source!r} in {settings.config_dir / 'sources.toml'}")
    keys = [source] if source else [s.key for s in settings.sources if s.enabled]
    with _progress() as progress:
        task = progress.add_task("collecting", total=len(keys))

        def done(outcome):
            progress.advance(task)
            if outcome.skipped:
                status = (f"[yellow]skipped ({outcome.skipped})[/yellow]; "
                          f"`pulse sources --enable {outcome.key}` turns it on again")
            elif outcome.error_kind:
                status = f"[red]{outcome.error_kind}[/red] {outcome.error}"
            else:
                status = f"{outcome.new_items} new"
            progress.console.print(f"  {outcome.key}: {status}", highlight=False)

        return jobs.collect_all(engine, settings, source, on_done=done)


@app.command()
def collect(source: str = typer.Option(None, "--source", "-s", help="Only this source key.")):
    """Collect new items from every enabled source (or one). One line per source; log lines
    only with -v. Exit status 1 when a source failed."""
    import logging

    settings = _settings()
    _require_pseudonym_key()
    if not _verbose:
        # each source's outcome is printed once below; the log would say it a second time
        logging.getLogger().setLevel(logging.CRITICAL + 1)
    outcomes = _collect(_engine(), settings, source)
    failed = [o for o in outcomes if o.error_kind]
    console.print(f"collected {sum(o.new_items for o in outcomes)} new items from "
                  f"{len(outcomes)} sources; {len(failed)} failed", highlight=False)
    if failed:
        raise typer.Exit(1)


def _tag(engine, settings) -> int:
    from nlp.tagger import Tagger
    from pulse import jobs
    from store.db import transaction
    from store.tagging import pending_count

    tagger = Tagger(settings.strategy)
    with transaction(engine) as session:
        total = pending_count(session, tagger.version)
    with _progress() as progress:
        task = progress.add_task("tagging", total=total)
        return jobs.tag_pending(engine, settings, tagger,
                                on_batch=lambda n: progress.advance(task, n))


@app.command()
def tag():
    """Tag every mention not yet tagged by the current tagger version."""
    settings = _settings()
    console.print(f"tagged {_tag(_engine(), settings)} mentions")


@app.command()
def retag():
    """Re-tag every mention with the current tagger (after `pulse train`); old tags stay
    current until the new ones are all written."""
    from nlp.tagger import Tagger
    from pulse import jobs
    from store.db import transaction
    from store.tagging import mention_count

    settings = _settings()
    engine = _engine()
    tagger = Tagger(settings.strategy)
    with transaction(engine) as session:
        total = mention_count(session)
    with _progress() as progress:
        task = progress.add_task(f"re-tagging ({tagger.version})", total=total)
        n = jobs.retag(engine, settings, tagger, on_batch=lambda k: progress.advance(task, k))
    console.print(f"re-tagged {n} mentions with {tagger.version}")


@app.command()
def correct(
    mention_id: int = typer.Argument(..., help="The mention's id (see `pulse export`)."),
    kind: str = typer.Argument(..., help="sentiment, keyword, message, topic, intent, "
                                         "audience or voice"),
    value: str = typer.Argument(..., help="The id to set (or add/remove), e.g. negative, open."),
    author: str = typer.Option(..., "--author", help="Who corrects (kept with the correction)."),
    remove: bool = typer.Option(False, "--remove", help="Remove a keyword/message/topic."),
    note: str = typer.Option(None, "--note", help="Why, for the record."),
):
    """Correct a mention's tag; the correction wins over the machine and covers its copies."""
    from store.corrections import CorrectionError, add_correction, story_members
    from store.db import transaction

    settings = _settings()
    engine = _engine()
    strategy = settings.strategy
    allowed = {"sentiment": ("positive", "neutral", "negative"),
               "keyword": [k.id for k in strategy.keyword],
               "message": [m.id for m in strategy.message],
               "topic": [t.id for t in strategy.topic],
               "audience": [g.id for g in strategy.target_group],
               "intent": ("inform", "praise", "criticism", "question", "idea_need"),
               "voice": ("own", "third_party")}
    try:
        with transaction(engine) as session:
            add_correction(session, mention_id, kind, value, author, remove=remove, note=note,
                           allowed=allowed)
            copies = len(story_members(session, mention_id))
    except CorrectionError as exc:
        _fail(str(exc), 2)
    console.print(f"corrected mention {mention_id} ({copies} cop{'y' if copies == 1 else 'ies'} "
                  f"of its story): {kind} {'−' if remove else '='} {value}")


@app.command()
def analyze(file: str = typer.Argument("-", help="JSON Lines or CSV file; - reads stdin.")):
    """Tag texts without a database: one JSON line out per input record, in input order."""
    from nlp.tagger import Tagger
    from pulse.analyze import InputError, read_records

    settings = _settings()
    if file == "-":
        stream, name = sys.stdin, "stdin"
    else:
        path = Path(file)
        if not path.is_file():
            _fail(f"{file}: no such file")
        stream, name = path.open(encoding="utf-8-sig"), file
    try:
        records = list(read_records(stream, name))
    except InputError as exc:
        _fail(str(exc), 2)
    except UnicodeDecodeError:
        _fail(f"{name}: not UTF-8 text", 2)
    tagger = Tagger(settings.strategy)
    for record, result in zip(records, tagger.tag(
            [{**r, "source_voice": None} for r in records]), strict=True):
        if record.get("id") is None:
            result.pop("id", None)
        else:
            result["id"] = record["id"]
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


@app.command()
def topics(weeks: int = typer.Option(8, "--weeks", help="How many recent weeks to show."),
           voice: str = typer.Option("third_party", "--voice", help="third_party, own or all")):
    """Show emerging topics week by week (found in the texts over a rolling 4-week window),
    named by their most distinctive terms, with growth: the same as the dashboard's."""
    from datetime import date

    from pulse.topics import emerging_by_week, growth_text, topic_names
    from store.db import transaction
    from store.queries import Filters

    engine = _engine()
    with transaction(engine) as session:
        by_week = emerging_by_week(session, Filters(end=date.today(),
                                                    voice=None if voice == "all" else voice),
                                   weeks=weeks)
    if not any(by_week.values()):
        console.print("too few mentions in the period to find topics")
        return
    for week, found in sorted(by_week.items()):
        print(f"week of {week}")
        for topic, name in zip(found, topic_names(found), strict=True):
            print(f"  {name:<48} {topic.weight:>5.0%}  {growth_text(topic.growth):>6}  "
                  f"{', '.join(topic.terms)}")


@app.command()
def run():
    """Collect and tag on schedule until Ctrl-C (each source on its own interval)."""
    from pulse.scheduler import run_forever

    settings = _settings()
    _require_pseudonym_key()
    console.print("Pulse is running; Ctrl-C stops it.")
    run_forever(_engine(), settings)
    console.print("stopped")


def _test_filter(settings, key: str, query: str | None) -> None:
    """Fetch a source now, without storing anything or moving its cursor, and print which of
    its recent items the filter (its own, or `query`) keeps and which it drops."""
    from collectors.errors import CollectError, error_message
    from collectors.filters import FilterSyntaxError, compile_filter
    from collectors.pipeline import split
    from pulse import jobs

    cfg = settings.sources_by_key.get(key)
    if cfg is None:
        _fail(f"no source with key {key!r} in {settings.config_dir / 'sources.toml'}")
    query = cfg.filter if query is None else query
    try:
        item_filter = compile_filter(query) if query else None
    except FilterSyntaxError as exc:
        _fail(f"the filter {query!r} is not valid: {exc}", 2)
    try:
        result = jobs.run_pipeline(settings, cfg, jobs.make_fetcher(settings), {}, query="")
    except CollectError as exc:
        _fail(f"{key}: {exc.kind}: {exc.detail} ({error_message(exc.kind, 'en')})")
    kept, dropped = split(result.items, item_filter)
    print(f"{key}: filter {query!r}" if query else f"{key}: no filter (every item is kept)")
    for mark, items in (("keep", kept), ("drop", dropped)):
        for item in items:
            title = " ".join((item.title or item.text).split())[:90]
            print(f"  {mark}  {item.published_at:%Y-%m-%d}  {title}")
    print(f"{len(kept)} kept, {len(dropped)} dropped of {len(result.items)} recent items "
          "(nothing stored)")
    for warning in result.warnings:
        print(f"  warning: {warning}")


@app.command()
def sources(enable: str = typer.Option(None, "--enable", metavar="KEY",
                                       help="Re-enable a source disabled after failures."),
            test: str = typer.Option(None, "--test", metavar="KEY",
                                     help="Fetch a source now and show which recent items its "
                                          "filter keeps and drops; stores nothing."),
            query: str = typer.Option(None, "--filter", metavar="QUERY",
                                      help="With --test: try this filter instead of the "
                                           "source's own.")):
    """Show every source with its health: last success, last error, warning, next run."""
    from pulse import jobs
    from store.db import transaction
    from store.queries import source_health
    from store.writes import enable_source

    settings = _settings()
    if test:
        _require_pseudonym_key()
        _test_filter(settings, test, query)
        return
    engine = _engine()
    jobs.sync_config_sources(engine, settings)
    if enable:
        with transaction(engine) as session:
            if not enable_source(session, enable):
                _fail(f"no source with key {enable!r}")
            from store import audit

            audit.record(session, audit.command_line_actor(), "source_enable", target=enable)
        console.print(f"{enable} is enabled again; it is collected on the next run")
    with transaction(engine) as session:
        rows = source_health(session)
    table = Table("source", "kind", "on", "mentions", "last success", "last error", "fails",
                  "next due", "warning")
    fmt = lambda t: t.strftime("%Y-%m-%d %H:%M") if t else "–"  # noqa: E731
    for r in rows:
        error = f"{r['last_error_kind']} ({fmt(r['last_error_at'])})" if r["last_error_kind"] \
            else "–"
        state = ("no" if not r["enabled"] else "disabled" if r["disabled_at"]
                 else "no token" if r["last_error_kind"] == "no_credentials" else "yes")
        table.add_row(r["key"], r["kind"], state, str(r["mentions"]),
                      fmt(r["last_success_at"]), error, str(r["consecutive_failures"]),
                      fmt(r["next_due_at"]), (r["last_warning"] or "–")[:80])
    Console().print(table)


def _iso_date(option: str, value: str | None):
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} {value!r}: not a date; give YYYY-MM-DD", 2)


@app.command()
def export(
    fmt: str = typer.Option("jsonl", "--format", "-f", help="csv, xlsx, parquet or jsonl."),
    output: str = typer.Option("-", "--output", "-o",
                               help="File; - writes stdout (csv and jsonl only)."),
    start: str = typer.Option(None, "--from", metavar="DATE",
                              help="First local day, YYYY-MM-DD (inclusive)."),
    end: str = typer.Option(None, "--to", metavar="DATE",
                            help="Last local day, YYYY-MM-DD (inclusive)."),
    voice: str = typer.Option("all", "--voice", help="own, third_party or all."),
    sentiment: str = typer.Option(None, "--sentiment", help="positive, neutral or negative."),
    keyword: str = typer.Option(None, "--keyword", help="Only mentions with this keyword id."),
    message: str = typer.Option(None, "--message", help="Only mentions with this core message."),
    source: list[str] = typer.Option(None, "--source", "-s", metavar="KEY",
                                     help="Only this source key; repeatable."),
    lang: str = typer.Option(None, "--lang", help="Only this language, e.g. sv or en."),
    author: str = typer.Option(None, "--author", metavar="HANDLE",
                               help="Only this author's mentions (a resident's request for "
                                    "access: their handle, as on the platform)."),
):
    """Export tagged mentions with their tags, streamed; filters narrow it down."""
    from reports.export import BINARY_FORMATS, FORMATS, write_export
    from store import audit
    from store.db import transaction
    from store.queries import SENTIMENTS, Filters, iter_export_rows

    if fmt not in FORMATS:
        _fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", 2)
    if output == "-" and fmt in BINARY_FORMATS:
        _fail(f"{fmt} is a binary format and is not written to stdout; "
              f"give --output FILE", 2)
    if voice not in ("own", "third_party", "all"):
        _fail(f"unknown voice {voice!r}; choose one of own, third_party, all", 2)
    if sentiment and sentiment not in SENTIMENTS:
        _fail(f"unknown sentiment {sentiment!r}; choose one of {', '.join(SENTIMENTS)}", 2)
    first, last = _iso_date("--from", start), _iso_date("--to", end)
    if first and last and first > last:
        _fail(f"--from {first} is after --to {last}", 2)
    if keyword or message:
        strategy = _settings().strategy
        for option, value, known in (("--keyword", keyword, [k.id for k in strategy.keyword]),
                                     ("--message", message, [m.id for m in strategy.message])):
            if value and value not in known:
                _fail(f"unknown {option[2:]} {value!r}; choose one of {', '.join(known)}", 2)
    engine = _engine()
    filters = Filters(start=first, end=last, voice=None if voice == "all" else voice,
                      sentiment=sentiment, keyword=keyword, message=message,
                      sources=tuple(source or ()), lang=lang,
                      author=_stored_handle(engine, author) if author else None)
    try:
        with (contextlib.nullcontext(sys.stdout.buffer) if output == "-"
              else open(output, "wb")) as out, transaction(engine) as session:
            n = write_export(iter_export_rows(session, filters), out, fmt)
            out.flush()
            audit.record(session, audit.command_line_actor(), "export", target=fmt,
                         filters=filters, rows=n,
                         details={"output": "stdout" if output == "-" else output})
    except BrokenPipeError:  # the reader stopped early (`pulse export | head -1`): fine
        _quiet_stdout()
        raise typer.Exit(0) from None
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}; check the path and free disk space")
    console.print(f"exported {n} mentions")  # console is stderr: stdout carries the export


def _stored_handle(engine, handle: str) -> str:
    """Return how an author's handle is stored: the pseudonym of a private person's (needs
    PULSE_PSEUDONYM_KEY), else the handle itself; end the command when neither is stored."""
    from sqlalchemy import func, select

    from pulse.privacy import pseudonymiser
    from store.db import transaction
    from store.models import Author
    from store.privacy import PseudonymKeyError, normal_handle

    plain = normal_handle(handle)
    try:
        alias = pseudonymiser().handle(plain)
    except PseudonymKeyError as exc:
        _fail(str(exc), 2)
    with transaction(engine) as session:
        found = session.scalars(select(Author.handle).where(
            (Author.handle == alias) | (func.lower(Author.handle) == plain))).first()
    if found is None:
        _fail(f"no author {handle!r} is stored (as a private person's pseudonym or by name)", 2)
    return found


def _streamlit(port: int, address: str, env: dict[str, str]) -> int:
    from pulse.login import SECRETS_ENV

    cmd = [sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP),
           "--server.port", str(port), "--server.address", address,
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--client.toolbarMode", "viewer"]
    if os.environ.get(SECRETS_ENV):  # a path, not a secret: Streamlit reads the file itself
        cmd += ["--secrets.files", os.environ[SECRETS_ENV]]
    proc = subprocess.Popen(cmd, env={**os.environ, **env})

    def stop(signum, frame):  # a service manager's SIGTERM stops Streamlit too
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command()
def dashboard(port: int = typer.Option(None, "--port", help="Default: pulse.toml (8501).")):
    """Start the Streamlit dashboard: on 127.0.0.1 unless pulse.toml says otherwise, and on
    another address only with login configured ([dashboard] login = "oidc" and [auth] in
    Streamlit's secrets file)."""
    from pulse.login import bind_problem

    settings = _settings()
    cfg = settings.pulse.dashboard
    problem = bind_problem(cfg)
    if problem:
        from rich.markup import escape

        _fail(escape(problem), 2)  # [dashboard] and [auth] are not markup
    _engine()
    console.print(f"dashboard: http://{cfg.address}:{port or cfg.port}")
    raise typer.Exit(_streamlit(port or cfg.port, cfg.address, {}))


@app.command()
def demo(port: int = typer.Option(8501, "--port", help="Dashboard port."),
         no_dashboard: bool = typer.Option(False, "--no-dashboard",
                                           help="Collect and tag, then stop.")):
    """Offline demo: serve sample feeds locally, collect and tag them, start the dashboard."""
    from pulse.demo.run import DEMO_DATABASE, demo_settings
    from pulse.demo.server import DemoFeedServer
    from pulse.privacy import use_demo_key
    from store.db import upgrade

    use_demo_key()  # sample data only: a public key, never the one of a real installation

    url = os.environ.get("PULSE_DATABASE_URL") or DEMO_DATABASE
    engine = _engine(migrated=False, url=url)
    upgrade(engine)
    settings = _settings()
    with DemoFeedServer() as server:
        console.print(f"demo feeds (SAMPLE DATA) served at {server.base_url}")
        settings = demo_settings(settings, server.base_url)
        outcomes = _collect(engine, settings, None)
    console.print(f"collected {sum(o.new_items for o in outcomes)} new items")
    console.print(f"tagged {_tag(engine, settings)} mentions")
    from pulse.commands.demo import print_report_commands

    env = print_report_commands(settings, url)
    if no_dashboard:
        return
    console.print(f"dashboard: http://127.0.0.1:{port}  (Ctrl-C stops)")
    raise typer.Exit(_streamlit(port, "127.0.0.1", env))


register_report_commands(app)
app.command("train")(nlp_commands.train)
app.command("eval")(nlp_commands.evaluate)

if __name__ == "__main__":
    cli()
