"""Legal impact of a whole repository: :mod:`qmsdocs.impact` run over what was read, and kept.

The pure rules live in :mod:`qmsdocs.impact`; this gathers each document's facts, the
revision in force and its citations (earlier revisions read from git in one process), and
keeps the last report in the persistent cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Sequence

from qmsdocs.facts import DocumentFacts
from qmsdocs.history import IssuedRevision
from qmsdocs.impact import (
    Baseline,
    Citation,
    ImpactedDocument,
    document_citations,
    report_from_rows,
    report_rows,
)
from qmsdocs.impact import impact as compute_impact
from qmsdocs.legal import number_key
from qmsdocs.lifecycle import DocumentState
from qmsdocs.model import DocumentKind, LegalDocument, Status
from qmsdocs.model.codes import code_key
from qmsdocs.read.files import IMPACT, no_cyclic_gc, revision_key
from qmsdocs.read.reader import Reader

__all__ = ["citations", "impact"]


def citations(reader: Reader, code: str) -> list[Citation]:
    """Return the legal citations of *code*: its legal basis, then numbers in its text."""
    document = reader.document(code)
    key = "citations:" + code_key(document.code)
    cached = reader.cache.get(key)
    if cached is None or cached[0] is not document:
        cached = (document, document_citations(document))
        reader.cache[key] = cached
    return list(cached[1])


def impact(reader: Reader, *, on: dt.date, legal: str | None = None) -> list[ImpactedDocument]:
    """Return the documents a legal change makes suspect on *on*, with the reasons.

    A document is suspect when a legal document it cites was amended, replaced,
    repealed or expired by a change its revision in force has not taken into account
    (see :mod:`qmsdocs.impact`). Changes not yet in force on *on* are reported as
    upcoming. With *legal* (a number or file code), only that legal document's changes.
    The last report is kept in the persistent cache and read back while no file, commit
    or revision tag has changed.
    """
    only = reader.legal_document(legal) if legal is not None else None
    key = _impact_key(reader, on, only)
    held = reader.cache.get(IMPACT)
    if held is not None and held[0] == key and key is not None:
        return list(held[1])
    report = None
    if key is not None:
        with no_cyclic_gc():
            stored = reader.disk.read(IMPACT)
            if stored.get("key") == key:
                with contextlib.suppress(TypeError, ValueError, LookupError):
                    report = report_from_rows(stored["report"])
    if report is None:
        report = _compute_impact(reader, on, only)
        if key is not None:  # the last report only: reading more would cost each call
            reader.disk.write(IMPACT, {"key": key, "report": report_rows(report)})
    reader.cache[IMPACT] = (key, report)
    return list(report)


def _impact_key(reader: Reader, on: dt.date, only: LegalDocument | None) -> str | None:
    """Return what an impact report is kept under; None when it cannot be kept.

    The report depends on the files (their stats), the commits (when each legal file
    changed, when each document was first acted on) and the issued revisions (tags).
    """
    if reader.git.top is None or reader.racy_files:
        return None
    head = reader.history_store.store.head()
    if head is None:
        return None
    parts = (reader.fingerprint(), head, reader.history_store.issued_key(), on.isoformat())
    return hashlib.sha256(repr((*parts, only and only.number)).encode()).hexdigest()


def _compute_impact(
    reader: Reader, on: dt.date, only: LegalDocument | None
) -> list[ImpactedDocument]:
    touched = {
        number_key(d.number)
        for d in reader.legal
        if reader.legal.events(d) or d.effective_until is not None
    }
    if only is not None:  # only what cites it, or a document it acts on
        acted_on = (reader.legal.get(r.target) for r in only.relations)
        touched &= {number_key(only.number)} | {
            number_key(d.number) for d in acted_on if d is not None
        }
    superseded = reader.superseded()
    in_force = []
    for entry, facts in reader.all_facts():
        current = (
            facts.status is Status.APPROVED
            and facts.effective_date is not None
            and facts.effective_date <= on
        )
        if current and not any(number_key(c.number) in touched for c in facts.citations):
            continue
        base = _baseline(reader, facts, on, superseded)
        if base is not None:
            in_force.append((entry, facts, base))
    # documents whose revision in force is an earlier one: read those in one git process
    _read_revision_citations(
        reader, [(f, b.revision) for _, f, b in in_force if b.revision != f.revision]
    )
    candidates = []
    for entry, facts, base in in_force:
        citations: Sequence[Citation] = facts.citations
        if base.revision != facts.revision:
            citations = _revision_citations(reader, facts.code, base.revision)
        if only is not None and not any(number_key(c.number) in touched for c in citations):
            continue
        candidates.append((facts, base, citations, entry.file))
    return compute_impact(
        candidates, reader.legal, on=on, legal=only, registered=_registered(reader)
    )


def _registered(reader: Reader) -> Callable[[LegalDocument], dt.date | None]:
    """Return a function telling when a legal document's file last changed in git.

    The git log of legal/ is read once per HEAD; outside git nothing is known.
    """
    if reader.git.top is None:
        return lambda document: None
    top = reader.git.top
    store = reader.history_store.store
    folder = (reader.root / "legal").relative_to(top).as_posix()
    changed = reader.per_head(
        "legal-changed",
        lambda: {f: when.date().isoformat() for f, when in store.last_changed(folder).items()},
    )

    def registered(document: LegalDocument) -> dt.date | None:
        file = (reader.root / reader.file_of(document.number)).relative_to(top).as_posix()
        when = changed.get(file)
        return dt.date.fromisoformat(when) if when is not None else None

    return registered


def _read_revision_citations(reader: Reader, wanted: Sequence[tuple[DocumentFacts, int]]) -> None:
    """Read the citations of many issued revisions at once (one ``git cat-file``)."""
    keys: list[str] = []
    issued: list[IssuedRevision] = []
    kinds: list[DocumentKind] = []
    for facts, revision in wanted:
        key = revision_key(facts.code, revision)
        found = next((r for r in reader.revisions(facts.code) if r.revision == revision), None)
        if key not in reader.cache and found is not None and found.file is not None:
            keys.append(key)
            issued.append(found)
            kinds.append(DocumentKind(facts.kind))
    if not issued:
        return
    documents = reader.history_store.read_many(issued, kinds)
    for key, document in zip(keys, documents, strict=True):
        if document is not None:  # an unreadable one is read again, and reported
            reader.cache[key] = document_citations(document)


def _revision_citations(reader: Reader, code: str, revision: int) -> list[Citation]:
    key = revision_key(code, revision)
    if key not in reader.cache:  # an issued revision never changes
        reader.cache[key] = document_citations(reader.revision(code, revision))
    return list(reader.cache[key])


def _baseline(
    reader: Reader,
    facts: DocumentFacts,
    on: dt.date,
    superseded: dict[str, tuple[str, dt.date | None]],
) -> Baseline | None:
    """Return what the revision of a document in force on *on* took into account."""
    state, revision = reader.state(facts, on, superseded)
    if state is not DocumentState.EFFECTIVE:
        return None
    issued = next((r for r in reader.revisions(facts.code) if r.revision == revision), None)
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
