"""Runs the stages in order; nothing else.

    read_article → build_script → diacritize_script → synthesize_clips (through the sentence cache)
        → render (MP3; the clips stream into it) → write_tags → sidecars → store → feed → web player

Heavy things (the diacritizer model, the speech engine) are made once per run
in a Builder and reused for every article. The MP3 is rendered and tagged under
a temporary name, outside the output folder's lock (the slow part). Then, under
the lock, one publish.Publication puts in the transcripts, the MP3, the store,
the pages, the index and the feed: all of them or none, even after kill -9,
because every change is journaled first and the next command (build or feed,
through `recover`) undoes a publish that did not reach its commit line, finishes
one that did, and deletes the temporary files of dead processes. A failed build
leaves the previous episode and feed as they were: a first build that fails
leaves no output folder behind. The ffmpeg to use is probed when the Builder is
made, so one that lacks a feature fails before any synthesis.

A build is two halves, so that many articles can be voiced at once (cluster.py,
on Dask workers) and published together: `Builder.voice` (text stages, synthesis,
render, tags: no output folder, nothing that depends on the episode's identity)
and `Builder.publish` (identity, slug, files, store, feed, pages, retention for a
batch of voiced articles, as one publish under the lock). `Builder.build` is one
article through both.

Managing the podcast goes through the same Publication: retention ([podcast]
keep_last, max_age_days) removes expired episodes in the build's own publish, and
`remove_episodes` is a publish that only takes episodes out. `Builder.plan` is
build --dry-run: the text stages and a simulated publish, nothing written.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from . import diacritize, normalize, player, publish, stitch, synthesize, tag
from .cache import (
    SentenceCache,
    TextCache,
    VoiceCache,
    diacritizer_key,
    episode_key,
    package_versions,
    source_digest,
    voice_key,
)
from .config import Settings, TextSettings
from .engines import Engine, load_engine
from .errors import PublishError
from .models import Article, Clip, Episode, Rendering, Script
from .reading import Reading, read_script
from .voices import VoiceProfile, find_profile

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildResult:
    """One article built: its episode and how long it took."""

    episode: Episode
    rendering: Rendering
    seconds: float
    synth_seconds: float
    recovered: publish.Recovery = publish.Recovery()
    """What a process killed while this one ran had left half done, and was fixed."""
    replaced: Episode | None = None
    """The episode this build replaced (same guid: the same article rebuilt), or None if new."""
    expired: tuple[Episode, ...] = ()
    """Episodes the retention setting removed in the same publish (keep_last, max_age_days)."""

    @property
    def audio_changed(self) -> bool:
        """A replaced episode's MP3 differs from the new one (its enclosure's ?v= token changed)."""
        return self.replaced is not None and self.replaced.audio_version != self.episode.audio_version

    @property
    def real_time_factor(self) -> float:
        """Synthesis seconds per second of audio (below 1 is faster than real time)."""
        return self.synth_seconds / max(self.rendering.duration_ms / 1000.0, 1e-9)


@dataclass(frozen=True)
class Voiced:
    """One article voiced by the worker half of a build (Builder.voice): its tagged
    MP3 and where everything is in it. Nothing here depends on the output folder or
    the episode's identity, so it can be made on another machine."""

    article: Article
    rendering: Rendering
    mp3: Path
    """The tagged MP3: a temporary file, renamed into place by Builder.publish."""
    seconds: float
    synth_seconds: float
    sections: tuple[Path, ...] = ()
    """With --sections: each chapter's tagged MP3 (temporary files, like `mp3`), in order."""


def section_temp(dest: Path, n: int) -> Path:
    """The temporary file for chapter `n`'s MP3 beside the episode's temporary `dest`: a hidden
    .<name>.<pid>.tmp stays one (the pid kept last, so recovery knows whose it is)."""
    head, dot, tail = dest.name.rpartition(".")
    stem, _, pid = head.rpartition(".")
    if dest.name.startswith(".") and tail == "tmp" and pid.isdigit():
        return dest.with_name(f"{stem}.s{n:02d}.{pid}.tmp")
    return dest.with_name(f"{dest.name}.s{n:02d}")


