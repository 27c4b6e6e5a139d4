"""Number words fully vowelled, the case ending included, so the diacritizer cannot undo them.

The rules write number words bare (the transcript's spelling, the tests' tables) and put
one invisible tag after each word they built: its case and its state. The state is
``t`` (indefinite, tanween: خَمْسَةٌ), ``c`` (construct, a counted noun follows: خَمْسَةُ
أَيَّامٍ), ``b`` (built on fatha whatever the case: ثَلَاثَةَ عَشَرَ) or ``f`` (fixed: the
letters already say the case, عِشْرِينَ، مِئَتَا); a counted noun the writer put after a
number is tagged ``n`` (a plural, after 3–10) or ``d`` (a singular, after 11–99 or 100s) and
gets its case ending on its last letter only (أيامٍ، يومًا); ``m`` marks a month name that is also
another word (صفر: the month صَفَر, not zero). `vowel_tags` turns tagged words into
their vowelled forms for the voice; `strip_tags` drops the tags for the bare text.
The diacritizer keeps marks given in its input, so these case endings reach the voice.
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType
from typing import Final, Literal

from ..arabic import DAMMA, DAMMATAN, FATHA, FATHATAN, KASRA, KASRATAN, SHADDA

Case = Literal["nom", "acc", "gen"]
State = Literal["t", "c", "b", "f", "n", "d", "m"]

_CASES: Final = ("nom", "acc", "gen")
_STATES: Final = ("t", "c", "b", "f", "n", "d", "m")
# Month names that are also other words, with the vowels that make them the month (state m).
_MONTH_FORMS: Final = MappingProxyType({"صفر": "صَفَر"})
_TAG_BASE: Final = 0xE010  # private use: never in a news text
_TAG_CHARS: Final = f"{chr(_TAG_BASE)}-{chr(_TAG_BASE + len(_CASES) * len(_STATES) - 1)}"
TAG_RE: Final = re.compile(f"[{_TAG_CHARS}]")

_ENDING: Final = MappingProxyType({"nom": (DAMMA, DAMMATAN), "acc": (FATHA, FATHATAN), "gen": (KASRA, KASRATAN)})


def tag(case: str, state: State) -> str:
    """The invisible mark put after a number word: its case and state."""
    return chr(_TAG_BASE + _CASES.index(case) * len(_STATES) + _STATES.index(state))


def strip_tags(text: str) -> str:
    return TAG_RE.sub("", text)


def _untag(char: str) -> tuple[str, str]:
    case, state = divmod(ord(char) - _TAG_BASE, len(_STATES))
    return _CASES[case], _STATES[state]


# Declinable words: the vowelled stem, the case ending comes after it.
_STEMS: Final = MappingProxyType(
    {
        "صفر": "صِفْر",
        "واحد": "وَاحِد",
        "واحدة": "وَاحِدَة",
        "ثلاثة": "ثَلَاثَة",
        "أربعة": "أَرْبَعَة",
        "خمسة": "خَمْسَة",
        "ستة": "سِتَّة",
        "سبعة": "سَبْعَة",
        "ثمانية": "ثَمَانِيَة",
        "تسعة": "تِسْعَة",
        "عشرة": "عَشَرَة",
        "ثلاث": "ثَلَاث",
        "أربع": "أَرْبَع",
        "خمس": "خَمْس",
        "ست": "سِتّ",
        "سبع": "سَبْع",
        "تسع": "تِسْع",
        "عشر": "عَشْر",
        "مئة": "مِئَة",
        "ألف": "أَلْف",
        "آلاف": "آلَاف",
        "مليون": "مِلْيُون",
        "مليار": "مِلْيَار",
        "تريليون": "تِرِيلْيُون",
    }
)
# Plurals with a different declension: ملايين (no tanween), مليارات (kasra for the accusative).
_DIPTOTES: Final = MappingProxyType({"ملايين": "مَلَايِين"})
_FEMININE_PLURALS: Final = MappingProxyType({"مليارات": "مِلْيَارَات", "تريليونات": "تِرِيلْيُونَات"})
# Built on fatha, whatever the case: the parts of 11–19.
_BUILT: Final = MappingProxyType(
    {
        "أحد": "أَحَدَ",
        "إحدى": "إِحْدَى",
        "ثلاثة": "ثَلَاثَةَ",
        "أربعة": "أَرْبَعَةَ",
        "خمسة": "خَمْسَةَ",
        "ستة": "سِتَّةَ",
        "سبعة": "سَبْعَةَ",
        "ثمانية": "ثَمَانِيَةَ",
        "تسعة": "تِسْعَةَ",
        "ثلاث": "ثَلَاثَ",
        "أربع": "أَرْبَعَ",
        "خمس": "خَمْسَ",
        "ست": "سِتَّ",
        "سبع": "سَبْعَ",
        "ثماني": "ثَمَانِيَ",
        "تسع": "تِسْعَ",
        "عشر": "عَشَرَ",
        "عشرة": "عَشْرَةَ",
    }
)


def _fixed_forms() -> dict[str, str]:
    forms = {"إحدى": "إِحْدَى"}
    for bare, marked in (
        ("اثن", "اثْن"),
        ("اثنت", "اثْنَت"),
        ("مئت", "مِئَت"),
        ("ألف", "أَلْف"),
        ("مليون", "مِلْيُون"),
        ("مليار", "مِلْيَار"),
        ("تريليون", "تِرِيلْيُون"),
    ):
        forms[bare + "ان"] = marked + FATHA + "انِ"
        forms[bare + "ين"] = marked + FATHA + "يْنِ"
        forms[bare + "ا"] = marked + FATHA + "ا"
        forms[bare + "ي"] = marked + FATHA + "يْ"
    for bare, marked in (
        ("عشر", "عِشْر"),
        ("ثلاث", "ثَلَاث"),
        ("أربع", "أَرْبَع"),
        ("خمس", "خَمْس"),
        ("ست", "سِتّ"),
        ("سبع", "سَبْع"),
        ("ثمان", "ثَمَان"),
        ("تسع", "تِسْع"),
    ):
        forms[bare + "ون"] = marked + DAMMA + "ونَ"
        forms[bare + "ين"] = marked + KASRA + "ينَ"
    return forms


_FIXED: Final = MappingProxyType(_fixed_forms())
# The first part of 300–900 (ثلاثمئة): it takes the case, مئة after it is its genitive.
_HUNDRED_HEADS: Final = MappingProxyType(
    {
        "ثلاث": "ثَلَاث",
        "أربع": "أَرْبَع",
        "خمس": "خَمْس",
        "ست": "سِتّ",
        "سبع": "سَبْع",
        "ثمان": "ثَمَانِ",
        "تسع": "تِسْع",
    }
)
# Ordinals after the article (الثالث، الحادية): the stem with its vowels, the sun letter's shadda
# included; the manqus ones (الثاني، الحادي) show no ending in the nominative and genitive.
_ORDINAL_STEMS: Final = MappingProxyType(
    {
        word: unicodedata.normalize("NFC", marked)
        for word, marked in (
            ("أول", "أَوَّل"),
            ("ثالث", "ثَّالِث"),
            ("رابع", "رَّابِع"),
            ("خامس", "خَامِس"),
            ("سادس", "سَّادِس"),
            ("سابع", "سَّابِع"),
            ("ثامن", "ثَّامِن"),
            ("تاسع", "تَّاسِع"),
            ("عاشر", "عَاشِر"),
            ("ثاني", "ثَّانِي"),
            ("حادي", "حَادِي"),
        )
    }
)
_MANQUS: Final = frozenset(("ثاني", "حادي"))
_SUN: Final = frozenset("تثدذرزسشصضطظلن")


def _ordinal_form(core: str, case: str, state: str) -> str | None:
    """An ordinal or a definite ten after ال (its letters without it): الثَّالِثِ، الحَادِيَ عَشَرَ،
    الثَّانِيَةَ، العِشْرِينَ، الأُولَى."""
    if core == "أولى":
        return "الأُولَى"
    if state == "f":
        fixed = _FIXED.get(core)
        if fixed is None:
            return None
        return "ال" + (fixed[0] + SHADDA + fixed[1:] if core[0] in _SUN else fixed)
    feminine = core.endswith("ة")
    stem = _ORDINAL_STEMS.get(core[:-1] if feminine else core)
    if stem is None or state not in ("b", "c"):
        return None
    short = FATHA if state == "b" else _ENDING[case][0]
    if feminine:
        return "ال" + stem + FATHA + "ة" + short
    if (core in _MANQUS) and short != FATHA:
        return "ال" + stem
    return "ال" + stem + short


_PREFIXES: Final = MappingProxyType({"و": "وَ", "ف": "فَ", "ب": "بِ", "ل": "لِ", "ك": "كَ"})


def vowelled(word: str, case: str, state: str) -> str | None:
    """The vowelled form of one number word as the rules wrote it, or None if unknown."""
    if state == "m":
        return _MONTH_FORMS.get(word)
    if word.startswith("ال") and (form := _ordinal_form(word[2:], case, state)):
        return unicodedata.normalize("NFC", form)
    if word.startswith("ال") and len(word) > 3 and (form := vowelled(word[2:], case, "c" if state == "t" else state)):
        return "ال" + (form[0] + SHADDA + form[1:] if word[2] in _SUN else form)  # المتهمون الخَمْسَةُ
    if state == "f":
        return _FIXED.get(word)
    if state == "b":
        return _BUILT.get(word) or _FIXED.get(word)
    short, tanween = _ENDING[case]
    ending = tanween if state == "t" else short
    if word == "ثماني":  # the feminine 8 keeps its ya: ثَمَانِي أَيَّامٍ، ثَمَانِيَ
        return "ثَمَانِيَ" if case == "acc" else "ثَمَانِي"
    if word == "ثمان" and state == "t":
        return "ثَمَانٍ"  # the feminine 8 alone, nominative or genitive: ثمانٍ وأربعين ساعة
    if word == "ثمانيا":
        return "ثَمَانِيًا"
    if word in _DIPTOTES:
        return _DIPTOTES[word] + (DAMMA if case == "nom" else KASRA if state == "c" and case == "gen" else FATHA)
    if word in _FEMININE_PLURALS:
        return _FEMININE_PLURALS[word] + (ending if case != "acc" else (KASRATAN if state == "t" else KASRA))
    if word.endswith("مئة") and word[:-3] in _HUNDRED_HEADS:
        head = _HUNDRED_HEADS[word[:-3]]
        head += "" if head.endswith(KASRA) else short
        return head + "مِئَة" + (KASRATAN if state == "t" else KASRA)
    if case == "acc" and state == "t" and word.endswith("ا") and word[:-1] in _STEMS:
        return _STEMS[word[:-1]] + FATHATAN + "ا"  # وَاحِدًا، أَلْفًا
    if word in _STEMS:
        if ending == FATHATAN and not word.endswith("ة"):
            ending = FATHA  # an accusative tanween needs an alif the rules did not write
        return _STEMS[word] + ending
    return None


def noun_ending(word: str, case: str, plural: bool) -> str:
    """A counted noun with its case ending on the last letter, the rest left to the diacritizer:
    أيامٍ، سنواتٍ، عواصمَ (a broken plural of the مفاعل pattern: no tanween), شخصٍ، يومًا، ساعةً.
    Unchanged where the ending is not written with a mark (قتلى، ضحايا، وزراء، مدنيين)."""
    if len(word) < 3 or word.endswith(("ى", "ي", "و", "ء", "آ", "يا", "اء")):
        return word
    if len(word) >= 5 and word.endswith(("ين", "ون")):  # a sound masculine plural: its ending is written
        return word
    state = "t"
    short, tanween = _ENDING[case]
    if word.endswith("ا"):  # the tamyiz after 11–99: يومًا
        return word[:-1] + FATHATAN + "ا" if case == "acc" and state == "t" and word[-2] != "ا" else word
    if case == "acc" and word.endswith("ات"):
        short, tanween = KASRA, KASRATAN  # a feminine plural has kasra for the accusative
    elif case == "acc" and state == "t" and not word.endswith("ة"):
        return word  # an accusative tanween would need an alif the writer did not write
    diptote = plural and len(word) >= 5 and word[2] == "ا" and not word.endswith(("ات", "ة"))  # مفاعل، فواعل
    if diptote and state == "t":
        return word + (DAMMA if case == "nom" else FATHA)
    return word + (tanween if state == "t" else short)


def _vowel_word(match: re.Match[str]) -> str:
    word, (case, state) = match.group(1), _untag(match.group(2))
    for cut in (0, 1, 2):
        prefix, rest = word[:cut], word[cut:]
        if all(ch in _PREFIXES for ch in prefix) and (form := vowelled(rest, case, state)):
            return "".join(_PREFIXES[ch] for ch in prefix) + form
        if prefix.endswith("ل") and rest.startswith("ل") and all(ch in _PREFIXES for ch in prefix):
            if (form := vowelled("ا" + rest, case, state)) and form.startswith("ال"):
                return "".join(_PREFIXES[ch] for ch in prefix) + form[1:]  # لِلثَّالِثِ
    if state in ("n", "d"):
        return noun_ending(word, case, plural=state == "n")
    return word


_TAGGED_RE: Final = re.compile(f"([\u0621-\u064a]+)([{_TAG_CHARS}])")


def vowel_tags(text: str) -> str:
    """Every tagged number word in its vowelled form; the tags go."""
    return strip_tags(_TAGGED_RE.sub(_vowel_word, text))
