"""An output folder as {relative path: bytes}, for tests that compare it before and after
(a killed command undone, a failed one that must leave nothing)."""

from __future__ import annotations

import re
from pathlib import Path

from audio_news import publish


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes (the lock file and the feed's build date aside)."""
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != publish.LOCK_NAME:
            data = path.read_bytes()
            if path.name == publish.FEED_NAME:
                data = re.sub(rb"<lastBuildDate>[^<]*</lastBuildDate>", b"", data)
            files[path.relative_to(root).as_posix()] = data
    return files
