"""Serve the output folder over HTTP, read-only, so phones on the home network can subscribe.

The last, optional step: after publish has written feed.xml, the episodes and the
web player into the output folder, `audio-news serve` hands those files out as
they are. Podcast apps need byte ranges to seek in an MP3 (206, 416,
Accept-Ranges), HEAD, and the right content types; everything else is refused:
no method but GET and HEAD (OPTIONS, a web player's CORS preflight, gets 204 and
the methods and headers it may use), no path outside the folder (`..`, encoded or not,
and symlinks that lead out), no hidden files (temporary files start with a dot),
not even through a symlink, no episode store (episodes.json, internal
bookkeeping), no directory listings. A Range in a unit other than bytes is
ignored (RFC 9110). A name asked for in NFD (macOS clients decompose Arabic
hamza forms) finds its NFC file, and the other way round. Every file is public,
so each answer carries CORS headers: web players on other origins may fetch
transcripts, chapters and audio (with ranges). Idle and slow-header clients are closed
(KEEP_ALIVE_S, HEAD_TIMEOUT_S), and so are clients that stop reading a response
(SEND_TIMEOUT_S).

    serve(out_dir, host, port, announce=print)   blocks until Ctrl+C
    with running(out_dir) as url: ...            a background server (tests, checks)
    make_app(out_dir)                            the ASGI app itself

starlette (its FileResponse does ranges and conditional requests) and uvicorn
are imported here and nowhere else.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import stat
import struct
import threading
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final
from urllib.parse import SplitResult, urlsplit

from .errors import PublishError
from .publish import STORE_NAME

if TYPE_CHECKING:
    import uvicorn
    from starlette.responses import Response
    from starlette.types import ASGIApp, Receive, Scope, Send

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8000
KEEP_ALIVE_S: Final = 5
"""A connection idle this long after a response is closed (uvicorn's timeout_keep_alive)."""
HEAD_TIMEOUT_S: Final = 10.0
"""A request head (request line and headers) must arrive whole within this many seconds of the
connection opening or of the previous response ending, or the connection is closed: idle and
slow-header (slowloris) clients cannot hold connections. h11 caps a head at 16 KiB."""
SEND_TIMEOUT_S: Final = 60.0
"""A response whose client reads nothing for this long (the socket's buffers full, no room freed)
is cut and its connection dropped, as nginx's send_timeout: a stalled reader holds no connection,
open file or task forever. A player that paused asks again with a Range."""

CONTENT_TYPES: Final[dict[str, str]] = {
    ".mp3": "audio/mpeg",
    ".xml": "application/rss+xml; charset=utf-8",
    ".json": "application/json",
    ".chapters.json": "application/json+chapters",  # Podcasting 2.0 chapters: their own type, by full suffix
    ".vtt": "text/vtt; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
"""Content type by file suffix; any other file is sent as application/octet-stream."""

_REVALIDATE: Final = frozenset({".xml", ".json", ".html", ".vtt", ".txt", ".css", ".js"})
"""Files that change when an episode is added: clients must revalidate them."""

_ALLOWED: Final = "GET, HEAD, OPTIONS"
_READ_METHODS: Final = "GET, HEAD"

_INTERNAL: Final = frozenset({STORE_NAME})
"""Bookkeeping files at the top of the folder that are never served (hidden names never are)."""

_CORS: Final[dict[str, str]] = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": _READ_METHODS,
    "Access-Control-Expose-Headers": "Content-Range, Accept-Ranges, Content-Length",
}
"""On every file served: the files are public, and a player on another origin needs ranges."""

_PREFLIGHT: Final[dict[str, str]] = {
    **_CORS,
    "Access-Control-Allow-Headers": "Range, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}
"""The answer to OPTIONS: a cross-origin player may send ranges and revalidate (a Range that is not
a single simple range is not CORS-safelisted, so the browser asks first), and need not ask for a day."""

_HTML_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
"""The player needs nothing from elsewhere; the Content-Security-Policy of pages says so."""

_WILDCARD_HOSTS: Final = frozenset({"", "0.0.0.0", "::", "[::]"})
_LOOPBACK_NAMES: Final = frozenset({"localhost", "127.0.0.1", "::1"})


# --- where a request leads ---------------------------------------------------


def resolve(out_dir: Path, url_path: str) -> Path | None:
    """The regular file inside `out_dir` that a decoded URL path names, or None.

    Refuses `.`/`..` segments, hidden names, backslashes, NUL bytes, the episode
    store, and any file whose real path (symlinks followed) is outside `out_dir`,
    hidden or internal. A path ending in "/" means the index.html in that folder;
    folders are never listed. A name not found as written is looked up in its NFC,
    then its NFD form, so either spelling of an Arabic name finds the file.
    """
    for form in (None, "NFC", "NFD"):
        candidate = url_path if form is None else unicodedata.normalize(form, url_path)
        if form is not None and candidate == url_path:
            continue
        found = _resolve_as_written(out_dir, candidate)
        if found is not None:
            return found
    return None


def _resolve_as_written(out_dir: Path, url_path: str) -> Path | None:
    """resolve() for one spelling of the path."""
    if "\x00" in url_path or "\\" in url_path or not url_path.startswith("/"):
        return None
    parts = url_path[1:].split("/")
    if parts[-1] == "":
        parts[-1] = "index.html"
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None
    root = Path(os.path.realpath(out_dir))
    try:
        real = Path(os.path.realpath(root.joinpath(*parts)))
        if not real.is_relative_to(root) or real == root:
            return None
        inside = real.relative_to(root).parts
        if any(p.startswith(".") for p in inside):  # a symlink to a hidden file
            return None
        if len(inside) == 1 and inside[0] in _INTERNAL:  # the store, by name or through a symlink
            return None
        if not stat.S_ISREG(real.stat().st_mode) or not os.access(real, os.R_OK):
            return None
    except (OSError, ValueError):
        return None
    return real


def content_type(path: Path) -> str:
    """The Content-Type header for a served file, by suffix."""
    suffix = ".chapters.json" if path.name.lower().endswith(".chapters.json") else path.suffix.lower()
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


# --- the ASGI app ------------------------------------------------------------


def make_app(out_dir: Path) -> ASGIApp:
    """The ASGI app that serves `out_dir` read-only (for uvicorn, or tests)."""
    from starlette.responses import FileResponse, PlainTextResponse, Response

    root = Path(out_dir)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # nothing to start or stop
            while True:
                kind = (await receive())["type"]
                if kind == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":  # websockets: nothing here speaks them
            return
        common = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
        if scope["method"] == "OPTIONS":  # any path, `*` too: the answer names no file
            response: Response = Response(status_code=204, headers={"Allow": _ALLOWED, **common, **_PREFLIGHT})
            await response(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            response = PlainTextResponse(
                "read-only: GET and HEAD only\n", status_code=405, headers={"Allow": _ALLOWED, **common}
            )
            await response(scope, receive, send)
            return
        path = resolve(root, scope["path"])
        try:
            info = path.stat() if path is not None else None
        except OSError:  # removed since resolve() (an episode being rebuilt)
            info = None
        if path is None or info is None:
            response = PlainTextResponse("not found\n", status_code=404, headers=common)
            await response(scope, receive, send)
            return
        headers = {**common, **_CORS}
        if path.suffix.lower() in _REVALIDATE:
            headers["Cache-Control"] = "no-cache"
        if path.suffix.lower() == ".html":
            headers["Content-Security-Policy"] = _HTML_POLICY
        scope = _without_foreign_range(scope)
        response = FileResponse(path, stat_result=info, media_type=content_type(path), headers=headers)
        if _not_modified(scope, response):
            kept = ("etag", "cache-control", "last-modified", *(name.lower() for name in _CORS))
            keep = {k: v for k, v in response.headers.items() if k in kept}
            response = Response(status_code=304, headers=keep)
        await response(scope, receive, send)

    return app


def _without_foreign_range(scope: Scope) -> Scope:
    """`scope` without a Range header in a unit other than bytes.

    RFC 9110 (14.2): a server ignores a Range header with a unit it does not
    support and sends the whole file (200); starlette would answer 400.
    """
    headers = scope.get("headers", ())
    for name, value in headers:
        if name == b"range" and value.partition(b"=")[0].strip().lower() != b"bytes":
            return {**scope, "headers": [(n, v) for n, v in headers if n != b"range"]}
    return scope


def _not_modified(scope: Scope, response: Response) -> bool:
    """True when the request's If-None-Match names the file's current ETag."""
    for name, value in scope.get("headers", ()):
        if name == b"if-none-match":
            tags = [t.strip().removeprefix("W/") for t in value.decode("latin-1").split(",")]
            return "*" in tags or response.headers["etag"] in tags
    return False


# --- addresses ---------------------------------------------------------------


def lan_address() -> str:
    """This machine's address on the local network, found without sending anything.

    Connecting a UDP socket only asks the kernel for a route: no packet leaves.
    Falls back to the host name's address, then to 127.0.0.1.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 9))
        address: str = probe.getsockname()[0]
        if address and not address.startswith("0."):
            return address
    except OSError:
        pass
    finally:
        probe.close()
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def base_url(host: str, port: int) -> str:
    """The URL where a server bound to host:port is reached ("/"-terminated)."""
    if host in _WILDCARD_HOSTS:
        host = lan_address()
    host = host.strip("[]")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def feed_url(host: str, port: int) -> str:
    """The feed's URL to subscribe to; for 0.0.0.0 the machine's LAN address."""
    return base_url(host, port) + "feed.xml"


def _feed_base(out_dir: Path) -> str | None:
    """The base URL feed.xml was built with: its self link or its first enclosure."""
    try:
        root = ET.parse(Path(out_dir) / "feed.xml").getroot()
    except (OSError, ET.ParseError):
        return None
    for link in root.iter("{http://www.w3.org/2005/Atom}link"):
        href = link.get("href", "")
        if link.get("rel") == "self" and href.endswith("feed.xml"):
            return href[: -len("feed.xml")]
    for enclosure in root.iter("enclosure"):
        url = enclosure.get("url", "")
        if "/episodes/" in url:
            return url[: url.rindex("/episodes/") + 1]
    return None


def _same_base(a: str, b: str) -> bool:
    """Equal URLs, taking localhost and 127.0.0.1 (and ::1) as the same host."""
    sa, sb = urlsplit(a), urlsplit(b)

    def host(parts: SplitResult) -> str:
        name = (parts.hostname or "").lower()
        return "127.0.0.1" if name in _LOOPBACK_NAMES else name

    def port(parts: SplitResult) -> int | None:
        try:
            return parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        except ValueError:
            return None

    return (
        sa.scheme == sb.scheme
        and host(sa) == host(sb)
        and port(sa) == port(sb)
        and sa.path.rstrip("/") == sb.path.rstrip("/")
    )


def base_url_mismatch(out_dir: Path, served_url: str) -> str | None:
    """A warning line when feed.xml's URLs don't point where we serve, else None.

    `served_url` is this server's base URL (see base_url()). No feed.xml, or one
    without a self link or enclosure, gives None: there is nothing to compare.
    """
    built = _feed_base(out_dir)
    if built is None or _same_base(built, served_url):
        return None
    hint = ""
    try:
        if ipaddress.ip_address(urlsplit(built).hostname or "").is_loopback:
            hint = " (a loopback address: only this computer can reach it)"
    except ValueError:
        pass
    return (
        f"warning: feed.xml was built for {built}{hint}, but this server is at {served_url}; "
        f"podcast apps will fetch episodes from {built}. To serve them from here, rewrite the feed: "
        f"audio-news feed --out {out_dir} --base-url {served_url}"
    )


def serve_lines(out_dir: Path, host: str, port: int) -> list[str]:
    """What `audio-news serve` prints before it blocks: where, the feed, warnings."""
    url = base_url(host, port)
    lines = [f"Serving {out_dir} read-only at {url}", f"Subscribe to: {url}feed.xml"]
    if not (Path(out_dir) / "feed.xml").is_file():
        lines.append(f"warning: no feed.xml in {out_dir} yet; build an episode first")
    if not (Path(out_dir) / "index.html").is_file():
        lines.append(f"warning: no index.html in {out_dir}; the web player is written with the feed")
    mismatch = base_url_mismatch(out_dir, url)
    if mismatch:
        lines.append(mismatch)
    if host in _WILDCARD_HOSTS:
        lines.append("Every device on your network can read these files. Press Ctrl+C to stop.")
    else:
        lines.append("Press Ctrl+C to stop.")
    return lines


# --- running -----------------------------------------------------------------


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: any free port).

    Raises PublishError when the address is taken or cannot be used.
    """
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]") or "0.0.0.0", port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise PublishError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


def _protocol() -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol with deadlines for each request head and for a stalled response.

    uvicorn closes a connection left idle after a response (timeout_keep_alive),
    but not one that never sends a request, nor one whose header bytes trickle
    in (each byte cancels the keep-alive timer): a few such clients hold
    connections forever. Here a request head must arrive whole within
    HEAD_TIMEOUT_S of the connection opening or of the previous response ending;
    otherwise the connection is closed. Nor does uvicorn cut a response whose
    client stops reading: the transport pauses writing when its buffer fills and
    the response waits for room forever. Here writing may stay paused
    SEND_TIMEOUT_S at most; then the connection is aborted (its unsent bytes
    dropped) and the response ends. A client that reads, however slowly it
    starts, frees room and resets that clock.
    """
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeadTimedH11(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None
        _send_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before:  # a whole request head came in
                self._disarm()

        def on_response_complete(self) -> None:
            self._arm()  # first: a pipelined request handled inside disarms it again
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            self._room()
            super().connection_lost(exc)

        def pause_writing(self) -> None:
            super().pause_writing()
            if self._send_timer is None:
                self._send_timer = self.loop.call_later(SEND_TIMEOUT_S, self._send_late)

        def resume_writing(self) -> None:
            self._room()
            super().resume_writing()

        def _room(self) -> None:
            if self._send_timer is not None:
                self._send_timer.cancel()
                self._send_timer = None

        def _send_late(self) -> None:
            self._send_timer = None
            sock = self.transport.get_extra_info("socket")
            if sock is not None:  # a reset, not a FIN queued behind megabytes the kernel would keep
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.transport.abort()  # close() would wait to send the buffer the client never reads

        def _arm(self) -> None:
            self._disarm()
            self._head_timer = self.loop.call_later(HEAD_TIMEOUT_S, self._head_late)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_late(self) -> None:
            self._head_timer = None
            busy = self.cycle is not None and not self.cycle.response_complete
            if not busy and not self.transport.is_closing():
                self.transport.close()

    return HeadTimedH11


def _server(out_dir: Path) -> uvicorn.Server:
    import uvicorn

    config = uvicorn.Config(
        make_app(out_dir),
        http=_protocol(),
        timeout_keep_alive=KEEP_ALIVE_S,
        lifespan="off",
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


def _check_folder(out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise PublishError("no such output folder", out_dir)
    return out_dir


def serve(
    out_dir: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    announce: Callable[[str], None],
) -> None:
    """Serve `out_dir` on host:port until Ctrl+C, then return; blocks.

    `announce` receives the lines of serve_lines() once the port is bound.
    Raises PublishError when out_dir is not a folder or the port can't be bound.
    """
    out_dir = _check_folder(out_dir)
    sock = bind(host, port)
    for line in serve_lines(out_dir, host, sock.getsockname()[1]):
        announce(line)
    try:
        _server(out_dir).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stops cleanly, then re-raises the signal
        pass
    finally:
        sock.close()


@contextmanager
def running(out_dir: Path, host: str = DEFAULT_HOST, port: int = 0) -> Iterator[str]:
    """Serve `out_dir` from a background thread while the block runs; yields the base URL.

    Port 0 picks a free port. For tests and scripted checks. Raises
    PublishError as serve() does, or if the server does not start in 10 s.
    """
    out_dir = _check_folder(out_dir)
    sock = bind(host, port)
    server = _server(out_dir)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="audio-news-serve")
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise PublishError("the server did not start", out_dir)
            time.sleep(0.02)
        yield base_url(host, sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
