"""Shared test settings.

In CI (CI=true) a skipped test is a failure: the optional parts (coqui, the
browser) are installed there, so a skip would hide a test that never ran. The
one allowed skip is a test of ../shared (seed, gold sets) on a clone that has
no ../shared beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def _fail_skips_in_ci(report) -> None:
    if report.skipped and os.environ.get("CI") == "true" and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        if not SHARED.is_dir() and "shared" in str(reason):
            return
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where everything must run: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_skips_in_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """A whole module skipped (importorskip of an extra) fails in CI too."""
    outcome = yield
    _fail_skips_in_ci(outcome.get_result())
