"""Many articles at once: `build --jobs N` on a local Dask cluster, `build --scheduler`
on a real scheduler with two workers (subprocesses on free ports, one of them killed
mid-article), and the worker task itself. Every run is read back: the feed with
feedparser (and podcastparser), every MP3 decoded, the folder left with no temp file."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_run import TONE, command, invoke
from feed_clients import check_clients
from folder_tree import tree

from audio_news import cluster, pipeline, publish, stitch
from audio_news.config import Settings
from audio_news.errors import AudioError, ClusterError
from audio_news.ingest import read_article
from audio_news.models import Episode

ROOT = Path(__file__).resolve().parent.parent
BASE_URL = "https://news.example/pod/"

SUBJECTS = (
    "أعلنت وزارة الزراعة",
    "قال مسؤولون في البلدية",
    "أفادت هيئة الأرصاد",
    "كشفت دراسة جامعية",
    "ذكر تقرير اقتصادي",
    "أكد مدير الميناء",
)
CLAIMS = (
    "أن موسم الحصاد بدأ مبكرا هذا العام",
    "أن أعمال الصيانة ستستمر حتى نهاية الشهر",
    "أن درجات الحرارة ستنخفض في المناطق الجبلية",
    "أن عدد الزوار ارتفع بشكل ملحوظ",
    "أن المشروع الجديد سيوفر فرص عمل للشباب",
    "أن الطرق الرئيسية ستغلق جزئيا خلال العطلة",
)
PLACES = ("في العاصمة", "في المدن الساحلية", "في القرى الشمالية", "في المنطقة الصناعية", "في الجنوب", "في الوادي")


def write_articles(folder: Path, count: int) -> list[Path]:
    """`count` different short articles (two paragraphs each, a title of their own)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        subject, place = SUBJECTS[n % len(SUBJECTS)], PLACES[(n // len(SUBJECTS)) % len(PLACES)]
        lines = [f"{subject} {place}", ""]
        for p in range(2):
            claim = CLAIMS[(n + p) % len(CLAIMS)]
            lines += [f"{subject} {claim} {place}. {SUBJECTS[(n + p + 1) % len(SUBJECTS)]} {CLAIMS[(n + 3) % 6]}.", ""]
        path = folder / f"article-{n:02d}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def assert_published(out: Path, count: int) -> list[Episode]:
    """`count` episodes in store and feed (as feedparser and podcastparser read it), every
    MP3 decoding whole to about its stored duration, no temporary file left."""
    stored = [Episode.from_dict(e) for e in json.loads((out / publish.STORE_NAME).read_text(encoding="utf-8"))]
    assert len(stored) == count and len({e.guid for e in stored}) == count
    check_clients((out / "feed.xml").read_bytes(), BASE_URL + "feed.xml", stored)
    ffmpeg = stitch.find_ffmpeg().path
    for episode in stored:
        decoded = subprocess.run(
            [ffmpeg, "-v", "error", "-i", str(out / episode.audio), "-f", "s16le", "-ac", "1", "-ar", "8000", "-"],
            capture_output=True,
            check=True,
        )
        assert decoded.stderr == b"", (episode.audio, decoded.stderr[:200])
        seconds = len(decoded.stdout) / 2 / 8000
        assert abs(seconds - episode.duration_ms / 1000) < 0.2, (episode.audio, seconds, episode.duration_ms)
    assert not [p for p in out.rglob(".*") if p.name.endswith((".tmp", ".bak"))]
    assert not (out / publish.JOURNAL_NAME).exists()
    return stored


def crash_log_steps(log: Path) -> list[str]:
    return [line.split(" ", 1)[1] for line in log.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("jobs", [1, 2])
def test_many_articles_are_voiced_in_parallel_and_published_once(tmp_path, monkeypatch, jobs):
    """--jobs 2: a local cluster of two worker processes; --jobs 1: the same task in this
    process. Either way the store, the feed and the pages are written once, in one publish."""
    articles = write_articles(tmp_path / "in", 4)
    out, log = tmp_path / "out", tmp_path / "steps.log"
    monkeypatch.setenv(publish.CRASH_LOG_ENV, str(log))  # every process logs the named steps it passes
    args = ("--out", str(out), "--voice", str(TONE), "--base-url", BASE_URL, "--jobs", str(jobs))
    result = invoke("build", *map(str, articles), *args)
    assert result.returncode == 0, result.stderr
    assert_published(out, 4)
    lines = [line for line in result.stdout.splitlines() if ", built in " in line]
    assert [line.split(" → ")[0] for line in lines] == [str(a) for a in articles]  # in the order given
    steps = crash_log_steps(log)
    assert steps.count("synthesized") == steps.count("tagged") == 4
    assert steps.count("committed") == 1 and steps.count("wrote feed.xml") == 1, steps
    assert steps.count("wrote episodes.json") == 1 and steps.count("wrote index.html") == 1, steps


def test_json_lines_for_many_articles(tmp_path):
    articles = write_articles(tmp_path / "in", 3)
    out = tmp_path / "out"
    result = invoke("build", *map(str, articles), "--out", str(out), "--voice", str(TONE), "--jobs", "2", "--json")
    assert result.returncode == 0, result.stderr
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["source"] for d in docs] == [str(a) for a in articles]
    assert all((out / d["files"][0]).is_file() and d["duration_ms"] > 0 for d in docs)


def test_an_article_that_fails_is_one_line_and_the_others_are_published(tmp_path, monkeypatch):
    """An encoder failure on one article (injected: ffmpeg cannot be made to fail for one
    article only): its line, the other three published in one publish, exit status non-zero."""
    articles = write_articles(tmp_path / "in", 4)
    doomed = read_article(articles[2]).title
    voice = pipeline.Builder.voice

    def failing(self, article, dest, on_sentence=None):
        if article.title == doomed:
            raise AudioError("ffmpeg failed to encode (exit status 1)", dest)
        return voice(self, article, dest, on_sentence)

    monkeypatch.setattr(pipeline.Builder, "voice", failing)
    out = tmp_path / "out"
    result = invoke(
        "build", *map(str, articles), "--out", str(out), "--voice", str(TONE), "--base-url", BASE_URL, "-j1"
    )
    assert result.returncode == AudioError.exit_code
    errors = [line for line in result.stderr.splitlines() if line.startswith("audio-news: error:")]
    assert len(errors) == 1 and "ffmpeg failed to encode" in errors[0], result.stderr
    assert result.stdout.count(", built in ") == 3 and str(articles[2]) not in result.stdout
    assert {e.title for e in assert_published(out, 3)} == {read_article(a).title for a in articles} - {doomed}


def test_when_every_article_fails_on_the_workers_nothing_is_left(tmp_path):
    """The tone voice takes no rate: every worker's engine refuses it, one line per article,
    and the new output folder goes again."""
    articles = write_articles(tmp_path / "in", 2)
    out = tmp_path / "new" / "out"
    result = invoke("build", *map(str, articles), "--out", str(out), "--voice", str(TONE), "--rate", "150", "-j2")
    assert result.returncode == 3, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("audio-news: error:")]
    assert len(errors) == 2 and all("unknown tone settings: rate" in line for line in errors), result.stderr
    assert not (tmp_path / "new").exists() and "feed:" not in result.stdout


def test_a_scheduler_that_does_not_answer_is_one_line_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)
    articles = write_articles(tmp_path / "in", 2)
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    out = tmp_path / "out"
    result = invoke("build", *map(str, articles), "--out", str(out), "--voice", str(TONE), "--scheduler", address)
    assert result.returncode == ClusterError.exit_code
    (line,) = result.stderr.strip().splitlines()  # the rest is distributed's own words
    assert line.startswith(f"audio-news: error: {address}: cannot start or reach the Dask scheduler: "), line
    assert not out.exists()


