"""The legal registry: find legal documents by number or code, and their status on a date; pure.

Relations are declared on the newer document (19/2014/QĐ-TTg *replaces* 118/2009/QĐ-TTg);
the registry indexes them by target so that the status of the older one can be computed for
any date without storing it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from qmsdocs.model.codes import code_key, legal_file_code, nfc
from qmsdocs.model.legal import LegalDocument, LegalStatus, Relation, RelationType

__all__ = ["LegalEvent", "LegalRegistry", "number_key"]


@functools.lru_cache(maxsize=65536)
def number_key(text: str) -> str:
    """Return the key under which a legal number or file code is looked up."""
    return code_key(legal_file_code(nfc(text)))


@dataclass(frozen=True)
class LegalEvent:
    """A relation that acts on a legal document: *source* does *relation* from *effective*."""

    source: LegalDocument
    relation: Relation

    @property
    def effective(self) -> dt.date:
        """Return the day the relation takes effect."""
        return self.relation.effective or self.source.in_force_from


class LegalRegistry:
    """The legal documents of a repository, indexed by number, code and relation target."""

    def __init__(self, documents: Iterable[LegalDocument]) -> None:
        self._by_key: dict[str, LegalDocument] = {}
        self._events: dict[str, list[LegalEvent]] = {}
        for document in documents:
            self._by_key.setdefault(number_key(document.number), document)
        for document in self._by_key.values():
            for relation in document.relations:
                target = self.get(relation.target)
                if target is not None:
                    key = number_key(target.number)
                    self._events.setdefault(key, []).append(LegalEvent(document, relation))
        for events in self._events.values():
            events.sort(key=lambda e: (e.effective, e.source.number))

    def __iter__(self) -> Iterator[LegalDocument]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, ref: str) -> LegalDocument | None:
        """Return the legal document with this number (as printed) or file code, or None."""
        return self._by_key.get(number_key(ref))

    def events(self, document: LegalDocument) -> list[LegalEvent]:
        """Return the relations other documents declare on *document*, oldest first."""
        return list(self._events.get(number_key(document.number), ()))

    def status_on(self, document: LegalDocument, day: dt.date) -> LegalStatus:
        """Return the status of *document* on *day* (còn hiệu lực, hết hiệu lực …)."""
        if day < document.in_force_from:
            return LegalStatus.NOT_YET_IN_FORCE
        if document.effective_until is not None and day > document.effective_until:
            return LegalStatus.EXPIRED
        partly = False
        for event in self._events.get(number_key(document.number), ()):
            if event.effective > day:
                continue
            if event.relation.type in (RelationType.REPLACES, RelationType.REPEALS):
                if not event.relation.articles:
                    return LegalStatus.EXPIRED
                partly = True
        return LegalStatus.PARTLY_EXPIRED if partly else LegalStatus.IN_FORCE

    def replacement_step(self, document: LegalDocument, day: dt.date) -> LegalDocument | None:
        """Return the document that wholly replaces *document* by *day*, or None."""
        return next(
            (
                e.source
                for e in self._events.get(number_key(document.number), ())
                if e.relation.type is RelationType.REPLACES
                and not e.relation.articles
                and e.effective <= day
            ),
            None,
        )

    def replacement(self, document: LegalDocument, day: dt.date) -> LegalDocument:
        """Return the document that replaces *document* on *day*, following the whole chain.

        A document not (wholly) replaced by then is its own replacement. A cycle in the
        chain stops at the last document before it repeats.
        """
        seen = {number_key(document.number)}
        current = document
        while True:
            successor = self.replacement_step(current, day)
            if successor is None or number_key(successor.number) in seen:
                return current
            seen.add(number_key(successor.number))
            current = successor

    def replacement_cycles(self) -> list[list[LegalDocument]]:
        """Return each cycle of ``replaces`` relations (a document that replaces itself)."""
        cycles: list[list[LegalDocument]] = []
        reported: set[str] = set()
        for start in self._by_key.values():
            path: list[LegalDocument] = []
            current: LegalDocument | None = start
            while current is not None:
                key = number_key(current.number)
                if key in reported:
                    break
                if any(number_key(p.number) == key for p in path):
                    cycle = path[[number_key(p.number) for p in path].index(key) :]
                    cycles.append(cycle)
                    reported.update(number_key(p.number) for p in cycle)
                    break
                path.append(current)
                current = next(
                    (
                        self.get(r.target)
                        for r in current.relations
                        if r.type is RelationType.REPLACES and self.get(r.target) is not None
                    ),
                    None,
                )
        return cycles
