"""The talking books: EPUB 3 checked by epubcheck, DAISY 2.02 opened by daisy-player
in tmux, and every SMIL clip checked against the episodes' WebVTT cues.

epubcheck, daisy-player, tmux and a C compiler come from tests/setup.sh; where one
is missing its test skips (a failure in CI, where setup.sh has run).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from cli_run import TONE, invoke

from audio_news import stitch

DATA = Path(__file__).parent / "data"
SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "000_a9bde49a6959cd4e.txt"
ARTICLES = tuple(DATA / "book" / name for name in ("library.md", "weather.md", "football.md"))
SMIL3 = "{http://www.w3.org/ns/SMIL}"
XHTML = "{http://www.w3.org/1999/xhtml}"
VTT_LINE = re.compile(r"^(\d+):(\d\d):(\d\d)\.(\d{3}) --> (\d+):(\d\d):(\d\d)\.(\d{3})$")


@pytest.fixture(scope="module")
def podcast(tmp_path_factory) -> Path:
    """Three short articles built with the tone voice, in the order given."""
    out = tmp_path_factory.mktemp("podcast")
    for article in ARTICLES:  # one by one: distinct publication times, so --all keeps this order
        result = invoke("build", str(article), "--out", str(out), "--voice", str(TONE))
        assert result.returncode == 0, result.stderr
    return out


def store(out: Path) -> list[dict]:
    """The stored episodes in build order (the store is newest first)."""
    return list(reversed(json.loads((out / "episodes.json").read_text("utf-8"))))


def vtt_cues(path: Path) -> list[tuple[int, int, str]]:
    """(start ms, end ms, text) per cue, read independently of audio_news."""
    lines = path.read_text("utf-8").splitlines()
    cues = []
    for i, line in enumerate(lines):
        m = VTT_LINE.match(line)
        if m:
            h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in m.groups())
            start = ((h1 * 60 + m1) * 60 + s1) * 1000 + ms1
            end = ((h2 * 60 + m2) * 60 + s2) * 1000 + ms2
            cues.append((start, end, html.unescape(lines[i + 1])))
    return cues


@pytest.fixture(scope="module")
def daisy(podcast, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("books") / "news-daisy"
    result = invoke("book", "--all", "--format", "daisy", "--to", str(target), "--out", str(podcast))
    assert result.returncode == 0, result.stderr
    return target


@pytest.fixture(scope="module")
def epub(podcast, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("books") / "news.epub"
    result = invoke("book", "--all", "--format", "epub3", "--to", str(target), "--out", str(podcast))
    assert result.returncode == 0, result.stderr
    assert "3 articles" in result.stdout
    return target


# --- epubcheck -----------------------------------------------------------------------


def epubcheck(path: Path) -> str:
    _need("epubcheck", "java")
    found = shutil.which("epubcheck")
    # Debian's /usr/bin/epubcheck is the jar itself: run it with java. A short run: the quick JIT
    # (C1) and the serial collector halve its CPU time (about 9 s to 4 s) and change no message.
    java = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(found)]
    result = subprocess.run([*java, str(path)], capture_output=True, text=True, timeout=300)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    return report


def test_epubcheck_three_articles(epub):
    report = epubcheck(epub)
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in report, report


def test_epubcheck_one_article(podcast, tmp_path):
    slug = store(podcast)[0]["slug"]
    target = tmp_path / "one.epub"
    result = invoke("book", slug, "--format", "epub3", "--to", str(target), "--out", str(podcast))
    assert result.returncode == 0, result.stderr
    assert "1 article," in result.stdout
    report = epubcheck(target)
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in report, report


@pytest.mark.skipif(not SEED.exists(), reason="needs ../shared/seed (the shared folder is absent)")
def test_epubcheck_seed(tmp_path):
    out, target = tmp_path / "podcast", tmp_path / "seed.epub"
    assert invoke("build", str(SEED), "--out", str(out), "--voice", str(TONE)).returncode == 0
    result = invoke("book", "--all", "--format", "epub3", "--to", str(target), "--out", str(out))
    assert result.returncode == 0, result.stderr
    report = epubcheck(target)
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in report, report
    with zipfile.ZipFile(target) as zf:
        nav = zf.read("EPUB/nav.xhtml").decode("utf-8")
    assert nav.count("<li>") == len(store(out)[0]["chapters"])  # the article and each of its sections


def test_epub_package_is_arabic_rtl_with_overlays(epub):
    with zipfile.ZipFile(epub) as zf:
        first = zf.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert zf.read("mimetype") == b"application/epub+zip"
        opf = ET.fromstring(zf.read("EPUB/package.opf"))
        ns = {"o": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
        assert opf.find("o:metadata/dc:language", ns).text == "ar"
        assert opf.find("o:spine", ns).get("page-progression-direction") == "rtl"
        metas = opf.findall("o:metadata/o:meta", ns)
        assert [m.text for m in metas if m.get("property") == "media:active-class"] == ["-epub-media-overlay-active"]
        durations = {m.get("refines"): m.text for m in metas if m.get("property") == "media:duration"}
        assert len(durations) == 4  # the book and each of the three overlays

        def ms(clock: str) -> int:
            h, m, s = clock.split(":")
            return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)

        total = durations.pop(None)
        assert ms(total) == sum(ms(v) for v in durations.values())
        for ref, value in durations.items():  # each overlay's duration is the sum of its clips
            item = next(i for i in opf.iter(f"{{{ns['o']}}}item") if i.get("id") == ref[1:])
            smil = ET.fromstring(zf.read(f"EPUB/{item.get('href')}"))
            clips = [
                ms("0:0:" + a.get("clipEnd")[:-1]) - ms("0:0:" + a.get("clipBegin")[:-1])
                for a in smil.iter(f"{SMIL3}audio")
            ]
            assert ms(value) == sum(clips)
        for name in zf.namelist():
            if name.endswith(".xhtml"):
                root = ET.fromstring(zf.read(name))
                assert (root.get("dir"), root.get("lang")) == ("rtl", "ar")


def test_nav_has_the_same_heading_tree_as_the_ncc(epub, daisy):
    with zipfile.ZipFile(epub) as zf:
        nav = ET.fromstring(zf.read("EPUB/nav.xhtml"))
    tree = []
    for li in nav.find(f".//{XHTML}nav/{XHTML}ol"):
        tree.append((1, li.find(f"{XHTML}a").text))
        tree += [(2, a.text) for a in li.iter(f"{XHTML}a")][1:]
    ncc = ET.fromstring((daisy / "ncc.html").read_text("utf-8").split("\n", 2)[2])
    headings = [(int(h.tag[-1]), "".join(h.itertext())) for h in ncc.find(f"{XHTML}body")]
    assert tree == headings
    assert [t for level, t in tree if level == 1] == [
        "افتتاح مكتبة عامة جديدة في المدينة",
        "أمطار غزيرة تعود إلى المناطق الساحلية",
        "فريق المدينة يفوز بكأس البطولة المحلية",
    ]
    assert len(tree) == 8


def test_paragraphs_follow_the_longer_pauses(daisy):
    """weather.md's last section has two paragraphs of two sentences; the other sections one each."""
    text = (daisy / "a02.html").read_text("utf-8")
    lead, section = text.split('<h2 id="a02c01">')
    assert lead.count("<p>") == 1 and section.count("<p>") == 2
    assert [p.count("<span") for p in section.split("<p>")[1:]] == [2, 2]


