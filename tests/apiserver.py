"""Query-aware routing for tests of JSON APIs on the local HTTP server (tests/httpserver.py).

A route key `/path` answers every query on that path; `/path?a=1&b=2` answers only requests
whose query has those values (others may be present too, in any order). The most specific
matching key wins, so a test can serve page 2 or the "after=…" variant of an endpoint apart.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.httpserver import LocalServer


def _split(path: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(path)
    return parts.path, parse_qs(parts.query, keep_blank_values=True)


class QueryRoutes(dict):
    """A route table whose lookup matches a path and a subset of its query parameters."""

    def get(self, key, default=None):
        """Return the most specific route whose path and query parameters the request has."""
        if key in self:
            return self[key]
        path, query = _split(key)
        best, best_size = default, -1
        for route_key, route in self.items():
            route_path, route_query = _split(route_key)
            if route_path != path or len(route_query) <= best_size:
                continue
            if all(query.get(name) == values for name, values in route_query.items()):
                best, best_size = route, len(route_query)
        return best


def use_query_routes(server: LocalServer) -> LocalServer:
    """Make `server` route by path plus query subset (see QueryRoutes) and return it."""
    server.routes = QueryRoutes()
    return server


def requests_to(server: LocalServer, path: str) -> list[dict[str, str]]:
    """Return the query parameters (single values) of each request made to `path`, in order."""
    found = []
    for full, _headers in server.requests:
        req_path, query = _split(full)
        if req_path == path:
            found.append({name: values[-1] for name, values in query.items()})
    return found
