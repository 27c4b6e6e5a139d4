"""Read an article file (plain text, Markdown or HTML) into an Article.

The first stage of the pipeline. It decides what belongs to the article (title,
lead, headed sections) and what is page furniture (menus, ads, share buttons,
the trailing "اقرأ المزيد" block), and it refuses anything that is not an Arabic
article with one InputError naming the file. Text is kept as written apart from
whitespace; rewriting for speech is normalize's job.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

from .errors import InputError
from .models import Article, Section

ARABIC_LETTERS: Final = (
    "\u0620-\u063F\u0641-\u064A\u066E\u066F\u0671-\u06D3\u06D5\u06EE\u06EF"
    "\u06FA-\u06FC\u06FF\u0750-\u077F\u08A0-\u08C9\uFB50-\uFDFB\uFE70-\uFEFC"
)
_ARABIC_RE: Final = re.compile(f"[{ARABIC_LETTERS}]")

# Lines that open the trailing "read more / share" block: the article ends there.
_READ_MORE_MARKERS: Final = (
    "اقرأ المزيد", "اقرأ أيضا", "اقرأ كذلك", "اقرأ المزيد من الأخبار", "شارك", "شارك المقال",
    "شارك الخبر", "شارك هذا المقال", "شارك عبر", "شارك على", "مقالات ذات صلة", "أخبار ذات صلة",
    "مواضيع ذات صلة", "موضوعات ذات صلة", "قد يهمك أيضا", "المزيد من الأخبار",
)
# "اقرأ أيضا: <headline>" inside the body is a link to another article: drop that line only.
_RELATED_LINK_RE: Final = re.compile(r"^اقرا (ايضا|المزيد|كذلك) \S")
_FOLD_DROP_RE: Final = re.compile(r"[\u064B-\u065F\u0670\u0640\u200B-\u200F\u202A-\u202E\u2066-\u2069\u061C\uFEFF]")
_FOLD_PUNCT_RE: Final = re.compile(r"[\s:.…،,؛;!?؟\-–—|«»\"“”()\[\]>]+")

_TEXT_HEADING_MAX_WORDS: Final = 10
_TEXT_HEADING_MAX_CHARS: Final = 80
_NOT_HEADING_ENDINGS: Final = ".!?؟…:;؛،,»\"”'’"

_CONTROL_BYTES: Final = frozenset(range(0, 32)) - {9, 10, 12, 13} | {127}
_BINARY_CONTROL_SHARE: Final = 0.10

_Block = tuple[bool, str]
"""(is_heading, text): what every parser reduces a document to before sectioning."""


# --- files ----------------------------------------------------------------

def read_article(path: Path) -> Article:
    """Read an article file; the format comes from the extension, else from the content.

    Raises InputError (with the path) when the file is missing, a directory, empty,
    binary, not UTF-8, has no Arabic letters, or has a title but no paragraphs.
    """
    path = Path(path)
    text = _read_text(path)
    return _parser_for(path, text)(text, str(path))


def _read_text(path: Path) -> str:
    if not path.exists():
        raise InputError("file not found", path)
    if path.is_dir():
        raise InputError("is a directory, not an article file", path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path) from exc
    if not data.strip():
        raise InputError("file is empty", path)
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
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the article as UTF-8",
            path,
        ) from None
    if not text.strip():
        raise InputError("file is empty", path)
    return text


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
    text = _FOLD_DROP_RE.sub("", text)
    text = re.sub("[أإآٱ]", "ا", text).replace("ى", "ي")
    return " ".join(_FOLD_PUNCT_RE.sub(" ", text).split())


_READ_MORE: Final = frozenset(_fold(marker) for marker in _READ_MORE_MARKERS)


def is_read_more(line: str) -> bool:
    """True for a line that opens the trailing "read more / share" block."""
    return _fold(line) in _READ_MORE


def _is_related_link(line: str) -> bool:
    return _RELATED_LINK_RE.match(_fold(line)) is not None


def _squash(text: str) -> str:
    return " ".join(text.split())


def _sections(blocks: Iterable[_Block]) -> list[Section]:
    """Group headings and paragraphs into sections, stopping at the read-more block."""
    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[str] = []
    for is_heading, text in blocks:
        if is_read_more(text):
            break
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


def _article(title: str, blocks: Iterable[_Block], source: str,
             url: str | None = None, date: dt.date | None = None) -> Article:
    """Check what a parser found and make the Article (every parser ends here)."""
    title = _squash(title)
    sections = tuple(_sections((is_heading, _squash(text)) for is_heading, text in blocks if text.strip()))
    body = " ".join(p for s in sections for p in s.paragraphs)
    if not title and not body:
        raise InputError("no text found", source)
    if not has_arabic(title + " " + body):
        raise InputError("no Arabic text found; audio-news reads Arabic articles", source)
    if not title:
        raise InputError("no title found", source)
    if not body:
        raise InputError("the article has a title but no paragraphs", source)
    return Article(title=title, sections=sections, source=source, url=url, date=date)


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

    A short line without final punctuation that is followed by a paragraph is a
    section heading. Bare URL or ISO-date lines right after the title are read as
    the article's url and date. Raises InputError when there is no Arabic text,
    no title or no paragraph.
    """
    lines = [_squash(line) for line in text.splitlines()]
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
    return _article(title, _text_blocks(body), source, url, date)