# --- every SMIL against the VTT ------------------------------------------------------------


def check_clips(podcast: Path, clips_by_audio: dict[str, list[tuple[float, float, str, str]]], book: Path) -> None:
    """Clips in order, inside their MP3, equal to the cues (±10 ms), text fragments resolving to the cue text."""
    episodes = store(podcast)
    assert len(clips_by_audio) == len(episodes)
    for episode, (audio, clips) in zip(episodes, sorted(clips_by_audio.items())):
        duration = stitch.decoded_duration_ms(book / audio)
        cues = vtt_cues(podcast / episode["transcript_vtt"])
        assert len(clips) == len(cues)
        previous_end = 0.0
        for (begin, end, text, fragment), (cue_start, cue_end, cue_text) in zip(clips, cues):
            assert previous_end <= begin < end <= duration + 1, (begin, end, duration)
            assert abs(begin - cue_start) <= 10 and abs(end - cue_end) <= 10
            assert text == cue_text, fragment
            previous_end = end


def fragment_text(book: Path, src: str, cache: dict[str, ET.Element]) -> str:
    name, _, ident = src.partition("#")
    if name not in cache:
        text = (book / name).read_text("utf-8")
        cache[name] = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", text))
    found = [el for el in cache[name].iter() if el.get("id") == ident]
    assert len(found) == 1, f"{src} does not resolve"
    return "".join(found[0].itertext())


