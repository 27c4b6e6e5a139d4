"""Settings: a TOML file read once, validated early, bound into frozen values.

    [podcast]  title, author, description, link, image, base_url, category, email, locked,
               keep_last, max_age_days (retention, applied on every build)
    [audio]    loudness_lufs, true_peak_db, bitrate_kbps, sample_rate, ffmpeg
    [pauses]   after_title_ms, after_heading_ms, between_sentences_ms,
               between_paragraphs_ms, between_sections_ms
    [text]     months ("gregorian" | "levantine" | "both"), latin ("spell" | "read"),
               lexicon (TSV path), tashkeel_model
    [cache]    enabled, dir, max_mb (the build cache: audio_news/cache.py)
    [[sources]] url, max_per_run, name   (feeds that `pull` reads; one table each)
    voice = "espeak-ar"

Every key has a default; CLI options override the file.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final

from .errors import ConfigError
from .limits import COVER_MAX_BYTES, SETTINGS_MAX_BYTES, read_bounded

DEFAULT_BASE_URL: Final = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class PodcastSettings:
    """The channel of the feed."""

    title: str = "أخبار مسموعة"
    author: str = "audio-news"
    description: str = "مقالات إخبارية عربية مقروءة بصوت مسموع."
    link: str = ""
    """The podcast's web page; defaults to base_url."""
    image: str = ""
    """Cover image path or URL; empty = the cover bundled with the package."""
    base_url: str = DEFAULT_BASE_URL
    """Where the output folder is served; enclosure URLs are made under it."""
    category: str = "News"
    email: str = ""
    locked: bool = True
    """podcast:locked: tell directories not to import the feed elsewhere."""
    guid: str = ""
    """podcast:guid; empty = made once from the first feed URL and kept in the output folder."""
    license: str = ""
    """podcast:license: a license name or SPDX id (e.g. "cc-by-4.0"); empty = none."""
    license_url: str = ""
    """Where the license text is, for a license that is not an SPDX id; empty = none."""
    copyright: str = ""
    """The channel's <copyright> line; empty = none."""
    episode_numbers: bool = False
    """Write itunes:episode: each episode's number, given at its first build (one more than the highest stored)."""
    keep_last: int = 0
    """Retention: keep only the newest N episodes (by publication date); 0 = keep all."""
    max_age_days: int = 0
    """Retention: remove episodes published more than N days ago; 0 = never. Each build
    applies both, after its new episode is published, in the same publish (the new one always stays)."""


@dataclass(frozen=True)
class AudioSettings:
    """Loudness and encoding of the episode MP3."""

    loudness_lufs: float = -16.0
    true_peak_db: float = -1.0
    bitrate_kbps: int = 96
    sample_rate: int = 44100
    ffmpeg: str = ""
    """The ffmpeg binary to use (a path, or a name looked up on PATH); empty = the one
    bundled through imageio-ffmpeg. $AUDIO_NEWS_FFMPEG wins over it."""


@dataclass(frozen=True)
class PauseSettings:
    """Silences inserted between the spoken pieces, in milliseconds."""

    after_title_ms: int = 900
    after_heading_ms: int = 700
    between_sentences_ms: int = 250
    between_paragraphs_ms: int = 550
    between_sections_ms: int = 1200


@dataclass(frozen=True)
class TextSettings:
    """Choices of the Arabic text front end."""

    months: str = "gregorian"
    """How month numbers in dates are named: gregorian (أغسطس), levantine (آب) or both."""
    latin: str = "spell"
    """Latin acronyms: spell them letter by letter, or read them as words."""
    lexicon: str = ""
    """A user lexicon file (TSV) applied around the diacritizer, relative to the settings file; empty = the bundled
    voices/lexicon.tsv."""
    tashkeel_model: str = "vote"
    """The diacritizer: "vote" (four models vote word by word; best on unseen news),
    one model by name (libtashkeel, rawi-v3-int8, ...) or "vote:a+b+c"; see docs/tashkeel.md."""


