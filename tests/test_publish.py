"""publish: names, atomic files, transcripts, the episode store and the feed, all read back."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import struct
import unicodedata
import uuid
from dataclasses import replace
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from feed_clients import check_clients
from ffmpegs import sine_mp3
from lxml import etree

from audio_news.config import PodcastSettings
from audio_news.errors import PublishError
from audio_news.models import Article, Chapter, Cue, Episode, Rendering, Section, Word
from audio_news.publish import (
    PSC_NS,
    EpisodeStore,
    atomic_write,
    audio_version,
    bundled_cover,
    commit_file,
    cover_bytes,
    ensure_cover,
    episode_guid,
    episode_identity,
    local_only,
    podcast_guid,
    remove_episode_files,
    render_text,
    render_vtt,
    slugify,
    temp_path_for,
    transcript_text,
    write_feed,
    write_transcripts,
)

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
}
BASE = "https://news.example.org/podcast/"
NASTY_TITLE = "قمة <عربية> & \"طارئة\" 'اليوم'"
CHAPTERS = (
    Chapter("ch0", "المقدمة", 0, 2500),
    Chapter("ch1", "ردود الفعل", 2500, 6000),
)
CUES = (
    Cue(0, 1400, NASTY_TITLE),
    Cue(1400, 2500, "اجتمع القادةُ العربُ في القاهرة."),
    Cue(2500, 3300, "ردود الفعل"),
    Cue(3300, 4800, "رحّبت عواصمُ عدّة بالبيان."),
    Cue(4800, 6000, "وقال مسؤول إن النتائج --> مشجعة."),
)
RENDERING = Rendering(duration_ms=6000, chapters=CHAPTERS, cues=CUES)


def rendering(cues, chapters=()) -> Rendering:
    return Rendering(duration_ms=max((c.end_ms for c in cues), default=0), chapters=chapters, cues=cues)


# --- slugs and guids ----------------------------------------------------------

SLUG_OK = re.compile(r"^[a-z0-9\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff-]+$")


@pytest.mark.parametrize(
    "title",
    [
        "../../etc/passwd",
        "..",
        ".hidden",
        'a/b\\c:d*e?f"g<h>i|j',
        "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652",
        "ـــــ",
        "x" * 500,
        "ب" * 500,
        "خبر " * 200,
        "😀🎉🚀",
        "عاجل 🔥 الأسواق",
        "",
        "   ",
        "\x00\x01\n\t",
        "CON",
        "ﻻ ﷲ",
    ],
    ids=[
        "traversal",
        "dotdot",
        "leading-dot",
        "separators",
        "only-diacritics",
        "only-tatweel",
        "500-latin",
        "500-arabic",
        "long-words",
        "emoji",
        "emoji-in-arabic",
        "empty",
        "spaces",
        "controls",
        "windows-reserved",
        "presentation-forms",
    ],
)
@pytest.mark.parametrize("guid", [None, "6f1c2c1e-1111-5222-8333-444455556666"], ids=["plain", "guid"])
def test_slugify_is_always_a_safe_name(title, guid):
    slug = slugify(title, guid=guid)
    assert slug and SLUG_OK.match(slug), slug
    assert "/" not in slug and "\\" not in slug and ".." not in slug and not slug.startswith((".", "-"))
    assert len(slug) <= 60 and len(slug.encode("utf-8")) <= 120
    assert slug.lower() not in {"con", "nul", "prn", "aux"}
    assert unicodedata.normalize("NFC", slug) == slug


def test_slugify_keeps_arabic_letters_and_drops_diacritics():
    assert slugify("الخَبَرُ العاجِلُ") == "الخبر-العاجل"
    assert slugify("اجتماع في ٢٠٢٤/٥/٣") == "اجتماع-في-2024-5-3"
    assert slugify("Café Déjà-Vu") == "cafe-deja-vu"
    assert slugify("أإآؤئة") == "أإآؤئة"  # hamza forms are letters, kept
    assert slugify("\u0627\u0654خبار") == "أخبار"  # decomposed input composed
    assert slugify("ـــ", guid="x").startswith("episode-")


def test_slugify_bounds_length_on_a_word():
    slug = slugify("كلمة " * 50, max_len=30)
    assert len(slug) <= 30 and not slug.endswith("-")
    assert all(part == "كلمة" for part in slug.split("-"))


def test_slug_suffix_is_stable_and_separates_lookalikes():
    a, b = episode_guid("x", "https://a.example/1"), episode_guid("x", "https://a.example/2")
    assert slugify("الخَبَرُ", guid=a) == slugify("الخَبَرُ", guid=a)
    assert slugify("الخَبَرُ", guid=a) != slugify("الخبر", guid=b)  # titles slug alike
    assert slugify("الخبر", guid=a).startswith("الخبر-")


def test_episode_guid_is_stable():
    url = "https://news.example.org/2024/05/summit"
    assert episode_guid("عنوان", url) == episode_guid("عنوان آخر", url) == episode_guid("", f" {url}#top ")
    assert episode_guid("عنوان", url) != episode_guid("عنوان", url + "-2")
    assert episode_guid("عنوان  الخبر", None) == episode_guid(" عنوان الخبر\n", None)
    assert episode_guid("\u0627\u0654خبار", None) == episode_guid("أخبار", None)
    assert episode_guid("عنوان", None) != episode_guid("عنوان ٢", None)
    assert str(uuid.UUID(episode_guid("عنوان", None))) == episode_guid("عنوان", None)


def test_podcast_guid_matches_the_spec_examples():
    # the two examples given in the Podcasting 2.0 guid tag documentation
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


# --- atomic files -------------------------------------------------------------


def test_atomic_write_creates_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "deep" / "dir" / "f.txt"
    atomic_write(target, "نص عربي")
    assert target.read_bytes() == "نص عربي".encode()
    atomic_write(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert [p.name for p in target.parent.iterdir()] == ["f.txt"]


def test_temp_path_is_hidden_beside_the_target(tmp_path):
    target = tmp_path / "episodes" / "خبر.mp3"
    temp = temp_path_for(target)
    assert temp.parent == target.parent and temp.name.startswith(".") and temp != target
    temp.parent.mkdir()
    temp.write_bytes(b"mp3")
    commit_file(temp, target)
    assert target.read_bytes() == b"mp3" and not temp.exists()


def test_unwritable_folder_raises_publish_error(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    folder = blocker / "sub"
    with pytest.raises(PublishError) as info:
        atomic_write(folder / "feed.xml", "x")
    assert isinstance(info.value, OSError)
    assert str(folder) in str(info.value)
    with pytest.raises(PublishError, match="sub"):
        write_transcripts(folder, "s", RENDERING, "t")
    with pytest.raises(PublishError, match="sub"):
        write_feed(folder, PodcastSettings(base_url=BASE), [], "cover.png")
    with pytest.raises(PublishError, match="sub"):
        EpisodeStore(folder).save([])


# --- transcripts --------------------------------------------------------------


def parse_vtt(text: str) -> list[tuple[int, int, str]]:
    """A small WebVTT reader: header check, then blank-line separated cues."""
    blocks = text.replace("\r\n", "\n").strip("\n").split("\n\n")
    assert blocks[0].split("\n")[0] == "WEBVTT" or blocks[0].startswith("WEBVTT ")
    stamp = r"(\d{2,}):(\d{2}):(\d{2})\.(\d{3})"
    cues = []
    for block in blocks[1:]:
        lines = block.split("\n")
        if "-->" not in lines[0]:
            lines = lines[1:]  # optional identifier
        m = re.fullmatch(stamp + r" --> " + stamp + r"(?: .*)?", lines[0])
        assert m, lines[0]
        h1, m1, s1, f1, h2, m2, s2, f2 = map(int, m.groups())
        start = ((h1 * 60 + m1) * 60 + s1) * 1000 + f1
        end = ((h2 * 60 + m2) * 60 + s2) * 1000 + f2
        assert end > start and m1 < 60 and s1 < 60
        assert lines[1:] and all(line and "-->" not in line for line in lines[1:])
        body = "\n".join(lines[1:])
        body = body.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        cues.append((start, end, body))
    return cues


@pytest.fixture
def sidecars(tmp_path):
    names = write_transcripts(tmp_path, "قمة-1a2b3c4d", RENDERING, NASTY_TITLE)
    return tmp_path, names


def test_sidecar_names(sidecars):
    out, names = sidecars
    assert names == ("episodes/قمة-1a2b3c4d.vtt", "episodes/قمة-1a2b3c4d.txt", "episodes/قمة-1a2b3c4d.chapters.json")
    assert all((out / n).is_file() for n in names)
    assert sorted(p.name for p in (out / "episodes").iterdir()) == sorted(Path(n).name for n in names)


def test_vtt_has_one_cue_per_sentence_at_real_times(sidecars):
    out, (vtt, _, _) = sidecars
    text = (out / vtt).read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\n")
    assert "00:00:03.300 --> 00:00:04.800" in text
    assert parse_vtt(text) == [(c.start_ms, c.end_ms, c.text) for c in CUES]
    assert "-->" not in text.split("\n")[-2]  # the '-->' in a sentence is escaped


def test_vtt_long_times_and_degenerate_cue(tmp_path):
    cues = (Cue(3_725_004, 3_725_004, "جملة"), Cue(0, 10, "   "))
    vtt, _, _ = write_transcripts(tmp_path, "s", rendering(cues), "t")
    text = (tmp_path / vtt).read_text(encoding="utf-8")
    assert "01:02:05.004 --> 01:02:05.005" in text
    assert parse_vtt(text) == [(3_725_004, 3_725_005, "جملة")]  # empty cue skipped


def test_text_transcript(sidecars):
    out, (_, txt, _) = sidecars
    text = (out / txt).read_text(encoding="utf-8")
    assert text == transcript_text(NASTY_TITLE, RENDERING)  # the same text goes into USLT
    assert text == (
        f"{NASTY_TITLE}\n\n"
        "اجتمع القادةُ العربُ في القاهرة.\n\n"
        "ردود الفعل\nرحّبت عواصمُ عدّة بالبيان.\nوقال مسؤول إن النتائج --> مشجعة.\n"
    )


def test_text_transcript_adds_unspoken_headings(tmp_path):
    cues = (Cue(0, 1000, "العنوان"), Cue(1000, 2000, "جملة أولى."), Cue(2000, 3000, "جملة ثانية."))
    chapters = (Chapter("ch0", "المقدمة", 0, 2000), Chapter("ch1", "التفاصيل", 2000, 3000))
    _, txt, _ = write_transcripts(tmp_path, "s", rendering(cues, chapters), "العنوان")
    assert (tmp_path / txt).read_text(encoding="utf-8") == "العنوان\n\nجملة أولى.\n\nالتفاصيل\nجملة ثانية.\n"


def test_text_transcript_title_once_when_spoken_cleaned(tmp_path):
    """The spoken title is cleaned (« » quotes) and split in two sentences: still printed once."""
    cues = (
        Cue(0, 900, "«الذكاء الاصطناعي» أداة جديدة.."),
        Cue(900, 1500, "ما السبب؟"),
        Cue(1500, 3000, "جملة أولى."),
        Cue(3000, 3500, "التفاصيل:"),
        Cue(3500, 4000, "جملة ثانية."),
    )
    chapters = (
        Chapter("ch0", '"الذكاء الاصطناعي" أداة جديدة.. ما السبب؟', 0, 3000),
        Chapter("ch1", "التفاصيل", 3000, 4000),
    )
    text = render_text('"الذكاء الاصطناعي" أداة جديدة.. ما السبب؟', cues, chapters)
    assert text == ('"الذكاء الاصطناعي" أداة جديدة.. ما السبب؟\n\nجملة أولى.\n\nالتفاصيل:\nجملة ثانية.\n')


def test_chapters_json_follows_podcasting20(sidecars):
    out, (_, _, chapters_name) = sidecars
    raw = (out / chapters_name).read_text(encoding="utf-8")
    assert "\\u" not in raw and "المقدمة" in raw  # UTF-8, no escapes
    doc = json.loads(raw)
    assert doc["version"] == "1.2.0"
    assert doc["title"] == NASTY_TITLE
    assert isinstance(doc["chapters"], list) and len(doc["chapters"]) == 2
    for item, chapter in zip(doc["chapters"], CHAPTERS):
        assert set(item) == {"startTime", "endTime", "title"}
        assert isinstance(item["startTime"], float) and isinstance(item["endTime"], float)
        assert item["startTime"] == chapter.start_ms / 1000 and item["endTime"] == chapter.end_ms / 1000
        assert item["title"] == chapter.title
    starts = [c["startTime"] for c in doc["chapters"]]
    assert starts == sorted(starts)


def test_sidecars_are_nfc(tmp_path):
    decomposed = "\u0627\u0654خبار"
    names = write_transcripts(
        tmp_path, "s", rendering((Cue(0, 900, decomposed),), (Chapter("ch0", decomposed, 0, 900),)), decomposed
    )
    for name in names:
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "أخبار" in text and "\u0654" not in text, name


# --- the episode store --------------------------------------------------------


def make_episode(
    n: int,
    *,
    guid: str | None = None,
    title: str | None = None,
    slug: str | None = None,
    day: int | None = None,
    size: int = 1000,
    duration_ms: int = 5499,
) -> Episode:
    title = title or f"الخبر رقم {n}"
    guid = guid or episode_guid(title, f"https://news.example.org/{n}")
    slug = slug or slugify(title, guid=guid)
    return Episode(
        guid=guid,
        slug=slug,
        title=title,
        description=f"مقدمة الخبر {n} & <تفاصيل>",
        pub_date=dt.datetime(2024, 5, day or n, 8, 30, tzinfo=dt.UTC),
        duration_ms=duration_ms,
        size=size,
        audio=f"episodes/{slug}.mp3",
        transcript_vtt=f"episodes/{slug}.vtt",
        transcript_txt=f"episodes/{slug}.txt",
        chapters_json=f"episodes/{slug}.chapters.json",
        chapters=CHAPTERS,
        source_url=f"https://news.example.org/{n}",
        article_date=dt.date(2024, 5, day or n),
        voice="espeak-ar",
    )


def test_store_missing_is_empty(tmp_path):
    assert EpisodeStore(tmp_path).load() == ()
    assert EpisodeStore(tmp_path).get("nope") is None


def test_store_put_replaces_same_guid_and_keeps_others(tmp_path):
    store = EpisodeStore(tmp_path)
    one, two = make_episode(1), make_episode(2)
    assert store.put(one) == ((one,), None)
    assert store.put(two) == ((two, one), None)  # newest first
    rebuilt = make_episode(1, title="الخبر رقم 1 (محدث)", guid=one.guid)
    assert store.get(one.guid) == one
    episodes, replaced = store.put(rebuilt)
    assert episodes == (two, rebuilt) and replaced == one
    assert store.load() == (two, rebuilt)
    assert [e.guid for e in store.load()].count(one.guid) == 1


def test_store_round_trips_and_keeps_arabic_readable(tmp_path):
    store = EpisodeStore(tmp_path)
    episode = make_episode(3)
    store.save([episode])
    assert store.load() == (episode,)
    raw = (tmp_path / "episodes.json").read_text(encoding="utf-8")
    assert "الخبر رقم 3" in raw and "\\u" not in raw
    assert [p.name for p in tmp_path.iterdir()] == ["episodes.json"]


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"a": 1}', '[{"guid": "x"}]', "[1, 2]", '[{"pub_date": "yesterday"}]', "\udcff"],
    ids=["syntax", "not-a-list", "missing-keys", "not-objects", "bad-date", "undecodable"],
)
def test_corrupt_store_raises_publish_error_naming_the_file(tmp_path, content):
    path = tmp_path / "episodes.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(PublishError) as info:
        EpisodeStore(tmp_path).load()
    assert str(path) in str(info.value)
    with pytest.raises(PublishError):
        EpisodeStore(tmp_path).put(make_episode(1))
    assert path.read_bytes() == content.encode("utf-8", "surrogateescape")  # left alone


def test_remove_episode_files_deletes_only_the_old_files(tmp_path):
    old = make_episode(1)
    new = make_episode(1, guid=old.guid, slug="renamed-slug")
    keep_too = make_episode(2)
    for episode in (old, new, keep_too):
        for name in (episode.audio, episode.transcript_vtt, episode.transcript_txt, episode.chapters_json):
            atomic_write(tmp_path / name, "x")
    removed = remove_episode_files(tmp_path, old, keep=new)
    assert sorted(p.name for p in removed) == sorted(
        Path(n).name for n in (old.audio, old.transcript_vtt, old.transcript_txt, old.chapters_json)
    )
    assert all((tmp_path / n).exists() for n in (new.audio, new.chapters_json, keep_too.audio))
    assert remove_episode_files(tmp_path, None) == ()
    assert remove_episode_files(tmp_path, new, keep=new) == ()  # same names: nothing to delete
    assert len(remove_episode_files(tmp_path, keep_too)) == 4
    assert not (tmp_path / keep_too.audio).exists()
    assert remove_episode_files(tmp_path, keep_too) == ()  # already gone: skipped


def test_remove_episode_files_stays_inside_the_episodes_folder(tmp_path):
    outside = tmp_path / "feed.xml"
    outside.write_text("keep")
    old = make_episode(1)
    evil = Episode(
        **{
            **old.to_dict(),
            "pub_date": old.pub_date,
            "article_date": old.article_date,
            "chapters": (),
            "audio": "feed.xml",
            "transcript_vtt": "../x.vtt",
        }
    )
    assert remove_episode_files(tmp_path, evil) == ()
    assert outside.read_text() == "keep"


# --- cover --------------------------------------------------------------------


def test_bundled_cover_is_a_small_square_1400_png():
    data = bundled_cover()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (width, height, depth, colour) == (1400, 1400, 8, 2)  # 8-bit RGB
    assert len(data) < 100_000


def test_ensure_cover(tmp_path):
    assert ensure_cover(tmp_path / "out", "") == "cover.png"
    assert (tmp_path / "out" / "cover.png").read_bytes() == bundled_cover()
    jpg = tmp_path / "art.JPEG"
    jpg.write_bytes(b"\xff\xd8\xff\xe0fake jpeg")
    assert ensure_cover(tmp_path / "out", str(jpg)) == "cover.jpg"
    assert (tmp_path / "out" / "cover.jpg").read_bytes() == jpg.read_bytes()
    assert cover_bytes(str(jpg)) == (jpg.read_bytes(), "image/jpeg")
    assert (
        ensure_cover(tmp_path / "out", "https://cdn.example.org/art.png?v=2") == "https://cdn.example.org/art.png?v=2"
    )
    assert cover_bytes("https://cdn.example.org/art.png") == (bundled_cover(), "image/png")
    with pytest.raises(PublishError, match="missing.png"):
        ensure_cover(tmp_path / "out", str(tmp_path / "missing.png"))
    with pytest.raises(PublishError, match="png or .jpg"):
        ensure_cover(tmp_path / "out", str(tmp_path / "art.gif"))


def test_cover_type_comes_from_its_bytes(tmp_path):
    """A JPEG saved as .png is embedded and published as a JPEG; text named .png is refused."""
    misnamed = tmp_path / "art.png"
    misnamed.write_bytes(b"\xff\xd8\xff\xe0a jpeg")
    assert cover_bytes(str(misnamed))[1] == "image/jpeg"
    assert ensure_cover(tmp_path / "out", str(misnamed)) == "cover.jpg"
    misnamed.write_text("not an image")
    with pytest.raises(PublishError, match="not a PNG or JPEG"):
        cover_bytes(str(misnamed))


# --- the feed -----------------------------------------------------------------


@pytest.fixture(scope="module")
def real_mp3(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("audio") / "sine.mp3"
    sine_mp3(path, 2, frequency=330, rate=44100)
    return path.read_bytes()


def publish(out: Path, podcast: PodcastSettings, episodes, mp3: bytes) -> etree._Element:
    for episode in episodes:
        atomic_write(out / episode.audio, mp3)
    cover = ensure_cover(out, podcast.image)
    path = write_feed(out, podcast, episodes, cover)
    assert path == out / "feed.xml"
    raw = path.read_bytes()
    assert raw.startswith(b"<?xml") and b"UTF-8" in raw[:60].upper()
    check_clients(raw, podcast.base_url.rstrip("/") + "/feed.xml", episodes)  # every test feed, as real apps read it
    return etree.fromstring(raw)


@pytest.fixture
def podcast() -> PodcastSettings:
    return PodcastSettings(
        title="أخبار & <مسموعة>",
        author="هيئة التحرير",
        email="editor@example.org",
        base_url=BASE,
        description="نشرة \"يومية\" 'مسموعة'",
    )


def test_feed_channel(tmp_path, podcast, real_mp3):
    root = publish(tmp_path, podcast, [make_episode(1)], real_mp3)
    assert root.tag == "rss" and root.get("version") == "2.0"
    for prefix, uri in NS.items():
        assert root.nsmap[prefix] == uri
    channel = root.find("channel")
    assert channel.findtext("title") == "أخبار & <مسموعة>"
    assert channel.findtext("description") == "نشرة \"يومية\" 'مسموعة'"
    assert channel.findtext("link") == BASE
    assert channel.findtext("language") == "ar"
    assert channel.findtext("itunes:author", namespaces=NS) == "هيئة التحرير"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "editor@example.org"
    assert channel.findtext("itunes:owner/itunes:name", namespaces=NS) == "هيئة التحرير"
    assert channel.find("itunes:image", NS).get("href") == BASE + "cover.png"
    assert channel.findtext("image/url") == BASE + "cover.png"
    assert channel.find("itunes:category", NS).get("text") == "News"
    assert [e.text for e in channel.findall("itunes:explicit", NS)] == ["false"]
    self_link = channel.find("atom:link[@rel='self']", NS)
    assert self_link.get("href") == BASE + "feed.xml"
    expected_guid = uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "news.example.org/podcast/feed.xml")
    assert channel.findtext("podcast:guid", namespaces=NS) == str(expected_guid)
    locked = channel.find("podcast:locked", NS)
    assert locked.text == "yes" and locked.get("owner") == "editor@example.org"
    assert (tmp_path / "cover.png").read_bytes() == bundled_cover()


def test_feed_items(tmp_path, podcast, real_mp3):
    older = make_episode(1, size=1, duration_ms=5500)  # stale size: the file's size wins
    newer = make_episode(2, title=NASTY_TITLE, duration_ms=125_499)
    root = publish(tmp_path, podcast, [older, newer], real_mp3)
    items = root.findall("channel/item")
    assert [i.findtext("guid") for i in items] == [newer.guid, older.guid]  # newest first
    item, old_item = items
    # readers take the item's title and description as HTML: the text arrives escaped for it
    assert html.unescape(item.findtext("title")) == NASTY_TITLE
    assert html.unescape(item.findtext("description")) == newer.description
    guid = item.find("guid")
    assert guid.text == newer.guid and guid.get("isPermaLink") == "false"
    assert parsedate_to_datetime(item.findtext("pubDate")) == newer.pub_date

    enclosure = item.find("enclosure")
    url = enclosure.get("url")
    assert url.isascii() and unquote(url) == BASE + newer.audio
    assert enclosure.get("type") == "audio/mpeg"
    assert int(enclosure.get("length")) == (tmp_path / newer.audio).stat().st_size == len(real_mp3)
    assert int(old_item.find("enclosure").get("length")) == len(real_mp3)

    assert item.findtext("itunes:duration", namespaces=NS) == "125"
    assert old_item.findtext("itunes:duration", namespaces=NS) == "6"
    assert item.findtext("itunes:episodeType", namespaces=NS) == "full"

    transcripts = item.findall("podcast:transcript", NS)
    assert {(t.get("type"), t.get("language")) for t in transcripts} == {("text/vtt", "ar"), ("text/plain", "ar")}
    by_type = {t.get("type"): unquote(t.get("url")) for t in transcripts}
    assert by_type == {"text/vtt": BASE + newer.transcript_vtt, "text/plain": BASE + newer.transcript_txt}
    chapters = item.find("podcast:chapters", NS)
    assert chapters.get("type") == "application/json+chapters"
    assert unquote(chapters.get("url")) == BASE + newer.chapters_json


def test_feed_escapes_and_strips_unsafe_text(tmp_path, podcast, real_mp3):
    title = "عاجل: <script>alert('x')</script> & \"اقتباس\"\x00\x07 ]]> &amp;"
    episode = make_episode(4, title=title)
    raw_root = publish(tmp_path, podcast, [episode], real_mp3)
    text = raw_root.find("channel/item/title").text  # HTML for the reader, escaped once more for XML
    assert html.unescape(text) == "عاجل: <script>alert('x')</script> & \"اقتباس\" ]]> &amp;"
    assert "<" not in text
    raw = (tmp_path / "feed.xml").read_bytes()
    assert b"<script>" not in raw
    assert "عاجل".encode() in raw  # Arabic as UTF-8, not entities


def test_feed_without_email_or_lock_and_without_episodes(tmp_path, real_mp3):
    podcast = PodcastSettings(base_url="http://127.0.0.1:8000", locked=False, link="https://site.example/")
    root = publish(tmp_path, podcast, [], real_mp3)
    channel = root.find("channel")
    owner = channel.find("itunes:owner", NS)  # always there: its name from the author, no e-mail
    assert owner.findtext("itunes:name", namespaces=NS) == "audio-news"
    assert owner.find("itunes:email", NS) is None
    locked = channel.find("podcast:locked", NS)
    assert locked.text == "no" and locked.get("owner") is None
    assert channel.findtext("link") == "https://site.example/"
    assert channel.find("atom:link[@rel='self']", NS).get("href") == "http://127.0.0.1:8000/feed.xml"
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid("127.0.0.1:8000/feed.xml")
    assert root.findall("channel/item") == []


def test_feed_with_cover_url(tmp_path, real_mp3):
    podcast = PodcastSettings(base_url=BASE, image="https://cdn.example.org/art.jpeg?v=3")
    root = publish(tmp_path, podcast, [], real_mp3)
    assert root.find("channel/itunes:image", NS).get("href") == "https://cdn.example.org/art.jpeg?v=3"
    assert not (tmp_path / "cover.png").exists()


def test_feed_rewrite_is_atomic_and_replaces(tmp_path, podcast, real_mp3):
    publish(tmp_path, podcast, [make_episode(1)], real_mp3)
    root = publish(tmp_path, podcast, [make_episode(1), make_episode(2)], real_mp3)
    assert len(root.findall("channel/item")) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".podcast-guid"]  # no temp files


def test_podcast_guid_stays_when_the_feed_moves(tmp_path, podcast, real_mp3):
    first = publish(tmp_path, podcast, [], real_mp3).findtext("channel/podcast:guid", namespaces=NS)
    moved = PodcastSettings(base_url="https://elsewhere.example/pod/")
    assert publish(tmp_path, moved, [], real_mp3).findtext("channel/podcast:guid", namespaces=NS) == first
    chosen = PodcastSettings(base_url=BASE, guid="917393e3-1b1e-5cef-ace4-edaa54e1f810")
    assert publish(tmp_path, chosen, [], real_mp3).findtext("channel/podcast:guid", namespaces=NS) == chosen.guid


def test_rebuilding_an_article_replaces_its_episode(tmp_path, podcast, real_mp3):
    """The pipeline's order: MP3 via temp + commit, sidecars, put, feed, then old files go."""
    url = "https://news.example.org/2024/05/summit"

    def build(title: str, day: int) -> tuple[Episode, Episode | None]:
        guid = episode_guid(title, url)
        slug = slugify(title, guid=guid)
        mp3 = tmp_path / "episodes" / f"{slug}.mp3"
        temp = temp_path_for(mp3)
        atomic_write(temp, real_mp3)
        commit_file(temp, mp3)
        vtt, txt, chapters = write_transcripts(tmp_path, slug, RENDERING, title)
        episode = Episode(
            guid,
            slug,
            title,
            "مقدمة",
            dt.datetime(2024, 5, day, tzinfo=dt.UTC),
            6000,
            mp3.stat().st_size,
            f"episodes/{slug}.mp3",
            vtt,
            txt,
            chapters,
            CHAPTERS,
            url,
        )
        episodes, replaced = EpisodeStore(tmp_path).put(episode)
        write_feed(tmp_path, podcast, episodes, ensure_cover(tmp_path, ""))
        remove_episode_files(tmp_path, replaced, keep=episode)
        return episode, replaced

    first, replaced = build("القمة العربية", 3)
    assert replaced is None
    second, replaced = build("القمة العربية: البيان الختامي", 4)
    assert replaced == first and second.guid == first.guid and second.slug != first.slug
    assert sorted(p.name for p in (tmp_path / "episodes").iterdir()) == sorted(
        Path(n).name for n in (second.audio, second.transcript_vtt, second.transcript_txt, second.chapters_json)
    )
    root = etree.parse(str(tmp_path / "feed.xml")).getroot()
    (item,) = root.findall("channel/item")
    assert item.findtext("title") == "القمة العربية: البيان الختامي"
    assert EpisodeStore(tmp_path).load() == (second,)


