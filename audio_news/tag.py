"""Stage: write the episode MP3's ID3 tags and chapters (the only mutagen user).

Sits after stitch (which wrote the MP3 to a temporary name and measured the
chapters) and before publish renames the file into place: `write_tags` edits
that temporary file in place.

Version: ID3v2.3, text in UTF-16 (with BOM).
    v2.4 would let us store UTF-8, but v2.3 is what every reader understands:
    Windows Explorer and Media Player, many car and hardware players, and a
    good share of podcast apps either ignore v2.4 or mis-read it (v2.4 frame
    sizes are syncsafe and some readers still parse them the v2.3 way). The
    chapter addendum (CHAP/CTOC) is defined for both versions, and the podcast
    tools whose chapters the apps are tested against (Auphonic, Forecast,
    Hindenburg, ...) write v2.3. UTF-16 is lossless for Arabic, so nothing is
    given up but a few bytes; mutagen writes v2.3 text frames as UTF-16 anyway.
    In v2.3 the date is TYER (year) + TDAT (DDMM); mutagen reads them back as
    TDRC.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDAT,
    TIT2,
    TLAN,
    TPE1,
    TPUB,
    TRCK,
    TYER,
    USLT,
    WOAS,
    CTOCFlags,
    Encoding,
    Frame,
    ID3NoHeaderError,
    PictureType,
)

from .errors import TagError
from .models import Chapter

ID3_VERSION: Final = 3
"""Minor ID3v2 version written (2.3); see the module docstring."""
TOC_ID: Final = "toc"
"""Element id of the one top-level, ordered table of contents."""
NO_OFFSET: Final = 0xFFFFFFFF
"""CHAP byte offsets: 'not given', so readers use the times."""
_UTF16: Final = Encoding.UTF16


@dataclass(frozen=True)
class EpisodeTags:
    """Everything written into an episode's ID3 tag."""

    title: str
    artist: str
    """The author (TPE1)."""
    publisher: str
    album: str
    """The podcast's title (TALB)."""
    date: str
    """ISO date, YYYY-MM-DD (or just YYYY)."""
    comment: str = ""
    """The article's lead (COMM)."""
    transcript: str = ""
    """The full text (USLT, language ara)."""
    cover: bytes = b""
    """Front cover image; empty = no APIC frame."""
    cover_mime: str = "image/png"
    chapters: tuple[Chapter, ...] = ()
    language: str = "ara"
    """ISO 639-2 code (TLAN, and the language of COMM/USLT)."""
    genre: str = "Podcast"
    source_url: str = ""
    """The article's web address (WOAS, "official audio source webpage"); empty = no frame.
    URL frames are Latin-1, so an Arabic path or host is written percent-encoded."""
    track: str = ""
    """"n/N" (TRCK): a section file's place among its episode's; empty = no frame."""


@dataclass(frozen=True)
class StoredTags(EpisodeTags):
    """What `read_tags` found in a file: the tags, plus how they were stored."""

    version: tuple[int, int, int] = (2, 3, 0)
    toc_flags: int = 0
    """CTOC flags (CTOCFlags.TOP_LEVEL | ORDERED when written by us)."""
    toc_children: tuple[str, ...] = ()


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _check_chapters(path: Path, chapters: tuple[Chapter, ...]) -> None:
    seen: set[str] = set()
    for ch in chapters:
        eid = ch.element_id
        if not eid or not eid.isascii() or not eid.isprintable() or eid == TOC_ID:
            raise TagError(f"chapter element id must be printable ASCII and not {TOC_ID!r}: {eid!r}", path)
        if eid in seen:
            raise TagError(f"duplicate chapter element id {eid!r}", path)
        seen.add(eid)
        if not 0 <= ch.start_ms <= ch.end_ms < NO_OFFSET:
            raise TagError(f"chapter {eid!r} has bad times {ch.start_ms}..{ch.end_ms} ms", path)


def _date_frames(path: Path, date: str) -> list[Frame]:
    """TYER (+ TDAT) for v2.3, from an ISO date."""
    if not date:
        return []
    try:
        if len(date) == 4:
            return [TYER(encoding=_UTF16, text=f"{int(date):04d}")]
        day = dt.date.fromisoformat(date[:10])
    except ValueError:
        raise TagError(f"date must be YYYY-MM-DD: {date!r}", path) from None
    return [TYER(encoding=_UTF16, text=f"{day.year:04d}"), TDAT(encoding=_UTF16, text=f"{day.day:02d}{day.month:02d}")]


def _latin1_url(url: str) -> str:
    """`url` with every non-ASCII character percent-encoded as UTF-8 (what URL frames can hold)."""
    return quote(unicodedata.normalize("NFC", url), safe="!#$%&'()*+,-./:;=?@[]_~")


