"""Stage: a static web player written into the output folder, beside the feed.

After publish has written the episodes, the store and feed.xml, write_site()
adds, from the same Episode values:

    out_dir/
      index.html               every episode, newest first, and the feed to subscribe to
      episodes/<slug>.html     one page per episode, next to its MP3
      player/player.js         the controls (keyboard, chapters, transcript, speed)
      player/player.css        system fonts, high contrast, large touch targets

Every link is relative, so the folder works from any base URL and from
file://. Nothing is loaded from the network. The transcript is read from the
episode's WebVTT file and rendered into the page (and embedded as JSON), so
it works without fetching anything; the JS fetches the .vtt only when the page
was written before the transcript existed.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import posixpath
import re
import unicodedata
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Final, TypeGuard
from urllib.parse import quote, urlsplit

from .arabic import GREGORIAN_MONTHS
from .config import PodcastSettings
from .errors import PublishError
from .models import Chapter, Cue, Episode
from .publish import Remover, Writer, atomic_write

INDEX_NAME: Final = "index.html"
ASSET_DIR: Final = "player"
ASSETS: Final = ("player.js", "player.css")
GENERATOR: Final = "audio-news"
"""The generator meta of every page written here: only such pages are ever removed."""

_VTT_TIME: Final = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})")
_VTT_TAG: Final = re.compile(r"<[^>]*>")


# --- small pieces -------------------------------------------------------------


def _text(value: str) -> str:
    """Text for HTML content or a quoted attribute: NFC, escaped."""
    return html.escape(unicodedata.normalize("NFC", value), quote=True)


def _href(path: str) -> str:
    """A relative URL for an attribute: percent-encoded, then escaped."""
    return html.escape(quote(path, safe="/#"), quote=True)


def _json_script(data: object) -> str:
    """JSON that is safe inside <script type="application/json">."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def format_duration(ms: int) -> str:
    """ "m:ss", or "h:mm:ss" from an hour on: whole seconds elapsed (floor), as media players show them.

    The one formatter of times on the pages: a chapter at 92.6 s reads 1:32, as the
    audio element does when it gets there (rounding would say 1:33)."""
    total = max(0, int(ms)) // 1000
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _iso_duration(ms: int) -> str:
    total = max(0, int(ms)) // 1000
    return f"PT{total // 3600}H{total % 3600 // 60}M{total % 60}S"


def format_date(day: dt.date) -> str:
    """An Arabic date: "29 نوفمبر 2025"."""
    return f"{day.day} {GREGORIAN_MONTHS[day.month - 1]} {day.year}"


def chapter_count(n: int) -> str:
    """ "فصل واحد", "فصلان", "3 فصول", "11 فصلًا": Arabic number agreement."""
    if n == 1:
        return "فصل واحد"
    if n == 2:
        return "فصلان"
    if 3 <= n % 100 <= 10:
        return f"{n} فصول"
    return f"{n} فصلًا" if n % 100 else f"{n} فصل"


def _seconds(ms: int) -> str:
    return f"{max(0, ms) / 1000:.3f}"


def page_name(episode: Episode) -> str:
    """The episode page, relative to the output folder: beside its MP3."""
    folder = posixpath.dirname(episode.audio) or "episodes"
    return posixpath.join(folder, f"{episode.slug}.html")


