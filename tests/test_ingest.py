import datetime as dt
from pathlib import Path

import pytest

from audio_news import ingest
from audio_news.errors import AudioNewsError, InputError
from audio_news.ingest import parse_html, parse_markdown, parse_text, read_article

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
SEED = REPO.parent / "shared" / "seed" / "000_a9bde49a6959cd4e.txt"

LEAD = "أعلنت الهيئة العامة للأرصاد اليوم عن موجة حر تستمر ثلاثة أيام."
PARAGRAPH = "وقال المتحدث باسم الهيئة إن درجات الحرارة قد تتجاوز المعدلات المعتادة بخمس درجات."


def all_text(article):
    return " ".join(
        [article.title]
        + [s.heading or "" for s in article.sections]
        + [p for s in article.sections for p in s.paragraphs]
    )


# --- plain text -----------------------------------------------------------


@pytest.mark.skipif(not SEED.exists(), reason="needs ../shared/seed (the shared folder is absent)")
def test_seed_article_structure():
    article = read_article(SEED)
    assert article.title.startswith("أميركا تشعل الغضب")
    assert article.source == str(SEED)
    assert [s.heading for s in article.sections] == [
        None,
        "إنهاء مهمة التحالف الدولي",
        "جزء رئيسي من البرنامج الحكومي",
        "الانتقال إلى علاقات أمنية ثنائية",
        "مصدرا لعدم الاستقرار",
    ]
    assert [len(s.paragraphs) for s in article.sections] == [2, 4, 5, 3, 5]
    text = all_text(article)
    assert "اقرأ المزيد" not in text
    assert "كامالا هاريس" not in text
    assert article.sections[-1].paragraphs[-1].endswith("في شمال سوريا.")


def test_bundled_sample_article():
    article = read_article(REPO / "samples" / "article.txt")
    assert article.title == "مدينة ساحلية تطلق أول أسطول من الحافلات الكهربائية"
    assert [s.heading for s in article.sections] == [None, "تفاصيل المشروع", "ترحيب حذر من السكان", "خطط حتى عام 2030"]
    assert len(article.sections[0].paragraphs) == 1
    words = len(all_text(article).split())
    assert 100 <= words <= 180
    assert "اقرأ أيضا" not in all_text(article)
    assert "محطة شحن" not in all_text(article)


def test_text_paragraph_lines_are_not_headings():
    text = "\n".join(
        [
            "عنوان الخبر الرئيسي",
            LEAD,
            "وأضاف المتحدث أن الوضع مستقر.",  # short but ends with a full stop
            "وتابع قائلا،",  # ends with a comma
            "«الوضع تحت السيطرة»",  # a quotation
            "وماذا بعد؟",  # a question that continues the story
            PARAGRAPH,
        ]
    )
    article = parse_text(text)
    assert [s.heading for s in article.sections] == [None]
    assert len(article.sections[0].paragraphs) == 6


def test_text_heading_needs_a_paragraph_after_it():
    text = "\n".join(["عنوان الخبر", LEAD, "توقعات الأسبوع", PARAGRAPH, "سطر أخير قصير"])
    article = parse_text(text)
    assert [s.heading for s in article.sections] == [None, "توقعات الأسبوع"]
    assert article.sections[1].paragraphs == (PARAGRAPH, "سطر أخير قصير")


def test_text_blank_lines_and_spaces_are_ignored():
    article = parse_text("\n\n  عنوان   الخبر  \n\n" + LEAD + "\r\n\r\n\t" + PARAGRAPH + "\n")
    assert article.title == "عنوان الخبر"
    assert article.sections[0].paragraphs == (LEAD, PARAGRAPH)


@pytest.mark.parametrize(
    "marker", ["اقرأ المزيد", "اقرأ أيضا", "اقرأ أيضاً", "اقرأ أيضا:", "شارك", "شارك المقال", "أخبار ذات صلة"]
)
def test_text_read_more_block_ends_the_article(marker):
    text = "\n".join(
        [
            "عنوان الخبر",
            LEAD,
            "توقعات الأسبوع",
            PARAGRAPH,
            marker,
            "خبر آخر لا علاقة له",
            "وفقرة أخرى بعده تنتهي بنقطة.",
        ]
    )
    article = parse_text(text)
    assert article.sections[-1].paragraphs == (PARAGRAPH,)
    assert "خبر آخر" not in all_text(article)


def test_text_inline_related_link_is_dropped_but_article_continues():
    text = "\n".join(["عنوان الخبر", LEAD, "اقرأ أيضا: موجة برد متوقعة الشهر المقبل", PARAGRAPH])
    article = parse_text(text)
    assert article.sections[0].paragraphs == (LEAD, PARAGRAPH)


def test_text_paragraph_starting_with_share_verb_is_kept():
    line = "شارك آلاف المواطنين في حملة التشجير التي نظمتها البلدية."
    article = parse_text("\n".join(["عنوان الخبر", LEAD, line]))
    assert article.sections[0].paragraphs == (LEAD, line)


def test_text_url_and_date_lines_after_title():
    text = "\n".join(["عنوان الخبر", "https://example.com/news/1", "2024-08-20", LEAD])
    article = parse_text(text, source="x.txt")
    assert article.url == "https://example.com/news/1"
    assert article.date == dt.date(2024, 8, 20)
    assert article.sections[0].paragraphs == (LEAD,)
    assert article.source == "x.txt"