def _build(path: Path, tags: EpisodeTags) -> ID3:
    lang = tags.language or "ara"
    id3 = ID3()
    for frame in (
        TIT2(encoding=_UTF16, text=_nfc(tags.title)),
        TPE1(encoding=_UTF16, text=_nfc(tags.artist)),
        TPUB(encoding=_UTF16, text=_nfc(tags.publisher)),
        TALB(encoding=_UTF16, text=_nfc(tags.album)),
        TLAN(encoding=_UTF16, text=lang),
        TCON(encoding=_UTF16, text=tags.genre),
        *_date_frames(path, tags.date),
    ):
        id3.add(frame)
    if tags.comment:
        id3.add(COMM(encoding=_UTF16, lang=lang, desc="", text=_nfc(tags.comment)))
    if tags.source_url:
        id3.add(WOAS(url=_latin1_url(tags.source_url)))
    if tags.track:
        id3.add(TRCK(encoding=Encoding.LATIN1, text=tags.track))
    if tags.transcript:
        id3.add(USLT(encoding=_UTF16, lang=lang, desc="", text=_nfc(tags.transcript)))
    if tags.cover:
        id3.add(
            APIC(
                encoding=Encoding.LATIN1,
                mime=tags.cover_mime,
                type=PictureType.COVER_FRONT,
                desc="cover",
                data=tags.cover,
            )
        )
    if tags.chapters:
        id3.add(
            CTOC(
                element_id=TOC_ID,
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=[c.element_id for c in tags.chapters],
                sub_frames=[TIT2(encoding=_UTF16, text=_nfc(tags.title))],
            )
        )
        for ch in tags.chapters:
            id3.add(
                CHAP(
                    element_id=ch.element_id,
                    start_time=ch.start_ms,
                    end_time=ch.end_ms,
                    start_offset=NO_OFFSET,
                    end_offset=NO_OFFSET,
                    sub_frames=[TIT2(encoding=_UTF16, text=_nfc(ch.title))],
                )
            )
    return id3


def write_tags(path: Path, tags: EpisodeTags) -> None:
    """Replace the ID3 tag of the MP3 at `path` (in place) with `tags`, as ID3v2.3.

    Any tag already there (ffmpeg's encoder note, an old ID3v1) is dropped.
    Raises TagError if the chapters are malformed or the file cannot be written.
    """
    path = Path(path)
    _check_chapters(path, tags.chapters)
    if not path.is_file():
        raise TagError("no such MP3 to tag", path)
    id3 = _build(path, tags)
    try:
        id3.save(path, v1=0, v2_version=ID3_VERSION)
        _order_chapter_frames(path)
    except (MutagenError, OSError) as exc:
        raise TagError(f"cannot write ID3 tags: {exc}", path) from exc


def _order_chapter_frames(path: Path) -> None:
    """Put the CHAP frames in time order inside the saved tag.

    mutagen sorts frames by size, and readers such as ffmpeg list chapters in
    frame order rather than by the CTOC. The frames swap places only, so the
    tag keeps its size and is rewritten in place (ID3v2.3: plain 32-bit frame
    sizes, no extended header from mutagen).
    """
    with open(path, "r+b") as fh:
        header = fh.read(10)
        if header[:3] != b"ID3" or header[3] != 3 or header[5] & 0x40:
            return
        size = (header[6] << 21) | (header[7] << 14) | (header[8] << 7) | header[9]  # syncsafe
        body = fh.read(size)
        frames, offset = [], 0
        while offset + 10 <= len(body) and body[offset] != 0:
            length = int.from_bytes(body[offset + 4 : offset + 8], "big")
            frames.append(body[offset : offset + 10 + length])
            offset += 10 + length
        slots = [i for i, frame in enumerate(frames) if frame[:4] == b"CHAP"]

        def start(frame: bytes) -> int:
            end = frame.index(b"\0", 10)
            return int.from_bytes(frame[end + 1 : end + 5], "big")

        ordered = sorted((frames[i] for i in slots), key=start)
        if [frames[i] for i in slots] == ordered:
            return
        for i, frame in zip(slots, ordered):
            frames[i] = frame
        fh.seek(10)
        fh.write(b"".join(frames))


def _text(id3: ID3, key: str) -> str:
    frame = id3.get(key)
    return str(frame.text[0]) if frame is not None and frame.text else ""


def _first(id3: ID3, prefix: str) -> Any:  # a mutagen frame: its fields are made at run time, untyped
    frames = id3.getall(prefix)
    return frames[0] if frames else None


def read_tags(path: Path) -> StoredTags:
    """Read back the tag `write_tags` writes (chapters in table-of-contents order).

    Raises TagError if the file is missing, unreadable or has no ID3v2 tag.
    """
    path = Path(path)
    try:
        id3 = ID3(path)  # translates v2.3 TYER/TDAT into TDRC on load
    except ID3NoHeaderError:
        raise TagError("the file has no ID3v2 tag", path) from None
    except (MutagenError, OSError) as exc:
        raise TagError(f"cannot read ID3 tags: {exc}", path) from exc

    chaps = {f.element_id: f for f in id3.getall("CHAP")}
    toc = next((f for f in id3.getall("CTOC") if f.flags & CTOCFlags.TOP_LEVEL), None)
    order = list(toc.child_element_ids) if toc else sorted(chaps, key=lambda e: chaps[e].start_time)
    chapters = tuple(
        Chapter(
            element_id=eid,
            title=_text(chaps[eid].sub_frames, "TIT2"),
            start_ms=chaps[eid].start_time,
            end_ms=chaps[eid].end_time,
        )
        for eid in order
        if eid in chaps
    )
    comm, uslt, apic = _first(id3, "COMM"), _first(id3, "USLT"), _first(id3, "APIC")
    woas = _first(id3, "WOAS")
    tdrc = id3.get("TDRC")
    return StoredTags(
        title=_text(id3, "TIT2"),
        artist=_text(id3, "TPE1"),
        publisher=_text(id3, "TPUB"),
        album=_text(id3, "TALB"),
        date=tdrc.text[0].text if tdrc is not None and tdrc.text else "",
        comment=str(comm.text[0]) if comm is not None and comm.text else "",
        transcript=uslt.text if uslt is not None else "",
        cover=apic.data if apic is not None else b"",
        cover_mime=apic.mime if apic is not None else "",
        chapters=chapters,
        language=_text(id3, "TLAN"),
        genre=_text(id3, "TCON"),
        source_url=str(woas.url) if woas is not None else "",
        track=_text(id3, "TRCK"),
        version=tuple(id3.version),
        toc_flags=int(toc.flags) if toc else 0,
        toc_children=tuple(toc.child_element_ids) if toc else (),
    )
