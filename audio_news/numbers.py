"""Numbers and symbols read as Modern Standard Arabic words, the way a news reader says them.

Part of the normalize stage: `verbalize` turns one cleaned sentence into what the
voice reads (the transcript keeps the digits). Libraries get news Arabic wrong (no
gender, no case, مئتا for 200), so the grammar lives here:

- `cardinal(n, gender, case)`: `gender` is the counted noun's (3–10 take the
  opposite form: ثلاثة أشخاص، ثلاث سنوات); `case` picks -ون/-ين, اثنان/اثنين,
  مئتان/مئتين; `construct` gives مئتا/ألفا when a noun follows.
- `ordinal(n, gender)`: الثالث، الحادية عشرة، الخامسة والستين.
- `verbalize`: an ordered tuple of regex rules (Latin, dates, times, ranges,
  percent, currency, units, years, ordinals, counted nouns, plain numbers). Each
  rule writes words, so later rules never see its digits; context comes only from
  the words next to a number. Text without digits or symbols comes back unchanged.

Choices (one spelling, used everywhere):
- مئة, not مائة; hundreds joined: ثلاثمئة.
- Case is read from the word before: a preposition or a noun in إضافة (في، من،
  نحو، حوالي، عام، بنسبة… and the prefixes بـ لـ كـ) gives the genitive, إن/أن
  the accusative, anything else the nominative. A verb whose object is the number
  (بلغ، البالغ، تجاوز، سجل، حقق، يعادل…) up to five words back in the same clause (no
  punctuation or other number between) gives the accusative: بلغ عدد القتلى خمسين،
  ألفا ومئتين. Both sides of فاصلة take the same case. Years are always genitive
  (عام ألفين وثمانية، and after a noun: مونديال ألفين واثنين وعشرين) and so are ordinal
  tens (القرن الحادي والعشرين), as read on air.
- Before a counted noun (حضر المؤتمر 250 مندوبا) a number counts, never an ordinal; a number
  before صباحا/مساء/ليلا… is an hour; before الـN a pronoun suffix is dropped (دورته → دورة)
  and a plural makes it a definite count (أيامه الأربعة عشر). Agencies: أ ف ب → فرانس برس،
  د ب أ → الوكالة الألمانية، أ ب → أسوشيتد برس.
- Agreement looks only at the word right before or after a number; after رقم a number
  is a label, masculine and counting nothing (القانون رقم اثني عشر لسنة…).
- Times: HH:MM is the hour as a feminine ordinal, then والربع / والنصف or the
  minutes counted (التاسعة وخمس وأربعون دقيقة); hours are read as written (14 →
  الرابعة عشرة), 0 as الثانية عشرة.
- Dates: day ordinal + من + month + year (العشرين من أغسطس ألفين وأربعة وعشرين);
  month names written in the text are kept, numeric months follow settings.months.
- Ranges read من … إلى … (بين … و… after بين); after a match word (فاز، تعادل،
  بنتيجة…) a dash is a score: … مقابل ….
- A counted noun's gender comes from a small word list, then its ending (ة، ات);
  unknown nouns are masculine. 1 + noun is read noun + واحد (شخص واحد).
- Numbers of ten or more digits with no separators (phones) are read digit by digit,
  and so are 3–6 digits to dial (الرقم 112، اتصل على 911، الخط الساخن 19000).
- Rates: كم/ساعة → كيلومترا في الساعة; decades: 1990s، الـ1990s → التسعينيات.
- Latin: settings.latin "spell" spells upper-case acronyms in Arabic letters (a few
  are read as words: ناتو، كوفيد); "read" keeps them. Other Latin words stay.
- URLs, e-mail addresses and hashtags are left exactly as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from .arabic import GREGORIAN_MONTHS, LETTER_CLASS, LEVANTINE_MONTHS, MONTH_NUMBERS, alternation
from .config import TextSettings

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
        return word + ("ا" if case == "nom" else "ي")
    return word + ("ان" if case == "nom" else "ين")


def _unit(d: int, gender: str, case: str) -> str:
    """1–10 standing alone: 1 and 2 agree with the noun, 3–10 take the opposite form."""
    if d == 2:
        return _dual("اثنت" if gender == "f" else "اثن", case)
    return (_ONES_F if gender == "f" else _ONES_M)[d]


def _teen(n: int, gender: str, case: str) -> str:
    fem = gender == "f"
    if n == 11:
        return "إحدى عشرة" if fem else "أحد عشر"
    if n == 12:
        head = ("اثنتا" if fem else "اثنا") if case == "nom" else ("اثنتي" if fem else "اثني")
    else:
        head = _unit(n - 10, gender, case)
    return f"{head} {'عشرة' if fem else 'عشر'}"


def _below_100(n: int, gender: str, case: str) -> str:
    if n <= 10:
        return _unit(n, gender, case)
    if n < 20:
        return _teen(n, gender, case)
    tens, d = divmod(n, 10)
    word = _TENS[tens] + ("ون" if case == "nom" else "ين")
    if not d:
        return word
    one = "واحدا" if case == "acc" else "واحد"  # بلغ واحدا وعشرين
    head = ("إحدى" if gender == "f" else one) if d == 1 else _unit(d, gender, case)
    return f"{head} و{word}"


def _below_1000(n: int, gender: str, case: str, construct: bool) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _below_100(rest, gender, case)
    word = _dual("مئت", case, construct and not rest) if hundreds == 2 else _HUNDREDS[hundreds]
    return f"{word} و{_below_100(rest, gender, case)}" if rest else word


def _scaled(k: int, scale: _Scale, case: str, construct: bool) -> str:
    """k thousands (millions…): ألف، ألفان، ثلاثة آلاف، أحد عشر ألفا، مئتا ألف، مئة ألف وألف;
    accusative ألفا when no noun follows (بلغ عدد القتلى ألفا ومئتين)."""
    if k == 1:
        return scale.one + ("ا" if case == "acc" and not construct else "")
    if k == 2:
        return _dual(scale.one, case, construct)
    rest = k % 100
    if rest == 0:
        return f"{_below_1000(k, 'm', case, True)} {scale.one}"
    if rest <= 2:
        return f"{_below_1000(k - rest, 'm', case, True)} {scale.one} و{_scaled(rest, scale, case, construct)}"
    noun = scale.plural if rest <= 10 else scale.one + ("" if construct else "ا")
    return f"{_below_1000(k, 'm', case, False)} {noun}"


def cardinal(n: int, gender: Gender = "m", case: Case = "nom", construct: bool = False) -> str:
    """`n` in words. `gender` is the counted noun's; `construct` when that noun follows at once.

    cardinal(3, "f") == "ثلاث"; cardinal(20, case="gen") == "عشرين";
    cardinal(200, construct=True) == "مئتا"; cardinal(1_200_000) == "مليون ومئتا ألف".
    Numbers from a thousand trillion up are read digit by digit.
    """
    _check(gender, case)
    if n < 0:
        return "سالب " + cardinal(-n, gender, "gen", construct)
    if n == 0:
        return "صفر"
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
    _check(gender, case)
    if n <= 0:
        raise ValueError(f"no ordinal for {n}")
    fem = gender == "f"
    if n <= 10:
        return "ال" + _ordinal_unit(n, gender, False)
    if n < 20:
        return f"ال{_ordinal_unit(n - 10, gender, True)} {'عشرة' if fem else 'عشر'}"
    if n < 100:
        tens, d = divmod(n, 10)
        word = "ال" + _TENS[tens] + ("ون" if case == "nom" else "ين")
        return f"ال{_ordinal_unit(d, gender, True)} و{word}" if d else word
    rest = n % 100
    base = "ال" + cardinal(n - rest, "m", "gen")
    return f"{ordinal(rest, gender, case)} بعد {base}" if rest else base


def _hour(h: int) -> str:
    """The hour of a clock: الواحدة، الثانية…, feminine like الساعة."""
    h = h or 12
    return "الواحدة" if h == 1 else ordinal(h, "f")


# --- nouns -----------------------------------------------------------------


@dataclass(frozen=True)
class _Noun:
    """A noun this module writes itself (a currency or unit), in the forms counting needs."""

    one: str
    plural: str
    accusative: str
    dual_nom: str
    dual_gen: str
    gender: Gender = "m"


_CURRENCIES: Final = MappingProxyType(
    {
        "$": _Noun("دولار", "دولارات", "دولارا", "دولاران", "دولارين"),
        "€": _Noun("يورو", "يورو", "يورو", "يوروان", "يوروين"),
        "£": _Noun("جنيه إسترليني", "جنيهات إسترلينية", "جنيها إسترلينيا", "جنيهان إسترلينيان", "جنيهين إسترلينيين"),
        "₪": _Noun("شيكل", "شواكل", "شيكلا", "شيكلان", "شيكلين"),
    }
)
_KM: Final = _Noun("كيلومتر", "كيلومترات", "كيلومترا", "كيلومتران", "كيلومترين")
_CELSIUS: Final = _Noun("درجة مئوية", "درجات مئوية", "درجة مئوية", "درجتان مئويتان", "درجتين مئويتين", "f")
_KG: Final = _Noun("كيلوغرام", "كيلوغرامات", "كيلوغراما", "كيلوغرامان", "كيلوغرامين")
_UNITS: Final = MappingProxyType(
    {
        "كم": _KM,
        "كلم": _KM,
        "كغ": _KG,
        "كجم": _KG,
        "كلغ": _KG,
        "م": _Noun("متر", "أمتار", "مترا", "متران", "مترين"),
        "سم": _Noun("سنتيمتر", "سنتيمترات", "سنتيمترا", "سنتيمتران", "سنتيمترين"),
        "مم": _Noun("مليمتر", "مليمترات", "مليمترا", "مليمتران", "مليمترين"),
        "°": _Noun("درجة", "درجات", "درجة", "درجتان", "درجتين", "f"),
        "°م": _CELSIUS,
        "°C": _CELSIUS,
    }
)
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

_FEMININE: Final = frozenset(
    (
        "سنة سنين سنوات ساعة ساعات دقيقة دقائق مرة مرات مدينة مدن دولة دول قرية قرى امرأة نساء سيدة سيدات "
        "فتاة فتيات بنت بنات طفلة طفلات حرب حروب أرض دار شمس نفس عين يد ريح بئر كأس ذكرى فتوى دعوى أنثى "
        "وثائق وظائف ليلة ليال ليالي منطقة مناطق قضية قضايا مرحلة مراحل رسالة رسائل وسيلة وسائل مدرسة مدارس أسرة أسر "
        "عائلة عائلات جولة شركة شركات طائرة طائرات سيارة سيارات غارة غارات ضربة ضربات عملية عمليات "
        "مباراة مباريات نقطة نقاط درجة درجات نسمة إصابة إصابات حالة حالات جامعة جامعات محافظة محافظات"
    ).split()
)
_MASCULINE: Final = frozenset(
    (
        "مليارات تريليونات دولارات كيلومترات كيلوغرامات سنتيمترات مليمترات غرامات اجتماعات انفجارات "
        "مستشفيات مطارات قطارات ملفات حسابات تحقيقات قرارات تصريحات مشروعات لقاءات امتحانات اتفاقات "
        "بيانات إجراءات انتخابات تعديلات استثمارات تحديات إصلاحات مخيمات حيوانات جنيهات ريالات مستويات "
        "أصوات سجلات مؤتمرات كيانات مقترحات "
        "أسلحة أجهزة أنظمة أدوية أمثلة أسئلة أبنية أغذية أئمة قادة طلبة قضاة أساتذة خليفة "
        "شخص أشخاص عام أعوام شهر أشهر شهور يوم أيام أسبوع أسابيع قرن قرون عقد عقود جندي جنود عسكري "
        "قتيل قتلى جريح جرحى أسير أسرى طفل أطفال رجل رجال لاجئ منزل منازل صاروخ صواريخ هدف أهداف "
        "دولار يورو جنيه دينار درهم ريال متر أمتار كيلومتر كيلوغرام طن أطنان برميل براميل"
    ).split()
)
# Words that follow a number without being what it counts.
_PARTICLES: Final = frozenset(
    (
        "في من إلى على عن مع منذ حتى أو ثم بين قبل بعد خلال عند لدى لم لن قد لا ما أن إن هذا هذه ذلك "
        "تلك التي الذي الذين حيث كما ضد عبر حول نحو حوالي فقط تقريبا عندما حين بينما أي أيضا مقابل وفق "
        "وفقا ليس كان كانت هي هو هم إذ لكن بل نصف ربع ثلث صباحا مساء ليلا فجرا ظهرا عصرا"
    ).split()
)
# After a number these make it an hour (من 8 صباحا إلى 4 مساء → من الثامنة صباحا…).
_DAY_PARTS: Final = ("صباحا", "مساء", "مساءً", "ليلا", "فجرا", "ظهرا", "عصرا")
_GENITIVE: Final = frozenset(
    (
        "في من إلى على عن منذ حتى مع نحو حوالي قرابة زهاء بين خلال قبل بعد عند لدى ضمن سوى غير عبر "
        "بنحو بحوالي لنحو بقرابة مقابل عام العام سنة نسبة بنسبة قيمة بقيمة معدل بمعدل بواقع مبلغ بمبلغ "
        "إجمالي مجموع رقم سالب أصل بسرعة بمساحة بزيادة بكلفة بتكلفة بمسافة بكمية بدرجة بحصة بغرامة بمدة "
        "بطول بعمق بعرض بارتفاع بوزن بحجم بعدد"
    ).split()
)
# Nouns (mostly masdars) a number after them depends on in إضافة, so genitive: مقتل ستة وثلاثين،
# على مدى ست وثلاثين ساعة; also with بـ / لـ glued on (برصيد، بأغلبية، بمقدار، لمدة).
_CONSTRUCT_NOUNS: Final = frozenset(
    (
        "مقتل إصابة اعتقال إخلاء نزوح تشريد فقدان خسارة مدى رصيد أغلبية مقدار مشاركة حضور بدل طول عرض ارتفاع "
        "عمق وزن سعر قيمة مدة معدل مسافة مساحة حجم كلفة تكلفة زيادة انخفاض تراجع نسبة حصة غرامة مجموع إجمالي "
        "إطلاق تدمير هدم بناء توفير تخصيص تسجيل استشهاد وفاة إنقاذ إجلاء"
    ).split()
)
_ACCUSATIVE: Final = frozenset("إن أن لكن كأن ليت لعل بأن".split())
# Verbs (and البالغ) whose object or predicate is the number: بلغ عدد القتلى خمسين، ما يعادل…
# They may stand a few words back, with the subject between (بلغت الخسائر ألفين وخمسمئة).
# تعادل is left out: it is also a draw (تعادل الفريقان 1-1).
_ACCUSATIVE_VERBS: Final = frozenset(
    (
        "بلغ بلغت بلغا يبلغ تبلغ ليبلغ لتبلغ البالغ البالغة البالغين البالغتين تجاوز تجاوزت يتجاوز تتجاوز "
        "تخطى تخطت يتخطى تتخطى سجل سجلت يسجل تسجل حقق حققت يحقق تحقق يعادل يساوي تساوي "
        # Transitive verbs common in news, whose object the number is (تضم المرحلة الأولى أربعين حافلة);
        # not أطلق/قتل/أصيب, which news often uses in the passive (أُطلق أربعون صاروخا).
        "ضم ضمت يضم تضم قطع قطعت يقطع تقطع استقبل استقبلت يستقبل تستقبل "
        "خصص خصصت يخصص تخصص رصد رصدت يرصد ترصد أنفق أنفقت ينفق تنفق استقطب استقطبت يستقطب تستقطب "
        "قارب قاربت يقارب تقارب تلقى تلقت يتلقى تتلقى وظف وظفت يوظف توظف أنتج أنتجت ينتج تنتج باع باعت يبيع تبيع "
        "اشترى اشترت يشتري تشتري خسر خسرت يخسر تخسر ربح ربحت يربح تربح"
    ).split()
)
# Words after which a 4-digit number counts rather than names a year (عدد الزوار 2022 زائرا).
_COUNT_WORDS: Final = frozenset(
    ("عدد العدد تعداد عددهم عددها عددهن قتل أصيب اعتقل أطلق ضم ضمت تضم يضم هناك يوجد توجد").split()
)
# After these a short number is dialled, so read digit by digit (الرقم 112، اتصل على 911).
_SERVICE_WORDS: Final = frozenset("الرقم بالرقم برقم للرقم الطوارئ الساخن المجاني الموحد".split())
# After these a number is a label (القانون رقم 12): masculine, genitive, counting nothing.
_LABEL_WORDS: Final = frozenset("رقم الرقم برقم بالرقم للرقم".split())
_DECADE_STEMS: Final = MappingProxyType({t: _TENS[t] + "ينيات" for t in range(2, 10)})


def _gender(noun: str) -> Gender:
    """The counted noun's gender from a small list, then its ending (ة، ات); masculine by default."""
    if noun in _FEMININE:
        return "f"
    if noun in _MASCULINE:
        return "m"
    return "f" if noun.endswith(("ة", "ات")) else "m"


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
    zeros = ["صفر"] * (len(digits) - len(rest))
    return " ".join(zeros + ([cardinal(int(rest), "m", case)] if rest else []))


