import datetime as dt
import random
import re
import unicodedata
from pathlib import Path

import pytest

from audio_news import arabic, normalize, numbers
from audio_news.config import TextSettings
from audio_news.ingest import read_article
from audio_news.models import Article, BlockKind, Section
from audio_news.normalize import build_script, clean, source_domain, split_sentences

REPO = Path(__file__).parent.parent
LETTERS_AND_MARKS = re.compile(f"[{arabic.LETTER_CLASS}{arabic.MARK_CLASS}]")


def letters_and_marks(text):
    """Arabic letters and marks in canonical order, tatweel and invisible characters aside."""
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" and ch != arabic.TATWEEL)
    return LETTERS_AND_MARKS.findall(unicodedata.normalize("NFC", visible))


# --- clean ----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("الســـلام عليكم", "السلام عليكم"),
        ("\u200fمرحبا\u200e بكم\u202b\u202c\u2066\u2069\u061c", "مرحبا بكم"),
        ("كلمة\u200bواحدة\ufeff", "كلمةواحدة"),
        ('قال "نعم" ثم مضى', "قال «نعم» ثم مضى"),
        ("قال “نعم” و”لا“", "قال «نعم» و«لا»"),
        ("« نص مقتبس »", "«نص مقتبس»"),
        ("انتظر... ثم تكلم", "انتظر… ثم تكلم"),
        ("«...» نص", "«…» نص"),
        ("العراقية.. ما السبب؟", "العراقية… ما السبب؟"),
        ("ما السبب?", "ما السبب؟"),
        ("أولا, ثانيا; ثالثا", "أولا، ثانيا؛ ثالثا"),
        ("في عام 2020, وبعده", "في عام 2020، وبعده"),
        ("بلغ 1,000 دولار", "بلغ 1,000 دولار"),
        ("الرابط https://x.com/a?b=1 هنا", "الرابط https://x.com/a?b=1 هنا"),
        ("BBC, CNN and more?", "BBC, CNN and more?"),
        ("حقا!!! هل؟؟ نعم،، لا", "حقا! هل؟ نعم، لا"),
        ("كلمة ، كلمة ؟", "كلمة، كلمة؟"),
        ("أولا،ثانيا", "أولا، ثانيا"),
        ("  مسافات\u00a0\u00a0كثيرة\t هنا  ", "مسافات كثيرة هنا"),
        ("عام 1445 هـ", "عام 1445 هـ"),
        ("الفريق الــ7 في الترتيب", "الفريق الـ7 في الترتيب"),  # the source's prefix + number
        ("زاد بـ12 وللـ4 وبالـ٣", "زاد بـ12 وللـ4 وبالـ٣"),
        ("عبر الـstreaming", "عبر الـstreaming"),
        ("في الـمـدينة الـكبيرة", "في المدينة الكبيرة"),
        ("سطر أول\n\n\n\nسطر  ثان", "سطر أول\n\nسطر ثان"),
        ("ﻻ ﺗﻐﻴﻴﺮ ﻓﻲ ﺍﻟﺤﻜﻮﻣﺔ", "لا تغيير في الحكومة"),  # presentation forms from a PDF
        ("ارتفع 5\\% و\\*النجمة\\* و\\[1\\]", "ارتفع 5% و*النجمة* و[1]"),  # Markdown escapes
        ("مسار C:\\Users\\x", "مسار C:\\Users\\x"),  # a backslash before a letter stays
        ("اتصل على 911 و\u00a0112 و&nbsp;113", "اتصل على 911 و 112 و 113"),
        ("عام 2018[1] وبالمئة[^1]", "عام 2018[1] وبالمئة[^1]"),  # footnotes stay in the transcript
        ("1- تطبق القواعد", "1- تطبق القواعد"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 12 else None,
)
def test_clean(raw, expected):
    assert clean(raw) == expected


def test_clean_composes_nfc():
    decomposed = "\u0627\u0654\u0645\u0644"  # alef + hamza above, as two code points
    assert clean(decomposed) == "أمل"
    assert unicodedata.is_normalized("NFC", clean("\u0643\u064e\u062a\u064e\u0628\u064e"))


def test_clean_folds_only_presentation_forms():
    pdf = "\ufefb\ufe8d\ufedf\ufea4\ufedc\ufeee\ufee3\ufe94 \ufdf2"  # ﻻ ﺍﻟﺤﻜﻮﻣﺔ and the ligature ﷲ
    assert clean(pdf) == "لاالحكومة الله"
    assert clean("ﻹﻋﻼﻥ") == "لإعلان"
    text = "فِي الحُكُومَةِ ١٢٣ ﻻ"
    assert clean(text) == "فِي الحُكُومَةِ ١٢٣ لا"  # digits, marks and letters otherwise untouched
    assert clean(clean(pdf)) == clean(pdf)


