"""Stage: Script → Script with a Clip on every sentence, through an Engine.

Sits after diacritize and before stitch: each sentence's `spoken` text is read
by the engine, one call per sentence, and the clip is attached to the sentence
so the transcript and chapter times stay tied to what was said. Sentences too
long for an engine (a voice profile's max_chars) are read in clause-sized
chunks and joined back into one clip. All clips are at the engine's sample
rate; stitch resamples to the episode's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Final

from .arabic import MARK_CLASS
from .cache import VoiceCache
from .engines import Engine
from .errors import EngineError
from .models import Clip, Script, Sentence

CHUNK_GAP_MS: Final = 120
"""Silence between the chunks of a sentence read in several engine calls."""

# Clause ends to cut after, best first: Arabic comma and semicolon, colon (and
# their Latin forms, which normalize may leave in place).
_CLAUSE_END: Final = re.compile(r"(?<=[،؛:,;])\s+")
_MARK: Final = re.compile(f"[{MARK_CLASS}]")


def split_for_engine(text: str, max_chars: int) -> list[str]:
    """Cut `text` into chunks of at most `max_chars` characters for one engine call each.

    Cuts after clause punctuation (، ؛ :) first; whole clauses are packed
    greedily, so short ones share a chunk. A clause still too long is cut
    between words, packed greedily on its own; a single word longer than
    `max_chars` is cut inside, never between a letter and its diacritics.
    Runs of whitespace become one space. `max_chars` <= 0 means no limit.
    Blank text gives [].
    """
    text = " ".join(text.split())
    if not text:
        return []
    if max_chars <= 0 or len(text) <= max_chars:
        return [text]
    chunks: list[str] = []
    whole = False  # whether the last chunk is made of whole clauses (and may take another)
    for clause in _CLAUSE_END.split(text):
        if len(clause) > max_chars:
            chunks.extend(_pack([p for w in clause.split(" ") for p in _cut_word(w, max_chars)], max_chars))
            whole = False
        elif whole and len(chunks[-1]) + 1 + len(clause) <= max_chars:
            chunks[-1] += " " + clause
        else:
            chunks.append(clause)
            whole = True
    return chunks


def _pack(words: list[str], max_chars: int) -> list[str]:
    """Join consecutive words with spaces while the chunk fits."""
    packed: list[str] = []
    for word in words:
        if packed and len(packed[-1]) + 1 + len(word) <= max_chars:
            packed[-1] += " " + word
        else:
            packed.append(word)
    return packed


def _cut_word(word: str, max_chars: int) -> list[str]:
    """A word longer than max_chars, cut into pieces that keep marks with their letter."""
    pieces = []
    while len(word) > max_chars:
        cut = max_chars
        while cut > 1 and _MARK.match(word, cut):
            cut -= 1
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word] if word else pieces


def synthesize_script(
    script: Script,
    engine: Engine,
    *,
    max_chars: int = 0,
    on_sentence: Callable[[int, int], None] | None = None,
    cache: VoiceCache | None = None,
) -> Script:
    """Read every sentence's `spoken` text aloud; return the script with clips attached.

    Parts, blocks and sentence texts are kept as they are. Blank sentences get
    an empty clip. `on_sentence(done, total)` is called after each sentence.
    With a `cache` (of this engine's voice), an engine call whose text is there
    is not made. Raises EngineError when the engine fails or returns audio at
    another sample rate than its own.
    """
    total = len(script.sentences)
    done = 0

    def read(sentence: Sentence) -> Sentence:
        nonlocal done
        clip = synthesize_text(sentence.spoken, engine, max_chars=max_chars, cache=cache)
        done += 1
        if on_sentence is not None:
            on_sentence(done, total)
        return replace(sentence, clip=clip)

    parts = tuple(
        replace(
            part,
            blocks=tuple(replace(block, sentences=tuple(read(s) for s in block.sentences)) for block in part.blocks),
        )
        for part in script.parts
    )
    return replace(script, parts=parts)


def synthesize_text(text: str, engine: Engine, *, max_chars: int = 0, cache: VoiceCache | None = None) -> Clip:
    """One sentence as one clip: chunked by `max_chars`, joined with short gaps.

    Each chunk (one engine call) is looked up in `cache` first and stored there after."""
    rate = engine.sample_rate
    clips = []
    for chunk in split_for_engine(text, max_chars):
        clip = cache.get(chunk) if cache is not None else None
        if clip is None:
            clip = engine.synthesize(chunk)
            if clip.sample_rate != rate:
                raise EngineError(f"engine returned audio at {clip.sample_rate} Hz, not its own sample rate {rate} Hz")
            if len(clip.samples) % 2:
                raise EngineError("engine returned a clip with an odd number of bytes (not 16-bit PCM)")
            if cache is not None:
                cache.put(chunk, clip)
        clips.append(clip.samples)
    gap = b"\0\0" * int(rate * CHUNK_GAP_MS / 1000)
    return Clip(gap.join(c for c in clips if c), rate)
