"""Frozen values passed between the pipeline's stages.

One structure flows through the text stages and is filled in as it goes:
ingest makes an Article; normalize turns it into a Script (parts = chapters,
blocks, sentences with `text` for the transcript and `spoken` for the voice);
diacritize rewrites `spoken`; synthesize attaches a Clip to every sentence.
stitch turns the Script into an MP3 plus Chapters and Cues; publish keeps an
Episode per article in the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any

# --- ingest ---------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A run of paragraphs under one heading; the lead has heading None."""

    heading: str | None
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    """One news article as read from a file, before any rewriting for speech."""

    title: str
    sections: tuple[Section, ...]
    source: str = ""
    """The file it came from (for error messages and the episode guid)."""
    url: str | None = None
    date: dt.date | None = None
    author: str | None = None
    """The writer named in a web page's metadata (Open Graph, JSON-LD), when it names one."""
    image: str | None = None
    """The URL of a web page's lead image (og:image, JSON-LD image), when it has one."""
    published: dt.datetime | None = None
    """The moment a source feed says the article was published (orders the episodes of one day)."""

    @property
    def lead(self) -> str:
        """The first paragraph: the feed item's description."""
        for section in self.sections:
            if section.paragraphs:
                return section.paragraphs[0]
        return self.title


# --- text for speech ------------------------------------------------------


class BlockKind(str, Enum):
    """What a block is; the pause after it depends on it."""

    TITLE = "title"
    META = "meta"  # source and date, read in the intro
    HEADING = "heading"
    PARAGRAPH = "paragraph"


@dataclass(frozen=True)
class Word:
    """A word and when it starts, in milliseconds from the start of its clip (or of the MP3, in a Cue)."""

    start_ms: float
    text: str


@dataclass(frozen=True)
class Clip:
    """Audio of one sentence: 16-bit signed little-endian mono PCM."""

    samples: bytes
    sample_rate: int
    words: tuple[Word, ...] = ()
    """When each word starts, if the engine says (espeak's word events): from an engine,
    the words it was given; after synthesize_script, the sentence's shown words
    (Sentence.text). Empty for engines without word events (coqui, tone): captions then
    spread the sentence's time over its words by their letters (publish.caption_cues)."""

    @property
    def duration_ms(self) -> float:
        return len(self.samples) / 2 / self.sample_rate * 1000.0


@dataclass(frozen=True)
class Sentence:
    """One sentence: `text` is shown (transcript), `spoken` is read aloud."""

    text: str
    spoken: str
    clip: Clip | None = None


@dataclass(frozen=True)
class Block:
    """A title, heading or paragraph: sentences read without a long pause."""

    kind: BlockKind
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class Part:
    """One chapter of the episode: the intro (title, lead) or a headed section."""

    title: str
    blocks: tuple[Block, ...]

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(s for b in self.blocks for s in b.sentences)


@dataclass(frozen=True)
class Script:
    """The article as the voice will read it, chapter by chapter."""

    article: Article
    parts: tuple[Part, ...]

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(s for p in self.parts for s in p.sentences)


# --- audio and episode ----------------------------------------------------


@dataclass(frozen=True)
class Chapter:
    """A chapter at its real offsets in the MP3, in milliseconds."""

    element_id: str  # ASCII, e.g. "ch0" (ID3 element ids are Latin-1)
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Cue:
    """One sentence of the transcript at its real offsets in the MP3."""

    start_ms: int
    end_ms: int
    text: str
    words: tuple[Word, ...] = ()
    """The sentence's words with their start in the MP3, when the engine gave word times."""


@dataclass(frozen=True)
class Rendering:
    """What stitch produced: the MP3 it wrote and where everything is in it."""

    duration_ms: int
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...]
    loudness_lufs: float | None = None
    true_peak_db: float | None = None
    warning: str = ""
    """Why the loudness misses the target (a voice too peaky for it); empty when on target."""


@dataclass(frozen=True)
class Episode:
    """One published episode, as kept in the output folder's episodes.json.

    File fields are names relative to the output folder.
    """

    guid: str
    slug: str
    title: str
    description: str
    pub_date: dt.datetime  # timezone-aware (UTC)
    duration_ms: int
    size: int  # MP3 size in bytes
    audio: str  # e.g. "episodes/slug.mp3"
    transcript_vtt: str
    transcript_txt: str
    chapters_json: str
    chapters: tuple[Chapter, ...] = ()
    source_url: str | None = None
    article_date: dt.date | None = None
    voice: str = ""
    loudness_lufs: float | None = None
    """The MP3's integrated loudness and true peak as measured when it was built
    (None in stores written before they were kept)."""
    true_peak_db: float | None = None
    source_hash: str | None = None
    """SHA-256 of the article's text (publish.article_hash): its identity when it
    has no URL (None in stores written before it was kept)."""
    audio_version: str = ""
    """Short SHA-256 of the MP3, the enclosure URL's ?v= token ("" in older stores: no token)."""
    captions_vtt: str = ""
    """WebVTT at caption length (publish.caption_cues), beside the sentence-per-cue
    transcript_vtt that the player reads ("" in older stores)."""
    image: str = ""
    """The episode's own square artwork (the article's lead image, when a local PNG/JPEG), or ""."""
    number: int = 0
    """The episode's number (itunes:episode), given once at its first build; 0 in older stores."""
    sections: tuple[str, ...] = ()
    """One MP3 per chapter (build --sections), in chapter order; () when not asked for."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["pub_date"] = self.pub_date.isoformat()
        data["article_date"] = self.article_date.isoformat() if self.article_date else None
        data["chapters"] = [asdict(c) for c in self.chapters]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Episode:
        data = dict(data)
        data["pub_date"] = dt.datetime.fromisoformat(data["pub_date"])
        if data.get("article_date"):
            data["article_date"] = dt.date.fromisoformat(data["article_date"])
        data["chapters"] = tuple(Chapter(**c) for c in data.get("chapters", ()))
        data["sections"] = tuple(data.get("sections", ()))
        return cls(**data)
