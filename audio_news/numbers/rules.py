"""The number reader's rules: each shape of number in a sentence, and how a news anchor says it.

Part of the normalize stage: `verbalize` turns one cleaned sentence into what the
voice reads (the transcript keeps the digits). Libraries get news Arabic wrong (no
gender, no case, مئتا for 200), so the grammar lives here and beside it:

- `cardinal(n, gender, case)`: `gender` is the counted noun's (3–10 take the
  opposite form: ثلاثة أشخاص، ثلاث سنوات); `case` picks -ون/-ين, اثنان/اثنين,
  مئتان/مئتين; `construct` gives مئتا/ألفا when a noun follows. Internally each word
  carries a tag (case and state) from which words.py writes the vowelled form,
  case ending included (خَمْسِمِئَةٍ، ثَلَاثَةُ آلَافٍ): `verbalize(..., marks=True)`.
- `ordinal(n, gender)`: الثالث، الحادية عشرة، الخامسة والستين.
- `verbalize`: an ordered tuple of regex rules (units and currency codes in Latin,
  versions and product names, Latin, dates Gregorian and Hijri, times, ranges,
  percent, currency, units, years, ordinals, counted nouns, plain numbers). Each
  rule writes words, so later rules never see its digits; context comes only from
  the words next to a number. Text without digits or symbols comes back unchanged.

Choices (one spelling, used everywhere):
- مئة, not مائة; hundreds joined: ثلاثمئة.
- Case comes from the governing words (context.py, governors.tsv): a glued بـ لـ كـ, a
  preposition or a noun in إضافة right before (في، في غضون، على مدى، نحو، بنسبة، مقتل…)
  give the genitive; إنّ right before the accusative, after a noun (its predicate) the
  nominative; كان the reverse; a transitive verb up to six words back in the clause
  the accusative (بلغ عدد القتلى خمسين، حفظت ثلاثين بيتا); a verb of change, or a verb
  news often writes in the passive (تراجع، قتل، زار), the accusative only after its
  subject or before a measure (تراجع المؤشر اثنين فاصلة واحد في المئة، قتل اثنا عشر
  شخصا). Both sides of فاصلة take the same case. Years are always genitive (عام ألفين
  وثمانية، مونديال ألفين واثنين وعشرين) and so are ordinal tens (القرن الحادي والعشرين).
  A score is read as it stands (ثلاثة مقابل واحد), genitive after بنتيجة.
- Before a counted noun (حضر المؤتمر 250 مندوبا) a number counts, never an ordinal, but
  القرن N is always a century and «الجولة N يوم…» a round; a number before صباحا/مساء… is
  an hour; before الـN a pronoun suffix is dropped (دورته → دورة) and a plural makes it a
  definite count (أيامه الأربعة عشر). Agencies: أ ف ب → فرانس برس، د ب أ → الوكالة
  الألمانية، أ ب → أسوشيتد برس. ص.ب → صندوق بريد (its ب is no preposition).
- A counted noun's gender comes from nouns.tsv (plurals with their singular's gender:
  عواصم f، مستشفيات m), then its ending (ة، ات); unknown nouns are masculine. 1 + noun
  is read noun + واحد (شخص واحد). After رقم a number is a label, masculine and
  counting nothing (القانون رقم اثني عشر لسنة…).
- Times: HH:MM is the hour as a feminine ordinal, then والربع / والنصف or the
  minutes counted (التاسعة وخمس وأربعون دقيقة); hours are read as written (14 →
  الرابعة عشرة), 0 as الثانية عشرة.
- Dates: day ordinal + من + month + year (العشرين من أغسطس ألفين وأربعة وعشرين);
  month names written in the text are kept, numeric months follow settings.months;
  a numeric date before هـ counts Hijri months (dates.py: الخامس من صفر … هجري), and
  «17 رجب» is السابع عشر من رجب. هـ / م after a year: هجري / ميلادي (هجرية / ميلادية
  after سنة); «N م» is metres after a measure word (على ارتفاع ألف متر).
- Units (units.tsv) and currencies (currencies.tsv), in Arabic and Latin abbreviations,
  are counted (خمسة كيلومترات، عشرون مليغراما، مئتا بار); an amount with the decimals
  of a subunit is read with it (اثنا عشر جنيها وخمسة وسبعون قرشا).
- Ranges read من … إلى … (بين … و… after بين); after a match word (فاز، تعادل،
  بنتيجة…) a dash is a score: … مقابل ….
- Numbers of ten or more digits with no separators (phones) are read digit by digit,
  and so are 3–6 digits to dial (الرقم 112، اتصل على 911، الخط الساخن 19000).
- Rates: كم/ساعة → كيلومترا في الساعة; decades: 1990s، الـ1990s → التسعينيات.
- Latin: settings.latin "spell" spells upper-case acronyms in Arabic letters (a few
  are read as words: ناتو، كوفيد) and says product names as Arabic anchors do
  (latin.tsv: آيفون، ويندوز، واي فاي); "read" keeps them. Other Latin words stay.
  5G is الجيل الخامس, said once where the words already name the generation; a product's
  number and a version are read as they stand (آي أو إس ثمانية عشر، سبعة عشر نقطة أربعة),
  and a model's hyphen joins its groups, no range (بوينغ سبعمئة وسبعة وثمانين تسعة).
- Ordinals carry their case ending where their noun's case is sure (في المركزِ الثالثِ); a
  count after a definite plural agrees with it (المتهمون الخمسةُ، الدول العشرين الأعضاء).
- URLs, e-mail addresses and hashtags are left exactly as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from string import Template
from types import MappingProxyType
from typing import Final, Literal

from ..arabic import GREGORIAN_MONTHS, LETTER_CLASS, LEVANTINE_MONTHS, MONTH_NUMBERS, alternation
from ..config import TextSettings
from .context import case_after, genders, is_pointed, is_preposition, kind_of, verb_like
from .dates import HIJRI_ALT, HIJRI_MARK, era_word, hijri_month, is_month_here, month_word
from .units import Currency, Noun, currencies, latin_words, units
from .words import State, strip_tags, tag, vowel_tags

__all__ = ["cardinal", "ordinal", "verbalize"]

Gender = Literal["m", "f"]
Case = Literal["nom", "acc", "gen"]

# --- cardinals -------------------------------------------------------------

_ONES_M: Final = ("صفر", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة")
_ONES_F: Final = ("صفر", "واحدة", "اثنتان", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثماني", "تسع", "عشر")
_TENS: Final = ("", "", "عشر", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثمان", "تسع")
_HUNDREDS: Final = ("", "مئة", "مئتان", "ثلاثمئة", "أربعمئة", "خمسمئة", "ستمئة", "سبعمئة", "ثمانمئة", "تسعمئة")
_DIGIT_NAMES: Final = _ONES_M[:10]


@dataclass(frozen=True)
class _Scale:
    """A power of a thousand: its singular (ألف) and plural (آلاف); the dual and
    the accusative tamyiz (ألفان، ألفا) are regular and built from the singular."""

    value: int
    one: str
    plural: str


_SCALES: Final = (
    _Scale(10**12, "تريليون", "تريليونات"),
    _Scale(10**9, "مليار", "مليارات"),
    _Scale(10**6, "مليون", "ملايين"),
    _Scale(10**3, "ألف", "آلاف"),
)
_SCALE_WORDS: Final = frozenset(s.one for s in _SCALES) | frozenset(s.plural for s in _SCALES)


def _check(gender: str, case: str) -> None:
    if gender not in ("m", "f") or case not in ("nom", "acc", "gen"):
        raise ValueError(f"gender must be m or f and case nom, acc or gen, not {gender!r}, {case!r}")


def _dual(word: str, case: str, construct: bool = False) -> str:
    """ألفان / ألفين, or in construct before a noun ألفا / ألفي."""
    if construct:
        return word + ("ا" if case == "nom" else "ي") + tag(case, "f")
    return word + ("ان" if case == "nom" else "ين") + tag(case, "f")


def _state(construct: bool) -> State:
    return "c" if construct else "t"


def _unit(d: int, gender: str, case: str, construct: bool = False) -> str:
    """1–10 standing alone: 1 and 2 agree with the noun, 3–10 take the opposite form."""
    if d == 2:
        return _dual("اثنت" if gender == "f" else "اثن", case)
    word = (_ONES_F if gender == "f" else _ONES_M)[d]
    if case == "acc" and not construct and d == 1 and gender == "m":
        word += "ا"  # تقلص العجز واحدا فاصلة ثمانية
    if case == "acc" and not construct and gender == "f" and d > 2:
        word += "ا"  # سجلت الحرارة خمسا وأربعين درجة
    elif d == 8 and gender == "f" and not construct:
        word = "ثمان"  # its ya goes where no noun follows and the case is not accusative: خلال ثمانٍ وأربعين ساعة
    return word + tag(case, _state(construct))


def _teen(n: int, gender: str, case: str) -> str:
    fem = gender == "f"
    built = tag(case, "b")
    if n == 11:
        return f"إحدى{built} عشرة{built}" if fem else f"أحد{built} عشر{built}"
    if n == 12:
        head = ("اثنتا" if fem else "اثنا") if case == "nom" else ("اثنتي" if fem else "اثني")
        head += tag(case, "f")
    else:
        head = (_ONES_F if fem else _ONES_M)[n - 10] + built
    return f"{head} {'عشرة' if fem else 'عشر'}{built}"


def _below_100(n: int, gender: str, case: str, construct: bool = False) -> str:
    if n <= 10:
        return _unit(n, gender, case, construct)
    if n < 20:
        return _teen(n, gender, case)
    tens, d = divmod(n, 10)
    word = _TENS[tens] + ("ون" if case == "nom" else "ين") + tag(case, "f")
    if not d:
        return word
    one = ("واحدا" if case == "acc" else "واحد") + tag(case, "t")  # بلغ واحدا وعشرين
    head = (f"إحدى{tag(case, 'f')}" if gender == "f" else one) if d == 1 else _unit(d, gender, case)
    return f"{head} و{word}"


def _below_1000(n: int, gender: str, case: str, construct: bool) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _below_100(rest, gender, case, construct)
    last = construct and not rest
    word = _dual("مئت", case, last) if hundreds == 2 else _HUNDREDS[hundreds] + tag(case, _state(last))
    return f"{word} و{_below_100(rest, gender, case, construct)}" if rest else word


def _scaled(k: int, scale: _Scale, case: str, construct: bool) -> str:
    """k thousands (millions…): ألف، ألفان، ثلاثة آلاف، أحد عشر ألفا، مئتا ألف، مئة ألف وألف;
    accusative ألفا when no noun follows (بلغ عدد القتلى ألفا ومئتين)."""
    if k == 1:
        return scale.one + ("ا" if case == "acc" and not construct else "") + tag(case, _state(construct))
    if k == 2:
        return _dual(scale.one, case, construct)
    rest = k % 100
    if rest == 0:
        return f"{_below_1000(k, 'm', case, True)} {scale.one}{tag('gen', _state(construct))}"
    if rest <= 2:
        head = f"{_below_1000(k - rest, 'm', case, True)} {scale.one}{tag('gen', 't')}"
        return f"{head} و{_scaled(rest, scale, case, construct)}"
    if rest <= 10:
        noun = scale.plural + tag("gen", _state(construct))
        return f"{_below_1000(k, 'm', case, True)} {noun}"
    noun = scale.one + ("" if construct else "ا") + tag("acc", _state(construct))
    return f"{_below_1000(k, 'm', case, False)} {noun}"


def cardinal(n: int, gender: Gender = "m", case: Case = "nom", construct: bool = False) -> str:
    """`n` in words. `gender` is the counted noun's; `construct` when that noun follows at once.

    cardinal(3, "f") == "ثلاث"; cardinal(20, case="gen") == "عشرين";
    cardinal(200, construct=True) == "مئتا"; cardinal(1_200_000) == "مليون ومئتا ألف".
    Numbers from a thousand trillion up are read digit by digit.
    """
    return strip_tags(_cardinal(n, gender, case, construct))


def _cardinal(n: int, gender: str = "m", case: str = "nom", construct: bool = False) -> str:
    """`cardinal` with a tag after each word it built (see words.py), for the vowelled form."""
    _check(gender, case)
    if n < 0:
        return "سالب " + _cardinal(-n, gender, "gen", construct)
    if n == 0:
        return "صفر" + tag(case, "t")
    if n >= 10**15:
        return _digits(str(n))
    parts, rest = [], n
    for scale in _SCALES:
        k, rest = divmod(rest, scale.value)
        if k:
            parts.append(_scaled(k, scale, case, construct and not rest))
    if rest:
        parts.append(_below_1000(rest, gender, case, construct))
    return " و".join(parts)


def _digits(digits: str) -> str:
    return " ".join(_DIGIT_NAMES[int(d)] for d in digits)


# --- ordinals --------------------------------------------------------------

_ORDINAL: Final = ("", "أول", "ثاني", "ثالث", "رابع", "خامس", "سادس", "سابع", "ثامن", "تاسع", "عاشر")


def _ordinal_unit(d: int, gender: str, compound: bool) -> str:
    if d == 1 and not compound:
        return "أولى" if gender == "f" else "أول"
    word = "حادي" if d == 1 else _ORDINAL[d]
    return word + ("ة" if gender == "f" else "")


def ordinal(n: int, gender: Gender = "m", case: Case = "gen") -> str:
    """The definite ordinal after a noun: الثالث، الثانية عشرة، الحادي والعشرين.

    Tens default to -ين, the form read after a noun (الدقيقة التسعين); from 100 up,
    the rest comes before بعد: الخامس والعشرين بعد المئة.
    """
    return strip_tags(_ordinal(n, gender, case))


def _ordinal(n: int, gender: str = "m", case: str = "gen") -> str:
    """`ordinal` with a tag after each word (words.py), for an ordinal whose case is known: it
    agrees with its noun (في المركزِ الثالثِ، الدورةُ الخامسةُ والعشرون)."""
    _check(gender, case)
    if n <= 0:
        raise ValueError(f"no ordinal for {n}")
    fem = gender == "f"
    declined, built = tag(case, "c"), tag(case, "b")
    if n <= 10:
        return "ال" + _ordinal_unit(n, gender, False) + declined
    if n < 20:
        return f"ال{_ordinal_unit(n - 10, gender, True)}{built} {'عشرة' if fem else 'عشر'}{built}"
    if n < 100:
        tens, d = divmod(n, 10)
        word = "ال" + _TENS[tens] + ("ون" if case == "nom" else "ين") + tag(case, "f")
        return f"ال{_ordinal_unit(d, gender, True)}{declined} و{word}" if d else word
    rest = n % 100
    base = "ال" + cardinal(n - rest, "m", "gen")
    return f"{_ordinal(rest, gender, case)} بعد {base}" if rest else base


def _said_ordinal(n: int, gender: Gender, case: Case | None) -> str:
    """The ordinal, vowelled where its case is known (`case`), bare where it is not; ordinal tens
    keep -ين in the nominative too, as news reads them (القرن الحادي والعشرين)."""
    if case is None or (case == "nom" and n % 100 >= 20):
        return ordinal(n, gender)
    return _ordinal(n, gender, case)


def _hour(h: int, case: Case | None = None) -> str:
    """The hour of a clock: الواحدة، الثانية…, feminine like الساعة."""
    h = h or 12
    return "الواحدة" if h == 1 else _said_ordinal(h, "f", case)


# --- nouns -----------------------------------------------------------------


_Noun = Noun
# Currencies by symbol, code or Arabic name (currencies.tsv) and units by abbreviation (units.tsv).
_CURRENCIES: Final = currencies()
_UNITS: Final = units()
_MINUTE: Final = _Noun("دقيقة", "دقائق", "دقيقة", "دقيقتان", "دقيقتين", "f")
# What follows a unit after "/": كم/ساعة → كيلومترا في الساعة.
_PER: Final = MappingProxyType(
    {
        **dict.fromkeys(("ساعة", "الساعة", "سا", "س"), "في الساعة"),
        **dict.fromkeys(("دقيقة", "الدقيقة", "د"), "في الدقيقة"),
        **dict.fromkeys(("ثانية", "الثانية", "ث"), "في الثانية"),
    }
)
_ERAS: Final = MappingProxyType({"هـ": "هجري", "ه": "هجري", "م": "ميلادي", "ق.م": "قبل الميلاد"})

# Genders of counted nouns (a plural gives its singular's): nouns.tsv, beside this module.
_FEMININE: Final = frozenset(word for word, gender in genders().items() if gender == "f")
_MASCULINE: Final = frozenset(word for word, gender in genders().items() if gender == "m")
# Words that follow a number without being what it counts.
_PARTICLES: Final = frozenset(
    (
        "في من إلى على عن مع منذ حتى أو ثم بين قبل بعد خلال عند لدى لم لن قد لا ما أن إن هذا هذه ذلك "
        "تلك التي الذي الذين حيث كما ضد عبر حول نحو حوالي فقط تقريبا عندما حين بينما أي أيضا مقابل وفق "
        "وفقا ليس كان كانت هي هو هم إذ لكن بل نصف ربع ثلث صباحا مساء ليلا فجرا ظهرا عصرا صفر "
        "لصالح لمصلحة بفضل بحسب بموجب لأجل لدى إزاء"
    ).split()
)
# After a number these make it an hour (من 8 صباحا إلى 4 مساء → من الثامنة صباحا…).
_DAY_PARTS: Final = ("صباحا", "مساء", "مساءً", "ليلا", "فجرا", "ظهرا", "عصرا")
# What governs a number's case (prepositions, construct nouns, verbs, إنّ/كان): governors.tsv, read by context.py.
# Words after which a 4-digit number counts rather than names a year (عدد الزوار 2022 زائرا).
_COUNT_WORDS: Final = frozenset(
    ("عدد العدد تعداد عددهم عددها عددهن قتل أصيب اعتقل أطلق ضم ضمت تضم يضم هناك يوجد توجد").split()
)
# After these a short number is dialled, so read digit by digit (الرقم 112، اتصل على 911).
_SERVICE_WORDS: Final = frozenset("الرقم بالرقم برقم للرقم الطوارئ الساخن المجاني الموحد".split())
# After these a number is a label (القانون رقم 12): masculine, genitive, counting nothing.
_LABEL_WORDS: Final = frozenset("رقم الرقم برقم بالرقم للرقم بريد".split())
_DECADE_STEMS: Final = MappingProxyType({t: _TENS[t] + "ينيات" for t in range(2, 10)})


def _gender(noun: str) -> Gender:
    """The counted noun's gender from a small list, then its ending (ة، ات); masculine by default."""
    if noun.endswith("ا") and noun[:-1] in _FEMININE:
        return "f"  # بئرا، أرضا: the tamyiz of 11–99 as written, its singular listed
    if noun in _FEMININE:
        return "f"
    if noun in _MASCULINE:
        return "m"
    if _PEOPLE_PLURAL_RE.fullmatch(noun):
        return "m"  # صيادلة، أساتذة، عمالقة: the فعاللة plural of a man's noun (صيدلي، أستاذ)
    if noun.endswith("ات") and _MASCULINE_MASDAR_RE.fullmatch(noun[:-2]):
        return "m"  # انتصارات، اجتماعات، تعديلات، إجراءات: plurals in ات of masculine masdars (ثمانية انتصارات)
    return "f" if noun.endswith(("ة", "ات")) else "m"


