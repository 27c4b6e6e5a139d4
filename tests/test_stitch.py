"""The stitch stage, checked on real audio read back from the MP3 it writes.

Clips are synthetic tone and noise bursts of known lengths; the MP3 is decoded
with ffmpeg and the bursts are found again by their energy, so chapter and cue
times are checked against where the sound really is.
"""

from __future__ import annotations

import subprocess
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from ffmpegs import BINARIES, fake_ffmpeg, using

from audio_news import stitch
from audio_news.config import AudioSettings, PauseSettings
from audio_news.errors import AudioError, ConfigError
from audio_news.models import Article, Block, BlockKind, Clip, Part, Script, Sentence

PAUSES = PauseSettings()  # 900 / 700 / 250 / 550 / 1200 ms: all different
AUDIO = AudioSettings()  # -16 LUFS, -1 dBTP, 96 kbps, 44100 Hz
ARTICLE = Article(title="عنوان", sections=(), source="test")

rng = np.random.default_rng(7)


# --- synthetic clips ------------------------------------------------------------


def burst(ms: int, rate: int = 22050, freq: float = 440.0, level: float = 0.3, kind: str = "tone") -> Clip:
    """A tone or noise burst of exactly `ms` milliseconds, 5 ms fades, no silence around it."""
    n = round(ms * rate / 1000)
    t = np.arange(n) / rate
    if kind == "tone":
        x = np.sin(2 * np.pi * freq * t)
    elif kind == "noise":  # speech-band noise
        spectrum = np.fft.rfft(rng.standard_normal(n))
        f = np.fft.rfftfreq(n, 1 / rate)
        spectrum[(f < 200) | (f > 4000)] = 0
        x = np.fft.irfft(spectrum, n)
        x /= np.abs(x).max()
    elif kind == "square":  # clipped: full scale, hard edges
        x = np.sign(np.sin(2 * np.pi * freq * t))
    elif kind == "peaky":  # quiet tone with loud clicks: needs the limiter
        x = 0.02 * np.sin(2 * np.pi * freq * t)
        x[:: rate // 7] = 1.0
    else:
        raise ValueError(kind)
    fade = min(n // 2, rate * 5 // 1000)
    if kind != "square":
        ramp = np.linspace(0, 1, fade)
        x[:fade] *= ramp
        x[n - fade :] *= ramp[::-1]
    pcm = np.clip(np.round(x * level * 32767), -32768, 32767).astype("<i2")
    return Clip(pcm.tobytes(), rate)


def sentence(name: str, clip: Clip | None) -> Sentence:
    return Sentence(text=f"{name}.", spoken=f"spoken {name}", clip=clip)


# Lengths in ms per part and block; the third part is at 16 kHz (resampled).
LAYOUT = [
    ("المقدمة", [(BlockKind.TITLE, [600]), (BlockKind.META, [400]), (BlockKind.PARAGRAPH, [800, 500])]),
    ("القسم الأول", [(BlockKind.HEADING, [450]), (BlockKind.PARAGRAPH, [700, 350, 600]), (BlockKind.PARAGRAPH, [550])]),
    ("القسم الثاني", [(BlockKind.HEADING, [500]), (BlockKind.PARAGRAPH, [650])]),
]


def make_script(rates: tuple[int, ...] = (22050, 22050, 16000), **kw) -> Script:
    parts, n = [], 0
    for (title, blocks), rate in zip(LAYOUT, rates):
        made = []
        for kind, lengths in blocks:
            clips = []
            for ms in lengths:
                kind_kw = {"kind": "noise"} if n % 4 == 3 and not kw else kw
                clips.append(sentence(f"s{n}", burst(ms, rate, freq=300 + 40 * n, **kind_kw)))
                n += 1
            made.append(Block(kind, tuple(clips)))
        parts.append(Part(title, tuple(made)))
    return Script(ARTICLE, tuple(parts))


def expected_cues(pauses: PauseSettings = PAUSES) -> tuple[list[tuple[float, float]], list[float], float]:
    """Where each burst and each part should start, from the rules, in ms."""
    after = {
        BlockKind.TITLE: pauses.after_title_ms,
        BlockKind.HEADING: pauses.after_heading_ms,
        BlockKind.META: pauses.between_paragraphs_ms,
        BlockKind.PARAGRAPH: pauses.between_paragraphs_ms,
    }
    cues, chapters, pos = [], [], 0.0
    for p, (_, blocks) in enumerate(LAYOUT):
        if p:
            pos += pauses.between_sections_ms
        chapters.append(pos)
        for b, (_kind, lengths) in enumerate(blocks):
            if b:
                pos += after[blocks[b - 1][0]]
            for s, ms in enumerate(lengths):
                if s:
                    pos += pauses.between_sentences_ms
                cues.append((pos, pos + ms))
                pos += ms
    return cues, chapters, pos


# --- reading the MP3 back ---------------------------------------------------------


def decoded(path: Path) -> tuple[np.ndarray, int]:
    pcm, rate = stitch.decode_pcm(path)
    return np.frombuffer(pcm, "<i2").astype(np.float64), rate


def bursts_in(x: np.ndarray, rate: int, window_ms: float = 2.0) -> list[tuple[float, float]]:
    """(start, end) in ms of each run of sound, found by short-window energy."""
    w = int(rate * window_ms / 1000)
    frames = x[: len(x) // w * w].reshape(-1, w)
    energy = np.sqrt((frames**2).mean(axis=1))
    active = energy > energy.max() * 10 ** (-35 / 20)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], active.astype(int), [0]))))
    step = w / rate * 1000
    runs = [(a * step, b * step) for a, b in zip(edges[::2], edges[1::2])]
    merged: list[list[float]] = []
    for a, b in runs:  # gaps under 100 ms are inside a burst (noise has quiet moments)
        if merged and a - merged[-1][1] < 100:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def mp3_frames(path: Path) -> list[tuple[int, int, int, int]]:
    """(version id, bitrate kbps, sample rate, channel mode) of every MPEG audio frame."""
    data = path.read_bytes()
    assert data[:3] != b"ID3", "stitch writes no ID3 tag (tag does)"
    bitrates = {
        3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],  # MPEG-1 L3
        2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    }  # MPEG-2 L3
    rates = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000]}
    frames, pos = [], 0
    while pos + 4 <= len(data):
        h = int.from_bytes(data[pos : pos + 4], "big")
        assert h >> 21 == 0x7FF, f"no frame sync at byte {pos}"
        version, layer = (h >> 19) & 3, (h >> 17) & 3
        assert layer == 1, "layer III"
        kbps = bitrates[version][(h >> 12) & 15]
        rate = rates[version][(h >> 10) & 3]
        padding, mode = (h >> 9) & 1, (h >> 6) & 3
        frames.append((version, kbps, rate, mode))
        pos += (144 if version == 3 else 72) * kbps * 1000 // rate + padding
    assert pos == len(data), "the file is whole frames"
    return frames


