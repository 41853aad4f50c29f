"""Emerging topics: a story that breaks late is found and new, steady themes keep their ids."""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from nlp.emerging import EmergingTopic, discover, track

REPO = Path(__file__).resolve().parent.parent
WEEKS = [date(2024, 9, 2) + timedelta(weeks=n) for n in range(6)]
PLACES = ["Götgatan", "Sveavägen", "Odenplan", "Slussen", "Fridhemsplan", "Hornstull",
          "Medborgarplatsen", "Hötorget", "Kungsholmen", "Vasastan"]
SCHOOLS = ["Södermalm", "Bromma", "Skärholmen", "Vällingby", "Kista", "Farsta"]
DATASETS = ["luftkvalitet", "parkering", "cykelflöden", "bygglov", "trafikflöden"]
DATASETS_EN = ["air quality", "parking", "cycle counts", "building permits", "traffic"]

THEMES: dict[str, dict[str, list[str]]] = {
    "leak": {
        "sv": [
            "Dataläcka i förskoleansökan: personuppgifter om {n} barn låg öppet på nätet.",
            "IMY granskar dataläckan i stadens e-tjänst för förskoleansökan.",
            "Personuppgifter om vårdnadshavare och barn exponerades i förskoleansökan.",
            "Stockholms stad bekräftar dataläckan i förskoleansökan, personuppgifter kan ha "
            "spridits.",
            "Föräldrar oroliga efter dataläckan: vem har sett barnens personuppgifter?",
            "Förskoleansökan stängs tillfälligt efter dataläcka med känsliga personuppgifter.",
        ],
        "en": [
            "Data leak in the förskoleansökan preschool application exposed personal data of "
            "{n} children.",
            "IMY investigates the förskoleansökan data leak; personal data of parents exposed.",
            "Stockholm shuts the preschool application förskoleansökan after a data leak.",
        ],
    },
    "scooters": {
        "sv": [
            "Elsparkcyklar blockerar trottoarerna på {place} igen, parkeringen fungerar inte.",
            "Staden inför parkeringszoner för elsparkcyklar vid {place}.",
            "Felparkerade elsparkcyklar på trottoaren är ett problem för rullstolsburna.",
            "Trafikkontoret vill begränsa antalet elsparkcyklar i innerstaden.",
            "Elsparkcyklar från Voi och Tier står parkerade mitt på trottoaren vid {place}.",
        ],
        "en": [
            "E-scooters are blocking the sidewalks on {place} again; parking zones for Voi and "
            "Tier are coming.",
            "Stockholm caps the number of rental e-scooters and fines bad scooter parking on "
            "sidewalks.",
            "Badly parked e-scooters from Voi and Tier block the sidewalk at {place}.",
        ],
    },
    "opendata": {
        "sv": [
            "Stadens öppna data om {dataset} släpps inför helgens hackathon.",
            "Över {n} utvecklare deltog i hackathonet med öppna data från Stockholms stad.",
            "Öppna data-portalen har fått dataset om {dataset} till hackathonet.",
            "Vinnarna av hackathonet byggde en app på öppna data om {dataset}.",
        ],
        "en": [
            "Open data hackathon in Stockholm: {n} developers built apps on {dataset_en} data.",
            "The city's open data portal publishes {dataset_en} datasets ahead of the hackathon.",
        ],
    },
    "school": {
        "sv": [
            "Skolplattformen får kritik igen, föräldrar kan inte logga in.",
            "Inloggningen till Skolplattformen krånglar för vårdnadshavare i {school}.",
            "Kritiken mot Skolplattformen växer, utbildningsförvaltningen lovar åtgärder.",
            "Lärare i {school} kritiserar Skolplattformen: inloggning med BankID fungerar inte.",
        ],
        "en": [
            "Parents in Stockholm still cannot log in to Skolplattformen, the criticised school "
            "platform.",
            "Criticism of Skolplattformen grows as the login fails for parents in {school}.",
        ],
    },
}
# Background chatter: random subject-verb-object combinations, so no theme of its own.
NOISE = {
    "sv": (["Tunnelbanan", "Kulturhuset", "Biblioteket", "Kommunfullmäktige", "Pendeltåget",
            "Fotbollslaget", "Kaféet", "Vädret", "Bostadsmarknaden", "Konserthuset"],
           ["överraskade", "lockade", "väntas påverka", "diskuterade", "förändrade",
            "uppmärksammade", "firade", "drabbade"],
           ["publiken", "pendlarna", "turisterna", "budgeten", "helgens program", "grannarna",
            "utställningen", "höstens evenemang", "priserna", "kvarteret"],
           ["i helgen.", "på måndag.", "under hösten.", "igår kväll.", "vid {place}.",
            "enligt DN.", "i september."]),
    "en": (["The metro", "Kulturhuset", "The library", "The city council", "The commuter train",
            "The football club", "A new café", "The weather", "The housing market"],
           ["surprised", "attracted", "is expected to affect", "discussed", "changed",
            "celebrated", "disrupted"],
           ["the audience", "commuters", "tourists", "the budget", "weekend plans",
            "neighbours", "the exhibition", "autumn events", "prices"],
           ["this weekend.", "on Monday.", "this autumn.", "last night.", "near {place}.",
            "in September."]),
}
DECOR = ["https://www.stockholm.se/nyheter/{n}", "@stockholmsstad", "#stockholm", "#smartstad",
         "via @svtnyheter", "{n} kommentarer", "#SmartCity"]
