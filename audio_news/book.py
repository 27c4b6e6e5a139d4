"""Book stage: published episodes → a talking book for reading devices.

Blind and low-vision listeners move by heading and by sentence on DAISY
players and EPUB 3 reading apps. The episode store already knows every
chapter and, in each episode's WebVTT, every sentence at its real time, so a
book is a pure rearrangement: `make_book` turns episodes and their files
into a Book value (article → sections → sentences with clip times), and one
writer per format lays it out:

    write_daisy   DAISY 2.02: ncc.html, a SMIL per section, XHTML text, the MP3s
    write_epub3   EPUB 3 with Media Overlays: XHTML per article, a SMIL overlay
                  per document, nav, the MP3s (zip, mimetype first and stored)

The text is the transcript (what the reader sees); the audio is the
episodes' own MP3s, clipped sentence by sentence at the cue times. Both
writers build under a temporary name beside the target and rename it into
place, so a failed build leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import shutil
import unicodedata
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Final

from . import __version__
from .errors import InputError, PublishError
from .models import Chapter, Cue, Episode
from .player import parse_vtt
from .publish import commit_file, discard, temp_path_for

LANGUAGE: Final = "ar"
GENERATOR: Final = f"audio-news {__version__}"
ACTIVE_CLASS: Final = "-epub-media-overlay-active"
BOOK_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:audio-news:book")


class BookFormat(str, Enum):
    """The formats `audio-news book` writes."""

    DAISY = "daisy"
    EPUB3 = "epub3"


# --- the Book value -----------------------------------------------------------


@dataclass(frozen=True)
class BookSentence:
    """One transcript sentence and its clip in the article's MP3 (ms)."""

    ident: str
    """XML id of its text fragment, e.g. "a01s003" (unique in the book)."""
    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class BookSection:
    """A chapter of an episode: level 1 for the article's opening, level 2 for a section."""

    ident: str
    """e.g. "a01c00": names its SMIL file in DAISY and its heading's id."""
    level: int
    heading: str
    heading_sentences: tuple[BookSentence, ...]
    """The sentences that read the heading aloud (none when it was not spoken)."""
    paragraphs: tuple[tuple[BookSentence, ...], ...]
    """The body under the heading, paragraph by paragraph."""

    @property
    def sentences(self) -> tuple[BookSentence, ...]:
        return tuple(s for p in self.paragraphs for s in p)

    @property
    def title(self) -> str:
        """The heading as shown: as the transcript spells it where it was spoken."""
        return " ".join(s.text for s in self.heading_sentences) or self.heading

    @property
    def clips(self) -> tuple[BookSentence, ...]:
        return self.heading_sentences + self.sentences

    @property
    def duration_ms(self) -> int:
        """The time its clips play: what a reading system spends on this section."""
        return sum(s.end_ms - s.start_ms for s in self.clips)


@dataclass(frozen=True)
class BookArticle:
    """One episode in the book: its MP3, copied under `audio_name`, and its sections."""

    ident: str
    """e.g. "a01": names its text document and its MP3 inside the book."""
    title: str
    audio_source: Path
    audio_ms: int
    sections: tuple[BookSection, ...]

    @property
    def audio_name(self) -> str:
        return f"{self.ident}.mp3"

    @property
    def duration_ms(self) -> int:
        return sum(s.duration_ms for s in self.sections)


@dataclass(frozen=True)
class Book:
    """A whole book: a title, the day it was made, and its articles in reading order."""

    identifier: str
    title: str
    made: dt.datetime
    articles: tuple[BookArticle, ...]

    @property
    def duration_ms(self) -> int:
        return sum(a.duration_ms for a in self.articles)


# --- episodes → Book ------------------------------------------------------------