def _rel(target: str, page: str) -> str:
    """`target` (relative to the output folder) as seen from `page`."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "localhost" or host.startswith("127.") or host == "::1"


def _is_web_url(value: str | None) -> TypeGuard[str]:
    return value is not None and value.lower().startswith(("http://", "https://"))


# --- transcript -----------------------------------------------------------------


def _vtt_ms(stamp: str) -> int | None:
    match = _VTT_TIME.fullmatch(stamp.strip())
    if not match:
        return None
    hours, minutes, seconds, millis = (int(g or 0) for g in match.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def parse_vtt(text: str) -> list[Cue]:
    """The cues of a WebVTT document, text unescaped and tags dropped (NOTE/STYLE skipped)."""
    cues: list[Cue] = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line for line in block.split("\n") if line.strip()]
        for i, line in enumerate(lines):
            if "-->" not in line:
                continue
            start_text, _, rest = line.partition("-->")
            start, end = _vtt_ms(start_text), _vtt_ms(rest.strip().split()[0] if rest.strip() else "")
            body = " ".join(_VTT_TAG.sub("", ln) for ln in lines[i + 1 :])
            body = unicodedata.normalize("NFC", html.unescape(" ".join(body.split())))
            if start is not None and end is not None and body:
                cues.append(Cue(start, max(end, start), body))
            break
    return cues


def read_cues(out_dir: Path, episode: Episode) -> list[Cue]:
    """The episode's transcript cues from its .vtt; none if it is missing or unreadable."""
    if not episode.transcript_vtt:
        return []
    try:
        return parse_vtt((Path(out_dir) / episode.transcript_vtt).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return []


# --- pages --------------------------------------------------------------------


def _head(title: str, page: str, description: str, feed_title: str) -> str:
    css = _href(_rel(f"{ASSET_DIR}/player.css", page))
    js = _href(_rel(f"{ASSET_DIR}/player.js", page))
    feed = _href(_rel("feed.xml", page))
    return f"""<!doctype html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="{GENERATOR}">
<meta name="description" content="{_text(description)}">
<title>{_text(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
<link rel="alternate" type="application/rss+xml" title="{_text(feed_title)}" href="{feed}">
<script src="{js}" defer></script>
</head>
"""


def _skip_links(chapters: bool = False) -> str:
    """Links that keyboard users meet first: to the chapter list (two Tabs and Enter away), then the content."""
    to_chapters = '<a class="skip-link" href="#chapters-h">انتقل إلى الفصول</a>\n' if chapters else ""
    return to_chapters + '<a class="skip-link" href="#main">انتقل إلى المحتوى</a>\n'


def _breakable_url(url: str) -> str:
    """An escaped URL that may wrap only after a slash (<wbr>), never inside a name like feed.xml."""
    return re.sub(r"(/+)", r"\1<wbr>", _text(url))


def _command(text: str) -> str:
    """A shell command on a line of its own, left to right: it wraps between words, never inside one
    (audio-news, --base-url). Not inline in Arabic text: an LTR run split across RTL lines reads scrambled."""
    words = " ".join(f'<span class="word">{_text(word)}</span>' for word in text.split())
    return f'<p class="command" dir="ltr"><code>{words}</code></p>\n'


def _chapter_list(chapters: Sequence[Chapter]) -> str:
    items = []
    for index, chapter in enumerate(chapters):
        items.append(
            f'<li><button type="button" class="chapter" data-index="{index}" '
            f'data-start="{_seconds(chapter.start_ms)}" data-end="{_seconds(chapter.end_ms)}">'
            f'<span class="chapter-time" dir="ltr">{format_duration(chapter.start_ms)}</span> '
            f'<span class="chapter-title">{_text(chapter.title)}</span></button></li>'
        )
    return "\n".join(items)


def _transcript(cues: Sequence[Cue]) -> str:
    """A sentence per cue; each one seeks there when clicked or activated by keyboard (Enter, Space).

    One Tab stop for the whole transcript (a roving tabindex: the arrows move between sentences)."""
    return "\n".join(
        f'<p class="cue" id="cue-{i}" role="button" tabindex="{0 if i == 0 else -1}" '
        f'data-start="{_seconds(c.start_ms)}" data-end="{_seconds(c.end_ms)}">{_text(c.text)}</p>'
        for i, c in enumerate(cues)
    )


_ICONS: Final = {
    "back": "M11 6v12L3 12zM21 6v12l-8-6z",
    "forward": "M13 6v12l8-6zM3 6v12l8-6z",
    "prev": "M5 6h2v12H5zM19 6v12L8.5 12z",
    "next": "M17 6h2v12h-2zM5 6v12l10.5-6z",
    "play": "M7 5v14l12-7z",
    "pause": "M6 5h4v14H6zM14 5h4v14h-4z",
}
"""Inline SVG paths (24x24) for the transport buttons: no icon font, no network."""


def _icon(name: str) -> str:
    return (
        f'<svg class="icon icon-{name}" aria-hidden="true" focusable="false" viewBox="0 0 24 24" '
        f'width="24" height="24"><path d="{_ICONS[name]}"/></svg>'
    )


_KEYS: Final = (
    ("مسافة", "تشغيل أو إيقاف مؤقت"),
    ("→", "تقديم 10 ثوانٍ (السهم الأيمن)"),
    ("←", "إرجاع 10 ثوانٍ (السهم الأيسر)"),
    ("N", "الفصل التالي"),
    ("P", "الفصل السابق (أو بداية الفصل الحالي)"),
    ("+", "تسريع القراءة بخطوة 0.25 (حتى 2.5×)، وتُحفظ السرعة للزيارة التالية"),
    ("-", "إبطاء القراءة بخطوة 0.25 (حتى 0.75×)"),
)


def _key_help() -> str:
    rows = "\n".join(f"<dt><kbd>{_text(k)}</kbd></dt><dd>{_text(v)}</dd>" for k, v in _KEYS)
    return f"""<details class="keys">
<summary>اختصارات لوحة المفاتيح</summary>
<dl>
{rows}
</dl>
<p>الأسهم تتبع اتجاه شريط التشغيل (من اليسار إلى اليمين) كما في مشغّلات الصوت كلها. لا تعمل الاختصارات أثناء الكتابة في حقل.</p>
</details>"""


def _player_section(audio: str, now: str, chapters: int = 2) -> str:
    """The audio element, the transport and speed buttons, and the chapter live region.

    Chapter buttons only when there is more than one chapter to move between."""
    chapter_buttons = (
        f"""
<button type="button" data-action="prev" class="prev" aria-keyshortcuts="P">{_icon("prev")} الفصل السابق</button>
<button type="button" data-action="next" class="next" aria-keyshortcuts="N">الفصل التالي {_icon("next")}</button>"""
        if chapters > 1
        else ""
    )
    return f"""<section class="player" aria-label="المشغّل">
<audio id="audio" controls preload="metadata" src="{audio}">
<a href="{audio}">نزّل الحلقة (MP3)</a>
</audio>
<div class="controls" role="group" aria-label="أدوات التشغيل" dir="ltr">
<button type="button" data-action="play" class="play" data-state="paused" aria-keyshortcuts="Space">{_icon("play")}{_icon("pause")} <span class="label">تشغيل</span></button>
<button type="button" data-action="back" class="back" aria-keyshortcuts="ArrowLeft">{_icon("back")} رجوع 10 ث</button>
<button type="button" data-action="forward" class="forward" aria-keyshortcuts="ArrowRight">تقديم 10 ث {_icon("forward")}</button>{chapter_buttons}
</div>
<div class="speed" role="group" aria-label="سرعة القراءة" dir="ltr">
<button type="button" data-action="slower" aria-keyshortcuts="-" aria-label="أبطأ">−</button>
<output id="rate" dir="ltr" aria-label="السرعة">1×</output>
<button type="button" data-action="faster" aria-keyshortcuts="+" aria-label="أسرع">+</button>
</div>
<p id="now" class="now" role="status" aria-live="polite">{_text(now)}</p>
</section>
"""


def _meta_line(episode: Episode) -> str:
    """Date, duration, the article's date and its link."""
    date = episode.pub_date.date()
    meta = [
        f'<time datetime="{date.isoformat()}">{format_date(date)}</time>',
        f'المدة <time datetime="{_iso_duration(episode.duration_ms)}" dir="ltr">'
        f"{format_duration(episode.duration_ms)}</time>",
    ]
    if episode.article_date and episode.article_date != date:
        meta.append(
            f'تاريخ المقال <time datetime="{episode.article_date.isoformat()}">'
            f"{format_date(episode.article_date)}</time>"
        )
    if _is_web_url(episode.source_url):
        meta.append(
            f'<a href="{html.escape(episode.source_url, quote=True)}" rel="external noopener noreferrer">'
            "المقال الأصلي</a>"
        )
    return " · ".join(meta)


def render_episode_page(
    out_dir: Path, episode: Episode, podcast: PodcastSettings, cues: Sequence[Cue] | None = None
) -> str:
    """The HTML of one episode's page (`cues`: read from its .vtt when None)."""
    page = page_name(episode)
    if cues is None:
        cues = read_cues(out_dir, episode)
    chapters = sorted(episode.chapters, key=lambda c: c.start_ms)
    audio = _href(_rel(episode.audio, page))
    if episode.audio_version and not _is_web_url(episode.audio):
        audio += "?v=" + html.escape(quote(episode.audio_version, safe=""), quote=True)  # new audio: a new URL
    vtt = _rel(episode.transcript_vtt, page) if episode.transcript_vtt else ""
    title = episode.title or episode.slug
    data = {
        "slug": episode.slug,
        "title": unicodedata.normalize("NFC", title),
        "podcast": unicodedata.normalize("NFC", podcast.title),
        "vtt": quote(vtt, safe="/") if vtt else "",
        "cover": _cover(out_dir, page),
        "chapters": [
            {"start": c.start_ms / 1000, "end": c.end_ms / 1000, "title": unicodedata.normalize("NFC", c.title)}
            for c in chapters
        ],
        "cues": [{"start": c.start_ms / 1000, "end": c.end_ms / 1000, "text": c.text} for c in cues],
    }
    first = f"الفصل 1: {chapters[0].title}" if chapters else ""
    downloads = [
        (episode.audio, "الملف الصوتي (MP3)"),
        (episode.transcript_txt, "النص (TXT)"),
        (episode.transcript_vtt, "الترجمة المتزامنة (WebVTT)"),
        (episode.chapters_json, "الفصول (JSON)"),
    ]
    download_items = "\n".join(
        f'<li><a href="{audio if name == episode.audio else _href(_rel(name, page))}">{label}</a></li>'
        for name, label in downloads
        if name
    )
    chapter_section = (
        f"""<section class="chapters" aria-labelledby="chapters-h">
<h2 id="chapters-h" tabindex="-1">الفصول</h2>
<ol class="chapter-list">
{_chapter_list(chapters)}
</ol>
</section>
"""
        if chapters
        else ""
    )
    return (
        _head(f"{title} — {podcast.title}", page, episode.description, podcast.title)
        + f"""<body class="episode-page">
{_skip_links(bool(chapters))}<header class="site-header">
<nav aria-label="التنقل">
<ul>
<li><a href="{_href(_rel(INDEX_NAME, page))}">كل الحلقات</a></li>
<li><a href="{_href(_rel("feed.xml", page))}" type="application/rss+xml">الاشتراك (RSS)</a></li>
</ul>
</nav>
<p class="site-title">{_text(podcast.title)}</p>
</header>
<main id="main" tabindex="-1">
<h1>{_text(title)}</h1>
<p class="meta">{_meta_line(episode)}</p>
{_player_section(audio, first, len(chapters))}{chapter_section}<section class="transcript-section">
<h2 id="transcript-h">النص</h2>
{_transcript_hint(cues)}<div id="transcript" class="transcript" {"" if cues else 'tabindex="0" '}role="region" aria-labelledby="transcript-h">
{_transcript(cues)}
</div>
</section>
{_key_help()}
<section class="downloads" aria-labelledby="downloads-h">
<h2 id="downloads-h">الملفات</h2>
<ul>
{download_items}
</ul>
</section>
</main>
<script type="application/json" id="episode-data">{_json_script(data)}</script>
</body>
</html>
"""
    )


def _transcript_hint(cues: Sequence[Cue]) -> str:
    if not cues:
        return ""
    return (
        '<p class="hint" id="transcript-hint">انقر جملةً، أو اضغط عليها <kbd>Enter</kbd>، لتستمع من بدايتها. '
        "تنتقل الأسهم <kbd>↑</kbd> و<kbd>↓</kbd> بين الجمل.</p>\n"
    )


def _cover(out_dir: Path, page: str) -> str:
    for name in ("cover.png", "cover.jpg"):
        if (Path(out_dir) / name).is_file():
            return quote(_rel(name, page), safe="/")
    return ""


def render_index(out_dir: Path, episodes: Sequence[Episode], podcast: PodcastSettings) -> str:
    """The HTML of index.html: the channel, how to subscribe, every episode newest first."""
    ordered = sorted(episodes, key=lambda e: e.pub_date, reverse=True)
    feed_url = podcast.base_url.rstrip("/") + "/feed.xml"
    items = []
    for episode in ordered:
        date = episode.pub_date.date()
        chapters = f" · {chapter_count(len(episode.chapters))}" if episode.chapters else ""
        duration = (
            f'المدة <time datetime="{_iso_duration(episode.duration_ms)}" dir="ltr">'
            f"{format_duration(episode.duration_ms)}</time>"
        )
        items.append(f"""<li class="episode">
<h3><a href="{_href(page_name(episode))}">{_text(episode.title or episode.slug)}</a></h3>
<p class="meta"><time datetime="{date.isoformat()}">{format_date(date)}</time> · {duration}{chapters}</p>
<p>{_text(episode.description)}</p>
</li>""")
    listing = "\n".join(items) if items else "<li>لا حلقات بعد.</li>"
    cover = _cover(out_dir, INDEX_NAME)
    loopback_hint = (
        '<p class="hint">هذا الرابط لا يعمل إلا على هذا الحاسوب. للاستماع من الهاتف أعد كتابة الخلاصة بعنوان '
        "الحاسوب في الشبكة المنزلية، ثم شغّل الخادم لكل الشبكة:</p>\n"
        + _command("audio-news feed --base-url http://…:8000/")
        + _command("audio-news serve --host 0.0.0.0")
        if _is_loopback(feed_url)
        else ""
    )
    cover_img = (
        f'<img class="cover" src="{html.escape(cover, quote=True)}" alt="" width="160" height="160">\n' if cover else ""
    )
    return (
        _head(podcast.title, INDEX_NAME, podcast.description, podcast.title)
        + f"""<body class="index-page">
{_skip_links()}<header class="site-header">
<nav aria-label="التنقل">
<ul>
<li><a href="#episodes-h">الحلقات</a></li>
<li><a href="#subscribe-h">الاشتراك</a></li>
</ul>
</nav>
</header>
<main id="main" tabindex="-1">
<div class="channel">
{cover_img}<div>
<h1>{_text(podcast.title)}</h1>
<p>{_text(podcast.description)}</p>
</div>
</div>
<section class="subscribe" aria-labelledby="subscribe-h">
<h2 id="subscribe-h">الاشتراك</h2>
<p>أضف رابط الخلاصة إلى تطبيق البودكاست من «إضافة برابط» (<bdi lang="en" dir="ltr">Add by URL</bdi>) لتصلك الحلقات الجديدة:</p>
<p class="feed-line"><code id="feed-url" dir="ltr">{_breakable_url(feed_url)}</code>
<button type="button" data-action="copy" data-target="feed-url">نسخ الرابط</button></p>
{loopback_hint}<p><a class="feed" href="feed.xml" type="application/rss+xml">افتح الخلاصة (RSS)</a></p>
<p id="copy-status" class="hint" role="status" aria-live="polite"></p>
</section>
<section aria-labelledby="episodes-h">
<h2 id="episodes-h">الحلقات</h2>
<ol class="episodes">
{listing}
</ol>
</section>
</main>
</body>
</html>
"""
    )


# --- writing ------------------------------------------------------------------


def _write_if_changed(path: Path, data: bytes, write: Writer) -> None:
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    write(path, data)


def _remove_stale_pages(out_dir: Path, keep: set[str], remove: Remover) -> None:
    """Delete episode pages this module wrote for episodes no longer in the store."""
    folder = Path(out_dir) / "episodes"
    marker = f'<meta name="generator" content="{GENERATOR}">'.encode()
    for path in folder.glob("*.html") if folder.is_dir() else ():
        if f"episodes/{path.name}" in keep or path.is_symlink():
            continue
        try:
            with open(path, "rb") as fh:
                ours = marker in fh.read(2048)
            if ours:
                remove(path)
        except OSError as exc:
            raise PublishError(f"cannot remove the old page: {exc.strerror or exc}", path) from exc


def write_site(
    out_dir: Path,
    episodes: Sequence[Episode],
    podcast: PodcastSettings,
    write: Writer = atomic_write,
    remove: Remover = os.unlink,
) -> None:
    """Write index.html, one page per episode and the player's assets into `out_dir`.

    Call after the episodes' sidecar files are in place (their .vtt is read).
    Every file is written atomically and only when it changed. Pages this
    module wrote for episodes no longer listed are removed.
    `write` and `remove` are a Publication's, so the pages change with the
    feed or not at all (by default each file is written on its own).
    Raises PublishError if the folder cannot be written.
    """
    out_dir = Path(out_dir)
    assets = resources.files("audio_news").joinpath("data", "player")
    for name in ASSETS:
        _write_if_changed(out_dir / ASSET_DIR / name, assets.joinpath(name).read_bytes(), write)
    pages = set()
    for episode in episodes:
        name = page_name(episode)
        pages.add(name)
        _write_if_changed(out_dir / name, render_episode_page(out_dir, episode, podcast).encode("utf-8"), write)
    _write_if_changed(out_dir / INDEX_NAME, render_index(out_dir, episodes, podcast).encode("utf-8"), write)
    _remove_stale_pages(out_dir, pages, remove)
