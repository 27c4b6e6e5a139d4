"""The default engine: eSpeak NG's Arabic voice, bundled by espeakng-loader.

The shared library and its data (Arabic dictionary included) come inside the
espeakng-loader wheel, so this engine works after `pip install` alone: no
system package, no download. It is driven through ctypes in synchronous
retrieval mode: espeak_Synth returns once the whole text is spoken, and the
samples arrive through a callback that copies them into a buffer.

libespeak-ng keeps one global state per process (voice, parameters, callback),
so the library is loaded and initialized once, lazily, and every call into it
holds one lock; each EspeakEngine re-applies its own voice and parameters
when another engine (or `phonemize`) changed them.

This is the only module that imports espeakng_loader or ctypes.
"""

from __future__ import annotations

import array
import ctypes
import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..arabic import ALEF_WASLA, KASRA, SHADDA, SUKUN, SUN_LETTERS, SUPERSCRIPT_ALEF, TASHKEEL, class_of
from ..errors import ConfigError, EngineError, EngineMissingError
from ..models import Clip
from ..voices import VoiceProfile

DEFAULT_VOICE: Final = "ar"
DEFAULT_RATE: Final = 150
"""Words per minute; espeak's own default (175) is hurried for news in Arabic."""
DEFAULT_PITCH: Final = 50
KEEP_SILENCE_MS: Final = 30
"""Silence kept before the first and after the last sound of a clip."""
SILENCE_LEVEL: Final = 100
"""Samples at or under this magnitude (about -50 dBFS) count as silence when trimming."""

# Ranges of the settings a profile may give: key → (espeak parameter, lowest, highest).
_PARAMETERS: Final = {
    "rate": (1, 80, 450),  # espeakRATE, words per minute
    "volume": (2, 0, 200),  # espeakVOLUME, 100 = normal
    "pitch": (3, 0, 100),  # espeakPITCH, 50 = normal
    "range": (4, 0, 100),  # espeakRANGE, pitch range, 50 = normal
}
_DEFAULTS: Final = {"rate": DEFAULT_RATE, "volume": 100, "pitch": DEFAULT_PITCH, "range": 50}
"""Every parameter is set, so one engine never inherits another's values."""

# From speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS: Final = 2
_INITIALIZE_DONT_EXIT: Final = 0x8000  # return an error instead of exit() when data is missing
_CHARS_UTF8: Final = 1
_POS_CHARACTER: Final = 1
_PHONEMES_IPA: Final = 0x02
_EE_OK: Final = 0
_EE_NOT_FOUND: Final = 2

# The callback's third argument is an espeak_EVENT list; only the samples are
# needed here, so it is taken as an opaque pointer.
_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

_SHADDA: Final = SHADDA
# Harakat and tanween (and the dagger alif) written before a shadda on the same letter.
_MARKS_BEFORE_SHADDA: Final = re.compile(f"([{class_of(TASHKEEL - {SHADDA})}]+){SHADDA}")


@dataclass(frozen=True)
class _VoiceState:
    """What one engine wants the library set to: voice name and parameter values."""

    voice: str
    parameters: tuple[tuple[int, int], ...] = ()


