"""A web server on 127.0.0.1 (random port, in a thread) serving what a test puts in its routes.

`routes` maps a path to a Route or to a list of Routes (answered in turn, the last
one again and again: "a 500, then the page"). Every request's path and headers are
kept in `requests`, so a test can check what the fetcher sent. A Route with
`delay` sleeps before answering (a timeout); `etag` (or `last_modified`) makes it
answer 304 to a request that names it; `chunked` leaves out Content-Length. "@BASE@" in a body or header becomes the
server's own http://127.0.0.1:PORT.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import KW_ONLY, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes | str = b""
    _: KW_ONLY
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    chunked: bool = False
    trickle: float = 0.0
    """Seconds between chunks of 16 bytes (with chunked): a server that never quite stops."""


class Site:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.routes: dict[str, Route | list[Route]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def route_for(self, path: str) -> Route:
        route = self.routes.get(path)
        if route is None:
            return Route("<h1>not found</h1>", status=404)
        if isinstance(route, list):
            return route.pop(0) if len(route) > 1 else route[0]
        return route


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            site.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = site.route_for(self.path)
            if route.delay:
                time.sleep(route.delay)
            body = route.body.encode("utf-8") if isinstance(route.body, str) else route.body
            body = body.replace(b"@BASE@", site.base.encode())
            if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
            ):
                self.send_response(304)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            try:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                for key, value in route.headers.items():
                    self.send_header(key, value.replace("@BASE@", site.base))
                if route.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    size = 16 if route.trickle else 65536
                    for start in range(0, len(body), size):
                        piece = body[start : start + size]
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                        self.wfile.flush()
                        time.sleep(route.trickle)
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
            except OSError:
                pass  # the client stopped reading (a body over its cap, a timeout)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up (a timeout, a body over its cap) is expected here: no traceback on
        stderr, where it would land in the output of the CLI run a test is checking."""


@contextmanager
def serving() -> Iterator[Site]:
    """A Site listening on 127.0.0.1 at a free port until the block ends."""
    server = _QuietServer(("127.0.0.1", 0), lambda *a: handler(*a))
    site = Site(server)
    handler = _handler(site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
