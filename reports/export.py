"""Exports of tagged mentions, streamed: CSV, Excel, Parquet and JSON Lines.

One code path for the CLI (`pulse export`) and the dashboard's download button:

    write_export(rows, out, fmt) -> int    # rows from store.queries.iter_export_rows
    export_bytes(rows, fmt) -> bytes       # the same, into memory

Every format is written as bytes. JSON Lines keeps each row's full nested shape (tags with
scores and evidence). The tabular formats (csv, xlsx, parquet) share the flat COLUMNS: one
row per mention, the tag lists reduced to their ids joined with ";", the sentiment to its
label and score.

Spreadsheet formula injection (OWASP "CSV Injection"): a text that starts with = + - @, a tab
or a carriage return could run as a formula when the file is opened in Excel or LibreOffice.

- csv: such text cells get a leading single quote ('=HYPERLINK(…) is shown as text). The
  quote is part of the cell value in the file.
- xlsx: such cells are written as string cells (never as formulas) with Excel's
  "quote prefix" style, so Excel shows the text unchanged and does not turn it into a
  formula even when the cell is edited. The value itself is kept as collected.
- parquet and jsonl are data formats, not opened by spreadsheets as such: values unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import BinaryIO

COLUMNS = ["id", "source", "external_id", "kind", "published_at", "lang", "voice",
           "sentiment", "sentiment_score", "keywords", "messages", "topics", "audiences",
           "title", "text", "url", "canonical_url", "author", "tagger_version"]
CSV_COLUMNS = COLUMNS  # the former name
TAG_LISTS = ("keywords", "messages", "topics", "audiences")

FORMATS = ("csv", "xlsx", "parquet", "jsonl")
BINARY_FORMATS = ("xlsx", "parquet")  # never written to a terminal or stdout
MIME_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "jsonl": "application/jsonl",
}
FILE_SUFFIX = {"csv": ".csv", "xlsx": ".xlsx", "parquet": ".parquet", "jsonl": ".jsonl"}

SHEET_NAME = "Pulse"
PARQUET_BATCH = 5000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"'  # the other formats carry +00:00 themselves
XLSX_MAX_CELL = 32767  # Excel's limit per cell; longer texts are cut (the file would not open)


def check_format(fmt: str) -> str:
    """Return `fmt` if it is a known export format; raise ValueError naming the valid ones."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return fmt


def write_export(rows: Iterable[dict], out: BinaryIO, fmt: str) -> int:
    """Write rows (from store.queries.iter_export_rows) as `fmt` to the binary stream `out`;
    return the number of rows written.

    csv is UTF-8 with a byte-order mark (so Excel reads å, ä, ö right), jsonl UTF-8 without
    one. Rows are streamed: csv and jsonl row by row, parquet in row groups of
    PARQUET_BATCH, xlsx through openpyxl's write-only workbook. `out` is left open.
    """
    writer = {"csv": _write_csv, "xlsx": _write_xlsx, "parquet": _write_parquet,
              "jsonl": _write_jsonl}[check_format(fmt)]
    return writer(iter(rows), out)


def export_bytes(rows: Iterable[dict], fmt: str) -> bytes:
    """Return the export of `rows` as `fmt` in memory (for a download button)."""
    buffer = io.BytesIO()
    write_export(rows, buffer, fmt)
    return buffer.getvalue()


def flat_row(row: dict) -> dict:
    """Return an export row reduced to COLUMNS: tag ids joined with ";", sentiment label and
    score in their own columns, other values as they are."""
    flat = {k: row.get(k) for k in COLUMNS}
    sentiment = row.get("sentiment") or {}
    flat["sentiment"] = sentiment.get("label")
    flat["sentiment_score"] = sentiment.get("score")
    for key in TAG_LISTS:
        flat[key] = ";".join(t["id"] for t in row.get(key) or [])
    return flat


def neutralise_formula(value):
    """Return text that a spreadsheet would read as a formula with a leading single quote
    (OWASP); anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _write_jsonl(rows: Iterator[dict], out: BinaryIO) -> int:
    count = 0
    for row in rows:
        out.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
        count += 1
    return count


def _write_csv(rows: Iterator[dict], out: BinaryIO) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        count = 0
        for row in rows:
            flat = flat_row(row)
            writer.writerow([neutralise_formula(flat[k]) for k in COLUMNS])
            count += 1
        text.flush()
        return count
    finally:
        text.detach()  # leave `out` open for the caller


def _write_xlsx(rows: Iterator[dict], out: BinaryIO) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_NAME)
    sheet.append(COLUMNS)

    def cell(key: str, value):
        if key == "published_at" and value:
            # Excel has no time zones: a naive UTC time, shown in full with its zone named
            c = WriteOnlyCell(sheet, datetime.fromisoformat(value).astimezone(UTC)
                              .replace(tzinfo=None))
            c.number_format = XLSX_TIME_FORMAT
            return c
        if not isinstance(value, str) or value == "":
            return WriteOnlyCell(sheet, None if value == "" else value)
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_CELL]
        c = WriteOnlyCell(sheet, value)
        c.data_type = "s"  # a string, even if it reads "=…" (formula) or "#N/A" (error)
        if value.startswith(FORMULA_START):
            c.quotePrefix = True
        return c

    count = 0
    for row in rows:
        flat = flat_row(row)
        sheet.append([cell(k, flat[k]) for k in COLUMNS])
        count += 1
    workbook.save(out)
    return count


def parquet_schema():
    """Return the Arrow schema of the parquet export: COLUMNS with explicit types."""
    import pyarrow as pa

    types = {"id": pa.int64(), "published_at": pa.timestamp("us", tz="UTC"),
             "sentiment_score": pa.float64()}
    return pa.schema([pa.field(k, types.get(k, pa.string())) for k in COLUMNS])


def _write_parquet(rows: Iterator[dict], out: BinaryIO) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        while batch := list(islice(rows, PARQUET_BATCH)):
            flats = [flat_row(r) for r in batch]
            for flat in flats:
                if flat["published_at"]:
                    flat["published_at"] = datetime.fromisoformat(flat["published_at"])
            writer.write_table(pa.Table.from_pylist(flats, schema=schema))
            count += len(flats)
    return count