@pytest.mark.parametrize(
    "line, heading",
    [
        ("كم ستكلف إعادة البناء؟", True),  # a question heading
        ("وكيف سترد الحكومة؟", False),  # a question that continues the story
        ("الزراعة أيضا في دائرة الخطر:", True),  # a colon heading
        ("وقالت رئيسة البلدية في مؤتمر صحفي:", False),  # introduces speech
        ("الناطق باسم الشرطة قال للصحفيين:", False),
        ("وتشمل الإجراءات الجديدة ما يلي:", False),  # introduces a list
        ("وأكد المدير أن العمل مستمر", False),  # و + verb of saying, no full stop
        ("فأوضح المسؤول تفاصيل القرار", False),
        ("المسؤول يرى أن التأخير مبرر", False),  # the particle أن
        ("ويتوقع الخبراء تحسنا قريبا", False),  # و + a present-tense verb
        ("واستمرت الاشتباكات حتى الفجر", False),  # و + استفعل
        ("وفي الجلسة نفسها", False),  # و + a preposition
        ("وزارة الصحة تحت الضغط", True),  # و is part of the noun
        ("فيضانات الربيع الماضي", True),
        ("وتيرة الإصلاحات", True),
        ("آن أوان الحسم", True),  # آن is not the particle أن
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_looks_like_heading(line, heading):
    assert ingest.looks_like_heading(line) is heading


def test_text_question_and_colon_headings_start_sections():
    text = "\n".join(
        [
            "عنوان الخبر",
            LEAD,
            "وقال مدير الهيئة في بيان مقتضب:",
            "«نتابع الوضع ساعة بساعة.",
            "ونطلب من السكان الحذر».",
            "هل تتأثر المدارس؟",
            PARAGRAPH,
            "المحاصيل أيضا في خطر:",
            "ويخشى المزارعون تلف محاصيل الخضار في الحقول المكشوفة.",
        ]
    )
    article = parse_text(text)
    assert [s.heading for s in article.sections] == [None, "هل تتأثر المدارس؟", "المحاصيل أيضا في خطر"]
    assert article.sections[0].paragraphs[1:] == (
        "وقال مدير الهيئة في بيان مقتضب:",
        "«نتابع الوضع ساعة بساعة.",
        "ونطلب من السكان الحذر».",
    )


def test_text_without_full_stops_keeps_short_sentences_as_paragraphs():
    text = "\n".join(
        [
            "البلدية تفتتح حديقة عامة جديدة في الحي الشرقي",
            "افتتحت البلدية صباح اليوم حديقة عامة على مساحة خمسة هكتارات في الحي الشرقي بحضور عدد من السكان",
            "وقال رئيس البلدية إن الدخول مجاني",
            "وأضاف أن الحديقة تفتح يوميا حتى منتصف الليل",
            "ويأمل السكان في مرافق أخرى مماثلة",
            "مرافق للأطفال",
            "وتضم الحديقة ملعبين صغيرين ومساحة للألعاب ومكتبة في الهواء الطلق",
        ]
    )
    article = parse_text(text)
    assert [s.heading for s in article.sections] == [None, "مرافق للأطفال"]
    assert len(article.sections[0].paragraphs) == 4


def test_text_dateline_gives_the_date_and_is_dropped():
    text = "\n".join(["عنوان الخبر", "نُشر في 3 آذار 2024 - 09:15", LEAD, "آخر تحديث: الأحد 03/03/2024", PARAGRAPH])
    article = parse_text(text)
    assert article.date == dt.date(2024, 3, 3)
    assert article.sections[0].paragraphs == (LEAD, PARAGRAPH)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("نشر في 9 يناير 2024", True),
        ("بتاريخ: الخميس ١٥ فبراير ٢٠٢٤، الساعة 10:30 صباحا", True),
        ("آخر تحديث 2024-05-01 14:00 بتوقيت غرينتش", True),
        ("12 تشرين الأول 2023", True),
        ("بتاريخ 5 مايو 2023 وقعت الحكومة اتفاقا مع النقابات", False),
        ("نشر الوزير تقريرا مفصلا عن الموازنة", False),
        ("نشر في 31 فبراير 2024", False),  # not a date
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_is_dateline(line, expected):
    assert ingest.is_dateline(line) is expected


@pytest.mark.parametrize(
    "tail",
    [
        ["تابعونا على منصات التواصل الاجتماعي"],
        ["للمزيد من الأخبار المحلية زوروا موقعنا", "حقوق النشر محفوظة"],
        ["اشترك في نشرتنا الأسبوعية"],
    ],
    ids=["follow", "more-news", "subscribe"],
)
def test_text_promo_lines_at_the_end_are_dropped(tail):
    article = parse_text("\n".join(["عنوان الخبر", LEAD, PARAGRAPH, *tail]))
    assert article.sections[-1].paragraphs == (LEAD, PARAGRAPH)


def test_text_promo_like_line_before_more_story_is_kept():
    line = "تابعونا على الهواء مباشرة، قالها المذيع قبل أن يبدأ البث."
    article = parse_text("\n".join(["عنوان الخبر", LEAD, line, PARAGRAPH]))
    assert article.sections[0].paragraphs == (LEAD, line, PARAGRAPH)


def test_text_body_must_be_arabic():
    with pytest.raises(InputError, match="no Arabic"):
        parse_text("عنوان عربي للخبر\nThe whole story is written in English.\nSo is this line.", "x.txt")


# --- Markdown -------------------------------------------------------------


def test_markdown_article():
    article = read_article(DATA / "article.md")
    assert article.title == "فريق بحثي يطور نظاما لري المحاصيل بمياه أقل"
    assert article.url == "https://www.akhbar-example.net/science/2024/irrigation"
    assert article.date == dt.date(2024, 3, 14)
    assert [s.heading for s in article.sections] == [None, "كيف يعمل النظام", "نتائج الموسم الأول"]
    lead = article.sections[0].paragraphs
    assert lead == (
        "أعلن فريق من الباحثين في جامعة الواحة عن نظام ري ذكي يخفض استهلاك المياه "
        "في الحقول بنسبة 35%. وجرى اختبار النظام على مدى موسمين زراعيين.",
    )
    how = article.sections[1].paragraphs
    assert how[0] == "تقيس مجسات صغيرة رطوبة التربة كل ساعة، ثم يقرر برنامج irrigate موعد الري وكميته."
    assert how[1:] == ("تركيب المجسات على عمق 30 سنتيمترا.", "إرسال القراءات إلى المحطة المركزية لاسلكيا.")
    assert article.sections[2].paragraphs[-1] == "وأضافت أن المزارعين سيحصلون على النظام بكلفة رمزية."
    text = all_text(article)
    for junk in ("*", "`", "](", "صورة لحقل", "config", "اقرأ", "البذور المحلية", "عنوان احتياطي", "---"):
        assert junk not in text


def test_markdown_setext_headings_escapes_and_no_front_matter():
    text = "\n".join(
        [
            "عنوان بخط سفلي",
            "==========",
            "",
            "فقرة فيها نجمة \\*حرفية\\* و__تأكيد__.",
            "",
            "قسم ثان",
            "-------",
            "",
            "فقرة [برابط][ref] أخيرة.",
            "",
            "[ref]: https://example.com",
        ]
    )
    article = parse_markdown(text)
    assert article.title == "عنوان بخط سفلي"
    assert article.url is None and article.date is None
    assert article.sections[0].paragraphs == ("فقرة فيها نجمة *حرفية* وتأكيد.",)
    assert article.sections[1] == ingest.Section("قسم ثان", ("فقرة برابط أخيرة.",))


def test_markdown_title_from_front_matter_when_no_heading():
    text = "---\ntitle: عنوان من البيانات\n---\n\n" + LEAD + "\n"
    article = parse_markdown(text)
    assert article.title == "عنوان من البيانات"
    assert article.sections[0].paragraphs == (LEAD,)


@pytest.mark.parametrize(
    "line, fragment",
    [
        ("date: 20/08/2024", "ISO date"),
        ("date: 2024-02-30", "ISO date"),
        ("url: example.com/news", "http"),
    ],
    ids=["date-format", "date-invalid", "url-scheme"],
)
def test_markdown_bad_front_matter(line, fragment):
    with pytest.raises(InputError, match=fragment) as info:
        parse_markdown(f"---\n{line}\n---\n# عنوان\n\n{LEAD}\n", source="a.md")
    assert info.value.path == "a.md"


def test_markdown_thematic_break_then_promo_ends_the_article():
    text = "\n".join(
        [
            "# العنوان",
            "",
            LEAD,
            "",
            "---",
            "",
            "_تابعونا على قناتنا لمتابعة آخر المستجدات_",
            "",
            "فقرة ترويجية طويلة عن خبر آخر لا علاقة له بالموضوع ولا ينبغي أن تقرأ ضمن المقال أبدا مهما طالت.",
        ]
    )
    assert parse_markdown(text).sections == (ingest.Section(None, (LEAD,)),)


def test_markdown_thematic_break_inside_the_story_is_ignored():
    text = "\n".join(["# العنوان", "", LEAD, "", "***", "", PARAGRAPH])
    assert parse_markdown(text).sections == (ingest.Section(None, (LEAD, PARAGRAPH)),)


def test_markdown_body_must_be_arabic():
    with pytest.raises(InputError, match="no Arabic"):
        parse_markdown("# عنوان عربي\n\nOnly English here.\n", "x.md")


# --- HTML -----------------------------------------------------------------


def test_html_saved_page():
    article = read_article(DATA / "article.html")
    assert article.title == "افتتاح الدورة العشرين لمعرض الكتاب بمشاركة 300 دار نشر"
    assert article.url == "https://www.almadar-news.example/culture/book-fair-20"
    assert article.date == dt.date(2024, 11, 5)
    assert [s.heading for s in article.sections] == [None, "برنامج ثقافي حافل", "إقبال لافت في اليوم الأول"]
    assert article.sections[0].paragraphs == (
        "افتتحت وزارة الثقافة مساء أمس الدورة العشرين لمعرض الكتاب، بمشاركة 300 دار نشر من 25 دولة. "
        "ويستمر المعرض عشرة أيام.",
        "وقال مدير المعرض إن عدد العناوين المعروضة تجاوز 120 ألف عنوان، وإن الدخول مجاني للطلاب.",
    )
    assert article.sections[1].paragraphs == (
        "ويتضمن البرنامج الثقافي ندوات وأمسيات شعرية، أبرزها:",
        "ندوة عن مستقبل النشر الرقمي.",
        "أمسية لشعراء من الجيل الجديد.",
    )
    assert article.sections[2].paragraphs == (
        "وقدّر المنظمون عدد زوار اليوم الأول بنحو 15 ألف زائر معظمهم من العائلات.",
    )
    text = all_text(article)
    for junk in (
        "الرئيسية",
        "صحيفة المدار",
        "إعلان",
        "سكربت",
        "شارك على",
        "تويتر",
        "زوار يتجولون",
        "بقلم",
        "إعلاني",
        "اقرأ أيضا",
        "جائزة الرواية",
        "ذات صلة",
        "الترجمة",
        "النشرة",
        "الشريط الجانبي",
        "الحقوق",
        "جافاسكربت",
    ):
        assert junk not in text, junk


def test_html_without_article_uses_main_and_title_tag():
    page = (
        "<html><head><title>صحيفة الغد - عنوان الخبر من وسم العنوان</title>"
        '<meta name="date" content="2023-01-09"><meta property="og:url" content="https://ghad.example/n/9"></head>'
        "<body><nav><p>قائمة التصفح الرئيسية للموقع</p></nav>"
        f"<main><p>{LEAD}<p>{PARAGRAPH}<h2>فقرة أخيرة</h2><p>نص ختامي قصير.</main>"
        "<footer><p>حقوق النشر</p></footer></body></html>"
    )
    article = parse_html(page)
    assert article.title == "عنوان الخبر من وسم العنوان"
    assert article.url == "https://ghad.example/n/9"
    assert article.date == dt.date(2023, 1, 9)
    assert article.sections == (
        ingest.Section(None, (LEAD, PARAGRAPH)),
        ingest.Section("فقرة أخيرة", ("نص ختامي قصير.",)),
    )


def test_html_picks_the_article_with_the_most_text_and_reads_json_ld_date():
    page = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2022-05-01T08:00:00Z"}</script>'
        "<article><h1>خبر قصير جانبي</h1><p>سطر.</p></article>"
        f"<article><h1>الخبر الرئيسي</h1><p>{LEAD}</p><p>{PARAGRAPH}</p>"
        '<p style="display:none">نص مخفي</p><div hidden><p>نص مخفي آخر</p></div>'
        '<p class="social-links">روابط التواصل</p></article>'
    )
    article = parse_html(page)
    assert article.title == "الخبر الرئيسي"
    assert article.date == dt.date(2022, 5, 1)
    assert article.sections[0].paragraphs == (LEAD, PARAGRAPH)


def test_html_read_more_heading_ends_the_article():
    page = f"<article><h1>العنوان</h1><p>{LEAD}</p><h3>اقرأ المزيد</h3><p>{PARAGRAPH}</p></article>"
    assert parse_html(page).sections == (ingest.Section(None, (LEAD,)),)


def test_html_date_and_byline_paragraphs_are_not_article_text():
    page = (
        "<article><h1>العنوان</h1>"
        '<p class="post-meta">الأربعاء 7 أغسطس 2024</p>'
        '<div id="author-box"><span>كتبت: هيئة التحرير</span></div>'
        f"<p>{LEAD}</p><p>آخر تحديث: 08/08/2024 - 11:20</p><p>{PARAGRAPH}</p></article>"
    )
    article = parse_html(page)
    assert article.sections == (ingest.Section(None, (LEAD, PARAGRAPH)),)
    assert article.date == dt.date(2024, 8, 7)  # from the date element: no better date


def test_html_date_meta_wins_over_a_written_date():
    page = (
        '<meta property="article:published_time" content="2024-08-06T22:00:00Z">'
        f'<article><h1>العنوان</h1><p class="date">نشر في 7 أغسطس 2024</p><p>{LEAD}</p></article>'
    )
    article = parse_html(page)
    assert article.date == dt.date(2024, 8, 6)
    assert article.sections[0].paragraphs == (LEAD,)


def test_html_long_element_with_a_meta_class_is_kept():
    page = f'<article><h1>العنوان</h1><div class="content meta-wrapper"><p>{LEAD}</p><p>{PARAGRAPH}</p></div></article>'
    assert parse_html(page).sections[0].paragraphs == (LEAD, PARAGRAPH)


def test_html_arabic_only_in_title_and_menu_is_not_an_arabic_article():
    page = (
        "<html><head><title>الأخبار | الصفحة الرئيسية</title></head><body>"
        "<nav><a>سياسة</a> <a>رياضة</a></nav>"
        "<article><p>Parliament approved the new budget this morning.</p></article></body></html>"
    )
    with pytest.raises(InputError, match="no Arabic text found"):
        parse_html(page, "page.html")


def test_html_text_straight_inside_divs_when_there_is_no_p():
    page = (
        "<html><head><title>عاصفة رملية تغلق المطار | موقع</title></head><body>"
        '<nav><div>الرئيسية</div></nav><div class="story">'
        f"<h2>تفاصيل</h2><div>{LEAD}<br><br>{PARAGRAPH}</div>"
        '<div class="date">8 أغسطس 2024</div>'
        "<table><tr><td>وعادت الرحلات إلى <b>مواعيدها</b> مساء.</td></tr></table>"
        "</div></body></html>"
    )
    article = parse_html(page)
    assert article.title == "عاصفة رملية تغلق المطار"
    assert article.sections == (ingest.Section("تفاصيل", (LEAD, PARAGRAPH, "وعادت الرحلات إلى مواعيدها مساء.")),)
    assert article.date == dt.date(2024, 8, 8)


def test_html_promo_paragraph_at_the_end_is_dropped():
    page = f"<article><h1>العنوان</h1><p>{LEAD}</p><p>{PARAGRAPH}</p><p>تابعونا على تطبيق الموقع</p></article>"
    assert parse_html(page).sections[0].paragraphs == (LEAD, PARAGRAPH)


# --- format detection -----------------------------------------------------


@pytest.mark.parametrize(
    "content, heading",
    [
        (f"<!DOCTYPE html><html><body><h1>العنوان</h1><h2>قسم</h2><p>{LEAD}</p></body></html>", "قسم"),
        (f"# العنوان\n\n## قسم\n\n{LEAD}\n", "قسم"),
        (f"العنوان\n{PARAGRAPH}\nقسم\n{LEAD}\n", "قسم"),
    ],
    ids=["html", "markdown", "text"],
)
def test_format_sniffed_when_extension_unknown(tmp_path, content, heading):
    path = tmp_path / "article.dat"
    path.write_text(content, encoding="utf-8")
    article = read_article(path)
    assert article.title == "العنوان"
    assert article.sections[-1].heading == heading
    assert article.sections[-1].paragraphs == (LEAD,)


def test_extension_decides_format(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(f"# العنوان\n{LEAD}\n", encoding="utf-8")
    assert read_article(path).title == "# العنوان"  # a .txt file is plain text, markup and all


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffالعنوان\n".encode("utf-8") + LEAD.encode("utf-8"))
    article = read_article(path)
    assert article.title == "العنوان"
    assert article.source == str(path)


# --- bad input ------------------------------------------------------------

BAD_FILES = {
    "empty": (b"", "empty"),
    "whitespace": (b" \n\t\r\n  \n", "empty"),
    "nul-bytes": (b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)), "binary"),
    "control-chars": (bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 20 + b"abc", "binary"),
    "not-utf8": ("العنوان\n".encode() + "خبر".encode("cp1256"), "not valid UTF-8"),
    "utf16": ("العنوان\n".encode("utf-16"), "UTF-16"),
    "no-arabic": (b"Breaking news\nThe market rose by 2% today.\n", "no Arabic"),
    "title-only": ("عنوان بلا فقرات\n\n".encode(), "title but no paragraphs"),
    "title-and-read-more": (f"عنوان\nاقرأ المزيد\n{PARAGRAPH}\n".encode(), "title but no paragraphs"),
}


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF file"),
        (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "a ZIP or DOCX file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "an image file (PNG)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "an image file (JPEG)"),
        (b"GIF89a\x01\x00\x01\x00", "an image file (GIF)"),
    ],
    ids=["pdf", "docx", "png", "jpeg", "gif"],
)
def test_documents_and_images_are_named(tmp_path, data, kind):
    path = tmp_path / "article.txt"
    path.write_bytes(data + "عنوان\n".encode())
    with pytest.raises(InputError) as info:
        read_article(path)
    assert info.value.message == f"looks like {kind}, not a text article"


