"""The whole test suite's wall time: a baseline commit against the working tree, same run.

Each side runs in a fresh clone (the working tree's side: a copy of it) with this
venv, one after the other, `--repeat` times, alternating, so both see the same
machine. The baseline's own pytest options are used on each side (the working
tree's pyproject sets `-n auto`). The old code fails every build when Debian's
ffmpeg is on PATH (issue 8), so both sides run with a PATH that holds no ffmpeg;
the tests that name Debian's binary still find it at /usr/bin/ffmpeg.

    python bench/suite_time.py [--base 13f2947] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bare_path(folder: Path) -> str:
    """A PATH with this venv and /usr/bin's tools except ffmpeg's."""
    tools = folder / "bin"
    tools.mkdir()
    for tool in Path("/usr/bin").iterdir():
        if tool.name not in {"ffmpeg", "ffprobe", "ffplay"}:
            (tools / tool.name).symlink_to(tool)
    return f"{Path(sys.executable).parent}:{tools}"


def checkout(folder: Path, base: str | None) -> Path:
    """A clone at `base`, or a copy of the working tree (None)."""
    dest = folder / (base or "worktree")
    if base is None:
        shutil.copytree(ROOT, dest, symlinks=True, ignore=shutil.ignore_patterns(".venv", ".git", "output"))
    else:
        subprocess.run(["git", "clone", "-q", str(ROOT), str(dest)], check=True)
        subprocess.run(["git", "-C", str(dest), "checkout", "-q", base], check=True)
    browser = ROOT / "tests" / "browser" / "node_modules"
    target = dest / "tests" / "browser" / "node_modules"
    if browser.is_dir() and not target.exists():
        target.symlink_to(browser)
    # ../shared beside the checkout, as beside the repository.
    if (ROOT.parent / "shared").is_dir() and not (folder / "shared").exists():
        (folder / "shared").symlink_to(ROOT.parent / "shared")
    return dest


def run_suite(tree: Path, path: str, files: list[str] | None = None) -> tuple[float, str]:
    env = {**os.environ, "PATH": path, "PYTHONPATH": str(tree)}
    env.pop("AUDIO_NEWS_FFMPEG", None)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(files or [])],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    summary = re.findall(r"^=*\s*(\d+ (?:passed|failed).*?)\s*=*$", proc.stdout, re.M)
    return seconds, summary[-1] if summary else f"exit {proc.returncode}: {proc.stdout[-300:]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="13f2947", help="the baseline commit (default: before issue 8)")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = bare_path(folder)
        base_tree, new_tree = checkout(folder, args.base), checkout(folder, None)
        # The baseline's own test files, run on the working tree: the same tests (and
        # what was added to those files since), without the test files added since.
        old_files = sorted(p.relative_to(base_tree).as_posix() for p in (base_tree / "tests").glob("test_*.py"))
        runs = {
            f"baseline {args.base}": (base_tree, None),
            "working tree, baseline's files": (new_tree, old_files),
            "working tree, whole suite": (new_tree, None),
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        for round_ in range(args.repeat):
            for name, (tree, files) in runs.items():
                seconds, summary = run_suite(tree, path, files)
                times[name].append(seconds)
                print(f"round {round_ + 1}  {name:<32} {seconds:7.1f} s  {summary}", flush=True)
        base = statistics.median(times[f"baseline {args.base}"])
        print()
        for name, values in times.items():
            median = statistics.median(values)
            print(f"median {name:<32} {median:7.1f} s  speed-up {base / median:.2f}x")
        print(f"load average at the end: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
