"""Bias-corrected shares on synthetic data where the true share is known: the estimate undoes
a classifier's known bias, and its 90 % interval covers the truth about 90 % of the time."""

from __future__ import annotations

import numpy as np
import pytest

from store.quantify import Confusion, difference, present_share, shares

LABELS = ("negative", "neutral", "positive")
# A biased classifier like Pulse's was: much neutral news read as positive.
TRUE_RATES = np.array([[0.80, 0.15, 0.05],    # true negative → predicted …
                       [0.10, 0.55, 0.35],    # true neutral
                       [0.03, 0.12, 0.85]])   # true positive


def _labelled(rng, n_per_class: int) -> Confusion:
    pairs = [(LABELS[t], LABELS[rng.choice(3, p=TRUE_RATES[t])])
             for t in range(3) for _ in range(n_per_class)]
    return Confusion.from_pairs(LABELS, pairs)


def _week(rng, truth: np.ndarray, n: int) -> dict[str, int]:
    true = rng.choice(3, size=n, p=truth)
    predicted = [rng.choice(3, p=TRUE_RATES[t]) for t in true]
    return {label: int(sum(1 for p in predicted if p == i)) for i, label in enumerate(LABELS)}


def test_the_estimate_undoes_the_bias():
    rng = np.random.default_rng(1)
    calibration = _labelled(rng, 400)
    truth = np.array([0.25, 0.55, 0.20])
    counted = _week(rng, truth, 3000)
    found = shares(counted, calibration)
    assert found["positive"].counted > 0.33          # counted: neutral inflates positive
    for i, label in enumerate(LABELS):               # corrected: near the truth, inside
        assert found[label].value == pytest.approx(truth[i], abs=0.06)
        assert found[label].low < truth[i] < found[label].high
    net = difference(counted, calibration, "positive", "negative")
    assert net.counted > 0.0 > net.value  # counted says net positive; the truth is -0.05
    assert abs(net.value + 0.05) < abs(net.counted + 0.05) / 2


def test_the_interval_covers_the_truth_about_ninety_percent_of_the_time():
    rng = np.random.default_rng(2)
    truth = np.array([0.30, 0.45, 0.25])
    hits, net_hits, runs = 0, 0, 200
    for _ in range(runs):
        calibration = _labelled(rng, 150)        # a test part of about 450, like Pulse's
        counted = _week(rng, truth, 300)         # a week of 300 third-party mentions
        found = shares(counted, calibration, draws=600)
        hits += found["negative"].low <= truth[0] <= found["negative"].high
        net = difference(counted, calibration, "positive", "negative", draws=600)
        net_hits += net.low <= truth[2] - truth[0] <= net.high
    assert 0.83 <= hits / runs <= 0.97
    assert 0.83 <= net_hits / runs <= 0.97


def test_small_numbers_give_wide_intervals_and_nothing_gives_none():
    rng = np.random.default_rng(3)
    calibration = _labelled(rng, 150)
    small = shares({"negative": 2, "neutral": 5, "positive": 3}, calibration)["negative"]
    large = shares({"negative": 200, "neutral": 500, "positive": 300}, calibration)["negative"]
    assert small.width > 2 * large.width
    assert shares({}, calibration)["negative"].value is None
    assert small.text().endswith("%)") and "(" in small.text()


def test_a_yes_no_tag_is_corrected_for_its_misses_and_false_alarms():
    rng = np.random.default_rng(4)
    # A keyword matcher that finds 70 % of true mentions and fires on 5 % of the others.
    pairs = [(True, rng.random() < 0.70) for _ in range(300)] + \
            [(False, rng.random() < 0.05) for _ in range(700)]
    calibration = Confusion.from_pairs(("absent", "present"),
                                       [("present" if t else "absent",
                                         "present" if p else "absent") for t, p in pairs])
    true_share, n = 0.10, 5000
    present = sum(1 for _ in range(n) if (rng.random() < 0.70 if rng.random() < true_share
                                          else rng.random() < 0.05))
    found = present_share(present, n, calibration)
    assert found.value == pytest.approx(true_share, abs=0.025)
    assert found.low < true_share < found.high


def test_a_range_with_a_negative_end_reads_as_a_range():
    from store.quantify import Estimate

    assert Estimate(-0.13, -0.24, -0.02, 100).text() == "-13 % (-24 – -2 %)"
    assert Estimate(0.23, 0.18, 0.29, 100).text() == "23 % (18–29 %)"
