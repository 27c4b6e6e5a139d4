"""The web player in a real browser: tests/browser/player.test.mjs run by node.

Builds an output folder with a 23 s MP3 (a tone), four chapters that start
between whole seconds (5.75 s: the page must say 0:05, as the audio element
does), a transcript written by hand and an audio version token (`?v=`), serves it with audio_news.serve on a free port of
127.0.0.1, and runs the node script (playwright-core driving Debian's
/usr/bin/chromium, plus axe-core) against the episode page, over HTTP and
from file://.

Skips only when chromium, node or tests/browser/node_modules are missing
(`.ci/run` installs them); with AUDIO_NEWS_REQUIRE_BROWSER=1 it fails instead.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
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


def test_player_in_chromium(tmp_path: Path) -> None:
    reason = _missing()
    if reason:
        if os.environ.get("AUDIO_NEWS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser test required but {reason}")
        pytest.skip(reason)
    out = tmp_path / "out"
    episode = build_output(out)
    page = player.page_name(episode)
    env = dict(os.environ, CHROMIUM=CHROMIUM)
    with serve.running(out) as base:
        result = subprocess.run(
            ["node", str(SCRIPT), base + page, (out / page).resolve().as_uri()],
            cwd=BROWSER_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    report = result.stdout + result.stderr
    print(report)
    assert result.returncode == 0, report
    assert " 0 failed" in result.stdout


def test_player_on_a_real_built_episode(tmp_path: Path) -> None:
    """From a fresh output folder: `audio-news build`, then serve, then the same browser checks,
    and a client fetching feed.xml and its enclosure with a Range request."""
    import socket
    import urllib.request
    import xml.etree.ElementTree as ET

    reason = _missing()
    if reason:
        pytest.skip(reason)
    out = tmp_path / "out"
    sample = Path(__file__).resolve().parent.parent / "samples" / "article.txt"
    with socket.socket() as probe:  # a free port, so the feed's URLs are real
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    built = invoke(
        "build", str(sample), "--out", str(out), "--base-url", f"http://127.0.0.1:{port}/", "--voice", str(TONE)
    )
    assert built.returncode == 0, built.stderr
    (stored,) = json.loads((out / "episodes.json").read_text(encoding="utf-8"))
    episode = Episode.from_dict(stored)
    page = player.page_name(episode)
    with serve.running(out, port=port) as base:
        feed = ET.fromstring(urllib.request.urlopen(base + "feed.xml", timeout=10).read())
        url = feed.find("channel/item/enclosure").get("url")
        assert url.startswith(base)
        request = urllib.request.Request(url, headers={"Range": "bytes=100-199"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 206
            assert response.read() == (out / episode.audio).read_bytes()[100:200]
        result = subprocess.run(
            ["node", str(SCRIPT), base + page],
            cwd=BROWSER_DIR,
            env=dict(os.environ, CHROMIUM=CHROMIUM),
            capture_output=True,
            text=True,
            timeout=180,
        )
    report = result.stdout + result.stderr
    print(report)
    assert result.returncode == 0, report
    assert " 0 failed" in result.stdout