# --- episode identity -----------------------------------------------------------


def article(title: str, *paragraphs: str, url: str | None = None, heading: str | None = None) -> Article:
    return Article(title=title, sections=(Section(heading, tuple(paragraphs)),), source="a.txt", url=url)


def test_identity_comes_from_the_url_when_known():
    one = article("نشرة الأخبار", "نص أول.", url="https://news.example.org/a")
    edited = article("نشرة الأخبار (محدثة)", "نص معدل.", url="https://news.example.org/a#top")
    assert episode_identity(one, ())[0] == episode_identity(edited, ())[0] == episode_guid("", one.url)
    assert episode_identity(one, ())[1] != episode_identity(edited, ())[1]


def test_identity_without_url_comes_from_the_text_not_the_title():
    monday = article("نشرة الأخبار", "افتتحت الحكومة جسرا جديدا.")
    tuesday = article("نشرة الأخبار", "ارتفعت أسعار الذهب.")
    spaced = article(" نشرة  الأخبار", "افتتحت الحكومة\tجسرا جديدا. ")
    decomposed = article("نشرة الأخبار", unicodedata.normalize("NFD", "افتتحت الحكومة جسرا جديدا."))
    guid = episode_identity(monday, ())[0]
    assert guid != episode_identity(tuesday, ())[0]
    assert guid == episode_identity(spaced, ())[0] == episode_identity(decomposed, ())[0]
    assert guid != episode_guid(monday.title, None)  # never the title's id
    assert episode_identity(article("نشرة الأخبار", "افتتحت الحكومة جسرا جديدا.", heading="عاجل"), ())[0] != guid
    assert slugify(monday.title, guid=guid) != slugify(tuesday.title, guid=episode_identity(tuesday, ())[0])


