"""Is the loudness of the MP3 the loudness of the PCM it was encoded from, plus ENCODER_GAIN_DB?

For each article (the audit articles and samples/article.txt: 17 in all), a
cold build's render with the espeak voice; the PCM the encoder was given (the
spool, through the plan's limiter and gain, at the working rate and resampled
to the episode's rate) and the MP3 it wrote are measured with ebur128 (the last
frame's metadata: three decimals, not the summary's one). Prints per article
the differences MP3 − (PCM + ENCODER_GAIN_DB) in integrated loudness (LU) and
true peak (dB), and the largest of each: equivalent means within 0.1. Also
the loudness the build reported (gated over its stretches' blocks) against the
whole MP3's ("ΔI build").

    python bench/pcm_vs_mp3_loudness.py [ARTICLE ...]
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from audio_news import stitch
from audio_news.config import Settings
from audio_news.ingest import read_article
from audio_news.pipeline import Builder

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = [*sorted((ROOT / "bench" / "audit" / "articles").iterdir()), ROOT / "samples" / "article.txt"]
_LAST = re.compile(rb"lavfi\.r128\.(I|true_peak)=([-+]?[\d.]+|-?inf)")


def measured(ffmpeg: stitch.Ffmpeg, args: list[str], pcm: bytes | None, work: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) from the last frame ebur128 marked."""
    log = work / "meter.txt"
    meter = f"ebur128=peak=true:metadata=1,ametadata=mode=print:file={log}"
    if "-af" in args:
        at = args.index("-af") + 1
        args = [*args[:at], f"{args[at]},{meter}", *args[at + 1 :]]
    else:
        args = [*args, "-af", meter]
    stitch._run(ffmpeg, [*args, "-f", "null", "-"], "measure", stdin=pcm)
    found = dict(_LAST.findall(log.read_bytes()))
    peak = float(found[b"true_peak"])
    return float(found[b"I"]), 20 * math.log10(peak) if peak > 0 else -math.inf


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", nargs="*", type=Path, default=ARTICLES)
    args = parser.parse_args()
    settings = Settings()
    settings = replace(settings, cache=replace(settings.cache, enabled=False))
    seen: list[tuple[object, bytes, int]] = []
    encode = stitch._encode

    def recording(ffmpeg, spool, cuts, audio, plan, dest):  # type: ignore[no-untyped-def]
        seen.append((plan, spool.read(0, spool.length), spool.rate))
        return encode(ffmpeg, spool, cuts, audio, plan, dest)

    stitch._encode = recording  # type: ignore[assignment]
    ffmpeg = stitch.find_ffmpeg()
    gain = stitch.ENCODER_GAIN_DB
    print(f"ffmpeg {ffmpeg.version}; ENCODER_GAIN_DB {gain}")
    print(
        f"{'article':<24} {'limiter':>7} {'ΔI 22k':>7} {'ΔI 44k':>7} {'ΔTP 22k':>8} {'ΔTP 44k':>8}"
        f" {'ΔI build':>8}   MP3 I / TP"
    )
    worst = [0.0, 0.0, 0.0, 0.0, 0.0]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        builder = Builder(settings, work / "out")
        for path in args.articles:
            seen.clear()
            result = builder.build(read_article(path))
            plan, pcm, rate = seen[-1]  # the encode that was kept
            mp3 = work / "out" / result.episode.audio
            chain = plan.filters()  # type: ignore[attr-defined]
            raw = ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"]
            at_rate = measured(ffmpeg, [*raw, *(["-af", ",".join(chain)] if chain else [])], pcm, work)
            up = ",".join([*chain, f"aresample={settings.audio.sample_rate}"])
            at_44k = measured(ffmpeg, [*raw, "-af", up], pcm, work)
            got = measured(ffmpeg, ["-i", str(mp3)], None, work)
            deltas = [
                got[0] - at_rate[0] - gain,
                got[0] - at_44k[0] - gain,
                got[1] - at_rate[1] - gain,
                got[1] - at_44k[1] - gain,
                result.rendering.loudness_lufs - got[0],
            ]
            worst = [max(w, abs(d)) for w, d in zip(worst, deltas)]
            limited = "yes" if plan.drive_db is not None else "no"  # type: ignore[attr-defined]
            cells = " ".join(f"{d:+7.3f}" if i < 2 else f"{d:+8.3f}" for i, d in enumerate(deltas))
            print(f"{path.name:<24} {limited:>7} {cells}   {got[0]:.2f} / {got[1]:.2f}")
    print(
        f"{'largest |Δ|':<24} {'':>7} " + " ".join(f"{w:7.3f}" if i < 2 else f"{w:8.3f}" for i, w in enumerate(worst))
    )
    for name, w in (("integrated loudness", max(worst[:2])), ("true peak", min(worst[2:4]))):
        print(f"{name}: {'equivalent' if w <= 0.1 else 'NOT equivalent'} within 0.1 ({w:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