def _number(text: str, gender: Gender = "m", case: Case = "nom", construct: bool = False) -> str:
    """A number as written ("1,200", "2.5") in words; decimals are read masculine, one case
    on both sides of فاصلة (بنحو ثلاثة فاصلة اثنين)."""
    whole, fraction = _split(text)
    if not fraction:
        return cardinal(whole, gender, case, construct)
    return f"{cardinal(whole, 'm', case)} فاصلة {_fraction(fraction, case)}"


def _with_noun(text: str, noun: str, case: Case, noun_follows: bool) -> str:
    """A number and the noun the writer put after it: ثلاث سنوات، مئتا شخص، شخص واحد، مليونا."""
    whole, fraction = _split(text)
    if fraction:
        return f"{_number(text, 'm', case)} {noun}"
    gender = _gender(noun)
    is_scale = any(noun == s.one for s in _SCALES)
    if whole == 1:
        return noun if is_scale else f"{noun} {_unit(1, gender, case)}"
    if whole == 2 and is_scale:
        return _dual(noun, case, noun_follows)
    if is_scale and not noun_follows and whole % 100 > 10:
        noun += "ا"  # 20 ألف → عشرون ألفا (ألف شخص stays)
    return f"{cardinal(whole, gender, case, True)} {noun}"


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
    return f"{cardinal(whole, noun.gender, case, True)} {form}"


