"""Read an article file (plain text, Markdown or HTML) into an Article.

The first stage of the pipeline. It decides what belongs to the article (title,
lead, headed sections) and what is page furniture (menus, ads, share buttons,
date and byline lines, the trailing "اقرأ المزيد" block and "تابعونا" promo
lines), and it refuses anything that is not an Arabic article with one
InputError naming the file. Text is kept as written apart from whitespace (and
the colon that closes a plain-text heading); rewriting for speech is
normalize's job.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Final, TypedDict

from .arabic import (
    DIGIT_CLASS,
    INVISIBLE_CLASS,
    LETTER_OR_PRESENTATION_CLASS,
    MARK_CLASS,
    MONTH_NUMBERS,
    SENTENCE_ENDS,
    TATWEEL,
    alternation,
    fold_alef,
    to_ascii_digits,
)
from .errors import InputError
from .limits import ARTICLE_MAX_BYTES, ARTICLE_MAX_WORDS, SENTENCE_MAX_WORDS, read_bounded
from .models import Article, Section

_ARABIC_RE: Final = re.compile(f"[{LETTER_OR_PRESENTATION_CLASS}]")

# Lines that open the trailing "read more / share" block: the article ends there.
_READ_MORE_MARKERS: Final = (
    "اقرأ المزيد",
    "اقرأ أيضا",
    "اقرأ كذلك",
    "اقرأ المزيد من الأخبار",
    "شارك",
    "شارك المقال",
    "شارك الخبر",
    "شارك هذا المقال",
    "شارك عبر",
    "شارك على",
    "مقالات ذات صلة",
    "أخبار ذات صلة",
    "مواضيع ذات صلة",
    "موضوعات ذات صلة",
    "قد يهمك أيضا",
    "المزيد من الأخبار",
    "قصص ذات صلة",
    "المزيد حول هذه القصة",
    "اقرأ أيضاً",
)
# A short line that starts with one of these (or holds «تابعونا») is promotion: at the end
# of an article (only short lines after it) it ends the article like the read-more block.
_PROMO_OPENERS: Final = (
    "تابعونا",
    "للمزيد من الأخبار",
    "لمزيد من الأخبار",
    "اشترك في نشرتنا",
    "اشترك في النشرة",
    "اشترك في قناتنا",
    "اشترك الآن",
    "اشتركوا في",
    "حمل تطبيق",
    "حمل التطبيق",
    "نزل تطبيق",
    "انضم إلى قناتنا",
    "انضموا إلى",
    "جميع الحقوق محفوظة",
    "حقوق النشر محفوظة",
    "©",
)
_PROMO_MAX_WORDS: Final = 15
_TRAILING_LINE_MAX_WORDS: Final = 15
# "اقرأ أيضا: <headline>" inside the body is a link to another article: drop that line only.
_RELATED_LINK_RE: Final = re.compile(r"^اقرا (ايضا|المزيد|كذلك) \S")
_FOLD_DROP_RE: Final = re.compile(f"[{MARK_CLASS}{TATWEEL}{INVISIBLE_CLASS}]")
# Removed from all text: C0 controls other than whitespace, DEL, C1 controls, and the bidi embeddings,
# overrides and isolates (UAX #9's explicit formatting characters), which reorder what a reader sees and,
# left open, leak the direction into whatever page or app shows the text next.
_CONTROL_RE: Final = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Removed from titles and headings too: every invisible character (zero-width ones, soft hyphen, BOM) except
# the three direction marks LRM, RLM and ALM, which cannot reorder text or leak out, and which a title that
# opens with a Latin name or ends with a number needs to show right to left where apps guess the direction.
_TITLE_INVISIBLE_RE: Final = re.compile(f"(?![\u200e\u200f\u061c])[{INVISIBLE_CLASS}]")
_FOLD_PUNCT_RE: Final = re.compile(r"[\s:.…،,؛;!?؟\-–—|«»\"“”()\[\]>]+")

# Credits: "الرباط - الجزيرة نت", "بقلم: أحمد علي" after the title; "(رويترز)", "المصدر: وكالات" at the end.
_AGENCY_NAMES: Final = (
    "رويترز",
    "الجزيرة نت",
    "الجزيرة",
    "وكالات",
    "وكالة",
    "فرانس برس",
    "أ ف ب",
    "أ ب",
    "الأناضول",
    "سكاي نيوز",
    "بي بي سي",
    "العربية",
    "الأهرام",
    "د ب أ",
    "أسوشيتد برس",
    "واس",
    "وام",
    "قنا",
    "كونا",
    "سبوتنيك",
    "شينخوا",
    "الأنباء",
)
_CREDIT_OPENERS: Final = ("بقلم", "كتب", "كتبت", "تقرير", "إعداد", "اعداد", "مراسل", "مراسلة", "مراسلنا")
_CREDIT_MAX_WORDS: Final = 6
_CREDIT_JOINER_RE: Final = re.compile(r"[\-–—/(]")
# The closing line of a wire story: who reported, wrote and edited it, in parentheses
# («(تغطية صحفية فلان - إعداد فلان للنشرة العربية - تحرير فلان)»), or the desk's initials («بم-كح/ها»).
_STAFF_CREDIT_RE: Final = re.compile(r"^\((?=[^()]*(?:تغطية صحفية|شارك في التغطية|إعداد|اعداد|تحرير))[^()]{3,300}\)$")
_DESK_CODE_RE: Final = re.compile(r"^[^\W\d_]{1,4}(?:\s?[-/]\s?[^\W\d_]{1,4}){1,5}$")

_TEXT_HEADING_MAX_WORDS: Final = 10
_SUBTITLE_MIN_WORDS: Final = 7  # a heading-like line right after the title is a subtitle only when this long
# Q&A lines («س: …», «ج - …», «سؤال: …») and list items («1. …», «٢- …», «- …», «• …»)
# are paragraphs, never headings.
_QA_RE: Final = re.compile(r"^(?:س|ج|سؤال|جواب)\s*[:：\-–—]")
_QA_OR_LIST_RE: Final = re.compile(
    r"^(?:(?:س|ج|سؤال|جواب)\s*[:：\-–—]"
    f"|[{DIGIT_CLASS}]{{1,3}}\\s*[.)\\-–—](?![{DIGIT_CLASS}])"
    r"|[-*•·▪◦–—](?=\s*\S))"
)
_TEXT_HEADING_MAX_CHARS: Final = 80
_NOT_HEADING_ENDINGS: Final = ".!?؟…:;؛،,»\"”'’"

# Files people pick by mistake, known by their first bytes.
_MAGIC_NUMBERS: Final = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP or DOCX file"),
    (b"\x89PNG\r\n\x1a\n", "an image file (PNG)"),
    (b"\xff\xd8\xff", "an image file (JPEG)"),
    (b"GIF87a", "an image file (GIF)"),
    (b"GIF89a", "an image file (GIF)"),
)
# Words that show a short line is a sentence of the story, not a heading: verbs of
# saying (after و/ف they open reported speech), other verbs and particles that
# commonly follow a sentence-opening و/ف, and the particles إن/أن.
_SAYING_VERBS: Final = (
    "قال",
    "أضاف",
    "أكد",
    "أوضح",
    "أشار",
    "تابع",
    "لفت",
    "ذكر",
    "أعلن",
    "صرح",
    "بين",
    "نقل",
    "اعتبر",
    "شدد",
    "أفاد",
    "كشف",
    "حذر",
    "أردف",
    "استطرد",
    "زعم",
    "علق",
    "رد",
    "نفى",
    "رأى",
    "دعا",
    "أشاد",
    "طالب",
    "وصف",
)
_SAYING_WORDS: Final = (  # unambiguous anywhere in a line: it introduces speech
    "قال",
    "قالت",
    "أضاف",
    "أضافت",
    "أكد",
    "أكدت",
    "أوضح",
    "أوضحت",
    "أشار",
    "أشارت",
    "صرح",
    "صرحت",
    "أفاد",
    "أفادت",
    "أردف",
    "أردفت",
    "أعلن",
    "أعلنت",
    "يقول",
    "تقول",
    "يضيف",
    "تضيف",
    "يؤكد",
    "تؤكد",
    "يوضح",
    "توضح",
    "قائلا",
    "قائلة",
    "مضيفا",
    "مضيفة",
    "مؤكدا",
    "مؤكدة",
    "موضحا",
    "موضحة",
    "مشيرا",
    "مشيرة",
    "متابعا",
    "متابعة",
)
_LIST_INTRO_WORDS: Final = (  # "…، أبرزها:" / "كما يلي:" introduce a list, not a section
    "يلي",
    "أبرزها",
    "أبرزهم",
    "أهمها",
    "أهمهم",
    "منها",
    "منهم",
    "التالي",
    "التالية",
    "الآتي",
    "الآتية",
    "وهي",
    "وهم",
)
_COMMON_VERBS: Final = (
    "كان",
    "كانت",
    "جاء",
    "جاءت",
    "بات",
    "ظل",
    "عاد",
    "بدأ",
    "بدأت",
    "تم",
    "شهد",
    "شهدت",
    "قام",
    "قامت",
    "سجل",
    "سجلت",
    "رفض",
    "رفضت",
    "وصل",
    "وصلت",
    "وقع",
    "وقعت",
    "بلغ",
    "بلغت",
    "خرج",
    "خرجت",
    "ليس",
    "ليست",
    "يمكن",
    "ينبغي",
    "يجب",
    "تجدر",
)
_CLAUSE_PARTICLES: Final = (
    "قد",
    "لقد",
    "لم",
    "لن",
    "لا",
    "ما",
    "ماذا",
    "هل",
    "كيف",
    "لماذا",
    "متى",
    "أين",
    "من",
    "في",
    "على",
    "إلى",
    "عن",
    "مع",
    "بعد",
    "قبل",
    "منذ",
    "خلال",
    "كما",
    "بحسب",
    "حسب",
    "وفق",
    "لكن",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "هو",
    "هي",
    "هم",
    "إذ",
    "إذا",
    "بينما",
    "أما",
    "إن",
    "أن",
)
_PRONOUN_SUFFIXES: Final = ("", "ه", "ها", "هم", "هما", "هن", "نا", "ني", "ك", "كم")
_THAT_PARTICLES: Final = frozenset(
    [
        prefix + particle + suffix
        for particle in ("إن", "أن")
        for prefix in ("", "و", "ف", "ب", "ل", "وب")
        for suffix in _PRONOUN_SUFFIXES
    ]
    + ["ان"]
)

_HTML_CHARSETS: Final = frozenset({"cp1256", "iso8859-6"})  # codecs.lookup names
_CONTROL_BYTES: Final = frozenset(range(0, 32)) - {9, 10, 12, 13} | {127}
_BINARY_CONTROL_SHARE: Final = 0.10

_LINE_BREAK_RE: Final = re.compile(r"\r\n|\r|\n")
# Where the diacritizer cuts a line (diacritize._SENTENCE_END, _CLAUSE_END): after a sentence end,
# an Arabic semicolon, a comma or a colon followed by a space.
_RUN_END_RE: Final = re.compile(f"(?<=[{re.escape(SENTENCE_ENDS)}؛،,:])\\s+")

_Block = tuple[bool, str]
"""(is_heading, text): what every parser reduces a document to before sectioning."""


# --- files ----------------------------------------------------------------


def read_article(path: Path) -> Article:
    """Read an article file; the format comes from the extension, else from the content.

    Raises InputError (with the path) when the file is missing, not a regular file
    (a directory, FIFO, device or socket), over ARTICLE_MAX_BYTES, empty,
    a PDF, ZIP/DOCX or image file, binary, not UTF-8 (an HTML page may instead declare
    windows-1256 or iso-8859-6 in a <meta>), has no Arabic letters in its
    body, has a title but no paragraphs, or is longer than the limits allow
    (ARTICLE_MAX_WORDS words; SENTENCE_MAX_WORDS words with no sentence end).
    """
    path = Path(path)
    text = read_text(path)
    article = _parser_for(path, text)(text, str(path))
    _check_length(article)
    return article


def read_text(path: Path, *, allow_empty: bool = False) -> str:
    """The text of a file, with the same checks an article gets (see read_article).

    `allow_empty` returns "" for an empty file instead of raising (the line
    commands print nothing for nothing).
    """
    path = Path(path)
    data = read_bounded(path, ARTICLE_MAX_BYTES, "article file", InputError)
    if not data.strip():
        if allow_empty:
            return data.decode("utf-8", errors="replace")
        raise InputError("file is empty", path)
    if kind := _file_kind(data):
        raise InputError(f"looks like {kind}, not a text article", path)
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError("file is UTF-32 text; save the article as UTF-8", path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("file is UTF-16 text; save the article as UTF-8", path)
    if b"\x00" in data:
        raise InputError("binary file (contains NUL bytes), not a text article", path)
    head = data[:8192]
    if sum(byte in _CONTROL_BYTES for byte in head) > _BINARY_CONTROL_SHARE * len(head):
        raise InputError("binary file (mostly control characters), not a text article", path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if encoding := _declared_html_charset(path, data):
            return data.decode(encoding, errors="replace")
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the article as UTF-8",
            path,
        ) from None
    if not text.strip() and not allow_empty:
        raise InputError("file is empty", path)
    return text


def _check_length(article: Article) -> None:
    """Refuse an article too long to build in bounded time and memory, naming the limit.

    A run of words with no sentence end or comma is refused too: the diacritizer
    reads one such run at once and its models stop at 12,000 characters.
    """
    paragraphs = [article.title, *(p for s in article.sections for p in ((s.heading or ""), *s.paragraphs))]
    words = sum(len(p.split()) for p in paragraphs)
    if words > ARTICLE_MAX_WORDS:
        raise InputError(f"the article has {words:,} words; the limit is {ARTICLE_MAX_WORDS:,}", article.source)
    for paragraph in paragraphs:
        check_runs(paragraph, article.source)


def check_runs(text: str, source: str) -> None:
    """Raise InputError naming `source` when `text` holds more than SENTENCE_MAX_WORDS words with no
    sentence end, comma or colon between them (the diacritizer would fail on it, naming nothing)."""
    for run in _RUN_END_RE.split(text):
        words = run.split()
        if len(words) > SENTENCE_MAX_WORDS:
            raise InputError(
                f"a sentence of {len(words):,} words with no full stop or comma "
                f"(«{' '.join(words[:6])} …»); the limit is {SENTENCE_MAX_WORDS:,} words",
                source,
            )


def _lines(text: str) -> list[str]:
    """The lines of a text, split at CR and LF only.

    str.splitlines also splits at U+2028/U+2029, NEL, VT, FF and the file
    separators, which editors put inside a paragraph: split there, one paragraph
    turned into a short line (a false heading) and the rest. They stay inside the
    line and read as spaces (str.split treats them as whitespace).
    """
    lines = _LINE_BREAK_RE.split(text)
    return lines[:-1] if lines and not lines[-1] else lines


def _declared_html_charset(path: Path, data: bytes) -> str | None:
    """The Arabic legacy charset (windows-1256, iso-8859-6) an HTML page declares in a <meta>, else None."""
    head = data[:8192]
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".xhtml") and (
        suffix in (".txt", ".md", ".markdown") or not re.search(rb"<(html|meta)[\s>]", head, re.I)
    ):
        return None  # plain text and Markdown stay strict UTF-8
    match = re.search(rb"<meta[^>]*charset\s*=\s*[\"']?\s*([\w.:-]+)", head, re.IGNORECASE)
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return name if name in _HTML_CHARSETS else None


def _file_kind(data: bytes) -> str | None:
    """What a document or image file is, from its magic number ("a PDF file"), else None."""
    return next((kind for magic, kind in _MAGIC_NUMBERS if data.startswith(magic)), None)


def _parser_for(path: Path, text: str) -> Callable[[str, str], Article]:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        return parse_html
    if suffix in (".md", ".markdown"):
        return parse_markdown
    if suffix == ".txt":
        return parse_text
    return _sniff(text)


def _sniff(text: str) -> Callable[[str, str], Article]:
    """Guess the format of a file whose extension says nothing."""
    head = text[:4096].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(body|article|p|h1|div)[\s>]", head):
        return parse_html
    if head.startswith("---\n") or re.search(r"^#{1,6} \S", head, re.MULTILINE):
        return parse_markdown
    return parse_text


# --- shared rules ---------------------------------------------------------


def has_arabic(text: str) -> bool:
    """True when `text` holds at least one Arabic letter."""
    return _ARABIC_RE.search(text) is not None


def _fold(text: str) -> str:
    """A loose form for matching fixed phrases: no marks, one alef, no punctuation."""
    text = fold_alef(_FOLD_DROP_RE.sub("", text))
    return " ".join(_FOLD_PUNCT_RE.sub(" ", text).split())


_READ_MORE: Final = frozenset(_fold(marker) for marker in _READ_MORE_MARKERS)


def is_read_more(line: str) -> bool:
    """True for a line that opens the trailing "read more / share" block."""
    return _fold(line) in _READ_MORE


def _is_related_link(line: str) -> bool:
    return _RELATED_LINK_RE.match(_fold(line)) is not None


_PROMO: Final = tuple(_fold(opener) for opener in _PROMO_OPENERS)


def is_promo(line: str) -> bool:
    """True for a short "follow us / subscribe / more news" line (see _PROMO_OPENERS)."""
    folded = _fold(line)
    words = folded.split()
    return 0 < len(words) <= _PROMO_MAX_WORDS and (
        "تابعونا" in words or any(folded == opener or folded.startswith(opener + " ") for opener in _PROMO)
    )


_AGENCY_RE: Final = re.compile(
    r"(?<!\S)(?:" + "|".join(sorted((re.escape(_fold(n)) for n in _AGENCY_NAMES), key=len, reverse=True)) + r")(?!\S)"
)
_CREDIT_OPENER_WORDS: Final = frozenset(_fold(w) for w in _CREDIT_OPENERS)


def is_credit_line(line: str, loose: bool = False) -> bool:
    """A short dateline or byline: «الرباط - الجزيرة نت», «عمان (رويترز) -», «بقلم: أحمد علي».

    At most six words; opens with بقلم / كتب: / تقرير: / إعداد: / مراسل, or names an
    agency or site joined to a place by - – — / or in parentheses. With `loose`
    (right after a plain-text title) any «name - place» line counts too.
    """
    line = line.strip()
    if _QA_RE.match(line):
        return False  # «س- …» / «ج - …» is a question or an answer
    folded = _fold(line.replace("/", " "))
    words = folded.split()
    if not words or len(words) > _CREDIT_MAX_WORDS or line.rstrip(")»").endswith(tuple(SENTENCE_ENDS)):
        return False
    if words[0] in _CREDIT_OPENER_WORDS and (
        words[0] in ("بقلم", "مراسل", "مراسلة", "مراسلنا") or re.match(r"^\S+\s*:", line)
    ):
        return True
    if not _CREDIT_JOINER_RE.search(line):
        return False
    if _AGENCY_RE.search(folded) or is_source_credit(line):
        return True
    return loose and len(words) <= 5 and re.search(r"\S\s*[-–—/]\s*\S", line) is not None and not _has_digit(line)


def is_staff_credit(line: str) -> bool:
    """A wire story's closing staff line: «(تغطية صحفية … - إعداد … - تحرير …)», or a desk code «بم-كح/ها»."""
    line = line.strip()
    return _STAFF_CREDIT_RE.match(line) is not None or _DESK_CODE_RE.match(line) is not None