@pytest.mark.parametrize("name", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_files_raise_input_error(tmp_path, name):
    data, fragment = BAD_FILES[name]
    path = tmp_path / f"{name}.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_article(path)
    assert fragment in info.value.message
    assert info.value.path == str(path)
    assert str(info.value).startswith(str(path) + ": ")
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError, match="not found") as info:
        read_article(path)
    assert info.value.path == str(path)


def test_directory(tmp_path):
    with pytest.raises(InputError, match="directory"):
        read_article(tmp_path)


@pytest.mark.parametrize(
    "parse, text",
    [
        (parse_markdown, "# عنوان وحيد\n\n![صورة](a.png)\n"),
        (
            parse_html,
            "<html><body><article><h1>عنوان وحيد</h1><figure><figcaption>تعليق</figcaption></figure></article></body></html>",
        ),
    ],
    ids=["markdown", "html"],
)
def test_title_without_paragraphs_in_markup(parse, text):
    with pytest.raises(InputError, match="title but no paragraphs"):
        parse(text, "x")


def test_html_without_arabic():
    with pytest.raises(InputError, match="no Arabic"):
        parse_html("<html><body><h1>Hello</h1><p>World news today.</p></body></html>")


def test_input_error_is_value_error():
    with pytest.raises(ValueError):
        parse_text("   ")
    assert issubclass(InputError, AudioNewsError)


