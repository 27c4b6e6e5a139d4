"""Cold build vs. warm rebuild of an unchanged article: what the sentence cache saves.

Each run gets an empty cache folder and an empty output folder; the cold build
fills the cache, then the same article is built again into the same folder (as
a newsroom rebuilds after a fix elsewhere). The Builder, its voice and its
diacritizer model are loaded before the clock starts, in both cases alike, so
the figures are the per-article cost a long `build` or `pull` pays. The warm
build still normalizes, reads the diacritized sentences, the clips and the
stitched MP3 from the cache, tags and publishes: its breakdown is printed.
Third, the last paragraph gets one more sentence and the article is built
again (only that paragraph is synthesized; the episode is stitched again).
Issue 12's target: warm ≤ 0.15× cold.

    python bench/cache_rebuild.py [ARTICLE] [--repeat N] [--voice NAME]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from audio_news.config import Settings, with_overrides
from audio_news.ingest import read_article
from audio_news.pipeline import Builder, prepare

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "000_a9bde49a6959cd4e.txt"
SAMPLE = ROOT / "samples" / "article.txt"
EXTRA = "وأضاف المتحدث أن العمل سيستمر حتى آخر الشهر."
"""A sentence added to the last paragraph: the edit whose rebuild is timed third."""


def one_run(article_path: Path, voice: str | None) -> dict[str, float]:
    """Seconds of a cold and a warm build, and where the warm one's time went."""
    with tempfile.TemporaryDirectory(prefix="cache-bench-") as tmp:
        os.environ["AUDIO_NEWS_CACHE_DIR"] = str(Path(tmp) / "cache")
        builder = Builder(with_overrides(Settings(), voice=voice), Path(tmp) / "out")
        builder.engine, builder.diacritizer  # noqa: B018 - loaded before the clock starts
        article = read_article(article_path)
        cold = builder.build(article)
        assert builder.cache is not None
        entries = builder.cache.info().entries
        started = time.perf_counter()
        prepare(article, builder.settings, builder.profile, builder.diacritizer)
        text_uncached = time.perf_counter() - started
        started = time.perf_counter()
        prepare(article, builder.settings, builder.profile, builder.diacritizer, builder.text_cache)
        text_stages = time.perf_counter() - started
        warm = builder.build(article)
        assert builder.cache.info().entries == entries, "the warm build added entries: something missed"
        last = article.sections[-1]
        edited = replace(last, paragraphs=(*last.paragraphs[:-1], last.paragraphs[-1] + " " + EXTRA))
        changed = builder.build(replace(article, sections=(*article.sections[:-1], edited)))
        return {
            "cold": cold.seconds,
            "cold_synth": cold.synth_seconds,
            "warm": warm.seconds,
            "warm_synth": warm.synth_seconds,
            "text": text_stages,
            "text_uncached": text_uncached,
            "changed": changed.seconds,
            "changed_synth": changed.synth_seconds,
            "entries": entries,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", type=Path, default=SEED if SEED.is_file() else SAMPLE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--voice", default=None, help="voice profile (default: the settings' default, espeak-ar)")
    args = parser.parse_args()
    runs = [one_run(args.article, args.voice) for _ in range(args.repeat)]

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    cold, warm = median("cold"), median("warm")
    print(
        f"article: {args.article} ({int(runs[0]['entries'])} cache entries: clips, diacritized sentences, the episode), median of {args.repeat}"
    )
    print(f"cold build: {cold:.2f} s (synthesis {median('cold_synth'):.2f} s)")
    print(
        f"warm build: {warm:.2f} s (synthesis from the cache {median('warm_synth'):.2f} s, "
        f"text stages {median('text'):.2f} s (uncached {median('text_uncached'):.2f} s), stitch (from the cache) + tag + publish ≈ "
        f"{warm - median('warm_synth') - median('text'):.2f} s)"
    )
    print(f"warm / cold: {warm / cold:.3f} (target ≤ 0.15)")
    changed = median("changed")
    print(
        f"one paragraph changed: {changed:.2f} s (synthesis {median('changed_synth'):.2f} s; stitched again), "
        f"{changed / cold:.3f} of cold"
    )


if __name__ == "__main__":
    main()
