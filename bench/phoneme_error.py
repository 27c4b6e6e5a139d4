"""Phoneme error rate of what espeak-ng's Arabic voice says from our tashkeel.

    python bench/phoneme_error.py [GOLD ...] [--model M] [--limit N] [--no-pausal]

For each gold line: the line stripped of its marks goes through the pipeline's
Diacritizer; espeak-ng turns our text and the gold text into IPA; the phoneme
error rate is the edit distance between the two phoneme sequences over the
gold's phoneme count. Both sides get `pausal` first (the voice hears pausal
forms), unless --no-pausal. The bare text (no tashkeel at all) is scored too,
to show what the diacritizer buys. Stress marks and syllable dots are ignored;
a length mark belongs to its phoneme.

IPA comes from audio_news.engines.espeak.phonemize: the text as the engine
prepares it for the voice.
"""

from __future__ import annotations

import argparse
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audio_news.diacritize import DEFAULT_MODEL, Diacritizer, pausal, strip_marks  # noqa: E402
from audio_news.engines.espeak import phonemize  # noqa: E402
from audio_news.errors import AudioNewsError  # noqa: E402
from audio_news.tashkeel_eval import read_gold  # noqa: E402

GOLD_DIR = ROOT.parent / "shared" / "data" / "tashkeel"
DEFAULT_LIMIT = 120
"""Lines per file by default: under a minute on two busy cores."""

_IGNORED = set("ˈˌ.‿|_-")
_MODIFIERS = set("ːˑʰʲʷˤ̪̩̃")


def phonemes(ipa: str) -> list[str]:
    """IPA → phoneme symbols: a base character with its modifiers, stress and spaces dropped."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", ipa):
        if ch in _IGNORED or ch.isspace():
            continue
        if (ch in _MODIFIERS or unicodedata.combining(ch)) and out:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def edit_distance(a: list[str], b: list[str]) -> int:
    """Levenshtein distance between two symbol sequences."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def score_file(
    path: Path,
    diacritizer: Callable[[str], str],
    phonemize: Callable[[str], str],
    limit: int | None,
    use_pausal: bool = True,
) -> str:
    """Phoneme error rates (ours and bare text) for one gold file, as a line of text."""
    speak = pausal if use_pausal else (lambda s: s)
    errors = bare_errors = total = 0
    lines = read_gold(path, limit)
    started = time.perf_counter()
    for gold in lines:
        bare = strip_marks(gold.strip())
        ref = phonemes(phonemize(speak(gold.strip())))
        errors += edit_distance(phonemes(phonemize(speak(diacritizer(bare)))), ref)
        bare_errors += edit_distance(phonemes(phonemize(bare)), ref)
        total += len(ref)
    seconds = time.perf_counter() - started
    return (
        f"{path.name}: {len(lines)} lines, {total} gold phonemes: "
        f"PER {100.0 * errors / max(total, 1):.2f} % with our tashkeel, "
        f"{100.0 * bare_errors / max(total, 1):.2f} % on bare text ({seconds:.0f} s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="*", type=Path, help="gold files (default: wikinews-2014 dev set)")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="lines per file (0 = all)")
    parser.add_argument("--no-pausal", action="store_true", help="compare the texts without pausal forms")
    args = parser.parse_args(argv)
    gold = args.gold or [GOLD_DIR / "wikinews-2014.gold.txt"]
    try:
        diacritizer = Diacritizer(args.model)
        for path in gold:
            if not path.is_file():
                print(f"{path}: not found", file=sys.stderr)
                return 2
            print(score_file(path, diacritizer, phonemize, args.limit or None, not args.no_pausal), flush=True)
    except AudioNewsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