# Masdars of the derived forms, masculine (انتصار، استثمار، تعادل، إجراء), as the stem of a plural in ات.
_MASCULINE_MASDAR_RE: Final = re.compile(
    f"ا[{LETTER_CLASS}]{{2,3}}ا[{LETTER_CLASS}]|إ[{LETTER_CLASS}]{{2}}ا[{LETTER_CLASS}]|ت[{LETTER_CLASS}]ا[{LETTER_CLASS}]{{2}}"
)  # not تفعيل: تمريرات، تسديدات are plurals of the feminine تمريرة; the masculine ones (تعديلات) are in nouns.tsv
# The فَعالِلة broken plural (صيادلة، أساتذة، تلامذة، دكاترة): plurals of men's nouns, masculine for
# the count despite the ة; not مفاعلة masdars (مسابقة، مشاركة) nor nisbas in ية.
_PEOPLE_PLURAL_RE: Final = re.compile(f"(?!م)[{LETTER_CLASS}]{{2}}ا[{LETTER_CLASS}]{{2}}(?<!ي)ة")


def _is_noun(word: str) -> bool:
    """Could `word` be what a number before it counts? (not a particle, not definite)."""
    if not word or word in _PARTICLES or word.startswith(("ال", "وال", "بال", "فال", "كال", "لل", "ولل")):
        return False
    if word.startswith("و"):  # mostly "and …", unless a plural we know (وفيات، وزراء)
        return _is_known_noun(word) or word.endswith("اء")
    if word[0] in "بلك" and (word[1:] in _FEMININE or word[1:] in _MASCULINE):
        return False  # a preposition and its noun: رقم 12 لسنة 2011
    return not (word.startswith("ف") and word[1:] in _PARTICLES)


def _is_known_noun(word: str) -> bool:
    """A noun we know is counted: it stops a 4-digit number from being read as a year."""
    return word in _FEMININE or word in _MASCULINE or word in _SCALE_WORDS or word.endswith("ات")


# --- numbers as written ------------------------------------------------------


def _split(text: str) -> tuple[int, str]:
    if text.count(".") > 1:  # 1.000.000: dots between thousands
        text = text.replace(".", "")
    whole, _, fraction = text.replace(",", "").partition(".")
    return int(whole), fraction


def _fraction(digits: str, case: Case = "nom") -> str:
    """What follows فاصلة, in the case of the whole part: zeros one by one, then the rest as
    a number (long tails digit by digit)."""
    if len(digits) > 3:
        return _digits(digits)
    rest = digits.lstrip("0")
    case = "gen" if case == "acc" else case  # the digits after فاصلة take no tanween alif (فاصلة واحد)
    zeros = ["صفر"] * (len(digits) - len(rest))
    return " ".join(zeros + ([strip_tags(_cardinal(int(rest), "m", case))] if rest else []))  # left to the lexicon


def _number(text: str, gender: Gender = "m", case: Case = "nom", construct: bool = False) -> str:
    """A number as written ("1,200", "2.5") in words; decimals are read masculine, one case
    on both sides of فاصلة (بنحو ثلاثة فاصلة اثنين)."""
    whole, fraction = _split(text)
    if not fraction:
        return _cardinal(whole, gender, case, construct)
    return f"{_cardinal(whole, 'm', case)} فاصلة {_fraction(fraction, case)}"


def _with_noun(text: str, noun: str, case: Case, noun_follows: bool, following: str = "") -> str:
    """A number and the noun the writer put after it: ثلاث سنوات، مئتا شخص، شخص واحد، مليونا."""
    whole, fraction = _split(text)
    if fraction:
        return f"{_number(text, 'm', case)} {noun}"
    gender = _gender(noun)
    is_scale = any(noun == s.one for s in _SCALES)
    state = _state(noun_follows)
    if whole == 1:
        return noun + tag(case, state) if is_scale else f"{noun} {_unit(1, gender, case)}"
    if whole == 2 and is_scale:
        return _dual(noun, case, noun_follows)
    if whole == 2 and not noun.endswith(("ات", "ين", "ون", "ى", "ا", "اء")) and noun not in _PLURAL_NOUNS:
        return _dual(noun[:-1] + "ت" if noun.endswith("ة") else noun, case)  # 2 صاروخ → صاروخان
    rest = whole % 100
    if noun in _SCALE_WORDS:  # the writer's ألف، ملايين: tamyiz after 11–99, else genitive
        if is_scale and not noun_follows and rest > 10:
            noun += "ا"  # 20 ألف → عشرون ألفا (ألف شخص stays)
        noun += tag("acc" if rest > 10 else "gen", state)
    elif not following or following in _PARTICLES or following in _ADVERBS or _is_adjective(following):
        noun = _tag_counted(noun, whole)  # not before a noun it may be in إضافة with (فرصة عمل)
    return f"{_cardinal(whole, gender, case, True)} {noun}"


# Words after a counted noun that start a new phrase: its ending can be written (زائرٍ أمس).
_ADVERBS: Final = frozenset("أمس غدا اليوم الآن لصالح ضد فقط تقريبا أيضا".split())


