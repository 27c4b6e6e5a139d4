"""The synthesize stage: every sentence gets one clip, long ones read in chunks."""

from __future__ import annotations

import array
import math

import pytest

from audio_news.errors import EngineError
from audio_news.models import Article, Block, BlockKind, Clip, Part, Script, Section, Sentence
from audio_news.synthesize import CHUNK_GAP_MS, split_for_engine, synthesize_script, synthesize_text

RATE = 8000
MS_PER_CHAR = 10


class ToneEngine:
    """A deterministic engine: a 440 Hz tone, 10 ms per character; records its calls."""

    def __init__(self, sample_rate: int = RATE) -> None:
        self.sample_rate = sample_rate
        self.calls: list[str] = []

    def synthesize(self, text: str) -> Clip:
        self.calls.append(text)
        n = len(text) * MS_PER_CHAR * RATE // 1000
        pcm = array.array("h", (int(8000 * math.sin(2 * math.pi * 440 * i / RATE)) for i in range(n)))
        return Clip(pcm.tobytes(), self.sample_rate)


class WrongRateEngine(ToneEngine):
    def synthesize(self, text: str) -> Clip:
        return Clip(super().synthesize(text).samples, 16000)


def make_script() -> Script:
    article = Article(title="عنوان", sections=(Section(None, ("فقرة.",)),), source="a.txt")
    sentence = lambda t: Sentence(text=t + ".", spoken=t)  # noqa: E731
    return Script(
        article,
        (
            Part(
                "عنوان",
                (
                    Block(BlockKind.TITLE, (sentence("عُنْوَانٌ"),)),
                    Block(BlockKind.PARAGRAPH, (sentence("جُمْلَةٌ أُولَى"), sentence("جُمْلَةٌ ثَانِيَةٌ أَطْوَلُ"))),
                ),
            ),
            Part(
                "قسم",
                (
                    Block(BlockKind.HEADING, (sentence("قِسْمٌ"),)),
                    Block(BlockKind.PARAGRAPH, (Sentence(text="", spoken=""), sentence("آخِرُ جُمْلَةٍ"))),
                ),
            ),
        ),
    )


# --- split_for_engine -------------------------------------------------------


def test_short_text_is_one_chunk():
    assert split_for_engine("جُمْلَةٌ قَصِيرَةٌ", 100) == ["جُمْلَةٌ قَصِيرَةٌ"]


def test_no_limit_means_one_chunk():
    text = "كَلِمَةٌ " * 100
    assert split_for_engine(text, 0) == [text.strip()]


def test_blank_text_gives_no_chunks():
    assert split_for_engine("  \n ", 10) == []


def test_splits_after_arabic_comma():
    a, b = "ذَهَبَ الْوَلَدُ إِلَى الْمَدْرَسَةِ،", "ثُمَّ عَادَ إِلَى الْبَيْتِ"
    chunks = split_for_engine(f"{a} {b}", 40)
    assert chunks == [a, b]


@pytest.mark.parametrize("mark", ["،", "؛", ":"])
def test_clause_marks_are_preferred_to_spaces(mark):
    first = "قَالَ الْوَزِيرُ" + mark
    rest = "إِنَّ الِاجْتِمَاعَ نَاجِحٌ"
    chunks = split_for_engine(f"{first} {rest}", len(rest) + 5)
    assert chunks == [first, rest]


def test_short_clauses_share_a_chunk():
    text = "أَوَّلًا، ثَانِيًا، ثَالِثًا، رَابِعًا"
    chunks = split_for_engine(text, 20)
    assert all(len(c) <= 20 for c in chunks)
    assert len(chunks) == 2
    assert " ".join(chunks) == text


def test_long_clause_is_cut_between_words():
    words = ["كَلِمَةٌ"] * 30
    text = " ".join(words)
    chunks = split_for_engine(text, 50)
    assert all(len(c) <= 50 for c in chunks)
    assert " ".join(chunks) == text
    assert all(c.split(" ") == ["كَلِمَةٌ"] * len(c.split(" ")) for c in chunks)


def test_word_longer_than_limit_keeps_marks_with_letters():
    word = "مُسْتَشْفَيَاتُهُمْ"
    chunks = split_for_engine(word, 5)
    assert "".join(chunks) == word
    assert all(len(c) <= 5 for c in chunks)
    assert all(not ("\u064b" <= c[0] <= "\u0652") for c in chunks)


def test_chunks_respect_max_chars_on_a_news_sentence():
    text = (
        "أَعْلَنَتِ الْحُكُومَةُ الْيَوْمَ عَنْ خُطَّةٍ جَدِيدَةٍ لِلنَّقْلِ الْعَامِّ، "
        "تَشْمَلُ خُطُوطًا لِلْحَافِلَاتِ فِي الْمُدُنِ الْكُبْرَى؛ "
        "وَقَالَ الْوَزِيرُ: سَتَبْدَأُ الْأَشْغَالُ فِي الرَّبِيعِ الْمُقْبِلِ وَتَنْتَهِي بَعْدَ عَامَيْنِ."
    )
    for limit in (30, 60, 90, 150):
        chunks = split_for_engine(text, limit)
        assert all(0 < len(c) <= limit for c in chunks), limit
        assert " ".join(chunks) == text


# --- synthesize_script ------------------------------------------------------


