"""Exports (csv, xlsx, parquet, jsonl) on a database filled by the real pipeline, and the CLI."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from collectors.base import Item
from nlp.tagger import Tagger
from pulse import jobs
from reports.export import (
    COLUMNS,
    FILE_SUFFIX,
    FORMATS,
    MIME_TYPES,
    export_bytes,
    flat_row,
    parquet_schema,
    write_export,
)
from store.db import transaction
from store.models import Source
from store.queries import Filters, iter_export_rows
from store.writes import save_items
from tests.conftest import fixture_bytes, make_settings
from tests.test_cli import pulse

HOSTILE_TITLE = '=HYPERLINK("http://x","klicka här")'
HOSTILE_TEXT = '+cmd|" /C calc"!A0 Stockholm'
HOSTILE_2 = "@SUM(1+1) Kista"
ALL = Filters(voice=None)


@pytest.fixture
def filled(engine, server, base_settings):
    """News (3, third party), a blog post (own voice) and two hostile items (third party),
    collected and tagged by the real pipeline."""
    server.route("/rss", fixture_bytes("news_rss.xml"))
    server.route("/blog", fixture_bytes("wp_posts.xml"))
    settings = make_settings(base_settings, [
        {"key": "news", "kind": "feed", "url": server.url("/rss")},
        {"key": "blog", "kind": "feed", "url": server.url("/blog"), "voice": "own"},
        {"key": "h", "kind": "feed", "url": server.url("/none"), "enabled": False},
    ])
    jobs.collect_all(engine, settings)
    with transaction(engine) as session:
        source = session.scalars(select(Source).where(Source.key == "h")).one()
        save_items(session, source, [
            Item("x1", "news", HOSTILE_TEXT, datetime(2026, 11, 5, 12, tzinfo=UTC),
                 title=HOSTILE_TITLE, url="https://h.example/1"),
            Item("x2", "news", HOSTILE_2, datetime(2026, 11, 5, 13, tzinfo=UTC),
                 title="-1+1", url="https://h.example/2"),
        ])
    jobs.tag_pending(engine, settings, Tagger(settings.strategy))
    return engine


def _rows(engine, f: Filters = ALL) -> list[dict]:
    with transaction(engine) as session:
        return list(iter_export_rows(session, f))


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return str(value)


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _read_xlsx(data: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Pulse"]
    return [list(r) for r in book["Pulse"].iter_rows(values_only=True)]


def _expected_xlsx(flat: dict) -> list:
    values = []
    for k in COLUMNS:
        v = flat[k]
        if k == "published_at":
            v = datetime.fromisoformat(v).astimezone(UTC).replace(tzinfo=None)
        values.append(None if v == "" else v)
    return values


def test_filled_database_has_the_expected_rows(filled):
    rows = _rows(filled)
    assert [(r["source"], r["external_id"]) for r in rows] == [
        ("news", "news-a1"), ("news", "news-a2"), ("news", "news-a3"),
        ("blog", rows[3]["external_id"]), ("h", "x1"), ("h", "x2")]
    assert [r["voice"] for r in rows].count("own") == 1
    assert all(r["published_at"].endswith("+00:00") for r in rows)


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_round_trips_the_same_rows(filled, fmt):
    rows = _rows(filled)
    flats = [flat_row(r) for r in rows]
    out = io.BytesIO()
    assert write_export(iter(rows), out, fmt) == len(rows) == 6
    data = out.getvalue()
    if fmt == "xlsx":  # a zip stamps each entry with the time it was written (2 s steps)
        assert _read_xlsx(data) == _read_xlsx(export_bytes(rows, fmt))
    else:
        assert data == export_bytes(rows, fmt)
    if fmt == "jsonl":
        assert not data.startswith(b"\xef\xbb\xbf")
        assert [json.loads(line) for line in data.decode("utf-8").splitlines()] == rows
    elif fmt == "csv":
        table = _read_csv(data)
        assert table[0] == COLUMNS
        assert table[1:] == [[_csv_value(f[k]) for k in COLUMNS] for f in flats]
    elif fmt == "xlsx":
        table = _read_xlsx(data)
        assert table[0] == COLUMNS
        assert table[1:] == [_expected_xlsx(f) for f in flats]
    else:
        parquet = pq.read_table(io.BytesIO(data))
        assert parquet.schema == parquet_schema()
        assert parquet.column_names == COLUMNS
        back = parquet.to_pylist()
        for f in flats:
            f["published_at"] = datetime.fromisoformat(f["published_at"])
        assert back == flats
        assert back[1]["published_at"] == datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    assert FILE_SUFFIX[fmt] == f".{fmt}" and MIME_TYPES[fmt]


def test_tabular_formats_share_the_flat_columns(filled):
    rows = _rows(filled)
    csv_rows = _read_csv(export_bytes(rows, "csv"))
    xlsx_rows = _read_xlsx(export_bytes(rows, "xlsx"))
    parquet = pq.read_table(io.BytesIO(export_bytes(rows, "parquet")))
    assert csv_rows[0] == xlsx_rows[0] == parquet.column_names == COLUMNS
    assert len(csv_rows) - 1 == len(xlsx_rows) - 1 == parquet.num_rows == 6
    a2 = [r for r in csv_rows if r[2] == "news-a2"][0]
    assert a2[COLUMNS.index("sentiment")] == "negative"
    assert "safe_secure" in a2[COLUMNS.index("keywords")].split(";")
    assert parquet.column("keywords").to_pylist()[1] == a2[COLUMNS.index("keywords")]


def test_filters_reduce_the_rows(filled):
    every = _rows(filled)
    assert len(every) == 6
    cases = {
        Filters(voice="third_party"): lambda r: r["voice"] == "third_party",
        Filters(voice="own"): lambda r: r["voice"] == "own",
        Filters(voice=None, start=date(2026, 11, 3), end=date(2026, 11, 4)):
            lambda r: r["external_id"] in ("news-a2", "news-a3"),
        Filters(voice=None, sentiment="negative"):
            lambda r: r["sentiment"]["label"] == "negative",
        Filters(voice=None, keyword="safe_secure"):
            lambda r: "safe_secure" in {k["id"] for k in r["keywords"]},
        Filters(voice=None, sources=("h", "blog")): lambda r: r["source"] in ("h", "blog"),
        Filters(voice=None, lang="sv"): lambda r: r["lang"] == "sv",
    }
    for f, keep in cases.items():
        got = _rows(filled, f)
        assert got == [r for r in every if keep(r)], f
        assert 0 < len(got) < len(every), f
        parquet = pq.read_table(io.BytesIO(export_bytes(got, "parquet")))
        assert parquet.column("id").to_pylist() == [r["id"] for r in got]


def test_formula_injection_is_neutralised_in_csv_and_xlsx(filled):
    rows = _rows(filled, Filters(voice=None, sources=("h",)))
    table = _read_csv(export_bytes(rows, "csv"))
    title, text = COLUMNS.index("title"), COLUMNS.index("text")
    assert [(r[title], r[text]) for r in table[1:]] == [
        ("'" + HOSTILE_TITLE, "'" + HOSTILE_TEXT), ("'-1+1", "'" + HOSTILE_2)]
    assert table[1][0] == str(rows[0]["id"])  # numbers are not touched

    data = export_bytes(rows, "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(archive.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Pulse"]
    cells = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row}
    for value in (HOSTILE_TITLE, HOSTILE_TEXT, HOSTILE_2, "-1+1"):
        assert cells[value].data_type == "s", value  # the text itself, kept as collected
        assert cells[value].quotePrefix, value  # stays text when edited in Excel


def test_swedish_characters_survive_every_format(filled):
    rows = _rows(filled, Filters(voice=None, sources=("news",)))
    titles = [r["title"] for r in rows]
    assert "Dataläcka i e-tjänst kritiseras" in titles
    assert any("å" in t for t in titles) and any("Föräldrar" in r["text"] for r in rows)
    t = COLUMNS.index("title")
    assert [r[t] for r in _read_csv(export_bytes(rows, "csv"))[1:]] == titles
    assert [r[t] for r in _read_xlsx(export_bytes(rows, "xlsx"))[1:]] == titles
    parquet = pq.read_table(io.BytesIO(export_bytes(rows, "parquet")))
    assert parquet.column("title").to_pylist() == titles
    jsonl = export_bytes(rows, "jsonl")
    assert "Dataläcka".encode() in jsonl  # UTF-8, not \\u escapes
    assert [json.loads(line)["title"] for line in jsonl.splitlines()] == titles


def test_empty_export_is_a_valid_file_with_the_columns():
    assert _read_csv(export_bytes([], "csv")) == [COLUMNS]
    assert _read_xlsx(export_bytes([], "xlsx")) == [COLUMNS]
    parquet = pq.read_table(io.BytesIO(export_bytes([], "parquet")))
    assert parquet.num_rows == 0 and parquet.schema == parquet_schema()
    assert export_bytes([], "jsonl") == b""


def test_unknown_format_names_the_valid_ones():
    with pytest.raises(ValueError, match="csv, xlsx, parquet, jsonl"):
        export_bytes([], "xls")


def _env(engine) -> dict[str, str]:
    return {"PULSE_DATABASE_URL": engine.url.render_as_string(hide_password=False)}


def test_cli_writes_parquet_with_filters(filled, tmp_path):
    path = tmp_path / "out.parquet"
    result = pulse("export", "--format", "parquet", "--output", str(path), "--from",
                   "2026-11-03", "--to", "2026-11-05", "--voice", "third_party",
                   "--source", "news", "--source", "h", env=_env(filled))
    assert result.returncode == 0, result.stderr
    assert "exported 4 mentions" in result.stderr and result.stdout == ""
    parquet = pq.read_table(path)
    assert parquet.schema == parquet_schema()
    assert parquet.column("external_id").to_pylist() == ["news-a2", "news-a3", "x1", "x2"]


def test_cli_csv_to_stdout_keeps_stdout_clean(filled):
    result = pulse("export", "-f", "csv", "--sentiment", "negative", env=_env(filled))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    assert rows and all(r["sentiment"] == "negative" for r in rows)
    assert "news-a2" in {r["external_id"] for r in rows}
    assert "exported" not in result.stdout
    assert f"exported {len(rows)} mentions" in result.stderr


def test_cli_refuses_binary_to_stdout_and_bad_options(filled):
    env = _env(filled)
    for fmt in ("parquet", "xlsx"):
        result = pulse("export", "--format", fmt, env=env)
        assert result.returncode == 2 and result.stdout == ""
        assert "give --output FILE" in result.stderr and "Traceback" not in result.stderr
    for args, message in ((["--from", "2026-13-01"], "--from '2026-13-01': not a date"),
                          (["--to", "yesterday"], "--to 'yesterday': not a date"),
                          (["--from", "2026-11-05", "--to", "2026-11-01"], "is after"),
                          (["--voice", "mine"], "unknown voice 'mine'"),
                          (["--format", "xls"], "unknown format 'xls'")):
        result = pulse("export", *args, env=env)
        assert result.returncode == 2, args
        assert message in result.stderr and "Traceback" not in result.stderr
