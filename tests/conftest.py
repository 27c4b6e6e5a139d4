"""Shared test settings.

In CI (CI=true) a skipped test is a failure: the optional parts (coqui, the
browser) are installed there, so a skip would hide a test that never ran. The
one allowed skip is a test of ../shared (seed, gold sets) on a clone that has
no ../shared beside it.

No test writes into the user's sentence cache (~/.cache/audio-news): the
session points $AUDIO_NEWS_CACHE_DIR (which the CLI's subprocesses inherit) at
a temporary folder before any fixture runs, and every test gets an empty one of
its own, so a test that counts engine calls is not served by another's clips.
The per-test folder is only named (the cache makes it when it first writes): a
numbered temporary folder per test costs a directory scan each, which added up
to seconds over thousands of tests that never touch the cache.

One OpenMP thread per process: pyproject runs one test worker per core, and a
second torch (coqui tests) or BLAS thread per worker only spins against the
other worker; it doubled the coqui tests' CPU time on two cores.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
_TEST_NUMBERS = itertools.count()

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before torch or numpy is imported; the CLI's subprocesses inherit it
# Multi-article builds outside tests/test_cluster.py (which passes --jobs itself) voice their
# articles in the command's own process: a local Dask cluster per test costs seconds.
os.environ.setdefault("AUDIO_NEWS_JOBS", "1")


def _fail_skips_in_ci(report) -> None:
    if report.skipped and os.environ.get("CI") == "true" and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        if not SHARED.is_dir() and "shared" in str(reason):
            return
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where everything must run: {reason}"


@pytest.fixture(scope="session", autouse=True)
def _session_sentence_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("audio-news-cache-session")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUDIO_NEWS_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def _test_caches(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audio-news-caches")


@pytest.fixture(autouse=True)
def _own_sentence_cache(_test_caches: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = _test_caches / str(next(_TEST_NUMBERS))  # not made here: the cache makes it when it first writes
    monkeypatch.setenv("AUDIO_NEWS_CACHE_DIR", str(folder))
    return folder


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_skips_in_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """A whole module skipped (importorskip of an extra) fails in CI too."""
    outcome = yield
    _fail_skips_in_ci(outcome.get_result())
