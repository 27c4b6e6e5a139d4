"""What the voice will read: the script as data, for editors, listeners and tests.

Sits beside synthesize: it takes the Script the text stages made (the same
`pipeline.prepare` that build uses) and, for every sentence, the exact strings
the engine is given (after `synthesize.split_for_engine` and the engine's own
text preparation) and, where the engine can tell, the phonemes it reads.
Nothing here speaks; `audio-news script` prints it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol, runtime_checkable

from .models import Script
from .synthesize import split_for_engine

SCHEMA_VERSION: Final = 1
"""Bumped when the JSON layout of `Reading.to_dict` changes."""


@runtime_checkable
class PreparesText(Protocol):
    """An engine that rewrites its input before speaking (espeak: wasl, shadda order)."""

    def prepare(self, text: str) -> str: ...


@runtime_checkable
class FiltersText(Protocol):
    """An engine that drops what its model cannot read (coqui: `speakable`)."""

    def speakable(self, text: str) -> str: ...


@runtime_checkable
class ReadsPhonemes(Protocol):
    """An engine that can say which phonemes it reads for a text (espeak)."""

    def phonemes(self, text: str) -> str: ...


@dataclass(frozen=True)
class ReadSentence:
    """One sentence: shown `text`, the `spoken` string the engine receives, its `phonemes`."""

    kind: str
    """title, meta, heading or paragraph."""
    text: str
    spoken: str
    """Chunks the engine is called with (one unless the voice has max_chars), joined by spaces."""
    phonemes: str | None = None
    """IPA as the engine reads it; None when the engine cannot tell."""


@dataclass(frozen=True)
class ReadChapter:
    """One chapter of the episode and its sentences in reading order."""

    title: str
    sentences: tuple[ReadSentence, ...]


@dataclass(frozen=True)
class Reading:
    """The whole article as it will be read aloud."""

    title: str
    source: str
    voice: str
    chapters: tuple[ReadChapter, ...]

    @property
    def sentences(self) -> tuple[ReadSentence, ...]:
        return tuple(s for c in self.chapters for s in c.sentences)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form: {schema, title, source, voice, chapters: [{title, sentences: [...]}]}."""
        return {
            "schema": SCHEMA_VERSION,
            "title": self.title,
            "source": self.source,
            "voice": self.voice,
            "chapters": [
                {
                    "title": c.title,
                    "sentences": [
                        {"kind": s.kind, "text": s.text, "spoken": s.spoken, "phonemes": s.phonemes}
                        for s in c.sentences
                    ],
                }
                for c in self.chapters
            ],
        }

    def to_text(self) -> str:
        """A listing for people: a block per chapter, three lines per sentence."""
        lines: list[str] = []
        for number, chapter in enumerate(self.chapters, 1):
            lines.append(f"## {number}. {chapter.title}")
            for index, s in enumerate(chapter.sentences, 1):
                lines.append(f"{number}.{index} [{s.kind}] text:     {s.text}")
                lines.append(f"{number}.{index} [{s.kind}] spoken:   {s.spoken}")
                if s.phonemes is not None:
                    lines.append(f"{number}.{index} [{s.kind}] phonemes: {s.phonemes}")
            lines.append("")
        return "\n".join(lines)


def engine_input(engine: object) -> Callable[[str], str]:
    """The engine's own text preparation (identity when it has none)."""
    if isinstance(engine, PreparesText):
        return engine.prepare
    if isinstance(engine, FiltersText):
        return engine.speakable
    return lambda text: text


def read_script(script: Script, engine: object, *, voice: str = "", max_chars: int = 0) -> Reading:
    """The script as `synthesize_script` would hand it to `engine`, sentence by sentence, as data."""
    prepare = engine_input(engine)
    chapters = []
    for part in script.parts:
        sentences = []
        for block in part.blocks:
            for s in block.sentences:
                chunks = split_for_engine(s.spoken, max_chars)
                phonemes = None
                if isinstance(engine, ReadsPhonemes):
                    phonemes = " ".join(p for c in chunks if (p := engine.phonemes(c)))
                spoken = " ".join(prepare(c) for c in chunks)
                sentences.append(ReadSentence(block.kind.value, s.text, spoken, phonemes))
        chapters.append(ReadChapter(part.title, tuple(sentences)))
    article = script.article
    return Reading(article.title, article.source, voice, tuple(chapters))
