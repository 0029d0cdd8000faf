"""Lifecycle states computed for a date; pure (the day is always passed in).

Stored statuses are draft, in_review, approved and withdrawn. "Effective" and "superseded"
are never stored: an approved revision is *pending* until its effective date, then
*effective*, and *superseded* once a document that supersedes it is in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from qmsdocs.facts import DocumentFacts
from qmsdocs.i18n import N_, S_, Said
from qmsdocs.model.base import Signature
from qmsdocs.model.codes import code_key
from qmsdocs.model.config import QmsConfig
from qmsdocs.model.documents import ChangeEntry, Document, Status
from qmsdocs.stamp import content_stamp

__all__ = [
    "MEANINGS",
    "DocumentState",
    "add_months",
    "next_revision",
    "review_due",
    "signature_for",
    "signer_problem",
    "status_on",
    "superseded_by",
]


class DocumentState(StrEnum):
    """The state of a document on a given day, as officers and auditors read it."""

    DRAFT = "draft"  # dự thảo
    IN_REVIEW = "in_review"  # đang xem xét
    PENDING = "pending"  # đã phê duyệt, chưa đến ngày hiệu lực
    EFFECTIVE = "effective"  # đang hiệu lực
    SUPERSEDED = "superseded"  # đã bị thay thế
    WITHDRAWN = "withdrawn"  # đã hủy bỏ


def superseded_by(
    documents: Iterable[Document | DocumentFacts],
) -> dict[str, tuple[str, dt.date | None]]:
    """Return, for each superseded code (case-folded), the code that supersedes it and when."""
    out: dict[str, tuple[str, dt.date | None]] = {}
    for document in documents:
        for old in document.supersedes:
            out[code_key(old)] = (document.code, document.effective_date)
    return out


def status_on(
    document: Document | DocumentFacts,
    day: dt.date,
    superseded: tuple[str, dt.date | None] | None = None,
) -> DocumentState:
    """Return the state of *document* on *day*.

    *superseded* is the (code, effective date) of the document that supersedes it, if any.
    """
    if document.status is Status.DRAFT:
        return DocumentState.DRAFT
    if document.status is Status.IN_REVIEW:
        return DocumentState.IN_REVIEW
    if document.status is Status.WITHDRAWN:
        assert document.withdrawal is not None  # the model guarantees it
        if document.withdrawal.date <= day:
            return DocumentState.WITHDRAWN
    if superseded is not None and superseded[1] is not None and superseded[1] <= day:
        return DocumentState.SUPERSEDED
    if document.effective_date is not None and document.effective_date <= day:
        return DocumentState.EFFECTIVE
    return DocumentState.PENDING


# -- rules of the workflow -------------------------------------------------------------

#: The step of an approval rule that each signature meaning needs.
STEP_OF_MEANING = {"authored": "author", "reviewed": "review", "approved": "approve"}
#: The signature grid, in order: Soạn thảo, Xem xét, Phê duyệt.
MEANINGS = ("authored", "reviewed", "approved")
#: The signatures as a person names them (Soạn thảo, Xem xét, Phê duyệt).
MEANING_WORDS = {"authored": N_("Authored"), "reviewed": N_("Reviewed"), "approved": N_("Approved")}
#: The document kinds as a sentence names them.
KIND_WORDS = {
    "procedure": N_("procedure"),
    "policy": N_("quality policy"),
    "objectives": N_("quality objectives"),
    "form": N_("form"),
}


def signer_problem(
    config: QmsConfig,
    document: Document,
    person_id: str,
    meaning: str,
    day: dt.date,
) -> Said | None:
    """Return why *person_id* may not sign *document* with *meaning* on *day*, or None.

    The person must exist, hold one of the roles the kind's rule names for that step on the
    day, and, where the rule asks for distinct people, not have signed another column.
    """
    person = config.person(person_id)
    if person is None:
        return S_("{person} is not a person of qms.yaml", person=repr(person_id))
    kind = Said(KIND_WORDS.get(document.kind, document.kind))
    rule = config.approval.get(document.kind)
    if rule is None:
        return S_("qms.yaml has no approval rule for documents of the kind {kind}", kind=kind)
    allowed = set(getattr(rule, STEP_OF_MEANING[meaning]))
    held = person.roles_on(day)
    if not allowed & held:
        return S_(
            "{name} does not hold a role that may sign '{meaning}' for a {kind} on {day} "
            "(needs one of: {roles})",
            name=person.name,
            meaning=Said(MEANING_WORDS[meaning]),
            kind=kind,
            day=format(day, "%d/%m/%Y"),
            roles=", ".join(sorted(allowed)),
        )
    if rule.distinct_people:
        for signature in document.approvals:
            if signature.meaning != meaning and signature.person == person_id:
                return S_(
                    "{name} already signed '{meaning}' for this revision; author, reviewer "
                    "and approver must be different people",
                    name=person.name,
                    meaning=Said(MEANING_WORDS[signature.meaning]),
                )
    return None


def signature_for(
    config: QmsConfig, document: Document, person_id: str, meaning: str, now: dt.datetime
) -> Signature:
    """Return the signature *person_id* puts on *document* at *now* (rules already checked)."""
    person = config.person(person_id)
    assert person is not None
    rule = config.approval[document.kind]
    allowed = set(getattr(rule, STEP_OF_MEANING[meaning]))
    role = sorted(allowed & person.roles_on(now.date()))[0]
    return Signature(
        meaning=meaning,
        person=person.id,
        name=person.name,
        title=person.title,
        role=role,
        signed_at=now,
        stamp=content_stamp(document),
    )


def next_revision(document: Document, reason: str, **changes: Any) -> Document:
    """Return the draft of *document*'s next revision (lần ban hành + 1), not yet validated.

    No signature, no issue or effective date; a row for it in the change history with
    *reason*; *changes* sets other fields (a moved legal basis, a merged content).
    """
    revision = document.revision + 1
    entry = ChangeEntry(revision=revision, description=reason, reason=reason)
    return document.model_copy(
        update={
            "revision": revision,
            "status": Status.DRAFT,
            "issued_date": None,
            "effective_date": None,
            "approvals": [],
            "history": [*document.history, entry],
            **changes,
        }
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """Return *day* plus *months* calendar months (the last day of a shorter month)."""
    import calendar

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due(
    document: Document | DocumentFacts, default_months: int
) -> tuple[dt.date, dt.date] | None:
    """Return (last review or issue, next review due) of an issued document, else None."""
    if document.status is not Status.APPROVED or document.issued_date is None:
        return None
    last = max([document.issued_date, *(r.date for r in document.periodic_reviews)])
    months = document.review_interval_months or default_months
    return last, add_months(last, months)
