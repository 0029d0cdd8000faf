"""The only module that imports gitpython: commits, tags, history and blobs.

Each call runs one git command; reading history or all tags is one command whatever the
number of objects.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import git

from qmsdocs.errors import GitError
from qmsdocs.store.cache import JsonCache

__all__ = [
    "MAX_BLOB_BYTES",
    "CommitInfo",
    "CommitStore",
    "GitState",
    "GitStore",
    "Identity",
    "TagInfo",
    "TreeEntry",
    "fetch_refs",
    "git_state",
    "init_work_tree",
    "list_refs",
    "remote_tags",
    "update_refs",
]

_TRAILER = re.compile(r"^([A-Za-z][A-Za-z0-9-]*): (.*)$")
_FIELD, _RECORD = "\x1f", "\x1e"


#: The name a commit's tree listing is kept under (:meth:`CommitStore.keep_listing`).
_LISTING = "listing"

#: The largest file read from a git object: a bigger blob is reported, never loaded.
MAX_BLOB_BYTES = 8 * 1024 * 1024


class GitState:
    """Where a folder sits in git: its work tree top, or why it has none."""

    def __init__(self, top: Path | None, problem: str | None, git_dir: Path | None = None) -> None:
        self.top = top
        self.problem = problem
        self.git_dir = git_dir


def git_state(path: Path) -> GitState:
    """Return the git work tree that holds *path*, or the reason there is none."""
    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return GitState(None, "not inside a git work tree (run 'git init' here)")
    try:
        if repo.bare or repo.working_tree_dir is None:
            return GitState(None, "a bare git repository has no work tree to hold documents")
        return GitState(Path(repo.working_tree_dir).resolve(), None, Path(repo.git_dir).resolve())
    finally:
        repo.close()


def init_work_tree(path: Path) -> None:
    """Make *path* a new git work tree on branch main."""
    git.Repo.init(path, initial_branch="main").close()


@dataclass(frozen=True)
class Identity:
    """Who acts: the name and email git records as author, committer or tagger."""

    name: str
    email: str


@dataclass(frozen=True)
class CommitInfo:
    """One commit: who, when, its message and its machine-readable trailers."""

    sha: str
    author: Identity
    date: dt.datetime
    subject: str
    body: str
    trailers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TagInfo:
    """One tag: its name, the commit it points to, and its message for annotated tags."""

    name: str
    commit: str
    annotated: bool
    message: str
    tagger: Identity | None
    date: dt.datetime | None
    trailers: dict[str, str] = field(default_factory=dict)


def trailer_items(message: str) -> list[tuple[str, str]]:
    """Return the trailers (``Key: value`` lines) of the last paragraph of *message*, in order.

    A key may repeat (one commit revising several documents names each of them).
    """
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    if not paragraphs:
        return []
    out: list[tuple[str, str]] = []
    for line in paragraphs[-1].splitlines():
        match = _TRAILER.match(line.strip())
        if not match:
            return []
        out.append((match.group(1), match.group(2).strip()))
    return out


def parse_trailers(message: str) -> dict[str, str]:
    """Return the trailers of *message* as a mapping (the first value of a repeated key)."""
    out: dict[str, str] = {}
    for key, value in trailer_items(message):
        out.setdefault(key, value)
    return out


def _date(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None


#: What ``for-each-ref`` gives of a tag (:func:`_tag_info` reads it back).
_TAG_FIELDS = (
    "%(refname)",
    "%(objecttype)",
    "%(objectname)",
    "%(*objectname)",
    "%(taggername)",
    "%(taggeremail)",
    "%(taggerdate:iso-strict)",
    "%(contents:subject)",
    "%(contents:body)",
)


def _records(out: str, fields: int) -> list[list[str]]:
    """Return the records of a ``--format`` output made of *fields* fields each."""
    rows = (record.strip("\n").split(_FIELD) for record in out.split(_RECORD))
    return [parts for parts in rows if len(parts) == fields]


def _tag_info(parts: Sequence[str]) -> TagInfo:
    ref, kind, obj, peeled, tname, temail, tdate, subject, body = parts[:9]
    contents = f"{subject}\n\n{body}".strip() + "\n"  # the signature left out
    annotated = kind == "tag"
    return TagInfo(
        name=ref.removeprefix("refs/tags/"),
        commit=peeled if annotated else obj,
        annotated=annotated,
        message=contents if annotated else "",
        tagger=Identity(tname, temail.strip("<>")) if annotated else None,
        date=_date(tdate) if annotated else None,
        trailers=parse_trailers(contents) if annotated else {},
    )


class _CatFiles:
    """The ``git cat-file`` processes one process of ours started (a forked child starts
    its own); they end with :meth:`close`, or when this object is collected."""

    def __init__(self, git_dir: Path) -> None:
        self.pid = os.getpid()
        self._git_dir = git_dir
        self._processes: dict[str, subprocess.Popen[bytes]] = {}

    def process(self, mode: str) -> subprocess.Popen[bytes]:
        """Return the running ``git cat-file <mode>``, started on first use."""
        process = self._processes.get(mode)
        if process is None or process.poll() is not None:
            process = self._processes[mode] = subprocess.Popen(
                [
                    "git",
                    "-c",
                    "core.deltaBaseCacheLimit=8m",
                    "--git-dir",
                    str(self._git_dir),
                    "cat-file",
                    mode,
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        return process

    def close(self) -> None:
        """End every process (git ends at the end of its input); a child leaves its
        parent's alone."""
        processes, self._processes = self._processes, {}
        if self.pid != os.getpid():
            return
        for process in processes.values():
            for pipe in (process.stdin, process.stdout):
                with contextlib.suppress(OSError, ValueError):
                    if pipe is not None:
                        pipe.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


