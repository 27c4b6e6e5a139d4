"""The coqui engine, run for real on tiny untrained models built in code (no downloads).

Skipped as a whole where the coqui extra is missing. The models make noise,
not speech: these tests check loading, settings, audio format and errors.
"""

from __future__ import annotations

import array
import dataclasses
import importlib.util
import math
import sys
from pathlib import Path

import pytest
from cli_run import invoke
from coqui_model import MARKS, SAMPLE_RATE, build_fairseq_mms, build_tiny_vits

from audio_news.engines import Engine, coqui, load_engine
from audio_news.errors import ConfigError, EngineError, EngineMissingError
from audio_news.voices import read_profile

# Found, not imported: importing TTS loads torch, seconds in every test worker that collects this file.
if importlib.util.find_spec("TTS") is None:
    pytest.skip("coqui extra not installed: pip install 'audio-news[coqui]'", allow_module_level=True)

pytestmark = pytest.mark.coqui

REPO = Path(__file__).resolve().parent.parent
SHORT = "سلام"
LONG = "السلام عليكم، هذه نشرة الأخبار من المدينة. قال المتحدث إن الاجتماع سيعقد غدا في الصباح؟"
MMS_NAME = "tts_models/ara/fairseq/vits"
XTTS_NAME = "tts_models/multilingual/multi-dataset/xtts_v2"


# --- fixtures ----------------------------------------------------------------


@pytest.fixture(scope="session")
def voices_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the tiny models in sub-folders; profiles go beside them."""
    folder = tmp_path_factory.mktemp("voices")
    build_tiny_vits(folder / "tiny")
    build_tiny_vits(folder / "tiny-multi", speakers=["amal", "badr"])
    return folder


def write_profile(folder: Path, settings: str, name: str = "tiny") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\nengine = "coqui"\ndiacritize = true\n\n[settings]\n{settings}\n', encoding="utf-8"
    )
    return path


def engine_for(folder: Path, settings: str, name: str = "tiny") -> coqui.CoquiEngine:
    engine = load_engine(read_profile(write_profile(folder, settings, name)))
    assert isinstance(engine, coqui.CoquiEngine)
    return engine


@pytest.fixture(scope="session")
def tiny(voices_dir: Path) -> coqui.CoquiEngine:
    """The tiny VITS loaded through a profile with paths relative to the profile file."""
    return engine_for(voices_dir, 'model_path = "tiny/model.pth"\nconfig_path = "tiny/config.json"\ngpu = "auto"')


@pytest.fixture(scope="session")
def tiny_filtered(voices_dir: Path) -> coqui.CoquiEngine:
    return engine_for(voices_dir, 'model_path = "tiny"\nvocab_filter = true', name="tiny-filtered")


@pytest.fixture
def tts_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Coqui cache: TTS_HOME points at it for this test."""
    home = tmp_path / "tts-home"
    (home / "tts").mkdir(parents=True)
    monkeypatch.setenv("TTS_HOME", str(home))
    return home


def samples(clip) -> array.array:
    values = array.array("h")
    values.frombytes(clip.samples)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def assert_noise(clip) -> None:
    values = samples(clip)
    assert len(values) > 0
    assert max(abs(v) for v in values) > 30  # not silence
    rms = math.sqrt(sum(v * v for v in values) / len(values))
    assert 0 < rms < 32767


# --- a local model folder ----------------------------------------------------


def test_local_model_loads_as_an_engine(tiny: coqui.CoquiEngine) -> None:
    assert isinstance(tiny, Engine)
    assert tiny.sample_rate == SAMPLE_RATE
    clip = tiny.synthesize(SHORT)
    assert clip.sample_rate == SAMPLE_RATE
    assert len(clip.samples) % 2 == 0
    assert_noise(clip)


def test_duration_grows_with_text(tiny: coqui.CoquiEngine) -> None:
    short, long = tiny.synthesize(SHORT), tiny.synthesize(LONG)
    assert long.duration_ms > 3 * short.duration_ms
    assert_noise(long)


def test_coqui_sentence_padding_is_cut(tiny: coqui.CoquiEngine) -> None:
    # Coqui appends 10000 zero samples to every sentence; the pauses are stitch's.
    values = samples(tiny.synthesize(SHORT))
    assert any(values[-200:])


