"""The CLI: bad input gives one clear line, a non-zero exit and nothing half-written."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from cli_run import TONE, invoke, run_cli

from audio_news import stitch

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "article.txt"


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """An output folder holding one good episode, to check failures leave it alone."""
    out = tmp_path_factory.mktemp("cli") / "out"
    result = invoke("build", str(SAMPLE), "--out", str(out), "--voice", str(TONE))
    assert result.returncode == 0, result.stderr
    return out


BAD_INPUTS = {
    "empty": (b"", "empty"),
    "whitespace": (b"  \n\t\n  \n", "empty"),
    "no-arabic": (b"Breaking news\nThe council met today and voted.\n", "Arabic"),
    "undecodable": ("عنوان\nفقرة عربية.\n".encode()[:-3] + b"\xff\xfe\x80 \n", "UTF-8"),
    "binary": (bytes(range(256)) * 4, "binary"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_article_one_line_and_nothing_written(published, tmp_path, name):
    data, words = BAD_INPUTS[name]
    article = tmp_path / f"{name}.txt"
    article.write_bytes(data)
    before = snapshot(published)
    result = invoke("build", str(article), "--out", str(published))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(article) in lines[0] and words.lower() in lines[0].lower()
    assert "Traceback" not in result.stderr
    assert snapshot(published) == before


def test_missing_file(published, tmp_path):
    """End to end: the installed command, a bad input, one line and a non-zero exit."""
    result = run_cli("build", str(tmp_path / "nope.txt"), "--out", str(published))
    assert result.returncode != 0 and "nope.txt" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_one_bad_article_stops_before_anything_is_built(published, tmp_path):
    """All inputs are read first: a bad second file means the first is not built either."""
    bad = tmp_path / "bad.txt"
    bad.write_text("no arabic here\nat all.\n")
    before = snapshot(published)
    result = invoke("build", str(SAMPLE), str(bad), str(tmp_path / "missing.txt"), "--out", str(published))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "missing.txt" in result.stderr and "bad.txt" in result.stderr, lines
    assert snapshot(published) == before


def test_unknown_voice(published):
    result = invoke("build", str(SAMPLE), "--out", str(published), "--voice", "no-such-voice")
    assert result.returncode != 0
    assert "no-such-voice" in result.stderr and "espeak-ar" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = invoke("build", str(SAMPLE), "--out", str(blocker / "out"), "--voice", str(TONE))
    assert result.returncode != 0 and str(blocker) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_bad_settings_file(tmp_path):
    config = tmp_path / "settings.toml"
    config.write_text("[audio]\nbitrate_kbps = 97\n")
    result = invoke("build", str(SAMPLE), "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode != 0 and "bitrate_kbps" in result.stderr and str(config) in result.stderr
    assert not (tmp_path / "out").exists()


def test_debug_shows_the_traceback(tmp_path):
    """End to end: the installed command, whose interpreter prints the traceback."""
    result = run_cli("--debug", "build", str(tmp_path / "nope.txt"))
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_failed_build_keeps_the_previous_episode(published, tmp_path, monkeypatch):
    """A build that dies while encoding leaves the feed, store and files as they were."""
    before = snapshot(published)

    def broken(script, audio, pauses, dest, *more):
        dest.write_bytes(b"half an mp3")
        raise stitch.AudioError("encoder died", dest)

    monkeypatch.setattr(stitch, "render", broken)
    result = invoke("build", str(SAMPLE), "--out", str(published), "--voice", str(TONE))
    assert result.returncode != 0 and "encoder died" in result.stderr
    assert snapshot(published) == before


def test_diacritize_keeps_lines_and_letters():
    text = "أعلنت الحكومة خطة جديدة\n\nوقال الوزير إن العمل سيبدأ قريبا.\nبلا أرقام 2024\n"
    result = invoke("diacritize", "-", stdin=text)
    assert result.returncode == 0, result.stderr
    out_lines = result.stdout.split("\n")[:-1]
    in_lines = text.split("\n")[:-1]
    assert len(out_lines) == len(in_lines)
    marks = {chr(c) for c in range(0x064B, 0x0653)} | {"\u0670"}
    for got, want in zip(out_lines, in_lines):
        assert "".join(ch for ch in got if ch not in marks) == want
    assert any(ch in marks for ch in out_lines[0])


def test_normalize_reads_numbers():
    text = "بلغت النسبة 9.4% عام 2008\nسطر بلا أرقام\n\nالتفاصيل على https://news.example/a/2024 الآن\n"
    result = invoke("normalize", "-", stdin=text)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "بلغت النسبة تسعة فاصلة أربعة في المئة عام ألفين وثمانية\nسطر بلا أرقام\n\nالتفاصيل على الآن\n"
    )


def test_voices_lists_the_default():
    result = invoke("voices")
    assert result.returncode == 0 and "espeak-ar" in result.stdout


def test_tashkeel_model_from_settings(tmp_path):
    config = tmp_path / "settings.toml"
    config.write_text('[text]\ntashkeel_model = "rawi-v3-int8"\n', encoding="utf-8")
    result = invoke("diacritize", "-", "--config", str(config), stdin="ذهب الولد إلى المدرسة\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ذَ")
    config.write_text('[text]\ntashkeel_model = "no-such-model"\n', encoding="utf-8")
    result = invoke("diacritize", "-", "--config", str(config), stdin="نص\n")
    assert result.returncode != 0 and "no-such-model" in result.stderr and "libtashkeel" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_feed_without_a_store(tmp_path):
    result = invoke("feed", "--out", str(tmp_path / "typo"))
    assert result.returncode != 0 and "episodes.json" in result.stderr and "typo" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_out_is_a_file(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    result = invoke("build", str(SAMPLE), "--out", str(blocker))
    assert result.returncode != 0 and "is a file, not a folder" in result.stderr


def test_same_article_twice_is_built_once(tmp_path):
    result = invoke("build", str(SAMPLE), str(SAMPLE), "--out", str(tmp_path / "out"), "--voice", str(TONE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("chapters, built in") == 1


def test_serve_port_out_of_range(tmp_path):
    result = invoke("serve", "--out", str(tmp_path), "--port", "99999")
    assert result.returncode != 0 and "Traceback" not in result.stderr and "65535" in result.stderr


def test_line_commands_check_files_as_articles_are(tmp_path):
    pdf = tmp_path / "scan.txt"
    pdf.write_bytes(b"%PDF-1.7\n%binary\n")
    result = invoke("diacritize", str(pdf))
    assert result.returncode != 0 and "PDF" in result.stderr and str(pdf) in result.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = invoke("normalize", str(empty))
    assert result.returncode == 0 and result.stdout == ""


def test_version_is_the_package_version():
    from typer.testing import CliRunner

    from audio_news import __version__
    from audio_news.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"audio-news {__version__}\n"
    assert __version__ and __version__[0].isdigit()


# --- hostile input and a hostile store (issue 10) -----------------------------


def one_line_error(result) -> str:
    """The single stderr line of a failed command (no traceback)."""
    assert result.returncode not in (0, 1), result.stderr  # 1: an escaped exception
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_symlink_loop_as_article(tmp_path):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(tmp_path / "loop2.txt")
    (tmp_path / "loop2.txt").symlink_to(loop)
    line = one_line_error(invoke("build", str(loop), "--out", str(tmp_path / "out"), "--voice", str(TONE)))
    assert str(loop) in line
    assert not (tmp_path / "out").exists()


def test_device_as_article_is_refused(tmp_path):
    line = one_line_error(invoke("build", "/dev/null", "--out", str(tmp_path / "out"), "--voice", str(TONE)))
    assert "/dev/null" in line and "character device" in line


def test_huge_article_is_refused_at_once(tmp_path):
    article = tmp_path / "huge.txt"
    article.write_bytes("عنوان الخبر\n".encode() + "فقرة من خبر طويل جدا. ".encode() * 130_000)  # 5 MB
    line = one_line_error(invoke("build", str(article), "--out", str(tmp_path / "out"), "--voice", str(TONE)))
    assert str(article) in line and "1 MB" in line


def hostile_store(out: Path, **changes) -> Path:
    """An output folder whose one stored episode has `changes` applied."""
    import json

    episodes = out / "episodes"
    episodes.mkdir(parents=True)
    entry = {
        "guid": "g-1",
        "slug": "ep",
        "title": "خبر",
        "description": "مقدمة",
        "pub_date": "2024-05-01T08:30:00+00:00",
        "duration_ms": 1000,
        "size": 10,
        "audio": "episodes/ep.mp3",
        "transcript_vtt": "episodes/ep.vtt",
        "transcript_txt": "episodes/ep.txt",
        "chapters_json": "episodes/ep.chapters.json",
        "chapters": [],
        "source_url": None,
        "article_date": None,
        "voice": "tone",
        "loudness_lufs": -16.0,
        "true_peak_db": -1.5,
        **changes,
    }
    (episodes / "ep.mp3").write_bytes(b"\xff\xfb" + b"\0" * 8)
    store = out / "episodes.json"
    store.write_text(json.dumps([entry], ensure_ascii=False, allow_nan=True), encoding="utf-8")
    return store


@pytest.mark.parametrize(
    "changes",
    [
        {"slug": "../../../x/pwn"},
        {"slug": "../pwn", "audio": "../pwn.mp3"},
        {"title": 5},
        {"duration_ms": "long"},
        {"loudness_lufs": float("nan")},
        {"true_peak_db": float("inf")},
        {"chapters": [{"title": "x"}]},
    ],
    ids=["slug-escapes", "audio-escapes", "title-number", "duration-string", "nan", "infinity", "chapter"],
)
def test_hostile_store_feed_and_build_write_nothing(tmp_path, changes):
    def files() -> dict[str, str]:  # the lock file the commands hold comes and goes: not counted
        return {name: digest for name, digest in snapshot(tmp_path).items() if not name.endswith("/.lock")}

    out = tmp_path / "a" / "b" / "c" / "out"
    store = hostile_store(out, **changes)
    before = files()
    line = one_line_error(invoke("feed", "--out", str(out)))
    assert str(store) in line and "corrupt" in line
    assert files() == before  # nothing written, inside the folder or outside it
    line = one_line_error(invoke("build", str(SAMPLE), "--out", str(out), "--voice", str(TONE)))
    assert str(store) in line
    assert files() == before  # the store is not rewritten before the failure


def test_eval_tashkeel_gold_not_utf8(tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_bytes("ذَهَبَ الوَلَدُ إلى المدرسة.\n".encode("cp1256"))
    line = one_line_error(invoke("eval-tashkeel", str(gold)))
    assert str(gold) in line and "UTF-8" in line


# --- audio-news script: what the voice will read ------------------------------------------

SCRIPT_ARTICLE = ROOT / "tests" / "data" / "script_article.md"
SCRIPT_GOLDEN = ROOT / "tests" / "data" / "script_article.golden.txt"


def test_script_matches_the_golden_listing():
    """The listing of a small article, kept in tests/data; AUDIO_NEWS_UPDATE_GOLDEN=1 rewrites it on purpose
    (when the number reader, the diacritizer or espeak's text preparation change what is read)."""
    import os

    result = invoke("script", str(SCRIPT_ARTICLE.relative_to(ROOT)) if Path.cwd() == ROOT else str(SCRIPT_ARTICLE))
    assert result.returncode == 0, result.stdout + result.stderr
    got = result.stdout.replace(str(SCRIPT_ARTICLE), "tests/data/script_article.md")
    if os.environ.get("AUDIO_NEWS_UPDATE_GOLDEN") == "1":
        SCRIPT_GOLDEN.write_text(got, encoding="utf-8")
    assert got == SCRIPT_GOLDEN.read_text(encoding="utf-8")


def test_script_json_has_chapters_of_sentences():
    import json

    from audio_news.engines.espeak import phonemize

    result = invoke("script", str(SCRIPT_ARTICLE), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == 1 and data["voice"] == "espeak-ar"
    assert [c["title"] for c in data["chapters"]] == ["المجلس البلدي يقر خطة للنقل في الاجتماع الأخير", "تمويل المشروع"]
    sentences = [s for c in data["chapters"] for s in c["sentences"]]
    assert [s["kind"] for s in sentences] == ["title", "paragraph", "heading", "paragraph"]
    assert all(set(s) == {"kind", "text", "spoken", "phonemes"} for s in sentences)
    lead = sentences[1]
    assert lead["text"].startswith("أقر المجلس البلدي في الاجتماع") and "3 أشهر" in lead["text"]
    assert "3" not in lead["spoken"] and "ثَلَاث" in lead["spoken"]  # numbers read, vowels added
    assert "ٱلِجْتِمَاعِ" in lead["spoken"]  # espeak's own preparation: the wasl linked
    assert "aːdʒ" not in lead["phonemes"] and "lidʒtimaːʕ" in lead["phonemes"].replace("ˈ", "").replace("ˌ", "")
    # spoken is exactly what espeak is given: phonemizing it again changes nothing
    assert phonemize(lead["spoken"]) == lead["phonemes"]


def test_script_rate_and_voice_options(tmp_path):
    result = invoke("script", str(SCRIPT_ARTICLE), "--rate", "500")
    assert result.returncode != 0 and "450" in (result.stdout + result.stderr)
    profile = tmp_path / "bare.toml"
    profile.write_text(
        'name = "bare"\nengine = "espeak"\ndiacritize = false\n[settings]\nrate = 120\n', encoding="utf-8"
    )
    result = invoke("script", str(SCRIPT_ARTICLE), "--voice", str(profile), "--rate", "200", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    import json

    data = json.loads(result.stdout)
    spoken = data["chapters"][0]["sentences"][1]["spoken"]
    assert data["voice"] == "bare" and "ثَلَاثَةِ" in spoken  # the number reader vowels its own words
    assert "خطة جديدة" in spoken and "أقر " in spoken  # but the model adds none, nor does espeak's linking


def test_script_bad_article_is_one_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("no arabic here\nat all.\n")
    result = invoke("script", str(bad))
    assert result.returncode != 0
    assert str(bad) in (result.stdout + result.stderr) and "Traceback" not in (result.stdout + result.stderr)


def test_build_rate_reaches_the_voice(monkeypatch, tmp_path):
    """--rate replaces the profile's rate for the build; a value espeak refuses is one line."""
    from audio_news import pipeline
    from audio_news.engines.espeak import EspeakEngine
    from audio_news.errors import PublishError

    seen = []

    def stop(self, article, on_sentence=None):
        seen.append((self.profile.name, self.profile.settings.get("rate"), EspeakEngine(self.profile).sample_rate))
        raise PublishError("stopped by the test", tmp_path)

    monkeypatch.setattr(pipeline.Builder, "build", stop)
    result = invoke("build", str(SCRIPT_ARTICLE), "--out", str(tmp_path / "out"), "--rate", "240")
    assert result.returncode != 0 and "stopped by the test" in (result.stdout + result.stderr)
    assert seen == [("espeak-ar", 240, 22050)]
    result = invoke("build", str(SCRIPT_ARTICLE), "--out", str(tmp_path / "out"))
    assert seen[-1][1] == pipeline.find_profile("espeak-ar").settings["rate"]  # the profile's own


def test_rate_changes_the_pace_not_the_words():
    from audio_news.config import Settings
    from audio_news.pipeline import Builder, with_rate
    from audio_news.synthesize import synthesize_text

    slow, fast = Builder(Settings(), Path("unused"), rate=100), Builder(Settings(), Path("unused"), rate=250)
    sentence = "أَعْلَنَتِ الْحُكُومَةُ الْيَوْمَ عَنْ خُطَّةٍ جَدِيدَةٍ لِدَعْمِ الْمُزَارِعِينَ فِي الْمَنَاطِقِ الرِّيفِيَّةِ."
    assert synthesize_text(sentence, fast.engine).duration_ms < 0.6 * synthesize_text(sentence, slow.engine).duration_ms
    assert with_rate(slow.profile, None) is slow.profile


def test_build_rate_sets_the_episode_length(tmp_path):
    """The whole path: the same article built at 250 is much shorter than at 120."""
    import json

    article = tmp_path / "short.txt"
    article.write_text("خبر قصير\nأعلنت الحكومة اليوم خطة جديدة لدعم المزارعين في المناطق الريفية.\n", encoding="utf-8")
    durations = []
    for rate in ("120", "250"):
        out = tmp_path / f"out{rate}"
        result = invoke("build", str(article), "--out", str(out), "--rate", rate)
        assert result.returncode == 0, result.stdout + result.stderr
        store = json.loads((out / "episodes.json").read_text(encoding="utf-8"))
        episodes = store["episodes"] if isinstance(store, dict) else store
        durations.append(episodes[0]["duration_ms"])
    assert durations[1] < 0.7 * durations[0]


def test_line_commands_name_the_file_of_a_line_too_long(tmp_path):
    """A 12,800-character line with no punctuation: libtashkeel said "input too long", naming no file."""
    text = tmp_path / "run-on.txt"
    text.write_text("كتب الولد الدرس " * 800 + "\n", encoding="utf-8")
    line = one_line_error(invoke("diacritize", str(text)))
    assert str(text) in line and "1,000 words" in line
    line = one_line_error(invoke("normalize", "-", stdin="كتب الولد الدرس " * 800 + "\n"))
    assert "<stdin>" in line


def test_line_commands_bound_stdin():
    line = one_line_error(invoke("normalize", "-", stdin="كتب الولد الدرس.\n" * 70_000))
    assert "<stdin>" in line and "1 MB" in line


# --- list and remove ---------------------------------------------------------------------


@pytest.fixture()
def two_built(tmp_path) -> Path:
    out = tmp_path / "out"
    md = ROOT / "tests" / "data" / "article.md"
    result = invoke("build", str(SAMPLE), str(md), "--out", str(out), "--voice", str(TONE), "--base-url", BASE_URL)
    assert result.returncode == 0, result.stderr
    return out


BASE_URL = "https://news.example/pod"


def stored(out: Path) -> list[dict]:
    return json.loads((out / "episodes.json").read_text(encoding="utf-8"))


def test_list_prints_a_table_and_json(two_built):
    episodes = stored(two_built)
    table = invoke("list", "--out", str(two_built))
    assert table.returncode == 0, table.stderr
    header, *rows = table.stdout.splitlines()
    assert header.split() == ["date", "duration", "title", "slug", "guid"]
    assert len(rows) == 2
    for row, episode in zip(rows, episodes):  # newest first, as stored
        assert row.startswith(episode["pub_date"][:10]) and row.endswith(episode["guid"])
        assert f"  {episode['slug']}  " in row and episode["title"][:20] in row
    assert re.search(r"\s0:\d\d\s", rows[0])
    docs = json.loads(invoke("list", "--out", str(two_built), "--json").stdout)
    assert [(d["guid"], d["slug"], d["duration_ms"]) for d in docs] == [
        (e["guid"], e["slug"], e["duration_ms"]) for e in episodes
    ]
    assert all((two_built / name).is_file() for d in docs for name in d["files"])


def test_list_without_a_store_is_one_line(tmp_path):
    result = invoke("list", "--out", str(tmp_path))
    assert result.returncode == 6 and one_line_error(result).endswith("build an article into it first")
    assert list(tmp_path.iterdir()) == []


def test_remove_by_slug_takes_only_that_episode(two_built):
    gone, kept = stored(two_built)
    before = snapshot(two_built)
    result = invoke("remove", gone["slug"], "--out", str(two_built), "--base-url", BASE_URL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"removed: {gone['slug']} ({gone['guid']})"
    after = snapshot(two_built)
    owned = {gone[k] for k in ("audio", "transcript_vtt", "transcript_txt", "chapters_json", "captions_vtt")}
    owned.add(f"episodes/{gone['slug']}.html")
    assert set(before) - set(after) == owned and set(after) <= set(before)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"episodes.json", "feed.xml", "index.html"}
    assert [e["guid"] for e in stored(two_built)] == [kept["guid"]]
    feed = (two_built / "feed.xml").read_text(encoding="utf-8")
    assert gone["guid"] not in feed and kept["guid"] in feed
    assert f"?v={kept['audio_version']}" in feed  # the rest of the feed as it was, with its base URL
    again = invoke("remove", kept["guid"], "--out", str(two_built), "--base-url", BASE_URL)
    assert again.returncode == 0 and stored(two_built) == []
    assert list((two_built / "episodes").iterdir()) == []
    assert "<item>" not in (two_built / "feed.xml").read_text(encoding="utf-8")


def test_remove_of_an_unknown_episode_is_one_line_and_changes_nothing(two_built):
    first = stored(two_built)[0]
    before = snapshot(two_built)
    result = invoke("remove", first["guid"], "no-such-episode", "--out", str(two_built))
    assert result.returncode == 2
    assert one_line_error(result) == (
        f"audio-news: error: {two_built / 'episodes.json'}: no episode with the guid or slug "
        "'no-such-episode' (see `audio-news list`)"
    )
    assert snapshot(two_built) == before


@pytest.mark.parametrize("body", ["keep_last = -1", "max_age_days = -3", "keep_last = 1.5", "max_age_days = 99999"])
def test_bad_retention_settings_are_one_line(tmp_path, body):
    config = tmp_path / "bad.toml"
    config.write_text(f"[podcast]\n{body}\n", encoding="utf-8")
    result = invoke("build", str(SAMPLE), "--out", str(tmp_path / "out"), "--voice", str(TONE), "-c", str(config))
    assert result.returncode == 3
    key = body.split()[0]
    assert one_line_error(result).startswith(f"audio-news: error: {config}: [podcast] {key} must be")
    assert not (tmp_path / "out").exists()
