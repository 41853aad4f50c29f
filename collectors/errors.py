"""One classifier of fetch failures: every network, HTTP and parse fault gets a named kind."""

from __future__ import annotations

# kind -> (is transient, Swedish message, English message). Messages say what to do.
ERROR_KINDS: dict[str, tuple[bool, str, str]] = {
    "timeout": (True, "Källan svarade inte i tid; Pulse försöker igen vid nästa körning.",
                "The source did not answer in time; Pulse retries on the next run."),
    "connection": (True, "Kunde inte ansluta till källan; kontrollera adressen och nätet.",
                   "Could not connect to the source; check the address and the network."),
    "tls": (False, "Källans certifikat godtogs inte; kontrollera adressen (https).",
            "The source's certificate was refused; check the address (https)."),
    "server_error": (True, "Källan svarade med ett serverfel (5xx); det brukar gå över.",
                     "The source answered with a server error (5xx); it usually passes."),
    "rate_limited": (True, "Källan begränsar antalet anrop (429); Pulse väntar till nästa körning.",
                     "The source limits requests (429); Pulse waits for the next run."),
    "unauthorized": (False, "Inloggningen eller token avvisades (401); förnya den i miljön.",
                     "The login or token was refused (401); renew it in the environment."),
    "forbidden": (False, "Åtkomst nekad (403); kontrollera behörigheter eller källans regler.",
                  "Access denied (403); check permissions or the source's rules."),
    "not_found": (False, "Adressen finns inte (404/410); rätta den i config/sources.toml.",
                  "The address does not exist (404/410); fix it in config/sources.toml."),
    "http_error": (False, "Källan svarade med ett oväntat HTTP-fel.",
                   "The source answered with an unexpected HTTP error."),
    "too_large": (False, "Svaret var större än tillåtet (http.max_bytes i pulse.toml).",
                  "The response was larger than allowed (http.max_bytes in pulse.toml)."),
    "empty": (True, "Källan skickade ett tomt svar.", "The source sent an empty response."),
    "truncated": (True, "Svaret tog slut mitt i dokumentet (anslutningen stängdes); inget från "
                  "körningen sparades och Pulse hämtar igen vid nästa körning.",
                  "The answer ended mid-document (the connection closed); nothing of the run "
                  "was stored and Pulse fetches it again on the next run."),
    "not_a_feed": (False, "Adressen ger inget flöde (t.ex. en webbsida); ange flödets adress i "
                   "config/sources.toml.",
                   "The address gives no feed (a web page, for example); put the feed's "
                   "address in config/sources.toml."),
    "malformed": (False, "Flödet gick inte att tolka (trasig XML/JSON); kontakta källans ägare.",
                  "The feed could not be parsed (broken XML/JSON); contact the source's owner."),
    "no_credentials": (False, "Källan saknar inloggning (t.ex. PULSE_X_BEARER_TOKEN); "
                       "den är avstängd tills token finns i miljön.",
                       "The source has no credentials (e.g. PULSE_X_BEARER_TOKEN); it is "
                       "disabled until the token is set in the environment."),
    "config": (False, "Källans inställningar är fel; rätta config/sources.toml.",
               "The source's settings are wrong; fix config/sources.toml."),
    "unexpected": (False, "Oväntat fel i insamlingen; se loggen.",
                   "Unexpected error while collecting; see the log."),
}


class CollectError(Exception):
    """A failure of one source, with a kind from ERROR_KINDS and a human-readable detail."""

    def __init__(self, kind: str, detail: str, retry_after: float | None = None):
        if kind not in ERROR_KINDS:
            kind = "unexpected"
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        """Return True when the fault usually passes by itself (timeouts, 5xx, 429)."""
        return ERROR_KINDS[self.kind][0]


def error_message(kind: str, lang: str = "sv") -> str:
    """Return what an error kind means and what to do, in Swedish or English."""
    _, sv, en = ERROR_KINDS.get(kind, ERROR_KINDS["unexpected"])
    return sv if lang == "sv" else en
