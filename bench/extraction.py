"""How well an HTML extractor finds the article on pages shaped like the Arabic news sites.

    python bench/extraction.py [--extractor ours|trafilatura|both] [--pages GLOB]

Every page tests/data/extraction/NN-name.html has an expected file NN-name.tsv
(kind, TAB, text; kinds: title, heading, paragraph, boilerplate; # comments).
A page is scored on four counts:

- title: the Article's title is the expected one;
- headings: expected headings that are section headings (chapters), exactly;
- paragraphs: expected paragraphs found inside one read paragraph (a paragraph
  merged into the next still reaches the listener; boilerplate merged into it is
  caught below);
- boilerplate: expected boilerplate strings that are read aloud anywhere (title,
  headings or paragraphs).

A page is clean when the title is right, every heading and paragraph is found and
no boilerplate is read. "ours" is audio_news.ingest.read_article; "trafilatura"
is trafilatura's main-content extraction (XML output: its title, <head> and <p>
elements) laid out as a bare page and read by the same parse_html, so the Arabic
rules (datelines, credits, read-more tails) run after it as they do after ours.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audio_news import ingest  # noqa: E402
from audio_news.errors import AudioNewsError  # noqa: E402
from audio_news.models import Article  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "extraction"
KINDS = ("title", "heading", "paragraph", "boilerplate")

Extractor = Callable[[Path], Article]


@dataclass(frozen=True)
class Expected:
    """What a page must give: its title, chapter headings, paragraphs, and the strings never to read."""

    title: str
    headings: tuple[str, ...]
    paragraphs: tuple[str, ...]
    boilerplate: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    """One extractor on one page."""

    page: str
    title: bool
    headings: int
    headings_expected: int
    paragraphs: int
    paragraphs_expected: int
    boilerplate_read: tuple[str, ...]
    error: str = ""

    @property
    def clean(self) -> bool:
        return (
            self.title
            and self.headings == self.headings_expected
            and self.paragraphs == self.paragraphs_expected
            and not self.boilerplate_read
        )


def _squash(text: str) -> str:
    return " ".join(text.split())


def read_expected(path: Path) -> Expected:
    """Parse an expected-output TSV; a malformed line raises ValueError naming it."""
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, sep, text = line.partition("\t")
        if not sep or kind not in found or not text.strip():
            raise ValueError(f"{path}:{number}: expected 'kind<TAB>text' with kind one of {', '.join(KINDS)}")
        found[kind].append(_squash(text))
    if len(found["title"]) != 1:
        raise ValueError(f"{path}: needs exactly one title line")
    return Expected(found["title"][0], *(tuple(found[k]) for k in KINDS[1:]))


def pages(pattern: str = "*.html") -> list[Path]:
    return sorted(CORPUS.glob(pattern))


def score(page: Path, article: Article | None, expected: Expected, error: str = "") -> Score:
    if article is None:
        return Score(
            page.stem, False, 0, len(expected.headings), 0, len(expected.paragraphs), expected.boilerplate, error
        )
    headings = [_squash(s.heading) for s in article.sections if s.heading]
    paragraphs = [_squash(p) for s in article.sections for p in s.paragraphs]
    read = [_squash(article.title), *headings, *paragraphs]
    return Score(
        page=page.stem,
        title=_squash(article.title) == expected.title,
        headings=sum(h in headings for h in expected.headings),
        headings_expected=len(expected.headings),
        paragraphs=sum(any(p in q for q in paragraphs) for p in expected.paragraphs),
        paragraphs_expected=len(expected.paragraphs),
        boilerplate_read=tuple(b for b in expected.boilerplate if any(b in text for text in read)),
    )


def run(extractor: Extractor, page: Path) -> Score:
    expected = read_expected(page.with_suffix(".tsv"))
    try:
        article = extractor(page)
    except AudioNewsError as exc:
        return score(page, None, expected, str(exc))
    return score(page, article, expected)


def ours(page: Path) -> Article:
    return ingest.read_article(page)


def trafilatura_extractor(page: Path) -> Article:
    """trafilatura's main content, as a bare h1/h2/p page read by parse_html (the Arabic rules after it)."""
    import trafilatura

    text = ingest.read_text(page)
    xml = trafilatura.extract(text, output_format="xml", with_metadata=True, include_comments=False)
    if not xml:
        return ingest.parse_html("", str(page))
    doc = ET.fromstring(xml)
    parts = [f"<h1>{escape(doc.get('title') or '')}</h1>"]
    for node in doc.iter():
        if node.tag in ("head", "p", "item", "quote"):
            body = _squash("".join(node.itertext()))
            if body and not (node.tag == "p" and any(child.tag == "p" for child in node)):
                parts.append(f"<h2>{escape(body)}</h2>" if node.tag == "head" else f"<p>{escape(body)}</p>")
    with tempfile.TemporaryDirectory() as folder:
        bare = Path(folder) / page.name
        bare.write_text("<html><body><article>" + "\n".join(parts) + "</article></body></html>", encoding="utf-8")
        article = ingest.read_article(bare)
    return Article(article.title, article.sections, str(page), article.url, article.date)


EXTRACTORS: dict[str, Extractor] = {"ours": ours, "trafilatura": trafilatura_extractor}


def table(name: str, scores: list[Score]) -> str:
    """A Markdown table of the scores, one row per page and a total row."""
    rows = [
        f"| page ({name}) | title | headings | paragraphs | boilerplate read | clean |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for s in scores:
        leaked = "; ".join(b[:30] for b in s.boilerplate_read) or "0"
        note = f" ({s.error})" if s.error else ""
        rows.append(
            f"| {s.page} | {'yes' if s.title else 'no'} | {s.headings}/{s.headings_expected} "
            f"| {s.paragraphs}/{s.paragraphs_expected} | {leaked}{note} | {'yes' if s.clean else 'no'} |"
        )
    rows.append(
        f"| total | {sum(s.title for s in scores)}/{len(scores)} "
        f"| {sum(s.headings for s in scores)}/{sum(s.headings_expected for s in scores)} "
        f"| {sum(s.paragraphs for s in scores)}/{sum(s.paragraphs_expected for s in scores)} "
        f"| {sum(len(s.boilerplate_read) for s in scores)} strings "
        f"| {sum(s.clean for s in scores)}/{len(scores)} |"
    )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extractor", choices=[*EXTRACTORS, "both"], default="both")
    parser.add_argument("--pages", default="*.html", help="glob under tests/data/extraction")
    args = parser.parse_args()
    names = list(EXTRACTORS) if args.extractor == "both" else [args.extractor]
    for name in names:
        print(table(name, [run(EXTRACTORS[name], page) for page in pages(args.pages)]))
        print()


if __name__ == "__main__":
    main()
