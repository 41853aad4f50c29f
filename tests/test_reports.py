"""The yearly report (PDF text against SQL, pages rendered to PNG as artefacts), the activity
evaluation and its public summary (no personal data), responsiveness from stored
conversations, and the report settings (calendar.toml, [[kpi]], [[alert]])."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from pulse.demo.run import demo_settings, write_demo_config
from pulse.settings import ConfigError, SourceConfig, load_settings
from reports.activities import build_activity_report
from reports.pdf import html_to_pdf
from reports.yearly import build_yearly, quarters
from store.db import make_engine, transaction
from store.figures import responsiveness
from store.items import Item
from store.models import Author, Mention
from store.queries import conversation_turns
from store.writes import save_items, save_tagging, sync_sources
from tests.conftest import REPO, write_config
from tests.counts import count_stories

ARTIFACTS = Path(os.environ.get("PULSE_TEST_ARTIFACTS", REPO / "tests" / "artifacts"))


def _pdf_text(pdf: bytes) -> list[str]:
    import io

    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_yearly_report_pdf_holds_each_quarters_figures_as_sql(demo_url, base_settings):
    settings = demo_settings(base_settings, "http://127.0.0.1:9")
    today = date.today()
    year = today.year
    doc = build_yearly(make_engine(demo_url), settings, year, "sv", demo=True)
    pdf = html_to_pdf(doc.html)
    pages = _pdf_text(pdf)
    assert len(pages) >= 4
    assert "Sammanfattning" in pages[0] and "Sida 1 av" in pages[0]
    assert "Tredje parts bild per kvartal" not in pages[0]  # the summary is a page of its own
    text = "\n".join(pages)
    assert f"Sida {len(pages)} av {len(pages)}" in pages[-1]
    done = [q for q in quarters(year, today) if not q["future"]]
    volume_line = next(line for line in text.splitlines()
                       if line.startswith("Tredjepartsomnämnanden ") and re.search(r"\d", line))
    expected = [count_stories(demo_url, q["start"], q["end"]) for q in done]
    year_total = count_stories(demo_url, date(year, 1, 1), today)
    assert [int(n) for n in re.findall(r"\d+", volume_line)] == [*expected, year_total]
    quarterly = text[text.index("Tredje parts bild per kvartal"):]
    negative_line = next(line for line in quarterly.splitlines()
                         if line.startswith("Andel negativa"))
    cells = re.findall(r"(–|\d+ %)", negative_line)
    for q, cell in zip(done, cells, strict=False):
        n = count_stories(demo_url, q["start"], q["end"])
        neg = count_stories(demo_url, q["start"], q["end"], sentiment="negative")
        assert cell == (f"{neg / n * 100:.0f} %" if n else "–"), (q["label"], negative_line)
    own_line = next(line for line in text.splitlines() if line.startswith("Stadens egna inlägg"))
    assert [int(n) for n in re.findall(r"\d+", own_line)][:len(done)] == [
        count_stories(demo_url, q["start"], q["end"], voice="own") for q in done]
    for heading in ("Nyckelord: andel", "Kärnbudskap: genomslag", "Målgrupper:", "Ämnen:",
                    "Omvärld:", "Mätpunkter mot mål", "Aktiviteter och hur de togs emot",
                    "Det Pulse inte kunde se", "EXEMPELDATA"):
        assert heading in text, heading
    assert "Dialogpaviljong i Farsta" in text and "Open Stockholm Award" in text
    import pypdfium2 as pdfium

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(pdf)
    try:
        for i in range(len(document)):
            document[i].render(scale=1.4).to_pil().save(ARTIFACTS / f"report-page-{i + 1}.png")
    finally:
        document.close()
    assert (ARTIFACTS / "report-page-1.png").stat().st_size > 10_000


def test_yearly_report_of_a_year_without_data_says_so(demo_url, base_settings):
    doc = build_yearly(make_engine(demo_url), base_settings, 2019, "en")
    text = "\n".join(_pdf_text(html_to_pdf(doc.html)))
    assert "Pulse has no mentions from 2019." in text


def test_the_report_fetches_nothing_from_outside():
    html = ('<html><body><p>x</p><img src="http://127.0.0.1:9/x.png">'
            '<img src="file:///etc/hostname"></body></html>')
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF")  # rendered, with the outside images left out


def test_public_activity_summary_holds_no_personal_data(demo_url, base_settings):
    settings = demo_settings(base_settings, "http://127.0.0.1:9")
    pavilion = next(a for a in settings.calendar if a.id == "dialogpaviljong-farsta")
    engine = make_engine(demo_url)
    doc = build_activity_report(engine, settings, pavilion, "sv", public=True)
    assert set(doc.files) == {"-diagram.png"}
    assert doc.files["-diagram.png"].startswith(b"\x89PNG")
    assert 'src="-diagram.png"' in doc.html and "<script" not in doc.html
    with transaction(engine) as session:
        names = [n for n, in session.execute(select(Author.name))]
        texts = [t for t, in session.execute(select(Mention.text).where(
            Mention.local_day >= pavilion.start - timedelta(days=14)))]
    assert names and all(name not in doc.html for name in names if len(name) > 3)
    assert all(t[:40] not in doc.html for t in texts)
    assert "http" not in doc.html  # no link to any post
    during = count_stories(demo_url, pavilion.start, pavilion.end,
                           tags=(("audience", "residents"),))
    assert f"Under aktiviteten kom {during} omnämnanden" in doc.html
    internal = build_activity_report(engine, settings, pavilion, "sv")
    assert "data:image/png;base64," in internal.html and "Mest engagerande" in internal.html


def test_pulse_report_cli(demo_url, base_settings, tmp_path):
    from tests.test_cli import pulse

    config = write_demo_config(demo_settings(base_settings, "http://127.0.0.1:9"),
                               tmp_path / "cfg")
    env = {"PULSE_DATABASE_URL": demo_url, "PULSE_CONFIG_DIR": str(config)}
    out = tmp_path / "summary.html"
    result = pulse("report", "--activity", "hackathon-kista", "--public", "--out", str(out),
                   env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "summary-diagram.png").is_file()
    assert "Så togs Open Stockholm Award" in out.read_text(encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    result = pulse("report", "--year", str(date.today().year), "--out", str(pdf), env=env)
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    bad = pulse("report", "--activity", "nope", "--out", str(out), env=env)
    assert bad.returncode == 2 and "no activity 'nope'" in bad.stderr
    assert "known: hackathon-kista, dialogpaviljong-farsta" in bad.stderr
    both = pulse("report", "--year", "2026", "--activity", "x", "--out", str(out), env=env)
    assert both.returncode == 2 and "either --year YEAR or --activity ID" in both.stderr


def test_responsiveness_from_stored_conversations(engine, base_settings):
    """Three blog comments and an X question: the city answers two comments (one by naming
    it) and the question; an own reply before the comment answers nothing."""
    t0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
    with transaction(engine) as session:
        src = sync_sources(session, [SourceConfig(key="comments", kind="wordpress_api",
                                                  url="https://blog.example")])["comments"]
        items = [
            Item("comment-1", "blog_comment", "Fråga ett", t0, parent_external_id="post-1"),
            Item("comment-2", "blog_comment", "Fråga två", t0 + timedelta(hours=1),
                 parent_external_id="post-1"),
            Item("comment-3", "blog_comment", "Ingen svarar", t0, parent_external_id="post-2"),
            Item("comment-9", "blog_comment", "Svar till två", t0 + timedelta(hours=5),
                 parent_external_id="post-1", raw={"parent": 2}),
            Item("comment-8", "blog_comment", "Tidigt svar", t0 - timedelta(hours=1),
                 parent_external_id="post-2"),
            Item("x-1", "post", "Hur söker jag bygglov?", t0, conversation_id="c1",
                 relation="reply", parent_external_id="x-0"),
            Item("x-2", "post", "Så här!", t0 + timedelta(hours=3), conversation_id="c1",
                 relation="reply", parent_external_id="x-1"),
        ]
        save_items(session, src, items)
        own = {"comment-9", "comment-8", "x-2"}
        for m in session.scalars(select(Mention)):
            save_tagging(session, m.id, {
                "sentiment": {"label": "neutral", "score": 0, "evidence": []}, "lang": "sv",
                "voice": "own" if m.external_id in own else "third_party",
                "intent": "question" if m.external_id == "x-1" else "inform"}, "t")
    with transaction(engine) as session:
        turns = conversation_turns(session, date(2026, 11, 1), date(2026, 11, 8))
    assert sorted(a["external_id"] for a in turns["asks"]) == [
        "comment-1", "comment-2", "comment-3", "x-1"]
    result = responsiveness(turns["asks"], turns["answers"])
    # comment-9 names comment-2 (4 h); x-2 answers x-1 (3 h); comment-1 and 3 unanswered
    assert result["asked"] == 4 and result["answered"] == 2
    assert result["share"] == 0.5 and result["median_hours"] == 3.5


def test_calendar_and_report_settings_are_checked(tmp_path):
    config = write_config(tmp_path, "")
    (config / "calendar.toml").write_text(
        '[[activity]]\nid = "a"\nname = "A"\nstart = 2026-03-02\nend = 2026-03-01\n\n'
        '[[activity]]\nid = "b"\nname = "B"\nstart = 2026-03-02\nend = 2026-03-03\n'
        'target_groups = ["pensioners"]\nkeywords = ["open"]\n', encoding="utf-8")
    (config / "pulse.toml").write_text(
        (config / "pulse.toml").read_text(encoding="utf-8")
        + '\n[[kpi]]\nid = "k"\nlabel = { sv = "K", en = "K" }\nmetric = "share_with"\n'
        'target = 0.5\n',
        encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(config)
    message = str(err.value)
    assert "calendar.toml: activity[0] (a): `end` 2026-03-01 is before `start`" in message
    assert re.search(r'pulse\.toml: kpi\[\d+\] \(k\): metric "share_with" needs `tag`', message)
    (config / "pulse.toml").write_text(
        (config / "pulse.toml").read_text(encoding="utf-8").split("\n[[kpi]]")[0]
        + '\n[[alert]]\nid = "x"\nwhat = "volume"\nkeyword = "nope"\n', encoding="utf-8")
    (config / "calendar.toml").unlink()
    with pytest.raises(ConfigError) as err:
        load_settings(config)
    assert 'pulse.toml: alert[0] (x).keyword: "nope" is not a keyword id' in str(err.value)


def test_shipped_config_has_the_default_points_and_an_empty_calendar():
    settings = load_settings(REPO / "config")
    assert settings.calendar == ()
    assert [k.id for k in settings.pulse.kpis] == [
        "message_carried", "net_business", "negative_eservices", "stockholm_sov",
        "responsiveness", "response_time"]
    assert settings.pulse.digest.weekday == "monday" and settings.pulse.digest.time == "07:00"
    assert settings.pulse.mail.starttls is True