def select_episodes(
    stored: Sequence[Episode],
    wanted: Sequence[str],
    everything: bool,
    since: dt.date | None,
    store: Path | None = None,
) -> tuple[Episode, ...]:
    """The episodes a book is made of, in reading order.

    `wanted` names episodes by guid or slug (kept in the order given); `everything`
    takes the whole store and `since` those published on or after a day, oldest
    first (the order they were built in; `since` is a UTC day). Exactly one way
    must be used. `store` is the file they came from, for the error line.
    Raises InputError for no or several ways, an unknown name, or an empty choice.
    """
    ways = sum((bool(wanted), everything, since is not None))
    if ways != 1:
        raise InputError("name episodes (slug or guid), or give --all or --since DATE (exactly one of these)")
    if wanted:
        chosen: list[Episode] = []
        for name in wanted:
            match = next((e for e in stored if name in (e.guid, e.slug)), None)
            if match is None:
                raise InputError(f"no episode with this slug or guid in the store ({len(stored)} episodes)", name)
            if match not in chosen:
                chosen.append(match)
        return tuple(chosen)
    picked = [e for e in stored if since is None or e.pub_date.astimezone(dt.UTC).date() >= since]
    if not picked:
        raise InputError("no episodes in the store" + (f" published since {since}" if since else ""), store)
    # The store is newest first and times are to the second: reversed, a stable sort keeps ties in build order.
    return tuple(sorted(reversed(picked), key=lambda e: e.pub_date))