# Roundups are newsletters with a line on every story: about no topic in particular.
PER_WEEK = {"scooters": 16, "opendata": 13, "school": 13, "noise": 22, "roundup": 3}
LEAK_PER_WEEK = {4: 24, 5: 30}  # only the last two weeks
# A local leak is covered in Swedish; scooters draw international interest.
SWEDISH_SHARE = {"leak": 0.9, "school": 0.85, "opendata": 0.7, "scooters": 0.6, "noise": 0.7,
                 "roundup": 0.7}


def _fill(template: str, rng: random.Random) -> str:
    dataset = rng.randrange(len(DATASETS))
    return template.format(n=rng.randint(12, 4000), place=rng.choice(PLACES),
                           school=rng.choice(SCHOOLS), dataset=DATASETS[dataset],
                           dataset_en=DATASETS_EN[dataset])


def _chatter(lang: str, rng: random.Random) -> str:
    return _fill(" ".join(rng.choice(part) for part in NOISE[lang]), rng)


def _roundup(lang: str, leak: bool, rng: random.Random) -> str:
    stories = [t for t in THEMES if leak or t != "leak"]
    opening = "Veckans nyheter:" if lang == "sv" else "This week:"
    return " ".join([opening] + [_fill(rng.choice(THEMES[t][lang]), rng) for t in stories])


def _text(theme: str, lang: str, rng: random.Random) -> str:
    if theme == "noise":
        sentences = [_chatter(lang, rng) for _ in range(rng.randint(2, 4))]
    else:
        pool = THEMES[theme][lang]
        sentences = [_fill(s, rng) for s in rng.sample(pool, k=min(len(pool), rng.randint(2, 3)))]
        if rng.random() < 0.5:
            sentences.append(_chatter(lang, rng))
    sentences += [_fill(d, rng) for d in rng.sample(DECOR, k=rng.randint(0, 2))]
    return " ".join(sentences)


def build_corpus(seed: int = 7) -> list[tuple[str, date, str, str]]:
    """Mentions over six weeks; ids are "<theme>-<lang>-<week index>-<n>"."""
    rng = random.Random(seed)
    docs = []
    for w, week in enumerate(WEEKS):
        sizes = dict(PER_WEEK)
        if w in LEAK_PER_WEEK:
            sizes["leak"] = LEAK_PER_WEEK[w]
        for theme, size in sizes.items():
            for n in range(size):
                lang = "sv" if rng.random() < SWEDISH_SHARE[theme] else "en"
                # Collectors stamp the publication day; discover works in Monday weeks.
                day = week + timedelta(days=rng.randrange(7))
                text = (_roundup(lang, "leak" in sizes, rng) if theme == "roundup"
                        else _text(theme, lang, rng))
                docs.append((f"{theme}-{lang}-{w}-{n}", day, lang, text))
    rng.shuffle(docs)
    return docs


def _theme_ids(docs, theme: str, lang: str | None = None, weeks=range(6)) -> set[str]:
    wanted = {str(w) for w in weeks}
    return {doc_id for doc_id, *_ in docs
            if doc_id.split("-")[0] == theme and doc_id.split("-")[2] in wanted
            and (lang is None or doc_id.split("-")[1] == lang)}


def _best(topics: list[EmergingTopic], ids: set[str]) -> EmergingTopic:
    """The topic whose documents are most of `ids`."""
    return max(topics, key=lambda topic: len(ids & set(topic.doc_ids)))


