"""Many articles at once: the worker half of a build on a Dask cluster.

The only module that imports dask (`distributed`). `voice_articles` runs
pipeline.Builder.voice for each article as one task: on a LocalCluster of `jobs`
single-threaded worker processes on this machine (`--jobs N`), or on the workers
of the scheduler at `scheduler` (`--scheduler ADDRESS`, other machines). With one
job and no scheduler the same task function runs in this process: no cluster is
started for it.

Each worker process keeps one Builder per (settings, rate), so a voice's models
are loaded once per worker, not once per article. A worker needs no access to
the output folder: a task sends back the tagged MP3's bytes and its Rendering,
and the coordinator writes the bytes as a hidden temporary file into the output
folder's episodes folder. A worker that sees that folder (this machine's
workers, or a shared folder mounted at the same path: it finds the probe file
the coordinator put there) writes the MP3 there itself and sends back only the
Rendering. Either way the file is named as the coordinator's temporary file
(removed by the next command's recovery if the coordinator is killed), and
pipeline.Builder.publish puts every voiced article in place in one publish.
Workers must run the same audio-news version with the same voice installed (a
voice given as a path must be at that path on every worker).

Failures: an article that fails for a reason of its own (an AudioNewsError: bad
text, an engine error) comes back as a Failure, one line, and is not retried;
the others are still voiced. A worker that dies mid-article (killed, out of
memory) costs that article's task: the scheduler gives it to another worker
(up to its allowed-failures, then KilledWorker, reported as that article's
failure); any other exception is retried RETRIES times, then reported.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import dask
from distributed import Client, LocalCluster, as_completed

from . import publish
from .config import Settings
from .errors import AudioNewsError, ClusterError, PublishError
from .models import Article
from .pipeline import Builder, Voiced, section_temp

RETRIES: Final = 2
"""How many times a task that raised something other than an AudioNewsError is run again."""
CONNECT_TIMEOUT_S: Final = 30
"""How long to wait for a scheduler to answer."""

LOCAL_WORKER_CONFIG: Final = {"distributed.worker.profile.enabled": False}
"""Dask's sampling profiler off in local workers: it takes the GIL from the article's thread every
10 ms, for a dashboard nobody reads here (remote workers: DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False)."""

Done = Callable[[int, int], None]
"""Called with (articles finished, articles in all) as each one comes back."""


@dataclass(frozen=True)
class Failure:
    """An article that could not be voiced: its source and the one line that says why."""

    article: Article
    message: str
    exit_code: int = 1


@dataclass(frozen=True)
class Drop:
    """The output folder's episodes folder as the coordinator sees it, for workers that see it too
    (this machine, or a shared folder mounted at the same path): they write the MP3 there."""

    folder: str
    token: str
    """In the name of the probe file the coordinator wrote there, and of every MP3 written there."""
    owner: int
    """The coordinator's pid: in the MP3s' hidden temporary names, so recovery removes them only
    once the coordinator is gone."""

    @property
    def probe(self) -> Path:
        return Path(self.folder) / f".voiced-{self.token}.probe.{self.owner}.tmp"

    def reaches(self) -> bool:
        """The probe is here, with the token in it: this process sees the coordinator's folder."""
        try:
            return self.probe.read_text(encoding="ascii") == self.token
        except (OSError, UnicodeDecodeError):
            return False

    def path(self) -> Path:
        """A new hidden temporary MP3 name in the folder, the coordinator's."""
        return Path(self.folder) / f".voiced-{self.token}-{uuid.uuid4().hex[:12]}.mp3.{self.owner}.tmp"


@dataclass(frozen=True)
class _Returned:
    """What a task sends back: the Voiced value and the MP3's bytes, or no bytes when the MP3 was
    written into the Drop (then Voiced.mp3 is its path there)."""

    voiced: Voiced
    data: bytes
    dropped: bool = False
    section_data: tuple[bytes, ...] = ()
    """The section MP3s' bytes (--sections), in order, unless dropped."""


_builders: dict[tuple[Settings, int | None, bool], Builder] = {}
"""This process's Builders, one per (settings, rate, sections): a worker loads each voice once."""


def _builder(settings: Settings, rate: int | None, sections: bool = False) -> Builder:
    key = (settings, rate, sections)
    if key not in _builders:
        # voice() never touches the output folder: the temp folder stands in for one
        _builders[key] = Builder(settings, Path(tempfile.gettempdir()), rate=rate, sections=sections)
    return _builders[key]


def voice_task(
    settings: Settings, rate: int | None, article: Article, drop: Drop | None = None, sections: bool = False
) -> _Returned | Failure:
    """The task a worker runs: voice one article, straight into the coordinator's folder when this
    worker sees it (`drop`), else into a scratch file whose bytes go back."""
    dropped = drop is not None and drop.reaches()
    if drop is not None and dropped:
        dest = drop.path()
    else:
        dest = Path(tempfile.gettempdir()) / f"audio-news-{os.getpid()}-{uuid.uuid4().hex}.mp3"
    try:
        builder = _builder(settings, rate, sections)
        voiced = builder.voice(article, dest)
        data = b"" if dropped else dest.read_bytes()
        section_data = () if dropped else tuple(path.read_bytes() for path in voiced.sections)
    except AudioNewsError as exc:
        publish.discard(dest)
        return Failure(article, str(exc), exc.exit_code)
    except BaseException:
        publish.discard(dest)
        raise
    if not dropped:
        for path in (dest, *voiced.sections):
            publish.discard(path)
    if builder.cache is not None:
        builder.cache.trim()
    return _Returned(voiced, data, dropped, section_data)


