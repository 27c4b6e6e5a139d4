"""The facts of Arabic script: checked against Unicode's own character data, and used the same way everywhere."""

from __future__ import annotations

import re
import unicodedata

import pytest

from audio_news import arabic, diacritize, ingest, normalize, numbers, publish, tashkeel_eval

_ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF))


def _block_chars(category: str) -> set[str]:
    return {
        chr(code)
        for first, last in _ARABIC_BLOCKS
        for code in range(first, last + 1)
        if unicodedata.category(chr(code)) == category
    }


def test_letters_are_the_arabic_blocks_letters_without_tatweel() -> None:
    small_farsi_yeh = "\u08c9"  # a modifier letter (Lm) written with the letters it follows
    assert arabic.LETTERS == _block_chars("Lo") | {small_farsi_yeh}
    assert arabic.TATWEEL not in arabic.LETTERS
    assert unicodedata.category(arabic.TATWEEL) == "Lm"


def test_marks_are_the_arabic_blocks_nonspacing_marks() -> None:
    assert arabic.MARKS == _block_chars("Mn")
    assert arabic.TASHKEEL <= arabic.MARKS and arabic.HAMZA_MARKS <= arabic.MARKS
    assert not arabic.TASHKEEL & arabic.HAMZA_MARKS


def test_spans_are_sorted_disjoint_and_named() -> None:
    for spans in (arabic.LETTER_SPANS, arabic.MARK_SPANS, arabic.DIGIT_SPANS, arabic.INVISIBLE_SPANS):
        for span, after in zip(spans, spans[1:]):
            assert span.first <= span.last < after.first
        assert all(span.name for span in spans)


def test_classes_match_exactly_their_sets() -> None:
    letter = re.compile(f"[{arabic.LETTER_CLASS}]")
    mark = re.compile(f"[{arabic.MARK_CLASS}]")
    for code in range(0x0590, 0x0900):
        ch = chr(code)
        assert bool(letter.fullmatch(ch)) == (ch in arabic.LETTERS), hex(code)
        assert bool(mark.fullmatch(ch)) == (ch in arabic.MARKS), hex(code)


def test_basic_letters_are_the_36_of_arabic_proper() -> None:
    assert len(arabic.BASIC_LETTERS) == 36
    assert arabic.BASIC_LETTERS <= arabic.LETTERS
    assert {"ء", "أ", "ؤ", "ئ", "ة", "ى", "غ", "ي"} <= arabic.BASIC_LETTERS
    assert not {"پ", "ڤ", "ٱ", arabic.TATWEEL} & arabic.BASIC_LETTERS


def test_mark_groups() -> None:
    assert arabic.VOWEL_MARKS == arabic.TANWEEN | arabic.SHORT_VOWELS | {arabic.SUKUN}
    assert arabic.TASHKEEL - arabic.VOWEL_MARKS == {arabic.SHADDA, arabic.SUPERSCRIPT_ALEF}
    assert [unicodedata.name(c) for c in (arabic.FATHA, arabic.SHADDA, arabic.SUKUN)] == [
        "ARABIC FATHA",
        "ARABIC SHADDA",
        "ARABIC SUKUN",
    ]


def test_class_of_escapes_and_sorts() -> None:
    assert arabic.class_of("ba-]") == "\\-\\]ab"
    assert re.fullmatch(f"[{arabic.class_of('-^]')}]+", "^-]")


def test_digits() -> None:
    assert arabic.to_ascii_digits("٢٠٢٤ و۱۴۰۳ و1999") == "2024 و1403 و1999"
    assert all(unicodedata.digit(d) == i for i, d in enumerate(arabic.ARABIC_INDIC_DIGITS))
    assert all(unicodedata.digit(d) == i for i, d in enumerate(arabic.EXTENDED_ARABIC_INDIC_DIGITS))
    assert re.fullmatch(f"[{arabic.DIGIT_CLASS}]+", "09٠٩۰۹") and not re.search(f"[{arabic.DIGIT_CLASS}]", "a٫")


