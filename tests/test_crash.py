"""Reliability: builds killed (kill -9) at every step, a full disk, a read-only folder.

One file rather than more tests in test_pipeline/test_publish: these tests cross
every stage (stitch, tag, publish, player, the CLI) and check one promise, that
the output folder is never left half published, through real processes that
die. They share the helpers that read the whole folder back.

The kill sweep uses publish.crash_point: with AUDIO_NEWS_CRASH_AT=N the build
sends SIGKILL to itself at the N-th named step, so every step is hit once,
deterministically (a first run with AUDIO_NEWS_CRASH_LOG lists them). The
killed commands run in processes forked from one that imported the CLI once
(cli_run.run_forked): real processes that die alone, without a hundred Python
start-ups; the file-size-limit build still starts the installed command.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from cli_run import TONE, command, invoke, run_forked
from folder_tree import tree

from audio_news import publish

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
FIRST, SECOND, THIRD = ROOT / "samples" / "article.txt", DATA / "article.md", DATA / "article.html"
BASE_URL = "https://news.example/pod"
HIDDEN_LEFTOVER = re.compile(r"\..+\.\d+\.(tmp|bak)|\.publish-journal")


def build_process(out: Path, article: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`audio-news build` with the tone voice in a fresh process (so it can be killed)."""
    args = ["build", str(article), "--voice", str(TONE), "--out", str(out), "--base-url", BASE_URL]
    return run_forked(*args, env={**os.environ, **env})


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.rglob(".*") if HIDDEN_LEFTOVER.fullmatch(p.name))


def store_guids(out: Path) -> set[str]:
    return {e["guid"] for e in json.loads((out / publish.STORE_NAME).read_text(encoding="utf-8"))}


def feed_guids(out: Path) -> set[str]:
    return {g.text or "" for g in ET.parse(out / publish.FEED_NAME).getroot().iter("guid")}


def index_pages(out: Path) -> set[str]:
    return set(re.findall(r'<h3><a href="(episodes/[^"]+\.html)">', (out / "index.html").read_text(encoding="utf-8")))


def assert_links_resolve(out: Path) -> None:
    """What a reader may see at any moment: every file the store, the feed and the
    index point to is there (the store and feed may be a publish behind or ahead)."""
    for entry in json.loads((out / publish.STORE_NAME).read_text(encoding="utf-8")):
        for key in ("audio", "transcript_vtt", "transcript_txt", "chapters_json"):
            assert (out / entry[key]).is_file(), entry[key]
    base = BASE_URL + "/"
    for url in re.findall(r'(?:url|href)="([^"]+)"', (out / publish.FEED_NAME).read_text(encoding="utf-8")):
        if url.startswith(base):
            assert (out / unquote(url[len(base) :].split("?")[0])).is_file(), url  # ?v=: the MP3 version token
    for page in index_pages(out):
        assert (out / unquote(page)).is_file(), page


def assert_all_agree(out: Path) -> set[str]:
    """The store, the feed, the index and the episode pages list the same episodes."""
    assert_links_resolve(out)
    stored = json.loads((out / publish.STORE_NAME).read_text(encoding="utf-8"))
    pages = {f"episodes/{e['slug']}.html" for e in stored}
    assert {e["guid"] for e in stored} == feed_guids(out)
    assert index_pages(out) == {quote(p) for p in pages}
    assert {f"episodes/{p.name}" for p in (out / "episodes").glob("*.html")} == pages
    assert {p.name for p in (out / "episodes").glob("*.mp3")} == {Path(e["audio"]).name for e in stored}
    return {e["guid"] for e in stored}


@pytest.fixture(scope="module")
def two_episodes(tmp_path_factory) -> Path:
    """An output folder with two episodes built, to kill the third build in."""
    out = tmp_path_factory.mktemp("base") / "out"
    result = invoke("build", str(FIRST), str(SECOND), "--voice", str(TONE), "--out", str(out), "--base-url", BASE_URL)
    assert result.returncode == 0, result.stderr
    assert len(assert_all_agree(out)) == 2
    return out