def test_daisy_smil_clips_match_the_cues(podcast, daisy):
    cache: dict[str, ET.Element] = {}
    clips: dict[str, list[tuple[float, float, str, str]]] = {}
    total = 0.0
    smils = sorted(daisy.glob("*.smil"))
    assert len(smils) == 8  # one per article section
    for smil in smils:
        root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", smil.read_text("utf-8")))
        seq = root.find("body/seq")
        in_this = 0.0
        for par in seq.findall("par"):
            text, audio = par.find("text"), par.find("audio")
            begin = float(audio.get("clip-begin")[4:-1]) * 1000
            end = float(audio.get("clip-end")[4:-1]) * 1000
            in_this += end - begin
            src = text.get("src")
            clips.setdefault(audio.get("src"), []).append((begin, end, fragment_text(daisy, src, cache), src))
        assert abs(float(seq.get("dur")[:-1]) * 1000 - in_this) < 1
        total += in_this
    check_clips(podcast, clips, daisy)
    ncc = (daisy / "ncc.html").read_text("utf-8")
    h, m, s = re.search(r'name="ncc:totalTime" content="([^"]+)"', ncc).group(1).split(":")
    assert abs((int(h) * 3600 + int(m) * 60 + float(s)) * 1000 - total) < 1
    assert 'name="dc:language" content="ar"' in ncc
    for href in re.findall(r'<a href="([^"]+)"', ncc):  # every heading reaches a par of its SMIL
        name, _, ident = href.partition("#")
        assert f'id="{ident}"' in (daisy / name).read_text("utf-8")


def test_epub_overlay_clips_match_the_cues(podcast, epub, tmp_path):
    with zipfile.ZipFile(epub) as zf:
        zf.extractall(tmp_path)
    book = tmp_path / "EPUB"
    cache: dict[str, ET.Element] = {}
    clips: dict[str, list[tuple[float, float, str, str]]] = {}
    for smil in sorted(book.glob("*.smil")):
        for par in ET.parse(smil).getroot().iter(f"{SMIL3}par"):
            text, audio = par.find(f"{SMIL3}text"), par.find(f"{SMIL3}audio")
            src = text.get("src")
            clips.setdefault(audio.get("src"), []).append(
                (
                    float(audio.get("clipBegin")[:-1]) * 1000,
                    float(audio.get("clipEnd")[:-1]) * 1000,
                    fragment_text(book, src, cache),
                    src,
                )
            )
    check_clips(podcast, clips, book)


# --- daisy-player in tmux ---------------------------------------------------------------


def _need(*tools: str) -> None:
    for tool in tools:
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (bash tests/setup.sh installs it)")


