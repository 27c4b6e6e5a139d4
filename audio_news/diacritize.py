"""Tashkeel for the voice: vowel marks added, letters kept, pauses read as pauses.

Pipeline stage after normalize: `diacritize_script` rewrites every
Sentence.spoken as `pausal(diacritizer(spoken))`; Sentence.text (the
transcript) is never touched.

A `Diacritizer` wraps neural models (libtashkeel, run by the
dengjen-tashkeel-py package, and text2tashkeel's bundled rawi models) with what
the models lack. The default, "vote", runs four of them and takes, word by
word, the vowelling most of them agree on (see `vote_marks`): no single model
generalizes to unseen news as well as their vote. What the Diacritizer adds:

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
import os
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
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
from .limits import LEXICON_MAX_BYTES, read_bounded
from .models import Script

ARABIC_LETTERS: Final = BASIC_LETTERS | {ALEF_WASLA}
"""The letters the models know: the 36 of Arabic proper and alef wasla."""
PAUSE_PUNCTUATION: Final = frozenset("،؛:.؟!?,;")
"""Marks after which a reader pauses, and which the models do not see."""

LIBTASHKEEL: Final = "libtashkeel"
VOTE: Final = "vote"
"""The word-level vote of VOTE_MEMBERS; `vote:a+b+c` votes among other models."""
VOTE_MEMBERS: Final = ("libtashkeel", "rawi-v3-int8", "rawi-v2-int8", "rawi-int8")
"""The voters, in the order that breaks ties (measured on wikinews-2024-dev: docs/tashkeel.md)."""
DEFAULT_MODEL: Final = VOTE
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
        """Read a lexicon file; raises ConfigError when it is missing, not a regular file,
        over LEXICON_MAX_BYTES, not UTF-8 or malformed."""
        if isinstance(path, Path):
            data = read_bounded(path, LEXICON_MAX_BYTES, "lexicon file", ConfigError)
        else:  # the bundled lexicon, inside the package
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ConfigError(f"cannot read lexicon: {exc}", str(path)) from exc
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"cannot read lexicon: not UTF-8 (byte {exc.start})", str(path)) from None
        return cls.parse(text, str(path))

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
    """The model names that work offline here: the vote (when all its members are), libtashkeel
    (when dengjen-tashkeel-py is installed) and text2tashkeel's bundled models."""
    libtashkeel = importlib.util.find_spec("dengjen_tashkeel_py") is not None
    singles = [LIBTASHKEEL] * libtashkeel + _text2tashkeel_models()
    return [VOTE] * all(m in singles for m in VOTE_MEMBERS) + singles


def vote_members(model: str) -> tuple[str, ...]:
    """The single models behind a model name: VOTE_MEMBERS for "vote", a, b, c for
    "vote:a+b+c", and the name itself for a single model."""
    if model == VOTE:
        return VOTE_MEMBERS
    if model.startswith(VOTE + ":"):
        return tuple(m.strip() for m in model[len(VOTE) + 1 :].split("+") if m.strip())
    return (model,)


# --- the diacritizer --------------------------------------------------------

_SENTENCE_END = re.compile(f"(?<=[{re.escape(SENTENCE_ENDS)}؛\n])\\s+")
_CLAUSE_END = re.compile(r"(?<=[،,:])\s+")
_CONTINUATION: Final = " و"
"""Appended to the model's input so that its last word is not read as before a pause."""


