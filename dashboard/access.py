"""Who uses the dashboard and what they may do: the login, the role, the server-side check.

Roles (pulse.toml [dashboard.roles]): a viewer reads; an analyst also corrects, follows up and
exports; an admin also re-enables sources. Without login (`login = "none"`, the local default)
everyone who can reach the page gets `local_role` and names themselves in "Ditt namn"; that
is allowed only on this machine: served to another machine without login, the dashboard shows
no data. With `login = "oidc"` the user logs in through Streamlit's st.login against the
identity provider configured in the [auth] table of Streamlit's secrets file, and their
e-mail (from the identity token) is who corrects.

Every write goes through `write` (or calls `require` itself right before it writes): the role
is checked on the server, inside the action, whatever the page showed; a refusal is recorded
in the audit log as "denied" and nothing is written. Hiding or disabling a widget is only
for the eye.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard.data import engine
from dashboard.i18n import t
from pulse.login import AUTH_KEYS
from pulse.settings.app import ROLES, is_loopback
from store.audit import entries, record
from store.db import transaction

RANK = {role: rank for rank, role in enumerate(ROLES)}
# The least role each write needs (the audit log's action names).
NEEDS = {"correction": "analyst", "undo": "analyst", "follow_up": "analyst",
         "confirmation": "analyst", "export": "analyst", "source_enable": "admin"}
USER_KEY = "_pulse_user"
LOGIN_KEY = "_pulse_login_recorded"
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-Ip")


class AccessDenied(Exception):
    """A write the user's role does not allow; the message says so in the UI language."""


@dataclass(frozen=True)
class User:
    """The person behind this browser session and their role (None: no access)."""

    role: str | None
    email: str | None = None  # logged in: the identity token's e-mail
    name: str | None = None   # without login: the typed "Ditt namn"
    logged_in: bool = False

    def can(self, action: str) -> bool:
        """Return whether the role allows `action` (a key of NEEDS)."""
        return self.role is not None and RANK[self.role] >= RANK[NEEDS[action]]

    @property
    def author(self) -> str | None:
        """Who a correction or follow-up is stored as: the logged-in e-mail, else the typed
        name; None when neither is known."""
        if self.logged_in:
            return self.email
        return (self.name or "").strip() or None

    @property
    def actor(self) -> str:
        """Who the audit log names: the author, else "local" (no name typed, no login)."""
        return self.author or "local"


NOBODY = User(role=None)


def current_user() -> User:
    """Return this session's user as `gate` set it on this run (nobody when it did not)."""
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, User) else NOBODY


def require(user: User, action: str, url: str | None, lang: str = "sv",
            target: str | None = None) -> None:
    """Raise AccessDenied unless `user`'s role allows `action`; a refusal is recorded in the
    audit log (who, what was tried, which role they have) before it is raised."""
    if user.can(action):
        return
    with transaction(engine(url)) as session:
        record(session, user.actor, "denied", target=target,
               details={"tried": action, "role": user.role or "none",
                        "needs": NEEDS[action]})
    raise AccessDenied(t("denied", lang, role=t(f"role_{user.role or 'none'}", lang),
                         needs=t(f"role_{NEEDS[action]}", lang)))


def write(user: User, action: str, url: str | None, fn: Callable, lang: str = "sv",
          target: str | None = None) -> None:
    """Check `action` against `user`'s role, then run `fn(session)` in one transaction."""
    require(user, action, url, lang, target)
    with transaction(engine(url)) as session:
        fn(session)


def identity_field(user: User, action: str, lang: str) -> None:
    """Above a page's writes: without login, the "Ditt namn" field (who is stored with each
    write) for a role that may do `action`; for a role that may not, a line saying which
    role it needs."""
    if not user.can(action):
        st.caption(t("needs_role", lang, role=role_label(user, lang),
                     needs=t(f"role_{NEEDS[action]}", lang)))
    elif not user.logged_in:
        st.text_input(t("analyst", lang), key="analyst", help=t("analyst_help", lang))


def role_label(user: User, lang: str) -> str:
    """Return the user's role as the UI names it."""
    return t(f"role_{user.role or 'none'}", lang)


