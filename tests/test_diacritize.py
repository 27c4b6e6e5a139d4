"""Tashkeel: letters kept, given marks and the lexicon respected, pausal forms for the voice."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from audio_news.config import TextSettings
from audio_news.diacritize import (
    DEFAULT_MODEL,
    LIBTASHKEEL,
    SHADDA,
    VOTE,
    VOTE_MEMBERS,
    Diacritizer,
    Lexicon,
    align_marks,
    canonical_marks,
    diacritize_script,
    merge_marks,
    pausal,
    split_units,
    strip_marks,
    vote_marks,
    vote_members,
    vote_texts,
    word_flaws,
)
from audio_news.errors import ConfigError
from audio_news.models import Article, Block, BlockKind, Part, Script, Sentence
from audio_news.tashkeel_eval import parse_gold

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT.parent / "shared" / "data" / "tashkeel"
NO_LEXICON = Path(__file__).parent / "data" / "empty-lexicon.tsv"  # a regular file: devices are refused


def nfc(text: str) -> str:
    """Expected text in NFC, where a vowel comes before the shadda, as the diacritizer writes it."""
    return unicodedata.normalize("NFC", text)


# News sentences written for these tests (not from any gold file): hamza seats,
# ta marbuta, alef maqsura, digits, Latin, quotes and every pause mark.
NEWS = [
    "تمتلئ شوارع المدينة بالمتظاهرين منذ صباح اليوم.",
    "قال وزير الخارجية إن المفاوضات ستستأنف في جنيف الأسبوع المقبل، بعد توقف دام شهرين.",
    "أعلنت وكالة الفضاء الأوروبية ESA إطلاق قمر صناعي جديد يوم 12 مارس 2024؛ وهو الثالث هذا العام.",
    "هل يستطيع الاقتصاد أن يتعافى قبل نهاية العام؟ يرى الخبراء أن ذلك ممكن!",
    'وصرح المتحدث باسم الأمم المتحدة: "الوضع الإنساني مقلق جدا".',
    "ارتفعت أسعار النفط بنسبة 3% إلى 85 دولارا للبرميل.",
    "سئل الرئيس عن مسؤولية الحكومة فقال إنها تتحمل جزءا منها.",
    "فازت الطالبة بجائزة الإبداع الأدبي لعام 2023",
]


class FakeModel(Diacritizer):
    """A Diacritizer whose models are functions, to test what happens around the models.

    `respond` is one function for every model, or a dict of them by model name.
    """

    def __init__(self, respond, model: str = "rawi-ensemble", lexicon: Path | None = NO_LEXICON) -> None:
        super().__init__(model, lexicon=lexicon)
        self.respond = respond
        self.seen: list[str] = []

    def backend_of(self, name: str):
        respond = self.respond[name] if isinstance(self.respond, dict) else self.respond

        def run(text: str) -> str:
            self.seen.append(text)
            return respond(text)

        return run


def vowel_everything(text: str) -> str:
    """Fatha on every Arabic letter but alef, the way a careless model would."""
    return "".join(c + ("\u064e" if "\u0621" <= c <= "\u064a" and c != "ا" else "") for c in strip_marks(text))


def mangle(text: str) -> str:
    """A model that rewrites hamza seats and ta marbuta, drops tatweel and adds marks."""
    out = vowel_everything(text)
    return out.replace("ئ", "ي").replace("ؤ", "و").replace("ة", "ه").replace("ـ", "").replace("أ", "ا")


# --- text helpers ---------------------------------------------------------


def test_strip_marks_keeps_letters_hamza_and_punctuation():
    assert strip_marks("أَعْلَنَتِ الْأُمَمُ، 12 ESA") == "أعلنت الأمم، 12 ESA"
    assert strip_marks("تَمْتَلِئُ") == "تمتلئ"


def test_units_round_trip_and_hamza_marks_stay_on_their_letter():
    text = "ا\u0654\u064eمر"  # alef + hamza above (NFD) + fatha
    units = split_units(text)
    assert units[0].base == "ا\u0654" and units[0].marks == "\u064e"
    assert "".join(u.base + u.marks for u in units) == text


def test_canonical_marks_are_in_nfc_order_once():
    assert canonical_marks(SHADDA + "\u0650") == "\u0650" + SHADDA
    assert canonical_marks("\u0650" + SHADDA) == "\u0650" + SHADDA
    assert canonical_marks("\u064e\u064e") == "\u064e"
    assert canonical_marks(SHADDA + "\u0652") == SHADDA


def test_align_marks_survives_a_rewritten_hamza_seat():
    units = split_units("تمتلئ")
    marks = align_marks(units, "تَمْتَلِيُ")
    assert marks == ["\u064e", "\u0652", "\u064e", "\u0650", "\u064f"]


def test_align_marks_survives_a_dropped_letter():
    units = split_units("كتــاب")
    marks = align_marks(units, "كِتَابٌ")
    assert marks[0] == "\u0650" and marks[-1] == "\u064c"


def test_merge_marks_prefers_what_was_written():
    assert merge_marks(None, "\u064e") == "\u064e"  # nothing given: the model's
    assert merge_marks("", "\u064e") == ""  # left bare on purpose (lexicon)
    assert merge_marks("\u064f", "\u064e") == "\u064f"  # a written vowel wins
    assert merge_marks(SHADDA, "\u064e") == "\u064e" + SHADDA  # a lone shadda takes the model's vowel
    assert merge_marks(SHADDA, "\u0652") == SHADDA  # but never a sukun
    assert merge_marks(SHADDA, "") == SHADDA


# --- the diacritizer around a model ----------------------------------------------


@pytest.mark.parametrize("sentence", NEWS, ids=range(len(NEWS)))
def test_letters_are_kept_whatever_the_model_does(sentence):
    out = FakeModel(mangle)(sentence)
    assert strip_marks(out) == sentence
    assert "ئ" in out or "ئ" not in sentence


def test_hamza_seat_the_model_rewrote_comes_back():
    out = FakeModel(mangle)("تمتلئ المؤسسة")
    assert strip_marks(out) == "تمتلئ المؤسسة"
    assert out.startswith("تَمَتَلَئَ")


def test_non_arabic_text_passes_through_unchanged():
    model = FakeModel(mangle)
    for text in ("", "   ", "ESA 2024, 3%", "(12) - «»"):
        assert model(text) == text


def test_given_marks_are_kept_where_the_model_disagrees():
    model = FakeModel(vowel_everything)
    out = model("عَلّم المعلمُ")
    assert out.startswith(nfc("عَلَّمَ"))  # the written fatha and shadda stay; the model's fatha fills م
    assert out.endswith("الَمَعَلَمُ")  # the written damma wins over the model's fatha


def test_one_model_call_per_sentence_and_long_sentences_are_cut():
    model = FakeModel(vowel_everything)
    model("جملة أولى. جملة ثانية؟ جملة ثالثة")
    assert len(model.seen) == 3
    model.seen.clear()
    long_sentence = "، ".join(["كلمات كثيرة في جملة طويلة جدا"] * 30)
    out = model(long_sentence)
    assert len(model.seen) > 1 and strip_marks(out) == long_sentence


def test_libtashkeel_gets_no_pause_punctuation_and_a_continuation():
    model = FakeModel(vowel_everything, model=LIBTASHKEEL)
    out = model("قال الوزير، إن الاجتماع انتهى.")
    assert model.seen == ["قال الوزير إن الاجتماع انتهى و"]
    assert strip_marks(out) == "قال الوزير، إن الاجتماع انتهى."


def test_unknown_model_names_the_available_ones():
    with pytest.raises(ConfigError, match="rawi-ensemble"):
        Diacritizer("rawi-v9")


# --- the lexicon --------------------------------------------------------------------

LEXICON = "# test\nواشنطن\tوَاشِنْطُن\nالأمم المتحدة\tالْأُمَم الْمُتَّحِدَة\n\nغُوتِيرِيش\n"


def write_lexicon(tmp_path: Path, text: str = LEXICON) -> Path:
    path = tmp_path / "lexicon.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def test_lexicon_parses_comments_blank_lines_and_one_column_entries(tmp_path):
    lexicon = Lexicon.load(write_lexicon(tmp_path))
    assert len(lexicon) == 3


@pytest.mark.parametrize("text", ["واشنطن\tبَغْدَاد\n", "a\tb\tc\n"], ids=["letters differ", "three columns"])
def test_lexicon_rejects_bad_lines(tmp_path, text):
    with pytest.raises(ConfigError, match="line 1"):
        Lexicon.load(write_lexicon(tmp_path, text))


def test_missing_lexicon_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        Diacritizer(lexicon=tmp_path / "nope.tsv")


def test_lexicon_marks_go_to_the_model_as_hints_and_win_after_it(tmp_path):
    model = FakeModel(vowel_everything, model=LIBTASHKEEL, lexicon=write_lexicon(tmp_path))
    out = model("زار غوتيريش واشنطن")
    assert "غُوتِيرِيش" in model.seen[0] and "وَاشِنْطُن" in model.seen[0]  # before: hints
    assert "وَاشِنْطُنَ" in out  # after: the lexicon's marks, the
    assert "غُوتِيرِيشَ" in out  # model's vowel on the bare last letter


def test_lexicon_matches_with_clitics_and_the_article_after_lam(tmp_path):
    model = FakeModel(vowel_everything, lexicon=write_lexicon(tmp_path))
    assert model("وبواشنطن").endswith("وَاشِنْطُنَ")
    out = model("قال للأمم المتحدة")
    assert nfc("لَلْأُمَمَ الْمُتَّحِدَةَ") in out
    assert "أُمَمَ" not in model("أمم متحدة")  # no article, no entry


def test_lexicon_matches_without_hamza_on_the_alef(tmp_path):
    model = FakeModel(vowel_everything, lexicon=write_lexicon(tmp_path))
    assert nfc("الْاُمَمَ الْمُتَّحِدَةَ") == model("الامم المتحدة")


def test_default_lexicon_is_the_bundled_one():
    lexicon = Diacritizer("rawi-ensemble").lexicon
    assert len(lexicon) > 50
    assert Lexicon.load(ROOT / "voices" / "lexicon.tsv").marks_for(split_units("ببغداد")) == [
        None,
        "\u064e",
        "\u0652",
        "\u064e",
        "",
        None,
    ]  # clitic and last letter: the model's; inner alef bare


# --- pausal forms -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("قرأتُ كتابًا.", "قرأتُ كتابَا."),  # tanween fath before a final alef: long a
        ("قرأتُ كتاباً", "قرأتُ كتابَا"),  # written on the alef, at the end of the line
        ("هدًى", "هدَى"),
        ("ذهبتُ إلى المدينةِ، ثم عدتُ", "ذهبتُ إلى المدينهْ، ثم عدتْ"),  # ta marbuta read h; before ، and at the end
        ("رأيتُ سماءً صافيةً.", "رأيتُ سماءً صافيهْ."),  # only the word before the pause changes
        ("في البيتِ؛ وفي المدرسةِ: كتبٌ", "في البيتْ؛ وفي المدرسهْ: كتبْ"),
        ('قال "المديرُ".', 'قال "المديرْ".'),  # a closing quote does not hide the pause
        (nfc("العربيِّ."), "العربيّ."),  # shadda stays, its vowel goes
        ("سماءً", "سماءْ"),  # tanween fath on hamza goes
        ("ذَهَبُوا.", "ذَهَبُوا."),  # a long vowel stays
        ("فِي", "فِي"),
        ("كتابٌ 2024.", "كتابٌ 2024."),  # a number, not a word, is before the pause
        ("عنوانُ الخبرِ\nنصُّ الخبرِ", "عنوانُ الخبرْ\nنصُّ الخبرْ"),  # end of a heading line
        ("ESA.", "ESA."),
    ],
)
def test_pausal(text, expected):
    assert pausal(text) == expected


def test_pausal_changes_only_marks_and_ta_marbuta():
    for sentence in NEWS:
        text = FakeModel(vowel_everything)(sentence)
        assert strip_marks(pausal(text)).replace("ه", "ة") == sentence.replace("ه", "ة")


# --- the stage ------------------------------------------------------------------------


def test_diacritize_script_rewrites_spoken_only():
    sentence = Sentence(text="جاء الولد.", spoken="جاء الولد.")
    heading = Sentence(text="عنوان", spoken="عنوان")
    script = Script(
        Article("t", ()), (Part("t", (Block(BlockKind.HEADING, (heading,)), Block(BlockKind.PARAGRAPH, (sentence,)))),)
    )
    out = diacritize_script(script, FakeModel(vowel_everything))
    first, second = out.sentences
    assert (first.text, second.text) == ("عنوان", "جاء الولد.")
    assert first.spoken == "عَنَوَانْ"
    assert second.spoken == "جَاءَ الَوَلَدْ."
    assert script.sentences[1].spoken == "جاء الولد."  # the input is not changed


# --- real models ------------------------------------------------------------------------

MODELS = [VOTE, LIBTASHKEEL, "rawi-ensemble"]


@pytest.fixture(scope="module", params=MODELS)
def real(request) -> Diacritizer:
    return Diacritizer(request.param)


def test_real_model_keeps_every_letter_and_adds_marks(real):
    for sentence in NEWS:
        out = real(sentence)
        assert strip_marks(out) == sentence
        assert out != sentence


def test_real_model_respects_a_written_shadda(real):
    out = real(nfc("عَلَّمَ الأستاذ طلابه"))
    assert out.startswith(nfc("عَلَّمَ"))


def test_default_vowels_common_news_words():
    out = Diacritizer()("أعلنت الحكومة عن خطة جديدة")
    assert strip_marks(out) == "أعلنت الحكومة عن خطة جديدة"
    assert "الْحُكُومَةُ" in out and "جَدِيدَةٍ" in out


# Number words as audio_news.numbers writes them; the bundled lexicon fixes their stems.
@pytest.mark.parametrize(
    "text, expected",
    [
        ("قتل خمسة وثلاثون شخصا", "وَثَلَاثُونَ"),  # no spurious shadda on the lam (θallaːθuːna)
        ("صوت مئتان وخمسون نائبا", "مِئَتَانِ وَخَمْسُونَ"),  # a dual ends -َانِ, not tanween
        ("سكن المدينة ألفان وتسعمئة نسمة", "أَلْفَانِ وَتِسْعُمِئَة"),
        ("سجل اللاعب اثنين في المباراة", "اثْنَيْنِ"),  # hamzat wasl left bare
        ("من اثنتي عشرة دولة", "اثْنَتَيْ عَشْرَةَ"),  # compound 11-19 built on fatha
        ("في الساعة الحادية عشرة صباحا", "الْحَادِيَةَ عَشْرَةَ"),
        ("شارك الحادي عشر وزيرا", "الْحَادِيَ عَشَرَ"),
        ("وصل عدد اللاجئين إلى مليون وخمسمئة ألف لاجئ", "مِلْيُونِ وَخَمْسُمِئَةِ"),
    ],
)
def test_bundled_lexicon_vowels_number_words(text, expected):
    out = Diacritizer(LIBTASHKEEL)(text)
    assert strip_marks(out) == text
    assert nfc(expected) in out, out


def test_bundled_lexicon_leaves_the_case_ending_of_number_stems_to_the_model():
    lexicon = Lexicon.load(ROOT / "voices" / "lexicon.tsv")
    marks = lexicon.marks_for(split_units("خمسة"))
    assert marks[:3] == ["\u064e", "\u0652", "\u064e"] and marks[-1] is None  # خَمْسَة + the model's ending
    assert lexicon.marks_for(split_units("ألفان"))[-1] == "\u0650"  # أَلْفَانِ: the dual's kasra is fixed
    assert "\u064c" not in Diacritizer()("بلغ العدد ألفان")  # no tanween on a dual


def gold_lines(name: str, limit: int | None = None, start: int = 0) -> list[str]:
    path = GOLD_DIR / name
    if not path.is_file():
        assert not os.environ.get("CI"), f"gold file {path} is missing on CI"
        pytest.skip(f"gold file {path} is not there (it lives in the shared folder, not the repo)")
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[start:limit]


# Each file in two halves, so that the test workers share the work.
@pytest.mark.parametrize(
    "name, start, limit",
    [
        ("wikinews-2014.gold.txt", 0, 200),
        ("wikinews-2014.gold.txt", 200, None),
        ("tashkeela-fadel-test.gold.txt", 0, 200),
        ("tashkeela-fadel-test.gold.txt", 200, 400),
    ],
    ids=["wikinews-first-half", "wikinews-second-half", "fadel-1-200", "fadel-201-400"],
)
def test_libtashkeel_gives_back_the_input_letters_on_the_gold_files(name, start, limit):
    """The full Fadel file (2,500 long lines) takes minutes: its first 400 lines are checked."""
    model = Diacritizer(LIBTASHKEEL)
    for line in gold_lines(name, limit, start):
        bare = strip_marks(line)
        assert strip_marks(model(bare)) == bare


def test_rawi_letters_come_back_on_the_gold_files():
    """rawi rewrites hamza seats in about a quarter of the WikiNews lines; the aligner puts them back."""
    model = Diacritizer("rawi-ensemble")
    for line in gold_lines("wikinews-2014.gold.txt", 80) + gold_lines("tashkeela-fadel-test.gold.txt", 40):
        bare = strip_marks(line)
        assert strip_marks(model(bare)) == bare


@pytest.mark.parametrize("start, limit", [(0, 80), (80, None)], ids=["first-80", "rest"])
def test_the_vote_gives_back_the_input_letters_on_every_2024_dev_line(start, limit):
    model = Diacritizer()
    assert model.members == VOTE_MEMBERS
    for line in gold_lines("wikinews-2024-dev.gold.txt", limit, start):
        bare = strip_marks(parse_gold(line).text)
        assert strip_marks(model(bare)) == bare


# --- the vote ---------------------------------------------------------------------------


def word(vowelled: str) -> tuple[list[str], list[str]]:
    """A vowelled word as (letters, marks per letter), as vote_marks and word_flaws see it."""
    units = [u for u in split_units(nfc(vowelled)) if u.base]
    return [u.base for u in units], [u.marks for u in units]


def vote(*readings: str) -> str:
    """The vote among vowellings of the same text, first reading first in priority."""
    units = split_units(strip_marks(nfc(readings[0])))
    candidates = [[u.marks for u in split_units(nfc(reading))] for reading in readings]
    out = "".join(u.base + m for u, m in zip(units, vote_marks(units, candidates)))
    assert vote_texts(readings) == out
    return out


def test_vote_texts_refuses_texts_with_different_letters():
    with pytest.raises(ValueError, match="same letters"):
        vote_texts(["كَتَبَ", "كَتَبَتْ"])


def test_the_vote_takes_each_word_from_the_majority():
    out = vote("ذَهَبَ الْوَلَدِ", "ذَهَبَ الْوَلَدُ", "ذُهِبَ الْوَلَدُ")
    assert out == nfc("ذَهَبَ الْوَلَدُ")  # first word 2:1 for the first reading, second word 2:1 against it


def test_a_tie_goes_to_the_first_model():
    assert vote("كَتَبَ", "كُتِبَ") == nfc("كَتَبَ")
    assert vote("كَتَبَ", "كُتِبَ", "كُتُبَ", "كَتَبَ") == nfc("كَتَبَ")  # 2:1:1
    assert vote("كُتِبَ", "كَتَبَ", "كَتَبَ", "كُتِبَ") == nfc("كُتِبَ")  # 2:2, the first model's group


def test_readings_that_differ_only_in_what_is_not_heard_vote_together():
    # a sukun and a fatha on the article's alef are not heard: the last two agree, 2:1
    out = vote("مِنِ الْبَيْتِ", "مِنْ الْبَيْتَ", "مِنْ اَلْبَيْتَ")
    assert out == nfc("مِنْ الْبَيْتَ")  # the reading of the first model of the winning group


def test_a_reading_that_breaks_a_spelling_rule_gets_no_vote():
    # إ always takes a kasra: the two readings with a fatha on it do not outvote the right one
    assert vote("إِضَافَةً", "إَضَافَةً", "إَضَافَةً") == nfc("إِضَافَةً")


@pytest.mark.parametrize(
    "vowelled, flaws",
    [
        ("إِضَافَةً", 0),
        ("إَضَافَةً", 1),  # hamza below without kasra
        ("أِعْلَانٌ", 1),  # hamza above with a kasra
        ("أُعْلِنَ", 0),
        ("كِتَابًا", 0),  # tanween before the final alef
        ("كٍتَاب", 1),  # tanween inside the word
        ("وَلَدًا", 0),
        ("وَلَدً", 1),  # fathatan on a final consonant without an alef
        ("الْوَلَدُ", 0),
        ("الْوَلَدٌ", 1),  # the article and tanween
        ("الشَّمْسُ", 0),  # the article's lam is bare before a sun letter
        ("اَلْشَّمْسُ", 0),  # or has a sukun
        ("تَفْسُّحَ", 1),  # a sukun before a shadda
        ("مَكْتْبَةٌ", 1),  # two sukuns in a row inside the word
        ("مَكتَبَةٌ", 1),  # a bare consonant inside the word
        ("مَدْرَسَةٌ", 0),
    ],
)
def test_word_flaws(vowelled, flaws):
    assert word_flaws(*word(vowelled)) == flaws


def test_the_vote_keeps_given_and_lexicon_marks(tmp_path):
    """Each model's marks are merged with the given ones before the vote, so they win whatever the models say."""
    models = {name: vowel_everything for name in VOTE_MEMBERS}
    model = FakeModel(models, model=VOTE, lexicon=write_lexicon(tmp_path))
    out = model("زار غوتيريش واشنطن وقابل المعلمُ")
    assert "وَاشِنْطُنَ" in out and "غُوتِيرِيشَ" in out and "الَمَعَلَمُ" in out
    assert len(model.seen) == len(VOTE_MEMBERS)  # one call per model for the one sentence