@pytest.fixture(scope="module", params=BINARIES)
def rendered(request, tmp_path_factory):
    """The episode rendered by each ffmpeg (the bundled one, Debian's): same checks."""
    dest = tmp_path_factory.mktemp("stitch") / "episode.mp3.tmp"
    with using(request.param):
        rendering = stitch.render(make_script(), AUDIO, PAUSES, dest)
    return rendering, dest  # read back with the bundled ffmpeg


# --- layout and timing ----------------------------------------------------------


def test_writes_only_dest(rendered):
    rendering, dest = rendered
    assert [p.name for p in dest.parent.iterdir()] == [dest.name]


def test_duration_is_clips_plus_pauses(rendered):
    rendering, dest = rendered
    _, _, total = expected_cues()
    assert abs(rendering.duration_ms - total) <= 1
    assert abs(stitch.decoded_duration_ms(dest) - rendering.duration_ms) <= 30


def test_cues_follow_the_pause_rules(rendered):
    rendering, _ = rendered
    cues, _, _ = expected_cues()
    assert [c.text for c in rendering.cues] == [f"s{n}." for n in range(len(cues))]
    for cue, (start, end) in zip(rendering.cues, cues):
        assert abs(cue.start_ms - start) <= 1 and abs(cue.end_ms - end) <= 1


def test_cues_are_where_the_bursts_are(rendered):
    rendering, dest = rendered
    found = bursts_in(*decoded(dest))
    assert len(found) == len(rendering.cues)
    for cue, (start, end) in zip(rendering.cues, found):
        assert abs(cue.start_ms - start) <= 20, (cue, start)
        assert abs(cue.end_ms - end) <= 20, (cue, end)


