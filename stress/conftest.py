"""The long reliability runs of ``make stress``: shared set-up and the figures they report.

Every stress module adds what it tried and what it found to ``FIGURES`` (see
:func:`record`); at the end of the run they are printed and written to
``stress/results.json``, the source of the figures in RELIABILITY.md.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GIT_ENV

HERE = Path(__file__).resolve().parent
#: What each stress module tried and found, by module and figure name.
FIGURES: dict[str, dict[str, Any]] = {}
_STARTED = time.monotonic()


def record(module: str, **figures: Any) -> None:
    """Add *figures* (numbers add up, other values replace) to the report of *module*."""
    mine = FIGURES.setdefault(module, {})
    for name, value in figures.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            mine[name] = mine.get(name, 0) + value
        else:
            mine[name] = value


@pytest.fixture(autouse=True)
def _pinned_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Pin git's identity and config, as in the tests: never the user's own setup."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope="session")
def pinned_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The same pinned environment, for session fixtures that run git."""
    home = tmp_path_factory.mktemp("session-home")
    yield {
        **os.environ,
        **GIT_ENV,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
    }


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the figures of the run and keep them in stress/results.json."""
    if not FIGURES:
        return
    FIGURES["run"] = {"wall_seconds": round(time.monotonic() - _STARTED, 1)}
    terminalreporter.section("reliability figures")
    for module, figures in sorted(FIGURES.items()):
        shown = ", ".join(f"{name}={value}" for name, value in figures.items())
        terminalreporter.write_line(f"{module}: {shown}")
    (HERE / "results.json").write_text(
        json.dumps(FIGURES, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