@dataclass(frozen=True)
class CacheSettings:
    """The build cache: clips, diacritized sentences and stitched MP3s made once, reused by later builds."""

    enabled: bool = True
    dir: str = ""
    """The cache folder, relative to the settings file; empty = $XDG_CACHE_HOME/audio-news
    (~/.cache/audio-news). $AUDIO_NEWS_CACHE_DIR wins over it."""
    max_mb: int = 2048
    """The cap: after a build, the least recently used entries go until the folder is under it."""


MAX_CACHE_MB: Final = 1024 * 1024


@dataclass(frozen=True)
class SourceSettings:
    """A news feed (RSS 2.0 or Atom) that `pull` reads."""

    url: str = ""
    max_per_run: int = 10
    """At most this many new items are built from it per run (the newest, oldest first)."""
    name: str = ""
    """What the summary calls it; empty = its URL."""

    @property
    def label(self) -> str:
        return self.name or self.url


MAX_PER_RUN: Final = 100
MAX_KEEP_LAST: Final = 100_000
MAX_AGE_DAYS: Final = 36_500


@dataclass(frozen=True)
class Settings:
    podcast: PodcastSettings = field(default_factory=PodcastSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    pauses: PauseSettings = field(default_factory=PauseSettings)
    text: TextSettings = field(default_factory=TextSettings)
    cache: CacheSettings = field(default_factory=CacheSettings)
    voice: str = "espeak-ar"
    sources: tuple[SourceSettings, ...] = ()


# Apple Podcasts' top-level categories (2019 list); subcategories are not offered.
APPLE_CATEGORIES: Final = frozenset(
    (
        "Arts",
        "Business",
        "Comedy",
        "Education",
        "Fiction",
        "Government",
        "Health & Fitness",
        "History",
        "Kids & Family",
        "Leisure",
        "Music",
        "News",
        "Religion & Spirituality",
        "Science",
        "Society & Culture",
        "Sports",
        "Technology",
        "True Crime",
        "TV & Film",
    )
)
MAX_PAUSE_MS: Final = 10_000
_CHOICES = {
    ("text", "months"): {"gregorian", "levantine", "both"},
    ("text", "latin"): {"spell", "read"},
    ("podcast", "category"): APPLE_CATEGORIES,
}
_TYPE_NAMES = {bool: "true or false", int: "whole number", float: "number", str: "string"}


def _section(cls: type, data: Any, name: str, path: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"[{name}] must be a table", path)
    known = {f.name: f for f in fields(cls)}
    values = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"unknown key {key!r} in [{name}]", path)
        default = getattr(cls(), key)
        if (
            isinstance(default, bool) != isinstance(value, bool)
            or (isinstance(default, (int, float)) and not isinstance(value, (int, float)))
            or (isinstance(default, str) and not isinstance(value, str))
        ):
            raise ConfigError(f"[{name}] {key} must be a {_TYPE_NAMES[type(default)]}", path)
        if type(default) is int and not float(value).is_integer():
            raise ConfigError(f"[{name}] {key} must be a whole number", path)
        allowed = _CHOICES.get((name, key))
        if allowed and value not in allowed:
            raise ConfigError(f"[{name}] {key} must be one of {', '.join(sorted(allowed))}", path)
        values[key] = type(default)(value)
    return cls(**values)


