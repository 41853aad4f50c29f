"""Every share the reports show, one way: bias-corrected with its 90 % interval where the
calibration has measured the tag (store.quantify), else the counted share with the
uncertainty of small numbers and the words "ej korrigerad" / "uncorrected"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nlp.calibration import calibration_path
from store.figures import counted_difference, counted_share
from store.quantify import Calibration, Estimate, difference, present_share, shares

UNCORRECTED = {"sv": "ej korrigerad", "en": "uncorrected"}


def load_calibration(path: Path | None = None) -> Calibration:
    """Return the measured confusions (nlp/models/calibration.json); empty when absent."""
    return Calibration.load(path or calibration_path())


@dataclass(frozen=True)
class Share:
    """A share as the reports show it: the estimate, and whether it is bias-corrected."""

    estimate: Estimate
    corrected: bool

    @property
    def value(self) -> float | None:
        """Return the share (None without data)."""
        return self.estimate.value

    @property
    def counted(self) -> float | None:
        """Return the classify-and-count share (what the dashboard counts)."""
        return self.estimate.counted

    def text(self, lang: str, signed: bool = False) -> str:
        """Return "23 % (18–29 %)", or "23 % (18–29 %, ej korrigerad)" when not corrected."""
        if self.estimate.value is None:
            return "–"
        base = self.estimate.text(signed)
        if self.corrected:
            return base
        if base.endswith(")"):
            return f"{base[:-1]}, {UNCORRECTED[lang]})"
        return f"{base} ({UNCORRECTED[lang]})"

    def short(self, signed: bool = False) -> str:
        """Return the value alone, "23 %" or "+12 %"."""
        if self.estimate.value is None:
            return "–"
        return f"{self.estimate.value * 100:{'+' if signed else ''}.0f} %"


def sentiment(counts: dict[str, float], calibration: Calibration) -> dict[str, Share]:
    """Return {"net", "negative", "positive"} shares from stories per sentiment label."""
    confusion = calibration.get("sentiment")
    n = sum(counts.get(s, 0) for s in ("positive", "neutral", "negative"))
    if confusion is not None and n:
        whole = {k: round(v) for k, v in counts.items()}
        est = shares(whole, confusion)
        return {"net": Share(difference(whole, confusion, "positive", "negative"), True),
                "negative": Share(est["negative"], True),
                "positive": Share(est["positive"], True)}
    return {"net": Share(counted_difference(counts.get("positive", 0),
                                            counts.get("negative", 0), n), False),
            "negative": Share(counted_share(counts.get("negative", 0), n), False),
            "positive": Share(counted_share(counts.get("positive", 0), n), False)}


def presence(present: int, total: int, calibration: Calibration, tag: str) -> Share:
    """Return the share of `total` stories carrying a yes/no tag ("message:together",
    "keyword:open" …), corrected when the calibration has measured that tag."""
    confusion = calibration.get(tag)
    if confusion is not None and total:
        return Share(present_share(present, total, confusion), True)
    return Share(counted_share(present, total), False)
