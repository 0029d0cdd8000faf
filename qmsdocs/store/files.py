"""Files on disk: atomic writes, and the repository's action lock with its journal.

The action lock is ``.git/qms.lock``. On POSIX it is held with ``flock``, which the kernel
releases when the holder dies, so a lock can never be left held by a dead process; the file
is removed when an action ends. While it is held, the file records who holds it and, once an
action starts writing, its *intent*: the commit it is about to make (HEAD before, files,
trailers) and the tag that must follow. If the holder is killed half-way, the file stays
behind and the next process to take the lock reads the intent and makes the action wholly
absent (files and index put back) or wholly there (the missing tag created), see
:func:`replay`. Git children of an action inherit the lock, so the next process waits until
an orphaned ``git commit`` has finished before it looks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qmsdocs.errors import QmsError, RepositoryBusy
from qmsdocs.i18n import _

if sys.platform != "win32":
    import fcntl

__all__ = [
    "HeldLock",
    "action_lock",
    "output_folder",
    "record_intent",
    "replay",
    "write_atomic",
    "write_output",
]


def _mode_for(path: Path) -> int:
    """Return the mode a new file gets here (the umask applied), or the one *path* has."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write *data* to *path* so that readers see the old bytes or the new, never a part.

    The file gets the mode an ordinary write would give it (the umask applied, or the mode
    of the file it replaces), not the private 0600 of a temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_output(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write an output file (an export, a report) atomically, creating its folders.

    Return the path written. A folder that cannot be made or written raises one
    :class:`QmsError` naming the path, never a bare OSError.
    """
    target = Path(path)
    try:
        write_atomic(target, data)
    except OSError as error:
        raise QmsError(
            f"cannot write {target}: {error.strerror or error}", file=os.fspath(target)
        ) from None
    return target


def output_folder(path: str | os.PathLike[str]) -> Path:
    """Return *path* as a folder that exists, made if missing; one :class:`QmsError` if not."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise QmsError(
            _("cannot create the folder {folder}: {value}").format(
                folder=folder, value=error.strerror or error
            ),
            file=os.fspath(folder),
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise QmsError(
            _("cannot write into the folder {folder}: permission denied").format(folder=folder),
            file=str(folder),
        )
    return folder


@dataclass
class HeldLock:
    """The action lock while this process holds it.

    ``recovered`` says what was done to an action that a killed process left half-way
    (None when the previous holder ended cleanly).
    """

    path: Path
    fd: int | None
    recovered: str | None = None


def _holder_line() -> str:
    started = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    return f"{os.getpid()} {socket.gethostname()} {started}\n"


def _parse(text: str) -> tuple[tuple[int, str] | None, float | None, dict[str, Any] | None]:
    """Return (holder pid and host, start time, intent) of a lock file's text."""
    first, _sep, rest = text.partition("\n")
    parts = first.split()
    holder = None
    started = None
    with contextlib.suppress(ValueError, IndexError):
        holder = (int(parts[0]), parts[1])
    with contextlib.suppress(ValueError, IndexError):
        started = dt.datetime.fromisoformat(parts[2]).timestamp()
    intent = None
    if rest.strip():
        with contextlib.suppress(ValueError):
            value = json.loads(rest)
            intent = value if isinstance(value, dict) else None
    return holder, started, intent


def _read(lock: Path) -> str:
    try:
        return lock.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _busy(lock: Path) -> RepositoryBusy:
    holder = _parse(_read(lock))[0]
    who = f"process {holder[0]} on {holder[1]}" if holder else "another process"
    return RepositoryBusy(
        _("another qms action is running ({who}); try again in a moment").format(who=who), file=lock
    )


def _acquire_flock(lock: Path, deadline: float) -> int:
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise _busy(lock) from None
            time.sleep(0.05)
            continue
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder before us removed this file when it ended: take the new one


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _acquire_exclusive(lock: Path, deadline: float) -> None:
    """Where there is no flock: create the file exclusively; clear it when its holder died."""
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _parse(_read(lock))[0]
            stale = (holder is None and _age(lock) > 30) or (
                holder is not None and holder[1] == socket.gethostname() and not _alive(holder[0])
            )
            if stale:
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()
                continue
            if time.monotonic() >= deadline:
                raise _busy(lock) from None
            time.sleep(0.05)
            continue
        os.close(fd)
        return


def _write(held: HeldLock, text: str) -> None:
    data = text.encode("utf-8")
    if held.fd is None:
        held.path.write_bytes(data)
        return
    os.ftruncate(held.fd, 0)
    os.pwrite(held.fd, data, 0)
    os.fsync(held.fd)


def record_intent(lock: Path, intent: dict[str, Any] | None) -> None:
    """Write what the action holding *lock* is about to do (None: it is done or undone).

    *intent* holds ``top`` (the work tree), ``head`` (HEAD before), ``files`` (paths from
    the top), ``trailers`` (of the commit to come) and ``tag`` (None, or ``name``,
    ``message``, ``tagger``, ``email``, ``when``, ``sign``).
    """
    first = _read(lock).partition("\n")[0] + "\n"
    text = first + (json.dumps(intent, ensure_ascii=False) + "\n" if intent else "")
    try:
        fd = os.open(lock, os.O_WRONLY)
    except FileNotFoundError:
        return  # not under the action lock (a builder writing alone): nothing to journal
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, text.encode("utf-8"), 0)
        os.fsync(fd)
    finally:
        os.close(fd)