def _has_digit(text: str) -> bool:
    return re.search(r"\d", text) is not None


def is_source_credit(line: str) -> bool:
    """A line that only names the sources: «(رويترز)», «— رويترز», «المصدر: الجزيرة + وكالات»."""
    folded = _fold(re.sub("[+/]", " ", line))
    if not folded or len(folded.split()) > _CREDIT_MAX_WORDS or not _AGENCY_RE.search(folded):
        return False
    rest = _AGENCY_RE.sub(" ", re.sub(r"^(?:ال)?مصدر|^المصادر", " ", folded))
    return not re.sub(r"(?<!\S)و(?!\S)", " ", rest).split()


def _visible(text: str, heading: bool = False) -> str:
    """`text` without control characters and bidi overrides (and, in a title or heading, no invisibles)."""
    text = _CONTROL_RE.sub("", text)
    return _TITLE_INVISIBLE_RE.sub("", text) if heading else text


def _squash(text: str) -> str:
    return " ".join(text.split())


def _article_end(blocks: list[_Block]) -> int:
    """Where the article stops: the read-more block, or a promo line with only short lines after it."""
    for i, (_, text) in enumerate(blocks):
        if is_read_more(text):
            return i
        if is_promo(text):
            rest = [t for _, t in blocks[i + 1 :]]
            rest = rest[: next((j for j, t in enumerate(rest) if is_read_more(t)), len(rest))]
            if all(_is_trailing_line(t) for t in rest):
                return i
    return len(blocks)


