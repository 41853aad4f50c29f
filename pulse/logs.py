"""Logging: plain key=value lines, grep-able; never secrets."""

from __future__ import annotations

import logging
import sys


def setup_logging(verbose: bool = False) -> None:
    """Log to stderr as `time level logger message`; INFO with --verbose, else WARNING."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
        force=True,
    )
    for noisy in ("urllib3", "apscheduler.executors.default", "alembic", "streamlit", "spacy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