def test_a_store_keyed_by_title_migrates_once_then_matches_by_text():
    monday = article("نشرة الأخبار", "افتتحت الحكومة جسرا جديدا.")
    tuesday = article("نشرة الأخبار", "ارتفعت أسعار الذهب.")
    legacy = episode_guid(monday.title, None)
    old = replace(make_episode(1, guid=legacy, title=monday.title), source_url=None, source_hash=None)
    guid, digest = episode_identity(monday, [old])
    assert guid == legacy  # the first rebuild after the upgrade keeps the old episode's guid
    migrated = replace(old, source_hash=digest)
    assert episode_identity(monday, [migrated]) == (legacy, digest)
    assert episode_identity(tuesday, [migrated])[0] not in (legacy, guid)  # same title, other text: new episode


def test_enclosure_carries_the_audio_version(tmp_path, podcast, real_mp3):
    episode = replace(make_episode(1), audio_version="0123456789ab")
    root = publish(tmp_path, podcast, [episode], real_mp3)
    url = root.find("channel/item/enclosure").get("url")
    assert url == BASE + "episodes/" + quote(episode.slug) + ".mp3?v=0123456789ab"
    (tmp_path / "x.mp3").write_bytes(b"abc")
    assert audio_version(tmp_path / "x.mp3") == hashlib.sha256(b"abc").hexdigest()[:12]


