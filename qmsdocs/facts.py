"""What lists, due reviews and legal impact read of a controlled document; pure.

A province's repository holds tens of thousands of documents. The document list, the due
reviews and the legal impact need only a few fields of each, and the legal numbers it cites;
:class:`DocumentFacts` holds exactly those, so that they can be kept in the persistent cache
as plain JSON values (:meth:`DocumentFacts.to_row`) and these questions answered without
parsing every file again.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from qmsdocs.impact import Citation, document_citations
from qmsdocs.model.documents import Document, Status

__all__ = ["Dated", "DocumentFacts"]


@dataclass(frozen=True, slots=True)
class Dated:
    """A dated record (a withdrawal, a periodic review) reduced to its date."""

    date: dt.date


@functools.lru_cache(maxsize=4096)
def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _day(text: Any) -> dt.date | None:
    return _date(text) if text is not None else None


@functools.lru_cache(maxsize=65536)
def _citation(number: str, field: str, article: str | None, in_text: bool) -> Citation:
    # documents of a province cite the same few hundred numbers in the same places
    return Citation(number, field, article, in_text)


def _text(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """The fields of a controlled document that lists, reviews and legal impact read.

    Attribute names are those of the document, so the lifecycle rules read either.
    """

    code: str
    kind: str
    title: str
    revision: int
    status: Status
    issued_date: dt.date | None
    effective_date: dt.date | None
    review_interval_months: int | None
    supersedes: tuple[str, ...]
    withdrawal: Dated | None
    periodic_reviews: tuple[Dated, ...]
    approved_on: dt.date | None  # the day of the "approved" signature, if signed
    citations: tuple[Citation, ...]

    @classmethod
    def of(cls, document: Document) -> DocumentFacts:
        """Return the facts of *document*."""
        signed = next((s for s in document.approvals if s.meaning == "approved"), None)
        return cls(
            code=document.code,
            kind=document.kind,
            title=document.title,
            revision=document.revision,
            status=document.status,
            issued_date=document.issued_date,
            effective_date=document.effective_date,
            review_interval_months=document.review_interval_months,
            supersedes=tuple(document.supersedes),
            withdrawal=Dated(document.withdrawal.date) if document.withdrawal else None,
            periodic_reviews=tuple(Dated(r.date) for r in document.periodic_reviews),
            approved_on=signed.signed_at.date() if signed is not None else None,
            citations=tuple(document_citations(document)),
        )

    def to_row(self) -> list[Any]:
        """Return the facts as JSON values (read back by :meth:`from_row`)."""
        return [
            self.code,
            self.kind,
            self.title,
            self.revision,
            self.status.value,
            _text(self.issued_date),
            _text(self.effective_date),
            self.review_interval_months,
            list(self.supersedes),
            _text(self.withdrawal.date) if self.withdrawal else None,
            [r.date.isoformat() for r in self.periodic_reviews],
            _text(self.approved_on),
            [[c.number, c.field, c.article, c.in_text] for c in self.citations],
        ]

    @classmethod
    def from_row(cls, row: list[Any]) -> DocumentFacts:
        """Return the facts :meth:`to_row` gave; raise ValueError/TypeError if damaged."""
        (
            code,
            kind,
            title,
            revision,
            status,
            issued,
            effective,
            interval,
            supersedes,
            withdrawn,
            reviews,
            approved,
            citations,
        ) = row
        if not (isinstance(code, str) and isinstance(title, str) and isinstance(revision, int)):
            raise TypeError("damaged facts")
        return cls(
            code=code,
            kind=str(kind),
            title=title,
            revision=revision,
            status=Status(status),
            issued_date=_day(issued),
            effective_date=_day(effective),
            review_interval_months=interval if isinstance(interval, int) else None,
            supersedes=tuple(str(c) for c in supersedes),
            withdrawal=Dated(_date(withdrawn)) if withdrawn else None,
            periodic_reviews=tuple(Dated(_date(d)) for d in reviews),
            approved_on=_day(approved),
            citations=tuple(
                _citation(str(n), str(f), a if isinstance(a, str) else None, bool(t))
                for n, f, a, t in citations
            ),
        )