class _Library:
    """The process's one libespeak-ng, loaded, initialized and used under a lock."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:
            raise EngineMissingError("the espeak engine needs espeakng-loader (pip install espeakng-loader)") from exc
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data_path = espeakng_loader.get_data_path()
        except (OSError, RuntimeError) as exc:
            raise EngineError(f"cannot load libespeak-ng from espeakng-loader: {exc}") from exc
        _declare(lib)
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), _INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise EngineError(f"libespeak-ng failed to initialize with its data at {data_path}")
        self.lib = lib
        self.sample_rate: int = rate
        self.lock = threading.Lock()
        self._state: _VoiceState | None = None
        self._chunks: list[bytes] = []
        self._failed = False
        # Kept on the instance: ctypes does not keep the C callback alive by itself.
        self._callback = _SynthCallback(self._collect)
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: Any, count: int, events: Any) -> int:
        """Synth callback: copy each buffer of samples (wav is NULL at the end)."""
        try:
            if wav and count > 0:
                self._chunks.append(ctypes.string_at(wav, count * 2))
            return 0
        except BaseException:  # never let an exception cross into C; abort instead
            self._failed = True
            return 1

    def apply(self, state: _VoiceState) -> None:
        """Select a voice and its parameters, unless they are already in force. Hold the lock."""
        if state == self._state:
            return
        self._state = None
        code = self.lib.espeak_SetVoiceByName(state.voice.encode())
        if code == _EE_NOT_FOUND:
            raise EngineError(f"espeak-ng has no voice {state.voice!r}")
        if code != _EE_OK:
            raise EngineError(f"espeak-ng could not select voice {state.voice!r} (error {code})")
        for parameter, value in state.parameters:
            code = self.lib.espeak_SetParameter(parameter, value, 0)
            if code != _EE_OK:
                raise EngineError(f"espeak-ng rejected parameter {parameter}={value} (error {code})")
        self._state = state

    def synthesize(self, text: str, state: _VoiceState) -> bytes:
        """All the samples of `text` spoken with `state`, as native-order int16 bytes."""
        data = text.encode("utf-8") + b"\0"
        with self.lock:
            self.apply(state)
            self._chunks, self._failed = [], False
            try:
                code = self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
                if code == _EE_OK:
                    code = self.lib.espeak_Synchronize()
                if code != _EE_OK:
                    raise EngineError(f"espeak-ng failed to synthesize (error {code})")
                if self._failed:
                    raise EngineError("espeak-ng synthesis was aborted: its audio could not be collected")
                return b"".join(self._chunks)
            finally:
                self._chunks = []

    def phonemize(self, text: str, state: _VoiceState) -> str:
        """IPA for `text`, clause by clause, joined by spaces."""
        buffer = ctypes.create_string_buffer(text.encode("utf-8"))
        cursor = ctypes.c_void_p(ctypes.addressof(buffer))
        clauses = []
        with self.lock:
            self.apply(state)
            while cursor.value:
                ipa = self.lib.espeak_TextToPhonemes(ctypes.byref(cursor), _CHARS_UTF8, _PHONEMES_IPA)
                if ipa:
                    clauses.append(ipa.decode("utf-8", errors="replace").strip())
        return " ".join(c for c in clauses if c)


def _declare(lib: ctypes.CDLL) -> None:
    """Argument and result types of the functions used, as in speak_lib.h."""
    c = ctypes
    lib.espeak_Initialize.argtypes = [c.c_int, c.c_int, c.c_char_p, c.c_int]
    lib.espeak_Initialize.restype = c.c_int
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [c.c_char_p]
    lib.espeak_SetVoiceByName.restype = c.c_int
    lib.espeak_SetParameter.argtypes = [c.c_int, c.c_int, c.c_int]
    lib.espeak_SetParameter.restype = c.c_int
    lib.espeak_Synth.argtypes = [c.c_void_p, c.c_size_t, c.c_uint, c.c_int, c.c_uint, c.c_uint, c.c_void_p, c.c_void_p]
    lib.espeak_Synth.restype = c.c_int
    lib.espeak_Synchronize.argtypes = []
    lib.espeak_Synchronize.restype = c.c_int
    lib.espeak_TextToPhonemes.argtypes = [c.POINTER(c.c_void_p), c.c_int, c.c_int]
    lib.espeak_TextToPhonemes.restype = c.c_char_p


_library_instance: _Library | None = None
_library_lock = threading.Lock()


def _library() -> _Library:
    """The loaded library, made on first use (a failed load is retried next time)."""
    global _library_instance
    with _library_lock:
        if _library_instance is None:
            _library_instance = _Library()
        return _library_instance


_SUN_LETTERS: Final = SUN_LETTERS
_WASLA: Final = ALEF_WASLA
_KASRA: Final = KASRA
_HARAKAT: Final = class_of(TASHKEEL - {SUPERSCRIPT_ALEF})
_PAUSE_BEFORE: Final = tuple('،؛:.!؟?«»"()[]-–—…')
# A word that begins with the article, maybe behind a one-letter prefix (و ف ب ك)
# and its vowel: groups prefix, then the rest after "ال" (and the lam's sukun).
_ARTICLE_WORD = re.compile(f"^([وفبك][{_HARAKAT}]*)?ال{SUKUN}?(.+)$")
# Any other word that begins with a bare alef before a vowelless letter: that alef is
# hamzat wasl (انْتِخَابَات، اسْم، ابْن، اسْتِخْدَام).
_WASL_WORD = re.compile(f"^([وفبك][{_HARAKAT}]*)?ا(?=[^{class_of(TASHKEEL)}]{SUKUN})(.+)$")


def _linked_article(word: str, after_pause: bool) -> str:
    """Hamzat wasl as it is heard inside a phrase: silent.

    espeak reads a written ال as ʔal everywhere: قَالَ الشُّرْطِيُّ comes out
    qaːla ʔaʃʃurtˤiː and بِالْقُرْبِ as biaːlqurbi; فِي انْتِخَابَاتِ as fiː
    antixaːbaːt. Inside a phrase the alef is written as alef wasla (ٱلْقُرْب →
    lqurbi, ٱنْتِخَابَات → ntixaːbaːt) and before a doubled sun letter the unheard
    lam is dropped too (ٱشُّرْطِيّ → ʃʃurtˤiː). After a pause, with no prefix, the
    word keeps its hamza, as a reader says it: with a, as espeak already reads
    the article, or with i for the nouns (اِنْتِخَابَات → ʔintixaːbaːt, not ʔan…).
    """
    for pattern in (_ARTICLE_WORD, _WASL_WORD):
        m = pattern.match(word)
        if m:
            break
    else:
        return word
    if m.group(1) is None and after_pause:
        return word if pattern is _ARTICLE_WORD else "ا" + _KASRA + m.group(2)
    prefix, rest = m.group(1) or "", m.group(2)
    if pattern is _WASL_WORD:
        return prefix + _WASLA + rest
    if rest[0] in _SUN_LETTERS and _SHADDA in rest[1:3]:
        return prefix + _WASLA + rest
    return prefix + _WASLA + "ل" + SUKUN + rest


def prepare_text(text: str) -> str:
    """Text as espeak-ng's Arabic rules expect it.

    The rules read a shadda followed by its vowel (دَّ written U+0651 U+064E);
    Unicode's canonical order (NFC, which many tools apply) puts the vowel
    first, and espeak then drops it: الدَّرْسَ is read ʔaddːrsa, not ʔaddːarsa.
    The shadda is moved back in front of the marks of its letter, and the
    article is linked to the word before it (see _linked_article). NUL
    characters (which would end the C string) become spaces.
    """
    text = _MARKS_BEFORE_SHADDA.sub(lambda m: _SHADDA + m.group(1), text.replace("\0", " "))
    words = text.split(" ")
    for i, word in enumerate(words):
        after_pause = i == 0 or not words[i - 1] or words[i - 1].endswith(_PAUSE_BEFORE)
        words[i] = _linked_article(word, after_pause)
    return " ".join(words)


def trim_silence(
    samples: bytes, sample_rate: int, keep_ms: float = KEEP_SILENCE_MS, level: int = SILENCE_LEVEL
) -> bytes:
    """Cut leading and trailing silence (|sample| <= level) down to `keep_ms`.

    `samples` is native-order 16-bit PCM; all-silent input comes back empty.
    """
    pcm = array.array("h", samples)
    first = next((i for i, s in enumerate(pcm) if abs(s) > level), None)
    if first is None:
        return b""
    last = next(i for i in range(len(pcm) - 1, -1, -1) if abs(pcm[i]) > level)
    keep = int(sample_rate * keep_ms / 1000)
    start, end = max(0, first - keep), min(len(pcm), last + 1 + keep)
    return samples[start * 2 : end * 2]


def _little_endian(samples: bytes) -> bytes:
    if sys.byteorder == "little":
        return samples
    pcm = array.array("h", samples)
    pcm.byteswap()
    return pcm.tobytes()


def _voice_state(profile: VoiceProfile) -> _VoiceState:
    """Check a profile's [settings] and turn them into a library state."""
    settings: Mapping[str, Any] = profile.settings
    unknown = set(settings) - {"voice", *_PARAMETERS}
    if unknown:
        raise ConfigError(
            f"unknown espeak settings: {', '.join(sorted(unknown))} (known: voice, {', '.join(_PARAMETERS)})",
            profile.path,
        )
    voice = settings.get("voice", DEFAULT_VOICE)
    if not isinstance(voice, str) or not voice.strip():
        raise ConfigError("espeak setting 'voice' must be a non-empty string, e.g. \"ar\"", profile.path)
    parameters = []
    for key, (parameter, low, high) in _PARAMETERS.items():
        value = settings.get(key, _DEFAULTS[key])
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(
                f"espeak setting {key!r} must be an integer from {low} to {high}, not {value!r}", profile.path
            )
        parameters.append((parameter, value))
    return _VoiceState(voice.strip(), tuple(parameters))


