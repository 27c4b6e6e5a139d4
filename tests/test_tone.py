"""The tone engine: registered like the others, deterministic, shaped like trimmed speech."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest

from audio_news.engines import Engine, engine_names, load_engine
from audio_news.engines.tone import EDGE_MS, ToneEngine
from audio_news.errors import ConfigError
from audio_news.synthesize import synthesize_text
from audio_news.voices import VoiceProfile, read_profile

PROFILE = Path(__file__).parent / "data" / "tone.toml"


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The engine with its default settings (30 ms a letter)."""
    return load_engine(VoiceProfile(name="t", engine="tone"))


def samples(engine: Engine, text: str) -> array:
    return array("h", engine.synthesize(text).samples)


def test_registered_and_loaded_by_name(engine: Engine) -> None:
    assert "tone" in engine_names()
    assert isinstance(engine, ToneEngine) and isinstance(engine, Engine)
    assert engine.sample_rate == 22050


def test_the_test_voice_reads_fast() -> None:
    """tests/data/tone.toml, the tests' voice: 10 ms a letter."""
    engine = load_engine(read_profile(PROFILE))
    assert isinstance(engine, ToneEngine) and engine.ms_per_letter == 10
    assert (
        engine.synthesize("خطة جديدة").duration_ms
        < load_engine(VoiceProfile("t", "tone")).synthesize("خطة جديدة").duration_ms
    )


def test_same_text_same_samples(engine: Engine) -> None:
    text = "أعلنت الحكومة خطة جديدة للنقل العام."
    assert engine.synthesize(text) == engine.synthesize(text)
    assert engine.synthesize(text) == load_engine(VoiceProfile(name="u", engine="tone")).synthesize(text)


def test_length_follows_the_letters(engine: Engine) -> None:
    short = engine.synthesize("خطة").duration_ms
    longer = engine.synthesize("خطة جديدة للنقل").duration_ms
    assert 60 < short < longer
    # 30 ms a letter, 40 ms between words, 30 ms of silence at either end (± one period per word)
    assert abs(longer - (13 * 30 + 2 * 40 + 2 * 30)) < 3 * 7


def test_marks_and_punctuation_do_not_count(engine: Engine) -> None:
    assert engine.synthesize("أَعْلَنَتْ الحُكُومَةُ،") == engine.synthesize("أعلنت الحكومة")


def test_silence_at_the_ends_sound_between(engine: Engine) -> None:
    pcm = samples(engine, "وقال الوزير إن العمل سيبدأ قريبا")
    edge = round(22050 * EDGE_MS / 1000)
    assert not any(pcm[:edge]) and not any(pcm[-edge:])
    assert max(abs(s) for s in pcm[edge : edge + 200]) > 5000


def test_nothing_to_read_gives_an_empty_clip(engine: Engine) -> None:
    assert engine.synthesize("").samples == b""
    assert engine.synthesize(" … ، . ").samples == b""


def test_chunked_sentence_goes_through_synthesize(engine: Engine) -> None:
    text = "قال الوزير، في مؤتمر صحفي عقده اليوم، إن العمل سيبدأ قريبا"
    whole = synthesize_text(text, engine)
    chunked = synthesize_text(text, engine, max_chars=20)
    assert whole.sample_rate == chunked.sample_rate == 22050
    assert len(chunked.samples) > len(whole.samples) > 0 and len(chunked.samples) % 2 == 0


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"rate": 1}, "unknown tone settings: rate"),
        ({"sample_rate": 4000}, "sample_rate"),
        ({"ms_per_letter": "fast"}, "ms_per_letter"),
        ({"sample_rate": True}, "sample_rate"),
    ],
    ids=["unknown", "low-rate", "not-a-number", "bool"],
)
def test_bad_settings_are_config_errors(settings: dict[str, object], message: str) -> None:
    profile = VoiceProfile(name="t", engine="tone", settings=settings, path="voices/t.toml")
    with pytest.raises(ConfigError, match=message) as caught:
        load_engine(profile)
    assert "voices/t.toml" in str(caught.value)


def test_other_sample_rate() -> None:
    engine = load_engine(VoiceProfile(name="t", engine="tone", settings={"sample_rate": 8000}))
    clip = engine.synthesize("خطة جديدة")
    assert clip.sample_rate == engine.sample_rate == 8000
    assert abs(clip.duration_ms - (8 * 30 + 40 + 2 * 30)) < 2 * 7