def voice_articles(
    articles: Sequence[Article],
    settings: Settings,
    into: Path,
    *,
    rate: int | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    on_done: Done | None = None,
    share: bool = True,
    sections: bool = False,
) -> list[Voiced | Failure]:
    """Voice `articles` (in their order in the result) with `jobs` local worker processes, or on the
    cluster whose scheduler is at `scheduler`. Each MP3 ends up as a hidden temporary file of this
    process in `into` (the output folder's episodes folder), for Builder.publish: written there by
    a worker that sees the folder (unless not `share`), else from the bytes it sent. Raises
    ClusterError when no cluster can be started or reached; an article's own failure is a Failure
    in the result."""
    if Path(settings.voice).is_file():  # a voice given as a path: the same path on every worker
        settings = replace(settings, voice=str(Path(settings.voice).absolute()))
    results: list[Voiced | Failure | None] = [None] * len(articles)
    done = 0
    drop = Drop(str(into.absolute()), uuid.uuid4().hex[:12], os.getpid()) if share else None

    def finish(index: int, outcome: _Returned | Failure) -> None:
        nonlocal done
        results[index] = outcome if isinstance(outcome, Failure) else _keep(outcome, into, index)
        done += 1
        if on_done is not None:
            on_done(done, len(articles))

    try:
        if drop is not None:
            publish.atomic_write(drop.probe, drop.token)
        if scheduler is None and jobs <= 1:
            for index, article in enumerate(articles):
                finish(index, voice_task(settings, rate, article, drop, sections))
        else:
            with _client(jobs, scheduler) as client:
                futures = {
                    client.submit(
                        voice_task, settings, rate, article, drop, sections, pure=False, retries=RETRIES
                    ): index
                    for index, article in enumerate(articles)
                }
                for future in as_completed(futures, loop=client.loop):
                    index = futures.pop(future)
                    try:
                        outcome = future.result()
                    except Exception as exc:  # KilledWorker, or a task that failed RETRIES + 1 times
                        outcome = Failure(articles[index], f"{articles[index].source}: {_reason(exc)}")
                    future.release()  # the worker may drop the MP3's bytes now
                    finish(index, outcome)
    except BaseException:
        for result in results:
            if isinstance(result, Voiced):
                for path in (result.mp3, *result.sections):
                    publish.discard(path)
        raise
    finally:
        if drop is not None:
            publish.discard(drop.probe)
            kept = {p.name for r in results if isinstance(r, Voiced) for p in (r.mp3, *r.sections)}
            for path in into.glob(f".voiced-{drop.token}-*"):  # a dead worker's, half written
                if path.name not in kept:
                    publish.discard(path)
    return [r for r in results if r is not None]


def _keep(returned: _Returned, into: Path, index: int) -> Voiced:
    """A task's MP3 in `into` under a hidden temporary name of this process: where the worker
    wrote it, or written here from the bytes it sent."""
    if returned.dropped:
        if not returned.voiced.mp3.is_file():
            raise PublishError("an article's MP3 written by a worker is gone", returned.voiced.mp3)
        return returned.voiced
    path = publish.temp_path_for(into / f"voiced-{index}-{uuid.uuid4().hex[:8]}.mp3")
    sections = tuple(section_temp(path, n) for n in range(1, len(returned.section_data) + 1))
    try:
        for target, data in zip((path, *sections), (returned.data, *returned.section_data)):
            target.write_bytes(data)
    except OSError as exc:
        for target in (path, *sections):
            publish.discard(target)
        raise PublishError(f"cannot write an article's MP3: {exc.strerror or exc}", into) from exc
    return replace(returned.voiced, mp3=path, sections=sections)


def _reason(exc: BaseException) -> str:
    line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"the worker failed ({type(exc).__name__}{': ' + line if line else ''})"


@contextmanager
def _client(jobs: int, scheduler: str | None) -> Iterator[Client]:
    """A client of the scheduler at `scheduler`, or of a LocalCluster of `jobs` worker processes
    (one thread each: the engines and ffmpeg are the parallel part, the GIL would serialize the rest)."""
    try:
        if scheduler is not None:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
            cluster = None
        else:
            with dask.config.set(LOCAL_WORKER_CONFIG):  # read by each worker's nanny as it starts
                cluster = LocalCluster(
                    n_workers=jobs,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,  # no dashboard; its small HTTP server on any free port
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    silence_logs=logging.ERROR,
                )
            client = Client(cluster, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        where = scheduler or "a local cluster"
        raise ClusterError(f"cannot start or reach the Dask scheduler: {exc}", where) from exc
    try:
        yield client
    except BaseException:
        _close(client, cluster)
        raise
    # Every result is in: the local workers are shut down (a second or so) while the caller
    # publishes. Not a daemon thread, so the interpreter waits for it before it exits.
    threading.Thread(target=_close, args=(client, cluster), name="audio-news-cluster-close").start()


def _close(client: Client, cluster: LocalCluster | None) -> None:
    client.close()
    if cluster is not None:
        cluster.close()