def test_chapters_start_at_each_parts_first_sound_and_tile_the_file(rendered):
    rendering, dest = rendered
    chapters = rendering.chapters
    assert [c.element_id for c in chapters] == ["ch0", "ch1", "ch2"]
    assert [c.title for c in chapters] == [title for title, _ in LAYOUT]
    assert chapters[0].start_ms == 0 and chapters[-1].end_ms == rendering.duration_ms
    assert all(a.end_ms == b.start_ms for a, b in zip(chapters, chapters[1:]))
    found = bursts_in(*decoded(dest))
    firsts = [0, 4, 9]  # index of each part's first sentence
    for chapter, first in zip(chapters, firsts):
        assert abs(chapter.start_ms - found[first][0]) <= 20


def test_single_rate_script_is_resampled_in_the_encode(tmp_path):
    dest = tmp_path / "one-rate.mp3"
    rendering = stitch.render(make_script((22050, 22050, 22050)), AUDIO, PAUSES, dest)
    cues, _, total = expected_cues()
    x, rate = decoded(dest)
    assert rate == 44100 and abs(len(x) / rate * 1000 - total) <= 30
    for cue, (start, end) in zip(rendering.cues, bursts_in(x, rate)):
        assert abs(cue.start_ms - start) <= 20 and abs(cue.end_ms - end) <= 20


def test_section_pause_replaces_the_paragraph_pause(tmp_path):
    pauses = PauseSettings(between_paragraphs_ms=100, between_sections_ms=2000, after_title_ms=0)
    rendering = stitch.render(make_script(), AUDIO, pauses, tmp_path / "p.mp3")
    cues, chapters, total = expected_cues(pauses)
    assert rendering.cues[4].start_ms - rendering.cues[3].end_ms == 2000
    assert abs(rendering.duration_ms - total) <= 1
    assert [c.start_ms for c in rendering.chapters] == [round(c) for c in chapters]


def test_parts_without_sentences_get_no_chapter(tmp_path):
    script = make_script()
    script = replace(script, parts=(script.parts[0], Part("فارغ", ()), script.parts[1]))
    rendering = stitch.render(script, AUDIO, PAUSES, tmp_path / "e.mp3")
    assert [c.element_id for c in rendering.chapters] == ["ch0", "ch1"]
    assert rendering.chapters[1].title == "القسم الأول"


# --- loudness -------------------------------------------------------------------


def test_loudness_on_target_and_under_the_ceiling(rendered):
    rendering, dest = rendered
    loudness, peak = stitch.measure_loudness(dest)
    assert abs(loudness + 16) <= 1 and peak <= -1
    assert abs(rendering.loudness_lufs - loudness) <= 0.2
    assert abs(rendering.true_peak_db - peak) <= 0.2


@pytest.mark.parametrize(
    "target, ceiling, kw",
    [
        (-20.0, -1.0, {}),
        (-16.0, -1.0, {"level": 0.001}),
        (-16.0, -1.0, {"level": 1.0, "kind": "square"}),
        (-16.0, -1.0, {"level": 1.0, "kind": "peaky"}),
        (-14.0, -2.0, {"level": 0.5, "kind": "noise"}),
    ],
    ids=["target-20", "very-quiet", "clipping-loud", "peaky-needs-limiter", "noise-14-under-2"],
)
def test_loudness_for_other_targets_and_inputs(tmp_path, target, ceiling, kw):
    audio = AudioSettings(loudness_lufs=target, true_peak_db=ceiling)
    dest = tmp_path / "x.mp3"
    rendering = stitch.render(make_script(**kw), audio, PAUSES, dest)
    loudness, peak = stitch.measure_loudness(dest)
    assert abs(loudness - target) <= 1, loudness
    assert peak <= ceiling, peak
    assert abs(rendering.loudness_lufs - loudness) <= 0.2
    _, _, total = expected_cues()
    assert abs(stitch.decoded_duration_ms(dest) - total) <= 30


def test_silence_is_encoded_without_gain(tmp_path):
    silent = Clip(bytes(2 * 22050), 22050)
    script = Script(ARTICLE, (Part("t", (Block(BlockKind.PARAGRAPH, (sentence("a", silent),)),)),))
    rendering = stitch.render(script, AUDIO, PAUSES, tmp_path / "s.mp3")
    assert rendering.duration_ms == 1000 and rendering.loudness_lufs <= stitch.SILENT_LUFS


def test_measure_loudness_of_a_known_sine(tmp_path):
    # A 1 kHz sine at -20 dBFS peak in one channel reads -23.0 LUFS (BS.1770).
    path = tmp_path / "sine.wav"
    t = np.arange(48000 * 3) / 48000
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(48000)
        w.writeframes((0.1 * 32767 * np.sin(2 * np.pi * 997 * t)).astype("<i2").tobytes())
    loudness, peak = stitch.measure_loudness(path)
    assert abs(loudness + 23.0) <= 0.2 and abs(peak + 20.0) <= 0.2