class Diacritizer:
    """Adds tashkeel to Arabic text, keeping every input letter; a `str -> str` callable.

    `model` is a single model (libtashkeel, a text2tashkeel name) or a vote of
    several ("vote", the default, or "vote:a+b+c"). The models load on the first
    call. Raises ConfigError for a model that is unknown or not installed (the
    message names the available ones) or a bad lexicon, EngineError when a model fails.
    """

    def __init__(self, model: str = DEFAULT_MODEL, lexicon: Path | None = None) -> None:
        members = vote_members(model)
        singles = (LIBTASHKEEL, *_text2tashkeel_models())
        if not members or any(m not in singles for m in members):
            raise ConfigError(
                f"unknown or unavailable diacritizer model {model!r}; "
                f"available offline: {', '.join(available_models())}"
            )
        self.model = model
        self.members = members
        path = lexicon if lexicon is not None else default_lexicon_path()
        self.lexicon = Lexicon.load(path) if path else Lexicon()
        self._backends: dict[str, Backend] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, text: TextSettings) -> Diacritizer:
        """The diacritizer the [text] settings choose (model and lexicon)."""
        return cls(text.tashkeel_model, Path(text.lexicon) if text.lexicon else None)

    def backend_of(self, name: str) -> Backend:
        """The loaded model `name` (one of self.members), loaded once."""
        with self._lock:
            if name not in self._backends:
                # text2tashkeel's thread setting: one ONNX thread per model is faster on a small,
                # busy machine, and the vote runs libtashkeel beside them in a second thread
                os.environ.setdefault("TT_ORT_THREADS", "1")
                self._backends[name] = _load_libtashkeel() if name == LIBTASHKEEL else _load_text2tashkeel(name)
            return self._backends[name]

    def __call__(self, text: str) -> str:
        """Diacritize one line. Only tashkeel marks change: strip_marks(out) == strip_marks(text)."""
        if not any(c in ARABIC_LETTERS for c in text):
            return text
        units = split_units(text)
        given = [canonical_marks(u.marks) for u in units]
        lexical = self.lexicon.marks_for(units)
        fixed = [g or lx for g, lx in zip(given, lexical)]  # what the writer wrote comes first
        chunks = _chunks(units)
        if len(self.members) == 1:
            candidates = [self._marks_of(self.members[0], units, fixed, chunks)]
        else:  # the first model in a second thread, the others meanwhile in this one
            first = self._pool().submit(self._marks_of, self.members[0], units, fixed, chunks)
            rest = [self._marks_of(name, units, fixed, chunks) for name in self.members[1:]]
            candidates = [first.result(), *rest]
        marks = candidates[0] if len(candidates) == 1 else vote_marks(units, candidates)
        return join_units(_Unit(u.base, m) for u, m in zip(units, marks))

    def _marks_of(
        self, name: str, units: Sequence[_Unit], fixed: Sequence[str | None], chunks: Sequence[tuple[int, int]]
    ) -> list[str]:
        """Model `name`'s marks for a line, one call per chunk, the given marks winning."""
        predicted = [""] * len(units)
        for start, end in chunks:
            predicted[start:end] = self._predict(name, units[start:end], fixed[start:end])
        return [merge_marks(f, p) if u.is_letter else u.marks for u, f, p in zip(units, fixed, predicted)]

    def _pool(self) -> ThreadPoolExecutor:
        """One worker thread: the models release the GIL while they run, so two run at once."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tashkeel")
            return self._executor

    def _predict(self, name: str, units: Sequence[_Unit], fixed: Sequence[str | None]) -> list[str]:
        """Model `name`'s marks for one sentence.

        libtashkeel gets the given marks as hints, no pause punctuation and a
        continuation (so no pausal forms); the rawi models, which ignore hints
        and do worse without punctuation, get the sentence as it is.
        """
        if not any(u.is_letter for u in units):
            return [""] * len(units)
        backend = self.backend_of(name)
        if name != LIBTASHKEEL:
            return align_marks(units, backend("".join(u.base for u in units)))
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
        marks = align_marks(fed, backend(join_units(fed) + _CONTINUATION))
        out = [""] * len(units)
        for k, m in zip(keep, marks):
            out[k] = m
        return out


# --- the vote ------------------------------------------------------------------

_ARTICLE_WORD = re.compile(r"(?:[وف])?(?:[بكل])?ال...|(?:[وف])?لل..")
"""A word with the article (after its clitics) and at least three letters after it."""
_LONG_VOWEL_LETTERS: Final = frozenset("اوىيآ")
_TANWEEN: Final = frozenset("\u064b\u064c\u064d")
"""fathatan, dammatan, kasratan"""


def word_flaws(letters: Sequence[str], marks: Sequence[str]) -> int:
    """How many rules of Arabic spelling a vowelled word breaks (0 for a well-formed one).

    `letters` are the word's letters (NFC), `marks` each letter's marks. The rules
    hold for every MSA word, so a model's reading that breaks one is wrong:
    hamza below an alef (إ) always carries a kasra, hamza above it (أ) never;
    tanween sits only on the last letter (or before a final alef or alef
    maqsura); fathatan on a final consonant needs an alef after it (ة, ء and ى
    excepted); a word with the article takes no tanween; no syllable closes on
    two consonants inside a word (a sukun before a shadda or before another
    sukun); and a consonant inside a word is not left bare (the alef,
    long-vowel letters and the article's lam excepted).
    """
    n = len(letters)
    flaws = 0
    for i, (letter, m) in enumerate(zip(letters, marks)):
        if (letter == "إ" and KASRA not in m) or (letter == "أ" and KASRA in m):
            flaws += 1
        if set(m) & _TANWEEN and i < n - 1 and not (i == n - 2 and letters[-1] in ("ا", "ى")):
            flaws += 1
        after_article = i > 1 and letters[i - 1] == "ل" and letters[i - 2] == "ا"
        if 0 < i and letters[i - 1] not in _LONG_VOWEL_LETTERS and SUKUN in marks[i - 1] and not after_article:
            if SHADDA in m or (i < n - 1 and SUKUN in m and letter not in _LONG_VOWEL_LETTERS):
                flaws += 1
        article_lam = letter == "ل" and i > 0 and letters[i - 1] == "ا"
        if i < n - 1 and not m and letter not in _LONG_VOWEL_LETTERS and not article_lam:
            flaws += 1
    if n > 1 and FATHATAN in marks[-1] and letters[-1] not in ("ة", "ء", "ا", "ى"):
        flaws += 1
    ending = set(marks[-1]) | (set(marks[-2]) if n > 1 else set())
    if ending & _TANWEEN and _ARTICLE_WORD.match("".join(letters)):
        flaws += 1
    return flaws


def vote_marks(units: Sequence[_Unit], candidates: Sequence[Sequence[str]]) -> list[str]:
    """Word by word, the marks most candidates agree on.

    `candidates` holds each model's marks for every unit (same length as
    `units`), in priority order. Two readings of a word agree when they differ
    only in what is not heard: a sukun, or a mark on a bare alef. A reading that breaks a spelling
    rule (`word_flaws`) gets no votes; the reading with most votes wins, then the
    one with fewer flaws, then the first model's. Outside words the first
    candidate's marks are kept.
    """
    out = list(candidates[0])
    for a, b in _words(units):
        letters = [unicodedata.normalize("NFC", units[k].base) for k in range(a, b)]
        readings = [tuple(c[a:b]) for c in candidates]
        heard = [tuple("" if x == "ا" else m.replace(SUKUN, "") for x, m in zip(letters, r)) for r in readings]
        flaws = [word_flaws(letters, r) for r in readings]
        votes = Counter(h for h, f in zip(heard, flaws) if not f)
        best = max(range(len(readings)), key=lambda i: (votes[heard[i]], -flaws[i], -i))
        out[a:b] = readings[best]
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


def vote_texts(texts: Sequence[str]) -> str:
    """The vote (`vote_marks`) among vowellings of the same text, first in priority first.

    For benches that combine models' saved outputs; raises ValueError when the
    texts' letters differ.
    """
    units = [split_units(unicodedata.normalize("NFC", text)) for text in texts]
    if any([u.base for u in line] != [u.base for u in units[0]] for line in units):
        raise ValueError("the texts to vote on must have the same letters")
    marks = vote_marks(units[0], [[u.marks for u in line] for line in units])
    return join_units(_Unit(u.base, m) for u, m in zip(units[0], marks))


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
    "LIBTASHKEEL",
    "VOTE",
    "VOTE_MEMBERS",
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
    "vote_marks",
    "vote_texts",
    "vote_members",
    "word_flaws",
]