def test_a_loopback_feed_guid_is_not_kept_and_an_old_kept_one_is_replaced(tmp_path, real_mp3):
    local = PodcastSettings(base_url="http://127.0.0.1:8000/")
    assert local_only(local.base_url) and local_only("http://localhost:9000/x/") and not local_only(BASE)
    publish(tmp_path, local, [], real_mp3)
    assert not (tmp_path / ".podcast-guid").exists()
    # an older version kept the default URL's guid: the first real URL replaces it, and then it stays
    (tmp_path / ".podcast-guid").write_text(podcast_guid("127.0.0.1:8000/feed.xml") + "\n", encoding="ascii")
    real = PodcastSettings(base_url=BASE)
    assert publish(tmp_path, real, [], real_mp3).findtext("channel/podcast:guid", namespaces=NS) == podcast_guid(
        BASE + "feed.xml"
    )
    moved = PodcastSettings(base_url="https://elsewhere.example/")
    assert publish(tmp_path, moved, [], real_mp3).findtext("channel/podcast:guid", namespaces=NS) == podcast_guid(
        BASE + "feed.xml"
    )


# --- real clients -------------------------------------------------------------------


def test_feedparser_and_podcastparser_see_every_episode_completely(tmp_path, podcast, real_mp3):
    plain = replace(make_episode(3, title=NASTY_TITLE, duration_ms=3_725_400), chapters=())
    episodes = [make_episode(1), replace(make_episode(2), audio_version="0123456789ab"), plain]
    long_chapters = (Chapter("a", "المقدمة", 0, 61_250), Chapter("b", 'عاجل: <نص> & "اقتباس"', 61_250, 3_725_400))
    episodes.append(replace(make_episode(4, duration_ms=3_725_400), chapters=long_chapters))
    publish(tmp_path, podcast, episodes, real_mp3)
    feed = (tmp_path / "feed.xml").read_bytes()
    check_clients(feed, BASE + "feed.xml", episodes)
    (item,) = [i for i in etree.fromstring(feed).findall("channel/item") if i.findtext("guid") == episodes[-1].guid]
    starts = [c.get("start") for c in item.findall("psc:chapters/psc:chapter", {"psc": PSC_NS})]
    assert starts == ["00:00:00.000", "00:01:01.250"]
    assert item.find("psc:chapters", {"psc": PSC_NS}).get("version") == "1.2"
    types = [t.get("type") for t in item.findall("podcast:transcript", NS)]
    assert types == ["text/plain", "text/vtt"]  # the VTT last, for parsers that keep one


