"""Tashkeel for the voice: vowel marks added, letters kept, pauses read as pauses.

Pipeline stage after normalize: `diacritize_script` rewrites every
Sentence.spoken as `pausal(diacritizer(spoken))`; Sentence.text (the
transcript) is never touched.

A `Diacritizer` wraps one neural model (the default is libtashkeel, run by the
dengjen-tashkeel-py package; text2tashkeel's bundled rawi models are the
alternatives) with what the models lack:

* the input letters are kept: the model's output is aligned with the input and
  only its marks are taken, so a hamza seat the model rewrote (تمتلئ → تمتلي)
  or a letter it dropped comes back as written;
* marks already in the input win where the model disagrees (a shadda the
  writer put there is meant), and a user lexicon (voices/lexicon.tsv) fixes
  names and foreign words: its marks are given to the model as hints before
  the call and win over the model's after it;
* one sentence per model call; punctuation is kept out of the model's input
  and the model is told the sentence goes on, since libtashkeel otherwise drops
  the case ending before every comma and full stop (it writes pausal forms):
  the pausal forms are made here, by `pausal`, for the voice only.

This is the only module that imports text2tashkeel or dengjen_tashkeel_py.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

from .arabic import (
    ALEF_WASLA,
    BASIC_LETTERS,
    DAMMA,
    FATHA,
    FATHATAN,
    HAMZA_MARKS,
    KASRA,
    SENTENCE_ENDS,
    SHADDA,
    SUKUN,
    TASHKEEL,
    fold_hamza,
)
from .arabic import VOWEL_MARKS as VOWELS
from .arabic import strip_tashkeel as strip_marks
from .config import TextSettings
from .errors import ConfigError, EngineError
from .models import Script

ARABIC_LETTERS: Final = BASIC_LETTERS | {ALEF_WASLA}
"""The letters the models know: the 36 of Arabic proper and alef wasla."""
PAUSE_PUNCTUATION: Final = frozenset("،؛:.؟!?,;")
"""Marks after which a reader pauses, and which the models do not see."""

DEFAULT_MODEL: Final = "libtashkeel"
LIBTASHKEEL_PACKAGE: Final = "dengjen-tashkeel-py"
MAX_CHUNK_CHARS: Final = 400
"""Longer sentences are cut at commas, to keep each model call short."""


@lru_cache(maxsize=1024)
def _fold(base: str) -> str:
    return fold_hamza(unicodedata.normalize("NFC", base))


@lru_cache(maxsize=512)
def canonical_marks(marks: str) -> str:
    """A letter's marks in one spelling: at most one vowel, no repeats, in Unicode's
    canonical order (as NFC writes them: the vowel before the shadda)."""
    vowel = next((c for c in marks if c in VOWELS), "")
    if vowel == SUKUN and SHADDA in marks:
        vowel = ""
    rest = {c for c in marks if c not in VOWELS}
    return "".join(sorted({vowel, *rest} - {""}, key=unicodedata.combining))


# --- letters and their marks ----------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """One character of the input with the hamza marks attached to it, and its tashkeel."""

    base: str
    marks: str = ""

    @property
    def letter(self) -> str:
        """The base as one letter for alignment: NFC, hamza seats folded."""
        return _fold(self.base)

    @property
    def is_letter(self) -> bool:
        return self.base[:1] in ARABIC_LETTERS


def split_units(text: str) -> list[_Unit]:
    """Cut text into units: each base character with its hamza marks, then its tashkeel.

    Joining the units' bases and marks gives back the text, up to the order of
    the marks on each letter. A mark with no letter before it gets an empty base.
    """
    units: list[_Unit] = []
    for ch in text:
        if ch in TASHKEEL:
            if units:
                units[-1] = _Unit(units[-1].base, units[-1].marks + ch)
            else:
                units.append(_Unit("", ch))
        elif ch in HAMZA_MARKS and units and not units[-1].marks:
            units[-1] = _Unit(units[-1].base + ch, "")
        else:
            units.append(_Unit(ch))
    return units


def join_units(units: Iterable[_Unit]) -> str:
    return "".join(u.base + u.marks for u in units)


def align_marks(units: Sequence[_Unit], model_output: str) -> list[str]:
    """For each input unit, the marks the model gave the same letter ("" if none).

    The model's text is matched letter by letter with the input (hamza seats
    folded, so a model that rewrote ئ as ي still lines up); letters the model
    dropped, added or changed beyond recognition get no marks.
    """
    out_units = [u for u in split_units(unicodedata.normalize("NFC", model_output)) if u.base]
    marks = [""] * len(units)
    src = [u.letter for u in units]
    dst = [u.letter for u in out_units]
    if dst[: len(src)] == src:  # the usual case; a continuation the model was given may follow
        return [canonical_marks(u.marks) if v.is_letter else "" for u, v in zip(out_units, units)]
    matcher = difflib.SequenceMatcher(None, src, dst, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                if units[i1 + k].is_letter:
                    marks[i1 + k] = canonical_marks(out_units[j1 + k].marks)
    return marks


def merge_marks(fixed: str | None, predicted: str) -> str:
    """Marks given in the input (or by the lexicon) win over the model's.

    `fixed` None: nothing was given, the model's marks are taken. Otherwise a
    letter that came with a vowel keeps its marks as given; one that came with
    only a shadda keeps it and takes the model's vowel; "" (a letter the
    lexicon leaves bare inside a word) stays bare.
    """
    if fixed is None:
        return predicted
    if not fixed:
        return ""
    if fixed.replace(SHADDA, ""):
        return canonical_marks(fixed)
    vowel = predicted.replace(SHADDA, "")
    return canonical_marks(SHADDA + (vowel if vowel != SUKUN else ""))


# --- the lexicon ------------------------------------------------------------


@dataclass(frozen=True)
class LexiconEntry:
    """A word or phrase and how to vowel it.

    A bare letter inside a word stays bare; a bare last letter (the case
    ending) is the model's to vowel.
    """

    words: tuple[str, ...]
    """The entry's words as written, without marks."""
    marks: tuple[tuple[str, ...], ...]
    """For each word, the marks of each of its characters."""


