"""What officers and auditors list: the document list, reviews due, revision histories.

The records (:class:`DocumentSummary`, :class:`DueReview`, :class:`RevisionRecord` …) and
the runs that build them from what a :class:`~qmsdocs.read.reader.Reader` read, the facts
kept in the persistent cache and the git history.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qmsdocs import lifecycle
from qmsdocs.facts import DocumentFacts
from qmsdocs.lifecycle import DocumentState
from qmsdocs.model import DocumentKind, Status
from qmsdocs.model.codes import code_key
from qmsdocs.read.files import REVISIONS, revision_digest
from qmsdocs.read.reader import Reader

__all__ = [
    "DocumentSummary",
    "DueReview",
    "RevisionRecord",
    "WorkingRevision",
    "due",
    "revision_history",
    "summaries",
]


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
WORKING_AS_STATE = {
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


def summaries(
    reader: Reader,
    *,
    on: dt.date,
    kinds: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> list[DocumentSummary]:
    """Return the document list as of *on*, optionally only some kinds or statuses."""
    out = []
    superseded = reader.superseded()
    born: dict[str, str] = {}  # the day of each document's first action
    if reader.git.top is not None:

        def first_actions() -> dict[str, str]:
            out: dict[str, str] = {}
            for action in reader.history_store.actions():
                out.setdefault(code_key(action.code), action.when.date().isoformat())
            return out

        born = reader.per_head("born", first_actions)
    day = on.isoformat()
    work = _work_in_progress(reader)
    for entry, facts in reader.all_facts():
        if born.get(code_key(facts.code), day) > day:
            continue  # not drafted yet on that day
        state, revision = reader.state(facts, on, superseded)
        working = _working(facts, on, state, revision, work.get(code_key(facts.code)))
        if kinds and facts.kind not in kinds:
            continue
        if (
            statuses
            and state not in statuses
            and (working is None or WORKING_AS_STATE[working.state] not in statuses)
        ):
            continue
        effective = facts.effective_date
        if revision != facts.revision:
            issued = next(r for r in reader.revisions(facts.code) if r.revision == revision)
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


def _work_in_progress(reader: Reader) -> dict[str, str]:
    """Return, per code key, the last action on the document as JSON text, per HEAD.

    ``[action, revision, day the revision was opened, comment, who opened it]``: what
    the list needs to say that a draft was returned, since when a revision has been
    worked on, and whose draft it is.
    """
    if reader.git.top is None:
        return {}

    config = reader.config

    def compute() -> dict[str, str]:
        out: dict[str, list[Any]] = {}
        for action in reader.history_store.actions():
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

    return reader.per_head("in_progress", compute)


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


def due(reader: Reader, *, on: dt.date, within_days: int = 0) -> list[DueReview]:
    """Return issued documents whose periodic review is due by *on* + *within_days*."""
    out = []
    for _entry, facts in reader.all_facts():
        when = lifecycle.review_due(facts, reader.config.review_interval(facts.kind))
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


def revision_history(reader: Reader, code: str) -> list[RevisionRecord]:
    """Return every issued revision of *code* with its dates, signers and reason.

    What each revision says of itself is kept in the persistent cache by git object id,
    so a revision's file is parsed once, ever.
    """
    document = reader.document(code)
    issued = reader.revisions(code)
    store = reader.history_store.store
    oids = store.object_ids([f"{r.tag}:{r.file}" for r in issued])
    # an unreadable revision has no id to keep it by: it is looked at every time
    keys = [
        f"{oid}:{r.revision}" if oid else f"?{i}"
        for i, (r, oid) in enumerate(zip(issued, oids, strict=True))
    ]
    known = reader.disk.read(REVISIONS)
    missing = [i for i, key in enumerate(keys) if key not in known]
    if missing:
        kind = DocumentKind(document.kind)
        contents = reader.history_store.read_many(
            [issued[i] for i in missing], [kind] * len(missing)
        )
        for index, content in zip(missing, contents, strict=True):
            known[keys[index]] = revision_digest(content, issued[index].revision)
        reader.disk.write(REVISIONS, {k: v for k, v in known.items() if k[0] != "?"})
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