class GitStore:
    """A git work tree, driven through git's own commands."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self._repo = git.Repo(top)
        self._git = self._repo.git
        self._tip = "HEAD"  # what history is read from (a pinned commit in CommitStore)
        self._batches: _CatFiles | None = None

    def close(self) -> None:
        """Release git's handles and end the git processes this store started."""
        self._end_batches()
        self._repo.close()

    def _run(self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
        handle = None
        if stdin is not None:
            handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finally
            handle.write(stdin.encode("utf-8"))
            handle.seek(0)
        try:
            return str(
                self._git.execute(
                    ["git", *args],
                    env={**os.environ, **(env or {})},
                    istream=handle,
                    strip_newline_in_stdout=False,
                    # Keep the inheritable action lock open in git: should we be killed,
                    # the next action waits for this git to end (qmsdocs.store.files).
                    close_fds=False,
                )
            )
        except git.GitCommandError as error:
            detail = " ".join(str(error.stderr or error.stdout or "").split())
            raise GitError(f"git {args[0]} failed: {detail or error.status}") from None
        finally:
            if handle is not None:
                handle.close()

    # -- state ---------------------------------------------------------------------------

    def head(self) -> str | None:
        """Return the commit HEAD points at, or None in a repository without commits."""
        try:
            return self._run("rev-parse", "--verify", "-q", "HEAD^{commit}").strip() or None
        except GitError:
            return None

    def dirty(self, paths: Sequence[str]) -> list[str]:
        """Return which of *paths* (relative to the top) differ from HEAD or are untracked."""
        if not paths:
            return []
        out = self._run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths)
        return [entry[3:] for entry in out.split("\0") if entry]

    def user_email(self) -> str | None:
        """Return git's configured user.email, or None."""
        try:
            return self._run("config", "user.email").strip() or None
        except GitError:
            return None

    def git_dir(self) -> Path:
        """Return the repository's .git folder."""
        return Path(self._repo.git_dir)

    def hooks_dir(self) -> Path:
        """Return the folder git runs hooks from (``core.hooksPath`` respected)."""
        path = Path(self._run("rev-parse", "--git-path", "hooks").strip())
        return path if path.is_absolute() else self.top / path

    def is_ancestor(self, commit: str, of: str) -> bool:
        """Return whether *commit* is reachable from *of*."""
        try:
            self._run("merge-base", "--is-ancestor", commit, of)
        except GitError:
            return False
        return True

    def reachable(self, commits: Sequence[str], of: str) -> set[str]:
        """Return which of *commits* are reachable from *of*, in one git call.

        ``git rev-list`` walks *of*'s history once, stopping below the oldest of *commits*
        it meets; a commit git does not know is never reachable.
        """
        wanted = set(commits)
        if not wanted:
            return set()
        try:
            out = self._run("rev-list", "--end-of-options", of, "--")
        except GitError:
            return set()
        found = set()
        for line in out.split():
            if line in wanted:
                found.add(line)
                if len(found) == len(wanted):
                    break
        return found

    # -- writing -------------------------------------------------------------------------

    def commit(
        self,
        paths: Sequence[str],
        message: str,
        *,
        author: Identity,
        when: dt.datetime,
        sign: bool = False,
    ) -> str:
        """Commit exactly *paths* (added, changed or deleted) as *author* at *when*.

        Other staged changes are left alone. Return the new commit id.
        """
        env = _identity_env(author, when)
        self._run("add", "-A", "--", *paths)
        # Nothing else staged (the usual case): commit the index as it is. Naming the paths
        # makes git build a second index from HEAD, twice the time on 64,000 files.
        only = ["--", *paths] if self._staged_besides(paths) else []
        self._run(
            "commit",
            "-q",
            "--no-edit",
            *(["-S"] if sign else []),
            "-F",
            "-",
            *only,
            env=env,
            stdin=message,
        )
        head = self.head()
        assert head is not None
        return head

    def _staged_besides(self, paths: Sequence[str]) -> bool:
        """Return whether the index differs from HEAD in a file not in *paths* (or no HEAD)."""
        try:
            out = self._run("diff-index", "--cached", "--name-only", "--no-renames", "-z", "HEAD")
        except GitError:  # no commit yet
            return True
        return bool(set(out.split("\0")) - set(paths) - {""})

    def tag(
        self,
        name: str,
        commit: str,
        message: str,
        *,
        tagger: Identity,
        when: dt.datetime,
        sign: bool = False,
    ) -> None:
        """Create the annotated tag *name* on *commit*; refuse to move an existing tag."""
        self._run(
            "tag",
            "-s" if sign else "-a",
            name,
            commit,
            "-F",
            "-",
            env=_identity_env(tagger, when),
            stdin=message,
        )

    def unstage(self, paths: Sequence[str]) -> None:
        """Reset the index of *paths* to HEAD (used to roll back a failed action)."""
        if self.head() is None:
            self._run("rm", "-q", "--cached", "--ignore-unmatch", "--", *paths)
        else:
            self._run("reset", "-q", "HEAD", "--", *paths)

    def reset_soft(self, commit: str) -> None:
        """Move the branch back to *commit*, keeping index and files (roll back a commit)."""
        self._run("reset", "-q", "--soft", commit)

    def restore(self, paths: Sequence[str]) -> None:
        """Put *paths* back as at HEAD in the index and the work tree (absent if not there)."""
        if not paths:
            return
        head = self.head()
        known = set()
        if head is not None:
            known = set(self._run("ls-tree", "-z", "--name-only", head, "--", *paths).split("\0"))
        there = [p for p in paths if p in known]
        gone = [p for p in paths if p not in known]
        if there:
            self._run("checkout", "-q", head or "HEAD", "--", *there)
        if gone:
            self._run("rm", "-q", "--cached", "--ignore-unmatch", "--", *gone)
            for path in gone:
                (self.top / path).unlink(missing_ok=True)

    def parents(self, commit: str) -> list[str]:
        """Return the parents of *commit*."""
        return self._run("rev-list", "--parents", "-n", "1", commit, "--").split()[1:]

    def message(self, commit: str) -> str:
        """Return the whole message of *commit*."""
        return self._run("log", "-1", "--format=%B", commit, "--")

    def replaced(self) -> list[str]:
        """Return the objects git shows substituted by others (``git replace``, grafts)."""
        out = self._run("for-each-ref", "--format=%(refname:strip=2)", "refs/replace/")
        names = out.split()
        if (self.git_dir() / "info" / "grafts").exists():
            names.append("info/grafts")
        return names

    def tag_target(self, name: str) -> str | None:
        """Return the commit the tag *name* points at, or None when there is no such tag."""
        try:
            return self._run("rev-parse", "-q", "--verify", f"refs/tags/{name}^{{commit}}").strip()
        except GitError:
            return None

    # -- reading -------------------------------------------------------------------------

    def changed_files(self, *, exclude_grep: str) -> list[tuple[str, str | None, list[str]]]:
        """Return (commit, first parent, files changed) of commits whose message lacks
        *exclude_grep*, reachable from HEAD, newest first; one git command."""
        if self.head() is None:
            return []
        out = self._run(
            "log",
            "--no-renames",
            "--first-parent",
            "-m",
            "--name-only",
            f"--format={_RECORD}%H %P",
            f"--grep={exclude_grep}",
            "--invert-grep",
            self._tip,
            "--",
        )
        result = []
        for record in out.split(_RECORD):
            lines = [line for line in record.splitlines() if line.strip()]
            if not lines:
                continue
            ids = lines[0].split()
            result.append((ids[0], ids[1] if len(ids) > 1 else None, lines[1:]))
        return result

    def last_changed(self, folder: str) -> dict[str, dt.datetime]:
        """Return, for each file ever committed under *folder*, when it last changed (one git)."""
        if self.head() is None:
            return {}
        out = self._run("log", "--format=%x00%aI", "--name-only", self._tip, "--", folder)
        when: dict[str, dt.datetime] = {}
        for record in out.split("\0")[1:]:
            lines = [line for line in record.splitlines() if line.strip()]
            day = _date(lines[0]) if lines else None
            if day is None:
                continue
            for name in lines[1:]:
                when.setdefault(name, day)
        return when

    def log(self, *, grep: Sequence[str] = (), paths: Sequence[str] = ()) -> list[CommitInfo]:
        """Return the commits reachable from HEAD, newest first, optionally filtered."""
        if self.head() is None:
            return []
        args = ["log", f"--format=%H{_FIELD}%an{_FIELD}%ae{_FIELD}%aI{_FIELD}%B{_RECORD}"]
        for pattern in grep:
            args.append(f"--grep={pattern}")
        if grep:
            args.append("--all-match")
        out = self._run(*args, self._tip, "--", *paths)
        commits = []
        for record in out.split(_RECORD):
            parts = record.strip("\n").split(_FIELD)
            if len(parts) != 5:
                continue
            sha, name, email, date, message = parts
            subject, _, body = message.partition("\n")
            commits.append(
                CommitInfo(
                    sha=sha,
                    author=Identity(name, email),
                    date=_date(date) or dt.datetime.min.replace(tzinfo=dt.UTC),
                    subject=subject,
                    body=body.strip(),
                    trailers=parse_trailers(message),
                )
            )
        return commits

    def refs_key(self, prefix: str) -> str:
        """Return a digest that changes whenever a ref under *prefix* is made, moved or removed.

        It reads no object: ``git show-ref`` lists a province's 13,005 tags in 12 ms, half
        the time of ``git for-each-ref``. Refs come sorted by name, so those under *prefix*
        are one block of lines; should they not be, refs between them are digested too,
        which only changes the key more often.
        """
        try:
            out = self._run("show-ref")
        except GitError:  # no ref at all
            out = ""
        marker = f" {prefix}"
        first = out.find(marker)
        block = ""
        if first >= 0:
            last = out.rfind(marker)
            block = out[out.rfind("\n", 0, first) + 1 : out.find("\n", last) + 1 or len(out)]
        return hashlib.sha256(block.encode()).hexdigest()

    def tags(self, prefix: str) -> list[TagInfo]:
        """Return every tag under ``refs/tags/<prefix>``, in one git command."""
        fmt = _FIELD.join(_TAG_FIELDS)
        out = self._run("for-each-ref", f"--format={fmt}{_RECORD}", f"refs/tags/{prefix}")
        return [_tag_info(parts) for parts in _records(out, len(_TAG_FIELDS))]

    def read(self, rev: str, path: str) -> bytes | None:
        """Return the bytes of *path* at *rev*, or None when it does not exist there."""
        try:
            out = self._git.execute(
                ["git", "cat-file", "blob", f"{rev}:{path}"], stdout_as_string=False
            )
        except git.GitCommandError:
            return None
        return out if isinstance(out, bytes) else None

    def _cat_file(
        self, specs: Sequence[str], *, check: bool, kind: bytes = b"blob"
    ) -> list[tuple[str, bytes] | None]:
        """Return (object id, bytes) of each of *specs*, None where there is no object of
        that *kind*; with *check*, the id of any object, and no bytes.

        Asked of a ``git cat-file --batch`` (``--batch-check``) this process started and
        keeps, a batch of requests at a time: its cache of delta bases serves every call,
        and one started by a parent before a fork is never used by the child.
        """
        answers: dict[str, tuple[str, bytes] | None] = {}
        safe = [spec for spec in specs if _batch_safe(spec)]
        at = 0
        while at < len(safe):
            # at most 32 KB of requests: written at once into a pipe that holds 64 KB, so
            # git never waits for us to read while we wait for it to read
            chunk: list[str] = []
            size = 0
            while at < len(safe) and (not chunk or size + len(safe[at]) < 32_000):
                chunk.append(safe[at])
                size += len(safe[at]) + 1
                at += 1
            process = self._batch_process(check)
            try:
                assert process.stdin is not None and process.stdout is not None
                process.stdin.write("".join(f"{spec}\n" for spec in chunk).encode())
                process.stdin.flush()
                for spec in chunk:
                    header = process.stdout.readline()
                    if not header:
                        raise OSError("git cat-file ended")
                    parts = header.split()
                    if len(parts) != 3 or not parts[2].isdigit() or parts[-1] == b"missing":
                        answers[spec] = None  # "<spec> missing", "<spec> ambiguous"
                        continue
                    data = b""
                    if not check:
                        length = int(parts[2])
                        data = process.stdout.read(length + 1)[:length]
                    found = check or parts[1] == kind
                    answers[spec] = (parts[0].decode(), data) if found else None
            except (OSError, ValueError) as error:
                self._end_batches()
                raise GitError(f"git cat-file failed: {error}") from None
        return [answers.get(spec) for spec in specs]

    def _batch_process(self, check: bool) -> subprocess.Popen[bytes]:
        """Return this process's ``git cat-file --batch`` (``--batch-check``), started once."""
        if self._batches is None or self._batches.pid != os.getpid():  # none, or the parent's
            self._batches = _CatFiles(self.git_dir())
        return self._batches.process("--batch-check" if check else "--batch")

    def _end_batches(self) -> None:
        batches, self._batches = self._batches, None
        if batches is not None:
            batches.close()

    def read_many(self, specs: Sequence[str]) -> list[bytes | None]:
        """Return the bytes of each ``rev:path`` in *specs*, None where there is no blob."""
        return [None if found is None else found[1] for found in self._cat_file(specs, check=False)]

    def object_ids(self, specs: Sequence[str]) -> list[str | None]:
        """Return the object id of each ``rev:path`` in *specs* (None where there is none).

        ``git cat-file --batch-check``: nothing is read but headers.
        """
        return [None if found is None else found[0] for found in self._cat_file(specs, check=True)]

    def verify(self, kind: str, name: str) -> tuple[bool, str]:
        """Run ``git verify-commit`` or ``git verify-tag``; return (good, git's report)."""
        try:
            out = self._git.execute(
                ["git", f"verify-{kind}", "--raw", name], with_extended_output=True
            )
        except git.GitCommandError as error:
            return False, " ".join(str(error.stderr).split())
        _, stdout, stderr = out
        return True, " ".join(f"{stdout} {stderr}".split())