def _is_adjective(word: str) -> bool:
    """Does a word after a counted noun look like its adjective (جديدة، مدرسية، عربيا) or start a
    new phrase (وخمسين، بالمدينة، للأسر), rather than a noun the counted noun is in إضافة with?"""
    if word.startswith(("و", "بال", "لل", "فال", "كال")) or word.endswith("وا"):
        return True  # a conjunct, a prepositional phrase, a plural verb (شخصا اعتقلوا)
    if word.startswith(("ب", "ل", "ك")) and not _is_known_noun(word):
        return True  # باتجاه، لصالح: a genitive noun never takes a preposition
    return not word.startswith("ال") and word.endswith(("ي", "ية", "يا", "يين", "يون", "يات", "ة", "ات"))


def _tag_counted(noun: str, whole: int) -> str:
    """The counted noun's case, for its ending: genitive after 3–10 (a plural) and after
    100s and 1000s, accusative after 11–99 (the tamyiz); a tag after its first word."""
    rest = whole % 100
    if 3 <= rest <= 10 or (rest == 0 and whole >= 100):
        case = "gen"
    elif rest > 10:
        case = "acc"
    else:
        return noun
    first, space, others = noun.partition(" ")
    return first + tag(case, "n" if 3 <= rest <= 10 else "d") + space + others


def _count(text: str, noun: _Noun, case: Case) -> str:
    """A number with a noun we write: دولار واحد، دولاران، ثلاثة دولارات، عشرون دولارا، مئة دولار."""
    whole, fraction = _split(text)
    if fraction:
        return f"{_number(text, 'm', case)} {noun.one}"
    if whole == 1:
        return f"{noun.one} {_unit(1, noun.gender, case)}"
    if whole == 2:
        return noun.dual_nom if case == "nom" else noun.dual_gen
    rest = whole % 100
    form = noun.plural if 3 <= rest <= 10 else noun.accusative if rest > 10 else noun.one
    return f"{_cardinal(whole, noun.gender, case, True)} {_tag_counted(form, whole)}"


# --- context -------------------------------------------------------------

_AR: Final = LETTER_CLASS
_WORD_RE: Final = re.compile(f"\\s+([{_AR}]+)(?![\\dـ{_AR}])")
_NUMBER_TOKEN_RE: Final = re.compile(r"\d[\d.,]*")
_YEAR_TOKEN_RE: Final = re.compile(r"(?:19|20)\d\d")  # في 2025 و3.6%: a year shares no case


def _bare(word: str) -> str:
    return strip_tags(word).strip("«»()[]\"'،؛:")


def _next_word(text: str, end: int) -> str:
    match = _WORD_RE.match(text, end)
    return match.group(1) if match else ""


def _forms(word: str) -> tuple[str, ...]:
    """A word and, after و or ف, the word without it (وبلغ → بلغ)."""
    return (word, word[1:]) if word[:1] in ("و", "ف") and len(word) > 2 else (word,)


def _clause(before: str, count: int) -> list[str]:
    """Up to `count` words before a number, nearest first, not reaching back past
    punctuation or an earlier number (those close the phrase the number belongs to)."""
    words = []
    for token in reversed(before.split()[-count:]):
        if token[-1].isdigit() or token[-1] in "،؛:,.!?؟…»)]\"'":
            break
        words.append(_bare(token))
        if token[0] in "«([\"'":  # «بلغ: the quote opens the phrase
            break
    return words


def _case(prefix: str, before: str, measure: bool = False, counted: str = "", construct: bool = True) -> Case:
    """The case a number takes from its glued prefix (بـ لـ كـ) or the words before it: a
    preposition or noun in إضافة, إنّ/كان and their sisters, a verb a few words back (the number
    is its object: بلغ عدد القتلى خمسين). `measure`: a percent, unit or currency follows."""
    prefix = prefix.replace("ـ", "").strip()
    if prefix and prefix[-1] in "بلك":
        return "gen"
    words = before.split()
    for back in (1, 2, 3):  # و5 shares the case of the number it joins: بين 3 و5، إلى 11 قتيلا و25، بين 4% و6%
        token = (words[-back] if len(words) >= back else "").rstrip("%٪")
        if prefix and _NUMBER_TOKEN_RE.fullmatch(token) and not _YEAR_TOKEN_RE.fullmatch(token):
            return _case("", " ".join(words[:-back]), measure)
    if not words:
        return "nom"
    last = _bare(words[-1])
    if last in _YEAR_WORDS and counted and _is_noun(counted) and counted not in _SCALE_WORDS:
        # منذ مطلع العام ألفًا وثلاثمئة إصابة: a count with its noun names no year; the phrase of time is passed over
        while words and (_bare(words[-1]) in _YEAR_WORDS or kind_of(_bare(words[-1])) == "gen"):
            words.pop()
        return case_after(_clause(" ".join(words), 12), measure, counted)
    if (
        last and kind_of(last) == "gen" and not is_pointed([last, _bare(words[-2]) if len(words) > 1 else ""], 0)
    ):  # a preposition, or a noun in إضافة, even across «
        return "gen"
    if _is_glued_noun(last):
        return "gen"  # بحفر اثنتي عشرة بئرا: a noun after بـ/لـ/كـ is genitive, and the number its إضافة
    if construct and _is_construct_head(words):
        return "gen"  # مرافعاتِ اثنين وعشرين محاميا، تنظيمَ مئتين وأربعين نشاطا
    if prefix == "و" and (joined := _joined_number(before)) is not None:
        return _case(joined["pre"], before[: joined.start()], measure)
    if (parallel := _parallel_number(before)) is not None:
        return _case(parallel["pre"], before[: parallel.start()], measure)
    return case_after(_clause(before, 12), measure, counted)  # أنفقت الوزارة على تجهيز … أربعين مليونا


# Words that start with ب/ل/ك but are not a preposition on a noun (بينما، لذلك، بحيث، كذلك، لكنه…).
_NOT_GLUED: Final = frozenset("بينما بعدما بحيث بدلا لذلك لذا لكن لكنه لكنها كذلك كما كلما كأن لأن بأن لعل ليس".split())


def _parallel_number(before: str) -> re.Match[str] | None:
    """The number of the clause before when this one repeats its phrase and leaves its verb out
    (وبلغت النسبة في الفرع العلمي تسعةً وسبعين، وفي الفرع الأدبي اثنين وخمسين): the same
    preposition and noun after و, nothing else but adjectives; the number takes that one's case."""
    words = _clause(before, 6)
    if len(words) < 2 or not re.fullmatch("و(?:في|على|إلى|لدى|عند|بين)", words[-1]):
        return None
    if any(kind_of(w) is not None or verb_like(w) for w in words[:-1]):
        return None
    head = before.rstrip()
    cut = head.rfind("،")
    phrase = f"{words[-1][1:]} {words[-2]}"
    start = head.rfind(phrase, 0, cut) if cut > 0 else -1
    if start < 0:
        return None
    return next(_EARLIER_NUMBER_RE.finditer(head, start, cut), None)


def _joined_number(before: str) -> re.Match[str] | None:
    """The earlier number a و-number is joined to, when only its own noun and phrases that govern
    nothing stand between (تضم القاعة تسعمئة مقعد في الطابق الأرضي ومئتين وخمسين مقعدا في الشرفة):
    no punctuation, no verb, listed or by its form, no إنّ/كان, a preposition only inside a phrase."""
    numbers = list(_EARLIER_NUMBER_RE.finditer(before))
    if not numbers or _YEAR_TOKEN_RE.fullmatch(numbers[-1].group(0).lstrip("وفبلكـ ")):
        return None
    between = before[numbers[-1].end() :].split()
    if not between or len(between) > 8 or any(t[-1] in "،؛:,.!?؟…»)]\"'" for t in between):
        return None
    for i, token in enumerate(between):
        word = _bare(token)
        kind = kind_of(word)
        if kind not in (None, "gen") or (kind == "gen" and i == len(between) - 1) or verb_like(word):
            return None
    return numbers[-1]


# Shapes of a noun a number is in إضافة with, when no word list has it: a masdar of the derived forms
# (تنظيم، تركيب، اختلاس، استيراد، إنتاج), فِعال (نطاق), a feminine noun in ة, a plural in ات (مرافعات، واردات).
_MASDAR_HEAD_RE: Final = re.compile(
    f"ت[{LETTER_CLASS}]{{2}}ي[{LETTER_CLASS}]|ا[{LETTER_CLASS}]{{2,3}}ا[{LETTER_CLASS}]|إ[{LETTER_CLASS}]{{2}}ا[{LETTER_CLASS}]"
    f"|[{LETTER_CLASS}]{{2}}ا[{LETTER_CLASS}]"
)
_CONSTRUCT_SHAPE_RE: Final = re.compile(f"[{LETTER_CLASS}]{{2,}}(?<!ي)ة|[{LETTER_CLASS}]{{3,}}ات")


def _is_construct_head(words: list[str]) -> bool:
    """Is the word right before a number an indefinite noun it is the genitive of (اختلاسِ تسعةِ ملايين،
    لفائدةِ مئةٍ وخمسين طفلا)? By its shape, when it is no verb, no listed word, not itself a counted
    noun (after a number) and no comma stands between."""
    if not words or not words[-1][-1:].isalpha():
        return False
    word = _forms(_bare(words[-1]))[-1]
    if word.startswith("ال") or kind_of(word) is not None or verb_like(word) or word in _PARTICLES:
        return False
    if len(words) > 1 and _NUMBER_TOKEN_RE.fullmatch(words[-2].rstrip("%٪")):
        return False  # خمس سنوات 3 مرات: the word counts the number before it
    if _MASDAR_HEAD_RE.fullmatch(word):
        return True
    # a noun in ة or ات only where it opens its phrase: after a preposition, verb or definite word, not
    # itself the genitive of an indefinite noun (أعلى درجة حرارة ثمانيًا وأربعين درجة: the number is the object)
    previous = _bare(words[-2]) if len(words) > 1 else ""
    governs = kind_of(previous) not in (None, "gen") or is_preposition(previous)
    opens = not previous or previous.startswith(("ال", "وال")) or governs or verb_like(previous)
    return opens and _CONSTRUCT_SHAPE_RE.fullmatch(word) is not None


def _is_glued_noun(word: str) -> bool:
    """Is a word an indefinite noun after a glued preposition (بحفر، لتوزيع، كمعدل)? A number after it is
    the noun's genitive (إضافة). Not a verb or particle that starts with those letters: a listed verb,
    a stem of two letters (بقي، لعب، بدأ), a form III stem (باشر، لاحق) or a word in _NOT_GLUED."""
    word = _forms(word)[-1]
    stem = word[1:]
    if word[:1] not in ("ب", "ل") or word in _NOT_GLUED or len(stem) < 3 or kind_of(word) is not None:
        return False
    if stem.startswith("ل") or stem.endswith(("ت", "وا")) or kind_of(stem) in ("object", "change", "kana", "inna"):
        return False  # لل… is definite; بيعت، لعبوا are verbs; a listed word decides for itself
    if stem.endswith(("ه", "ها", "هم", "هما", "هن")):
        return False  # وبثّته، بعضهم: a pronoun ends it, so no number can be its genitive
    return _MASDAR_SHAPE_RE.fullmatch(stem) is not None


# The shapes of a verbal noun or a short noun after a glued بـ/لـ (حفر، توزيع، إنتاج، استيراد، تبادل،
# صيانة، سرعة), not of a name (برشلونة، ليبيا، بغداد) nor of a verb (باشر، لاحق).
_MASDAR_SHAPE_RE: Final = re.compile(
    f"[{LETTER_CLASS}]{{3}}|ت[{LETTER_CLASS}]{{2}}ي[{LETTER_CLASS}]|إ[{LETTER_CLASS}]{{2}}ا[{LETTER_CLASS}]"
    f"|ا[{LETTER_CLASS}]{{2,3}}ا[{LETTER_CLASS}]|ت[{LETTER_CLASS}]ا[{LETTER_CLASS}]{{2}}|[{LETTER_CLASS}]{{2}}ا[{LETTER_CLASS}]ة"
    f"|[{LETTER_CLASS}]{{3}}ة"
)


