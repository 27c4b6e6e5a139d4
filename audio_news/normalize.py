"""Turn an Article into the Script the voice reads: clean text, sentences, parts.

The second stage of the pipeline (after ingest, before diacritize). `clean`
removes what a reader never sees (tatweel, bidi and zero-width controls) and
makes punctuation uniform so sentence splitting and the speech engine's pauses
behave the same for every source; it never touches Arabic letters or marks.
`build_script` groups sentences into chapters: an intro (title, source, date,
lead) and one part per headed section. Numbers become words through
`numbers.verbalize`, kept in `Sentence.spoken` while `Sentence.text` stays
as written for the transcript; `speakable` drops URLs and e-mail addresses
from the spoken form first, so the verbalizer never reads their digits.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final
from urllib.parse import urlsplit

from . import numbers
from .arabic import DIGIT_CLASS, INVISIBLE_CLASS, LETTER_CLASS, MARK_CLASS, PRESENTATION_CLASS, SENTENCE_ENDS, TATWEEL
from .config import TextSettings
from .models import Article, Block, BlockKind, Part, Script, Sentence

_ARABIC_RE: Final = re.compile(f"[{LETTER_CLASS}{MARK_CLASS}]")

# Invisible characters: bidi controls, zero-width characters, BOM, soft hyphen.
_INVISIBLE_RE: Final = re.compile(f"[{INVISIBLE_CLASS}]")
# Tatweel stretches letters and goes, except (1) after a lone prefix before a digit or
# a Latin letter, where it is how the source joins them (الـ5، بـ14، لـ3، الـlivestream),
# and (2) after a lone letter where it marks an abbreviation (هـ for the Hijri year),
# which the verbalizer needs to see. One tatweel is kept in both cases.
_PREFIX: Final = "[وف]?(?:[بكل]?ال|لل|[بكل])|[وف]"
_PREFIX_TATWEEL_RE: Final = re.compile(
    f"(?<![{LETTER_CLASS}{MARK_CLASS}{TATWEEL}])({_PREFIX}){TATWEEL}(?=[{DIGIT_CLASS}A-Za-z])"
)
_TATWEEL_RE: Final = re.compile(
    f"(?<![{LETTER_CLASS}{MARK_CLASS}{TATWEEL}])({_PREFIX}){TATWEEL}+(?=[{DIGIT_CLASS}A-Za-z])"
    f"|(?<![{LETTER_CLASS}{MARK_CLASS}{TATWEEL}])([{LETTER_CLASS}]){TATWEEL}+(?![{TATWEEL}{LETTER_CLASS}{MARK_CLASS}])|{TATWEEL}+"
)
_SPACES_RE: Final = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\v\f]+")
_DOUBLE_QUOTES: Final = '"“”„‟〝〞＂'
_OPENERS: Final = "([{«—-–"
_CLOSERS: Final = ".,،؛;:!?؟…)]}»"

_SENTENCE_END_RE: Final = re.compile(f"[{re.escape(SENTENCE_ENDS)}]+" r"[»”\"'’)\]]*(?=\s|$)")
_LATIN_ABBREVIATIONS: Final = frozenset("mr mrs ms dr prof st vs jr sr no inc ltd co".split())
_LONG_QUOTE: Final = 300
"""Characters from « to »: a longer quotation may be split into sentences."""
_ERA_MARKS: Final = frozenset(("م", "هـ", "ه"))
_URL_RE: Final = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s«»<>\"]+"
    r"|\b[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/[^\s«»<>\"]*",
    re.IGNORECASE,
)
_EMAIL_RE: Final = re.compile(r"\b(?:mailto:)?[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_URL_TRAILERS: Final = ".,;:!?)]}'’،؛؟…"
_AMPERSAND_RE: Final = re.compile(r"(?<=\S)\s+&\s+(?=(\S))")
# Presentation forms (from PDFs): folded to the letters they show by NFKC, ﻻ → لا.
_PRESENTATION_RE: Final = re.compile(f"[{PRESENTATION_CLASS}]+")
# A Markdown escape: backslashes before punctuation (5\%، \*).
_ESCAPE_RE: Final = re.compile(r"\\+(?=[!-/:-@\[-`{-~،؛؟«»…])")
_NBSP_ENTITY_RE: Final = re.compile(r"&(?:nbsp|#160|#[xX][aA]0);")
_SUPERSCRIPTS: Final = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# A list marker at the start of a sentence: a bullet, or a number (1- 1. 1) (1) ١-).
_BULLET_RE: Final = re.compile(r"^[*•\-–—▪◦·●■]\s+")
_LIST_NUMBER_RE: Final = re.compile(
    f"^(?:\\(([{DIGIT_CLASS}]{{1,2}})\\)|([{DIGIT_CLASS}]{{1,2}})[-.)–])\\s*(?=[^\\s{DIGIT_CLASS}])"
)
_ORDINAL_ADVERBS: Final = ("أولا", "ثانيا", "ثالثا", "رابعا", "خامسا", "سادسا", "سابعا", "ثامنا", "تاسعا", "عاشرا")
# Words after "/" that make a rate the verbalizer reads (كم/ساعة), so the slash stays.
_RATE_WORDS: Final = frozenset("ساعة الساعة سا س دقيقة الدقيقة د ثانية الثانية ث".split())
_SLASH_RE: Final = re.compile(f"(?<=[{LETTER_CLASS}{MARK_CLASS}])\\s*/\\s*(?=([{LETTER_CLASS}]+))")
_PLUS_RE: Final = re.compile(f"(?<=[{LETTER_CLASS}{MARK_CLASS}])\\s*\\+\\s*(?=[{LETTER_CLASS}])")
_HASHTAG_RE: Final = re.compile(f"(?<![A-Za-z0-9_&])#([\\w{MARK_CLASS}]+)")  # و#غزة, not C#
_MENTION_RE: Final = re.compile(r"(?<!\w)@[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*|@")
# A footnote marker: [1], [^1], [^note] (not a bracketed word).
_FOOTNOTE_RE: Final = re.compile(f"\\[(?:\\^[^\\]\\s]+|[{DIGIT_CLASS}]+)\\]")
# ² ³ after a unit (a word of at most three letters: كم² م³ km²) read مربع / مكعب.
_POWER_RE: Final = re.compile(f"(?<![{LETTER_CLASS}{MARK_CLASS}A-Za-z])((?:[{LETTER_CLASS}]|[A-Za-z]){{1,3}})([²³])")
_SUPERSCRIPT_RE: Final = re.compile(f"[{_SUPERSCRIPTS}]+")
# A unit of length after a number with the power written as a plain digit (150 م2، 30 ألف م3، 12 كم2):
# news types ² and ³ as 2 and 3, read مربع / مكعب the same.
_DIGIT_POWER_RE: Final = re.compile(
    r"(\d(?:\s+(?:ألف|آلاف|مليون|ملايين|مليار|مليارات))?\s*)(كم|كلم|سم|مم|م|km|cm|mm|m)([23])(?![\w])"
)
# A lone و before a number, apart from it (و 112): joined so the verbalizer reads the prefix.
_LONE_WAW_RE: Final = re.compile(f"(?<![^\\s«(\\[])و\\s+(?=[{DIGIT_CLASS}])")
_LONG_SENTENCE: Final = 300
"""Characters in a sentence beyond which it is split at a ، or ؛ (the transcript cue's length)."""
_NUMBER_RE: Final = re.compile(r"\d+(?:[.,٫٬/-]\d+)*")  # \d: every decimal digit, the Arabic ones too
_ABBREVIATION_RE: Final = re.compile(
    f"(?:[{LETTER_CLASS}]{TATWEEL}?|[A-Za-z])(?:\\.(?:[{LETTER_CLASS}]{TATWEEL}?|[A-Za-z]))*"
)


# --- text cleanup ---------------------------------------------------------


def clean(text: str) -> str:
    """Normalize Unicode, punctuation and spacing; Arabic letters and marks stay as they are.

    NFC; Arabic presentation forms (ﻻ، ﺍﻟﺤﻜﻮﻣﺔ from PDFs) folded to the letters
    they show (NFKC on those code points only); no Markdown escapes (5\\% → 5%);
    no bidi or zero-width controls; no-break spaces (and &nbsp;) as spaces; no tatweel, but for one after a lone
    prefix before a digit or Latin word (الـ5، بـ14، الـlivestream: the source's
    spelling) or after a lone letter (هـ); quotes as « »; "..." as …; Latin , ; ?
    inside Arabic text as ، ؛ ؟; no doubled punctuation; one space between
    words. Line breaks are kept (blank lines collapse to one).
    """
    text = _INVISIBLE_RE.sub("", text)
    text = _PRESENTATION_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _ESCAPE_RE.sub("", text)
    text = _NBSP_ENTITY_RE.sub(" ", text)
    text = _TATWEEL_RE.sub(_tatweel, text)
    text = unicodedata.normalize("NFC", text)  # after the removals, which may bring marks together
    text = _SPACES_RE.sub(" ", text)
    text = _ellipses(text)
    text = _quotes(text)
    text = re.sub(r"([،؛؟!,;?:])(?:\s*\1)+", r"\1", text)
    text = _arabic_punctuation(text)
    text = re.sub(r"([،؛؟])(?:\s*\1)+", r"\1", text)
    text = _spacing(text)
    return text


def _tatweel(match: re.Match[str]) -> str:
    kept = match.group(1) or match.group(2)
    return kept + TATWEEL if kept else ""


def _ellipses(text: str) -> str:
    def dots(match: re.Match[str]) -> str:
        run = match.group()
        between_digits = (
            match.start() > 0
            and text[match.start() - 1].isdigit()
            and match.end() < len(text)
            and text[match.end()].isdigit()
        )
        return run if len(run.replace(" ", "")) == 2 and between_digits else "…"

    text = re.sub(r"\.(?: ?\.)+", dots, text)
    return re.sub(r"…[….]*", "…", text)


def _quotes(text: str) -> str:
    """Every double quote becomes « or », chosen by the spaces around it."""
    out: list[str] = []
    is_open = False
    for i, ch in enumerate(text):
        if ch not in _DOUBLE_QUOTES:
            if ch in "«»":
                is_open = ch == "«"
            out.append(ch)
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        space_before = before.isspace() or before in _OPENERS
        space_after = after.isspace() or after in _CLOSERS
        if space_before and not space_after:
            is_open = True
        elif space_after and not space_before:
            is_open = False
        else:
            is_open = not is_open
        out.append("«" if is_open else "»")
    return "".join(out)


def _arabic_punctuation(text: str) -> str:
    """Latin , ; ? that sit in Arabic text become ، ؛ ؟ (not 1,000 or a URL's ?)."""
    arabic = {",": "،", ";": "؛", "?": "؟"}

    def swap(match: re.Match[str]) -> str:
        i = match.start()
        before = re.sub(r"[\s»)\]\"”']+$", "", text[:i])
        after = text[i + 1 :].lstrip()
        if not before:
            return match.group()
        if match.group() == "," and i + 1 < len(text) and text[i - 1].isdigit() and text[i + 1].isdigit():
            return match.group()
        if _ARABIC_RE.match(before[-1]) or (before[-1].isdigit() and after and _ARABIC_RE.match(after[0])):
            return arabic[match.group()]
        return match.group()

    return re.sub(r"[,;?]", swap, text)


def _spacing(text: str) -> str:
    lines = []
    for line in text.splitlines():
        line = _SPACES_RE.sub(" ", line).strip()
        line = re.sub(r"«\s+", "«", line)
        line = re.sub(r"\s+»", "»", line)
        line = re.sub(r"\s+([،؛؟!])", r"\1", line)
        line = re.sub(f"([،؛])(?=[{LETTER_CLASS}«])", r"\1 ", line)
        lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- sentences ------------------------------------------------------------


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph at . ! ? ؟ … (with any closing quotes after them).

    ، and ؛ do not end a sentence; nor does a dot inside a number, date or URL,
    after a one-letter abbreviation (د. م. أ.د.) or initial, or after a list number.
    A «…» quotation is not split unless it is longer than 300 characters, so a
    sentence (and its transcript cue) does not open a quote it does not close.
    Each sentence keeps its final punctuation. A sentence longer than 300
    characters is split further after a ، or ؛ (see `_split_long`), so that no
    transcript cue runs on for a whole paragraph.
    """
    sentences: list[str] = []
    start = 0
    quotes = _quote_spans(paragraph)
    for match in _SENTENCE_END_RE.finditer(paragraph):
        if _is_abbreviation_dot(paragraph, match) or _inside_short_quote(quotes, match):
            continue
        _add_sentence(sentences, paragraph[start : match.end()])
        start = match.end()
    _add_sentence(sentences, paragraph[start:])
    return [piece for sentence in sentences for piece in _split_long(sentence)]


def _split_long(sentence: str) -> list[str]:
    """A sentence over 300 characters, split after the ، or ؛ nearest its middle, again and again.

    Not inside a «…» quotation of 300 characters or less; a sentence with no such
    clause end stays whole.
    """
    if len(sentence) <= _LONG_SENTENCE:
        return [sentence]
    quotes = _quote_spans(sentence)
    cuts = [
        m.end()
        for m in re.finditer(r"[،؛](?= )", sentence)
        if not any(start < m.start() and end > m.start() and end - start <= _LONG_QUOTE for start, end in quotes)
        and any(ch.isalnum() for ch in sentence[m.end() :])
    ]
    if not cuts:
        return [sentence]
    cut = min(cuts, key=lambda i: abs(i - len(sentence) / 2))
    return _split_long(sentence[:cut]) + _split_long(sentence[cut:].lstrip())


def _add_sentence(sentences: list[str], piece: str) -> None:
    piece = " ".join(piece.split())
    if not piece:
        return
    if sentences and not any(ch.isalnum() for ch in piece):
        sentences[-1] += " " + piece
    else:
        sentences.append(piece)


def _quote_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start of «, index of its ») for every quotation; an unclosed one runs to the end."""
    spans: list[tuple[int, int]] = []
    opened: list[int] = []
    for i, ch in enumerate(paragraph):
        if ch == "«":
            opened.append(i)
        elif ch == "»" and opened:
            spans.append((opened.pop(), i))
    return spans + [(i, len(paragraph)) for i in opened]


def _inside_short_quote(quotes: list[tuple[int, int]], match: re.Match[str]) -> bool:
    """A sentence end with its quotation still open after it, in a quotation of ≤ 300 characters."""
    return any(start < match.start() and end >= match.end() and end - start <= _LONG_QUOTE for start, end in quotes)


def _is_abbreviation_dot(paragraph: str, match: re.Match[str]) -> bool:
    """A lone "." that ends an abbreviation or a leading list number, not a sentence."""
    if match.group() != ".":
        return False
    words = paragraph[: match.start()].split()
    if not words:
        return False
    word = words[-1].lstrip('«("“[')
    if len(words) == 1 and _NUMBER_RE.fullmatch(word):
        return True
    if word.lower() in _LATIN_ABBREVIATIONS:
        return True
    if not _ABBREVIATION_RE.fullmatch(word):
        return False
    after_number = len(words) > 1 and _NUMBER_RE.fullmatch(words[-2]) is not None
    return not (word in _ERA_MARKS and after_number)


# --- the script -----------------------------------------------------------


def build_script(article: Article, settings: TextSettings = TextSettings()) -> Script:
    """Make the Script: an intro part (title, source and date, lead) and a part per section."""
    intro: list[Block] = []
    for kind, text in ((BlockKind.TITLE, article.title), (BlockKind.META, _meta_text(article))):
        if block := _block(kind, text, settings):
            intro.append(block)
    parts: list[tuple[str, list[Block]]] = [(article.title, intro)]
    for section in article.sections:
        paragraphs = [b for p in section.paragraphs if (b := _block(BlockKind.PARAGRAPH, p, settings))]
        if not paragraphs:
            continue
        heading = _block(BlockKind.HEADING, section.heading or "", settings)
        if heading is None:
            parts[-1][1].extend(paragraphs)  # the lead, or a section that lost its heading
        else:
            parts.append((section.heading or "", [heading, *paragraphs]))
    return Script(
        article=article,
        parts=tuple(Part(title=title, blocks=tuple(blocks)) for title, blocks in parts if blocks),
    )


def _block(kind: BlockKind, text: str, settings: TextSettings) -> Block | None:
    sentences = tuple(
        Sentence(text=s, spoken=spoken_form(s, settings, marks=True))
        for line in clean(text).splitlines()
        for s in split_sentences(line)
    )
    return Block(kind, sentences) if sentences else None


def spoken_form(sentence: str, settings: TextSettings = TextSettings(), marks: bool = False) -> str:
    """What the voice reads for a cleaned sentence: links dropped, numbers in words.

    `marks`: number words fully vowelled, case endings included (the Script's spoken form,
    which the diacritizer keeps); without, bare words as an editor reads them."""
    if marks:
        return numbers.verbalize(speakable(sentence), settings, marks=True)
    return numbers.verbalize(speakable(sentence), settings)


_QA_LABEL_RE = re.compile(r"^\s*([سج])\s*[:\-]")
_QA_WORDS = {"س": "سؤال", "ج": "جواب"}


def speakable(sentence: str) -> str:
    """A cleaned sentence as it is read, before numbers become words.

    URLs (with a scheme, "www." or a path) and e-mail addresses are dropped: read
    out they are noise, and the transcript keeps them. A bare domain stays
    ("المصدر: example.com."). «&» between words is read «و». The tatweel that
    clean keeps after a prefix goes (الـ5 → ال5), so the verbalizer sees the
    prefix joined to the number. The result may be empty (a sentence that is
    only a link).

    What the speech engine would read out in English goes too: a slash between
    Arabic words is a space (مايو/أيار → مايو أيار; not in a rate, كم/ساعة, nor
    between digits), «+» between them is «و» (الجزيرة + وكالات → الجزيرة ووكالات);
    a hashtag is its words (#قمة_البحرين → قمة البحرين), an @mention or a lone @
    goes; Markdown escapes (\\*) and footnote markers ([1]، [^note]، تحسن¹) go;
    ² and ³ after a unit are مربع and مكعب (كم² → كم مربع), and so are 2 and 3 typed after a
    unit of length that follows a number (150 م2، 12 كم2). A list marker at the
    start of the sentence goes (* - •), a list number of 1 to 10 is read as an
    ordinal adverb (1- ، 1. ، (1) → أولا،). A lone «و» before a number is joined
    to it (و 112 → و112), so the verbalizer reads the prefix. The interview
    labels «س:» and «ج:» are read as the words سؤال and جواب.
    """
    text = _QA_LABEL_RE.sub(lambda m: _QA_WORDS[m.group(1)] + ":", _list_marker(_ESCAPE_RE.sub("", sentence)))
    text = _EMAIL_RE.sub(_keep_trailing_punctuation, text)
    text = _URL_RE.sub(_keep_trailing_punctuation, text)
    text = _AMPERSAND_RE.sub(lambda m: " و" if _ARABIC_RE.match(m.group(1)) or m.group(1).isdigit() else " و ", text)
    text = _PREFIX_TATWEEL_RE.sub(r"\1", text)
    text = _symbols(text)
    if text == sentence:
        return text
    text = re.sub(r"[(\[]\s*[)\]]", "", text)  # brackets that held only a link
    text = re.sub(r"\s+([.,،؛:;!?؟…)\]»])", r"\1", text)
    text = re.sub(r"([(\[«])\s+", r"\1", text)
    text = re.sub(r"^[\s.,،؛:;]+", "", text)
    return " ".join(text.split())


def _list_marker(sentence: str) -> str:
    """A sentence without its leading bullet; a list number 1–10 read as أولا، … عاشرا،."""
    if bullet := _BULLET_RE.match(sentence):
        return sentence[bullet.end() :]
    if not (number := _LIST_NUMBER_RE.match(sentence)):
        return sentence
    n = int(number.group(1) or number.group(2))
    rest = sentence[number.end() :]
    return f"{_ORDINAL_ADVERBS[n - 1]}، {rest}" if 1 <= n <= len(_ORDINAL_ADVERBS) else rest


def _symbols(text: str) -> str:
    """Slash, plus, hashtag, mention, footnote and superscript as they are read in Arabic."""
    text = _SLASH_RE.sub(lambda m: m.group() if m.group(1) in _RATE_WORDS else " ", text)
    text = _PLUS_RE.sub(" و", text)
    text = _HASHTAG_RE.sub(lambda m: m.group(1).replace("_", " ").strip(), text)
    text = _MENTION_RE.sub("", text)
    text = _FOOTNOTE_RE.sub("", text)
    text = _POWER_RE.sub(lambda m: m.group(1) + (" مربع" if m.group(2) == "²" else " مكعب"), text)
    text = _DIGIT_POWER_RE.sub(lambda m: m.group(1) + m.group(2) + (" مربع" if m.group(3) == "2" else " مكعب"), text)
    text = _SUPERSCRIPT_RE.sub("", text)
    return _LONE_WAW_RE.sub("و", text)


def _keep_trailing_punctuation(match: re.Match[str]) -> str:
    """What a removed URL leaves: the sentence punctuation that followed it."""
    link = match.group()
    return link[len(link.rstrip(_URL_TRAILERS)) :]


def _meta_text(article: Article) -> str:
    """The spoken source and date: "المصدر: example.com. بتاريخ 2024-08-20." (domain only)."""
    pieces = []
    domain = source_domain(article.url) if article.url else ""
    if domain:
        pieces.append(f"المصدر: {domain}.")
    if article.date:
        pieces.append(f"بتاريخ {article.date.isoformat()}.")
    return " ".join(pieces)


def source_domain(url: str) -> str:
    """The host of a URL without "www.", as read in the intro ("" when there is none)."""
    host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    return host[4:] if host.startswith("www.") else host