def _batch_safe(spec: str) -> bool:
    """Return whether ``rev:path`` *spec* can go to ``cat-file --batch`` without killing it.

    Git ends the whole batch process on a path outside the repository (``../x``, ``/x``) and
    reads a newline as the end of a request; such a path, which only a forged tag or commit
    message can give, names nothing.
    """
    if "\n" in spec or "\r" in spec or "\0" in spec:
        return False
    _, colon, path = spec.partition(":")
    if not colon:
        return True
    return not path.startswith("/") and ".." not in path.split("/")


def _identity_env(who: Identity, when: dt.datetime) -> dict[str, str]:
    stamp = when.isoformat()
    return {
        "GIT_AUTHOR_NAME": who.name,
        "GIT_AUTHOR_EMAIL": who.email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": who.name,
        "GIT_COMMITTER_EMAIL": who.email,
        "GIT_COMMITTER_DATE": stamp,
    }


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a commit's tree: its path, git mode, object type, id and size."""

    path: str
    mode: str  # 100644 a file, 100755 executable, 120000 a symbolic link, 160000 a submodule
    kind: str  # blob, tree or commit
    oid: str
    size: int | None  # None for what is not a blob


class CommitStore(GitStore):
    """One commit of any git repository, bare mirrors included, read without a checkout.

    History (log, tags) is read up to that commit: a tag counts when the commit it names is
    reachable from it. Blobs come through git's persistent ``cat-file --batch`` process.
    Nothing is ever written.
    """

    def __init__(self, git_dir: Path, rev: str = "HEAD") -> None:
        try:
            repo = git.Repo(git_dir)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitError(f"{git_dir} is not a git repository") from None
        self._repo = repo
        self._git = repo.git
        self._batches = None
        self.top = Path(repo.git_dir).resolve()
        self.pinned = self._resolve(rev)
        self._tip = self.pinned
        # each read once, then kept: a snapshot never changes
        self._header: dict[str, str] | None = None
        self._listing: list[TreeEntry] | None = None
        self._listing_kept: JsonCache | None = None
        self._by_top: dict[str, list[int]] | None = None
        self._history: set[str] | None = None
        self._refs: list[list[str]] | None = None
        self._reachable_tags: list[TagInfo] | None = None

    def _resolve(self, rev: str) -> str:
        if rev.startswith("-"):
            raise GitError(f"{rev!r} names no commit")
        try:
            return self._run(
                "rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}"
            ).strip()
        except GitError:
            pass
        try:
            kind = self._run("cat-file", "-t", "--end-of-options", rev).strip()
        except GitError:
            kind = ""
        if kind:
            raise GitError(f"{rev!r} names a {kind}, not a commit")
        raise GitError(f"{rev!r} names no commit of {self.top}")

    def head(self) -> str | None:
        """Return the pinned commit."""
        return self.pinned

    def dirty(self, paths: Sequence[str]) -> list[str]:
        """Return nothing: a commit has no uncommitted edits."""
        return []

    def git_dir(self) -> Path:
        """Return the git directory (the repository itself when bare)."""
        return self.top

    def _commit_header(self) -> dict[str, str]:
        """Return the pinned commit's header lines by name (through ``cat-file --batch``)."""
        if self._header is None:
            found = self._commit_object()
            header = found.split(b"\n\n", 1)[0].decode("utf-8", "replace")
            self._header = {}
            for line in header.splitlines():
                name, _, value = line.partition(" ")
                self._header.setdefault(name, value)
        return self._header

    def tree_id(self) -> str:
        """Return the id of the commit's tree."""
        return self._commit_header().get("tree", "")

    def committed(self) -> dt.datetime | None:
        """Return when the pinned commit was committed, in its committer's time zone."""
        parts = self._commit_header().get("committer", "").rsplit(" ", 2)
        try:
            seconds, zone = int(parts[-2]), parts[-1]
            sign = -1 if zone.startswith("-") else 1
            offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * sign
            return dt.datetime.fromtimestamp(seconds, dt.timezone(offset))
        except (IndexError, ValueError, OverflowError):
            return None

    def tree(self, paths: Sequence[str]) -> list[TreeEntry]:
        """Return every entry under *paths* of the commit's tree, recursively.

        The whole tree is listed once (one git command) and kept.
        """
        if self._listing is None:
            self._listing = self._kept_listing()
        if self._listing is None:
            out = self._run("ls-tree", "-r", "-l", "-z", "--full-tree", self.pinned, "--")
            self._listing = []
            for record in out.split("\0"):
                head, tab, path = record.partition("\t")
                parts = head.split()
                if not tab or len(parts) != 4:
                    continue
                mode, kind, oid, size = parts
                size_ = int(size) if size.isdigit() else None
                self._listing.append(TreeEntry(path, mode, kind, oid, size_))
            if self._listing_kept is not None:
                rows = [[e.path, e.mode, e.kind, e.oid, e.size] for e in self._listing]
                self._listing_kept.write(_LISTING, {"tree": self.tree_id(), "entries": rows})
        if not paths:
            return list(self._listing)
        if self._by_top is None:  # where each top-level name's entries are
            self._by_top = {}
            for index, entry in enumerate(self._listing):
                self._by_top.setdefault(entry.path.split("/", 1)[0], []).append(index)
        folders = tuple(p.rstrip("/") + "/" for p in paths)
        exact = set(paths)
        tops = {p.split("/", 1)[0] for p in paths}
        found = sorted(i for top in tops for i in self._by_top.get(top, ()))
        entries = [self._listing[i] for i in found]
        return [e for e in entries if e.path in exact or e.path.startswith(folders)]

    def blob(self, oid: str) -> bytes | None:
        """Return the bytes of blob *oid*, None if there is no such blob."""
        return self.read_many([oid])[0]

    def _commit_object(self) -> bytes:
        found = self._cat_file([self.pinned], check=False, kind=b"commit")[0]
        if found is None:
            raise GitError(f"cannot read commit {self.pinned}")
        return found[1]

    def keep_listing(self, cache: JsonCache) -> None:
        """Keep the listing of the commit's tree in *cache*, and take it from there: a tree
        never changes, so a listing kept by its id needs no ``git ls-tree`` again."""
        self._listing_kept = cache

    def _kept_listing(self) -> list[TreeEntry] | None:
        if self._listing_kept is None:
            return None
        kept = self._listing_kept.read(_LISTING)
        if kept.get("tree") != self.tree_id() or not isinstance(kept.get("entries"), list):
            return None
        try:
            return [TreeEntry(*row) for row in kept["entries"]]
        except TypeError:  # a damaged cache: list the tree again
            return None

    def history(self) -> set[str]:
        """Return every commit reachable from the pinned one (one ``git rev-list``, kept)."""
        if self._history is None:
            self._history = set(
                self._run("rev-list", "--end-of-options", self.pinned, "--").split()
            )
        return self._history

    def reachable(self, commits: Sequence[str], of: str) -> set[str]:
        """Return which of *commits* are reachable from *of*."""
        if of != self.pinned:
            return super().reachable(commits, of)
        return set(commits) & self.history()

    def _ref_rows(self) -> list[list[str]]:
        """Return the tags, replacements and evidence refs, with what each names (one git)."""
        if self._refs is None:
            fields = (*_TAG_FIELDS, "%(*objecttype)")
            out = self._run(
                "for-each-ref",
                f"--format={_FIELD.join(fields)}{_RECORD}",
                "refs/tags/",
                "refs/replace/",
                EVIDENCE_PREFIX,
            )
            self._refs = _records(out, len(fields))
        return self._refs

    def tags(self, prefix: str) -> list[TagInfo]:
        """Return the tags under ``refs/tags/<prefix>`` that name a commit reachable from ours."""
        if self._reachable_tags is None:
            history = self.history()
            found = (_tag_info(p) for p in self._ref_rows() if p[0].startswith("refs/tags/"))
            self._reachable_tags = [t for t in found if t.commit in history]
        if not prefix:
            return list(self._reachable_tags)
        # for-each-ref's literal pattern: the whole name, or a prefix ending at a slash
        folder = prefix if prefix.endswith("/") else prefix + "/"
        return [t for t in self._reachable_tags if t.name == prefix or t.name.startswith(folder)]

    def refs_key(self, prefix: str) -> str:
        """Return a digest of the tags under *prefix* reachable from the commit, and their ids."""
        names = {f"refs/tags/{t.name}" for t in self.tags("")}
        lines = [f"{p[0]} {p[2]}\n" for p in self._ref_rows() if p[0].startswith(prefix)]
        block = "".join(line for line in lines if line.split(" ", 1)[0] in names)
        return hashlib.sha256(f"{self.pinned}\n{block}".encode()).hexdigest()

    def replaced(self) -> list[str]:
        """Return the objects git shows substituted by others (``git replace``, grafts)."""
        rows = self._ref_rows()
        names = [
            p[0].removeprefix("refs/replace/") for p in rows if p[0].startswith("refs/replace/")
        ]
        if (self.top / "info" / "grafts").exists():
            names.append("info/grafts")
        return names

    def evidence(self) -> list[str]:
        """Return the refs that keep a history the remote rewrote (:func:`mirror_fetch`)."""
        return [p[0] for p in self._ref_rows() if p[0].startswith(EVIDENCE_PREFIX)]

    def odd_tags(self, prefix: str = "refs/tags/qms/") -> list[tuple[str, str]]:
        """Return the tags under *prefix* that name no commit, with the type they name.

        An issued revision's tag names its approval commit; one naming a tree or a blob
        (which history reading passes over) is forged or broken.
        """
        odd = []
        for parts in self._ref_rows():
            target = parts[-1] or parts[1]  # what an annotated tag names, or the ref itself
            if parts[0].startswith(prefix) and target != "commit":
                odd.append((parts[0].removeprefix("refs/tags/"), target))
        return odd


