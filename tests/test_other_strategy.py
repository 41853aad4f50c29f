"""Another city's strategy is a config folder, not a code change: a made-up Exempelstad with
six keywords, three target groups and other ids everywhere runs collect → tag → dashboard →
export with no code touched."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from nlp.tagger import Tagger
from pulse import jobs
from pulse.settings import load_settings
from reports.export import export_bytes
from store.db import make_engine, transaction, upgrade
from store.queries import Filters, iter_export_rows, tag_counts
from tests.conftest import REPO

EXEMPELSTAD = Path(__file__).resolve().parent / "data" / "exempelstad"
FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Lokalt</title>
<item><guid>1</guid><title>Ny grön park i Exempelstad</title><link>https://lokalt.example/1</link>
<description>Kommunen och föreningar vill bygga parken tillsammans. Boende är glada över mer
grönska nära skolan.</description></item>
<item><guid>2</guid><title>Trafiken kring skolan</title><link>https://lokalt.example/2</link>
<description>Företagare i centrum klagar på bussarna. Trafiken är inte trygg för barnen, säger
en förälder.</description></item>
<item><guid>3</guid><title>Biblioteket digitalt</title><link>https://lokalt.example/3</link>
<description>Biblioteket i Exempelstad lanserar digital service nära dig, även i Grannby.
</description></item>
</channel></rss>"""


def _config(tmp_path: Path, feed_url: str) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    shutil.copy(EXEMPELSTAD / "strategy.toml", folder / "strategy.toml")
    shutil.copy(REPO / "config" / "pulse.toml", folder / "pulse.toml")
    # pulse.toml's measurement points name Stockholm's ids: Exempelstad keeps the defaults.
    text = (folder / "pulse.toml").read_text(encoding="utf-8")
    (folder / "pulse.toml").write_text(text[:text.index("[[kpi]]\nid = ")], encoding="utf-8")
    (folder / "sources.toml").write_text(
        f'[[source]]\nkey = "lokalt"\nname = "Lokaltidningen"\nkind = "feed"\nurl = "{feed_url}"'
        f'\nchannel = "press"\n', encoding="utf-8")
    return folder


def test_another_citys_strategy_runs_end_to_end(tmp_path, server, monkeypatch):
    server.route("/feed", FEED.encode())
    folder = _config(tmp_path, server.url("/feed"))
    settings = load_settings(folder)
    assert settings.strategy.ids("keyword") == ["gron", "digital", "trygg_stad", "levande",
                                                "nara", "modig"]
    url = f"sqlite:///{tmp_path / 'exempel.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    assert jobs.collect_all(engine, settings)[0].new_items == 3
    tagger = Tagger(settings.strategy)
    assert not tagger.learned("keywords")  # Stockholm's models do not fit: rules decide
    assert jobs.tag_pending(engine, settings, tagger) == 3

    with transaction(engine) as session:
        keywords = {r["value"] for r in tag_counts(session, Filters(voice=None), "keyword")}
        groups = {r["value"] for r in tag_counts(session, Filters(voice=None), "audience")}
        topics = {r["value"] for r in tag_counts(session, Filters(voice=None), "topic")}
        cities = {r["value"] for r in tag_counts(session, Filters(voice=None), "city")}
        rows = list(csv.DictReader(io.StringIO(export_bytes(
            iter_export_rows(session, Filters(voice=None)), "csv").decode("utf-8-sig"))))
    assert {"gron", "digital", "trygg_stad", "nara"} <= keywords <= set(
        settings.strategy.ids("keyword"))
    assert {"boende", "foretagare", "foreningar"} <= groups
    assert {"parker", "skolor", "trafik", "kultur"} <= topics
    assert cities == {"exempelstad", "grannby"}
    assert len(rows) == 3 and any("gron" in r["keywords"].split(";") for r in rows)

    monkeypatch.setenv("PULSE_DATABASE_URL", url)
    monkeypatch.setenv("PULSE_CONFIG_DIR", str(folder))
    monkeypatch.delenv("PULSE_DEMO", raising=False)
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    for page in ("keywords", "audiences", "topics", "sources", "mentions", "benchmark"):
        at.switch_page(f"views/{page}.py")
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
    at.switch_page("views/keywords.py")
    at.run()
    shown = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "Grön" in shown and "Öppen" not in shown