def _key(word: str) -> str:
    """A word as matched in the lexicon: NFC, hamza seats and alef maqsura folded."""
    return "".join(u.letter for u in split_units(word) if u.base)


class Lexicon:
    """`word<TAB>vowelled form` lines; # starts a comment; one column = the vowelled form alone."""

    CLITICS: Final = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك")

    def __init__(self, entries: Iterable[LexiconEntry] = ()) -> None:
        self._entries: dict[tuple[str, ...], LexiconEntry] = {}
        for entry in entries:
            self._entries[tuple(_key(w) for w in entry.words)] = entry
        self.max_words = max((len(k) for k in self._entries), default=0)

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def parse(cls, text: str, path: str | Path | None = None) -> Lexicon:
        """Read the TSV text; a line whose two columns disagree in letters is a ConfigError."""
        entries = []
        for number, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            columns = [c.strip() for c in line.split("\t") if c.strip()]
            if len(columns) > 2:
                raise ConfigError(f"lexicon line {number}: expected word<TAB>vowelled form", path)
            form = unicodedata.normalize("NFC", columns[-1])
            word = unicodedata.normalize("NFC", columns[0])
            if _key(strip_marks(word)) != _key(strip_marks(form)):
                raise ConfigError(f"lexicon line {number}: {form!r} is not a vowelling of {word!r}", path)
            words = tuple(strip_marks(form).split())
            marks = tuple(tuple(canonical_marks(u.marks) for u in split_units(w) if u.base) for w in form.split())
            entries.append(LexiconEntry(words, marks))
        return cls(entries)

    @classmethod
    def load(cls, path: Path | Traversable) -> Lexicon:
        """Read a lexicon file; raises ConfigError when it is missing or malformed."""
        try:
            return cls.parse(path.read_text(encoding="utf-8"), str(path))
        except FileNotFoundError:
            raise ConfigError("lexicon file not found", str(path)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read lexicon: {exc}", str(path)) from exc

    def marks_for(self, units: Sequence[_Unit]) -> list[str | None]:
        """The lexicon's marks for each unit of a line (None where no entry applies).

        Inside a word a bare letter of the entry stays bare (""); a bare last
        letter, and the clitics before the word, are left to the model (None).
        """
        fixed: list[str | None] = [None] * len(units)
        if not self._entries:
            return fixed
        spans = _words(units)
        keys = ["".join(units[k].letter for k in range(a, b)) for a, b in spans]
        i = 0
        while i < len(spans):
            for n in range(min(self.max_words, len(spans) - i), 0, -1):
                if self._apply(spans[i : i + n], keys[i : i + n], fixed):
                    i += n
                    break
            else:
                i += 1
        return fixed

    def _apply(self, span: Sequence[tuple[int, int]], keys: Sequence[str], fixed: list[str | None]) -> bool:
        """Match the words at `span` (unit ranges), clitics allowed on the first; fill `fixed`."""
        for clitic in self.CLITICS:
            if not keys[0].startswith(clitic):
                continue
            first = keys[0][len(clitic) :]
            skip = 0
            entry = self._entries.get((first, *keys[1:]))
            if entry is None and clitic.endswith("ل") and first.startswith("ل"):
                # ل + ال: للأمم is ل + الأمم with the article's alef not written
                entry = self._entries.get(("ا" + first, *keys[1:]))
                skip = 1
            if entry is None:
                continue
            for w, (a, b) in enumerate(span):
                marks = entry.marks[w][skip:] if w == 0 else entry.marks[w]
                start = a + (len(clitic) if w == 0 else 0)
                for k, m in zip(range(start, b), marks):
                    fixed[k] = m if m or k < b - 1 else None
            return True
        return False


def _words(units: Sequence[_Unit]) -> list[tuple[int, int]]:
    """Unit ranges of the runs of Arabic letters."""
    spans, start = [], None
    for k, u in enumerate(units):
        if u.is_letter:
            start = k if start is None else start
        elif start is not None:
            spans.append((start, k))
            start = None
    if start is not None:
        spans.append((start, len(units)))
    return spans


def default_lexicon_path() -> Traversable | None:
    """The bundled lexicon (voices/lexicon.tsv in the package's data), found through importlib.resources."""
    bundled = resources.files("audio_news").joinpath("data", "voices", "lexicon.tsv")
    return bundled if bundled.is_file() else None


# --- models -----------------------------------------------------------------

Backend = Callable[[str], str]
"""A model: one sentence of bare (or partly vowelled) text in, vowelled text out."""

_DENGJEN_LOCK = threading.Lock()


def _load_libtashkeel() -> Backend:
    try:
        from dengjen_tashkeel_py import tashkeel
    except ImportError as exc:
        raise ConfigError(
            f"model 'libtashkeel' needs the {LIBTASHKEEL_PACKAGE} package "
            f"(pip install {LIBTASHKEEL_PACKAGE}); available offline: {', '.join(available_models()) or 'none'}"
        ) from exc
    except RuntimeError as exc:  # raised at import when onnxruntime is broken
        raise EngineError(f"cannot load libtashkeel: {exc}") from exc

    def run(text: str) -> str:
        with _DENGJEN_LOCK:
            try:
                vowelled: str = tashkeel(text)
            except (RuntimeError, ValueError) as exc:
                raise EngineError(f"libtashkeel failed: {exc}") from exc
            return vowelled

    tashkeel("تجربة")  # loads the model now, so a broken install fails here
    return run


def _text2tashkeel_models() -> list[str]:
    try:
        from text2tashkeel import available_models as t2t_models
    except ImportError:
        return []
    return list(t2t_models(bundled_only=True))


def _load_text2tashkeel(name: str) -> Backend:
    try:
        from text2tashkeel import Diacritizer as T2T
    except ImportError as exc:
        raise ConfigError(f"model {name!r} needs text2tashkeel (pip install text2tashkeel)") from exc
    model = T2T(name)
    try:
        model("تجربة")
    except Exception as exc:  # a failed ONNX load surfaces as whatever onnxruntime raises
        raise EngineError(f"cannot load the {name!r} diacritizer: {exc}") from exc
    backend: Backend = model
    return backend


def available_models() -> list[str]:
    """The model names that work offline here (libtashkeel when dengjen-tashkeel-py is installed)."""
    libtashkeel = importlib.util.find_spec("dengjen_tashkeel_py") is not None
    return [DEFAULT_MODEL] * libtashkeel + _text2tashkeel_models()


# --- the diacritizer --------------------------------------------------------

_SENTENCE_END = re.compile(f"(?<=[{re.escape(SENTENCE_ENDS)}؛\n])\\s+")
_CLAUSE_END = re.compile(r"(?<=[،,:])\s+")
_CONTINUATION: Final = " و"
"""Appended to the model's input so that its last word is not read as before a pause."""


class Diacritizer:
    """Adds tashkeel to Arabic text, keeping every input letter; a `str -> str` callable.

    The model loads on the first call. Raises ConfigError for a model that is
    unknown or not installed (the message names the available ones) or a bad
    lexicon, EngineError when the model fails.
    """

    def __init__(self, model: str = DEFAULT_MODEL, lexicon: Path | None = None) -> None:
        if model != DEFAULT_MODEL and model not in _text2tashkeel_models():
            raise ConfigError(
                f"unknown or unavailable diacritizer model {model!r}; "
                f"available offline: {', '.join(available_models())}"
            )
        self.model = model
        path = lexicon if lexicon is not None else default_lexicon_path()
        self.lexicon = Lexicon.load(path) if path else Lexicon()
        self._backend: Backend | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, text: TextSettings) -> Diacritizer:
        """The diacritizer the [text] settings choose (model and lexicon)."""
        return cls(text.tashkeel_model, Path(text.lexicon) if text.lexicon else None)

    @property
    def backend(self) -> Backend:
        with self._lock:
            if self._backend is None:
                self._backend = _load_libtashkeel() if self.model == DEFAULT_MODEL else _load_text2tashkeel(self.model)
            return self._backend

    def __call__(self, text: str) -> str:
        """Diacritize one line. Only tashkeel marks change: strip_marks(out) == strip_marks(text)."""
        if not any(c in ARABIC_LETTERS for c in text):
            return text
        units = split_units(text)
        given = [canonical_marks(u.marks) for u in units]
        lexical = self.lexicon.marks_for(units)
        fixed = [g or lx for g, lx in zip(given, lexical)]  # what the writer wrote comes first
        predicted = [""] * len(units)
        for start, end in _chunks(units):
            predicted[start:end] = self._predict(units[start:end], fixed[start:end])
        return join_units(
            _Unit(u.base, merge_marks(f, p) if u.is_letter else u.marks) for u, f, p in zip(units, fixed, predicted)
        )

    def _predict(self, units: Sequence[_Unit], fixed: Sequence[str | None]) -> list[str]:
        """The model's marks for one sentence.

        libtashkeel gets the given marks as hints, no pause punctuation and a
        continuation (so no pausal forms); the rawi models, which ignore hints
        and do worse without punctuation, get the sentence as it is.
        """
        if not any(u.is_letter for u in units):
            return [""] * len(units)
        if self.model != DEFAULT_MODEL:
            return align_marks(units, self.backend("".join(u.base for u in units)))
        # libtashkeel: pause marks become spaces, runs of spaces one space, hints on letters
        keep: list[int] = []
        fed: list[_Unit] = []
        for k, u in enumerate(units):
            space = u.base.isspace() or u.base in PAUSE_PUNCTUATION
            if space and (not fed or fed[-1].base == " "):
                continue
            keep.append(k)
            fed.append(_Unit(" ") if space else _Unit(u.base, (fixed[k] or "") if u.is_letter else ""))
        if fed and fed[-1].base == " ":
            keep.pop()
            fed.pop()
        marks = align_marks(fed, self.backend(join_units(fed) + _CONTINUATION))
        out = [""] * len(units)
        for k, m in zip(keep, marks):
            out[k] = m
        return out


