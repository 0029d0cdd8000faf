"""The facade: open a QMS repository, read its documents, validate it.

A QMS repository is a folder holding ``qms.yaml`` and one folder per kind of document
(procedures/, policies/, objectives/, forms/, legal/), usually the top of a git work tree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, ValidationError

from qmsdocs import lifecycle
from qmsdocs.errors import (
    ActionRefused,
    ConfigError,
    DocumentNotFound,
    InvalidDocument,
    RepositoryNotFound,
)
from qmsdocs.findings import Finding, Severity
from qmsdocs.history import Action, IssuedRevision, RevisionHistory
from qmsdocs.history import in_force as history_in_force
from qmsdocs.impact import Baseline, Citation, ImpactedDocument, document_citations
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
from qmsdocs.model.codes import check_code, code_key, legal_file_code
from qmsdocs.store import yaml as yaml_store
from qmsdocs.store.git import GitStore, git_state

if TYPE_CHECKING:
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
class DocumentSummary:
    """One line of the document list: what an officer scans for."""

    code: str
    title: str
    kind: str
    revision: int
    status: str
    effective_date: dt.date | None
    file: str

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-ready values."""
        return {
            "code": self.code,
            "title": self.title,
            "kind": self.kind,
            "revision": self.revision,
            "status": self.status,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "file": self.file,
        }


def find_root(start: Path) -> Path:
    """Return the nearest folder at or above *start* that holds qms.yaml."""
    start = start.expanduser()
    if not start.exists():
        raise RepositoryNotFound(f"no such folder: {start}")
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise RepositoryNotFound(
        f"no {CONFIG_FILE} in {start} or any folder above it: not a QMS repository"
    )


def _schema_findings(
    error: ValidationError, *, file: str, text: str, model: type[BaseModel]
) -> list[Finding]:
    findings = []
    for item in error.errors(include_url=False)[:_MAX_SCHEMA_FINDINGS]:
        loc = tuple(p for p in item["loc"] if isinstance(p, str | int))
        field = ".".join(str(p) for p in loc) or None
        kind = item["type"]
        message = item["msg"].removeprefix("Value error, ")
        if kind == "missing":
            message = f"missing required field '{loc[-1]}'"
        elif kind == "extra_forbidden":
            message = f"unknown field '{loc[-1]}'"
            if len(loc) == 1:
                allowed = ", ".join(model.model_fields)
                message += f" (allowed: {allowed})"
        elif kind == "string_pattern_mismatch":
            message = _pattern_message(str(loc[-1]), item["input"])
        elif field is not None and "input" in item and not isinstance(item["input"], dict | list):
            message = f"{message} (found {_shown(item['input'])})"
        place = yaml_store.locate(text, loc) if loc else None
        findings.append(
            Finding(
                file=file,
                line=place[0] if place else None,
                column=place[1] if place else None,
                severity=Severity.ERROR,
                check="schema",
                message=f"{field}: {message}" if field else message,
                field=field,
            )
        )
    return findings