def test_clean_keeps_diacritics():
    text = "ذَهَبَ الطَّالِبُ إِلَى المَدْرَسَةِ، وَعَادَ مُبَكِّرًا."
    assert clean(text) == text


def noisy_strings(count):
    rng = random.Random(20240820)
    pool = (
        list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآؤئةى")
        + ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b", "\u0670", "\u0640"]
        + list(" .,;?!؟،؛:\"'“”«»()-…0123456789٠١٢")
        + ["\u200f", "\u200e", "\u200b", "\u200c", "\u202b", "\u2066", "\ufeff", "\u00a0", "\n", "\t", "ab"]
    )
    return ["".join(rng.choice(pool) for _ in range(rng.randint(1, 80))) for _ in range(count)]


@pytest.mark.parametrize("text", noisy_strings(300))
def test_clean_invariants(text):
    out = clean(text)
    assert letters_and_marks(out) == letters_and_marks(text)
    assert unicodedata.is_normalized("NFC", out)
    assert clean(out) == out
    assert not re.search('[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c"“”]', out)
    assert "  " not in out and out == out.strip()


# --- sentences ------------------------------------------------------------


@pytest.mark.parametrize(
    "paragraph, expected",
    [
        ("جملة أولى. جملة ثانية! هل من ثالثة؟ نعم…", ["جملة أولى.", "جملة ثانية!", "هل من ثالثة؟", "نعم…"]),
        ("قال، وأضاف؛ ثم سكت.", ["قال، وأضاف؛ ثم سكت."]),
        ("بلغ النمو 2.5 بالمئة. وهذا جيد.", ["بلغ النمو 2.5 بالمئة.", "وهذا جيد."]),
        ("التقى د. محمد بالمهندس م. علي أمس. ثم عاد.", ["التقى د. محمد بالمهندس م. علي أمس.", "ثم عاد."]),
        ("حاضر أ.د. سمير في المؤتمر. ثم غادر.", ["حاضر أ.د. سمير في المؤتمر.", "ثم غادر."]),
        ("كتبت J. K. Rowling رواية. ونجحت.", ["كتبت J. K. Rowling رواية.", "ونجحت."]),
        ("وقع ذلك في 20.08.2024 صباحا. ثم انتهى.", ["وقع ذلك في 20.08.2024 صباحا.", "ثم انتهى."]),
        ("زوروا example.com/news.html للمزيد. شكرا.", ["زوروا example.com/news.html للمزيد.", "شكرا."]),
        ("انسحبت في 2011. وعادت في 2014.", ["انسحبت في 2011.", "وعادت في 2014."]),
        ("ولد عام 1990 م. ثم سافر.", ["ولد عام 1990 م.", "ثم سافر."]),
        ("قال «انتهى الأمر.» ثم خرج.", ["قال «انتهى الأمر.»", "ثم خرج."]),
        ("أحقا؟! لا أصدق.", ["أحقا؟!", "لا أصدق."]),
        ("1. البند الأول مهم.", ["1. البند الأول مهم."]),
        ("قالت: «لن ننسحب. سنبقى هنا!» ثم غادرت.", ["قالت: «لن ننسحب. سنبقى هنا!»", "ثم غادرت."]),
        ("«هل انتهى؟ لا أظن». قالها وابتسم.", ["«هل انتهى؟ لا أظن».", "قالها وابتسم."]),
        ("ردد «كفى. كفى» مرتين. ثم صمت.", ["ردد «كفى. كفى» مرتين.", "ثم صمت."]),
        ("بدأ يقول «الأمر صعب. والوقت ضيق", ["بدأ يقول «الأمر صعب. والوقت ضيق"]),
        ("جملة بلا نقطة", ["جملة بلا نقطة"]),
        ("  ", []),
    ],
    ids=[
        "enders",
        "comma",
        "decimal",
        "abbrev",
        "prof-dr",
        "initials",
        "date",
        "url",
        "year-end",
        "era",
        "quote",
        "interrobang",
        "list-number",
        "quote-inside",
        "quote-question",
        "quote-mid",
        "quote-unclosed",
        "no-end",
        "blank",
    ],
)
def test_split_sentences(paragraph, expected):
    assert split_sentences(paragraph) == expected