def _words(topic: EmergingTopic) -> set[str]:
    return {w for term in topic.terms for w in term.split(" ")}


LEAK_WORDS = {"dataläcka", "dataläckan", "förskoleansökan", "personuppgifter"}


@pytest.fixture(scope="module")
def corpus():
    return build_corpus()


@pytest.fixture(scope="module")
def tracked(corpus):
    return track(corpus)


def test_late_story_is_found_new_in_final_week(corpus, tracked):
    before_leak = tracked[WEEKS[3]]
    topics = discover(corpus, previous=before_leak)
    assert {t.week for t in topics} == {WEEKS[5]}
    leak = [t for t in topics if len(_words(t) & LEAK_WORDS) >= 2]
    assert len(leak) == 1, [t.terms for t in topics]
    leak = leak[0]
    assert leak.is_new and leak.id not in {t.id for t in before_leak}
    assert leak.id.startswith(f"e-{WEEKS[5].isoformat()}-")
    assert leak.growth is not None and leak.growth > 2
    assert leak.shares[WEEKS[2]] == leak.shares[WEEKS[3]] == 0
    # Themes running all along are recognised, not reported as new.
    for theme in ("scooters", "school", "opendata"):
        steady = _best(topics, _theme_ids(corpus, theme, "sv"))
        assert not steady.is_new and steady.id in {t.id for t in before_leak}, theme


def test_late_story_is_new_the_week_it_breaks_then_keeps_its_id(corpus, tracked):
    leak_ids = _theme_ids(corpus, "leak")
    assert not any(_words(t) & LEAK_WORDS for t in tracked[WEEKS[3]])
    assert not any(set(t.doc_ids) & leak_ids for t in tracked[WEEKS[3]])
    first = _best(tracked[WEEKS[4]], leak_ids)
    assert first.is_new and first.growth == math.inf and len(_words(first) & LEAK_WORDS) >= 2
    then = _best(tracked[WEEKS[5]], leak_ids)
    assert then.id == first.id and not then.is_new and then.growth > 1


@pytest.mark.parametrize("theme", ["scooters", "school", "opendata"])
def test_steady_theme_keeps_its_id_every_week(corpus, tracked, theme):
    assert list(tracked) == WEEKS
    ids = set()
    for n, week in enumerate(WEEKS):
        topic = _best(tracked[week], _theme_ids(corpus, theme, "sv", weeks=range(n + 1)))
        assert topic.is_new == (n == 0), (week, topic.terms)
        ids.add(topic.id)
    assert len(ids) == 1 and ids.pop().startswith(f"e-{WEEKS[0].isoformat()}-")
    for topics in tracked.values():
        assert len({t.id for t in topics}) == len(topics)


def test_doc_ids_point_at_the_theme_documents(corpus):
    topics = discover(corpus)
    window = range(2, 6)
    # English coverage of a mostly Swedish theme may make a topic of its own, so the Swedish
    # documents are the ones that must be found; all of the theme's documents count as right.
    for theme, lang in [("leak", None), ("scooters", "sv"), ("school", "sv"), ("opendata", "sv")]:
        wanted = _theme_ids(corpus, theme, lang, weeks=window)
        right = _theme_ids(corpus, theme, weeks=window)
        topic = _best(topics, wanted)
        found = set(topic.doc_ids)
        assert len(found) == len(topic.doc_ids)
        assert len(found & wanted) >= 0.8 * len(wanted), (theme, len(found & wanted), len(wanted))
        assert len(found & right) >= 0.9 * len(found), (theme, sorted(found - right))
    # Newsletters with a line on each of the four stories are dominated by some topic, but
    # too weakly to be listed as one of its documents.
    roundups = _theme_ids(corpus, "roundup", weeks=[4, 5])
    assert not roundups & {d for t in topics for d in t.doc_ids}
    assert sum(t.weight for t in topics) == pytest.approx(1.0)  # every document has a topic


def test_components_that_dominate_no_document_are_left_out(corpus):
    topics = discover(corpus, n_topics=30)
    assert 0 < len(topics) < 30
    assert all(t.weight > 0 and t.terms for t in topics)


