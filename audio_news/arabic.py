"""The facts of Arabic script, defined once: letters, marks, digits, folding, month names, sentence ends.

Every stage asks "is this an Arabic letter?", "which marks does a diacritizer
own?", "which digits are there?"; when each module kept its own answer the
answers drifted apart (one missed U+0620 and the dotless letters). Here they
are built from named code point ranges of the Unicode Standard's Arabic
blocks (Unicode 14.0, chapter 9.2 "Arabic"; the code charts name every range
below), and every other module imports them:

    Arabic                        U+0600..U+06FF
    Arabic Supplement             U+0750..U+077F
    Arabic Extended-A             U+08A0..U+08FF
    Arabic Presentation Forms-A   U+FB50..U+FDFF
    Arabic Presentation Forms-B   U+FE70..U+FEFF

(Arabic Extended-B, U+0870..U+089F, and Extended-C in plane 1 serve other
languages and Quranic text; no stage has needed them yet.)

Character classes are given as the inside of a regex class (`LETTER_CLASS`
goes between brackets: f"[{LETTER_CLASS}]+"), sets of single characters as
frozensets, and a few small pure functions do the folding that several stages
share. Nothing here depends on another module of the package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

# --- code point ranges ------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A run of code points, `first` to `last` inclusive, with what the Unicode charts call it."""

    first: int
    last: int
    name: str

    def __contains__(self, ch: object) -> bool:
        return isinstance(ch, str) and len(ch) == 1 and self.first <= ord(ch) <= self.last

    @property
    def chars(self) -> str:
        """Every character of the span, in order."""
        return "".join(map(chr, range(self.first, self.last + 1)))

    @property
    def fragment(self) -> str:
        """The span as part of a regex character class: «a-b», or the one character."""
        if self.first == self.last:
            return _class_char(self.first)
        return f"{_class_char(self.first)}-{_class_char(self.last)}"


def _class_char(code: int) -> str:
    ch = chr(code)
    return "\\" + ch if ch in "\\]^-[" else ch


def char_class(spans: Iterable[Span]) -> str:
    """The inside of a regex character class holding every span."""
    return "".join(span.fragment for span in spans)


def class_of(chars: Iterable[str]) -> str:
    """The inside of a regex character class holding exactly these characters (sorted, escaped)."""
    return "".join(_class_char(ord(ch)) for ch in sorted(set(chars)))


# Letters (general category Lo) of the Arabic blocks; tatweel (U+0640, Lm) is not a letter.
LETTER_SPANS: Final = (
    Span(0x0620, 0x063F, "Kashmiri yeh, hamza, alef .. ghain, and the Farsi yeh and keheh forms"),
    Span(0x0641, 0x064A, "feh .. yeh"),
    Span(0x066E, 0x066F, "dotless beh and dotless qaf"),
    Span(0x0671, 0x06D3, "alef wasla .. yeh barree with hamza above (letters for other languages)"),
    Span(0x06D5, 0x06D5, "ae"),
    Span(0x06EE, 0x06EF, "dal and reh with inverted V"),
    Span(0x06FA, 0x06FC, "sheen, dad and ghain with dot below"),
    Span(0x06FF, 0x06FF, "heh with inverted V"),
    Span(0x0750, 0x077F, "Arabic Supplement: letters for African and Asian languages"),
    Span(0x08A0, 0x08C9, "Arabic Extended-A: letters, up to the small Farsi yeh (Lm) written with them"),
)
# The 36 letters of Arabic proper: hamza .. ghain and feh .. yeh (with the hamza seats,
# teh marbuta and alef maqsura). The diacritizer models and the tashkeel gold sets know these only.
BASIC_LETTER_SPANS: Final = (
    Span(0x0621, 0x063A, "hamza .. ghain"),
    Span(0x0641, 0x064A, "feh .. yeh"),
)
# Nonspacing marks (general category Mn) of the Arabic blocks.
MARK_SPANS: Final = (
    Span(0x0610, 0x061A, "honorific signs and small Quranic marks"),
    Span(0x064B, 0x065F, "tashkeel: tanween, short vowels, shadda, sukun; maddah, hamza above/below; later marks"),
    Span(0x0670, 0x0670, "superscript (dagger) alef"),
    Span(0x06D6, 0x06DC, "small high Quranic ligatures and signs"),
    Span(0x06DF, 0x06E4, "small high Quranic marks"),
    Span(0x06E7, 0x06E8, "small high yeh and small high noon"),
    Span(0x06EA, 0x06ED, "Quranic marks above and below"),
    Span(0x08CA, 0x08E1, "Arabic Extended-A: marks"),
    Span(0x08E3, 0x08FF, "Arabic Extended-A: marks (after the disputed end of ayah)"),
)
# Contextual forms and ligatures (what PDFs often hold), folded to letters by NFKC.
PRESENTATION_SPANS: Final = (
    Span(0xFB50, 0xFDFF, "Arabic Presentation Forms-A"),
    Span(0xFE70, 0xFEFE, "Arabic Presentation Forms-B (without U+FEFF, the byte order mark)"),
)
# The assigned letter forms and ligatures of those blocks, read as letters by ingest.
PRESENTATION_LETTER_SPANS: Final = (
    Span(0xFB50, 0xFDFB, "Presentation Forms-A: letter forms and ligatures"),
    Span(0xFE70, 0xFEFC, "Presentation Forms-B: letter forms"),
)
# Characters a reader never sees: soft hyphen, bidi and zero-width controls, BOM.
INVISIBLE_SPANS: Final = (
    Span(0x00AD, 0x00AD, "soft hyphen"),
    Span(0x061C, 0x061C, "Arabic letter mark (a bidi control)"),
    Span(0x200B, 0x200F, "zero width space, non-joiner, joiner; left-to-right and right-to-left marks"),
    Span(0x202A, 0x202E, "bidi embeddings and overrides"),
    Span(0x2060, 0x2064, "word joiner and invisible operators"),
    Span(0x2066, 0x2069, "bidi isolates"),
    Span(0xFEFF, 0xFEFF, "zero width no-break space (byte order mark)"),
)
DIGIT_SPANS: Final = (
    Span(0x0030, 0x0039, "ASCII digits"),
    Span(0x0660, 0x0669, "Arabic-Indic digits"),
    Span(0x06F0, 0x06F9, "Extended Arabic-Indic (Persian and Urdu) digits"),
)

