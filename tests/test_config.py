"""Settings: every key checked when the file is read, one line naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio_news.config import MAX_PAUSE_MS, Settings, load_settings, with_overrides
from audio_news.diacritize import Diacritizer
from audio_news.errors import ConfigError

COVER = Path(__file__).resolve().parent.parent / "audio_news" / "data" / "cover.png"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file():
    assert load_settings(None) == Settings()


def test_every_key_read(tmp_path):
    path = write(
        tmp_path,
        f'''voice = "espeak-ar"
[podcast]
title = "نشرة"
base_url = "https://news.example/pod/"
image = "{COVER}"
category = "Technology"
email = "desk@news.example"
guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
[audio]
loudness_lufs = -20
bitrate_kbps = 128
sample_rate = 48000
[pauses]
after_heading_ms = 1000
[text]
months = "both"
tashkeel_model = "rawi-v3-int8"
''',
    )
    settings = load_settings(path)
    assert settings.podcast.title == "نشرة" and settings.podcast.category == "Technology"
    assert settings.audio.loudness_lufs == -20.0 and settings.audio.sample_rate == 48000
    assert settings.pauses.after_heading_ms == 1000 and settings.text.months == "both"


@pytest.mark.parametrize(
    "text, words",
    [
        ("[pauses]\nbetween_sections_ms = 99999999\n", f"between_sections_ms must be in 0..{MAX_PAUSE_MS}"),
        ("[pauses]\nafter_title_ms = -1\n", "after_title_ms"),
        ("[audio]\nbitrate_kbps = 97\n", "bitrate_kbps"),
        ("[audio]\nloudness_lufs = -50\n", "loudness_lufs"),
        ("[audio]\ntrue_peak_db = 2\n", "true_peak_db"),
        ('[audio]\nbitrate_kbps = "96"\n', "must be a whole number"),
        ('[podcast]\ncategory = "Cooking"\n', "category must be one of"),
        ('[podcast]\nbase_url = "example.com/pod"\n', "base_url must start with http"),
        ('[podcast]\nemail = "not-an-email"\n', "email"),
        ('[podcast]\nguid = "abc"\n', "guid must be a UUID"),
        ('[podcast]\nimage = "missing.png"\n', "image"),
        ('[text]\nmonths = "x"\n', "months must be one of"),
        ("[podcast]\nnope = 1\n", "unknown key 'nope'"),
    ],
    ids=[
        "pause-huge",
        "pause-negative",
        "bitrate",
        "loudness",
        "peak",
        "type",
        "category",
        "base-url",
        "email",
        "guid",
        "image-missing",
        "choice",
        "unknown-key",
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert words in str(err.value) and str(path) in str(err.value)


def test_cover_must_be_a_real_image(tmp_path):
    fake = tmp_path / "cover.png"
    fake.write_bytes(b"not an image")
    with pytest.raises(ConfigError, match="not a PNG or JPEG"):
        load_settings(write(tmp_path, '[podcast]\nimage = "cover.png"\n'))
    small = tmp_path / "small.png"
    small.write_bytes(COVER.read_bytes()[:16] + (100).to_bytes(4, "big") * 2 + COVER.read_bytes()[24:])
    with pytest.raises(ConfigError, match="1400 to 3000"):
        load_settings(write(tmp_path, '[podcast]\nimage = "small.png"\n'))


def test_cover_path_is_relative_to_the_settings_file(tmp_path):
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "c.png").write_bytes(COVER.read_bytes())
    settings = load_settings(write(tmp_path, '[podcast]\nimage = "art/c.png"\n'))
    assert Path(settings.podcast.image) == (tmp_path / "art" / "c.png").resolve()


def test_lexicon_path_is_relative_to_the_settings_file(tmp_path, monkeypatch):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "words.tsv").write_text("بغداد\tبَغْدَاد\n", encoding="utf-8")
    path = write(tmp_path / "conf", '[text]\nlexicon = "words.tsv"\n')
    monkeypatch.chdir(tmp_path)  # not the settings file's folder
    settings = load_settings(path)
    assert Path(settings.text.lexicon) == (tmp_path / "conf" / "words.tsv").resolve()
    assert len(Diacritizer.from_settings(settings.text).lexicon) == 1
    assert load_settings(write(tmp_path, '[text]\nlexicon = ""\n')).text.lexicon == ""  # empty: the bundled one


def test_cli_overrides():
    settings = with_overrides(Settings(), base_url="https://x.example/a", voice="mms-ara")
    assert settings.podcast.base_url == "https://x.example/a/" and settings.voice == "mms-ara"
    with pytest.raises(ConfigError):
        with_overrides(Settings(), base_url="x.example")


def test_ffmpeg_setting_is_checked_when_read(tmp_path):
    with pytest.raises(ConfigError, match=r"\[audio\] ffmpeg .*not an executable file") as err:
        load_settings(write(tmp_path, '[audio]\nffmpeg = "bin/ffmpeg"\n'))
    assert str(tmp_path / "settings.toml") in str(err.value)
    with pytest.raises(ConfigError, match="not an executable file"):
        load_settings(write(tmp_path, '[audio]\nffmpeg = "no-such-program-anywhere"\n'))
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "ffmpeg").write_text("#!/bin/sh\n")  # there, but not executable
    with pytest.raises(ConfigError, match="not an executable file"):
        load_settings(write(tmp_path, '[audio]\nffmpeg = "bin/ffmpeg"\n'))


def test_ffmpeg_path_is_relative_to_the_settings_file_and_a_name_is_looked_up_on_path(tmp_path):
    (tmp_path / "bin").mkdir()
    binary = tmp_path / "bin" / "ffmpeg"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    assert load_settings(write(tmp_path, '[audio]\nffmpeg = "bin/ffmpeg"\n')).audio.ffmpeg == str(binary)
    assert load_settings(write(tmp_path, '[audio]\nffmpeg = "sh"\n')).audio.ffmpeg == "sh"
    assert Settings().audio.ffmpeg == ""  # the bundled one


# --- bounded input (issue 10) -------------------------------------------------


def test_settings_with_a_byte_order_mark_are_read(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xef\xbb\xbf" + '[podcast]\ntitle = "نشرة"\n'.encode())
    assert load_settings(path).podcast.title == "نشرة"


def test_settings_fifo_is_refused_without_waiting(tmp_path):
    import os
    import threading

    fifo = tmp_path / "settings.toml"
    os.mkfifo(fifo)
    box: dict[str, BaseException] = {}

    def run() -> None:
        try:
            load_settings(fifo)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(5)
    if thread.is_alive():  # unblock the reader stuck in open() so the thread ends
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO blocked")
    assert isinstance(box.get("error"), ConfigError) and "FIFO" in str(box["error"]) and str(fifo) in str(box["error"])


def test_settings_over_the_limit_are_refused(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('voice = "espeak-ar"\n' + "# padding\n" * 7000, encoding="utf-8")
    with pytest.raises(ConfigError, match="64 KB") as info:
        load_settings(path)
    assert info.value.path == str(path)


@pytest.mark.parametrize("keep", [20, 1000], ids=["header-only", "cut-short"])
def test_truncated_png_cover_is_one_error(tmp_path, keep):
    cover = tmp_path / "cover.png"
    cover.write_bytes(COVER.read_bytes()[:keep])
    path = write(tmp_path, '[podcast]\nimage = "cover.png"\n')
    with pytest.raises(ConfigError, match="truncated") as info:
        load_settings(path)
    assert str(path) in str(info.value) and "cover.png" in str(info.value)


def test_cover_over_the_limit_and_device_cover_are_refused(tmp_path):
    big = tmp_path / "big.png"
    with open(big, "wb") as fh:  # sparse: 11 MB on paper
        fh.write(COVER.read_bytes()[:100])
        fh.truncate(11_000_000)
    path = write(tmp_path, '[podcast]\nimage = "big.png"\n')
    with pytest.raises(ConfigError, match="10 MB"):
        load_settings(path)
    path = write(tmp_path, '[podcast]\nimage = "/dev/zero"\n')
    with pytest.raises(ConfigError, match="character device"):
        load_settings(path)


def test_sources_are_read_in_order(tmp_path):
    path = write(
        tmp_path,
        '[[sources]]\nurl = "https://a.example/rss"\n\n'
        '[[sources]]\nurl = "http://b.example/atom.xml"\nmax_per_run = 3\nname = "صحيفة ب"\n',
    )
    first, second = load_settings(path).sources
    assert (first.url, first.max_per_run, first.label) == ("https://a.example/rss", 10, "https://a.example/rss")
    assert (second.url, second.max_per_run, second.label) == ("http://b.example/atom.xml", 3, "صحيفة ب")
    assert Settings().sources == ()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('sources = "https://a.example/rss"\n', "array of tables"),
        ("[[sources]]\nmax_per_run = 2\n", "#1 url must start with http"),
        ('[[sources]]\nurl = "ftp://a.example/rss"\n', "#1 url must start with http"),
        ('[[sources]]\nurl = "https://a.example/rss"\nmax_per_run = 0\n', "#1 max_per_run must be in 1..100"),
        ('[[sources]]\nurl = "https://a.example/rss"\nmax_per_run = "5"\n', "max_per_run must be a whole number"),
        ('[[sources]]\nurl = "https://a.example/rss"\nfeed = "x"\n', "unknown key 'feed'"),
        ('[[sources]]\nurl = "https://a/r"\n[[sources]]\nurl = "https://a/r"\n', "#2 repeats the url"),
    ],
    ids=["not-tables", "no-url", "not-http", "max-zero", "max-type", "unknown-key", "repeated"],
)
def test_bad_sources_name_the_file_and_the_problem(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert words in str(err.value) and str(path) in str(err.value)
