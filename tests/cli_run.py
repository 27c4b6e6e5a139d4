"""Run the CLI for the tests: in this process (fast), or as the installed command.

`invoke` runs the typer app in-process with typer's CliRunner, stdout and
stderr captured apart; an exception the app lets escape goes to stderr as a
traceback with exit status 1, as the interpreter would print it. `run_cli`
starts the installed `audio-news` command (or `python -m audio_news` where it
is not installed) in a fresh process, for the few true end-to-end runs. Both
return a CompletedProcess, so a test reads the same either way.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import traceback
from pathlib import Path

from typer.testing import CliRunner

from audio_news.cli import app

TONE = Path(__file__).parent / "data" / "tone.toml"
"""The tone engine's test voice (sine bursts): for builds where the voice is not the point."""


def command() -> list[str]:
    """The installed console script beside this interpreter, else `python -m audio_news`."""
    script = shutil.which("audio-news", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "audio_news"]


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`audio-news ARGS…` in a fresh process; text output captured, ten minutes at most."""
    return subprocess.run([*command(), *args], capture_output=True, text=True, input=stdin, timeout=600)


def invoke(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`audio-news ARGS…` in this process; stdout and stderr captured apart."""
    result = CliRunner().invoke(app, list(args), input=stdin, prog_name="audio-news")
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["audio-news", *args], result.exit_code, result.stdout, stderr)
