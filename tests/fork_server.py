"""A fork server for cli_run.run_forked: imports the CLI once, then forks one child per command.

Reads one JSON request a line on stdin ({"args", "env", "cwd", "stdout", "stderr"}), forks,
and the child runs `audio-news ARGS…` as the console script would, with that environment
and working folder, its output going to the two files; the server waits for it and writes
{"returncode"} back (negative for a signal, as subprocess says). The children are real
processes that a kill -9 at a crash point kills alone; they skip the interpreter's start-up
and the imports, most of a killed build's time. The server itself runs no command and starts
no thread, so each child starts from the same clean state (crash-point counter at zero).
"""

from __future__ import annotations

import json
import os
import sys
import traceback

import audio_news.pipeline  # noqa: F401  (the build's modules, imported once here)
from audio_news.cli import app


def child(request: dict) -> None:
    """Run the command in this (forked) process and leave with its exit status; never returns."""
    code = 1
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        null = os.open(os.devnull, os.O_RDONLY)
        out = os.open(request["stdout"], os.O_WRONLY | os.O_TRUNC)
        err = os.open(request["stderr"], os.O_WRONLY | os.O_TRUNC)
        for fd, target in ((null, 0), (out, 1), (err, 2)):
            os.dup2(fd, target)
            os.close(fd)
        try:
            app(request["args"], prog_name="audio-news")
            code = 0
        except SystemExit as exc:  # as the interpreter turns sys.exit's argument into a status
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            child(request)
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
