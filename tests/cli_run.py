"""Run the real CLI (`python -m audio_news`) as a user would, for the tests."""

from __future__ import annotations

import subprocess
import sys


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`audio-news ARGS…` in a fresh process; text output captured, ten minutes at most."""
    return subprocess.run(
        [sys.executable, "-m", "audio_news", *args], capture_output=True, text=True, input=stdin, timeout=600
    )
