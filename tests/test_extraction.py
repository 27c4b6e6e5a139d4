"""The HTML reader on the extraction corpus (tests/data/extraction), scored by bench/extraction.py.

docs/extraction.md gives the figures; these tests hold the reader to its bar and
the comparison to what the docs say.
"""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from audio_news.models import Article, Section

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_extraction", ROOT / "bench" / "extraction.py")
assert _spec is not None and _spec.loader is not None
extraction = importlib.util.module_from_spec(_spec)
sys.modules["bench_extraction"] = extraction
_spec.loader.exec_module(extraction)

PAGES = extraction.pages()
CLEAN_BAR = 19  # of 20 pages: every heading and paragraph, no boilerplate (issue 13)


def _documented_total(name: str) -> dict[str, int]:
    """The total row of docs/extraction.md's table for extractor `name`: clean pages, boilerplate strings, paragraphs."""
    lines = (ROOT / "docs" / "extraction.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| page ({name})"))
    total = next(line for line in lines[start:] if line.startswith("| total |"))
    cells = [cell.strip() for cell in total.strip("|").split("|")]
    return {
        "paragraphs": int(cells[3].split("/")[0]),
        "boilerplate": int(re.match(r"\d+", cells[4]).group()),  # type: ignore[union-attr]
        "clean": int(cells[5].split("/")[0]),
    }


def test_corpus_has_twenty_pages_each_with_an_expected_file():
    assert len(PAGES) >= 20
    for page in PAGES:
        expected = extraction.read_expected(page.with_suffix(".tsv"))
        assert expected.paragraphs and expected.boilerplate, page.name
        for text in expected.boilerplate:  # a boilerplate string inside the story could never be scored
            assert not any(text in part for part in (expected.title, *expected.headings, *expected.paragraphs))


def test_our_reader_meets_the_bar_and_the_documented_figures():
    scores = [extraction.run(extraction.ours, page) for page in PAGES]
    print(extraction.table("ours", scores))
    clean = sum(score.clean for score in scores)
    assert clean >= CLEAN_BAR, [s for s in scores if not s.clean]
    assert clean == _documented_total("ours")["clean"]


def test_trafilatura_figures_are_the_documented_ones():
    pytest.importorskip("trafilatura")
    scores = [extraction.run(extraction.trafilatura_extractor, page) for page in PAGES]
    print(extraction.table("trafilatura", scores))
    documented = _documented_total("trafilatura")
    assert abs(sum(s.clean for s in scores) - documented["clean"]) <= 1
    assert abs(sum(len(s.boilerplate_read) for s in scores) - documented["boilerplate"]) <= 3
    assert abs(sum(s.paragraphs for s in scores) - documented["paragraphs"]) <= 3


def test_the_scorer_counts_boilerplate_read_and_paragraphs_missed(tmp_path):
    page = PAGES[0]
    expected = extraction.read_expected(page.with_suffix(".tsv"))
    leaky = Article(
        expected.title,
        (Section(None, (expected.paragraphs[0], expected.boilerplate[0] + " ثم نص آخر")),),
    )
    score = extraction.score(page, leaky, expected)
    assert score.title and score.paragraphs == 1 and score.boilerplate_read == (expected.boilerplate[0],)
    assert not score.clean
    assert extraction.score(page, None, expected, "no text found").paragraphs == 0


def test_a_malformed_expected_line_is_named(tmp_path):
    bad = tmp_path / "x.tsv"
    bad.write_text("title\tعنوان\nparagrafo\tنص\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"x\.tsv:2"):
        extraction.read_expected(bad)