def _known_case(prefix: str, before: str) -> Case | None:
    """The case of a word (an ordinal's noun, a date's day) where the words before it make it
    sure: genitive after a glued بـ لـ كـ or a preposition or construct noun (في المركزِ، يومِ),
    nominative at the head of the sentence; else None (left to the diacritizer)."""
    prefix = prefix.replace("ـ", "").strip()
    if prefix and prefix[-1] in "بلك":
        return "gen"
    words = before.split()
    if not words or (len(words) == 1 and words[0] in ("و", "ف")):
        return "nom"
    last = _bare(words[-1])
    if last and kind_of(last) == "gen" and not is_pointed([last, _bare(words[-2]) if len(words) > 1 else ""], 0):
        return "gen"
    return None


def _case_of_noun(noun: str, before: str) -> Case | None:
    """The case of a noun an ordinal follows, from its glued preposition (بالمركز، للمادة) or
    the words before it."""
    match = re.match(r"[وف]?([بلك])(?=ال|ل[^ا])", noun)
    return "gen" if match else _known_case("", before)


def _attach(prefix: str, words: str) -> str:
    """Glue a prefix (و ب لـ) to the first word: وألفين، بخمسة، للحادي."""
    prefix = prefix.replace("ـ", "").strip()
    if prefix.endswith("ل") and words.startswith("ال"):
        return prefix + words[1:]
    return prefix + words


def _words_before(m: re.Match[str], count: int) -> list[str]:
    return [_bare(w) for w in m.string[: m.start()].split()[-count:]]


# --- the rules -----------------------------------------------------------

# A glued prefix: و2000، ب15، بـ10، and لـ 25 / ول 25 once clean() has split or dropped the tatweel.
# A lone letter is a prefix only where a word could start: not the ب of ص.ب.
_PRE: Final = (
    r"(?P<pre>(?<![\w.])و[ \u00a0](?=\d)|(?:(?<![\w.])(?=[وفبلك])[وف]?(?:[بلك]ـ?[ ]?)?)?)"  # و 112 (a lone و) → ومئة…
)
_NUM: Final = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d+(?:\.\d+)?"
_END: Final = r"(?!\d|[.,:/\-]\d)"
# A number written earlier in the sentence, with its glued prefix (for a و-number joined to it).
_EARLIER_NUMBER_RE: Final = re.compile(f"{_PRE}(?<![\\d.,])(?:{_NUM})(?![\\d.,:/])")

_MONTHS_ALT: Final = alternation(MONTH_NUMBERS)
_YEAR_WORDS: Final = frozenset("عام العام عامي العامين سنة السنة".split())
_YEAR_PREPOSITIONS: Final = (
    "منذ في حتى خلال قبل بعد بين مطلع أوائل أواخر أواسط منتصف بداية نهاية صيف شتاء ربيع خريف مواليد"
).split()
_SCORE_STEMS: Final = ("فاز", "فوز", "تعادل", "نتيجة", "تغلب", "هزم", "خسر", "خسارة", "انتصر", "مباراة", "سحق", "الشوط")
_ORDINAL_NOUNS: Final[Mapping[str, Gender]] = MappingProxyType(
    {
        **dict.fromkeys(
            (
                "القرن الفصل الطابق البند المركز الأسبوع الجزء الباب الموسم الشوط المؤتمر اليوم الصف المستوى الجيل "
                "الدور الربع المقطع الإصدار المؤتمر اللقب الهدف"
            ).split(),
            "m",
        ),
        **dict.fromkeys(
            (
                "المادة الدقيقة الدورة المرحلة الجولة المرتبة الفقرة الصفحة الحلقة الذكرى النسخة الطبعة الفئة "
                "القمة الدفعة الدرجة السنة الليلة المرة الولاية الجلسة الجرعة الدائرة الحزمة المحاولة الموجة "
                "الشريحة الكتيبة"
            ).split(),
            "f",
        ),
    }
)
# Plurals before الـN: a definite count (أيامه الأربعة عشر), not an ordinal.
_PLURAL_NOUNS: Final = frozenset("أيام أعوام سنوات سنين أشهر شهور أسابيع ساعات دقائق ليال ليالي عقود قرون".split())
_FRACTIONS: Final = MappingProxyType(
    {(1, 2): "نصف", (1, 3): "ثلث", (2, 3): "ثلثان", (1, 4): "ربع", (3, 4): "ثلاثة أرباع"}
)
_DATE_WORDS: Final = frozenset("يوم اليوم تاريخ بتاريخ".split())

_LETTERS: Final = MappingProxyType(
    dict(
        zip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            ("إيه بي سي دي إي إف جي إتش آي جيه كيه إل إم إن أو بي كيو آر إس تي يو في دبليو إكس واي زد").split(),
        )
    )
)
_ACRONYM_WORDS: Final = MappingProxyType(
    {
        "NATO": "ناتو",
        "OPEC": "أوبك",
        "UNESCO": "يونسكو",
        "UNICEF": "يونيسف",
        "COVID": "كوفيد",
        "FIFA": "فيفا",
        "UEFA": "يويفا",
        "NASA": "ناسا",
        "ASEAN": "آسيان",
        "BRICS": "بريكس",
        "SWIFT": "سويفت",
        "COP": "كوب",
        "ISO": "أيزو",
        "AIDS": "إيدز",
        "UNRWA": "أونروا",
        "INTERPOL": "إنتربول",
    }
)


def _month(number: int, settings: TextSettings) -> str:
    gregorian, levantine = GREGORIAN_MONTHS[number - 1], LEVANTINE_MONTHS[number - 1]
    if settings.months == "levantine":
        return levantine
    return f"{gregorian} {levantine}" if settings.months == "both" else gregorian


def _year(text: str) -> str:
    """A year: genitive, as after an implied عام (ألفين وأربعة وعشرين)."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if year <= 50 else 1900
    return _cardinal(year, "m", "gen")


def _latin(m: re.Match[str], settings: TextSettings) -> str:
    """Acronyms spelled in Arabic letters (spell mode); digits glued to Latin read apart."""
    word, lead, tail = m["word"], m["lead"], m["num"]
    if lead and word == "G" and not tail and 2 <= int(lead) <= 9:  # 5G → الجيل الخامس
        lead, word = "", "الجيل " + ordinal(int(lead))
    if settings.latin == "spell" and word in latin_words():
        word = latin_words()[word]
    elif settings.latin == "spell" and word.isupper() and word.isascii():
        word = _ACRONYM_WORDS.get(word) or " ".join(_LETTERS[c] for c in word)
    parts = [cardinal(int(lead))] if lead else []  # a label (4K، 3D): no case ending
    parts.append(word)
    if tail:
        parts.append(cardinal(int(tail), "m", "gen"))  # F-16، A320، PS5: a model's number, as it stands
        if m["sub"]:
            parts.append(cardinal(int(m["sub"]), "m", "gen"))  # A350-1000: its variant, not a range
    model = m["model"]
    if m["year"]:
        parts.append(_year(m["year"]))  # Euro 2024: a year names the event
    elif model:  # iOS 18، Windows 11: the product's number; before an Arabic word it may count it
        parts.append(_model_number(model) if m["word"] in latin_words() else model)
    return " ".join(parts)


def _generation(m: re.Match[str], settings: TextSettings) -> str:
    """الجيل الخامس 5G → الجيل الخامس: the words already say the token; said once, not twice."""
    words, number = (m["w1"], m["n1"]) if m["w1"] else (m["w2"], m["n2"])
    if not 2 <= int(number) <= 9 or not words.endswith(ordinal(int(number))):
        return m.group(0)
    return words if m["w1"] else words.removeprefix("من ")


def _latin_code(m: re.Match[str], settings: TextSettings) -> str:
    """H1N1، B2B2 → إتش واحد إن واحد: letters and digits in turn, each read (spell mode) or kept."""
    spoken = []
    for run in re.findall(r"[A-Za-z]+|\d+", m.group(0)):
        if run.isdigit():
            spoken.append(cardinal(int(run)))
        elif settings.latin == "spell" and run.isupper():
            spoken.append(" ".join(_LETTERS[c] for c in run))
        else:
            spoken.append(run)
    return " ".join(spoken)


# News agencies as readers say them: (أ.ف.ب) / أ ف ب → فرانس برس، د.ب.أ → الوكالة الألمانية، أ.ب → أسوشيتد برس.
_AGENCIES: Final = MappingProxyType({"افب": "فرانس برس", "دبا": "الوكالة الألمانية", "اب": "أسوشيتد برس"})
_AGENCY_PATTERN: Final = (
    f"(?<![{_AR}.])(?:(?P<afp>[أا]\\.? ?ف\\.? ?ب)|(?P<dpa>د\\.? ?ب\\.? ?أ)|(?P<ap>أ\\. ?ب|أ ب))\\.?(?![{_AR}])"
)


def _agency(m: re.Match[str], settings: TextSettings) -> str:
    return _AGENCIES["افب" if m["afp"] else "دبا" if m["dpa"] else "اب"]


def _doctor(m: re.Match[str], settings: TextSettings) -> str:
    title = "الأستاذ الدكتور" if m["prof"] else "الدكتور"
    return _attach(m["pre"], title)


def _phone(m: re.Match[str], settings: TextSettings) -> str:
    plus = "زائد " if m["plus"] else ""
    return plus + " ".join(_digits(group) for group in m["num"].split("-"))


def _service(m: re.Match[str], settings: TextSettings) -> str:
    """اتصل على 911، الرقم 112، الخط الساخن 16000: a short number to dial, digit by digit, a comma after
    each (the last too, unless punctuation follows) so the voice says each one apart, in its pausal form
    (تسعة، واحد، واحد، مجانا), as an anchor does."""
    words = _clause(m.string[: m.start()], 2)
    if not words or _is_known_noun(_next_word(m.string, m.end())):
        return m.group(0)
    dialled = any(form in _SERVICE_WORDS for form in _forms(words[0]))
    called = words[0] == "على" and len(words) > 1 and "تصل" in words[1]  # اتصل، اتصلوا، الاتصال
    if not (dialled or called):
        return m.group(0)
    said = "، ".join(_digits(m["num"]).split())  # digit by digit, each one apart
    return said if re.match(r"\s*(?:[^\w\s]|$)", m.string[m.end() :]) else said + "،"


def _decade(m: re.Match[str], settings: TextSettings) -> str:
    """1990s، the 1990s، الـ1990s → التسعينيات; 1880s → ثمانينيات القرن التاسع عشر;
    2000s → العقد الأول من القرن الحادي والعشرين."""
    century, decade = divmod(int(m["y"]) // 10, 10)
    if decade < 2:
        spoken = f"العقد {ordinal(decade + 1)} من القرن {ordinal(century + 1)}"
    elif century == 19:
        spoken = "ال" + _DECADE_STEMS[decade]
    else:
        spoken = f"{_DECADE_STEMS[decade]} القرن {ordinal(century + 1)}"
    return _attach(m["pre"], spoken)


def _numeric_date(m: re.Match[str], settings: TextSettings) -> str:
    """20/08/2024, 20-08-2024, 2024-08-20 (and 08/20/2024) → العشرين من أغسطس ألفين وأربعة وعشرين."""
    a, b, c = m["a"], m["b"], m["c"]
    day, month, year = (c, b, a) if len(a) == 4 else (b, a, c) if int(b) > 12 >= int(a) else (a, b, c)
    if len(year) not in (2, 4) or not (1 <= int(day) <= 31 and 1 <= int(month) <= 12):
        return m.group(0)
    first = _said_ordinal(int(day), "m", _known_case(m["pre"], m.string[: m.start()]))
    if m["era"]:  # 5/2/1439هـ → الخامس من صفر ألف وأربعمئة وتسعة وثلاثين هجري
        spoken = f"{first} من {hijri_month(int(month))} {_cardinal(int(year), 'm', 'gen')} هجري"
    else:
        spoken = f"{first} من {_month(int(month), settings)} {_year(year)}"
    return _attach(m["pre"], spoken)


def _season(m: re.Match[str], settings: TextSettings) -> str:
    """العام 2023/2024، موسم 2023-2024 → العام ألفين وثلاثة وعشرين إلى ألفين وأربعة وعشرين."""
    if int(m["b"]) != int(m["a"]) + 1:
        return m.group(0)
    return f"{m['kw']} {_year(m['a'])} إلى {_year(m['b'])}"


def _fraction_unit(m: re.Match[str], settings: TextSettings) -> str:
    """1/2 كغ → نصف كيلوغرام."""
    fraction = _FRACTIONS.get((int(m["a"]), int(m["b"])))
    if fraction is None:
        return m.group(0)
    return _attach(m["pre"], f"{fraction} {_UNITS[m['unit']].one}")


def _month_year(m: re.Match[str], settings: TextSettings) -> str:
    month, year = int(m["mo"]), int(m["y"])
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        return m.group(0)
    return _attach(m["pre"], f"{_month(month, settings)} {_year(m['y'])}")


def _text_date(m: re.Match[str], settings: TextSettings) -> str:
    """5 يناير → الخامس من يناير (the month stays as written)."""
    day = int(m["day"])
    if not 1 <= day <= 31 or not is_month_here(m["month"], m.string, m.end()):
        return m.group(0)
    month = "ذي" + m["month"][2:] if m["month"].startswith("ذو ") else month_word(m["month"])  # من ذي الحجة
    return _attach(m["pre"], f"{_said_ordinal(day, 'm', _known_case(m['pre'], m.string[: m.start()]))} من {month}")


def _time(m: re.Match[str], settings: TextSettings) -> str:
    hour, minute = int(m["h"]), int(m["mi"])
    if hour > 24 or minute > 59:
        return m.group(0)
    case = _time_case(m["pre"], m.string[: m.start()])
    spoken = _hour(hour, case)
    if minute == 15:
        spoken += " والربع"
    elif minute == 30:
        spoken += " والنصف"
    elif minute:
        spoken += " و" + _count(str(minute), _MINUTE, case or "nom")
    if m["ampm"]:
        spoken += " صباحا" if m["ampm"] == "ص" else " مساء"
    return _attach(m["pre"], spoken)


_CLOCK_RE: Final = re.compile(r"\d{1,2}:\d{2}")


def _time_case(prefix: str, before: str) -> Case | None:
    """The case of a clock time, which its minutes share (they are joined to the hour by و):
    genitive after a preposition (بين الساعة التاسعة وخمسٍ وأربعين دقيقة، حتى الثالثة وعشر دقائق),
    accusative after الساعة standing as an adverb (تبدأ الجلسة الساعةَ العاشرةَ وخمسًا وعشرين دقيقة);
    a second time after و takes the first one's case; else None (the minutes read nominative)."""
    pre = prefix.replace("ـ", "").strip()
    if pre and pre[-1] in "بلك":
        return "gen"
    words = before.split()
    if pre.endswith("و") and words and _CLOCK_RE.fullmatch(words[-1]):
        earlier = re.search(f"{_PRE}{_CLOCK_RE.pattern}$", before.rstrip())
        return _time_case(earlier["pre"] if earlier else "", before.rstrip()[: earlier.start()] if earlier else "")
    hour_word = bool(words) and _bare(words[-1]) in ("الساعة", "تمام")
    while words and _bare(words[-1]) in ("الساعة", "تمام"):
        words.pop()
    last = _bare(words[-1]) if words else ""
    if last and kind_of(last) == "gen":
        return "gen"
    return "acc" if hour_word and words else None