def _letters(text: str) -> str:
    """Letters and digits only: a heading matches its spoken, cleaned line."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text) if ch.isalnum())


def _heading_count(heading: str, cues: Sequence[Cue]) -> int:
    """How many leading cues read `heading` aloud (0 if it was not spoken)."""
    want, have = _letters(heading), ""
    if not want:
        return 0
    for count, cue in enumerate(cues, start=1):
        have += _letters(cue.text)
        if have == want:
            return count
        if not want.startswith(have):
            break
    return 0


def _by_chapter(cues: Sequence[Cue], chapters: Sequence[Chapter]) -> list[tuple[Chapter | None, list[Cue]]]:
    """The cues grouped under the chapter each starts in (chapters by start time)."""
    ordered = sorted(chapters, key=lambda c: c.start_ms)
    if not ordered:
        return [(None, list(cues))]
    groups: list[tuple[Chapter | None, list[Cue]]] = [(c, []) for c in ordered]
    index = 0
    for cue in sorted(cues, key=lambda c: c.start_ms):
        while index + 1 < len(ordered) and cue.start_ms >= ordered[index + 1].start_ms:
            index += 1
        groups[index][1].append(cue)
    return groups


def read_episode_cues(out_dir: Path, episode: Episode) -> list[Cue]:
    """The sentences of an episode from its WebVTT. Raises PublishError if it is missing or empty."""
    path = Path(out_dir) / episode.transcript_vtt
    if not episode.transcript_vtt:
        raise PublishError(f"episode {episode.slug} has no transcript to make a book from", out_dir)
    try:
        cues = parse_vtt(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PublishError(f"cannot read the episode's transcript ({exc.__class__.__name__})", path) from None
    if not cues:
        raise PublishError("the transcript has no cues", path)
    return cues


def _paragraphs(body: Sequence[BookSentence], sentence_gap: int) -> tuple[tuple[BookSentence, ...], ...]:
    """The body split into paragraphs where the pause is clearly longer than between sentences.

    The VTT keeps no paragraphs, but stitch pauses longer between paragraphs
    (550 ms by default) than between sentences (250 ms); the article's shortest
    pause is taken as the sentence pause, so a voice's own pause settings hold.
    """
    paragraphs: list[list[BookSentence]] = []
    for sentence in body:
        gap = sentence.start_ms - paragraphs[-1][-1].end_ms if paragraphs else 0
        if not paragraphs or (sentence_gap > 0 and gap > sentence_gap * 3 // 2):
            paragraphs.append([])
        paragraphs[-1].append(sentence)
    return tuple(tuple(p) for p in paragraphs)


def make_article(number: int, episode: Episode, cues: Sequence[Cue], audio: Path) -> BookArticle:
    """One episode as a book article: its chapters as sections, its cues as sentences.

    The first chapter (title and lead) is the article's level-1 heading; the
    others are level-2 sections. A clip past the MP3's end is cut to it.
    """
    ident = f"a{number:02d}"
    counter = 0

    def sentence(cue: Cue) -> BookSentence:
        nonlocal counter
        counter += 1
        end = min(max(cue.end_ms, cue.start_ms + 1), episode.duration_ms)
        return BookSentence(f"{ident}s{counter:03d}", unicodedata.normalize("NFC", cue.text), cue.start_ms, end)

    parts: list[tuple[str, list[BookSentence], list[BookSentence]]] = []
    for index, (chapter, group) in enumerate(_by_chapter(cues, episode.chapters)):
        heading = episode.title if index == 0 or chapter is None else chapter.title
        heading = " ".join(unicodedata.normalize("NFC", heading).split()) or episode.title
        spoken = _heading_count(heading, group)
        clips = [sentence(c) for c in group if c.start_ms < episode.duration_ms]
        parts.append((heading, clips[:spoken], clips[spoken:]))
    gaps = [b.start_ms - a.end_ms for _, _, body in parts for a, b in zip(body, body[1:])]
    sections = tuple(
        BookSection(
            f"{ident}c{index:02d}",
            1 if index == 0 else 2,
            heading,
            tuple(said),
            _paragraphs(body, min((g for g in gaps if g > 0), default=0)),
        )
        for index, (heading, said, body) in enumerate(parts)
    )
    return BookArticle(ident, unicodedata.normalize("NFC", episode.title), audio, episode.duration_ms, sections)


def make_book(out_dir: Path, episodes: Sequence[Episode], made: dt.datetime | None = None) -> Book:
    """The Book of these episodes, read from the podcast folder `out_dir`.

    Raises PublishError naming the file if an episode's MP3 or transcript is missing.
    """
    made = (made or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    articles = []
    for number, episode in enumerate(episodes, start=1):
        audio = Path(out_dir) / episode.audio
        if not audio.is_file():
            raise PublishError("the episode's MP3 is missing", audio)
        articles.append(make_article(number, episode, read_episode_cues(out_dir, episode), audio))
    if len(episodes) == 1:
        title = unicodedata.normalize("NFC", episodes[0].title)
    else:
        title = f"أخبار {made.date().isoformat()}"
    identifier = str(uuid.uuid5(BOOK_NAMESPACE, "\n".join(e.guid for e in episodes)))
    return Book(f"urn:uuid:{identifier}", title, made, tuple(articles))


# --- shared pieces ----------------------------------------------------------------


def _x(text: str) -> str:
    """Text for XML content or a quoted attribute."""
    return html.escape(text, quote=True)


def _clock(ms: int) -> str:
    """hh:mm:ss.sss (SMIL clock value, DAISY's ncc:totalTime and media:duration)."""
    hours, rest = divmod(max(0, ms), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}s"


def _body_html(article: BookArticle, section_href: str | None) -> str:
    """The article's text: a heading per section, a span per sentence (ids for the SMIL)."""
    lines: list[str] = []
    for section in article.sections:
        tag = f"h{section.level}"
        if section.heading_sentences:
            inner = " ".join(f'<span id="{s.ident}">{_x(s.text)}</span>' for s in section.heading_sentences)
        else:
            inner = _x(section.heading)
        if section_href is not None:  # DAISY: the heading links to its SMIL
            inner = f'<a href="{section_href.format(ident=section.ident)}">{inner}</a>'
        lines.append(f'<{tag} id="{section.ident}">{inner}</{tag}>')
        for paragraph in section.paragraphs:
            spans = " ".join(f'<span id="{s.ident}">{_x(s.text)}</span>' for s in paragraph)
            lines.append(f"<p>{spans}</p>")
    return "\n".join(lines)


def _replace(temp: Path, target: Path) -> None:
    """Put the finished `temp` (file or folder) at `target`, replacing what was there."""
    try:
        if target.is_dir() and not target.is_symlink():
            old = target.with_name(f".{target.name}.{os.getpid()}.old")
            os.replace(target, old)
            os.replace(temp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temp, target)
    except OSError as exc:
        raise PublishError(f"cannot put the book in place ({exc.strerror or exc})", target) from None


# --- DAISY 2.02 ---------------------------------------------------------------------

_DAISY_HTML_DOCTYPE: Final = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
_DAISY_SMIL_DOCTYPE: Final = (
    '<!DOCTYPE smil PUBLIC "-//W3C//DTD SMIL 1.0//EN" "http://www.w3.org/TR/REC-smil/SMIL10.dtd">'
)


def _daisy_smil(book: Book, article: BookArticle, section: BookSection, elapsed_ms: int) -> str:
    """A DAISY 2.02 SMIL file: one par per sentence (text fragment + audio clip)."""
    pars: list[str] = []
    if not section.clips:  # a section with nothing read still needs a par for the NCC to point at
        pars.append(
            f'<par endsync="last" id="{section.ident}p"><text src="{article.ident}.html#{section.ident}" id="{section.ident}t"/></par>'
        )
    for s in section.clips:
        pars.append(
            f'<par endsync="last" id="{s.ident}p"><text src="{article.ident}.html#{s.ident}" id="{s.ident}t"/>'
            f'<audio src="{article.audio_name}" clip-begin="npt={_seconds(s.start_ms)}" '
            f'clip-end="npt={_seconds(s.end_ms)}" id="{s.ident}a"/></par>'
        )
    return "\n".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>',
            _DAISY_SMIL_DOCTYPE,
            "<smil>",
            "<head>",
            '<meta name="dc:format" content="Daisy 2.02"/>',
            f'<meta name="dc:identifier" content="{_x(book.identifier)}"/>',
            f'<meta name="dc:title" content="{_x(section.title)}"/>',
            f'<meta name="ncc:generator" content="{_x(GENERATOR)}"/>',
            f'<meta name="ncc:totalElapsedTime" content="{_clock(elapsed_ms)}"/>',
            f'<meta name="ncc:timeInThisSmil" content="{_clock(section.duration_ms)}"/>',
            '<layout><region id="txtView"/></layout>',
            "</head>",
            "<body>",
            f'<seq dur="{_seconds(section.duration_ms)}">',
            *pars,
            "</seq>",
            "</body>",
            "</smil>",
            "",
        ]
    )


