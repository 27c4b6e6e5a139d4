"""Many articles on all cores: `build --jobs 2` against `--jobs 1`, same run (the figure: ≤ 0.6×).

Writes `--articles` articles (a lead and two headed sections each, made here from
a few word lists; no seed or gold text), then times `audio-news build` of all of
them in a fresh process with `--jobs 1` (one process, one publish at the end) and
with `--jobs N` (a local Dask cluster of N worker processes), each into a new
output folder with an empty sentence cache, so neither run is served by the
other's clips. Start-up (the engine, the diacritizer's model, the cluster) is in
both figures: that is what a user waits for. `--rounds` alternates the two and
keeps each one's fastest run. Default voice: espeak-ar, the realistic one.

With `--jobs 2` it also times a control: two plain `--jobs 1` builds of half the
articles each, at once (no Dask). On a machine shared with other work that is the
ceiling for any two-process split, so it tells a busy machine from overhead.

    python bench/jobs.py [--articles 20] [--jobs 2] [--voice espeak-ar] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.6
WHO = (
    "لجنة الصحة",
    "إدارة المطار",
    "اتحاد المزارعين",
    "مكتب السياحة",
    "هيئة المياه",
    "نقابة المعلمين",
    "بلدية المدينة",
)
DID = ("قدمت", "اعتمدت", "درست", "رفضت", "أقرت", "عرضت")
WHAT = (
    "ميزانية العام المقبل",
    "خطة لتوسيع الخدمات",
    "اقتراحا لتقليل الازدحام",
    "برنامجا لدعم الأسر",
    "مشروعا لتحلية المياه",
    "جدولا جديدا للرحلات",
)
WHEN = ("صباح اليوم", "في اجتماعها الأخير", "بعد أسابيع من النقاش", "في مؤتمر صحفي", "أمام ممثلي السكان")
HEADINGS = ("ما الذي تغير", "ماذا بعد")


def article(number: int, sentences: int) -> str:
    pick = random.Random(f"jobs-{number}").choice

    def paragraph() -> str:
        return " ".join(f"{pick(DID)} {pick(WHO)} {pick(WHAT)} {pick(WHEN)}." for _ in range(sentences))

    parts = [f"# {pick(WHO)} {pick(DID)} {pick(WHAT)}: الخبر {number}", "", paragraph(), ""]
    for heading in HEADINGS:
        parts += [f"## {heading}", "", paragraph(), ""]
    return "\n".join(parts)


def command(paths: list[str], folder: Path, jobs: int, voice: str) -> tuple[list[str], dict[str, str]]:
    """`audio-news build` of `paths` with `jobs` into a new output folder, with a new empty
    cache: the command line and its environment."""
    out, cache = tempfile.mkdtemp(dir=folder), tempfile.mkdtemp(dir=folder)
    args = [*paths, "--out", out, "--voice", voice, "--base-url", "https://news.example/", "--jobs", str(jobs)]
    return [sys.executable, "-m", "audio_news", "build", *args], {**os.environ, "AUDIO_NEWS_CACHE_DIR": cache}


def build(paths: list[str], folder: Path, jobs: int, voice: str) -> float:
    """Seconds for one `audio-news build` of `paths` with `jobs`, fresh output folder and cache."""
    cmd, env = command(paths, folder, jobs, voice)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"build --jobs {jobs} failed:\n{done.stderr.decode(errors='replace')}")
    built = done.stdout.decode().count(", built in ")
    if built != len(paths):
        sys.exit(f"build --jobs {jobs} built {built} of {len(paths)} articles")
    return seconds


def split_build(paths: list[str], folder: Path, voice: str) -> float:
    """Seconds for two `--jobs 1` builds at once, each of half the articles into its own folder: no
    Dask at all, the most `--jobs 2` could gain on this machine as it is now (the control)."""
    runs = []
    start = time.perf_counter()
    for half in (paths[: len(paths) // 2], paths[len(paths) // 2 :]):
        cmd, env = command(half, folder, 1, voice)
        runs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env))
    for run in runs:
        _, stderr = run.communicate()
        if run.returncode != 0:
            sys.exit(f"a half build failed:\n{stderr.decode(errors='replace')}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--sentences", type=int, default=12, help="sentences per paragraph (12: about 350 words)")
    parser.add_argument("--jobs", type=int, default=2, help="compared with --jobs 1")
    parser.add_argument("--voice", default="espeak-ar")
    parser.add_argument("--rounds", type=int, default=1)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = []
        for number in range(1, opts.articles + 1):
            path = folder / f"article{number:02d}.md"
            path.write_text(article(number, opts.sentences), encoding="utf-8")
            paths.append(str(path))
        one, many, halves = [], [], []
        for _ in range(opts.rounds):
            one.append(build(paths, folder, 1, opts.voice))
            many.append(build(paths, folder, opts.jobs, opts.voice))
            if opts.jobs == 2:
                halves.append(split_build(paths, folder, opts.voice))
    ratio = min(many) / min(one)
    print(f"{opts.articles} articles, voice {opts.voice}, {os.cpu_count()} cores, best of {opts.rounds}")
    print(f"--jobs 1:  {min(one):6.1f} s   (runs: {', '.join(f'{s:.1f}' for s in one)})")
    print(f"--jobs {opts.jobs}:  {min(many):6.1f} s   (runs: {', '.join(f'{s:.1f}' for s in many)})")
    print(f"ratio {ratio:.2f} (target ≤ {TARGET}): {'met' if ratio <= TARGET else 'NOT met'}")
    if halves:
        print(
            f"control, two --jobs 1 builds of half each at once (no Dask): {min(halves):.1f} s, "
            f"ratio {min(halves) / min(one):.2f}: what this machine allows now"
        )


if __name__ == "__main__":
    main()
