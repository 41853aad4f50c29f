"""What the report commands share with pulse.cli: settings, the engine, one-line errors."""

from __future__ import annotations

import os
from pathlib import Path


def context():
    """Return (settings, engine) the way every `pulse` command opens them; a bad config or
    an unmigrated database ends in one line."""
    from pulse import cli

    settings = cli._settings()
    return settings, cli._engine()


def fail(message: str, code: int = 1) -> None:
    """End the command with one clear line (no traceback)."""
    from pulse import cli

    cli._fail(message, code)


def console():
    """Return the command line's console (stderr)."""
    from pulse import cli

    return cli.console


def is_demo() -> bool:
    """Return True for the demo's database (PULSE_DEMO=1): outputs say SAMPLE DATA."""
    return bool(os.environ.get("PULSE_DEMO"))


def write_file(path: Path, data: bytes | str) -> None:
    """Write an output file, or end in one line saying why it cannot be written."""
    try:
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}; check the path and free disk space")
