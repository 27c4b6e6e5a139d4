"""The error tree. The CLI catches AudioNewsError only and prints its one line.

    AudioNewsError                      root; `str(err)` is the line the user sees
     ├── InputError(ValueError)         an article we cannot read: missing, empty,
     │                                  binary, undecodable, no Arabic text
     ├── ConfigError(ValueError)        a settings file or voice profile that is wrong
     │    └── UnknownVoiceError(LookupError)   no such voice profile
     ├── EngineError(RuntimeError)      a speech engine failed to load or to speak
     │    └── EngineMissingError(ImportError)  an optional extra is not installed
     ├── AudioError(RuntimeError)       decoding, stitching or encoding audio failed
     ├── TagError(ValueError)           an MP3's ID3 tags could not be written/read
     ├── PublishError(OSError)          the output folder, episode store or feed
     ├── FetchError(OSError)            a page or feed that could not be fetched or
     │                                  read (HTTP error, timeout, size cap, not a feed)
     └── ClusterError(ConnectionError)  no Dask cluster to voice articles on (a scheduler
                                        that does not answer, a local one that will not start)

Leaf errors also inherit the builtin they resemble (as mutagen does) so callers
may catch either. Each carries the file (or URL) it is about, when there is one.
"""

from __future__ import annotations

from pathlib import Path


class AudioNewsError(Exception):
    """Root of every error audio-news raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {message}" if self.path else message)


class InputError(AudioNewsError, ValueError):
    """An article file cannot be read as an Arabic article."""

    exit_code = 2


class ConfigError(AudioNewsError, ValueError):
    """A settings file or voice profile is missing keys or holds bad values."""

    exit_code = 3


class UnknownVoiceError(ConfigError, LookupError):
    """No voice profile has that name or path."""


class EngineError(AudioNewsError, RuntimeError):
    """A speech engine could not load its voice or synthesize a sentence."""

    exit_code = 4


class EngineMissingError(EngineError, ImportError):
    """An engine's optional dependency is not installed; the message names the extra."""


class AudioError(AudioNewsError, RuntimeError):
    """Audio could not be decoded, stitched, normalized or encoded."""

    exit_code = 5


class TagError(AudioNewsError, ValueError):
    """ID3 tags could not be written to or read from an MP3."""

    exit_code = 5


class PublishError(AudioNewsError, OSError):
    """The output folder, the episode store or the feed could not be written."""

    exit_code = 6


class FetchError(AudioNewsError, OSError):
    """A page or source feed could not be fetched or read; the message names the URL."""

    exit_code = 7


class ClusterError(AudioNewsError, ConnectionError):
    """The Dask scheduler cannot be reached, or a local cluster cannot be started."""

    exit_code = 8
