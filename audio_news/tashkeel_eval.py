"""Scoring a diacritizer against gold diacritized text (DER / WER).

Not a pipeline stage: a measuring tool for `audio-news eval-tashkeel` and
bench/eval_tashkeel.py. The gold lines are stripped of their marks, run through
the diacritizer one line at a time, and the output is compared letter by letter
with the gold, by the protocol of Fadel et al. 2019 ("Arabic Text
Diacritization Using Deep Neural Networks"):

* only Arabic letters are scored (digits, Latin, punctuation are not);
* a letter's marks are compared as a set, so shadda+fatha equals fatha+shadda;
* letters the gold leaves bare count too (the system must leave them bare);
* a letter the system changed (a hamza seat, ى for ي ...) counts as an error;
* "without case ending" ignores the last letter of every word;
* WER: a word is wrong if any of its scored letters is wrong.

The "heard" variant scores what a listener hears: a sukun is the same as no
mark, so a missing sukun is no error; bare alef (ا) is not scored (a mark on it
is not heard: it is read as a long a); and letters the gold leaves bare (or
gives only a sukun) are skipped, since a partly vowelled gold cannot say what
is heard there. It reproduces the figures quoted with the gold files.
"""

from __future__ import annotations

import difflib
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .arabic import ALEF, BASIC_LETTERS, SENTENCE_ENDS, SUKUN, TASHKEEL, strip_tashkeel
from .errors import InputError
from .limits import GOLD_MAX_BYTES, read_bounded

ARABIC_LETTERS = BASIC_LETTERS
"""The letters that are scored (Fadel et al.'s list: no tatweel, no Persian letters)."""

_SENTENCE_END = re.compile(f"(?<=[{re.escape(SENTENCE_ENDS)}])\\s+")


@dataclass(frozen=True)
class _Letter:
    """One scored letter of a line: the letter, its marks, where it sits in its word."""

    letter: str
    marks: frozenset[str]
    word: int
    last: bool


@dataclass(frozen=True)
class Report:
    """Figures for one gold file, rates in percent."""

    name: str
    lines: int
    words: int
    sentences: int
    """Sentences in the lines (cut after . ! ؟ ?), for the time per sentence."""
    der: float
    """Diacritic error rate with case endings (every letter)."""
    der_no_ce: float
    """DER ignoring the last letter of each word."""
    wer: float
    wer_no_ce: float
    heard_der: float
    heard_wer: float
    letters_changed: int
    """Lines whose output, stripped of marks, differs from the stripped input (must be 0)."""
    seconds: float
    """Time spent inside the diacritizer."""

    @property
    def ms_per_line(self) -> float:
        return self.seconds * 1000.0 / max(self.lines, 1)

    @property
    def ms_per_sentence(self) -> float:
        return self.seconds * 1000.0 / max(self.sentences, 1)

    @property
    def seconds_per_1000_words(self) -> float:
        return self.seconds * 1000.0 / max(self.words, 1)

    def format(self) -> str:
        """The report as a few aligned lines of text."""
        return "\n".join(
            [
                f"{self.name}: {self.lines} lines, {self.sentences} sentences, {self.words} words",
                f"  DER  {self.der:6.2f} %   without case ending {self.der_no_ce:6.2f} %",
                f"  WER  {self.wer:6.2f} %   without case ending {self.wer_no_ce:6.2f} %",
                f"  heard DER {self.heard_der:6.2f} %   heard WER {self.heard_wer:6.2f} %",
                f"  letters changed in {self.letters_changed} lines",
                f"  {self.ms_per_line:.1f} ms per line, {self.ms_per_sentence:.1f} ms per sentence, "
                f"{self.seconds_per_1000_words:.2f} s per 1000 words",
            ]
        )


def letters_of(text: str) -> list[_Letter]:
    """The Arabic letters of a line with their marks and word positions.

    A word is a run of characters between whitespace; its last letter is the
    last Arabic letter in it (punctuation attached to the word does not count).
    """
    text = unicodedata.normalize("NFC", text)
    out: list[_Letter] = []
    for w, token in enumerate(text.split()):
        start = len(out)
        for ch in token:
            if ch in ARABIC_LETTERS:
                out.append(_Letter(ch, frozenset(), w, False))
            elif ch in TASHKEEL and len(out) > start:
                prev = out[-1]
                out[-1] = _Letter(prev.letter, prev.marks | {ch}, w, False)
        if len(out) > start:
            prev = out[-1]
            out[-1] = _Letter(prev.letter, prev.marks, w, True)
    return out