@dataclass(frozen=True)
class MirrorUpdate:
    """What fetching one remote into its bare mirror did."""

    head: str | None  # the mirror's HEAD commit after the fetch (None: nothing fetched yet)
    before: str | None  # its HEAD commit before the fetch
    rewritten: bool  # the remote's history no longer contains what was fetched before
    kept: str | None  # the ref that keeps the replaced history, as evidence


#: Refs of a mirror that keep a history the remote rewrote (never deleted by a fetch).
EVIDENCE_PREFIX = "refs/qms-evidence/"


def mirror_fetch(url: str, mirror: Path, *, timeout: float = 120.0) -> MirrorUpdate:
    """Fetch *url* into the bare repository *mirror* (made on first use); never a checkout.

    Branches and tags are fetched as they are on the remote. When the remote rewrote the
    history fetched before (a force push), the old head is kept under ``refs/qms-evidence/``
    and the update says so. Git never asks for a password (a refused login is an error);
    :class:`GitError` names what failed, and *mirror* is left as it was.
    """

    def run(*args: str, cwd: Path | None = None) -> str:
        return _remote_git(*args, cwd=cwd, timeout=timeout)

    def head() -> str | None:
        try:
            return run("rev-parse", "--verify", "-q", "HEAD^{commit}", cwd=mirror).strip() or None
        except GitError:
            return None

    if not (mirror / "HEAD").is_file():
        mirror.parent.mkdir(parents=True, exist_ok=True)
        partial = mirror.with_name(mirror.name + ".partial")
        if partial.exists():
            import shutil

            shutil.rmtree(partial)
        run("clone", "--quiet", "--bare", "--no-hardlinks", url, str(partial))
        run("config", "remote.origin.fetch", "+refs/heads/*:refs/heads/*", cwd=partial)
        os.replace(partial, mirror)
        return MirrorUpdate(head(), None, False, None)
    before = head()
    run("fetch", "--quiet", "--prune", "--force", "--tags", "origin", cwd=mirror)
    after = head()
    rewritten = False
    kept = None
    if before is not None and after != before:
        try:
            run("merge-base", "--is-ancestor", before, after or before, cwd=mirror)
        except GitError:
            rewritten = True
            kept = f"{EVIDENCE_PREFIX}{before}"
            run("update-ref", kept, before, cwd=mirror)
    return MirrorUpdate(after, before, rewritten, kept)


