"""Whether the dashboard may listen beyond this machine: only with a login configured.

The identity provider's client settings are secrets. They live only in Streamlit's secrets file
(its `[auth]` table), which Streamlit reads itself; Pulse reads the file here only to see that
the keys are there and never shows, logs or copies a value.

Where the file is: $PULSE_SECRETS_FILE when set (`pulse dashboard` hands it to Streamlit as
`--secrets.files`), else Streamlit's own places: .streamlit/secrets.toml in the folder
`pulse dashboard` runs in, then ~/.streamlit/secrets.toml.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pulse.settings.app import DashboardSettings

SECRETS_ENV = "PULSE_SECRETS_FILE"
# What Streamlit's st.login needs in [auth] (one provider, no named sub-tables).
AUTH_KEYS = ("client_id", "client_secret", "server_metadata_url", "redirect_uri",
             "cookie_secret")


def secrets_files() -> list[Path]:
    """Return the secrets files Streamlit reads, in its order (later ones win)."""
    explicit = os.environ.get(SECRETS_ENV)
    if explicit:
        return [Path(explicit)]
    return [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"]


def missing_auth_keys(files: list[Path] | None = None) -> list[str]:
    """Return the names of the [auth] keys that no secrets file sets (empty: login can work).
    A file that cannot be read or parsed counts as absent; its content is never echoed."""
    auth: dict = {}
    for path in secrets_files() if files is None else files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        section = data.get("auth")
        if isinstance(section, dict):
            auth.update(section)
    return [key for key in AUTH_KEYS if not (isinstance(auth.get(key), str) and auth[key])]


def bind_problem(cfg: DashboardSettings, files: list[Path] | None = None) -> str | None:
    """Return why the dashboard must not start as configured (one sentence saying what to
    set), or None. A loopback address needs nothing; any other needs login = "oidc" in
    pulse.toml's [dashboard] and the [auth] table in Streamlit's secrets file (which login
    needs on any address)."""
    where = f'[dashboard] address = "{cfg.address}"'
    if cfg.login == "oidc":
        missing = missing_auth_keys(files)
        if missing:
            return ('[dashboard] login = "oidc" needs the [auth] table of Streamlit\'s '
                    f"secrets file (${SECRETS_ENV} or .streamlit/secrets.toml), which lacks "
                    f"{', '.join(missing)}.")
        return None
    if cfg.local_only:
        return None
    return (f"{where} would let other machines read the dashboard without logging in: "
            'set login = "oidc" under [dashboard] in pulse.toml and the [auth] table '
            f"({', '.join(AUTH_KEYS)}) in Streamlit's secrets file (${SECRETS_ENV} or "
            '.streamlit/secrets.toml), or keep address = "127.0.0.1".')
