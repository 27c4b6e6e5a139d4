"""reading: the script as the engine is given it, as data (no engine needed here)."""

from __future__ import annotations

import json

from audio_news.models import Article, Block, BlockKind, Part, Script, Sentence
from audio_news.reading import SCHEMA_VERSION, read_script


def script() -> Script:
    article = Article("عنوان", (), source="a.txt")
    return Script(
        article,
        (
            Part("عنوان", (Block(BlockKind.TITLE, (Sentence("عنوان", "عُنْوَانٌ"),)),)),
            Part(
                "قسم",
                (
                    Block(BlockKind.HEADING, (Sentence("قسم", "قِسْمٌ"),)),
                    Block(BlockKind.PARAGRAPH, (Sentence("جملة أولى، وثانية.", "جُمْلَةٌ أُولَى،   وَثَانِيَةٌ."),)),
                ),
            ),
        ),
    )


class Preparing:
    """An engine that rewrites its input and can tell its phonemes, like espeak."""

    sample_rate = 16000

    def prepare(self, text: str) -> str:
        return f"<{text}>"

    def phonemes(self, text: str) -> str:
        return f"/{len(text)}/"


class Filtering:
    """An engine that only filters, like coqui's speakable."""

    sample_rate = 16000

    def speakable(self, text: str) -> str:
        return text.replace("\u064c", "")


def test_chapters_sentences_and_the_engine_input():
    reading = read_script(script(), Preparing(), voice="v")
    assert [c.title for c in reading.chapters] == ["عنوان", "قسم"]
    assert [s.kind for s in reading.sentences] == ["title", "heading", "paragraph"]
    last = reading.sentences[-1]
    assert last.text == "جملة أولى، وثانية."
    assert last.spoken == "<جُمْلَةٌ أُولَى، وَثَانِيَةٌ.>"  # spaces collapsed as synthesize does, then prepared
    assert last.phonemes == f"/{len('جُمْلَةٌ أُولَى، وَثَانِيَةٌ.')}/"


def test_long_sentences_are_read_in_the_engine_chunks():
    reading = read_script(script(), Preparing(), max_chars=20)
    assert reading.sentences[-1].spoken == "<جُمْلَةٌ أُولَى،> <وَثَانِيَةٌ.>"


def test_an_engine_without_phonemes_and_with_a_filter():
    reading = read_script(script(), Filtering())
    assert reading.sentences[0].spoken == "عُنْوَان" and reading.sentences[0].phonemes is None
    assert "phonemes" not in reading.to_text()


def test_json_and_text_forms():
    reading = read_script(script(), Preparing(), voice="v")
    data = json.loads(json.dumps(reading.to_dict(), ensure_ascii=False))
    assert data["schema"] == SCHEMA_VERSION and data["voice"] == "v" and data["source"] == "a.txt"
    assert data["chapters"][1]["sentences"][0] == {
        "kind": "heading",
        "text": "قسم",
        "spoken": "<قِسْمٌ>",
        "phonemes": "/6/",
    }
    text = reading.to_text()
    assert text.startswith("## 1. عنوان\n1.1 [title] text:     عنوان\n")
    assert "2.2 [paragraph] phonemes:" in text