def _without_credits(blocks: list[_Block]) -> list[_Block]:
    """Drop a byline or dateline among the first blocks and source credits at the very end."""
    lead = [
        i for i, (is_heading, text) in enumerate(blocks[:3]) if is_credit_line(text, loose=i < 2 and not is_heading)
    ]
    blocks = [block for i, block in enumerate(blocks) if i not in lead]
    while blocks and not blocks[-1][0] and (is_source_credit(blocks[-1][1]) or is_staff_credit(blocks[-1][1])):
        blocks = blocks[:-1]
    return blocks


def _is_trailing_line(line: str) -> bool:
    """A line that may follow a promo line at the very end: short, not a sentence with a full stop."""
    return len(line.split()) <= _TRAILING_LINE_MAX_WORDS and not line.rstrip("»\"”')").endswith((".", "…"))


def _sections(blocks: Iterable[_Block]) -> list[Section]:
    """Group headings and paragraphs into sections (the caller has cut the trailing block)."""
    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[str] = []
    for is_heading, text in blocks:
        if _is_related_link(text):
            continue
        if is_heading:
            if paragraphs:
                sections.append(Section(heading, tuple(paragraphs)))
            heading, paragraphs = text, []
        else:
            paragraphs.append(text)
    if paragraphs:
        sections.append(Section(heading, tuple(paragraphs)))
    return sections


def _article(
    title: str, blocks: Iterable[_Block], source: str, url: str | None = None, date: dt.date | None = None
) -> Article:
    """Check what a parser found and make the Article (every parser ends here).

    Cuts the trailing read-more / promo block, drops "نشر في <date>" lines (their
    date is used when the parser found none) and judges the language on the
    paragraphs, not the title: a page with an Arabic <title> and an English body
    is not an Arabic article.
    """
    title = _squash(_visible(title, heading=True))
    blocks = [(is_heading, _squash(_visible(text, is_heading))) for is_heading, text in blocks if text.strip()]
    blocks = blocks[: _article_end(blocks)]
    blocks = _without_credits(blocks)
    datelines = [text for is_heading, text in blocks if not is_heading and is_dateline(text)]
    date = date or next(filter(None, map(_text_date, datelines)), None)
    sections = tuple(_sections(b for b in blocks if b[0] or b[1] not in datelines))
    body = " ".join(p for s in sections for p in s.paragraphs)
    if not title and not body:
        raise InputError("no text found", source)
    if not has_arabic(body or title):
        raise InputError("no Arabic text found; audio-news reads Arabic articles", source)
    if not title:
        raise InputError("no title found", source)
    if not body:
        raise InputError("the article has a title but no paragraphs", source)
    return Article(title=title, sections=sections, source=source, url=url, date=date)


# --- dates written out ("نشر في 9 يناير 2024") -----------------------------

_MONTHS: Final = {_fold(name): number for name, number in MONTH_NUMBERS.items()}
_MONTH_ALT: Final = alternation(_MONTHS)
_DATE_RES: Final = (  # (pattern, (day, month, year) group numbers); month may be a name
    (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), (3, 2, 1)),
    (re.compile(r"(?<!\d)(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?!\d)"), (3, 2, 1)),
    (re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?!\d)"), (1, 2, 3)),
    (
        re.compile(
            rf"(?<!\d)(\d{{1,2}}) (?:من )?({_MONTH_ALT})"  # 9 يناير / كانون الثاني 2024
            rf"(?: ?[/\-(] ?(?:{_MONTH_ALT})\)?)? ?[،,]? ?(\d{{4}})(?!\d)"
        ),
        (1, 2, 3),
    ),
)
# What may sit around the date in a dateline: "نشر في", times, weekdays, time zones.
_DATELINE_FILLER_RE: Final = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?|\b(?:تم النشر|تاريخ النشر|نشر|نشرت|اخر تحديث|تاريخ التحديث|تحديث|"
    r"بتاريخ|في|يوم|الساعة|الموافق|صباحا|مساء|ص|م|am|pm|gmt|utc|بتوقيت \S+|"
    r"الاحد|الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعة|السبت|published|updated|posted|on|at)\b|[\s:|،,.\-–—/()+]",
    re.IGNORECASE,
)