def test_split_sentences_splits_a_long_quotation():
    speech = " ".join(f"هذه هي الجملة رقم {n} في خطاب طويل جدا." for n in range(1, 13))
    assert len(speech) > 300
    sentences = split_sentences(f"وقال الرئيس «{speech}» ثم صفق الحضور.")
    assert len(sentences) == 13
    assert sentences[0] == "وقال الرئيس «هذه هي الجملة رقم 1 في خطاب طويل جدا."
    assert sentences[-2:] == ["هذه هي الجملة رقم 12 في خطاب طويل جدا.»", "ثم صفق الحضور."]


CLAUSE = "وأكد المتحدث باسم الوزارة أن الإجراءات الجديدة ستطبق على جميع المحافظات"


def test_split_sentences_splits_a_long_sentence_at_clauses():
    paragraph = "، ".join([CLAUSE] * 12) + "."
    assert len(paragraph) > 600
    sentences = split_sentences(paragraph)
    assert len(sentences) == 4
    assert all(len(s) <= 300 for s in sentences)
    assert all(s.endswith("،") for s in sentences[:-1]) and sentences[-1].endswith(".")
    assert " ".join(sentences) == paragraph


def test_split_sentences_splits_at_semicolon_near_the_middle():
    first, second = "، ".join([CLAUSE] * 2), "، ".join([CLAUSE] * 3)
    paragraph = f"{first}؛ {second}"
    assert split_sentences(paragraph) == [first + "؛", second]


def test_split_sentences_keeps_short_quotes_and_unbroken_sentences():
    quote = "«" + "، ".join(["كلام قصير"] * 20) + "»"
    paragraph = f"قال {quote} {'، '.join([CLAUSE] * 6)}."
    sentences = split_sentences(paragraph)
    assert len(sentences) > 1 and quote in sentences[0]
    assert all(len(s) <= 300 for s in sentences)
    no_clauses = " ".join(["كلمة"] * 80)
    assert split_sentences(no_clauses) == [no_clauses]
    short = "، ".join([CLAUSE] * 3) + "."
    assert split_sentences(short) == [short]


def test_split_sentences_keeps_every_character():
    paragraph = clean("قال الوزير إن «الأزمة انتهت. والبلاد بخير» ، وأضاف: هل نبدأ?! نعم... فورا.")
    assert " ".join(split_sentences(paragraph)) == paragraph


# --- build_script ---------------------------------------------------------


def make_article(**extra):
    return Article(
        title="عنوان الخبر",
        sections=(
            Section(None, ("فقرة المقدمة الأولى. وجملة ثانية.", "فقرة المقدمة الثانية.")),
            Section("القسم الأول", ("فقرة في القسم الأول.",)),
            Section("قسم فارغ", ("\u0640\u200f", "   ")),
            Section("القسم الثاني", ("\u200e", "فقرة أخيرة فيها 3 أرقام.")),
        ),
        source="a.txt",
        **extra,
    )


def test_build_script_structure():
    script = build_script(make_article(url="https://www.example.com/news/2024/08/x?id=5", date=dt.date(2024, 8, 20)))
    assert [p.title for p in script.parts] == ["عنوان الخبر", "القسم الأول", "القسم الثاني"]
    intro, first, second = script.parts
    assert [b.kind for b in intro.blocks] == [BlockKind.TITLE, BlockKind.META, BlockKind.PARAGRAPH, BlockKind.PARAGRAPH]
    assert [s.text for s in intro.blocks[0].sentences] == ["عنوان الخبر"]
    assert [s.text for s in intro.blocks[1].sentences] == ["المصدر: example.com.", "بتاريخ 2024-08-20."]
    assert [s.text for s in intro.blocks[2].sentences] == ["فقرة المقدمة الأولى.", "وجملة ثانية."]
    assert [b.kind for b in first.blocks] == [BlockKind.HEADING, BlockKind.PARAGRAPH]
    assert first.blocks[0].sentences[0].text == "القسم الأول"
    assert [b.kind for b in second.blocks] == [BlockKind.HEADING, BlockKind.PARAGRAPH]
    assert script.article.source == "a.txt"
    assert all(s.clip is None for s in script.sentences)


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({}, None),
        ({"url": "http://news.example.org/path"}, ["المصدر: news.example.org."]),
        ({"date": dt.date(2023, 1, 9)}, ["بتاريخ 2023-01-09."]),
    ],
    ids=["none", "url-only", "date-only"],
)
def test_build_script_meta_block(extra, expected):
    intro = build_script(make_article(**extra)).parts[0]
    meta = [b for b in intro.blocks if b.kind is BlockKind.META]
    if expected is None:
        assert meta == []
        assert [b.kind for b in intro.blocks][:2] == [BlockKind.TITLE, BlockKind.PARAGRAPH]
    else:
        assert [s.text for s in meta[0].sentences] == expected