def settings_from_dict(data: dict[str, Any], path: str = "") -> Settings:
    sections = {
        "podcast": PodcastSettings,
        "audio": AudioSettings,
        "pauses": PauseSettings,
        "text": TextSettings,
        "cache": CacheSettings,
    }
    unknown = set(data) - set(sections) - {"voice", "sources"}
    if unknown:
        raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}", path)
    values: dict[str, Any] = {k: _section(cls, data.get(k, {}), k, path) for k, cls in sections.items()}
    voice = data.get("voice", Settings.voice)
    if not isinstance(voice, str) or not voice:
        raise ConfigError("voice must be a profile name or path", path)
    settings = Settings(voice=voice, sources=_sources(data.get("sources", []), path), **values)
    audio = settings.audio
    if not -40 <= audio.loudness_lufs <= -5:
        raise ConfigError("[audio] loudness_lufs must be in -40..-5", path)
    if not -9 <= audio.true_peak_db <= 0:
        raise ConfigError("[audio] true_peak_db must be in -9..0", path)
    if audio.bitrate_kbps not in (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320):
        raise ConfigError("[audio] bitrate_kbps must be an MP3 bitrate such as 64, 96 or 128", path)
    if audio.sample_rate not in (22050, 24000, 32000, 44100, 48000):
        raise ConfigError("[audio] sample_rate must be 22050, 24000, 32000, 44100 or 48000", path)
    if audio.ffmpeg and not _is_executable(audio.ffmpeg):
        raise ConfigError(f"[audio] ffmpeg {audio.ffmpeg!r} is not an executable file (or a program on PATH)", path)
    for f in fields(PauseSettings):
        if not 0 <= getattr(settings.pauses, f.name) <= MAX_PAUSE_MS:
            raise ConfigError(f"[pauses] {f.name} must be in 0..{MAX_PAUSE_MS} ms", path)
    if not 1 <= settings.cache.max_mb <= MAX_CACHE_MB:
        raise ConfigError(f"[cache] max_mb must be in 1..{MAX_CACHE_MB}", path)
    _check_podcast(settings.podcast, path)
    return settings


def _sources(data: Any, path: str) -> tuple[SourceSettings, ...]:
    """The [[sources]] tables: each needs an http(s) url, named once; max_per_run in 1..MAX_PER_RUN."""
    if not isinstance(data, list):
        raise ConfigError("sources must be an array of tables ([[sources]])", path)
    sources: list[SourceSettings] = []
    for number, table in enumerate(data, 1):
        source = _section(SourceSettings, table, f"sources #{number}", path)
        if not source.url.startswith(("http://", "https://")):
            raise ConfigError(f"[[sources]] #{number} url must start with http:// or https://: {source.url!r}", path)
        if not 1 <= source.max_per_run <= MAX_PER_RUN:
            raise ConfigError(f"[[sources]] #{number} max_per_run must be in 1..{MAX_PER_RUN}", path)
        if any(other.url == source.url for other in sources):
            raise ConfigError(f"[[sources]] #{number} repeats the url {source.url!r}", path)
        sources.append(source)
    return tuple(sources)


def _is_executable(name: str) -> bool:
    """A path to an executable file, or a bare name found on PATH."""
    if os.sep not in name:
        return shutil.which(name) is not None
    return os.path.isfile(name) and os.access(name, os.X_OK)


def _check_podcast(podcast: PodcastSettings, path: str) -> None:
    for key in ("base_url", "link"):
        value = getattr(podcast, key)
        if value and not value.startswith(("http://", "https://")):
            raise ConfigError(f"[podcast] {key} must start with http:// or https://: {value!r}", path)
    if podcast.email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", podcast.email):
        raise ConfigError(f"[podcast] email is not an e-mail address: {podcast.email!r}", path)
    if podcast.license_url and not podcast.license_url.startswith(("http://", "https://")):
        raise ConfigError(f"[podcast] license_url must start with http:// or https://: {podcast.license_url!r}", path)
    if podcast.license_url and not podcast.license:
        raise ConfigError("[podcast] license_url needs a license name too", path)
    if podcast.guid and not re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", podcast.guid):
        raise ConfigError("[podcast] guid must be a UUID", path)
    if not 0 <= podcast.keep_last <= MAX_KEEP_LAST:
        raise ConfigError(f"[podcast] keep_last must be in 0..{MAX_KEEP_LAST} (0 = keep every episode)", path)
    if not 0 <= podcast.max_age_days <= MAX_AGE_DAYS:
        raise ConfigError(f"[podcast] max_age_days must be in 0..{MAX_AGE_DAYS} (0 = no age limit)", path)
    if podcast.image and not podcast.image.startswith(("http://", "https://")):
        _check_cover(Path(podcast.image), path)