def _plain_date_text(text: str) -> str:
    """Marks dropped, one alef, ى as ي, Western digits, single spaces: ready for _DATE_RES."""
    text = to_ascii_digits(fold_alef(_FOLD_DROP_RE.sub("", text)))
    return " ".join(text.split())


def _text_date(text: str) -> dt.date | None:
    """The first valid date written in `text` (2024-01-09, 9/1/2024, 9 يناير 2024), else None."""
    plain = _plain_date_text(text)
    found = []
    for pattern, (day, month, year) in _DATE_RES:
        for match in pattern.finditer(plain):
            number = match.group(month)
            try:
                date = dt.date(int(match.group(year)), int(_MONTHS.get(number, number)), int(match.group(day)))
            except ValueError:
                continue
            found.append((match.start(), date))
    return min(found)[1] if found else None


def is_dateline(line: str) -> bool:
    """True for a line that only says when the article was published.

    "نشر في 9 يناير 2024", "آخر تحديث: الثلاثاء 09/01/2024 - 10:45", a bare date: a
    date with nothing around it but such words, weekdays, times and time zones.
    """
    plain = _plain_date_text(line)
    if len(plain.split()) > 16 or _text_date(plain) is None:
        return False
    for pattern, _ in _DATE_RES:
        plain = pattern.sub(" ", plain)
    return not _DATELINE_FILLER_RE.sub("", plain)


def _iso_date(value: str) -> dt.date | None:
    match = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value)
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _http_url(value: str) -> str | None:
    value = value.strip()
    return value if re.match(r"https?://[^\s/]+", value, re.IGNORECASE) else None


# --- plain text -----------------------------------------------------------


def parse_text(text: str, source: str = "") -> Article:
    """Plain text: the first line is the title, then one paragraph per line.

    A short line followed by a paragraph is a section heading when it ends
    without punctuation, with «؟» (a question heading), or with «:» that does
    not introduce speech or a list (the colon is dropped from the heading). A
    line that reads as a sentence of the story is never a heading, which matters
    in texts without full stops: one opening with و/ف and a verb or particle
    («وقال الوزير …», «وتتضمن …», «وفي المقابل …») or holding إن/أن. See
    looks_like_heading. Bare URL or ISO-date lines right after the title are
    read as the article's url and date, and a "نشر في <date>" line anywhere gives
    the date and is dropped. Raises InputError when the body has no Arabic
    text, or there is no title or no paragraph.
    """
    lines = [_squash(line) for line in _lines(text)]
    lines = [line for line in lines if line]
    if not lines:
        raise InputError("no text found", source)
    title, body = lines[0], lines[1:]
    url = date = None
    while body and (_is_bare_url(body[0]) or _iso_date_line(body[0])):
        if _is_bare_url(body[0]):
            url = url or body[0]
        else:
            date = date or _iso_date(body[0])
        body = body[1:]
    body = [line for i, line in enumerate(body) if i >= 3 or not is_credit_line(line, loose=True)]
    return _article(title, _text_blocks(body), source, url, date)


def _is_bare_url(line: str) -> bool:
    return re.fullmatch(r"https?://\S+", line, re.IGNORECASE) is not None


def _iso_date_line(line: str) -> bool:
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", line) is not None and _iso_date(line) is not None


def is_qa_or_list_line(line: str) -> bool:
    """«س: …», «ج - …», «سؤال: …», «1. …», «٤- …», «- …», «* …», «• …»: a paragraph, never a heading."""
    return _QA_OR_LIST_RE.match(line.strip()) is not None


def _text_blocks(lines: list[str]) -> Iterator[_Block]:
    """One block per line; a heading-like line followed by a paragraph is a heading.

    The first line that is not a dateline is a subtitle (it opens the lead) when
    it is long (more than six words); a short one is a heading like any other.
    A question line («…؟») right after a short heading that does not end in «؟»
    is a paragraph of that section, and a line after a heading is never one.
    """
    first = next((i for i, line in enumerate(lines) if not is_dateline(line)), len(lines))
    after_heading = False
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else None
        heading = (
            following is not None
            and not after_heading
            and looks_like_heading(line)
            and not (i == first and len(line.split()) >= _SUBTITLE_MIN_WORDS)
            and not _heading_like_next(line, following)
            and not is_read_more(following)
        )
        after_heading = heading
        if heading:
            yield True, line.rstrip(":").rstrip()
        else:
            yield False, line


def _heading_like_next(line: str, following: str) -> bool:
    """Whether `following` stops `line` from being a heading: it looks like one itself.

    A question line after a short heading that is not itself a question reads as
    the first paragraph of the section («الأسباب» then «لماذا ترتفع الأسعار؟»).
    """
    if not looks_like_heading(following):
        return False
    return not (following.rstrip().endswith(("؟", "?")) and not line.rstrip().endswith(("؟", "?", ":")))


def looks_like_heading(line: str) -> bool:
    """A plain-text line that may be a section heading.

    It is short (at most 10 words and 80 characters), has a letter and is not
    page furniture or a dateline. It ends without punctuation, or with «؟» («ما حجم
    الخسائر؟»), or with «:» when it does not introduce speech or a list
    («الرياضة ليست بعيدة عن الأزمة:» is a heading; «وقال الأمين العام في
    كلمته:» and «أبرزها:» are not). And it does not read as a sentence (see
    _reads_as_sentence).
    """
    line = line.strip()
    if is_qa_or_list_line(line):
        return False
    if not (
        line
        and len(line.split()) <= _TEXT_HEADING_MAX_WORDS
        and len(line) <= _TEXT_HEADING_MAX_CHARS
        and any(ch.isalpha() for ch in line)
        and not is_read_more(line)
        and not is_dateline(line)
    ):
        return False
    if line.count("«") != line.count("»"):
        return False  # a line of a quotation that runs over several lines
    words = _words(line)
    if line[-1] == ":":
        if _introduces_speech_or_list(words):
            return False
    elif line[-1] not in "؟?" and line[-1] in _NOT_HEADING_ENDINGS:
        return False
    return bool(words) and not _reads_as_sentence(words)


def _words(line: str) -> list[str]:
    """The words of a line without marks, tatweel or punctuation (hamza kept)."""
    return re.findall(f"[{LETTER_OR_PRESENTATION_CLASS}\\w]+", _FOLD_DROP_RE.sub("", line))


def _past_forms(verb: str) -> tuple[str, ...]:
    """A past-tense verb with its feminine and plural endings: قال قالت قالوا; دعا دعت دعوا."""
    stem = verb[:-1] if verb.endswith(("ى", "ا")) and len(verb) == 3 else verb
    return (verb, stem + "ت", stem + "وا")


_SAYING: Final = frozenset(_fold(form) for verb in _SAYING_VERBS for form in _past_forms(verb))
_SPEECH_INTRO: Final = frozenset(_fold(word) for word in _SAYING_WORDS)
_LIST_INTRO: Final = frozenset(_fold(word) for word in _LIST_INTRO_WORDS)
_AFTER_CONJUNCTION: Final = (
    _SAYING
    | frozenset(_fold(form) for verb in _COMMON_VERBS for form in _past_forms(verb))
    | frozenset(_fold(word) for word in _CLAUSE_PARTICLES)
)
# Verb shapes after و: a present tense (ي/ت/ن…), أفعل, استفعل, انفعل, افتعل (with ت/وا/ا endings).
_VERB_AFTER_WAW_RE: Final = re.compile(
    "(?:[يتن]L{2,}|أL{2,}|استL{3}|انL{3}|اLتL{2})(?:ت|وا|ا)?".replace("L", f"[{LETTER_OR_PRESENTATION_CLASS}]")
)


def _opens_with_conjunction_verb(word: str) -> bool:
    """«وقال», «فأكد», «ويتضمن», «واستمر», «وفي»: a و/ف joined to a verb or particle opens a sentence.

    After ف only listed words count (ف starts many nouns: فيلم، فنادق، فيروس); after و
    verb shapes count too, except nouns ending in ة/ات/ية («وتيرة», «وثائق» has no verb shape).
    """
    if len(word) < 3 or word[0] not in "وف":
        return False
    rest = word[1:]
    if _fold(rest) in _AFTER_CONJUNCTION:
        return True
    return word[0] == "و" and _VERB_AFTER_WAW_RE.fullmatch(rest) is not None and not rest.endswith(("ة", "ات", "ية"))


def _reads_as_sentence(words: list[str]) -> bool:
    """A line of the story rather than a heading: it opens with و/ف + a verb or particle, or holds إن/أن."""
    return _opens_with_conjunction_verb(words[0]) or any(word in _THAT_PARTICLES for word in words)


