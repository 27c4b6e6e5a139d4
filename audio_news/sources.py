"""News sources: read RSS 2.0 and Atom feeds and build their new items (`audio-news pull`).

The only module that imports feedparser. A run reads each source's feed (asking
with the validators the last answer gave, so an unchanged feed costs a 304),
takes the items not yet built (an item is known by its link, else its guid),
newest `max_per_run` of them, oldest first, and reads each article: from the feed's
own full text when it carries the article (content:encoded, Atom content), else from
the page its link names. Then every source's articles are built together (voiced in
parallel, `--jobs`, and published in one step). What was built and the feeds'
validators are kept in the output folder (PULL_STATE_NAME), rewritten atomically
under the folder's lock once the batch is published, so a run that stops half way
loses nothing, and is built again by the next run; two runs at once may both voice
an item, but it is published once (its guid comes from its link). One source or item failing never stops the others: each
failure is one line naming its URL, and the validators are kept only when every
item of the feed was built, so the next run tries the failed ones again.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import feedparser

from . import fetch, ingest, publish
from .config import SourceSettings
from .errors import AudioNewsError, FetchError, PublishError
from .limits import STORE_MAX_BYTES, read_bounded
from .models import Article

PULL_STATE_NAME: Final = ".pull-state.json"
FEED_ACCEPT: Final = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT: Final = "text/html, application/xhtml+xml;q=0.9"
_MIN_CONTENT_CHARS: Final = 200
"""Feed content shorter than this is a teaser, not the article: the page is fetched instead."""


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed."""

    key: str
    """Its identity: the link, else the guid."""
    link: str | None
    title: str
    published: dt.datetime | None
    content: str | None
    """The article's HTML when the feed carries it whole (content:encoded, Atom content)."""


@dataclass(frozen=True)
class Feed:
    title: str
    items: tuple[FeedItem, ...]
    """In the source's date order, oldest first (undated items keep their place at the end)."""


@dataclass(frozen=True)
class SourceReport:
    """What one run did with one source."""

    source: SourceSettings
    built: tuple[str, ...] = ()
    """The source links of the items built."""
    failed: tuple[str, ...] = ()
    """One line per item that failed, naming its URL."""
    known: int = 0
    """Items already built in an earlier run."""
    left: int = 0
    """New items left for the next run by max_per_run."""
    unchanged: bool = False
    """The server answered 304: the feed has not changed since the last run."""
    error: str | None = None
    """Why the feed itself could not be read (nothing was built from it)."""

    def line(self) -> str:
        """The one-line summary of this source."""
        label = self.source.label
        if self.error:
            return f"{label}: failed: {self.error}"
        if self.unchanged:
            return f"{label}: unchanged since the last run"
        parts = [f"{len(self.built)} built"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.known:
            parts.append(f"{self.known} already built")
        if self.left:
            parts.append(f"{self.left} left for the next run (max_per_run {self.source.max_per_run})")
        return f"{label}: {', '.join(parts)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.label,
            "url": self.source.url,
            "built": list(self.built),
            "failed": list(self.failed),
            "already_built": self.known,
            "left": self.left,
            "unchanged": self.unchanged,
            "error": self.error,
        }


def parse_feed(data: bytes, url: str) -> Feed:
    """A fetched RSS 2.0 or Atom document. Raises FetchError naming `url` when it is not a feed."""
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    version = str(parsed.get("version") or "")
    if not version.startswith(("rss", "atom")) or (parsed.get("bozo") and not parsed.entries):
        reason = parsed.get("bozo_exception")
        detail = f" ({str(reason).strip().splitlines()[0]})" if reason and str(reason).strip() else ""
        raise FetchError(f"not an RSS or Atom feed{detail}", url)
    items = [item for item in map(_item, parsed.entries) if item is not None]
    dated = sorted((i for i in items if i.published), key=lambda i: i.published or dt.datetime.min)
    return Feed(str(parsed.feed.get("title", "")), (*dated, *(i for i in items if not i.published)))


