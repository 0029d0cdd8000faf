"""Issued revisions and the audit trail, read from git: tags, trailers and blobs.

Every issued revision is an annotated tag ``qms/<CODE>/<REVISION>`` whose message carries the
content stamp, the effective date and the file; every lifecycle action is a commit with
``QMS-Action``/``QMS-Document``/``QMS-Revision`` trailers. Reading all tags is one git
command; reading many revisions is one persistent ``git cat-file --batch`` process.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from qmsdocs.errors import DocumentNotFound, InvalidDocument, QmsError
from qmsdocs.i18n import _
from qmsdocs.model import MODELS, Document, DocumentKind
from qmsdocs.model.codes import code_key
from qmsdocs.store import yaml as yaml_store
from qmsdocs.store.cache import JsonCache
from qmsdocs.store.git import CommitInfo, GitStore, TagInfo, trailer_items

__all__ = ["TAG_PREFIX", "Action", "IssuedRevision", "RevisionHistory", "load_revision", "tag_name"]

#: Issued revisions are tagged refs/tags/qms/<CODE>/<REVISION>: a namespace of their own.
TAG_PREFIX = "qms/"


def tag_name(code: str, revision: int) -> str:
    """Return the tag of an issued revision: ``qms/QT-01/3``."""
    return f"{TAG_PREFIX}{code}/{revision}"


@dataclass(frozen=True)
class IssuedRevision:
    """One issued revision, as its tag records it."""

    code: str
    revision: int
    tag: str
    commit: str
    stamp: str | None
    effective: dt.date | None
    file: str | None  # relative to the git top
    approver: str | None
    issued_at: dt.datetime | None
    annotated: bool

    def to_dict(self) -> dict[str, Any]:
        """Return the revision as JSON-ready values."""
        return {
            "code": self.code,
            "revision": self.revision,
            "tag": self.tag,
            "commit": self.commit,
            "stamp": self.stamp,
            "effective": self.effective.isoformat() if self.effective else None,
            "file": self.file,
            "approver": self.approver,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
        }


@dataclass(frozen=True)
class Action:
    """One lifecycle action of the audit trail: who did what to which revision, and when."""

    commit: str
    action: str
    code: str
    revision: int | None
    person: str | None
    author_name: str
    author_email: str
    when: dt.datetime
    subject: str
    reason: str | None
    trailers: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the action as JSON-ready values."""
        return {
            "commit": self.commit,
            "action": self.action,
            "code": self.code,
            "revision": self.revision,
            "person": self.person,
            "author": self.author_name,
            "email": self.author_email,
            "when": self.when.isoformat(),
            "subject": self.subject,
            "reason": self.reason,
        }


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def issued_from_tag(tag: TagInfo) -> IssuedRevision | None:
    """Return the issued revision a ``qms/`` tag names, or None when the name is not one."""
    parts = tag.name.removeprefix(TAG_PREFIX).rsplit("/", 1)
    if len(parts) != 2 or _int(parts[1]) is None:
        return None
    t = tag.trailers
    return IssuedRevision(
        code=parts[0],
        revision=int(parts[1]),
        tag=tag.name,
        commit=tag.commit,
        stamp=t.get("QMS-Stamp"),
        effective=_date(t.get("QMS-Effective")),
        file=t.get("QMS-File"),
        approver=t.get("QMS-Person"),
        issued_at=tag.date,
        annotated=tag.annotated,
    )


def actions_from_commit(commit: CommitInfo) -> list[Action]:
    """Return the lifecycle actions a commit records (none for an ordinary commit).

    Most commits record one action on one document; a revision opened for several
    documents at once (``qms revise --legal``) repeats the QMS-Document and QMS-Revision
    trailers, one pair per document.
    """
    t = commit.trailers
    if "QMS-Action" not in t or "QMS-Document" not in t:
        return []
    targets: list[tuple[str, int | None]] = []
    for key, value in trailer_items(commit.body):
        if key == "QMS-Document":
            targets.append((value, None))
        elif key == "QMS-Revision" and targets and targets[-1][1] is None:
            targets[-1] = (targets[-1][0], _int(value))
    return [
        Action(
            commit=commit.sha,
            action=t["QMS-Action"],
            code=code,
            revision=revision,
            person=t.get("QMS-Person"),
            author_name=commit.author.name,
            author_email=commit.author.email,
            when=commit.date,
            subject=commit.subject,
            reason=t.get("QMS-Reason") or t.get("QMS-Comment"),
            trailers=dict(t),
        )
        for code, revision in targets
    ]


def load_revision(data: bytes, *, kind: DocumentKind, file: str) -> Document:
    """Return the document held in *data* (the bytes of a file at some commit)."""
    from pydantic import ValidationError

    value = yaml_store.load(data, file=file)
    try:
        model: Any = MODELS[kind]
        return model.model_validate(value)  # type: ignore[no-any-return]
    except ValidationError as error:
        raise InvalidDocument(
            _("cannot read this revision: {value}").format(value=error.errors()[0]["msg"]),
            file=file,
        ) from None


_TAGS = "tags"


def _issued_row(issued: IssuedRevision) -> list[Any]:
    return [
        issued.code,
        issued.revision,
        issued.tag,
        issued.commit,
        issued.stamp,
        issued.effective.isoformat() if issued.effective else None,
        issued.file,
        issued.approver,
        issued.issued_at.isoformat() if issued.issued_at else None,
        issued.annotated,
    ]


