"""Fetch pages and feeds over HTTP(S), politely and safely: the only module that imports httpx.

Network use is only ever by `build URL` and `pull`, and always through a Fetcher:
it names itself (User-Agent), gives up after bounded timeouts, refuses a body over
its size cap (streamed, never read past cap + 1 bytes, never truncated), follows at
most MAX_REDIRECTS redirects and only to http or https, asks for a feed again with
the validators (ETag, Last-Modified) the last answer gave, retries a 5xx answer, a
timeout or a dropped connection a bounded number of times with a growing pause,
and decodes a page by its declared charset (header, then <meta>), else by sniffing
UTF-8, windows-1256 and ISO-8859-6. Every failure is one FetchError naming the URL.
"""

from __future__ import annotations

import codecs
import re
import time
from dataclasses import dataclass
from typing import Final
from urllib.parse import urljoin, urlsplit

import httpx

from . import __version__, ingest
from .errors import FetchError
from .limits import FETCH_MAX_BYTES
from .models import Article

PROJECT_URL: Final = "https://pypi.org/project/audio-news/"
"""Where a site's operator reads what is fetching their pages (in the User-Agent)."""
USER_AGENT: Final = f"audio-news/{__version__} (+{PROJECT_URL})"
MAX_REDIRECTS: Final = 5
HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_META_CHARSET_RE: Final = re.compile(rb"<meta[^>]*charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_LATIN_SUPPLEMENT_RE: Final = re.compile("[\u00c0-\u00ff]")


@dataclass(frozen=True)
class Policy:
    """How patient and how generous a Fetcher is."""

    connect_timeout: float = 10.0
    """Seconds to open the connection."""
    read_timeout: float = 30.0
    """Seconds to wait for each piece of the answer."""
    total_timeout: float = 120.0
    """Seconds for one whole answer: a server that trickles bytes within the read timeout is cut off."""
    max_bytes: int = FETCH_MAX_BYTES
    """A body over this is refused, never truncated."""
    tries: int = 3
    """Attempts for a 5xx answer, a timeout or a dropped connection (1 = no retry)."""
    backoff: float = 1.0
    """Seconds before the second try; doubled before each later one."""


DEFAULT_POLICY = Policy()
"""The policy a Fetcher made without one uses (tests replace it with a quicker one)."""


@dataclass(frozen=True)
class Validators:
    """What a server said about a feed, to ask it next time whether the feed changed."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Response:
    """A fetched body (empty when not_modified) and where it finally came from."""

    url: str
    """The URL after redirects."""
    content: bytes
    content_type: str
    """The media type, lower case, without parameters ("" when the server gave none)."""
    charset: str | None
    """The charset the Content-Type header declares, if any."""
    validators: Validators
    not_modified: bool = False


def check_url(url: str) -> str:
    """`url` when it is an http or https URL with a host; FetchError naming it otherwise."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError("only http and https URLs are fetched", url)
    if not parts.hostname:
        raise FetchError("the URL has no host", url)
    return url


def is_url(text: str) -> bool:
    """True when `text` looks like an http(s) URL rather than a file name."""
    return re.match(r"https?://", text, re.IGNORECASE) is not None


class Fetcher:
    """One HTTP client for a run: connections are reused from one request to the next."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or DEFAULT_POLICY
        timeout = httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout)
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT}, timeout=timeout, follow_redirects=False, trust_env=False
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, accept: str = "*/*", validators: Validators | None = None) -> Response:
        """GET `url`, following redirects and retrying transient failures (see the module docstring).

        Raises FetchError naming the URL: not http(s), a 4xx or a 5xx after every
        try, a timeout or connection failure after every try, too many redirects,
        a redirect loop, or a body over the size cap.
        """
        check_url(url)
        headers = {"Accept": accept, **(validators.headers() if validators else {})}
        for attempt in range(1, self.policy.tries + 1):
            try:
                return self._follow(url, headers)
            except _Transient as exc:
                if attempt == self.policy.tries:
                    tries = f" (after {self.policy.tries} tries)" if self.policy.tries > 1 else ""
                    raise FetchError(f"{exc.reason}{tries}", url) from None
                time.sleep(self.policy.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _follow(self, url: str, headers: dict[str, str]) -> Response:
        seen = [url]
        while True:
            response = self._get_once(url, headers)
            if isinstance(response, Response):
                return response
            location = response
            target = urljoin(url, location)
            if not is_url(target):
                raise FetchError(f"redirected to a URL that is not http or https: {location}", seen[0])
            if target in seen:
                raise FetchError(f"redirect loop (back to {target})", seen[0])
            if len(seen) > MAX_REDIRECTS:
                raise FetchError(f"more than {MAX_REDIRECTS} redirects", seen[0])
            seen.append(target)
            url = target

    def _get_once(self, url: str, headers: dict[str, str]) -> Response | str:
        """One request: a Response, or where a redirect points (its Location)."""
        try:
            with self._client.stream("GET", url, headers=headers) as answer:
                status = answer.status_code
                if status in _REDIRECTS and answer.headers.get("location"):
                    return answer.headers["location"]
                validators = Validators(answer.headers.get("etag"), answer.headers.get("last-modified"))
                media, charset = _content_type(answer.headers.get("content-type", ""))
                if status == 304:
                    return Response(str(answer.url), b"", media, charset, validators, not_modified=True)
                if status >= 500:
                    raise _Transient(f"server error {status} {answer.reason_phrase}".rstrip())
                if status >= 400:
                    raise FetchError(f"HTTP {status} {answer.reason_phrase}".rstrip(), url)
                if status != 200:
                    raise FetchError(f"unexpected HTTP status {status}", url)
                return Response(str(answer.url), self._body(answer, url), media, charset, validators)
        except httpx.TimeoutException:
            raise _Transient("timed out") from None
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise _Transient(f"connection failed ({_first_line(exc)})") from None
        except httpx.HTTPError as exc:
            raise FetchError(_first_line(exc), url) from None

    def _body(self, answer: httpx.Response, url: str) -> bytes:
        cap = self.policy.max_bytes
        declared = answer.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"the answer is {int(declared):,} bytes; the limit is {cap:,}", url)
        body = bytearray()
        deadline = time.monotonic() + self.policy.total_timeout
        for chunk in answer.iter_bytes():
            body += chunk
            if len(body) > cap:
                raise FetchError(f"the answer is over the limit of {cap:,} bytes", url)
            if time.monotonic() > deadline:
                raise FetchError(f"the answer took longer than {self.policy.total_timeout:g} s", url)
        return bytes(body)


class _Transient(Exception):
    """A failure worth another try (5xx, timeout, dropped connection)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _content_type(value: str) -> tuple[str, str | None]:
    """("text/html", "windows-1256") from a Content-Type header."""
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip().strip("\"'"):
            charset = val.strip().strip("\"'")
    return media.strip().lower(), charset


def _codec(name: str | None) -> str | None:
    """Python's name for a charset label, or None when unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def page_text(response: Response) -> str:
    """The page's text: decoded by the charset the header declares, else a byte order mark,
    else the page's <meta>, else UTF-8 when it decodes, else windows-1256 or ISO-8859-6,
    whichever reads as Arabic (undecodable bytes become U+FFFD, as a browser shows them)."""
    data = response.content
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    match = _META_CHARSET_RE.search(data[:8192])
    declared = _codec(response.charset) or _codec(match.group(1).decode("ascii", "replace") if match else None)
    if declared:
        return data.decode(declared, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _sniff_arabic(data)


def _sniff_arabic(data: bytes) -> str:
    """windows-1256 or ISO-8859-6. ISO-8859-6 leaves many bytes unassigned, and its Arabic
    letters above 0xDF read in windows-1256 as accented Latin letters inside Arabic words."""
    try:
        iso = data.decode("iso8859-6")
    except UnicodeDecodeError:
        return data.decode("cp1256", errors="replace")
    cp = data.decode("cp1256", errors="replace")
    return iso if len(_LATIN_SUPPLEMENT_RE.findall(cp)) > len(_LATIN_SUPPLEMENT_RE.findall(iso)) else cp


def require_html(response: Response, url: str) -> None:
    """FetchError naming `url` unless the answer is an HTML page."""
    if response.content_type and response.content_type not in HTML_TYPES:
        raise FetchError(f"not an HTML page (content type {response.content_type})", url)


def fetch_article(fetcher: Fetcher, url: str) -> Article:
    """The article on the page at `url`: fetched, checked to be HTML, decoded (page_text) and
    read by ingest.read_html. Raises FetchError or InputError naming the URL."""
    response = fetcher.get(url, accept="text/html, application/xhtml+xml;q=0.9")
    require_html(response, url)
    return ingest.read_html(page_text(response), url)