def test_build_script_uses_verbalize_at_call_time(monkeypatch):
    seen = []

    def fake(text, settings=TextSettings(), marks=False):
        seen.append(settings)
        return "<" + text + ">"

    monkeypatch.setattr(numbers, "verbalize", fake)
    settings = TextSettings(months="levantine")
    script = build_script(make_article(), settings)
    assert seen and all(s is settings for s in seen)
    assert all(s.spoken == "<" + s.text + ">" for s in script.sentences)


def test_build_script_cleans_text():
    article = Article(title="خبر\u200f عاجل", sections=(Section("قسم\u0640", ('قال: "نعم"... ثم مضى',)),))
    script = build_script(article)
    assert script.parts[0].title == "خبر\u200f عاجل"  # chapter titles are the article's own
    assert script.sentences[0].text == "خبر عاجل"
    assert [s.text for s in script.parts[1].sentences] == ["قسم", "قال: «نعم»…", "ثم مضى"]


def test_build_script_of_sample_article():
    article = read_article(REPO / "samples" / "article.txt")
    script = build_script(article)
    assert len(script.parts) == 4
    assert [p.title for p in script.parts[1:]] == [s.heading for s in article.sections[1:]]
    assert [b.kind for b in script.parts[0].blocks] == [BlockKind.TITLE, BlockKind.PARAGRAPH]
    assert len(script.parts[0].blocks[1].sentences) == 2
    assert 8 <= len(script.sentences) <= 16


@pytest.mark.parametrize(
    "sentence, spoken",
    [
        ("التفاصيل على https://news.example.org/a/2024/7?id=9 حتى الغد.", "التفاصيل على حتى الغد."),
        ("التسجيل عبر www.example.org/register.", "التسجيل عبر."),
        ("الشكاوى إلى (complaints@city.example.gov) أو الهاتف", "الشكاوى إلى أو الهاتف"),
        ("زوروا portal.example.net/forms/12 الآن.", "زوروا الآن."),
        ("https://example.org/only-a-link", ""),
        ("المصدر: example.com.", "المصدر: example.com."),  # a bare domain is read
        ("الاقتصاد & السياسة", "الاقتصاد والسياسة"),
        ("بين 2019 & 2021", "بين 2019 و2021"),
        ("Marks & Spencer و AT&T", "Marks و Spencer و AT&T"),
        ("المرتبة الـ3 وخدمة الـpodcast", "المرتبة ال3 وخدمة الpodcast"),
        ("في 5 مايو/أيار 2024", "في 5 مايو أيار 2024"),
        ("يناير/كانون الثاني", "يناير كانون الثاني"),
        ("تونس/ الجزيرة", "تونس الجزيرة"),
        ("بسرعة 120 كم/ساعة في 20/08/2024 و1/2", "بسرعة 120 كم/ساعة في 20/08/2024 و1/2"),
        ("الجزيرة + وكالات", "الجزيرة ووكالات"),
        ("تصدر وسم #قمة_البحرين و#غزة", "تصدر وسم قمة البحرين وغزة"),
        ("كتب @user_name على «@الجزيرة» و@ هنا", "كتب على «الجزيرة» و هنا"),
        ("ارتفع 5\\% \\(تقريبا\\)", "ارتفع 5% (تقريبا)"),
        ("مساحة 100,000 كم² و30 م² و5 م³", "مساحة 100,000 كم مربع و30 م مربع و5 م مكعب"),
        ("بلغت 2 km² فقط", "بلغت 2 km مربع فقط"),
        ("خزان سعته 800 م3 وحديقة من 40 ألف م2 و7 كم2", "خزان سعته 800 م مكعب وحديقة من 40 ألف م مربع و7 كم مربع"),
        ("القاعة م2 والطائرة ف16 و3 ملم2", "القاعة م2 والطائرة ف16 و3 ملم2"),
        ("عام 2018[1] بالمئة[^1] هنا [^note].", "عام 2018 بالمئة هنا."),
        ("تحسن¹ الأداء³ [2]", "تحسن الأداء"),
        ("* يبدأ العمل", "يبدأ العمل"),
        ("- تطبق القواعد", "تطبق القواعد"),
        ("• بند", "بند"),
        ("1- تطبق القواعد", "أولا، تطبق القواعد"),
        ("2. البند الثاني", "ثانيا، البند الثاني"),
        ("١٠- بند", "عاشرا، بند"),
        ("(3) بند", "ثالثا، بند"),
        ("11- بند", "بند"),
        ("1.5 مليون زائر", "1.5 مليون زائر"),
        ("-5 درجات", "-5 درجات"),
        ("اتصل على 911 و 112", "اتصل على 911 و112"),
        ("و 5 آلاف", "و5 آلاف"),
        ("ذهب و عاد", "ذهب و عاد"),
    ],
    ids=[
        "url",
        "www",
        "email",
        "path",
        "only-url",
        "domain",
        "amp",
        "amp-digit",
        "amp-latin",
        "tatweel",
        "slash-month",
        "slash-levantine",
        "slash-dateline",
        "slash-kept",
        "plus",
        "hashtag",
        "mention",
        "escape",
        "squares",
        "latin-square",
        "digit-powers",
        "digit-not-power",
        "footnotes",
        "superscripts",
        "bullet-star",
        "bullet-dash",
        "bullet-dot",
        "list-1",
        "list-2",
        "list-arabic-digits",
        "list-paren",
        "list-11",
        "decimal",
        "negative",
        "waw-number",
        "waw-start",
        "waw-word",
    ],
)
def test_speakable(sentence, spoken):
    assert normalize.speakable(sentence) == spoken