def logged_steps(log: Path) -> list[str]:
    """The named steps a run wrote to its crash log (AUDIO_NEWS_CRASH_LOG), in order."""
    return [line.split(" ", 1)[1] for line in log.read_text(encoding="utf-8").splitlines()]


def crash_steps(base: Path, work: Path, article: Path) -> list[str]:
    """The named crash points a build of `article` into a copy of `base` passes."""
    out = work / "steps"
    shutil.copytree(base, out)
    log = work / "steps.log"
    result = build_process(out, article, **{publish.CRASH_LOG_ENV: str(log)})
    assert result.returncode == 0, result.stderr
    return logged_steps(log)


def recover_after_kill(
    out: Path, where: object, *next_command: str
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """What every kill sweep checks after a killed command: links resolve before anyone
    recovers; the next command succeeds and says in one line what it recovered (nothing
    when nothing was left over); then no temporary file is left and store, feed, index and
    pages agree. `where` (the kill's number and step) goes into every failure message.
    Returns the next command's result and the episodes' guids."""
    assert_links_resolve(out)
    had_leftovers = bool(leftovers(out))
    result = invoke(*next_command, "--out", str(out))
    assert result.returncode == 0, (where, result.stderr)
    lines = without_owner_warning(result.stderr)
    if had_leftovers:
        assert len(lines) == 1 and lines[0].startswith(f"audio-news: recovered {out}: "), (where, lines)
    else:
        assert lines == [], (where, lines)
    assert leftovers(out) == [], where
    return result, assert_all_agree(out)


@pytest.mark.parametrize("case", ["new-episode", "rebuild", "retitled"])
def test_a_build_killed_at_any_step_is_undone_or_finished_by_the_next_command(two_episodes, tmp_path, case):
    """Each case's build killed at every named step in turn (27, 21 and 32 of them, 80 kills):
    a new episode, the same article again, and the same article (same URL) under a
    new title, whose old files go once the publish commits."""
    article = {"new-episode": THIRD, "rebuild": SECOND}.get(case, tmp_path / "retitled.md")
    if case == "retitled":
        article.write_text(SECOND.read_text(encoding="utf-8").replace("# فريق بحثي", "# فريق علمي"), encoding="utf-8")
    steps = crash_steps(two_episodes, tmp_path, article)
    assert len(steps) >= 20 and "committed" in steps and any(s.startswith("placed ") for s in steps), steps
    assert case != "retitled" or any(s.startswith("removed ") for s in steps), steps
    commit = steps.index("committed") + 1
    before = tree(two_episodes)
    earlier = store_guids(two_episodes)
    for n, step in enumerate(steps, start=1):
        out = tmp_path / f"kill-{n}"
        shutil.copytree(two_episodes, out)
        killed = build_process(out, article, **{publish.CRASH_ENV: str(n)})
        assert killed.returncode == -signal.SIGKILL, (n, step, killed.stderr)
        _, guids = recover_after_kill(out, (n, step), "feed", "--base-url", BASE_URL)
        assert earlier <= guids, (n, step)  # no earlier episode lost
        if n < commit:  # not committed: undone, the folder as it was, byte for byte
            assert tree(out) == before, (n, step)
        else:  # committed: the episode is published in full
            assert len(guids) == (3 if article == THIRD else 2), (n, step)
            titles = {e["title"] for e in json.loads((out / publish.STORE_NAME).read_text(encoding="utf-8"))}
            assert case != "retitled" or any(t.startswith("فريق علمي") for t in titles), (n, step)
        shutil.rmtree(out)


def without_owner_warning(stderr: str) -> list[str]:
    """stderr's lines but the warning that no owner e-mail is set (these runs set none)."""
    return [line for line in stderr.splitlines() if "warning: no e-mail under [podcast]" not in line]


def test_a_build_after_a_killed_one_says_what_it_recovered_and_publishes(two_episodes, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(two_episodes, out)
    steps = crash_steps(two_episodes, tmp_path, THIRD)
    n = next(i for i, s in enumerate(steps, start=1) if s == "wrote index.html")
    assert build_process(out, THIRD, **{publish.CRASH_ENV: str(n)}).returncode == -signal.SIGKILL
    assert (out / publish.JOURNAL_NAME).exists() and leftovers(out)
    result = build_process(out, THIRD)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r"audio-news: recovered \S+: undid an unfinished publish \(\d+ files put back\)",
        "\n".join(without_owner_warning(result.stderr)),
    ), result.stderr
    assert leftovers(out) == [] and len(assert_all_agree(out)) == 3


def test_temp_files_of_live_processes_are_left_alone(two_episodes, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(two_episodes, out)
    live = out / "episodes" / f".x.mp3.{os.getppid()}.tmp"  # pytest's parent: alive
    dead = out / "episodes" / ".x.mp3.999999999.tmp"
    live.write_bytes(b"still being written"), dead.write_bytes(b"left by a killed build")
    result = invoke("feed", "--out", str(out), "--base-url", BASE_URL)
    assert result.returncode == 0, result.stderr
    assert "removed 1 temporary file of a killed build" in result.stderr
    assert live.exists() and not dead.exists()


# --- a full disk, a folder that cannot be written -------------------------------------


@contextmanager
def small_disk(folder: Path, size: str) -> Iterator[bool]:
    """A tmpfs of `size` mounted on `folder`; yields False where mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    try:
        yield mounted.returncode == 0
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system of `folder` until about `leave` bytes are free."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    if free > leave:
        (folder / "filler").write_bytes(b"\0" * (free - leave))


@pytest.mark.parametrize("free_kib", [0, 120, 200, 220, 240, 255, 260])
def test_a_full_disk_is_one_line_naming_the_file_and_changes_nothing(tmp_path, free_kib):
    """The second episode needs about 265 KiB: with less free, the build fails at the
    encode (0), the tags (200), the journal (220), the episode page (240), the index
    (255) or the feed (260), here; a kernel that counts tmpfs space otherwise may
    let the last ones succeed, and then the folder must agree."""
    disk = tmp_path / "disk"
    with small_disk(disk, "3m") as mounted:
        if not mounted:
            _file_size_limit_instead(disk / "out")
            return
        out = disk / "out"
        assert build_process(out, FIRST).returncode == 0
        _fill(disk, free_kib * 1024)
        before = tree(out)
        result = build_process(out, SECOND)
        if result.returncode == 0 and free_kib >= 255:
            assert len(assert_all_agree(out)) == 2 and leftovers(out) == []
            return
        assert result.returncode != 0
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("audio-news: error: "), result.stderr
        assert "No space left on device" in lines[0] or "File too large" in lines[0], lines[0]
        assert str(out) in lines[0]  # names the file or its folder
        assert "ffmpeg failed" not in lines[0]
        assert leftovers(out) == [] and tree(out) == before  # the failed build undid itself


def _file_size_limit_instead(out: Path) -> None:
    """Where no tmpfs can be mounted: a file size limit (RLIMIT_FSIZE, 64 KiB) on the
    build, so ffmpeg is stopped (SIGXFSZ) as it writes the MP3; only the encode is
    reached this way."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    assert build_process(out, FIRST).returncode == 0
    before = tree(out)
    args = [*command(), "build", str(SECOND), "--voice", str(TONE), "--out", str(out), "--base-url", BASE_URL]
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, preexec_fn=limit)
    lines = result.stderr.splitlines()
    assert result.returncode == 5 and len(lines) == 1, result.stderr
    assert lines[0].endswith(f"cannot encode the MP3: {os.strerror(errno.EFBIG)} (the file size limit, ulimit -f)")
    assert leftovers(out) == [] and tree(out) == before


def test_a_file_size_limit_while_encoding_is_said_plainly(tmp_path):
    _file_size_limit_instead(tmp_path / "out")


def test_a_full_disk_while_encoding_is_said_plainly(tmp_path):
    """Where no tmpfs can be mounted, the same message from an ffmpeg that reports ENOSPC."""
    from audio_news import stitch
    from audio_news.errors import AudioError

    fake = tmp_path / "ffmpeg"
    fake.write_text('#!/bin/sh\necho "[out#0/mp3] Error writing trailer: No space left on device" >&2\nexit 1\n')
    fake.chmod(0o755)
    ffmpeg = stitch.Ffmpeg(path=str(fake), version="7", loopback=True)
    with pytest.raises(AudioError) as caught:
        stitch._run(ffmpeg, ["-i", "x"], "cannot encode the MP3", path=tmp_path / "a.mp3")
    assert str(caught.value) == f"{tmp_path / 'a.mp3'}: cannot encode the MP3: {os.strerror(errno.ENOSPC)}"


def test_a_read_only_folder_is_one_line_and_changes_nothing(two_episodes, tmp_path):
    """A read-only bind mount over the folder (as root chmod stops nothing): the build
    fails before any change, with one line."""
    out = tmp_path / "out"
    shutil.copytree(two_episodes, out)
    before = tree(out)
    if os.geteuid() != 0:
        for path in (out, out / "episodes", out / "player"):
            path.chmod(0o555)
    elif subprocess.run(["mount", "--bind", "-o", "ro", str(out), str(out)], capture_output=True).returncode != 0:
        pytest.skip("as root, only a read-only mount makes a folder read-only, and mounting is not allowed here")
    try:
        result = build_process(out, THIRD)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(out)], capture_output=True)
        else:
            for path in (out, out / "episodes", out / "player"):
                path.chmod(0o755)
    assert result.returncode == 6, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("audio-news: error: "), result.stderr
    assert tree(out) == before and leftovers(out) == []


