"""Stage: put an episode into the output folder (the only feedgen/lxml user).

Last in the pipeline, after tag. The output folder, served at base_url:

    out_dir/
      feed.xml                 RSS 2.0 + itunes + Podcasting 2.0 (podcast:)
      episodes.json            the episode store (Episode.to_dict, newest first)
      cover.png                the channel art
      episodes/<slug>.mp3      written by the pipeline through temp_path_for + commit_file
      episodes/<slug>.vtt      WebVTT, one cue per sentence (the player's transcript; a podcast:transcript)
      episodes/<slug>.captions.vtt   WebVTT at caption length (podcast:transcript rel="captions")
      episodes/<slug>.<png|jpg>      the episode's own artwork, when its article has a local square one
      episodes/<slug>.txt      plain-text transcript
      episodes/<slug>.chapters.json   Podcasting 2.0 JSON chapters 1.2.0

Every file is written to a hidden temporary name in its own folder
(.<name>.<pid>.tmp), fsynced, then renamed over the old one, so a reader never
sees half a file. One build or `feed` changes many files; a Publication makes
them one step (see its docstring): an undo journal (.publish-journal) written
before each change, a commit line at the end, and `recover`, run by the next
command under folder_lock, which rolls back an uncommitted publish, finishes a
committed one and deletes temporary files whose process is gone.

The order that keeps the folder consistent, under folder_lock, in one Publication:
    the sidecars and the MP3 (temp_path_for, then Publication.place);
    episodes, replaced = store.put(new, pub.write); ensure_cover; player.write_site;
    write_feed(...); remove_episode_files(out_dir, replaced, keep=new, remove=pub.remove)
Retention (expired) drops episodes from the list before the store is saved again and the
feed written, and their files go with remove_episode_files in the same Publication;
`remove` is the same publish without a new episode (find_episode names what goes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import math
import os
import re
import shutil
import signal
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from .arabic import EASTERN_DIGITS, MARK_CLASS, TATWEEL
from .config import DEFAULT_BASE_URL, PodcastSettings, image_mime
from .errors import InputError, PublishError
from .limits import COVER_MAX_BYTES, STORE_MAX_BYTES, read_bounded
from .models import Article, Chapter, Cue, Episode, Rendering, Word

FEED_NAME: Final = "feed.xml"
STORE_NAME: Final = "episodes.json"
GUID_NAME: Final = ".podcast-guid"
LOCK_NAME: Final = ".lock"
"""Held while the store and feed are rewritten; hidden, so serve never shows it."""
EPISODES_DIR: Final = "episodes"
CHAPTERS_VERSION: Final = "1.2.0"
ITUNES_NS: Final = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS: Final = "https://podcastindex.org/namespace/1.0"
PSC_NS: Final = "http://podlove.org/simple-chapters"
"""Podlove Simple Chapters: the chapters clients without Podcasting 2.0 read (gPodder's podcastparser)."""
PSC_VERSION: Final = "1.2"
CONTENT_NS: Final = "http://purl.org/rss/1.0/modules/content/"
CAPTION_LINE_CHARS: Final = 42
"""Caption length (the common broadcast and Netflix rule): at most 42 characters a line,"""
CAPTION_LINES: Final = 2
"""at most two lines a cue,"""
CAPTION_MAX_MS: Final = 7000
"""and at most 7 seconds on screen."""
SYNTHETIC_NOTE: Final = "صوت هذه الحلقة مُوَلَّد آليًّا (قراءة حاسوبية للنص)، لا صوت مذيع بشري."
"""Said in every item's show notes and on every episode page: the voice is synthetic."""
PODCAST_GUID_NAMESPACE: Final = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
"""The Podcasting 2.0 namespace for podcast:guid (uuid5 of the feed URL)."""
ARTICLE_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:audio-news:article-title")
"""Namespace of the guid stores made before content identity: from the title alone (kept by migration)."""
CONTENT_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:audio-news:article-content")
"""Namespace for the guid of an article without a URL: uuid5 of its content hash."""
VERSION_LEN: Final = 12
"""Hex digits of the MP3's SHA-256 in the enclosure's ?v= token."""

_SLUG_MAX_BYTES: Final = 120
_SUFFIX_LEN: Final = 8
_WINDOWS_RESERVED: Final = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)
# Arabic marks (harakat, tanween, shadda, sukun, superscript alef, Quranic marks) and tatweel.
_ARABIC_MARKS: Final = re.compile(f"[{MARK_CLASS}{TATWEEL}]")
# Characters XML 1.0 cannot hold at all (lxml refuses them).
_XML_BAD: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- names ------------------------------------------------------------------


def episode_guid(title: str, source_url: str | None) -> str:
    """uuid5 of the article's URL if known, else the legacy id from its title.

    The URL's fragment and surrounding spaces are ignored; the title is compared
    after NFC and whitespace folding. Without a URL, new episodes get their id
    from episode_identity (content, not title); this title id is only what
    stores made before that hold, and what episode_identity migrates.
    """
    url = (source_url or "").strip()
    if url:
        parts = urlsplit(url)
        return str(uuid.uuid5(uuid.NAMESPACE_URL, urlunsplit(parts._replace(fragment=""))))
    key = " ".join(unicodedata.normalize("NFC", title).split())
    return str(uuid.uuid5(ARTICLE_NAMESPACE, key))


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def article_hash(article: Article) -> str:
    """SHA-256 (hex) of what the article says: title, headings and paragraphs,
    each NFC with whitespace folded, one a line.

    The text, not the file's bytes: the same article saved as .txt or .md, with
    other line endings or spacing, is the same article; any change of a word
    makes another one.
    """
    lines = [_folded(article.title)]
    for section in article.sections:
        if section.heading is not None:
            lines.append("# " + _folded(section.heading))
        lines.extend(_folded(p) for p in section.paragraphs)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def episode_identity(article: Article, stored: Sequence[Episode]) -> tuple[str, str]:
    """The episode's guid and the article's content hash (article_hash).

    Identity comes from the source, never from the title alone, so a different
    article with the same title («نشرة الأخبار») is a new episode:
    - the article's URL (front matter url, canonical link) when known: edits keep one episode;
    - else its content: uuid5 of article_hash. The same text rebuilt keeps its
      guid; an edited text is a new episode (give it a url to keep one).
    Migration: a store made before this keys URL-less episodes by title and keeps
    no hash. The first rebuild of such a title adopts that episode's guid (as the
    old version would have) and records the hash, so from then on it is matched
    by content and another article with that title becomes a new episode.
    """
    digest = article_hash(article)
    if (article.url or "").strip():
        return episode_guid(article.title, article.url), digest
    for episode in stored:
        if episode.source_hash == digest and not episode.source_url:
            return episode.guid, digest
    legacy = episode_guid(article.title, None)
    for episode in stored:
        if episode.guid == legacy and episode.source_hash is None and not episode.source_url:
            return legacy, digest
    return str(uuid.uuid5(CONTENT_NAMESPACE, digest)), digest


