"""Exports of tagged mentions, streamed: JSON Lines and CSV (one code path for CLI and UI)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

CSV_COLUMNS = ["id", "source", "external_id", "kind", "published_at", "lang", "voice",
               "sentiment", "sentiment_score", "keywords", "messages", "topics", "audiences",
               "title", "text", "url", "canonical_url", "author", "tagger_version"]
FORMATS = ("jsonl", "csv")


def _flat(row: dict) -> dict:
    flat = {k: row.get(k) for k in CSV_COLUMNS}
    flat["sentiment"] = row["sentiment"]["label"]
    flat["sentiment_score"] = row["sentiment"]["score"]
    for key in ("keywords", "messages", "topics", "audiences"):
        flat[key] = ";".join(t["id"] for t in row.get(key, []))
    return flat


def write_export(rows: Iterable[dict], out: TextIO, fmt: str) -> int:
    """Write rows (from store.queries.iter_export_rows) as `fmt` to `out`; return the row count."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    count = 0
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(_flat(row))
        count += 1
    return count
