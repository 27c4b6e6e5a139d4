"""Words per minute of the default voice at several rates, on real articles.

    python bench/pace.py [--rates 150,175,200,225] [ARTICLE...]

For each rate, every sentence of every article is spoken as build speaks it
(pipeline.prepare, then synthesize.synthesize_script with the espeak-ar profile
at that rate). Words are the transcript's (the article's own words, numbers
counted as written); time is either the speech alone (the sum of the trimmed
sentence clips) or the episode as stitch lays it out, pauses included (title,
heading, sentence, paragraph and section pauses from the default settings).
Defaults to the eight "seen" listening-audit articles.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audio_news import ingest, stitch, synthesize  # noqa: E402
from audio_news.config import Settings  # noqa: E402
from audio_news.pipeline import Builder, prepare  # noqa: E402

SEEN = sorted((ROOT / "bench" / "audit" / "articles").glob("0[1-8]-*"))


def episode_ms(script: synthesize.Script, settings: Settings) -> float:
    """Length of the episode with its pauses, laid out as stitch lays it out."""
    clips = [s.clip for s in script.sentences]
    rate = clips[0].sample_rate if clips and clips[0] else 22050
    audio = ((c.samples, c.words) if c else (b"", ()) for c in clips)
    layout = stitch._lay_out(script.parts, audio, settings.pauses, rate, lambda pcm: None)
    return layout.length / rate * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("articles", nargs="*", type=Path, default=SEEN)
    parser.add_argument("--rates", default="130,150,175,200,225,250")
    args = parser.parse_args(argv)
    settings = Settings()
    base = Builder(settings, ROOT / "output")
    scripts = [prepare(ingest.read_article(p), settings, base.profile, base.diacritizer) for p in args.articles]
    words = sum(len(s.text.split()) for script in scripts for s in script.sentences)
    print(f"{len(scripts)} articles, {words} transcript words")
    print("| rate setting | wpm, speech only | wpm, with pauses | minutes for 300 words (with pauses) | synth s |")
    print("| --- | --- | --- | --- | --- |")
    for rate in (int(r) for r in args.rates.split(",")):
        engine = Builder(settings, ROOT / "output", rate=rate).engine
        started = time.perf_counter()
        speech_ms = total_ms = 0.0
        for script in scripts:
            spoken = synthesize.synthesize_script(script, engine)
            speech_ms += sum(s.clip.duration_ms for s in spoken.sentences if s.clip)
            total_ms += episode_ms(spoken, settings)
        seconds = time.perf_counter() - started
        speech_wpm, total_wpm = words / (speech_ms / 60000), words / (total_ms / 60000)
        print(f"| {rate} | {speech_wpm:.0f} | {total_wpm:.0f} | {300 / total_wpm:.1f} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
