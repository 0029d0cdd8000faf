"""Legal change: citations in text, and which documents a legal change makes suspect; pure.

A document is *suspect* on a day when a legal document it cites (in its legal basis, or only
in its text) has been amended, replaced, repealed or has expired by a change the revision in
force has not taken into account. An amendment (or a repeal of named articles) is taken into
account by that revision when it was approved on or after the day the change takes effect,
or approved after the changing document was issued with an effective date no earlier than
the change's (a revision prepared for an upcoming amendment). A document that still cites a
legal document replaced, repealed or expired as a whole cites a dead text, whenever it was
approved. Either clears when a periodic review recorded once the change was issued and in
the registry found that no change is needed (``qms confirm``).

Replacement chains are followed, so a citation of a document replaced twice names the one
in force; a repeal or amendment of named articles affects only the documents that cite one
of those articles, or cite the document as a whole.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from qmsdocs.legal import LegalEvent, LegalRegistry, number_key
from qmsdocs.model import Document, LegalDocument, LegalRef, RelationType
from qmsdocs.model.codes import nfc

__all__ = [
    "Citation",
    "ImpactReason",
    "ImpactedDocument",
    "article_key",
    "document_citations",
    "find_numbers",
    "impact",
    "replace_citations",
    "report_from_rows",
    "report_rows",
]

_T = TypeVar("_T")

# 19/2014/QĐ-TTg, 26/2014/TT-BKHCN, 55/2005/TTLT-BNV-VPCP, 80/2015/QH13, 05/QĐ-UBND.
# "Ð" (U+00D0, the Icelandic eth) is a common look-alike of "Đ" in typed Vietnamese.
_NUMBER_RE = re.compile(
    r"(?<![\w/])"
    r"\d{1,5}[a-z]?/(?:(?:1[89]|20)\d{2}/)?"
    r"(?:[A-ZĐÐ]{1,8}(?:-[A-ZĐÐ][A-Za-zĐđÐ0-9]*)+|QH\d{1,2})"
    r"(?![\w/-])"
)
_ARTICLE_RE = re.compile(r"(\d+[a-zđ]?)", re.IGNORECASE)

# Fields whose text is about the document's own history, not what it cites.
_NOT_CITING = frozenset(
    {"legal_basis", "history", "approvals", "periodic_reviews", "withdrawal", "supersedes"}
)


def find_numbers(text: str) -> list[str]:
    """Return the legal numbers written in *text* ("theo Nghị định số 63/2010/NĐ-CP" …)."""
    return [m.group(0).replace("Ð", "Đ") for m in _NUMBER_RE.finditer(nfc(text))]


def article_key(article: str) -> str:
    """Return the comparable form of an article reference: "Điều 5." and "điều 5" give "5"."""
    match = _ARTICLE_RE.search(article)
    return match.group(1).casefold() if match else nfc(article).strip().casefold()


@dataclass(frozen=True)
class Citation:
    """A legal document cited by a controlled document: where, which one, which article."""

    number: str  # as written
    field: str  # legal_basis[2] or steps[3].action
    article: str | None = None
    in_text: bool = False


def _texts(value: Any, path: str, out: list[tuple[str, str]]) -> None:
    """Add (path, text) of every text under *value* that may hold a number (has a "/").

    A path is written only for a container or a text found: a document has thousands of
    fields and few numbers.
    """
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                if "/" in item:
                    out.append((f"{path}[{index}]", item))
            elif isinstance(item, (BaseModel, list)):
                _texts(item, f"{path}[{index}]", out)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            item = getattr(value, name)
            if isinstance(item, str):
                if "/" in item:
                    out.append((f"{path}.{name}", item))
            elif isinstance(item, (BaseModel, list)):
                _texts(item, f"{path}.{name}", out)


def document_citations(document: Document) -> list[Citation]:
    """Return every legal citation of *document*: its legal basis, then numbers in its text."""
    out = [
        Citation(ref.ref, f"legal_basis[{i}]", ref.article)
        for i, ref in enumerate(document.legal_basis)
    ]
    for name in type(document).model_fields:
        if name in _NOT_CITING:
            continue
        value = getattr(document, name)
        texts: list[tuple[str, str]] = []
        if isinstance(value, str):
            if "/" in value:
                texts.append((name, value))
        else:
            _texts(value, name, texts)
        for path, text in texts:
            out.extend(Citation(n, path, in_text=True) for n in find_numbers(text))
    return out


@dataclass(frozen=True)
class ImpactReason:
    """One legal change that makes a document suspect."""

    cited: str  # the legal document the document cites, number as printed
    field: str  # where the document cites it
    article: str | None  # the article cited, if one
    change: str  # amended | replaced | repealed | expired
    by: str | None  # the changing legal document; None for an expiry
    articles: tuple[str, ...]  # the articles the change names; empty for the whole document
    effective: dt.date  # when the change takes effect
    upcoming: bool  # not yet in force on the day asked about
    in_force: str | None  # for a replacement, the document in force at the end of the chain
    via: tuple[str, ...] = ()  # the replacements in between

    def to_dict(self) -> dict[str, Any]:
        """Return the reason as JSON-ready values."""
        return {
            "cited": self.cited,
            "field": self.field,
            "article": self.article,
            "change": self.change,
            "by": self.by,
            "articles": list(self.articles),
            "effective": self.effective.isoformat(),
            "upcoming": self.upcoming,
            "in_force": self.in_force,
            "via": list(self.via),
        }


@dataclass(frozen=True)
class ImpactedDocument:
    """A suspect document: the revision in force, when it was approved, and why it is suspect."""

    code: str
    title: str
    kind: str
    revision: int
    approved: dt.date | None
    reasons: tuple[ImpactReason, ...]
    draft: int | None = None  # the revision being prepared, when one is open
    file: str | None = None
    # By when the change must be built in: derived from the reasons and qms.yaml
    # (qmsdocs.tthc_run.with_deadlines), so not compared.
    deadline: dt.date | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the suspect as JSON-ready values."""
        return {
            "code": self.code,
            "title": self.title,
            "kind": self.kind,
            "revision": self.revision,
            "approved": self.approved.isoformat() if self.approved else None,
            "draft": self.draft,
            "file": self.file,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "reasons": [r.to_dict() for r in self.reasons],
        }


