"""Score the pipeline's diacritizer on gold diacritized files (DER / WER, Fadel protocol).

    python bench/eval_tashkeel.py [GOLD ...] [--model M] [--limit N] [--no-lexicon]

With no GOLD, scores the files in ../shared/data/tashkeel/ (wikinews-2014, the
MSA news dev set, then the classical Fadel test set). The figures are those of
audio_news.tashkeel_eval: DER and WER with and without case endings, the
"heard" variant, lines whose letters changed (must be 0) and the speed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audio_news.diacritize import DEFAULT_MODEL, Diacritizer  # noqa: E402
from audio_news.errors import AudioNewsError  # noqa: E402
from audio_news.tashkeel_eval import main_report  # noqa: E402

GOLD_DIR = ROOT.parent / "shared" / "data" / "tashkeel"
DEFAULT_GOLD = ("wikinews-2014.gold.txt", "tashkeela-fadel-test.gold.txt")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="*", type=Path, help="gold files (default: the shared dev sets)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"diacritizer model (default {DEFAULT_MODEL})")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N lines of each file")
    parser.add_argument("--no-lexicon", action="store_true", help="run without voices/lexicon.tsv")
    args = parser.parse_args(argv)
    gold = args.gold or [GOLD_DIR / name for name in DEFAULT_GOLD]
    try:
        diacritizer = Diacritizer(args.model, lexicon=Path(os.devnull) if args.no_lexicon else None)
        print(f"model {args.model}, lexicon: {'none' if args.no_lexicon else len(diacritizer.lexicon)} entries")
        for path in gold:
            if not path.is_file():
                print(f"{path}: not found", file=sys.stderr)
                return 2
            print(main_report(path, diacritizer, limit=args.limit or None), flush=True)
    except AudioNewsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
