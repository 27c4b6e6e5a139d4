"""The web player in a real browser: tests/browser/player.test.mjs run by node.

Builds an output folder with a 23 s MP3 (a tone), four chapters that start
between whole seconds (5.75 s: the page must say 0:05, as the audio element
does), a transcript written by hand and an audio version token (`?v=`), serves it with audio_news.serve on a free port of
127.0.0.1, and runs the node script (playwright-core driving Debian's
/usr/bin/chromium, plus axe-core) against the episode page, over HTTP and
from file://. The second test's episode comes from a real `audio-news build`.
One node run checks both pages in one browser (starting chromium is the slow
part); each test reads its own page's checks from that run.

Skips only when chromium, node or tests/browser/node_modules are missing
(`.ci/run` installs them); with AUDIO_NEWS_REQUIRE_BROWSER=1 it fails instead.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest
from cli_run import TONE, invoke
from ffmpegs import sine_mp3

from audio_news import player, serve
from audio_news.config import PodcastSettings
from audio_news.models import Chapter, Episode

pytestmark = pytest.mark.browser

BROWSER_DIR = Path(__file__).parent / "browser"
SCRIPT = BROWSER_DIR / "player.test.mjs"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SLUG = "test-episode"
CHAPTER_TITLES = ("مقدمة", "الأسواق العربية", "النفط والغاز", "الخلاصة")
SENTENCES = (
    "الاقتصادُ العربيُّ في عامٍ جديد.",
    "هذه نشرة تجريبية.",
    "ارتفعت الأسهم في الأسواق العربية.",
    "وسجل المؤشر العام مكاسب واضحة.",
    "تراجعت أسعار النفط والغاز.",
    "بسبب وفرة المعروض.",
    "وفي الخلاصة، عام من التحولات.",
    "شكرًا على الاستماع.",
)


def _missing() -> str | None:
    if not Path(CHROMIUM).is_file():
        return f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
    if shutil.which("node") is None:
        return "no node on PATH"
    for package in ("playwright-core", "axe-core"):
        if not (BROWSER_DIR / "node_modules" / package / "package.json").is_file():
            return f"no {package} in tests/browser/node_modules (cd tests/browser && npm ci)"
    return None


def _vtt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def build_output(out: Path, seconds: int = 23) -> Episode:
    """An output folder like publish writes, with a tone MP3 and hand-made sidecars."""
    episodes = out / "episodes"
    episodes.mkdir(parents=True)
    mp3 = episodes / f"{SLUG}.mp3"
    sine_mp3(mp3, seconds, frequency=330)
    step = seconds / len(CHAPTER_TITLES)
    chapters = tuple(
        Chapter(f"ch{i}", title, round(i * step * 1000), round((i + 1) * step * 1000))
        for i, title in enumerate(CHAPTER_TITLES)
    )
    cue_len = seconds / len(SENTENCES)
    vtt = ["WEBVTT", ""]
    for i, sentence in enumerate(SENTENCES):
        vtt += [f"{_vtt_time(i * cue_len)} --> {_vtt_time((i + 1) * cue_len - 0.2)}", sentence, ""]
    (episodes / f"{SLUG}.vtt").write_text("\n".join(vtt), encoding="utf-8")
    (episodes / f"{SLUG}.txt").write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    (episodes / f"{SLUG}.chapters.json").write_text(
        json.dumps(
            {
                "version": "1.2.0",
                "chapters": [
                    {"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000, "title": c.title} for c in chapters
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    episode = Episode(
        guid="urn:test:browser",
        slug=SLUG,
        title=SENTENCES[0].rstrip("."),
        description=SENTENCES[1],
        pub_date=dt.datetime(2025, 3, 9, 8, 0, tzinfo=dt.UTC),
        duration_ms=seconds * 1000,
        size=mp3.stat().st_size,
        audio=f"episodes/{SLUG}.mp3",
        transcript_vtt=f"episodes/{SLUG}.vtt",
        transcript_txt=f"episodes/{SLUG}.txt",
        chapters_json=f"episodes/{SLUG}.chapters.json",
        chapters=chapters,
        source_url="https://news.example/a",
        article_date=dt.date(2025, 3, 8),
        audio_version="0123456789ab",
    )
    (out / "episodes.json").write_text(json.dumps([episode.to_dict()], ensure_ascii=False), encoding="utf-8")
    (out / "feed.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>t</title></channel></rss>\n',
        encoding="utf-8",
    )
    (out / "cover.png").write_bytes(resources.files("audio_news").joinpath("data", "cover.png").read_bytes())
    player.write_site(out, [episode], PodcastSettings())
    return episode


@dataclass(frozen=True)
class BrowserRun:
    """The one node run over both pages, and the real build's server (still running)."""

    result: subprocess.CompletedProcess[str]
    hand_made: str  # the hand-made episode page's http URL
    built: str  # the built episode page's http URL
    built_out: Path
    built_base: str
    built_episode: Episode

    def page_report(self, url: str) -> str:
        """The lines the node script printed for the page at `url` (from "# page URL" on)."""
        sections = re.split(r"^# page ", self.result.stdout, flags=re.M)
        mine = [section for section in sections if section.startswith(url + "\n")]
        assert len(mine) == 1, self.result.stdout + self.result.stderr
        return mine[0]


