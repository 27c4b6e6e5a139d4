"""Voice profiles: TOML files naming an engine and its settings.

The bundled profiles are package data (audio_news/data/voices, which the
repository's top-level voices/ links to) and are found through
importlib.resources, so an installed copy finds them from any folder; any
other profile is given by path.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import ConfigError, UnknownVoiceError
from .limits import SETTINGS_MAX_BYTES, read_bounded

DEFAULT_VOICE = "espeak-ar"
_KNOWN_KEYS = {"name", "engine", "description", "language", "diacritize", "max_chars", "licence", "settings"}


def bundled_voices() -> Traversable:
    """The package's voices folder: the named profiles and the default lexicon."""
    return resources.files("audio_news").joinpath("data", "voices")


@dataclass(frozen=True)
class VoiceProfile:
    """A voice: which engine speaks, and how the text must be prepared for it."""

    name: str
    engine: str
    description: str = ""
    language: str = "ar"
    diacritize: bool = True
    """Whether the voice wants tashkeel (espeak does; XTTS and MMS were trained without)."""
    max_chars: int = 0
    """Longest text one engine call takes; longer sentences are cut at clause ends (0 = no limit)."""
    licence: str = ""
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """Engine-specific keys, checked by the engine."""
    path: str = ""
    """The TOML file it came from; relative paths in settings are resolved against it."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "") -> VoiceProfile:
        unknown = set(data) - _KNOWN_KEYS
        if unknown:
            raise ConfigError(f"unknown keys in voice profile: {', '.join(sorted(unknown))}", path)
        for key in ("name", "engine"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise ConfigError(f"voice profile needs a string {key!r}", path)
        settings = data.get("settings", {})
        if not isinstance(settings, dict):
            raise ConfigError("[settings] must be a table", path)
        max_chars = data.get("max_chars", 0)
        if not isinstance(max_chars, int) or max_chars < 0:
            raise ConfigError("max_chars must be a non-negative integer", path)
        if not isinstance(data.get("diacritize", True), bool):
            raise ConfigError("diacritize must be true or false", path)
        return cls(
            name=data["name"],
            engine=data["engine"],
            description=str(data.get("description", "")),
            language=str(data.get("language", "ar")),
            diacritize=data.get("diacritize", True),
            max_chars=max_chars,
            licence=str(data.get("licence", "")),
            settings=MappingProxyType(dict(settings)),
            path=path,
        )

    def resolve(self, value: str) -> Path:
        """A path from the settings, relative to the profile's own folder."""
        p = Path(value).expanduser()
        if not p.is_absolute() and self.path:
            p = Path(self.path).parent / p
        return p


def read_profile(path: Path | Traversable) -> VoiceProfile:
    """Read a voice profile; a user's file must be a regular file of at most SETTINGS_MAX_BYTES."""
    try:
        if isinstance(path, Path) and path.exists():  # a FIFO or /dev/zero would block or never end
            data = tomllib.loads(
                read_bounded(path, SETTINGS_MAX_BYTES, "voice profile", ConfigError).decode("utf-8-sig")
            )
        else:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UnknownVoiceError("voice profile not found", str(path)) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read voice profile: {exc}", str(path)) from exc
    return VoiceProfile.from_dict(data, str(path))


def list_profiles() -> tuple[VoiceProfile, ...]:
    """The bundled profiles, by file name; one that does not read is left out."""
    seen: dict[str, VoiceProfile] = {}
    files = [f for f in bundled_voices().iterdir() if f.name.endswith(".toml") and f.is_file()]
    for file in sorted(files, key=lambda f: f.name):
        try:
            profile = read_profile(file)
        except ConfigError:
            continue
        seen.setdefault(profile.name, profile)
    return tuple(seen.values())


def find_profile(name_or_path: str | None) -> VoiceProfile:
    """A bundled profile by name (voices/NAME.toml) or any profile by path to a .toml file."""
    name = name_or_path or DEFAULT_VOICE
    if name.endswith(".toml") or "/" in name:
        return read_profile(Path(name))
    candidate = bundled_voices().joinpath(f"{name}.toml")
    if candidate.is_file():
        return read_profile(candidate)
    known = ", ".join(p.name for p in list_profiles()) or "none"
    raise UnknownVoiceError(f"unknown voice {name!r}; known voices: {known}")