def report_rows(report: Sequence[ImpactedDocument]) -> dict[str, list[Any]]:
    """Return *report* as compact JSON-ready rows; :func:`report_from_rows` reads them back.

    Reasons are listed once and referred to by position: many documents share a reason.
    """
    reasons: dict[ImpactReason, int] = {}
    documents = []
    for suspect in report:
        refs = [reasons.setdefault(r, len(reasons)) for r in suspect.reasons]
        approved = suspect.approved.isoformat() if suspect.approved else None
        documents.append(
            [suspect.code, suspect.title, suspect.kind, suspect.revision, approved]
            + [suspect.draft, suspect.file, refs]
            + ([suspect.deadline.isoformat()] if suspect.deadline else [])
        )
    rows: list[list[Any]] = [
        [r.cited, r.field, r.article, r.change, r.by, list(r.articles)]
        + [r.effective.isoformat(), r.upcoming, r.in_force, list(r.via)]
        for r in reasons
    ]
    return {"reasons": rows, "documents": documents}


def report_from_rows(data: dict[str, Any]) -> list[ImpactedDocument]:
    """Return the report :func:`report_rows` wrote.

    Raise TypeError, ValueError or LookupError when *data* is damaged.
    """
    days: dict[str, dt.date] = {}

    def day(text: str) -> dt.date:
        found = days.get(text)
        if found is None:
            found = days[text] = dt.date.fromisoformat(text)
        return found

    reasons = [
        _restored(
            ImpactReason,
            cited=cited,
            field=field_,
            article=article,
            change=change,
            by=by,
            articles=tuple(articles),
            effective=day(effective),
            upcoming=upcoming,
            in_force=in_force,
            via=tuple(via),
        )
        for cited, field_, article, change, by, articles, effective, upcoming, in_force, via in (
            data["reasons"]
        )
    ]
    pick = reasons.__getitem__
    return [
        _restored(
            ImpactedDocument,
            code=code,
            title=title,
            kind=kind,
            revision=int(revision),
            approved=day(approved) if approved is not None else None,
            reasons=tuple(map(pick, refs)),
            draft=draft,
            file=file,
            deadline=day(deadline[0]) if deadline else None,
        )
        for code, title, kind, revision, approved, draft, file, refs, *deadline in data["documents"]
    ]


def _restored(cls: type[_T], **fields: Any) -> _T:
    """Return an instance of the frozen dataclass *cls* made the way pickle restores one.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, three
    times slower; a cached report of 12,454 documents restores 13,000 objects.
    """
    made = object.__new__(cls)
    made.__dict__.update(fields)
    return made


@dataclass(frozen=True)
class Baseline:
    """What a document's revision in force has taken into account."""

    revision: int
    approved: dt.date | None  # approval day of the revision in force
    effective: dt.date | None  # its effective date
    confirmed: tuple[dt.date, ...] = field(default_factory=tuple)  # "no change needed" reviews
    draft: int | None = None


_CHANGE = {
    RelationType.AMENDS: "amended",
    RelationType.REPLACES: "replaced",
    RelationType.REPEALS: "repealed",
}


def _accounted(
    base: Baseline, known: dt.date, effective: dt.date, *, ends: bool, learned: dt.date
) -> bool:
    if any(day >= learned for day in base.confirmed):
        return True
    if ends or base.approved is None:
        # A revision that still cites a document replaced, repealed or expired as a whole
        # cites a dead text, whenever it was approved.
        return False
    if base.approved >= effective:
        return True
    return base.approved >= known and (base.effective or base.approved) >= effective


def _touches(event: LegalEvent, article: str | None) -> bool:
    if not event.relation.articles or article is None:
        return True
    wanted = article_key(article)
    return any(article_key(a) == wanted for a in event.relation.articles)


_Change = tuple[str, LegalDocument | None, LegalEvent | None, dt.date, dt.date]


