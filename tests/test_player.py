"""The static web player: index.html and one page per episode, parsed back."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

from audio_news import player
from audio_news.config import PodcastSettings
from audio_news.models import Chapter, Cue, Episode

UTC = dt.UTC
# NFC Arabic with tashkeel (shadda + fatha must stay in this order).
ARABIC_TITLE = unicodedata.normalize("NFC", "الاقتصادُ العربيُّ في عامٍ جديد")
TRICKY_TITLE = "عنوان <b>خطير</b> & \"مقتبس\" 'مفرد'"
CHAPTERS = (
    Chapter("ch0", "مقدمة", 0, 6000),
    Chapter("ch1", 'الأسواق <script>alert("x")</script>', 6000, 14000),
    Chapter("ch2", "النفط & الغاز", 14000, 22500),
)
CUES = (
    Cue(0, 2500, ARABIC_TITLE),
    Cue(2800, 5900, "جملة أولى فيها <علامات> & رموز."),
    Cue(6000, 9000, "الأسواق"),
    Cue(9300, 13800, "ارتفعت الأسهم بنسبة خمسة في المئة."),
    Cue(14000, 17000, "النفط والغاز"),
    Cue(17300, 22400, "تراجعت الأسعار."),
)


def _vtt_time(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def vtt_text(cues) -> str:
    lines = ["WEBVTT", ""]
    for cue in cues:
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lines += [f"{_vtt_time(cue.start_ms)} --> {_vtt_time(cue.end_ms)}", text, ""]
    return "\n".join(lines)


def episode(slug: str, title: str, day: int, *, source_url: str | None = None) -> Episode:
    return Episode(
        guid=f"urn:test:{slug}",
        slug=slug,
        title=title,
        description=f"وصف {title}",
        pub_date=dt.datetime(2025, 3, day, 8, 30, tzinfo=UTC),
        duration_ms=22_500,
        size=1000,
        audio=f"episodes/{slug}.mp3",
        transcript_vtt=f"episodes/{slug}.vtt",
        transcript_txt=f"episodes/{slug}.txt",
        chapters_json=f"episodes/{slug}.chapters.json",
        chapters=CHAPTERS,
        source_url=source_url,
        article_date=dt.date(2025, 3, day - 1),
        voice="espeak-ar",
    )


EPISODES = (
    episode("older", ARABIC_TITLE, 2),
    episode("newest", TRICKY_TITLE, 9, source_url="https://news.example/article?id=1&x=2"),
    episode("middle", "حلقة وسطى", 5),
)
PODCAST = PodcastSettings(title="أخبار <مسموعة> & مقروءة", base_url="http://192.168.1.20:8000/")


class Page(HTMLParser):
    """Every start tag with its attributes, text by enclosing element id, and the data script."""

    VOID = {"meta", "link", "img", "br", "hr", "input", "source", "track", "wbr"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.stack: list[str] = []
        self.text: list[tuple[tuple[str, ...], str]] = []
        self.scripts: dict[str, str] = {}
        self._script: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs) -> None:
        attrs = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attrs))
        if tag == "script" and attrs.get("type") == "application/json":
            self._script = attrs.get("id", "")
            self.scripts[self._script] = ""
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack}"
        self.stack.pop()
        if tag == "script":
            self._script = None

    def handle_data(self, data) -> None:
        if self._script is not None:
            self.scripts[self._script] += data
        else:
            self.text.append((tuple(self.stack), data))

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def all_text(self) -> str:
        return "".join(t for _, t in self.text)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    (out / "episodes").mkdir()
    for ep in EPISODES:
        (out / ep.transcript_vtt).write_text(vtt_text(CUES), encoding="utf-8")
    (out / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (out / "episodes" / "gone.html").write_text(
        '<!doctype html>\n<html>\n<head>\n<meta charset="utf-8">\n<meta name="generator" content="audio-news">',
        encoding="utf-8",
    )
    (out / "episodes" / "mine.html").write_text("<p>someone else's page</p>", encoding="utf-8")
    player.write_site(out, EPISODES, PODCAST)
    return out


def read(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


# --- the files ----------------------------------------------------------------


def test_files_written(site: Path) -> None:
    for name in (
        "index.html",
        "player/player.js",
        "player/player.css",
        "episodes/older.html",
        "episodes/newest.html",
        "episodes/middle.html",
    ):
        assert (site / name).is_file(), name
    assert not list(site.rglob(".*.tmp"))


def test_stale_pages(site: Path) -> None:
    assert not (site / "episodes" / "gone.html").exists()  # ours, episode gone
    assert (site / "episodes" / "mine.html").exists()  # not ours: left alone


def test_rewrite_is_idempotent(site: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
    player.write_site(site, EPISODES, PODCAST)
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*.html")} == before


@pytest.mark.parametrize("name", ["index.html", "episodes/older.html", "episodes/newest.html"])
def test_document_basics(site: Path, name: str) -> None:
    page = Page(read(site, name))
    assert page.stack == []
    html_attrs = page.find("html")[0]
    assert (html_attrs["lang"], html_attrs["dir"]) == ("ar", "rtl")
    assert page.find("meta", charset="utf-8")
    for landmark in ("header", "nav", "main"):
        assert page.find(landmark), landmark
    assert len(page.find("h1")) == 1
    assert page.find("a", href="#main")  # skip link


@pytest.mark.parametrize("name", ["index.html", "episodes/older.html", "episodes/newest.html"])
def test_nothing_from_the_network(site: Path, name: str) -> None:
    page = Page(read(site, name))
    allowed = {"https://news.example/article?id=1&x=2"}  # the article's own link
    for tag, attrs in page.tags:
        assert not re.match(r"(?i)^\s*(https?:)?//", attrs.get("src", "")), (tag, attrs)
        href = attrs.get("href", "")
        if re.match(r"(?i)^\s*(https?:)?//", href):
            assert tag == "a" and href in allowed, (tag, attrs)
        assert not href.lower().startswith("javascript:")
    assert "@import" not in read(site, "player/player.css")
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", read(site, "player/player.css"))
    assert not re.search(r"https?://", read(site, "player/player.js"))


def test_relative_links_resolve(site: Path) -> None:
    for name in ("index.html", "episodes/newest.html"):
        page = Page(read(site, name))
        for tag, attrs in page.tags:
            ref = attrs.get("src") or (attrs.get("href") if tag in ("a", "link") else None)
            if not ref or ref.startswith(("#", "data:")) or re.match(r"(?i)^https?://", ref):
                continue
            target = (site / name).parent / ref.split("#")[0]
            if target.name.endswith((".mp3", ".txt", ".chapters.json", "feed.xml")):
                continue  # written by publish, not here
            assert target.resolve().is_file(), (name, ref)


# --- index --------------------------------------------------------------------


def test_index_lists_newest_first(site: Path) -> None:
    page = Page(read(site, "index.html"))
    links = [a["href"] for a in page.find("a") if a.get("href", "").startswith("episodes/")]
    assert links == ["episodes/newest.html", "episodes/middle.html", "episodes/older.html"]
    text = page.all_text()
    assert text.index(TRICKY_TITLE) < text.index("حلقة وسطى") < text.index(ARABIC_TITLE)
    assert "9 مارس 2025" in text and "0:22" in text and "3 فصول" in text  # 22.5 s: the audio element says 0:22


def test_index_feed_link(site: Path) -> None:
    page = Page(read(site, "index.html"))
    assert page.find("a", href="feed.xml")
    assert page.find("link", rel="alternate", type="application/rss+xml", href="feed.xml")
    assert "http://192.168.1.20:8000/feed.xml" in page.all_text()
    assert "--base-url" not in page.all_text()  # a LAN address: no hint
    assert page.find("img", src="cover.png", alt="")


def test_escaping(site: Path) -> None:
    index = read(site, "index.html")
    assert "<b>" not in index and "&lt;b&gt;خطير&lt;/b&gt;" in index
    assert "&amp; &quot;مقتبس&quot;" in index
    assert "أخبار &lt;مسموعة&gt; &amp; مقروءة" in index
    page_text = read(site, "episodes/newest.html")
    assert "<script>alert" not in page_text
    assert 'alert("x")' not in page_text.split('id="episode-data">')[0]
    parsed = Page(page_text)
    assert TRICKY_TITLE in parsed.all_text()
    assert parsed.find("a", href="https://news.example/article?id=1&x=2")


def test_arabic_is_nfc_and_intact(site: Path) -> None:
    page = Page(read(site, "episodes/older.html"))
    h1 = [t for stack, t in page.text if stack and stack[-1] == "h1"]
    assert h1 == [ARABIC_TITLE]
    assert unicodedata.is_normalized("NFC", read(site, "episodes/older.html"))


# --- an episode page ------------------------------------------------------------


def test_audio_element(site: Path) -> None:
    page = Page(read(site, "episodes/older.html"))
    [audio] = page.find("audio")
    assert audio["src"] == "older.mp3"
    assert "controls" in audio and audio["preload"] == "metadata"
    assert not page.find("track")  # from file:// Chrome refuses it; the transcript is in the page


def test_chapter_buttons(site: Path) -> None:
    page = Page(read(site, "episodes/older.html"))
    buttons = [b for b in page.find("button") if "chapter" in b.get("class", "").split()]
    assert [float(b["data-start"]) for b in buttons] == [c.start_ms / 1000 for c in CHAPTERS]
    assert all(b["type"] == "button" for b in buttons)
    text = page.all_text()
    for chapter in CHAPTERS:
        assert chapter.title in text


def test_transcript_cues(site: Path) -> None:
    page = Page(read(site, "episodes/older.html"))
    cues = [p for p in page.find("p") if p.get("class") == "cue"]
    assert [(float(p["data-start"]), float(p["data-end"])) for p in cues] == [
        (c.start_ms / 1000, c.end_ms / 1000) for c in CUES
    ]
    cue_text = [t for stack, t in page.text if stack[-1:] == ("p",) and t.strip()]
    for cue in CUES:
        assert cue.text in cue_text
    data = json.loads(page.scripts["episode-data"])
    assert [c["text"] for c in data["cues"]] == [c.text for c in CUES]
    assert [c["start"] for c in data["chapters"]] == [0, 6, 14]
    assert data["vtt"] == "older.vtt" and data["cover"] == "../cover.png"


def test_embedded_json_cannot_close_its_script(site: Path) -> None:
    raw = read(site, "episodes/older.html")
    body = raw.split('<script type="application/json" id="episode-data">')[1].split("</script>")[0]
    assert "<" not in body and ">" not in body
    assert json.loads(body)["chapters"][1]["title"] == CHAPTERS[1].title


def test_accessibility_hooks(site: Path) -> None:
    page = Page(read(site, "episodes/older.html"))
    assert page.find("p", id="now", role="status")
    assert page.find("p", id="now")[0]["aria-live"] == "polite"
    for button in page.find("button"):
        assert button.get("type") == "button"
    labelled = {a["data-action"]: a for a in page.find("button") if "data-action" in a}
    assert set(labelled) >= {"play", "back", "forward", "prev", "next", "slower", "faster"}
    assert page.find("div", id="transcript", role="region")
    cues = [p for p in page.find("p") if p.get("class") == "cue"]
    assert all(p["role"] == "button" for p in cues)  # a sentence seeks there (player.js)
    assert [p["tabindex"] for p in cues] == ["0"] + ["-1"] * (len(cues) - 1)  # one Tab stop, arrows inside
    assert page.find("script", src="../player/player.js")
    assert page.find("link", rel="stylesheet", href="../player/player.css")


def test_source_link_only_for_web_urls(tmp_path: Path) -> None:
    bad = episode("bad", "عنوان", 3, source_url="javascript:alert(1)")
    text = player.render_episode_page(tmp_path, bad, PODCAST, cues=[])
    assert "javascript:" not in text


def test_page_without_transcript_or_chapters(tmp_path: Path) -> None:
    bare = Episode(
        guid="g",
        slug="bare",
        title="",
        description="",
        pub_date=dt.datetime(2025, 1, 1, tzinfo=UTC),
        duration_ms=3_725_000,
        size=1,
        audio="episodes/bare.mp3",
        transcript_vtt="",
        transcript_txt="",
        chapters_json="",
    )
    player.write_site(tmp_path, [bare], PodcastSettings())
    page = Page(read(tmp_path, "episodes/bare.html"))
    assert page.find("h1") and "bare" in page.all_text()
    assert not page.find("button", **{"class": "chapter"})
    index = read(tmp_path, "index.html")
    assert "1:02:05" in index
    assert "--base-url" in index  # the default 127.0.0.1: a hint


# --- helpers --------------------------------------------------------------------


def test_parse_vtt() -> None:
    text = (
        "WEBVTT\n\nNOTE a comment\n\n1\n00:01.000 --> 00:02.500 align:start\n<v Speaker>مرحبا &amp; أهلا</v>\n\n"
        "01:00:00.000 --> 01:00:01.000\r\nسطر\r\nثان\r\n"
    )
    assert player.parse_vtt(text) == [Cue(1000, 2500, "مرحبا & أهلا"), Cue(3_600_000, 3_601_000, "سطر ثان")]


@pytest.mark.parametrize(
    "n, words",
    [
        (1, "فصل واحد"),
        (2, "فصلان"),
        (3, "3 فصول"),
        (10, "10 فصول"),
        (11, "11 فصلًا"),
        (103, "103 فصول"),
        (100, "100 فصل"),
    ],
)
def test_chapter_count(n: int, words: str) -> None:
    assert player.chapter_count(n) == words


def test_formatting() -> None:
    assert player.format_duration(0) == "0:00"
    assert player.format_duration(65_400) == "1:05"
    assert player.format_duration(92_600) == "1:32"  # whole seconds elapsed, as the audio element shows it
    assert player.format_duration(59_999) == "0:59"
    assert player.format_duration(3_599_999) == "59:59"
    assert player.format_duration(3_600_000) == "1:00:00"
    assert player.format_date(dt.date(2025, 11, 29)) == "29 نوفمبر 2025"


def test_single_chapter_page_has_no_chapter_buttons(tmp_path):
    """Buttons that could do nothing are not shown (one chapter: no next/previous)."""
    import dataclasses

    one = dataclasses.replace(episode("one", "حلقة بفصل واحد", 3), chapters=(Chapter("ch0", "فصل وحيد", 0, 5000),))
    page = player.render_episode_page(tmp_path, one, PODCAST, cues=())
    assert 'data-action="next"' not in page and 'data-action="prev"' not in page
    assert 'data-action="play"' in page
    several = player.render_episode_page(tmp_path, EPISODES[0], PODCAST, cues=())
    assert 'data-action="next"' in several and 'data-action="prev"' in several


# --- issue 11: times, keyboard path, wrapping, versioned audio -------------------------


def test_chapter_times_are_floored_like_the_audio_element(tmp_path: Path) -> None:
    import dataclasses

    chapters = (Chapter("ch0", "أول", 0, 92_600), Chapter("ch1", "ثان", 92_600, 130_000))
    one = dataclasses.replace(EPISODES[0], chapters=chapters, duration_ms=130_999)
    page = Page(player.render_episode_page(tmp_path, one, PODCAST, cues=()))
    times = [t for stack, t in page.text if stack[-1:] == ("span",) and ":" in t]
    assert times == ["0:00", "1:32"]
    assert "2:10" in page.all_text() and page.find("time", datetime="PT0H2M10S")


def test_skip_link_to_the_chapters_comes_first(site: Path) -> None:
    page = Page(read(site, "episodes/older.html"))
    links = [a for a in page.find("a") if "skip-link" in a.get("class", "")]
    assert [a["href"] for a in links] == ["#chapters-h", "#main"]
    assert page.find("h2", id="chapters-h", tabindex="-1")  # Enter on the link moves focus there
    index = Page(read(site, "index.html"))
    assert [a["href"] for a in index.find("a") if "skip-link" in a.get("class", "")] == ["#main"]


def test_audio_url_carries_the_version_token(tmp_path: Path) -> None:
    import dataclasses

    versioned = dataclasses.replace(EPISODES[0], audio_version="1a2b3c4d5e6f")
    page = Page(player.render_episode_page(tmp_path, versioned, PODCAST, cues=()))
    [audio] = page.find("audio")
    assert audio["src"] == "older.mp3?v=1a2b3c4d5e6f"
    assert page.find("a", href="older.mp3?v=1a2b3c4d5e6f")  # the download link and the fallback too
    plain = Page(player.render_episode_page(tmp_path, EPISODES[0], PODCAST, cues=()))
    assert plain.find("audio")[0]["src"] == "older.mp3"


def test_feed_url_breaks_only_after_a_slash(tmp_path: Path) -> None:
    html_text = player.render_index(tmp_path, EPISODES, PodcastSettings(base_url="http://127.0.0.1:8000/"))
    code = html_text.split('<code id="feed-url" dir="ltr">')[1].split("</code>")[0]
    assert code == "http://<wbr>127.0.0.1:8000/<wbr>feed.xml"
    assert Page(html_text).find("code", id="feed-url")
    # the loopback hint's commands: each word kept whole (white-space: nowrap in player.css)
    for command in ("audio-news feed --base-url http://…:8000/", "audio-news serve --host 0.0.0.0"):
        words = "".join(f'<span class="word">{w}</span> ' for w in command.split()).rstrip()
        assert f'<p class="command" dir="ltr"><code>{words}</code></p>' in html_text