def image_mime(data: bytes) -> str | None:
    """image/png or image/jpeg from a file's first bytes, else None (not a cover we take)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def _check_cover(image: Path, path: str) -> None:
    """The cover must be a real PNG or JPEG file: it goes into every MP3 and the feed.

    Raises ConfigError naming the settings file and the image: missing, not a
    regular file, over COVER_MAX_BYTES, truncated, not PNG/JPEG, wrong size.
    """
    try:
        data = read_bounded(image, COVER_MAX_BYTES, "cover image", ConfigError)
    except ConfigError as exc:
        raise ConfigError(f"[podcast] image {str(image)!r}: {exc.message}", path) from None
    head = data[:24]
    mime = image_mime(head)
    if mime == "image/png":
        # IHDR comes first (width and height at bytes 16-24); the IEND chunk (and its CRC) closes the file
        if len(data) < 8 + 8 + 13 + 4 or head[12:16] != b"IHDR" or not data.endswith(b"IEND\xaeB`\x82"):
            raise ConfigError(f"[podcast] image {str(image)!r} is a truncated or broken PNG file", path)
        width, height = struct.unpack(">II", head[16:24])
        if not (1400 <= width <= 3000 and width == height):
            raise ConfigError(
                f"[podcast] image must be square, 1400 to 3000 pixels (Apple's rule); {image} is {width}x{height}", path
            )
    elif mime is None:
        raise ConfigError(f"[podcast] image {str(image)!r} is not a PNG or JPEG file", path)


def _resolve_relative(
    data: dict[str, Any], table: str, key: str, settings_file: Path, is_path: Callable[[str], bool]
) -> None:
    """Make `[table] key` absolute against the settings file's folder when it is a path."""
    section = data.get(table)
    value = section.get(key) if isinstance(section, dict) else None
    if isinstance(section, dict) and isinstance(value, str) and value and is_path(value):
        section[key] = str((settings_file.parent / Path(value).expanduser()).absolute())


def load_settings(path: Path | None = None) -> Settings:
    """Read a settings TOML file (None: defaults only).

    Raises ConfigError naming the file: missing, not a regular file, over
    SETTINGS_MAX_BYTES, not UTF-8 (a byte order mark is accepted), not TOML, or
    holding a bad value.
    """
    if path is None:
        return Settings()
    raw = read_bounded(path, SETTINGS_MAX_BYTES, "settings file", ConfigError)
    try:
        # utf-8-sig: an editor's byte order mark is not part of the TOML (which has no BOM rule)
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read settings: not UTF-8 (byte {exc.start})", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot read settings: {exc}", path) from None
    # Paths in the file are relative to the file, not to where the command runs.
    _resolve_relative(data, "podcast", "image", Path(path), lambda v: not v.startswith(("http://", "https://")))
    _resolve_relative(data, "text", "lexicon", Path(path), lambda v: True)
    _resolve_relative(data, "cache", "dir", Path(path), lambda v: True)
    # A bare ffmpeg name is looked up on PATH; only a path is made absolute.
    _resolve_relative(data, "audio", "ffmpeg", Path(path), lambda v: os.sep in v)
    return settings_from_dict(data, str(path))


def with_overrides(settings: Settings, *, base_url: str | None = None, voice: str | None = None) -> Settings:
    """Apply CLI options on top of the file."""
    if base_url:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"--base-url must start with http:// or https://: {base_url!r}")
        settings = replace(settings, podcast=replace(settings.podcast, base_url=base_url.rstrip("/") + "/"))
    if voice:
        settings = replace(settings, voice=voice)
    return settings