def _changes(registry: LegalRegistry, cited: LegalDocument, on: dt.date) -> list[_Change]:
    """Return (change, by, event, known, effective) for each change to *cited* known by *on*."""
    out: list[_Change] = []
    for event in registry.events(cited):
        change = _CHANGE.get(event.relation.type)
        if change is None or event.source.issued > on:
            continue
        out.append((change, event.source, event, event.source.issued, event.effective))
    if cited.effective_until is not None:
        ended = cited.effective_until + dt.timedelta(days=1)
        if ended <= on:
            out.append(("expired", None, None, ended, ended))
    return out


class Named(Protocol):
    """What the impact report names of a document (a document, or its cached facts)."""

    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def kind(self) -> str: ...


def impact(
    documents: Iterable[tuple[Named, Baseline, Sequence[Citation], str | None]],
    registry: LegalRegistry,
    *,
    on: dt.date,
    legal: LegalDocument | None = None,
    registered: Callable[[LegalDocument], dt.date | None] | None = None,
) -> list[ImpactedDocument]:
    """Return the documents made suspect on *on*, each with the changes that explain it.

    *documents* gives each document in force with its baseline, its citations and its file.
    With *legal*, only the changes made by that legal document (or to it) are considered.
    *registered* tells when the repository learned of a changing document: a periodic
    review clears only the changes known to the registry by its date.
    """
    out = []
    changes_of: dict[str, list[_Change]] = {}
    only = number_key(legal.number) if legal is not None else None
    for document, base, citations, file in documents:
        reasons: list[ImpactReason] = []
        seen: set[tuple[str, str, str | None]] = set()
        for citation in citations:
            cited = registry.get(citation.number)
            if cited is None:
                continue
            key = number_key(cited.number)
            if key not in changes_of:
                changes_of[key] = _changes(registry, cited, on)
            for change, by, event, known, effective in changes_of[key]:
                if only is not None and only not in (
                    key,
                    number_key(by.number) if by is not None else None,
                ):
                    continue
                if event is not None and not _touches(event, citation.article):
                    continue
                ends = change != "amended" and (event is None or not event.relation.articles)
                learned = known
                if base.confirmed and registered is not None and by is not None:
                    learned = max(known, registered(by) or known)
                if _accounted(base, known, effective, ends=ends, learned=learned):
                    continue
                mark = (key, change, by.number if by else None)
                if mark in seen:
                    continue
                seen.add(mark)
                in_force: str | None = None
                via: tuple[str, ...] = ()
                if change == "replaced" and by is not None and event is not None:
                    end = registry.replacement(by, max(on, effective))
                    in_force = end.number
                    chain = _chain(registry, by, end, max(on, effective))
                    via = tuple(d.number for d in chain)
                reasons.append(
                    ImpactReason(
                        cited=cited.number,
                        field=citation.field,
                        article=citation.article,
                        change=change,
                        by=by.number if by is not None else None,
                        articles=tuple(event.relation.articles) if event is not None else (),
                        effective=effective,
                        upcoming=effective > on,
                        in_force=in_force,
                        via=via,
                    )
                )
        if reasons:
            reasons.sort(key=lambda r: (r.effective, r.cited, r.change))
            out.append(
                ImpactedDocument(
                    code=document.code,
                    title=document.title,
                    kind=document.kind,
                    revision=base.revision,
                    approved=base.approved,
                    reasons=tuple(reasons),
                    draft=base.draft,
                    file=file,
                )
            )
    return out


def _chain(
    registry: LegalRegistry, start: LegalDocument, end: LegalDocument, day: dt.date
) -> list[LegalDocument]:
    """Return the documents of the replacement chain from *start* up to *end* (excluded)."""
    chain: list[LegalDocument] = []
    current = start
    while number_key(current.number) != number_key(end.number) and len(chain) < 64:
        chain.append(current)
        successor = registry.replacement_step(current, day)
        if successor is None:
            break
        current = successor
    return chain


def replace_citations(
    legal_basis: Sequence[LegalRef],
    registry: LegalRegistry,
    old: LegalDocument,
    day: dt.date,
    *,
    note: str = "thay cho {old}",
) -> list[LegalRef]:
    """Return *legal_basis* with citations of *old* moved to the document replacing it.

    A citation of a whole replaced document becomes a citation of its replacement (the one
    in force on *day*, following the chain); an article cited may not exist in the new one,
    so the article is dropped and the old citation kept in the note.
    """
    new = registry.replacement(old, day)
    if number_key(new.number) == number_key(old.number):
        return list(legal_basis)
    out: list[LegalRef] = []
    present = {number_key(r.ref) for r in legal_basis}
    for ref in legal_basis:
        if number_key(ref.ref) != number_key(old.number):
            out.append(ref)
            continue
        if number_key(new.number) in present:
            continue  # already cited: drop the replaced one
        cited = old.number + (f", {ref.article}" if ref.article else "")
        out.append(LegalRef(ref=new.number, note=note.format(old=cited)))
        present.add(number_key(new.number))
    return out