class Screen:
    """A tmux session on a server of its own, read with capture-pane."""

    def __init__(self, server: str, env: dict[str, str]) -> None:
        self.base = ["tmux", "-L", server]  # its own server: a short socket name under tmux's folder
        self.env = env

    def tmux(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], capture_output=True, text=True, env=self.env, timeout=30).stdout

    def lines(self) -> list[str]:
        return self.tmux("capture-pane", "-p", "-t", "dp").splitlines()

    def cursor(self) -> tuple[int, int]:
        x, y = self.tmux("display", "-p", "-t", "dp", "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def wait_for(self, what: str, seconds: float = 20) -> list[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            lines = self.lines()
            if any(what in line for line in lines):
                return lines
            time.sleep(0.2)
        raise AssertionError(f"{what!r} never showed:\n" + "\n".join(self.lines()))

    def press(self, key: str, then: tuple[int, int] | None = None) -> tuple[int, int]:
        before = self.cursor()
        self.tmux("send-keys", "-t", "dp", key)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.cursor()
            if (then is None and now != before) or now == then:
                return now
        return self.cursor()


def test_daisy_player_lists_and_moves_between_headings(daisy, tmp_path):
    _need("daisy-player", "tmux", "cc")
    shim = tmp_path / "fake_asound_cards.so"
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", str(shim), str(DATA / "fake_asound_cards.c"), "-ldl"], check=True, timeout=60
    )
    cards = tmp_path / "cards"
    cards.write_text(" 0 [Dummy          ]: Dummy - Dummy\n                      Dummy 1\n")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    screen = Screen(f"audio-news-book-{os.getpid()}", env)
    player = f"LD_PRELOAD={shim} FAKE_ASOUND_CARDS={cards} daisy-player -i -d default:alsa {daisy}; echo PLAYER-EXIT=$?"
    screen.tmux("-u", "new-session", "-d", "-s", "dp", "-x", "100", "-y", "30", "bash --norc --noprofile")
    try:
        time.sleep(0.5)
        screen.tmux("send-keys", "-t", "dp", player, "Enter")
        lines = screen.wait_for("total length")
        ncc = ET.fromstring((daisy / "ncc.html").read_text("utf-8").split("\n", 2)[2])
        headings = [(int(h.tag[-1]), "".join(h.itertext())) for h in ncc.find(f"{XHTML}body")]
        rows = lines[2 : 2 + len(headings)]
        for row, (level, text) in zip(rows, headings, strict=True):
            indent = 2 + 3 * (level - 1)  # daisy-player indents each deeper level by three
            assert row[:indent].strip() == "" and row[indent] != " ", row
            shown = row[indent:].split("  ")[0].strip()
            assert shown and text.startswith(shown), (row, text)
        assert "level: 1 of 2" in lines[1]
        h, m, sec = (
            re.search(r'name="ncc:totalTime" content="([^"]+)"', (daisy / "ncc.html").read_text("utf-8"))
            .group(1)
            .split(":")
        )
        seconds = int(h) * 3600 + int(m) * 60 + float(sec)
        shown = {f"{int(t) // 3600:02d}:{int(t) // 60 % 60:02d}:{int(t) % 60:02d}" for t in (seconds, seconds + 0.5)}
        assert any(f"total length: {t}" in lines[1] for t in shown), lines[1]
        # Level 1: the cursor moves from article to article.
        articles = [i for i, (level, _) in enumerate(headings) if level == 1]
        assert screen.cursor()[1] == 2 + articles[0]
        for index in articles[1:]:
            assert screen.press("Down", then=(1, 2 + index))[1] == 2 + index
        assert screen.press("Up", then=(1, 2 + articles[-2]))[1] == 2 + articles[-2]
        # Level 2: every heading in turn, sections indented under their article.
        screen.tmux("send-keys", "-t", "dp", "l")
        screen.wait_for("level: 2 of 2")
        while screen.cursor()[1] > 2:
            screen.press("Up")
        for index, (level, _) in enumerate(headings[1:], start=1):
            x, y = screen.press("Down")
            assert (x, y) == (1 + 3 * (level - 1), 2 + index)
        screen.tmux("send-keys", "-t", "dp", "q")
        screen.wait_for("PLAYER-EXIT=0")
    finally:
        screen.tmux("kill-server")


# --- choosing episodes, bad input -----------------------------------------------------------


def test_since_and_named_episodes(podcast, tmp_path):
    first, second, third = store(podcast)
    target = tmp_path / "two"
    result = invoke(
        "book", third["guid"], first["slug"], "--format", "daisy", "--to", str(target), "--out", str(podcast)
    )
    assert result.returncode == 0, result.stderr
    ncc = (target / "ncc.html").read_text("utf-8")
    assert ncc.index(third["title"]) < ncc.index(first["title"]) and second["title"] not in ncc
    result = invoke(
        "book", "--since", "2999-01-01", "--format", "epub3", "--to", str(tmp_path / "x.epub"), "--out", str(podcast)
    )
    assert (
        result.returncode == 2 and "episodes.json: no episodes in the store published since 2999-01-01" in result.stderr
    )
    assert not (tmp_path / "x.epub").exists()
    day = first["pub_date"][:10]  # UTC, as stored
    target = tmp_path / "since"
    result = invoke("book", "--since", day, "--format", "daisy", "--to", str(target), "--out", str(podcast))
    assert result.returncode == 0, result.stderr
    assert (target / "a03c00.smil").exists() and not (target / "a04c00.smil").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "epub3"], "exactly one"),
        (["--all", "nope", "--format", "epub3"], "exactly one"),
        (["no-such-episode", "--format", "epub3"], "no-such-episode: no episode"),
        (["--all", "--format", "mobi"], "unknown book format 'mobi'"),
        (["--since", "yesterday", "--format", "daisy"], "--since wants a date"),
    ],
    ids=["nothing-chosen", "two-ways", "unknown-episode", "bad-format", "bad-date"],
)
def test_bad_choice_is_one_line(podcast, tmp_path, args, message):
    target = tmp_path / "book.epub"
    result = invoke("book", *args, "--to", str(target), "--out", str(podcast))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_mp3_leaves_nothing(podcast, tmp_path):
    out = tmp_path / "podcast"
    shutil.copytree(podcast, out)
    (out / store(out)[1]["audio"]).unlink()
    target = tmp_path / "book"
    result = invoke("book", "--all", "--format", "daisy", "--to", str(target), "--out", str(out))
    assert result.returncode == 6
    assert "the episode's MP3 is missing" in result.stderr and result.stderr.count("\n") == 1
    assert not target.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".book")]