def audio_version(path: Path) -> str:
    """The MP3's version token: the first VERSION_LEN hex digits of its SHA-256.

    The enclosure URL carries it (?v=…): rebuilding an episode keeps its guid and
    file name but changes its bytes, and apps that cache by URL fetch it again.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:VERSION_LEN]


def _slug_char(ch: str) -> str:
    """What a character becomes in a slug: itself, an ASCII stand-in, or '-'."""
    if ch.isascii():
        return ch.lower() if ch.isalnum() else "-"
    if ch in EASTERN_DIGITS:  # Arabic-Indic digits
        return str(unicodedata.digit(ch))
    if unicodedata.category(ch).startswith("L") and "ARABIC" in unicodedata.name(ch, ""):
        return ch
    folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()  # é -> e
    return folded.lower() if folded.isalnum() else "-"


def _fit(slug: str, max_len: int, max_bytes: int) -> str:
    cut = slug[: max(0, max_len)]
    while len(cut.encode("utf-8")) > max_bytes:
        cut = cut[:-1]
    if len(cut) < len(slug) and "-" in cut[len(cut) // 2 :]:
        cut = cut[: cut.rindex("-")]  # end on a word boundary when one is near
    return cut.strip("-")


def slugify(title: str, max_len: int = 60, *, guid: str | None = None) -> str:
    """A safe file name stem for an episode.

    Keeps Arabic letters (diacritics and tatweel dropped, presentation forms
    unfolded), ASCII letters and digits (Arabic-Indic digits become ASCII,
    accented Latin letters lose their accents); any other run becomes one '-'.
    No separators, no dots, at most `max_len` characters and 120 UTF-8 bytes,
    never empty ("episode").

    With `guid`, a short hash of it is appended ("-1a2b3c4d", within the same
    bounds): two articles whose titles slug alike (they differ only in
    diacritics or punctuation, or share a long prefix) then still get separate
    files, while a rebuilt article (same guid) keeps its file name.
    """
    if max_len < 1:
        raise ValueError("max_len must be positive")
    text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", title))
    slug = re.sub("-{2,}", "-", "".join(_slug_char(ch) for ch in text)).strip("-")
    suffix = ""
    if guid is not None:
        suffix = "-" + hashlib.sha1(guid.encode("utf-8")).hexdigest()[:_SUFFIX_LEN]
        suffix = suffix[: max(0, max_len - 1)]
    slug = _fit(slug, max_len - len(suffix), _SLUG_MAX_BYTES - len(suffix)) or "episode"
    if slug in _WINDOWS_RESERVED:
        slug = f"{slug}-episode"
    return _fit(slug + suffix, max_len, _SLUG_MAX_BYTES) or "episode"


# --- files ------------------------------------------------------------------


def temp_path_for(path: Path) -> Path:
    """A hidden temporary name beside `path` (same folder, so a rename is atomic).

    The pipeline writes the MP3 there, tags it, then calls commit_file.
    """
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def ensure_folder(folder: Path) -> Path:
    """Create `folder` (and parents) if needed. Raises PublishError naming it."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise PublishError("is a file, not a folder", folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot create the folder: {exc.strerror or exc}", folder) from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PublishError("the folder is not writable", folder)
    return folder


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not every file system syncs folders
    finally:
        os.close(fd)


def discard(temp: Path) -> None:
    """Delete a temporary file on the way out of a failure; never raises, so the
    failure stays the error reported (what is left, the next command removes)."""
    try:
        Path(temp).unlink(missing_ok=True)
    except OSError:
        pass


def commit_file(temp: Path, path: Path) -> None:
    """fsync `temp` and rename it over `path`. Raises PublishError naming the folder."""
    temp, path = Path(temp), Path(path)
    try:
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except OSError as exc:
        discard(temp)
        raise PublishError(f"cannot write {path.name}: {exc.strerror or exc}", path.parent) from exc
    _fsync_folder(path.parent)


@contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock (a hidden .lock file) while the block runs.

    Builds and `feed` read the store, add to it and rewrite the feed: two at once
    would lose one's episode. Where fcntl is missing (Windows) nothing is locked.
    Raises PublishError if the folder cannot be written.
    """
    ensure_folder(out_dir)
    path = Path(out_dir) / LOCK_NAME
    try:
        handle = open(path, "a+b")
    except OSError as exc:
        raise PublishError(f"cannot open the folder's lock: {exc.strerror or exc}", path) from exc
    with handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write `data` (str as UTF-8) to `path`: temp file, fsync, rename.

    Creates the folder if needed. Raises PublishError naming the folder.
    """
    path = Path(path)
    ensure_folder(path.parent)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temp = temp_path_for(path)
    try:
        with open(temp, "wb") as fh:
            fh.write(payload)
    except OSError as exc:
        discard(temp)
        raise PublishError(f"cannot write {path.name}: {exc.strerror or exc}", path.parent) from exc
    crash_point(f"staged {path.name}")
    commit_file(temp, path)


# --- one publish, all or nothing ---------------------------------------------

JOURNAL_NAME: Final = ".publish-journal"
"""The open publish's undo record; hidden, so serve never shows it."""
CRASH_ENV: Final = "AUDIO_NEWS_CRASH_AT"
"""Tests only: the number of the crash point at which the process kills itself (SIGKILL)."""
CRASH_LOG_ENV: Final = "AUDIO_NEWS_CRASH_LOG"
"""Tests only: a file that gets the name of every crash point passed, one a line."""
_HIDDEN_TEMP: Final = re.compile(r"\..+\.(\d+)\.(?:tmp|bak)")
_crash_points_passed = 0

Writer = Callable[[Path, bytes | str], None]
"""Writes a whole file (atomic_write, or a Publication's write)."""
Remover = Callable[[Path], None]
"""Removes a file (os.unlink, or a Publication's remove)."""


def crash_point(step: str) -> None:
    """A named point where a test may kill the process, to prove a crash there loses nothing.

    Does nothing unless AUDIO_NEWS_CRASH_AT or AUDIO_NEWS_CRASH_LOG is set: then
    the points are counted in this process, the N-th one sends SIGKILL to itself
    (no clean-up runs, as with kill -9), and each one's name is logged first.
    """
    global _crash_points_passed
    at, log = os.environ.get(CRASH_ENV), os.environ.get(CRASH_LOG_ENV)
    if not at and not log:
        return
    _crash_points_passed += 1
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{_crash_points_passed} {step}\n")
    if at and at.isdigit() and int(at) == _crash_points_passed:
        os.kill(os.getpid(), signal.SIGKILL)


