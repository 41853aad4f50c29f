"""The privacy step of collecting, built from configuration: who keeps their name ([privacy]
of pulse.toml, a source's `authors`) and the pseudonym key from the environment."""

from __future__ import annotations

import os
from collections.abc import Callable

from pulse.settings import Settings, SourceConfig
from store.items import Item
from store.privacy import (
    KEY_VARIABLE,
    AuthorPolicy,
    Pseudonymiser,
    key_from_environment,
    protect,
)

# The offline demo's sample data has no real person in it; its key is public on purpose.
DEMO_KEY = "pulse-demo-sample-data-only-not-a-secret"


def author_policy(settings: Settings) -> AuthorPolicy:
    """Return the author classification rules of pulse.toml [privacy], with the city's own
    accounts, domains and names of strategy.toml [voice] as a public body."""
    privacy = settings.pulse.privacy
    public = {c: tuple(getattr(privacy.public, c)) for c in
              ("media", "public_body", "organisation", "public_figure")}
    voice = settings.strategy.voice  # the city's own accounts and domains are a public body
    public["public_body"] += tuple(a.lstrip("@").lower() for a in voice.own_accounts) + tuple(
        d.lower() for d in voice.own_domains)
    return AuthorPolicy(
        public=public,
        name_words={c: tuple(getattr(privacy.name_words, c)) for c in
                    ("media", "public_body", "organisation")},
        min_followers=privacy.min_followers, verified_is_public=privacy.verified_is_public,
        public_body_names=frozenset(n.strip().lower() for n in voice.own_names))


def pseudonymiser() -> Pseudonymiser:
    """Return the pseudonymiser keyed by PULSE_PSEUDONYM_KEY; raise PseudonymKeyError (whose
    message says what to do) when the key is missing or too short."""
    return Pseudonymiser(key_from_environment())


def use_demo_key() -> None:
    """Give the offline demo its public key when no key is set (sample data only)."""
    os.environ.setdefault(KEY_VARIABLE, DEMO_KEY)


def privacy_step(settings: Settings, cfg: SourceConfig,
                 erased: frozenset[str] = frozenset()) -> Callable[[list[Item]], list[Item]]:
    """Return the collect pipeline's privacy step for one source; `erased` are the
    pseudonyms of authors erased on request, whose items it drops."""
    policy, keyed, rule = author_policy(settings), pseudonymiser(), cfg.author_rule
    return lambda items: protect(items, policy, keyed, rule, erased)
