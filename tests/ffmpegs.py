"""The ffmpeg binaries the audio tests run with, chosen as a user would: through
AUDIO_NEWS_FFMPEG. "bundled" is the one imageio-ffmpeg pins (the default);
"debian" is Debian's /usr/bin/ffmpeg (5.1 on Debian 12), which tests/setup.sh
installs. Outside CI a machine without it skips those cases; in CI a skip fails.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from audio_news import stitch

SYSTEM_FFMPEG = Path("/usr/bin/ffmpeg")
BINARIES = ("bundled", "debian")


@contextmanager
def using(binary: str) -> Iterator[stitch.Ffmpeg]:
    """AUDIO_NEWS_FFMPEG set for `binary` while the block runs; yields the probed binary."""
    if binary == "debian" and not SYSTEM_FFMPEG.exists():
        pytest.skip(f"{SYSTEM_FFMPEG} is not installed (bash tests/setup.sh installs it)")
    with pytest.MonkeyPatch.context() as mp:
        if binary == "bundled":
            mp.delenv(stitch.FFMPEG_ENV, raising=False)
        else:
            mp.setenv(stitch.FFMPEG_ENV, str(SYSTEM_FFMPEG))
        yield stitch.find_ffmpeg()


def env_for(binary: str) -> dict[str, str]:
    """The environment for a CLI run with `binary`."""
    env = {k: v for k, v in os.environ.items() if k != stitch.FFMPEG_ENV}
    if binary == "debian":
        if not SYSTEM_FFMPEG.exists():
            pytest.skip(f"{SYSTEM_FFMPEG} is not installed (bash tests/setup.sh installs it)")
        env[stitch.FFMPEG_ENV] = str(SYSTEM_FFMPEG)
    return env


def fake_ffmpeg(folder: Path, *, version: str = "", drop: str = "", fail_on: str = "") -> Path:
    """A script named ffmpeg in `folder` that hands every call to the bundled ffmpeg,
    except that it can report another `version`, leave the option lines matching the
    regex `drop` out of its help, and fail (as if killed) on a call whose arguments
    contain `fail_on`."""
    real = stitch._pinned_binary()
    script = folder / "ffmpeg"
    lines = ["#!/bin/sh"]
    if fail_on:
        lines += [f'case "$*" in *{fail_on}*) echo "Killed" >&2; exit 137;; esac']
    if version or drop:
        lines += [
            'if [ "$1" = "-h" ]; then',
            f'  echo "ffmpeg version {version or "9"} Copyright (c) the FFmpeg developers" >&2',
            f'  "{real}" -hide_banner "$@" | ' + (f'grep -Ev "{drop}"' if drop else "cat"),
            "  exit 0",
            "fi",
        ]
    lines += [f'exec "{real}" "$@"']
    script.write_text("\n".join(lines) + "\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def sine_mp3(path: Path, seconds: float, *, frequency: int = 440, rate: int = 22050) -> Path:
    """A real MP3 of a sine tone (mono, 32 kbps), made by the ffmpeg imageio-ffmpeg ships."""
    import subprocess

    import imageio_ffmpeg

    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
        + ["-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}"]
        + ["-ac", "1", "-ar", str(rate), "-c:a", "libmp3lame", "-b:a", "32k", str(path)],
        check=True,
        timeout=60,
    )
    return path
