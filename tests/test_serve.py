"""audio-news serve: byte ranges, HEAD, content types, and nothing outside the folder.

A real server on 127.0.0.1 (a free port), spoken to with http.client, which
sends paths exactly as written (no `..` clean-up on the client side).
"""

from __future__ import annotations

import http.client
import json
import socket
import time
import unicodedata
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from ffmpegs import sine_mp3

from audio_news import serve as srv
from audio_news.errors import PublishError

SECRET = "top-secret-outside-the-folder"

FEED = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:atom="http://www.w3.org/2005/Atom" version="2.0"><channel>
<title>أخبار</title>
<atom:link href="{base}feed.xml" rel="self" type="application/rss+xml"/>
<item><title>حلقة</title><enclosure url="{base}episodes/ep.mp3" length="1" type="audio/mpeg"/></item>
</channel></rss>
"""


def make_mp3(path: Path, seconds: float) -> None:
    """A real MP3 (a sine tone) made by the ffmpeg that imageio-ffmpeg ships."""
    sine_mp3(path, seconds)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("serve")
    (root / "secret.txt").write_text(SECRET)
    (root / "secret-dir").mkdir()
    (root / "secret-dir" / "secret.txt").write_text(SECRET)
    out = root / "out"
    episodes = out / "episodes"
    episodes.mkdir(parents=True)
    make_mp3(episodes / "ep.mp3", 3)
    (episodes / "ep.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nمرحبا بكم.\n", encoding="utf-8")
    (episodes / "ep.txt").write_text("مرحبا بكم.\n", encoding="utf-8")
    (episodes / "ep.chapters.json").write_text(
        json.dumps(
            {"version": "1.2.0", "chapters": [{"startTime": 0, "endTime": 3, "title": "مقدمة"}]}, ensure_ascii=False
        )
    )
    (episodes / "ep.json").write_text("{}", encoding="utf-8")
    (episodes / "ep.html").write_text("<!doctype html><title>ep</title>", encoding="utf-8")
    (out / "feed.xml").write_text(FEED.format(base="http://127.0.0.1:8000/"), encoding="utf-8")
    (out / "episodes.json").write_text("[]", encoding="utf-8")
    (out / "index.html").write_text("<!doctype html><title>index</title>", encoding="utf-8")
    (out / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (out / "player").mkdir()
    (out / "player" / "player.js").write_text("/* js */", encoding="utf-8")
    (out / "player" / "player.css").write_text("/* css */", encoding="utf-8")
    (out / ".feed.xml.123.tmp").write_text("half a file", encoding="utf-8")
    (episodes / "leak.txt").symlink_to(root / "secret.txt")
    (out / "outside").symlink_to(root / "secret-dir", target_is_directory=True)
    (episodes / "alias.mp3").symlink_to(episodes / "ep.mp3")  # inside: allowed
    return out


@pytest.fixture(scope="module")
def server(site: Path):
    with srv.running(site) as url:
        parts = urlsplit(url)
        yield parts.hostname, parts.port


def request(server, method: str, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection(*server, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


# --- whole files and ranges --------------------------------------------------


def test_whole_mp3(server, site: Path) -> None:
    data = (site / "episodes" / "ep.mp3").read_bytes()
    status, headers, body = request(server, "GET", "/episodes/ep.mp3")
    assert status == 200
    assert body == data
    assert headers["accept-ranges"] == "bytes"
    assert headers["content-length"] == str(len(data))
    assert headers["content-type"] == "audio/mpeg"


@pytest.mark.parametrize(
    "spec, first, last",
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-1099", 100, 1099),
        ("bytes=-500", None, None),
        ("bytes=1000-", 1000, None),
        ("bytes=0-0", 0, 0),
        ("bytes=5000-999999999", 5000, None),
    ],
    ids=["head-of-file", "middle", "suffix-500", "open-ended", "one-byte", "end-past-size"],
)
def test_range(server, site: Path, spec: str, first: int | None, last: int | None) -> None:
    data = (site / "episodes" / "ep.mp3").read_bytes()
    size = len(data)
    if first is None:
        first, last = size - 500, size - 1
    last = size - 1 if last is None else last
    status, headers, body = request(server, "GET", "/episodes/ep.mp3", {"Range": spec})
    assert status == 206
    assert body == data[first : last + 1]
    assert headers["content-range"] == f"bytes {first}-{last}/{size}"
    assert headers["content-length"] == str(last - first + 1)
    assert headers["content-type"] == "audio/mpeg"


def test_several_ranges_are_multipart(server, site: Path) -> None:
    data = (site / "episodes" / "ep.mp3").read_bytes()
    status, headers, body = request(server, "GET", "/episodes/ep.mp3", {"Range": "bytes=0-9,2000-2009"})
    assert status == 206
    assert headers["content-type"].startswith("multipart/byteranges")
    assert data[0:10] in body and data[2000:2010] in body


@pytest.mark.parametrize(
    "spec",
    ["bytes={size}-", "bytes={size}-{beyond}", "bytes=-0"],
    ids=["start-at-size", "start-past-size", "empty-suffix"],
)
def test_unsatisfiable_range(server, site: Path, spec: str) -> None:
    size = (site / "episodes" / "ep.mp3").stat().st_size
    status, headers, body = request(
        server, "GET", "/episodes/ep.mp3", {"Range": spec.format(size=size, beyond=size + 100)}
    )
    assert status == 416
    assert headers["content-range"] == f"bytes */{size}"
    assert len(body) < 100


def test_head(server, site: Path) -> None:
    size = (site / "episodes" / "ep.mp3").stat().st_size
    status, headers, body = request(server, "HEAD", "/episodes/ep.mp3")
    assert (status, body) == (200, b"")
    assert headers["content-length"] == str(size)
    assert headers["accept-ranges"] == "bytes"
    status, headers, body = request(server, "HEAD", "/episodes/ep.mp3", {"Range": "bytes=10-19"})
    assert (status, body) == (206, b"")
    assert headers["content-range"] == f"bytes 10-19/{size}"


def test_conditional_get(server) -> None:
    status, headers, _ = request(server, "GET", "/feed.xml")
    assert status == 200
    status, again, body = request(server, "GET", "/feed.xml", {"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"")
    assert again["etag"] == headers["etag"]


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/episodes/ep.mp3", "audio/mpeg"),
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/episodes/ep.vtt", "text/vtt; charset=utf-8"),
        ("/episodes/ep.chapters.json", "application/json+chapters"),
        ("/episodes/ep.json", "application/json"),
        ("/episodes/ep.txt", "text/plain; charset=utf-8"),
        ("/episodes/ep.html", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/cover.png", "image/png"),
        ("/player/player.js", "text/javascript; charset=utf-8"),
        ("/player/player.css", "text/css; charset=utf-8"),
    ],
    ids=lambda v: v if v.startswith("/") else None,
)
def test_content_types(server, path: str, expected: str) -> None:
    status, headers, _ = request(server, "GET", path)
    assert status == 200
    assert headers["content-type"] == expected
    assert headers["x-content-type-options"] == "nosniff"


def test_root_is_index(server, site: Path) -> None:
    status, headers, body = request(server, "GET", "/")
    assert status == 200
    assert body == (site / "index.html").read_bytes()
    assert "default-src 'self'" in headers["content-security-policy"]


def test_symlink_inside_the_folder_is_served(server, site: Path) -> None:
    status, _, body = request(server, "GET", "/episodes/alias.mp3", {"Range": "bytes=0-9"})
    assert status == 206
    assert body == (site / "episodes" / "ep.mp3").read_bytes()[:10]


# --- refusals ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/../",
        "/%2e%2e/",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/episodes/%2e%2e/%2e%2e/etc/passwd",
        "/episodes/../../secret.txt",
        "/../../../../etc/passwd",
        "/episodes/..%2f..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/.%2e/secret.txt",
        "/episodes/leak.txt",
        "/outside/secret.txt",
        "/outside/",
        "//etc/passwd",
        "/episodes/ep.mp3%00.txt",
        "/episodes%5c..%5c..%5csecret.txt",
        "/.feed.xml.123.tmp",
        "/%2efeed.xml.123.tmp",
        "/episodes/./ep.mp3",
    ],
)
def test_nothing_outside_the_folder(server, path: str) -> None:
    status, _, body = request(server, "GET", path)
    assert status in (400, 403, 404), path
    assert SECRET.encode() not in body
    assert b"root:" not in body


@pytest.mark.parametrize("path", ["/episodes/", "/episodes", "/player/", "/player"])
def test_no_directory_listing(server, path: str) -> None:
    status, _, body = request(server, "GET", path)
    assert status == 404
    assert b"ep.mp3" not in body and b"player.js" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_read_only(server, site: Path, method: str) -> None:
    before = (site / "feed.xml").read_bytes()
    status, headers, _ = request(server, method, "/feed.xml")
    assert status == 405
    assert headers["allow"] == "GET, HEAD, OPTIONS"
    assert (site / "feed.xml").read_bytes() == before


@pytest.mark.parametrize("path", ["/episodes/ep.mp3", "/feed.xml", "/no-such-file.mp3", "*"])
def test_options_is_a_cors_preflight_answer(server, site: Path, path: str) -> None:
    """A web player on another origin asks before a ranged GET: 204, what it may send, nothing else."""
    before = (site / "feed.xml").read_bytes()
    preflight = {
        "Origin": "https://player.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "range",
    }
    status, headers, body = request(server, "OPTIONS", path, preflight)
    assert (status, body) == (204, b"")
    assert headers["allow"] == "GET, HEAD, OPTIONS"
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-allow-methods"] == "GET, HEAD"
    allowed = {name.strip().lower() for name in headers["access-control-allow-headers"].split(",")}
    assert {"range", "if-none-match"} <= allowed
    assert int(headers["access-control-max-age"]) > 0
    assert "content-range" in headers["access-control-expose-headers"].lower()
    assert (site / "feed.xml").read_bytes() == before


def test_missing_file(server) -> None:
    assert request(server, "GET", "/episodes/nope.mp3")[0] == 404


# --- without a server --------------------------------------------------------


def test_resolve(site: Path) -> None:
    assert srv.resolve(site, "/feed.xml") == (site / "feed.xml").resolve()
    assert srv.resolve(site, "/") == (site / "index.html").resolve()
    assert srv.resolve(site, "/episodes/") is None  # no index.html there
    assert srv.resolve(site, "/../secret.txt") is None
    assert srv.resolve(site, "/episodes/leak.txt") is None
    assert srv.resolve(site, "feed.xml") is None  # not an absolute path


def test_feed_url() -> None:
    assert srv.feed_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/feed.xml"
    assert srv.feed_url("::1", 8080) == "http://[::1]:8080/feed.xml"
    assert srv.feed_url("192.168.1.20", 80) == "http://192.168.1.20:80/feed.xml"


def test_feed_url_on_every_interface(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(srv, "lan_address", lambda: "192.168.1.20")
    assert srv.feed_url("0.0.0.0", 8000) == "http://192.168.1.20:8000/feed.xml"


def test_lan_address_is_an_address() -> None:
    # A UDP connect only picks a route: nothing is sent.
    socket.inet_aton(srv.lan_address())


def test_base_url_mismatch(site: Path, tmp_path: Path) -> None:
    assert srv.base_url_mismatch(site, "http://127.0.0.1:8000/") is None
    assert srv.base_url_mismatch(site, "http://localhost:8000/") is None
    warning = srv.base_url_mismatch(site, "http://192.168.1.20:8000/")
    assert warning is not None
    assert "http://127.0.0.1:8000/" in warning
    assert f"audio-news feed --out {site} --base-url http://192.168.1.20:8000/" in warning
    assert "loopback" in warning
    assert srv.base_url_mismatch(site, "http://127.0.0.1:9000/") is not None
    assert srv.base_url_mismatch(tmp_path, "http://127.0.0.1:8000/") is None  # no feed.xml


def test_base_url_from_enclosure(tmp_path: Path) -> None:
    feed = FEED.format(base="https://news.example/pod/").replace('rel="self"', 'rel="alternate"')
    (tmp_path / "feed.xml").write_text(feed, encoding="utf-8")
    assert srv.base_url_mismatch(tmp_path, "https://news.example/pod/") is None
    assert "https://news.example/pod/" in srv.base_url_mismatch(tmp_path, "http://127.0.0.1:8000/")


def test_serve_lines(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = srv.serve_lines(site, "127.0.0.1", 8000)
    assert "http://127.0.0.1:8000/feed.xml" in "\n".join(lines)
    assert not any(line.startswith("warning") for line in lines)
    monkeypatch.setattr(srv, "lan_address", lambda: "192.168.1.20")
    lines = srv.serve_lines(site, "0.0.0.0", 8000)
    assert any("http://192.168.1.20:8000/feed.xml" in line for line in lines)
    assert any(line.startswith("warning: feed.xml was built for") for line in lines)
    empty = srv.serve_lines(tmp_path, "127.0.0.1", 8000)
    assert any("no feed.xml" in line for line in empty)


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(PublishError):
        srv.serve(tmp_path / "missing", "127.0.0.1", 0, announce=print)
    taken = srv.bind("127.0.0.1", 0)
    try:
        with pytest.raises(PublishError, match="cannot serve"):
            # SO_REUSEADDR does not let a second socket listen on a listening port.
            srv.bind("127.0.0.1", taken.getsockname()[1])
    finally:
        taken.close()


def test_not_a_file_type_guess() -> None:
    assert srv.content_type(Path("x.bin")) == "application/octet-stream"
    assert srv.content_type(Path("X.MP3")) == "audio/mpeg"


# --- hostile clients and links (issue 10) ------------------------------------


def test_symlink_to_a_hidden_file_is_not_served(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".podcast-guid").write_text("hidden", encoding="utf-8")
    (out / "guid.txt").symlink_to(out / ".podcast-guid")
    (out / ".cache").mkdir()
    (out / ".cache" / "page.html").write_text("hidden", encoding="utf-8")
    (out / "pages").symlink_to(out / ".cache", target_is_directory=True)
    assert srv.resolve(out, "/guid.txt") is None
    assert srv.resolve(out, "/pages/page.html") is None


def test_unknown_range_unit_is_ignored(server, site: Path) -> None:
    data = (site / "episodes" / "ep.mp3").read_bytes()
    status, headers, body = request(server, "GET", "/episodes/ep.mp3", {"Range": "items=0-1"})
    assert status == 200 and body == data  # RFC 9110: the whole file, not 400
    assert "content-range" not in headers
    status, _, body = request(server, "GET", "/episodes/ep.mp3", {"Range": "BYTES=0-1"})
    assert status == 206 and body == data[:2]  # the unit's name is case-insensitive


def _closed_within(sock: socket.socket, seconds: float, trickle: bytes = b"") -> bool:
    """Whether the server closes `sock` within `seconds`, sending `trickle` a byte at a time meanwhile."""
    import time

    sock.settimeout(0.2)
    deadline = time.monotonic() + seconds
    sent = 0
    while time.monotonic() < deadline:
        if sent < len(trickle):
            try:
                sock.sendall(trickle[sent : sent + 1])
            except OSError:
                return True
            sent += 1
        try:
            if sock.recv(1024) == b"":
                return True
        except TimeoutError:
            continue
        except OSError:
            return True
    return False


def test_idle_and_slow_header_clients_are_closed(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(srv, "HEAD_TIMEOUT_S", 0.5, raising=False)
    with srv.running(site) as url:
        address = (urlsplit(url).hostname, urlsplit(url).port)
        with socket.create_connection(address) as idle:  # connects, sends nothing
            assert _closed_within(idle, 5)
        with socket.create_connection(address) as slow:  # a header byte every 0.2 s, never done
            assert _closed_within(slow, 5, trickle=b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200)
        # a client that sends its request at once is served, and may send another on the same connection
        conn = http.client.HTTPConnection(*address, timeout=10)
        try:
            for _ in range(2):
                conn.request("GET", "/episodes/ep.txt")
                response = conn.getresponse()
                assert response.status == 200 and response.read() == "مرحبا بكم.\n".encode()
        finally:
            conn.close()


TCP_CLOSE = 7
"""Linux's tcpi_state (the first byte of TCP_INFO) of a connection that was reset or closed."""


