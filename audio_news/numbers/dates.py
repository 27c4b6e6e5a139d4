"""Hijri months and the era words, for dates read as a news anchor says them.

«17 رجب» → السابع عشر من رجب; «5/2/1439هـ» → الخامس من صفر ألف وأربعمئة وتسعة وثلاثين
هجري: a numeric date followed by هـ counts Hijri months. «صفر» is also the word for
zero, so it is read as a month only before a year or هـ.
"""

from __future__ import annotations

import re
from typing import Final

from ..arabic import HIJRI_MONTH_NUMBERS, HIJRI_MONTHS, alternation
from .words import tag

MONTH_TAG: Final = tag("gen", "m")  # a month name with its own vowels (words.py)

HIJRI_ALT: Final = alternation(HIJRI_MONTH_NUMBERS)  # the names and their variants live in arabic.py
HIJRI_MARK: Final = r"(?:هـ|ه)(?![\u0621-\u064a])"
_YEAR_AFTER_RE: Final = re.compile(f"\\s*(?:\\d{{3,4}}|{HIJRI_MARK})")


def hijri_month(number: int) -> str:
    """The Hijri month's name, 1 = محرم."""
    return month_word(HIJRI_MONTHS[number - 1])


# Words of a match before «N صفر»: a score (فاز ثلاثة صفر), not the month.
_SCORE_WORDS: Final = re.compile("فاز|فوز|نتيجة|تقدم|تغلب|هزم|خسر|تعادل|مباراة|الشوط|انتهى|انتهت|بهدف")


def is_month_here(month: str, text: str, end: int) -> bool:
    """Is a Hijri month name at text[:end], after a day number, a month? صفر is also zero:
    it is the month before a year or هـ, or after a day number outside a match's score
    (توفي في 12 صفر → الثاني عشر من صفر; فاز 3 صفر stays a score, and so does عند 3 صفر)."""
    if month != "صفر" or _YEAR_AFTER_RE.match(text, end) is not None:
        return True
    before = text[: end - len(month)].split()[-7:]
    if any(_SCORE_WORDS.search(word) for word in before):
        return False
    head = before[-2].removeprefix("و") if len(before) > 1 else ""  # the word before the day number
    return head in _DATE_HEADS or (len(before) > 2 and before[-3] in ("من", "بين"))  # من 5 إلى 10 صفر


# Words before a day number that make «N صفر» a date (في 12 صفر، منذ 3 صفر، يوم 20 صفر).
_DATE_HEADS: Final = frozenset("في منذ حتى يوم من إلى الموافق بتاريخ تاريخ مطلع منتصف أواخر أوائل قبل بعد".split())


def month_word(month: str) -> str:
    """A Hijri month as written in a date, tagged so the voice reads صفر as the month صَفَر."""
    return month + MONTH_TAG if month == "صفر" else month


def era_word(era: str, year_word: str) -> str:
    """هجري / ميلادي, feminine after سنة (سنة ألفين ميلادية), with قبل الميلاد as it is."""
    feminine = year_word.removeprefix("و").removeprefix("ل").removeprefix("ب") in ("سنة", "السنة", "لسنة")
    if era in ("هـ", "ه"):
        return "هجرية" if feminine else "هجري"
    if era == "م":
        return "ميلادية" if feminine else "ميلادي"
    return "قبل الميلاد"
