"""Stage: Script → Script with a Clip on every sentence, through an Engine.

Sits after diacritize and before stitch: each sentence's `spoken` text is read
by the engine, one call per sentence, and its clip handed on in script order
so the transcript and chapter times stay tied to what was said. A build streams
the clips (synthesize_clips) straight into stitch, one at a time, so memory does
not grow with the article; synthesize_script attaches them all to the Script. Sentences too
long for an engine (a voice profile's max_chars) are read in clause-sized
chunks and joined back into one clip. All clips are at the engine's sample
rate; stitch resamples to the episode's.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Final

from .arabic import MARK_CLASS
from .cache import VoiceCache
from .engines import Engine
from .errors import EngineError
from .models import Clip, Script, Word

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


def synthesize_clips(
    script: Script,
    engine: Engine,
    *,
    max_chars: int = 0,
    on_sentence: Callable[[int, int], None] | None = None,
    cache: VoiceCache | None = None,
) -> Iterator[Clip]:
    """Read every sentence's `spoken` text aloud, yielding its clip as soon as it is made.

    One clip per sentence, in script order, its words timed as the sentence's
    shown words (Sentence.text); blank sentences give an empty clip. Made one at
    a time, so that stitch can lay each out and let it go: the whole episode's
    audio is never in memory. `on_sentence(done, total)` is called after each
    sentence. With a `cache` (of this engine's voice), an engine call whose text
    is there is not made. Raises EngineError when the engine fails or returns
    audio at another sample rate than its own.
    """
    sentences = script.sentences
    for done, sentence in enumerate(sentences, 1):
        clip = synthesize_text(sentence.spoken, engine, max_chars=max_chars, cache=cache)
        clip = replace(clip, words=shown_word_times(sentence.text, clip.words, clip.duration_ms))
        if on_sentence is not None:
            on_sentence(done, len(sentences))
        yield clip


def synthesize_script(
    script: Script,
    engine: Engine,
    *,
    max_chars: int = 0,
    on_sentence: Callable[[int, int], None] | None = None,
    cache: VoiceCache | None = None,
) -> Script:
    """The script with every sentence's clip attached (synthesize_clips, kept whole:
    for `audio-news script` and other readers of single clips; a build streams instead).

    Parts, blocks and sentence texts are kept as they are.
    """
    clips = synthesize_clips(script, engine, max_chars=max_chars, on_sentence=on_sentence, cache=cache)
    parts = tuple(
        replace(
            part,
            blocks=tuple(
                replace(block, sentences=tuple(replace(s, clip=next(clips)) for s in block.sentences))
                for block in part.blocks
            ),
        )
        for part in script.parts
    )
    return replace(script, parts=parts)


def synthesize_text(text: str, engine: Engine, *, max_chars: int = 0, cache: VoiceCache | None = None) -> Clip:
    """One sentence as one clip: chunked by `max_chars`, joined with short gaps.

    Each chunk (one engine call) is looked up in `cache` first and stored there after."""
    rate = engine.sample_rate
    gap_ms = int(rate * CHUNK_GAP_MS / 1000) * 1000 / rate
    clips: list[bytes] = []
    words: list[Word] = []
    at_ms = 0.0
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
        if clip.samples:
            if clips:
                at_ms += gap_ms
            words.extend(Word(at_ms + w.start_ms, w.text) for w in clip.words)
            at_ms += clip.duration_ms
            clips.append(clip.samples)
    gap = b"\0\0" * int(rate * CHUNK_GAP_MS / 1000)
    return Clip(gap.join(clips), rate, tuple(words))


def shown_word_times(text: str, spoken: Sequence[Word], duration_ms: float) -> tuple[Word, ...]:
    """The words of `text` (what the transcript shows) timed from the words the engine read.

    `spoken` are the engine's word events for the sentence's `spoken` form. When
    both have as many words (no number read out), word n of `text` takes the time
    of word n read. Otherwise (normalize wrote «25» as two words) a shown word
    takes the time at the same share of the sentence's letters, interpolated
    between the read words' starts. No word events give no times: captions then
    spread the sentence over its letters.
    """
    shown = text.split()
    if not spoken or not shown:
        return ()
    if len(spoken) == len(shown):
        return tuple(Word(w.start_ms, s) for w, s in zip(spoken, shown))
    read = [w.text for w in spoken]
    total_read = sum(len(w) + 1 for w in read)
    points, offset = [], 0
    for word in read:
        points.append(offset / total_read)
        offset += len(word) + 1
    times = [w.start_ms for w in spoken]
    points.append(1.0)
    times.append(max(duration_ms, times[-1]))
    total_shown = sum(len(w) + 1 for w in shown)
    words, offset = [], 0
    for word in shown:
        share = offset / total_shown
        offset += len(word) + 1
        i = min(bisect.bisect_right(points, share) - 1, len(points) - 2)
        span = points[i + 1] - points[i]
        at = times[i] + (times[i + 1] - times[i]) * ((share - points[i]) / span if span else 0.0)
        words.append(Word(at, word))
    return tuple(words)