def served_beyond_this_machine() -> bool:
    """Return whether this page may be reaching another machine: the server listens on a
    non-loopback address, or this browser connects from one, or through a proxy (a
    forwarding header). Streamlit run with no address listens everywhere; a visitor from this
    machine is then still served, one from elsewhere is not."""
    address = st.get_option("server.address")
    if address and not is_loopback(address):
        return True
    client = st.context.ip_address  # Streamlit gives None for a loopback connection
    if isinstance(client, str) and client and not is_loopback(client):
        return True
    headers = st.context.headers
    return any(headers.get(name) for name in PROXY_HEADERS)


def _missing_auth_keys() -> list[str]:
    """The [auth] keys Streamlit's secrets lack (names only; values are never read out)."""
    try:
        auth = st.secrets.get("auth") or {}
    except (FileNotFoundError, OSError, ValueError):
        auth = {}
    return [key for key in AUTH_KEYS if not auth.get(key)]


def _groups(claim) -> list[str]:
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, list | tuple):
        return [str(g) for g in claim]
    return []


def _login_page(lang: str) -> None:
    st.title(t("title", lang))
    st.info(t("login_needed", lang))
    if st.button(t("login", lang), key="login", type="primary", icon=":material/login:"):
        st.login()


def _logout(user: User, url: str | None, lang: str) -> None:
    """Who is logged in, and the button that logs out (recorded before Streamlit's logout)."""
    st.sidebar.caption(t("logged_in_as", lang, who=user.actor, role=role_label(user, lang)))
    if st.sidebar.button(t("logout", lang), key="logout", icon=":material/logout:"):
        with transaction(engine(url)) as session:
            record(session, user.actor, "logout")
        st.session_state.pop(LOGIN_KEY, None)
        st.logout()


def _login_id() -> str | None:
    """A short digest naming this login (the identity token's subject, issue time and nonce,
    kept in Streamlit's identity cookie): the same for every tab and page load of one login,
    new at the next login. None when the token carries neither time nor nonce."""
    iat, nonce = st.user.get("iat"), st.user.get("nonce")
    if iat is None and nonce is None:
        return None
    text = f"{st.user.get('iss')}|{st.user.get('sub')}|{iat}|{nonce}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _record_login(user: User, url: str | None) -> None:
    """Record the login in the audit log once: a new tab or page load of the same login (a
    new Streamlit session) finds its entry and adds none."""
    login = _login_id()
    with transaction(engine(url)) as session:
        if login is not None and any(
                e["details"].get("login") == login
                for e in entries(session, action="login", actor=user.actor, limit=50)):
            return
        record(session, user.actor, "login", details={"role": user.role or "none",
                                                      "login": login})


def gate(settings, url: str | None, lang: str) -> User | None:
    """Decide who this session's user is and whether the dashboard may show them anything;
    draw the login page or the refusal and return None when not. Records a login once per
    login (not per rerun, page load or tab)."""
    cfg = settings.pulse.dashboard
    st.session_state.pop(USER_KEY, None)
    # The demo (sample data) never asks for a login; it is still refused beyond this machine.
    login = "none" if os.environ.get("PULSE_DEMO") else cfg.login
    if login == "none":
        if served_beyond_this_machine():
            st.error(t("local_only", lang))
            return None
        user = User(role=cfg.local_role, name=st.session_state.get("analyst"))
        st.session_state[USER_KEY] = user
        return user
    missing = _missing_auth_keys()
    if missing:
        st.error(t("login_unconfigured", lang, keys=", ".join(missing)))
        return None
    if not st.user.is_logged_in:
        _login_page(lang)
        return None
    email = st.user.get("email") or st.user.get("sub")
    email = str(email).strip().lower() if email else None
    role = cfg.roles.role_of(email, _groups(st.user.get(cfg.groups_claim)))
    user = User(role=role, email=email, logged_in=True)
    if st.session_state.get(LOGIN_KEY) != email:
        _record_login(user, url)
        st.session_state[LOGIN_KEY] = email
    _logout(user, url, lang)
    if role is None:
        st.error(t("no_role", lang, who=user.actor))
        return None
    st.session_state[USER_KEY] = user
    return user
