"""Assembling an episode's PCM: pydub's AudioSegment vs. the bytes join stitch uses.

The stitch stage lays sentence clips end to end with pauses, then hands the PCM
to ffmpeg. This times that one step both ways on a synthetic episode of the size
a long article makes (clips of 1-5 s, the pauses between them), checks that both
give the same samples, and prints both times: the figure behind dropping pydub.

    python bench/pydub_vs_join.py [--sentences N] [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import warnings

RATE = 22050  # espeak-ng's rate: the episode is assembled at the clips' own rate
PAUSES_MS = (250, 550, 700, 1200)


def episode(sentences: int) -> list[bytes | int]:
    """Clips (random 16-bit PCM of 1-5 s) and pauses (in ms), in order."""
    rng = random.Random(7)
    pieces: list[bytes | int] = []
    for n in range(sentences):
        if n:
            pieces.append(rng.choice(PAUSES_MS))
        pieces.append(rng.randbytes(2 * (RATE * rng.randint(1000, 5000) // 1000)))
    return pieces


def join(pieces: list[bytes | int]) -> bytes:
    """What stitch does: one bytes join, silence as zero bytes."""
    return b"".join(p if isinstance(p, bytes) else b"\0\0" * (RATE * p // 1000) for p in pieces)


def with_pydub(pieces: list[bytes | int]) -> bytes:
    """The same with pydub, as its docs show: segments added one after another."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydub warns when no ffmpeg is on PATH
        from pydub import AudioSegment

    out = AudioSegment.empty().set_frame_rate(RATE).set_channels(1).set_sample_width(2)
    for p in pieces:
        if isinstance(p, bytes):
            out += AudioSegment(data=p, sample_width=2, frame_rate=RATE, channels=1)
        else:
            out += AudioSegment.silent(duration=p, frame_rate=RATE)
    return bytes(out.raw_data)


def timed(fn, pieces: list[bytes | int], repeat: int) -> tuple[float, bytes]:
    times, result = [], b""
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn(pieces)
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=120, help="clips in the episode (120 ≈ 7 minutes)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pieces = episode(args.sentences)
    seconds = sum(len(p) / 2 / RATE if isinstance(p, bytes) else p / 1000 for p in pieces)
    t_join, a = timed(join, pieces, args.repeat)
    try:
        t_pydub, b = timed(with_pydub, pieces, args.repeat)
    except ImportError:
        print("pydub is not installed (pip install pydub) - only the join was timed")
        print(f"{'bytes join (stitch)':<28} {t_join * 1000:9.1f} ms")
        return
    print(f"episode: {args.sentences} clips, {seconds / 60:.1f} min of 16-bit mono PCM at {RATE} Hz")
    print(f"{'bytes join (stitch)':<28} {t_join * 1000:9.1f} ms  (median of {args.repeat})")
    print(f"{'pydub AudioSegment +=':<28} {t_pydub * 1000:9.1f} ms  (median of {args.repeat})")
    print(f"ratio pydub / join: {t_pydub / t_join:.0f}x")
    # pydub's silent() takes float milliseconds: 1200 ms at 22050 Hz becomes 26459 samples, not 26460.
    print(f"samples: join {len(a) // 2}, pydub {len(b) // 2} (identical: {a == b})")


if __name__ == "__main__":
    main()