@pytest.fixture(scope="module")
def browser_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserRun]:
    reason = _missing()
    if reason:
        if os.environ.get("AUDIO_NEWS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser test required but {reason}")
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("browser") / "out"
    episode = build_output(out)
    page = player.page_name(episode)
    # From a fresh output folder: `audio-news build` with the tone voice, on a free port so the feed's URLs are real.
    built_out = tmp_path_factory.mktemp("browser-built") / "out"
    sample = Path(__file__).resolve().parent.parent / "samples" / "article.txt"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    built = invoke(
        "build", str(sample), "--out", str(built_out), "--base-url", f"http://127.0.0.1:{port}/", "--voice", str(TONE)
    )
    assert built.returncode == 0, built.stderr
    (stored,) = json.loads((built_out / "episodes.json").read_text(encoding="utf-8"))
    built_episode = Episode.from_dict(stored)
    with ExitStack() as servers:
        base = servers.enter_context(serve.running(out))
        built_base = servers.enter_context(serve.running(built_out, port=port))
        hand_made_url, built_url = base + page, built_base + player.page_name(built_episode)
        result = subprocess.run(
            ["node", str(SCRIPT), hand_made_url, (out / page).resolve().as_uri(), built_url],
            cwd=BROWSER_DIR,
            env=dict(os.environ, CHROMIUM=CHROMIUM),
            capture_output=True,
            text=True,
            timeout=300,
        )
        print(result.stdout + result.stderr)
        yield BrowserRun(result, hand_made_url, built_url, built_out, built_base, built_episode)


def _assert_page_passed(run: BrowserRun, url: str) -> None:
    """The node run ended normally (0, or 1 for a failed check) and every check of this page passed."""
    report = run.result.stdout + run.result.stderr
    assert run.result.returncode in (0, 1) and re.search(r"^\d+ passed, \d+ failed$", run.result.stdout, re.M), report
    mine = run.page_report(url)
    assert re.search(r"^page: [1-9]\d* passed, 0 failed$", mine, re.M), mine


def test_player_in_chromium(browser_run: BrowserRun) -> None:
    _assert_page_passed(browser_run, browser_run.hand_made)
    assert "ok - from file:// it works with no server" in browser_run.page_report(browser_run.hand_made)


def test_player_on_a_real_built_episode(browser_run: BrowserRun) -> None:
    """From a fresh output folder: `audio-news build`, then serve, then the same browser checks,
    and a client fetching feed.xml and its enclosure with a Range request."""
    base, out, episode = browser_run.built_base, browser_run.built_out, browser_run.built_episode
    feed = ET.fromstring(urllib.request.urlopen(base + "feed.xml", timeout=10).read())
    url = feed.find("channel/item/enclosure").get("url")
    assert url.startswith(base)
    request = urllib.request.Request(url, headers={"Range": "bytes=100-199"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 206
        assert response.read() == (out / episode.audio).read_bytes()[100:200]
    _assert_page_passed(browser_run, browser_run.built)