def _is_bare_url(line: str) -> bool:
    return re.fullmatch(r"https?://\S+", line, re.IGNORECASE) is not None


def _iso_date_line(line: str) -> bool:
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", line) is not None and _iso_date(line) is not None


def _text_blocks(lines: list[str]) -> Iterator[_Block]:
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else None
        yield (
            following is not None
            and looks_like_heading(line)
            and not looks_like_heading(following)
            and not is_read_more(following),
            line,
        )


def looks_like_heading(line: str) -> bool:
    """A plain-text line that may be a section heading: short, with a letter, unpunctuated at the end."""
    line = line.strip()
    return (
        bool(line)
        and len(line.split()) <= _TEXT_HEADING_MAX_WORDS
        and len(line) <= _TEXT_HEADING_MAX_CHARS
        and line[-1] not in _NOT_HEADING_ENDINGS
        and any(ch.isalpha() for ch in line)
        and not is_read_more(line)
    )


# --- Markdown -------------------------------------------------------------

_MD_HEADING_RE: Final = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_MD_FENCE_RE: Final = re.compile(r"^(`{3,}|~{3,})")
_MD_RULE_RE: Final = re.compile(r"^([-*_])(?:\s*\1){2,}$")
_MD_ITEM_RE: Final = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
_MD_REFDEF_RE: Final = re.compile(r"^\[[^\]]+\]:\s*\S+")
_MD_TABLE_RULE_RE: Final = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def parse_markdown(text: str, source: str = "") -> Article:
    """Markdown: `# ` title, `## `/`### ` sections, blank-line paragraphs, list items.

    Inline markup is stripped (link text kept, images dropped). Optional front
    matter between `---` lines may give `url:`, `date:` (ISO) and `title:`.
    Raises InputError as parse_text does, and for a bad front-matter url or date.
    """
    meta, lines = _front_matter(text, source)
    blocks = _markdown_blocks(re.sub(r"<!--.*?-->", "", "\n".join(lines), flags=re.DOTALL).splitlines())
    blocks = [(level, _md_inline(content)) for level, content in blocks]
    blocks = [(level, content) for level, content in blocks if content]
    title_at = next((i for i, (level, _) in enumerate(blocks) if level == 1), None)
    if title_at is not None:
        title, rest = blocks[title_at][1], blocks[title_at + 1:]
    elif meta.get("title"):
        title, rest = meta["title"], blocks
    elif blocks:
        title, rest = blocks[0][1], blocks[1:]
    else:
        title, rest = "", []
    return _article(title, ((level > 0, content) for level, content in rest), source,
                    meta.get("url"), meta.get("date"))


def _front_matter(text: str, source: str) -> tuple[dict, list[str]]:
    """Split off `---` front matter; returns ({url, date, title}, remaining lines)."""
    lines = text.splitlines()
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
    meta: dict = {}
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
    return meta, lines[end + 1:]


def _markdown_blocks(lines: list[str]) -> list[tuple[int, str]]:
    """Markdown lines → (heading level or 0 for a paragraph, raw inline text)."""
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
        if not line or _MD_REFDEF_RE.match(line) or _MD_TABLE_RULE_RE.match(line) and "|" in line:
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
        elif match := _MD_ITEM_RE.match(line):
            flush()
            paragraph.append(match.group(1))
        else:
            paragraph.append(line.strip("|").replace(" | ", "، ") if line.startswith("|") else line)
    flush()
    return blocks


def _md_inline(text: str) -> str:
    """Strip inline Markdown: emphasis, code, links (keep their text), images, tags."""
    escaped: list[str] = []

    def stash(match: re.Match) -> str:
        escaped.append(match.group(1))
        return chr(0xE000 + len(escaped) - 1)

    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!>~|])", stash, text)
    text = re.sub(r"`+\s?(.*?)\s?`+", r"\1", text)
    text = re.sub(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])", "", text)
    text = re.sub(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])", r"\1", text)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = re.sub(r"</?[A-Za-z][^>]*>", "", text)
    text = re.sub(r"(\*\*|__)(\S(?:.*?\S)?)\1", r"\2", text)
    text = re.sub(r"~~(\S(?:.*?\S)?)~~", r"\1", text)
    text = re.sub(r"\*(\S(?:.*?\S)?)\*", r"\1", text)
    text = re.sub(r"(?<![\w])_(\S(?:.*?\S)?)_(?![\w])", r"\1", text)
    text = re.sub("[\uE000-\uF8FF]", lambda m: escaped[ord(m.group()) - 0xE000]
                  if ord(m.group()) - 0xE000 < len(escaped) else m.group(), text)
    return _squash(text)


