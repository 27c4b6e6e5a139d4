"""Voice profiles and the lexicon are package data: found from any folder, in any install."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import audio_news
from audio_news import diacritize
from audio_news.errors import UnknownVoiceError
from audio_news.voices import bundled_voices, find_profile, list_profiles

ROOT = Path(__file__).resolve().parent.parent


def test_bundled_profiles_are_found_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert {"espeak-ar", "mms-ara", "xtts-ar"} <= {p.name for p in list_profiles()}
    profile = find_profile("espeak-ar")
    assert profile.engine == "espeak"
    assert Path(profile.path).resolve() == (ROOT / "audio_news" / "data" / "voices" / "espeak-ar.toml").resolve()


def test_the_current_folder_is_not_searched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A voices/ folder where the command runs neither hides nor adds a named profile."""
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "espeak-ar.toml").write_text('name = "espeak-ar"\nengine = "coqui"\n', encoding="utf-8")
    (tmp_path / "voices" / "stray.toml").write_text('name = "stray"\nengine = "espeak"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert find_profile("espeak-ar").engine == "espeak"
    with pytest.raises(UnknownVoiceError, match="unknown voice 'stray'"):
        find_profile("stray")
    assert find_profile("voices/stray.toml").name == "stray"  # by path it is any file


def test_top_level_voices_is_the_package_folder() -> None:
    """voices/ is where users look; it holds no copy, it is the package's own folder."""
    assert (ROOT / "voices").resolve() == Path(str(bundled_voices())).resolve()
    assert (ROOT / "voices" / "lexicon.tsv").is_file() and (ROOT / "voices" / "examples" / "local-vits.toml").is_file()


def test_default_lexicon_is_package_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = diacritize.default_lexicon_path()
    assert path is not None and path.name == "lexicon.tsv"
    assert len(diacritize.Lexicon.load(path)) > 50


def _builds_offline() -> bool:
    """Whether this environment can build the wheel itself: setuptools ≥ 70.1 (or older with wheel)."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    major, minor = (int(part) for part in (version.split(".") + ["0"])[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


_PROBE = """
import sys
from pathlib import Path
import audio_news
from audio_news import diacritize, voices
assert Path(audio_news.__file__).is_relative_to(sys.argv[1]), audio_news.__file__
print(audio_news.__version__)
print(",".join(sorted(p.name for p in voices.list_profiles())))
print(voices.find_profile("espeak-ar").path)
print(len(diacritize.Lexicon.load(diacritize.default_lexicon_path())))
print((Path(audio_news.__file__).parent / "py.typed").is_file())
"""


def test_an_installed_copy_finds_its_data(tmp_path: Path) -> None:
    """pip install (not editable) into another folder, run from a third: voices, lexicon, py.typed are there."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "audio_news", source / "audio_news", ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "site"
    isolation = ["--no-build-isolation"] if _builds_offline() else []  # else pip fetches setuptools
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", *isolation, "--target", str(target), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(target)],
        cwd=elsewhere,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    version, names, profile, entries, typed = result.stdout.split("\n")[:5]
    assert version == audio_news.__version__
    assert names == "espeak-ar,mms-ara,xtts-ar"
    assert Path(profile).is_relative_to(target)
    assert int(entries) > 50 and typed == "True"


def test_profile_fifo_and_oversize_are_refused(tmp_path: Path) -> None:
    """A FIFO given as --voice used to block forever; a huge file was read whole."""
    import os

    from audio_news.errors import ConfigError
    from audio_news.voices import read_profile

    fifo = tmp_path / "voice.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="FIFO"):
        read_profile(fifo)
    big = tmp_path / "big.toml"
    big.write_text('engine = "tone"\n' + "#\n" * 40_000, encoding="utf-8")
    with pytest.raises(ConfigError, match="64 KB"):
        read_profile(big)