def _introduces_speech_or_list(words: list[str]) -> bool:
    """A line ending in «:» that introduces a quotation («وقال الأمين العام:») or a list («أبرزها:»)."""
    if not words or _opens_with_conjunction_verb(words[0]):
        return True
    folded = [_fold(word) for word in words]
    folded += [word[1:] for word in folded if word[:1] in ("و", "ف") and len(word) > 3]
    return any(word in _SPEECH_INTRO or word in _LIST_INTRO for word in folded)


# --- Markdown -------------------------------------------------------------

_MD_HEADING_RE: Final = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_MD_FENCE_RE: Final = re.compile(r"^(`{3,}|~{3,})")
_MD_RULE_RE: Final = re.compile(r"^([-*_])(?:\s*\1){2,}$")
_MD_ITEM_RE: Final = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
_MD_REFDEF_RE: Final = re.compile(r"^\[[^\]]+\]:\s*\S+")
_MD_FOOTNOTE_RE: Final = re.compile(r"^\[\^[^\]]+\]:")
_BOLD_HEADING_MAX_WORDS: Final = 12
_MD_BREAK: Final = -1
"""The level _markdown_blocks gives a thematic break (`---`, `***`)."""
_MD_TABLE_RULE_RE: Final = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def parse_markdown(text: str, source: str = "") -> Article:
    """Markdown: `# ` title, `## `/`### ` sections, blank-line paragraphs, list items.

    Inline markup is stripped (link text kept, images, struck text and footnotes
    dropped, <br> a space); a paragraph that is only `**bold**` is a heading and
    each table row is a paragraph of its cells joined with «، ». Optional front
    matter between `---` lines may give `url:`, `date:` (ISO) and `title:`. A
    thematic break (`---`) followed by a promo line ("تابعونا على …") ends the
    article, whatever follows.
    Raises InputError as parse_text does, and for a bad front-matter url or date.
    """
    meta, lines = _front_matter(text, source)
    blocks = _markdown_blocks(_lines(re.sub(r"<!--.*?-->", "", "\n".join(lines), flags=re.DOTALL)))
    blocks = [(2 if level == 0 and _is_bold_line(content) else level, _md_inline(content)) for level, content in blocks]
    blocks = [(level, content) for level, content in blocks if content or level == _MD_BREAK]
    blocks = _before_promo_break(blocks)
    title_at = next((i for i, (level, _) in enumerate(blocks) if level == 1), None)
    if title_at is not None:
        title, rest = blocks[title_at][1], blocks[title_at + 1 :]
    elif meta.get("title"):
        title, rest = meta["title"], blocks
    elif blocks:
        title, rest = blocks[0][1], blocks[1:]
    else:
        title, rest = "", []
    return _article(title, ((level > 0, content) for level, content in rest), source, meta.get("url"), meta.get("date"))


def _is_bold_line(text: str) -> bool:
    """A paragraph that is only `**text**` or `__text__`, short and without a full stop: a heading."""
    match = re.fullmatch(r"(\*\*|__)(\S(?:.*?\S)?)\1", text.strip())
    return match is not None and _is_short_heading(_md_inline(match.group(2)))


def _is_short_heading(text: str) -> bool:
    """Bold text that may stand as a heading: at most 12 words, not ending with a full stop."""
    return 0 < len(text.split()) <= _BOLD_HEADING_MAX_WORDS and not text.rstrip("»\"”')").endswith((".", "…", "،", ","))