def prepare(
    article: Article,
    settings: Settings,
    profile: VoiceProfile,
    diacritizer: diacritize.Diacritizer | None,
    cache: TextCache | None = None,
) -> Script:
    """The text stages: what the voice will read, chapter by chapter (the diacritizer's
    outputs read from `cache` where they are there)."""
    script = normalize.build_script(article, settings.text)
    if profile.diacritize and diacritizer is not None:
        script = diacritize.diacritize_script(script, diacritizer if cache is None else cache.wrap(diacritizer))
    return script


def text_cache(cache: SentenceCache, diacritizer: diacritize.Diacritizer, text: TextSettings) -> TextCache:
    """The cache of `diacritizer`'s outputs (made from `text`): keyed by its model, its lexicon's
    bytes, the versions of the packages that hold the models, and the source of the code around them."""
    lexicon = Path(text.lexicon) if text.lexicon else diacritize.default_lexicon_path()
    packages = package_versions(("text2tashkeel", "dengjen-tashkeel-py"))
    code = source_digest("audio_news.diacritize", "audio_news.arabic")
    return TextCache(
        cache, diacritizer_key(diacritizer.model, lexicon.read_bytes() if lexicon else b"", packages, code)
    )


def with_rate(profile: VoiceProfile, rate: int | None) -> VoiceProfile:
    """The profile with its `rate` setting replaced (None: as it is); the engine checks the value."""
    if rate is None:
        return profile
    return replace(profile, settings=MappingProxyType({**profile.settings, "rate": rate}))


