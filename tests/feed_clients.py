"""Read a feed as real podcast clients do: feedparser (many web and desktop apps)
and gPodder's podcastparser, and check that each sees every episode's enclosure,
duration, transcript and chapters.

What a parser cannot read is stated here, with why, and checked to stay unread,
so the test notices the day a parser learns it:
- podcastparser (0.6.x) maps podcast:* only under the namespace's old GitHub URI,
  not https://podcastindex.org/namespace/1.0 that the feed declares (the URI the
  spec names now), so it sees neither podcast:transcript nor podcast:chapters: it
  gets the chapters from the Podlove psc:chapters, and no transcript at all
  (declaring the old URI too would mean every podcast: tag twice).
- feedparser keeps one podcast:transcript per item (the last) and stores unknown
  tags' attributes as they are; it reads psc:chapters natively.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from urllib.parse import unquote

import feedparser
import podcastparser

from audio_news.models import Episode


def _npt_seconds(value: str) -> float:
    hours, minutes, seconds = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def check_clients(feed: bytes, feed_url: str, episodes: Sequence[Episode]) -> None:
    """Assert that both parsers see every episode in `episodes` completely (see the module docstring)."""
    base = feed_url.rsplit("/", 1)[0] + "/"
    fp = feedparser.parse(feed)
    assert not fp.bozo, fp.get("bozo_exception")
    pp = podcastparser.parse(feed_url, io.BytesIO(feed))
    fp_items = {e.id: e for e in fp.entries}
    pp_items = {e["guid"]: e for e in pp["episodes"]}
    assert set(fp_items) == set(pp_items) == {e.guid for e in episodes}
    for episode in episodes:
        seconds = (episode.duration_ms + 500) // 1000
        starts = [c.start_ms / 1000 for c in sorted(episode.chapters, key=lambda c: c.start_ms)]
        titles = [c.title for c in sorted(episode.chapters, key=lambda c: c.start_ms)]

        item = fp_items[episode.guid]
        (enclosure,) = [link for link in item.links if link.rel == "enclosure"]
        assert unquote(enclosure.href).split("?")[0] == base + episode.audio
        assert enclosure.type == "audio/mpeg" and int(enclosure.length) > 0
        assert int(item.itunes_duration) == seconds
        # feedparser keeps one podcast:transcript, the last: the timed one
        assert unquote(item.podcast_transcript["url"]) == base + episode.transcript_vtt
        assert item.podcast_transcript["type"] == "text/vtt"
        assert unquote(item.podcast_chapters["url"]) == base + episode.chapters_json
        assert item.podcast_chapters["type"] == "application/json+chapters"
        psc = item.psc_chapters.chapters if episode.chapters else []
        assert [c.title for c in psc] == titles
        assert [round(_npt_seconds(c.start), 3) for c in psc] == starts

        entry = pp_items[episode.guid]
        (pp_enclosure,) = entry["enclosures"]
        assert unquote(pp_enclosure["url"]).split("?")[0] == base + episode.audio
        assert pp_enclosure["mime_type"] == "audio/mpeg" and pp_enclosure["file_size"] > 0
        assert entry["total_time"] == seconds
        assert [c["title"] for c in entry.get("chapters", [])] == titles
        assert [c["start"] for c in entry.get("chapters", [])] == [int(s) for s in starts]
        # unreadable for podcastparser: the current Podcasting 2.0 namespace URI (module docstring)
        assert "transcript_url" not in entry and "chapters_json_url" not in entry