def _daisy_html(title: str, body: str) -> str:
    return "\n".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>',
            _DAISY_HTML_DOCTYPE,
            f'<html xmlns="http://www.w3.org/1999/xhtml" lang="{LANGUAGE}" xml:lang="{LANGUAGE}" dir="rtl">',
            "<head>",
            '<meta http-equiv="Content-type" content="text/html; charset=utf-8"/>',
            f"<title>{_x(title)}</title>",
            "</head>",
            "<body>",
            body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _ncc(book: Book, files: int, kbytes: int) -> str:
    """The navigation control centre: the heading tree, each heading linking to its SMIL."""
    headings: list[str] = []
    first = True
    for article in book.articles:
        for section in article.sections:
            target = section.clips[0].ident if section.clips else section.ident
            cls = ' class="title"' if first else ""
            first = False
            text = section.title
            headings.append(
                f'<h{section.level}{cls} id="n{section.ident}"><a href="{section.ident}.smil#{target}p">{_x(text)}</a>'
                f"</h{section.level}>"
            )
    meta = {
        "dc:title": book.title,
        "dc:creator": "audio-news",
        "dc:publisher": "audio-news",
        "dc:date": book.made.date().isoformat(),
        "dc:identifier": book.identifier,
        "dc:language": LANGUAGE,
        "dc:format": "Daisy 2.02",
        "ncc:charset": "utf-8",
        "ncc:generator": GENERATOR,
        "ncc:multimediaType": "audioFullText",
        "ncc:depth": str(max((s.level for a in book.articles for s in a.sections), default=1)),
        "ncc:tocItems": str(len(headings)),
        "ncc:files": str(files),
        "ncc:kByteSize": str(kbytes),
        "ncc:pageFront": "0",
        "ncc:pageNormal": "0",
        "ncc:pageSpecial": "0",
        "ncc:maxPageNormal": "0",
        "ncc:footnotes": "0",
        "ncc:sidebars": "0",
        "ncc:prodNotes": "0",
        "ncc:setInfo": "1 of 1",
        "ncc:totalTime": _clock(book.duration_ms),
    }
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        _DAISY_HTML_DOCTYPE,
        f'<html xmlns="http://www.w3.org/1999/xhtml" lang="{LANGUAGE}" xml:lang="{LANGUAGE}" dir="rtl">',
        "<head>",
        '<meta http-equiv="Content-type" content="text/html; charset=utf-8"/>',
        f"<title>{_x(book.title)}</title>",
        *(f'<meta name="{k}" content="{_x(v)}"/>' for k, v in meta.items()),
        "</head>",
        "<body>",
        *headings,
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines)


