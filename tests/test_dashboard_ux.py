"""The dashboard's overview drivers and drill-downs, the language switch, charts, pagination
and source names, through Streamlit's AppTest on the demo's sample data. Expected figures
come from the tests' own SQL (tests.counts), not from store.queries."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from store.db import make_engine, transaction
from store.models import Mention, Source
from tests.counts import count_stories as _stories
from tests.test_dashboard import START, TODAY, _app, _matching, _page, _set_period


def _this_week() -> tuple[date, date]:
    monday = TODAY - timedelta(days=TODAY.weekday())
    week = monday if TODAY.weekday() == 6 else monday - timedelta(weeks=1)
    return week, week + timedelta(days=6)


def test_overview_says_what_drove_the_week_and_drills_down(demo_url, monkeypatch):
    from dashboard.drivers import SHOWN

    at = _app(demo_url, monkeypatch).run()
    week, sunday = _this_week()
    assert any(s.value == f"Vad drev vecka {week.isocalendar().week}" for s in at.subheader)
    # The sources that wrote most, as the tests' own SQL counts their stories that week.
    with transaction(make_engine(demo_url)) as session:
        keys = session.scalars(select(Source.key)).all()
    counts = {k: _stories(demo_url, week, sunday, sources=(k,)) for k in keys}
    top = sorted(((n, k) for k, n in counts.items() if n), key=lambda x: (-x[0], x[1]))[:SHOWN]
    source_rows = [m.value for m in at.markdown if m.value.endswith(f"· **{top[0][0]}**")]
    assert source_rows, [m.value for m in at.markdown]
    drills = [b for b in at.button if b.key and b.key.startswith("drill-source-")]
    assert len(drills) == len(top)
    drills[0].click().run()
    assert not at.exception
    assert at.header[0].value == "Omnämnanden"
    assert _matching(at) == top[0][0]
    assert at.sidebar.date_input(key="period").value == (week, sunday)


def test_each_spike_lists_its_drivers_and_opens_its_mentions(demo_url, monkeypatch):
    at = _app(demo_url, monkeypatch).run()
    spikes = [m.value for m in at.markdown if m.value.startswith("**▲ ")]
    assert spikes, "the demo's volume has spikes"
    first = re.search(r"(\d{4}-\d{2}-\d{2})\*\* · (\d+) omnämnanden", spikes[0])
    bucket, count = date.fromisoformat(first.group(1)), int(first.group(2))
    end = bucket + timedelta(days=6)
    assert count == _stories(demo_url, max(bucket, START), end)
    assert any(m.value.startswith("Störst: ") and "Källor: " in m.value for m in at.markdown)
    at.button(key=f"drill-spike-{bucket}").click().run()
    assert at.header[0].value == "Omnämnanden"
    assert _matching(at) == count


def test_author_drill_down_lists_only_that_authors_mentions(demo_url, monkeypatch):
    from store.models import Author

    at = _app(demo_url, monkeypatch).run()
    drill = next(b for b in at.button if b.key and b.key.startswith("drill-author-"))
    drill.click().run()
    handle = at.session_state["author"]
    week, sunday = _this_week()
    with transaction(make_engine(demo_url)) as session:
        want = session.scalar(select(func.count(Mention.id)).join(
            Author, Author.id == Mention.author_id).where(
            Author.handle == handle, Mention.story_id.is_(None),
            Mention.voice == "third_party", Mention.tagger_version.is_not(None),
            Mention.local_day >= week, Mention.local_day <= sunday))
    assert _matching(at) == want > 0
    assert any(handle in i.value or "Visar omnämnanden av" in i.value for i in at.info)
    at.button(key="drill_clear").click().run()
    assert _matching(at) == _stories(demo_url, week, sunday)


def test_switching_language_keeps_every_choice_shown(demo_url, monkeypatch):
    """The browser holds a radio's or selectbox's choice as its label: after the switch to
    English it must be told the new label ("Week", "Any"), or it shows an empty radio and
    sends the Swedish label back as the value on the next run ("More filters (6)")."""
    at = _app(demo_url, monkeypatch).run()
    at.sidebar.radio(key="lang").set_value("English").run()
    for key, label in (("granularity", "Week"),):
        proto = at.sidebar.radio(key=key).proto
        assert proto.set_value and proto.raw_value == label, (key, proto.raw_value)
    for key, label in (("voice", "Third party"), ("keyword", "Any"), ("sentiment", "Any"),
                       ("channel", "Any")):
        proto = at.sidebar.selectbox(key=key).proto
        assert proto.set_value and proto.raw_value == label, (key, proto.raw_value)
    assert [e.label for e in at.sidebar.expander] == ["More filters"]
    assert at.session_state["_pulse_context"].granularity == "week"


def _specs(at: AppTest) -> list[dict]:
    import json

    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def _encodings(spec: dict):
    """Every encoding of a chart spec, its layers' too."""
    if "encoding" in spec:
        yield spec["encoding"]
    for layer in spec.get("layer", []):
        yield from _encodings(layer)