def test_a_folder_that_turns_unwritable_mid_publish_gives_the_first_error_only(two_episodes, tmp_path, monkeypatch):
    """In-process: the rename of the feed fails, and so does every clean-up after it
    (unlink and rename raise too), as when the folder turns read-only mid-build. The
    one line is the first error; the journal stays for the next command, which undoes it."""
    out = tmp_path / "out"
    shutil.copytree(two_episodes, out)
    before = tree(out)
    real_replace, real_unlink = os.replace, Path.unlink
    broken = {"on": False}

    def replace(src, dst, *args, **kwargs):
        if broken["on"] or Path(dst).name == publish.FEED_NAME:
            broken["on"] = True
            raise PermissionError(errno.EROFS, os.strerror(errno.EROFS))
        return real_replace(src, dst, *args, **kwargs)

    def unlink(self, missing_ok=False):
        if broken["on"]:
            raise PermissionError(errno.EROFS, os.strerror(errno.EROFS))
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(Path, "unlink", unlink)
    result = invoke("build", str(THIRD), "--voice", str(TONE), "--out", str(out), "--base-url", BASE_URL)
    monkeypatch.undo()
    assert result.returncode == 6, result.stderr
    # The temp files it could not delete carry this process's id: alive, so kept until it
    # exits (the sweep above shows a later process removing them); set aside here.
    for name in leftovers(out):
        if name != publish.JOURNAL_NAME:
            assert name.endswith(f".{os.getpid()}.tmp") or name.endswith(f".{os.getpid()}.bak"), name
    own = [p for p in out.rglob(f".*.{os.getpid()}.tmp")]
    for path in own:
        path.unlink()
    assert result.stderr.splitlines() == [
        f"audio-news: error: {out}: cannot write feed.xml: {os.strerror(errno.EROFS)}"
    ], result.stderr
    assert (out / publish.JOURNAL_NAME).exists()  # the undo could not run: left for the next command
    result = invoke("feed", "--out", str(out), "--base-url", BASE_URL)
    assert result.returncode == 0 and "undid an unfinished publish" in result.stderr, result.stderr
    assert tree(out) == before and leftovers(out) == [] and own


