"""Where a QMS is read from: a work tree on disk, or the tree of a commit in any git repository.

A source lists the files the reader looks at (qms.yaml, then each kind's folder), gives
each a *key* that changes when its content may have changed, and reads their bytes. The
reader (:class:`qmsdocs.read.reader.Reader`) does everything else the same way for both:
one loading code path, one set of caches.

- :class:`WorkTree`: files on disk, keyed by (size, modification time, inode) — git's own
  way of telling a changed file; a file changed too recently to be sure of is "racy".
- :class:`CommitTree`: the blobs of one commit, read through one persistent
  ``git cat-file --batch`` process, no checkout and no temporary file; keyed by their object
  id, which names their content. Symbolic links, submodules, blobs larger than
  :data:`~qmsdocs.store.git.MAX_BLOB_BYTES` and unsafe paths become findings.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from qmsdocs.findings import Finding, Severity
from qmsdocs.i18n import N_, S_, Said
from qmsdocs.model import DocumentKind
from qmsdocs.read.files import CONFIG_FILE, RACY_NS, SYMLINK, finding_row, row_finding
from qmsdocs.store.cache import CACHE_FOLDER, JsonCache
from qmsdocs.store.git import MAX_BLOB_BYTES, CommitStore, GitState, GitStore, git_state

__all__ = ["CommitTree", "Key", "Listed", "Report", "Source", "WorkTree", "open_commit"]

#: What tells whether a file changed: (size, mtime, inode) on disk; an object id in git.
Key = tuple[int, int, int]

#: How a source reports a file it will not read: (file, check, sentence, severity).
Report = Callable[[str, str, Said, Severity], None]

_YML = N_("ignored: name YAML files *.yaml")


@dataclass(frozen=True)
class Listed:
    """A file the reader should read: its path (relative, POSIX), kind (None: qms.yaml), key."""

    file: str
    kind: DocumentKind | None
    key: Key


class Source:
    """The interface of a source; see the module's docstring."""

    #: The folder files are named relative to (a work tree's root; a snapshot's git dir).
    root: Path
    #: Whether actions are refused (a commit cannot be changed).
    read_only: bool = False
    #: The commit read, or None for a work tree.
    commit: str | None = None

    def label(self) -> str:
        """Return what the persistent index and fingerprints are kept under."""
        raise NotImplementedError

    def locate_git(self) -> GitState:
        """Return where the source sits in git."""
        raise NotImplementedError

    def cache_folder(self, git: GitState) -> Path | None:
        """Return the folder of the persistent cache, or None to keep nothing."""
        raise NotImplementedError

    def scan(self, report: Report) -> list[Listed]:
        """Return qms.yaml (first, when readable) and each kind's files in folder order."""
        raise NotImplementedError

    def read(self, file: str) -> bytes:
        """Return the bytes of *file*; raise OSError when it cannot be read."""
        raise NotImplementedError

    def key(self, file: str) -> Key | None:
        """Return the key of *file* now (None when it cannot be known)."""
        raise NotImplementedError

    def read_many(self, files: Sequence[str]) -> dict[str, bytes]:
        """Return the bytes of *files* read at once, where that is faster (else nothing).

        Called in worker processes (:mod:`qmsdocs.read.pool`); a file left out is read
        with :meth:`read`.
        """
        return {}

    def known(self, file: str, model: type[BaseModel]) -> bool:
        """Return whether :meth:`recall` would answer for *file* without parsing it."""
        return False

    def keep(self, file: str, model: type[BaseModel], rows: list[list[Any]], data: Any) -> None:
        """Keep what a worker read of *file* (finding rows, JSON values) as :meth:`remember`."""

    @property
    def keeps_blobs(self) -> bool:
        """Return whether what is read is kept by content (:meth:`keep` wants the values)."""
        return False

    def shard(self, file: str) -> str | None:
        """Return the part of the content-keyed cache *file* is kept in (hex), if any."""
        return None

    def racy(self, key: Key, now_ns: int) -> bool:
        """Return whether a file with *key* may change again without its key changing."""
        return False

    def recall(self, file: str, model: type[BaseModel], findings: list[Finding]) -> Any:
        """Return *file* as read before by its content (adding its findings), or None."""
        return None

    def remember(
        self, file: str, model: type[BaseModel], value: Any, findings: list[Finding]
    ) -> None:
        """Keep what reading *file* gave, by its content, for any repository to recall."""

    def flush(self, *, forget: bool = False) -> None:
        """Write what :meth:`remember` kept since the last flush (and, with *forget*, let go
        of what was written: a worker that alone writes those parts of the cache)."""

    def store(self, git: GitState) -> GitStore:
        """Return the git store the history is read from."""
        raise NotImplementedError


