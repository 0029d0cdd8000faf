"""Lifecycle states computed for a date; pure (the day is always passed in).

Stored statuses are draft, in_review, approved and withdrawn. "Effective" and "superseded"
are never stored: an approved revision is *pending* until its effective date, then
*effective*, and *superseded* once a document that supersedes it is in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from qmsdocs.model.codes import code_key
from qmsdocs.model.documents import Document, Status

__all__ = ["DocumentState", "status_on", "superseded_by"]


class DocumentState(StrEnum):
    """The state of a document on a given day, as officers and auditors read it."""

    DRAFT = "draft"  # dự thảo
    IN_REVIEW = "in_review"  # đang xem xét
    PENDING = "pending"  # đã phê duyệt, chưa đến ngày hiệu lực
    EFFECTIVE = "effective"  # đang hiệu lực
    SUPERSEDED = "superseded"  # đã bị thay thế
    WITHDRAWN = "withdrawn"  # đã hủy bỏ


def superseded_by(documents: Iterable[Document]) -> dict[str, tuple[str, dt.date | None]]:
    """Return, for each superseded code (case-folded), the code that supersedes it and when."""
    out: dict[str, tuple[str, dt.date | None]] = {}
    for document in documents:
        for old in document.supersedes:
            out[code_key(old)] = (document.code, document.effective_date)
    return out


def status_on(
    document: Document,
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
