"""The facade: open a QMS repository, read its documents, validate it.

A QMS repository is a folder holding ``qms.yaml`` and one folder per kind of document
(procedures/, policies/, objectives/, forms/, legal/), usually the top of a git work tree.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import os
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, TypeAdapter, ValidationError

from qmsdocs import lifecycle
from qmsdocs.errors import (
    ActionRefused,
    ConfigError,
    DocumentNotFound,
    InvalidDocument,
    RepositoryNotFound,
)
from qmsdocs.facts import DocumentFacts
from qmsdocs.findings import Finding, Severity, field_name
from qmsdocs.history import Action, IssuedRevision, RevisionHistory
from qmsdocs.history import in_force as history_in_force
from qmsdocs.i18n import N_, S_, Said, _, ngettext
from qmsdocs.impact import (
    Baseline,
    Citation,
    ImpactedDocument,
    document_citations,
    report_from_rows,
    report_rows,
)
from qmsdocs.impact import impact as compute_impact
from qmsdocs.legal import LegalRegistry, number_key
from qmsdocs.legal_import import LegalBatch
from qmsdocs.lifecycle import DocumentState
from qmsdocs.model import (
    MODELS,
    Document,
    DocumentKind,
    LegalDocument,
    QmsConfig,
    Relation,
    RelationType,
    Status,
)
from qmsdocs.model.codes import code_key, legal_file_code
from qmsdocs.model.problems import schema_problem, shown
from qmsdocs.store import yaml as yaml_store
from qmsdocs.store.cache import CACHE_FOLDER, JsonCache
from qmsdocs.store.git import GitStore, git_state

if TYPE_CHECKING:
    from qmsdocs.desk import WaitingItem
    from qmsdocs.workflow import ActionResult

__all__ = ["CONFIG_FILE", "DocumentSummary", "DueReview", "Repository"]

#: The file that marks the root of a QMS repository.
CONFIG_FILE = "qms.yaml"

_MAX_SCHEMA_FINDINGS = 20


@dataclass(frozen=True)
class RevisionRecord:
    """One issued revision in a document's history, for officers and auditors."""

    revision: int
    issued: dt.date | None
    effective: dt.date | None
    superseded: dt.date | None
    withdrawn: dt.date | None
    author: str | None
    reviewer: str | None
    approver: str | None
    reason: str | None
    stamp: str | None
    tag: str

    def to_dict(self) -> dict[str, Any]:
        """Return the record as JSON-ready values."""
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in vars(self).items()}


@dataclass(frozen=True)
class DueReview:
    """A document whose periodic review is due (or overdue) by a given day."""

    code: str
    title: str
    revision: int
    last_review: dt.date
    due: dt.date
    overdue_days: int  # negative: due in that many days

    def to_dict(self) -> dict[str, Any]:
        """Return the item as JSON-ready values."""
        return {
            "code": self.code,
            "title": self.title,
            "revision": self.revision,
            "last_review": self.last_review.isoformat(),
            "due": self.due.isoformat(),
            "overdue_days": self.overdue_days,
        }


@dataclass(frozen=True)
class WorkingRevision:
    """The revision of a document being worked on beside the one in force.

    ``state`` is ``draft``, ``returned`` (sent back by the reviewer, with ``comment``),
    ``in_review`` or ``pending`` (approved, in force from ``effective_date``).
    """

    revision: int
    state: str
    effective_date: dt.date | None = None
    comment: str | None = None
    author: str | None = None  # the person who opened the revision (its draft's author)

    def to_dict(self) -> dict[str, Any]:
        """Return the working revision as JSON-ready values."""
        return {
            "revision": self.revision,
            "state": self.state,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "comment": self.comment,
            "author": self.author,
        }


#: The document state a working revision's state counts as, when a list is filtered.
_WORKING_AS_STATE = {
    "draft": "draft",
    "returned": "draft",
    "in_review": "in_review",
    "pending": "pending",
}


@dataclass(frozen=True)
class DocumentSummary:
    """One line of the document list: what an officer scans for.

    ``revision`` and ``status`` describe the document on the day (the revision in force,
    or the draft of a document never issued); ``working`` the revision being worked on
    beside it, if any.
    """

    code: str
    title: str
    kind: str
    revision: int
    status: str
    effective_date: dt.date | None
    file: str
    working: WorkingRevision | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-ready values (``in_force`` and ``working`` included)."""
        in_force = None
        if self.status in ("effective", "superseded", "withdrawn") or (
            self.status == "pending" and self.working is None
        ):
            in_force = {
                "revision": self.revision,
                "status": self.status,
                "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            }
        return {
            "code": self.code,
            "title": self.title,
            "kind": self.kind,
            "revision": self.revision,
            "status": self.status,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "file": self.file,
            "in_force": in_force,
            "working": self.working.to_dict() if self.working else None,
        }


def find_root(start: Path) -> Path:
    """Return the nearest folder at or above *start* that holds qms.yaml."""
    start = start.expanduser()
    if not start.exists():
        raise RepositoryNotFound(_("no such folder: {start}").format(start=start))
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise RepositoryNotFound(
        _("no {CONFIG_FILE} in {start} or any folder above it: not a QMS repository").format(
            CONFIG_FILE=CONFIG_FILE, start=start
        )
    )


def _schema_findings(
    error: ValidationError, *, file: str, text: str, model: type[BaseModel]
) -> list[Finding]:
    findings = []
    for item in error.errors(include_url=False)[:_MAX_SCHEMA_FINDINGS]:
        loc = tuple(p for p in item["loc"] if isinstance(p, str | int))
        said = schema_problem(
            item, allowed=", ".join(model.model_fields) if len(loc) == 1 else None
        )
        place = yaml_store.locate(text, loc) if loc else None
        findings.append(
            Finding.of(
                file,
                "schema",
                said,
                line=place[0] if place else None,
                column=place[1] if place else None,
                field=loc,
            )
        )
    return findings


def _identity(document: Any) -> tuple[str | None, str | None, str | None]:
    """Return (code or number, the file name it asks for, its case-folded key) of a document.

    All None for nothing (a file that could not be read); a configuration has no code.
    """
    if document is None:
        return None, None, None
    if isinstance(document, LegalDocument):
        number = document.number
        return number, legal_file_code(number), number_key(number)
    code = getattr(document, "code", "")
    return code, code, code_key(code)


def _revision_digest(content: Any, revision: int) -> list[Any]:
    """Return what a revision's file says of that revision: issued, signers, reason."""
    if content is None:
        return [None, None, None, None, None]
    signed = {s.meaning: s.name for s in content.approvals}
    entry = next((h for h in content.history if h.revision == revision), None)
    return [
        content.issued_date.isoformat() if content.issued_date else None,
        signed.get("authored"),
        signed.get("reviewed"),
        signed.get("approved"),
        (entry.reason or entry.description) if entry else None,
    ]


# A link could name any file of the computer: it is never followed, read or written.
_SYMLINK = N_("a symbolic link, ignored: documents must be real files inside the repository")


@dataclass
class _HeldIndex:
    """The persistent index of files, as this process holds it."""

    slot: str  # the cache folder it was read from
    rows: dict[str, _IndexRow]
    digest: str | None  # of every row's stat (:func:`_stats_digest`); None once a row changes


