"""Score diacritizers on gold diacritized files (DER / WER, Fadel protocol), alone or as a table.

    python bench/eval_tashkeel.py                       # the table: every candidate on the three news sets
    python bench/eval_tashkeel.py --model vote GOLD...  # one model, the full report per file
    python bench/eval_tashkeel.py --model libtashkeel --model vote:libtashkeel+rawi-v3-int8+rawi-v2-int8

With no GOLD, scores wikinews-2024-dev (the set that decides), wikinews-2014 and
wikinews-2014-multiref from ../shared/data/tashkeel/. With one --model, prints
audio_news.tashkeel_eval's report per file (DER and WER with and without case
endings, the "heard" variant, lines whose letters changed, the speed). With
several (or none: every candidate), prints one table row per model.

Each single model runs once per file; a vote ("vote", "vote:a+b+c") whose
members were scored in the same run is computed from their outputs (the same
marks as the Diacritizer's own vote, without running the models again), so its
time is left blank: time it alone with --model vote. --cache DIR keeps each
model's outputs between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audio_news.diacritize import (  # noqa: E402
    DEFAULT_MODEL,
    Diacritizer,
    strip_marks,
    vote_members,
    vote_texts,
)
from audio_news.errors import AudioNewsError  # noqa: E402
from audio_news.tashkeel_eval import Report, evaluate, main_report, parse_gold, read_gold  # noqa: E402

GOLD_DIR = ROOT.parent / "shared" / "data" / "tashkeel"
DEFAULT_GOLD = ("wikinews-2024-dev.gold.txt", "wikinews-2014.gold.txt", "wikinews-2014-multiref.gold.txt")
CANDIDATES = (
    "libtashkeel",
    "rawi-v3-int8",
    "rawi-v2-int8",
    "rawi-int8",
    "rawi-ensemble",
    "vote:libtashkeel+rawi-v3-int8+rawi-v2-int8",
    "vote:libtashkeel+rawi-v3-int8+rawi-v2-int8+rawi-ensemble",
    "vote",
)


class Outputs:
    """Each model's output for each line of a gold file: run once, kept (and cached on disk)."""

    def __init__(self, lexicon: Path | None, cache: Path | None) -> None:
        self.lexicon = lexicon
        self.cache = cache
        self.runs: dict[tuple[str, str], tuple[list[str], float]] = {}

    def run(self, model: str, gold: Path, lines: list[str]) -> tuple[list[str], float]:
        """The model's outputs for the bare lines, and the seconds they took (after a warm-up call)."""
        key = (model, gold.name)
        if key not in self.runs:
            path = self.cache / f"{model}.{gold.name}.json" if self.cache else None
            if path and path.is_file():
                data = json.loads(path.read_text(encoding="utf-8"))
                self.runs[key] = (data["outputs"], data["seconds"])
            else:
                diacritizer = Diacritizer(model, lexicon=self.lexicon)
                diacritizer("تجربة")
                started = time.perf_counter()
                outputs = [diacritizer(line) for line in lines]
                self.runs[key] = (outputs, time.perf_counter() - started)
                if path:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    data = {"outputs": outputs, "seconds": self.runs[key][1]}
                    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return self.runs[key]

    def score(self, model: str, gold: Path, limit: int | None) -> tuple[Report, bool]:
        """The model's report on the file, and whether its time was measured."""
        gold_lines = read_gold(gold, limit)
        bare = [strip_marks(parse_gold(line).text) for line in gold_lines]
        members = vote_members(model)
        if len(members) > 1 and all((m, gold.name) in self.runs for m in members):
            outputs = [vote_texts(lines) for lines in zip(*(self.runs[(m, gold.name)][0] for m in members))]
            seconds, timed = 0.0, False
        else:
            outputs, seconds = self.run(model, gold, bare)
            timed = True
        answers = dict(zip(bare, outputs)) | {"تجربة": "تجربة"}
        report = evaluate(gold_lines, answers.__getitem__, name=gold.name)
        return Report(**{**report.__dict__, "seconds": seconds}), timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("gold", nargs="*", type=Path, help="gold files (default: the three WikiNews sets)")
    parser.add_argument(
        "--model", action="append", help=f"a model (repeatable; default: the table, {DEFAULT_MODEL} last)"
    )
    parser.add_argument("--limit", type=int, default=0, help="score only the first N lines of each file")
    parser.add_argument("--no-lexicon", action="store_true", help="run without voices/lexicon.tsv")
    parser.add_argument("--cache", type=Path, help="keep each model's outputs in this folder between runs")
    args = parser.parse_args(argv)
    gold = args.gold or [GOLD_DIR / name for name in DEFAULT_GOLD]
    models = args.model or list(CANDIDATES)
    for path in gold:
        if not path.is_file():
            print(f"{path}: not found", file=sys.stderr)
            return 2
    outputs = Outputs(Path(os.devnull) if args.no_lexicon else None, args.cache)
    try:
        if len(models) == 1:
            diacritizer = Diacritizer(models[0], lexicon=outputs.lexicon)
            print(f"model {models[0]}, lexicon: {'none' if args.no_lexicon else len(diacritizer.lexicon)} entries")
            for path in gold:
                print(main_report(path, diacritizer, limit=args.limit or None), flush=True)
            return 0
        header = " | ".join(f"{p.name.removesuffix('.gold.txt')} heard WER / DER" for p in gold)
        print(f"| model | {header} | ms/sentence ({gold[0].name.removesuffix('.gold.txt')}) |")
        print("|---" * (len(gold) + 2) + "|")
        for model in models:
            cells, speed = [], ""
            for k, path in enumerate(gold):
                report, timed = outputs.score(model, path, args.limit or None)
                cells.append(f"{report.heard_wer:.2f} / {report.der:.2f}")
                if k == 0:
                    speed = f"{report.ms_per_sentence:.1f}" if timed else "–"
                if report.letters_changed:
                    cells[-1] += f" ({report.letters_changed} lines changed letters!)"
            print(f"| {model} | {' | '.join(cells)} | {speed} |", flush=True)
    except AudioNewsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