def daisy_files(book: Book) -> dict[str, str]:
    """Every text file of the DAISY 2.02 book by name (the MP3s are copied beside them)."""
    files: dict[str, str] = {}
    elapsed = 0
    for article in book.articles:
        files[f"{article.ident}.html"] = _daisy_html(article.title, _body_html(article, "{ident}.smil"))
        for section in article.sections:
            files[f"{section.ident}.smil"] = _daisy_smil(book, article, section, elapsed)
            elapsed += section.duration_ms
    return files


def write_daisy(book: Book, target: Path) -> Path:
    """Write the DAISY 2.02 book as the folder `target`.

    An earlier book there (a folder with an ncc.html) is replaced whole; any other
    folder with files in it is refused, never emptied. Raises PublishError.
    """
    target = Path(target)
    if target.exists() or target.is_symlink():
        if not target.is_dir() or target.is_symlink():
            raise PublishError("is not a folder; a DAISY book is written to a folder", target)
        if any(target.iterdir()) and not (target / "ncc.html").is_file():
            raise PublishError("the folder is not empty and holds no DAISY book (ncc.html) to replace", target)
    temp = temp_path_for(target)
    try:
        temp.mkdir(parents=False)
        files = daisy_files(book)
        size = 0
        for name, text in files.items():
            data = text.encode("utf-8")
            (temp / name).write_bytes(data)
            size += len(data)
        for article in book.articles:
            shutil.copyfile(article.audio_source, temp / article.audio_name)
            size += (temp / article.audio_name).stat().st_size
        ncc = _ncc(book, len(files) + len(book.articles) + 1, 0)
        size += len(ncc.encode("utf-8"))
        (temp / "ncc.html").write_text(_ncc(book, len(files) + len(book.articles) + 1, round(size / 1024)), "utf-8")
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise PublishError(f"cannot write the DAISY book ({exc.strerror or exc})", target) from None
    except BaseException:  # interrupted: take the half-made folder away too
        shutil.rmtree(temp, ignore_errors=True)
        raise
    try:
        _replace(temp, target)
    except PublishError:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return target


# --- EPUB 3 ------------------------------------------------------------------------

_CSS: Final = f"""body {{ line-height: 1.7; }}
h1, h2 {{ line-height: 1.4; }}
.{ACTIVE_CLASS} {{ background-color: #ffe98a; color: #000; }}
"""


def _epub_xhtml(title: str, body: str) -> str:
    return "\n".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>',
            "<!DOCTYPE html>",
            '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
            f'lang="{LANGUAGE}" xml:lang="{LANGUAGE}" dir="rtl">',
            "<head>",
            '<meta charset="utf-8"/>',
            f"<title>{_x(title)}</title>",
            '<link rel="stylesheet" type="text/css" href="book.css"/>',
            "</head>",
            "<body>",
            body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _epub_smil(article: BookArticle) -> str:
    """A Media Overlay (SMIL 3.0) for one article's document: a seq per section, a par per sentence."""
    seqs: list[str] = []
    for section in article.sections:
        if not section.clips:
            continue
        seqs.append(f'<seq id="{section.ident}q" epub:textref="{article.ident}.xhtml#{section.ident}">')
        seqs += [
            f'<par id="{s.ident}p"><text src="{article.ident}.xhtml#{s.ident}"/>'
            f'<audio src="{article.audio_name}" clipBegin="{_seconds(s.start_ms)}" clipEnd="{_seconds(s.end_ms)}"/>'
            "</par>"
            for s in section.clips
        ]
        seqs.append("</seq>")
    return "\n".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>',
            '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">',
            "<body>",
            *seqs,
            "</body>",
            "</smil>",
            "",
        ]
    )


def _nav(book: Book) -> str:
    """The navigation document: the same heading tree as the DAISY NCC (article → sections)."""
    items: list[str] = []
    for article in book.articles:
        top, *rest = article.sections
        entry = f'<li><a href="{article.ident}.xhtml#{top.ident}">{_x(top.title)}</a>'
        if rest:
            subs = "".join(f'<li><a href="{article.ident}.xhtml#{s.ident}">{_x(s.title)}</a></li>' for s in rest)
            entry += f"<ol>{subs}</ol>"
        items.append(entry + "</li>")
    body = "\n".join(
        [
            '<nav epub:type="toc" id="toc">',
            f"<h1>{_x(book.title)}</h1>",
            "<ol>",
            *items,
            "</ol>",
            "</nav>",
        ]
    )
    return _epub_xhtml(book.title, body)


