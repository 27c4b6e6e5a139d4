"""The sentence audio cache: keys, damaged entries, the cap, the CLI, and builds that reuse clips."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType, SimpleNamespace

import pytest
from cli_run import TONE, invoke

from audio_news import cache as cache_mod
from audio_news import ingest, stitch
from audio_news.cache import SentenceCache, TextCache, VoiceCache, default_folder, diacritizer_key, voice_key
from audio_news.config import CacheSettings, Settings, load_settings, with_overrides
from audio_news.engines import register_engine
from audio_news.engines.tone import ToneEngine
from audio_news.errors import ConfigError
from audio_news.models import Clip
from audio_news.pipeline import Builder, prepare, text_cache
from audio_news.voices import VoiceProfile, find_profile, read_profile

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "article.txt"
OLD_PARAGRAPH = "وأضاف أن تذكرة الركوب ستبقى بسعرها الحالي حتى نهاية العام."
NEW_PARAGRAPH = "وأضاف أن سعر التذكرة سينخفض قليلا في الصيف. وأكد أن الخطوط الجديدة ستفتح تباعا."

CALLS: list[str] = []


class CountingTone(ToneEngine):
    """The tone engine, recording every text it is asked to speak."""

    def synthesize(self, text: str) -> Clip:
        CALLS.append(text)
        return super().synthesize(text)


@pytest.fixture
def counting_voice(tmp_path: Path) -> Path:
    register_engine("counting-tone", CountingTone)
    voice = tmp_path / "counting.toml"
    voice.write_text(TONE.read_text(encoding="utf-8").replace('engine = "tone"', 'engine = "counting-tone"'))
    CALLS.clear()
    return voice


def clip(n: int = 100, rate: int = 22050) -> Clip:
    return Clip(b"\1\2" * n, rate)


def profile(**settings: object) -> VoiceProfile:
    return VoiceProfile(name="v", engine="tone", settings=MappingProxyType(dict(settings)))


# --- keys and entries -----------------------------------------------------------


def test_a_clip_comes_back_as_it_went_in(tmp_path: Path) -> None:
    cache = SentenceCache(tmp_path)
    voice = voice_key(profile(rate=150), 22050)
    assert cache.get(voice, "نص", 22050) is None
    cache.put(voice, "نص", clip())
    assert cache.get(voice, "نص", 22050) == clip()
    assert (cache.hits, cache.misses) == (1, 1)
    assert not list(tmp_path.rglob("*.tmp"))


def test_the_key_is_the_engine_its_settings_the_rate_the_version_and_the_exact_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = SentenceCache(tmp_path)
    base = profile(rate=150, pitch=50)
    cache.put(voice_key(base, 22050), "نص", clip())
    assert cache.get(voice_key(profile(pitch=50, rate=150), 22050), "نص", 22050) == clip()  # key order is not part
    others = [
        (voice_key(replace(base, engine="espeak"), 22050), "نص"),
        (voice_key(profile(rate=160, pitch=50), 22050), "نص"),
        (voice_key(profile(rate=150, pitch=51), 22050), "نص"),
        (voice_key(base, 16000), "نص"),
        (voice_key(base, 22050), "نَص"),  # one mark more is another text
        (voice_key(base, 22050), "نص "),
    ]
    for voice, text in others:
        assert cache.get(voice, text, 22050) is None, (voice, text)
    monkeypatch.setattr(cache_mod, "CACHE_VERSION", cache_mod.CACHE_VERSION + 1)
    assert cache.get(voice_key(base, 22050), "نص", 22050) is None


def test_the_engines_code_and_library_versions_are_part_of_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    espeak = replace(profile(rate=150), engine="espeak")
    before = voice_key(espeak, 22050, "code")
    assert voice_key(espeak, 22050, "edited code") != before
    monkeypatch.setattr(cache_mod, "package_versions", lambda names: dict.fromkeys(names, "99.0"))
    assert voice_key(espeak, 22050, "code") != before


def test_a_model_file_named_in_the_settings_is_part_of_the_key(tmp_path: Path) -> None:
    model = tmp_path / "model.pth"
    model.write_bytes(b"one")
    voice = replace(profile(model_path="model.pth"), path=str(tmp_path / "voice.toml"))
    before = voice_key(voice, 22050)
    model.write_bytes(b"retrained")
    assert voice_key(voice, 22050) != before


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1],  # truncated samples
        lambda data: data[:7],  # truncated header
        lambda data: b"XXXX" + data[4:],  # not our magic
        lambda data: b"",
        lambda data: data + b"\0\0",  # longer than its header says
    ],
    ids=["samples-cut", "header-cut", "magic", "empty", "too-long"],
)
def test_a_damaged_entry_is_a_miss_and_is_removed(tmp_path: Path, damage) -> None:
    cache = SentenceCache(tmp_path)
    cache.put("v", "نص", clip())
    path = cache.path_for("v", "نص")
    path.write_bytes(damage(path.read_bytes()))
    assert cache.get("v", "نص", 22050) is None
    assert not path.exists()


def test_an_entry_at_another_sample_rate_is_a_miss(tmp_path: Path) -> None:
    cache = SentenceCache(tmp_path)
    cache.put("v", "نص", clip(rate=16000))
    assert cache.get("v", "نص", 22050) is None


def test_an_unwritable_cache_is_skipped_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = SentenceCache(blocker / "cache")
    cache.put("v", "نص", clip())
    assert cache.get("v", "نص", 22050) is None


# --- where it lives --------------------------------------------------------------


def test_the_folder_env_wins_then_the_setting_then_xdg_then_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AUDIO_NEWS_CACHE_DIR", str(tmp_path / "env"))
    assert default_folder(str(tmp_path / "set")) == tmp_path / "env"
    monkeypatch.delenv("AUDIO_NEWS_CACHE_DIR")
    assert default_folder(str(tmp_path / "set")) == tmp_path / "set"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_folder() == tmp_path / "xdg" / "audio-news"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_folder() == tmp_path / "home" / ".cache" / "audio-news"


def test_the_cache_table_is_read_and_checked(tmp_path: Path) -> None:
    settings = tmp_path / "s.toml"
    settings.write_text('[cache]\ndir = "clips"\nmax_mb = 10\nenabled = false\n')
    assert load_settings(settings).cache == CacheSettings(enabled=False, dir=str(tmp_path / "clips"), max_mb=10)
    for bad, message in (
        ("max_mb = 0", "[cache] max_mb must be in"),
        ("max_mb = 1.5", "[cache] max_mb must be a whole number"),
        ("enabled = 1", "[cache] enabled must be a true or false"),
        ("size = 3", "unknown key 'size' in [cache]"),
    ):
        settings.write_text(f"[cache]\n{bad}\n")
        with pytest.raises(ConfigError, match=f"^{settings}: " + message.replace("[", r"\[").replace("]", r"\]")):
            load_settings(settings)


# --- the cap ---------------------------------------------------------------------


def test_trim_removes_the_least_recently_used_entries_until_under_the_cap(tmp_path: Path) -> None:
    cache = SentenceCache(tmp_path)
    for i in range(5):
        cache.put("v", f"نص {i}", clip(1000))
        os.utime(cache.path_for("v", f"نص {i}"), (1000 + i, 1000 + i))
    size = cache.path_for("v", "نص 0").stat().st_size
    assert cache.get("v", "نص 0", 22050) is not None  # used now: the most recent
    cache.max_bytes = 3 * size
    assert cache.trim() == 2
    kept = {text for text in (f"نص {i}" for i in range(5)) if cache.path_for("v", text).exists()}
    assert kept == {"نص 0", "نص 3", "نص 4"}
    assert cache.info().size == 3 * size


def test_trim_removes_a_dead_writers_temporary_file(tmp_path: Path) -> None:
    cache = SentenceCache(tmp_path)
    cache.put("v", "نص", clip())
    stale = cache.path_for("v", "نص").with_name(".dead.123.tmp")
    stale.write_bytes(b"half")
    os.utime(stale, (1, 1))
    cache.trim()
    assert not stale.exists() and cache.info().entries == 1


# --- builds ----------------------------------------------------------------------


def builder(voice: Path, out: Path) -> Builder:
    return Builder(with_overrides(Settings(), voice=str(voice)), out)


def spoken(voice: Path, article_path: Path) -> list[str]:
    b = builder(voice, Path("unused"))
    return [s.spoken for s in prepare(ingest.read_article(article_path), b.settings, b.profile, None).sentences]


def test_an_unchanged_rebuild_synthesizes_nothing_and_a_changed_paragraph_only_its_sentences(
    tmp_path: Path, counting_voice: Path
) -> None:
    b = builder(counting_voice, tmp_path / "out")
    b.build(ingest.read_article(SAMPLE))
    cold = [s for s in spoken(counting_voice, SAMPLE) if s.strip()]
    assert CALLS == cold and len(cold) > 10

    CALLS.clear()
    b.build(ingest.read_article(SAMPLE))
    assert CALLS == []

    changed = tmp_path / "changed.txt"
    text = SAMPLE.read_text(encoding="utf-8")
    assert OLD_PARAGRAPH in text
    changed.write_text(text.replace(OLD_PARAGRAPH, NEW_PARAGRAPH), encoding="utf-8")
    new = spoken(counting_voice, changed)
    expected = [s for s in new if s not in cold]
    assert len(expected) == 2 and len(new) == len(cold) + 1  # the new paragraph's two sentences
    CALLS.clear()
    b.build(ingest.read_article(changed))
    assert CALLS == expected


def counting_renders(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """stitch.render, recording each MP3 it writes."""
    renders: list[Path] = []
    real = stitch.render

    def render(script, audio, pauses, dest, *args, **kw):  # type: ignore[no-untyped-def]
        renders.append(dest)
        return real(script, audio, pauses, dest, *args, **kw)

    monkeypatch.setattr(stitch, "render", render)
    return renders


def test_a_build_from_the_cache_is_the_same_episode_as_one_from_the_engine(
    tmp_path: Path, counting_voice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = builder(counting_voice, tmp_path / "cold").build(ingest.read_article(SAMPLE))
    CALLS.clear()
    episodes = list(default_folder().rglob(f"*{cache_mod.EPISODE_SUFFIX}"))
    assert len(episodes) == 1
    episodes[0].unlink()  # stitched again: from the cached clips
    renders = counting_renders(monkeypatch)
    warm = builder(counting_voice, tmp_path / "warm").build(ingest.read_article(SAMPLE))
    assert CALLS == [] and len(renders) == 1
    assert warm.rendering.duration_ms == cold.rendering.duration_ms
    assert warm.rendering.chapters == cold.rendering.chapters
    assert warm.rendering.cues == cold.rendering.cues
    for name in (cold.episode.transcript_vtt, cold.episode.chapters_json):
        assert (tmp_path / "warm" / name).read_bytes() == (tmp_path / "cold" / name).read_bytes()
    cold_pcm = stitch.decode_pcm(tmp_path / "cold" / cold.episode.audio, 8000)
    warm_pcm = stitch.decode_pcm(tmp_path / "warm" / warm.episode.audio, 8000)
    assert warm_pcm == cold_pcm


def test_an_unchanged_rebuild_is_not_stitched_again_and_publishes_the_same_audio(
    tmp_path: Path, counting_voice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders = counting_renders(monkeypatch)
    cold = builder(counting_voice, tmp_path / "cold").build(ingest.read_article(SAMPLE))
    warm = builder(counting_voice, tmp_path / "warm").build(ingest.read_article(SAMPLE))
    assert len(renders) == 1 and warm.rendering == cold.rendering and warm.episode.size == cold.episode.size
    assert stitch.decode_pcm(tmp_path / "warm" / warm.episode.audio, 8000) == stitch.decode_pcm(
        tmp_path / "cold" / cold.episode.audio, 8000
    )
    (entry,) = default_folder().rglob(f"*{cache_mod.EPISODE_SUFFIX}")
    entry.write_bytes(entry.read_bytes()[:-100])  # cut short: rendered again, and stored whole again
    again = builder(counting_voice, tmp_path / "again").build(ingest.read_article(SAMPLE))
    assert len(renders) == 2 and again.rendering == cold.rendering
    assert entry.stat().st_size > 100 + cold.episode.size // 2
    assert not list((tmp_path / "again").rglob("*.tmp*"))


def test_changed_pauses_stitch_again(tmp_path: Path, counting_voice: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    renders = counting_renders(monkeypatch)
    settings = with_overrides(Settings(), voice=str(counting_voice))
    Builder(settings, tmp_path / "out").build(ingest.read_article(SAMPLE))
    slower = replace(settings, pauses=replace(settings.pauses, between_sentences_ms=400))
    longer = Builder(slower, tmp_path / "out").build(ingest.read_article(SAMPLE))
    assert len(renders) == 2 and CALLS == [s for s in spoken(counting_voice, SAMPLE) if s.strip()]
    assert longer.rendering.duration_ms > 0


def test_a_cache_turned_off_is_not_used(tmp_path: Path, counting_voice: Path) -> None:
    settings = replace(with_overrides(Settings(), voice=str(counting_voice)), cache=CacheSettings(enabled=False))
    for _ in range(2):
        Builder(settings, tmp_path / "out").build(ingest.read_article(SAMPLE))
    assert len(CALLS) == 2 * len([s for s in spoken(counting_voice, SAMPLE) if s.strip()])
    assert SentenceCache(default_folder()).info().entries == 0


def test_a_build_trims_the_cache_to_its_cap(tmp_path: Path, counting_voice: Path) -> None:
    folder = default_folder()
    old = SentenceCache(folder)
    old.put("other voice", "نص", Clip(b"\0\0" * 600_000, 22050))  # 1.2 MB, used long ago
    os.utime(old.path_for("other voice", "نص"), (1, 1))
    settings = replace(with_overrides(Settings(), voice=str(counting_voice)), cache=CacheSettings(max_mb=1))
    Builder(settings, tmp_path / "out").build(ingest.read_article(SAMPLE))
    assert not old.path_for("other voice", "نص").exists()
    info = SentenceCache(folder).info()
    assert 0 < info.size <= 1024 * 1024 and info.entries > 0


def test_the_voice_cache_checks_the_engines_rate(tmp_path: Path) -> None:
    tone = read_profile(TONE)
    cache = SentenceCache(tmp_path)
    VoiceCache(cache, voice_key(tone, 22050), 22050).put("نص", clip(rate=22050))
    assert VoiceCache(cache, voice_key(tone, 22050), 16000).get("نص") is None


# --- diacritized sentences --------------------------------------------------------


def counting_diacritizer(calls: list[str]) -> Callable[[str], str]:
    def diacritize(text: str) -> str:
        calls.append(text)
        return text.replace("ب", "بَ")

    return diacritize


def test_the_diacritizers_outputs_are_read_back_and_keyed_by_the_diacritizer(tmp_path: Path) -> None:
    cache = SentenceCache(tmp_path)
    calls: list[str] = []
    first = TextCache(cache, diacritizer_key("vote", b"lexicon", {"text2tashkeel": "1.0"}, "code"))
    assert first.wrap(counting_diacritizer(calls))("كتب") == "كتبَ"
    assert first.wrap(counting_diacritizer(calls))("كتب") == "كتبَ"
    assert calls == ["كتب"]
    for other in (
        diacritizer_key("libtashkeel", b"lexicon", {"text2tashkeel": "1.0"}, "code"),
        diacritizer_key("vote", b"lexicon 2", {"text2tashkeel": "1.0"}, "code"),
        diacritizer_key("vote", b"lexicon", {"text2tashkeel": "1.1"}, "code"),
        diacritizer_key("vote", b"lexicon", {"text2tashkeel": "1.0"}, "code 2"),
    ):
        TextCache(cache, other).wrap(counting_diacritizer(calls))("كتب")
    assert len(calls) == 5
    path = cache.path_for(first.key, "كتب", cache_mod.TEXT_SUFFIX)
    path.write_bytes(path.read_bytes()[:-1])  # a damaged entry: asked again
    assert first.wrap(counting_diacritizer(calls))("كتب") == "كتبَ" and len(calls) == 6


def test_a_rebuild_does_not_diacritize_again(tmp_path: Path) -> None:
    settings = Settings()
    voice = find_profile("espeak-ar")
    assert voice.diacritize
    cache = text_cache(SentenceCache(tmp_path), SimpleNamespace(model="vote"), settings.text)  # type: ignore[arg-type]
    calls: list[str] = []
    article = ingest.read_article(SAMPLE)
    first = prepare(article, settings, voice, counting_diacritizer(calls), cache)  # type: ignore[arg-type]
    assert len(calls) > 10
    calls.clear()
    again = prepare(article, settings, voice, counting_diacritizer(calls), cache)  # type: ignore[arg-type]
    assert calls == [] and again == first
    lexicon = tmp_path / "lexicon.tsv"
    lexicon.write_text("")
    other = text_cache(
        SentenceCache(tmp_path), SimpleNamespace(model="vote"), replace(settings.text, lexicon=str(lexicon))
    )  # type: ignore[arg-type]
    assert other.key != cache.key


# --- the CLI ---------------------------------------------------------------------


def test_cache_info_and_clear(tmp_path: Path) -> None:
    folder = default_folder()
    result = invoke("cache", "info")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"folder: {folder}", "entries: 0", "size: 0 B", "cap: 2.0 GB"]
    built = invoke("build", str(SAMPLE), "--out", str(tmp_path / "out"), "--voice", str(TONE))
    assert built.returncode == 0, built.stderr
    entries = SentenceCache(folder).info()
    assert entries.entries > 10
    lines = invoke("cache", "info").stdout.splitlines()
    assert lines[1] == f"entries: {entries.entries}" and lines[2] != "size: 0 B"
    cleared = invoke("cache", "clear")
    assert cleared.returncode == 0 and cleared.stdout.strip() == f"removed {entries.entries} entries from {folder}"
    assert invoke("cache", "info").stdout.splitlines()[1:3] == ["entries: 0", "size: 0 B"]
    assert not any(folder.iterdir())


def test_cache_info_reads_the_settings_cap_and_says_when_the_cache_is_off(tmp_path: Path) -> None:
    settings = tmp_path / "s.toml"
    settings.write_text("[cache]\nmax_mb = 512\nenabled = false\n")
    lines = invoke("cache", "info", "--config", str(settings)).stdout.splitlines()
    assert lines[0].endswith("(turned off: [cache] enabled = false)") and lines[3] == "cap: 512.0 MB"
    settings.write_text("[cache]\nmax_mb = -1\n")
    bad = invoke("cache", "info", "--config", str(settings))
    assert bad.returncode == 3 and "[cache] max_mb must be in" in bad.stderr


def test_a_clip_keeps_its_word_times_through_the_cache(tmp_path):
    from audio_news.models import Clip, Word

    store = cache_mod.SentenceCache(tmp_path / "c")
    clip = Clip(b"\1\0" * 500, 1000, (Word(0.0, "قال"), Word(212.5, "الوزير")))
    store.put("voice", "قال الوزير", clip)
    assert store.get("voice", "قال الوزير", 1000) == clip
    bare = Clip(b"\2\0" * 10, 1000)  # an engine without word events
    store.put("voice", "x", bare)
    assert store.get("voice", "x", 1000) == bare
    path = store.path_for("voice", "قال الوزير")
    path.write_bytes(path.read_bytes()[:-3])  # cut short: a miss, and removed
    assert store.get("voice", "قال الوزير", 1000) is None and not path.exists()
