"""Where the measured calibration lives: nlp/models/calibration.json (written by `pulse eval
--calibrate`: the confusions every share is corrected with, and the figures the dashboard
shows), or the file $PULSE_CALIBRATION names (a deployment keeping it elsewhere; tests)."""

from __future__ import annotations

import os
from pathlib import Path

CALIBRATION = Path(__file__).resolve().parent / "models" / "calibration.json"
CALIBRATION_ENV = "PULSE_CALIBRATION"


def calibration_path() -> Path:
    """Return the calibration file to read and write: $PULSE_CALIBRATION when set, else the
    shipped nlp/models/calibration.json."""
    chosen = os.environ.get(CALIBRATION_ENV)
    return Path(chosen) if chosen else CALIBRATION
