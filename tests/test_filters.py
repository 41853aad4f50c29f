"""The source filter's query language: the shipped filters match what they matched before,
the operators and fields of listening suites, errors that name the position, and the
pipeline step that applies a filter once (collectors never filter)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest

from collectors.filters import FilterSyntaxError, ItemFilter
from collectors.pipeline import split
from pulse.settings import ConfigError, load_settings
from store.items import Item
from tests.conftest import REPO

EXPECTED = json.loads((REPO / "tests" / "data" / "filter_expectations.json")
                      .read_text(encoding="utf-8"))["matches"]
WHEN = datetime(2026, 11, 2, tzinfo=UTC)


def _texts() -> list[str]:
    """The frozen corpus the expectations were measured on (sample items of that time, then
    the old gold set), so that new demo items never shift the indices."""
    lines = (REPO / "tests" / "data" / "filter_corpus.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["text"] for line in lines.splitlines()]


@pytest.mark.parametrize("query", list(EXPECTED), ids=[q[:40] for q in EXPECTED])
def test_shipped_filters_match_what_they_matched_before(query):
    texts = _texts()
    assert len(texts) == 672
    found = [i for i, text in enumerate(texts) if ItemFilter(query).matches(text)]
    assert found == EXPECTED[query]


def test_every_shipped_filter_is_in_the_expectations():
    settings = load_settings(REPO / "config")
    from pulse.demo.feeds import FEEDS

    shipped = {s.filter for s in settings.sources if s.filter}
    shipped |= {f.filter for f in FEEDS if f.filter}
    assert shipped <= set(EXPECTED)


def _item(text="", title=None, url="https://www.svt.se/nyheter/1", author=None):
    return Item("1", "news", text, WHEN, url=url, title=title, author_handle=author,
                author_name=author)


@pytest.mark.parametrize(("query", "text", "expected"), [
    ("stad", "Staden växer", True),            # an inflection ending
    ("stad", "Städer växer", True),            # diacritics fold: städer is stad + er
    ("stad", "stadsbyggnadskontoret", False),  # more than four letters past the term
    ("digital*", "digitaliseringen", True),
    ("organi?ation", "organisationen", False),  # ? is one letter, the whole word
    ("organi?ation", "Organisation", True),
    ("wom*n", "women", True),
    ('"smart stad"', "en smart och hållbar stad", False),
    ('"smart stad"', "smarta staden", True),
    ('"smart stad"~2', "stad som är smart", True),
    ('"smart stad"~1', "stad som är smart", False),
    ("a OR b c", "a", True),                    # AND binds tighter than OR
    ("a OR b c", "b", False),
    ("Stockholm -sport", "Stockholm sport", False),
    ("Stockholm NOT sport", "Stockholm kultur", True),
    ("5G NEAR/3 utbyggnad", "utbyggnad av ny 5G", True),
    ("5G NEAR/2 utbyggnad", "utbyggnad av ny 5G", False),
    ("5G NEAR/3f utbyggnad", "utbyggnad av ny 5G", False),
    ("5G NEAR/3f utbyggnad", "5G och fiber utbyggnad", True),
    ('(5G OR fiber) NEAR/1 "nya nät"', "fiber nya nät", True),
    ("e-tjänst*", "nya e-tjänster", True),
    ("smart and stad", "smart stad", True),  # lower-case operators are operators, as before
    ("smart and stad", "smart", False),
])
def test_terms_and_operators(query, text, expected):
    assert ItemFilter(query).matches(text) is expected


def test_fields():
    article = _item("Bussarna får sensorer.", title="Stockholm testar 5G",
                    url="https://www.svt.se/nyheter/1", author="anna_k")
    assert ItemFilter("title:Stockholm").matches(article)
    assert not ItemFilter("title:sensor*").matches(article)
    assert ItemFilter("title:(Göteborg OR Stockholm) sensor*").matches(article)
    assert ItemFilter("site:svt.se").matches(article)
    assert not ItemFilter("site:vt.se").matches(article)       # by label, not by letters
    assert not ItemFilter("site:dn.se").matches(article)
    assert ItemFilter("author:anna_k").matches(article)
    assert not ItemFilter("author:erik").matches(article)
    assert ItemFilter("Stockholm -site:(dn.se OR expressen.se)").matches(article)
    assert not ItemFilter("site:svt.se").matches("a text alone has no site")


def test_lang_is_detected_from_the_item():
    swedish = _item("Staden vill att fler ska kunna cykla och det är bra för klimatet.")
    english = _item("The city wants more people to cycle and that is good for the climate.")
    assert ItemFilter("lang:sv").matches(swedish) and not ItemFilter("lang:sv").matches(english)
    assert ItemFilter("lang:en cycle*").matches(english)


@pytest.mark.parametrize(("query", "message"), [
    ("", "the filter is empty"),
    ("stad)", "at position 5"),
    ("(stad", "ends too early"),
    ('"smart stad', "a quote is not closed"),
    ("Stockholm AND", "ends too early"),
    ("titel:Stockholm", "unknown field titel:"),
    ("lang:de", "lang:de is not a language"),
    ("site:svt.se/nyheter", "is not a host name"),
    ("a NEAR/3 (b AND c)", "NEAR/n joins words"),
])
def test_syntax_errors_name_the_position(query, message):
    with pytest.raises(FilterSyntaxError, match=message):
        ItemFilter(query)


def test_a_bad_filter_stops_the_start_naming_file_key_and_position(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    path = config / "sources.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[[source]]\nkey = "bad-filter"\n'
                    'kind = "feed"\nurl = "https://x.example/rss"\n'
                    'filter = \'Stockholm AND (smart OR\'\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(config)
    assert "(bad-filter).filter" in str(err.value) and "position" in str(err.value)


def test_the_pipeline_step_splits_kept_and_dropped():
    items = [_item("Stockholm bygger fiber"), _item("Fotboll i kväll")]
    kept, dropped = split(items, ItemFilter("fiber"))
    assert [i.text for i in kept] == ["Stockholm bygger fiber"]
    assert [i.text for i in dropped] == ["Fotboll i kväll"]
    assert split(items, None) == (items, [])
