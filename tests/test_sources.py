"""`audio-news pull` against a local HTTP server: feeds, pages, failures, idempotence."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import feedparser
import pytest
from cli_run import TONE, command, invoke
from local_server import Route, serving

from audio_news import fetch, sources
from audio_news.config import SourceSettings
from audio_news.errors import FetchError, PublishError

WEB = Path(__file__).parent / "data" / "web"
ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "samples" / "article.txt"


@pytest.fixture
def site(monkeypatch):
    monkeypatch.setattr(
        fetch, "DEFAULT_POLICY", fetch.Policy(connect_timeout=2.0, read_timeout=0.4, max_bytes=64 * 1024, backoff=0.01)
    )
    with serving() as running:
        yield running


def _serve_sources(site) -> None:
    site.routes["/rss.xml"] = Route(
        (WEB / "rss-full.xml").read_bytes(), content_type="application/rss+xml", etag='"rss-1"'
    )
    site.routes["/atom.xml"] = Route(
        (WEB / "atom-summary.xml").read_bytes(),
        content_type="application/atom+xml",
        last_modified="Mon, 04 Mar 2024 08:00:00 GMT",
    )
    site.routes["/news/wheat?utm_source=feed"] = Route((WEB / "wheat.html").read_bytes())
    site.routes["/sport/city-cup"] = Route((WEB / "football-cp1256.html").read_bytes(), content_type="text/html")


def _pull(site, out: Path, *extra: str):
    return invoke("pull", site.url("/rss.xml"), site.url("/atom.xml"), "--out", str(out), "--voice", str(TONE), *extra)


def test_two_sources_build_a_feed_in_date_order_then_nothing_more(site, tmp_path):
    _serve_sources(site)
    out = tmp_path / "out"
    result = _pull(site, out)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"{site.url('/rss.xml')}: 2 built" in lines
    assert f"{site.url('/atom.xml')}: 2 built" in lines
    # the full-content feed carries its articles: their pages are never fetched
    assert site.hits("/local/desalination") == site.hits("/culture/book-fair") == 0

    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    # the item's <link> is its player page; the source link is in the show notes (content:encoded)
    assert all(e.link.startswith("http://127.0.0.1:8000/episodes/") and e.link.endswith(".html") for e in feed.entries)
    newest_first = [(e.title, re.search(r'<a href="([^"]+)"', e.content[0].value).group(1)) for e in feed.entries]
    assert newest_first == [
        ("ارتفاع أسعار القمح في الأسواق العالمية", site.url("/economy/wheat-prices")),  # the page's canonical URL
        ("فريق المدينة يفوز بكأس البطولة المحلية", site.url("/sport/city-cup")),  # a windows-1256 page
        ("معرض الكتاب السنوي يفتح أبوابه للزوار", site.url("/culture/book-fair")),
        ("افتتاح محطة جديدة لتحلية مياه البحر", site.url("/local/desalination")),
    ]
    stamps = [e.published_parsed for e in feed.entries]
    assert stamps == sorted(stamps, reverse=True)
    assert feed.entries[-1].published == "Fri, 01 Mar 2024 18:40:00 +0000"  # the source's own time

    store = out / "episodes.json"
    before = store.stat().st_mtime_ns, (out / "feed.xml").read_bytes()
    feed_hits = site.hits("/rss.xml"), site.hits("/atom.xml")
    again = _pull(site, out)
    assert again.returncode == 0, again.stderr
    assert f"{site.url('/rss.xml')}: unchanged since the last run" in again.stdout  # answered 304
    assert f"{site.url('/atom.xml')}: unchanged since the last run" in again.stdout  # Last-Modified
    assert site.requests[-2][1].get("if-none-match") == '"rss-1"'
    assert site.requests[-1][1].get("if-modified-since") == "Mon, 04 Mar 2024 08:00:00 GMT"
    assert (site.hits("/rss.xml"), site.hits("/atom.xml")) == (feed_hits[0] + 1, feed_hits[1] + 1)
    assert (store.stat().st_mtime_ns, (out / "feed.xml").read_bytes()) == before

    # a feed that changed but holds only built items builds nothing either
    site.routes["/rss.xml"].etag = '"rss-2"'
    third = _pull(site, out, "--json")
    assert third.returncode == 0, third.stderr
    summary = json.loads(third.stdout)
    assert summary["built"] == 0 and summary["failed"] == 0
    assert summary["sources"][0]["already_built"] == 2
    assert store.stat().st_mtime_ns == before[0]


def test_failures_are_one_line_each_and_the_rest_still_builds(site, tmp_path):
    out = tmp_path / "out"
    earlier = invoke("build", str(SAMPLE), "--out", str(out), "--voice", str(TONE))
    assert earlier.returncode == 0, earlier.stderr
    (earlier_episode,) = json.loads((out / "episodes.json").read_text(encoding="utf-8"))

    pages = {
        "good": Route((WEB / "wheat.html").read_bytes()),
        "missing": Route("<h1>404</h1>", status=404),
        "flaky": [
            Route("busy", status=500),
            Route((WEB / "football-cp1256.html").read_bytes(), content_type="text/html"),
        ],
        "slow": Route((WEB / "wheat.html").read_bytes(), delay=1.0),
        "loop": Route(status=302, headers={"Location": "/p/loop"}),
        "huge": Route(b"<p>" + "كلمة ".encode() * 20000 + b"</p>"),
        "pdf": Route(b"%PDF-1.7", content_type="application/pdf"),
    }
    for name, route in pages.items():
        site.routes[f"/p/{name}"] = route
    items = "".join(
        f"<item><title>خبر {n}</title><link>@BASE@/p/{name}</link>"
        f"<pubDate>Mon, 0{n + 1} Apr 2024 10:00:00 +0000</pubDate></item>"
        for n, name in enumerate(pages)
    )
    rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>أخبار</title>{items}</channel></rss>'
    site.routes["/mixed.xml"] = Route(rss, content_type="application/rss+xml", etag='"m1"')
    site.routes["/broken.xml"] = Route("<html><body><p>ليست خلاصة</p></body></html>", content_type="text/html")

    result = invoke(
        "pull", site.url("/broken.xml"), site.url("/mixed.xml"), "--out", str(out), "--voice", str(TONE), "--json"
    )
    assert result.returncode == 9, result.stderr  # some built, some failed
    errors = [line for line in result.stderr.splitlines() if line.startswith("audio-news: error:")]
    expected = {
        "broken.xml": ": not an RSS or Atom feed",
        "/p/missing": ": HTTP 404 Not Found",
        "/p/slow": ": timed out (after 3 tries)",
        "/p/loop": ": redirect loop (back to ",
        "/p/huge": "the limit is 65,536",
        "/p/pdf": ": not an HTML page (content type application/pdf)",
    }
    assert len(errors) == len(expected), result.stderr
    for (path, message), line in zip(expected.items(), errors):
        assert line.startswith(f"audio-news: error: {site.url('/')}"), line
        assert path in line and message in line, line
    summary = json.loads(result.stdout)
    assert summary["built"] == 2 and summary["failed"] == 6
    assert summary["sources"][1]["built"] == [site.url("/economy/wheat-prices"), site.url("/sport/city-cup")]
    assert site.hits("/p/flaky") == 2  # a 500, then the page

    store = json.loads((out / "episodes.json").read_text(encoding="utf-8"))
    assert earlier_episode in store and len(store) == 3
    assert all((out / episode["audio"]).is_file() for episode in store)

    # the next run tries the failed items again (the feed's validators were not kept), not the built ones
    site.routes["/p/missing"] = Route((WEB / "wheat.html").read_bytes().replace(b"wheat-prices", b"wheat-2"))
    again = invoke("pull", site.url("/mixed.xml"), "--out", str(out), "--voice", str(TONE))
    assert again.returncode == 9, again.stderr
    assert f"{site.url('/mixed.xml')}: 1 built, 4 failed, 2 already built" in again.stdout
    assert site.hits("/p/good") == 1 and site.hits("/p/flaky") == 2
    assert len(json.loads((out / "episodes.json").read_text(encoding="utf-8"))) == 4


def test_nothing_built_exits_10_and_an_unreachable_feed_names_its_url(site, tmp_path):
    url = site.url("/gone.xml")
    result = invoke("pull", url, "--out", str(tmp_path / "out"), "--voice", str(TONE))
    assert result.returncode == 10
    assert f"audio-news: error: {url}: HTTP 404 Not Found" in result.stderr.splitlines()
    assert f"{url}: failed: HTTP 404 Not Found" in result.stdout
    assert not (tmp_path / "out").exists()


def test_sources_from_the_settings_file(site, tmp_path):
    _serve_sources(site)
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'[[sources]]\nurl = "{site.url("/atom.xml")}"\nmax_per_run = 1\nname = "صحيفة الاختبار"\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    result = invoke("pull", "--config", str(settings), "--out", str(out), "--voice", str(TONE))
    assert result.returncode == 0, result.stderr
    assert "صحيفة الاختبار: 1 built, 1 left for the next run (max_per_run 1)" in result.stdout
    (episode,) = json.loads((out / "episodes.json").read_text(encoding="utf-8"))
    assert episode["source_url"] == site.url("/economy/wheat-prices")  # the newest first


def test_no_sources_is_one_line(tmp_path):
    result = invoke("pull", "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.strip().startswith("audio-news: error: no sources")


def test_build_url_uses_the_canonical_link(site, tmp_path):
    _serve_sources(site)
    out = tmp_path / "out"
    result = invoke("build", site.url("/news/wheat?utm_source=feed"), "--out", str(out), "--voice", str(TONE))
    assert result.returncode == 0, result.stderr
    (episode,) = json.loads((out / "episodes.json").read_text(encoding="utf-8"))
    assert episode["source_url"] == site.url("/economy/wheat-prices")
    assert episode["article_date"] == "2024-03-04"
    missing = invoke("build", site.url("/nothing"), "--out", str(out), "--voice", str(TONE))
    assert missing.returncode == 7
    assert missing.stderr.strip() == f"audio-news: error: {site.url('/nothing')}: HTTP 404 Not Found"


def test_parse_feed_refuses_what_is_not_a_feed():
    with pytest.raises(FetchError, match=r"^http://x/f: not an RSS or Atom feed"):
        sources.parse_feed(b'{"items": []}', "http://x/f")
    feed = sources.parse_feed((WEB / "atom-summary.xml").read_bytes().replace(b"@BASE@", b"http://x"), "http://x/atom")
    assert [item.key for item in feed.items] == ["http://x/sport/city-cup", "http://x/news/wheat?utm_source=feed"]
    assert all(item.content is None for item in feed.items)  # summaries only: the pages are fetched


def test_pull_state_is_kept_in_the_output_folder(tmp_path):
    sources.PullState.update(tmp_path, ["http://a/1"], ("http://a/feed", fetch.Validators('"e"', None)))
    sources.PullState.update(tmp_path, ["http://a/2"])
    state = sources.PullState.load(tmp_path)
    assert state.built == {"http://a/1", "http://a/2"}
    assert state.validators == {"http://a/feed": fetch.Validators('"e"', None)}
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
    assert SourceSettings("http://a/feed").label == "http://a/feed"


@pytest.mark.parametrize(
    "text", ["{not json", '{"built": "http://a/1", "feeds": {}}', '{"built": [], "feeds": {"u": {"etag": 5}}}']
)
def test_a_corrupt_pull_state_is_one_line_naming_it(tmp_path, text):
    (tmp_path / sources.PULL_STATE_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(PublishError) as caught:
        sources.PullState.load(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / sources.PULL_STATE_NAME}: cannot read what pull built (")


def test_two_pulls_at_once_publish_every_item_once(site, tmp_path):
    """Two processes (cron started one while the other ran): each episode is published under the
    folder's lock, so the store ends with every item once and the feed is whole."""
    _serve_sources(site)
    out = tmp_path / "out"
    args = [*command(), "pull", site.url("/rss.xml"), site.url("/atom.xml"), "--out", str(out), "--voice", str(TONE)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    runs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in "ab"]
    results = [run.communicate(timeout=300) + (run.returncode,) for run in runs]
    assert [code for _, _, code in results] == [0, 0], results
    store = json.loads((out / "episodes.json").read_text(encoding="utf-8"))
    assert sorted(e["source_url"] for e in store) == sorted(
        site.url(p) for p in ("/economy/wheat-prices", "/sport/city-cup", "/culture/book-fair", "/local/desalination")
    )
    assert len(feedparser.parse((out / "feed.xml").read_bytes()).entries) == 4
    assert all((out / e["audio"]).is_file() for e in store)
    assert not [p for p in out.rglob("*.tmp")]