def _before_promo_break(blocks: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Cut at a thematic break followed by a promo line; drop the other breaks."""
    for i, (level, _) in enumerate(blocks):
        following = next((content for lvl, content in blocks[i + 1 :] if lvl != _MD_BREAK), "")
        if level == _MD_BREAK and is_promo(following):
            blocks = blocks[:i]
            break
    return [(level, content) for level, content in blocks if level != _MD_BREAK]


class _FrontMatter(TypedDict, total=False):
    title: str
    url: str | None
    date: dt.date | None


def _front_matter(text: str, source: str) -> tuple[_FrontMatter, list[str]]:
    """Split off `---` front matter; returns ({url, date, title}, remaining lines)."""
    lines = _lines(text)
    if not lines or lines[0].strip() != "---":
        return {}, lines
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return {}, lines
    raw: dict[str, str] = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        if sep and key.strip() and not line.startswith((" ", "\t")):
            raw[key.strip().lower()] = value.strip().strip("'\"")
    meta: _FrontMatter = {}
    if raw.get("title"):
        meta["title"] = raw["title"]
    if raw.get("url"):
        meta["url"] = _http_url(raw["url"])
        if meta["url"] is None:
            raise InputError(f"front matter url must start with http:// or https://: {raw['url']!r}", source)
    if raw.get("date"):
        meta["date"] = _iso_date(raw["date"])
        if meta["date"] is None:
            raise InputError(f"front matter date is not an ISO date (YYYY-MM-DD): {raw['date']!r}", source)
    return meta, lines[end + 1 :]


def _markdown_blocks(lines: list[str]) -> list[tuple[int, str]]:
    """Markdown lines → (heading level, 0 for a paragraph or _MD_BREAK for `---`; raw inline text)."""
    blocks: list[tuple[int, str]] = []
    paragraph: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if paragraph:
            blocks.append((0, " ".join(paragraph)))
            paragraph.clear()

    for raw in lines:
        line = raw.strip()
        if fence:
            if line.startswith(fence):
                fence = None
            continue
        if match := _MD_FENCE_RE.match(line):
            flush()
            fence = match.group(1)
            continue
        line = re.sub(r"^(?:>\s?)+", "", line).strip()
        if (
            not line
            or _MD_REFDEF_RE.match(line)
            or _MD_FOOTNOTE_RE.match(line)
            or _MD_TABLE_RULE_RE.match(line)
            and "|" in line
        ):
            flush()
            continue
        if match := _MD_HEADING_RE.match(line):
            flush()
            blocks.append((len(match.group(1)), match.group(2)))
        elif re.fullmatch(r"=+", line) and paragraph:
            blocks.append((1, " ".join(paragraph)))
            paragraph.clear()
        elif re.fullmatch(r"-+", line) and paragraph:
            blocks.append((2, " ".join(paragraph)))
            paragraph.clear()
        elif _MD_RULE_RE.match(line):
            flush()
            blocks.append((_MD_BREAK, ""))
        elif match := _MD_ITEM_RE.match(line):
            flush()
            paragraph.append(match.group(1))
        elif line.startswith("|"):
            flush()  # a table row: its own paragraph, the cells joined with «، »
            blocks.append((0, "، ".join(cell.strip() for cell in line.strip("|").split("|") if cell.strip())))
        else:
            paragraph.append(line)
    flush()
    return blocks


def _md_inline(text: str) -> str:
    """Strip inline Markdown: emphasis, code, links (keep their text), images, tags."""
    escaped: list[str] = []

    def stash(match: re.Match[str]) -> str:
        escaped.append(match.group(1))
        return chr(0xE000 + len(escaped) - 1)

    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!>~|])", stash, text)
    text = re.sub(r"`+\s?(.*?)\s?`+", r"\1", text)
    text = re.sub(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])", "", text)
    text = re.sub(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])", r"\1", text)
    text = re.sub(r"\[\^[^\]\s]+\]", "", text)  # footnote reference
    text = re.sub(r"(?<=\S)\[\d{1,3}\]", "", text)  # numbered reference «2018[1]»
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"</?[A-Za-z][^>]*>", "", text)
    text = re.sub(r"(\*\*|__)(\S(?:.*?\S)?)\1", r"\2", text)
    text = re.sub(r"~~(\S(?:.*?\S)?)~~", "", text)  # struck-out text is not read
    text = re.sub(r"\*(\S(?:.*?\S)?)\*", r"\1", text)
    text = re.sub(r"(?<![\w])_(\S(?:.*?\S)?)_(?![\w])", r"\1", text)
    text = re.sub(
        "[\ue000-\uf8ff]",
        lambda m: escaped[ord(m.group()) - 0xE000] if ord(m.group()) - 0xE000 < len(escaped) else m.group(),
        text,
    )
    return _squash(text)


# --- HTML -----------------------------------------------------------------

_VOID_TAGS: Final = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_CLOSES_P: Final = frozenset(
    "address article aside blockquote details div dl fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr main menu nav ol p pre section table ul li".split()
)
_DROP_TAGS: Final = frozenset(
    "nav header footer aside script style noscript form figure figcaption iframe svg button "
    "template select textarea object embed video audio canvas dialog menu head title".split()
)
_DROP_WORDS: Final = frozenset(
    "ad ads adv advert adverts advertisement advertising sponsor sponsored promo promoted "
    "related share sharing social newsletter subscribe subscription comment comments "
    "breadcrumb breadcrumbs sidebar navbar menu cookie cookies popup modal outbrain taboola "
    "byline tags recommended recommendations trending keywords consent gdpr onetrust ticker "
    "paywall wall gallery slideshow carousel embed tweet instagram tiktok xfbml bio "
    "sharedaddy sharethis addthis relatedposts".split()
)
# data-component / class / id pieces of link lists, tag lists, "read more", "most read" and author boxes.
_DROP_PHRASES_RE: Final = re.compile(
    r"(?<![a-z])(?:links-block|tag-list|tags|topic-list|more-on|recommendations|read-more"
    r"|(?:author|writer)-(?:box|bio|info|card|profile|about)|about-(?:author|writer)|fb-(?:post|video|comments)"
    r"|most-?(?:read|viewed|popular|commented|shared)|related)(?![a-z])"
)
# A list or block that is mostly link text (menus, "most read", key-event jump lists) is not the story;
# nor is a paragraph that is one link (a teaser).
_LINK_BLOCK_TAGS: Final = frozenset("ul ol div section table td tr".split())
_LINK_BLOCK_SHARE: Final = 0.6
_LINK_BLOCK_MIN_LINKS: Final = 2
_LINK_PARAGRAPH_SHARE: Final = 0.9
# A box around a player (iframe, video) with at most a short title; a box of pictures with only captions
# (a gallery, an album); a short call-to-action box with a form or a sign-up link (newsletter, app).
_MEDIA_TAGS: Final = frozenset("iframe video audio embed object amp-video amp-iframe amp-youtube".split())
_MEDIA_BOX_MAX_WORDS: Final = 20
_GALLERY_WORDS_PER_IMAGE: Final = 15
_CALL_TO_ACTION_MAX_WORDS: Final = 40
_SIGN_UP_WORDS: Final = frozenset(("اشترك", "اشتركوا", "اشتركي", "سجل", "تسجيل", "subscribe", "sign up"))
# class/id words of a short element that only says who wrote the article and when.
_DATELINE_WORDS: Final = frozenset("meta date time published byline author dateline timestamp pubdate posted".split())
_DATELINE_MAX_WORDS: Final = 30
# class/id words of the subtitle (dek) under the headline: it opens the lead section.
_DEK_WORDS: Final = frozenset(
    "excerpt subtitle subheading subhead dek standfirst summary lead intro description sapo".split()
)
# Elements that stay inside a paragraph when text is read straight from containers.
_INLINE_TAGS: Final = frozenset(
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong sub sup time u var wbr".split()
)
_DROP_ROLES: Final = frozenset("navigation banner contentinfo complementary search dialog".split())
_HEADING_TAGS: Final = frozenset("h2 h3 h4 h5 h6".split())
_TEXT_TAGS: Final = frozenset("p h1 h2 h3 h4 h5 h6 article main section".split())
_BLOCK_TAGS: Final = frozenset("p ul ol div section blockquote table h1 h2 h3 h4 h5 h6".split())
_DATE_META: Final = frozenset(
    "article:published_time og:published_time datepublished date pubdate publishdate publish-date "
    "publish_date dc.date dc.date.issued dcterms.date dcterms.created dcterms.issued sailthru.date "
    "parsely-pub-date article.published".split()
)
_TITLE_SEPARATORS_RE: Final = re.compile(r"\s+(?:[|\-–—:»]|::)\s+")


@dataclass(eq=False)
class _Node:
    """An element of the parse tree; lives only while one page is parsed."""

    tag: str
    attrs: dict[str, str]
    children: list[_Node | str] = field(default_factory=list)
    furniture: bool | None = None
    """_is_furniture's answer, kept: it is asked for every element many times."""


class _TreeBuilder(HTMLParser):
    """Build a forgiving element tree: unclosed <p> and <li> close themselves."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CLOSES_P:
            self._close_implied("p", stop=("div", "section", "article", "td", "li", "blockquote"))
        if tag == "li":
            self._close_implied("li", stop=("ul", "ol"))
        node = _Node(tag, {k.lower(): v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, {k.lower(): v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def _close_implied(self, tag: str, stop: tuple[str, ...]) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
            if self.stack[i].tag in stop:
                return


def parse_html(text: str, source: str = "") -> Article:
    """A saved or fetched news page: the story without menus, ads, share blocks and the like.

    The story is the <article> (else itemprop=articleBody, <main>, or the box whose
    paragraphs weigh most; see _content_root). Furniture goes by class/id words
    (comments, related, most-read, cookie/consent, ticker, newsletter, gallery,
    embeds, author boxes…) and by shape: link-dense lists and boxes, player boxes,
    captioned-picture galleries, short sign-up boxes (_is_furniture). docs/extraction.md
    scores this on pages shaped like the Arabic news sites. Title from the article's h1 (else og:title, else <title>, else the first
    block), sections from h2–h6, paragraphs from p and li; a page without any
    <p> has its paragraphs read from the text straight inside div, section, td
    and the like. Short date and byline elements (class or id "meta", "date",
    "byline", "author"…) are not article text. url from the canonical link or
    og:url; date from article:published_time, datePublished, date metas or
    <time>, else from a date or byline element. Raises InputError as parse_text
    does (the language is judged on the paragraphs), and for absurdly deep
    nesting.
    """
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    root = builder.root
    try:
        content = _content_root(root)
        title = _html_title(content, root)
        found = _html_blocks(content) if _has_paragraphs(content) else _loose_blocks(content)
        blocks = [(is_heading, _squash(block)) for is_heading, block in found]
        blocks = [(is_heading, block) for is_heading, block in blocks if block and block != title]
        if not title and blocks:
            title, blocks = blocks[0][1], blocks[1:]
        if dek := _html_dek(content, title):
            blocks = [(False, dek)] + [block for block in blocks if block[1] != dek]
        url = _html_url(root)
        date = _html_date(root, content) or next(
            filter(
                None,
                (
                    _text_date(_node_text(n))
                    for scope in (content, root)
                    for n in _walk(scope, _is_outside_content)
                    if _is_dateline_node(n)
                ),
            ),
            None,
        )
    except RecursionError:
        raise InputError("HTML is nested too deeply to read", source) from None
    return _article(title, blocks, source, url, date)


def _walk(node: _Node, skip: Callable[[_Node], bool] = lambda n: False) -> Iterator[_Node]:
    """Elements under `node` in document order, not descending into skipped ones."""
    for child in node.children:
        if isinstance(child, _Node) and not skip(child):
            yield child
            yield from _walk(child, skip)


def _is_furniture(node: _Node) -> bool:
    """Menus, ads, share and related blocks, scripts, link lists: never article text."""
    if node.furniture is None:
        node.furniture = _judge_furniture(node)
    return node.furniture


def _judge_furniture(node: _Node) -> bool:
    if node.tag in _DROP_TAGS:
        return True
    attrs = node.attrs
    if "hidden" in attrs or attrs.get("aria-hidden", "").lower() == "true":
        return True
    if re.search(r"display\s*:\s*none", attrs.get("style", ""), re.IGNORECASE):
        return True
    if attrs.get("role", "").lower() in _DROP_ROLES:
        return True
    if node.tag in ("html", "body", "main"):
        return False  # their classes describe the page («single-format-gallery», «has-sidebar»), not a box in it
    words = re.split(r"[\s_\-]+", (attrs.get("class", "") + " " + attrs.get("id", "")).lower())
    if any(word in _DROP_WORDS for word in words):
        return True
    marks = " ".join(attrs.get(key, "") for key in ("data-component", "class", "id")).lower().replace("_", "-")
    return (
        _DROP_PHRASES_RE.search(marks) is not None
        or _opens_with_read_more(node)
        or _is_link_block(node)
        or _is_media_box(node)
    )


def _is_media_box(node: _Node) -> bool:
    """A player box, a gallery of captioned pictures, or a short sign-up box: page furniture by its shape."""
    if node.tag not in ("div", "section", "ul", "aside"):
        return False
    inside = [n.tag for n in _walk(node)]
    if {"h1", "article", "main"}.intersection(inside):
        return False  # the story itself, however short
    words = len(_node_text(node).split())
    if words <= _MEDIA_BOX_MAX_WORDS and _MEDIA_TAGS.intersection(inside):
        return True
    images = inside.count("img") + inside.count("amp-img")
    if (
        images >= 2
        and words <= _GALLERY_WORDS_PER_IMAGE * images
        and all(len(_node_text(n).split()) <= _GALLERY_WORDS_PER_IMAGE for n in _walk(node) if n.tag == "p")
    ):
        return True  # every text in it is a caption
    if words > _CALL_TO_ACTION_MAX_WORDS:
        return False
    if {"form", "input"}.intersection(inside):
        return True
    return any(n.tag in ("a", "button") and _is_sign_up(_node_text(n)) for n in _walk(node))


def _is_sign_up(label: str) -> bool:
    """«اشترك», «سجل الآن», «Subscribe»: the label of a sign-up link or button."""
    words = _fold(label).lower().split()
    if words and words[-1] == _fold("الآن"):
        words = words[:-1]
    return " ".join(words) in _SIGN_UP_WORDS


def _is_link_block(node: _Node) -> bool:
    """A list or box whose text is mostly links, or a paragraph that is all one link."""
    if node.tag not in _LINK_BLOCK_TAGS and node.tag not in ("p", "li"):
        return False
    links = [n for n in _walk(node) if n.tag == "a"]  # link lists inside it count, dropped or not
    if not links:
        return False
    total = len(_all_text(node))
    linked = sum(len(_all_text(a)) for a in links if not any(n.tag == "a" for n in _walk(a)))
    if node.tag in ("p", "li"):
        return total > 0 and linked >= _LINK_PARAGRAPH_SHARE * total
    return len(links) >= _LINK_BLOCK_MIN_LINKS and total > 0 and linked > _LINK_BLOCK_SHARE * total


def _opens_with_read_more(node: _Node) -> bool:
    """A section/div/aside whose first element is a heading reading «قصص ذات صلة», «اقرأ أيضا»…"""
    if node.tag not in ("section", "div", "aside"):
        return False
    first = next((c for c in node.children if isinstance(c, _Node) or c.strip()), None)
    return (
        isinstance(first, _Node)
        and (first.tag in _HEADING_TAGS or first.tag == "h1")
        and is_read_more(_node_text(first))
    )


def _all_text(node: _Node) -> str:
    """Every word under `node` but scripts and styles, furniture included: what link density is measured on."""
    parts: list[str] = []

    def collect(n: _Node) -> None:
        for child in n.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in ("script", "style", "template", "noscript"):
                collect(child)

    collect(node)
    return _squash(" ".join(parts))


def _is_outside_content(node: _Node) -> bool:
    """Furniture, but a header is kept: the article's h1 and <time> often sit in one."""
    return node.tag != "header" and _is_furniture(node)


