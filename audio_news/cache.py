"""The sentence audio cache: what an engine said once is not synthesized again.

Content-addressed: a clip's name is the SHA-256 of the voice (engine name,
its settings as canonical JSON, the files those settings name, the engine's
sample rate and source), CACHE_VERSION and the exact text of one engine call.
Rebuilding an unchanged article reads every clip from here; an article with
one changed paragraph synthesizes only that paragraph's sentences. Neural
voices, whose synthesis is the slow part, gain the most.

Two more kinds of entry sit beside the clips, for the other slow stages of a
rebuild: a diacritizer's output for one sentence (keyed by its model, lexicon,
package versions and source), and a rendered, untagged episode MP3 with its
chapter and cue times (keyed by everything stitch reads: texts, clips by hash,
audio and pause settings, the ffmpeg binary, stitch's source). An unchanged
article is then only tagged and published again.

Entries are small files under the user's cache folder ($AUDIO_NEWS_CACHE_DIR,
else the [cache] dir setting, else $XDG_CACHE_HOME/audio-news or
~/.cache/audio-news), two levels deep by hash: a 16-byte header (magic, sample
rate, payload byte count) then the payload (the PCM byte count, raw 16-bit PCM and the word
times as JSON; UTF-8 text; the
Rendering's JSON then the MP3). Each is written under a temporary
name and renamed, so a reader never sees half an entry; one that is corrupt or
truncated anyway (a full disk, a hand edit) is a miss and is removed. A hit
touches the entry's mtime, and `trim` evicts the least recently used entries
when the folder is over its cap. Pure stdlib.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Final

from .config import AudioSettings, CacheSettings, PauseSettings
from .models import Chapter, Clip, Cue, Rendering, Script, Word
from .voices import VoiceProfile

CACHE_VERSION: Final = 2
"""Bump when any engine's audio for the same text and settings changes (or the entry format does):
every old entry then misses and ages out through the cap."""
TEXT_CACHE_VERSION: Final = 1
"""Bump when diacritize.py's output for the same model, lexicon and input changes."""
ENGINE_PACKAGES: Final = {"espeak": ("espeakng-loader",), "coqui": ("coqui-tts", "torch")}
"""The distributions whose version changes an engine's audio (the eSpeak NG library and its data, a
model runtime): an upgrade is a new voice."""
ENV_DIR: Final = "AUDIO_NEWS_CACHE_DIR"
DEFAULT_MAX_MB: Final = 2048
SUFFIX: Final = ".pcm"
TEXT_SUFFIX: Final = ".txt"
EPISODE_SUFFIX: Final = ".mp3"
_MAGIC: Final = b"ANC2"  # payload: PCM byte count (4 bytes, little-endian), the PCM, the word times as JSON
_TEXT_MAGIC: Final = b"ANT1"
_EPISODE_MAGIC: Final = b"ANE1"  # header's rate field: the length of the Rendering's JSON before the MP3
_HEADER: Final = struct.Struct("<4sIQ")  # magic, sample rate (0 for text), payload bytes
_TEMP_MAX_AGE_S: Final = 3600
"""A temporary entry this old is a dead writer's, and trim removes it."""


def default_folder(setting: str = "") -> Path:
    """Where the cache lives: $AUDIO_NEWS_CACHE_DIR, the [cache] dir setting, then XDG's cache folder."""
    chosen = os.environ.get(ENV_DIR) or setting
    if chosen:
        return Path(chosen).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"  # XDG: a relative one is ignored
    return base / "audio-news"


def source_digest(*modules: str) -> str:
    """SHA-256 of the named modules' source files: code that changes the output changes the key,
    so a developer's edit is never hidden behind old entries. A module without a file adds its name."""
    digest = hashlib.sha256()
    for name in modules:
        module = sys.modules.get(name)
        file = getattr(module, "__file__", None)
        try:
            digest.update(Path(file).read_bytes() if file else name.encode())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()