def _opf(book: Book) -> str:
    modified = book.made.strftime("%Y-%m-%dT%H:%M:%SZ")
    meta = [
        f'<dc:identifier id="bookid">{_x(book.identifier)}</dc:identifier>',
        f"<dc:title>{_x(book.title)}</dc:title>",
        f"<dc:language>{LANGUAGE}</dc:language>",
        "<dc:creator>audio-news</dc:creator>",
        f"<dc:date>{book.made.date().isoformat()}</dc:date>",
        f'<meta property="dcterms:modified">{modified}</meta>',
        f'<meta property="media:duration">{_clock(book.duration_ms)}</meta>',
        *(
            f'<meta property="media:duration" refines="#{a.ident}o">{_clock(a.duration_ms)}</meta>'
            for a in book.articles
        ),
        f'<meta property="media:active-class">{ACTIVE_CLASS}</meta>',
    ]
    manifest = [
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
        '<item id="css" href="book.css" media-type="text/css"/>',
    ]
    spine = []
    for a in book.articles:
        manifest += [
            f'<item id="{a.ident}" href="{a.ident}.xhtml" media-type="application/xhtml+xml" media-overlay="{a.ident}o"/>',
            f'<item id="{a.ident}o" href="{a.ident}.smil" media-type="application/smil+xml"/>',
            f'<item id="{a.ident}m" href="{a.audio_name}" media-type="audio/mpeg"/>',
        ]
        spine.append(f'<itemref idref="{a.ident}"/>')
    return "\n".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>',
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="bookid" '
            f'xml:lang="{LANGUAGE}" dir="rtl">',
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">',
            *meta,
            "</metadata>",
            "<manifest>",
            *manifest,
            "</manifest>",
            '<spine page-progression-direction="rtl">',
            *spine,
            "</spine>",
            "</package>",
            "",
        ]
    )


_CONTAINER: Final = """<?xml version="1.0" encoding="utf-8"?>
<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">
<rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""


def epub_files(book: Book) -> dict[str, str]:
    """Every text file of the EPUB 3 under EPUB/ by name (the MP3s go beside them)."""
    files = {"package.opf": _opf(book), "nav.xhtml": _nav(book), "book.css": _CSS}
    for article in book.articles:
        files[f"{article.ident}.xhtml"] = _epub_xhtml(article.title, _body_html(article, None))
        files[f"{article.ident}.smil"] = _epub_smil(article)
    return files


def write_epub3(book: Book, target: Path) -> Path:
    """Write the EPUB 3 (with Media Overlays) to the file `target`.

    The mimetype entry comes first and is stored uncompressed, as OCF requires;
    the MP3s are stored too (they do not compress). Raises PublishError.
    """
    target = Path(target)
    if target.is_dir():
        raise PublishError("is a folder; an EPUB is written to a file (use a name ending in .epub)", target)
    temp = temp_path_for(target)
    try:
        with zipfile.ZipFile(temp, "w") as zf:
            zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
            zf.writestr("META-INF/container.xml", _CONTAINER, compress_type=zipfile.ZIP_DEFLATED)
            for name, text in epub_files(book).items():
                zf.writestr(f"EPUB/{name}", text, compress_type=zipfile.ZIP_DEFLATED)
            for article in book.articles:
                zf.write(article.audio_source, f"EPUB/{article.audio_name}", compress_type=zipfile.ZIP_STORED)
    except OSError as exc:
        discard(temp)
        raise PublishError(f"cannot write the EPUB ({exc.strerror or exc})", target) from None
    except BaseException:  # interrupted: take the half-made file away too
        discard(temp)
        raise
    try:
        commit_file(temp, target)
    except PublishError:
        discard(temp)
        raise
    return target


def write_book(book: Book, fmt: BookFormat, target: Path) -> Path:
    """Write `book` in `fmt` to `target`. Raises PublishError."""
    return write_daisy(book, target) if fmt is BookFormat.DAISY else write_epub3(book, target)