def test_build_script_keeps_links_in_text_but_not_in_speech():
    link = "https://www.example.org/reports/2024/05/17"
    article = Article(
        title="تقرير & تحليل",
        sections=(
            Section(
                None,
                (
                    f"نشرت الهيئة التقرير كاملا على {link}. وللاستفسار: press@example.org",
                    "وحلّ المنتخب في المركز الـ4 بعد أن كان الـ9، وتقدم بـ5 مراكز.",
                ),
            ),
        ),
    )
    sentences = build_script(article).sentences
    assert [s.text for s in sentences] == [
        "تقرير & تحليل",
        f"نشرت الهيئة التقرير كاملا على {link}.",
        "وللاستفسار: press@example.org",
        "وحلّ المنتخب في المركز الـ4 بعد أن كان الـ9، وتقدم بـ5 مراكز.",
    ]
    title, link_sentence, contact, ranks = (s.spoken for s in sentences)
    assert title == "تقرير وتحليل"
    assert link_sentence == "نشرت الهيئة التقرير كاملا على."
    assert contact == "وللاستفسار:"
    assert not re.search(r"[\d\u0640]", ranks), ranks  # the verbalizer read every number


def test_build_script_keeps_markers_in_text_but_not_in_speech(monkeypatch):
    monkeypatch.setattr(numbers, "verbalize", lambda text, settings=TextSettings(), marks=False: text)
    article = Article(
        title="ﺍﻟﺨﺒﺮ",
        sections=(
            Section(
                None,
                (
                    "1- تطبق القواعد على 30 م² فقط[1].",
                    "* تصدر وسم #قمة_البحرين مايو/أيار",
                ),
            ),
        ),
    )
    sentences = build_script(article).sentences
    assert [s.text for s in sentences] == [
        "الخبر",
        "1- تطبق القواعد على 30 م² فقط[1].",
        "* تصدر وسم #قمة_البحرين مايو/أيار",
    ]
    assert [s.spoken for s in sentences] == [
        "الخبر",
        "أولا، تطبق القواعد على 30 م مربع فقط.",
        "تصدر وسم قمة البحرين مايو أيار",
    ]


@pytest.mark.parametrize(
    "url, domain",
    [
        ("https://www.example.com/a/b?c=1", "example.com"),
        ("http://News.Example.org:8080/x", "news.example.org"),
        ("example.net/path", "example.net"),
    ],
)
def test_source_domain(url, domain):
    assert source_domain(url) == domain


def test_module_has_no_hidden_state():
    first = build_script(make_article())
    second = build_script(make_article())
    assert first == second
    assert normalize.build_script.__defaults__[0] == TextSettings()


@pytest.mark.parametrize(
    "sentence, spoken",
    [
        ("س: ما هو التضخم؟", "سؤال: ما هو التضخم؟"),
        ("ج: ارتفاع عام في الأسعار.", "جواب: ارتفاع عام في الأسعار."),
        ("ج- نعم.", "جواب: نعم."),
        ("سيارة جديدة: تفاصيل.", "سيارة جديدة: تفاصيل."),
    ],
    ids=["question", "answer", "answer-dash", "not-a-label"],
)
def test_interview_labels_are_read_as_words(sentence, spoken):
    assert normalize.speakable(sentence) == spoken
