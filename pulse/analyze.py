"""Reading `pulse analyze` input: JSON Lines or CSV with a `text` column."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from typing import TextIO


class InputError(ValueError):
    """The input file is not usable; the message names the line and the problem."""


def read_records(stream: TextIO, name: str = "-") -> Iterator[dict]:
    """Yield {"text", "id"?, "url"?, "author"?, "source"?} records from JSON Lines or CSV."""
    first = stream.readline()
    rest = stream.read()
    content = first + rest
    if first.lstrip().startswith("{"):
        for number, line in enumerate(content.splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{name}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise InputError(f'{name}:{number}: each line needs a "text" string')
            yield record
        return
    _lift_field_limit()
    reader = csv.DictReader(io.StringIO(content))
    try:
        if not reader.fieldnames or "text" not in reader.fieldnames:
            raise InputError(f"{name}: expected JSON Lines or CSV with a `text` column")
        for record in reader:
            yield {k: v for k, v in record.items() if k is not None}
    except csv.Error as exc:
        raise InputError(f"{name}:{reader.line_num}: not valid CSV ({exc})") from None


def _lift_field_limit() -> None:
    """Let a CSV field be as long as the input (csv's default stops at 128 KiB)."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # a C long is 32 bits on some platforms
            limit //= 2