def test_a_worker_task_names_an_article_it_cannot_voice():
    """An article's own failure comes back as one line (not raised, not retried)."""
    article = read_article(ROOT / "samples" / "article.txt")
    failure = cluster.voice_task(Settings(voice="no-such-voice"), None, article)
    assert isinstance(failure, cluster.Failure) and failure.article == article
    assert "no-such-voice" in failure.message and "\n" not in failure.message and failure.exit_code == 3


def test_a_worker_that_sees_the_folder_writes_the_mp3_there_else_sends_its_bytes(tmp_path):
    article = read_article(ROOT / "samples" / "article.txt")
    settings = Settings(voice=str(TONE))
    into = tmp_path / "episodes"
    into.mkdir()
    drop = cluster.Drop(str(into), "0123456789ab", os.getpid())
    unseen = cluster.voice_task(settings, None, article, drop)  # no probe there: the bytes travel
    assert isinstance(unseen, cluster._Returned) and not unseen.dropped and unseen.data.startswith(b"ID3")
    assert not unseen.voiced.mp3.exists() and list(into.iterdir()) == []
    publish.atomic_write(drop.probe, drop.token)
    seen = cluster.voice_task(settings, None, article, drop)
    assert isinstance(seen, cluster._Returned) and seen.dropped and seen.data == b""
    assert seen.voiced.mp3.parent == into and seen.voiced.mp3.read_bytes() == unseen.data
    assert re.fullmatch(rf"\.voiced-{drop.token}-[0-9a-f]{{12}}\.mp3\.{os.getpid()}\.tmp", seen.voiced.mp3.name)


