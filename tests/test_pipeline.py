"""End to end: articles in all three formats built through the CLI, then every
output read back — the MP3 decoded, its tags, chapters at their real offsets,
loudness, transcripts, chapters JSON and the feed. That build runs the installed
command with the default voice (espeak-ng, bundled) and the default diacritizer,
as a user would; the other builds, where the voice is not the point, run
in-process with the tone voice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from array import array
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest
from cli_run import TONE, command, invoke, run_cli
from feed_clients import check_clients
from ffmpegs import env_for, fake_ffmpeg
from typer.testing import CliRunner

from audio_news import ingest, normalize, publish, stitch, tag
from audio_news.cli import app
from audio_news.config import Settings, with_overrides
from audio_news.engines import register_engine
from audio_news.errors import PublishError
from audio_news.models import Clip, Episode
from audio_news.pipeline import Builder

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
SAMPLE = ROOT / "samples" / "article.txt"
SEED = ROOT.parent / "shared" / "seed" / "000_a9bde49a6959cd4e.txt"
ARTICLES = (SAMPLE, DATA / "article.md", DATA / "article.html")
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": "https://podcastindex.org/namespace/1.0"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("build") / "out"
    result = run_cli("build", *map(str, ARTICLES), "--out", str(out), "--base-url", "https://news.example/pod")
    assert result.returncode == 0, result.stderr
    return out, result


def episodes(out: Path) -> list[Episode]:
    return [Episode.from_dict(d) for d in json.loads((out / "episodes.json").read_text(encoding="utf-8"))]


def by_title(out: Path) -> dict[str, Episode]:
    return {e.title: e for e in episodes(out)}


def vtt_cues(path: Path) -> list[tuple[float, float, str]]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT")
    cues = []
    for block in text.split("\n\n")[1:]:
        lines = block.strip().splitlines()
        if not lines:
            continue
        m = re.fullmatch(r"(\d+):(\d\d):(\d\d\.\d{3}) --> (\d+):(\d\d):(\d\d\.\d{3})", lines[0])
        assert m, lines[0]
        h1, m1, s1, h2, m2, s2 = m.groups()
        cues.append(
            (int(h1) * 3600 + int(m1) * 60 + float(s1), int(h2) * 3600 + int(m2) * 60 + float(s2), "\n".join(lines[1:]))
        )
    return cues


def rms(samples: array, start: int, end: int) -> float:
    window = samples[max(start, 0) : max(end, 0)]
    return (sum(x * x for x in window) / max(len(window), 1)) ** 0.5


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.suffix)
def test_episode_structure_matches_the_article(built, article):
    out, _ = built
    parsed = ingest.read_article(article)
    episode = by_title(out)[parsed.title]
    headings = [s.heading for s in parsed.sections if s.heading]
    assert [c.title for c in episode.chapters] == [parsed.title, *headings]
    mp3 = out / episode.audio
    assert mp3.stat().st_size == episode.size
    assert abs(stitch.decoded_duration_ms(mp3) - episode.duration_ms) <= 50
    # ID3: Arabic intact, chapters where the store and chapters JSON say.
    tags = tag.read_tags(mp3)
    assert tags.title == unicodedata.normalize("NFC", parsed.title)
    assert tags.language == "ara" and tags.genre == "Podcast" and tags.cover
    assert [(c.title, c.start_ms, c.end_ms) for c in tags.chapters] == [
        (c.title, c.start_ms, c.end_ms) for c in episode.chapters
    ]
    assert tags.chapters[0].start_ms == 0 and abs(tags.chapters[-1].end_ms - episode.duration_ms) <= 50
    chapters_json = json.loads((out / episode.chapters_json).read_text(encoding="utf-8"))
    assert chapters_json["version"] == "1.2.0"
    assert [round(c["startTime"] * 1000) for c in chapters_json["chapters"]] == [c.start_ms for c in episode.chapters]


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.suffix)
def test_chapters_and_cues_sit_on_real_speech(built, article):
    """Each cue starts where speech starts in the decoded MP3 (±50 ms), after a pause."""
    out, _ = built
    episode = by_title(out)[ingest.read_article(article).title]
    pcm, rate = stitch.decode_pcm(out / episode.audio, 8000)
    samples = array("h", pcm)
    per_ms = rate / 1000
    cues = vtt_cues(out / episode.transcript_vtt)
    script = normalize.build_script(ingest.read_article(article))
    assert [c[2] for c in cues] == [s.text for s in script.sentences]
    for start, _end, _text in cues[1:]:
        s = int(start * 1000 * per_ms)
        before = rms(samples, s - int(150 * per_ms), s - int(50 * per_ms))
        after = rms(samples, s, s + int(300 * per_ms))
        assert before < 100 < after, (start, before, after)
    cue_starts = {round(c[0] * 1000) for c in cues}
    for chapter in episode.chapters:
        assert any(abs(chapter.start_ms - c) <= 50 for c in cue_starts), chapter


def test_loudness_within_target(built):
    out, _ = built
    for episode in episodes(out):
        lufs, peak = stitch.measure_loudness(out / episode.audio)
        assert -17.0 <= lufs <= -15.0 and peak <= -1.0, (episode.title, lufs, peak)


def test_feed_lists_every_episode(built):
    out, _ = built
    root = ET.parse(out / "feed.xml").getroot()
    channel = root.find("channel")
    assert channel.findtext("language") == "ar"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.find("podcast:guid", NS).text
    items = channel.findall("item")
    stored = by_title(out)
    assert sorted(i.findtext("title") for i in items) == sorted(stored)
    for item in items:
        episode = stored[item.findtext("title")]
        enclosure = item.find("enclosure")
        assert enclosure.get("url").startswith("https://news.example/pod/episodes/")
        assert int(enclosure.get("length")) == (out / episode.audio).stat().st_size
        assert enclosure.get("type") == "audio/mpeg"
        assert int(item.findtext("itunes:duration", namespaces=NS)) == round(episode.duration_ms / 1000)
        assert item.findtext("description") == episode.description
        kinds = {t.get("type") for t in item.findall("podcast:transcript", NS)}
        assert kinds == {"text/vtt", "text/plain"}
        assert item.find("podcast:chapters", NS).get("type") == "application/json+chapters"
    check_clients((out / "feed.xml").read_bytes(), "https://news.example/pod/feed.xml", episodes(out))


def test_transcripts_keep_the_arabic_text(built):
    out, _ = built
    for episode in episodes(out):
        text = (out / episode.transcript_txt).read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text)
        assert episode.title in text
        for chapter in episode.chapters:
            assert chapter.title in text


def test_summary_line_per_article(built):
    _, result = built
    lines = [line for line in result.stdout.splitlines() if "chapters" in line]
    assert len(lines) == len(ARTICLES)
    assert all(re.search(r"\d+:\d\d, \d+ chapters?, built in [\d.]+ s", line) for line in lines)


def test_rebuild_replaces_and_keeps_others(built, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built[0], out)
    before = {e.guid: e for e in episodes(out)}
    result = invoke(
        "build", str(SAMPLE), "--out", str(out), "--base-url", "https://news.example/pod", "--voice", str(TONE)
    )
    assert result.returncode == 0, result.stderr
    after = {e.guid: e for e in episodes(out)}
    assert after.keys() == before.keys()
    guid = next(g for g, e in after.items() if e.title == ingest.read_article(SAMPLE).title)
    assert after[guid].pub_date == before[guid].pub_date
    items = ET.parse(out / "feed.xml").getroot().findall("channel/item")
    assert len(items) == len(before)
    assert not list(out.rglob(".*.tmp"))
    assert len(list((out / "episodes").glob("*.mp3"))) == len(before)


def test_feed_command_rewrites_from_the_store(built, tmp_path):
    out = tmp_path / "out"  # a copy: the other tests read the shared build's feed
    shutil.copytree(built[0], out)
    guid = ET.parse(out / "feed.xml").getroot().find("channel/podcast:guid", NS).text
    (out / "feed.xml").unlink()
    result = invoke("feed", "--out", str(out), "--base-url", "https://other.example/")
    assert result.returncode == 0, result.stderr
    root = ET.parse(out / "feed.xml").getroot()
    assert len(root.findall("channel/item")) == len(episodes(out))
    assert root.find("channel/item/enclosure").get("url").startswith("https://other.example/episodes/")
    assert root.find("channel/podcast:guid", NS).text == guid  # the podcast keeps its id when it moves


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed not present")
def test_seed_builds_with_its_four_sections(tmp_path):
    result = invoke("build", str(SEED), "--out", str(tmp_path / "out"), "--voice", str(TONE))
    assert result.returncode == 0, result.stderr
    (episode,) = episodes(tmp_path / "out")
    assert [c.title for c in episode.chapters][1:] == [
        "إنهاء مهمة التحالف الدولي",
        "جزء رئيسي من البرنامج الحكومي",
        "الانتقال إلى علاقات أمنية ثنائية",
        "مصدرا لعدم الاستقرار",
    ]
    text = (tmp_path / "out" / episode.transcript_txt).read_text(encoding="utf-8")
    assert "اقرأ المزيد" not in text and "كامالا" not in text


def test_two_builds_at_once_keep_both_episodes(tmp_path):
    """Builds into one folder at the same time, as processes: the store lock keeps every episode."""
    out = tmp_path / "out"
    runs = [
        subprocess.Popen(
            [*command(), "build", str(article), "--out", str(out), "--voice", str(TONE)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for article in ARTICLES
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=600)
        assert run.returncode == 0, stderr
    assert len(episodes(out)) == len(ARTICLES)
    assert len(ET.parse(out / "feed.xml").getroot().findall("channel/item")) == len(ARTICLES)


# --- any ffmpeg, same result --------------------------------------------------


@pytest.mark.parametrize("binary", ["no-ffmpeg-on-path", "debian-named"])
def test_builds_alike_without_ffmpeg_on_path_and_with_debians_named(tmp_path, binary):
    """The README's build, run with PATH holding no ffmpeg at all, and with Debian's
    ffmpeg (5.1 on Debian 12) named through AUDIO_NEWS_FFMPEG. The tone voice: the
    ffmpeg is the point here (the `built` fixture runs the default voice)."""
    if binary == "no-ffmpeg-on-path":
        env = {**env_for("bundled"), "PATH": str(Path(sys.executable).parent)}
        assert shutil.which("ffmpeg", path=env["PATH"]) is None
    else:
        env = env_for("debian")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "audio_news", "build", str(SAMPLE), "--out", str(out), "--voice", str(TONE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    # the default base_url's warning and the missing owner e-mail's, nothing else
    line, owner = result.stderr.splitlines()
    assert line.startswith("audio-news: warning: base_url is http://127.0.0.1:8000/"), result.stderr
    assert owner.startswith("audio-news: warning: no e-mail under [podcast]") and "Apple" in owner, result.stderr
    (episode,) = episodes(out)
    mp3 = out / episode.audio
    lufs, peak = stitch.measure_loudness(mp3)  # read back with the bundled ffmpeg
    assert -16.5 <= lufs <= -15.5 and peak <= -1.0, (lufs, peak)
    assert (episode.loudness_lufs, episode.true_peak_db) == pytest.approx((lufs, peak), abs=0.2)
    assert abs(stitch.decoded_duration_ms(mp3) - episode.duration_ms) <= 50
    assert [c.title for c in episode.chapters][0] == ingest.read_article(SAMPLE).title


# --- a failed build leaves nothing ------------------------------------------------


def tree(root: Path) -> list[tuple[str, bytes | None]]:
    """Every path under `root` (folders too) with its bytes: a full listing to compare."""
    return sorted((p.relative_to(root).as_posix(), p.read_bytes() if p.is_file() else None) for p in root.rglob("*"))


def build_with(env: dict[str, str], out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "audio_news", "build", str(SAMPLE), "--out", str(out), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.mark.parametrize("failure", ["killed-while-encoding", "old-ffmpeg", "bad-voice"])
def test_a_first_build_that_fails_leaves_no_file_or_folder(tmp_path, failure):
    tools, work = tmp_path / "tools", tmp_path / "work"
    tools.mkdir(), work.mkdir()
    env, args = env_for("bundled"), ["--voice", str(TONE)]  # the voice is not the point: the tone's is fast
    if failure == "killed-while-encoding":
        env[stitch.FFMPEG_ENV] = str(fake_ffmpeg(tools, fail_on="libmp3lame"))
    elif failure == "old-ffmpeg":
        env[stitch.FFMPEG_ENV] = str(fake_ffmpeg(tools, version="4.4.2-0ubuntu0.22.04.1", drop="^   latency "))
    else:
        voice = tools / "broken.toml"
        voice.write_text('name = "broken"\nengine = "espeak"\n[settings]\nvoice = "no-such-espeak-voice"\n')
        args = ["--voice", str(voice)]
    before = tree(tmp_path)
    result = build_with(env, work / "new" / "out", *args)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("audio-news: error: "), result.stderr
    if failure == "old-ffmpeg":
        assert "ffmpeg 4.4.2-0ubuntu0.22.04.1 lacks the alimiter filter's latency compensation" in lines[0]
        assert "unset AUDIO_NEWS_FFMPEG to use the bundled ffmpeg" in lines[0]
    if failure == "killed-while-encoding":
        assert "cannot encode the MP3: ffmpeg failed: Killed" in lines[0]
    assert tree(tmp_path) == before
    assert not (work / "new").exists()


def test_a_first_build_that_fails_while_publishing_leaves_no_file_or_folder(tmp_path, monkeypatch):
    """The publish step writes the lock and the podcast:guid beside the episode's
    files: a first build that fails there takes them away with the new folder."""

    def no_feed(*args, **kwargs):
        raise PublishError("cannot write the feed: disk on fire", tmp_path / "new" / "feed.xml")

    monkeypatch.setattr(publish, "write_feed", no_feed)
    before = tree(tmp_path)
    result = invoke("build", str(SAMPLE), "--out", str(tmp_path / "new" / "out"), "--voice", str(TONE))
    assert result.returncode == PublishError.exit_code, result.stderr
    assert result.stderr.strip().splitlines() == [
        "audio-news: error: " + str(tmp_path / "new" / "feed.xml") + ": cannot write the feed: disk on fire"
    ]
    assert tree(tmp_path) == before
    assert not (tmp_path / "new").exists()


def test_a_failed_rebuild_leaves_the_folder_byte_for_byte(built, tmp_path):
    out, _ = built
    before = tree(out)
    env = {**env_for("bundled"), stitch.FFMPEG_ENV: str(fake_ffmpeg(tmp_path, fail_on="libmp3lame"))}
    result = build_with(env, out, "--voice", str(TONE))
    assert result.returncode == 5 and "cannot encode the MP3" in result.stderr
    assert tree(out) == before


# --- loudness never fails a build -------------------------------------------------


class ClickyEngine:
    """A voice that is all clicks: one-sample full-scale impulses every 100 ms, in
    silence, as long as the text would take to read. No limiter can bring it to
    -16 LUFS under -1 dBTP."""

    sample_rate = 22050

    def synthesize(self, text: str) -> Clip:
        n = len(text) * self.sample_rate // 15
        x = np.zeros(n)
        x[:: self.sample_rate // 10] = 0.95
        return Clip((x * 32767).astype("<i2").tobytes(), self.sample_rate)


@pytest.fixture
def clicky_voice(tmp_path) -> Path:
    register_engine("clicky", lambda profile: ClickyEngine())
    voice = tmp_path / "clicky.toml"
    voice.write_text('name = "clicky"\nengine = "clicky"\ndiacritize = false\n')
    return voice


def test_a_clicky_voice_builds_as_loud_as_the_ceiling_allows_with_one_warning(tmp_path, clicky_voice):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(SAMPLE), "--out", str(out), "--voice", str(clicky_voice)])
    assert result.exit_code == 0, result.output
    (episode,) = episodes(out)
    lufs, peak = stitch.measure_loudness(out / episode.audio)
    assert -1.6 <= peak <= -1.0 and lufs < -16.5, (lufs, peak)  # the ceiling is what stops it
    assert (episode.loudness_lufs, episode.true_peak_db) == pytest.approx((lufs, peak), abs=0.2)
    warnings = [
        line
        for line in result.stderr.splitlines()
        if "warning" in line and "base_url is" not in line and "no e-mail" not in line
    ]
    assert warnings == [
        f"audio-news: warning: {SAMPLE}: the voice is too peaky for -16 LUFS under -1 dBTP: "
        f"the episode measures {episode.loudness_lufs:.1f} LUFS at {episode.true_peak_db:.1f} dBTP"
    ]


def test_a_build_killed_while_encoding_in_process_leaves_nothing(tmp_path, clicky_voice, monkeypatch):
    def killed(*args: object) -> tuple[float, float]:
        raise KeyboardInterrupt

    monkeypatch.setattr(stitch, "_encode", killed)
    before = tree(tmp_path)
    builder = Builder(with_overrides(Settings(), voice=str(clicky_voice)), tmp_path / "new" / "out")
    with pytest.raises(KeyboardInterrupt):
        builder.build(ingest.read_article(SAMPLE))
    assert tree(tmp_path) == before


def test_old_stores_without_loudness_still_load(tmp_path):
    episode = Episode.from_dict(
        {
            "guid": "g",
            "slug": "s",
            "title": "t",
            "description": "d",
            "pub_date": "2026-01-02T03:04:05+00:00",
            "duration_ms": 1000,
            "size": 10,
            "audio": "episodes/s.mp3",
            "transcript_vtt": "episodes/s.vtt",
            "transcript_txt": "episodes/s.txt",
            "chapters_json": "episodes/s.chapters.json",
        }
    )
    assert episode.loudness_lufs is None and episode.true_peak_db is None
    again = replace(episode, loudness_lufs=-16.1, true_peak_db=-1.4)
    assert Episode.from_dict(json.loads(json.dumps(again.to_dict()))) == again


# --- episode identity -----------------------------------------------------------

BULLETIN = "نشرة الأخبار"


def write_article(folder: Path, name: str, body: str, title: str = BULLETIN) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"{title}\n{body}\n", encoding="utf-8")
    return path


def test_two_articles_with_one_title_are_two_episodes(tmp_path):
    out = tmp_path / "out"
    first = write_article(tmp_path / "in", "monday.txt", "افتتحت الحكومة اليوم جسرا جديدا فوق النهر.")
    second = write_article(tmp_path / "in2", "monday.txt", "ارتفعت أسعار الذهب في الأسواق المحلية.")
    for article in (first, second):
        result = invoke("build", str(article), "--out", str(out), "--voice", str(TONE))
        assert result.returncode == 0, result.stderr
        assert "replaced" not in result.stdout
    stored = episodes(out)
    assert [e.title for e in stored] == [BULLETIN, BULLETIN]
    assert len({e.guid for e in stored}) == 2 and len({e.slug for e in stored}) == 2
    assert all((out / e.audio).is_file() and (out / e.transcript_vtt).is_file() for e in stored)
    items = ET.parse(out / "feed.xml").getroot().findall("channel/item")
    assert sorted(i.findtext("guid") for i in items) == sorted(e.guid for e in stored)


def test_the_same_article_rebuilt_keeps_one_guid_and_says_replaced(tmp_path):
    out = tmp_path / "out"
    article = write_article(tmp_path / "in", "bulletin.txt", "افتتحت الحكومة اليوم جسرا جديدا فوق النهر.")
    first = invoke("build", str(article), "--out", str(out), "--voice", str(TONE))
    assert first.returncode == 0, first.stderr
    (before,) = episodes(out)
    # the same text saved again with other spacing and line endings is the same article
    article.write_bytes(f"  {BULLETIN}\r\nافتتحت الحكومة  اليوم جسرا جديدا فوق النهر.\r\n".encode())
    again = invoke("build", str(article), "--out", str(out), "--voice", str(TONE))
    assert again.returncode == 0, again.stderr
    (after,) = episodes(out)
    assert (after.guid, after.slug, after.pub_date) == (before.guid, before.slug, before.pub_date)
    assert after.source_hash == before.source_hash
    replaced = [line for line in again.stdout.splitlines() if line.startswith("replaced:")]
    assert len(replaced) == 1 and before.guid in replaced[0]
    # the enclosure carries the MP3's own version token
    url = ET.parse(out / "feed.xml").getroot().find("channel/item/enclosure").get("url")
    digest = hashlib.sha256((out / after.audio).read_bytes()).hexdigest()
    assert unquote(url).endswith(f"{after.audio}?v={digest[:12]}") and after.audio_version == digest[:12]


def test_new_audio_under_an_old_guid_gets_a_new_version_token(tmp_path):
    out = tmp_path / "out"
    article = write_article(tmp_path / "in", "bulletin.txt", "افتتحت الحكومة اليوم جسرا جديدا فوق النهر.")
    assert invoke("build", str(article), "--out", str(out), "--voice", str(TONE)).returncode == 0
    (before,) = episodes(out)
    voice = tmp_path / "slow-tone.toml"
    voice.write_text(TONE.read_text(encoding="utf-8").replace("ms_per_letter = 10", "ms_per_letter = 14"), "utf-8")
    slower = invoke("build", str(article), "--out", str(out), "--voice", str(voice))
    assert slower.returncode == 0, slower.stderr
    (after,) = episodes(out)
    assert after.guid == before.guid and after.audio_version != before.audio_version
    assert "new audio under the same guid" in slower.stdout


# --- the podcast's own guid ---------------------------------------------------------


def channel_guid_of(out: Path) -> str:
    return ET.parse(out / "feed.xml").getroot().find("channel/podcast:guid", NS).text


def non_owner_warnings(stderr: str) -> list[str]:
    """The warning lines other than the one about a missing owner e-mail (these builds set none)."""
    lines = [line for line in stderr.splitlines() if "warning" in line]
    assert sum("no e-mail under [podcast]" in line for line in lines) == 1, stderr  # one, every time
    return [line for line in lines if "no e-mail" not in line]


def test_two_installs_with_their_own_base_urls_have_their_own_podcast_guids(tmp_path):
    article = write_article(tmp_path / "in", "a.txt", "افتتحت الحكومة اليوم جسرا جديدا فوق النهر.")
    guids = []
    for n, base in enumerate(("https://one.example/pod/", "https://two.example/")):
        out = tmp_path / f"out{n}"
        result = invoke("build", str(article), "--out", str(out), "--voice", str(TONE), "--base-url", base)
        assert result.returncode == 0, result.stderr
        assert not non_owner_warnings(result.stderr), result.stderr
        guids.append(channel_guid_of(out))
        assert guids[-1] == publish.podcast_guid(base + "feed.xml")
    assert guids[0] != guids[1]


def test_the_default_base_url_warns_once_and_the_real_url_makes_the_guid(tmp_path):
    out = tmp_path / "out"
    first = write_article(tmp_path / "in", "a.txt", "افتتحت الحكومة اليوم جسرا جديدا فوق النهر.")
    second = write_article(tmp_path / "in", "b.txt", "ارتفعت أسعار الذهب في الأسواق المحلية.", title="الذهب")
    local = invoke("build", str(first), str(second), "--out", str(out), "--voice", str(TONE))
    assert local.returncode == 0, local.stderr
    warnings = non_owner_warnings(local.stderr)
    assert len(warnings) == 1, local.stderr
    assert "only from this machine" in warnings[0] and "--base-url" in warnings[0] and "base_url" in warnings[0]
    assert not (out / publish.GUID_NAME).exists()  # the loopback guid is not kept
    real = invoke("feed", "--out", str(out), "--base-url", "https://news.example/pod/")
    assert real.returncode == 0 and not non_owner_warnings(real.stderr), real.stderr
    guid = channel_guid_of(out)
    assert guid == publish.podcast_guid("https://news.example/pod/feed.xml")
    moved = invoke("feed", "--out", str(out), "--base-url", "https://cdn.example/")
    assert moved.returncode == 0 and channel_guid_of(out) == guid  # moving the feed keeps it


# --- real clients -------------------------------------------------------------------


def test_a_built_feed_is_seen_whole_by_feedparser_and_podcastparser(tmp_path):
    out = tmp_path / "out"
    base = "https://news.example/pod/"
    result = invoke("build", *map(str, ARTICLES), "--out", str(out), "--voice", str(TONE), "--base-url", base)
    assert result.returncode == 0, result.stderr
    stored = episodes(out)
    assert len(stored) == len(ARTICLES) and all(len(e.chapters) > 1 for e in stored)
    check_clients((out / "feed.xml").read_bytes(), base + "feed.xml", stored)


def test_episode_numbers_captions_show_notes_and_source_in_a_built_feed(tmp_path):
    config = tmp_path / "settings.toml"
    config.write_text(
        '[podcast]\nbase_url = "https://news.example/pod/"\nemail = "desk@news.example"\nepisode_numbers = true\n'
        'license = "cc-by-4.0"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    first = write_article(tmp_path / "in", "a.txt", "افتتحت الحكومة اليوم جسرا جديدا فوق النهر.")
    second = write_article(tmp_path / "in", "b.txt", "ارتفعت أسعار الذهب في الأسواق المحلية.", title="الذهب")
    for article in (first, second, first):  # the rebuilt first keeps its number
        result = invoke("build", str(article), "--out", str(out), "--voice", str(TONE), "--config", str(config))
        assert result.returncode == 0, result.stderr
        assert "warning" not in result.stderr  # a real base_url and an owner e-mail: nothing to warn about
    stored = {e.title: e for e in episodes(out)}
    assert stored[BULLETIN].number == 1 and stored["الذهب"].number == 2
    for episode in stored.values():
        captions = (out / episode.captions_vtt).read_text(encoding="utf-8")
        assert captions.startswith("WEBVTT") and " --> " in captions
        assert (out / episode.transcript_vtt).is_file()  # the sentence VTT the player and book read
    feed = (out / "feed.xml").read_bytes()
    check_clients(feed, "https://news.example/pod/feed.xml", list(stored.values()))
    root = ET.fromstring(feed)
    numbers = sorted(int(e.text) for e in root.iter("{http://www.itunes.com/dtds/podcast-1.0.dtd}episode"))
    assert numbers == [1, 2]
    assert b"podcast:license>cc-by-4.0<" in feed and b"content:encoded" in feed


# --- managing the podcast: retention, --dry-run, --json ----------------------------------


def settings_file(folder: Path, body: str) -> Path:
    path = folder / "settings.toml"
    path.write_text(body, encoding="utf-8")
    return path


def dated_article(folder: Path, name: str, date: str, body: str) -> Path:
    """A Markdown article with a date in its front matter (its episode's pub_date)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\ndate: {date}\n---\n# {BULLETIN} {name}\n\n{body}\n", encoding="utf-8")
    return path


def test_keep_last_removes_the_oldest_in_the_same_build(tmp_path):
    out, config = tmp_path / "out", settings_file(tmp_path, "[podcast]\nkeep_last = 2\n")
    days = ("2024-01-01", "2024-02-01", "2024-03-01")
    bodies = ("افتتحت الحكومة جسرا جديدا.", "ارتفعت أسعار الذهب اليوم.", "هطلت أمطار غزيرة على المدينة.")
    paths = [dated_article(tmp_path / "in", f"a{i}.md", d, b) for i, (d, b) in enumerate(zip(days, bodies))]
    first = invoke("build", *map(str, paths[:2]), "--out", str(out), "--voice", str(TONE), "-c", str(config))
    assert first.returncode == 0 and "retention" not in first.stdout, first.stdout
    (oldest,) = [e for e in episodes(out) if e.pub_date.date().isoformat() == days[0]]
    third = invoke("build", str(paths[2]), "--out", str(out), "--voice", str(TONE), "-c", str(config))
    assert third.returncode == 0, third.stderr
    assert [line for line in third.stdout.splitlines() if line.startswith("retention removed:")] == [
        f"retention removed: {oldest.slug} ({oldest.guid}, published {days[0]})"
    ]
    assert sorted(e.pub_date.date().isoformat() for e in episodes(out)) == list(days[1:])
    assert not any((out / name).exists() for name in publish.episode_files(oldest))
    assert not (out / "episodes" / f"{oldest.slug}.html").exists()
    items = ET.parse(out / "feed.xml").getroot().findall("channel/item")
    assert sorted(i.findtext("guid") for i in items) == sorted(e.guid for e in episodes(out))


def test_max_age_days_removes_old_episodes_but_never_the_one_just_built(tmp_path):
    out, config = tmp_path / "out", settings_file(tmp_path, "[podcast]\nmax_age_days = 30\n")
    old = dated_article(tmp_path / "in", "old.md", "2020-05-01", "خبر قديم عن افتتاح مكتبة.")
    again = dated_article(tmp_path / "in", "older.md", "2019-05-01", "خبر أقدم عن افتتاح حديقة.")
    fresh = write_article(tmp_path / "in", "fresh.txt", "خبر اليوم عن افتتاح متحف.")
    build = ["--out", str(out), "--voice", str(TONE), "-c", str(config)]
    assert invoke("build", str(old), *build).returncode == 0
    assert [e.pub_date.year for e in episodes(out)] == [2020]  # old, but just built: kept
    result = invoke("build", str(again), *build)  # the 2020 one goes, the 2019 one stays (just built)
    assert result.returncode == 0 and "retention removed:" in result.stdout, result.stdout
    assert [e.pub_date.year for e in episodes(out)] == [2019]
    assert invoke("build", str(fresh), *build).returncode == 0
    (left,) = episodes(out)
    assert left.title == BULLETIN and len(list((out / "episodes").glob("*.mp3"))) == 1


def test_publish_expired_counts_the_new_episode_among_keep_last():
    now = dt.datetime(2025, 1, 31, tzinfo=dt.UTC)
    made = [
        Episode(
            f"g{d}", f"s{d}", "t", "", dt.datetime(2025, 1, d, tzinfo=dt.UTC), 0, 0, f"episodes/s{d}.mp3", "", "", ""
        )
        for d in (1, 10, 20, 30)
    ]
    assert [e.guid for e in publish.expired(made, 2, 0, now)] == ["g10", "g1"]
    assert [e.guid for e in publish.expired(made, 2, 0, now, keep="g1")] == ["g20", "g10"]
    assert [e.guid for e in publish.expired(made, 0, 15, now)] == ["g10", "g1"]
    assert [e.guid for e in publish.expired(made, 3, 15, now)] == ["g10", "g1"]
    assert publish.expired(made, 0, 0, now) == ()


def test_dry_run_reports_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    config = settings_file(tmp_path, "[podcast]\nkeep_last = 1\n")
    fresh = invoke("build", str(SAMPLE), "--out", str(out), "--voice", str(TONE), "--dry-run")
    assert fresh.returncode == 0, fresh.stderr
    assert not out.exists()  # not even the folder
    assert fresh.stdout.splitlines()[-1] == f"dry run: nothing was written to {out}"
    assert invoke("build", str(SAMPLE), "--out", str(out), "--voice", str(TONE)).returncode == 0
    (first,) = episodes(out)
    before = tree(out)
    args = ["--out", str(out), "--voice", str(TONE), "-c", str(config), "--dry-run"]
    plan = invoke("build", str(SAMPLE), str(DATA / "article.md"), *args)
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    assert f"would replace episode {first.guid}" in lines[0] and "would write 5 files" in lines[0]
    assert "new episode" in lines[1]
    assert lines[2] == f"  retention would remove: {first.slug} ({first.guid}, {first.pub_date:%Y-%m-%d})"
    as_json = invoke("build", str(SAMPLE), str(DATA / "article.md"), *args, "--json")
    docs = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [(d["dry_run"], d["replaced"], d["guid"] == first.guid) for d in docs] == [
        (True, True, True),
        (True, False, False),
    ]
    assert docs[1]["expired"] == [{"guid": first.guid, "slug": first.slug, "title": first.title}]
    assert docs[0]["files"][0] == first.audio and docs[0]["sentences"] > 0 and docs[0]["chapters"] == 4
    assert tree(out) == before


def test_build_json_prints_one_object_per_article_for_scripts(tmp_path):
    out = tmp_path / "out"
    args = ["--out", str(out), "--voice", str(TONE), "--base-url", "https://news.example/pod"]
    result = invoke("build", str(SAMPLE), str(DATA / "article.md"), *args, "--json")
    assert result.returncode == 0, result.stderr
    docs = [json.loads(line) for line in result.stdout.splitlines()]  # nothing else on stdout
    stored = {e.guid: e for e in episodes(out)}
    assert [d["source"] for d in docs] == [str(SAMPLE), str(DATA / "article.md")]
    for doc in docs:
        episode = stored[doc["guid"]]
        assert (doc["slug"], doc["duration_ms"], doc["audio_version"]) == (
            episode.slug,
            episode.duration_ms,
            episode.audio_version,
        )
        assert doc["files"][0] == episode.audio and all((out / name).is_file() for name in doc["files"])
        assert doc["replaced"] is False and doc["expired"] == []
        assert doc["loudness_lufs"] == episode.loudness_lufs and abs(doc["loudness_lufs"] + 16) < 1.5
    again = invoke("build", str(SAMPLE), *args, "--json")
    (doc,) = [json.loads(line) for line in again.stdout.splitlines()]
    assert doc["replaced"] is True and doc["guid"] == docs[0]["guid"]


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.suffix)
def test_chapters_start_at_the_speech_onsets_in_the_decoded_mp3(built, article):
    """Each chapter after the first starts where speech starts again after its section
    pause, found in the decoded MP3 (±50 ms): the encoder delays and paddings of the
    stretches the MP3 was encoded in, in parallel, are all counted."""
    out, _ = built
    episode = by_title(out)[ingest.read_article(article).title]
    pcm, rate = stitch.decode_pcm(out / episode.audio, 8000)
    x = np.frombuffer(pcm, "<i2").astype(np.float64)
    window = rate * 5 // 1000  # 5 ms
    energy = np.sqrt((x[: len(x) // window * window].reshape(-1, window) ** 2).mean(axis=1))
    loud = energy > energy.max() * 10 ** (-40 / 20)
    assert len(episode.chapters) >= 2
    assert episode.duration_ms > 2 * stitch.CHUNK_MIN_S * 1000  # long enough to be cut, on two cores or more
    for chapter in episode.chapters[1:]:
        first = chapter.start_ms // 5
        assert not loud[first - 100 : first - 10].any(), chapter  # the section pause before it
        onset = (first - 80 + int(np.argmax(loud[first - 80 : first + 80]))) * 5
        assert loud[onset // 5] and abs(onset - chapter.start_ms) <= 50, (chapter, onset)


def test_sections_are_chapter_mp3s_published_and_removed_with_the_episode(tmp_path):
    out = tmp_path / "out"
    article = DATA / "article.md"
    result = invoke("build", str(article), "--out", str(out), "--voice", str(TONE), "--sections")
    assert result.returncode == 0, result.stderr
    (episode,) = episodes(out)
    assert len(episode.sections) == len(episode.chapters) >= 2
    assert episode.sections == tuple(
        f"episodes/{episode.slug}.{n:02d}.mp3" for n in range(1, len(episode.chapters) + 1)
    )
    lengths = []
    for n, (name, chapter) in enumerate(zip(episode.sections, episode.chapters), 1):
        tags = tag.read_tags(out / name)
        assert (tags.title, tags.track) == (unicodedata.normalize("NFC", chapter.title), f"{n}/{len(episode.sections)}")
        lengths.append(stitch.decoded_duration_ms(out / name))
    assert abs(sum(lengths) - stitch.decoded_duration_ms(out / episode.audio)) <= 100
    assert abs(sum(lengths) - episode.duration_ms) <= 100
    # A dry run names the same section files the build wrote.
    planned = invoke(
        "build", str(article), "--out", str(out), "--voice", str(TONE), "--sections", "--dry-run", "--json"
    )
    assert planned.returncode == 0, planned.stderr
    assert [f for f in json.loads(planned.stdout)["files"] if f.endswith(".mp3")][1:] == list(episode.sections)
    # Rebuilt without sections: the old section files go in the same publish.
    result = invoke("build", str(article), "--out", str(out), "--voice", str(TONE))
    assert result.returncode == 0, result.stderr
    assert episodes(out)[0].sections == () and not [n for n in episode.sections if (out / n).exists()]
    result = invoke("build", str(article), "--out", str(out), "--voice", str(TONE), "--sections")
    assert all((out / n).is_file() for n in episode.sections)
    result = invoke("remove", episode.slug, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert not list((out / "episodes").glob("*.mp3"))