# --- credits, subtitles, bold headings, Markdown extras, charsets ----------


@pytest.mark.parametrize(
    "credit",
    [
        "الرباط - الجزيرة نت",
        "القاهرة- الجزيرة نت",
        "عمان - رويترز",
        "بقلم: أحمد علي",
        "محمد السيد - القاهرة",
        "تونس/ الجزيرة نت",
        "الرباط (رويترز) -",
        "كتب: سامي حسن",
    ],
)
def test_text_byline_after_title_is_dropped(credit):
    article = parse_text("\n".join(["عنوان الخبر", credit, LEAD, "توقعات الأسبوع", PARAGRAPH]))
    assert [s.heading for s in article.sections] == [None, "توقعات الأسبوع"]
    assert article.sections[0].paragraphs == (LEAD,)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("عمان - رويترز", True),
        ("بقلم: أحمد علي", True),
        ("مراسل الجزيرة نت", True),
        ("توقعات الأسبوع", False),
        ("العربية لغة الضاد", False),
        ("وقالت رويترز إن الوضع هادئ.", False),
    ],
)
def test_is_credit_line(line, expected):
    assert ingest.is_credit_line(line) is expected


@pytest.mark.parametrize(
    "tail",
    [
        "(الجزيرة نت)",
        "— رويترز",
        "المصدر: وكالات",
        "(رويترز)",
        "الجزيرة نت + وكالات",
        "المصدر: الجزيرة + وكالات",
    ],
)
def test_trailing_source_credit_is_dropped(tail):
    article = parse_text("\n".join(["عنوان الخبر", LEAD, PARAGRAPH, tail]))
    assert article.sections[-1].paragraphs == (LEAD, PARAGRAPH)
    markdown = parse_markdown(f"# عنوان\n\n{LEAD}\n\n{tail}\n")
    assert markdown.sections[-1].paragraphs == (LEAD,)