def _is_score(m: re.Match[str]) -> bool:
    """A match word a few words back, and two whole numbers alone: a score, not a range
    (خسر السهم 10-15% and حضر المباراة 40-50 ألف are ranges)."""
    if m["pct"] or not (m["a"].isdigit() and m["b"].isdigit()):
        return False
    if _next_word(m.string, m.end()) in _SCALE_WORDS:
        return False
    return any(stem in word for word in _words_before(m, 6) for stem in _SCORE_STEMS)


def _range(m: re.Match[str], settings: TextSettings) -> str:
    """3-6 → من ثلاثة إلى ستة; a score after a match word: ثلاثة مقابل اثنين; 3:1 → ثلاثة إلى واحد."""
    a, b, pre = m["a"], m["b"], m["pre"]
    percent = " في المئة" if m["pct"] else ""
    if _is_score(m):  # a score is read as it stands (ثلاثة مقابل واحد), or genitive after بنتيجة
        case: Case = "gen" if _case(pre, m.string[: m.start()], construct=False) == "gen" else "nom"  # a team's name
        return _attach(pre, f"{_number(a, 'm', case)} مقابل {_number(b, 'm', 'gen')}{percent}")
    noun = _next_word(m.string, m.end())
    gender = _gender(noun) if _is_noun(noun) and not percent else "m"
    first, second = _number(a, gender, "gen"), _number(b, gender, "gen")
    if m["sep"] == ":":
        return _attach(pre, f"{_number(a, gender, _case(pre, m.string[: m.start()]))} إلى {second}{percent}")
    previous = (_words_before(m, 1) or [""])[0]
    if previous in ("بين", "عامي", "العامين") and not pre:
        return f"{first} و{second}{percent}"
    head = "" if kind_of(previous) == "gen" and not pre else "من "  # خلال 3-5 أيام, من 4-6 أشهر
    return _attach(pre, f"{head}{first} إلى {second}{percent}")


def _percent(m: re.Match[str], settings: TextSettings) -> str:
    case = _case(m["pre"], m.string[: m.start()], measure=True)  # تراجع اثنين فاصلة واحد في المئة
    return _attach(m["pre"], f"{_number(m['a'] or m['b'], 'm', case)} في المئة")


def _currency(m: re.Match[str], settings: TextSettings) -> str:
    """$5, 5$, 5 USD → خمسة دولارات; $2.5 مليار → اثنان فاصلة خمسة مليار دولار; $12.75 → اثنا عشر
    دولارا وخمسة وسبعون سنتا."""
    currency = _CURRENCIES[m["s1"] or m["s2"]]
    number, scale = m["n1"] or m["n2"], m["k1"] or m["k2"]
    case = _case(m["pre"], m.string[: m.start()], measure=True)
    if scale:
        spoken = f"{_with_noun(number, scale, case, True)} {currency.noun.one}"
    else:
        spoken = _money(number, currency, case)
    return _attach(m["pre"], spoken)


def _money(number: str, currency: Currency, case: Case) -> str:
    """An amount: with its subunit when the decimals count it (12.75 جنيه → اثنا عشر جنيها
    وخمسة وسبعون قرشا; 3.250 دينار → ثلاثة دنانير ومئتان وخمسون فلسا), else فاصلة."""
    whole, fraction = _split(number)
    digits = len(str(currency.per_unit)) - 1
    if not fraction or currency.subunit is None or len(fraction) != digits:
        return _count(number, currency.noun, case)
    cents = int(fraction)
    main = _count(str(whole), currency.noun, case) if whole else ""
    sub = _count(str(cents), currency.subunit, case) if cents else ""
    return " و".join(part for part in (main, sub) if part) or _count("0", currency.noun, case)


def _money_words(m: re.Match[str], settings: TextSettings) -> str:
    """12.75 جنيه، بسعر 3.5 ريال: an amount written before an Arabic currency name."""
    currency = _CURRENCIES[m["cur"]]
    case = _case(m["pre"], m.string[: m.start()], measure=True)
    return _attach(m["pre"], _money(m["num"], currency, case))


def _unit_after(m: re.Match[str], settings: TextSettings) -> str:
    """5 كم → خمسة كيلومترات; 2020 م → ألفين وعشرين ميلادي; 500 ق.م → خمسمئة قبل الميلاد."""
    unit = re.sub(r"\s", "", m["unit"])
    number, pre = m["num"], m["pre"]
    whole, fraction = _split(number)
    era = None if m["per"] or m["scale"] else _ERAS.get(unit)
    if era and not fraction and (unit != "م" or _is_era(m, whole)):
        year_word = (_words_before(m, 1) or [""])[0]
        return _attach(pre, f"{_cardinal(whole, 'm', 'gen')} {era_word(unit, year_word)}")
    unit = m["unit"] if m["unit"] in _UNITS else unit
    if unit not in _UNITS:  # هـ / ق.م with a rate after it: not a unit
        return m.group(0)
    case = _case(pre, m.string[: m.start()], measure=True)
    if m["scale"]:  # 35 ألف م² → خمسة وثلاثون ألف متر مربع
        spoken = f"{_with_noun(number, m['scale'], case, True)} {_UNITS[unit].one}"
    else:
        spoken = _count(number, _UNITS[unit], case)
    return _attach(pre, spoken + (f" {_PER[m['per']]}" if m["per"] else ""))


# Words of measure before «N م» make it metres (على ارتفاع ألف متر), not the era.
_MEASURE_STEMS: Final = ("طول", "ارتفاع", "عمق", "مسافة", "عرض", "قطر", "مساحة", "سباق", "سماك", "منسوب", "علو")


def _is_era(m: re.Match[str], whole: int) -> bool:
    """«N م»: ميلادي after a year word (عام، في، منذ) or for a bare 1000–2100, unless a measure
    word stands in the clause (بلغ طول الجسر ألفا ومئتي متر، على ارتفاع ألف متر)."""
    before = _clause(m.string[: m.start()], 4)
    if any(stem in word for word in before for stem in _MEASURE_STEMS):
        return False
    return 1000 <= whole <= 2100 or _is_year_word(m)


def _is_year_word(m: re.Match[str]) -> bool:
    """Is the word before a year keyword (عام، في، منذ…)? Then م after the number is ميلادي."""
    word = (_words_before(m, 1) or [""])[0]
    keywords = _YEAR_WORDS | frozenset(_YEAR_PREPOSITIONS)
    return word in keywords or (word[:1] in ("و", "ف", "ب", "ل") and word[1:] in keywords)


def _year_after(m: re.Match[str], settings: TextSettings) -> str:
    """عام 2008 → عام ألفين وثمانية; في 2003 → في ألفين وثلاثة; يناير 2020 → يناير ألفين وعشرين."""
    word, number = m["base"], m["num"]
    plain_year = word in _YEAR_WORDS and len(number) == 4 and 1900 <= int(number) <= 2100  # لسنة 2024 تعديلات
    if _is_known_noun(_next_word(m.string, m.end())) and not plain_year:
        return m.group(0)
    if word in _YEAR_WORDS:  # هذا العام 300 طالب: a three-digit number before a noun counts it
        is_year = len(number) >= 4 or (len(number) == 3 and not _is_noun(_next_word(m.string, m.end())))
    else:
        is_year = len(number) == 4 and (1900 <= int(number) <= 2100 or word not in _YEAR_PREPOSITIONS)
    if not is_year:
        return m.group(0)
    return f"{m.group(0)[: m.start('num') - m.start()]}{_year(number)}"


def _glued_year(m: re.Match[str], settings: TextSettings) -> str:
    """و2000 → وألفين: a year after و (عامي 2019 و2020)."""
    if not 1900 <= int(m["num"]) <= 2100 or _is_known_noun(_next_word(m.string, m.end())):
        return m.group(0)
    return _attach(m["pre"], _year(m["num"]))


def _hour_of_day(m: re.Match[str], settings: TextSettings) -> str:
    """8 صباحا → الثامنة صباحا: a number before صباحا، مساء، ليلا… is an hour."""
    hour = int(m["h"])
    return _attach(m["pre"], _hour(hour)) if hour <= 24 else m.group(0)


# Time words after «noun N» that it cannot count: the number is the ordinal (الجولة 5 يوم السبت).
_TIME_AFTER: Final = frozenset("يوم اليوم مساء صباح ليلة غدا أمس الأسبوع الشهر".split())


def _ordinal_gender(noun: str) -> Gender | Literal["hour"] | None:
    """The ordinal noun (القرن، المادة، الساعة) inside a word with its prefixes (وفي، للمادة)."""
    for candidate in (noun, noun[1:], noun[2:], "ا" + noun[1:], "ا" + noun[2:]):
        if candidate == "الساعة":
            return "hour"
        if candidate in _ORDINAL_NOUNS:
            return _ORDINAL_NOUNS[candidate]
    return None