def _stats_digest(stats: Mapping[str, Sequence[int]]) -> str:
    """Return a digest of files' (size, mtime, inode), whatever the order they were read in."""
    return hashlib.sha256(
        repr(sorted((f, tuple(s)) for f, s in stats.items())).encode()
    ).hexdigest()


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off.

    Reading makes tens of thousands of small objects and no reference cycles; the
    collector would walk every object of the process again and again (the index of an
    earlier Repository too): open + validate of 12,454 documents 0.41 s -> 0.22 s median.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _parse_file(path: Path, file: str, model: type[BaseModel], findings: list[Finding]) -> Any:
    """Return the model read from *path*, or None with what went wrong added to *findings*."""
    try:
        data = path.read_bytes()
    except OSError as error:
        said = S_("cannot read the file: {problem}", problem=error.strerror)
        findings.append(Finding.of(file, "unreadable", said))
        return None
    try:
        value = yaml_store.load(data, file=file)
    except InvalidDocument as error:
        findings.append(
            Finding.of(
                file,
                "yaml-syntax",
                error.said or Said.plain(error.message),
                line=error.line,
                column=error.column,
            )
        )
        return None
    if not isinstance(value, dict):
        said = (
            Said(N_("expected a mapping of fields, found an empty file"))
            if value is None
            else S_("expected a mapping of fields, found {found}", found=shown(value))
        )
        findings.append(Finding.of(file, "schema", said, line=1, column=1))
        return None
    try:
        return model.model_validate(value)
    except ValidationError as error:
        text = data.decode("utf-8-sig")
        findings.extend(_schema_findings(error, file=file, text=text, model=model))
        return None


class _Parser:
    """Parses the files of one repository on demand, keeping what it read in *cache*.

    Entries hold this, not the Repository: no reference cycle, so a dropped Repository is
    freed at once rather than by the cyclic collector in the middle of other work, while a
    registry or document mapping kept after it still reads its files.
    """

    __slots__ = ("cache", "root")

    def __init__(self, root: Path, cache: dict[str, Any]) -> None:
        self.root = root
        self.cache = cache

    def parse_known(self, file: str, model: type[BaseModel]) -> Any:
        """Return the document of a file the index knows as readable, parsing it now."""
        path = self.root / file
        findings: list[Finding] = []
        value = _parse_file(path, file, model, findings)
        if value is None:
            problem = findings[0].text if findings else _("cannot be read")
            raise InvalidDocument(
                _(
                    "changed since the repository was opened, and now {problem}: "
                    "open the repository again"
                ).format(problem=problem),
                file=file,
            )
        try:
            info = path.stat()
            key = (info.st_size, info.st_mtime_ns, info.st_ino, model.__name__)
            self.cache[file] = (key, value, findings, _identity(value))
        except OSError:
            pass
        return value


class _Entry:
    """One readable file of the repository; its document is parsed on first use."""

    __slots__ = ("_document", "_parser", "file", "model", "name")

    def __init__(
        self, file: str, name: str, model: type[BaseModel], document: Any, parser: _Parser
    ) -> None:
        self.file = file  # relative to the root, POSIX
        self.name = name  # the code, or a legal document's number
        self.model = model
        self._document = document
        self._parser = parser

    @property
    def document(self) -> Any:
        if self._document is None:
            self._document = self._parser.parse_known(self.file, self.model)
        return self._document


# What the persistent index keeps of a file: its stat key, the model it was read as, its
# code or number (None if unreadable), the findings of reading it, the file name its code
# or number asks for, and its case-folded key.
_IndexRow = tuple[int, int, int, str, str | None, list[list[Any]], str | None, str | None]
_INDEX = "files"
_VALIDATION = "validation"
_REVISIONS = "revisions"
_FACTS = "facts"
_LEGAL = "legal"
_CHECKS = "checks"
_IMPACT = "impact"
_LEGAL_LIST: TypeAdapter[list[LegalDocument]] = TypeAdapter(list[LegalDocument])
# Files changed this recently may change again within the file system's time resolution
# without a new mtime (git's "racy" files): they are re-read rather than trusted.
_RACY_NS = 2_000_000_000


def _finding_row(finding: Finding) -> list[Any]:
    return [
        finding.line,
        finding.column,
        finding.severity.value,
        finding.check,
        finding.message,
        finding.field,
        finding.code,
        None if finding.said is None else finding.said.to_json(),
    ]


def _row_finding(file: str, row: list[Any]) -> Finding:
    line, column, severity, check, message, field, code, said = row
    said = None if said is None else Said.from_json(said)
    return Finding(file, line, column, Severity(severity), check, message, field, code, said)


def _revision_key(code: str, revision: int) -> str:
    """Return where the citations of an issued revision are kept in the in-memory cache."""
    return f"citations:{code_key(code)}@{revision}"


def _finding_order(finding: Finding) -> tuple[Any, ...]:
    return (finding.file, finding.line or 0, finding.column or 0, finding.check, finding.message)


class _Documents(Mapping[str, Any]):
    """The documents by case-folded code, each parsed only when looked up."""

    def __init__(self, entries: dict[str, _Entry]) -> None:
        self._entries = entries

    def __getitem__(self, key: str) -> Any:
        return self._entries[key].document

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


class _LazyLegalRegistry:
    """The legal registry, built from every legal file only when more than a lookup is asked.

    Looking a number up (what checking one document needs) reads that one file.
    """

    def __init__(self, entries: dict[str, _Entry], owner: Repository | None = None) -> None:
        self._entries = entries
        self._owner = weakref.ref(owner) if owner is not None else None  # weak: see _Entry
        self._full: LegalRegistry | None = None

    def get(self, ref: str) -> LegalDocument | None:
        if self._full is not None:
            return self._full.get(ref)
        entry = self._entries.get(number_key(ref))
        return entry.document if entry is not None else None

    @property
    def full(self) -> LegalRegistry:
        if self._full is None:
            owner = self._owner() if self._owner is not None else None
            documents = (
                owner._legal_documents()
                if owner is not None
                else [e.document for e in self._entries.values()]
            )
            self._full = LegalRegistry(documents)
        return self._full

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copying or unpickling asks before __init__ has run
            raise AttributeError(name)
        return getattr(self.full, name)

    def __iter__(self) -> Iterator[LegalDocument]:
        return iter(self.full)

    def __reduce__(self) -> tuple[Any, ...]:
        # sent to another process (export workers): as the plain registry it stands for
        return (LegalRegistry, (list(self.full),))

    def __len__(self) -> int:
        return len(self._entries)