class Builder:
    """Builds episodes into one output folder with one voice (at `rate`, if given)."""

    def __init__(self, settings: Settings, out_dir: Path, rate: int | None = None, sections: bool = False) -> None:
        self.settings = settings
        self.sections = sections
        """Also write each chapter as an MP3 of its own (episodes/<slug>.NN.mp3, build --sections)."""
        self.out_dir = Path(out_dir)
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise PublishError("is a file, not a folder", self.out_dir)
        self.profile = with_rate(find_profile(settings.voice), rate)
        stitch.find_ffmpeg(settings.audio.ffmpeg)  # a named ffmpeg that lacks a feature fails before any work
        stitch.sweep_work_folders(publish.pid_alive)  # what renders killed with -9 left in the temp folder
        self.cache = SentenceCache.from_settings(settings.cache)
        self._engine: Engine | None = None
        self._diacritizer: diacritize.Diacritizer | None = None
        self._text_cache: TextCache | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = load_engine(self.profile)
        return self._engine

    @property
    def diacritizer(self) -> diacritize.Diacritizer | None:
        if self._diacritizer is None and self.profile.diacritize:
            self._diacritizer = diacritize.Diacritizer.from_settings(self.settings.text)
        return self._diacritizer

    @property
    def text_cache(self) -> TextCache | None:
        """The diacritizer's outputs kept in the cache (None: no cache, or a voice without tashkeel)."""
        if self._text_cache is None and self.cache is not None and self.diacritizer is not None:
            self._text_cache = text_cache(self.cache, self.diacritizer, self.settings.text)
        return self._text_cache

    def read(self, article: Article) -> Reading:
        """What the voice will read for `article`: the text stages of build, and the engine's input."""
        script = prepare(article, self.settings, self.profile, self.diacritizer, self.text_cache)
        return read_script(script, self.engine, voice=self.profile.name, max_chars=self.profile.max_chars)

    def build(self, article: Article, on_sentence: Progress | None = None) -> BuildResult:
        """Article → episode files in the output folder, the store and the feed updated:
        `voice` into a hidden temporary MP3 beside where it will go, then `publish`."""
        started = time.perf_counter()
        # a corrupt store fails before any file is written (identity is settled again under the lock)
        guid, _ = publish.episode_identity(article, publish.EpisodeStore(self.out_dir).load())
        with episodes_folder(self.out_dir) as episodes_dir:
            tmp = publish.temp_path_for(episodes_dir / f"{publish.slugify(article.title, guid=guid)}.mp3")
            try:
                voiced = self.voice(article, tmp, on_sentence)
                (result,) = self.publish([voiced], started=started)
            except BaseException:
                publish.discard(tmp)
                raise
        if self.cache is not None:
            self.cache.trim()  # over its cap: the least recently used clips go
        return result

    def voice(self, article: Article, dest: Path, on_sentence: Progress | None = None) -> Voiced:
        """The worker half of a build: article → tagged MP3 at `dest`, no output folder involved.

        The tags carry nothing of the episode's identity (no guid, slug or number),
        so the MP3 is the same wherever it is made: on this machine, or on a Dask
        worker that sends its bytes back (cluster.py) for `publish` to put in place.
        """
        started = time.perf_counter()
        script = prepare(article, self.settings, self.profile, self.diacritizer, self.text_cache)
        engine = self.engine
        cache, voice = None, ""
        if self.cache is not None:
            voice = voice_key(self.profile, engine.sample_rate, source_digest(type(engine).__module__))
            cache = VoiceCache(self.cache, voice, engine.sample_rate)
        # Synthesis streams into the render: each clip is made when stitch asks for it.
        clips = _Timed(
            synthesize.synthesize_clips(
                script, engine, max_chars=self.profile.max_chars, on_sentence=on_sentence, cache=cache
            )
        )
        section_tmps: list[Path] = []

        def section_path(n: int) -> Path:
            section_tmps.append(section_temp(dest, n))
            return section_tmps[-1]

        try:
            publish.crash_point("synthesized")
            rendering = self._render(
                script,
                dest,
                clips,
                f"{voice} max_chars={self.profile.max_chars}",
                section_path if self.sections else None,
            )
            publish.crash_point("rendered")
            self._tag(article, rendering, dest, section_tmps)
            publish.crash_point("tagged")
        except BaseException:
            for path in section_tmps:
                publish.discard(path)
            raise
        return Voiced(article, rendering, dest, time.perf_counter() - started, clips.seconds, tuple(section_tmps))

    def _tag(self, article: Article, rendering: Rendering, dest: Path, sections: Sequence[Path]) -> None:
        """The episode's tags, and each section file's (its chapter's title, track n/N)."""
        podcast = self.settings.podcast
        cover = publish.cover_bytes(podcast.image)
        tags = tag.EpisodeTags(
            title=article.title,
            artist=podcast.author,
            publisher=podcast.author,
            album=podcast.title,
            date=(article.date or dt.date.today()).isoformat(),
            comment=article.lead,
            transcript=publish.transcript_text(article.title, rendering),
            cover=cover[0],
            cover_mime=cover[1],
            chapters=rendering.chapters,
            source_url=article.url or "",
        )
        tag.write_tags(dest, tags)
        for n, (section, chapter) in enumerate(zip(sections, rendering.chapters), 1):
            # a section is a track of the article: its chapter's title, the article as album, no lead or text
            track = f"{n}/{len(sections)}"
            tag.write_tags(
                section,
                replace(
                    tags, title=chapter.title, album=article.title, track=track, comment="", transcript="", chapters=()
                ),
            )

    def publish(self, voiced: Sequence[Voiced], started: float | None = None) -> tuple[BuildResult, ...]:
        """The coordinator half: put voiced articles into the output folder as ONE publish.

        Under the folder lock, after recovering what a killed command left: each
        article's identity from the store (as it stands with the articles before it
        in `voiced`), its slug, sidecars and MP3 (renamed from `Voiced.mp3`, which
        must be a temporary file in the episodes folder); then the store, the pages
        and the feed once for all of them, and the replaced and expired episodes'
        files removed at the commit. Retention runs after each article as a build
        of each in turn would, so the outcome is that of building them one by one.
        All or nothing: on any error no article is published and the temporary MP3s
        are deleted. `started` (perf_counter): when the work began, for the one
        article of `build`; else each result's seconds are its voicing plus this publish.
        """
        if not voiced:
            return ()
        begun = time.perf_counter()
        podcast = self.settings.podcast
        store = publish.EpisodeStore(self.out_dir)
        episodes_dir = self.out_dir / publish.EPISODES_DIR
        built: list[tuple[Voiced, Episode, Episode | None, tuple[Episode, ...]]] = []
        try:
            with publish.folder_lock(self.out_dir):  # another build may be publishing too
                recovered = publish.recover(self.out_dir)  # one that died since the command began
                episodes = store.load()
                with publish.Publication(self.out_dir) as pub:
                    removals: list[tuple[Episode, Episode]] = []
                    for item in voiced:
                        article, rendering = item.article, item.rendering
                        guid, source_hash = publish.episode_identity(article, episodes)
                        slug = publish.slugify(article.title, guid=guid)
                        mp3 = episodes_dir / f"{slug}.mp3"
                        sidecars = publish.write_transcripts(self.out_dir, slug, rendering, article.title, pub.write)
                        captions = publish.write_captions(self.out_dir, slug, rendering, pub.write)
                        artwork = publish.episode_artwork(self.out_dir, slug, article.image, pub.write)
                        before = next((e for e in episodes if e.guid == guid), None)
                        pub.place(item.mp3, mp3)
                        sections = [episodes_dir / f"{slug}.{n:02d}.mp3" for n in range(1, len(item.sections) + 1)]
                        for section, target in zip(item.sections, sections):
                            pub.place(section, target)
                        episode = Episode(
                            guid=guid,
                            slug=slug,
                            title=article.title,
                            description=article.lead,
                            pub_date=_pub_date(article, before),
                            duration_ms=rendering.duration_ms,
                            size=mp3.stat().st_size,
                            audio=mp3.relative_to(self.out_dir).as_posix(),
                            transcript_vtt=sidecars[0],
                            transcript_txt=sidecars[1],
                            chapters_json=sidecars[2],
                            chapters=rendering.chapters,
                            source_url=article.url,
                            article_date=article.date,
                            voice=self.profile.name,
                            loudness_lufs=rendering.loudness_lufs,
                            true_peak_db=rendering.true_peak_db,
                            source_hash=source_hash,
                            audio_version=publish.audio_version(mp3),
                            captions_vtt=captions,
                            image=artwork,
                            number=before.number if before and before.number else publish.next_number(episodes),
                            sections=tuple(s.relative_to(self.out_dir).as_posix() for s in sections),
                        )
                        others = [e for e in episodes if e.guid != guid]
                        episodes = tuple(sorted([episode, *others], key=lambda e: e.pub_date, reverse=True))
                        # retention: in this publish, so the new episodes and the removals are one step
                        gone = publish.expired(episodes, podcast.keep_last, podcast.max_age_days, _now(), keep=guid)
                        episodes = _without(episodes, gone)
                        removals += [(old, episode) for old in (before, *gone) if old is not None]
                        built.append((item, episode, before, gone))
                    store.save(episodes, pub.write)
                    _write_feed_and_site(self.out_dir, self.settings, episodes, pub)
                    for old, new in removals:
                        publish.remove_episode_files(self.out_dir, old, keep=new, remove=pub.remove)
        except BaseException:
            for item in voiced:
                for path in (item.mp3, *item.sections):
                    publish.discard(path)
            raise
        took = time.perf_counter() - begun
        return tuple(
            BuildResult(
                episode,
                item.rendering,
                time.perf_counter() - started if started is not None else item.seconds + took,
                item.synth_seconds,
                recovered if n == 0 else publish.Recovery(),
                replaced,
                gone,
            )
            for n, (item, episode, replaced, gone) in enumerate(built)
        )

    def _render(
        self,
        script: Script,
        dest: Path,
        clips: Iterator[Clip],
        voice: str,
        sections: Callable[[int], Path] | None = None,
    ) -> Rendering:
        """stitch.render of the clips as they are made, or the same MP3 and times from the cache
        when nothing it reads has changed (then no clip is made: `voice` names what would make them).
        Section files (`sections`) are not cached: asking for them renders again."""
        audio, pauses = self.settings.audio, self.settings.pauses
        if self.cache is None or sections is not None:
            return stitch.render(script, audio, pauses, dest, clips, sections)
        ffmpeg = stitch.find_ffmpeg(audio.ffmpeg)
        version = f"{ffmpeg.path} {ffmpeg.version}"
        key = episode_key(script, audio, pauses, version, source_digest(stitch.__name__), voice)
        found = self.cache.get_episode(key, dest)
        if found is not None:
            return found
        rendering = stitch.render(script, audio, pauses, dest, clips)
        self.cache.put_episode(key, rendering, dest)
        return rendering

    def plan(self, articles: Sequence[Article]) -> tuple[Plan, ...]:
        """What building `articles` in order would do, without writing anything (build --dry-run).

        Runs the text stages (so an article the normalizer or diacritizer refuses
        fails here too) and reads the store as it is, then simulates each publish:
        the episode's guid and files, the one it would replace, and what retention
        would remove. No synthesis, no lock, no recovery: nothing is written.
        """
        podcast = self.settings.podcast
        episodes = publish.EpisodeStore(self.out_dir).load()
        plans = []
        for article in articles:
            script = prepare(article, self.settings, self.profile, self.diacritizer)
            guid, _ = publish.episode_identity(article, episodes)
            slug = publish.slugify(article.title, guid=guid)
            previous = next((e for e in episodes if e.guid == guid), None)
            pub_date = _pub_date(article, previous)
            stem = f"{publish.EPISODES_DIR}/{slug}"
            files: tuple[str, ...] = (
                f"{stem}.mp3",
                f"{stem}.vtt",
                f"{stem}.txt",
                f"{stem}.chapters.json",
                f"{stem}.html",
            )
            if self.sections:  # one per chapter: a part with something to say
                voiced = sum(any(s.spoken.strip() for b in part.blocks for s in b.sentences) for part in script.parts)
                files += tuple(f"{stem}.{n:02d}.mp3" for n in range(1, voiced + 1))
            # a stand-in for the episode the build would store: what retention sorts by is its date
            placeholder = Episode(guid, slug, article.title, article.lead, pub_date, 0, 0, files[0], "", "", "")
            episodes = tuple(
                sorted([placeholder, *(e for e in episodes if e.guid != guid)], key=lambda e: e.pub_date, reverse=True)
            )
            gone = publish.expired(episodes, podcast.keep_last, podcast.max_age_days, _now(), keep=guid)
            episodes = _without(episodes, gone)
            sentences = sum(len(block.sentences) for part in script.parts for block in part.blocks)
            plans.append(Plan(guid, slug, article.title, pub_date, files, previous, gone, len(script.parts), sentences))
        return tuple(plans)