def _chunks(units: Sequence[_Unit]) -> list[tuple[int, int]]:
    """Unit ranges of the sentences of a line; long ones cut again at commas."""
    text = "".join(u.base[:1] or "\u25cc" for u in units)  # one character per unit
    pieces = []
    for start, end in _cut(text, _SENTENCE_END, 0, len(text)):
        if end - start > MAX_CHUNK_CHARS:
            pieces.extend(_cut(text, _CLAUSE_END, start, end))
        else:
            pieces.append((start, end))
    return pieces


def _cut(text: str, pattern: re.Pattern[str], start: int, end: int) -> list[tuple[int, int]]:
    """Ranges of text[start:end] cut after each match of `pattern`."""
    spans = []
    for m in pattern.finditer(text, start, end):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, end))
    return [s for s in spans if s[1] > s[0]]


# --- pausal forms ------------------------------------------------------------

_LONG_VOWEL_OF = {"ا": FATHA, "ى": FATHA, "و": DAMMA, "ي": KASRA}


def pausal(text: str) -> str:
    """Read every word before a pause as Arabic readers do: stopping on a sukun.

    Before ، ؛ : . ؟ ! (and , ; ? and the end of the text) the last word loses
    its final short vowel or tanween (ـٌ ـٍ ـُ ـِ ـَ → ـْ); tanween fath before
    a final alef or alef maqsura is read as a long a (ـًا → ـَا, ـًى → ـَى);
    on ta marbuta or hamza it goes; ta marbuta is read h (ة → هْ, which
    espeak-ng's Arabic voice says as h where it says t for ةْ). A shadda
    stays. For the voice only: never apply it to the transcript.
    """
    units = split_units(text)
    for end in _pause_word_ends(units):
        _pausalize(units, end)
    return join_units(units)


