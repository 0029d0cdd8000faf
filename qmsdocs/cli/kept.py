"""Kept answers: a read command asked again of an unchanged repository answers at once.

``qms list``, ``qms show`` and ``qms validate`` spend most of a warm run importing the library
(pydantic and the models, gitpython, ruamel, rich: about 0.4 s) to print what they printed
the last time. The ``qms`` entry point (:func:`main`) records what such a command wrote —
standard output and error, in order — and its exit code, under a digest of everything the
answer depends on, and writes it back the next time without importing the library.

What the answer is kept under (a stat is size, modification time in ns and inode, git's own
way of telling a changed file):

- the request: the arguments, the working folder, the day, the environment variables that
  change an answer (language, time zone, terminal, colour, QMS_*, GIT_*), whether the
  streams are terminals and the terminal's size, Python, and the stat of every file of
  qmsdocs and of the folders packages are installed in (a new release or a reinstall);
- the state: the stat of every file under the repository's folder (``.git`` aside) and of
  git's HEAD, refs, packed refs and config — a commit, a tag, an edit, a new or removed file
  each change it.

A file changed in the last two seconds may change again without its stat changing (git's
"racy" rule): then nothing is answered from, or kept in, this cache. Answers live in
``<git dir>/qms-cache/answer-*.json`` (the library's persistent cache, cleared with it);
outside git, or with ``GIT_DIR`` and the like set, every run is a full run. This module
imports only the standard library.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from qmsdocs._version import __version__
from qmsdocs.store.cache import CACHE_FOLDER, JsonCache

__all__ = ["COMMANDS", "main"]

#: The commands whose answers are kept: they read, and what they print depends only on the
#: key above.
COMMANDS = frozenset({"list", "show", "validate"})

#: Answers kept at most, per repository (the oldest goes first).
KEEP = 32

_RACY_NS = 2_000_000_000  # as qmsdocs.read.files.RACY_NS
_ENV_PREFIXES = ("QMS_", "GIT_", "LC_")
_ENV_NAMES = frozenset({
    "LANG", "LANGUAGE", "TZ", "COLUMNS", "LINES", "TERM", "COLORTERM", "NO_COLOR",
    "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CLICOLOR", "CLICOLOR_FORCE",
    "PYTHONIOENCODING", "PYTHONUTF8", "HOME",
})  # fmt: skip
# Where git looks is changed by these: the repository found here may not be the one read.
_GIT_PLACES = frozenset({
    "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE",
})  # fmt: skip
_GLOBAL_OPTIONS = ("-C", "--lang")


@dataclass(frozen=True)
class _Asked:
    """A request whose answer may be kept: where it reads, and its digest."""

    root: Path
    git_dir: Path
    common_dir: Path
    request: str


def main(argv: list[str] | None = None) -> int:
    """Run ``qms`` with *argv*: a kept answer when there is one, else the command, kept."""
    args = list(argv) if argv is not None else sys.argv[1:]
    asked = _asked(args)
    state = _state(asked) if asked is not None else None
    if asked is not None and state is not None:
        kept = _cache(asked).read(_name(asked))
        if kept.get("state") == state and kept.get("request") == asked.request:
            replayed = _replay(kept)
            if replayed is not None:
                return replayed
    from qmsdocs.cli import main as full  # noqa: PLC0415 - the whole library, only now

    if asked is None or state is None:
        return full.main(args)
    recorder = _Recorder()
    try:
        code = full.main(args)
    finally:
        recorder.stop()
    if code in (0, 1) and not recorder.tainted and _state(asked) == state:
        _keep(asked, state, recorder.chunks, code)
    return code


# -- the request -------------------------------------------------------------------------


def _asked(args: list[str]) -> _Asked | None:
    """Return the request of *args* when its answer may be kept, else None."""
    if any(name in os.environ for name in _GIT_PLACES):
        return None
    directory = "."
    index = 0
    while index < len(args) and args[index].startswith("-"):
        arg = args[index]
        name, equals, value = arg.partition("=")
        if name not in _GLOBAL_OPTIONS:
            return None  # --help, --version, a typo: the full run answers
        if not equals:
            if index + 1 >= len(args):
                return None
            value = args[index + 1]
            index += 1
        if name == "-C":
            directory = value
        index += 1
    if index >= len(args) or args[index] not in COMMANDS:
        return None
    if any(a in ("-h", "--help") for a in args[index:]):
        return None
    root = _root(Path(directory))
    if root is None:
        return None
    found = _git_dirs(root)
    if found is None:
        return None
    git_dir, common_dir = found
    request = [
        __version__,
        args,
        os.getcwd(),
        str(root),
        dt.date.today().isoformat(),
        sorted(
            (k, v) for k, v in os.environ.items() if k in _ENV_NAMES or k.startswith(_ENV_PREFIXES)
        ),
        _terminal(),
        sys.version,
        sys.executable,
        _library(),
    ]
    digest = hashlib.sha256(repr(request).encode("utf-8", "surrogatepass")).hexdigest()
    return _Asked(root, git_dir, common_dir, digest)


def _root(start: Path) -> Path | None:
    """Return the nearest folder at or above *start* holding qms.yaml (as the reader finds it)."""
    try:
        here = start.expanduser().resolve()
        if here.is_file():
            here = here.parent
        for folder in (here, *here.parents):
            if (folder / "qms.yaml").is_file():
                return folder
    except (OSError, RuntimeError):
        pass
    return None


def _git_dirs(root: Path) -> tuple[Path, Path] | None:
    """Return the git directory of the work tree holding *root*, and its common directory."""
    for folder in (root, *root.parents):
        dot = folder / ".git"
        try:
            if dot.is_dir():
                git_dir = dot
            elif dot.is_file():
                text = dot.read_text(encoding="utf-8").strip()
                if not text.startswith("gitdir:"):
                    return None
                git_dir = (folder / text[len("gitdir:") :].strip()).resolve()
            else:
                continue
            common = git_dir
            if (git_dir / "commondir").is_file():
                pointer = (git_dir / "commondir").read_text(encoding="utf-8").strip()
                common = (git_dir / pointer).resolve()
            return git_dir, common
        except (OSError, UnicodeDecodeError):
            return None
    return None


def _terminal() -> list[Any]:
    ttys = [_isatty(sys.stdout), _isatty(sys.stderr)]
    size: Any = None
    if any(ttys):
        for fd in (0, 1, 2):
            try:
                size = tuple(os.get_terminal_size(fd))
                break
            except OSError:
                continue
    return [ttys, size]


def _isatty(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


def _library() -> list[Any]:
    """Return the stats of qmsdocs' own files and of the folders packages are installed in."""
    package = Path(__file__).resolve().parent.parent
    stats: list[Any] = []
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                stats.append(_stat(os.path.join(folder, name)))
    for entry in sys.path:
        if entry and os.path.isdir(entry):
            stats.append(_stat(entry))
    return stats