def test_every_sentence_gets_a_clip_and_structure_is_kept():
    script = make_script()
    engine = ToneEngine()
    result = synthesize_script(script, engine)
    assert [p.title for p in result.parts] == [p.title for p in script.parts]
    assert [[b.kind for b in p.blocks] for p in result.parts] == [[b.kind for b in p.blocks] for p in script.parts]
    assert [(s.text, s.spoken) for s in result.sentences] == [(s.text, s.spoken) for s in script.sentences]
    assert result.article is script.article
    for sentence in result.sentences:
        assert sentence.clip is not None and sentence.clip.sample_rate == RATE
        assert sentence.clip.duration_ms == pytest.approx(len(sentence.spoken) * MS_PER_CHAR, abs=1)
    assert all(s.clip is None for s in script.sentences)  # the input is untouched


def test_one_engine_call_per_sentence_and_none_for_blank():
    engine = ToneEngine()
    synthesize_script(make_script(), engine)
    assert engine.calls == [s.spoken for s in make_script().sentences if s.spoken]


def test_blank_sentence_gets_a_zero_length_clip():
    result = synthesize_script(make_script(), ToneEngine())
    blank = result.parts[1].blocks[1].sentences[0]
    assert blank.clip == Clip(b"", RATE)


def test_progress_is_reported_per_sentence():
    seen = []
    synthesize_script(make_script(), ToneEngine(), on_sentence=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 6) for i in range(1, 7)]


def test_long_sentence_is_chunked_into_one_clip_with_gaps():
    a, b = "ذَهَبَ الْوَلَدُ إِلَى الْمَدْرَسَةِ،", "ثُمَّ عَادَ إِلَى الْبَيْتِ"
    article = Article(title="t", sections=())
    script = Script(article, (Part("t", (Block(BlockKind.PARAGRAPH, (Sentence(f"{a} {b}", f"{a} {b}"),)),)),))
    engine = ToneEngine()
    result = synthesize_script(script, engine, max_chars=40)
    assert engine.calls == [a, b]
    (sentence,) = result.sentences
    expected = (len(a) + len(b)) * MS_PER_CHAR + CHUNK_GAP_MS
    assert sentence.clip.duration_ms == pytest.approx(expected, abs=1)
    # The gap is silence between the two tones.
    pcm = array.array("h", sentence.clip.samples)
    start = len(a) * MS_PER_CHAR * RATE // 1000
    assert set(pcm[start : start + CHUNK_GAP_MS * RATE // 1000]) == {0}


def test_clip_at_another_rate_is_an_engine_error():
    with pytest.raises(EngineError, match="16000"):
        synthesize_script(make_script(), WrongRateEngine())


def test_engine_errors_propagate():
    class Broken(ToneEngine):
        def synthesize(self, text: str) -> Clip:
            raise EngineError("voice fell over")

    with pytest.raises(EngineError, match="fell over"):
        synthesize_text("نَصٌّ", Broken())


def test_through_the_real_espeak_engine():
    from audio_news.engines.espeak import EspeakEngine
    from audio_news.voices import VoiceProfile

    engine = EspeakEngine(VoiceProfile.from_dict({"name": "espeak-ar", "engine": "espeak"}))
    result = synthesize_script(make_script(), engine, max_chars=12)
    clips = [s.clip for s in result.sentences]
    assert all(c.sample_rate == 22050 for c in clips)
    assert clips[4].samples == b""
    assert all(c.duration_ms > 300 for i, c in enumerate(clips) if i != 4)
    # "جُمْلَةٌ ثَانِيَةٌ أَطْوَلُ" is longer than 12 characters: read in chunks, one clip.
    assert clips[2].duration_ms > clips[1].duration_ms


# --- word times for captions ---------------------------------------------------


def test_shown_words_take_the_engines_times_one_for_one():
    from audio_news.models import Word
    from audio_news.synthesize import shown_word_times

    spoken = (Word(0, "قَالَ"), Word(400, "الوَزِيرُ"), Word(900, "اليَوْمَ"))
    assert shown_word_times("قال الوزير اليوم", spoken, 1500) == (
        Word(0, "قال"),
        Word(400, "الوزير"),
        Word(900, "اليوم"),
    )
    assert shown_word_times("قال الوزير", (), 1500) == ()  # no word events: captions spread by letters


def test_shown_words_interpolate_where_a_number_was_read_as_words():
    from audio_news.models import Word
    from audio_news.synthesize import shown_word_times

    # «في 25 مدينة» was read «في خمسة وعشرين مدينة»: four words read, three shown
    spoken = (Word(0, "في"), Word(200, "خمسة"), Word(600, "وعشرين"), Word(1100, "مدينة"))
    words = shown_word_times("في 25 مدينة", spoken, 1600)
    assert [w.text for w in words] == ["في", "25", "مدينة"]
    starts = [w.start_ms for w in words]
    assert starts[0] == 0 and starts == sorted(starts) and starts[-1] < 1600
    assert 600 <= starts[2] <= 1300  # مدينة near where it was read


def test_chunked_sentence_keeps_word_times_across_chunks():
    from audio_news.models import Word
    from audio_news.synthesize import CHUNK_GAP_MS, synthesize_text

    class Timed:
        sample_rate = 1000

        def synthesize(self, text: str) -> Clip:
            words = text.split()
            return Clip(b"\1\0" * 100 * len(words), 1000, tuple(Word(100 * i, w) for i, w in enumerate(words)))

    clip = synthesize_text("أ ب ج، د ه", Timed(), max_chars=6)
    assert [w.text for w in clip.words] == ["أ", "ب", "ج،", "د", "ه"]
    assert [w.start_ms for w in clip.words] == [0, 100, 200, 300 + CHUNK_GAP_MS, 400 + CHUNK_GAP_MS]