# --- a real scheduler and two workers on 127.0.0.1 ---------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dask_command(*args: str) -> list[str]:
    """The `dask` command beside this interpreter (else `python -m dask`)."""
    script = shutil.which("dask", path=str(Path(sys.executable).parent))
    return [script, *args] if script else [sys.executable, "-m", "dask", *args]


def wait_for(path: Path, text: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in path.read_text(errors="replace"):
            return
        assert process.poll() is None, path.read_text(errors="replace")[-2000:]
        time.sleep(0.1)
    raise AssertionError(f"no {text!r} in {path} after {seconds} s: {path.read_text(errors='replace')[-2000:]}")


class DaskCluster:
    """A `dask scheduler` on a free port of 127.0.0.1 and the `dask worker`s started for it (no
    nanny: the process killed is the worker), all subprocesses of the test, killed by `close`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.env.pop(publish.CRASH_ENV, None)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        port = self.address.rsplit(":", 1)[1]
        self.scheduler = self._start("scheduler", "Scheduler at:", "scheduler", "--host", "127.0.0.1", "--port", port)

    def _start(self, name: str, ready: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
        log = self.folder / f"{name}.log"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                dask_command(*args, "--no-dashboard"), stdout=subprocess.DEVNULL, stderr=stderr, env={**self.env, **env}
            )
        self.processes[name] = process
        wait_for(log, ready, process)
        return process

    def worker(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        """A worker of one thread, registered with the scheduler before this returns."""
        args = ("--name", name, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny", "--death-timeout", "60")
        local = str(self.folder / name)
        return self._start(name, "Registered to:", "worker", self.address, *args, "--local-directory", local, **env)

    def close(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
        for process in self.processes.values():
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory) -> Iterator[DaskCluster]:
    """The scheduler and worker "b", for every test here; torn down afterwards, whatever happened."""
    cluster_ = None
    try:
        cluster_ = DaskCluster(tmp_path_factory.mktemp("dask"))
        cluster_.worker("b")
        yield cluster_
    finally:
        if cluster_ is not None:
            cluster_.close()


@pytest.mark.parametrize("share", [False, True], ids=["bytes-travel-back", "worker-writes-into-the-folder"])
def test_a_scheduler_with_a_worker_killed_mid_article_publishes_every_article(dask_cluster, tmp_path, share):
    """Six articles through `--scheduler`, on worker "b" and a worker that SIGKILLs itself at its
    second named step (publish.crash_point: after its first article's synthesis and render, before
    the tags): every article is published. Without sharing, as between two machines (the MP3s'
    bytes travel back); with it, the workers write into the output folder, and the dead one's
    half-written MP3 is cleaned up."""
    doomed = dask_cluster.worker(f"doomed-{share}", **{publish.CRASH_ENV: "2"})
    try:
        articles = write_articles(tmp_path / "in", 6)
        out = tmp_path / "out"
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(cluster, "voice_articles", functools.partial(cluster.voice_articles, share=share))
            result = invoke(
                "build", *map(str, articles), "--out", str(out), "--voice", str(TONE), "--base-url", BASE_URL,
                "--scheduler", dask_cluster.address,
            )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert doomed.wait(timeout=30) == -signal.SIGKILL  # it died mid-article
        assert dask_cluster.processes["b"].poll() is None and dask_cluster.scheduler.poll() is None
        stored = assert_published(out, 6)  # no temporary file left either
        assert {e.title for e in stored} == {read_article(a).title for a in articles}
        assert "Traceback" not in result.stderr
    finally:
        if doomed.poll() is None:
            doomed.kill()


def test_a_batch_publish_killed_is_undone_or_finished_whole(tmp_path):
    """Three articles published as one step: the coordinator killed (kill -9) while placing the
    first MP3, after the feed (the store is written before it), and at the commit. Before the
    commit the next command puts the folder back byte for byte; from it on, all three are published."""
    base = tmp_path / "base"
    sample = str(ROOT / "samples" / "article.txt")
    first = invoke("build", sample, "--out", str(base), "--voice", str(TONE), "--base-url", BASE_URL)
    assert first.returncode == 0, first.stderr
    articles = write_articles(tmp_path / "in", 3)
    args = [*command(), "build", *map(str, articles), "--voice", str(TONE), "--base-url", BASE_URL, "--jobs", "1"]

    def batch(out: Path, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*args, "--out", str(out)], capture_output=True, text=True, env={**os.environ, **env})

    shutil.copytree(base, tmp_path / "steps")
    log = tmp_path / "steps.log"
    assert batch(tmp_path / "steps", **{publish.CRASH_LOG_ENV: str(log)}).returncode == 0
    steps = crash_log_steps(log)
    assert steps.count("committed") == 1
    commit = steps.index("committed") + 1
    placed = next(n for n, step in enumerate(steps, 1) if step.startswith("placed ") and step.endswith(".mp3"))
    chosen = [placed, steps.index("wrote feed.xml") + 1, commit]
    assert chosen == sorted(chosen) and chosen[-2] < commit
    before = tree(base)
    for n in chosen:
        out = tmp_path / f"kill-{n}"
        shutil.copytree(base, out)
        assert batch(out, **{publish.CRASH_ENV: str(n)}).returncode == -signal.SIGKILL, (n, steps[n - 1])
        again = invoke("feed", "--out", str(out), "--base-url", BASE_URL)
        assert again.returncode == 0 and f"audio-news: recovered {out}: " in again.stderr, (n, again.stderr)
        if n < commit:  # undone: as it was (the feed rewritten from the same store)
            assert tree(out) == before, (n, steps[n - 1])
        else:
            assert len(assert_published(out, 4)) == 4, (n, steps[n - 1])


@pytest.mark.parametrize("share", [True, False])
def test_scheduler_workers_write_into_a_folder_they_see_or_send_the_bytes(dask_cluster, tmp_path, share):
    """Worker "b" sees the coordinator's folder (the same machine): it writes the
    MP3s there itself unless sharing is off, when they come back as bytes. Same MP3s either way."""
    articles = [read_article(path) for path in write_articles(tmp_path / "in", 2)]
    into = tmp_path / "episodes"
    into.mkdir()
    results = cluster.voice_articles(
        articles, Settings(voice=str(TONE)), into, scheduler=dask_cluster.address, share=share
    )
    assert [r.article for r in results if isinstance(r, pipeline.Voiced)] == articles
    names = sorted(p.name for p in into.iterdir())
    assert names == sorted(r.mp3.name for r in results if isinstance(r, pipeline.Voiced))
    written_by = r"\.voiced-[0-9a-f]{12}-[0-9a-f]{12}\.mp3" if share else r"\.voiced-\d-[0-9a-f]{8}\.mp3"
    assert all(re.fullmatch(rf"{written_by}\.{os.getpid()}\.tmp", name) for name in names), names
    assert all((into / name).read_bytes().startswith(b"ID3") for name in names)
