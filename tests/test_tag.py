"""tag: ID3v2.3 tags and chapters written into a real MP3 and read back with mutagen."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from ffmpegs import sine_mp3 as make_sine_mp3

imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")

from mutagen.id3 import ID3, CTOCFlags, Encoding, PictureType  # noqa: E402
from mutagen.mp3 import MP3  # noqa: E402

from audio_news.errors import TagError  # noqa: E402
from audio_news.models import Chapter  # noqa: E402
from audio_news.tag import EpisodeTags, read_tags, write_tags  # noqa: E402

COVER = Path(__file__).resolve().parents[1] / "audio_news" / "data" / "cover.png"
TITLE = "اجتماعُ وزراءِ الخارجيةِ العربِ في القاهرةِ"
CHAPTERS = (
    Chapter("ch0", "المقدّمة", 0, 1200),
    Chapter("ch1", "ردودُ الفعلِ الدوليةُ", 1200, 2400),
    Chapter("ch2", "ما بعد القمّة", 2400, 3000),
)


@pytest.fixture(scope="module")
def sine_mp3(tmp_path_factory) -> Path:
    """A 3-second sine MP3 made once by ffmpeg (it carries ffmpeg's own TSSE tag)."""
    path = tmp_path_factory.mktemp("audio") / "sine.mp3"
    make_sine_mp3(path, 3)
    return path


@pytest.fixture
def mp3(sine_mp3, tmp_path) -> Path:
    """A fresh copy for each test to edit."""
    return Path(shutil.copy(sine_mp3, tmp_path / ".episode.mp3.tmp"))


def make_tags(**changes) -> EpisodeTags:
    values = dict(
        title=TITLE,
        artist="هيئة التحرير",
        publisher="أخبار مسموعة",
        album="أخبار مسموعة",
        date="2024-05-03",
        comment="اجتمع وزراء الخارجية العرب اليوم.",
        transcript="اجتماعُ وزراءِ الخارجيةِ\n\nاجتمع وزراء الخارجية العرب اليوم.\nردود الفعل.",
        cover=COVER.read_bytes(),
        cover_mime="image/png",
        chapters=CHAPTERS,
    )
    values.update(changes)
    return EpisodeTags(**values)


def test_round_trip_keeps_every_field(mp3):
    tags = make_tags()
    write_tags(mp3, tags)
    back = read_tags(mp3)
    for name in (
        "title",
        "artist",
        "publisher",
        "album",
        "date",
        "comment",
        "transcript",
        "cover",
        "cover_mime",
        "chapters",
        "language",
        "genre",
    ):
        assert getattr(back, name) == getattr(tags, name), name
    assert back.language == "ara" and back.genre == "Podcast"
    assert back.version == (2, 3, 0)
    assert back.toc_children == ("ch0", "ch1", "ch2")
    assert back.toc_flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED


def test_raw_frames_are_v23_utf16(mp3):
    write_tags(mp3, make_tags())
    id3 = ID3(mp3, translate=False)
    assert id3.version == (2, 3, 0)
    assert {"TIT2", "TPE1", "TPUB", "TALB", "TYER", "TDAT", "TLAN", "TCON", "CTOC:toc"} <= set(id3.keys())
    assert "TDRC" not in id3 and "TSSE" not in id3  # v2.4 date gone, ffmpeg's tag replaced
    assert id3["TYER"].text == ["2024"] and id3["TDAT"].text == ["0305"]
    for key in ("TIT2", "TPE1", "TALB", "TLAN"):
        assert id3[key].encoding == Encoding.UTF16, key
    assert id3["TLAN"].text == ["ara"] and id3["TCON"].text == ["Podcast"]

    (comm,) = id3.getall("COMM")
    (uslt,) = id3.getall("USLT")
    assert comm.lang == "ara" and uslt.lang == "ara"
    assert uslt.text == make_tags().transcript

    (apic,) = id3.getall("APIC")
    assert apic.type == PictureType.COVER_FRONT and apic.mime == "image/png"
    assert apic.data == COVER.read_bytes()

    raw = mp3.read_bytes()
    assert TITLE.encode("utf-16-le") in raw  # Arabic stored as UTF-16


def test_chapters_and_table_of_contents(mp3):
    write_tags(mp3, make_tags())
    id3 = ID3(mp3, translate=False)
    (toc,) = id3.getall("CTOC")
    assert toc.element_id == "toc"
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert toc.child_element_ids == ["ch0", "ch1", "ch2"]
    chaps = {c.element_id: c for c in id3.getall("CHAP")}
    assert set(chaps) == {"ch0", "ch1", "ch2"}
    for expected in CHAPTERS:
        chap = chaps[expected.element_id]
        assert (chap.start_time, chap.end_time) == (expected.start_ms, expected.end_ms)
        assert (chap.start_offset, chap.end_offset) == (0xFFFFFFFF, 0xFFFFFFFF)
        assert chap.sub_frames["TIT2"].text == [expected.title]
        assert chap.sub_frames["TIT2"].encoding == Encoding.UTF16


def test_audio_still_plays(mp3):
    write_tags(mp3, make_tags())
    info = MP3(mp3).info
    assert info.length == pytest.approx(3.0, abs=0.2)
    assert info.sample_rate == 22050


def test_decomposed_arabic_is_stored_nfc(mp3):
    # alef + combining hamza above (decomposed) must come back as U+0623
    decomposed = "\u0627\u0654خبار"
    assert unicodedata.normalize("NFC", decomposed) == "أخبار"
    write_tags(mp3, make_tags(title=decomposed, chapters=(Chapter("ch0", decomposed, 0, 3000),)))
    back = read_tags(mp3)
    assert back.title == "أخبار"
    assert back.chapters[0].title == "أخبار"


def test_rewrite_replaces_old_chapters(mp3):
    write_tags(mp3, make_tags())
    write_tags(mp3, make_tags(title="عنوان جديد", chapters=CHAPTERS[:1]))
    back = read_tags(mp3)
    assert back.title == "عنوان جديد"
    assert back.chapters == CHAPTERS[:1]
    assert len(ID3(mp3).getall("CHAP")) == 1


def test_no_chapters_no_toc_and_no_cover(mp3):
    write_tags(mp3, make_tags(chapters=(), cover=b""))
    id3 = ID3(mp3)
    assert not id3.getall("CTOC") and not id3.getall("CHAP") and not id3.getall("APIC")
    assert read_tags(mp3).chapters == ()


def test_year_only_date(mp3):
    write_tags(mp3, make_tags(date="2024"))
    assert read_tags(mp3).date == "2024"


@pytest.mark.parametrize(
    "chapters",
    [
        (Chapter("فصل", "عنوان", 0, 1000),),
        (Chapter("ch0", "a", 0, 1000), Chapter("ch0", "b", 1000, 2000)),
        (Chapter("toc", "a", 0, 1000),),
        (Chapter("", "a", 0, 1000),),
        (Chapter("ch0", "a", 2000, 1000),),
        (Chapter("ch0", "a", -5, 1000),),
    ],
    ids=["arabic-id", "duplicate-id", "toc-id", "empty-id", "end-before-start", "negative"],
)
def test_bad_chapters_raise_tag_error(mp3, chapters):
    before = mp3.read_bytes()
    with pytest.raises(TagError):
        write_tags(mp3, make_tags(chapters=chapters))
    assert mp3.read_bytes() == before  # nothing written


def test_bad_date_raises(mp3):
    with pytest.raises(TagError, match="date"):
        write_tags(mp3, make_tags(date="3 May 2024"))


def test_missing_file_raises_tag_error(tmp_path):
    with pytest.raises(TagError) as info:
        write_tags(tmp_path / "nope.mp3", make_tags())
    assert isinstance(info.value, ValueError)
    assert "nope.mp3" in str(info.value)
    with pytest.raises(TagError):
        read_tags(tmp_path / "nope.mp3")


def test_untagged_file_raises_on_read(tmp_path):
    path = tmp_path / "plain.mp3"
    path.write_bytes(b"\xff\xfb\x90\x00" + bytes(400))
    with pytest.raises(TagError, match="no ID3v2 tag"):
        read_tags(path)


def test_chapter_frames_are_stored_in_time_order(tmp_path):
    """ffmpeg and others list CHAP frames in file order, not by the CTOC."""

    mp3 = tmp_path / "order.mp3"
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    subprocess.run([ffmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=duration=8", "-ac", "1", str(mp3)], check=True)
    titles = ("مقدمة طويلة جدا جدا جدا", "ب", "عنوان متوسط", "ج")  # sizes out of time order
    chapters = tuple(Chapter(f"ch{i}", t, i * 2000, (i + 1) * 2000) for i, t in enumerate(titles))
    write_tags(mp3, EpisodeTags(title="t", artist="a", publisher="p", album="al", date="2024-01-01", chapters=chapters))
    data = mp3.read_bytes()
    positions = [data.index(f"ch{i}".encode() + b"\0") for i in range(4)]
    assert positions == sorted(positions)
    log = subprocess.run([ffmpeg, "-hide_banner", "-i", str(mp3)], capture_output=True, text=True).stderr
    starts = [float(x) for x in re.findall(r"Chapter #0:\d+: start ([\d.]+)", log)]
    assert starts == [0.0, 2.0, 4.0, 6.0]
    assert [c.title for c in read_tags(mp3).chapters] == list(titles)


def test_source_url_is_a_woas_frame_read_back_by_mutagen(mp3):
    url = "https://news.example.org/أخبار/قمة?id=7"
    write_tags(mp3, make_tags(source_url=url))
    (frame,) = ID3(mp3).getall("WOAS")
    assert frame.url == "https://news.example.org/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D9%82%D9%85%D8%A9?id=7"
    assert frame.url.isascii()  # URL frames are Latin-1
    assert read_tags(mp3).source_url == frame.url
    write_tags(mp3, make_tags())  # no URL (a local file): no frame
    assert ID3(mp3).getall("WOAS") == []
