"""A local HTTP server (127.0.0.1) serving the demo feeds, with ETag and Last-Modified."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pulse.demo.feeds import FEEDS, render


class DemoFeedServer:
    """Serves every demo feed; documents are rendered once, dated relative to start-up."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.now = datetime.now(UTC)
        self._httpd = ThreadingHTTPServer((host, port), self._handler())
        self._thread: threading.Thread | None = None
        self.documents = {f.path: render(f, self.now, self.base_url) for f in FEEDS}

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:PORT."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                body = server.documents.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                last_modified = format_datetime(server.now.replace(microsecond=0), usegmt=True)
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                ctype = ("application/atom+xml" if self.path.endswith("atom.xml")
                         else "application/rss+xml")
                self.send_response(200)
                self.send_header("Content-Type", f"{ctype}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def start(self) -> DemoFeedServer:
        """Serve in a background thread; return self."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> DemoFeedServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