@dataclass(frozen=True)
class Plan:
    """What `build --dry-run` reports for one article: what a build would write, replace and remove."""

    guid: str
    slug: str
    title: str
    pub_date: dt.datetime
    files: tuple[str, ...]
    """Written (or rewritten), relative to the output folder: the MP3, its sidecars and its page."""
    replaced: Episode | None
    """The stored episode with the same guid, replaced by the build; None: a new episode."""
    expired: tuple[Episode, ...]
    """Episodes retention would remove after this one is published."""
    chapters: int
    sentences: int


@contextmanager
def episodes_folder(out_dir: Path) -> Iterator[Path]:
    """The output folder's episodes folder, made for a build (the temporary MP3s go there).

    If the block fails, the folders it made go again: the output folder and its
    parents where they are new, and any folder made inside it (a first build that
    fails leaves no output folder behind)."""
    out_dir = Path(out_dir)
    created, folders_before = _missing_folders(out_dir), _folders_in(out_dir)
    try:
        yield publish.ensure_folder(out_dir / publish.EPISODES_DIR)
    except BaseException:
        new_folders = sorted(_folders_in(out_dir) - folders_before, key=lambda p: len(p.parts), reverse=True)
        _remove_folders([*new_folders, *created])
        raise


class _Timed:
    """An iterator that keeps the time spent making its items (synthesis, while stitch consumes it)."""

    def __init__(self, items: Iterator[Clip]) -> None:
        self.items, self.seconds = items, 0.0

    def __iter__(self) -> _Timed:
        return self

    def __next__(self) -> Clip:
        started = time.perf_counter()
        try:
            return next(self.items)
        finally:
            self.seconds += time.perf_counter() - started


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _without(episodes: Sequence[Episode], gone: Sequence[Episode]) -> tuple[Episode, ...]:
    names = {e.guid for e in gone}
    return tuple(e for e in episodes if e.guid not in names)


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and those of its parents that do not exist yet, innermost first."""
    missing = []
    for path in (folder, *folder.parents):
        if path.exists():
            break
        missing.append(path)
    return missing


def _folders_in(folder: Path) -> set[Path]:
    """Every folder below `folder` (none when it does not exist)."""
    return {Path(root) / name for root, names, _ in os.walk(folder) for name in names}


def _remove_folders(created: Sequence[Path]) -> None:
    """After a failed build (its files already undone): the folders it made,
    innermost first, if nothing else is in them. Never raises.

    A folder this build made may hold the bookkeeping the publish step wrote
    there (the lock file, the podcast:guid); with nothing else beside them they
    are this build's too, and go with the folder."""
    bookkeeping = {publish.LOCK_NAME, publish.GUID_NAME}
    for folder in created:
        try:
            if {entry.name for entry in folder.iterdir()} <= bookkeeping:
                for name in bookkeeping:
                    (folder / name).unlink(missing_ok=True)
            folder.rmdir()
        except OSError:
            continue  # not empty (or not ours to remove): its parents are not empty either