# --- context -------------------------------------------------------------

_AR: Final = LETTER_CLASS
_WORD_RE: Final = re.compile(f"\\s+([{_AR}]+)(?![\\dـ{_AR}])")
_NUMBER_TOKEN_RE: Final = re.compile(r"\d[\d.,]*")


def _bare(word: str) -> str:
    return word.strip("«»()[]\"'،؛:")


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


def _case(prefix: str, before: str) -> Case:
    """The case a number takes from its glued prefix (بـ لـ كـ) or the word before it, or
    from a verb such as بلغ a few words back (the number is its object: بلغ عدد القتلى خمسين)."""
    prefix = prefix.replace("ـ", "").strip()
    if prefix and prefix[-1] in "بلك":
        return "gen"
    words = before.split()
    for back in (1, 2):  # و5 shares the case of the number it joins: بين 3 و5، إلى 11 قتيلا و25
        if prefix and len(words) >= back and _NUMBER_TOKEN_RE.fullmatch(words[-back]):
            return _case("", " ".join(words[:-back]))
    if not words:
        return "nom"
    last = _bare(words[-1])
    for word in (last, last[1:] if last[:1] in ("و", "ف") else ""):
        if word in _GENITIVE or _is_construct_noun(word):  # a preposition, or a noun in إضافة
            return "gen"
        if word in _ACCUSATIVE:
            return "acc"
    if any(form in _ACCUSATIVE_VERBS for word in _clause(before, 5) for form in _forms(word)):
        return "acc"
    return "nom"