def test_daisy_folder_is_replaced_whole(podcast, daisy, tmp_path):
    target = tmp_path / "daisy"
    shutil.copytree(daisy, target)
    (target / "stale.txt").write_text("old")
    slug = store(podcast)[2]["slug"]
    result = invoke("book", slug, "--format", "daisy", "--to", str(target), "--out", str(podcast))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in target.iterdir()) == sorted(
        ["ncc.html", "a01.html", "a01.mp3", "a01c00.smil", "a01c01.smil", "a01c02.smil"]
    )
    assert [p for p in tmp_path.iterdir() if p.name != "daisy"] == []


def test_daisy_never_empties_a_folder_that_is_not_a_book(podcast, tmp_path):
    target = tmp_path / "documents"
    target.mkdir()
    (target / "letter.txt").write_text("keep me")
    result = invoke("book", "--all", "--format", "daisy", "--to", str(target), "--out", str(podcast))
    assert result.returncode == 6 and "holds no DAISY book" in result.stderr
    assert [p.name for p in target.iterdir()] == ["letter.txt"]


@pytest.mark.parametrize("fmt", ["daisy", "epub3"])
def test_interrupted_book_leaves_nothing(podcast, tmp_path, monkeypatch, fmt):
    from audio_news import book

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(book.shutil, "copyfile", interrupted)
    monkeypatch.setattr(book.zipfile.ZipFile, "write", interrupted)
    result = invoke("book", "--all", "--format", fmt, "--to", str(tmp_path / "book"), "--out", str(podcast))
    assert result.returncode == 130 and "interrupted" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_heading_read_in_two_cues_and_a_heading_not_read():
    """A title the voice read as two sentences is one heading; a section heading
    that was not read has no clip, and the NCC takes the reader to its first sentence."""
    import datetime as dt

    from audio_news.book import Book, _epub_smil, _ncc, daisy_files, make_article
    from audio_news.models import Chapter, Cue, Episode

    cues = [
        Cue(0, 900, "الأمطار تعود…"),
        Cue(1000, 1500, "متى؟"),
        Cue(2000, 3000, "قالت الهيئة إن المطر يعود غدا."),
        Cue(4000, 5000, "وتنخفض الحرارة في الليل."),
    ]
    chapters = (Chapter("ch0", "الأمطار تعود.. متى؟", 0, 3500), Chapter("ch1", "الحرارة", 3500, 5200))
    when = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    episode = Episode("g", "s", "الأمطار تعود.. متى؟", "", when, 5200, 1, "episodes/s.mp3", "v", "t", "c", chapters)
    article = make_article(1, episode, cues, Path("s.mp3"))
    lead, section = article.sections
    assert [s.text for s in lead.heading_sentences] == ["الأمطار تعود…", "متى؟"] and len(lead.sentences) == 1
    assert section.heading_sentences == () and section.title == "الحرارة" and len(section.sentences) == 1
    files = daisy_files(Book("urn:uuid:x", "t", when, (article,)))
    assert '<h2 id="a01c01"><a href="a01c01.smil">الحرارة</a></h2>' in files["a01.html"]
    assert files["a01c01.smil"].count("<par") == 1 and 'text src="a01.html#a01s004"' in files["a01c01.smil"]
    ncc = _ncc(Book("urn:uuid:x", "t", when, (article,)), 4, 1)
    assert '<h2 id="na01c01"><a href="a01c01.smil#a01s004p">الحرارة</a></h2>' in ncc
    assert '<h1 class="title" id="na01c00"><a href="a01c00.smil#a01s001p">الأمطار تعود… متى؟</a></h1>' in ncc
    assert "#a01c01" in _epub_smil(article) and _epub_smil(article).count("<par") == 4
