"""Files on disk: atomic writes and the repository's action lock."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from qmsdocs.errors import RepositoryBusy

__all__ = ["action_lock", "write_atomic"]


def write_atomic(path: Path, data: bytes) -> None:
    """Write *data* to *path* so that readers see the old bytes or the new, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _holder(lock: Path) -> tuple[int, str] | None:
    try:
        pid, host = lock.read_text(encoding="utf-8").split()[:2]
        return int(pid), host
    except (OSError, ValueError):
        return None


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def action_lock(lock: Path, *, wait: float = 10.0) -> Iterator[None]:
    """Hold the repository's action lock; wait up to *wait* seconds for another holder.

    A lock left by a process that no longer runs on this host is stale and is cleared.
    Raise :class:`RepositoryBusy` when another live process keeps it longer than *wait*.
    """
    deadline = time.monotonic() + wait
    me = f"{os.getpid()} {socket.gethostname()}\n"
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(lock)
            if holder is None and _age(lock) > 30:
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()  # stale: its writer died before naming itself
                continue
            if holder is not None and holder[1] == socket.gethostname() and not _alive(holder[0]):
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()  # stale: its process is gone
                continue
            if time.monotonic() >= deadline:
                who = f"process {holder[0]} on {holder[1]}" if holder else "another process"
                raise RepositoryBusy(
                    f"another qms action is running ({who}); try again in a moment",
                    file=lock,
                ) from None
            time.sleep(0.05)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(me)
        break
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