def commit_time(git_dir: Path, rev: str = "HEAD") -> dt.datetime | None:
    """Return the committer time of *rev* in the repository at *git_dir*, or None."""
    try:
        repo = git.Repo(git_dir)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    try:
        return repo.commit(rev).committed_datetime
    except (ValueError, git.BadName, git.GitCommandError):
        return None
    finally:
        repo.close()


def evidence_refs(git_dir: Path) -> list[str]:
    """Return the refs of a mirror that keep a history its remote rewrote."""
    try:
        repo = git.Repo(git_dir)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return []
    try:
        out = repo.git.for_each_ref("--format=%(refname)", EVIDENCE_PREFIX)
    except git.GitCommandError:
        return []
    finally:
        repo.close()
    return [line for line in out.splitlines() if line]


def configured_identity(path: Path) -> Identity | None:
    """Return git's ``user.name`` and ``user.email`` as configured for *path*, or None."""
    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    try:
        reader = repo.config_reader()
        name = str(reader.get_value("user", "name", ""))
        email = str(reader.get_value("user", "email", ""))
    except (OSError, ValueError):
        return None
    finally:
        repo.close()
    return Identity(name, email) if name and email else None


# -- a framework's releases, fetched under a private ref namespace ---------------------------


def _remote_git(*args: str, cwd: Path | None = None, timeout: float = 120.0) -> str:
    """Run git against a remote: never prompting, bounded in time; GitError on failure."""
    import subprocess

    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/false",
        "SSH_ASKPASS": "/bin/false",
        "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
    }
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {timeout:.0f} s") from None
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).split())
        raise GitError(f"git {args[0]} failed: {detail or done.returncode}")
    return done.stdout


