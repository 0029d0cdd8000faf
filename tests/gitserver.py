"""A real git server for the tests: `git daemon` on 127.0.0.1 exporting a folder."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_daemon(served: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start `git daemon` exporting every repository under *served*; return it and its URL
    (``git://127.0.0.1:PORT``), once it accepts connections."""
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


@contextmanager
def git_daemon(served: Path) -> Iterator[str]:
    """Serve *served* by `git daemon` for the time of the block; yield its URL."""
    daemon, url = start_daemon(served)
    try:
        yield url
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