def test_a_client_that_stops_reading_is_dropped_and_others_are_served(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client asks for a long MP3 with a tiny receive buffer and reads nothing: once the server's
    buffers are full it waits SEND_TIMEOUT_S, then resets the connection; others are served meanwhile."""
    monkeypatch.setattr(srv, "SEND_TIMEOUT_S", 0.5, raising=False)
    # Longer than the kernel's largest send buffer (tcp_wmem's maximum), or it would all fit there.
    try:
        kernel_max = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    except (OSError, IndexError, ValueError):
        kernel_max = 4 << 20
    out = tmp_path / "out"
    (out / "episodes").mkdir(parents=True)
    short = (site / "episodes" / "ep.mp3").read_bytes()
    long_mp3 = short * ((kernel_max + (2 << 20)) // len(short) + 1)  # MP3 frames run on: one long episode
    (out / "episodes" / "long.mp3").write_bytes(long_mp3)
    (out / "feed.xml").write_bytes((site / "feed.xml").read_bytes())
    with srv.running(out) as url:
        address = (urlsplit(url).hostname, urlsplit(url).port)
        stalled = socket.socket()
        try:
            stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stalled.connect(address)
            stalled.sendall(b"GET /episodes/long.mp3 HTTP/1.1\r\nHost: x\r\n\r\n")
            status, _, body = request(address, "GET", "/feed.xml")  # served while the other stalls
            assert status == 200 and body == (out / "feed.xml").read_bytes()
            deadline = time.monotonic() + 10  # reads nothing, and waits for the server's reset (0.5 s)
            while stalled.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] != TCP_CLOSE:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            received, ended = 0, False
            stalled.settimeout(5)
            try:
                while chunk := stalled.recv(1 << 16):
                    received += len(chunk)
                ended = True  # a clean end after part of the file is a drop too
            except ConnectionResetError:
                ended = True
            except TimeoutError:
                pass
            size = len(long_mp3)
            assert ended and received < size // 2, (ended, received, size)
        finally:
            stalled.close()
        status, headers, body = request(address, "GET", "/episodes/long.mp3", {"Range": "bytes=0-99"})
        assert (status, body) == (206, long_mp3[:100])


# --- names, origins and the store (issue 11) ---------------------------------

NFC_NAME = "أخبار-إقليمية.txt"  # أ and إ: one code point each in NFC, two in NFD


def test_nfc_and_nfd_names_find_the_same_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "episodes").mkdir(parents=True)
    nfd_name = unicodedata.normalize("NFD", NFC_NAME)
    assert nfd_name != NFC_NAME
    (out / "episodes" / NFC_NAME).write_text("نص", encoding="utf-8")  # written by us: NFC
    (out / "episodes" / ("m-" + nfd_name)).write_text("نص", encoding="utf-8")  # copied from a Mac: NFD
    with srv.running(out) as url:
        server = (urlsplit(url).hostname, urlsplit(url).port)
        for stored, asked in [
            (NFC_NAME, NFC_NAME),
            (NFC_NAME, nfd_name),
            ("m-" + nfd_name, "m-" + nfd_name),
            ("m-" + nfd_name, "m-" + NFC_NAME),
        ]:
            status, _, body = request(server, "GET", "/episodes/" + quote(asked))
            assert (status, body.decode("utf-8")) == (200, "نص"), (stored, asked)
        assert request(server, "GET", "/episodes/" + quote(unicodedata.normalize("NFD", "أخبار.txt")))[0] == 404


def test_normalizing_a_name_opens_no_way_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".أخبار").write_text("hidden", encoding="utf-8")
    assert srv.resolve(out, "/" + unicodedata.normalize("NFD", ".أخبار")) is None


@pytest.mark.parametrize("path", ["/episodes/ep.vtt", "/episodes/ep.chapters.json", "/episodes/ep.mp3", "/feed.xml"])
def test_cors_headers_on_public_files(server, path: str) -> None:
    status, headers, _ = request(server, "GET", path, {"Origin": "https://player.example"})
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-allow-methods"] == "GET, HEAD"
    exposed = {name.strip().lower() for name in headers["access-control-expose-headers"].split(",")}
    assert {"content-range", "accept-ranges", "content-length"} <= exposed


def test_cors_headers_on_ranges_and_revalidation(server) -> None:
    status, headers, _ = request(
        server, "GET", "/episodes/ep.mp3", {"Range": "bytes=0-9", "Origin": "https://a.example"}
    )
    assert status == 206 and headers["access-control-allow-origin"] == "*"
    etag = request(server, "HEAD", "/episodes/ep.vtt")[1]["etag"]
    status, headers, _ = request(server, "GET", "/episodes/ep.vtt", {"If-None-Match": etag})
    assert status == 304 and headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("path", ["/episodes.json", "/%65pisodes.json", "/.pull-state.json", "/.podcast-guid"])
def test_store_and_bookkeeping_are_not_served(server, site: Path, path: str) -> None:
    (site / ".pull-state.json").write_text("{}", encoding="utf-8")
    (site / ".podcast-guid").write_text("x", encoding="utf-8")
    status, headers, body = request(server, "GET", path)
    assert status == 404
    assert b"[]" not in body
    assert "access-control-allow-origin" not in headers


def test_store_through_a_symlink_is_not_served(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "episodes").mkdir(parents=True)
    (out / "episodes.json").write_text("[]", encoding="utf-8")
    (out / "episodes" / "list.json").write_text("{}", encoding="utf-8")
    (out / "store.json").symlink_to(out / "episodes.json")
    assert srv.resolve(out, "/episodes.json") is None
    assert srv.resolve(out, "/store.json") is None
    assert srv.resolve(out, "/episodes/list.json") is not None  # a public JSON file deeper in is served
