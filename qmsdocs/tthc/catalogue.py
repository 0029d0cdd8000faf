"""The TTHC catalogue: what the announcement decisions of the legal registry list; pure.

A decision (Quyết định công bố danh mục TTHC) is a legal document whose ``tthc`` list names
each TTHC and what it does to it. Codes are compared by their national part (1.001193):
the province part (000.00.00.H99) is the same TTHC carried out by one province's agencies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from qmsdocs.model import LegalDocument, TthcChange, TthcEntry

__all__ = ["Listing", "TthcCatalogue", "national_code"]


def national_code(code: str) -> str:
    """Return the national part of a TTHC code: 1.001193.000.00.00.H99 gives 1.001193."""
    return code.strip()[:8]


@dataclass(frozen=True)
class Listing:
    """A TTHC as one decision lists it."""

    decision: LegalDocument
    entry: TthcEntry

    @property
    def code(self) -> str:
        """Return the TTHC code as the decision prints it."""
        return self.entry.code

    @property
    def effective(self) -> dt.date:
        """Return the day the decision takes effect."""
        return self.decision.in_force_from


class TthcCatalogue:
    """Every TTHC listed by the decisions of a legal registry, oldest decision first."""

    def __init__(self, documents: Iterable[LegalDocument]) -> None:
        decisions = sorted(
            (d for d in documents if d.tthc), key=lambda d: (d.in_force_from, d.issued, d.number)
        )
        self._listings = [Listing(d, e) for d in decisions for e in d.tthc]
        self._known = {national_code(x.entry.code) for x in self._listings} | {
            national_code(x.entry.replaces) for x in self._listings if x.entry.replaces
        }
        self._decisions = decisions

    def __iter__(self) -> Iterator[Listing]:
        return iter(self._listings)

    def __len__(self) -> int:
        return len(self._listings)

    @property
    def decisions(self) -> list[LegalDocument]:
        """Return the announcement decisions, oldest first."""
        return list(self._decisions)

    def knows(self, code: str) -> bool:
        """Return whether some decision lists the TTHC *code* (by its national part)."""
        return national_code(code) in self._known

    def in_force(self, day: dt.date) -> dict[str, Listing]:
        """Return the TTHC in force on *day*, by national code, each with its latest listing.

        A TTHC enters with the decision that lists it as new (or as replacing another,
        which leaves), is updated by one that amends it and leaves with one that abolishes it.
        """
        out: dict[str, Listing] = {}
        for listing in self._listings:
            if listing.effective > day:
                continue
            key = national_code(listing.entry.code)
            change = listing.entry.change
            if change is TthcChange.ABOLISHED:
                out.pop(key, None)
                continue
            if change is TthcChange.REPLACED and listing.entry.replaces:
                out.pop(national_code(listing.entry.replaces), None)
            out[key] = listing
        return dict(sorted(out.items()))
