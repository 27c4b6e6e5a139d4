"""numbers.verbalize: every digit and symbol as the words a news reader says.

The cases live in golden TSV files under tests/data/ (numbers*.tsv): id, settings,
sentence, spoken form. The spoken forms are exact, so a change of spelling or
grammar shows up here; numbers_marks.tsv holds the vowelled forms the voice gets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from audio_news.config import TextSettings
from audio_news.numbers import cardinal, ordinal, verbalize

DATA = Path(__file__).parent / "data"
GREGORIAN = TextSettings()
BOTH = TextSettings(months="both")
READ_LATIN = TextSettings(latin="read")


@dataclass(frozen=True)
class Case:
    """One golden row: a sentence, the settings it is read with, and its exact spoken form."""

    case_id: str
    settings: TextSettings
    text: str
    spoken: str


def _settings(field: str) -> TextSettings:
    pairs = dict(item.split("=", 1) for item in field.split(",") if item)
    return TextSettings(**pairs)


def _unescape(field: str) -> str:
    return field.replace("\\u00a0", "\u00a0")


def load_cases(pattern: str) -> list[Case]:
    cases = []
    for path in sorted(DATA.glob(pattern)):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            assert len(fields) == 4, f"{path.name}:{number}: want 4 tab-separated fields, got {len(fields)}"
            case_id, settings, text, spoken = fields
            cases.append(Case(case_id, _settings(settings), _unescape(text), _unescape(spoken)))
    return cases


TABLE = load_cases("numbers*.tsv")
BARE = [case for case in TABLE if not case.case_id.startswith("marks-")]
MARKED = [case for case in TABLE if case.case_id.startswith("marks-")]
ALL_INPUTS = [case.text for case in TABLE]


@pytest.mark.parametrize("case", BARE, ids=[case.case_id for case in BARE])
def test_verbalize(case):
    assert verbalize(case.text, case.settings) == case.spoken


@pytest.mark.parametrize("case", MARKED, ids=[case.case_id for case in MARKED])
def test_verbalize_with_marks(case):
    assert verbalize(case.text, case.settings, marks=True) == case.spoken


def test_table_is_large_and_ids_unique():
    ids = [case.case_id for case in TABLE]
    assert len(ids) >= 400
    assert len(ids) == len(set(ids))


# --- properties ------------------------------------------------------------

PLAIN_TEXTS = [
    "أثار عدم التطرق إلى مسألة انسحاب القوات غضب الفصائل المسلحة في البلاد، وهددت باستئناف الهجمات.",
    "وقال الأسدي «الانسحاب مطلب جماهيري عبرت عنه جموع غفيرة»؛ فهل يطبق؟",
    "مدينة ثلاثة آلاف وعام ألفين وثلاثة",
    "كم عدد القتلى؟ لا أحد يعرف…",
    "",
    "الـقرن",
]


@pytest.mark.parametrize("text", PLAIN_TEXTS, ids=[f"plain-{i}" for i in range(len(PLAIN_TEXTS))])
@pytest.mark.parametrize("settings", [GREGORIAN, BOTH, READ_LATIN], ids=["default", "both", "read"])
def test_text_without_numbers_or_symbols_is_unchanged(text, settings):
    assert verbalize(text, settings) == text


PROTECTED = re.compile(r"(?:https?://|www\.|#|\S+@)\S+")  # URLs, hashtags, e-mail: kept as written


@pytest.mark.parametrize("text", ALL_INPUTS)
def test_no_digits_left(text):
    spoken = verbalize(text)
    assert not re.search(r"[0-9٠-٩۰-۹]", PROTECTED.sub("", spoken)), spoken
    assert PROTECTED.findall(spoken) == PROTECTED.findall(text)


@pytest.mark.parametrize("text", ALL_INPUTS)
def test_idempotent(text):
    once = verbalize(text)
    assert verbalize(once) == once


# --- the cores ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "gender", "case", "construct", "words"),
    [
        (3, "f", "nom", False, "ثلاث"),
        (8, "f", "nom", False, "ثمان"),
        (1, "f", "nom", False, "واحدة"),
        (2, "f", "gen", False, "اثنتين"),
        (11, "f", "nom", False, "إحدى عشرة"),
        (12, "f", "nom", False, "اثنتا عشرة"),
        (21, "f", "nom", False, "إحدى وعشرون"),
        (20, "m", "gen", False, "عشرين"),
        (20, "m", "acc", False, "عشرين"),
        (200, "m", "nom", True, "مئتا"),
        (200, "m", "gen", True, "مئتي"),
        (2000, "m", "gen", False, "ألفين"),
        (2000, "m", "nom", True, "ألفا"),
        (1_200_000, "m", "gen", False, "مليون ومئتي ألف"),
        (1_200, "m", "acc", False, "ألفا ومئتين"),
        (1_000, "m", "acc", True, "ألف"),
        (21, "m", "acc", False, "واحدا وعشرين"),
        (-4, "m", "nom", False, "سالب أربعة"),
    ],
    ids=lambda v: str(v),
)
def test_cardinal(n, gender, case, construct, words):
    assert cardinal(n, gender, case, construct) == words


@pytest.mark.parametrize(
    ("n", "gender", "words"),
    [
        (1, "m", "الأول"),
        (1, "f", "الأولى"),
        (2, "f", "الثانية"),
        (11, "m", "الحادي عشر"),
        (12, "f", "الثانية عشرة"),
        (21, "m", "الحادي والعشرين"),
        (65, "f", "الخامسة والستين"),
        (100, "m", "المئة"),
        (101, "m", "الأول بعد المئة"),
    ],
    ids=lambda v: str(v),
)
def test_ordinal(n, gender, words):
    assert ordinal(n, gender) == words


def test_ordinal_nominative_tens():
    assert ordinal(20, "m", "nom") == "العشرون"


@pytest.mark.parametrize(
    "call",
    [
        lambda: cardinal(3, "x"),
        lambda: cardinal(3, "m", "dat"),
        lambda: ordinal(0),
        lambda: ordinal(-2),
    ],
    ids=["gender", "case", "ordinal-zero", "ordinal-negative"],
)
def test_bad_arguments(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("case", TABLE, ids=[case.case_id for case in TABLE])
def test_marks_change_no_letter(case):
    """The vowelled form is the bare form plus marks: the voice reads the words the transcript shows."""
    marked = verbalize(case.text, case.settings, marks=True)
    assert re.sub("[\u064b-\u0652]", "", marked) == re.sub("[\u064b-\u0652]", "", verbalize(case.text, case.settings))


FUZZ_TOKENS = (
    "1A 10x 3,5 0.001 5G MQ-9B 99% $3.5 ٣٫٥٪ 45° -5 2024-2025 11/9 24/7 1:0 €5 007 0 H2O CO2 4x4 MP3 B2B "
    "ل12 ك7 12.75 9:30 5/2/1439هـ 3 - 1"
).split() + ["12 م", "12 هـ", "5 صفر", "الـ 3", "ب 4", "و 5", "ص.ب 9", "3 ملغ", "30 كم/س", "100 USD", "Wi-Fi 6E"]
FUZZ_WORDS = "في بلغ عام إلى قتل الجولة القرن سنة نحو و من أن كان ساعة أشخاص مدن دولار جنيه رجب مارس لديها قدره".split()


def _fuzz_sentences(count: int = 300) -> list[str]:
    import random

    rng = random.Random(9)
    pool = FUZZ_TOKENS + FUZZ_WORDS
    return [" ".join(rng.choice(pool) for _ in range(rng.randint(1, 6))) for _ in range(count)]


def test_mixed_sentences_read_every_digit_and_keep_letters():
    """Tokens of every shape side by side: no digit is left, marks never change a letter, a second pass
    changes nothing."""
    for text in _fuzz_sentences():
        spoken = verbalize(text)
        assert not re.search(r"[0-9٠-٩]", spoken), (text, spoken)
        marked = verbalize(text, marks=True)
        assert re.sub("[\u064b-\u0652]", "", marked) == re.sub("[\u064b-\u0652]", "", spoken), text
        assert verbalize(spoken) == spoken, (text, spoken)
