"""Run the CLI for the tests: in this process (fast), or as the installed command.

`invoke` runs the typer app in-process with typer's CliRunner, stdout and
stderr captured apart; an exception the app lets escape goes to stderr as a
traceback with exit status 1, as the interpreter would print it. `run_cli`
starts the installed `audio-news` command (or `python -m audio_news` where it
is not installed) in a fresh process, for the few true end-to-end runs.
`run_forked` runs it in a process forked from one that has imported the CLI
already (tests/fork_server.py): a real process that a kill -9 kills alone, for
the crash sweeps' hundred killed commands, each of which would otherwise spend
most of its time starting Python and importing. All three return a
CompletedProcess, so a test reads the same either way.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Mapping
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


_fork_server: subprocess.Popen[str] | None = None


def run_forked(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`audio-news ARGS…` in a fresh process forked from the fork server, with `env` (default: this
    process's) and this working folder; output captured as text, ten minutes at most."""
    global _fork_server
    if _fork_server is None or _fork_server.poll() is not None:
        script = Path(__file__).with_name("fork_server.py")
        _fork_server = subprocess.Popen(
            [sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        atexit.register(_stop_fork_server, _fork_server)
    server = _fork_server
    assert server.stdin is not None and server.stdout is not None
    with tempfile.TemporaryDirectory(prefix="audio-news-forked-") as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        out.touch(), err.touch()
        request = {
            "args": list(args),
            "env": dict(os.environ if env is None else env),
            "cwd": os.getcwd(),
            "stdout": str(out),
            "stderr": str(err),
        }
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        if not select.select([server.stdout], [], [], 600)[0]:
            server.kill()  # its child too: the next call starts a new server
            raise subprocess.TimeoutExpired(["audio-news", *args], 600)
        reply = server.stdout.readline()
        if not reply:
            raise RuntimeError(f"the fork server died (exit {server.wait()})")
        returncode = json.loads(reply)["returncode"]
        stdout, stderr = out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
    return subprocess.CompletedProcess(["audio-news", *args], returncode, stdout, stderr)


def _stop_fork_server(server: subprocess.Popen[str]) -> None:
    """At exit: the server reads the end of its input and leaves."""
    if server.stdin is not None:
        server.stdin.close()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