# --- encoding -------------------------------------------------------------------


def test_mp3_is_cbr_mono_at_the_settings(rendered):
    _, dest = rendered
    frames = mp3_frames(dest)
    assert set(frames) == {(3, 96, 44100, 3)}  # MPEG-1, 96 kbps, 44.1 kHz, mono


def test_gapless_header_accounts_for_encoder_delay_and_padding(rendered):
    # The first frame holds an Info (CBR Xing) tag with a LAME extension that
    # gives the encoder delay and padding; decoders trim them, so the decoded
    # length is exact.
    rendering, dest = rendered
    data = dest.read_bytes()
    info = data.index(b"Info", 0, 200)
    assert int.from_bytes(data[info + 4 : info + 8], "big") == 0x0F  # frames, bytes, TOC, quality
    frames = int.from_bytes(data[info + 8 : info + 12], "big")
    lame = info + 120
    delay_padding = int.from_bytes(data[lame + 21 : lame + 24], "big")
    delay, padding = delay_padding >> 12, delay_padding & 0xFFF
    samples = frames * 1152 - delay - padding
    assert 0 < delay < 2000 and padding < 2304
    assert len(stitch.decode_pcm(dest)[0]) // 2 == samples
    assert abs(samples / 44.1 - rendering.duration_ms) <= 1


def test_other_bitrate_and_rate(tmp_path):
    dest = tmp_path / "low.mp3"
    audio = AudioSettings(bitrate_kbps=64, sample_rate=22050)
    rendering = stitch.render(make_script(), audio, PAUSES, dest)
    assert set(mp3_frames(dest)) == {(2, 64, 22050, 3)}
    pcm, rate = stitch.decode_pcm(dest)
    assert rate == 22050 and abs(len(pcm) / 2 / rate * 1000 - rendering.duration_ms) <= 30


def test_decode_pcm_resamples_on_request(rendered):
    rendering, dest = rendered
    pcm, rate = stitch.decode_pcm(dest, rate=16000)
    assert rate == 16000 and abs(len(pcm) / 2 / 16 - rendering.duration_ms) <= 30


# --- errors ---------------------------------------------------------------------


def test_missing_clip_is_an_audio_error(tmp_path):
    script = make_script()
    blocks = script.parts[1].blocks
    broken = Block(blocks[1].kind, (sentence("no audio", None), *blocks[1].sentences[1:]))
    parts = (script.parts[0], Part(script.parts[1].title, (blocks[0], broken, *blocks[2:])), script.parts[2])
    with pytest.raises(AudioError, match="sentence 6 has no audio clip"):
        stitch.render(replace(script, parts=parts), AUDIO, PAUSES, tmp_path / "x.mp3")
    assert not (tmp_path / "x.mp3").exists()


def test_empty_script_is_an_audio_error(tmp_path):
    with pytest.raises(AudioError, match="no audio to render"):
        stitch.render(Script(ARTICLE, ()), AUDIO, PAUSES, tmp_path / "x.mp3")


def test_ffmpeg_failure_is_a_one_line_audio_error_and_leaves_nothing(tmp_path):
    dest = tmp_path / "x.mp3"
    # libmp3lame refuses 11111 Hz; ffmpeg fails in the encode.
    with pytest.raises(AudioError) as info:
        stitch.render(make_script(), AudioSettings(sample_rate=11111), PAUSES, dest)
    assert "ffmpeg failed" in str(info.value) and "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_undecodable_file_is_an_audio_error(tmp_path):
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"not audio at all" * 10)
    with pytest.raises(AudioError, match="cannot decode audio: ffmpeg failed: .*") as info:
        stitch.decode_pcm(junk)
    assert info.value.path == str(junk) and "\n" not in str(info.value)
    with pytest.raises(AudioError):
        stitch.measure_loudness(tmp_path / "missing.wav")


def test_missing_ffmpeg_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setenv(stitch.FFMPEG_ENV, str(tmp_path / "no-ffmpeg"))
    with pytest.raises(ConfigError, match="AUDIO_NEWS_FFMPEG names .*no-ffmpeg.*not an executable file"):
        stitch.decoded_duration_ms(tmp_path / "x.mp3")