@pytest.mark.parametrize(
    ("word", "alef", "hamza"),
    [
        ("أكد", "اكد", "اكد"),
        ("إلى", "الي", "الي"),
        ("آذار", "اذار", "اذار"),
        ("ٱلله", "الله", "الله"),
        ("مسؤول", "مسؤول", "مسوول"),
        ("تمتلئ", "تمتلئ", "تمتلي"),
        ("هدى", "هدي", "هدي"),
    ],
)
def test_folding(word: str, alef: str, hamza: str) -> None:
    assert arabic.fold_alef(word) == alef
    assert arabic.fold_hamza(word) == hamza


def test_strip_tashkeel_keeps_letters_and_hamza_marks() -> None:
    nfd = unicodedata.normalize("NFD", "أَكَّدَ")  # alef + hamza above as a mark
    assert arabic.strip_tashkeel(nfd) == unicodedata.normalize("NFD", "أكد")
    assert arabic.strip_marks(nfd) == "اكد"
    assert arabic.strip_tashkeel("هٰذا الكِتَابُ") == "هذا الكتاب"


def test_letter_predicates() -> None:
    assert arabic.is_arabic_letter("ؠ") and arabic.is_arabic_letter("ٮ") and arabic.is_arabic_letter("ڤ")
    assert not arabic.is_arabic_letter(arabic.TATWEEL) and not arabic.is_arabic_letter("١")
    assert arabic.has_arabic_letter("GDP نمو") and not arabic.has_arabic_letter("2024 ١٢ \u064e")


def test_months() -> None:
    assert len(arabic.GREGORIAN_MONTHS) == len(arabic.LEVANTINE_MONTHS) == len(arabic.HIJRI_MONTHS) == 12
    assert arabic.MONTH_NUMBERS["آب"] == arabic.MONTH_NUMBERS["أغسطس"] == arabic.MONTH_NUMBERS["أوت"] == 8
    assert arabic.MONTH_NUMBERS["كانون الثاني"] == 1 and arabic.MONTH_NUMBERS["كانون الأول"] == 12
    assert arabic.HIJRI_MONTH_NUMBERS["رمضان"] == 9 and arabic.HIJRI_MONTH_NUMBERS["ذي الحجة"] == 12
    assert set(arabic.MONTH_NUMBERS.values()) == set(range(1, 13))
    assert not set(arabic.MONTH_NUMBERS) & set(arabic.HIJRI_MONTH_NUMBERS)


def test_alternation_prefers_the_longest_name() -> None:
    pattern = re.compile(arabic.alternation(["ماي", "مايو", "كانون الثاني"]))
    assert pattern.match("مايو").group() == "مايو"
    assert pattern.fullmatch("كانون الثاني")


# --- every stage agrees -------------------------------------------------------


def test_the_number_reader_knows_every_letter() -> None:
    """numbers.py's own copy missed U+0620 and the dotless letters, so a word went on past its "end":
    a longer word that starts with a month name was read as a date."""
    for letter in ("ؠ", "ٮ", "ٯ", "ۿ", "ݐ"):
        assert numbers.verbalize(f"في 5 نيسان{letter}") == f"في خمسة نيسان{letter}"
    assert numbers.verbalize("في 5 نيسان") == "في الخامس من نيسان"


def test_stages_share_the_facts() -> None:
    assert diacritize.TASHKEEL is arabic.TASHKEEL
    assert diacritize.strip_marks is arabic.strip_tashkeel
    assert tashkeel_eval.ARABIC_LETTERS is arabic.BASIC_LETTERS
    assert diacritize.ARABIC_LETTERS == arabic.BASIC_LETTERS | {arabic.ALEF_WASLA}


def test_clean_drops_every_invisible_character() -> None:
    invisible = "".join(span.chars for span in arabic.INVISIBLE_SPANS)
    assert normalize.clean(f"مر{invisible}حبا") == "مرحبا"


def test_ingest_folds_dates_in_every_digit_set() -> None:
    assert ingest.has_arabic("ﺍﻟﺤﻜﻮﻣﺔ")  # presentation forms count as Arabic for ingest
    for written in ("٩ يناير ٢٠٢٤", "۹ كانون الثاني ۲۰۲۴", "9 جانفي 2024"):
        assert str(ingest._text_date(written)) == "2024-01-09", written


def test_slug_keeps_letters_drops_marks() -> None:
    assert publish.slugify("الكِتَابُ ـ ٢٠٢٤") == "الكتاب-2024"