class WorkTree(Source):
    """A QMS repository on disk, usually the top of a git work tree."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def label(self) -> str:
        return str(self.root)

    def locate_git(self) -> GitState:
        return git_state(self.root)

    def cache_folder(self, git: GitState) -> Path | None:
        return git.git_dir / CACHE_FOLDER if git.git_dir else None

    def _stat(self, file: str, report: Report) -> Key | None:
        path = self.root / file
        if path.is_symlink():
            report(file, "symlink", Said(SYMLINK), Severity.ERROR)
            return None
        try:
            info = path.stat()
        except OSError as error:
            said = S_("cannot read the file: {problem}", problem=error.strerror)
            report(file, "unreadable", said, Severity.ERROR)
            return None
        return info.st_size, info.st_mtime_ns, info.st_ino

    def scan(self, report: Report) -> list[Listed]:
        listed = []
        key = self._stat(CONFIG_FILE, report)
        if key is not None:
            listed.append(Listed(CONFIG_FILE, None, key))
        for kind in DocumentKind:
            folder = self.root / kind.folder
            if folder.is_symlink():
                report(kind.folder, "symlink", Said(SYMLINK), Severity.ERROR)
                continue
            if not folder.is_dir():
                continue
            with os.scandir(folder) as listing:
                dirents = sorted(listing, key=lambda d: d.name)
            for dirent in dirents:
                name = dirent.name
                file = f"{kind.folder}/{name}"
                if name.endswith(".yml"):
                    report(file, "file-name", Said(_YML), Severity.WARNING)
                if not name.endswith(".yaml") or not dirent.is_file():
                    continue
                if dirent.is_symlink():
                    report(file, "symlink", Said(SYMLINK), Severity.ERROR)
                    continue
                try:
                    info = dirent.stat()
                except OSError as error:
                    said = S_("cannot read the file: {problem}", problem=error.strerror)
                    report(file, "unreadable", said, Severity.ERROR)
                    continue
                listed.append(Listed(file, kind, (info.st_size, info.st_mtime_ns, info.st_ino)))
        return listed

    def stat(self, file: str, report: Report) -> Key | None:
        """Return the key of one file, reporting why it cannot be read (a refresh)."""
        return self._stat(file, report)

    def read(self, file: str) -> bytes:
        return (self.root / file).read_bytes()

    def key(self, file: str) -> Key | None:
        try:
            info = (self.root / file).stat()
        except OSError:
            return None
        return info.st_size, info.st_mtime_ns, info.st_ino

    def racy(self, key: Key, now_ns: int) -> bool:
        return now_ns - key[1] < RACY_NS

    def store(self, git: GitState) -> GitStore:
        assert git.top is not None
        return GitStore(git.top)


def _oid_key(oid: str) -> Key:
    """Return an object id as the three integers a key is made of (all 160 bits kept)."""
    return int(oid[:14], 16), int(oid[14:28], 16), int(oid[28:], 16)


def _safe(path: str) -> bool:
    parts = path.split("/")
    return all(p not in ("", ".", "..") and "\\" not in p for p in parts)


#: Files parsed by this process, kept in memory by object id and model for every snapshot it
#: opens afterwards (:func:`keep_parsed`): a fleet worker reads agency after agency, and
#: their legal registries hold the same texts (at 46 agencies, 26,480 legal files of 29,898
#: read, from fewer than 2,000 distinct blobs). None: nothing kept (the default).
_PARSED: dict[tuple[str, str], tuple[Any, list[Any]]] | None = None
_PARSED_PREFIXES: tuple[str, ...] = ()
_PARSED_LIMIT = 0


def keep_parsed(prefixes: tuple[str, ...] = ("legal/",), limit: int = 5000) -> None:
    """Keep, in this process, what snapshots parse from files under *prefixes*, by content.

    At most *limit* files are kept; a value recalled is a copy, so no snapshot sees another
    one's changes.
    """
    global _PARSED, _PARSED_PREFIXES, _PARSED_LIMIT
    _PARSED, _PARSED_PREFIXES, _PARSED_LIMIT = {}, prefixes, limit


class CommitTree(Source):
    """The tree of one commit of any git repository (bare mirrors too), read-only."""

    read_only = True

    def __init__(self, git_dir: Path, rev: str, cache_dir: Path | None) -> None:
        self._store = CommitStore(git_dir, rev)
        self.root = self._store.top
        self.commit = self._store.pinned
        self.tree = self._store.tree_id()
        # By tree: every commit, in any repository, whose tree is the same shares it.
        self._tree_cache = cache_dir / "trees" / self.tree if cache_dir is not None else None
        if self._tree_cache is not None:
            self._store.keep_listing(JsonCache(self._tree_cache))
        self._oids: dict[str, str] = {}
        self._blobs = JsonCache(cache_dir / "blobs") if cache_dir is not None else None
        self._shards: dict[str, dict[str, Any]] = {}
        self._pending: dict[str, dict[str, Any]] = {}

    def label(self) -> str:
        return f"tree:{self.tree}"

    def locate_git(self) -> GitState:
        return GitState(self.root, None, self.root)

    def cache_folder(self, git: GitState) -> Path | None:
        return self._tree_cache

    def has_config(self) -> bool:
        """Return whether the commit's tree holds qms.yaml at its top."""
        return any(e.path == CONFIG_FILE for e in self._store.tree([CONFIG_FILE]))

    def scan(self, report: Report) -> list[Listed]:
        folders = {kind.folder: kind for kind in DocumentKind}
        entries = self._store.tree([CONFIG_FILE, *folders])
        config: list[Listed] = []
        listed: dict[DocumentKind, list[Listed]] = {kind: [] for kind in DocumentKind}
        self._oids = {}
        for entry in sorted(entries, key=lambda e: e.path):
            path = entry.path
            if path == CONFIG_FILE or path in folders:
                folder_kind = folders.get(path)
                if entry.mode == "120000":
                    report(path, "symlink", Said(SYMLINK), Severity.ERROR)
                    continue
                if folder_kind is not None:  # a file where a folder should be: as on disk
                    continue
            elif not _safe(path):
                said = Said(N_("an unsafe path in the commit's tree, ignored"))
                report(path, "unsafe-path", said, Severity.ERROR)
                continue
            folder, _, name = path.partition("/")
            kind = folders.get(folder) if path != CONFIG_FILE else None
            if path != CONFIG_FILE and (kind is None or "/" in name):
                continue  # below a kind's folder: not read, as on disk
            if name.endswith(".yml"):
                report(path, "file-name", Said(_YML), Severity.WARNING)
            if path != CONFIG_FILE and not name.endswith(".yaml"):
                continue
            if entry.mode == "120000":
                report(path, "symlink", Said(SYMLINK), Severity.ERROR)
                continue
            if entry.kind != "blob":
                said = Said(N_("not a file (a submodule or another object), ignored"))
                report(path, "unreadable", said, Severity.ERROR)
                continue
            if entry.size is not None and entry.size > MAX_BLOB_BYTES:
                said = S_(
                    "{size} bytes, larger than the {limit} a document may have: not read",
                    size=entry.size,
                    limit=MAX_BLOB_BYTES,
                )
                report(path, "too-large", said, Severity.ERROR)
                continue
            self._oids[path] = entry.oid
            item = Listed(path, kind, _oid_key(entry.oid))
            if kind is None:
                config.append(item)
            else:
                listed[kind].append(item)
        return config + [item for kind in DocumentKind for item in listed[kind]]

    def read(self, file: str) -> bytes:
        oid = self._oids.get(file)
        data = self._store.blob(oid) if oid is not None else None
        if data is None:
            raise OSError(2, "no such file in the commit")
        return data

    def key(self, file: str) -> Key | None:
        oid = self._oids.get(file)
        return _oid_key(oid) if oid is not None else None

    # Content-addressed: a blob read once is not parsed again, in any commit of any
    # repository sharing the cache folder. Entries are kept in 256 shards by the first two
    # hex digits of the object id (one file written per shard, not one per blob).

    def _entry(self, file: str, model: type[BaseModel]) -> tuple[str, str] | None:
        oid = self._oids.get(file)
        if oid is None or self._blobs is None:
            return None
        return oid[:2], f"{oid}-{model.__name__}"

    def _shard(self, shard: str) -> dict[str, Any]:
        held = self._shards.get(shard)
        if held is None:
            assert self._blobs is not None
            held = self._shards[shard] = self._blobs.read(shard)
        return held

    def recall(self, file: str, model: type[BaseModel], findings: list[Finding]) -> Any:
        oid = self._oids.get(file)
        if _PARSED is not None and oid is not None and file.startswith(_PARSED_PREFIXES):
            kept = _PARSED.get((oid, model.__name__))
            if kept is not None:
                value, rows = kept
                findings.extend(row_finding(file, row) for row in rows)
                return value.model_copy() if value is not None else None
        where = self._entry(file, model)
        if where is None:
            return None
        stored = self._shard(where[0]).get(where[1])
        if not isinstance(stored, list) or len(stored) != 2 or not isinstance(stored[0], list):
            return None
        rows, data = stored
        if data is None and not rows:
            return None
        try:
            found = [row_finding(file, row) for row in rows]
            value = None if data is None else model.model_validate(data)
        except (TypeError, ValueError):  # a damaged entry: read the blob again
            return None
        findings.extend(found)
        return value

    def read_many(self, files: Sequence[str]) -> dict[str, bytes]:
        named = [(f, self._oids[f]) for f in files if f in self._oids]
        blobs = self._store.read_many([oid for _f, oid in named])
        return {f: data for (f, _oid), data in zip(named, blobs, strict=True) if data is not None}

    def known(self, file: str, model: type[BaseModel]) -> bool:
        where = self._entry(file, model)
        return where is not None and where[1] in self._shard(where[0])

    @property
    def keeps_blobs(self) -> bool:
        return self._blobs is not None

    def shard(self, file: str) -> str | None:
        oid = self._oids.get(file)
        return oid[:2] if oid is not None and self._blobs is not None else None

    def keep(self, file: str, model: type[BaseModel], rows: list[list[Any]], data: Any) -> None:
        where = self._entry(file, model)
        if where is None:
            return
        entry = [rows, data]
        self._shard(where[0])[where[1]] = entry
        self._pending.setdefault(where[0], {})[where[1]] = entry

    def remember(
        self, file: str, model: type[BaseModel], value: Any, findings: list[Finding]
    ) -> None:
        oid = self._oids.get(file)
        if (
            _PARSED is not None
            and oid is not None
            and file.startswith(_PARSED_PREFIXES)
            and len(_PARSED) < _PARSED_LIMIT
            and (value is not None or findings)
        ):
            _PARSED[(oid, model.__name__)] = (value, [finding_row(f) for f in findings])
        where = self._entry(file, model)
        if where is None:
            return
        data = None if value is None else value.model_dump(mode="json", by_alias=True)
        entry = [[finding_row(f) for f in findings], data]
        self._shard(where[0])[where[1]] = entry
        self._pending.setdefault(where[0], {})[where[1]] = entry

    def flush(self, *, forget: bool = False) -> None:
        if not self._pending or self._blobs is None:
            return
        for shard, entries in self._pending.items():
            # what another process added since we read the shard is kept too
            merged = {**self._blobs.read(shard), **entries}
            self._blobs.write(shard, merged)
            if forget:
                self._shards.pop(shard, None)
            else:
                self._shards[shard] = merged
        self._pending = {}

    def store(self, git: GitState) -> GitStore:
        return self._store


def open_commit(git_dir: Path, rev: str, cache_dir: Path | None) -> CommitTree:
    """Return the source of commit *rev* of the repository at *git_dir*.

    Raise :class:`GitError` when *git_dir* is no git repository or *rev* names no commit.
    """
    return CommitTree(git_dir, rev, cache_dir)
