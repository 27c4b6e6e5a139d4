"""The listening audit: worksheets of what the voice reads, and heard errors per 100 words.

    python bench/audit.py worksheet --phase before bench/audit/articles/0[1-8]*
    python bench/audit.py carry --from before --to after   # notes kept where the voice reads the same
    python bench/audit.py report --phase before [--phase after]

`worksheet` runs the script stage (what `audio-news script` prints: the same
text stages as build, then the engine's own text preparation) on each article
and writes bench/audit/worksheets/<phase>/<article>.tsv: one row per spoken
word, with its position (chapter.sentence:word), the transcript word it comes
from, the word as the engine receives it and, for espeak, its phonemes. A
listener reads it as a news anchor would say the text and records every heard
error in bench/audit/annotations/<phase>/<article>.tsv:

    pos<TAB>spoken<TAB>category<TAB>note
    2.3:5	ٱلدِّينِ	tashkeel	الدَّيْن (debt), not الدِّين

pos is a worksheet position (or chapter.sentence for an error that has no one
word, such as a dropped sentence); spoken is the worksheet's word at pos (checked,
so an annotation cannot drift from its worksheet); category is one of numbers,
tashkeel, engine, structure. Each line is one heard error. `report` prints, per
article and in total, errors per 100 transcript words by category, as Markdown.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# AUDIT_CODE: another checkout's code to audit (e.g. an export of main for the "before" phase)
sys.path.insert(0, os.environ.get("AUDIT_CODE", str(ROOT)))

from audio_news import ingest  # noqa: E402
from audio_news.config import load_settings, with_overrides  # noqa: E402
from audio_news.pipeline import Builder, prepare  # noqa: E402
from audio_news.reading import ReadsPhonemes, read_script  # noqa: E402

AUDIT = ROOT / "bench" / "audit"
CATEGORIES = ("numbers", "tashkeel", "engine", "structure")
UNSEEN = ("09-", "10-", "11-", "12-")
# the second unseen set: written after the first round of fixes, run only for the round-2 audit
UNSEEN2 = ("13-", "14-", "15-", "16-")
# the third unseen set (bench/audit/round3/): written after the round-3 number rules, run only for its audit
UNSEEN3 = tuple(f"{n}-" for n in range(17, 27))
# the fourth unseen set (bench/audit/round4/): written after the rules fitted to round 3's patterns
UNSEEN4 = tuple(f"{n}-" for n in range(27, 37))
# the fifth unseen set (bench/audit/round5/): written after the rules fitted to round 4's patterns
UNSEEN5 = tuple(f"{n}-" for n in range(37, 47))


def _group(article: str) -> str:
    """The set an article belongs to: seen (tuned on), unseen, or the second to fifth unseen set."""
    if article.startswith(UNSEEN5):
        return "unseen5"
    if article.startswith(UNSEEN4):
        return "unseen4"
    if article.startswith(UNSEEN3):
        return "unseen3"
    if article.startswith(UNSEEN2):
        return "unseen2"
    return "unseen" if article.startswith(UNSEEN) else "seen"


_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")
_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")


def _key(word: str) -> str:
    """A word as letters only, for aligning the transcript with the spoken words."""
    word = _MARKS.sub("", word).replace("\u0671", "ا")
    for a, b in (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ة", "ه"), ("ى", "ي")):
        word = word.replace(a, b)
    return _PUNCT.sub("", word)


def _align(text_words: list[str], spoken_words: list[str]) -> list[str]:
    """For each spoken word, the transcript word(s) it reads (numbers: the whole number)."""
    out = [""] * len(spoken_words)
    matcher = difflib.SequenceMatcher(None, [_key(w) for w in text_words], [_key(w) for w in spoken_words], False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(j2 - j1):
                out[j1 + k] = text_words[i1 + k]
        elif j2 > j1:
            source = " ".join(text_words[i1:i2])
            for k in range(j1, j2):
                out[k] = source if k == j1 else "…"
    return out


@dataclass(frozen=True)
class Row:
    pos: str
    text: str
    spoken: str
    phonemes: str


def worksheet(article_path: Path, builder: Builder) -> tuple[list[str], list[Row]]:
    """Header lines and one row per spoken word of the article, as the voice reads it."""
    article = ingest.read_article(article_path)
    script = prepare(article, builder.settings, builder.profile, builder.diacritizer)
    engine = builder.engine
    reading = read_script(script, engine, voice=builder.profile.name, max_chars=builder.profile.max_chars)
    rows: list[Row] = []
    header: list[str] = []
    text_count = spoken_count = 0
    before = [s.spoken for s in script.sentences]
    for c, chapter in enumerate(reading.chapters, 1):
        for n, sentence in enumerate(chapter.sentences, 1):
            index = sum(len(ch.sentences) for ch in reading.chapters[: c - 1]) + n - 1
            text_words = sentence.text.split()
            spoken = sentence.spoken.split(" ")
            # the engine keeps the word count; align on its input, before its own spelling changes
            plain = before[index].split()
            aligned = _align(text_words, plain if len(plain) == len(spoken) else spoken)
            ipa = (sentence.phonemes or "").split()
            if len(ipa) != len(spoken) and isinstance(engine, ReadsPhonemes):
                ipa = ["~" + engine.phonemes(w) for w in spoken]  # read alone: the counts differ
            text_count += len(text_words)
            spoken_count += len(spoken)
            header.append(f"## {c}.{n} [{sentence.kind}] {sentence.text}")
            for w, word in enumerate(spoken, 1):
                rows.append(Row(f"{c}.{n}:{w}", aligned[w - 1], word, ipa[w - 1] if w - 1 < len(ipa) else ""))
    code = Path(os.environ.get("AUDIT_CODE", ROOT))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=code, capture_output=True, text=True)
    meta = [
        f"# article: {article_path.name}",
        f"# commit: {os.environ.get('AUDIT_COMMIT') or commit.stdout.strip()}  voice: {builder.profile.name}  rate: {builder.profile.settings.get('rate')}",
        f"# words: transcript {text_count}  spoken {spoken_count}",
    ]
    return meta + header, rows


def write_worksheet(article_path: Path, builder: Builder, phase: str) -> Path:
    header, rows = worksheet(article_path, builder)
    dest = AUDIT / "worksheets" / phase / f"{article_path.name}.tsv"
    dest.parent.mkdir(parents=True, exist_ok=True)
    lines = [line for line in header if not line.startswith("## ")]
    current = ""
    sentences = {line.split(" ", 2)[1]: line for line in header if line.startswith("## ")}
    lines.append("pos\ttext\tspoken\tphonemes")
    for row in rows:
        sentence = row.pos.split(":")[0]
        if sentence != current:
            lines.append(sentences[sentence])
            current = sentence
        lines.append(f"{row.pos}\t{row.text}\t{row.spoken}\t{row.phonemes}")
    tmp = dest.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(dest)
    return dest


def read_worksheet(path: Path) -> tuple[int, dict[str, str]]:
    """(transcript words, pos → spoken word) of a worksheet; sentence positions map to ''."""
    words = 0
    spoken: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# words:"):
            words = int(line.split()[3])
        elif line.startswith("## "):
            spoken[line.split(" ", 2)[1]] = ""
        elif line and not line.startswith(("#", "pos\t")):
            pos, _text, word, _ipa = line.split("\t")
            spoken[pos] = word
    return words, spoken


def read_annotations(path: Path, spoken: dict[str, str]) -> Counter[str]:
    """Heard errors by category (and "glide": engine notes on a doubled ي/و read as a hiatus).

    A line that does not match its worksheet stops the report with its file and line.
    """
    counts: Counter[str] = Counter()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            raise SystemExit(f"{path}:{number}: want pos, spoken, category, note (tab-separated)")
        pos, word, category = fields[:3]
        if pos not in spoken:
            raise SystemExit(f"{path}:{number}: no position {pos} in the worksheet")
        if spoken[pos] and word != spoken[pos]:
            raise SystemExit(f"{path}:{number}: worksheet has {spoken[pos]!r} at {pos}, not {word!r}")
        if category not in CATEGORIES:
            raise SystemExit(f"{path}:{number}: category {category!r} is not one of {', '.join(CATEGORIES)}")
        counts[category] += 1
        if category == "engine" and len(fields) > 3 and fields[3].startswith("glide"):
            counts["glide"] += 1
    return counts


def report(phase: str) -> str:
    """A Markdown table of heard errors per 100 transcript words, per article and in total."""
    sheets = sorted((AUDIT / "worksheets" / phase).glob("*.tsv"))
    if not sheets:
        raise SystemExit(f"no worksheets for phase {phase!r}: run `bench/audit.py worksheet --phase {phase}` first")
    head = "| article | words | " + " | ".join(CATEGORIES) + " | all |"
    lines = [f"Phase **{phase}**: heard errors per 100 words (count in brackets)", "", head]
    lines.append("|" + " --- |" * (len(CATEGORIES) + 3))
    groups: dict[str, tuple[int, Counter[str]]] = {}

    def row(name: str, words: int, counts: Counter[str]) -> str:
        cells = [f"{100 * counts[c] / words:.1f} ({counts[c]})" for c in CATEGORIES]
        total = sum(counts[c] for c in CATEGORIES)
        return f"| {name} | {words} | " + " | ".join(cells) + f" | **{100 * total / words:.1f}** ({total}) |"

    for sheet in sheets:
        article = sheet.name.removesuffix(".tsv")
        words, spoken = read_worksheet(sheet)
        notes = AUDIT / "annotations" / phase / f"{article}.tsv"
        if not notes.is_file():
            lines.append(f"| {article} | {words} | not annotated yet |")
            continue
        counts = read_annotations(notes, spoken)
        lines.append(row(article, words, counts))
        kind = _group(article)
        for group in ("all", kind, "first twelve" if kind in ("seen", "unseen") else ""):
            if not group:
                continue
            w, c = groups.get(group, (0, Counter()))
            groups[group] = (w + words, c + counts)
    sets = [g for g in ("seen", "unseen", "unseen2", "unseen3", "unseen4", "unseen5") if g in groups]
    for group in ("seen", "unseen", "first twelve", "unseen2", "unseen3", "unseen4", "unseen5", "all"):
        # a subtotal only where it differs from the total
        if group in groups and (group == "all" or (len(sets) > 1 and groups[group][0] != groups["all"][0])):
            lines.append(row(f"**{group}**", *groups[group]))
    if "all" in groups:
        words, counts = groups["all"]
        lines += [
            "",
            f"Of the engine errors, {counts['glide']} ({100 * counts['glide'] / words:.1f} per 100 words) are a doubled"
            " ي/و read as a hiatus; without them, all errors are"
            f" {100 * (sum(counts[c] for c in CATEGORIES) - counts['glide']) / words:.1f} per 100 words.",
        ]
    return "\n".join(lines)


def _sentences(path: Path) -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    """Sentence position → (its header line, [(pos, spoken, phonemes), ...]) of a worksheet."""
    out: dict[str, tuple[str, list[tuple[str, str, str]]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            out[line.split(" ", 2)[1]] = (line, [])
        elif line and not line.startswith(("#", "pos\t")):
            pos, _text, word, ipa = line.split("\t")
            out[pos.split(":")[0]][1].append((pos, word, ipa))
    return out


def carry(source: str, target: str) -> str:
    """Start the notes of phase `target` from those of `source`, where the voice reads the same.

    For each article, sentences are matched by their transcript text and words by
    their spoken form (difflib): a note on a word read exactly as before is carried
    to its new position; everything else is listed for a listener to read again
    (the whole sentence, changed words marked). Existing target notes are kept.
    """
    listing: list[str] = []
    for sheet in sorted((AUDIT / "worksheets" / target).glob("*.tsv")):
        old_sheet = AUDIT / "worksheets" / source / sheet.name
        old_notes = AUDIT / "annotations" / source / sheet.name
        notes = AUDIT / "annotations" / target / sheet.name
        if not old_sheet.is_file() or not old_notes.is_file() or notes.exists():
            listing.append(f"# {sheet.name}: read in full (no {source} notes to carry, or {target} notes exist)")
            continue
        old, new = _sentences(old_sheet), _sentences(sheet)
        by_text = {header.split(" ", 3)[3]: key for key, (header, _) in old.items()}
        moved: dict[str, str] = {}  # old word position → new position, for words read the same
        for key, (header, words) in new.items():
            old_key = by_text.get(header.split(" ", 3)[3])
            old_words = old[old_key][1] if old_key else []
            matcher = difflib.SequenceMatcher(None, [w[1] for w in old_words], [w[1] for w in words], False)
            same = set()
            for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
                if tag == "equal":
                    for k in range(i2 - i1):
                        moved[old_words[i1 + k][0]] = words[j1 + k][0]
                        same.add(j1 + k)
            if old_key:
                moved[old_key] = key
            dropped = [w[1] for w in old_words if w[0] not in moved]
            if len(same) < len(words) or dropped:
                # a dropped word (5G read once, not twice) can leave its note on a twin that stayed: read it again
                marked = " ".join(w[1] if i in same else f"[{w[1]}]" for i, w in enumerate(words))
                gone = f"\n    dropped: {' '.join(dropped)}" if dropped else ""
                listing.append(f"{sheet.name} {header}\n    {marked}{gone}")
        kept = [f"# carried from {source} by bench/audit.py carry; the [marked] words were read again"]
        for line in old_notes.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if line.startswith("#") or len(fields) < 3 or fields[0] not in moved:
                continue
            pos = moved[fields[0]]
            word = next((w[1] for w in new[pos.split(":")[0]][1] if w[0] == pos), "")
            kept.append("\t".join([pos, word, *fields[2:]]))
        notes.parent.mkdir(parents=True, exist_ok=True)
        notes.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return "\n".join(listing)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("worksheet", help="write the worksheets of a phase")
    make.add_argument("articles", nargs="+", type=Path)
    make.add_argument("--phase", required=True)
    make.add_argument("--voice")
    make.add_argument("--rate", type=int)
    make.add_argument("--config", type=Path)
    move = sub.add_parser("carry", help="start a phase's notes from another's, where the voice reads the same")
    move.add_argument("--from", dest="source", required=True)
    move.add_argument("--to", dest="target", required=True)
    show = sub.add_parser("report", help="heard errors per 100 words")
    show.add_argument("--phase", required=True, action="append")
    args = parser.parse_args(argv)
    if args.command == "worksheet":
        settings = with_overrides(load_settings(args.config), voice=args.voice)
        builder = Builder(settings, ROOT / "output", **({"rate": args.rate} if args.rate else {}))
        for path in args.articles:
            print(write_worksheet(path, builder, args.phase).relative_to(ROOT))
    elif args.command == "carry":
        print(carry(args.source, args.target))
    else:
        print("\n\n".join(report(phase) for phase in args.phase))


if __name__ == "__main__":
    main()