# --- HTML -----------------------------------------------------------------

_VOID_TAGS: Final = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split())
_CLOSES_P: Final = frozenset(
    "address article aside blockquote details div dl fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr main menu nav ol p pre section table ul li".split())
_DROP_TAGS: Final = frozenset(
    "nav header footer aside script style noscript form figure figcaption iframe svg button "
    "template select textarea object embed video audio canvas dialog menu head title".split())
_DROP_WORDS: Final = frozenset(
    "ad ads adv advert adverts advertisement advertising sponsor sponsored promo promoted "
    "related share sharing social newsletter subscribe subscription comment comments "
    "breadcrumb breadcrumbs sidebar navbar menu cookie cookies popup modal outbrain taboola "
    "byline tags recommended recommendations trending".split())
_DROP_ROLES: Final = frozenset("navigation banner contentinfo complementary search dialog".split())
_HEADING_TAGS: Final = frozenset("h2 h3 h4 h5 h6".split())
_BLOCK_TAGS: Final = frozenset("p ul ol div section blockquote table h1 h2 h3 h4 h5 h6".split())
_DATE_META: Final = frozenset(
    "article:published_time og:published_time datepublished date pubdate publishdate publish-date "
    "publish_date dc.date dc.date.issued dcterms.date dcterms.created dcterms.issued sailthru.date "
    "parsely-pub-date article.published".split())
_TITLE_SEPARATORS_RE: Final = re.compile(r"\s+[|\-–—:]\s+")


@dataclass(eq=False)
class _Node:
    """An element of the parse tree; lives only while one page is parsed."""

    tag: str
    attrs: dict[str, str]
    children: list[_Node | str] = field(default_factory=list)


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
    """A saved news page: the <article> (or <main>) without menus, ads and share blocks.

    Title from the article's h1 (else og:title, else <title>), sections from
    h2–h6, paragraphs from p and li; url from the canonical link or og:url;
    date from article:published_time, datePublished, date metas or <time>.
    Raises InputError as parse_text does, and for absurdly deep nesting.
    """
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    root = builder.root
    try:
        content = _content_root(root)
        title = _html_title(content, root)
        blocks = [(is_heading, block) for is_heading, block in _html_blocks(content) if block != title]
        url, date = _html_url(root), _html_date(root, content)
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
    """Menus, ads, share and related blocks, scripts: never article text."""
    if node.tag in _DROP_TAGS:
        return True
    attrs = node.attrs
    if "hidden" in attrs or attrs.get("aria-hidden", "").lower() == "true":
        return True
    if re.search(r"display\s*:\s*none", attrs.get("style", ""), re.IGNORECASE):
        return True
    if attrs.get("role", "").lower() in _DROP_ROLES:
        return True
    words = re.split(r"[\s_\-]+", (attrs.get("class", "") + " " + attrs.get("id", "")).lower())
    return any(word in _DROP_WORDS for word in words)


def _is_outside_content(node: _Node) -> bool:
    """Furniture, but a header is kept: the article's h1 and <time> often sit in one."""
    return node.tag != "header" and _is_furniture(node)


def _node_text(node: _Node) -> str:
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
    return _squash("".join(parts))


def _paragraph_weight(node: _Node) -> int:
    return sum(len(_node_text(p)) for p in _walk(node, _is_furniture) if p.tag == "p")


def _content_root(root: _Node) -> _Node:
    """The element holding the article: the weightiest <article>, else <main>, else <body>."""
    articles = [n for n in _walk(root, _is_furniture) if n.tag == "article"]
    if articles:
        return max(articles, key=_paragraph_weight)
    for pick in (lambda n: n.tag == "main" or n.attrs.get("role") == "main", lambda n: n.tag == "body"):
        found = next((n for n in _walk(root, _is_furniture) if pick(n)), None)
        if found is not None:
            return found
    return root


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


def _html_blocks(node: _Node) -> Iterator[_Block]:
    for child in node.children:
        if not isinstance(child, _Node) or _is_furniture(child):
            continue
        if child.tag in _HEADING_TAGS or child.tag == "h1":
            yield True, _node_text(child)
        elif child.tag == "p":
            yield False, _node_text(child)
        elif child.tag in ("li", "blockquote") and not any(
                isinstance(c, _Node) and c.tag in _BLOCK_TAGS for c in child.children):
            yield False, _node_text(child)
        else:
            yield from _html_blocks(child)


def _meta_content(root: _Node, names: Iterable[str]) -> str | None:
    wanted = set(names)
    for node in _walk(root):
        if node.tag == "meta":
            key = (node.attrs.get("property") or node.attrs.get("name") or node.attrs.get("itemprop") or "")
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