# --- a hostile store, hostile text (issue 10) -----------------------------------


def store_with(tmp_path: Path, **changes) -> Path:
    entry = {**make_episode(1).to_dict(), **changes}
    path = tmp_path / "episodes.json"
    path.write_text(json.dumps([entry], ensure_ascii=False, allow_nan=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"slug": "../../../x/pwn"}, "slug"),
        ({"slug": ".hidden"}, "slug"),
        ({"slug": "a\x00b"}, "slug"),
        ({"audio": "/etc/passwd"}, "audio"),
        ({"transcript_vtt": "episodes/../../x.vtt"}, "transcript_vtt"),
        ({"title": ["x"]}, "title"),
        ({"size": -1}, "size"),
        ({"duration_ms": True}, "duration_ms"),
        ({"loudness_lufs": float("nan")}, "NaN"),
        ({"true_peak_db": float("inf")}, "Infinity"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"pub_date": 20240501}, "pub_date"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_store_is_checked_whole_on_read(tmp_path, changes, words):
    path = store_with(tmp_path, **changes)
    with pytest.raises(PublishError, match="corrupt") as info:
        EpisodeStore(tmp_path).load()
    assert info.value.path == str(path) and words in str(info.value)


def test_store_number_too_big_for_a_float_is_refused(tmp_path):
    path = store_with(tmp_path, true_peak_db=-1.5)
    path.write_text(path.read_text(encoding="utf-8").replace("-1.5", "1e999"), encoding="utf-8")  # reads as inf
    with pytest.raises(PublishError, match="true_peak_db must be a finite number"):
        EpisodeStore(tmp_path).load()