LETTER_CLASS: Final = char_class(LETTER_SPANS)
"""Every Arabic letter (not presentation forms, not tatweel), inside a regex class."""
LETTER_OR_PRESENTATION_CLASS: Final = LETTER_CLASS + char_class(PRESENTATION_LETTER_SPANS)
"""Every Arabic letter and presentation-form letter, inside a regex class."""
MARK_CLASS: Final = char_class(MARK_SPANS)
"""Every Arabic combining mark, inside a regex class."""
PRESENTATION_CLASS: Final = char_class(PRESENTATION_SPANS)
INVISIBLE_CLASS: Final = char_class(INVISIBLE_SPANS)
DIGIT_CLASS: Final = char_class(DIGIT_SPANS)
"""ASCII, Arabic-Indic and Extended Arabic-Indic digits, inside a regex class."""

LETTERS: Final = frozenset("".join(span.chars for span in LETTER_SPANS))
BASIC_LETTERS: Final = frozenset("".join(span.chars for span in BASIC_LETTER_SPANS))
MARKS: Final = frozenset("".join(span.chars for span in MARK_SPANS))

# --- single characters --------------------------------------------------------

HAMZA: Final = "\u0621"
ALEF_WITH_MADDA: Final = "\u0622"
ALEF_WITH_HAMZA_ABOVE: Final = "\u0623"
WAW_WITH_HAMZA: Final = "\u0624"
ALEF_WITH_HAMZA_BELOW: Final = "\u0625"
YEH_WITH_HAMZA: Final = "\u0626"
ALEF: Final = "\u0627"
TEH_MARBUTA: Final = "\u0629"
TATWEEL: Final = "\u0640"
"""Kashida: stretches a joined letter; not a letter, not a mark."""
WAW: Final = "\u0648"
ALEF_MAQSURA: Final = "\u0649"
YEH: Final = "\u064a"
ALEF_WASLA: Final = "\u0671"

FATHATAN, DAMMATAN, KASRATAN = "\u064b", "\u064c", "\u064d"
FATHA, DAMMA, KASRA = "\u064e", "\u064f", "\u0650"
SHADDA, SUKUN = "\u0651", "\u0652"
MADDAH_ABOVE, HAMZA_ABOVE, HAMZA_BELOW = "\u0653", "\u0654", "\u0655"
SUPERSCRIPT_ALEF: Final = "\u0670"
"""The dagger alef: a long a written above the letter (هٰذا)."""

