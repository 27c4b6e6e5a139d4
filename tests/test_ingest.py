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
    return " ".join([article.title] + [s.heading or "" for s in article.sections]
                    + [p for s in article.sections for p in s.paragraphs])


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
    assert [s.heading for s in article.sections] == [
        None, "تفاصيل المشروع", "ترحيب حذر من السكان", "خطط حتى عام 2030"]
    assert len(article.sections[0].paragraphs) == 1
    words = len(all_text(article).split())
    assert 100 <= words <= 180
    assert "اقرأ أيضا" not in all_text(article)
    assert "محطة شحن" not in all_text(article)


def test_text_paragraph_lines_are_not_headings():
    text = "\n".join([
        "عنوان الخبر الرئيسي",
        LEAD,
        "وأضاف المتحدث أن الوضع مستقر.",        # short but ends with a full stop
        "وتابع قائلا،",                          # ends with a comma
        "«الوضع تحت السيطرة»",                    # a quotation
        "ماذا بعد؟",                             # a question is not a heading
        PARAGRAPH,
    ])
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


@pytest.mark.parametrize("marker", ["اقرأ المزيد", "اقرأ أيضا", "اقرأ أيضاً", "اقرأ أيضا:", "شارك",
                                    "شارك المقال", "أخبار ذات صلة"])
def test_text_read_more_block_ends_the_article(marker):
    text = "\n".join(["عنوان الخبر", LEAD, "توقعات الأسبوع", PARAGRAPH, marker,
                      "خبر آخر لا علاقة له", "وفقرة أخرى بعده تنتهي بنقطة."])
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


# --- Markdown -------------------------------------------------------------

def test_markdown_article():
    article = read_article(DATA / "article.md")
    assert article.title == "فريق بحثي يطور نظاما لري المحاصيل بمياه أقل"
    assert article.url == "https://www.akhbar-example.net/science/2024/irrigation"
    assert article.date == dt.date(2024, 3, 14)
    assert [s.heading for s in article.sections] == [None, "كيف يعمل النظام", "نتائج الموسم الأول"]
    lead = article.sections[0].paragraphs
    assert lead == ("أعلن فريق من الباحثين في جامعة الواحة عن نظام ري ذكي يخفض استهلاك المياه "
                    "في الحقول بنسبة 35%. وجرى اختبار النظام على مدى موسمين زراعيين.",)
    how = article.sections[1].paragraphs
    assert how[0] == "تقيس مجسات صغيرة رطوبة التربة كل ساعة، ثم يقرر برنامج irrigate موعد الري وكميته."
    assert how[1:] == ("تركيب المجسات على عمق 30 سنتيمترا.", "إرسال القراءات إلى المحطة المركزية لاسلكيا.")
    assert article.sections[2].paragraphs[-1] == "وأضافت أن المزارعين سيحصلون على النظام بكلفة رمزية."
    text = all_text(article)
    for junk in ("*", "`", "](", "صورة لحقل", "config", "اقرأ", "البذور المحلية", "عنوان احتياطي", "---"):
        assert junk not in text


def test_markdown_setext_headings_escapes_and_no_front_matter():
    text = "\n".join(["عنوان بخط سفلي", "==========", "", "فقرة فيها نجمة \\*حرفية\\* و__تأكيد__.", "",
                      "قسم ثان", "-------", "", "فقرة [برابط][ref] أخيرة.", "", "[ref]: https://example.com"])
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


@pytest.mark.parametrize("line, fragment", [
    ("date: 20/08/2024", "ISO date"),
    ("date: 2024-02-30", "ISO date"),
    ("url: example.com/news", "http"),
], ids=["date-format", "date-invalid", "url-scheme"])
def test_markdown_bad_front_matter(line, fragment):
    with pytest.raises(InputError, match=fragment) as info:
        parse_markdown(f"---\n{line}\n---\n# عنوان\n\n{LEAD}\n", source="a.md")
    assert info.value.path == "a.md"


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
    assert article.sections[2].paragraphs == ("وقدّر المنظمون عدد زوار اليوم الأول بنحو 15 ألف زائر معظمهم من العائلات.",)
    text = all_text(article)
    for junk in ("الرئيسية", "صحيفة المدار", "إعلان", "سكربت", "شارك على", "تويتر", "زوار يتجولون", "بقلم", "إعلاني",
                 "اقرأ أيضا", "جائزة الرواية", "ذات صلة", "الترجمة", "النشرة", "الشريط الجانبي",
                 "الحقوق", "جافاسكربت"):
        assert junk not in text, junk


def test_html_without_article_uses_main_and_title_tag():
    page = (
        "<html><head><title>صحيفة الغد - عنوان الخبر من وسم العنوان</title>"
        '<meta name="date" content="2023-01-09"><meta property="og:url" content="https://ghad.example/n/9"></head>'
        '<body><nav><p>قائمة التصفح الرئيسية للموقع</p></nav>'
        f"<main><p>{LEAD}<p>{PARAGRAPH}<h2>فقرة أخيرة</h2><p>نص ختامي قصير.</main>"
        '<footer><p>حقوق النشر</p></footer></body></html>'
    )
    article = parse_html(page)
    assert article.title == "عنوان الخبر من وسم العنوان"
    assert article.url == "https://ghad.example/n/9"
    assert article.date == dt.date(2023, 1, 9)
    assert article.sections == (ingest.Section(None, (LEAD, PARAGRAPH)),
                                ingest.Section("فقرة أخيرة", ("نص ختامي قصير.",)))


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


# --- format detection -----------------------------------------------------

@pytest.mark.parametrize("content, heading", [
    (f"<!DOCTYPE html><html><body><h1>العنوان</h1><h2>قسم</h2><p>{LEAD}</p></body></html>", "قسم"),
    (f"# العنوان\n\n## قسم\n\n{LEAD}\n", "قسم"),
    (f"العنوان\nقسم\n{LEAD}\n", "قسم"),
], ids=["html", "markdown", "text"])
def test_format_sniffed_when_extension_unknown(tmp_path, content, heading):
    path = tmp_path / "article.dat"
    path.write_text(content, encoding="utf-8")
    article = read_article(path)
    assert article.title == "العنوان"
    assert article.sections[0].heading == heading
    assert article.sections[0].paragraphs == (LEAD,)


def test_extension_decides_format(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(f"# العنوان\n{LEAD}\n", encoding="utf-8")
    assert read_article(path).title == "# العنوان"   # a .txt file is plain text, markup and all


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
    "nul-bytes": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    "control-chars": (bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 20 + b"abc", "binary"),
    "not-utf8": ("العنوان\n".encode("utf-8") + "خبر".encode("cp1256"), "not valid UTF-8"),
    "utf16": ("العنوان\n".encode("utf-16"), "UTF-16"),
    "no-arabic": (b"Breaking news\nThe market rose by 2% today.\n", "no Arabic"),
    "title-only": ("عنوان بلا فقرات\n\n".encode("utf-8"), "title but no paragraphs"),
    "title-and-read-more": (f"عنوان\nاقرأ المزيد\n{PARAGRAPH}\n".encode("utf-8"), "title but no paragraphs"),
}


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


@pytest.mark.parametrize("parse, text", [
    (parse_markdown, "# عنوان وحيد\n\n![صورة](a.png)\n"),
    (parse_html, "<html><body><article><h1>عنوان وحيد</h1><figure><figcaption>تعليق</figcaption></figure></article></body></html>"),
], ids=["markdown", "html"])
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
