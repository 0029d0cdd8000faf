"""Fixtures of the framework tests: a framework served by a real `git daemon` on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import git
from tests.framework.builders import build_framework, commit_all, write


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(served: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start `git daemon` exporting every repository under *served*; return it and its URL."""
    port = free_port()
    daemon = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", f"--port={port}",
         f"--base-path={served}", str(served)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    return daemon, f"git://127.0.0.1:{port}"


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
    daemon, url = serve(served)
    try:
        yield Province(work, bare, f"{url}/mo-hinh-xa.git")
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
