"""The rules for what of a post may reach a page (store.inert), the markdown escape of the
dashboard (dashboard.fmt.md_escape) and the links the collectors store (collectors.normalise).
The browser test of the same, end to end, is tests/test_hostile_content.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.normalise import clean_item
from dashboard.fmt import WORD_JOINER, md_escape
from store.inert import safe_url, without_bidi
from store.items import Item

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)",
    "file:///etc/passwd", "//example.se/a", "/relative", "http:///no-host", "https://[::1/", "",
    None, 42, "mailto:a@example.se"])
def test_only_http_links_with_a_host_are_safe(url):
    assert safe_url(url) is None


@pytest.mark.parametrize(("url", "kept"), [
    ("https://example.se/a?b=1#c", "https://example.se/a?b=1#c"),
    ("  HTTP://Example.se/x\n", "HTTP://Example.se/x"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/")])
def test_web_links_are_kept(url, kept):
    assert safe_url(url) == kept


def test_bidi_controls_are_removed_and_the_text_kept():
    text = "a\u202eexe.txt\u202c b\u2066c\u2069 \u200fשלום"
    assert without_bidi(text) == "aexe.txt bc \u200fשלום"  # the implicit mark (U+200F) stays
    assert without_bidi(None) == ""


@pytest.mark.parametrize(("text", "shown"), [
    ("[klicka](javascript:alert(1))", "\\[klicka\\]\\(javascript\\:alert\\(1\\)\\)"),
    ("&lt;b&gt;", "\\&lt;b\\&gt;"),
    (":material/warning:", "\\:material\\/warning\\:"),
    ("$x$", "\\$x\\$")])
def test_md_escape_escapes_markdown_and_entities(text, shown):
    assert md_escape(text) == shown


def test_md_escape_breaks_bare_links_and_the_logo_invisibly():
    shown = md_escape("se http://x.se, www.y.se och a@b.se :streamlit: \u202e")
    assert shown.count(WORD_JOINER) == 4
    assert "http://" not in shown.replace("\\", "") and "www." not in shown.replace("\\", "")
    assert shown.replace(WORD_JOINER, "").replace("\\", "") == (
        "se http://x.se, www.y.se och a@b.se :streamlit: ")


def test_a_post_link_that_is_not_http_is_not_stored():
    item = Item(external_id="1", kind="blog_comment", text="t", published_at=NOW,
                url="javascript:alert(1)", parent_url="data:text/html,x")
    cleaned = clean_item(item, NOW)
    assert cleaned.url is None and cleaned.parent_url is None
    kept = clean_item(Item(external_id="2", kind="post", text="t", published_at=NOW,
                           url=" https://example.se/p "), NOW)
    assert kept.url == "https://example.se/p"
