"""Input limits: every file audio-news reads is a regular file under a size limit.

A FIFO, a device or a socket given as an input blocks forever or never ends
(`/dev/zero` as an article grew to gigabytes), and a huge file runs for hours on
its way to tens of gigabytes. So every reader (article, settings, lexicon,
cover, gold file, episode store) goes through `read_bounded`, which refuses both
at once with one line naming the file and the limit, and never truncates.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

from .errors import AudioNewsError

ARTICLE_MAX_BYTES: Final = 1_000_000
"""An article file: about 80,000 Arabic words of plain text, far above any news story."""
ARTICLE_MAX_WORDS: Final = 40_000
"""Words in an article's text (about four hours of speech; 30,000 words build in bounded memory)."""
SENTENCE_MAX_WORDS: Final = 1_000
"""Words in a run of text with no sentence end (the diacritizer takes at most 12,000 characters at once)."""
SETTINGS_MAX_BYTES: Final = 64 * 1024
"""A settings TOML file or a voice profile."""
LEXICON_MAX_BYTES: Final = 8_000_000
"""A user lexicon (TSV)."""
COVER_MAX_BYTES: Final = 10_000_000
"""A cover image (a 3000x3000 JPEG is a few MB)."""
GOLD_MAX_BYTES: Final = 64_000_000
"""A gold file for eval-tashkeel."""
STORE_MAX_BYTES: Final = 64_000_000
"""The episode store (episodes.json): some thousands of episodes; also what `pull` remembers (.pull-state.json)."""
FETCH_MAX_BYTES: Final = 5_000_000
"""A web page or feed fetched by `build URL` or `pull` (a news page is well under 1 MB, scripts and all)."""

_KINDS: Final = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def size_text(limit: int) -> str:
    """A byte count as people read it: 1 MB, 64 KB, 8 MB (decimal MB; binary KB below a MB)."""
    if limit >= 1_000_000 and limit % 1_000_000 == 0:
        return f"{limit // 1_000_000} MB"
    if limit % 1024 == 0:
        return f"{limit // 1024} KB"
    return f"{limit} bytes"


def _not_regular(mode: int) -> str | None:
    """What a non-regular file is ("a FIFO (named pipe)"), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def read_bounded(path: str | Path, limit: int, what: str, error: type[AudioNewsError]) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes.

    `what` names the input in messages ("article file", "settings file").
    Raises `error` (with the path) when the file is missing, cannot be read,
    is not a regular file (directory, FIFO, device, socket, symlink loop) or is
    over the limit: the size is checked before reading, and at most limit + 1
    bytes are read, so a file that grows meanwhile is refused too.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error(f"{what} not found", path) from None
    except OSError as exc:  # ELOOP (a symlink loop), EACCES, ENAMETOOLONG, ...
        raise error(f"cannot read the {what}: {exc.strerror or exc}", path) from None
    if kind := _not_regular(info.st_mode):
        raise error(f"is {kind}; the {what} must be a regular file", path)
    if info.st_size > limit:
        raise error(f"the {what} is {info.st_size:,} bytes; the limit is {size_text(limit)}", path)
    try:
        # O_NONBLOCK: should a FIFO replace the file after the stat, open does not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise error(f"cannot read the {what}: {exc.strerror or exc}", path) from None
    with os.fdopen(fd, "rb") as fh:
        if kind := _not_regular(os.fstat(fh.fileno()).st_mode):
            raise error(f"is {kind}; the {what} must be a regular file", path)
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise error(f"cannot read the {what}: {exc.strerror or exc}", path) from None
    if len(data) > limit:
        raise error(f"the {what} is over the limit of {size_text(limit)}", path)
    return data