def _pause_word_ends(units: Sequence[_Unit]) -> list[int]:
    """Index of the last unit of each word that is followed by a pause."""
    ends = []
    for _a, b in _words(units):
        k = b
        while (
            k < len(units)
            and units[k].base not in PAUSE_PUNCTUATION
            and not units[k].is_letter
            and not units[k].base.isalnum()
            and not units[k].base.isspace()
        ):
            k += 1  # closing quotes and brackets
        while k < len(units) and units[k].base.isspace() and units[k].base != "\n":
            k += 1
        if k == len(units) or units[k].base in PAUSE_PUNCTUATION or units[k].base == "\n":
            ends.append(b - 1)
    return ends


def _pausalize(units: list[_Unit], last: int) -> None:
    u = units[last]
    prev = units[last - 1] if last > 0 and units[last - 1].is_letter else None
    if u.base in ("ا", "ى") and prev is not None and FATHATAN in prev.marks and FATHATAN not in u.marks:
        # كتابًا → كتابَا, هدًى → هدَى: the tanween is read as a long a
        units[last - 1] = _Unit(prev.base, prev.marks.replace(FATHATAN, FATHA))
        units[last] = _Unit(u.base, u.marks.replace(FATHATAN, ""))
        return
    if u.base in ("ا", "ى") and FATHATAN in u.marks:
        # كتاباً، هدىً: the tanween written on the alef
        units[last] = _Unit(u.base, u.marks.replace(FATHATAN, ""))
        if prev is not None and not (set(prev.marks) & VOWELS):
            units[last - 1] = _Unit(prev.base, canonical_marks(prev.marks + FATHA))
        return
    shadda = SHADDA if SHADDA in u.marks else ""
    other = "".join(c for c in u.marks if c not in VOWELS and c != SHADDA)
    vowel = next((c for c in u.marks if c in VOWELS), "")
    if u.base == "ة":
        units[last] = _Unit("ه", SUKUN)
        return
    if (
        u.base in _LONG_VOWEL_OF
        and not shadda
        and (not vowel or vowel == SUKUN)
        and prev is not None
        and _LONG_VOWEL_OF[u.base] in prev.marks
    ):
        return  # a long vowel: فِي، ذَهَبُوا
    if not vowel and not shadda:
        return  # left bare: nothing to stop on that is not already a stop
    units[last] = _Unit(u.base, canonical_marks(shadda + other if shadda else SUKUN + other))


# --- the stage ----------------------------------------------------------------


def diacritize_script(script: Script, diacritizer: Callable[[str], str]) -> Script:
    """Pipeline stage: every Sentence.spoken → pausal(diacritizer(spoken)); text untouched."""
    parts = tuple(
        replace(
            part,
            blocks=tuple(
                replace(
                    block, sentences=tuple(replace(s, spoken=pausal(diacritizer(s.spoken))) for s in block.sentences)
                )
                for block in part.blocks
            ),
        )
        for part in script.parts
    )
    return replace(script, parts=parts)


__all__ = [
    "DEFAULT_MODEL",
    "Diacritizer",
    "Lexicon",
    "LexiconEntry",
    "TASHKEEL",
    "align_marks",
    "available_models",
    "canonical_marks",
    "default_lexicon_path",
    "diacritize_script",
    "merge_marks",
    "pausal",
    "split_units",
    "strip_marks",
]