def _item(entry: Any) -> FeedItem | None:
    link = fetch.is_url(str(entry.get("link", ""))) and str(entry["link"]).strip() or None
    key = link or str(entry.get("id", "")).strip()
    if not key:
        return None  # nothing to know it by: it could not be told from a later item
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    published = dt.datetime.fromtimestamp(calendar.timegm(stamp), dt.UTC) if stamp else None
    contents = [c.get("value", "") for c in entry.get("content", []) if "html" in str(c.get("type", "html"))]
    content = max(contents, key=len, default="")
    full = content if len(_visible_text(content)) >= _MIN_CONTENT_CHARS else None
    return FeedItem(key, link, str(entry.get("title", "")).strip(), published, full)


def _visible_text(fragment: str) -> str:
    """The visible text of an HTML fragment, roughly (to judge whether it is a whole article)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", " ", fragment))).strip()


def item_article(item: FeedItem, fetcher: fetch.Fetcher) -> Article:
    """The item's article: the feed's own full text, else its page fetched. Its link (or the
    page's canonical URL) is the episode's source link; the feed's date when the page gives none."""
    if item.content is not None:
        page = (
            f"<html><head><title>{html.escape(item.title)}</title></head>"
            f"<body><article><h1>{html.escape(item.title)}</h1>{item.content}</article></body></html>"
        )
        article = ingest.read_html(page, item.link or item.key)
    elif item.link:
        article = fetch.fetch_article(fetcher, item.link)
    else:
        raise FetchError("the item has neither its text nor a link to it", item.key)
    if item.published is not None:
        article = replace(article, date=article.date or item.published.date(), published=item.published)
    return article


@dataclass
class PullState:
    """What `pull` remembers in the output folder: the items built and each feed's validators."""

    built: set[str] = field(default_factory=set)
    validators: dict[str, fetch.Validators] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path) -> PullState:
        """The state kept in `out_dir`, plus the source links of the episodes in its store.
        Raises PublishError naming the file when it is unreadable."""
        path = Path(out_dir) / PULL_STATE_NAME
        state = cls(built={e.source_url for e in publish.EpisodeStore(out_dir).load() if e.source_url})
        if not path.exists():
            return state
        raw = read_bounded(path, STORE_MAX_BYTES, "pull state", PublishError)
        try:
            data = json.loads(raw.decode("utf-8"))
            built, feeds = data["built"], data["feeds"]
            if not (isinstance(built, list) and all(isinstance(key, str) for key in built)):
                raise TypeError("built must be a list of links")
            if not isinstance(feeds, dict):
                raise TypeError("feeds must be an object")
            state.built |= set(built)
            for url, value in feeds.items():
                etag, modified = value.get("etag"), value.get("last_modified")
                if not all(v is None or isinstance(v, str) for v in (etag, modified)):
                    raise TypeError(f"the validators of {url} must be strings")
                state.validators[url] = fetch.Validators(etag, modified)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise PublishError(f"cannot read what pull built ({exc}); delete it to start over", path) from None
        return state

    @staticmethod
    def update(out_dir: Path, built: Sequence[str] = (), feed: tuple[str, fetch.Validators] | None = None) -> None:
        """Add to the state on disk, under the folder's lock (another pull may be adding too)."""
        with publish.folder_lock(out_dir):
            state = PullState.load(out_dir)
            state.built |= set(built)
            if feed is not None:
                state.validators[feed[0]] = feed[1]
            data = {
                "built": sorted(state.built),
                "feeds": {
                    url: {"etag": v.etag, "last_modified": v.last_modified} for url, v in state.validators.items()
                },
            }
            publish.atomic_write(Path(out_dir) / PULL_STATE_NAME, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


BuildAll = Callable[[Sequence[Article]], Sequence[str | None]]
"""Builds articles into the output folder (one publish for all of them, pipeline.Builder.publish, or one
by one): for each, None when it was built, else the one line that says why not. Raises PublishError
when the output folder itself fails (no article could be built)."""


@dataclass(frozen=True)
class Gathered:
    """One source read: the articles of its new items, to build, and its report so far."""

    report: SourceReport
    articles: tuple[tuple[str, Article], ...] = ()
    """(the item's key, its article), oldest first."""
    validators: fetch.Validators | None = None
    """The feed's validators, to keep once every item is built."""


def pull_sources(
    sources: Sequence[SourceSettings],
    out_dir: Path,
    fetcher: fetch.Fetcher,
    build_all: BuildAll,
    note: Callable[[str], None],
) -> list[SourceReport]:
    """Read every source, build all their new items together (`build_all`: in parallel, one
    publish), then record what was built. Every failure ends up in a report, never raised
    (but a PublishError about the output folder itself is raised: nothing could build)."""
    seen: set[str] = set()
    gathered = [gather_source(source, out_dir, fetcher, note, seen) for source in sources]
    articles = [article for g in gathered for _, article in g.articles]
    outcomes = list(build_all(articles)) if articles else []
    reports = []
    for g in gathered:
        mine, outcomes = outcomes[: len(g.articles)], outcomes[len(g.articles) :]
        reports.append(finish_source(out_dir, g, mine, note))
    return reports


def gather_source(
    source: SourceSettings, out_dir: Path, fetcher: fetch.Fetcher, note: Callable[[str], None], seen: set[str]
) -> Gathered:
    """Read one source and fetch the articles of its new items (those not built yet, the newest
    max_per_run of them); a feed or an item that fails is one line (`note`) and in the report. `seen`: the article
    links gathered so far in this run (the same article in two feeds is built once)."""
    state = PullState.load(out_dir)
    try:
        response = fetcher.get(source.url, accept=FEED_ACCEPT, validators=state.validators.get(source.url))
        if response.not_modified:
            return Gathered(SourceReport(source, unchanged=True))
        feed = parse_feed(response.content, source.url)
    except FetchError as exc:
        note(f"{source.url}: {exc.message}")
        return Gathered(SourceReport(source, error=exc.message))
    new = [item for item in feed.items if item.key not in state.built]
    known = len(feed.items) - len(new)
    left = max(0, len(new) - source.max_per_run)
    new = new[left:]
    articles: list[tuple[str, Article]] = []
    failed: list[str] = []
    for item in new:
        if item.key in PullState.load(out_dir).built or item.key in seen:  # another pull built it, or a feed here
            known += 1
            continue
        try:
            article = item_article(item, fetcher)
        except AudioNewsError as exc:
            line = str(exc) if exc.path else f"{item.key}: {exc}"
            failed.append(line)
            note(line)
            continue
        if (
            article.url
            and article.url != item.key
            and (article.url in PullState.load(out_dir).built or article.url in seen)
        ):
            PullState.update(out_dir, [item.key])  # the same article under another link
            known += 1
            continue
        seen.update([item.key, *([article.url] if article.url else [])])
        articles.append((item.key, article))
    report = SourceReport(source, failed=tuple(failed), known=known, left=left)
    return Gathered(report, tuple(articles), response.validators)


def finish_source(
    out_dir: Path, gathered: Gathered, outcomes: Sequence[str | None], note: Callable[[str], None]
) -> SourceReport:
    """Record the items of one source that were built (`outcomes`: None, or why one failed); keep the
    feed's validators only when every item was built, so the next run tries the failed ones again."""
    report = gathered.report
    built: list[str] = []
    keys: list[str] = []
    failed = list(report.failed)
    for (key, article), outcome in zip(gathered.articles, outcomes):
        if outcome is None:
            built.append(article.url or key)
            keys += [key, *([article.url] if article.url else [])]
        else:
            failed.append(outcome)
            note(outcome)
    if keys:
        PullState.update(out_dir, keys)
    validators = gathered.validators
    if not failed and not report.left and validators is not None and validators != fetch.Validators():
        PullState.update(out_dir, feed=(report.source.url, validators))
    return replace(report, built=tuple(built), failed=tuple(failed))
