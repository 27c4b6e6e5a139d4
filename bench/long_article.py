"""Time and peak memory of building a long article with the tone voice (the input limits' figure).

Writes an article of about `--words` words (sentences made here from a few
word lists; no seed or gold text), builds it into a temporary folder with
tests/data/tone.toml in a fresh process and prints the wall time, the child's
maximum resident set size and the episode's length.

    python bench/long_article.py [--words 30000]
    python bench/long_article.py --article SEED --voice espeak-ar   # a real article, the real voice

The sentence cache is turned off (a config file in the temporary folder), so
every clip is synthesized and the whole MP3 encoded: the build's peak memory,
not a cache hit's.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBJECTS = ("الوزير", "المجلس", "الحكومة", "اللجنة", "الشركة", "المدينة", "الجامعة", "البلدية")
VERBS = ("أعلن", "قرر", "ناقش", "أكد", "درس", "رفض", "اقترح", "راجع")
OBJECTS = ("خطة جديدة", "الميزانية السنوية", "مشروع الطريق", "أسعار الخبز", "تقرير المياه", "قانون السير")
TAILS = ("في اجتماع الأمس", "بعد نقاش طويل", "أمام الصحفيين", "في بيان رسمي", "خلال الأسبوع الماضي")


def article(words: int, seed: int = 1) -> str:
    """A title and paragraphs of six sentences, about `words` words in all."""
    pick = random.Random(seed).choice
    lines, paragraph, count = ["تقرير طويل عن شؤون المدينة"], [], 0
    while count < words:
        sentence = f"{pick(VERBS)} {pick(SUBJECTS)} {pick(OBJECTS)} {pick(TAILS)}."
        count += len(sentence.split())
        paragraph.append(sentence)
        if len(paragraph) == 6:
            lines.append(" ".join(paragraph))
            paragraph = []
    return "\n".join(lines + [" ".join(paragraph)]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=30_000)
    parser.add_argument("--article", type=Path, help="build this article instead of a generated one")
    parser.add_argument("--voice", default=str(ROOT / "tests" / "data" / "tone.toml"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.txt"
        if args.article:
            path = args.article
        else:
            path.write_text(article(args.words), encoding="utf-8")
        config = Path(tmp) / "settings.toml"
        config.write_text("[cache]\nenabled = false\n", encoding="utf-8")
        command = [sys.executable, "-m", "audio_news", "build", str(path), "--out", str(Path(tmp) / "out")]
        command += ["--voice", args.voice, "--config", str(config)]
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size_kb = path.stat().st_size / 1000
        print(f"{len(path.read_text(encoding='utf-8').split()):,} words, {size_kb:.0f} KB")
        print(result.stdout.strip() or result.stderr.strip())
        print(f"wall {seconds:.1f} s, max RSS {peak_mb:.0f} MB, exit {result.returncode}")


if __name__ == "__main__":
    main()
