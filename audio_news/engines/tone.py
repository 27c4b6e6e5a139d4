"""A tone engine: sine bursts instead of speech, for tests and quick dry runs.

Shipped as httpx ships its MockTransport: every stage after synthesis (stitch,
tags, transcripts, feed, player) runs for real, in a fraction of the time a
speech engine takes, and with no speech library at all. Each word becomes one
burst whose length and pitch follow its letters and digits (marks and
punctuation do not count, so diacritized and bare text sound alike); words are
parted by a short gap, and a clip starts and ends with a little silence, as
espeak's trimmed clips do, so that stitch's cues and chapters fall where sound
starts. Text without letters or digits gives an empty clip. Equal text gives
equal samples, on every machine.

A profile uses it with `engine = "tone"`; its settings are `sample_rate`
(Hz) and `ms_per_letter`.
"""

from __future__ import annotations

import array
import math
import sys
import zlib
from collections.abc import Mapping
from typing import Any, Final

from ..errors import ConfigError
from ..models import Clip
from ..voices import VoiceProfile

DEFAULT_SAMPLE_RATE: Final = 22050
"""espeak-ng's own rate, so a tone episode is resampled the way a spoken one is."""
DEFAULT_MS_PER_LETTER: Final = 30
"""About twice as fast as espeak reads Arabic at 150 words per minute."""
EDGE_MS: Final = 30
"""Silence before the first and after the last burst of a clip."""
WORD_GAP_MS: Final = 40
"""Silence between the bursts of two words."""
AMPLITUDE: Final = 0.3
"""Peak of a burst as a fraction of full scale (about -10 dBFS)."""
LOWEST_HZ: Final = 150
HIGHEST_HZ: Final = 400

# Settings a profile may give: key → (default, lowest, highest).
_SETTINGS: Final = {
    "sample_rate": (DEFAULT_SAMPLE_RATE, 8000, 48000),
    "ms_per_letter": (DEFAULT_MS_PER_LETTER, 5, 200),
}


def _settings(profile: VoiceProfile) -> dict[str, int]:
    """Check a profile's [settings]: integers in their ranges, nothing unknown."""
    settings: Mapping[str, Any] = profile.settings
    unknown = set(settings) - set(_SETTINGS)
    if unknown:
        raise ConfigError(
            f"unknown tone settings: {', '.join(sorted(unknown))} (known: {', '.join(_SETTINGS)})", profile.path
        )
    checked = {}
    for key, (default, low, high) in _SETTINGS.items():
        value = settings.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(
                f"tone setting {key!r} must be an integer from {low} to {high}, not {value!r}", profile.path
            )
        checked[key] = value
    return checked


class ToneEngine:
    """Reads each word as a sine burst; settings: sample_rate (Hz), ms_per_letter."""

    def __init__(self, profile: VoiceProfile) -> None:
        """Check the profile's settings. Raises ConfigError for bad ones."""
        self.profile = profile
        settings = _settings(profile)
        self.sample_rate: int = settings["sample_rate"]
        self.ms_per_letter: int = settings["ms_per_letter"]
        self._periods: dict[int, array.array[int]] = {}

    def synthesize(self, text: str) -> Clip:
        """One sentence: a burst per word between short silences (16-bit little-endian PCM)."""
        bursts = [self._burst(word) for word in text.split()]
        bursts = [b for b in bursts if b]
        if not bursts:
            return Clip(b"", self.sample_rate)
        edge = array.array("h", bytes(2 * self._samples(EDGE_MS)))
        gap = array.array("h", bytes(2 * self._samples(WORD_GAP_MS)))
        pcm = array.array("h", edge)
        for n, burst in enumerate(bursts):
            if n:
                pcm.extend(gap)
            pcm.extend(burst)
        pcm.extend(edge)
        if sys.byteorder != "little":
            pcm.byteswap()
        return Clip(pcm.tobytes(), self.sample_rate)

    def _samples(self, ms: float) -> int:
        return round(self.sample_rate * ms / 1000)

    def _burst(self, word: str) -> array.array[int]:
        """Whole periods of one sine (so it starts and ends at zero: no clicks), or nothing."""
        letters = "".join(ch for ch in word if ch.isalnum())
        if not letters:
            return array.array("h")
        hz = LOWEST_HZ + zlib.crc32(letters.encode("utf-8")) % (HIGHEST_HZ - LOWEST_HZ)
        period = self._period(max(2, round(self.sample_rate / hz)))
        count = max(1, round(self._samples(len(letters) * self.ms_per_letter) / len(period)))
        return period * count

    def _period(self, length: int) -> array.array[int]:
        """One period of a sine `length` samples long, made once per length."""
        if length not in self._periods:
            peak = AMPLITUDE * 32767
            self._periods[length] = array.array(
                "h", (round(peak * math.sin(2 * math.pi * i / length)) for i in range(length))
            )
        return self._periods[length]