def test_source_name_inside_the_story_is_kept():
    line = "وقالت رويترز إن الوضع هادئ."
    article = parse_text("\n".join(["عنوان الخبر", LEAD, line]))
    assert article.sections[0].paragraphs == (LEAD, line)


def test_text_subtitle_after_title_opens_the_lead():
    subtitle = "الأسعار ترتفع في الأسواق والحكومة تعد بالدعم قريبا"
    text = "\n".join(["عنوان الخبر", subtitle, LEAD, "توقعات الأسبوع", PARAGRAPH])
    article = parse_text(text)
    assert [s.heading for s in article.sections] == [None, "توقعات الأسبوع"]
    assert article.sections[0].paragraphs == (subtitle, LEAD)


def test_text_short_line_after_title_is_a_heading():
    article = parse_text("\n".join(["عنوان الخبر", "مفاجأة الصباح", LEAD, "توقعات الأسبوع", PARAGRAPH]))
    assert [s.heading for s in article.sections] == ["مفاجأة الصباح", "توقعات الأسبوع"]
    assert article.sections[0].paragraphs == (LEAD,)


@pytest.mark.parametrize(
    "line",
    [
        "س: ما أسباب الحر",
        "س : متى تنتهي الموجة",
        "سؤال: من المسؤول",
        "ج: الهيئة العامة للأرصاد",
        "جواب: ثلاثة أيام",
        "س- ما أسباب الحر",
        "ج- الهيئة العامة",
        "1. الفريق الأول",
        "2- الفريق الثاني",
        "3) الفريق الثالث",
        "٤. الفريق الرابع: 40 نقطة",
        "١- البند الأول",
        "- مدينة عمان",
        "* مدينة دمشق",
        "• مدينة بيروت",
    ],
)
def test_qa_and_list_lines_are_never_headings(line):
    assert not ingest.looks_like_heading(line)
    article = parse_text("\n".join(["عنوان الخبر", LEAD, line, PARAGRAPH]))
    assert [s.heading for s in article.sections] == [None]
    assert line in article.sections[0].paragraphs