def _pub_date(article: Article, previous: Episode | None) -> dt.datetime:
    """A rebuild keeps its place in the feed; else the moment its source feed gives, the article's
    own date, or now."""
    if previous is not None:
        return previous.pub_date
    now = _now()
    if article.published is not None and article.published.tzinfo is not None and article.published < now:
        return article.published.astimezone(dt.UTC).replace(microsecond=0)
    if article.date is not None and article.date < now.date():
        return dt.datetime.combine(article.date, dt.time(), dt.UTC)
    return now


def recover(out_dir: Path) -> publish.Recovery:
    """Finish or undo what a killed build or `feed` left in `out_dir` (see
    publish.recover); nothing to do where there is no folder yet."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return publish.Recovery()
    with publish.folder_lock(out_dir):
        return publish.recover(out_dir)


def publish_feed(out_dir: Path, settings: Settings) -> Path:
    """Rewrite feed.xml and the web player from the store, as one publish."""
    store = _existing_store(Path(out_dir))
    with publish.folder_lock(out_dir):
        publish.recover(out_dir)
        with publish.Publication(out_dir) as pub:
            return _write_feed_and_site(out_dir, settings, store.load(), pub)


def list_episodes(out_dir: Path) -> tuple[publish.Recovery, tuple[Episode, ...]]:
    """The published episodes, newest first, after recovering what a killed
    command left (under the folder lock, so a publish in progress is never read half done)."""
    store = _existing_store(Path(out_dir))
    with publish.folder_lock(out_dir):
        recovered = publish.recover(out_dir)
        return recovered, store.load()


def remove_episodes(
    out_dir: Path, settings: Settings, keys: Sequence[str]
) -> tuple[publish.Recovery, tuple[Episode, ...]]:
    """Unpublish the episodes named by guid or slug: their files, their store entries,
    their feed items and their player pages, as one publish (all or nothing, even
    after kill -9). Nothing else changes, except the pages that list episodes
    (index, feed). Raises InputError naming a key that matches no episode, before
    anything is written."""
    out_dir = Path(out_dir)
    store = _existing_store(out_dir)
    with publish.folder_lock(out_dir):
        recovered = publish.recover(out_dir)
        episodes = store.load()
        gone = tuple({e.guid: e for e in (publish.find_episode(episodes, key, store.path) for key in keys)}.values())
        kept = _without(episodes, gone)
        with publish.Publication(out_dir) as pub:
            store.save(kept, pub.write)
            _write_feed_and_site(out_dir, settings, kept, pub)
            for episode in gone:
                publish.remove_episode_files(out_dir, episode, remove=pub.remove)
    return recovered, gone


def _existing_store(out_dir: Path) -> publish.EpisodeStore:
    store = publish.EpisodeStore(out_dir)
    if not store.path.is_file():
        raise PublishError(f"no episode store ({store.path.name}) here: build an article into it first", out_dir)
    return store


def _write_feed_and_site(
    out_dir: Path, settings: Settings, episodes: Sequence[Episode], pub: publish.Publication
) -> Path:
    """Cover, pages, index, then the feed: a reader never finds a link to a file not
    yet there, and subscribers see the new feed only at the last step."""
    cover = publish.ensure_cover(out_dir, settings.podcast.image, pub.write)
    player.write_site(out_dir, episodes, settings.podcast, pub.write, pub.remove)
    return publish.write_feed(out_dir, settings.podcast, episodes, cover, pub.write)
