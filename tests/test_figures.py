"""The dashboard's derived figures and text safety, on hand-made rows with known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dashboard.views.mention_list import evidence_words, highlight, safe_link
from store.figures import (
    alignment,
    comparable,
    compare_weeks,
    fastest_rising,
    last_complete_week,
    resonance,
    rolling_net,
    share_of_voice,
    source_status,
    spikes,
    totals_by_bucket,
)

MON = date(2026, 11, 23)


def _week(offset: int) -> date:
    return MON - timedelta(weeks=offset)


def test_this_week_against_last_week_and_the_four_week_mean():
    rows = [{"week": _week(0), "voice": "third_party", "sentiment": "positive", "count": 6},
            {"week": _week(0), "voice": "third_party", "sentiment": "negative", "count": 4},
            {"week": _week(0), "voice": "own", "sentiment": "positive", "count": 10},
            {"week": _week(1), "voice": "third_party", "sentiment": "negative", "count": 8},
            {"week": _week(3), "voice": "third_party", "sentiment": "neutral", "count": 8},
            {"week": _week(5), "voice": "third_party", "sentiment": "neutral", "count": 99}]
    weeks = compare_weeks(rows, MON + timedelta(days=3))
    assert weeks["this"].third_party == 10 and weeks["this"].net == 0.2
    assert weeks["this"].share_negative == 0.4 and weeks["this"].share_of_voice == 0.5
    assert weeks["last"].third_party == 8 and weeks["last"].net == -1
    assert weeks["avg4"].third_party == 4  # (8 + 8) / 4; week 5 is outside
    empty = compare_weeks([], MON)["this"]
    assert empty.net is None and empty.share_negative is None and empty.share_of_voice is None


def test_weeks_compared_are_complete_and_big_enough():
    assert last_complete_week(MON) == _week(1)                      # a Monday: last week
    assert last_complete_week(MON + timedelta(days=1)) == _week(1)  # a Tuesday too
    assert last_complete_week(MON + timedelta(days=6)) == MON       # a Sunday: its own week
    rows = [{"week": _week(1), "voice": "third_party", "sentiment": "neutral", "count": 20},
            {"week": _week(2), "voice": "third_party", "sentiment": "neutral", "count": 19}]
    weeks = compare_weeks(rows, _week(1))
    assert not comparable(weeks["this"], weeks["last"])
    assert comparable(weeks["this"]) and comparable(weeks["this"], minimum=21) is False


def test_fastest_rising_topic_needs_a_real_surge():
    rows = [{"bucket": _week(0), "value": "mobility", "sentiment": "neutral", "count": 9},
            {"bucket": _week(1), "value": "mobility", "sentiment": "neutral", "count": 4},
            {"bucket": _week(0), "value": "privacy", "sentiment": "negative", "count": 2},
            {"bucket": _week(0), "value": "energy", "sentiment": "positive", "count": 5}]
    best = fastest_rising(rows, MON)
    assert best["value"] == "energy" and best["growth"] == 6  # (5+1)/(0+1); privacy < 3
    assert fastest_rising(rows[1:2], MON) is None


def test_spikes_and_rolling_net():
    days = [date(2026, 11, d) for d in range(1, 13)]
    counts = [5, 6, 5, 6, 5, 6, 5, 30, 6, 5, 6, 5]
    rows = [{"bucket": d, "sentiment": "negative" if d == days[7] else "positive", "count": n}
            for d, n in zip(days, counts, strict=True)]
    buckets = totals_by_bucket(rows)
    assert spikes(buckets) == [days[7]]
    net = rolling_net(buckets, window=2)
    assert net[0] == 1 and net[7] == (5 - 30) / 35


def test_resonance_and_alignment():
    by_voice = {"totals": {"own": 10, "third_party": 40},
                "rows": [{"voice": "own", "value": "open", "count": 5},
                         {"voice": "third_party", "value": "open", "count": 10},
                         {"voice": "third_party", "value": "safe", "count": 20}]}
    assert resonance(by_voice, ["open", "safe", "x"]) == [
        {"value": "open", "count": 10, "share": 0.25}, {"value": "safe", "count": 20,
                                                         "share": 0.5},
        {"value": "x", "count": 0, "share": 0.0}]
    rows = alignment(by_voice, ["open", "safe"])
    assert rows[0] == {"value": "open", "own": 0.5, "third_party": 0.25, "gap": -0.25}
    assert rows[1]["gap"] == 0.5
    assert alignment({"totals": {"third_party": 3}, "rows": []}, ["open"])[0]["gap"] is None


def test_share_of_voice_sums_to_one_per_bucket():
    rows = [{"bucket": MON, "value": "stockholm", "sentiment": "positive", "count": 3},
            {"bucket": MON, "value": "stockholm", "sentiment": "negative", "count": 1},
            {"bucket": MON, "value": "helsinki", "sentiment": "neutral", "count": 4}]
    out = {r["value"]: r["share"] for r in share_of_voice(rows)}
    assert out == {"stockholm": 0.5, "helsinki": 0.5}


def test_highlight_escapes_first_and_marks_evidence():
    tags = {"sentiment": [{"evidence": [{"text": "bra", "weight": 1.0},
                                        {"text": "dålig", "weight": -1.0}]}],
            "keyword": [{"evidence": ["öppna data"]}],
            "sentiment_fix": [{"evidence": ["correction by anna"]}]}
    words = evidence_words(tags)
    assert words == {"bra": "positive", "dålig": "negative", "öppna data": "tag"}
    out = highlight("<b>Bra</b> men dålig: Öppna data! brant", words)
    assert out.startswith("&lt;b&gt;<mark") and "ev-positive\">Bra</mark>&lt;/b&gt;" in out
    assert 'ev-negative">dålig</mark>' in out and 'ev-tag">Öppna data</mark>' in out
    assert "brant" in out and "<mark style=\"background:#b8e3d4\" class=\"ev-positive\">bra" \
        not in out.split("data")[-1]
    assert highlight("<script>x</script>", {"script": "tag"}).count("<script") == 0


def test_only_web_links_are_offered():
    assert safe_link("https://x.example/a") == "https://x.example/a"
    assert safe_link("javascript:alert(1)") is None and safe_link("data:text/html,x") is None
    assert safe_link(None) is None


def test_source_status():
    now = datetime(2026, 11, 27, tzinfo=UTC)
    base = {"enabled": True, "disabled_at": None, "last_error_kind": None,
            "last_error_at": None, "last_success_at": now}
    assert source_status(base) == "ok"
    assert source_status({**base, "enabled": False}) == "off"
    assert source_status({**base, "disabled_at": now}) == "disabled"
    assert source_status({**base, "last_error_kind": "no_credentials"}) == "no_token"
    assert source_status({**base, "last_error_at": now + timedelta(hours=1),
                          "last_error_kind": "http_5xx"}) == "failing"
    assert source_status({**base, "last_error_at": now - timedelta(hours=1),
                          "last_error_kind": "http_5xx"}) == "ok"
    assert source_status({**base, "last_success_at": None}) == "never"