def _is_dateline_node(node: _Node) -> bool:
    """A short element marked as the date or byline (class/id word in _DATELINE_WORDS), holding no paragraph."""
    words = re.split(r"[\s_\-]+", (node.attrs.get("class", "") + " " + node.attrs.get("id", "")).lower())
    return (
        any(word in _DATELINE_WORDS for word in words)
        and len(_node_text(node).split()) <= _DATELINE_MAX_WORDS
        and not any(n.tag in _TEXT_TAGS for n in _walk(node))
    )


def _node_text(node: _Node) -> str:
    return _squash(_raw_text(node))


def _raw_text(node: _Node) -> str:
    """The text under `node`, spaces as written, <br> as a space, furniture left out."""
    parts: list[str] = []

    def collect(n: _Node) -> None:
        for child in n.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag == "br":
                parts.append(" ")
            elif not _is_furniture(child):
                collect(child)

    collect(node)
    return "".join(parts)


def _paragraph_weight(node: _Node) -> int:
    return sum(len(_node_text(p)) for p in _walk(node, _is_furniture) if p.tag == "p")


def _content_root(root: _Node) -> _Node:
    """The element holding the article.

    The weightiest <article>, else the element marked itemprop=articleBody, else
    <main>, else the element whose paragraphs weigh most (see _densest), widened
    to the nearest ancestor that also holds the page's h1, else <body>.
    """
    articles = [n for n in _walk(root, _is_furniture) if n.tag == "article"]
    if articles:
        return max(articles, key=_paragraph_weight)
    picks: tuple[Callable[[_Node], bool], ...] = (
        lambda n: n.attrs.get("itemprop", "").lower() == "articlebody",
        lambda n: n.tag == "main" or n.attrs.get("role") == "main",
    )
    for pick in picks:
        found = next((n for n in _walk(root, _is_furniture) if pick(n)), None)
        if found is not None:
            return _with_headline(root, found)
    if densest := _densest(root):
        return _with_headline(root, densest)
    return next((n for n in _walk(root, _is_furniture) if n.tag == "body"), root)


def _densest(root: _Node) -> _Node | None:
    """The element whose <p> children (fully) and grandchildren (half) hold the most text.

    A page without <article> or <main> keeps its story in one such box; a sidebar's
    or footer's paragraphs sit in another, lighter one. A wrapper around a single
    <p> (one box per paragraph, as some sites build pages) is looked through, so
    the box of all the wrappers counts the paragraphs as its own.
    """
    weights: dict[int, float] = {}
    nodes: dict[int, _Node] = {}

    def visit(node: _Node, path: tuple[_Node, ...]) -> None:
        for child in node.children:
            if not isinstance(child, _Node) or _is_furniture(child):
                continue
            if child.tag == "p":
                size = len(_node_text(child))
                owners = [n for n in reversed(path) if not _wraps_one(n)]
                for share, owner in zip((1.0, 0.5), owners, strict=False):
                    weights[id(owner)] = weights.get(id(owner), 0.0) + share * size
                    nodes[id(owner)] = owner
            else:
                visit(child, (*path, child))

    visit(root, (root,))
    if not weights:
        return None
    return nodes[max(weights, key=lambda key: weights[key])]


def _wraps_one(node: _Node) -> bool:
    """An element whose only content is one element (a box around a single paragraph)."""
    kept = [
        c for c in node.children if isinstance(c, _Node) and not _is_furniture(c) or isinstance(c, str) and c.strip()
    ]
    return len(kept) == 1 and isinstance(kept[0], _Node)


def _with_headline(root: _Node, content: _Node) -> _Node:
    """`content`, or its nearest ancestor holding the page's first h1 (the title, dek and byline sit beside it)."""
    h1 = next((n for n in _walk(root, _is_furniture) if n.tag == "h1" and _node_text(n)), None)
    if h1 is None or any(n is h1 for n in _walk(content)):
        return content
    path: list[_Node] = []

    def find(node: _Node) -> bool:
        path.append(node)
        if node is content:
            return True
        if any(find(child) for child in node.children if isinstance(child, _Node)):
            return True
        path.pop()
        return False

    find(root)
    for ancestor in reversed(path[:-1]):
        if ancestor.tag in ("body", "html", "#root"):
            break
        if any(n is h1 for n in _walk(ancestor)):
            return ancestor
    return content


def _html_title(content: _Node, root: _Node) -> str:
    """The article's h1 (body, then its header), a page h1, og:title, then <title>."""
    for scope, skip in ((content, _is_furniture), (content, _is_outside_content), (root, _is_furniture)):
        h1 = next((n for n in _walk(scope, skip) if n.tag == "h1" and _node_text(n)), None)
        if h1 is not None:
            return _node_text(h1)
    og_title = _meta_content(root, ("og:title",))
    if og_title:
        return _squash(og_title)
    title = next((n for n in _walk(root) if n.tag == "title"), None)
    if title is None:
        return ""
    text = "".join(c for c in title.children if isinstance(c, str))
    return max(_TITLE_SEPARATORS_RE.split(_squash(text)), key=len)


def _html_dek(content: _Node, title: str) -> str | None:
    """The subtitle: an element classed excerpt/subtitle/dek/summary/lead…, else a <p> or <h2> in the article's <header>."""

    def usable(node: _Node) -> bool:
        text = _node_text(node)
        return (
            bool(text)
            and text != title
            and not _is_dateline_node(node)
            and not is_credit_line(text)
            and not is_dateline(text)
            and not any(n.tag in _TEXT_TAGS for n in _walk(node))
        )

    for node in _walk(content, _is_outside_content):
        words = re.split(r"[\s_\-]+", (node.attrs.get("class", "") + " " + node.attrs.get("id", "")).lower())
        if node.tag in ("p", "div", "h2", "h3") and _DEK_WORDS.intersection(words) and usable(node):
            return _node_text(node)
    for header in (n for n in _walk(content, _is_outside_content) if n.tag == "header"):
        for node in _walk(header, _is_furniture):
            if node.tag in ("p", "h2") and usable(node):
                return _node_text(node)
    return None