def _shown(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return repr(value)


def _pattern_message(name: str, value: Any) -> str:
    if name == "email":
        return f"{value!r} is not an email address"
    problem = check_code(value) if isinstance(value, str) else None
    if problem:
        return problem
    return f"{value!r} is not a valid {name}"


# A link could name any file of the computer: it is never followed, read or written.
_SYMLINK = "a symbolic link, ignored: documents must be real files inside the repository"


@dataclass(frozen=True)
class _Entry:
    document: Any
    file: str  # relative to the root, POSIX


class Repository:
    """A QMS repository opened from disk: its configuration, documents and legal registry.

    Open one with :meth:`Repository.open`. Reading never raises for bad content: files that
    cannot be read are left out and reported by :meth:`validate`.
    """

    def __init__(self, root: Path, *, _cache: dict[str, Any] | None = None) -> None:
        self.root = root
        # Parsed files by path, keyed by (size, mtime, inode): unchanged files are not
        # parsed again when the repository is re-read after an action.
        self._cache: dict[str, Any] = _cache if _cache is not None else {}
        self._reload()

    def _reload(self) -> None:
        self._load_findings: list[Finding] = []
        self._config: QmsConfig | None = None
        self._entries: dict[str, _Entry] = {}
        self._legal_entries: dict[str, _Entry] = {}
        self._unreadable: set[str] = set()  # keys of files that exist but could not be loaded
        self._history: RevisionHistory | None = None
        self._git = git_state(self.root)
        self._load()
        self.legal = LegalRegistry(e.document for e in self._legal_entries.values())

    @classmethod
    def open(cls, path: str | Path = ".") -> Repository:
        """Open the QMS repository at *path* or the nearest folder above it holding qms.yaml.

        Raise :class:`RepositoryNotFound` when there is none.
        """
        return cls(find_root(Path(path)))

    # -- loading -------------------------------------------------------------------------

    def _read(self, path: Path, model: type[BaseModel]) -> Any | None:
        file = path.relative_to(self.root).as_posix()
        if path.is_symlink():
            self._finding(file, "symlink", _SYMLINK)
            return None
        try:
            info = path.stat()
        except OSError as error:
            self._finding(file, "unreadable", f"cannot read the file: {error.strerror}")
            return None
        key = (info.st_size, info.st_mtime_ns, info.st_ino, model.__name__)
        cached = self._cache.get(file)
        if cached is not None and cached[0] == key:
            self._load_findings.extend(cached[2])
            return cached[1]
        mark = len(self._load_findings)
        value = self._parse(path, file, model)
        self._cache[file] = (key, value, self._load_findings[mark:])
        return value

    def _parse(self, path: Path, file: str, model: type[BaseModel]) -> Any | None:
        try:
            data = path.read_bytes()
        except OSError as error:
            self._finding(file, "unreadable", f"cannot read the file: {error.strerror}")
            return None
        try:
            value = yaml_store.load(data, file=file)
        except InvalidDocument as error:
            self._load_findings.append(
                Finding(
                    file, error.line, error.column, Severity.ERROR, "yaml-syntax", error.message
                )
            )
            return None
        if not isinstance(value, dict):
            found = "an empty file" if value is None else f"a {type(value).__name__}"
            self._finding(file, "schema", f"expected a mapping of fields, found {found}", line=1)
            return None
        try:
            return model.model_validate(value)
        except ValidationError as error:
            text = data.decode("utf-8-sig")
            self._load_findings.extend(_schema_findings(error, file=file, text=text, model=model))
            return None

    def _finding(
        self,
        file: str,
        check: str,
        message: str,
        *,
        line: int | None = None,
        severity: Severity = Severity.ERROR,
        code: str | None = None,
    ) -> None:
        self._load_findings.append(
            Finding(file, line, 1 if line else None, severity, check, message, code=code)
        )

    def _load(self) -> None:
        if self._git.problem:
            self._finding(".", "not-git", self._git.problem, severity=Severity.WARNING)
        config = self._read(self.root / CONFIG_FILE, QmsConfig)
        self._config = config
        for kind in DocumentKind:
            folder = self.root / kind.folder
            if folder.is_symlink():
                self._finding(kind.folder, "symlink", _SYMLINK)
                continue
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                file = path.relative_to(self.root).as_posix()
                if path.suffix == ".yml":
                    self._finding(
                        file,
                        "file-name",
                        "ignored: name YAML files *.yaml",
                        severity=Severity.WARNING,
                    )
                if path.suffix != ".yaml" or not path.is_file():
                    continue
                document = self._read(path, MODELS[kind])
                if document is not None:
                    self._index(kind, document, path, file)
                else:
                    self._unreadable.add(code_key(path.stem))

    def _index(self, kind: DocumentKind, document: Any, path: Path, file: str) -> None:
        if kind is DocumentKind.LEGAL:
            code, entries = legal_file_code(document.number), self._legal_entries
            key = number_key(document.number)
        else:
            code, entries = document.code, self._entries
            key = code_key(code)
        if path.stem != code:
            self._finding(
                file,
                "file-name",
                f"file name does not match the {'number' if kind is DocumentKind.LEGAL else 'code'}"
                f": rename it to {code}.yaml",
                line=self._line_of(path, "number" if kind is DocumentKind.LEGAL else "code"),
                code=code,
            )
        if key in entries:
            self._finding(
                file,
                "duplicate-code",
                f"{code} is also defined in {entries[key].file} (codes are unique, ignoring case)",
                line=self._line_of(path, "number" if kind is DocumentKind.LEGAL else "code"),
                code=code,
            )
            return
        entries[key] = _Entry(document, file)

    def _line_of(self, path: Path, *field: str | int) -> int | None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        place = yaml_store.locate(text, field)
        return place[0] if place else None

    # -- reading -------------------------------------------------------------------------

    @property
    def config(self) -> QmsConfig:
        """Return the configuration of qms.yaml; raise :class:`ConfigError` if it is invalid."""
        if self._config is None:
            first = next((f for f in self._load_findings if f.file == CONFIG_FILE), None)
            raise ConfigError(
                first.message if first else "qms.yaml is invalid; run 'qms validate'",
                file=self.root / CONFIG_FILE,
                line=first.line if first else None,
                column=first.column if first else None,
            )
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
            raise DocumentNotFound(f"no document with code {code!r}", code=code)
        return entry.document  # type: ignore[no-any-return]

    def legal_document(self, ref: str) -> LegalDocument:
        """Return the legal document with this number or file code; raise DocumentNotFound."""
        found = self.legal.get(ref)
        if found is None:
            raise DocumentNotFound(f"no legal document numbered {ref!r}", code=ref)
        return found

    def file_of(self, code: str) -> str:
        """Return the file of the document or legal document *code*, relative to the root."""
        entry = self._entries.get(code_key(code)) or self._legal_entries.get(number_key(code))
        if entry is None:
            raise DocumentNotFound(f"no document with code {code!r}", code=code)
        return entry.file

    def summaries(
        self,
        *,
        on: dt.date,
        kinds: Sequence[str] = (),
        statuses: Sequence[str] = (),
    ) -> list[DocumentSummary]:
        """Return the document list as of *on*, optionally only some kinds or statuses."""
        out = []
        superseded = lifecycle.superseded_by(self)
        born: dict[str, dt.date] = {}
        if self._git.top is not None:
            for action in self.history_store.actions():
                born.setdefault(code_key(action.code), action.when.date())
        for document in self:
            if born.get(code_key(document.code), on) > on:
                continue  # not drafted yet on that day
            state, revision = self.state_on(document.code, on, superseded_map=superseded)
            if (kinds and document.kind not in kinds) or (statuses and state not in statuses):
                continue
            effective = document.effective_date
            if revision != document.revision:
                issued = next(r for r in self.revisions(document.code) if r.revision == revision)
                effective = issued.effective
            out.append(
                DocumentSummary(
                    code=document.code,
                    title=document.title,
                    kind=document.kind,
                    revision=revision,
                    status=state,
                    effective_date=effective,
                    file=self.file_of(document.code),
                )
            )
        return out

    def due(self, *, on: dt.date, within_days: int = 0) -> list[DueReview]:
        """Return issued documents whose periodic review is due by *on* + *within_days*."""
        out = []
        for document in self:
            when = lifecycle.review_due(document, self.config.review_interval(document.kind))
            if when is None or when[1] > on + dt.timedelta(days=within_days):
                continue
            out.append(
                DueReview(
                    code=document.code,
                    title=document.title,
                    revision=document.revision,
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
        """
        only = self.legal_document(legal) if legal is not None else None
        touched = {
            number_key(d.number)
            for d in self.legal
            if self.legal.events(d) or d.effective_until is not None
        }
        superseded = lifecycle.superseded_by(self)
        candidates = []
        for document in self:
            current = (
                document.status is Status.APPROVED
                and document.effective_date is not None
                and document.effective_date <= on
            )
            if current:
                citations = self.citations(document.code)
                if not any(number_key(c.number) in touched for c in citations):
                    continue
            base = self._baseline(document, on, superseded)
            if base is None:
                continue
            if base.revision != document.revision:
                citations = self._revision_citations(document.code, base.revision)
            elif not current:
                citations = self.citations(document.code)
            candidates.append((document, base, citations, self.file_of(document.code)))
        return compute_impact(
            candidates, self.legal, on=on, legal=only, registered=self._registered
        )

    def _registered(self, document: LegalDocument) -> dt.date | None:
        """Return when *document*'s file last changed in git (None outside git)."""
        if self._git.top is None:
            return None
        key = "legal-registered"
        if key not in self._cache or self._cache[key][0] != self.history_store.store.head():
            store = self.history_store.store
            folder = (self.root / "legal").relative_to(self._git.top).as_posix()
            self._cache[key] = (store.head(), store.last_changed(folder))
        file = (self.root / self.file_of(document.number)).relative_to(self._git.top).as_posix()
        when = self._cache[key][1].get(file)
        return when.date() if when is not None else None

    def _revision_citations(self, code: str, revision: int) -> list[Citation]:
        key = f"citations:{code_key(code)}@{revision}"
        if key not in self._cache:  # an issued revision never changes
            self._cache[key] = document_citations(self.revision(code, revision))
        return list(self._cache[key])

    def _baseline(
        self, document: Document, on: dt.date, superseded: dict[str, tuple[str, dt.date | None]]
    ) -> Baseline | None:
        """Return what the revision of *document* in force on *on* took into account."""
        state, revision = self.state_on(document.code, on, superseded_map=superseded)
        if state is not DocumentState.EFFECTIVE:
            return None
        issued = next((r for r in self.revisions(document.code) if r.revision == revision), None)
        if issued is not None:
            approved = issued.issued_at.date() if issued.issued_at else None
            effective = issued.effective
        else:
            signed = next((s for s in document.approvals if s.meaning == "approved"), None)
            approved = signed.signed_at.date() if signed else document.issued_date
            effective = document.effective_date
        opened = document.revision if document.revision > revision else None
        return Baseline(
            revision=revision,
            approved=approved,
            effective=effective,
            confirmed=tuple(r.date for r in document.periodic_reviews if r.date <= on),
            draft=opened,
        )

    # -- validation ----------------------------------------------------------------------

    def validate(self) -> list[Finding]:
        """Return every finding: unreadable files, schema violations, broken references …

        Never raises for bad content. Findings are sorted by file and line.
        """
        from qmsdocs.validation import check_references

        findings = list(self._load_findings)
        if self._config is not None:
            findings += check_references(
                self._config,
                [(e.document, e.file) for e in self._entries.values()],
                self.legal,
                {number_key(e.document.number): e.file for e in self._legal_entries.values()},
                locate=lambda file, path: self._locate(file, path),
                unreadable=frozenset(self._unreadable),
            )
        return sorted(findings, key=lambda f: (f.file, f.line or 0, f.column or 0, f.check))

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
                raise ActionRefused(f"{self.root} is not inside a git work tree: no history")
            self._history = RevisionHistory(GitStore(self._git.top))
        return self._history

    def _kind_of(self, code: str) -> DocumentKind:
        return DocumentKind(self.document(code).kind)

    def revisions(self, code: str) -> list[IssuedRevision]:
        """Return the issued revisions of *code*, oldest first (empty outside git)."""
        if self._git.top is None:
            return []
        return self.history_store.issued(self.document(code).code)

    def revision(self, code: str, revision: int) -> Document:
        """Return issued *revision* of *code*, exactly as it was tagged."""
        found = next((r for r in self.revisions(code) if r.revision == revision), None)
        if found is None:
            issued = ", ".join(str(r.revision) for r in self.revisions(code)) or "none"
            raise DocumentNotFound(
                f"{code} has no issued revision {revision} (issued: {issued})", code=code
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
        current = self.document(code)
        if superseded_map is None:
            superseded_map = lifecycle.superseded_by(self)
        superseded = superseded_map.get(code_key(current.code))
        revisions = self.revisions(code)
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
        """Return every issued revision of *code* with its dates, signers and reason."""
        document = self.document(code)
        issued = self.revisions(code)
        contents = self.history_store.read_many(issued, [DocumentKind(document.kind)] * len(issued))
        withdrawn = document.withdrawal
        records = []
        for index, (revision, content) in enumerate(zip(issued, contents, strict=True)):
            signed = {s.meaning: s for s in content.approvals} if content else {}
            entry = next(
                (
                    h
                    for h in (content.history if content else [])
                    if h.revision == revision.revision
                ),
                None,
            )
            later = issued[index + 1] if index + 1 < len(issued) else None
            records.append(
                RevisionRecord(
                    revision=revision.revision,
                    issued=content.issued_date if content else None,
                    effective=revision.effective,
                    superseded=later.effective if later else None,
                    withdrawn=withdrawn.date if withdrawn and later is None else None,
                    author=signed["authored"].name if "authored" in signed else None,
                    reviewer=signed["reviewed"].name if "reviewed" in signed else None,
                    approver=signed["approved"].name if "approved" in signed else None,
                    reason=(entry.reason or entry.description) if entry else None,
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

        try:
            workflow = LegalWorkflow(self.root, cache=self._cache)
            return getattr(workflow, action)(*args, **kwargs)
        except ValidationError as error:
            # a value given to the action (a title, a reason …) that no document may hold
            item = error.errors(include_url=False)[0]
            field = ".".join(str(p) for p in item["loc"])
            message = item["msg"].removeprefix("Value error, ")
            raise ActionRefused(f"{field}: {message}" if field else message) from None
        finally:
            self._reload()

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
                f"{len(batch.findings)} bad row(s), nothing imported; first: {first.message}",
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