def remote_tags(url: str, *, timeout: float = 60.0) -> dict[str, str]:
    """Return the tags *url* offers (name without ``refs/tags/`` -> object id).

    Raise :class:`GitError` when the remote cannot be reached or is no git repository.
    """
    out = _remote_git("ls-remote", "--tags", "--refs", "--end-of-options", url, timeout=timeout)
    tags = {}
    for line in out.splitlines():
        oid, _, ref = line.partition("\t")
        if ref.startswith("refs/tags/"):
            tags[ref.removeprefix("refs/tags/")] = oid
    return tags


def fetch_refs(git_dir: Path, url: str, refspecs: Sequence[str], *, timeout: float = 120.0) -> None:
    """Fetch *refspecs* of *url* into the repository at *git_dir* (no tags, no FETCH_HEAD)."""
    _remote_git(
        "--git-dir",
        str(git_dir),
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        "--force",
        "--end-of-options",
        url,
        *refspecs,
        timeout=timeout,
    )


def list_refs(git_dir: Path, prefix: str) -> dict[str, str]:
    """Return the refs under *prefix* of the repository at *git_dir* -> the object each names.

    Oldest first: ordered by the date of the tag (or of the commit a lightweight tag names).
    """
    out = _remote_git(
        "--git-dir",
        str(git_dir),
        "for-each-ref",
        "--sort=refname",
        "--sort=creatordate",  # the last key sorts first
        "--format=%(refname)%09%(objectname)",
        prefix,
    )
    refs = {}
    for line in out.splitlines():
        name, _, oid = line.partition("\t")
        refs[name] = oid
    return refs


def update_refs(git_dir: Path, changes: dict[str, str | None]) -> None:
    """Set (or, with None, delete) refs of the repository at *git_dir*, all or none."""
    if not changes:
        return
    import subprocess

    lines = ["start"]
    for ref, oid in changes.items():
        lines.append(f"delete {ref}" if oid is None else f"update {ref} {oid}")
    lines += ["prepare", "commit"]
    done = subprocess.run(
        ["git", "--git-dir", str(git_dir), "update-ref", "--stdin"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).split())
        raise GitError(f"git update-ref failed: {detail or done.returncode}")
