"""Shared fixtures: real copies of the sample repository in real git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT / "sample_repo"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Võ Minh Tuấn",
    "GIT_AUTHOR_EMAIL": "tuan.vm@anhoa.binhgiang.gov.vn",
    "GIT_COMMITTER_NAME": "Võ Minh Tuấn",
    "GIT_COMMITTER_EMAIL": "tuan.vm@anhoa.binhgiang.gov.vn",
    "GIT_AUTHOR_DATE": "2025-08-01T09:00:00+07:00",
    "GIT_COMMITTER_DATE": "2025-08-01T09:00:00+07:00",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(autouse=True)
def _pinned_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Pin git's author, committer and config so that tests never read the user's setup."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    # Messages are pinned in English by most tests; tests/test_catalogs.py checks the
    # Vietnamese ones (it removes this) and that every message has its translation.
    monkeypatch.setenv("QMS_LANG", "en")


def git(cwd: Path, *args: str) -> str:
    """Run git in *cwd* and return its output; fail the test if git fails."""
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env=os.environ.copy()
    )
    return result.stdout


def copy_sample(dest: Path, *, init_git: bool = True) -> Path:
    """Copy sample_repo (schemas as real files) to *dest*, optionally as a git repository."""
    shutil.copytree(SAMPLE, dest, symlinks=False)
    if init_git:
        git(dest, "init", "-q", "-b", "main")
        git(dest, "add", "-A")
        git(dest, "commit", "-q", "-m", "Sample agency")
    return dest


def tree_snapshot(root: Path) -> dict[str, bytes]:
    """Return every file under *root* (outside .git) with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Path]:
    """A fresh git repository holding a copy of the sample agency."""
    yield copy_sample(tmp_path / "qms")


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A small valid QMS repository in a real git repository, everything committed."""
    from tests.minirepo import write_minirepo

    root = write_minirepo(tmp_path / "mini")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Mini agency")
    return root


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo repository, built once per test session (do not modify: copy it)."""
    from qmsdocs.scaffold import build_demo

    dest = tmp_path_factory.mktemp("demo") / "qms"
    steps: list[tuple[int, int]] = []
    build_demo(dest, source=SAMPLE, progress=lambda done, total: steps.append((done, total)))
    DEMO_PROGRESS[:] = steps
    return dest


#: What building demo_master reported to its progress callback (checked by test_demo).
DEMO_PROGRESS: list[tuple[int, int]] = []


@pytest.fixture
def demo(demo_master: Path, tmp_path: Path) -> Path:
    """A private copy of the demo repository, git history and tags included."""
    dest = tmp_path / "demo"
    shutil.copytree(demo_master, dest, symlinks=True)
    return dest