def _backup_path_for(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.bak")


def _link_or_copy(path: Path, backup: Path) -> None:
    """`backup` becomes a second name for `path`'s current bytes (a hard link:
    no copy, and unaffected by the rename that replaces `path`)."""
    backup.unlink(missing_ok=True)
    try:
        os.link(path, backup)
    except OSError:  # a file system without hard links
        temp = temp_path_for(backup)
        shutil.copyfile(path, temp)
        commit_file(temp, backup)


def _inside(out_dir: Path, name: str) -> Path | None:
    """out_dir/name if `name` is a plain relative path inside it, else None."""
    rel = Path(name)
    if rel.is_absolute() or not rel.parts or ".." in rel.parts:
        return None
    return out_dir / rel


class Publication:
    """One publish: every file it writes or removes in the output folder, all or nothing.

    Why an undo journal: the feed and pages are rendered from files already in
    place (the MP3's size, the .vtt), so the new files go in one by one; what
    makes them one step is .publish-journal, appended and fsynced *before* each
    change. Before a file is replaced, its old bytes get a second name (a hard
    link, .<name>.<pid>.bak); a removal is only noted and done after commit.
    Commit is one fsynced "commit" line; then the removals are done, the
    backups deleted and the journal removed. A crash before that line is undone
    by the next command (`recover`: backups renamed back, new files deleted); a
    crash after it is finished (the removals). Use under folder_lock, which
    also keeps recovery from running while a live process publishes.

    Readers of the folder during the few renames see no dangling link as long
    as files are written in the order the pipeline uses: episode files, store,
    feed, episode page, index; removals only after all of them.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.journal = self.out_dir / JOURNAL_NAME
        self._kept: dict[Path, Path | None] = {}
        self._removals: list[Path] = []
        self._fd: int | None = None

    def __enter__(self) -> Publication:
        ensure_folder(self.out_dir)
        try:
            self._fd = os.open(self.journal, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError as exc:
            raise PublishError(f"cannot start the publish journal: {exc.strerror or exc}", self.journal) from exc
        _fsync_folder(self.out_dir)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()

    def _log(self, record: dict[str, str | None]) -> None:
        if self._fd is None:
            raise PublishError("the publish is not open", self.journal)
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            os.write(self._fd, line)
            os.fsync(self._fd)
        except OSError as exc:
            raise PublishError(f"cannot write the publish journal: {exc.strerror or exc}", self.journal) from exc

    def _rel(self, path: Path) -> str:
        return Path(path).relative_to(self.out_dir).as_posix()

    def _keep(self, path: Path) -> None:
        """Journal `path` and give its old bytes a second name, once per publish."""
        path = Path(path)
        if path in self._kept:
            return
        backup = _backup_path_for(path) if path.exists() else None
        self._log({"path": self._rel(path), "backup": self._rel(backup) if backup else None})
        crash_point(f"journaled {path.name}")
        self._kept[path] = backup
        if backup is not None:
            try:
                _link_or_copy(path, backup)
            except OSError as exc:
                raise PublishError(f"cannot keep the old file: {exc.strerror or exc}", path) from exc

    def write(self, path: Path, data: bytes | str) -> None:
        """atomic_write, undone if the publish fails."""
        self._keep(path)
        atomic_write(path, data)
        crash_point(f"wrote {Path(path).name}")

    def place(self, temp: Path, path: Path) -> None:
        """commit_file of a finished temp file (the MP3), undone if the publish fails."""
        self._keep(path)
        commit_file(temp, path)
        crash_point(f"placed {Path(path).name}")

    def remove(self, path: Path) -> None:
        """Remove `path` once the publish has committed."""
        self._log({"remove": self._rel(path)})
        self._removals.append(Path(path))

    def commit(self) -> None:
        """The one step that publishes; then the removals and the clean-up."""
        self._log({"commit": "yes"})
        crash_point("committed")
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        _finish(self.out_dir, self._removals, [b for b in self._kept.values() if b is not None], self.journal)

    def rollback(self) -> None:
        """Put every file back as it was; what cannot be undone now stays in the
        journal for the next command. Never raises: the error that caused the
        rollback is the one to report."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        try:
            _undo(self.out_dir, list(self._kept.items()), self.journal)
        except OSError:
            pass


def _finish(out_dir: Path, removals: Sequence[Path], backups: Sequence[Path], journal: Path) -> None:
    for path in removals:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise PublishError(f"published, but cannot remove the old file: {exc.strerror or exc}", path) from exc
        crash_point(f"removed {path.name}")
    for backup in backups:
        backup.unlink(missing_ok=True)
    for folder in {p.parent for p in (*removals, *backups)}:
        _fsync_folder(folder)
    journal.unlink(missing_ok=True)
    _fsync_folder(out_dir)


def _undo(out_dir: Path, kept: Sequence[tuple[Path, Path | None]], journal: Path) -> None:
    """Newest first: a backup renamed back over its file, a file that was new deleted.
    A backup that is missing was never made, so its file was never touched."""
    for path, backup in reversed(kept):
        if backup is None:
            path.unlink(missing_ok=True)
        elif backup.exists():
            if path.exists() and os.path.samefile(backup, path):
                backup.unlink()  # never replaced: renaming a link over itself would keep both names
            else:
                os.replace(backup, path)
        crash_point(f"undid {path.name}")
    for folder in {p.parent for p, _ in kept}:
        _fsync_folder(folder)
    journal.unlink(missing_ok=True)
    _fsync_folder(out_dir)


@dataclass(frozen=True)
class Recovery:
    """What `recover` found left by a process that died, and did about it."""

    rolled_back: bool = False
    """A publish that had not committed was undone."""
    undone: int = 0
    """Files it had changed, put back as they were."""
    rolled_forward: bool = False
    """A publish that had committed was finished (its old files removed)."""
    temps: int = 0
    """Hidden temporary files of dead processes deleted."""

    def __bool__(self) -> bool:
        return self.rolled_back or self.rolled_forward or self.temps > 0

    def describe(self) -> str:
        """One line for the user."""
        parts = []
        if self.rolled_back:
            parts.append(f"undid an unfinished publish ({self.undone} file{'s' if self.undone != 1 else ''} put back)")
        if self.rolled_forward:
            parts.append("finished a publish that had committed")
        if self.temps:
            parts.append(f"removed {self.temps} temporary file{'s' if self.temps != 1 else ''} of a killed build")
        return "; ".join(parts)


def pid_alive(pid: int) -> bool:
    """Whether process `pid` still runs (this one, or anyone's we may not signal: yes)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


def _read_journal(journal: Path) -> list[dict[str, str | None]]:
    """The journal's complete records (a torn last line was never acted on)."""
    try:
        data = journal.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise PublishError(f"cannot read the publish journal: {exc.strerror or exc}", journal) from exc
    records = []
    for line in data.split(b"\n")[:-1] if data else []:
        try:
            record = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            break
        if isinstance(record, dict):
            records.append(record)
    return records


def recover(out_dir: Path) -> Recovery:
    """Finish or undo what a killed process left in `out_dir`; hold folder_lock.

    A journal with a commit line is rolled forward (its removals done), one
    without is rolled back; then hidden temporary files (.<name>.<pid>.tmp or
    .bak) whose process is gone are deleted. Raises PublishError if the folder
    cannot be changed (the journal then stays for the next try).
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return Recovery()
    journal = out_dir / JOURNAL_NAME
    result = Recovery()
    if journal.exists():
        records = _read_journal(journal)
        kept: list[tuple[Path, Path | None]] = []
        removals: list[Path] = []
        committed = False
        for record in records:
            target = _inside(out_dir, str(record.get("path") or record.get("remove") or ""))
            if target is None:
                committed = committed or record.get("commit") == "yes"
                continue
            if "remove" in record:
                removals.append(target)
            else:
                backup = _inside(out_dir, str(record["backup"])) if record.get("backup") else None
                kept.append((target, backup))
        try:
            if committed:
                _finish(out_dir, removals, [b for _, b in kept if b is not None], journal)
                result = Recovery(rolled_forward=True)
            else:
                undone = sum(1 for p, b in kept if b is None and p.exists() or b is not None and b.exists())
                _undo(out_dir, kept, journal)
                result = Recovery(undone=undone, rolled_back=True)
        except OSError as exc:
            raise PublishError(f"cannot recover an unfinished publish: {exc.strerror or exc}", journal) from exc
    temps = 0
    for folder in (out_dir, out_dir / EPISODES_DIR, out_dir / "player"):
        for path in folder.iterdir() if folder.is_dir() else ():
            match = _HIDDEN_TEMP.fullmatch(path.name)
            if match and not pid_alive(int(match.group(1))) and not path.is_dir():
                try:
                    path.unlink()
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    raise PublishError(f"cannot remove a killed build's file: {exc.strerror or exc}", path) from exc
                temps += 1
    return replace(result, temps=temps)


# --- transcripts and chapters -----------------------------------------------


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _one_line(text: str) -> str:
    return " ".join(_XML_BAD.sub("", _nfc(text)).split())


def _vtt_time(ms: int) -> str:
    ms = max(0, int(ms))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def render_vtt(cues: Sequence[Cue]) -> str:
    """WebVTT: one cue per sentence at its real offsets (end forced after start)."""
    lines = ["WEBVTT", ""]
    for cue in cues:
        text = _one_line(cue.text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if not text:
            continue
        end = max(cue.end_ms, cue.start_ms + 1)
        lines += [f"{_vtt_time(cue.start_ms)} --> {_vtt_time(end)}", text, ""]
    return "\n".join(lines)


def _shown_times(cue: Cue, words: Sequence[str]) -> list[float]:
    """When each of the cue's shown `words` starts, in ms.

    Taken from cue.words (the engine's word events) where a shown word has one,
    in order; the rest, and all words of an engine without word events (coqui,
    tone), are spread over the time between their known neighbours by their
    letters, the sentence's start and end being the outer neighbours.
    """
    known: list[float | None] = [None] * len(words)
    timed = [w for w in cue.words if w.text.strip()]
    j = 0
    for i, word in enumerate(words):
        for k in range(j, len(timed)):
            if _one_line(timed[k].text) == word:
                known[i], j = float(timed[k].start_ms), k + 1
                break
    known[0] = cue.start_ms if known[0] is None else known[0]
    times: list[float] = []
    i = 0
    while i < len(words):
        value = known[i]
        if value is not None:
            times.append(min(max(value, times[-1] if times else cue.start_ms), cue.end_ms))
            i += 1
            continue
        k = i
        while k < len(words) and known[k] is None:
            k += 1
        left, right = times[-1], known[k] if k < len(words) else cue.end_ms
        right = max(left, min(float(right or left), cue.end_ms))
        # letters from the start of word i-1 to word k, shared out by letter count
        span = [len(words[n]) for n in range(i - 1, k)]
        total, before = sum(span) or 1, span[0]
        for n in range(i, k):
            times.append(left + (right - left) * before / total)
            before += len(words[n])
        i = k
    return times


def caption_cues(cue: Cue) -> list[Cue]:
    """One sentence cut into captions: at most CAPTION_LINES lines of CAPTION_LINE_CHARS
    characters and CAPTION_MAX_MS on screen each, cut between words only.

    Each caption runs from its first word's start to the next caption's first
    word (the last to the sentence's end), so the captions tile the sentence.
    A word longer than a line gets a line of its own; a single word that is
    spoken for longer than CAPTION_MAX_MS is shown for CAPTION_MAX_MS.
    """
    words = _one_line(cue.text).split()
    if not words:
        return []
    times = _shown_times(cue, words)
    end_of = [*times[1:], float(max(cue.end_ms, cue.start_ms))]
    groups: list[list[list[int]]] = [[[]]]  # captions → lines → word indexes
    for i, word in enumerate(words):
        caption, line = groups[-1], groups[-1][-1]
        first = caption[0][0] if caption[0] else i
        too_long = caption[0] and end_of[i] - times[first] > CAPTION_MAX_MS
        if line and not too_long and len(" ".join(words[n] for n in [*line, i])) <= CAPTION_LINE_CHARS:
            line.append(i)
        elif line and not too_long and len(caption) < CAPTION_LINES:
            caption.append([i])
        elif not line:
            line.append(i)
        elif (
            _is_number(words[line[-1]])
            and (len(line) > 1 or len(caption) > 1)
            and len(words[line[-1]]) + 1 + len(word) <= CAPTION_LINE_CHARS
        ):
            groups.append([[line.pop(), i]])  # a number stays with the word after it (its unit, its noun)
            if not line:
                caption.pop()
        else:
            groups.append([[i]])
    groups = [_balanced(caption, words) for caption in groups]
    captions = []
    for n, caption in enumerate(groups):
        start = times[caption[0][0]]
        end = times[groups[n + 1][0][0]] if n + 1 < len(groups) else float(max(cue.end_ms, cue.start_ms))
        end = min(max(end, start + 1), start + CAPTION_MAX_MS)
        text = "\n".join(" ".join(words[i] for i in line) for line in caption)
        captions.append(
            Cue(round(start), round(end), text, tuple(Word(times[i], words[i]) for row in caption for i in row))
        )
    return captions


def _balanced(caption: list[list[int]], words: Sequence[str]) -> list[list[int]]:
    """A two-line caption's words re-cut where its longer line is shortest (easier to read
    than a full first line over a short second), never after a figure where it can be
    helped; a cut after a comma wins a tie."""
    if len(caption) != 2:
        return caption
    indexes = [*caption[0], *caption[1]]
    best: tuple[int, int, int, int] | None = None
    for cut in range(1, len(indexes)):
        top = len(" ".join(words[i] for i in indexes[:cut]))
        bottom = len(" ".join(words[i] for i in indexes[cut:]))
        if max(top, bottom) > CAPTION_LINE_CHARS:
            continue
        before = words[indexes[cut - 1]]
        key = (
            int(_is_number(before)),
            max(top, bottom),
            0 if before.endswith(("،", ",", "؛", ";", ":")) else 1,
            cut,
        )
        if best is None or key[:3] < best[:3]:
            best = key
    if best is None:
        return caption
    return [indexes[: best[3]], indexes[best[3] :]]


def _is_number(word: str) -> bool:
    """A figure (25, ٢٥, 68%): read with the word after it, so never left at a line's end."""
    return any(ch.isdigit() for ch in word) and not any(ch.isalpha() for ch in word)


def render_captions(cues: Sequence[Cue]) -> str:
    """WebVTT at caption length: every sentence cut by caption_cues, lines kept."""
    lines = ["WEBVTT", ""]
    for caption in (c for cue in cues for c in caption_cues(cue)):
        text = caption.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        end = max(caption.end_ms, caption.start_ms + 1)
        lines += [f"{_vtt_time(caption.start_ms)} --> {_vtt_time(end)}", text, ""]
    return "\n".join(lines)


def _group_by_chapter(cues: Sequence[Cue], chapters: Sequence[Chapter]) -> list[tuple[Chapter | None, list[Cue]]]:
    if not chapters:
        return [(None, list(cues))]
    ordered = sorted(chapters, key=lambda c: c.start_ms)
    groups: list[tuple[Chapter | None, list[Cue]]] = [(c, []) for c in ordered]
    for cue in cues:
        index = 0
        for i, ch in enumerate(ordered):
            if cue.start_ms >= ch.start_ms:
                index = i
        groups[index][1].append(cue)
    return groups


def _letters(text: str) -> str:
    """Letters and digits only: compares a heading with its spoken, cleaned line."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text) if ch.isalnum())


def _drop_spoken_title(title: str, lines: list[str]) -> list[str]:
    """`lines` without the leading lines that read the title (it may span several)."""
    want, have = _letters(title), ""
    for count, line in enumerate(lines, start=1):
        have += _letters(line)
        if have == want:
            return lines[count:]
        if not want.startswith(have):
            break
    return lines


def render_text(title: str, cues: Sequence[Cue], chapters: Sequence[Chapter]) -> str:
    """Plain transcript: the title, then each chapter's sentences (one a line),
    chapters apart by a blank line; a chapter whose heading is not spoken gets it.
    Headings are matched by their letters, so a cleaned spoken line (« » for
    quotes, no tatweel) still counts as the heading."""
    blocks = [_one_line(title)]
    for index, (chapter, group) in enumerate(_group_by_chapter(cues, chapters)):
        lines = [line for line in (_one_line(c.text) for c in group) if line]
        if index == 0:
            lines = _drop_spoken_title(title, lines)
        elif (
            chapter is not None and chapter.title and not _letters(" ".join(lines)).startswith(_letters(chapter.title))
        ):
            lines.insert(0, _one_line(chapter.title))
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def render_chapters_json(title: str, chapters: Sequence[Chapter]) -> str:
    """Podcasting 2.0 JSON chapters 1.2.0 (times in seconds)."""
    doc = {
        "version": CHAPTERS_VERSION,
        "title": _one_line(title),
        "chapters": [
            {
                "startTime": round(c.start_ms / 1000, 3),
                "endTime": round(c.end_ms / 1000, 3),
                "title": _one_line(c.title),
            }
            for c in sorted(chapters, key=lambda c: c.start_ms)
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def transcript_text(title: str, rendering: Rendering) -> str:
    """The plain transcript of an episode (the .txt sidecar, and the MP3's USLT frame)."""
    return render_text(title, rendering.cues, rendering.chapters)


def write_transcripts(
    out_dir: Path, slug: str, rendering: Rendering, title: str, write: Writer = atomic_write
) -> tuple[str, str, str]:
    """Write episodes/<slug>.vtt, .txt and .chapters.json under `out_dir`,
    from the cues and chapters stitch measured.

    Returns their names relative to `out_dir` (as Episode keeps them).
    Raises PublishError if the folder cannot be written.
    """
    names = (f"{EPISODES_DIR}/{slug}.vtt", f"{EPISODES_DIR}/{slug}.txt", f"{EPISODES_DIR}/{slug}.chapters.json")
    bodies = (
        render_vtt(rendering.cues),
        transcript_text(title, rendering),
        render_chapters_json(title, rendering.chapters),
    )
    for name, body in zip(names, bodies):
        write(Path(out_dir) / name, body)
    return names


def write_captions(out_dir: Path, slug: str, rendering: Rendering, write: Writer = atomic_write) -> str:
    """Write episodes/<slug>.captions.vtt (render_captions); return its name relative to `out_dir`.

    Raises PublishError if the folder cannot be written.
    """
    name = f"{EPISODES_DIR}/{slug}.captions.vtt"
    write(Path(out_dir) / name, render_captions(rendering.cues))
    return name


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG (IHDR) or baseline/progressive JPEG (SOFn), else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        return width, height
    if not data.startswith(b"\xff\xd8"):
        return None
    pos = 2
    while pos + 9 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker, length = data[pos + 1], int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = (
                int.from_bytes(data[pos + 5 : pos + 7], "big"),
                int.from_bytes(data[pos + 7 : pos + 9], "big"),
            )
            return width, height
        pos += 2 + length
    return None


def episode_artwork(out_dir: Path, slug: str, image: str | None, write: Writer = atomic_write) -> str:
    """Copy an article's lead image next to its MP3 as the episode's artwork; return its name or "".

    Taken only when `image` is a local file (a path or file: URL, nothing is
    downloaded) that is a square PNG or JPEG of at most COVER_MAX_BYTES: apps
    show item art square, and Apple takes only PNG/JPEG. Anything else (a web
    URL, a missing or unreadable file, another format, not square) is skipped
    quietly: the episode then shows the channel's cover.
    """
    if not image or _is_url(image):
        return ""
    path = Path(image.removeprefix("file://")).expanduser()
    try:
        data = read_bounded(path, COVER_MAX_BYTES, "episode image", PublishError)
    except PublishError:
        return ""
    mime, size = image_mime(data), _image_size(data)
    if mime is None or size is None or size[0] != size[1] or size[0] == 0:
        return ""
    name = f"{EPISODES_DIR}/{slug}.{'png' if mime == 'image/png' else 'jpg'}"
    write(Path(out_dir) / name, data)
    return name


# --- the episode store ------------------------------------------------------


class EpisodeStore:
    """out_dir/episodes.json: every published episode, newest first."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / STORE_NAME

    def load(self) -> tuple[Episode, ...]:
        """The stored episodes (none if the file is missing), every one checked.

        The store is not trusted: it is checked whole (types, finite numbers,
        slugs that are plain file names, files directly under episodes/) before
        any command writes anything from it. Raises PublishError naming the file
        if it cannot be read (not a regular file, over STORE_MAX_BYTES), parsed
        or checked.
        """
        try:
            os.stat(self.path)
        except FileNotFoundError:
            return ()
        except OSError:
            pass  # named by read_bounded: a symlink loop, a file where a folder should be, ...
        data = read_bounded(self.path, STORE_MAX_BYTES, "episode store", PublishError)
        try:
            items = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
            if not isinstance(items, list):
                raise TypeError("expected a list of episodes")
            return tuple(_checked_episode(item, number) for number, item in enumerate(items, 1))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise PublishError(f"the episode store is corrupt ({exc}); fix or delete it", self.path) from None

    def get(self, guid: str) -> Episode | None:
        """The stored episode with this guid, if any."""
        return next((e for e in self.load() if e.guid == guid), None)

    def save(self, episodes: Sequence[Episode], write: Writer = atomic_write) -> None:
        """Write the store atomically, newest first. Raises PublishError."""
        ordered = sorted(episodes, key=lambda e: e.pub_date, reverse=True)
        text = json.dumps([e.to_dict() for e in ordered], ensure_ascii=False, indent=2) + "\n"
        write(self.path, text)

    def put(self, episode: Episode, write: Writer = atomic_write) -> tuple[tuple[Episode, ...], Episode | None]:
        """Add `episode`, replacing the one with the same guid (never a duplicate), and save.

        Returns every episode, newest first, and the one replaced (None if new), whose
        files the caller removes with remove_episode_files once the feed is rewritten.
        Raises PublishError if the store cannot be read or written.
        """
        stored = self.load()
        replaced = next((e for e in stored if e.guid == episode.guid), None)
        others = [e for e in stored if e.guid != episode.guid]
        episodes = tuple(sorted([episode, *others], key=lambda e: e.pub_date, reverse=True))
        self.save(episodes, write)
        return episodes, replaced


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def is_plain_name(name: str) -> bool:
    """Whether `name` is one file name: no separator, not . or .., not hidden, no control characters."""
    return (
        bool(name)
        and name not in (".", "..")
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and _UNSAFE_NAME_RE.search(name) is None
        and len(name.encode("utf-8")) <= 255
    )


_UNSAFE_NAME_RE: Final = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Episode fields and the types a stored value may have (bool is not an int here).
_TEXT_FIELDS: Final = ("guid", "slug", "title", "description", "audio", "transcript_vtt", "transcript_txt")
_COUNT_FIELDS: Final = ("duration_ms", "size")
_LEVEL_FIELDS: Final = ("loudness_lufs", "true_peak_db")


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _checked_episode(item: object, number: int) -> Episode:
    """One store entry as an Episode; ValueError naming the entry and the field when a value is wrong."""

    def bad(key: str, why: str) -> ValueError:
        return ValueError(f"episode {number}: {key} {why}")

    if not isinstance(item, dict):
        raise ValueError(f"episode {number} is not an object")
    for key in _TEXT_FIELDS:
        if not isinstance(item.get(key), str):
            raise bad(key, "must be a string")
    for key in ("chapters_json", "voice"):
        if not isinstance(item.get(key, ""), str):
            raise bad(key, "must be a string")
    for key in _COUNT_FIELDS:
        if not _is_count(item.get(key)):
            raise bad(key, "must be a whole number ≥ 0")
    for key in _LEVEL_FIELDS:
        value = item.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
        ):
            raise bad(key, "must be a finite number or null")
    for key in ("pub_date", "article_date", "source_url"):
        if item.get(key) is not None and not isinstance(item.get(key), str):
            raise bad(key, "must be a string")
    if not isinstance(item.get("pub_date"), str):
        raise bad("pub_date", "must be a date and time")
    if not is_plain_name(item["slug"]):
        raise bad("slug", f"{item['slug']!r} is not a plain file name")
    for key in ("captions_vtt", "image"):
        if not isinstance(item.get(key, ""), str):
            raise bad(key, "must be a string")
    if not _is_count(item.get("number", 0)):
        raise bad("number", "must be a whole number ≥ 0")
    sections = item.get("sections", [])
    if not isinstance(sections, list) or not all(isinstance(s, str) and s for s in sections):
        raise bad("sections", "must be a list of file names")
    for key, value in [
        *((k, item.get(k) or "") for k in ("audio", "transcript_vtt", "transcript_txt", "chapters_json")),
        *((k, item.get(k) or "") for k in ("captions_vtt", "image")),
        *(("sections", s) for s in sections),
    ]:
        folder, _, name = value.partition("/")
        if value and (folder != EPISODES_DIR or not is_plain_name(name)):
            raise bad(key, f"{value!r} is not a file in {EPISODES_DIR}/")
    if not item["audio"]:
        raise bad("audio", "is empty")
    url = item.get("source_url")
    if url is not None and not _is_url(url):
        raise bad("source_url", "must be an http(s) URL")
    digest = item.get("source_hash")
    if digest is not None and not (isinstance(digest, str) and re.fullmatch("[0-9a-f]{64}", digest)):
        raise bad("source_hash", "must be a SHA-256 in hex or null")
    version = item.get("audio_version", "")
    if not (isinstance(version, str) and re.fullmatch("[0-9a-f]{0,64}", version)):
        raise bad("audio_version", "must be hex digits")
    chapters = item.get("chapters", [])
    if not isinstance(chapters, list):
        raise bad("chapters", "must be a list")
    for chapter in chapters:
        if not (
            isinstance(chapter, dict)
            and isinstance(chapter.get("element_id"), str)
            and isinstance(chapter.get("title"), str)
            and _is_count(chapter.get("start_ms"))
            and _is_count(chapter.get("end_ms"))
        ):
            raise bad("chapters", "must hold element_id, title, start_ms and end_ms")
    episode = Episode.from_dict(item)
    if episode.pub_date.tzinfo is None:  # stores written by hand: read as UTC, as the feed would
        episode = replace(episode, pub_date=episode.pub_date.replace(tzinfo=dt.UTC))
    return episode


def next_number(stored: Sequence[Episode]) -> int:
    """The number a new episode gets: one more than the highest in the store (a removed
    newest episode's number is given again; retention keeps the newest, so it rarely is)."""
    return max((e.number for e in stored), default=0) + 1


def episode_files(episode: Episode) -> tuple[str, ...]:
    """The files an episode owns, relative to the output folder."""
    names = (
        episode.audio,
        episode.transcript_vtt,
        episode.transcript_txt,
        episode.chapters_json,
        episode.captions_vtt,
        episode.image,
        *episode.sections,
    )
    return tuple(n for n in names if n)


def remove_episode_files(
    out_dir: Path, episode: Episode | None, keep: Episode | None = None, remove: Remover = os.unlink
) -> tuple[Path, ...]:
    """Delete the files of `episode` (a replaced one), except those `keep` still uses.

    Call after the new files, the store and the feed are in place. Only files
    directly under out_dir/episodes are touched; missing ones are skipped.
    `remove` is os.unlink, or a Publication's remove (done at its commit).
    Returns the paths removed. Raises PublishError if one cannot be removed.
    """
    if episode is None:
        return ()
    root = (Path(out_dir) / EPISODES_DIR).resolve()
    kept = set(episode_files(keep)) if keep is not None else set()
    removed = []
    for name in episode_files(episode):
        if name in kept:
            continue
        path = (Path(out_dir) / name).resolve()
        if path.parent != root:
            continue
        try:
            remove(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise PublishError(f"cannot remove the old file: {exc.strerror or exc}", path) from exc
        removed.append(path)
    return tuple(removed)


def find_episode(episodes: Sequence[Episode], key: str, store: Path) -> Episode:
    """The episode whose guid or slug is `key` (NFC, spaces around ignored): what
    `remove` names. Raises InputError naming `store` when none matches."""
    want = _nfc(key).strip()
    for episode in episodes:
        if want in (episode.guid, _nfc(episode.slug)):
            return episode
    raise InputError(f"no episode with the guid or slug {want!r} (see `audio-news list`)", store)


def expired(
    episodes: Sequence[Episode], keep_last: int, max_age_days: int, now: dt.datetime, keep: str | None = None
) -> tuple[Episode, ...]:
    """The episodes retention removes: beyond the newest `keep_last` (by pub_date) and
    published more than `max_age_days` days before `now` (0: no such limit).

    The episode whose guid is `keep` (the one just built) is never among them,
    even when its own date is old: a build never publishes nothing.
    """
    newest = sorted(episodes, key=lambda e: e.pub_date, reverse=True)
    gone: list[Episode] = []
    if keep_last > 0:
        kept = [e for e in newest if e.guid == keep]
        for episode in newest:
            if episode.guid == keep:
                continue
            if len(kept) < keep_last:
                kept.append(episode)
            else:
                gone.append(episode)
    if max_age_days > 0:
        cutoff = now - dt.timedelta(days=max_age_days)
        named = {e.guid for e in gone}
        gone += [e for e in newest if e.guid != keep and e.guid not in named and e.pub_date < cutoff]
    return tuple(sorted(gone, key=lambda e: e.pub_date, reverse=True))


# --- cover --------------------------------------------------------------------

_COVER_SUFFIXES: Final = frozenset((".png", ".jpg", ".jpeg"))


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def bundled_cover() -> bytes:
    """The PNG shipped with the package (1400x1400)."""
    return resources.files("audio_news").joinpath("data", "cover.png").read_bytes()


def cover_bytes(image: str) -> tuple[bytes, str]:
    """Cover bytes and MIME type for the ID3 APIC frame.

    Empty or a URL (nothing is downloaded): the bundled cover. Raises PublishError
    if a given file is missing or not PNG/JPEG.
    """
    if not image or _is_url(image):
        return bundled_cover(), "image/png"
    path = Path(image).expanduser()
    if path.suffix.lower() not in _COVER_SUFFIXES:
        raise PublishError("the cover image must be a .png or .jpg file", path)
    data = read_bounded(path, COVER_MAX_BYTES, "cover image", PublishError)
    mime = image_mime(data)  # what the bytes are, whatever the name says
    if mime is None:
        raise PublishError("the cover image is not a PNG or JPEG file", path)
    return data, mime


def ensure_cover(out_dir: Path, image: str, write: Writer = atomic_write) -> str:
    """Put the channel art into `out_dir`; return its name there (or the URL as is).

    Empty: the bundled cover as cover.png; a file path: copied as cover.<ext>.
    Raises PublishError if the file is missing or the folder cannot be written.
    """
    if _is_url(image):
        return image
    data, mime = cover_bytes(image)
    name = "cover.png" if mime == "image/png" else "cover.jpg"
    target = Path(out_dir) / name
    try:
        same = target.read_bytes() == data
    except OSError:
        same = False
    if not same:
        write(target, data)
    return name


# --- the feed -----------------------------------------------------------------


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: uuid5 of the feed URL without its scheme and trailing slashes."""
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


_LOCAL_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1"})


def local_only(base_url: str) -> bool:
    """Whether a feed at `base_url` is reachable only from this machine (a loopback
    host, as the default base_url is): apps elsewhere cannot subscribe to it."""
    try:
        host = (urlsplit(base_url.strip()).hostname or "").lower()
    except ValueError:
        return False
    return host in _LOCAL_HOSTS or host.startswith("127.")


def channel_guid(out_dir: Path, feed_url: str) -> str:
    """The podcast's podcast:guid, made once from the first real feed URL and kept in
    out_dir/.podcast-guid: the spec wants it to stay when the feed moves.

    A loopback feed URL (the default base_url) is the same on every install, so its
    guid is used but not kept: the first build with a real base_url makes the one
    that stays. A guid that an older version kept from the default URL is replaced
    the same way.
    """
    path = Path(out_dir) / GUID_NAME
    try:
        stored = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        stored = ""
    default = podcast_guid(urljoin(DEFAULT_BASE_URL, FEED_NAME))
    if re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", stored) and stored != default:
        return stored
    guid = podcast_guid(feed_url)
    if local_only(feed_url):
        return guid
    atomic_write(path, guid + "\n")
    return guid


_Element = Any
"""An lxml element, as feedgen hands them to extensions (neither has type hints)."""


class _ChannelExtension(BaseExtension):  # type: ignore[misc]  # feedgen is untyped
    """Channel elements feedgen cannot write: podcast:guid, podcast:locked,
    itunes:explicit true/false (feedgen only knows yes/no/clean), an
    itunes:image whose URL need not end in .png/.jpg, itunes:owner with a name
    and no e-mail (feedgen wants both) and podcast:license."""

    def __init__(self) -> None:
        self.guid = ""
        self.locked: bool | None = None
        self.owner = ""
        self.owner_name = ""
        self.explicit = False
        self.image = ""
        self.license = ""
        self.license_url = ""

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "itunes": ITUNES_NS, "psc": PSC_NS, "content": CONTENT_NS}

    def extend_rss(self, feed: _Element) -> _Element:
        channel = feed[0]
        if self.image:
            xml_elem(f"{{{ITUNES_NS}}}image", channel).attrib["href"] = self.image
        xml_elem(f"{{{ITUNES_NS}}}explicit", channel).text = "true" if self.explicit else "false"
        if self.owner_name:
            owner = xml_elem(f"{{{ITUNES_NS}}}owner", channel)
            xml_elem(f"{{{ITUNES_NS}}}name", owner).text = self.owner_name
            if self.owner:
                xml_elem(f"{{{ITUNES_NS}}}email", owner).text = self.owner
        if self.license:
            license_elem = xml_elem(f"{{{PODCAST_NS}}}license", channel)
            license_elem.text = self.license
            if self.license_url:
                license_elem.attrib["url"] = self.license_url
        if self.guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self.guid
        if self.locked is not None:
            locked = xml_elem(f"{{{PODCAST_NS}}}locked", channel)
            locked.text = "yes" if self.locked else "no"
            if self.owner:
                locked.attrib["owner"] = self.owner
        return feed

    def extend_atom(self, feed: _Element) -> _Element:
        return feed


def _npt(ms: int) -> str:
    """A Podlove chapter start: normal play time, HH:MM:SS.mmm."""
    seconds, millis = divmod(max(0, ms), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


class _ItemExtension(BaseEntryExtension):  # type: ignore[misc]  # feedgen is untyped
    """podcast:transcript (any number), podcast:chapters and psc:chapters on an item.

    Transcripts are written in the order given; _add_item puts the VTT last, since
    parsers that keep one podcast:transcript (feedparser) keep the last. Podlove
    chapters repeat the JSON chapters inline for clients that read only those.
    """

    def __init__(self) -> None:
        self.transcripts: list[dict[str, str]] = []
        self.chapters_url = ""
        self.psc_chapters: list[tuple[str, str]] = []
        self.image = ""

    def extend_rss(self, entry: _Element) -> _Element:
        if self.image:
            xml_elem(f"{{{ITUNES_NS}}}image", entry).attrib["href"] = self.image
        for attrs in self.transcripts:
            elem = xml_elem(f"{{{PODCAST_NS}}}transcript", entry)
            for key, value in attrs.items():
                elem.attrib[key] = value
        if self.chapters_url:
            elem = xml_elem(f"{{{PODCAST_NS}}}chapters", entry)
            elem.attrib["url"] = self.chapters_url
            elem.attrib["type"] = "application/json+chapters"
        if self.psc_chapters:
            chapters = xml_elem(f"{{{PSC_NS}}}chapters", entry)
            chapters.attrib["version"] = PSC_VERSION
            for start, title in self.psc_chapters:
                chapter = xml_elem(f"{{{PSC_NS}}}chapter", chapters)
                chapter.attrib["start"] = start
                chapter.attrib["title"] = title
        return entry

    def extend_atom(self, entry: _Element) -> _Element:
        return entry


def _url(base: str, name: str) -> str:
    """An absolute URL for a file under the output folder (or `name` if already a URL)."""
    if _is_url(name):
        return name
    return urljoin(base, quote(name, safe="/"))


def _clean(text: str) -> str:
    """Text fit for XML: NFC, no characters XML forbids, no C1 controls or bidi overrides."""
    return _UNSAFE_NAME_RE.sub("", _XML_BAD.sub("", _nfc(text))).strip()


def _feed_text(text: str) -> str:
    """Text for an element that feed readers render as HTML (item title and description).

    RSS 2.0 lets description (and, in most readers, title) carry entity-encoded
    HTML, so text is escaped as HTML before feedgen escapes it again as XML: an
    article that says `<img src=x onerror=…>` reaches the reader as those
    characters, not as a tag. A plain-text reader shows `&lt;` only for text
    that holds `<`, `>` or `&`, which Arabic news titles rarely do.
    """
    return html.escape(_clean(text), quote=False)


def _start(chapter: Chapter) -> int:
    return chapter.start_ms


def _clock(ms: int) -> str:
    """A chapter start as a listener reads it (m:ss or h:mm:ss), rounded down as players show time."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def show_notes(episode: Episode) -> str:
    """The item's HTML show notes (content:encoded): the lead, the chapters with their
    times, the source link, and the note that the voice is synthetic.

    Every piece of article text is HTML-escaped, so it stays text (a title holding
    `<b>` shows those characters); the XML escaping on top is lxml's.
    """

    def text(value: str) -> str:
        return html.escape(_clean(value), quote=True)

    parts = [f'<p dir="rtl">{text(episode.description) or text(episode.title)}</p>']
    chapters = sorted(episode.chapters, key=_start)
    if chapters:
        items = "".join(f"<li>{_clock(c.start_ms)} — {text(c.title) or text(c.element_id)}</li>" for c in chapters)
        parts.append(f'<p dir="rtl">الفصول:</p><ul dir="rtl">{items}</ul>')
    if episode.source_url and _is_url(episode.source_url):
        url = text(episode.source_url)
        parts.append(f'<p dir="rtl">المصدر: <a href="{url}">{url}</a></p>')
    parts.append(f'<p dir="rtl">{html.escape(SYNTHETIC_NOTE)}</p>')
    return "\n".join(parts)


def _page(episode: Episode) -> str:
    """The episode's player page (as player.page_name makes it: beside the MP3)."""
    folder = episode.audio.rpartition("/")[0] or EPISODES_DIR
    return f"{folder}/{episode.slug}.html"


def _add_item(fg: FeedGenerator, out_dir: Path, base: str, episode: Episode, podcast: PodcastSettings) -> None:
    item = fg.add_entry(order="append")
    item.title(_feed_text(episode.title) or episode.slug)
    item.description(_feed_text(episode.description) or _feed_text(episode.title) or episode.slug)
    item.content(show_notes(episode))  # content:encoded, its HTML escaped as XML text
    try:
        size = (out_dir / episode.audio).stat().st_size
    except OSError:
        size = episode.size
    audio_url = _url(base, episode.audio)
    if episode.audio_version and not _is_url(episode.audio):
        audio_url += "?v=" + quote(episode.audio_version, safe="")
    item.enclosure(audio_url, str(size), "audio/mpeg")
    item.guid(episode.guid, permalink=False)
    pub = episode.pub_date if episode.pub_date.tzinfo else episode.pub_date.replace(tzinfo=dt.UTC)
    item.pubDate(pub)
    if not _is_url(episode.audio):
        item.link(href=_url(base, _page(episode)))  # the player page; the source is in the show notes
    elif episode.source_url:
        item.link(href=episode.source_url)
    item.podcast.itunes_duration(str((max(0, episode.duration_ms) + 500) // 1000))
    item.podcast.itunes_episode_type("full")
    if podcast.episode_numbers and episode.number > 0:
        item.podcast.itunes_episode(episode.number)
    ext: _ItemExtension = item.podcastindex
    if episode.image:
        ext.image = _url(base, episode.image)
    # The sentence VTT is a transcript (no rel); the caption-length VTT is the closed
    # captions (rel="captions" in the Podcasting 2.0 spec: timed text fit for display).
    # The captions go last: a parser that keeps one podcast:transcript (feedparser) keeps the last.
    if episode.transcript_txt:
        ext.transcripts.append({"url": _url(base, episode.transcript_txt), "type": "text/plain", "language": "ar"})
    if episode.transcript_vtt:
        vtt = {"url": _url(base, episode.transcript_vtt), "type": "text/vtt", "language": "ar"}
        ext.transcripts.append(vtt if episode.captions_vtt else {**vtt, "rel": "captions"})
    if episode.captions_vtt:
        ext.transcripts.append(
            {"url": _url(base, episode.captions_vtt), "type": "text/vtt", "language": "ar", "rel": "captions"}
        )
    if episode.chapters_json:
        ext.chapters_url = _url(base, episode.chapters_json)
    ext.psc_chapters = [
        (_npt(c.start_ms), _clean(c.title) or f"{n}") for n, c in enumerate(sorted(episode.chapters, key=_start), 1)
    ]


def render_feed(out_dir: Path, podcast: PodcastSettings, episodes: Sequence[Episode], cover_name: str) -> bytes:
    """The feed document (UTF-8 XML bytes); write_feed writes it."""
    base = podcast.base_url.rstrip("/") + "/"
    feed_url = urljoin(base, FEED_NAME)
    link = podcast.link or base
    cover_url = _url(base, cover_name)
    title = _clean(podcast.title) or "audio-news"

    fg = FeedGenerator()
    fg.load_extension("podcast")  # itunes:*
    fg.register_extension("podcastindex", _ChannelExtension, _ItemExtension, atom=False)
    fg.title(title)
    fg.description(_clean(podcast.description) or title)
    fg.link(href=feed_url, rel="self", type="application/rss+xml")
    fg.link(href=link, rel="alternate")  # last: feedgen takes the RSS <link> from the last call
    fg.language("ar")
    fg.generator("audio-news")
    fg.image(url=cover_url, title=title, link=link)
    fg.podcast.itunes_author(_clean(podcast.author) or title)
    if _clean(podcast.copyright):
        fg.copyright(_clean(podcast.copyright))
    fg.podcast.itunes_category(podcast.category or "News")
    fg.podcast.itunes_type("episodic")
    channel: _ChannelExtension = fg.podcastindex
    channel.image = cover_url
    channel.explicit = False
    channel.guid = podcast.guid or channel_guid(Path(out_dir), feed_url)
    channel.locked = podcast.locked
    channel.owner = podcast.email
    channel.owner_name = _clean(podcast.author) or title  # itunes:owner always; its e-mail when set
    channel.license = _clean(podcast.license)
    channel.license_url = podcast.license_url if _clean(podcast.license) else ""

    for episode in sorted(episodes, key=lambda e: e.pub_date, reverse=True):
        _add_item(fg, Path(out_dir), base, episode, podcast)
    rss: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return rss


def write_feed(
    out_dir: Path,
    podcast: PodcastSettings,
    episodes: Sequence[Episode],
    cover_name: str,
    write: Writer = atomic_write,
) -> Path:
    """Write out_dir/feed.xml (atomically) for `episodes`; return its path.

    `cover_name` is what ensure_cover returned. Raises PublishError if the
    folder cannot be written or a value cannot go into the feed.
    """
    out_dir = Path(out_dir)
    try:
        data = render_feed(out_dir, podcast, episodes, cover_name)
    except ValueError as exc:  # feedgen's and lxml's complaint about a value
        raise PublishError(f"cannot build the feed: {exc}", out_dir / FEED_NAME) from exc
    path = out_dir / FEED_NAME
    write(path, data)
    return path
