"""Jinja2 for the reports: one environment, autoescaped HTML (text from posts is escaped),
templates in reports/templates/, and the one rule for links: http(s) only."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> Environment:
    """Return the reports' Jinja2 environment (HTML templates autoescaped, text not)."""
    return Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                       autoescape=select_autoescape(["html.j2"], default_for_string=False),
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def safe_url(url: str | None) -> str | None:
    """Return `url` when it is an http(s) link with a host, else None (no javascript:)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None