def test_numbers_that_are_not_list_markers_still_allow_headings():
    assert ingest.looks_like_heading("2024 عام الانتخابات")
    assert not ingest.is_qa_or_list_line("1.5 مليون زائر")
    assert not ingest.is_qa_or_list_line("سوريا تستعد")


def test_heading_before_qa_list_and_question_lines_stays_a_heading():
    text = "\n".join(
        [
            "عنوان الخبر",
            LEAD,
            "المفهوم",
            "س: ما معنى الموجة؟",
            "ج: ارتفاع الحرارة فوق المعدل.",
            "الترتيب",
            "1. عمان: 40 درجة",
            "2. دمشق: 38 درجة",
            "الأسباب",
            "لماذا ترتفع الحرارة؟",
            PARAGRAPH,
        ]
    )
    article = parse_text(text)
    assert [s.heading for s in article.sections] == [None, "المفهوم", "الترتيب", "الأسباب"]
    assert article.sections[1].paragraphs == ("س: ما معنى الموجة؟", "ج: ارتفاع الحرارة فوق المعدل.")
    assert article.sections[2].paragraphs == ("1. عمان: 40 درجة", "2. دمشق: 38 درجة")
    assert article.sections[3].paragraphs == ("لماذا ترتفع الحرارة؟", PARAGRAPH)


def test_question_heading_after_a_paragraph_is_still_a_heading():
    article = parse_text("\n".join(["عنوان الخبر", LEAD, "ماذا بعد؟", PARAGRAPH]))
    assert [s.heading for s in article.sections] == [None, "ماذا بعد؟"]


@pytest.mark.parametrize("marker", ["قصص ذات صلة", "مواضيع ذات صلة", "اقرأ أيضا", "المزيد حول هذه القصة"])
def test_read_more_heading_ends_the_article_in_text_and_markdown(marker):
    article = parse_text("\n".join(["عنوان الخبر", LEAD, marker, "عنوان قصة أخرى"]))
    assert all_text(article).split() == ("عنوان الخبر " + LEAD).split()
    article = parse_markdown(f"# عنوان الخبر\n\n{LEAD}\n\n## {marker}\n\n- عنوان قصة أخرى\n")
    assert all_text(article).split() == ("عنوان الخبر " + LEAD).split()


def test_html_bbc_style_components():
    html = (
        "<html><body><main><article><header><h1>عنوان الخبر</h1></header>"
        f'<div data-component="text-block"><p>{LEAD}</p></div>'
        '<div data-component="subheadline-block"><h2>توقعات الأسبوع</h2></div>'
        f'<div data-component="text-block"><p>{PARAGRAPH}</p></div>'
        '<div data-component="links-block"><ul><li><a href="/1">رابط أول؟</a></li></ul></div>'
        '<div data-component="subheadline-block"><h2>نصائح</h2></div>'
        '<div data-component="text-block"><p>اشربوا الماء بكثرة.</p></div>'
        '<div data-component="tag-list"><ul><li><a href="/t">وسم</a></li></ul></div>'
        '<div data-component="topic-list"><ul><li>موضوع</li></ul></div>'
        '<div class="more-on-this-story"><p>قصة أخرى</p></div>'
        '<div id="read-more"><p>قصة ثالثة</p></div>'
        '<section data-component="related-content"><h2>قصص ذات صلة</h2>'
        '<ul><li><a href="/r">قصة مرتبطة</a></li></ul></section>'
        "</article></main></body></html>"
    )
    article = parse_html(html)
    assert [s.heading for s in article.sections] == [None, "توقعات الأسبوع", "نصائح"]
    assert (
        all_text(article).split()
        == (f"عنوان الخبر توقعات الأسبوع نصائح {LEAD} {PARAGRAPH} اشربوا الماء بكثرة.").split()
    )


def test_html_read_more_section_is_skipped_not_the_rest():
    html = (
        f"<article><h1>عنوان الخبر</h1><p>{LEAD}</p>"
        "<section><h2>اقرأ أيضا</h2><ul><li>قصة أخرى</li></ul></section>"
        f"<h2>توقعات الأسبوع</h2><p>{PARAGRAPH}</p></article>"
    )
    article = parse_html(html)
    assert [s.heading for s in article.sections] == [None, "توقعات الأسبوع"]
    assert "قصة أخرى" not in all_text(article)