class Repository:
    """A QMS repository opened from disk: its configuration, documents and legal registry.

    Open one with :meth:`Repository.open`. Reading never raises for bad content: files that
    cannot be read are left out and reported by :meth:`validate`. Documents are parsed when
    first used; what was read is kept in ``<git dir>/qms-cache/`` (see
    :mod:`qmsdocs.store.cache`) so that an unchanged file is not parsed again by the next
    process, and an unchanged repository is not validated again.
    """

    def __init__(self, root: Path, *, _cache: dict[str, Any] | None = None) -> None:
        self.root = root
        # Parsed files by path, keyed by (size, mtime, inode): unchanged files are not
        # parsed again when the repository is re-read after an action.
        self._cache: dict[str, Any] = _cache if _cache is not None else {}
        self._parser = _Parser(root, self._cache)
        self._reload()

    def _reload(self) -> None:
        self._load_findings: list[Finding] = []
        self._config: QmsConfig | None = None
        self._entries: dict[str, _Entry] = {}
        self._legal_entries: dict[str, _Entry] = {}
        self._unreadable: set[str] = set()  # keys of files that exist but could not be loaded
        self._history: RevisionHistory | None = None
        self._facts_memo: list[tuple[_Entry, DocumentFacts]] | None = None
        self._fingerprint_memo: str | None = None
        self._git = git_state(self.root)
        self._disk = JsonCache(self._git.git_dir / CACHE_FOLDER if self._git.git_dir else None)
        # (size, mtime, inode) of every file read, and the files read while "racy"
        self._stats: dict[str, tuple[int, int, int]] = {}
        self._racy_files: set[str] = set()
        self._held_index = self._cached_index()
        self._index_rows = self._held_index.rows
        self._index_changed = False
        with _no_cyclic_gc():
            self._load()
        self._save_index()
        self._legal = _LazyLegalRegistry(self._legal_entries, self)

    @property
    def legal(self) -> LegalRegistry:
        """Return the legal registry (legal/), built on first use."""
        return cast(LegalRegistry, self._legal)

    @classmethod
    def open(cls, path: str | Path = ".") -> Repository:
        """Open the QMS repository at *path* or the nearest folder above it holding qms.yaml.

        Raise :class:`RepositoryNotFound` when there is none.
        """
        return cls(find_root(Path(path)))

    def clear_cache(self) -> None:
        """Forget everything read before, in memory and on disk: the next reads start cold."""
        self._cache.clear()
        self._disk.clear()
        self._reload()

    # -- loading -------------------------------------------------------------------------

    def _cached_index(self) -> _HeldIndex:
        """Return the persistent index of files, read once per process and cache dict."""
        slot = str(self._disk.folder)
        held = self._cache.get("persistent-index")
        if not isinstance(held, _HeldIndex) or held.slot != slot:
            data = self._disk.read(_INDEX)
            rows = data.get("rows") if data.get("root") == str(self.root) else None
            digest = data.get("digest")
            if isinstance(rows, dict):
                held = _HeldIndex(slot, dict(rows), digest if isinstance(digest, str) else None)
            else:
                held = _HeldIndex(slot, {}, None)
            self._cache["persistent-index"] = held
        return held

    def _cached_config(self) -> QmsConfig:
        """Return qms.yaml (unchanged since indexed) from the cache, or parse it again.

        The cache holds the validated model as JSON values: reading them back gives the
        same model, and costs far less than parsing a province's qms.yaml.
        """
        key = list(self._index_rows[CONFIG_FILE][:4]) if CONFIG_FILE in self._index_rows else None
        held = self._cache.get("config-model")  # this process read it already
        if key is not None and held is not None and held[0] == key:
            return cast(QmsConfig, held[1])
        stored = self._disk.read("config")
        config: QmsConfig | None = None
        if key is not None and stored.get("key") == key and isinstance(stored.get("data"), dict):
            with contextlib.suppress(ValidationError):
                config = QmsConfig.model_validate(stored["data"])
        if config is None:
            config = cast(QmsConfig, self._parser.parse_known(CONFIG_FILE, QmsConfig))
            self._store_config(config)
        if key is not None:
            self._cache["config-model"] = (key, config)
        return config

    def _store_config(self, config: QmsConfig) -> None:
        row = self._index_rows.get(CONFIG_FILE)
        key = list(row[:4]) if row is not None else None
        if key is not None and self._disk.read("config").get("key") != key:
            self._disk.write("config", {"key": key, "data": config.model_dump(mode="json")})

    def _save_index(self) -> None:
        if self._index_changed:
            self._write_index()

    def _write_index(self) -> None:
        digest = self._held_index.digest
        self._disk.write(
            _INDEX, {"root": str(self.root), "rows": self._index_rows, "digest": digest}
        )
        self._index_changed = False

    def _changed_row(self, file: str, row: _IndexRow | None) -> None:
        """Set (or, with None, drop) the index row of *file*."""
        if row is None:
            del self._index_rows[file]
        else:
            self._index_rows[file] = row
        self._index_changed = True
        self._held_index.digest = None  # until a fingerprint needs it

    def _read(
        self, file: str, model: type[BaseModel], info: os.stat_result
    ) -> tuple[str | None, Any, str | None, str | None]:
        """Return (code or number, document or None if not parsed yet, stem, key) of a file.

        The code or number is None when the file cannot be read; the findings of reading it
        are recorded. *stem* is the file name the code asks for, *key* its case-folded form.
        """
        size, mtime, inode = info.st_size, info.st_mtime_ns, info.st_ino
        key = (size, mtime, inode, model.__name__)
        self._stats[file] = (size, mtime, inode)
        racy = self._now_ns - mtime < _RACY_NS
        if racy:
            self._racy_files.add(file)
        else:
            self._racy_files.discard(file)
        row = self._index_rows.get(file)
        fresh = (
            row is not None
            and not racy
            and row[0] == size
            and row[1] == mtime
            and row[2] == inode
            and row[3] == key[3]
        )
        cached = self._cache.get(file)
        if cached is not None and cached[0] == key:
            self._load_findings.extend(cached[2])
            name, stem, folded = cached[3]
            if not fresh and not racy:  # read by this process, then indexed by another
                self._changed_row(
                    file, (*key, name, [_finding_row(f) for f in cached[2]], stem, folded)
                )
            return name, cached[1], stem, folded
        if fresh:
            assert row is not None
            try:
                findings = [_row_finding(file, f) for f in row[5]] if row[5] else []
                name, stem, folded = row[4], row[6], row[7]
            except (TypeError, ValueError, IndexError):  # a damaged cache: read the file
                pass
            else:
                self._load_findings.extend(findings)
                return name, None, stem, folded
        mark = len(self._load_findings)
        value = _parse_file(self.root / file, file, model, self._load_findings)
        findings = self._load_findings[mark:]
        name, stem, folded = identity = _identity(value)
        self._cache[file] = (key, value, findings, identity)
        if not racy:
            self._changed_row(file, (*key, name, [_finding_row(f) for f in findings], stem, folded))
        return name, value, stem, folded

    def _finding(
        self,
        file: str,
        check: str,
        message: Said | str,
        *,
        line: int | None = None,
        severity: Severity = Severity.ERROR,
        code: str | None = None,
    ) -> None:
        said = message if isinstance(message, Said) else Said(message)
        self._load_findings.append(
            Finding.of(
                file,
                check,
                said,
                line=line,
                column=1 if line else None,
                severity=severity,
                code=code,
            )
        )

    def _stat(self, file: str) -> os.stat_result | None:
        path = self.root / file
        if path.is_symlink():
            self._finding(file, "symlink", _SYMLINK)
            return None
        try:
            return path.stat()
        except OSError as error:
            self._finding(
                file, "unreadable", S_("cannot read the file: {problem}", problem=error.strerror)
            )
            return None

    def _load(self) -> None:
        if self._git.problem:
            self._finding(".", "not-git", self._git.problem, severity=Severity.WARNING)
        self._now_ns = time.time_ns()
        info = self._stat(CONFIG_FILE)
        name, config, _stem, _key = (
            self._read(CONFIG_FILE, QmsConfig, info) if info else (None,) * 4
        )
        self._config = config
        self._config_known_good = name is not None
        if config is not None and CONFIG_FILE in self._index_rows:
            self._store_config(config)
        seen = {CONFIG_FILE}
        for kind in DocumentKind:
            folder = self.root / kind.folder
            if folder.is_symlink():
                self._finding(kind.folder, "symlink", _SYMLINK)
                continue
            if not folder.is_dir():
                continue
            model = MODELS[kind]
            with os.scandir(folder) as listing:
                dirents = sorted(listing, key=lambda d: d.name)
            for dirent in dirents:
                name = dirent.name
                file = f"{kind.folder}/{name}"
                if name.endswith(".yml"):
                    self._finding(
                        file,
                        "file-name",
                        N_("ignored: name YAML files *.yaml"),
                        severity=Severity.WARNING,
                    )
                if not name.endswith(".yaml") or not dirent.is_file():
                    continue
                seen.add(file)
                if dirent.is_symlink():
                    self._finding(file, "symlink", _SYMLINK)
                    continue
                try:
                    info = dirent.stat()
                except OSError as error:
                    self._finding(
                        file,
                        "unreadable",
                        S_("cannot read the file: {problem}", problem=error.strerror),
                    )
                    continue
                code, document, stem, key = self._read(file, model, info)
                if code is not None:
                    assert stem is not None and key is not None
                    entry = _Entry(file, code, model, document, self._parser)
                    self._index(kind, entry, name[:-5], stem, key)
                else:
                    self._unreadable.add(code_key(name[:-5]))
        if len(seen) != len(self._index_rows):
            for gone in set(self._index_rows) - seen:
                self._changed_row(gone, None)

    def _index(self, kind: DocumentKind, entry: _Entry, stem: str, code: str, key: str) -> None:
        file = entry.file
        entries = self._legal_entries if kind is DocumentKind.LEGAL else self._entries
        if stem != code:
            self._finding(
                file,
                "file-name",
                S_(
                    N_("file name does not match the number: rename it to {code}.yaml")
                    if kind is DocumentKind.LEGAL
                    else N_("file name does not match the code: rename it to {code}.yaml"),
                    code=code,
                ),
                line=self._line_of(file, "number" if kind is DocumentKind.LEGAL else "code"),
                code=code,
            )
        if key in entries:
            self._finding(
                file,
                "duplicate-code",
                S_(
                    "{code} is also defined in {file} (codes are unique, ignoring case)",
                    code=code,
                    file=entries[key].file,
                ),
                line=self._line_of(file, "number" if kind is DocumentKind.LEGAL else "code"),
                code=code,
            )
            return
        entries[key] = entry

    def _rescan(self) -> None:
        """Bring the repository up to date with the disk, reading only the files that changed.

        A repository that read with findings, or whose files came or went, is read again
        as a whole; otherwise only files whose size, time or inode changed (or that were
        changed too recently to be sure of) are read again.
        """
        if self._load_findings or self._unreadable or self._git.top is None:
            self._reload()
            return
        current: dict[str, tuple[int, int, int]] = {}
        try:
            info = os.lstat(self.root / CONFIG_FILE)
            current[CONFIG_FILE] = (info.st_size, info.st_mtime_ns, info.st_ino)
            for kind in DocumentKind:
                folder = self.root / kind.folder
                if not os.path.isdir(folder) or os.path.islink(folder):
                    continue
                with os.scandir(folder) as listing:
                    for dirent in listing:
                        if dirent.name.endswith((".yaml", ".yml")) and not dirent.is_dir():
                            info = dirent.stat(follow_symlinks=False)
                            current[f"{kind.folder}/{dirent.name}"] = (
                                info.st_size,
                                info.st_mtime_ns,
                                info.st_ino,
                            )
        except OSError:
            current = {}
        if current.keys() != self._stats.keys():
            self._reload()
            return
        changed = [
            f for f, key in current.items() if key != self._stats[f] or f in self._racy_files
        ]
        if CONFIG_FILE in changed:
            self._reload()
            return
        self._refresh(changed)

    def _refresh(self, files: Sequence[str]) -> None:
        """Read *files* (relative to the root) again after this process wrote them.

        The rest of the repository is as it was read under the action's lock. Anything
        beyond a plain document file rewritten or added (qms.yaml, a file that now reads
        with findings, a clash of codes) makes the whole repository be read again.
        """
        folders = {kind.folder: kind for kind in DocumentKind}
        self._history = None  # the action made a commit, perhaps a tag
        self._facts_memo = None
        self._fingerprint_memo = None
        self._now_ns = time.time_ns()
        for file in files:
            folder, _, name = file.partition("/")
            kind = folders.get(folder)
            info = self._stat(file) if kind is not None and name.endswith(".yaml") else None
            if kind is None or info is None or "/" in name:
                self._reload()
                return
            entries = self._legal_entries if kind is DocumentKind.LEGAL else self._entries
            old: str | None = code_key(name[:-5])  # where the file name puts it, usually
            if old not in entries or entries[old].file != file:
                old = next((k for k, e in entries.items() if e.file == file), None)
            mark = len(self._load_findings)
            code, document, stem, key = self._read(file, MODELS[kind], info)
            fresh = code is not None and stem == name[:-5] and (key == old or key not in entries)
            if (
                not fresh
                or len(self._load_findings) > mark
                or any(f.file == file for f in self._load_findings[:mark])
            ):
                self._reload()
                return
            assert code is not None and key is not None
            if old is not None:
                del entries[old]
            entries[key] = _Entry(file, code, MODELS[kind], document, self._parser)
            if kind is DocumentKind.LEGAL:
                self._legal = _LazyLegalRegistry(self._legal_entries, self)
        self._save_index()

    def _line_of(self, file: str, *field: str | int) -> int | None:
        try:
            text = (self.root / file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        place = yaml_store.locate(text, field)
        return place[0] if place else None

    # -- reading -------------------------------------------------------------------------

    def _config_or_none(self) -> QmsConfig | None:
        if self._config is None and self._config_known_good:
            self._config = self._cached_config()
        return self._config

    @property
    def config(self) -> QmsConfig:
        """Return the configuration of qms.yaml; raise :class:`ConfigError` if it is invalid."""
        if self._config_or_none() is None:
            first = next((f for f in self._load_findings if f.file == CONFIG_FILE), None)
            raise ConfigError(
                first.text if first else _("qms.yaml is invalid; run 'qms validate'"),
                file=self.root / CONFIG_FILE,
                line=first.line if first else None,
                column=first.column if first else None,
            )
        assert self._config is not None
        return self._config

    @property
    def load_findings(self) -> list[Finding]:
        """Return the findings of reading the files: what could not be loaded, and why."""
        return list(self._load_findings)

    @property
    def git_top(self) -> Path | None:
        """Return the top of the git work tree holding the repository, or None."""
        return self._git.top

    @property
    def in_git(self) -> bool:
        """Return whether the repository sits inside a git work tree."""
        return self._git.top is not None

    def __iter__(self) -> Iterator[Document]:
        """Iterate over the controlled documents, sorted by code."""
        for key in sorted(self._entries):
            yield self._entries[key].document

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code_key(code) in self._entries

    def document(self, code: str) -> Document:
        """Return the document with *code* (ignoring case); raise :class:`DocumentNotFound`."""
        entry = self._entries.get(code_key(code))
        if entry is None:
            raise self.not_found(code)
        return entry.document  # type: ignore[no-any-return]

    def not_found(self, code: str, message: str | None = None) -> DocumentNotFound:
        """Return the error for a *code* that names no readable document.

        When a file named after *code* exists but cannot be read (a YAML syntax error, a
        schema error), the error names that file, its line and the problem, as ``validate``
        does, rather than saying there is no such document.
        """
        key = code_key(code)
        for finding in self._load_findings:
            stem = PurePosixPath(finding.file).stem
            if finding.severity is Severity.ERROR and stem and code_key(stem) == key:
                return DocumentNotFound(
                    _(
                        "{code} cannot be read: {problem}; fix the file, then run 'qms validate'"
                    ).format(code=code, problem=finding.text),
                    file=finding.file,
                    line=finding.line,
                    column=finding.column,
                    field=finding.field,
                    code=code,
                )
        return DocumentNotFound(
            message or _("no document with code {code!r}").format(code=code), code=code
        )

    def legal_document(self, ref: str) -> LegalDocument:
        """Return the legal document with this number or file code; raise DocumentNotFound."""
        found = self.legal.get(ref)
        if found is None:
            raise DocumentNotFound(
                _("no legal document numbered {ref!r}").format(ref=ref), code=ref
            )
        return found

    def file_of(self, code: str) -> str:
        """Return the file of the document or legal document *code*, relative to the root."""
        entry = self._entries.get(code_key(code)) or self._legal_entries.get(number_key(code))
        if entry is None:
            raise self.not_found(code)
        return entry.file

    def _legal_documents(self) -> list[LegalDocument]:
        """Return every legal document; unchanged ones from the persistent cache.

        The registry needs all of them at once (relations point both ways); a province's
        2,000 legal files are kept as validated JSON values, read back in one call.
        """
        entries = sorted(self._legal_entries.values(), key=lambda e: e.file)
        fingerprint = self._legal_key()
        stored = self._disk.read(_LEGAL)
        if (
            fingerprint is not None
            and stored.get("key") == fingerprint
            and isinstance(stored.get("documents"), list)
        ):
            with contextlib.suppress(ValidationError):
                documents = _LEGAL_LIST.validate_python(stored["documents"])
                if len(documents) == len(entries):
                    for entry, document in zip(entries, documents, strict=True):
                        if entry._document is None:
                            entry._document = document
                    return documents
        documents = [e.document for e in entries]
        if fingerprint is not None:
            dumped = _LEGAL_LIST.dump_python(documents, mode="json")
            self._disk.write(_LEGAL, {"key": fingerprint, "documents": dumped})
        return documents

    def _legal_key(self) -> str | None:
        """Return a digest of every legal file's name and stat; None while one is too recent.

        What the legal registry and its findings are kept under.
        """
        files = sorted(e.file for e in self._legal_entries.values())
        if self._racy_files.intersection(files):
            return None
        return hashlib.sha256(repr([(f, self._stats.get(f)) for f in files]).encode()).hexdigest()

    def _per_head(self, name: str, compute: Callable[[], dict[str, str]]) -> dict[str, str]:
        """Return what *compute* reads of the git history, kept on disk until HEAD moves."""
        head = self.history_store.store.head()
        held = self._cache.get(name)
        if held is not None and held[0] == head:
            return cast(dict[str, str], held[1])
        stored = self._disk.read(name)
        data = stored.get("data")
        if stored.get("head") != head or head is None or not isinstance(data, dict):
            data = compute()
            if head is not None:
                self._disk.write(name, {"head": head, "data": data})
        self._cache[name] = (head, data)
        return cast(dict[str, str], data)

    # -- facts: what lists and legal impact read, kept in the persistent cache ----------

    def _held_facts(self) -> dict[str, tuple[tuple[int, int, int] | None, DocumentFacts]]:
        """Return the facts this process holds, by file, with the stat they were read at."""
        return cast(dict[str, Any], self._cache.setdefault("facts", {}))

    def _facts(self, entry: _Entry) -> DocumentFacts:
        """Return the facts of one document, from memory or from its parsed document."""
        held = self._held_facts()
        stat = self._stats.get(entry.file)
        found = held.get(entry.file)
        if found is not None and found[0] == stat and stat is not None:
            return found[1]
        facts = DocumentFacts.of(entry.document)
        held[entry.file] = (stat, facts)
        return facts

    def _all_facts(self) -> list[tuple[_Entry, DocumentFacts]]:
        """Return every document's entry and facts, sorted by code.

        Facts of unchanged files come from the persistent cache (``facts.json``): a list
        or an impact report on a warm repository parses no document.
        """
        held = self._held_facts()
        if self._cache.get("facts-read") != str(self._disk.folder):  # once per process
            self._cache["facts-read"] = str(self._disk.folder)
            with _no_cyclic_gc():
                rows = self._disk.read(_FACTS).get("rows")
                for file, row in rows.items() if isinstance(rows, dict) else ():
                    with contextlib.suppress(TypeError, ValueError):
                        stat = (int(row[0]), int(row[1]), int(row[2]))
                        held.setdefault(file, (stat, DocumentFacts.from_row(row[3])))
        if self._facts_memo is not None:
            return self._facts_memo
        out = []
        changed = False
        for code in sorted(self._entries):
            entry = self._entries[code]
            found = held.get(entry.file)
            if found is None or found[0] != self._stats.get(entry.file):
                changed = changed or entry.file not in self._racy_files
            out.append((entry, self._facts(entry)))
        if changed:
            rows = {
                e.file: [*self._stats[e.file], f.to_row()]
                for e, f in out
                if e.file in self._stats and e.file not in self._racy_files
            }
            self._disk.write(_FACTS, {"rows": rows})
        self._facts_memo = out
        return out

    def _superseded(self) -> dict[str, tuple[str, dt.date | None]]:
        return lifecycle.superseded_by(f for _, f in self._all_facts())

    def summaries(
        self,
        *,
        on: dt.date,
        kinds: Sequence[str] = (),
        statuses: Sequence[str] = (),
    ) -> list[DocumentSummary]:
        """Return the document list as of *on*, optionally only some kinds or statuses."""
        out = []
        superseded = self._superseded()
        born: dict[str, str] = {}  # the day of each document's first action
        if self._git.top is not None:

            def first_actions() -> dict[str, str]:
                out: dict[str, str] = {}
                for action in self.history_store.actions():
                    out.setdefault(code_key(action.code), action.when.date().isoformat())
                return out

            born = self._per_head("born", first_actions)
        day = on.isoformat()
        work = self._work_in_progress()
        for entry, facts in self._all_facts():
            if born.get(code_key(facts.code), day) > day:
                continue  # not drafted yet on that day
            state, revision = self._state(facts, on, superseded)
            working = self._working(facts, on, state, revision, work.get(code_key(facts.code)))
            if kinds and facts.kind not in kinds:
                continue
            if (
                statuses
                and state not in statuses
                and (working is None or _WORKING_AS_STATE[working.state] not in statuses)
            ):
                continue
            effective = facts.effective_date
            if revision != facts.revision:
                issued = next(r for r in self.revisions(facts.code) if r.revision == revision)
                effective = issued.effective
            out.append(
                DocumentSummary(
                    code=facts.code,
                    title=facts.title,
                    kind=facts.kind,
                    revision=revision,
                    status=state,
                    effective_date=effective,
                    file=entry.file,
                    working=working,
                )
            )
        return out

    def _work_in_progress(self) -> dict[str, str]:
        """Return, per code key, the last action on the document as JSON text, per HEAD.

        ``[action, revision, day the revision was opened, comment, who opened it]``: what
        the list needs to say that a draft was returned, since when a revision has been
        worked on, and whose draft it is.
        """
        if self._git.top is None:
            return {}

        config = self.config

        def compute() -> dict[str, str]:
            out: dict[str, list[Any]] = {}
            for action in self.history_store.actions():
                key = code_key(action.code)
                held = out.get(key)
                # new and revise name no signer: the person is the commit's author
                author = config.person_by_email(action.author_email)
                opened = action.when.date().isoformat()
                opener = action.person or (author.id if author else None)
                if held is not None and held[1] == action.revision:
                    opened, opener = held[2], held[4]
                out[key] = [action.action, action.revision, opened, action.reason, opener]
            return {k: json.dumps(v, ensure_ascii=False) for k, v in out.items()}

        return self._per_head("in_progress", compute)

    @staticmethod
    def _working(
        facts: DocumentFacts, on: dt.date, state: str, revision: int, last: str | None
    ) -> WorkingRevision | None:
        """Return the revision of the file being worked on, on *on*, beside *revision*.

        The file holds the latest state only: for a day before that revision was opened,
        nothing is said of what was being worked on then.
        """
        action, number, opened, comment, opener = json.loads(last) if last else [None] * 5
        if opened is not None and number == facts.revision and opened > on.isoformat():
            return None
        if facts.status is Status.DRAFT:
            if action == "reject" and number == facts.revision:
                return WorkingRevision(facts.revision, "returned", comment=comment, author=opener)
            return WorkingRevision(facts.revision, "draft", author=opener)
        if facts.status is Status.IN_REVIEW:
            return WorkingRevision(facts.revision, "in_review", author=opener)
        if (
            facts.status is Status.APPROVED
            and (facts.revision != revision or state == DocumentState.PENDING)
            and (facts.effective_date is None or facts.effective_date > on)
        ):
            return WorkingRevision(facts.revision, "pending", effective_date=facts.effective_date)
        return None

    def waiting_for(self, person: str, *, on: dt.date, within_days: int = 30) -> list[WaitingItem]:
        """Return what waits for *person* on *on*: drafts, signatures, reviews due.

        See :func:`qmsdocs.desk.waiting_for`.
        """
        from qmsdocs.desk import waiting_for

        return waiting_for(self, person, on=on, within_days=within_days)

    def due(self, *, on: dt.date, within_days: int = 0) -> list[DueReview]:
        """Return issued documents whose periodic review is due by *on* + *within_days*."""
        out = []
        for _entry, facts in self._all_facts():
            when = lifecycle.review_due(facts, self.config.review_interval(facts.kind))
            if when is None or when[1] > on + dt.timedelta(days=within_days):
                continue
            out.append(
                DueReview(
                    code=facts.code,
                    title=facts.title,
                    revision=facts.revision,
                    last_review=when[0],
                    due=when[1],
                    overdue_days=(on - when[1]).days,
                )
            )
        return sorted(out, key=lambda d: (d.due, d.code))

    # -- legal change --------------------------------------------------------------------

    def citations(self, code: str) -> list[Citation]:
        """Return the legal citations of *code*: its legal basis, then numbers in its text."""
        document = self.document(code)
        key = "citations:" + code_key(document.code)
        cached = self._cache.get(key)
        if cached is None or cached[0] is not document:
            cached = (document, document_citations(document))
            self._cache[key] = cached
        return list(cached[1])

    def impact(self, *, on: dt.date, legal: str | None = None) -> list[ImpactedDocument]:
        """Return the documents a legal change makes suspect on *on*, with the reasons.

        A document is suspect when a legal document it cites was amended, replaced,
        repealed or expired by a change its revision in force has not taken into account
        (see :mod:`qmsdocs.impact`). Changes not yet in force on *on* are reported as
        upcoming. With *legal* (a number or file code), only that legal document's changes.
        The last report is kept in the persistent cache and read back while no file, commit
        or revision tag has changed.
        """
        only = self.legal_document(legal) if legal is not None else None
        key = self._impact_key(on, only)
        held = self._cache.get(_IMPACT)
        if held is not None and held[0] == key and key is not None:
            return list(held[1])
        report = None
        if key is not None:
            with _no_cyclic_gc():
                stored = self._disk.read(_IMPACT)
                if stored.get("key") == key:
                    with contextlib.suppress(TypeError, ValueError, LookupError):
                        report = report_from_rows(stored["report"])
        if report is None:
            report = self._compute_impact(on, only)
            if key is not None:  # the last report only: reading more would cost each call
                self._disk.write(_IMPACT, {"key": key, "report": report_rows(report)})
        self._cache[_IMPACT] = (key, report)
        return list(report)

    def _impact_key(self, on: dt.date, only: LegalDocument | None) -> str | None:
        """Return what an impact report is kept under; None when it cannot be kept.

        The report depends on the files (their stats), the commits (when each legal file
        changed, when each document was first acted on) and the issued revisions (tags).
        """
        if self._git.top is None or self._racy_files:
            return None
        head = self.history_store.store.head()
        if head is None:
            return None
        parts = (self._fingerprint(), head, self.history_store.issued_key(), on.isoformat())
        return hashlib.sha256(repr((*parts, only and only.number)).encode()).hexdigest()

    def _compute_impact(self, on: dt.date, only: LegalDocument | None) -> list[ImpactedDocument]:
        touched = {
            number_key(d.number)
            for d in self.legal
            if self.legal.events(d) or d.effective_until is not None
        }
        if only is not None:  # only what cites it, or a document it acts on
            acted_on = (self.legal.get(r.target) for r in only.relations)
            touched &= {number_key(only.number)} | {
                number_key(d.number) for d in acted_on if d is not None
            }
        superseded = self._superseded()
        in_force = []
        for entry, facts in self._all_facts():
            current = (
                facts.status is Status.APPROVED
                and facts.effective_date is not None
                and facts.effective_date <= on
            )
            if current and not any(number_key(c.number) in touched for c in facts.citations):
                continue
            base = self._baseline(facts, on, superseded)
            if base is not None:
                in_force.append((entry, facts, base))
        # documents whose revision in force is an earlier one: read those in one git process
        self._read_revision_citations(
            [(f, b.revision) for _, f, b in in_force if b.revision != f.revision]
        )
        candidates = []
        for entry, facts, base in in_force:
            citations: Sequence[Citation] = facts.citations
            if base.revision != facts.revision:
                citations = self._revision_citations(facts.code, base.revision)
            if only is not None and not any(number_key(c.number) in touched for c in citations):
                continue
            candidates.append((facts, base, citations, entry.file))
        return compute_impact(
            candidates, self.legal, on=on, legal=only, registered=self._registered()
        )

    def _registered(self) -> Callable[[LegalDocument], dt.date | None]:
        """Return a function telling when a legal document's file last changed in git.

        The git log of legal/ is read once per HEAD; outside git nothing is known.
        """
        if self._git.top is None:
            return lambda document: None
        top = self._git.top
        store = self.history_store.store
        folder = (self.root / "legal").relative_to(top).as_posix()
        changed = self._per_head(
            "legal-changed",
            lambda: {f: when.date().isoformat() for f, when in store.last_changed(folder).items()},
        )

        def registered(document: LegalDocument) -> dt.date | None:
            file = (self.root / self.file_of(document.number)).relative_to(top).as_posix()
            when = changed.get(file)
            return dt.date.fromisoformat(when) if when is not None else None

        return registered

    def _read_revision_citations(self, wanted: Sequence[tuple[DocumentFacts, int]]) -> None:
        """Read the citations of many issued revisions at once (one ``git cat-file``)."""
        keys: list[str] = []
        issued: list[IssuedRevision] = []
        kinds: list[DocumentKind] = []
        for facts, revision in wanted:
            key = _revision_key(facts.code, revision)
            found = next((r for r in self.revisions(facts.code) if r.revision == revision), None)
            if key not in self._cache and found is not None and found.file is not None:
                keys.append(key)
                issued.append(found)
                kinds.append(DocumentKind(facts.kind))
        if not issued:
            return
        documents = self.history_store.read_many(issued, kinds)
        for key, document in zip(keys, documents, strict=True):
            if document is not None:  # an unreadable one is read again, and reported
                self._cache[key] = document_citations(document)

    def _revision_citations(self, code: str, revision: int) -> list[Citation]:
        key = _revision_key(code, revision)
        if key not in self._cache:  # an issued revision never changes
            self._cache[key] = document_citations(self.revision(code, revision))
        return list(self._cache[key])

    def _baseline(
        self,
        facts: DocumentFacts,
        on: dt.date,
        superseded: dict[str, tuple[str, dt.date | None]],
    ) -> Baseline | None:
        """Return what the revision of a document in force on *on* took into account."""
        state, revision = self._state(facts, on, superseded)
        if state is not DocumentState.EFFECTIVE:
            return None
        issued = next((r for r in self.revisions(facts.code) if r.revision == revision), None)
        if issued is not None:
            approved = issued.issued_at.date() if issued.issued_at else None
            effective = issued.effective
        else:
            approved = facts.approved_on or facts.issued_date
            effective = facts.effective_date
        opened = facts.revision if facts.revision > revision else None
        return Baseline(
            revision=revision,
            approved=approved,
            effective=effective,
            confirmed=tuple(r.date for r in facts.periodic_reviews if r.date <= on),
            draft=opened,
        )

    # -- validation ----------------------------------------------------------------------

    def validate(self) -> list[Finding]:
        """Return every finding: unreadable files, schema violations, broken references …

        Never raises for bad content. Findings are sorted by file and line. The result is
        kept in the persistent cache: an unchanged repository is not checked again.
        """
        fingerprint = self._fingerprint()
        held = self._cache.get("validation")
        if held is None or held[0] != fingerprint:
            stored = self._disk.read(_VALIDATION)
            if stored.get("fingerprint") == fingerprint and isinstance(stored.get("rows"), list):
                held = (fingerprint, [_row_finding(r[0], r[1:]) for r in stored["rows"]])
            else:
                held = (fingerprint, self._check_all())
                if not self._racy_files:
                    rows = [[f.file, *_finding_row(f)] for f in held[1]]
                    self._disk.write(_VALIDATION, {"fingerprint": fingerprint, "rows": rows})
            self._cache["validation"] = held
        return list(held[1])

    def validate_document(self, code: str) -> list[Finding]:
        """Return the findings of one controlled document's file, reading only what it names.

        The findings :meth:`validate` gives for that file, without checking the others.
        Raise :class:`DocumentNotFound` when there is no readable document *code*.
        """
        from qmsdocs.validation import check_document

        entry = self._entries.get(code_key(code))
        if entry is None:
            raise self.not_found(code)
        findings = [f for f in self._load_findings if f.file == entry.file]
        if (config := self._config_or_none()) is not None:
            findings += check_document(
                config,
                entry.document,
                entry.file,
                _Documents(self._entries),
                self.legal,
                locate=lambda file, path: self._locate(file, path),
                unreadable=frozenset(self._unreadable),
            )
        return sorted(findings, key=lambda f: (f.file, f.line or 0, f.column or 0, f.check))

    def _fingerprint(self) -> str:
        """Return a digest of everything validation depends on: files, place, git state."""
        if self._fingerprint_memo is None:
            # Every file not read while racy has its stat in the index: the digest kept with
            # the index is that of the stats, until a row changes.
            stats = self._held_index.digest if not self._racy_files else None
            if stats is None:
                stats = _stats_digest(self._stats)
                if not self._racy_files:
                    self._held_index.digest = stats
                    self._write_index()
            digest = hashlib.sha256(repr((str(self.root), self._git.problem)).encode())
            digest.update(stats.encode())
            digest.update(repr(sorted(self._load_findings, key=_finding_order)).encode())
            self._fingerprint_memo = digest.hexdigest()
        return self._fingerprint_memo

    def _check_all(self) -> list[Finding]:
        """Return every finding, checking again only what a change can have affected.

        The findings of each document are kept (``checks.json``) with the stat of its file
        and of the files whose content they read; those of qms.yaml and of the legal
        registry with the stat of their files. Adding, removing or renaming a file, or
        changing qms.yaml, checks everything again: it changes which codes exist.
        """
        from qmsdocs.validation import DocumentChecker, check_config, check_legal

        findings = list(self._load_findings)
        config = self._config_or_none()
        if config is None:
            return sorted(findings, key=_finding_order)
        unreadable = frozenset(self._unreadable)

        def locate(file: str, path: Sequence[str | int]) -> tuple[int, int] | None:
            return self._locate(file, path)

        names = [
            sorted((k, e.file) for k, e in entries.items())
            for entries in (self._entries, self._legal_entries)
        ]
        base = hashlib.sha256(
            repr((names, sorted(unreadable), self._stats.get(CONFIG_FILE))).encode()
        ).hexdigest()
        legal_key = self._legal_key()
        stored = self._disk.read(_CHECKS)
        same_base = stored.get("base") == base
        kept = stored.get("documents") if same_base else None
        kept = kept if isinstance(kept, dict) else {}
        # nothing is kept of files too recent to trust (see _RACY_NS)
        out: dict[str, Any] = {"base": base, "documents": {}}

        def stat(file: str) -> list[int] | None:
            found = self._stats.get(file)
            return list(found) if found is not None else None

        def rows_of(found: list[Finding]) -> list[list[Any]]:
            return [_finding_row(f) for f in found]

        if same_base and isinstance(stored.get("config"), list):
            findings += [_row_finding(CONFIG_FILE, r) for r in stored["config"]]
            out["config"] = stored["config"]
        else:
            found = check_config(config, locate=locate)
            findings += found
            out["config"] = rows_of(found)
        legal_files = {number_key(e.name): e.file for e in self._legal_entries.values()}
        legal_rows = stored.get("legal")
        if (
            same_base
            and legal_key is not None
            and isinstance(legal_rows, list)
            and stored.get("legal_key") == legal_key
        ):
            findings += [_row_finding(r[0], r[1:]) for r in legal_rows]
        else:
            found = check_legal(self.legal, legal_files, locate=locate)
            findings += found
            legal_rows = [[f.file, *_finding_row(f)] for f in found]
        out["legal_key"], out["legal"] = legal_key, legal_rows
        checker = DocumentChecker(
            config, _Documents(self._entries), self.legal, locate=locate, unreadable=unreadable
        )
        for entry in self._entries.values():
            file = entry.file
            previous = kept.get(file)
            if (
                isinstance(previous, list)
                and len(previous) == 3
                and previous[0] == stat(file)
                and isinstance(previous[1], dict)
                and all(stat(dep) == key for dep, key in previous[1].items())
            ):
                with contextlib.suppress(TypeError, ValueError):
                    findings += [_row_finding(file, r) for r in previous[2]]
                    out["documents"][file] = previous
                    continue
            document = entry.document
            found = checker.check(document, file)
            findings += found
            deps = {}
            for code in checker.depends_on(document):
                other = self._entries.get(code_key(code))
                if other is not None:
                    deps[other.file] = stat(other.file)
            if not self._racy_files.intersection([file, *deps]):
                out["documents"][file] = [stat(file), deps, rows_of(found)]
        if CONFIG_FILE not in self._racy_files:
            self._disk.write(_CHECKS, out)
        return sorted(findings, key=_finding_order)

    def _locate(self, file: str, path: Sequence[str | int]) -> tuple[int, int] | None:
        try:
            text = (self.root / file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        return yaml_store.locate(text, path)

    # -- history -------------------------------------------------------------------------

    @property
    def history_store(self) -> RevisionHistory:
        """Return the repository's git history (issued revisions, actions), read lazily.

        Raise :class:`ActionRefused` when the repository is not inside a git work tree.
        """
        if self._history is None:
            if self._git.top is None:
                raise ActionRefused(
                    _("{root} is not inside a git work tree: no history").format(root=self.root)
                )
            self._history = RevisionHistory(GitStore(self._git.top), cache=self._disk)
        return self._history

    def _kind_of(self, code: str) -> DocumentKind:
        return DocumentKind(self.document(code).kind)

    def revisions(self, code: str) -> list[IssuedRevision]:
        """Return the issued revisions of *code*, oldest first (empty outside git)."""
        entry = self._entries.get(code_key(code))
        if entry is None:
            raise self.not_found(code)
        if self._git.top is None:
            return []
        return self.history_store.issued(entry.name)

    def revision(self, code: str, revision: int) -> Document:
        """Return issued *revision* of *code*, exactly as it was tagged."""
        found = next((r for r in self.revisions(code) if r.revision == revision), None)
        if found is None:
            issued = ", ".join(str(r.revision) for r in self.revisions(code)) or _("none")
            raise DocumentNotFound(
                _("{code} has no issued revision {revision} (issued: {issued})").format(
                    code=code, revision=revision, issued=issued
                ),
                code=code,
            )
        return self.history_store.read(found, self._kind_of(code))

    def in_force(self, code: str, day: dt.date) -> Document | None:
        """Return the revision of *code* in force on *day*, or None if none was.

        A document withdrawn, or superseded by another one, on or before *day* has none.
        """
        current = self.document(code)
        state, revision = self.state_on(code, day)
        if state is not DocumentState.EFFECTIVE:
            return None
        if not self.revisions(code) or (
            revision == current.revision and current.status is Status.APPROVED
        ):
            return current
        return self.revision(code, revision)

    def state_on(
        self,
        code: str,
        day: dt.date,
        *,
        superseded_map: dict[str, tuple[str, dt.date | None]] | None = None,
    ) -> tuple[DocumentState, int]:
        """Return the state of *code* on *day* and the revision that state is about."""
        entry = self._entries.get(code_key(code))
        if entry is None:
            raise self.not_found(code)
        if superseded_map is None:
            superseded_map = self._superseded()
        return self._state(self._facts(entry), day, superseded_map)

    def _state(
        self,
        current: DocumentFacts,
        day: dt.date,
        superseded_map: dict[str, tuple[str, dt.date | None]],
    ) -> tuple[DocumentState, int]:
        superseded = superseded_map.get(code_key(current.code))
        revisions = self.revisions(current.code)
        if not revisions:
            return lifecycle.status_on(current, day, superseded), current.revision
        if current.withdrawal is not None and current.withdrawal.date <= day:
            return DocumentState.WITHDRAWN, current.revision
        issued = history_in_force(revisions, day)
        if issued is None:
            first = revisions[0]
            if first.issued_at is not None and first.issued_at.date() <= day:
                return DocumentState.PENDING, first.revision
            return DocumentState.DRAFT, current.revision
        if superseded is not None and superseded[1] is not None and superseded[1] <= day:
            return DocumentState.SUPERSEDED, issued.revision
        return DocumentState.EFFECTIVE, issued.revision

    def revision_history(self, code: str) -> list[RevisionRecord]:
        """Return every issued revision of *code* with its dates, signers and reason.

        What each revision says of itself is kept in the persistent cache by git object id,
        so a revision's file is parsed once, ever.
        """
        document = self.document(code)
        issued = self.revisions(code)
        store = self.history_store.store
        oids = store.object_ids([f"{r.tag}:{r.file}" for r in issued])
        # an unreadable revision has no id to keep it by: it is looked at every time
        keys = [
            f"{oid}:{r.revision}" if oid else f"?{i}"
            for i, (r, oid) in enumerate(zip(issued, oids, strict=True))
        ]
        known = self._disk.read(_REVISIONS)
        missing = [i for i, key in enumerate(keys) if key not in known]
        if missing:
            kind = DocumentKind(document.kind)
            contents = self.history_store.read_many(
                [issued[i] for i in missing], [kind] * len(missing)
            )
            for index, content in zip(missing, contents, strict=True):
                known[keys[index]] = _revision_digest(content, issued[index].revision)
            self._disk.write(_REVISIONS, {k: v for k, v in known.items() if k[0] != "?"})
        withdrawn = document.withdrawal
        records = []
        for index, revision in enumerate(issued):
            issued_on, author, reviewer, approver, reason = known[keys[index]]
            later = issued[index + 1] if index + 1 < len(issued) else None
            records.append(
                RevisionRecord(
                    revision=revision.revision,
                    issued=dt.date.fromisoformat(issued_on) if issued_on else None,
                    effective=revision.effective,
                    superseded=later.effective if later else None,
                    withdrawn=withdrawn.date if withdrawn and later is None else None,
                    author=author,
                    reviewer=reviewer,
                    approver=approver,
                    reason=reason,
                    stamp=revision.stamp,
                    tag=revision.tag,
                )
            )
        return records

    def actions(
        self, *, since: dt.date | None = None, until: dt.date | None = None, code: str | None = None
    ) -> list[Action]:
        """Return the lifecycle actions (oldest first), optionally in a period or on a code."""
        actions = self.history_store.actions_of(code) if code else self.history_store.actions()
        return [
            a
            for a in actions
            if (since is None or a.when.date() >= since)
            and (until is None or a.when.date() <= until)
        ]

    # -- lifecycle actions ---------------------------------------------------------------
    # Each is one commit or none, made as the person *by* (an id of qms.yaml) at *now*
    # (a timezone-aware datetime); the repository is re-read afterwards. See
    # :class:`qmsdocs.workflow.Workflow` for the rules.

    def _act(self, action: str, *args: Any, **kwargs: Any) -> ActionResult:
        return cast("ActionResult", self._act_any(action, *args, **kwargs))

    def _act_any(self, action: str, *args: Any, **kwargs: Any) -> Any:
        from qmsdocs.legal_actions import LegalWorkflow

        # The workflow re-reads this repository under the lock; afterwards only the files
        # it wrote are read again, so an action does not cost two reads of every file.
        workflow = LegalWorkflow(self.root, cache=self._cache, repository=self)
        if isinstance(kwargs.get("now"), dt.datetime):
            # Signatures and commits carry the agency's time, whatever the machine's zone:
            # the day a role is held and a signature's date are the agency's day.
            kwargs["now"] = self.config.local(kwargs["now"])
        try:
            result = getattr(workflow, action)(*args, **kwargs)
        except ValidationError as error:
            # a value given to the action (a title, a reason …) that no document may hold
            item = error.errors(include_url=False)[0]
            field = field_name(item["loc"])
            message = item["msg"].removeprefix("Value error, ")
            raise ActionRefused(f"{field}: {message}" if field else message) from None
        except BaseException:
            if workflow.began_writing:  # rolled back, or killed half-way: read it all again
                self._reload()
            raise
        self._refresh(workflow.written)
        return result

    def new(
        self,
        kind: str,
        code: str,
        *,
        title: str,
        by: str,
        now: dt.datetime,
        unit: str | None = None,
        procedure: str | None = None,
    ) -> ActionResult:
        """Create a new draft of *kind* (procedure, policy, objectives, form) from a template.

        A form names the *procedure* that uses it.
        """
        return self._act(
            "new", kind, code, title=title, by=by, now=now, unit=unit, procedure=procedure
        )

    def revise(self, code: str, *, reason: str, by: str, now: dt.datetime) -> ActionResult:
        """Open a draft of the next revision of an issued document."""
        return self._act("revise", code, reason=reason, by=by, now=now)

    def submit(self, code: str, *, by: str, now: dt.datetime) -> ActionResult:
        """Submit a draft for review, signing it as its author."""
        return self._act("submit", code, by=by, now=now)

    def review(
        self,
        code: str,
        *,
        by: str,
        now: dt.datetime,
        reject: bool = False,
        comment: str | None = None,
    ) -> ActionResult:
        """Accept a submitted draft for approval, or reject it back to draft with a comment."""
        return self._act("review", code, by=by, now=now, reject=reject, comment=comment)

    def approve(
        self, code: str, *, by: str, now: dt.datetime, effective: dt.date | None = None
    ) -> ActionResult:
        """Approve and issue a reviewed revision, effective on *effective* (default: now)."""
        return self._act("approve", code, by=by, now=now, effective=effective)

    def withdraw(
        self, code: str, *, reason: str, by: str, now: dt.datetime, replaced_by: str | None = None
    ) -> ActionResult:
        """Withdraw an issued document, optionally naming its replacement."""
        return self._act("withdraw", code, reason=reason, by=by, now=now, replaced_by=replaced_by)

    def confirm(self, code: str, *, reason: str, by: str, now: dt.datetime) -> ActionResult:
        """Record a periodic review that found the document still suitable (no new revision)."""
        return self._act("confirm", code, reason=reason, by=by, now=now)

    def recover(self) -> str | None:
        """Finish or undo an action whose process was killed; return what was done, or None."""
        from qmsdocs.workflow import Workflow

        try:
            return Workflow(self.root, cache=self._cache).recover()
        finally:
            self._reload()

    # -- legal registry and legal change -------------------------------------------------

    def legal_add(self, document: LegalDocument, *, by: str, now: dt.datetime) -> ActionResult:
        """Register a legal document in legal/ (one commit)."""
        return self._act("legal_add", document, by=by, now=now)

    def legal_relate(
        self,
        number: str,
        relation: RelationType | str,
        target: str,
        *,
        by: str,
        now: dt.datetime,
        articles: Sequence[str] = (),
        effective: dt.date | None = None,
        note: str | None = None,
    ) -> ActionResult:
        """Declare that legal document *number* amends, replaces, repeals … *target*.

        *articles* limits a repeal or amendment to the named articles ("Điều 5");
        *effective* defaults to the day *number* takes effect.
        """
        declared = Relation(
            type=RelationType(relation),
            target=target,
            articles=list(articles),
            effective=effective,
            note=note,
        )
        return self._act("legal_relate", number, declared, by=by, now=now)

    def legal_import(
        self, batch: LegalBatch, *, source: str, by: str, now: dt.datetime
    ) -> ActionResult:
        """Register a batch read by :func:`qmsdocs.read_legal_batch` as one commit.

        Raise :class:`InvalidDocument` (naming the first bad row) when the batch has
        findings: nothing is imported unless every row is good.
        """
        if not batch.ok:
            first = batch.findings[0]
            raise InvalidDocument(
                ngettext(
                    "{count} bad row, nothing imported: {problem}",
                    "{count} bad rows, nothing imported; first: {problem}",
                    len(batch.findings),
                ).format(count=len(batch.findings), problem=first.text),
                file=first.file,
                line=first.line,
                field=first.field,
            )
        return self._act(
            "legal_import", batch.documents, batch.relations, source=source, by=by, now=now
        )

    def revise_for_legal(
        self,
        number: str,
        codes: Sequence[str] = (),
        *,
        by: str,
        now: dt.datetime,
        reason: str | None = None,
    ) -> list[ActionResult]:
        """Open in one commit the revision drafts that legal change *number* requires.

        Without *codes*, every document it makes suspect (see :meth:`impact`). Each draft
        gets the reason (default "Cập nhật theo Nghị định số …"), a started change-history
        entry, and legal-basis citations moved from a replaced document to its replacement.
        """
        return cast(
            "list[ActionResult]",
            self._act_any("revise_for_legal", number, list(codes), by=by, now=now, reason=reason),
        )