def _align(gold: Sequence[_Letter], pred: Sequence[_Letter]) -> list[_Letter | None]:
    """For each gold letter, the predicted letter at the same place (None if missing).

    Equal skeletons align one to one; otherwise the letter sequences are matched
    and a gold letter the system dropped or changed gets None or a different letter.
    """
    if len(gold) == len(pred):
        return list(pred)
    out: list[_Letter | None] = [None] * len(gold)
    matcher = difflib.SequenceMatcher(None, [g.letter for g in gold], [p.letter for p in pred], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                out[i1 + k] = pred[j1 + k]
    return out


def _heard(marks: frozenset[str]) -> frozenset[str]:
    return marks - {SUKUN}


@dataclass
class _Tally:
    """Error counts of one scoring variant."""

    letters: int = 0
    letter_errors: int = 0
    words: int = 0
    word_errors: int = 0

    def add_line(self, results: Iterable[tuple[int, bool]]) -> None:
        """results: (word index, correct) for each scored letter of one line."""
        words: dict[int, bool] = {}
        for w, ok in results:
            self.letters += 1
            self.letter_errors += not ok
            words[w] = words.get(w, True) and ok
        self.words += len(words)
        self.word_errors += sum(not ok for ok in words.values())

    @property
    def der(self) -> float:
        return 100.0 * self.letter_errors / max(self.letters, 1)

    @property
    def wer(self) -> float:
        return 100.0 * self.word_errors / max(self.words, 1)


def _alternatives(token: str) -> list[str]:
    """A gold token's vowellings: `a/b/c` in a multi-reference file, each with Arabic letters."""
    parts = token.split("/")
    if len(parts) > 1 and all(any(c in ARABIC_LETTERS for c in part) for part in parts):
        return parts
    return [token]


@dataclass(frozen=True)
class GoldLine:
    """One gold line, which may give several acceptable vowellings of a word (`a/b`)."""

    text: str
    """The line with the first vowelling of each word: stripped, it is the system's input."""
    letters: tuple[_Letter, ...]
    """The letters of `text`."""
    options: dict[int, tuple[tuple[_Letter, ...], ...]]
    """For each word index with alternatives, the letters of every vowelling (same letter count)."""


def parse_gold(line: str) -> GoldLine:
    """Read a gold line; a token `a/b` (multi-reference sets) accepts either vowelling."""
    line = unicodedata.normalize("NFC", line.strip())
    if "/" not in line:
        return GoldLine(line, tuple(letters_of(line)), {})
    tokens = [_alternatives(token) for token in line.split()]
    text = " ".join(alts[0] for alts in tokens)
    letters = tuple(letters_of(text))
    options: dict[int, tuple[tuple[_Letter, ...], ...]] = {}
    for w, alts in enumerate(tokens):
        if len(alts) > 1:
            size = len(letters_of(alts[0]))
            options[w] = tuple(tuple(letters_of(a)) for a in alts if len(letters_of(a)) == size)
    return GoldLine(text, letters, options)


def _results(gold: Sequence[_Letter], pred: Sequence[_Letter | None], w: int) -> dict[str, list[tuple[int, bool]]]:
    """(word, correct) per scored letter of one word, for each scoring variant."""
    out: dict[str, list[tuple[int, bool]]] = {"all": [], "no_ce": [], "heard": []}
    for g, p in zip(gold, pred):
        marks = p.marks if p is not None and p.letter == g.letter else None  # None: not the same letter
        ok = marks == g.marks
        out["all"].append((w, ok))
        if not g.last:
            out["no_ce"].append((w, ok))
        if _heard(g.marks) and g.letter != ALEF:
            out["heard"].append((w, marks is not None and _heard(marks) == _heard(g.marks)))
    return out


def score_line(gold: str, pred: str, tallies: dict[str, _Tally]) -> None:
    """Add one gold line and the system's line to the tallies ("all", "no_ce", "heard").

    Where the gold gives several vowellings of a word, each variant scores the
    word against the one the system's output is closest to.
    """
    parsed = parse_gold(gold)
    aligned = _align(parsed.letters, letters_of(pred))
    by_word: dict[int, list[int]] = {}
    for k, g in enumerate(parsed.letters):
        by_word.setdefault(g.word, []).append(k)
    lines: dict[str, list[tuple[int, bool]]] = {"all": [], "no_ce": [], "heard": []}
    for w, ks in by_word.items():
        predicted = [aligned[k] for k in ks]
        options = parsed.options.get(w) or (tuple(parsed.letters[k] for k in ks),)
        per_option = [_results(option, predicted, w) for option in options]
        for variant, results in lines.items():
            results.extend(min((r[variant] for r in per_option), key=lambda rs: sum(not ok for _w, ok in rs)))
    for variant, results in lines.items():
        tallies[variant].add_line(results)


def evaluate(gold_lines: Iterable[str], diacritize: Callable[[str], str], name: str = "") -> Report:
    """Strip each gold line, diacritize it, and score the result against the gold.

    Empty lines are skipped. The time is that spent inside `diacritize` only,
    after one untimed warm-up call (a model that loads on first use loads then).
    """
    tallies = {k: _Tally() for k in ("all", "no_ce", "heard")}
    lines = words = sentences = changed = 0
    seconds = 0.0
    diacritize("تجربة")
    for gold in gold_lines:
        gold = unicodedata.normalize("NFC", gold.strip())
        if not gold:
            continue
        bare = strip_tashkeel(parse_gold(gold).text)
        started = time.perf_counter()
        pred = diacritize(bare)
        seconds += time.perf_counter() - started
        lines += 1
        words += len(bare.split())
        sentences += sum(1 for piece in _SENTENCE_END.split(bare) if piece.strip())
        changed += strip_tashkeel(pred) != bare
        score_line(gold, pred, tallies)
    return Report(
        name=name,
        lines=lines,
        words=words,
        sentences=sentences,
        der=tallies["all"].der,
        der_no_ce=tallies["no_ce"].der,
        wer=tallies["all"].wer,
        wer_no_ce=tallies["no_ce"].wer,
        heard_der=tallies["heard"].der,
        heard_wer=tallies["heard"].wer,
        letters_changed=changed,
        seconds=seconds,
    )


def read_gold(path: Path, limit: int | None = None) -> list[str]:
    """The non-empty lines of a gold file (the first `limit` of them).

    Raises InputError naming the file: missing, not a regular file, over
    GOLD_MAX_BYTES or not UTF-8.
    """
    data = read_bounded(path, GOLD_MAX_BYTES, "gold file", InputError)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); a gold file is UTF-8 text", path
        ) from None
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[:limit] if limit else lines


def main_report(path: Path, diacritizer: Callable[[str], str], limit: int | None = None) -> str:
    """Score `diacritizer` on one gold file and return the formatted report."""
    return evaluate(read_gold(path, limit), diacritizer, name=Path(path).name).format()


__all__ = ["ARABIC_LETTERS", "Report", "evaluate", "letters_of", "main_report", "read_gold", "score_line"]
