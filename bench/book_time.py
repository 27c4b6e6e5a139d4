"""Time of making a 20-article talking book, beyond building the episodes (the book's figure: ≤ 5 s).

Writes `--articles` short articles (a lead and three headed sections each, made
here from a few word lists; no seed or gold text), builds them with
tests/data/tone.toml into a temporary podcast folder, then times
`audio-news book --all` in a fresh process for each format, and prints both
figures with the book's size and length.

    python bench/book_time.py [--articles 20] [--sentences 4]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TONE = ROOT / "tests" / "data" / "tone.toml"
SUBJECTS = ("المجلس البلدي", "وزارة النقل", "فريق الجامعة", "شركة الكهرباء", "مدرسة الحي", "نادي الشباب")
VERBS = ("أعلن", "افتتح", "ناقش", "أطلق", "راجع", "دعم")
OBJECTS = ("حديقة جديدة", "خطة للطرق", "برنامجا للقراءة", "مشروعا للطاقة", "سوقا أسبوعية", "دورة تدريبية")
TAILS = ("في الحي القديم", "بعد نقاش طويل", "أمام السكان", "هذا الأسبوع", "بدعم من المتطوعين")
HEADINGS = ("التفاصيل", "ردود الفعل", "الخطوات المقبلة")


def article(number: int, sentences: int) -> str:
    pick = random.Random(number).choice

    def paragraph() -> str:
        return " ".join(f"{pick(VERBS)} {pick(SUBJECTS)} {pick(OBJECTS)} {pick(TAILS)}." for _ in range(sentences))

    parts = [f"# خبر رقم {number}: {pick(SUBJECTS)} {pick(VERBS)} {pick(OBJECTS)}", "", paragraph(), ""]
    for heading in HEADINGS:
        parts += [f"## {heading}", "", paragraph(), ""]
    return "\n".join(parts)


def run(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "audio_news", *args], check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--sentences", type=int, default=4, help="sentences per paragraph")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = []
        for number in range(1, opts.articles + 1):
            path = folder / f"article{number:02d}.md"
            path.write_text(article(number, opts.sentences), encoding="utf-8")
            paths.append(str(path))
        out = folder / "podcast"
        built = run("build", *paths, "--out", str(out), "--voice", str(TONE))
        print(f"built {opts.articles} episodes with the tone voice in {built:.1f} s (not counted)")
        for fmt, target in (("daisy", folder / "book-daisy"), ("epub3", folder / "book.epub")):
            seconds = run("book", "--all", "--format", fmt, "--to", str(target), "--out", str(out))
            size = sum(p.stat().st_size for p in target.rglob("*")) if target.is_dir() else target.stat().st_size
            print(f"book --format {fmt}: {seconds:.2f} s for {opts.articles} articles ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