def test_the_vote_calls_each_member_and_votes_per_word():
    def damma_everywhere(text: str) -> str:
        return "".join(c + ("ُ" if "ء" <= c <= "ي" and c != "ا" else "") for c in strip_marks(text))

    models = dict.fromkeys(VOTE_MEMBERS, damma_everywhere) | {LIBTASHKEEL: vowel_everything}
    out = FakeModel(models, model=VOTE)("كتب الولد")
    assert out == "كُتُبُ الُوُلُدُ"  # three models against one


def test_model_names():
    assert DEFAULT_MODEL == VOTE
    assert vote_members(VOTE) == VOTE_MEMBERS
    assert vote_members("vote:libtashkeel+rawi-v3-int8") == (LIBTASHKEEL, "rawi-v3-int8")
    assert vote_members("rawi-v3-int8") == ("rawi-v3-int8",)
    assert TextSettings().tashkeel_model == VOTE
    assert Diacritizer.from_settings(TextSettings(tashkeel_model="rawi-v3-int8")).members == ("rawi-v3-int8",)
    with pytest.raises(ConfigError, match="vote"):
        Diacritizer("vote:libtashkeel+rawi-v9")


# --- bounded lexicon reading (issue 10) -----------------------------------------


def test_lexicon_fifo_and_oversize_are_refused(tmp_path):
    fifo = tmp_path / "lexicon.tsv"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="FIFO") as info:
        Lexicon.load(fifo)
    assert info.value.path == str(fifo)
    big = tmp_path / "big.tsv"
    with open(big, "wb") as fh:  # sparse: 9 MB on paper
        fh.truncate(9_000_000)
    with pytest.raises(ConfigError, match="8 MB"):
        Lexicon.load(big)


def test_lexicon_not_utf8_is_one_error(tmp_path):
    path = tmp_path / "lexicon.tsv"
    path.write_bytes("كتاب\tكِتَاب\n".encode("cp1256"))
    with pytest.raises(ConfigError, match="not UTF-8") as info:
        Lexicon.load(path)
    assert info.value.path == str(path)