def test_a_missed_encode_is_corrected(tmp_path, monkeypatch):
    # Pretend the encoder is 3 dB louder than it is: the first MP3 misses the
    # target, and the encode is redone with the gain it measured.
    monkeypatch.setattr(stitch, "ENCODER_GAIN_DB", 3.0)
    encodes = []
    encode = stitch._encode
    monkeypatch.setattr(stitch, "_encode", lambda *a: encodes.append(a[4]) or encode(*a))
    dest = tmp_path / "x.mp3"
    rendering = stitch.render(make_script(), AUDIO, PAUSES, dest)
    assert len(encodes) == 2
    assert abs(stitch.measure_loudness(dest)[0] + 16) <= 0.5 and rendering.true_peak_db <= -1


def test_an_unreachable_target_ends_under_the_ceiling_with_a_warning(tmp_path):
    # -5 LUFS under a -9 dBTP ceiling: more than a tone's crest factor allows.
    audio = AudioSettings(loudness_lufs=-5, true_peak_db=-9)
    dest = tmp_path / "x.mp3"
    rendering = stitch.render(make_script(), audio, PAUSES, dest)
    loudness, peak = stitch.measure_loudness(dest)
    assert peak <= -9 and loudness < -5.5, (loudness, peak)
    assert peak >= -9 - 1.0  # as loud as the ceiling allows: the peaks use the room
    assert rendering.warning == (
        f"the voice is too peaky for -5 LUFS under -9 dBTP: the episode measures "
        f"{rendering.loudness_lufs:.1f} LUFS at {rendering.true_peak_db:.1f} dBTP"
    )


def test_empty_clips_take_no_room_and_no_pauses(tmp_path):
    empty = Clip(b"", 22050)
    script = make_script()
    first, second, third = script.parts
    blank_block = Block(BlockKind.PARAGRAPH, (Sentence("", "", empty),))
    padded = Part(
        second.title,
        (
            Block(second.blocks[0].kind, (*second.blocks[0].sentences, Sentence("", "", empty))),
            blank_block,
            *second.blocks[1:],
            Block(BlockKind.PARAGRAPH, (Sentence("۝", "", empty),)),
        ),
    )
    script = replace(script, parts=(first, Part("فارغ", (blank_block,)), padded, third))
    rendering = stitch.render(script, AUDIO, PAUSES, tmp_path / "e.mp3")
    cues, chapters, total = expected_cues()
    assert abs(rendering.duration_ms - total) <= 1
    assert [c.title for c in rendering.chapters] == [title for title, _ in LAYOUT]
    assert [c.text for c in rendering.cues if c.text != "۝"] == [f"s{n}." for n in range(len(cues))]
    marker = next(c for c in rendering.cues if c.text == "۝")
    assert marker.start_ms == marker.end_ms == rendering.cues[8].end_ms


def test_ffmpeg_without_loopback_decoders_measures_the_file(tmp_path, monkeypatch):
    # ffmpeg before 7 has no -dec: the MP3 is measured by decoding the file.
    monkeypatch.setenv(stitch.FFMPEG_ENV, str(fake_ffmpeg(tmp_path, version="6.1.1")))
    monkeypatch.setattr(stitch, "_probe_binary", stitch._probe_binary.__wrapped__)  # no cache: the fake is new
    real = stitch.find_ffmpeg()
    assert real.version == "6.1.1" and real.loopback  # the fake passes -dec on to the bundled binary
    monkeypatch.setattr(stitch, "find_ffmpeg", lambda setting="": stitch.Ffmpeg(real.path, "6.1.1", False))
    dest = tmp_path / "old.mp3"
    rendering = stitch.render(make_script(), AUDIO, PAUSES, dest)
    assert (rendering.loudness_lufs, rendering.true_peak_db) == stitch.measure_loudness(dest)
    assert abs(rendering.loudness_lufs + 16) <= 0.5


# --- which ffmpeg -----------------------------------------------------------------


def test_the_bundled_ffmpeg_by_default_whatever_is_on_path(monkeypatch, tmp_path):
    monkeypatch.delenv(stitch.FFMPEG_ENV, raising=False)
    fake_ffmpeg(tmp_path, version="4.2.7", drop="latency")
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin")
    assert stitch.find_ffmpeg().path == stitch._pinned_binary()


def test_the_environment_wins_over_the_setting(monkeypatch, tmp_path):
    fake = fake_ffmpeg(tmp_path, version="8.0")
    monkeypatch.delenv(stitch.FFMPEG_ENV, raising=False)
    assert stitch.find_ffmpeg(str(fake)).version == "8.0"
    monkeypatch.setenv(stitch.FFMPEG_ENV, stitch._pinned_binary())
    assert stitch.find_ffmpeg(str(fake)).path == stitch._pinned_binary()