# -- the state ---------------------------------------------------------------------------


def _state(asked: _Asked) -> str | None:
    """Return a digest of the repository's files and git refs; None when one is racy."""
    now = time.time_ns()
    stats: list[Any] = []
    for folder, dirs, files in os.walk(asked.root):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(files):
            if name != ".git":
                stats.append(_stat(os.path.join(folder, name)))
        for name in dirs:  # a symbolic link to a folder is not walked: its own stat is kept
            path = os.path.join(folder, name)
            if os.path.islink(path):
                stats.append(_stat(path))
    for git_folder in dict.fromkeys((asked.git_dir, asked.common_dir)):
        for name in ("HEAD", "packed-refs", "config", "config.worktree", "shallow"):
            stats.append(_stat(str(git_folder / name)))
        for sub in ("refs", "reftable", "info"):
            for folder, dirs, files in os.walk(git_folder / sub):
                dirs.sort()
                stats.append(_stat(folder))
                stats.extend(_stat(os.path.join(folder, name)) for name in sorted(files))
    for stat in stats:
        if stat[1] is not None and now - stat[2] < _RACY_NS:
            return None
    return hashlib.sha256(repr(stats).encode("utf-8", "surrogatepass")).hexdigest()


def _stat(path: str) -> tuple[str, int | None, int, int]:
    """Return (path, size, mtime in ns, inode); size None when there is no such file."""
    try:
        info = os.stat(path)
    except OSError:
        return (path, None, 0, 0)
    return (path, info.st_size, info.st_mtime_ns, info.st_ino)


# -- keeping and answering ---------------------------------------------------------------


def _cache(asked: _Asked) -> JsonCache:
    return JsonCache(asked.git_dir / CACHE_FOLDER)


def _name(asked: _Asked) -> str:
    return f"answer-{asked.request[:20]}"


def _keep(asked: _Asked, state: str, chunks: list[list[Any]], code: int) -> None:
    cache = _cache(asked)
    try:
        cache.write(
            _name(asked),
            {"request": asked.request, "state": state, "code": code, "chunks": chunks},
        )
        assert cache.folder is not None
        kept = sorted(cache.folder.glob("answer-*.json"), key=lambda p: p.stat().st_mtime_ns)
        for old in kept[:-KEEP]:
            old.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass  # the cache only saves time


def _replay(kept: dict[str, Any]) -> int | None:
    """Write a kept answer back; return its exit code (None when the record is damaged)."""
    chunks = kept.get("chunks")
    code = kept.get("code")
    if code not in (0, 1) or not isinstance(chunks, list):
        return None
    if not all(
        isinstance(c, list) and len(c) == 2 and c[0] in (1, 2) and isinstance(c[1], str)
        for c in chunks
    ):
        return None
    try:
        for fd, text in chunks:
            stream = sys.stdout if fd == 1 else sys.stderr
            stream.write(text)
            stream.flush()
    except BrokenPipeError:
        # as qms does: the reader closed the pipe (qms list | head); what it wanted, it has
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return int(code)


class _Tee:
    """A text stream that writes through to *stream* and records what was written."""

    def __init__(self, stream: TextIO, fd: int, recorder: _Recorder) -> None:
        self._stream = stream
        self._fd = fd
        self._recorder = recorder

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # bytes: a text stream refuses them (click asks so)
            return self._stream.write(text)
        try:
            written = self._stream.write(text)
        except BaseException:
            self._recorder.tainted = True
            raise
        if text:
            chunks = self._recorder.chunks
            if chunks and chunks[-1][0] == self._fd:
                chunks[-1][1] += text
            else:
                chunks.append([self._fd, text])
        return written

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BaseException:
            self._recorder.tainted = True
            raise

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # bytes written there are not recorded: keep nothing
            self._recorder.tainted = True
        return getattr(self._stream, name)


class _Recorder:
    """Records what the command writes to sys.stdout and sys.stderr, in order."""

    def __init__(self) -> None:
        self.chunks: list[list[Any]] = []
        self.tainted = sys.stdout is None or sys.stderr is None
        self._streams = sys.stdout, sys.stderr
        if not self.tainted:
            sys.stdout = _Tee(sys.stdout, 1, self)
            sys.stderr = _Tee(sys.stderr, 2, self)

    def stop(self) -> None:
        sys.stdout, sys.stderr = self._streams
