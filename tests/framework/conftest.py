"""Fixtures of the framework tests: a framework served by a real `git daemon` on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import git
from tests.framework.builders import build_framework, commit_all, write
from tests.gitserver import start_daemon


class Province:
    """The province's framework: a work tree, its bare repository served over git://."""

    def __init__(self, work: Path, bare: Path, url: str) -> None:
        self.work = work
        self.bare = bare
        self.url = url

    def publish(self) -> None:
        """Push the work tree's branch and release tags to the served repository."""
        git(self.work, "push", "-q", "--follow-tags", str(self.bare), "main")
        git(self.work, "push", "-q", "--tags", str(self.bare))


@pytest.fixture
def province(tmp_path: Path) -> Iterator[Province]:
    """Release v1 of a framework served by git daemon, and a served repository that is no QMS."""
    served = tmp_path / "served"
    served.mkdir()
    work = build_framework(tmp_path / "framework")
    bare = served / "mo-hinh-xa.git"
    git(work, "clone", "-q", "--bare", str(work), str(bare))
    plain = tmp_path / "plain"
    plain.mkdir()
    git(plain, "init", "-q", "-b", "main")
    write(plain, {"README.md": "Không phải hệ thống QLCL\n"})
    commit_all(plain, "plain")
    git(plain, "tag", "v1")
    git(plain, "clone", "-q", "--bare", str(plain), str(served / "plain.git"))
    daemon, url = start_daemon(served)
    try:
        yield Province(work, bare, f"{url}/mo-hinh-xa.git")
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