def test_charts_read_at_a_glance(demo_url, monkeypatch):
    from dashboard.charts import SENTIMENT_COLOURS

    end = TODAY - timedelta(days=1)
    start = end - timedelta(days=20)
    at = _app(demo_url, monkeypatch).run()
    _set_period(at, start, end)
    at.sidebar.radio(key="granularity").set_value("day").run()
    days = [(start + timedelta(days=i)).isoformat() for i in range(21)]
    sentiment_colours = set(SENTIMENT_COLOURS.values())
    for name in ("overview", "keywords", "topics", "sources", "benchmark"):
        _page(at, name)
        for spec in _specs(at):
            for enc in _encodings(spec):
                x, y, colour = enc.get("x", {}), enc.get("y", {}), enc.get("color", {})
                if x.get("type") == "ordinal" and x.get("field") == "Datum":
                    assert x["scale"]["domain"] == days, name  # every day, evenly spaced
                for axis in (x, y):
                    if axis.get("field") == "Antal" and axis.get("type") == "quantitative":
                        assert axis["axis"]["format"] == "d", name
                    if axis.get("type") == "nominal":
                        assert axis["axis"]["labelLimit"] == 0, name  # never cut off
                if colour and colour.get("field") != "Ton":
                    assert not sentiment_colours & set(colour.get("scale", {}).get("range", [])), \
                        (name, colour)
                if "legend" in colour:
                    assert colour["legend"]["labelLimit"] == 0, name
    # Keywords over time: a heatmap, one colour scale for every cell; an empty day is a 0.
    _page(at, "keywords")
    heat = _specs(at)[0]
    assert heat["mark"]["type"] == "rect" and heat["encoding"]["color"]["type"] == "quantitative"
    table = next(df.value for df in at.dataframe if "Nyckelord" in df.value.columns
                 and days[0] in df.value.columns)
    assert list(table.columns[1:]) == days
    for day in days:
        d = date.fromisoformat(day)
        want = _stories(demo_url, d, d, tags=(("keyword", "open"),))
        assert table[table["Nyckelord"] == "Öppen"][day].iloc[0] == want


def test_pagination_under_the_list_and_counted_words(demo_url, monkeypatch):
    at = _page(_app(demo_url, monkeypatch).run(), "mentions")
    total = _matching(at)
    assert total > 20
    pages = -(-total // 20)
    assert any(m.value == f"<div style='text-align:center'>Sida 1 av {pages}</div>"
               for m in at.markdown)
    assert at.button(key="page_prev").disabled
    at.button(key="page_next").click().run()
    assert at.number_input(key="page_no").value == 2
    assert any(f"Visar 21–{min(40, total)}." in c.value for c in at.caption)
    at.button(key="page_prev").click().run()
    assert at.number_input(key="page_no").value == 1
    # One match reads in the singular.
    mid = at.selectbox(key="pick_mention").value
    at.radio(key=f"set_status_{mid}").set_value("needs_answer")
    at.text_input(key="analyst").input("Analytiker C")
    next(b for b in at.button if b.label == "Spara uppföljning").click().run()
    at.selectbox(key="response_filter").set_value("needs_answer").run()
    assert any(c.value.startswith("1 omnämnande matchar. Visar 1–1.") for c in at.caption)


def test_mention_cards_name_the_source_as_configured(demo_url, monkeypatch):
    from dashboard.fmt import md_escape

    at = _page(_app(demo_url, monkeypatch).run(), "mentions")
    with transaction(make_engine(demo_url)) as session:
        names = {s.key: (s.settings or {}).get("name") for s in session.scalars(select(Source))}
    heads = [m.value for m in at.markdown if re.match(r"\*\*\d{4}-\d{2}-\d{2} ", m.value)]
    assert heads
    for head in heads:
        assert not any(f"`{key}`" in head or f" {key} " in head for key in names), head
        assert any(name and md_escape(name) in head for name in names.values()), head


def test_the_weeks_figures_drill_down_and_keep_the_filter_bar(demo_url, monkeypatch):
    week, sunday = _this_week()
    at = _app(demo_url, monkeypatch).run()
    at.sidebar.selectbox(key="keyword").set_value("open").run()
    at.button(key="drill-week-negative").click().run()
    assert at.header[0].value == "Omnämnanden"
    assert at.sidebar.selectbox(key="keyword").value == "open"  # not reset by the switch
    want = _stories(demo_url, week, sunday, sentiment="negative", tags=(("keyword", "open"),))
    assert _matching(at) == want > 0
    _page(at, "overview")
    at.button(key="drill-week").click().run()
    assert at.sidebar.selectbox(key="keyword").value == "open"
    assert at.sidebar.selectbox(key="sentiment").value == "negative"
    assert _matching(at) == want