def _is_construct_noun(word: str) -> bool:
    """مقتل، على مدى، برصيد، بأغلبية، لمدة: a noun the number after it is the genitive of."""
    return word in _CONSTRUCT_NOUNS or (word[:1] in ("ب", "ل") and word[1:] in _CONSTRUCT_NOUNS)


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
_PRE: Final = r"(?P<pre>و[ \u00a0](?=\d)|[وف]?(?:[بلك]ـ? ?)?)"  # و 112 (a lone و) → ومئة…
_NUM: Final = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d+(?:\.\d+)?"
_END: Final = r"(?!\d|[.,:/\-]\d)"

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
                "القرن الفصل الطابق البند المركز الأسبوع الجزء الباب الموسم الشوط المؤتمر اليوم الصف المستوى الجيل"
            ).split(),
            "m",
        ),
        **dict.fromkeys(
            (
                "المادة الدقيقة الدورة المرحلة الجولة المرتبة الفقرة الصفحة الحلقة الذكرى النسخة الطبعة الفئة "
                "القمة الدفعة الدرجة السنة الليلة المرة الولاية الجلسة"
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
    return cardinal(year, "m", "gen")


def _latin(m: re.Match[str], settings: TextSettings) -> str:
    """Acronyms spelled in Arabic letters (spell mode); digits glued to Latin read apart."""
    word, lead, tail = m["word"], m["lead"], m["num"]
    if settings.latin == "spell" and word.isupper():
        word = _ACRONYM_WORDS.get(word) or " ".join(_LETTERS[c] for c in word)
    parts = [cardinal(int(lead))] if lead else []
    parts.append(word)
    if tail:
        parts.append(cardinal(int(tail), "m", "gen"))
    return " ".join(parts)


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
    """اتصل على 911، الرقم 112، الخط الساخن 16000: a short number to dial, digit by digit."""
    words = _clause(m.string[: m.start()], 2)
    if not words or _is_known_noun(_next_word(m.string, m.end())):
        return m.group(0)
    dialled = any(form in _SERVICE_WORDS for form in _forms(words[0]))
    called = words[0] == "على" and len(words) > 1 and "تصل" in words[1]  # اتصل، اتصلوا، الاتصال
    return _digits(m["num"]) if dialled or called else m.group(0)


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
    spoken = f"{ordinal(int(day))} من {_month(int(month), settings)} {_year(year)}"
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
    if not 1 <= day <= 31:
        return m.group(0)
    return _attach(m["pre"], f"{ordinal(day)} من {m['month']}")


def _time(m: re.Match[str], settings: TextSettings) -> str:
    hour, minute = int(m["h"]), int(m["mi"])
    if hour > 24 or minute > 59:
        return m.group(0)
    spoken = _hour(hour)
    if minute == 15:
        spoken += " والربع"
    elif minute == 30:
        spoken += " والنصف"
    elif minute:
        spoken += " و" + _count(str(minute), _MINUTE, "nom")
    if m["ampm"]:
        spoken += " صباحا" if m["ampm"] == "ص" else " مساء"
    return _attach(m["pre"], spoken)


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
    if _is_score(m):
        case = _case(pre, m.string[: m.start()])
        return _attach(pre, f"{_number(a, 'm', case)} مقابل {_number(b, 'm', 'gen')}{percent}")
    noun = _next_word(m.string, m.end())
    gender = _gender(noun) if _is_noun(noun) and not percent else "m"
    first, second = _number(a, gender, "gen"), _number(b, gender, "gen")
    if m["sep"] == ":":
        return _attach(pre, f"{_number(a, gender, _case(pre, m.string[: m.start()]))} إلى {second}{percent}")
    previous = (_words_before(m, 1) or [""])[0]
    if previous in ("بين", "عامي", "العامين") and not pre:
        return f"{first} و{second}{percent}"
    head = "" if previous in _GENITIVE and not pre else "من "  # خلال 3-5 أيام, من 4-6 أشهر
    return _attach(pre, f"{head}{first} إلى {second}{percent}")


def _percent(m: re.Match[str], settings: TextSettings) -> str:
    case = _case(m["pre"], m.string[: m.start()])
    return _attach(m["pre"], f"{_number(m['a'] or m['b'], 'm', case)} في المئة")


def _currency(m: re.Match[str], settings: TextSettings) -> str:
    """$5, 5$ → خمسة دولارات; $2.5 مليار → اثنان فاصلة خمسة مليار دولار."""
    noun = _CURRENCIES[m["s1"] or m["s2"]]
    number, scale = m["n1"] or m["n2"], m["k1"] or m["k2"]
    case = _case(m["pre"], m.string[: m.start()])
    if scale:
        spoken = f"{_with_noun(number, scale, case, True)} {noun.one}"
    else:
        spoken = _count(number, noun, case)
    return _attach(m["pre"], spoken)


def _unit_after(m: re.Match[str], settings: TextSettings) -> str:
    """5 كم → خمسة كيلومترات; 2020 م → ألفين وعشرين ميلادي; 500 ق.م → خمسمئة قبل الميلاد."""
    unit = re.sub(r"\s", "", m["unit"])
    number, pre = m["num"], m["pre"]
    whole, fraction = _split(number)
    era = None if m["per"] else _ERAS.get(unit)
    if era and not fraction and (unit != "م" or 1000 <= whole <= 2100 or _is_year_word(m)):
        return _attach(pre, f"{cardinal(whole, 'm', 'gen')} {era}")
    if unit not in _UNITS:  # هـ / ق.م with a rate after it: not a unit
        return m.group(0)
    spoken = _count(number, _UNITS[unit], _case(pre, m.string[: m.start()]))
    return _attach(pre, spoken + (f" {_PER[m['per']]}" if m["per"] else ""))


def _is_year_word(m: re.Match[str]) -> bool:
    """Is the word before a year keyword (عام، في، منذ…)? Then م after the number is ميلادي."""
    word = (_words_before(m, 1) or [""])[0]
    keywords = _YEAR_WORDS | frozenset(_YEAR_PREPOSITIONS)
    return word in keywords or (word[:1] in ("و", "ف", "ب", "ل") and word[1:] in keywords)


def _year_after(m: re.Match[str], settings: TextSettings) -> str:
    """عام 2008 → عام ألفين وثمانية; في 2003 → في ألفين وثلاثة; يناير 2020 → يناير ألفين وعشرين."""
    word, number = m["base"], m["num"]
    if _is_known_noun(_next_word(m.string, m.end())):
        return m.group(0)
    if word in _YEAR_WORDS:
        is_year = len(number) >= 3
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
    gender = _ordinal_gender(noun)
    following = _next_word(m.string, m.end())
    counted = _is_tamyiz(following, number) and not following.endswith("يا")  # المركز 22 عالميا
    if gender is None or number == 0 or _is_known_noun(following) or counted:
        return m.group(0)  # حضر المؤتمر 250 مندوبا: a count, not the 250th
    if gender == "hour":
        return f"{noun} {_hour(number)}" if number <= 24 else m.group(0)
    if len(m["num"]) == 4 and 1900 <= number <= 2100:
        return f"{noun} {_year(m['num'])}"
    return f"{noun} {ordinal(number, gender)}"


def _definite_ordinal(m: re.Match[str], settings: TextSettings) -> str:
    """الـ21 / ال21 → الحادي والعشرين, feminine after a feminine noun (الذكرى الـ75)."""
    number = int(m["num"])
    if number == 0:
        return m.group(0)
    noun = _without_pronoun((_words_before(m, 1) or [""])[0])
    if noun in _PLURAL_NOUNS or (noun.endswith("ات") and noun not in _ORDINAL_NOUNS):
        return _attach(m["pre"], "ال" + cardinal(number, _gender(noun), "gen"))  # أيامه الأربعة عشر
    gender = _ORDINAL_NOUNS.get(noun, "f" if noun.endswith("ة") else "m")
    return _attach(m["pre"], ordinal(number, gender))


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
    return _attach(m["pre"], f"{cardinal(a)} على {cardinal(b)}")


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


_FURTHER_NOUN_RE: Final = re.compile(f" (?:إلى|حتى|و) ?\\d+ (?P<noun>[{_AR}]+)(?![\\dـ{_AR}])")


def _plain(m: re.Match[str], settings: TextSettings) -> str:
    """Any other number, with the noun after it when there is one (ثلاثة أشخاص، في إحدى عشرة مدينة).

    After رقم it is a label, read masculine and never counting the word after it (القانون رقم
    اثني عشر لسنة…); after a noun a bare year names it (مونديال ألفين واثنين وعشرين).
    """
    pre, number, noun = m["pre"], m["num"], m["next"] or ""
    before = m.string[: m.start()]
    case = _case(pre, before)
    after = (m["gap"] or "") + noun
    label = _clause(before, 1)
    if not pre and label and any(form in _LABEL_WORDS for form in _forms(label[0])):
        return _number(number, "m", "gen") + after
    if case == "nom" and _is_named_year(m, noun):
        return _year(number) + after
    if _is_noun(noun):
        return _attach(pre, _with_noun(number, noun, case, _is_noun(_next_word(m.string, m.end()))))
    return _attach(pre, _number(number, _gender_further(m), case)) + after


def _gender_further(m: re.Match[str]) -> Gender:
    """من 3 إلى 5 سنوات، بين 3 و5 سنوات: the noun after the second number sets the first's gender."""
    further = _FURTHER_NOUN_RE.match(m.string, m.end("num"))
    return _gender(further["noun"]) if further and _is_noun(further["noun"]) else "m"


@dataclass(frozen=True)
class _Rule:
    """One shape of number: its pattern and how to say a match of it."""

    name: str
    pattern: re.Pattern[str]
    speak: Callable[[re.Match[str], TextSettings], str]


def _rule(name: str, pattern: str, speak: Callable[[re.Match[str], TextSettings], str]) -> _Rule:
    return _Rule(name, re.compile(pattern), speak)


_CURRENCY_SYMBOLS: Final = "$€£₪"
_PER_ALT: Final = "|".join(sorted(_PER, key=len, reverse=True))
_SCALE_ALT: Final = "|".join(sorted(_SCALE_WORDS, key=len, reverse=True))

# Order matters: each rule writes words, so the rules after it never see those digits.
_RULES: Final = (
    _rule(
        "decade", r"(?<!\w)(?:[Tt]he\s+)?(?P<pre>[وفبلك]{0,2})(?:ال(?:ـ ?)?)?(?P<y>\d{3}0)['’]?s(?![A-Za-z\d])", _decade
    ),
    _rule("latin", r"(?<![A-Za-z\d°])(?P<lead>\d+)?(?P<word>[A-Za-z]+)(?:-?(?P<num>\d+))?(?![A-Za-z\d])", _latin),
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
        "date",
        f"(?<![\\d/.\\-]){_PRE}(?P<a>\\d{{1,4}})(?P<sep>[/.\\-])(?P<b>\\d{{1,2}})(?P=sep)(?P<c>\\d{{1,4}})"
        r"(?!\d|[/.\-]\d)",
        _numeric_date,
    ),
    _rule("phone", r"(?<![\w+])(?P<plus>\+)?(?P<num>\d{10,}|\d+(?:-\d+){2,})(?![\w])", _phone),
    _rule("service", f"(?<!\\S)(?P<num>\\d{{3,6}}){_END}(?! ?[%٪{_CURRENCY_SYMBOLS}°])", _service),
    _rule("month_year", f"(?<!\\w){_PRE}(?P<mo>\\d{{1,2}})/(?P<y>\\d{{4}})(?![\\d/])", _month_year),
    _rule("text_date", f"(?<!\\w){_PRE}(?P<day>\\d{{1,2}})\\s+(?P<month>{_MONTHS_ALT})(?![{_AR}])", _text_date),
    _rule(
        "time", f"(?<![\\d:.]){_PRE}(?P<h>\\d{{1,2}}):(?P<mi>\\d{{2}})(?![\\d:])(?: (?P<ampm>ص|م)(?![{_AR}]))?", _time
    ),
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
        f"|(?P<n2>{_NUM})(?: (?P<k2>{_SCALE_ALT}))? ?(?P<s2>[{_CURRENCY_SYMBOLS}]))",
        _currency,
    ),
    _rule(
        "unit",
        f"(?<![\\w/]){_PRE}(?P<num>{_NUM}){_END} ?(?P<unit>ق\\. ?م|كلم|كم|كغ|كجم|كلغ|سم|مم|هـ|ه|م"
        f"|° ?[Cم](?![{_AR}])|°)(?: ?/ ?(?P<per>{_PER_ALT}))?(?![{_AR}\\w])",
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
    _rule("ordinal", f"(?<!\\S)(?P<noun>[{_AR}]+)\\s+(?:ال(?:ـ ?)?)?(?P<num>\\d+){_END}", _ordinal_after),
    _rule("definite_ordinal", r"(?<!\S)(?P<pre>[وفبل]{0,2})ال(?:ـ ?)?(?P<num>\d+)" + _END, _definite_ordinal),
    _rule("slash", f"(?<![\\w/]){_PRE}(?P<a>\\d+)/(?P<b>\\d+)(?![\\d/])", _slash),
    _rule("plain", f"(?<!\\w){_PRE}(?P<num>{_NUM})(?!\\d)(?:(?P<gap> )(?P<next>[{_AR}]+)(?![\\dـ{_AR}]))?", _plain),
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


def verbalize(text: str, settings: TextSettings = TextSettings()) -> str:
    """Return `text` with digits, dates, percents, currency and abbreviations in words.

    One cleaned sentence in, the words the voice should read out; punctuation and
    every word without a number or symbol stay as they are. URLs, e-mail addresses
    and hashtags are not touched.
    """
    if not _TRIGGER_RE.search(text):
        return text
    pieces = _PROTECTED_RE.split(text)
    return "".join(piece if i % 2 else _speak(piece, settings) for i, piece in enumerate(pieces))