def package_versions(names: Iterable[str]) -> dict[str, str]:
    """Installed versions of the named distributions ("" for one not installed)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ""
    return versions


def voice_key(profile: VoiceProfile, sample_rate: int, code: str = "") -> str:
    """What makes one voice's audio differ from another's for the same text, as one string.

    A settings value that names an existing file or folder (a Coqui model) adds that
    path, size and modification time: a retrained model at the same path is a new voice.
    `code` is the engine's source_digest.
    """
    files = {}
    for key, value in sorted(profile.settings.items()):
        if isinstance(value, str) and value:
            path = profile.resolve(value)
            try:
                st = path.stat()
            except (OSError, ValueError):
                continue
            files[key] = [str(path.absolute()), st.st_size, st.st_mtime_ns]
    voice = {
        "version": CACHE_VERSION,
        "engine": profile.engine,
        "settings": dict(profile.settings),
        "files": files,
        "sample_rate": sample_rate,
        "code": code,
        "packages": package_versions(ENGINE_PACKAGES.get(profile.engine, ())),
    }
    return json.dumps(voice, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class CacheInfo:
    """What `audio-news cache info` shows."""

    folder: Path
    entries: int
    size: int
    max_bytes: int


class SentenceCache:
    """Clips on disk under `folder`, at most `max_bytes` of them after a `trim`."""

    def __init__(self, folder: Path, max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0

    @classmethod
    def from_settings(cls, settings: CacheSettings) -> SentenceCache | None:
        """The cache the settings ask for, or None when it is turned off."""
        if not settings.enabled:
            return None
        return cls(default_folder(settings.dir), settings.max_mb * 1024 * 1024)

    def path_for(self, voice: str, text: str, suffix: str = SUFFIX) -> Path:
        digest = hashlib.sha256(f"{voice}\0{text}".encode()).hexdigest()
        return self.folder / digest[:2] / f"{digest}{suffix}"

    def get(self, voice: str, text: str, sample_rate: int) -> Clip | None:
        """The clip stored for `text` in `voice`, or None. A damaged entry is removed: a miss, never an error."""
        path = self.path_for(voice, text)
        found = self._read(path, _MAGIC, sample_rate)
        if found is None:
            return None
        try:
            size = int.from_bytes(found[:4], "little")
            if len(found) < 4 + size or size % 2:
                raise ValueError("cut short")
            words = tuple(Word(float(at), str(word)) for at, word in json.loads(found[4 + size :] or b"[]"))
        except (ValueError, TypeError):
            _unlink(path)
            self.hits, self.misses = self.hits - 1, self.misses + 1
            return None
        return Clip(found[4 : 4 + size], sample_rate, words)

    def put(self, voice: str, text: str, clip: Clip) -> None:
        """Store `clip` with its word times; a cache that cannot be written (read-only, full disk) is skipped."""
        words = json.dumps([[w.start_ms, w.text] for w in clip.words], ensure_ascii=False).encode()
        payload = len(clip.samples).to_bytes(4, "little") + clip.samples + words
        self._write(self.path_for(voice, text), _MAGIC, clip.sample_rate, payload)

    def get_text(self, key: str, text: str) -> str | None:
        """The string stored for `text` under `key` (a diacritizer's output), or None."""
        found = self._read(self.path_for(key, text, TEXT_SUFFIX), _TEXT_MAGIC, 0)
        if found is None:
            return None
        try:
            return found.decode("utf-8")
        except UnicodeDecodeError:
            _unlink(self.path_for(key, text, TEXT_SUFFIX))
            return None

    def put_text(self, key: str, text: str, value: str) -> None:
        self._write(self.path_for(key, text, TEXT_SUFFIX), _TEXT_MAGIC, 0, value.encode("utf-8"))

    def get_episode(self, key: str, dest: Path) -> Rendering | None:
        """The rendered MP3 stored under `key`, copied to `dest`, and where everything is in it;
        None (and nothing at `dest`) when there is none or it is damaged."""
        path = self.path_for(key, "", EPISODE_SUFFIX)
        try:
            with open(path, "rb") as f:
                magic, meta_size, size = _HEADER.unpack(f.read(_HEADER.size))
                if magic != _EPISODE_MAGIC or meta_size > size:
                    raise ValueError("not an episode entry")
                rendering = _rendering_from_json(f.read(meta_size))
                with open(dest, "wb") as out:
                    shutil.copyfileobj(f, out)
                    copied = out.tell()
                if copied != size - meta_size:
                    raise ValueError("cut short or too long")
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError, TypeError, KeyError, struct.error):
            _unlink(Path(dest))
            _unlink(path)
            self.misses += 1
            return None
        try:
            os.utime(path)
        except OSError:
            pass
        self.hits += 1
        return rendering

    def put_episode(self, key: str, rendering: Rendering, mp3: Path) -> None:
        """Store the rendered (untagged) MP3 at `mp3` with its Rendering; streamed, never held whole."""
        path = self.path_for(key, "", EPISODE_SUFFIX)
        tmp = _temp_name(path)
        meta = json.dumps(asdict(rendering), ensure_ascii=False, sort_keys=True).encode()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(mp3, "rb") as src, open(tmp, "wb") as f:
                f.write(_HEADER.pack(_EPISODE_MAGIC, len(meta), len(meta) + os.fstat(src.fileno()).st_size))
                f.write(meta)
                shutil.copyfileobj(src, f)
            os.replace(tmp, path)
        except OSError:
            _unlink(tmp)

    def _read(self, path: Path, magic: bytes, rate: int) -> bytes | None:
        """An entry's payload when its header is whole and matches; a damaged one is removed."""
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        payload = _payload(data, magic, rate)
        if payload is None:
            _unlink(path)
            self.misses += 1
            return None
        try:
            os.utime(path)  # least recently used goes first; atime is often not kept (noatime, relatime)
        except OSError:
            pass
        self.hits += 1
        return payload

    def _write(self, path: Path, magic: bytes, rate: int, payload: bytes) -> None:
        """Header and payload under a temporary name, then renamed into place; an OSError skips the entry."""
        tmp = _temp_name(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(_HEADER.pack(magic, rate, len(payload)))
                f.write(payload)
            os.replace(tmp, path)
        except OSError:
            _unlink(tmp)

    def entries(self) -> Iterator[tuple[Path, os.stat_result]]:
        """Every entry file and its stat (temporary files left out)."""
        if not self.folder.is_dir():
            return
        for sub in self.folder.iterdir():
            if not (len(sub.name) == 2 and sub.is_dir()):
                continue
            for path in sub.iterdir():
                if path.suffix in (SUFFIX, TEXT_SUFFIX, EPISODE_SUFFIX) and not path.name.startswith("."):
                    try:
                        yield path, path.stat()
                    except OSError:
                        continue  # removed by another process meanwhile

    def info(self) -> CacheInfo:
        stats = [st for _, st in self.entries()]
        return CacheInfo(self.folder, len(stats), sum(st.st_size for st in stats), self.max_bytes)

    def trim(self) -> int:
        """Remove least recently used entries until the folder is within its cap
        (and dead writers' temporary files); returns how many entries went."""
        self._remove_stale_temps()
        found = sorted(self.entries(), key=lambda e: (e[1].st_mtime, e[1].st_atime))
        size = sum(st.st_size for _, st in found)
        removed = 0
        for path, st in found:
            if size <= self.max_bytes:
                break
            _unlink(path)
            size -= st.st_size
            removed += 1
        return removed

    def clear(self) -> int:
        """Remove every entry (and the empty folders); returns how many went."""
        removed = 0
        for path, _ in list(self.entries()):
            _unlink(path)
            removed += 1
        self._remove_stale_temps(max_age_s=0)
        if self.folder.is_dir():
            for sub in self.folder.iterdir():
                if len(sub.name) == 2 and sub.is_dir():
                    try:
                        sub.rmdir()
                    except OSError:
                        pass  # another process is writing into it
        return removed

    def _remove_stale_temps(self, max_age_s: float = _TEMP_MAX_AGE_S) -> None:
        if not self.folder.is_dir():
            return
        now = time.time()
        for tmp in self.folder.glob("??/.*.tmp"):
            try:
                if now - tmp.stat().st_mtime >= max_age_s:
                    tmp.unlink()
            except OSError:
                continue


@dataclass(frozen=True)
class VoiceCache:
    """One voice's view of the cache: what synthesize needs, text in, clip out."""

    cache: SentenceCache
    voice: str
    sample_rate: int

    def get(self, text: str) -> Clip | None:
        return self.cache.get(self.voice, text, self.sample_rate)

    def put(self, text: str, clip: Clip) -> None:
        self.cache.put(self.voice, text, clip)


@dataclass(frozen=True)
class TextCache:
    """A diacritizer's outputs: the spoken string of a sentence in, its tashkeel out.

    `key` names the diacritizer (diacritizer_key): its model, lexicon and package versions."""

    cache: SentenceCache
    key: str

    def wrap(self, diacritizer: Callable[[str], str]) -> Callable[[str], str]:
        """`diacritizer`, asked only for what is not stored yet."""

        def cached(text: str) -> str:
            found = self.cache.get_text(self.key, text)
            if found is None:
                found = diacritizer(text)
                self.cache.put_text(self.key, text, found)
            return found

        return cached


def diacritizer_key(model: str, lexicon: bytes, packages: Mapping[str, str], code: str) -> str:
    """What makes one diacritizer's output differ from another's, as one string: its model, the
    lexicon's bytes, the model packages' versions and the source_digest of the code around them."""
    return json.dumps(
        {
            "version": TEXT_CACHE_VERSION,
            "model": model,
            "lexicon": hashlib.sha256(lexicon).hexdigest(),
            "packages": dict(packages),
            "code": code,
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def episode_key(
    script: Script, audio: AudioSettings, pauses: PauseSettings, ffmpeg: str, code: str, voice: str = ""
) -> str:
    """What the rendered MP3 depends on: every chapter title, block kind, sentence text and what
    the voice reads of it, the voice (its voice_key and max_chars, as `voice`; the clips it makes
    follow from those, so the key is known before any synthesis), the audio and pause settings,
    the ffmpeg binary and stitch's source. A sentence with a clip attached adds the clip's SHA-256."""
    digest = hashlib.sha256()
    head = {
        "version": CACHE_VERSION,
        "audio": asdict(audio),
        "pauses": asdict(pauses),
        "ffmpeg": ffmpeg,
        "code": code,
        "voice": voice,
    }
    digest.update(json.dumps(head, sort_keys=True).encode())
    for part in script.parts:
        digest.update(b"\0part\0" + part.title.encode())
        for block in part.blocks:
            digest.update(b"\0block\0" + block.kind.value.encode())
            for sentence in block.sentences:
                digest.update(b"\0sentence\0" + sentence.text.encode() + b"\0" + sentence.spoken.encode())
                if sentence.clip is not None:
                    clip = sentence.clip
                    digest.update(f"\0{clip.sample_rate}\0".encode() + hashlib.sha256(clip.samples).digest())
    return digest.hexdigest()


def _rendering_from_json(data: bytes) -> Rendering:
    """A Rendering read back; raises ValueError, TypeError or KeyError when it is not one."""
    raw = json.loads(data)
    return Rendering(
        duration_ms=int(raw["duration_ms"]),
        chapters=tuple(Chapter(**c) for c in raw["chapters"]),
        cues=tuple(
            Cue(c["start_ms"], c["end_ms"], c["text"], tuple(Word(**w) for w in c.get("words", ())))
            for c in raw["cues"]
        ),
        loudness_lufs=raw["loudness_lufs"],
        true_peak_db=raw["true_peak_db"],
        warning=str(raw["warning"]),
    )


def _payload(data: bytes, magic: bytes, rate: int) -> bytes | None:
    """An entry's payload, or None when the header is not what is asked for (the magic, the
    sample rate) or the payload is cut short or too long (a clip's own layout is checked in get)."""
    if len(data) < _HEADER.size:
        return None
    found, found_rate, size = _HEADER.unpack_from(data)
    if found != magic or found_rate != rate or len(data) - _HEADER.size != size:
        return None
    return data[_HEADER.size :]


def _temp_name(path: Path) -> Path:
    """Where an entry is written before the rename: one name per process and thread."""
    return path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def describe_size(size: int) -> str:
    """Bytes as the CLI shows them: 1.2 MB."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("kB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"
