"""Benchmark cities: which cities a text names (Swedish and English forms, genitives,
compounds), and the "city" tags a tagged mention gets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from collectors.base import Item
from nlp.cities import city_matcher, detect_cities
from nlp.tagger import RULES_VERSION, Tagger
from pulse import jobs
from pulse.settings import SourceConfig
from store.db import transaction
from store.models import Mention, Source, Tag
from store.writes import save_items, sync_sources


@pytest.fixture(scope="module")
def cities(base_settings):
    return base_settings.strategy.benchmark_city


def _found(text, cities) -> dict[str, list[str]]:
    return {c["id"]: c["evidence"] for c in detect_cities(text, cities)}


def test_shipped_cities_have_one_home(base_settings):
    strategy = base_settings.strategy
    assert strategy.home_city.id == "stockholm"
    assert {"helsinki", "copenhagen", "oslo", "amsterdam", "barcelona", "vienna",
            "singapore"} <= {c.id for c in strategy.benchmark_city}
    assert strategy.label("benchmark_city", "copenhagen", "sv") == "Köpenhamn"
    assert strategy.label("benchmark_city", "copenhagen", "en") == "Copenhagen"


@pytest.mark.parametrize("text, expected", [
    ("Stockholm and Helsinki lead the index.", {"stockholm": ["Stockholm"],
                                                "helsinki": ["Helsinki"]}),
    ("Stockholms stad jämför sig med Helsingfors och Köpenhamn.",
     {"stockholm": ["Stockholms"], "helsinki": ["Helsingfors"], "copenhagen": ["Köpenhamn"]}),
    ("Oslos nya app och Helsingfors' satsning.", {"oslo": ["Oslos"],
                                                  "helsinki": ["Helsingfors"]}),
    ("Stockholmsregionen växer, Köpenhamnsmodellen likaså.",
     {"stockholm": ["Stockholmsregionen"], "copenhagen": ["Köpenhamnsmodellen"]}),
    ("Stockholm's metro beats Vienna's trams and Singapore.",
     {"stockholm": ["Stockholm"], "vienna": ["Vienna"], "singapore": ["Singapore"]}),
    ("STHLM vs KØBENHAVN, Wien och Singapur.",
     {"stockholm": ["STHLM"], "copenhagen": ["KØBENHAVN"], "vienna": ["Wien"],
      "singapore": ["Singapur"]}),
    ("Stor-Stockholm, #Stockholm och @stockholmsstad.",
     {"stockholm": ["Stockholm", "stockholmsstad"]}),
])
def test_forms_genitives_and_compounds(cities, text, expected):
    assert _found(text, cities) == expected


@pytest.mark.parametrize("text", [
    "Följ #smartsthlm för nyheter.",          # a name inside another word is not the city
    "Storstockholms lokaltrafik",             # nor at the end of a compound
    "Fika med wienerbröd och wienerkorv.",    # excluded: starts like Wien, is not Vienna
    "Barcelon, Amsterda, Helsink",            # a shorter word is not a name
    "",
])
def test_no_false_cities(cities, text):
    assert _found(text, cities) == {}


def test_evidence_lists_each_distinct_form_once(cities):
    found = _found("Oslo. Oslo! Oslos budget, oslo.", cities)
    assert found == {"oslo": ["Oslo", "Oslos", "oslo"]}


def test_dicts_and_compiled_once(cities):
    plain = [{"id": "x", "names": ["New York"]}, {"id": "y", "names": ["York"]}]
    assert _found("New  York and York", plain) == {"x": ["New  York"], "y": ["York"]}
    assert city_matcher(cities) is city_matcher(list(cities))
    assert detect_cities("Stockholm", []) == []


def test_tagger_result_has_cities(base_settings):
    tagger = Tagger(base_settings.strategy, use_models=False)
    out = tagger.tag([{"title": "Helsingfors före Stockholm",
                       "text": "Köpenhamnsmodellen kopieras inte i Sthlm."},
                      {"text": "Inga städer här."}])
    assert out[0]["cities"] == [{"id": "copenhagen", "evidence": ["Köpenhamnsmodellen"]},
                                {"id": "helsinki", "evidence": ["Helsingfors"]},
                                {"id": "stockholm", "evidence": ["Stockholm", "Sthlm"]}]
    assert out[1]["cities"] == []
    assert RULES_VERSION == "rules-0.4"


def test_tagger_without_benchmark_cities(base_settings):
    strategy = base_settings.strategy.model_copy(update={"benchmark_city": []})
    out = Tagger(strategy, use_models=False).tag([{"text": "Stockholm och Oslo."}])
    assert out[0]["cities"] == []


def test_saved_mention_gets_city_tags(engine, base_settings):
    text = ("Helsinki and Copenhagen have overtaken Stockholm's open data portal, which "
            "critics call slow and broken.")
    with transaction(engine) as session:
        sources = sync_sources(session, [SourceConfig(key="wire", kind="feed",
                                                      url="https://wire.example/feed")])
        save_items(session, sources["wire"],
                   [Item("w1", "news", text, datetime(2026, 11, 2, 8, tzinfo=UTC))])
    jobs.tag_pending(engine, base_settings, Tagger(base_settings.strategy))
    with transaction(engine) as session:
        mention = session.scalars(select(Mention)).one()
        tags = {t.value: t for t in session.scalars(select(Tag).where(
            Tag.mention_id == mention.id, Tag.kind == "city",
            Tag.tagger_version == mention.tagger_version))}
        assert set(tags) == {"helsinki", "copenhagen", "stockholm"}
        assert tags["stockholm"].evidence == ["Stockholm"]
        assert tags["copenhagen"].evidence == ["Copenhagen"]
        assert all(t.score == 1.0 and t.sentiment == mention.sentiment for t in tags.values())
        assert mention.tagger_version.startswith(RULES_VERSION)
        source = session.scalars(select(Source)).one()
        assert source.settings["channel"] == "media"