def _ordinal_after(m: re.Match[str], settings: TextSettings) -> str:
    """القرن 21 → القرن الحادي والعشرين; المادة 12 → المادة الثانية عشرة; الساعة 11 → الساعة الحادية عشرة."""
    noun, number = m["noun"], int(m["num"])
    gender = _ordinal_gender(noun) or _ordinal_gender_with_pronoun(noun)  # دورته 45، بلقبه 20
    following = _next_word(m.string, m.end())
    counted = _is_tamyiz(following, number) and not following.endswith("يا")  # المركز 22 عالميا
    century = noun.endswith("قرن") and number <= 30 and following not in _SCALE_WORDS  # القرن 21 تحولات
    century = century or following in _TIME_AFTER  # الجولة 5 يوم السبت
    if gender is None or number == 0 or ((_is_known_noun(following) or counted) and not century):
        return m.group(0)  # حضر المؤتمر 250 مندوبا: a count, not the 250th
    case = _case_of_noun(noun, m.string[: m.start()])
    if gender == "hour":
        return f"{noun} {_hour(number, case)}" if number <= 24 else m.group(0)
    if len(m["num"]) == 4 and 1900 <= number <= 2100:
        return f"{noun} {_year(m['num'])}"
    return f"{noun} {_said_ordinal(number, 'f' if gender == 'f' else 'm', case)}"


def _ordinal_gender_with_pronoun(noun: str) -> Gender | Literal["hour"] | None:
    """دورته، بلقبه، ونسختها: an ordinal noun under a pronoun suffix (and a glued و/بـ/لـ)."""
    for suffix in ("هما", "هم", "ها", "ه"):
        if noun.endswith(suffix) and len(noun) - len(suffix) > 2:
            stem = noun[: -len(suffix)]
            stem = stem[:-1] + "ة" if stem.endswith("ت") and not stem.endswith("ات") else stem
            for candidate in (stem, stem[1:], stem[2:]):
                if len(candidate) > 2 and (gender := _ordinal_gender("ال" + candidate)) not in (None, "hour"):
                    return gender
    return None


def _dual_ordinal(m: re.Match[str], settings: TextSettings) -> str:
    """في الدقيقتين 23 و67 → في الدقيقتين الثالثة والعشرين والسابعة والستين (a dual ordinal noun)."""
    noun = m["noun"]
    stem = noun[:-3] if noun.endswith(("تين", "تان")) else noun[:-2]
    feminine = noun.endswith(("تين", "تان"))
    gender = _ordinal_gender(stem + "ة" if feminine else stem)
    if gender is None or gender == "hour" or not int(m["a"]) or not int(m["b"]):
        return m.group(0)
    g: Gender = "f" if gender == "f" else "m"
    return f"{noun} {ordinal(int(m['a']), g)} و{ordinal(int(m['b']), g)}"


def _date_range(m: re.Match[str], settings: TextSettings) -> str:
    """من 5 إلى 15 مارس → من الخامس إلى الخامس عشر من مارس; بين 3 و5 رجب; 5-7 مايو."""
    a, b = int(m["a"]), int(m["b"])
    if not (1 <= a < b <= 31) or not is_month_here(m["month"], m.string, m.end()):
        return m.group(0)
    month = "ذي" + m["month"][2:] if m["month"].startswith("ذو ") else month_word(m["month"])
    link = " و" if m["sep"].strip() == "و" else " إلى "
    head = "" if m["sep"].strip() in ("و", "إلى") or (_words_before(m, 1) or [""])[0] in ("من", "بين") else "من "
    first = _said_ordinal(a, "m", "gen" if head == "من " else _known_case(m["pre"], m.string[: m.start()]))
    second = _said_ordinal(b, "m", "gen" if link == " إلى " else None)
    return _attach(m["pre"], f"{head}{first}{link}{second} من {month}")


def _definite_ordinal(m: re.Match[str], settings: TextSettings) -> str:
    """الـ21 / ال21 → الحادي والعشرين, feminine after a feminine noun (الذكرى الـ75)."""
    number = int(m["num"])
    if number == 0:
        return m.group(0)
    raw = (_words_before(m, 1) or [""])[0]
    noun = _without_pronoun(raw)
    before = m.string[: m.start()].rstrip()
    case = _case_of_noun(raw, before[: len(before) - len(raw)]) if before.endswith(raw) and raw else None
    core = re.sub(r"^[وف]?(?:[بلك]?ال|لل)", "", noun) if len(noun) > 4 else noun  # بالذكرى → ذكرى
    sound_plural = noun.endswith(("ون", "ين")) and len(noun) >= 6  # المتهمون الـ5 → المتهمون الخمسة
    broken = "ال" + core not in _ORDINAL_NOUNS and _is_broken_plural(core)  # المصانع الـ9 → التسعة
    head = _plural_before_adjective(m, noun)
    if head and not (core in _PLURAL_NOUNS or sound_plural or broken or noun.endswith("ات")):
        return _attach(m["pre"], _definite_number(number, head, None))  # المستشفيات الحكومية الـ28 → الثمانية والعشرين
    if core in _PLURAL_NOUNS or sound_plural or broken or (noun.endswith("ات") and "ال" + core not in _ORDINAL_NOUNS):
        return _attach(m["pre"], _definite_number(number, noun, case))  # أيامه الأربعة عشر
    feminine = _ORDINAL_NOUNS.get("ال" + core, "f" if noun.endswith(("ة", "ى")) else "m") == "f"
    return _attach(m["pre"], _said_ordinal(number, "f" if feminine else "m", case))


def _plural_before_adjective(m: re.Match[str], adjective: str) -> str | None:
    """The definite plural before a definite nisba adjective that a الـN follows (المستشفيات الحكومية الـ28،
    المنتخبات العربية الـ12): the number counts that plural. Not a noun in إضافة (مباريات الجولة الـ5 is
    the fifth round), only an adjective of the ي/ية kind."""
    words = _words_before(m, 2)
    if len(words) < 2 or not re.fullmatch(f"ال[{LETTER_CLASS}]{{2,}}(?:ي|ية)", adjective):
        return None
    return _definite_plural(words[0])


def _definite_words(words: list[str]) -> list[str]:
    """ال on each part of a number joined by و (الخمسة والعشرين); the feminine 8 keeps its ya with ال
    (الثماني والأربعين ساعة، not الثمان)."""
    words = [re.sub("^ثمان(?![ي\u064a-\u0652])", "ثماني", w) for w in words]
    return ["ال" + words[0]] + [("وال" + w[1:] if w.startswith("و") else w) for w in words[1:]]


def _definite_number(number: int, plural: str, case: Case | None) -> str:
    """A count after its definite plural, agreeing with it: المتهمون الخمسةُ، الدولِ السبعِ والعشرين;
    a sound plural's ending tells its case (ون nominative), else the words before it do."""
    if plural.endswith("ون") and len(plural) >= 5:
        case = "nom"
    words = _cardinal(number, _gender(_singular_hint(plural)), case or "gen").split(" ")
    words = _definite_words(words)
    spoken = " ".join(words)
    return spoken if case else strip_tags(spoken)


def _singular_hint(plural: str) -> str:
    """المتهمون → المتهم for its gender: a sound plural is read by its singular's ending."""
    word = plural.removeprefix("ال")
    if word.endswith(("ون", "ين")) and len(word) >= 5 and word not in _FEMININE:
        return word[:-2]
    return word


def _definite_count(m: re.Match[str], settings: TextSettings) -> str:
    """الـ 24 ساعة → الأربع والعشرين ساعة: a definite number before the noun it counts, ال on
    each part joined by و (الخمسة والعشرين)."""
    number, noun = int(m["num"]), m["noun"]
    if not number or not (noun in _TIME_NOUNS or _is_known_noun(noun)) or noun in _SCALE_WORDS:
        return m.group(0)
    words = cardinal(number, _gender(noun), _case(m["pre"], m.string[: m.start()])).split(" ")
    words = _definite_words(words)
    return _attach(m["pre"], " ".join(words))


def _without_pronoun(noun: str) -> str:
    """دورته → دورة، نسختها → نسخة، أيامه → أيام: the noun under a pronoun suffix."""
    for suffix in ("هما", "هم", "ها", "كم", "نا", "ه", "ي"):
        stem = noun[: -len(suffix)]
        if noun.endswith(suffix) and len(stem) > 2:
            if stem.endswith("ت") and not stem.endswith("ات"):
                return stem[:-1] + "ة"
            if stem in _PLURAL_NOUNS or stem.endswith("ات"):
                return stem
    return noun


def _slash(m: re.Match[str], settings: TextSettings) -> str:
    """1/2 → نصف; 20/8 after يوم → العشرين من أغسطس; otherwise a على b (24/7)."""
    a, b = int(m["a"]), int(m["b"])
    if (a, b) in _FRACTIONS:
        return _attach(m["pre"], _FRACTIONS[a, b])
    if set(_words_before(m, 1)) & _DATE_WORDS and 1 <= a <= 31 and 1 <= b <= 12:
        return _attach(m["pre"], f"{ordinal(a)} من {_month(b, settings)}")
    return _attach(m["pre"], f"{_cardinal(a)} على {_cardinal(b)}")


def _minus(m: re.Match[str], settings: TextSettings) -> str:
    return "سالب "


def _era_slash(m: re.Match[str], settings: TextSettings) -> str:
    """1445 هـ/2024 م → … هجري الموافق … ميلادي."""
    return " الموافق "


def _plus(m: re.Match[str], settings: TextSettings) -> str:
    """90+3 (added time) → 90 زائد 3."""
    return " زائد "


def _is_tamyiz(noun: str, number: int) -> bool:
    """Does `noun` look like what 11–99 count (زائرا، شخصا): an indefinite accusative?"""
    return (
        number % 100 > 10
        and len(noun) > 2
        and noun.endswith("ا")
        and not noun.endswith("وا")
        and noun not in _PARTICLES
    )


def _is_named_year(m: re.Match[str], noun: str) -> bool:
    """مونديال 2022، رؤية 2030: a bare year right after a noun names it (إضافة, so genitive).

    Not after a verb (one starting with ي, or a counting word: عدد، قتل، هناك…) and not
    before what it could count (2022 زائرا، 2000 شخص).
    """
    number, words = m["num"], _clause(m.string[: m.start()], 4)
    if m["pre"] or len(number) != 4 or not number.isdigit() or not 1900 <= int(number) <= 2100:
        return False
    if not words or not re.fullmatch(f"[{_AR}]+", words[0]) or words[0] in _PARTICLES:
        return False
    if _forms(words[0])[-1].startswith("ي") or any(f in _COUNT_WORDS for w in words for f in _forms(w)):
        return False
    return not _is_known_noun(noun) and not _is_tamyiz(noun, int(number))


# A count a few words back, then a linking word right before this number: its noun is understood.
_EARLIER_COUNT_RE: Final = re.compile(
    f"\\d+ (?P<noun>[{_AR}]+)(?: [{_AR}]+){{0,5}} (?:[{_AR}]+ )?(?:من|إلى|أو|حتى|مقابل) ?$"
)
_FURTHER_NOUN_RE: Final = re.compile(f" (?:إلى|حتى|و) ?\\d+ (?P<noun>[{_AR}]+)(?![\\dـ{_AR}])")


def _plain(m: re.Match[str], settings: TextSettings) -> str:
    """Any other number, with the noun after it when there is one (ثلاثة أشخاص، في إحدى عشرة مدينة).

    After رقم it is a label, read masculine and never counting the word after it (القانون رقم
    اثني عشر لسنة…); after a noun a bare year names it (مونديال ألفين واثنين وعشرين).
    """
    pre, number, noun = m["pre"], m["num"], m["next"] or ""
    before = m.string[: m.start()]
    counted = _next_word(m.string, m.end()) if noun in _SCALE_WORDS else noun  # ثلاثون ألف زائر
    case = _case(
        pre, before, "." in number or "," in number and "." in number, counted=counted
    )  # a decimal is a measure
    after = (m["gap"] or "") + noun
    label = _clause(before, 1)
    if not pre and label and any(form in _LABEL_WORDS for form in _forms(label[0])):
        return _number(number, "m", "gen") + after
    if case == "nom" and _is_named_year(m, noun):
        return _year(number) + after
    if _is_noun(noun):
        if case == "nom" and _is_duration(noun, before):
            case = "acc"  # تعمل البطارية عشرين ساعة: a span of time after its clause's noun, not a subject
        following = _next_word(m.string, m.end())
        spoken = _with_noun(number, noun, case, _is_noun(following), following)
        adjective = m["adj"] or ""
        if adjective and number == "2" and not strip_tags(spoken).startswith("اثن"):  # صاروخين اعتراضيين
            adjective = adjective + ("ان" if case == "nom" else "ين")
        return _attach(pre, spoken) + adjective
    plural = _definite_plural(label[0]) if label and not pre and noun.startswith("ال") else None
    if plural and "." not in number and "," not in number:  # الدول 27 الأعضاء → الدول السبع والعشرين الأعضاء
        previous = before.rstrip()
        head_case = _case_of_noun(label[0], previous[: len(previous) - len(label[0])])
        return _definite_number(int(number), plural, head_case) + after + (m["adj"] or "")
    return _attach(pre, _number(number, _gender_further(m), case)) + after + (m["adj"] or "")