def test_a_named_ffmpeg_is_probed_once(monkeypatch, tmp_path):
    monkeypatch.setenv(stitch.FFMPEG_ENV, str(fake_ffmpeg(tmp_path, version="8.0")))
    runs = []
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **kw: runs.append(a[0]) or real_run(*a, **kw))
    first = stitch.find_ffmpeg()
    assert stitch.find_ffmpeg() is first and len(runs) == 2  # -h full and -dec, once


@pytest.mark.parametrize(
    "drop, feature",
    [
        (r"^   latency ", "the alimiter filter's latency compensation (latency)"),
        (r"^   peak |^     true ", "the ebur128 filter's true-peak meter (peak=true)"),
        (r"^libmp3lame encoder AVOptions", "the libmp3lame MP3 encoder"),
    ],
    ids=["alimiter-latency", "ebur128-true-peak", "libmp3lame"],
)
def test_a_named_ffmpeg_that_lacks_a_feature_is_one_line_naming_it(monkeypatch, tmp_path, drop, feature):
    fake = fake_ffmpeg(tmp_path, version="4.2.7", drop=drop)
    monkeypatch.setenv(stitch.FFMPEG_ENV, str(fake))
    with pytest.raises(AudioError) as info:
        stitch.render(make_script(), AUDIO, PAUSES, tmp_path / "x.mp3")
    assert str(info.value) == (
        f"{fake}: ffmpeg 4.2.7 lacks {feature}, which audio-news needs; unset AUDIO_NEWS_FFMPEG to use the bundled ffmpeg"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ffmpeg"]
    monkeypatch.delenv(stitch.FFMPEG_ENV)
    with pytest.raises(AudioError, match=r"lacks .*; remove \[audio\] ffmpeg to use the bundled ffmpeg"):
        stitch.find_ffmpeg(str(fake))


def test_something_that_is_not_ffmpeg_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv(stitch.FFMPEG_ENV, "/bin/true")
    with pytest.raises(AudioError, match=r"^/bin/true: not an ffmpeg binary .*; unset AUDIO_NEWS_FFMPEG"):
        stitch.find_ffmpeg()


@pytest.mark.parametrize("binary", BINARIES)
def test_each_ffmpeg_has_every_feature(binary):
    with using(binary) as ffmpeg:
        assert ffmpeg.version and Path(ffmpeg.path).is_file()
        if binary == "bundled":
            assert ffmpeg.loopback and ffmpeg.path == stitch._pinned_binary()
        elif ffmpeg.version.startswith(("4.", "5.", "6.")):
            assert not ffmpeg.loopback


# --- peaky voices -----------------------------------------------------------------


def clicks(seconds: float, every_ms: int, bed: float, rate: int = 22050, seed: int = 0) -> Clip:
    """A clicky voice: full-scale one-sample clicks over a quiet noise bed."""
    x = bed * np.random.default_rng(seed).standard_normal(int(seconds * rate))
    x[:: rate * every_ms // 1000] = 0.95
    return Clip(np.clip(np.round(x * 32767), -32768, 32767).astype("<i2").tobytes(), rate)


def clicky_script(every_ms: int, bed: float) -> Script:
    sentences = tuple(sentence(f"s{n}", clicks(2.0, every_ms, bed, seed=n)) for n in range(8))
    return Script(ARTICLE, (Part("t", (Block(BlockKind.PARAGRAPH, sentences),)),))


@pytest.mark.parametrize("binary", BINARIES)
@pytest.mark.parametrize("every_ms, bed", [(40, 0.01), (1000, 0.003)], ids=["dense-clicks", "sparse-clicks"])
def test_a_clicky_voice_is_limited_to_the_target(tmp_path, binary, every_ms, bed):
    script = clicky_script(every_ms, bed)
    pcm = b"".join(s.clip.samples for s in script.sentences if s.clip)
    ((loudness, peak),) = stitch._measure_pcm(stitch.find_ffmpeg(), pcm, 22050)
    assert peak - loudness > 20  # far more crest than -16 LUFS under -1 dBTP allows
    dest = tmp_path / "x.mp3"
    with using(binary):
        rendering = stitch.render(script, AUDIO, PAUSES, dest)
    measured = stitch.measure_loudness(dest)
    assert abs(measured[0] + 16) <= 0.5 and measured[1] <= -1, measured
    assert rendering.warning == ""
    assert abs(stitch.decoded_duration_ms(dest) - rendering.duration_ms) <= 30


@pytest.mark.parametrize("binary", BINARIES)
def test_clicks_alone_end_as_loud_as_the_ceiling_allows(tmp_path, binary):
    # Lone one-sample clicks in silence: a limiter leaves them one sample, so
    # their crest stays; the MP3 ends with its true peak at the ceiling.
    dest = tmp_path / "x.mp3"
    with using(binary):
        rendering = stitch.render(clicky_script(100, 0.0), AUDIO, PAUSES, dest)
    loudness, peak = stitch.measure_loudness(dest)
    assert -1.6 <= peak <= -1.0 and loudness < -20, (loudness, peak)
    assert (rendering.loudness_lufs, rendering.true_peak_db) == pytest.approx((loudness, peak), abs=0.2)
    assert "too peaky for -16 LUFS under -1 dBTP" in rendering.warning


# --- stretches encoded in parallel and joined -------------------------------------


def info_tag(path: Path) -> dict[str, int]:
    """The Info frame's fields: frames, bytes, delay, padding, music length and CRC, tag CRC."""
    data = path.read_bytes()
    at = data.index(b"Info", 0, 64)
    field = lambda start, size: int.from_bytes(data[at + start : at + start + size], "big")  # noqa: E731
    return {
        "frames": field(8, 4),
        "bytes": field(12, 4),
        "delay": field(141, 3) >> 12,
        "padding": field(141, 3) & 0xFFF,
        "music_length": field(148, 4),
        "music_crc": field(152, 2),
        "tag_crc": field(154, 2),
        "at": at,
    }


def crc16_arc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


@pytest.fixture(scope="module", params=[False, True], ids=["by-cores", "by-chapter"])
def joined(request, tmp_path_factory):
    """The one-rate episode cut into stretches (at least two: by the cores, or at every
    chapter with section files), each encoded by its own ffmpeg and joined."""
    folder = tmp_path_factory.mktemp("joined")
    sections: list[Path] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(stitch, "CHUNK_MIN_S", 1.0)
        mp.setattr(stitch.os, "cpu_count", lambda: 2)
        cut = []
        encode = stitch._encode
        mp.setattr(stitch, "_encode", lambda *a: cut.append(a[2]) or encode(*a))
        name = lambda n: sections.append(folder / f"{n:02d}.mp3") or sections[-1]  # noqa: E731
        dest = folder / "episode.mp3"
        rendering = stitch.render(
            make_script((22050, 22050, 22050)), AUDIO, PAUSES, dest, sections=name if request.param else None
        )
    assert cut and len(cut[0]) == (2 if request.param else 1)  # three stretches, or two
    return rendering, dest, sections


def test_a_joined_episode_has_its_cues_where_the_bursts_are(joined):
    rendering, dest, _ = joined
    found = bursts_in(*decoded(dest))
    assert len(found) == len(rendering.cues)
    for cue, (start, end) in zip(rendering.cues, found):
        assert abs(cue.start_ms - start) <= 20 and abs(cue.end_ms - end) <= 20, (cue, start, end)
    _, chapters, total = expected_cues()
    # Each cut adds the encoder's delay and the padding of the last frame before it: silence, under 60 ms.
    assert 0 < rendering.duration_ms - total <= 60 * len(rendering.chapters)


@pytest.mark.parametrize("binary", BINARIES)
def test_every_decoder_agrees_on_a_joined_episodes_length(joined, binary):
    rendering, dest, _ = joined
    with using(binary):
        assert stitch.decoded_duration_ms(dest) == rendering.duration_ms
    tag = info_tag(dest)
    frames = mp3_frames(dest)  # whole frames, all CBR mono
    assert tag["frames"] == len(frames) - 1 and tag["bytes"] == tag["music_length"] == dest.stat().st_size
    assert abs((tag["frames"] * 1152 - tag["delay"] - tag["padding"]) / 44.1 - rendering.duration_ms) <= 1


def test_mutagen_reads_a_joined_episode_as_every_ffmpeg_mp3(joined):
    # mutagen trims delay and padding only for a LAME-named tag (ffmpeg's says Lavc):
    # it reads every frame, here as for an MP3 from one ffmpeg.
    import mutagen.mp3

    rendering, dest, _ = joined
    tag = info_tag(dest)
    assert mutagen.mp3.MP3(dest).info.length == pytest.approx(tag["frames"] * 1152 / 44100)
    assert tag["delay"] == 576 and 529 <= tag["padding"] < 1152 + 529


def test_a_joined_episodes_tag_checksums_hold(joined):
    _, dest, _ = joined
    data = dest.read_bytes()
    tag = info_tag(dest)
    first = (144 * 96000 // 44100) + (data[2] >> 1 & 1)
    assert crc16_arc(data[first:]) == tag["music_crc"]
    frame = bytearray(data[:190])
    frame[tag["at"] + 154 : tag["at"] + 156] = b"\0\0"
    assert crc16_arc(bytes(frame)) == tag["tag_crc"]


def test_a_joined_episode_is_as_loud_as_measured(joined):
    # Gated over the stretches' blocks: as the whole file's within 0.02 LU for minutes of
    # speech; for these 12 s of bursts, where a block more or less counts, within 0.2.
    rendering, dest, _ = joined
    loudness, peak = stitch.measure_loudness(dest)
    assert abs(rendering.loudness_lufs - loudness) <= 0.2 and abs(rendering.true_peak_db - peak) <= 0.1
    assert abs(loudness + 16) <= 0.5 and peak <= -1


def test_section_files_are_the_chapters_and_add_up_to_the_episode(joined):
    rendering, dest, sections = joined
    assert sorted(dest.parent.iterdir()) == sorted([dest, *sections])  # nothing else written
    if not sections:  # the by-cores case asked for none
        return
    assert len(sections) == len(rendering.chapters) == 3
    lengths = [stitch.decoded_duration_ms(path) for path in sections]
    assert abs(sum(lengths) - rendering.duration_ms) <= 100
    firsts = [0, 4, 9]  # each part's first sentence
    for path, chapter, first in zip(sections, rendering.chapters, firsts):
        found = bursts_in(*decoded(path))
        cues = [c for c in rendering.cues[first:] if c.start_ms < chapter.end_ms]
        assert len(found) == len(cues)
        # Where the section file starts in the episode: its chapter's first burst, less where it is in the file.
        offset = chapter.start_ms - found[0][0]
        for cue, (start, _) in zip(cues, found):
            assert abs(cue.start_ms - (offset + start)) <= 20
        assert set(mp3_frames(path)) == {(3, 96, 44100, 3)}


def test_an_old_ffmpeg_joins_and_measures_the_joined_file(tmp_path, monkeypatch):
    # Debian's ffmpeg 5.1 has no loopback decoders: the stretches are joined, then the file is measured.
    monkeypatch.setattr(stitch, "CHUNK_MIN_S", 1.0)
    monkeypatch.setattr(stitch.os, "cpu_count", lambda: 2)
    dest = tmp_path / "old.mp3"
    with using("debian") as ffmpeg:
        assert not ffmpeg.loopback
        rendering = stitch.render(make_script((22050, 22050, 22050)), AUDIO, PAUSES, dest)
        assert stitch.decoded_duration_ms(dest) == rendering.duration_ms
    assert (rendering.loudness_lufs, rendering.true_peak_db) == stitch.measure_loudness(dest, ffmpeg)
    assert abs(rendering.loudness_lufs + 16) <= 0.5 and rendering.true_peak_db <= -1
    _, _, total = expected_cues()
    assert rendering.duration_ms > total  # cut: a stretch's delay and padding are in
    for cue, (start, end) in zip(rendering.cues, bursts_in(*decoded(dest)), strict=True):
        assert abs(cue.start_ms - start) <= 20 and abs(cue.end_ms - end) <= 20


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_scratch_folders_of_killed_renders_are_swept_and_live_ones_kept(tmp_path, monkeypatch):
    """A render killed with -9 leaves its stretches' MP3s in the temp folder; the next Builder
    removes them (its process is gone), never a live render's folder nor someone else's file."""
    import os
    import tempfile

    from audio_news import publish
    from audio_news.config import Settings
    from audio_news.pipeline import Builder

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / f"{stitch.WORK_PREFIX}{_dead_pid()}-abc"
    live = tmp_path / f"{stitch.WORK_PREFIX}{os.getpid()}-def"
    other = tmp_path / f"{stitch.WORK_PREFIX}{_dead_pid()}-file"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "stretch-1.mp3").write_bytes(b"\xff\xfb" * 1000)
    other.write_bytes(b"not a folder")
    assert stitch.sweep_work_folders(publish.pid_alive) == 1
    assert not dead.exists() and (live / "stretch-1.mp3").is_file() and other.is_file()
    dead.mkdir()
    Builder(Settings(), tmp_path / "out")
    assert not dead.exists() and live.is_dir()