def _issued_from_row(row: list[Any]) -> IssuedRevision:
    code, revision, tag, commit, stamp, effective, file, approver, issued_at, annotated = row
    if not (isinstance(code, str) and isinstance(revision, int) and isinstance(tag, str)):
        raise TypeError("damaged tag row")
    return IssuedRevision(
        code=code,
        revision=revision,
        tag=tag,
        commit=str(commit),
        stamp=stamp if isinstance(stamp, str) else None,
        effective=dt.date.fromisoformat(effective) if effective else None,
        file=file if isinstance(file, str) else None,
        approver=approver if isinstance(approver, str) else None,
        issued_at=dt.datetime.fromisoformat(issued_at) if issued_at else None,
        annotated=bool(annotated),
    )


# Documents whose tags are read one by one before all tags are read at once.
_ONE_BY_ONE = 8


class RevisionHistory:
    """The issued revisions and lifecycle actions of a repository, read once from git."""

    def __init__(self, store: GitStore, *, cache: JsonCache | None = None) -> None:
        self.store = store
        self._disk = cache  # where the parsed tags are kept, under the ids of the tag refs
        self._issued: dict[str, list[IssuedRevision]] | None = None
        self._issued_one: dict[str, list[IssuedRevision]] = {}
        self._actions: list[Action] | None = None

    def issued(self, code: str) -> list[IssuedRevision]:
        """Return the issued revisions of *code*, oldest first."""
        if self._issued is None and code and len(self._issued_one) < _ONE_BY_ONE:
            # one document's tags only: a province has tens of thousands of tags
            key = code_key(code)
            if key not in self._issued_one:
                found = [
                    issued
                    for tag in self.store.tags(f"{TAG_PREFIX}{code}/")
                    if (issued := issued_from_tag(tag)) is not None and code_key(issued.code) == key
                ]
                self._issued_one[key] = sorted(found, key=lambda r: r.revision)
            return list(self._issued_one[key])
        if self._issued is None:
            by_code: dict[str, list[IssuedRevision]] = {}
            for issued in self._all_issued():
                by_code.setdefault(code_key(issued.code), []).append(issued)
            for revisions in by_code.values():
                revisions.sort(key=lambda r: r.revision)
            self._issued = by_code
        return list(self._issued.get(code_key(code), ()))

    def _all_issued(self) -> list[IssuedRevision]:
        """Return every issued revision; from the cache while no ``qms/`` tag ref changed.

        Listing the refs with their ids reads no tag object: a province's 13,000 tags are
        parsed once, not by every process.
        """
        key = self.issued_key() if self._disk is not None else None
        stored = self._disk.read(_TAGS) if self._disk is not None else {}
        if key is not None and stored.get("key") == key and isinstance(stored.get("rows"), list):
            try:
                return [_issued_from_row(row) for row in stored["rows"]]
            except (TypeError, ValueError):  # damaged: read the tags again
                pass
        tags = self.store.tags(TAG_PREFIX)
        found = [i for t in tags if (i := issued_from_tag(t)) is not None]
        if self._disk is not None:
            self._disk.write(_TAGS, {"key": key, "rows": [_issued_row(i) for i in found]})
        return found

    def issued_key(self) -> str:
        """Return a digest of every ``qms/`` tag ref and the object it names (no tag read)."""
        return self.store.refs_key(f"refs/tags/{TAG_PREFIX}")

    def all_issued(self) -> dict[str, list[IssuedRevision]]:
        """Return every issued revision, by case-folded code."""
        self.issued("")
        assert self._issued is not None
        return {k: list(v) for k, v in self._issued.items()}

    def actions(self) -> list[Action]:
        """Return every lifecycle action reachable from HEAD, oldest first."""
        if self._actions is None:
            commits = self.store.log(grep=["^QMS-Action: "])
            self._actions = [a for c in reversed(commits) for a in actions_from_commit(c)]
        return list(self._actions)

    def actions_of(self, code: str) -> list[Action]:
        """Return the lifecycle actions on *code*, oldest first."""
        key = code_key(code)
        return [a for a in self.actions() if code_key(a.code) == key]

    def read(self, issued: IssuedRevision, kind: DocumentKind) -> Document:
        """Return the content of an issued revision, byte for byte as tagged."""
        if issued.file is None:
            raise QmsError(_("tag {tag} names no file").format(tag=issued.tag), code=issued.code)
        data = self.store.read(issued.tag, issued.file)
        if data is None:
            raise DocumentNotFound(
                _("{file} is missing at tag {tag}").format(file=issued.file, tag=issued.tag),
                code=issued.code,
            )
        return load_revision(data, kind=kind, file=f"{issued.tag}:{issued.file}")

    def read_many(
        self, revisions: list[IssuedRevision], kinds: list[DocumentKind]
    ) -> list[Document | None]:
        """Return the content of many issued revisions (None where unreadable), one git process."""
        blobs = self.store.read_many([f"{r.tag}:{r.file}" for r in revisions])
        out: list[Document | None] = []
        for revision, kind, data in zip(revisions, kinds, blobs, strict=True):
            try:
                out.append(
                    None if data is None else load_revision(data, kind=kind, file=revision.tag)
                )
            except InvalidDocument:
                out.append(None)
        return out


def in_force(revisions: list[IssuedRevision], day: dt.date) -> IssuedRevision | None:
    """Return the revision in force on *day*: the latest whose effective date has come."""
    started = [r for r in revisions if r.effective is not None and r.effective <= day]
    return max(started, key=lambda r: r.revision, default=None)
