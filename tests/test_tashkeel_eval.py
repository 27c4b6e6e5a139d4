"""The DER / WER scorer on hand-made lines whose error counts are known."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from audio_news.diacritize import strip_marks
from audio_news.tashkeel_eval import Report, evaluate, letters_of, main_report, parse_gold, read_gold

F, D, K, SUK, SH = "\u064e", "\u064f", "\u0650", "\u0652", "\u0651"
FN = "\u064b"


def score(gold: str, predicted: str) -> Report:
    """Evaluate one gold line against a system that answers `predicted`."""
    return evaluate([gold], lambda bare: predicted)


def test_letters_of_finds_words_last_letters_and_marks():
    letters = letters_of("كَتَبَ، 12 الْوَلَدُ ESA")
    assert "".join(x.letter for x in letters) == "كتبالولد"
    assert [x.last for x in letters] == [False, False, True, False, False, False, False, True]
    assert letters[0].marks == {F} and letters[3].marks == frozenset()
    assert {x.word for x in letters} == {0, 2}


def test_perfect_output_scores_zero():
    gold = "ذَهَبَ الْوَلَدُ إِلَى الْمَدْرَسَةِ."
    report = score(gold, gold)
    assert (report.der, report.wer, report.der_no_ce, report.wer_no_ce) == (0, 0, 0, 0)
    assert (report.heard_der, report.heard_wer, report.letters_changed) == (0, 0, 0)
    assert (report.lines, report.words, report.sentences) == (1, 4, 1)


def test_shadda_and_vowel_in_either_order_are_the_same():
    shadda_first = "عَل" + SH + F + "مَ"
    fatha_first = "عَل" + F + SH + "مَ"
    assert unicodedata.normalize("NFC", shadda_first) == fatha_first  # NFC writes the fatha first
    assert score(shadda_first, fatha_first).der == 0
    assert score(fatha_first, shadda_first).der == 0
    assert score(fatha_first, "عَلَمَ").der == 100 / 3  # but a missing shadda is an error


def test_a_missing_case_ending_counts_with_case_endings_only():
    report = score("كَتَبَ", "كَتَب")  # 1 error of 3 letters, in the only word's last letter
    assert report.der == pytest.approx(100 / 3)
    assert report.wer == 100
    assert report.der_no_ce == 0 and report.wer_no_ce == 0


def test_letters_with_no_gold_mark_count():
    # the alef of كِتَاب is bare in the gold; a fatha on it is an error (4 letters, 1 wrong)
    report = score("كِتَابٌ", "كِتَ" + "ا" + F + "بٌ")
    assert report.der == 25 and report.wer == 100
    assert report.heard_der == 0  # but not heard: marks on a bare alef are ignored


def test_a_wrong_inner_vowel_counts_without_case_endings_too():
    report = score("كَتَبَ الْوَلَدُ", "كُتِبَ الْوَلَدُ")  # 2 wrong letters of 8, 1 word of 2
    assert report.der == 25 and report.wer == 50
    assert report.der_no_ce == pytest.approx(100 * 2 / 6) and report.wer_no_ce == 50


def test_a_changed_letter_is_an_error_and_is_counted():
    report = score("تَمْتَلِئُ", "تَمْتَلِيُ")  # the hamza seat changed: 1 of 5 letters
    assert report.der == 20 and report.wer == 100
    assert report.letters_changed == 1


def test_a_dropped_letter_is_an_error():
    report = score("كَتَبَ", "كَبَ")
    assert report.der == pytest.approx(100 / 3)


@pytest.mark.parametrize(
    "gold, predicted, heard_der, der",
    [
        ("مِنْ", "مِن", 0, 50),  # a missing sukun is not heard
        ("مِنْ", "مِنَ", 0, 50),  # a letter the gold gives only a sukun is skipped
        ("قَالَ", "قَالُ", 50, 100 / 3),  # ق ا ل ; the alef is not scored when heard
        ("عِلْمًا", "عِلْمٌا", 50, 25),  # heard letters: ع and م (ل has a sukun, the alef is skipped)
        ("بَيْتٌ", "بَيْتٍ", 50, 100 / 3),
    ],
    ids=["sukun-missing", "sukun-vs-vowel", "alef-ignored", "tanween", "tanween-kasr"],
)
def test_heard_rules(gold, predicted, heard_der, der):
    report = score(gold, predicted)
    assert report.heard_der == pytest.approx(heard_der)
    assert report.der == pytest.approx(der)


def test_heard_wer_counts_words_with_a_heard_error():
    report = score("مِنْ الْبَيْتِ", "مِنِ الْبَيْتَ")
    assert report.wer == 100  # the kasra on ن and the fatha on ت
    assert report.heard_wer == 50  # only the fatha on ت is heard as wrong


def test_evaluate_strips_the_gold_and_times_the_system():
    seen = []

    def system(bare: str) -> str:
        seen.append(bare)
        return bare

    report = evaluate(["كَتَبَ الْوَلَدُ. ثُمَّ نَامَ", "", "قَالَ"], system, name="tiny")
    assert seen == ["تجربة", "كتب الولد. ثم نام", "قال"]  # one untimed warm-up call first
    assert (report.lines, report.words, report.sentences) == (2, 5, 3)
    assert report.heard_der == 100  # no vowel at all
    assert 0 < report.der < 100  # the bare alefs are right
    assert report.seconds >= 0 and report.ms_per_line >= 0


def test_main_report_formats_a_file(tmp_path: Path):
    gold = tmp_path / "tiny.gold.txt"
    gold.write_text("كَتَبَ الْوَلَدُ\n\nقَالَ\n", encoding="utf-8")
    assert read_gold(gold) == ["كَتَبَ الْوَلَدُ", "قَالَ"]
    text = main_report(gold, strip_marks, limit=1)
    assert text.startswith("tiny.gold.txt: 1 lines")
    for label in (
        "DER",
        "WER",
        "without case ending",
        "heard DER",
        "heard WER",
        "letters changed",
        "ms per sentence",
        "s per 1000 words",
    ):
        assert label in text


def test_multi_reference_gold_accepts_any_listed_vowelling():
    gold = "ذَهَبَ إِلَى اَلدِّنْمَارْكْ/اَلدَّنْمَارْكِ مِنْ/مِنَ اَلْبَيْتِ"
    assert parse_gold(gold).text == "ذَهَبَ إِلَى اَلدِّنْمَارْكْ مِنْ اَلْبَيْتِ"  # the first vowelling is the input
    seen = []
    report = evaluate([gold], lambda bare: seen.append(bare) or "ذَهَبَ إِلَى اَلدَّنْمَارْكِ مِنَ اَلْبَيْتِ")
    assert seen[-1] == "ذهب إلى الدنمارك من البيت"
    assert report.wer == 0 and report.der == 0 and report.heard_wer == 0  # the second vowellings match
    wrong = evaluate([gold], lambda bare: "ذَهَبَ إِلَى اَلدُّنْمَارْكِ مِنَ اَلْبَيْتِ")
    assert wrong.heard_wer == 20 and wrong.wer == 20  # one word of five matches neither


def test_a_slash_between_digits_is_not_an_alternative():
    assert parse_gold("فِي 5/2 مِنْهُ").text == "فِي 5/2 مِنْهُ"


# --- bounded, checked gold files (issue 10) ------------------------------------


def test_gold_file_not_utf8_is_one_error(tmp_path):
    from audio_news.errors import InputError

    path = tmp_path / "gold.txt"
    path.write_bytes("ذَهَبَ الوَلَدُ.\n".encode("cp1256"))
    with pytest.raises(InputError, match="UTF-8") as info:
        read_gold(path)
    assert info.value.path == str(path)


def test_gold_file_must_be_a_regular_file(tmp_path):
    from audio_news.errors import InputError

    with pytest.raises(InputError, match="directory"):
        read_gold(tmp_path)
    with pytest.raises(InputError, match="not found"):
        read_gold(tmp_path / "nope.txt")
