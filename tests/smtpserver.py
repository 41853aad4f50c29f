"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, optionally with
AUTH (LOGIN/PLAIN over the loopback, without TLS) to check the login from the environment;
and a local webhook receiver that keeps the JSON posted to it."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content
                              or envelope.content))
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1; `messages` are (recipients, raw bytes); `logins` the
    (user, password) pairs it was given."""

    def __init__(self, port: int | None = None, user: str | None = None,
                 password: str | None = None):
        self.port = port or free_port()
        self.handler = _Handler()
        self.logins: list[tuple[str, str]] = []
        kwargs = {}
        if user:
            def authenticate(server, session, envelope, mechanism, auth_data):
                if isinstance(auth_data, LoginPassword):
                    pair = (auth_data.login.decode(), auth_data.password.decode())
                    self.logins.append(pair)
                    return AuthResult(success=pair == (user, password), handled=False)
                return AuthResult(success=False, handled=False)
            kwargs = {"authenticator": authenticate, "auth_require_tls": False}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[tuple[list[str], bytes]]:
        """Return what was received: (recipients, raw message bytes)."""
        return self.handler.messages

    def parsed(self) -> list[EmailMessage]:
        """Return the received messages parsed back."""
        return [message_from_bytes(raw, policy=policy.default) for _, raw in self.messages]


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that keeps every JSON body posted to it; answers
    `status` (200 unless set)."""

    def __init__(self):
        self.bodies: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.bodies.append({"json": json.loads(body),
                                        "type": self.headers.get("Content-Type")})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        """Return the receiver's URL (with a path shaped like a secret token)."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/hooks/T000/SECRET-TOKEN"

    def __enter__(self) -> WebhookReceiver:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