def test_store_fifo_is_refused(tmp_path):
    import os

    os.mkfifo(tmp_path / "episodes.json")
    with pytest.raises(PublishError, match="FIFO"):
        EpisodeStore(tmp_path).load()


def test_store_with_a_naive_date_reads_as_utc(tmp_path):
    store_with(tmp_path, pub_date="2024-05-01T08:30:00")
    (episode,) = EpisodeStore(tmp_path).load()
    assert episode.pub_date == dt.datetime(2024, 5, 1, 8, 30, tzinfo=dt.UTC)


def test_feed_text_reaches_readers_as_text_not_markup(tmp_path, podcast, real_mp3):
    """Readers parse the item's title and description as HTML: a tag in the article must arrive as text."""
    from html.parser import HTMLParser

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

    attack = "خبر <img src=x onerror=alert(1)> و<script>alert(2)</script> & «اقتباس»"
    episode = make_episode(5, title=attack)
    episode = Episode(**{**vars(episode), "description": attack})
    item = publish(tmp_path, podcast, [episode], real_mp3).find("channel/item")
    for name in ("title", "description"):
        as_reader_sees = item.findtext(name)  # XML parsed; what a reader hands to its HTML renderer
        tags = Tags()
        tags.feed(as_reader_sees)
        assert tags.tags == [], name
        assert html.unescape(as_reader_sees) == attack  # and the text is all there


