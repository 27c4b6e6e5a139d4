"""The fetcher against a real HTTP server on 127.0.0.1: politeness, limits, retries, charsets."""

from __future__ import annotations

from pathlib import Path

import pytest
from local_server import Route, serving

from audio_news import fetch
from audio_news.errors import AudioNewsError, FetchError, InputError

WEB = Path(__file__).parent / "data" / "web"
QUICK = fetch.Policy(connect_timeout=2.0, read_timeout=0.4, max_bytes=64 * 1024, tries=3, backoff=0.01)


@pytest.fixture
def site():
    with serving() as running:
        yield running


@pytest.fixture
def fetcher():
    with fetch.Fetcher(QUICK) as client:
        yield client


def test_names_itself_and_asks_for_what_it_wants(site, fetcher):
    site.routes["/page"] = Route("<p>نص</p>")
    response = fetcher.get(site.url("/page"), accept="text/html")
    headers = site.requests[0][1]
    assert headers["user-agent"] == fetch.USER_AGENT
    assert headers["user-agent"].startswith("audio-news/") and "+http" in headers["user-agent"]
    assert headers["accept"] == "text/html"
    assert response.content == "<p>نص</p>".encode()
    assert (response.content_type, response.charset) == ("text/html", "utf-8")


def test_fetch_error_is_an_os_error_with_one_line_naming_the_url(site, fetcher):
    url = site.url("/missing")
    with pytest.raises(FetchError) as caught:
        fetcher.get(url)
    assert isinstance(caught.value, AudioNewsError) and isinstance(caught.value, OSError)
    assert str(caught.value) == f"{url}: HTTP 404 Not Found"
    assert site.hits("/missing") == 1  # a 4xx is not retried


def test_a_server_error_is_retried_then_succeeds(site, fetcher):
    site.routes["/flaky"] = [Route("oops", status=500), Route("oops", status=503), Route("<p>أخيرا</p>")]
    assert fetcher.get(site.url("/flaky")).content == "<p>أخيرا</p>".encode()
    assert site.hits("/flaky") == 3


def test_a_server_error_on_every_try_names_the_tries(site, fetcher):
    site.routes["/down"] = Route("down", status=502)
    with pytest.raises(FetchError, match=r"/down: server error 502 Bad Gateway \(after 3 tries\)$"):
        fetcher.get(site.url("/down"))
    assert site.hits("/down") == 3


def test_a_timeout_is_retried_and_then_named(site, fetcher):
    site.routes["/slow"] = Route("<p>متأخر</p>", delay=1.0)
    with pytest.raises(FetchError, match=r"/slow: timed out \(after 3 tries\)$"):
        fetcher.get(site.url("/slow"))
    assert site.hits("/slow") == 3


def test_redirects_are_followed_to_the_final_url(site, fetcher):
    site.routes["/old"] = Route(status=301, headers={"Location": "/new"})
    site.routes["/new"] = Route("<p>هنا</p>")
    response = fetcher.get(site.url("/old"))
    assert response.url == site.url("/new")
    assert response.content == "<p>هنا</p>".encode()


def test_a_server_that_trickles_is_cut_off(site):
    site.routes["/drip"] = Route(b"<p>" + b"x" * 4000 + b"</p>", chunked=True, trickle=0.05)
    policy = fetch.Policy(read_timeout=0.4, total_timeout=0.5, tries=1)
    with (
        fetch.Fetcher(policy) as patient,
        pytest.raises(FetchError, match=r"/drip: the answer took longer than 0.5 s$"),
    ):
        patient.get(site.url("/drip"))


def test_a_redirect_loop_is_refused(site, fetcher):
    site.routes["/a"] = Route(status=302, headers={"Location": "/b"})
    site.routes["/b"] = Route(status=302, headers={"Location": "@BASE@/a"})
    with pytest.raises(FetchError, match=r"/a: redirect loop \(back to http://127\.0\.0\.1:\d+/a\)$"):
        fetcher.get(site.url("/a"))