def _has_paragraphs(node: _Node) -> bool:
    return any(n.tag == "p" and _node_text(n) for n in _walk(node, _is_furniture))


def _html_blocks(node: _Node) -> Iterator[_Block]:
    for child in node.children:
        if not isinstance(child, _Node) or _is_furniture(child) or _is_dateline_node(child):
            continue
        if child.tag in _HEADING_TAGS or child.tag == "h1" or _is_bold_heading(child):
            yield True, _node_text(child)
        elif child.tag == "p":
            yield False, _node_text(child)
        elif child.tag in ("li", "blockquote") and not any(
            isinstance(c, _Node) and c.tag in _BLOCK_TAGS for c in child.children
        ):
            yield False, _node_text(child)
        else:
            yield from _html_blocks(child)


def _is_bold_heading(node: _Node) -> bool:
    """A <p> or <div> whose whole text sits in one <strong>/<b>, short and without a full stop."""
    if node.tag not in ("p", "div"):
        return False
    children = [
        c
        for c in node.children
        if not (isinstance(c, str) and not c.strip()) and not (isinstance(c, _Node) and c.tag == "br")
    ]
    if len(children) != 1 or not isinstance(children[0], _Node) or children[0].tag not in ("strong", "b"):
        return False
    return _is_short_heading(_node_text(children[0]))


def _loose_blocks(node: _Node) -> Iterator[_Block]:
    """Blocks of a page without <p>: text straight inside div, section, td… is a paragraph.

    Text and inline elements between two block elements make one paragraph; two
    <br> in a row end it too.
    """
    run: list[tuple[str, bool]] = []  # (text, inside a link)

    def flush() -> Iterator[_Block]:
        text = "".join(part for part, _ in run)
        linked = "".join(("L" if in_link else "T") * len(part) for part, in_link in run)
        run.clear()
        start = 0
        for end, after in [(m.start(), m.end()) for m in re.finditer(r"\n\s*\n", text)] + [(len(text), len(text))]:
            marks = [mark for char, mark in zip(text[start:end], linked[start:end], strict=True) if char.isalnum()]
            if not marks or marks.count("L") < _LINK_PARAGRAPH_SHARE * len(marks):
                yield False, text[start:end]  # a run of links ("طباعة | أرسل لصديق") is not read
            start = after

    for child in node.children:
        if isinstance(child, str):
            run.append((child.replace("\n", " "), False))
        elif child.tag == "br":
            run.append(("\n", False))
        elif _is_furniture(child) or _is_dateline_node(child):
            continue
        elif child.tag in _INLINE_TAGS:
            run.extend(_inline_text(child, child.tag == "a"))
        else:
            yield from flush()
            if child.tag in _HEADING_TAGS or child.tag == "h1" or _is_bold_heading(child):
                yield True, _node_text(child)
            else:
                yield from _loose_blocks(child)
    yield from flush()


def _inline_text(node: _Node, in_link: bool) -> Iterator[tuple[str, bool]]:
    """The text of an inline element as (text, inside a link) runs, <br> and newlines as spaces."""
    for child in node.children:
        if isinstance(child, str):
            yield child.replace("\n", " "), in_link
        elif child.tag == "br":
            yield " ", in_link
        elif not _is_furniture(child):
            yield from _inline_text(child, in_link or child.tag == "a")


def _meta_content(root: _Node, names: Iterable[str]) -> str | None:
    wanted = set(names)
    for node in _walk(root):
        if node.tag == "meta":
            key = node.attrs.get("property") or node.attrs.get("name") or node.attrs.get("itemprop") or ""
            if key.lower() in wanted and node.attrs.get("content", "").strip():
                return node.attrs["content"].strip()
    return None


def _html_url(root: _Node) -> str | None:
    for node in _walk(root):
        if node.tag == "link" and "canonical" in node.attrs.get("rel", "").lower().split():
            if url := _http_url(node.attrs.get("href", "")):
                return url
    return _http_url(_meta_content(root, ("og:url",)) or "")


def _html_date(root: _Node, content: _Node) -> dt.date | None:
    candidates: list[str] = []
    meta = _meta_content(root, _DATE_META)
    if meta:
        candidates.append(meta)
    for node in _walk(root):
        if node.attrs.get("itemprop", "").lower() == "datepublished":
            candidates.append(node.attrs.get("content") or node.attrs.get("datetime") or "")
        if node.tag == "script" and "ld+json" in node.attrs.get("type", "").lower():
            candidates.extend(_json_ld_dates("".join(c for c in node.children if isinstance(c, str))))
    for scope in (content, root):
        candidates.extend(n.attrs.get("datetime", "") for n in _walk(scope) if n.tag == "time")
    return next((d for d in map(_iso_date, candidates) if d is not None), None)


def _json_ld_dates(data: str) -> list[str]:
    try:
        value = json.loads(data)
    except ValueError:
        return []
    found: list[str] = []

    def visit(item: object) -> None:
        if isinstance(item, dict):
            if isinstance(item.get("datePublished"), str):
                found.append(item["datePublished"])
            for sub in item.values():
                visit(sub)
        elif isinstance(item, list):
            for sub in item:
                visit(sub)

    visit(value)
    return found


# --- fetched pages ----------------------------------------------------------

_AUTHOR_META: Final = ("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author")
_IMAGE_META: Final = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")


@dataclass(frozen=True)
class PageMetadata:
    """What a web page says about its article, apart from the text."""

    url: str | None = None
    date: dt.date | None = None
    author: str | None = None
    image: str | None = None


def read_html(text: str, source: str) -> Article:
    """A fetched web page (already decoded) as an Article, with the checks read_article makes;
    `source` (the URL it was fetched from) names it in errors and is its url when the page
    names no canonical one. Author and lead image come from page_metadata."""
    article = parse_html(text, source)
    meta = page_metadata(text)
    article = Article(
        title=article.title,
        sections=article.sections,
        source=source,
        url=article.url or meta.url or _http_url(source),
        date=article.date or meta.date,
        author=meta.author,
        image=meta.image,
    )
    _check_length(article)
    return article


def page_metadata(text: str) -> PageMetadata:
    """The canonical URL (<link rel=canonical>, og:url), publication date (metas, JSON-LD
    datePublished, <time>), author and lead image (Open Graph and JSON-LD NewsArticle) of a page."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    root = builder.root
    try:
        ld = [
            _json_ld(node) for node in _walk(root) if node.tag == "script" and "ld+json" in node.attrs.get("type", "")
        ]
        author = _json_ld_name(ld, "author") or _meta_content(root, _AUTHOR_META)
        image = _http_url(_meta_content(root, _IMAGE_META) or "") or _json_ld_image(ld)
        return PageMetadata(_html_url(root), _html_date(root, root), _plain_author(author), image)
    except RecursionError:
        return PageMetadata()


def _json_ld(node: _Node) -> object:
    try:
        return json.loads("".join(c for c in node.children if isinstance(c, str)))
    except ValueError:
        return None


def _json_ld_items(values: Iterable[object]) -> Iterator[dict[str, object]]:
    """Every JSON-LD object, the @graph members and nested ones included."""
    for value in values:
        if isinstance(value, dict):
            yield value
            yield from _json_ld_items(value.values())
        elif isinstance(value, list):
            yield from _json_ld_items(value)


def _json_ld_name(ld: list[object], key: str) -> str | None:
    for item in _json_ld_items(ld):
        value = item.get(key)
        for one in value if isinstance(value, list) else [value]:
            name = one.get("name") if isinstance(one, dict) else one
            if isinstance(name, str) and name.strip():
                return name.strip()
    return None


def _json_ld_image(ld: list[object]) -> str | None:
    for item in _json_ld_items(ld):
        value = item.get("image")
        for one in value if isinstance(value, list) else [value]:
            url = one.get("url") if isinstance(one, dict) else one
            if isinstance(url, str) and _http_url(url):
                return url.strip()
    return None


def _plain_author(value: str | None) -> str | None:
    """A name, not a profile link (article:author is often a URL)."""
    value = _squash(value or "")
    return value if value and not _http_url(value) else None