TANWEEN: Final = frozenset((FATHATAN, DAMMATAN, KASRATAN))
SHORT_VOWELS: Final = frozenset((FATHA, DAMMA, KASRA))
VOWEL_MARKS: Final = TANWEEN | SHORT_VOWELS | {SUKUN}
"""The marks of which a letter carries at most one: a short vowel, a tanween or sukun."""
TASHKEEL: Final = VOWEL_MARKS | {SHADDA, SUPERSCRIPT_ALEF}
"""The marks a diacritizer adds or replaces: tanween, short vowels, shadda, sukun, dagger alef."""
HAMZA_MARKS: Final = frozenset((MADDAH_ABOVE, HAMZA_ABOVE, HAMZA_BELOW))
"""Maddah and hamza above/below: part of the letter they sit on (in NFD text), never tashkeel."""

SUN_LETTERS: Final = "تثدذرزسشصضطظلن"
"""The letters the article's lam assimilates to (الشمس is read aš-šams)."""

ARABIC_COMMA: Final = "\u060c"
ARABIC_SEMICOLON: Final = "\u061b"
ARABIC_QUESTION_MARK: Final = "\u061f"
ARABIC_PERCENT: Final = "\u066a"
ARABIC_DECIMAL_SEPARATOR: Final = "\u066b"
ARABIC_THOUSANDS_SEPARATOR: Final = "\u066c"
SENTENCE_ENDS: Final = ".!?" + ARABIC_QUESTION_MARK + "…‼⁉"
"""The marks that end a sentence (a run of them ends it once)."""

ASCII_DIGITS: Final = DIGIT_SPANS[0].chars
ARABIC_INDIC_DIGITS: Final = DIGIT_SPANS[1].chars
EXTENDED_ARABIC_INDIC_DIGITS: Final = DIGIT_SPANS[2].chars
EASTERN_DIGITS: Final = frozenset(ARABIC_INDIC_DIGITS + EXTENDED_ARABIC_INDIC_DIGITS)
"""The two Arabic digit sets; each digit's value is its place in its set."""

# --- folding ---------------------------------------------------------------------

_ALEF_FORMS: Final = ALEF_WITH_MADDA + ALEF_WITH_HAMZA_ABOVE + ALEF_WITH_HAMZA_BELOW + ALEF_WASLA
ALEF_FOLD: Final = str.maketrans({**dict.fromkeys(_ALEF_FORMS, ALEF), ALEF_MAQSURA: YEH})
"""str.translate table: every alef form (آ أ إ ٱ) as a bare alef, alef maqsura as yeh."""
HAMZA_FOLD: Final = str.maketrans(
    {**dict.fromkeys(_ALEF_FORMS, ALEF), ALEF_MAQSURA: YEH, WAW_WITH_HAMZA: WAW, YEH_WITH_HAMZA: YEH}
)
"""str.translate table: ALEF_FOLD, and the hamza seats ؤ ئ as their bare letters."""
_DIGIT_FOLD: Final = str.maketrans(ARABIC_INDIC_DIGITS + EXTENDED_ARABIC_INDIC_DIGITS, ASCII_DIGITS * 2)
_MARK_RE: Final = re.compile(f"[{MARK_CLASS}]")
_LETTER_RE: Final = re.compile(f"[{LETTER_CLASS}]")


def is_arabic_letter(ch: str) -> bool:
    """True for one Arabic letter (any of LETTER_SPANS)."""
    return ch in LETTERS


def has_arabic_letter(text: str) -> bool:
    """True when `text` holds at least one Arabic letter."""
    return _LETTER_RE.search(text) is not None


def strip_tashkeel(text: str) -> str:
    """The text without tashkeel (TASHKEEL): letters, hamza marks and every other character stay."""
    return "".join(c for c in text if c not in TASHKEEL)


def strip_marks(text: str) -> str:
    """The text without any Arabic combining mark (MARKS), hamza marks included."""
    return _MARK_RE.sub("", text)


def fold_alef(text: str) -> str:
    """One alef for every alef form, ى as ي: a loose spelling for matching words (أكد → اكد)."""
    return text.translate(ALEF_FOLD)


