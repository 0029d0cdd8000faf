"""What auditors ask a repository: which version, what changed in the QMS, who to credit.

The glue between :class:`qmsdocs.Repository` and the pure :mod:`qmsdocs.diff`: it reads
only through the repository's public API (``summaries``, ``revision``, ``in_force``,
``revision_history``, ``actions``, ``legal``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Literal

from qmsdocs import lifecycle
from qmsdocs.diff import (
    DocumentDiff,
    DocumentEntry,
    LegalEntry,
    QmsDiff,
    QmsSnapshot,
    diff,
    diff_qms,
)
from qmsdocs.errors import DocumentNotFound
from qmsdocs.i18n import _
from qmsdocs.model.codes import code_key
from qmsdocs.model.documents import Document
from qmsdocs.repository import Repository

__all__ = [
    "DRAFT",
    "VersionSpec",
    "attribution",
    "diff_versions",
    "qms_diff",
    "snapshot",
    "version",
]

#: The working file of a document: the draft being edited, or the last issued revision.
DRAFT: Literal["draft"] = "draft"

#: Which version of a document: an issued revision number, the revision in force on a day,
#: or the working file (:data:`DRAFT`).
VersionSpec = int | dt.date | Literal["draft"]


def version(repo: Repository, code: str, spec: VersionSpec) -> Document:
    """Return the version of *code* that *spec* names.

    Raise :class:`DocumentNotFound` when there is no such revision, or when no revision was
    in force on the day.
    """
    if isinstance(spec, str):
        if spec != DRAFT:
            raise DocumentNotFound(
                _("{spec!r} names no version of {code}").format(spec=spec, code=code), code=code
            )
        return repo.document(code)
    if isinstance(spec, dt.date):
        found = repo.in_force(code, spec)
        if found is None:
            state, _found = repo.state_on(code, spec)
            raise DocumentNotFound(
                _("no revision of {code} was in force on {spec:%d/%m/%Y} ({value})").format(
                    code=code, spec=spec, value=state.value
                ),
                code=code,
            )
        return found
    return repo.revision(code, spec)


def diff_versions(
    repo: Repository, code: str, old: VersionSpec, new: VersionSpec
) -> tuple[Document, Document, DocumentDiff]:
    """Return the two versions of *code* that *old* and *new* name, and their diff."""
    a, b = version(repo, code, old), version(repo, code, new)
    return a, b, diff(a, b)


def attribution(repo: Repository, document: Document) -> tuple[str, dt.datetime] | None:
    """Return who a revision's changes are credited to, and when, for a redline.

    The author is the printed name of the revision's author (Soạn thảo); the time is that
    of its approval (else of its latest signature). An unsigned draft is credited to the
    person of the last lifecycle action on the document. None when nothing says.
    """
    signed = {s.meaning: s for s in document.approvals}
    if signed:
        who = signed.get("authored") or max(signed.values(), key=lambda s: s.signed_at)
        when = signed.get("approved") or max(signed.values(), key=lambda s: s.signed_at)
        return who.name, when.signed_at
    if repo.in_git:
        actions = repo.actions(code=document.code)
        if actions:
            last = actions[-1]
            person = repo.config.person(last.person) if last.person else None
            return (person.name if person else last.author_name), last.when
    return None


def snapshot(repo: Repository, day: dt.date) -> QmsSnapshot:
    """Return the QMS on *day*: each document drafted by then with its state and revision
    in force, and each legal document issued by then with its status."""
    superseded = lifecycle.superseded_by(repo)
    documents = []
    for summary in repo.summaries(on=day):
        state = str(summary.status)
        replaced_by = None
        if state in ("withdrawn", "superseded"):
            current = repo.document(summary.code)
            if current.withdrawal is not None and current.withdrawal.replaced_by:
                replaced_by = current.withdrawal.replaced_by
            elif code_key(summary.code) in superseded:
                replaced_by = superseded[code_key(summary.code)][0]
        documents.append(
            DocumentEntry(
                code=summary.code,
                title=summary.title,
                kind=summary.kind,
                revision=summary.revision,
                state=state,
                replaced_by=replaced_by,
            )
        )
    legal = [
        LegalEntry(
            number=document.number,
            title=document.title,
            type=document.type.value,
            status=repo.legal.status_on(document, day).value,
        )
        for document in repo.legal
        if document.issued <= day
    ]
    return QmsSnapshot(day=day, documents=tuple(documents), legal=tuple(legal))


def qms_diff(repo: Repository, since: dt.date, until: dt.date) -> QmsDiff:
    """Return what changed in the QMS from *since* to *until* (see :func:`diff_qms`).

    Each revised or added document carries the reasons of the revisions issued in between,
    read from the change history of its current file (no revision is read from git); a
    withdrawn or replaced one carries the reason of the withdrawal.
    """
    result = diff_qms(snapshot(repo, since), snapshot(repo, until))
    documents = []
    for change in result.documents:
        reasons: tuple[str, ...] = ()
        if change.change in ("withdrawn", "replaced"):
            withdrawal = repo.document(change.code).withdrawal
            reasons = (withdrawal.reason,) if withdrawal is not None else ()
        elif change.new_revision is not None and change.new_revision != change.old_revision:
            low, high = change.old_revision or 0, change.new_revision
            reasons = tuple(
                entry.reason or entry.description
                for entry in repo.document(change.code).history
                if low < entry.revision <= high
            )
        documents.append(dataclasses.replace(change, reasons=reasons))
    return dataclasses.replace(result, documents=tuple(documents))