def test_at_most_five_redirects(site, fetcher):
    for n in range(7):
        site.routes[f"/r{n}"] = Route(status=307, headers={"Location": f"/r{n + 1}"})
    site.routes["/r7"] = Route("<p>بعيد</p>")
    with pytest.raises(FetchError, match=r"/r0: more than 5 redirects$"):
        fetcher.get(site.url("/r0"))
    assert fetcher.get(site.url("/r2")).url == site.url("/r7")  # five hops are fine


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x"])
def test_only_http_and_https(site, fetcher, target):
    with pytest.raises(FetchError, match="only http and https"):
        fetcher.get(target)
    site.routes["/away"] = Route(status=302, headers={"Location": target})
    with pytest.raises(FetchError, match="redirected to a URL that is not http or https"):
        fetcher.get(site.url("/away"))


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_cap_is_refused_not_truncated(site, fetcher, chunked):
    site.routes["/big"] = Route(b"<p>" + b"x" * (QUICK.max_bytes + 10) + b"</p>", chunked=chunked)
    with pytest.raises(FetchError, match=r"/big: the answer is .*the limit is|over the limit of 65,536 bytes"):
        fetcher.get(site.url("/big"))
    site.routes["/fits"] = Route(b"y" * QUICK.max_bytes, chunked=chunked)
    assert len(fetcher.get(site.url("/fits")).content) == QUICK.max_bytes


def test_conditional_request_answered_304(site, fetcher):
    site.routes["/feed.xml"] = Route("<rss/>", content_type="application/rss+xml", etag='"v7"')
    first = fetcher.get(site.url("/feed.xml"))
    assert first.validators == fetch.Validators('"v7"', None) and not first.not_modified
    again = fetcher.get(site.url("/feed.xml"), validators=first.validators)
    assert again.not_modified and again.content == b""
    assert site.requests[1][1]["if-none-match"] == '"v7"'


def test_a_page_that_is_not_html_is_refused(site, fetcher):
    site.routes["/report.pdf"] = Route(b"%PDF-1.7 ...", content_type="application/pdf")
    url = site.url("/report.pdf")
    with pytest.raises(FetchError) as caught:
        fetch.fetch_article(fetcher, url)
    assert str(caught.value) == f"{url}: not an HTML page (content type application/pdf)"


def test_page_metadata_canonical_url_date_author_image(site, fetcher):
    site.routes["/news/wheat"] = Route((WEB / "wheat.html").read_bytes())
    article = fetch.fetch_article(fetcher, site.url("/news/wheat"))
    assert article.title == "ارتفاع أسعار القمح في الأسواق العالمية"
    assert article.url == site.url("/economy/wheat-prices")  # canonical, not the fetched URL nor og:url
    assert article.source == site.url("/news/wheat")
    assert str(article.date) == "2024-03-04"
    assert article.author == "سلمى الحداد"
    assert article.image == site.url("/images/wheat.jpg")
    assert [s.heading for s in article.sections] == [None, "أثر الزيادة على الخبز"]
    assert "الأكثر قراءة" not in str(article.sections)


def test_a_page_with_no_article_names_the_url(site, fetcher):
    site.routes["/empty"] = Route("<html><body><p>Only English here.</p></body></html>")
    with pytest.raises(InputError, match=r"/empty: no Arabic text found"):
        fetch.fetch_article(fetcher, site.url("/empty"))


FOOTBALL = "فريق المدينة يفوز بكأس البطولة المحلية"


def _football(charset: str) -> bytes:
    text = (WEB / "football-cp1256.html").read_bytes().decode("cp1256")
    return text.replace('<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">', "").encode(
        charset
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ((WEB / "football-cp1256.html").read_bytes(), "text/html"),  # declared in a <meta>
        (_football("cp1256"), "text/html; charset=windows-1256"),  # declared in the header
        (_football("cp1256"), "text/html"),  # not declared: sniffed
        (_football("iso8859-6"), "text/html"),  # not declared: sniffed
        (_football("iso8859-6"), "text/html; charset=ISO-8859-6"),
        (_football("utf-8"), "text/html"),
    ],
    ids=["cp1256-meta", "cp1256-header", "cp1256-sniffed", "iso-8859-6-sniffed", "iso-8859-6-header", "utf-8"],
)
def test_arabic_charsets_declared_and_sniffed(site, fetcher, body, content_type):
    site.routes["/sport/city-cup"] = Route(body, content_type=content_type)
    article = fetch.fetch_article(fetcher, site.url("/sport/city-cup"))
    assert article.title == FOOTBALL
    assert article.sections[-1].heading == "مدرب الفريق يشكر اللاعبين"
    assert "\ufffd" not in str(article.sections)


def test_is_url():
    assert fetch.is_url("https://example.com/a") and fetch.is_url("HTTP://x")
    assert not fetch.is_url("article.html") and not fetch.is_url("https:relative")