def _clear_git_locks(git_dir: Path, since: float) -> list[str]:
    """Remove git's own lock files created since *since* by a holder that was killed."""
    # index.lock, next-index-*.lock, HEAD.lock, packed-refs.lock …, never our own qms.lock
    candidates = [p for p in git_dir.glob("*.lock") if p.name != "qms.lock"]
    refs = git_dir / "refs"
    if refs.is_dir():
        candidates += refs.rglob("*.lock")
    removed = []
    for path in candidates:
        with contextlib.suppress(OSError):
            if path.stat().st_mtime >= since - 1:
                path.unlink()
                removed.append(path.name)
    return removed


def replay(intent: dict[str, Any], *, killed_at: float | None = None) -> str | None:
    """Finish or undo the action *intent* describes, so that it is wholly there or absent.

    If its commit was not made, the files and the index are put back as at HEAD. If the
    commit was made and its tag is missing, the tag is made as the action would have made it.
    If history has moved on since, nothing is touched. Return what was done, or None.
    *killed_at* (the time the killed holder took the lock) also clears the lock files git
    left behind and the temporary files of interrupted writes.
    """
    from qmsdocs.store.git import GitStore, Identity, parse_trailers

    top = Path(intent["top"])
    files = [str(f) for f in intent.get("files", [])]
    if killed_at is not None:
        store0 = GitStore(top)
        try:
            _clear_git_locks(store0.git_dir(), killed_at)
        finally:
            store0.close()
        for rel in files:
            path = top / rel
            for tmp in path.parent.glob(f".{path.name}.*.tmp"):
                with contextlib.suppress(OSError):
                    if tmp.stat().st_mtime >= killed_at - 1:
                        tmp.unlink()
    store = GitStore(top)
    try:
        head = store.head()
        what = intent.get("trailers", {}).get("QMS-Action", "action")
        if head == intent.get("head"):
            store.restore(files)
            return _("an interrupted {what} was undone: its files are back as at HEAD").format(
                what=what
            )
        if head is None or store.parents(head) != [p for p in [intent.get("head")] if p]:
            return None
        if parse_trailers(store.message(head)) != intent.get("trailers"):
            return None
        tag = intent.get("tag")
        if tag and store.tag_target(tag["name"]) is None:
            store.tag(
                tag["name"],
                head,
                tag["message"],
                tagger=Identity(tag["tagger"], tag["email"]),
                when=dt.datetime.fromisoformat(tag["when"]),
                sign=bool(tag.get("sign")),
            )
            return _("an interrupted {what} was completed: tag {value} made").format(
                what=what, value=tag["name"]
            )
        return None
    finally:
        store.close()


@contextlib.contextmanager
def action_lock(lock: Path, *, wait: float = 10.0) -> Iterator[HeldLock]:
    """Hold the repository's action lock; wait up to *wait* seconds for another holder.

    Raise :class:`RepositoryBusy` when another live process keeps it longer than *wait*.
    An action left half-way by a killed holder is finished or undone first (:func:`replay`);
    an intent still recorded when this holder ends (an unexpected error in the middle of an
    action) is replayed too. Should a replay fail, the journal is kept for the next holder.
    """
    deadline = time.monotonic() + wait
    if sys.platform == "win32":
        _acquire_exclusive(lock, deadline)
        held = HeldLock(lock, None)
    else:
        fd = _acquire_flock(lock, deadline)
        held = HeldLock(lock, fd)
    keep = False
    try:
        if held.fd is not None:
            os.set_inheritable(held.fd, True)  # git children keep holding it if we die
            previous = os.read(held.fd, 1 << 20).decode("utf-8", "replace")
            _when, started, intent = _parse(previous)
            if intent is not None:
                # The journal stays until the replay is done: a replay killed in turn is
                # replayed again by the next holder (replaying twice changes nothing).
                try:
                    held.recovered = replay(intent, killed_at=started) or _("nothing to recover")
                except (QmsError, OSError):
                    keep = True
                    raise
        _write(held, _holder_line())
        yield held
    finally:
        if not keep:
            intent = _parse(_read(lock))[2]
            if intent is not None:
                try:
                    replay(intent)
                except (QmsError, OSError):
                    keep = True
        if not keep:
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
        if held.fd is not None:
            os.close(held.fd)