class EspeakEngine:
    """Speaks with eSpeak NG; settings: voice ("ar"), rate (wpm), pitch, volume, range."""

    def __init__(self, profile: VoiceProfile) -> None:
        """Check the profile's settings, load the library and select the voice.

        Raises ConfigError for bad settings, EngineError when the library
        cannot load or has no such voice.
        """
        self.profile = profile
        self._state = _voice_state(profile)
        self._library = _library()
        self.sample_rate: int = self._library.sample_rate
        with self._library.lock:
            self._library.apply(self._state)

    def synthesize(self, text: str) -> Clip:
        """Speak one sentence: its PCM with at most ~30 ms of silence at either end.

        Raises EngineError when synthesis fails.
        """
        samples = self._library.synthesize(prepare_text(text), self._state)
        samples = trim_silence(samples, self.sample_rate)
        return Clip(_little_endian(samples), self.sample_rate)

    def phonemize(self, text: str) -> str:
        """The IPA espeak reads for `text` with this engine's voice."""
        return self._library.phonemize(prepare_text(text), self._state)


def phonemize(text: str, voice: str = DEFAULT_VOICE) -> str:
    """The IPA espeak-ng reads for `text`: what a listener hears, for benches.

    Clauses are joined by spaces; words in another language are marked as
    espeak marks them, e.g. "(en)...(ar)". Raises EngineError when the
    library cannot load or has no such voice.
    """
    return _library().phonemize(prepare_text(text), _VoiceState(voice))