def fold_hamza(text: str) -> str:
    """fold_alef, and the hamza seats ؤ ئ as و ي: the letter a diacritizer may have respelled."""
    return text.translate(HAMZA_FOLD)


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic and Extended Arabic-Indic digits as ASCII digits (٢٠٢٤ → 2024)."""
    return text.translate(_DIGIT_FOLD)


def alternation(names: Iterable[str]) -> str:
    """A regex alternation of literal names, longest first (so كانون الثاني wins over a prefix)."""
    return "|".join(re.escape(name) for name in sorted(set(names), key=len, reverse=True))


# --- month names ------------------------------------------------------------------

GREGORIAN_MONTHS: Final = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)
"""January .. December as Egypt and the Gulf name them (the press's common spelling)."""
LEVANTINE_MONTHS: Final = (
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
)
"""January .. December as Syria, Lebanon, Jordan, Palestine and Iraq name them."""
GREGORIAN_MONTH_VARIANTS: Final[Mapping[str, int]] = {
    "جانفي": 1,
    "فيفري": 2,
    "إبريل": 4,
    "ابريل": 4,
    "أفريل": 4,
    "ماي": 5,
    "يونيه": 6,
    "جوان": 6,
    "يوليه": 7,
    "جويلية": 7,
    "اغسطس": 8,
    "أوت": 8,
    "اكتوبر": 10,
}
"""Other spellings met in the press: the Maghreb's (جانفي، أوت) and Egypt's older ones (يونيه)."""
MONTH_NUMBERS: Final[Mapping[str, int]] = {
    **{name: number for number, name in enumerate(GREGORIAN_MONTHS, 1)},
    **{name: number for number, name in enumerate(LEVANTINE_MONTHS, 1)},
    **GREGORIAN_MONTH_VARIANTS,
}
"""Every Gregorian month name above → its number (1-12)."""

HIJRI_MONTHS: Final = (
    "محرم",
    "صفر",
    "ربيع الأول",
    "ربيع الآخر",
    "جمادى الأولى",
    "جمادى الآخرة",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو القعدة",
    "ذو الحجة",
)
"""The months of the Hijri (lunar) year, in order."""
HIJRI_MONTH_VARIANTS: Final[Mapping[str, int]] = {
    "المحرم": 1,
    "ربيع الثاني": 4,
    "جمادى الأول": 5,
    "جمادى الثانية": 6,
    "ذي القعدة": 11,
    "ذي الحجة": 12,
}
"""Other common names: with the article (المحرم), ربيع الثاني, and the genitive ذي after a word like شهر."""
HIJRI_MONTH_NUMBERS: Final[Mapping[str, int]] = {
    **{name: number for number, name in enumerate(HIJRI_MONTHS, 1)},
    **HIJRI_MONTH_VARIANTS,
}
"""Every Hijri month name above → its number (1-12)."""


__all__ = [
    "ALEF",
    "ALEF_FOLD",
    "ALEF_MAQSURA",
    "ALEF_WASLA",
    "ARABIC_COMMA",
    "ARABIC_DECIMAL_SEPARATOR",
    "ARABIC_INDIC_DIGITS",
    "ARABIC_PERCENT",
    "ARABIC_QUESTION_MARK",
    "ARABIC_SEMICOLON",
    "ARABIC_THOUSANDS_SEPARATOR",
    "ASCII_DIGITS",
    "BASIC_LETTERS",
    "BASIC_LETTER_SPANS",
    "DAMMA",
    "DAMMATAN",
    "DIGIT_CLASS",
    "DIGIT_SPANS",
    "EASTERN_DIGITS",
    "EXTENDED_ARABIC_INDIC_DIGITS",
    "FATHA",
    "FATHATAN",
    "GREGORIAN_MONTHS",
    "GREGORIAN_MONTH_VARIANTS",
    "HAMZA",
    "HAMZA_ABOVE",
    "HAMZA_BELOW",
    "HAMZA_FOLD",
    "HAMZA_MARKS",
    "HIJRI_MONTHS",
    "HIJRI_MONTH_NUMBERS",
    "HIJRI_MONTH_VARIANTS",
    "INVISIBLE_CLASS",
    "INVISIBLE_SPANS",
    "KASRA",
    "KASRATAN",
    "LETTERS",
    "LETTER_CLASS",
    "LETTER_OR_PRESENTATION_CLASS",
    "LETTER_SPANS",
    "LEVANTINE_MONTHS",
    "MADDAH_ABOVE",
    "MARKS",
    "MARK_CLASS",
    "MARK_SPANS",
    "MONTH_NUMBERS",
    "PRESENTATION_CLASS",
    "PRESENTATION_LETTER_SPANS",
    "PRESENTATION_SPANS",
    "SENTENCE_ENDS",
    "SHADDA",
    "SHORT_VOWELS",
    "SUKUN",
    "SUN_LETTERS",
    "SUPERSCRIPT_ALEF",
    "Span",
    "TANWEEN",
    "TASHKEEL",
    "TATWEEL",
    "TEH_MARBUTA",
    "VOWEL_MARKS",
    "WAW",
    "WAW_WITH_HAMZA",
    "YEH",
    "YEH_WITH_HAMZA",
    "alternation",
    "char_class",
    "class_of",
    "fold_alef",
    "fold_hamza",
    "has_arabic_letter",
    "is_arabic_letter",
    "strip_marks",
    "strip_tashkeel",
    "to_ascii_digits",
]