def test_markdown_bold_line_is_a_heading():
    text = f"# عنوان\n\n{LEAD}\n\n**توقعات الأسبوع**\n\n{PARAGRAPH}\n\n__هل تنخفض الحرارة؟__\n\nسطر أخير.\n\n**جملة بخط عريض تنتهي بنقطة.**\n"
    article = parse_markdown(text)
    assert [s.heading for s in article.sections] == [None, "توقعات الأسبوع", "هل تنخفض الحرارة؟"]
    assert article.sections[-1].paragraphs == ("سطر أخير.", "جملة بخط عريض تنتهي بنقطة.")


def test_markdown_inline_html_table_strikethrough_and_footnotes():
    text = "\n".join(
        [
            "# عنوان",
            "",
            "يفتح المتحف مساء<br>باستثناء الجمعة <span>والسبت</span>[^1] ~~والأحد~~.",
            "",
            "| المدينة | الحرارة |",
            "|---|---:|",
            "| عمان | 30 |",
            "| دمشق | 32 |",
            "",
            "[^1]: حاشية لا تقرأ.",
        ]
    )
    article = parse_markdown(text)
    assert article.sections[0].paragraphs == (
        "يفتح المتحف مساء باستثناء الجمعة والسبت .",
        "المدينة، الحرارة",
        "عمان، 30",
        "دمشق، 32",
    )


def test_html_bold_paragraph_is_a_heading_and_bold_sentence_is_not():
    page = (
        f"<html><body><article><h1>عنوان</h1><p>{LEAD}</p><p><strong>توقعات الأسبوع</strong></p>"
        f"<p>{PARAGRAPH}</p><div><b>ما الذي ينتظرنا؟</b></div><p><strong>جملة كاملة.</strong></p>"
        f"<p><strong>المواعيد:</strong> من السادسة صباحا.</p></article></body></html>"
    )
    article = parse_html(page)
    assert [s.heading for s in article.sections] == [None, "توقعات الأسبوع", "ما الذي ينتظرنا؟"]
    assert article.sections[-1].paragraphs == ("جملة كاملة.", "المواعيد: من السادسة صباحا.")


@pytest.mark.parametrize(
    "dek",
    [
        '<header><h1>عنوان</h1><p>الأسعار ترتفع والحكومة تعد بالدعم</p><p class="byline">بقلم: أحمد علي</p></header>',
        '<h1>عنوان</h1><h2 class="article-subtitle">الأسعار ترتفع والحكومة تعد بالدعم</h2>',
        '<h1>عنوان</h1><div class="standfirst">الأسعار ترتفع والحكومة تعد بالدعم</div>',
    ],
)
def test_html_subtitle_opens_the_lead(dek):
    article = parse_html(
        f"<html><body><article>{dek}<p>{LEAD}</p><h2>قسم</h2><p>{PARAGRAPH}</p></article></body></html>"
    )
    assert [s.heading for s in article.sections] == [None, "قسم"]
    assert article.sections[0].paragraphs == ("الأسعار ترتفع والحكومة تعد بالدعم", LEAD)


def test_html_date_element_outside_the_article():
    page = f'<html><body><h1>عنوان</h1><div class="date">الأربعاء 27 نوفمبر 2024</div><article><p>{LEAD}</p></article></body></html>'
    assert parse_html(page).date == dt.date(2024, 11, 27)


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="windows-1256">',
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
        '<meta charset="iso-8859-6">',
    ],
)
def test_html_declared_arabic_charset(tmp_path, meta):
    encoding = "iso-8859-6" if "8859" in meta else "cp1256"
    page = f"<html><head>{meta}</head><body><h1>عنوان</h1><p>{LEAD}</p></body></html>"
    path = tmp_path / "page.html"
    path.write_bytes(page.encode(encoding))
    article = read_article(path)
    assert article.title == "عنوان"
    assert article.sections[0].paragraphs == (LEAD,)