# --- remove, killed at every step ------------------------------------------------------


def remove_process(out: Path, key: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`audio-news remove` in a fresh process (so it can be killed)."""
    return run_forked("remove", key, "--out", str(out), "--base-url", BASE_URL, env={**os.environ, **env})


def test_a_remove_killed_at_any_step_is_undone_or_finished_by_the_next_command(two_episodes, tmp_path):
    """`remove` (by slug) killed at each named step in turn (15 of them); the next command (`list`)
    recovers: before the commit line the folder is back byte for byte, after it the
    episode is gone in full (files, store entry, feed item, page); store, feed, index
    and pages always agree, and no temporary file is left."""
    stored = json.loads((two_episodes / publish.STORE_NAME).read_text(encoding="utf-8"))
    victim = next(e for e in stored if e["title"].startswith("فريق بحثي"))
    owned = [victim[k] for k in ("audio", "transcript_vtt", "transcript_txt", "chapters_json", "captions_vtt")]
    owned.append(f"episodes/{victim['slug']}.html")
    steps_out = tmp_path / "steps"
    shutil.copytree(two_episodes, steps_out)
    log = tmp_path / "steps.log"
    assert remove_process(steps_out, victim["slug"], **{publish.CRASH_LOG_ENV: str(log)}).returncode == 0
    steps = logged_steps(log)
    assert "committed" in steps and sum(s.startswith("removed ") for s in steps) == len(owned), steps
    assert any(s == f"wrote {publish.FEED_NAME}" for s in steps), steps
    commit = steps.index("committed") + 1
    before = tree(two_episodes)
    for n, step in enumerate(steps, start=1):
        out = tmp_path / f"kill-{n}"
        shutil.copytree(two_episodes, out)
        killed = remove_process(out, victim["slug"], **{publish.CRASH_ENV: str(n)})
        assert killed.returncode == -signal.SIGKILL, (n, step, killed.stderr)
        result, guids = recover_after_kill(out, (n, step), "list", "--json")
        assert {e["guid"] for e in json.loads(result.stdout)} == guids, (n, step)
        if n < commit:  # undone: as it was, byte for byte
            assert tree(out) == before, (n, step)
        else:  # finished: the one episode gone in full, the other untouched
            assert guids == {e["guid"] for e in stored} - {victim["guid"]}, (n, step)
            assert not any((out / name).exists() for name in owned), (n, step)
            kept = next(e for e in stored if e["guid"] != victim["guid"])
            for key in ("audio", "transcript_vtt", "transcript_txt", "chapters_json"):
                assert (out / kept[key]).read_bytes() == before[kept[key]], (n, step)
        shutil.rmtree(out)


def test_a_build_whose_retention_removes_an_episode_killed_at_any_step(two_episodes, tmp_path):
    """A third build with keep_last = 2, killed at every step: the new episode and the
    removal of the oldest are one publish, so the folder is either as it was or has
    the new episode without the oldest, never both nor neither."""
    settings = tmp_path / "keep.toml"
    settings.write_text("[podcast]\nkeep_last = 2\n", encoding="utf-8")
    stored = json.loads((two_episodes / publish.STORE_NAME).read_text(encoding="utf-8"))
    oldest = min(stored, key=lambda e: e["pub_date"])

    def build(out: Path, **env: str) -> subprocess.CompletedProcess[str]:
        args = ["build", str(THIRD), "--voice", str(TONE), "--out", str(out), "--base-url", BASE_URL]
        return run_forked(*args, "--config", str(settings), env={**os.environ, **env})

    steps_out, log = tmp_path / "steps", tmp_path / "steps.log"
    shutil.copytree(two_episodes, steps_out)
    done = build(steps_out, **{publish.CRASH_LOG_ENV: str(log)})
    assert done.returncode == 0 and f"retention removed: {oldest['slug']}" in done.stdout, done.stdout
    steps = logged_steps(log)
    assert any(s == f"removed {Path(oldest['audio']).name}" for s in steps), steps
    commit = steps.index("committed") + 1
    before = tree(two_episodes)
    for n, step in enumerate(steps, start=1):
        out = tmp_path / f"kill-{n}"
        shutil.copytree(two_episodes, out)
        assert build(out, **{publish.CRASH_ENV: str(n)}).returncode == -signal.SIGKILL, (n, step)
        _, guids = recover_after_kill(out, (n, step), "list")
        if n < commit:
            assert tree(out) == before, (n, step)
        else:
            assert len(guids) == 2 and oldest["guid"] not in guids, (n, step)
            assert not (out / oldest["audio"]).exists(), (n, step)
        shutil.rmtree(out)
