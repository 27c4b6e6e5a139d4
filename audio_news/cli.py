"""The typer app: the only place that prints or exits.

Every command catches AudioNewsError, prints its one line to stderr and exits
with its code; `--debug` re-raises to show the traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from . import __version__
from .config import Settings, load_settings, with_overrides
from .errors import AudioNewsError, InputError, PublishError
from .models import Article

if TYPE_CHECKING:
    from .cache import SentenceCache
    from .models import Episode
    from .pipeline import Builder, BuildResult, Plan, Voiced
    from .publish import Recovery

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Arabic news articles → chaptered podcast episodes and a feed."
)
out = Console()
err = Console(stderr=True)
_state = {"debug": False}

OutOpt = typer.Option(Path("output"), "--out", "-o", help="Output folder (feed, episodes, player).")
ConfigOpt = typer.Option(None, "--config", "-c", help="Settings TOML file.", exists=False)
RateOpt = typer.Option(
    None, "--rate", min=80, max=450, help="Speaking rate in words per minute (espeak voices; default: the profile's)."
)

JobsOpt = typer.Option(
    os.cpu_count() or 1,
    "--jobs",
    "-j",
    min=1,
    envvar="AUDIO_NEWS_JOBS",
    show_envvar=True,
    help="Articles voiced at once, each in its own worker process (default: $AUDIO_NEWS_JOBS, else the number of cores; "
    "not used with --scheduler); the store, feed and player are then written once for all of them.",
)
SchedulerOpt = typer.Option(
    None,
    "--scheduler",
    metavar="ADDRESS",
    help="Voice the articles on a Dask cluster (tcp://host:8786): workers with audio-news and the voice "
    "installed; the MP3s come back here and are published here.",
)


def _print_version(value: bool) -> None:
    if value:
        out.print(f"audio-news {__version__}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def main(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    _state["debug"] = debug


def _warn_if_local(settings: Settings) -> None:
    """One line when the feed's base URL is this machine only (the default): apps elsewhere cannot reach it."""
    from .publish import local_only

    base = settings.podcast.base_url
    if local_only(base):
        err.print(
            f"audio-news: warning: base_url is {base}, so the feed is reachable only from this machine; "
            "set base_url under [podcast] in the --config file or pass --base-url https://your.host/podcast/ "
            "(podcast:guid is made from the first such URL and kept when the feed moves)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    _warn_if_no_email(settings)


def _warn_if_no_email(settings: Settings) -> None:
    """One line when [podcast] email is unset: the feed's itunes:owner then has a name only."""
    if not settings.podcast.email:
        err.print(
            'audio-news: warning: no e-mail under [podcast] (email = "you@example.org"), so itunes:owner has a '
            "name only; directories (Apple Podcasts) require the owner's e-mail to list the podcast",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def _print_error(exc: AudioNewsError) -> None:
    err.print(f"audio-news: error: {exc}", markup=False, highlight=False, soft_wrap=True)


def _print_recovery(out_dir: Path, recovery: Recovery) -> None:
    """One line when a killed build or feed had left the folder half done."""
    if recovery:
        err.print(
            f"audio-news: recovered {out_dir}: {recovery.describe()}", markup=False, highlight=False, soft_wrap=True
        )


@contextmanager
def _reported() -> Iterator[None]:
    """Turn our errors into one line and an exit code."""
    try:
        yield
    except AudioNewsError as exc:
        if _state["debug"]:
            raise
        _print_error(exc)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("audio-news: interrupted; nothing was half-written", markup=False)
        raise typer.Exit(130) from None


def _read_lines(source: str) -> list[str]:
    """The lines of a text file (checked as articles are) or of stdin ("-", read up to the article limit)."""
    from . import ingest
    from .limits import ARTICLE_MAX_BYTES, size_text

    if source != "-":
        lines = ingest.read_text(Path(source), allow_empty=True).splitlines()
    else:
        source = "<stdin>"
        data = sys.stdin.buffer.read(ARTICLE_MAX_BYTES + 1)
        if len(data) > ARTICLE_MAX_BYTES:
            raise InputError(f"more input than the limit of {size_text(ARTICLE_MAX_BYTES)}", source)
        try:
            lines = data.decode("utf-8-sig").splitlines()
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", source) from None
    for line in lines:  # a line the diacritizer cannot take is refused here, naming the file
        ingest.check_runs(line, source)
    return lines


def _read_all(paths: list[Path]) -> list[Article]:
    """Read every article; name each bad one on its own line, then fail with the first."""
    from . import ingest

    parsed, errors, seen = [], [], set()
    for path in paths:
        key = os.path.realpath(path)  # Path.resolve raises on a symlink loop; read_article names it
        if key in seen:  # named twice: built once
            continue
        seen.add(key)
        try:
            parsed.append(ingest.read_article(path))
        except InputError as exc:
            errors.append(exc)
    _raise_first(errors)
    return parsed


def _raise_first(errors: Sequence[AudioNewsError]) -> None:
    """Name every error but the first on its own line, then raise the first (the CLI's one line)."""
    for extra in errors[1:]:
        _print_error(extra)
    if errors:
        raise errors[0]


def _read_inputs(inputs: list[str]) -> list[Article]:
    """Articles from files and (fetched) page URLs, in the order given; every one is read
    (each bad one named on its own line) before the first error is raised."""
    from . import fetch

    urls = [arg for arg in inputs if fetch.is_url(arg)]
    if not urls:
        return _read_all([Path(arg) for arg in inputs])
    parsed: list[Article] = []
    errors: list[AudioNewsError] = []
    with fetch.Fetcher() as fetcher:
        for arg in dict.fromkeys(inputs):
            try:
                parsed.extend([fetch.fetch_article(fetcher, arg)] if arg in urls else _read_all([Path(arg)]))
            except AudioNewsError as exc:
                errors.append(exc)
    _raise_first(errors)
    return parsed


def _progress() -> Progress:
    """A progress bar on stderr, shown only on a terminal and gone when done."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _build_one(builder: Builder, article: Article, out_dir: Path, *, quiet: bool = False) -> BuildResult:
    """Build one article with a progress bar on a terminal; print its line (unless `quiet`)."""
    with _progress() as bar:
        name = article.source if "://" in article.source else Path(article.source).name
        task = bar.add_task(f"{name}: synthesizing", total=None)

        def progress(done: int, total: int, task: TaskID = task, name: str = name) -> None:
            stage = "synthesizing" if done < total else "stitching, tagging, publishing"
            bar.update(task, completed=done, total=total, description=f"{name}: {stage}")

        result = builder.build(article, progress)
    return _print_result(article, result, out_dir, quiet=quiet)


def _print_result(article: Article, result: BuildResult, out_dir: Path, *, quiet: bool = False) -> BuildResult:
    """An article's line (unless `quiet`), its warning, what it replaced and what retention removed."""
    _print_recovery(out_dir, result.recovered)
    ep = result.episode
    if result.rendering.warning:
        err.print(
            f"audio-news: warning: {article.source}: {result.rendering.warning}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if quiet:
        return result
    minutes, seconds = divmod(round(ep.duration_ms / 1000), 60)
    chapters = f"{len(ep.chapters)} chapter{'s' if len(ep.chapters) != 1 else ''}"
    out.print(
        f"{article.source} → {out_dir / ep.audio}: {minutes}:{seconds:02d}, "
        f"{chapters}, built in {result.seconds:.1f} s "
        f"(synthesis real-time factor {result.real_time_factor:.3f})",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if result.replaced is not None:
        what = (
            "new audio under the same guid (its ?v= token changed: apps fetch it again)"
            if result.audio_changed
            else "the audio is unchanged"
        )
        out.print(
            f"replaced: episode {ep.guid} (first published {result.replaced.pub_date:%Y-%m-%d}): {what}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    for gone in result.expired:
        out.print(
            f"retention removed: {gone.slug} ({gone.guid}, published {gone.pub_date:%Y-%m-%d})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    return result


@app.command()
def build(
    articles: list[str] = typer.Argument(..., help="Article files (.txt, .md, .html) or http(s) page URLs."),
    out_dir: Path = OutOpt,
    base_url: str | None = typer.Option(None, "--base-url", help="Where the output folder is served."),
    voice: str | None = typer.Option(None, "--voice", help="Voice profile name or path to a .toml."),
    config: Path | None = ConfigOpt,
    rate: int | None = RateOpt,
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Read and check the articles, run the text stages, say what would be written, "
        "replaced and removed by retention; write nothing (no synthesis).",
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per article on stdout, for scripts."),
    sections: bool = typer.Option(
        False,
        "--sections",
        help="Also write each chapter as an MP3 of its own (episodes/<slug>.01.mp3, …), "
        "tagged with its title and track number, beside the chaptered episode.",
    ),
    jobs: int = JobsOpt,
    scheduler: str | None = SchedulerOpt,
) -> None:
    """Build each article (a file, or a page fetched from its URL) into an episode and update the feed."""
    import json

    from .pipeline import Builder, recover

    with _reported():
        settings = with_overrides(load_settings(config), base_url=base_url, voice=voice)
        parsed = _read_inputs(articles)  # every input checked before anything is built
        builder = Builder(settings, out_dir, rate=rate, sections=sections)
        if dry_run:
            from .publish import JOURNAL_NAME

            if (out_dir / JOURNAL_NAME).exists():
                err.print(
                    f"audio-news: note: {out_dir} holds an unfinished publish; a dry run reads it as it is, "
                    "the next real command (build, feed, list, remove) finishes or undoes it",
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
            for article, plan in zip(parsed, builder.plan(parsed)):
                _print_plan(article, plan, as_json)
            if not as_json:
                out.print(f"dry run: nothing was written to {out_dir}", markup=False, highlight=False, soft_wrap=True)
            return
        _print_recovery(out_dir, recover(out_dir))
        if len(parsed) == 1 and scheduler is None:  # one article: no cluster, a progress bar by sentence
            outcomes: list[BuildResult | Failed] = [_build_one(builder, parsed[0], out_dir, quiet=as_json)]
        else:
            outcomes = _build_many(builder, parsed, out_dir, rate, jobs, scheduler, quiet=as_json)
        failures = [o for o in outcomes if isinstance(o, Failed)]
        for failure in failures:
            err.print(f"audio-news: error: {failure.message}", markup=False, highlight=False, soft_wrap=True)
        if as_json:
            for article, outcome in zip(parsed, outcomes):
                if not isinstance(outcome, Failed):
                    sys.stdout.write(json.dumps(_result_dict(article, outcome), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        if len(failures) == len(outcomes):
            raise typer.Exit(failures[0].exit_code)  # nothing built: no feed to name
        if not as_json:
            out.print(f"feed: {out_dir / 'feed.xml'}", markup=False, highlight=False)
        _warn_if_local(settings)  # once, after the feed is written: a failed build says only why
        if failures:
            raise typer.Exit(failures[0].exit_code)


@dataclass(frozen=True)
class Failed:
    """An article of a batch that was not built: why (the line names the article), and the exit status."""

    message: str
    exit_code: int


def _build_many(
    builder: Builder,
    articles: Sequence[Article],
    out_dir: Path,
    rate: int | None,
    jobs: int,
    scheduler: str | None,
    *,
    quiet: bool = False,
) -> list[BuildResult | Failed]:
    """Voice `articles` on `jobs` worker processes (or the cluster at `scheduler`), then publish
    those that were voiced together: the store, feed and player written once. Returns each
    article's result (its line printed unless `quiet`) or why it failed, in order; nothing is
    published (and a new output folder goes again) when every article failed."""
    from . import cluster
    from .pipeline import episodes_folder

    class NothingVoiced(Exception):
        pass

    voiced: list[Voiced] = []
    results: tuple[BuildResult, ...] = ()
    try:
        with (
            _progress() as bar,
            episodes_folder(out_dir) as into,
        ):
            task = bar.add_task("voicing articles", total=len(articles))
            outcomes = cluster.voice_articles(
                articles,
                builder.settings,
                into,
                rate=rate,
                jobs=min(jobs, len(articles)),
                scheduler=scheduler,
                on_done=lambda done, total: bar.update(task, completed=done, total=total),
                sections=builder.sections,
            )
            voiced = [o for o in outcomes if not isinstance(o, cluster.Failure)]
            if not voiced:
                raise NothingVoiced
            bar.update(task, description="publishing")
            results = builder.publish(voiced)
    except NothingVoiced:
        pass
    published = iter(results)
    done: list[BuildResult | Failed] = []
    for article, outcome in zip(articles, outcomes):
        if isinstance(outcome, cluster.Failure):
            done.append(Failed(outcome.message, outcome.exit_code))
        else:
            done.append(_print_result(article, next(published), out_dir, quiet=quiet))
    return done


def _files(episode: Episode) -> list[str]:
    """An episode's files and its player page, relative to the output folder."""
    from .player import page_name
    from .publish import episode_files

    return [*episode_files(episode), page_name(episode)]


def _brief(episode: Episode) -> dict[str, str]:
    return {"guid": episode.guid, "slug": episode.slug, "title": episode.title}


def _result_dict(article: Article, result: BuildResult) -> dict[str, object]:
    """`build --json`: one article built, for scripts."""
    ep = result.episode
    return {
        "source": article.source,
        "guid": ep.guid,
        "slug": ep.slug,
        "title": ep.title,
        "pub_date": ep.pub_date.isoformat(),
        "files": _files(ep),
        "duration_ms": ep.duration_ms,
        "size": ep.size,
        "chapters": len(ep.chapters),
        "audio_version": ep.audio_version,
        "replaced": result.replaced is not None,
        "audio_changed": result.audio_changed,
        "expired": [_brief(e) for e in result.expired],
        "loudness_lufs": ep.loudness_lufs,
        "true_peak_db": ep.true_peak_db,
        "warning": result.rendering.warning,
        "seconds": round(result.seconds, 3),
        "real_time_factor": round(result.real_time_factor, 4),
    }


def _print_plan(article: Article, plan: Plan, as_json: bool) -> None:
    """`build --dry-run`: what building `article` would write, replace and remove."""
    import json

    if as_json:
        doc = {
            "dry_run": True,
            "source": article.source,
            "guid": plan.guid,
            "slug": plan.slug,
            "title": plan.title,
            "pub_date": plan.pub_date.isoformat(),
            "files": list(plan.files),
            "replaced": plan.replaced is not None,
            "expired": [_brief(e) for e in plan.expired],
            "chapters": plan.chapters,
            "sentences": plan.sentences,
        }
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return
    what = (
        f"new episode {plan.guid}"
        if plan.replaced is None
        else f"would replace episode {plan.guid} (first published {plan.replaced.pub_date:%Y-%m-%d})"
    )
    kinds = ", ".join(name.removeprefix(f"episodes/{plan.slug}") for name in plan.files)
    lines = [
        f"{article.source} → {plan.files[0]}: {what}, {plan.chapters} chapters, {plan.sentences} sentences; "
        f"would write {len(plan.files)} files ({kinds})"
    ]
    lines += [f"  retention would remove: {e.slug} ({e.guid}, {e.pub_date:%Y-%m-%d})" for e in plan.expired]
    for line in lines:
        out.print(line, markup=False, highlight=False, soft_wrap=True)


def _duration(ms: int) -> str:
    minutes, seconds = divmod(round(ms / 1000), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@app.command("list")
def list_cmd(
    out_dir: Path = OutOpt,
    as_json: bool = typer.Option(False, "--json", help="A JSON list of the episodes, for scripts."),
) -> None:
    """List the published episodes, newest first: date, duration, title, slug, guid."""
    import json

    from .pipeline import list_episodes

    with _reported():
        recovered, episodes = list_episodes(out_dir)
        _print_recovery(out_dir, recovered)
        if as_json:
            docs = [
                {
                    **_brief(e),
                    "pub_date": e.pub_date.isoformat(),
                    "duration_ms": e.duration_ms,
                    "files": _files(e),
                    "source_url": e.source_url,
                }
                for e in episodes
            ]
            sys.stdout.write(json.dumps(docs, ensure_ascii=False, indent=1) + "\n")
            return
        rows = [("date", "duration", "title", "slug", "guid")]
        rows += [(f"{e.pub_date:%Y-%m-%d}", _duration(e.duration_ms), _cut(e.title), e.slug, e.guid) for e in episodes]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            line = "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[4]])
            out.print(line, markup=False, highlight=False, soft_wrap=True)


def _cut(title: str, width: int = 40) -> str:
    title = " ".join(title.split())
    return title if len(title) <= width else title[: width - 1] + "…"


@app.command()
def remove(
    episodes: list[str] = typer.Argument(..., help="Episodes to unpublish, by guid or slug (see `audio-news list`)."),
    out_dir: Path = OutOpt,
    base_url: str | None = typer.Option(None, "--base-url", help="Where the output folder is served."),
    config: Path | None = ConfigOpt,
) -> None:
    """Unpublish episodes: their files, store entries, feed items and player pages, as one step."""
    from .pipeline import remove_episodes

    with _reported():
        settings = with_overrides(load_settings(config), base_url=base_url)
        recovered, gone = remove_episodes(out_dir, settings, episodes)
        _print_recovery(out_dir, recovered)
        for episode in gone:
            out.print(f"removed: {episode.slug} ({episode.guid})", markup=False, highlight=False, soft_wrap=True)
        out.print(f"feed: {out_dir / 'feed.xml'}", markup=False, highlight=False, soft_wrap=True)
        _warn_if_local(settings)


@app.command()
def script(
    article: Path = typer.Argument(..., help="Article file (.txt, .md, .html)."),
    as_json: bool = typer.Option(
        False, "--json", help="JSON for tools: chapters → sentences (text, spoken, phonemes)."
    ),
    voice: str | None = typer.Option(None, "--voice", help="Voice profile name or path to a .toml."),
    config: Path | None = ConfigOpt,
    rate: int | None = RateOpt,
) -> None:
    """Print exactly what the voice will read: per sentence the text, the spoken string and its phonemes."""
    import json

    from .pipeline import Builder

    with _reported():
        settings = with_overrides(load_settings(config), voice=voice)
        (parsed,) = _read_all([article])
        reading = Builder(settings, Path("output"), rate=rate).read(parsed)
        if as_json:
            sys.stdout.write(json.dumps(reading.to_dict(), ensure_ascii=False, indent=1) + "\n")
        else:
            sys.stdout.write(reading.to_text())


@app.command()
def feed(
    out_dir: Path = OutOpt, base_url: str | None = typer.Option(None, "--base-url"), config: Path | None = ConfigOpt
) -> None:
    """Rewrite feed.xml (and the web player) from the episode store."""
    from .pipeline import publish_feed, recover

    with _reported():
        settings = with_overrides(load_settings(config), base_url=base_url)
        _print_recovery(out_dir, recover(out_dir))
        path = publish_feed(out_dir, settings)
        out.print(f"feed: {path}", markup=False, highlight=False)
        _warn_if_local(settings)


@app.command("diacritize")
def diacritize_cmd(
    source: str = typer.Argument("-", help="Text file, or - for stdin."), config: Path | None = ConfigOpt
) -> None:
    """Print the text with its vowels restored: one output line per input line."""
    from .diacritize import Diacritizer

    with _reported():
        settings = load_settings(config)
        lines = _read_lines(source)
        model = Diacritizer.from_settings(settings.text)
        for line in lines:
            sys.stdout.write(model(line) + "\n")


@app.command("normalize")
def normalize_cmd(
    source: str = typer.Argument("-", help="Text file, or - for stdin."), config: Path | None = ConfigOpt
) -> None:
    """Print the spoken form (numbers and symbols in words): one output line per input line."""
    from . import normalize

    with _reported():
        settings = load_settings(config)
        for line in _read_lines(source):
            sys.stdout.write(normalize.spoken_form(normalize.clean(line), settings.text) + "\n")


@app.command("eval-tashkeel")
def eval_tashkeel(
    gold: list[Path] = typer.Argument(..., help="Gold diacritized files, one sentence per line."),
    limit: int = typer.Option(0, help="Score only the first N lines (0 = all)."),
    config: Path | None = ConfigOpt,
) -> None:
    """Score the pipeline's diacritization against gold files (DER/WER, Fadel protocol)."""
    from .diacritize import Diacritizer
    from .tashkeel_eval import main_report

    with _reported():
        settings = load_settings(config)
        model = Diacritizer.from_settings(settings.text)
        for path in gold:
            if not path.is_file():
                raise InputError("gold file not found", path)
            out.print(main_report(path, model, limit=limit or None), markup=False, highlight=False)


@app.command()
def voices() -> None:
    """List the voice profiles."""
    from .voices import DEFAULT_VOICE, list_profiles

    with _reported():
        for profile in list_profiles():
            mark = "*" if profile.name == DEFAULT_VOICE else " "
            out.print(
                f"{mark} {profile.name:<12} {profile.engine:<7} {profile.description}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )


@app.command()
def serve(
    out_dir: Path = OutOpt,
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for the home network)."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port (1-65535)."),
) -> None:
    """Serve the output folder: feed, episodes (with Range requests) and the web player."""
    from . import serve as server

    with _reported():
        server.serve(
            out_dir, host, port, announce=lambda line: out.print(line, markup=False, highlight=False, soft_wrap=True)
        )


PULL_SOME_FAILED = 9
"""`pull`'s exit status when some items were built and others failed."""
PULL_NONE_BUILT = 10
"""`pull`'s exit status when something failed and nothing was built."""


@app.command()
def pull(
    feeds: list[str] = typer.Argument(
        None, help="Feed URLs (RSS 2.0 or Atom); default: the sources in the settings file."
    ),
    out_dir: Path = OutOpt,
    base_url: str | None = typer.Option(None, "--base-url", help="Where the output folder is served."),
    voice: str | None = typer.Option(None, "--voice", help="Voice profile name or path to a .toml."),
    config: Path | None = ConfigOpt,
    rate: int | None = RateOpt,
    max_per_run: int = typer.Option(10, "--max-per-run", min=1, max=100, help="For feeds named here: items per run."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    jobs: int = JobsOpt,
    scheduler: str | None = SchedulerOpt,
) -> None:
    """Build every new item of the source feeds; one summary line per source.

    Exit status: 0 when every new item was built (or none was new), 9 when some
    were built and others failed, 10 when something failed and nothing was built.
    """
    import json

    from . import fetch, sources
    from .config import SourceSettings
    from .pipeline import Builder, recover

    with _reported():
        settings = with_overrides(load_settings(config), base_url=base_url, voice=voice)
        chosen = [SourceSettings(fetch.check_url(url), max_per_run) for url in dict.fromkeys(feeds or [])]
        chosen = chosen or list(settings.sources)
        if not chosen:
            raise InputError("no sources: name feed URLs, or add [[sources]] to the settings file (--config)")
        builder = Builder(settings, out_dir, rate=rate)
        _print_recovery(out_dir, recover(out_dir))

        def note(line: str) -> None:
            err.print(f"audio-news: error: {line}", markup=False, highlight=False, soft_wrap=True)

        def build_all(articles: Sequence[Article]) -> list[str | None]:
            if len(articles) == 1 and scheduler is None:
                try:
                    outcomes: list[BuildResult | Failed] = [_build_one(builder, articles[0], out_dir, quiet=as_json)]
                except PublishError:
                    raise
                except AudioNewsError as exc:
                    outcomes = [Failed(str(exc), exc.exit_code)]
            else:
                outcomes = _build_many(builder, articles, out_dir, rate, jobs, scheduler, quiet=as_json)
            return [o.message if isinstance(o, Failed) else None for o in outcomes]

        with fetch.Fetcher() as fetcher:
            reports = sources.pull_sources(chosen, out_dir, fetcher, build_all, note)
        if not as_json:
            for report in reports:
                out.print(report.line(), markup=False, highlight=False, soft_wrap=True)
        built = sum(len(r.built) for r in reports)
        failures = sum(len(r.failed) + bool(r.error) for r in reports)
        if built:
            _warn_if_local(settings)
        if as_json:
            summary = {"built": built, "failed": failures, "sources": [r.to_dict() for r in reports]}
            sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
        if failures:
            raise typer.Exit(PULL_SOME_FAILED if built else PULL_NONE_BUILT)


@app.command()
def book(
    episodes: list[str] = typer.Argument(None, metavar="EPISODE", help="Episodes by slug or guid, in reading order."),
    every: bool = typer.Option(False, "--all", help="Every episode in the store, oldest first."),
    since: str | None = typer.Option(
        None, "--since", metavar="DATE", help="Episodes published on or after DATE (YYYY-MM-DD, UTC)."
    ),
    fmt: str = typer.Option(
        ..., "--format", "-f", metavar="daisy|epub3", help="daisy (a folder for DAISY players) or epub3 (an .epub)."
    ),
    to: Path = typer.Option(..., "--to", help="Where to write the book: an .epub file, or a folder for DAISY."),
    out_dir: Path = OutOpt,
) -> None:
    """Make a talking book (DAISY 2.02 or EPUB 3 with read-aloud) from built episodes."""
    import datetime as dt
    from contextlib import nullcontext

    from .book import BookFormat, make_book, select_episodes, write_book
    from .pipeline import recover
    from .publish import EpisodeStore, folder_lock

    with _reported():
        try:
            kind = BookFormat(fmt)
        except ValueError:
            raise InputError(f"unknown book format {fmt!r}; use daisy or epub3") from None
        try:
            day = dt.date.fromisoformat(since) if since is not None else None
        except ValueError:
            raise InputError(f"--since wants a date as YYYY-MM-DD, not {since!r}") from None
        _print_recovery(out_dir, recover(out_dir))
        # Under the folder's lock, so a build publishing meanwhile cannot swap an MP3 or .vtt mid-read.
        with folder_lock(out_dir) if out_dir.is_dir() else nullcontext():
            store = EpisodeStore(out_dir)
            chosen = select_episodes(store.load(), episodes or [], every, day, store.path)
            made = make_book(out_dir, chosen)
            path = write_book(made, kind, to)
        minutes, seconds = divmod(round(made.duration_ms / 1000), 60)
        articles = f"{len(made.articles)} article{'s' if len(made.articles) != 1 else ''}"
        out.print(
            f"book: {path} ({kind.value}, {articles}, {minutes}:{seconds:02d})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


cache_app = typer.Typer(
    no_args_is_help=True, help="The build cache: clips, diacritized sentences and stitched MP3s reused by later builds."
)
app.add_typer(cache_app, name="cache")


def _cache_for(config: Path | None) -> tuple[SentenceCache, bool]:
    """The cache folder the settings name, and whether builds use it."""
    from .cache import SentenceCache, default_folder

    settings = load_settings(config).cache
    return SentenceCache(default_folder(settings.dir), settings.max_mb * 1024 * 1024), settings.enabled


@cache_app.command("info")
def cache_info(config: Path | None = ConfigOpt) -> None:
    """Show the cache folder, its entries, their size and the cap."""
    from .cache import describe_size

    with _reported():
        cache, enabled = _cache_for(config)
        info = cache.info()
        for line in (
            f"folder: {info.folder}" + ("" if enabled else " (turned off: [cache] enabled = false)"),
            f"entries: {info.entries}",
            f"size: {describe_size(info.size)}",
            f"cap: {describe_size(info.max_bytes)}",
        ):
            out.print(line, markup=False, highlight=False, soft_wrap=True)


@cache_app.command("clear")
def cache_clear(config: Path | None = ConfigOpt) -> None:
    """Remove every entry from the cache."""
    with _reported():
        cache, _ = _cache_for(config)
        removed = cache.clear()
        out.print(
            f"removed {removed} entr{'y' if removed == 1 else 'ies'} from {cache.folder}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


if __name__ == "__main__":  # pragma: no cover
    app()