def test_text_in_windows_1256_is_still_refused(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(f'<meta charset="windows-1256">\nعنوان\n{LEAD}\n'.encode("cp1256"))
    with pytest.raises(InputError, match="not valid UTF-8"):
        read_article(path)


# --- bounded input, hostile text (issue 10) ---------------------------------


def returns_within(seconds, call):
    """Run `call` in a thread; (finished, result or exception). A call stuck past `seconds` counts as not finished."""
    import threading

    box = {}

    def run():
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box["value"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive(), box.get("value")


def test_fifo_as_article_is_refused_without_waiting(tmp_path):
    import os

    fifo = tmp_path / "article.txt"
    os.mkfifo(fifo)
    finished, value = returns_within(5, lambda: read_article(fifo))
    if not finished:  # unblock the reader stuck in open() so the thread ends
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
    assert finished, "reading a FIFO blocked"
    assert isinstance(value, InputError) and "FIFO" in value.message and value.path == str(fifo)


def test_device_as_article_is_refused():
    with pytest.raises(InputError, match="character device") as info:
        read_article(Path("/dev/null"))
    assert info.value.path == "/dev/null"


def test_symlink_loop_as_article(tmp_path):
    loop = tmp_path / "a.txt"
    loop.symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(loop)
    with pytest.raises(InputError, match="symbolic links") as info:
        read_article(loop)
    assert info.value.path == str(loop)


def test_article_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    with open(path, "wb") as fh:  # sparse: 5 MB that take no disk and would take minutes to parse
        fh.write("عنوان\nفقرة.\n".encode())
        fh.truncate(5_000_000)
    finished, value = returns_within(2, lambda: read_article(path))
    assert finished
    assert isinstance(value, InputError) and "1 MB" in value.message and value.path == str(path)


def test_article_over_the_word_limit_is_refused(tmp_path):
    from audio_news.limits import ARTICLE_MAX_WORDS

    path = tmp_path / "long.txt"
    sentence = "قال المتحدث إن العمل مستمر. "
    paragraphs = [sentence * 50] * (ARTICLE_MAX_WORDS // (5 * 50) + 1)
    path.write_text("عنوان طويل\n" + "\n".join(paragraphs), encoding="utf-8")
    with pytest.raises(InputError, match=f"{ARTICLE_MAX_WORDS:,}") as info:
        read_article(path)
    assert info.value.path == str(path)


def test_a_sentence_too_long_for_the_diacritizer_is_refused_with_the_file(tmp_path):
    """A run of words with no full stop or comma over 12,000 characters made libtashkeel fail, naming no file."""
    from audio_news.limits import SENTENCE_MAX_WORDS

    path = tmp_path / "run-on.txt"
    path.write_text("عنوان الخبر\n" + "كتب الولد الدرس " * 800 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"{SENTENCE_MAX_WORDS:,} words") as info:
        read_article(path)
    assert info.value.path == str(path)
    ok = tmp_path / "long-but-punctuated.txt"
    ok.write_text("عنوان الخبر\n" + "كتب الولد الدرس، " * 800 + "\n", encoding="utf-8")
    assert read_article(ok).sections


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c"])
def test_line_separators_inside_a_paragraph_do_not_make_a_heading(separator):
    text = f"عنوان الخبر\n{LEAD}\nارتفعت الأسعار{separator}في الأسواق المحلية بنسبة كبيرة هذا العام.\n{PARAGRAPH}\n"
    article = parse_text(text)
    assert [s.heading for s in article.sections] == [None]
    assert "ارتفعت الأسعار في الأسواق المحلية بنسبة كبيرة هذا العام." in article.sections[0].paragraphs


def test_controls_and_bidi_overrides_are_removed_from_titles_and_text():
    title = "\u202eخبر\u202c عاجل\x07 \u200bعن\u2066 الطقس\u2069\x9b \u200fBBC"
    article = parse_text(f"{title}\n{LEAD}\u202e\x01\n")
    assert article.title == "خبر عاجل عن الطقس \u200fBBC"  # the right-to-left mark is kept (see ingest)
    assert article.sections[0].paragraphs == (LEAD,)


# --- page furniture by shape (the extraction corpus, tests/test_extraction.py, scores the whole) ----------


@pytest.mark.parametrize(
    "line, credit",
    [
        ("(تغطية صحفية سامي علي - إعداد هدى نور للنشرة العربية - تحرير رامي سعد)", True),
        ("بم-كح/ها", True),
        ("(وأضاف أن الاجتماع المقبل سيعقد في الربيع)", False),
        ("وقال إن الموعد لم يحدد بعد.", False),
    ],
    ids=["staff-line", "desk-code", "parenthesised-sentence", "sentence"],
)
def test_wire_staff_lines_and_desk_codes_are_credits(line, credit):
    assert ingest.is_staff_credit(line) is credit


def test_html_link_lists_embeds_galleries_and_sign_up_boxes_are_not_read():
    page = (
        "<html><body><div class='story'><h1>العنوان</h1>"
        f"<p>{LEAD}</p>"
        "<div><h3>أهم الأخبار</h3><ul><li><a href='/a'>خبر أول عن الطقس</a></li><li><a href='/b'>خبر ثان</a></li></ul></div>"
        "<blockquote class='twitter-tweet'><p>تغريدة عن الطقس</p></blockquote>"
        "<div><img src='1.jpg'><p>صورة أولى</p><img src='2.jpg'><p>صورة ثانية</p></div>"
        "<div><iframe src='https://player.example/1'></iframe><p>شاهد الفيديو</p></div>"
        "<div><p>نشرتنا الصباحية في بريدك</p><a href='/nl'>اشترك الآن</a></div>"
        f"<p>{PARAGRAPH}</p>"
        "<p>(تغطية صحفية سامي علي - تحرير رامي سعد)</p>"
        "</div></body></html>"
    )
    assert parse_html(page).sections == (ingest.Section(None, (LEAD, PARAGRAPH)),)


def test_html_without_article_reads_the_densest_box_and_keeps_its_headline():
    page = (
        "<html><body><div class='wrap'><h1>العنوان</h1><p class='summary'>ملخص الخبر في سطر واحد</p>"
        f"<div class='text'><p>{LEAD}</p><p>{PARAGRAPH}</p></div></div>"
        "<div class='side'><p>عمود جانبي قصير</p></div></body></html>"
    )
    article = parse_html(page)
    assert article.title == "العنوان"
    assert article.sections[0].paragraphs == ("ملخص الخبر في سطر واحد", LEAD, PARAGRAPH)


def test_html_one_box_per_paragraph_without_article_reads_every_paragraph():
    page = (
        "<html><body><div class='head'><h1>العنوان</h1></div><div class='page'>"
        f"<div class='story'><div class='block'><p>{LEAD} {LEAD}</p></div><div class='block'><p>{PARAGRAPH}</p></div></div>"
        "</div><div class='side'><p>عمود جانبي قصير</p></div></body></html>"
    )
    assert parse_html(page).sections[0].paragraphs == (f"{LEAD} {LEAD}", PARAGRAPH)


def test_html_page_classes_on_body_do_not_hide_the_story():
    page = (
        "<html><body class='single single-format-gallery has-sidebar'><main class='site-main'>"
        f"<article><h1>العنوان</h1><p>{LEAD}</p></article></main></body></html>"
    )
    assert parse_html(page).sections[0].paragraphs == (LEAD,)


def test_html_a_story_box_with_share_in_a_longer_class_word_is_read():
    page = f"<article><h1>العنوان</h1><div class='post-body shareable'><p>{LEAD}</p></div></article>"
    assert parse_html(page).sections[0].paragraphs == (LEAD,)