def test_ids_survive_a_week_without_topics(corpus):
    quiet = [d for d in corpus if not WEEKS[3] <= d[1] < WEEKS[4]]
    weekly = track(quiet, weeks=WEEKS)
    assert weekly[WEEKS[3]] == []  # no mention that week
    for theme in ("scooters", "school", "opendata"):
        before = _best(weekly[WEEKS[2]], _theme_ids(corpus, theme, "sv", weeks=[2]))
        after = _best(weekly[WEEKS[4]], _theme_ids(corpus, theme, "sv", weeks=[4]))
        assert after.id == before.id and not after.is_new, (before.terms, after.terms)


def test_previous_topic_is_carried_from_a_jaccard_of_0_3(corpus):
    topics = discover(corpus)
    scooters = _best(topics, _theme_ids(corpus, "scooters", "sv"))
    words = sorted(_words(scooters))
    enough = math.ceil(0.3 * len(words))

    def previous(shared: int) -> list[EmergingTopic]:
        return [EmergingTopic(id="e-old-1", week=WEEKS[4], terms=words[:shared], weight=0.1,
                              doc_ids=[], growth=None, is_new=True),
                EmergingTopic(id="e-old-2", week=WEEKS[4], terms=["melodifestivalen", "schlager"],
                              weight=0.1, doc_ids=[], growth=None, is_new=True)]

    kept = discover(corpus, previous=previous(enough))
    assert _best(kept, set(scooters.doc_ids)).id == "e-old-1"
    assert [t.id for t in kept if not t.is_new] == ["e-old-1"]
    lost = discover(corpus, previous=previous(enough - 1))
    assert all(t.is_new for t in lost)
    assert "e-old-1" not in {t.id for t in lost}


def test_too_few_documents_give_nothing(corpus):
    last_week = [d for d in corpus if d[1] >= WEEKS[5]]
    assert discover(last_week[:19]) == []
    assert discover(last_week[:19], min_docs=19) != []
    assert discover(last_week[:5], min_docs=5, n_topics=8) != []  # more topics than documents
    assert discover([]) == []
    assert track([]) == {}
    no_words = [(n, WEEKS[0], "sv", f"Det är {n} https://t.co/{n} @user{n} och så")
                for n in range(40)]
    assert discover(no_words) == []
    # Too few in the first week, enough later: the early week is empty, nothing raises.
    sparse = corpus[:10] + [d for d in corpus if d[1] >= WEEKS[5]]
    weeks = track(sparse, weeks=[WEEKS[0], WEEKS[5]])
    assert weeks[WEEKS[0]] == [] and weeks[WEEKS[5]]


def test_same_input_same_output(corpus):
    assert discover(corpus) == discover(list(corpus))
    assert track(corpus[: len(corpus) // 2]) == track(corpus[: len(corpus) // 2])
    # Another process hashes strings differently: nothing may depend on set or hash order.
    script = ("from tests.test_emerging import build_corpus\n"
              "from nlp.emerging import track\n"
              "print(repr(track(build_corpus())))\n")
    env = {**os.environ, "PYTHONHASHSEED": "4711"}
    child = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, check=True,
                           capture_output=True, text=True)
    assert child.stdout.strip() == repr(track(corpus))


def test_text_is_cleaned_before_counting():
    from nlp.emerging import _tokens

    tokens = _tokens("Läs mer: https://start.stockholm/nyheter?id=12 via @stockholmsstad, "
                     "mejla info@stockholm.se! 4000 barn #Dataläcka #SmartStad 2024", "sv")
    assert [t for t in tokens if t] == ["läs", "mejla", "barn", "dataläcka", "smart", "stad"]
    assert _tokens("Open data. Hackathon in Kista", "en") == [
        "open", "data", None, "hackathon", None, "kista"]
    assert _tokens("The data i staden", "other") == [None, "data", None, "staden"]
    assert _tokens("The data i staden", "sv") == ["the", "data", None, "staden"]


def test_tfidf_equals_scikit_learn(corpus):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from nlp.emerging import _tfidf, _tokens

    def ngrams(tokens):
        return [t for t in tokens if t] + [
            f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False) if a and b]

    texts = [_tokens(text, lang) for _, _, lang, text in corpus]
    ours, names = _tfidf(texts)
    reference = TfidfVectorizer(analyzer=ngrams, min_df=2, max_df=0.5, sublinear_tf=True)
    expected = reference.fit_transform(texts)
    assert sorted(names) == list(reference.get_feature_names_out())
    columns = [reference.vocabulary_[name] for name in names]
    assert abs(ours.toarray() - expected[:, columns].toarray()).max() < 1e-6


