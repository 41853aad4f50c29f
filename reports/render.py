"""Jinja2 for the reports: one environment, autoescaped HTML (text from posts is escaped),
templates in reports/templates/, and the one rule for links: http(s) only."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from store.inert import BIDI_CONTROLS, safe_url

__all__ = ["TEMPLATES", "environment", "safe_url"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> Environment:
    """Return the reports' Jinja2 environment (HTML templates autoescaped, text not; every
    value printed without bidi controls, see store.inert)."""
    return Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                       autoescape=select_autoescape(["html.j2"], default_for_string=False),
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                       finalize=_without_bidi)


def _without_bidi(value):
    """Jinja2's finalize: a printed string without bidi controls (markup stays markup)."""
    if isinstance(value, Markup):
        return Markup(BIDI_CONTROLS.sub("", value))
    if isinstance(value, str):
        return BIDI_CONTROLS.sub("", value)
    return value