def test_model_is_loaded_once(voices_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import TTS.api

    loads = []
    real = TTS.api.TTS

    def counting(*args, **kwargs):
        loads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(TTS.api, "TTS", counting)
    engine = engine_for(voices_dir, 'model_path = "tiny/model.pth"', name="once")
    for text in (SHORT, LONG, SHORT):
        engine.synthesize(text)
    assert len(loads) == 1


def test_empty_text_gives_an_empty_clip(tiny: coqui.CoquiEngine) -> None:
    for text in ("", "  \n "):
        clip = tiny.synthesize(text)
        assert clip.samples == b"" and clip.sample_rate == SAMPLE_RATE


def test_vocab_filter_keeps_what_the_model_knows(tiny_filtered: coqui.CoquiEngine) -> None:
    vocab = tiny_filtered.vocabulary
    assert vocab is not None and set(MARKS) <= vocab and "_" not in vocab
    text = "قالَ 25 رجلاً «مرحبا» — hello\tيا ـعالم ﷺ"
    assert tiny_filtered.speakable(text) == "قالَ رجلاً مرحبا يا عالم"


def test_vocab_filter_leaving_nothing_gives_an_empty_clip(tiny_filtered: coqui.CoquiEngine) -> None:
    assert tiny_filtered.synthesize("123 — abc").samples == b""


def test_multi_speaker_model_with_speakers_file(voices_dir: Path) -> None:
    settings = 'model_path = "tiny-multi/model.pth"\nspeakers_file = "tiny-multi/speakers.json"\n'
    engine = engine_for(voices_dir, settings + 'speaker = "badr"', name="multi")
    assert_noise(engine.synthesize(SHORT))
    with pytest.raises(ConfigError, match="amal, badr"):
        engine_for(voices_dir, settings + 'speaker = "nobody"', name="multi-bad")
    with pytest.raises(ConfigError, match="several speakers"):
        engine_for(voices_dir, settings, name="multi-none")


# --- models by name, from the cache ------------------------------------------


def test_catalogue_model_found_in_tts_home(voices_dir: Path, tts_home: Path) -> None:
    # Any name from Coqui's list that is not on the Hugging Face Hub is looked
    # up in TTS_HOME/tts/<type>--<language>--<dataset>--<model>/ (no network
    # when the folder is there). This name is only a slot for the tiny model.
    build_tiny_vits(tts_home / "tts" / "tts_models--en--ljspeech--vits")
    engine = engine_for(voices_dir, 'model_name = "tts_models/en/ljspeech/vits"\noffline = true', name="cached")
    assert engine.sample_rate == SAMPLE_RATE
    assert_noise(engine.synthesize(SHORT))


def test_hub_model_found_in_hub_cache_offline(
    voices_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Names Coqui fetches from the Hugging Face Hub (XTTS-v2 among them) live in
    # the Hub's cache, not TTS_HOME; offline, the engine loads the cached
    # snapshot by path. This name's entry is a VITS on the Hub: a slot for the tiny model.
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    repo = tmp_path / "hub" / "models--daremc86--sr-cv-vits"
    commit = "0123456789abcdef0123456789abcdef01234567"
    build_tiny_vits(repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    engine = engine_for(voices_dir, 'model_name = "tts_models/sr/custom/vits"\noffline = true', name="hub")
    assert_noise(engine.synthesize(SHORT))


def test_bundled_mms_profile_runs_offline_from_tts_home(tts_home: Path) -> None:
    build_fairseq_mms(tts_home / "tts" / MMS_NAME.replace("/", "--"))
    profile = read_profile(REPO / "voices" / "mms-ara.toml")
    profile = dataclasses.replace(profile, settings={**profile.settings, "offline": True, "gpu": False})
    engine = load_engine(profile)
    assert engine.sample_rate == SAMPLE_RATE
    # MMS reads bare letters: marks, digits and Arabic punctuation go.
    assert engine.speakable("قالَ، 3 رجالٍ؟") == "قال رجال"
    assert_noise(engine.synthesize("قالَ، رجالٍ؟"))


# --- errors ------------------------------------------------------------------


def test_missing_extra_names_the_pip_extra(voices_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "TTS.api", None)  # import fails as if not installed
    with pytest.raises(EngineMissingError, match=r"pip install 'audio-news\[coqui\]'") as err:
        engine_for(voices_dir, 'model_path = "tiny/model.pth"', name="no-extra")
    assert isinstance(err.value, ImportError)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        pytest.param('model_path = "tiny"\nvoice = "x"', "unknown.*voice", id="unknown-key"),
        pytest.param("gpu = true", "either model_name", id="no-model"),
        pytest.param(f'model_name = "{MMS_NAME}"\nmodel_path = "tiny"', "either model_name", id="both"),
        pytest.param('model_name = "xtts"', "not a Coqui model id", id="bad-name"),
        pytest.param('model_path = "tiny"\ngpu = "yes"', "gpu must be", id="bad-gpu"),
        pytest.param('model_path = "tiny"\noffline = "no"', "offline must be", id="bad-flag"),
        pytest.param('model_path = "tiny"\nspeaker_wav = "nope.wav"', "nope.wav does not exist", id="no-wav"),
        pytest.param('model_path = "tiny"\nlanguage = "ar"', "multilingual", id="language-mono"),
        pytest.param('model_path = "tiny"\nspeaker = "amal"', "multi-speaker", id="speaker-mono"),
        pytest.param('model_name = "tts_models/ar/test/tiny-vits"', "not in Coqui's model list", id="not-listed"),
    ],
)
def test_bad_settings_are_config_errors(voices_dir: Path, settings: str, message: str) -> None:
    profile = write_profile(voices_dir, settings, name="bad")
    with pytest.raises(ConfigError, match=message) as err:
        load_engine(read_profile(profile))
    assert str(profile) in str(err.value)


def test_missing_model_path_names_it(voices_dir: Path) -> None:
    with pytest.raises(EngineError, match="absent/model.pth does not exist"):
        engine_for(voices_dir, 'model_path = "absent/model.pth"', name="absent")


def test_folder_without_a_model_names_it(voices_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EngineError, match=f"{empty} holds no model file"):
        engine_for(voices_dir, f'model_path = "{empty}"', name="empty")


def test_unreadable_model_file_names_it(voices_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.pth").write_bytes(b"not a checkpoint")
    (broken / "config.json").write_bytes((voices_dir / "tiny" / "config.json").read_bytes())
    with pytest.raises(EngineError, match=f"cannot load a coqui model from {broken}"):
        engine_for(voices_dir, f'model_path = "{broken}/model.pth"', name="broken")


def test_name_not_cached_offline_names_the_cache(voices_dir: Path, tts_home: Path) -> None:
    with pytest.raises(EngineError) as err:
        engine_for(voices_dir, f'model_name = "{MMS_NAME}"\noffline = true', name="uncached")
    message = str(err.value)
    assert str(tts_home / "tts") in message and "TTS_HOME" in message
    assert f"TTS('{MMS_NAME}')" in message


def test_download_failure_names_the_cache(voices_dir: Path, tts_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import requests

    def no_network(url, **kwargs):
        raise requests.ConnectionError(f"cannot reach {url}")

    monkeypatch.setattr(requests, "get", no_network)  # what Coqui's model manager downloads with
    with pytest.raises(EngineError, match="cannot reach") as err:
        engine_for(voices_dir, f'model_name = "{MMS_NAME}"', name="download")
    assert str(tts_home / "tts") in str(err.value)
    assert not (tts_home / "tts" / MMS_NAME.replace("/", "--")).exists()


def test_hub_model_not_cached_offline_names_the_hub_cache(
    voices_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    settings = f'model_name = "{XTTS_NAME}"\nlanguage = "ar"\nagree_tos = true\noffline = true'
    with pytest.raises(EngineError) as err:
        engine_for(voices_dir, settings, name="xtts-uncached")
    assert str(tmp_path / "hub") in str(err.value)


def test_licence_terms_must_be_agreed(voices_dir: Path, tts_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COQUI_TOS_AGREED", raising=False)
    with pytest.raises(ConfigError, match="agree_tos = true"):
        engine_for(voices_dir, f'model_name = "{XTTS_NAME}"\nlanguage = "ar"', name="xtts-tos")


def test_gpu_true_without_cuda(voices_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(EngineError, match="no CUDA"):
        engine_for(voices_dir, 'model_path = "tiny"\ngpu = true', name="gpu")


def test_synthesis_failure_is_an_engine_error(tiny: coqui.CoquiEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(tiny._tts, "tts", broken)
    with pytest.raises(EngineError, match="could not speak.*out of memory"):
        tiny.synthesize(SHORT)


def test_pcm16_clips_and_rejects_nan() -> None:
    assert coqui.pcm16([0.0, 0.5, -2.0, 2.0]) == array.array("h", [0, 16384, -32767, 32767]).tobytes()
    assert coqui.pcm16([0.25, 0, 0, 0], trailing_pad=3) == array.array("h", [8192]).tobytes()
    with pytest.raises(EngineError, match="NaN"):
        coqui.pcm16([0.1, float("nan")])


# --- the whole product with a coqui voice ---------------------------------------


def test_full_build_with_a_local_coqui_profile(voices_dir: Path, tmp_path: Path) -> None:
    """`audio-news build --voice profile.toml` gives the same episode outputs as espeak."""
    import json
    import xml.etree.ElementTree as ET

    from audio_news import stitch, tag
    from audio_news.ingest import read_article

    profile = write_profile(voices_dir, 'model_path = "tiny"\nvocab_filter = true', name="tiny-build")
    article = REPO / "samples" / "article.txt"
    out = tmp_path / "out"
    result = invoke("build", str(article), "--voice", str(profile), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "real-time factor" in result.stdout
    (episode,) = json.loads((out / "episodes.json").read_text(encoding="utf-8"))
    parsed = read_article(article)
    headings = [s.heading for s in parsed.sections if s.heading]
    assert [c["title"] for c in episode["chapters"]] == [parsed.title, *headings]
    assert episode["voice"] == "tiny-build"
    mp3 = out / episode["audio"]
    assert abs(stitch.decoded_duration_ms(mp3) - episode["duration_ms"]) <= 50
    assert [c.title for c in tag.read_tags(mp3).chapters] == [parsed.title, *headings]
    lufs, peak = stitch.measure_loudness(mp3)
    assert -17 <= lufs <= -15 and peak <= -1
    assert (out / episode["transcript_vtt"]).read_text(encoding="utf-8").startswith("WEBVTT")
    item = ET.parse(out / "feed.xml").getroot().find("channel/item")
    assert int(item.find("enclosure").get("length")) == mp3.stat().st_size
