"""Full `audio-news build` of an article vs. the bare steps done by hand, same run.

Bare steps: text2tashkeel on each raw line, espeak-ng (the bundled library) to
one WAV, ffmpeg to a 96 kbps MP3. The full build adds ingest, numbers in words,
lexicon and letter restoring, pausal forms, pauses, two-pass loudness, tags,
chapters, transcripts, the feed and the web player. The build is COLD: the
sentence and episode cache is turned off, so every clip is synthesized and the
MP3 encoded (a warm build only copies it). Target (issue 12): ratio ≤ 0.8 on a
2-core machine, which needs the build to use both cores (stitch encodes
stretches of the episode in parallel while the bare side's one ffmpeg uses one).

    python bench/build_vs_bare.py [ARTICLE] [--repeat N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import replace
from pathlib import Path

import imageio_ffmpeg
from text2tashkeel import Diacritizer

from audio_news.config import Settings
from audio_news.engines import load_engine
from audio_news.ingest import read_article
from audio_news.pipeline import Builder
from audio_news.voices import find_profile

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "000_a9bde49a6959cd4e.txt"


def bare(article: Path, workdir: Path, tashkeel: Diacritizer, engine) -> float:
    """Diacritize each line, speak it, one WAV, one MP3: nothing else."""
    started = time.perf_counter()
    lines = [line.strip() for line in article.read_text(encoding="utf-8").splitlines() if line.strip()]
    pcm = bytearray()
    for line in lines:
        pcm += engine.synthesize(tashkeel.diacritize(line)).samples
    wav = workdir / "bare.wav"
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(engine.sample_rate)
        out.writeframes(bytes(pcm))
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-y",
            "-i",
            str(wav),
            "-ar",
            "44100",
            "-ac",
            "1",
            "-b:a",
            "96k",
            str(workdir / "bare.mp3"),
        ],
        check=True,
    )
    return time.perf_counter() - started


def full(article: Path, builder: Builder) -> float:
    started = time.perf_counter()
    builder.build(read_article(article))
    return time.perf_counter() - started


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished children (the ffmpegs)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(run, *args) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(wall, CPU) seconds of one run."""
    cpu = cpu_seconds()
    wall = run(*args)
    return wall, cpu_seconds() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "article", nargs="?", type=Path, default=SEED if SEED.exists() else ROOT / "samples" / "article.txt"
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        # Models loaded once on both sides and warmed up, as in a long-running build.
        tashkeel = Diacritizer()
        engine = load_engine(find_profile("espeak-ar"))
        settings = Settings()
        builder = Builder(replace(settings, cache=replace(settings.cache, enabled=False)), workdir / "out")
        bare(args.article, workdir, tashkeel, engine)
        full(args.article, builder)
        bare_runs, full_runs = [], []
        for _ in range(args.repeat):
            bare_runs.append(timed(bare, args.article, workdir, tashkeel, engine))
            full_runs.append(timed(full, args.article, builder))
    b, f = statistics.median(w for w, _ in bare_runs), statistics.median(w for w, _ in full_runs)
    b_cpu, f_cpu = statistics.median(c for _, c in bare_runs), statistics.median(c for _, c in full_runs)
    print(f"article: {args.article}")
    print(f"{'bare steps (tashkeel + espeak WAV + ffmpeg MP3)':<50} {b:7.2f} s  (median of {args.repeat})")
    print(f"{'audio-news build, cold (full pipeline, no cache)':<50} {f:7.2f} s  (median of {args.repeat})")
    print(f"{'ratio full / bare':<50} {f / b:7.2f}   target ≤ 0.80  {'OK' if f / b <= 0.8 else 'OVER'}")
    print(f"CPU seconds (all cores, ffmpegs included): bare {b_cpu:.2f}, build {f_cpu:.2f}; wall / CPU: ", end="")
    print(f"bare {b / b_cpu:.2f}, build {f / f_cpu:.2f} (1.00 or more: the machine had no idle core to give)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
