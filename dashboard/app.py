"""Pulse dashboard: third-party perception of Stockholm as a smart city, over time.

Run with `pulse dashboard` (or `pulse demo`). One filter bar in the sidebar applies to every
page; every read goes through store.queries (see dashboard/data.py).
"""

from __future__ import annotations

import importlib
import os
from datetime import date
from pathlib import Path

import streamlit as st

from dashboard.access import User, gate, role_label
from dashboard.context import Context, filter_bar
from dashboard.data import engine, load_sources
from dashboard.export import export_file
from dashboard.i18n import t
from pulse.settings import ConfigError, default_config_dir, load_settings
from reports.export import FILE_SUFFIX, FORMATS, MIME_TYPES
from store.db import NotMigratedError, require_migrated

VIEWS = Path(__file__).parent / "views"
PAGES = ("overview", "keywords", "audiences", "topics", "sources", "mentions", "benchmark",
         "activities", "kpis", "review")
ICONS = {"overview": ":material/monitoring:", "keywords": ":material/key:",
         "audiences": ":material/groups:", "topics": ":material/topic:",
         "sources": ":material/rss_feed:", "mentions": ":material/chat:",
         "benchmark": ":material/public:", "activities": ":material/event:",
         "kpis": ":material/flag:", "review": ":material/fact_check:"}


@st.cache_resource
def _load_settings(folder: str, stamps: tuple) -> object:
    return load_settings(folder)


def _settings():
    """The configuration, read again when a file of the config folder changes (a new
    calendar activity or measurement point needs no restart)."""
    folder = default_config_dir()
    stamps = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.toml")))
    return _load_settings(str(folder), stamps)


@st.cache_resource
def _preload() -> None:
    """Import scikit-learn for the emerging topics once per server (about 2 s, on the first
    visit after start) so that the Topics page does not wait for it. In the script's own
    thread: importing it from a background thread while the page imports altair deadlocked
    Python's module locks (narwhals), about one start in three."""
    importlib.import_module("nlp.emerging")


def _ui_lang(default: str) -> str:
    """The UI language: the sidebar's choice, else pulse.toml's [general] language."""
    chosen = st.session_state.get("lang")
    if chosen is None:
        return default
    return "en" if chosen == "English" else "sv"


def _export(ctx: Context, user: User) -> None:
    """The export of the current selection, on every page (same code as `pulse export`);
    built when clicked, so the role is checked and the export recorded then."""
    lang = ctx.lang
    st.sidebar.subheader(t("export", lang))
    allowed = user.can("export")
    fmt = st.sidebar.selectbox(t("export_format", lang), list(FORMATS), key="export_format",
                               format_func=str.upper, disabled=not allowed)
    filters, url = ctx.filters, ctx.url

    def build() -> bytes:
        return export_file(user, url, filters, fmt, lang)

    st.sidebar.download_button(
        t("download", lang, fmt=fmt.upper()), data=build, mime=MIME_TYPES[fmt],
        file_name=f"pulse-{date.today().isoformat()}{FILE_SUFFIX[fmt]}", key="export_download",
        on_click="ignore", help=t("export_help", lang), icon=":material/download:",
        disabled=not allowed)
    if not allowed:
        st.sidebar.caption(t("needs_role", lang, role=role_label(user, lang),
                             needs=t("role_analyst", lang)))


def main() -> None:
    """Render the dashboard: navigation, filter bar, the chosen page, the export."""
    st.set_page_config(page_title="Pulse", layout="wide", page_icon="📈")
    _preload()
    url = os.environ.get("PULSE_DATABASE_URL")
    try:
        settings = _settings()
    except ConfigError as exc:
        st.error(t("no_db", _ui_lang("sv"), error=exc))
        return
    lang = _ui_lang(settings.pulse.general.language)
    try:
        require_migrated(engine(url))
    except NotMigratedError as exc:
        st.error(t("no_db", lang, error=exc))
        return
    user = gate(settings, url, lang)
    if user is None:
        return
    pages = [st.Page(str(VIEWS / f"{name}.py"), title=t(f"page_{name}", lang), url_path=name,
                     icon=ICONS[name], default=name == "overview") for name in PAGES]
    page = st.navigation(pages)
    ctx = filter_bar(settings, url, load_sources(url), search_page=page.url_path == "mentions")
    if os.environ.get("PULSE_DEMO"):
        st.warning(t("demo_banner", ctx.lang))
    page.run()
    _export(ctx, user)


main()
