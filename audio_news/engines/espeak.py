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
import bisect
import ctypes
import re
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ..arabic import ALEF_WASLA, KASRA, SHADDA, SUKUN, SUN_LETTERS, TASHKEEL, class_of
from ..errors import ConfigError, EngineError, EngineMissingError
from ..models import Clip, Word
from ..voices import VoiceProfile

DEFAULT_VOICE: Final = "ar"
DEFAULT_RATE: Final = 225
"""espeak's rate setting (nominally English words per minute). On Arabic news it gives
about 115 transcript words a minute with the episode's pauses (122 in speech alone), a
news pace; 150 gave 77 (bench/pace.py, docs/speech.md)."""
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

_EVENT_LIST_TERMINATED: Final = 0
_EVENT_WORD: Final = 1


class _Event(ctypes.Structure):
    """espeak_EVENT (speak_lib.h); `id` is a union of int, char* and char[8], read as bytes."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based character offset of the word in the text given
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # milliseconds from the start of this synthesis
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


# The callback's third argument is an espeak_EVENT list ending in a LIST_TERMINATED
# event; it is taken as an opaque pointer and cast where the word events are read.
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
        self._words: list[tuple[int, int]] = []
        self._failed = False
        # Kept on the instance: ctypes does not keep the C callback alive by itself.
        self._callback = _SynthCallback(self._collect)
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: Any, count: int, events: Any) -> int:
        """Synth callback: copy each buffer of samples (wav is NULL at the end)."""
        try:
            if wav and count > 0:
                self._chunks.append(ctypes.string_at(wav, count * 2))
            if events:
                event = ctypes.cast(events, ctypes.POINTER(_Event))
                i = 0
                while event[i].type != _EVENT_LIST_TERMINATED:
                    if event[i].type == _EVENT_WORD:
                        self._words.append((event[i].text_position, event[i].audio_position))
                    i += 1
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

    def synthesize(self, text: str, state: _VoiceState) -> tuple[bytes, list[tuple[int, int]]]:
        """All the samples of `text` spoken with `state`, as native-order int16 bytes, and
        its word events: (1-based character position in `text`, milliseconds into the audio)."""
        data = text.encode("utf-8") + b"\0"
        with self.lock:
            self.apply(state)
            self._chunks, self._words, self._failed = [], [], False
            try:
                code = self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
                if code == _EE_OK:
                    code = self.lib.espeak_Synchronize()
                if code != _EE_OK:
                    raise EngineError(f"espeak-ng failed to synthesize (error {code})")
                if self._failed:
                    raise EngineError("espeak-ng synthesis was aborted: its audio could not be collected")
                return b"".join(self._chunks), list(self._words)
            finally:
                self._chunks, self._words = [], []

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
_PAUSE_BEFORE: Final = tuple('،؛:.!؟?«»"()[]-–—…')
_MARKS: Final = "[\u064b-\u0652\u0670]*"
_LETTER: Final = "[\u0621-\u064a]"
# The clitics written before a wasl word: و or ف, then maybe ب or ل, each with its vowel
# if any. Not ك: كَ + wasl is rare, and كَارْلُوس، كَاسْتْرُو are names read with a long a.
_CLITICS: Final = f"(?:[وف]{_MARKS})?(?:[بل]{_MARKS})?"
# Hamzat wasl of a noun or verb: a bare alef (maybe with the kasra a writer adds) before
# a letter with sukun or shadda and at least one letter more (اجْتِمَاع، اتِّحَاد، ابْن،
# اسْتَمَرَّ), so that a pausal بَابْ or فَازْ is never taken for ب + wasl. «انَّ» is a
# misspelt إِنَّ, not a wasl word.
_WASL_ALEF: Final = f"ا\u0650?(?!ن\u0651)(?={_LETTER}[\u0651\u0652]{_MARKS}{_LETTER})"
# The article, maybe behind clitics (لِ + ال is لل): groups clitics, marks of the lam, rest.
_ARTICLE_WORD = re.compile(f"^((?:[وف]{_MARKS})?(?:[بك]{_MARKS})?)ال({_MARKS})({_LETTER}.*)$")
_LIL_WORD = re.compile(f"^((?:[وف]{_MARKS})?ل{_MARKS})ل({_MARKS})({_WASL_ALEF}.+)$")
# Any other word that begins with hamzat wasl, maybe behind clitics.
_WASL_WORD = re.compile(f"^({_CLITICS}){_WASL_ALEF}(.+)$")
_WASL_NOUN = re.compile(f"^{_WASL_ALEF}")
_LEADING_PUNCTUATION = re.compile("^[«»\"'(\\[\\-–—…]+")
# A word that ends in a long vowel (fiː, ʕalaː, ðahabuː): its final letters, which a
# linked wasl shortens (فِي ٱلْبَيْتِ is fi lbayti).
_LONG_VOWEL_END = re.compile("(?<=\u0650)ي\u0652?$|(?<=\u064e)[اى]\u0652?$|(?<=\u064f)وا?\u0652?$")
# A word that ends in a consonant with sukun or none (أَعْلَنَتْ، لَمْ، مِنْ، قَد): it takes a
# helping vowel.
_SUKUN_END = re.compile("(?<=[\u0621-\u0626\u0628-\u0647])\u0652?$")
_VOWELLED = re.compile("[\u064b-\u0650]")
"""A word with any vowel mark: a bare final consonant in it is vowelless (in a bare word it is unknown)."""
_DAMMA_HELPERS: Final = ("هُمْ", "كُمْ", "تُمْ", "مُذْ")
# A shadda and a sukun on one letter (الَّْتِي, as a model writes it): espeak then drops the
# doubling (alatiː); the sukun goes.
_SHADDA_SUKUN = re.compile("\u0651\u0652|\u0652(?=[\u064b-\u0650]*\u0651)")
# A doubled glide (يّ، وّ, shadda already moved first), which espeak reads as a long vowel
# and a hiatus: سَاحِلِيَّة saːħiliːatun, قُوَّة quːatun, الدَّوْلِيِّ dawliːi. Written out as
# glide + sukun + glide; espeak reads a ي with kasra as a long jiː, so a tatweel goes between
# (يْيـِ: dawliːji), and tanween fath or damm is written as its vowel and nun (سَنَوِيًّا →
# سَنَوِيْيَنْ, sanawiːjan), which espeak reads right where it reads the tanween as a hiatus.
_DOUBLED_GLIDE = re.compile("([يو])\u0651(\u064b[اى]?|[\u064c-\u0650])")
_TATWEEL: Final = "\u0640"


def _doubled_glide(m: re.Match[str]) -> str:
    glide, vowel = m.groups()
    if glide == "ي" and vowel[0] in "\u064b\u064c":
        return glide + SUKUN + glide + ("\u064e" if vowel[0] == "\u064b" else "\u064f") + "ن" + SUKUN
    if glide == "ي" and vowel in "\u0650\u064d":
        return glide + SUKUN + glide + _TATWEEL + vowel
    return glide + SUKUN + glide + vowel


# The name of God (اللَّه، بِاللَّهِ، عَبْدِ اللَّهِ), written without its long a, which espeak
# then reads short (ʕabdil lahi): the a is written out.
_ALLAH = re.compile(
    f"^(?:[وفبت]{_MARKS})?[اٱ]?(?:ل{_MARKS})?ل\u0651[\u064e\u0670]?ه(?=[\u064b-\u0652]*[^\u0621-\u064a]*$)"
)
# The silent alef written after the plural و of verbs (قَالُوا، سَعَوْا), which espeak reads aː.
_SILENT_ALEF = re.compile("(\u064fو\u0652?|\u064eو\u0652)ا(?![\u0621-\u064a\u064b-\u0652\u0670])")


def _linked_article(word: str, after_pause: bool) -> str:
    """Hamzat wasl as it is heard inside a phrase: silent.

    espeak reads a written ال as ʔal everywhere: قَالَ الشُّرْطِيُّ comes out
    qaːla ʔaʃʃurtˤiː and بِالْقُرْبِ as biaːlqurbi; فِي انْتِخَابَاتِ as fiː
    antixaːbaːt. Inside a phrase the alef is written as alef wasla (ٱلْقُرْب →
    lqurbi, ٱنْتِخَابَات → ntixaːbaːt) and before a doubled sun letter the unheard
    lam is dropped too (ٱشُّرْطِيّ → ʃʃurtˤiː). After a pause, with no prefix, the
    word keeps its hamza, as a reader says it: with a, as espeak already reads
    the article, or with i for the nouns (اِنْتِخَابَات → ʔintixaːbaːt, not ʔan…).

    The article before a wasl noun takes the kasra and the noun's alef goes
    (الِاجْتِمَاع: ʔal-ijtimaːʕ, not ʔal-iaːdʒtimaːʕ as espeak reads the alef);
    after لِ the article is written لل (لِلِاتِّحَاد → lilittiħaːd) and a wasl
    noun after a clitic loses its alef too (لِارْتِبَاطَات → lirtibaːtˤaːt).
    """
    lead = _LEADING_PUNCTUATION.match(word)
    if lead:  # an opening quote or bracket: a short pause, the hamza is said
        return lead.group() + _linked_article(word[lead.end() :], True)
    m = _LIL_WORD.match(word)
    if m:
        return m.group(1) + "ل" + _KASRA + _WASL_NOUN.sub("", m.group(3))
    m = _ARTICLE_WORD.match(word)
    if m and _SHADDA in m.group(2):  # الَّذِي، الَّتِي: the article's lam doubled
        return word if not m.group(1) and after_pause else m.group(1) + _WASLA + word[len(m.group(1)) + 1 :]
    if m and m.group(2) in ("", "\u0652", _KASRA):
        clitics, lam, rest = m.groups()
        if rest.startswith("ا") and (lam == _KASRA or _WASL_NOUN.match(rest)):
            noun = re.sub("^ا\u0650?", "", rest)
            if not clitics and after_pause:
                return "ا\u064eل" + _KASRA + noun
            return clitics + _WASLA + "ل" + _KASRA + noun
        if lam == _KASRA:
            return word
        if not clitics and after_pause:
            return word
        if rest[0] in _SUN_LETTERS and _SHADDA in rest[1:3]:
            return clitics + _WASLA + rest
        return clitics + _WASLA + "ل" + SUKUN + rest
    m = _WASL_WORD.match(word)
    if m:
        clitics, rest = m.groups()
        if not clitics and after_pause:
            return "ا" + _KASRA + rest
        return clitics + _WASLA + rest
    return word


def _before_wasl(word: str, article: bool) -> str:
    """The end of a word as it is said before a linked hamzat wasl.

    A long vowel is shortened (فِي ٱلْبَيْتِ → fi lbayti, عَلَى ٱلْأَرْضِ → ʕala
    lʔardˤi) and a final sukun takes a helping vowel, as two sukuns cannot meet:
    kasra (أَعْلَنَتِ ٱلْحُكُومَةُ), fatha on مِنْ before the article (مِنَ ٱلْ),
    damma on the plural pronouns (هُمُ ٱلْ).
    """
    if _LONG_VOWEL_END.search(word):
        return _LONG_VOWEL_END.sub("", word)
    if _SUKUN_END.search(word) and (word.endswith(SUKUN) or _VOWELLED.search(word)):
        if word.endswith(_DAMMA_HELPERS):
            vowel = "\u064f"
        elif article and word.endswith("مِنْ"):
            vowel = "\u064e"
        else:
            vowel = _KASRA
        return word.removesuffix(SUKUN) + vowel
    return word


def prepare_text(text: str) -> str:
    """Text as espeak-ng's Arabic rules expect it.

    The rules read a shadda followed by its vowel (دَّ written U+0651 U+064E);
    Unicode's canonical order (NFC, which many tools apply) puts the vowel
    first, and espeak then drops it: الدَّرْسَ is read ʔaddːrsa, not ʔaddːarsa.
    The shadda is moved back in front of the marks of its letter, hamzat wasl
    is linked to the word before it (see _linked_article), and that word's end
    is said as it is before a wasl (see _before_wasl). The alef written after
    the plural و (قَالُوا) is silent, so it is dropped: espeak reads it qaːluːaː.
    A doubled ي or و is written twice (يّ → يْي), or espeak reads a hiatus; a
    sukun written beside a shadda is dropped.
    NUL characters (which would end the C string) become spaces.
    """
    text = _MARKS_BEFORE_SHADDA.sub(lambda m: _SHADDA + m.group(1), text.replace("\0", " "))
    text = _SHADDA_SUKUN.sub(lambda m: m.group()[:-1] if m.group().startswith(_SHADDA) else "", text)
    text = _SILENT_ALEF.sub(r"\1", text)
    text = _DOUBLED_GLIDE.sub(_doubled_glide, text)
    words = text.split(" ")
    for i, word in enumerate(words):
        after_pause = i == 0 or not words[i - 1] or words[i - 1].endswith(_PAUSE_BEFORE)
        words[i] = _linked_article(word, after_pause)
        if _ALLAH.match(words[i]):
            words[i] = re.sub("\u0651[\u064e\u0670]?ه", "\u0651\u064eاه", words[i], count=1)
        if i and words[i].startswith(_WASLA) and words[i - 1] and not after_pause:
            words[i - 1] = _before_wasl(words[i - 1], words[i].startswith(_WASLA + "ل"))
    return " ".join(words)


def _sound_bounds(
    samples: bytes, sample_rate: int, keep_ms: float = KEEP_SILENCE_MS, level: int = SILENCE_LEVEL
) -> tuple[int, int]:
    """The sample range trim_silence keeps (0, 0 when all is silent)."""
    pcm = array.array("h", samples)
    first = next((i for i, s in enumerate(pcm) if abs(s) > level), None)
    if first is None:
        return 0, 0
    last = next(i for i in range(len(pcm) - 1, -1, -1) if abs(pcm[i]) > level)
    keep = int(sample_rate * keep_ms / 1000)
    return max(0, first - keep), min(len(pcm), last + 1 + keep)


def trim_silence(
    samples: bytes, sample_rate: int, keep_ms: float = KEEP_SILENCE_MS, level: int = SILENCE_LEVEL
) -> bytes:
    """Cut leading and trailing silence (|sample| <= level) down to `keep_ms`.

    `samples` is native-order 16-bit PCM; all-silent input comes back empty.
    """
    start, end = _sound_bounds(samples, sample_rate, keep_ms, level)
    return samples[start * 2 : end * 2]


def word_times(
    text: str, prepared: str, events: Sequence[tuple[int, int]], offset_ms: float, duration_ms: float
) -> tuple[Word, ...]:
    """The words of `text` with the times espeak's word events give them.

    `prepared` is prepare_text(text), which keeps the space-separated tokens in
    number and order, so an event's character position in `prepared` names the
    token of `text` it reads. A token read as several words (a number) keeps its
    first event; a token with no event (a lone quote) gets none. Times are moved
    by -`offset_ms` (the silence trimmed before) and kept within the clip.
    """
    shown, tokens = text.split(" "), prepared.split(" ")
    if len(shown) != len(tokens):
        shown = tokens
    starts, pos = [], 0
    for token in tokens:
        starts.append(pos)
        pos += len(token) + 1
    words: list[Word] = []
    seen = set()
    for position, audio_ms in events:
        index = bisect.bisect_right(starts, max(0, position - 1)) - 1
        if index in seen or not shown[index].strip():
            continue
        seen.add(index)
        at = min(max(0.0, audio_ms - offset_ms), duration_ms)
        if words and at < words[-1].start_ms:
            at = words[-1].start_ms
        words.append(Word(at, shown[index]))
    return tuple(words)


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
        text = text.replace("\0", " ")
        prepared = prepare_text(text)
        samples, events = self._library.synthesize(prepared, self._state)
        start, end = _sound_bounds(samples, self.sample_rate)
        rate_ms = self.sample_rate / 1000
        words = word_times(text, prepared, events, start / rate_ms, (end - start) / rate_ms)
        return Clip(_little_endian(samples[start * 2 : end * 2]), self.sample_rate, words)

    def prepare(self, text: str) -> str:
        """The string espeak-ng is given for `text` (see prepare_text)."""
        return prepare_text(text)

    def phonemize(self, text: str) -> str:
        """The IPA espeak reads for `text` with this engine's voice."""
        return self._library.phonemize(prepare_text(text), self._state)

    phonemes = phonemize


def phonemize(text: str, voice: str = DEFAULT_VOICE) -> str:
    """The IPA espeak-ng reads for `text`: what a listener hears, for benches.

    Clauses are joined by spaces; words in another language are marked as
    espeak marks them, e.g. "(en)...(ar)". Raises EngineError when the
    library cannot load or has no such voice.
    """
    return _library().phonemize(prepare_text(text), _VoiceState(voice))