def test_feed_drops_bidi_overrides_and_c1_controls(tmp_path, podcast, real_mp3):
    episode = make_episode(6, title="خبر\u202e عاجل\u2066\x85\x9b")
    item = publish(tmp_path, podcast, [episode], real_mp3).find("channel/item")
    assert item.findtext("title") == "خبر عاجل"


def test_vtt_cue_text_cannot_break_the_cue():
    text = "الخبر --> التالي <b>عريض</b> & 00:00:09.000 --> 00:00:10.000\n\nNOTE"
    vtt = render_vtt([Cue(0, 1000, text)])
    lines = vtt.splitlines()
    assert lines[:3] == ["WEBVTT", "", "00:00:00.000 --> 00:00:01.000"]
    assert lines[3] == ("الخبر --&gt; التالي &lt;b&gt;عريض&lt;/b&gt; &amp; 00:00:09.000 --&gt; 00:00:10.000 NOTE")
    assert sum("-->" in line for line in lines) == 1


def test_slug_has_no_controls_or_bidi_characters():
    slug = slugify("خبر\u202e\x07عاجل\u2066\u200f\x9b نهاية", guid="g")
    assert slug.startswith("خبر-عاجل-نهاية-") and all(ch.isalnum() or ch == "-" for ch in slug)


@pytest.mark.parametrize(
    "changes",
    [{"source_hash": "abc"}, {"source_hash": 5}, {"audio_version": "../x"}, {"audio_version": None}],
    ids=["short-hash", "number-hash", "path-version", "null-version"],
)
def test_store_checks_the_identity_fields(tmp_path, changes):
    store_with(tmp_path, **changes)
    with pytest.raises(PublishError, match=f"corrupt.*{next(iter(changes))}"):
        EpisodeStore(tmp_path).load()
    good = {"source_hash": hashlib.sha256(b"x").hexdigest(), "audio_version": "0123456789ab"}
    store_with(tmp_path, **good)
    (episode,) = EpisodeStore(tmp_path).load()
    assert (episode.source_hash, episode.audio_version) == tuple(good.values())


# --- captions, show notes, owner, license, numbers, artwork -------------------


def _check_caption_limits(captions, cue):
    from audio_news.publish import CAPTION_LINE_CHARS, CAPTION_LINES, CAPTION_MAX_MS

    for caption in captions:
        lines = caption.text.split("\n")
        assert 1 <= len(lines) <= CAPTION_LINES, caption
        assert all(len(line) <= CAPTION_LINE_CHARS for line in lines), caption
        assert 0 < caption.end_ms - caption.start_ms <= CAPTION_MAX_MS, caption
    # cut at word boundaries only: the words in order, none lost or split
    assert " ".join(" ".join(c.text.split("\n")) for c in captions) == " ".join(cue.text.split())
    assert captions[0].start_ms == cue.start_ms and captions[-1].end_ms == cue.end_ms
    assert all(a.end_ms == b.start_ms for a, b in zip(captions, captions[1:]))  # they tile the sentence


def test_captions_of_a_long_sentence_follow_espeaks_word_times():
    from audio_news.engines.espeak import EspeakEngine
    from audio_news.publish import caption_cues, render_captions
    from audio_news.voices import VoiceProfile

    engine = EspeakEngine(VoiceProfile.from_dict({"name": "t", "engine": "espeak", "settings": {}}, path="t.toml"))
    text = (
        "أَعْلَنَتِ الحُكُومَةُ صَبَاحَ اليَوْمِ عَنْ خُطَّةٍ جَدِيدَةٍ لِتَطْوِيرِ شَبَكَةِ النَّقْلِ العَامِّ فِي العَاصِمَةِ "
        "تَشْمَلُ خُطُوطًا لِلْحَافِلَاتِ وَالقِطَارَاتِ، وَقَالَ الوَزِيرُ إِنَّ العَمَلَ سَيَبْدَأُ قَبْلَ نِهَايَةِ العَامِ "
        "وَيَسْتَمِرُّ ثَلَاثَ سَنَوَاتٍ بِتَكْلِفَةٍ تَتَجَاوَزُ مِلْيَارَ دُولَارٍ."
    )
    clip = engine.synthesize(text)
    start = 12_000  # the sentence's place in the episode
    words = tuple(Word(start + w.start_ms, w.text) for w in clip.words)
    cue = Cue(start, start + round(clip.duration_ms), text, words)
    assert len(text) > 200 and clip.duration_ms > 7000  # longer than one caption both ways
    captions = caption_cues(cue)
    assert len(captions) >= 3
    _check_caption_limits(captions, cue)
    # each caption starts when its first word is spoken (espeak's event), not at a letter share
    by_text = {w.text: w.start_ms for w in words}
    for caption in captions[1:]:
        first = caption.text.split()[0]
        assert abs(caption.start_ms - by_text[first]) <= 1
    vtt = render_captions([cue])
    assert vtt.startswith("WEBVTT\n\n") and vtt.count(" --> ") == len(captions)