_BROKEN_PLURAL_RE: Final = re.compile(r"أ..ا.|..ا..|...اء|مدن|دول|قرى|سفن|طرق|مواد|بنود")


# The broken plural patterns a count follows (الـ14 after them is a cardinal, not an ordinal):
# مَفاعِل/مَفاعيل (المصانع، المشاريع), أفعال (الأسواق), فَعائل/فَواعِل (الرسائل، الشوارع), فُعَلاء (الوزراء),
# أفعِلة (الأجهزة); singulars of the same letters are left out by their ة or their ت (تعاون، مسابقة).
_BROKEN_PATTERN_RE: Final = re.compile(
    f"(?:م[{LETTER_CLASS}]ا[{LETTER_CLASS}]{{2}}|م[{LETTER_CLASS}]ا[{LETTER_CLASS}]ي[{LETTER_CLASS}]|أ[{LETTER_CLASS}]{{2}}ا[{LETTER_CLASS}]"
    f"|(?![تم])[{LETTER_CLASS}]{{2}}ا[{LETTER_CLASS}]{{2}}|[{LETTER_CLASS}]{{3}}اء)(?<!ة)|أ[{LETTER_CLASS}]{{3}}(?<!ي)ة"
)
# فُعول plurals news counts (the pattern alone is also a masdar: دخول، هجوم)
_FUOOL_PLURALS: Final = frozenset(
    "سدود بنود جسور حقول دروس جنود شروط قيود حدود بيوت فصول ملوك جيوش ديون قروض فروع سجون بحوث".split()
)


def _is_broken_plural(core: str) -> bool:
    """Is a word (without ال) a broken plural by its pattern or the فُعول list? (for الـN after it)"""
    if core in _FUOOL_PLURALS or core in _PLURAL_NOUNS:
        return True
    return _BROKEN_PATTERN_RE.fullmatch(core) is not None


def _definite_plural(word: str) -> str | None:
    """A definite plural a number may follow as its adjective (الدول، المتهمين، الوزارات): the
    plural without its prefixes, or None."""
    match = re.fullmatch(f"[وف]?(?:[بلك]?ال|لل)([{_AR}]{{3,}})", word)
    if match is None:
        return None
    core = match.group(1)
    sound = core.endswith(("ات", "ون", "ين")) and len(core) >= 5
    known = core in _PLURAL_NOUNS or _BROKEN_PLURAL_RE.fullmatch(core) is not None
    return "ال" + core if sound or known else None


_TIME_NOUNS: Final = frozenset(
    "ثانية ثوان دقيقة دقائق ساعة ساعات يوم يوما أيام أسبوع أسبوعا أسابيع شهر شهرا أشهر شهور "
    "عام عاما أعوام سنة سنوات سنين عقد عقود قرن قرون".split()
)


def _is_duration(noun: str, before: str) -> bool:
    """Does a count of time follow a definite noun that governs nothing (يغيب المدافع ثلاثة أسابيع،
    ممارسة الرياضة مئة وخمسين دقيقة)? Then it is an adverb of time, accusative."""
    words = _clause(before, 1)
    if noun not in _TIME_NOUNS or not words:
        return False
    word = re.sub(r"^[وف]?[بل]?(?=ال)", "", words[0])  # وبالسجن → السجن
    return word.startswith("ال") and len(word) > 3 and kind_of(word) is None


def _gender_further(m: re.Match[str]) -> Gender:
    """من 3 إلى 5 سنوات، بين 3 و5 سنوات: the noun after the second number sets the first's gender;
    a number whose noun is left out after من/إلى/أو/و takes it from the count before (من ثلاث
    حالات إلى خمس، سبع سنوات بدلا من أربع)."""
    further = _FURTHER_NOUN_RE.match(m.string, m.end("num"))
    if further and _is_noun(further["noun"]):
        return _gender(further["noun"])
    earlier = _EARLIER_COUNT_RE.search(m.string[: m.start()])
    return _gender(earlier["noun"]) if earlier and _is_noun(earlier["noun"]) else "m"


def _po_box(m: re.Match[str], settings: TextSettings) -> str:
    """ص.ب 1234 → صندوق بريد …: the ب is the abbreviation's, not a preposition."""
    return "صندوق بريد"


def _latin_name(m: re.Match[str], settings: TextSettings) -> str:
    """Wi-Fi → واي فاي (a name the Latin rule would cut at its hyphen)."""
    name = latin_words()[m["name"]] if settings.latin == "spell" else m["name"]
    return name + (f" {_model_number(m['num'])}" if m["num"] else "")


def _model_number(number: str) -> str:
    """The number of a product (Wi-Fi 7، Windows 11): a name, read as it stands, no case ending."""
    return cardinal(int(number))


def _model(m: re.Match[str], settings: TextSettings) -> str:
    """بوينغ 787-9 → بوينغ سبعمئة وسبعة وثمانين تسعة: each group of a model's number as it stands,
    masculine and genitive like a name after its maker (F-16 → إف ستة عشر); no range."""
    if m["lead"] is None and m["b"] is None:
        return m.group(0)  # after a Latin word with no hyphen: the latin rule reads it
    groups = [m["a"]] + ([m["b"]] if m["b"] else [])
    spoken = " ".join(_cardinal(int(g), "m", "gen") for g in groups)
    return f"{m['lead']} {spoken}" if m["lead"] else spoken


def _version(m: re.Match[str], settings: TextSettings) -> str:
    """iOS 17.4، الإصدار 2.1.3 → سبعة عشر نقطة أربعة: a version, its parts joined by نقطة."""
    return m["lead"] + " نقطة ".join(cardinal(int(part)) for part in m["v"].split("."))


def _latin_unit(m: re.Match[str], settings: TextSettings) -> str:
    """20 mg، 512 GB، 90 km/h → the unit in Arabic, counted."""
    spoken = _count(m["num"], _UNITS[m["unit"]], _case(m["pre"], m.string[: m.start()], measure=True))
    return _attach(m["pre"], spoken)


@dataclass(frozen=True)
class _Rule:
    """One shape of number: its pattern and how to say a match of it."""

    name: str
    pattern: re.Pattern[str]
    speak: Callable[[re.Match[str], TextSettings], str]


def _rule(name: str, pattern: str | re.Pattern[str], speak: Callable[[re.Match[str], TextSettings], str]) -> _Rule:
    return _Rule(name, pattern if isinstance(pattern, re.Pattern) else re.compile(pattern), speak)


def _grammar(template: str) -> re.Pattern[str]:
    """A rule's pattern written as grammar: re.VERBOSE (a literal space is [ ]), with the named
    parts below put in for $PRE, $NUM, $END, $AR… (string.Template; no {{}} doubling)."""
    return re.compile(Template(template).substitute(_PARTS), re.VERBOSE)


_CURRENCY_SYMBOLS: Final = "$€£₪"


def _alternation(words: Iterable[str]) -> str:
    """Longest first, escaped, a space inside a key optional (°C, ° C)."""
    return "|".join(re.escape(w).replace("\\ ", "[ ]?") for w in sorted(set(words), key=len, reverse=True))


_AR_UNIT_ALT: Final = _alternation(k for k in _UNITS if not k.isascii())
_LATIN_UNIT_ALT: Final = _alternation(k for k in _UNITS if k.isascii())
_CODE_ALT: Final = _alternation(k for k in _CURRENCIES if k.isascii() and k.isalpha())
_AR_CURRENCY_ALT: Final = _alternation(k for k in _CURRENCIES if not k.isascii() and len(k) > 1)
_LATIN_NAME_ALT: Final = _alternation(k for k in latin_words() if not k.isalpha())
# Words after which a number names a model (طراز 737-800، بوينغ 787-9), read as it stands.
_MODEL_WORDS: Final = "طراز الطراز موديل الموديل بوينغ بوينج إيرباص ايرباص إيرباس طرازات".split()
_MODEL_ALT: Final = "|".join(sorted(_MODEL_WORDS, key=len, reverse=True))
_PER_ALT: Final = "|".join(sorted(_PER, key=len, reverse=True))
_SCALE_ALT: Final = "|".join(sorted(_SCALE_WORDS, key=len, reverse=True))
_PARTS: Final = MappingProxyType(
    {
        "PRE": _PRE,  # a glued prefix: و، ف، بـ، لـ، كـ (and a lone و before the number)
        "NUM": f"(?:{_NUM})",  # 12، 1,200، 1.000.000، 2.5
        "END": _END,  # the number ends here (no more digits, no 3/4 or 3:4 after it)
        "AR": _AR,  # an Arabic letter
        "SCALE": f"(?:{_SCALE_ALT})",  # ألف، مليون، مليار…
        "AR_UNIT": f"(?:{_AR_UNIT_ALT})",  # كم، ملغ، °C… (units.tsv)
        "LATIN_UNIT": f"(?:{_LATIN_UNIT_ALT})",  # km، mg، GB… (units.tsv)
        "CODE": f"(?:{_CODE_ALT})",  # USD، EUR، SAR… (currencies.tsv)
        "AR_CURRENCY": f"(?:{_AR_CURRENCY_ALT})",  # دولار، جنيه، ريال… (currencies.tsv)
        "LATIN_NAME": f"(?:{_LATIN_NAME_ALT})",  # Wi-Fi… (latin.tsv)
        "PER": f"(?:{_PER_ALT})",  # /س، /ساعة، /ث
        "HIJRI_MARK": HIJRI_MARK,  # هـ
        "MODEL_WORD": f"(?:[وفبل]{{0,2}}(?:{_MODEL_ALT}))",  # طراز، بوينغ، إيرباص…
        "MONTH": f"(?:{_MONTHS_ALT}|{HIJRI_ALT})",  # يناير، كانون الثاني، رجب… (spaces escaped: verbose-safe)
    }
)

