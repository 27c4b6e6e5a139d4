"""Hijri months and the era words, for dates read as a news anchor says them.

«17 رجب» → السابع عشر من رجب; «5/2/1439هـ» → الخامس من صفر ألف وأربعمئة وتسعة وثلاثين
هجري: a numeric date followed by هـ counts Hijri months. «صفر» is also the word for
zero, so it is read as a month only before a year or هـ.
"""

from __future__ import annotations

import re
from typing import Final

from ..arabic import HIJRI_MONTH_NUMBERS, HIJRI_MONTHS, alternation

HIJRI_ALT: Final = alternation(HIJRI_MONTH_NUMBERS)  # the names and their variants live in arabic.py
HIJRI_MARK: Final = r"(?:هـ|ه)(?![\u0621-\u064a])"
_YEAR_AFTER_RE: Final = re.compile(f"\\s*(?:\\d{{3,4}}|{HIJRI_MARK})")


def hijri_month(number: int) -> str:
    """The Hijri month's name, 1 = محرم."""
    return HIJRI_MONTHS[number - 1]


def is_month_here(month: str, text: str, end: int) -> bool:
    """Is a Hijri month name at text[:end] a month? (صفر only before a year or هـ)."""
    return month != "صفر" or _YEAR_AFTER_RE.match(text, end) is not None


def era_word(era: str, year_word: str) -> str:
    """هجري / ميلادي, feminine after سنة (سنة ألفين ميلادية), with قبل الميلاد as it is."""
    feminine = year_word.removeprefix("و").removeprefix("ل").removeprefix("ب") in ("سنة", "السنة", "لسنة")
    if era in ("هـ", "ه"):
        return "هجرية" if feminine else "هجري"
    if era == "م":
        return "ميلادية" if feminine else "ميلادي"
    return "قبل الميلاد"