def test_captions_without_word_times_spread_by_letters():
    from audio_news.publish import caption_cues

    text = " ".join(["الحكومة"] * 30)  # 30 words of 7 letters: equal shares
    cue = Cue(1000, 31_000, text)
    captions = caption_cues(cue)
    _check_caption_limits(captions, cue)
    first = captions[1].text.split("\n")
    words_before = sum(len(line.split()) for line in captions[0].text.split("\n"))
    assert first and abs(captions[1].start_ms - (1000 + 1000 * words_before)) <= 1


def test_caption_file_beside_the_sentence_file(tmp_path):
    from audio_news.publish import write_captions

    name = write_captions(tmp_path, "s", RENDERING)
    assert name == "episodes/s.captions.vtt"
    body = (tmp_path / name).read_text(encoding="utf-8")
    assert "&lt;عربية&gt; &amp;" in body and "-->" in body
    assert "النتائج --&gt; مشجعة" in body  # a cue's "-->" escaped, never a timing line


def test_show_notes_link_owner_license_copyright_and_numbers(tmp_path, real_mp3):
    podcast = PodcastSettings(
        base_url=BASE,
        email="desk@news.example.org",
        license="cc-by-4.0",
        copyright="© 2024 هيئة التحرير",
        episode_numbers=True,
    )
    ep = replace(make_episode(1, title="عنوان <b>عريض</b>"), number=7, captions_vtt="episodes/x.captions.vtt")
    root = publish(tmp_path, podcast, [ep], real_mp3)
    channel = root.find("channel")
    assert channel.findtext("copyright") == "© 2024 هيئة التحرير"
    assert channel.findtext("podcast:license", namespaces=NS) == "cc-by-4.0"
    owner = channel.find("itunes:owner", NS)
    assert owner.findtext("itunes:name", namespaces=NS) == "audio-news"
    assert owner.findtext("itunes:email", namespaces=NS) == "desk@news.example.org"
    item = channel.find("item")
    assert item.findtext("itunes:episode", namespaces=NS) == "7"
    assert item.findtext("link") == BASE + "episodes/" + quote(ep.slug) + ".html"  # the player page
    notes = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    # the HTML, once unescaped from XML: article text stays text
    assert "مقدمة الخبر 1 &amp; &lt;تفاصيل&gt;" in notes and "<تفاصيل>" not in notes
    assert '<a href="https://news.example.org/1">https://news.example.org/1</a>' in notes
    assert "<li>0:00 — المقدمة</li><li>0:02 — ردود الفعل</li>" in notes  # times rounded down
    assert "صوت هذه الحلقة مُوَلَّد آليًّا" in notes
    transcripts = item.findall("podcast:transcript", NS)
    assert [(t.get("type"), t.get("rel")) for t in transcripts] == [
        ("text/plain", None),
        ("text/vtt", None),
        ("text/vtt", "captions"),
    ]
    assert transcripts[-1].get("url") == BASE + "episodes/x.captions.vtt"


def test_no_license_copyright_or_numbers_unless_set(tmp_path, real_mp3):
    ep = replace(make_episode(1), number=3)
    root = publish(tmp_path, PodcastSettings(base_url=BASE), [ep], real_mp3)
    assert root.find("channel/copyright") is None
    assert root.find("channel/podcast:license", NS) is None
    assert root.find("channel/item/itunes:episode", NS) is None
    assert root.find("channel/item/itunes:image", NS) is None


def test_episode_artwork_only_from_a_local_square_png_or_jpeg(tmp_path, real_mp3):
    from audio_news.publish import episode_artwork

    out = tmp_path / "out"
    square = tmp_path / "lead.png"
    square.write_bytes(bundled_cover())  # 1400x1400 PNG
    wide = tmp_path / "wide.png"
    png = bytearray(bundled_cover())
    png[16:20] = (2000).to_bytes(4, "big")  # IHDR width 2000, height 1400
    wide.write_bytes(bytes(png))
    text = tmp_path / "lead.gif"
    text.write_bytes(b"GIF89a....")
    assert episode_artwork(out, "s", "https://cdn.example.org/lead.png") == ""  # nothing is downloaded
    assert episode_artwork(out, "s", str(wide)) == ""
    assert episode_artwork(out, "s", str(text)) == ""
    assert episode_artwork(out, "s", str(tmp_path / "missing.png")) == ""
    assert episode_artwork(out, "s", None) == ""
    assert not (out / "episodes").exists()
    name = episode_artwork(out, "s", str(square))
    assert name == "episodes/s.png" and (out / name).read_bytes() == bundled_cover()
    ep = replace(make_episode(1), image=name)
    root = publish(out, PodcastSettings(base_url=BASE), [ep], real_mp3)
    assert root.find("channel/item/itunes:image", NS).get("href") == BASE + "episodes/s.png"


def test_captions_keep_a_figure_with_its_word_and_balance_their_lines():
    from audio_news.publish import caption_cues

    text = "وقال رئيس البلدية إن كلفة المشروع بلغت 12 مليون دولار، وإن الحافلة الواحدة تقطع 250 كيلومترا بشحنة واحدة."
    cue = Cue(0, 8000, text)  # letters spread: no word events
    captions = caption_cues(cue)
    _check_caption_limits(captions, cue)
    lines = [line for c in captions for line in c.text.split("\n")]
    assert not any(line.split()[-1] in ("12", "250") for line in lines), lines  # never a figure at a line's end
    title = caption_cues(Cue(0, 3000, "مدينة ساحلية تطلق أول أسطول من الحافلات الكهربائية"))
    assert [c.text for c in title] == ["مدينة ساحلية تطلق أول أسطول\nمن الحافلات الكهربائية"]  # balanced