# Order matters: each rule writes words, so the rules after it never see those digits.
_RULES: Final = (
    _rule(
        "decade", r"(?<!\w)(?:[Tt]he\s+)?(?P<pre>[وفبلك]{0,2})(?:ال(?:ـ ?)?)?(?P<y>\d{3}0)['’]?s(?![A-Za-z\d])", _decade
    ),
    _rule(
        "latin_unit",  # 20 mg، 512 GB، 300 km/h
        _grammar(r"""
            (?<![\w/.,]) $PRE (?P<num>$NUM) $END [ ]?
            (?P<unit>$LATIN_UNIT) (?![A-Za-z\d/])
        """),
        _latin_unit,
    ),
    _rule(
        "currency_code",  # USD 5، 250 مليون USD
        _grammar(r"""
            (?<![\w.,]) $PRE
            (?: (?P<s1>$CODE) [ ]? (?P<n1>$NUM) $END (?:[ ](?P<k1>$SCALE))?
              | (?P<n2>$NUM) (?:[ ](?P<k2>$SCALE))? [ ]? (?P<s2>$CODE) )
            (?![A-Za-z])
        """),
        _currency,
    ),
    _rule(
        "version",  # iOS 17.4، الإصدار 2.1.3
        _grammar(r"""
            (?P<lead> (?<![A-Za-z]) (?:[A-Za-z][A-Za-z\-]* | الإصدار | إصدار | الإصدارة | تحديث | التحديث | النسخة) [ ])
            (?P<v> \d+ (?:\.\d+){1,2}) (?![\d.])
        """),
        _version,
    ),
    _rule(
        "latin_name",  # Wi-Fi 7
        _grammar(r"""
            (?<![A-Za-z]) (?P<name>$LATIN_NAME) (?![A-Za-z])
            (?:[ ] (?P<num>\d+) (?![\d.,:/%٪A-Za-z]))?
        """),
        _latin_name,
    ),
    _rule(
        "generation",  # الجيل الخامس 5G، 5G (الجيل الخامس): the generation said once
        _grammar(r"""
            (?<![$AR]) (?P<w1>[وفبل]{0,2}الجيل [ ] ال[$AR]+) [ ]? [(\[]? [ ]? (?P<n1>\d)G (?:[ ]?[)\]])? (?![A-Za-z\d])
          | (?<![A-Za-z\d]) (?P<n2>\d)G [ ]? [(\[]? [ ]? (?P<w2>(?:من[ ])?الجيل [ ] ال[$AR]+) (?:[ ]?[)\]])?
        """),
        _generation,
    ),
    _rule(
        "latin_code",  # H1N1، 2B2T: letters and digits alternating more than once
        _grammar(r"""
            (?<![A-Za-z\d]) (?: [A-Za-z]+\d+[A-Za-z]+ | \d+[A-Za-z]+\d+ ) [A-Za-z\d]* (?![A-Za-z\d])
        """),
        _latin_code,
    ),
    _rule(
        "model",  # بوينغ 787-9، طراز 737-800، Boeing 777-300: a model's number, not a range
        _grammar(r"""
            (?: (?<=[A-Za-z][ ]) | (?<![$AR]) (?P<lead>$MODEL_WORD) [ ] )
            (?P<a>\d+) (?:-(?P<b>\d+))? (?![\d:/%٪A-Za-z] | [.,\-]\d)
        """),
        _model,
    ),
    _rule(
        "latin",  # NATO، COVID-19، 5G، S26، iOS 18
        _grammar(r"""
            (?<![A-Za-z\d°]) (?P<lead>\d+)? (?P<word>[A-Za-z]+) (?:-?(?P<num>\d+) (?:-(?P<sub>\d+))?)? (?![A-Za-z\d])
            (?:[ ] (?P<year>(?:19|20)\d\d) (?![\d.,:/%٪A-Za-z])      # Euro 2024: a year names the event
              | [ ] (?P<model>\d+) (?![\d.,:/%٪A-Za-z] | [ ]?[$AR]))?   # a product's number, not a count
        """),
        _latin,
    ),
    _rule("po_box", _grammar(r"(?<![$AR]) ص\.[ ]?ب\.? (?=[ ]?\d)"), _po_box),
    _rule("agency", _AGENCY_PATTERN, _agency),
    _rule("doctor", f"(?<!\\S)(?P<pre>[وفل]?)(?P<prof>أ\\. ?)?د\\.(?![{_AR}]\\.)(?=\\s*[{_AR}])", _doctor),
    _rule(
        "season",
        r"(?<!\S)(?P<kw>[وفبل]{0,2}(?:ال)?(?:عام|موسم)(?: الدراسي| الرياضي)?)\s+"
        r"(?P<a>\d{4}) ?[/\-] ?(?P<b>\d{4})(?![\d/\-])",
        _season,
    ),
    _rule(
        "fraction_unit",
        f"(?<![\\w/]){_PRE}(?P<a>\\d)/(?P<b>\\d) ?(?P<unit>كلم|كم|كغ|كجم|كلغ|سم|مم|م)(?![{_AR}\\w/])",
        _fraction_unit,
    ),
    _rule(
        "date",  # 20/08/2024، 2024-08-20، 5/2/1439هـ
        _grammar(r"""
            (?<![\d/.\-]) $PRE
            (?P<a>\d{1,4}) (?P<sep>[/.\-]) (?P<b>\d{1,2}) (?P=sep) (?P<c>\d{1,4}) (?!\d|[/.\-]\d)
            (?:[ ]? (?P<era>$HIJRI_MARK))?   # a Hijri date
        """),
        _numeric_date,
    ),
    _rule("phone", r"(?<![\w+])(?P<plus>\+)?(?P<num>\d{10,}|\d+(?:-\d+){2,})(?![\w])", _phone),
    _rule("service", f"(?<!\\S)(?P<num>\\d{{3,6}}){_END}(?! ?[%٪{_CURRENCY_SYMBOLS}°])", _service),
    _rule("month_year", f"(?<!\\w){_PRE}(?P<mo>\\d{{1,2}})/(?P<y>\\d{{4}})(?![\\d/])", _month_year),
    _rule(
        "date_range",  # من 5 إلى 15 مارس، بين 3 و5 رجب، 5-7 مايو
        _grammar(r"""
            (?<!\w) $PRE (?P<a>\d{1,2}) (?P<sep>[ ]?[-–][ ]? | [ ]إلى[ ] | [ ]و[ ]?) (?P<b>\d{1,2})
            \s+ (?P<month>$MONTH) (?![$AR])
        """),
        _date_range,
    ),
    _rule(
        "text_date", f"(?<!\\w){_PRE}(?P<day>\\d{{1,2}})\\s+(?P<month>{_MONTHS_ALT}|{HIJRI_ALT})(?![{_AR}])", _text_date
    ),
    _rule(
        "time", f"(?<![\\d:.]){_PRE}(?P<h>\\d{{1,2}}):(?P<mi>\\d{{2}})(?![\\d:])(?: (?P<ampm>ص|م)(?![{_AR}]))?", _time
    ),
    _rule(
        "minus_after", f"(?<![\\w.,\\-−])(?=\\d+(?:\\.\\d+)?[-−]\\s+[{_AR}])", _minus
    ),  # إلى 1- درجة (typed right to left)
    _rule("minus_sign_after", f"(?<=\\d)[-−](?=\\s+[{_AR}])", lambda m, settings: ""),
    _rule("minus", r"(?<!\S)[-−](?=\d)", _minus),
    _rule("era_slash", f"(?:(?<=\\dهـ)|(?<=\\d هـ)) ?/ ?(?=\\d{{3,4}} ?م(?![{_AR}]))", _era_slash),
    _rule(
        "range",
        f"(?<![\\w.,/:\\-]){_PRE}(?P<a>{_NUM}) ?(?P<sep>[-–—:]) ?(?P<b>{_NUM})(?P<pct> ?[%٪])?"
        r"(?!\d|[/:\-]\d|[.,]\d)",
        _range,
    ),
    _rule("percent", f"(?<!\\w){_PRE}(?:(?P<b>{_NUM}) ?[%٪]|[%٪] ?(?P<a>{_NUM}){_END})", _percent),
    _rule(
        "currency",
        f"(?<!\\w){_PRE}(?:(?P<s1>[{_CURRENCY_SYMBOLS}]) ?(?P<n1>{_NUM}){_END}(?: (?P<k1>{_SCALE_ALT}))?"
        f"|(?P<n2>{_NUM})(?: (?P<k2>{_SCALE_ALT}))? ?(?P<s2>[{_CURRENCY_SYMBOLS}])(?!\\d))",
        _currency,
    ),
    _rule(
        "money_words",  # 12.75 جنيه، 3.250 دينار
        _grammar(r"""
            (?<![\w.,]) $PRE (?P<num>\d+\.\d{2,3}) [ ]? (?P<cur>$AR_CURRENCY) (?![$AR])
        """),
        _money_words,
    ),
    _rule(
        "unit",  # 5 كم، 35 ألف م مربع، 80 كم/س، 2020 م، 1445 هـ، 500 ق.م
        _grammar(r"""
            (?<![\w/]) $PRE (?P<num>$NUM) $END
            (?:[ ] (?P<scale>$SCALE))? [ ]?
            (?P<unit> ق\.[ ]?م | هـ | ه | $AR_UNIT)
            (?:[ ]?/[ ]? (?P<per>$PER))?
            (?![$AR\w])
        """),
        _unit_after,
    ),
    _rule(
        "year",
        f"(?<!\\S)(?P<kw>[وفبل]{{0,2}}(?P<base>{'|'.join([*_YEAR_WORDS, *_YEAR_PREPOSITIONS])}"
        f"|{_MONTHS_ALT}))\\s+(?P<num>\\d{{1,4}}){_END}(?! ?[%{_CURRENCY_SYMBOLS}°])",
        _year_after,
    ),
    _rule("glued_year", r"(?<!\w)(?P<pre>[وف])(?P<num>\d{4})" + _END, _glued_year),
    _rule("plus", r"(?<=\d) ?\+ ?(?=\d)", _plus),
    _rule("hour", f"(?<![\\w/.,]){_PRE}(?P<h>\\d{{1,2}})(?= (?:{'|'.join(_DAY_PARTS)})(?![{_AR}]))", _hour_of_day),
    _rule(
        "dual_ordinal",  # الدقيقتين 23 و67، المادتين 5 و6
        _grammar(r"""
            (?<!\S) (?P<noun>[$AR]+(?:ين|ان)) [ ] (?P<a>\d{1,3}) $END [ ]? و[ ]? (?P<b>\d{1,3}) $END
        """),
        _dual_ordinal,
    ),
    _rule("ordinal", f"(?<!\\S)(?P<noun>[{_AR}]+)\\s+(?:ال(?:ـ ?)?)?(?P<num>\\d+){_END}", _ordinal_after),
    _rule(
        "definite_count",  # خلال الـ 24 ساعة الماضية → خلال الأربع والعشرين ساعة الماضية
        _grammar(r"""
            (?<!\S) (?P<pre>[وفبل]{0,2}) ال(?:ـ)?[ ]? (?P<num>\d+) $END
            (?=[ ](?P<noun>[$AR]+) (?![\dـ$AR]))
        """),
        _definite_count,
    ),
    _rule("definite_ordinal", r"(?<!\S)(?P<pre>[وفبل]{0,2})ال(?:ـ ?)? ?(?P<num>\d+)" + _END, _definite_ordinal),
    _rule("slash", f"(?<![\\w/]){_PRE}(?P<a>\\d+)/(?P<b>\\d+)(?![\\d/])", _slash),
    _rule(
        "plain",  # any other number, with the noun after it (and a nisba adjective, for a dual)
        _grammar(r"""
            (?<!\w) $PRE (?P<num>$NUM) (?!\d)
            (?: (?P<gap>[ ]) (?P<next>[$AR]+) (?![\dـ$AR])
                (?P<adj> [ ][$AR]{2,}ي (?![\dـ$AR]))? )?
        """),
        _plain,
    ),
)

_PROTECTED_RE: Final = re.compile(r"(https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+|#\S+)")
_TRIGGER_RE: Final = re.compile(f"[\\d%٪A-Za-z{_CURRENCY_SYMBOLS}°]|د\\.|{_AGENCY_PATTERN}")


# A comma before 1–2 digits then a scale, unit or percent is a decimal mark (12,5 مليار، 1,5%).
_COMMA_DECIMAL_RE: Final = re.compile(
    f"(?<![\\d,.])(\\d{{1,3}}),(?=\\d{{1,2}} ?(?:[%٪{_CURRENCY_SYMBOLS}]|(?:{_SCALE_ALT}|كم|كلم|كغ|سم|مم|م"
    f"|في المئة|بالمئة|دولار|يورو|درجة|درجات)(?![{_AR}])))"
)


def _ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits (any decimal digit) as ASCII; ٫ ٬ between digits as . ,"""
    text = re.sub(r"\d", lambda m: str(unicodedata.decimal(m.group())), text)
    text = re.sub(r"(?<=\d)٫(?=\d)", ".", text)
    text = _COMMA_DECIMAL_RE.sub(r"\1.", text)  # 12,5 مليار → 12.5 مليار
    return re.sub(r"(?<=\d)٬(?=\d{3})", ",", text)


def _speak(text: str, settings: TextSettings) -> str:
    text = _ascii_digits(text)
    for rule in _RULES:
        text = _apply(rule, text, settings)
    return text


def _apply(rule: _Rule, text: str, settings: TextSettings) -> str:
    return rule.pattern.sub(lambda m: rule.speak(m, settings), text)


def verbalize(text: str, settings: TextSettings = TextSettings(), *, marks: bool = False) -> str:
    """Return `text` with digits, dates, percents, currency and abbreviations in words.

    One cleaned sentence in, the words the voice should read out; punctuation and
    every word without a number or symbol stay as they are. URLs, e-mail addresses
    and hashtags are not touched. With `marks`, the number words come fully vowelled,
    their case ending included (خَمْسِمِئَةٍ), so that the diacritizer, which keeps the
    marks it is given, reads them in the case the sentence gives them.
    """
    if not _TRIGGER_RE.search(text):
        return text
    pieces = _PROTECTED_RE.split(text)
    spoken = "".join(piece if i % 2 else _speak(piece, settings) for i, piece in enumerate(pieces))
    return vowel_tags(spoken) if marks else strip_tags(spoken)
