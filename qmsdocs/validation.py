"""Cross-document checks: references, replacement cycles, dates in order; pure.

Each check yields :class:`Finding` values; nothing here raises for bad content or reads a
file (locating a line goes through the *locate* callback the repository passes in).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from qmsdocs.findings import Finding, Severity
from qmsdocs.i18n import N_, S_, Said
from qmsdocs.impact import document_citations
from qmsdocs.legal import LegalRegistry, number_key
from qmsdocs.model import Document, Form, LegalDocument, Procedure, QmsConfig, RelationType
from qmsdocs.model.codes import code_key
from qmsdocs.stamp import content_stamp

__all__ = [
    "DocumentChecker",
    "check_config",
    "check_document",
    "check_legal",
    "check_references",
]

Locate = Callable[[str, Sequence[str | int]], "tuple[int, int] | None"]
Path_ = tuple[str | int, ...]


class _Reporter:
    def __init__(self, locate: Locate, unreadable: frozenset[str]) -> None:
        self.locate = locate
        self.unreadable = unreadable
        self.findings: list[Finding] = []

    def __call__(
        self,
        file: str,
        path: Path_,
        check: str,
        message: Said | str,
        *,
        severity: Severity = Severity.ERROR,
        code: str | None = None,
        target: str | None = None,
    ) -> None:
        if target is not None and code_key(target) in self.unreadable:
            return  # already reported as unreadable
        place = self.locate(file, path)
        self.findings.append(
            Finding.of(
                file,
                check,
                message if isinstance(message, Said) else Said(message),
                line=place[0] if place else None,
                column=place[1] if place else None,
                severity=severity,
                field=path,
                code=code,
            )
        )


def check_references(
    config: QmsConfig,
    documents: Sequence[tuple[Document, str]],
    legal: LegalRegistry,
    legal_files: dict[str, str],
    *,
    locate: Locate,
    unreadable: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Return the findings of every cross-reference and date check of a repository.

    *documents* pairs each controlled document with its file; *legal_files* maps each legal
    document's number key to its file. *unreadable* holds the keys (file stems, case-folded)
    of files that exist but could not be loaded: references to them are not reported again.
    """
    by_code = {code_key(d.code): d for d, _ in documents}
    checker = DocumentChecker(config, by_code, legal, locate=locate, unreadable=unreadable)
    findings = check_config(config, locate=locate)
    for document, file in documents:
        findings += checker.check(document, file)
    return findings + check_legal(legal, legal_files, locate=locate)


def check_config(config: QmsConfig, *, locate: Locate) -> list[Finding]:
    """Return the findings of qms.yaml's own references: units, roles, approval rules."""
    report = _Reporter(locate, frozenset())
    _check_config(config, report)
    return report.findings


def check_legal(
    legal: LegalRegistry, legal_files: dict[str, str], *, locate: Locate
) -> list[Finding]:
    """Return the findings of the legal registry: relations' targets and dates, cycles."""
    report = _Reporter(locate, frozenset())
    for legal_document in legal:
        file = legal_files[number_key(legal_document.number)]
        _check_legal(legal_document, file, legal, report)
    for cycle in legal.replacement_cycles():
        chain = " -> ".join(d.number for d in [*cycle, cycle[0]])
        first = cycle[0]
        report(
            legal_files[number_key(first.number)],
            ("relations",),
            "replacement-cycle",
            S_("replacement chain loops back on itself: {chain}", chain=chain),
            code=first.number,
        )
    return report.findings


class DocumentChecker:
    """Checks controlled documents one by one against the rest of the repository.

    A document's findings depend on its own content, qms.yaml, which codes and legal
    numbers exist, and, for a form, the content of the procedure that owns it
    (:meth:`depends_on`): a repository that knows these are unchanged may keep them.
    """

    def __init__(
        self,
        config: QmsConfig,
        by_code: Mapping[str, Document],
        legal: LegalRegistry,
        *,
        locate: Locate,
        unreadable: frozenset[str] = frozenset(),
    ) -> None:
        self.config = config
        self.by_code = by_code
        self.legal = legal
        self.locate = locate
        self.unreadable = unreadable
        self._known = _ids(config)  # once: a province's qms.yaml names thousands of people

    def check(self, document: Document, file: str) -> list[Finding]:
        """Return the cross-reference and date findings of *document*, read from *file*."""
        report = _Reporter(self.locate, self.unreadable)
        _check_document(document, file, self.config, self.by_code, self.legal, report, self._known)
        return report.findings

    @staticmethod
    def depends_on(document: Document) -> list[str]:
        """Return the codes whose content (not only existence) *document*'s findings read."""
        return [document.procedure] if isinstance(document, Form) else []


def check_document(
    config: QmsConfig,
    document: Document,
    file: str,
    by_code: Mapping[str, Document],
    legal: LegalRegistry,
    *,
    locate: Locate,
    unreadable: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Return the cross-reference and date findings of one controlled document.

    The same as :func:`check_references` gives for *file*, without reading the others:
    *by_code* may load documents on demand and *legal* may look numbers up one by one.
    """
    checker = DocumentChecker(config, by_code, legal, locate=locate, unreadable=unreadable)
    return checker.check(document, file)


def _duplicates(items: Sequence[Any]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            yield index, item.id
        seen.add(item.id)


def _check_config(config: QmsConfig, report: _Reporter) -> None:
    file = "qms.yaml"
    for name in ("units", "roles", "people"):
        for index, ident in _duplicates(getattr(config, name)):
            report(
                file,
                (name, index, "id"),
                "duplicate-code",
                S_("id {id} is used twice", id=repr(ident)),
            )
    units = {u.id for u in config.units}
    roles = {r.id for r in config.roles}
    for index, person in enumerate(config.people):
        if person.unit not in units:
            report(
                file,
                ("people", index, "unit"),
                "unknown-unit",
                _unknown("unit", person.unit, units),
            )
        for r_index, assignment in enumerate(person.roles):
            if assignment.role not in roles:
                report(
                    file,
                    ("people", index, "roles", r_index, "role"),
                    "unknown-role",
                    _unknown("role", assignment.role, roles),
                )
    for kind, rule in config.approval.items():
        for step in ("author", "review", "approve"):
            for r_index, role in enumerate(getattr(rule, step)):
                if role not in roles:
                    report(
                        file,
                        ("approval", kind, step, r_index),
                        "unknown-role",
                        _unknown("role", role, roles),
                    )


_UNKNOWN = {
    "unit": (N_("unknown unit {value}"), N_("unknown unit {value} (known: {known})")),
    "role": (N_("unknown role {value}"), N_("unknown role {value} (known: {known})")),
    "person": (N_("unknown person {value}"), N_("unknown person {value} (known: {known})")),
    "document": (N_("unknown document {value}"), N_("unknown document {value} (known: {known})")),
}


def _unknown(what: str, value: str, known: set[str] | None = None) -> Said:
    alone, listed = _UNKNOWN[what]
    if known is not None and len(known) <= 12:
        return S_(listed, value=repr(value), known=", ".join(sorted(known)))
    return S_(alone, value=repr(value))


def _ids(config: QmsConfig) -> tuple[set[str], set[str], set[str]]:
    """Return the ids of the units, people and roles of *config*."""
    return (
        {u.id for u in config.units},
        {p.id for p in config.people},
        {r.id for r in config.roles},
    )


def _check_document(
    document: Document,
    file: str,
    config: QmsConfig,
    by_code: Mapping[str, Document],
    legal: LegalRegistry,
    report: _Reporter,
    known: tuple[set[str], set[str], set[str]],
) -> None:
    code = document.code
    units, people, roles = known

    def ref(path: Path_, check: str, message: Said | str, **kw: Any) -> None:
        report(file, path, check, message, code=code, **kw)

    if document.unit not in units:
        ref(("unit",), "unknown-unit", _unknown("unit", document.unit, units))
    prefix = config.numbering.get(document.kind)
    if prefix and not code.startswith(prefix):
        ref(
            ("code",),
            "numbering",
            S_("code {code} does not start with {prefix}", code=repr(code), prefix=repr(prefix)),
            severity=Severity.WARNING,
        )
    for index, basis in enumerate(document.legal_basis):
        if legal.get(basis.ref) is None:
            ref(
                ("legal_basis", index, "ref"),
                "unknown-legal",
                S_("no legal document {number} in legal/", number=repr(basis.ref)),
            )
    _check_text_citations(document, legal, ref)
    for index, old in enumerate(document.supersedes):
        if code_key(old) not in by_code:
            ref(("supersedes", index), "unknown-document", _unknown("document", old), target=old)
        elif code_key(old) == code_key(code):
            ref(("supersedes", index), "unknown-document", N_("a document cannot supersede itself"))
    replaced_by = document.withdrawal.replaced_by if document.withdrawal else None
    if replaced_by and code_key(replaced_by) not in by_code:
        ref(
            ("withdrawal", "replaced_by"),
            "unknown-document",
            _unknown("document", replaced_by),
            target=replaced_by,
        )
    for index, signature in enumerate(document.approvals):
        if signature.person not in people:
            ref(
                ("approvals", index, "person"),
                "unknown-person",
                _unknown("person", signature.person),
            )
        if signature.role is not None and signature.role not in roles:
            ref(
                ("approvals", index, "role"),
                "unknown-role",
                _unknown("role", signature.role, roles),
            )
    for index, review in enumerate(document.periodic_reviews):
        if review.person not in people:
            ref(
                ("periodic_reviews", index, "person"),
                "unknown-person",
                _unknown("person", review.person),
            )
    _check_dates(document, ref)
    for index, conflict in enumerate(document.conflicts):
        ref(
            ("conflicts", index),
            "merge-conflict",
            S_(
                "{field}: the framework and this agency changed it differently; edit the field "
                "and delete this conflict entry",
                field=conflict.field,
            ),
        )
    stamp = content_stamp(document)
    for index, signature in enumerate(document.approvals):
        if signature.stamp is not None and signature.stamp != stamp:
            ref(
                ("approvals", index, "stamp"),
                "stale-approval",
                S_(
                    "the '{meaning}' signature of {name} no longer matches the content: it "
                    "changed after signing (only drafts may be edited)",
                    meaning=signature.meaning,
                    name=signature.name,
                ),
            )
    if isinstance(document, Procedure):
        _check_procedure_forms(document, by_code, legal, ref)
    elif isinstance(document, Form):
        owner = by_code.get(code_key(document.procedure))
        if not isinstance(owner, Procedure):
            ref(
                ("procedure",),
                "unknown-document",
                S_("no procedure {code}", code=repr(document.procedure)),
                target=document.procedure,
            )
        elif not any(code_key(f) == code_key(code) for f in owner.forms):
            ref(
                ("procedure",),
                "form-owner",
                S_("procedure {code} does not list this form in its forms", code=owner.code),
                severity=Severity.WARNING,
            )


def _check_text_citations(
    document: Document, legal: LegalRegistry, ref: Callable[..., None]
) -> None:
    """Warn about legal numbers written in the text that the legal basis does not list."""
    listed = {number_key(b.ref) for b in document.legal_basis}
    warned: set[tuple[str, str]] = set()
    for citation in document_citations(document):
        key = number_key(citation.number)
        if not citation.in_text or (citation.field, key) in warned:
            continue
        warned.add((citation.field, key))
        path = tuple(int(p) if p.isdigit() else p for p in _FIELD_PARTS.findall(citation.field))
        if legal.get(citation.number) is None:
            ref(
                path,
                "unknown-legal-text",
                S_(
                    "the text cites {number}, which is not in legal/ "
                    "(qms legal add, or correct the number)",
                    number=citation.number,
                ),
                severity=Severity.WARNING,
            )
        elif key not in listed:
            ref(
                path,
                "uncited-legal",
                S_(
                    "the text cites {number}, which the legal basis does not list",
                    number=citation.number,
                ),
                severity=Severity.WARNING,
            )


_FIELD_PARTS = re.compile(r"[^.\[\]]+")


_OUT_OF_ORDER = {
    ("reviewed", "authored"): N_("reviewed at {time}, before it was authored"),
    ("approved", "authored"): N_("approved at {time}, before it was authored"),
    ("approved", "reviewed"): N_("approved at {time}, before it was reviewed"),
}


def _check_dates(document: Document, ref: Callable[..., None]) -> None:
    if (
        document.issued_date
        and document.effective_date
        and document.effective_date < document.issued_date
    ):
        ref(("effective_date",), "date-order", N_("effective_date is before issued_date"))
    previous = None
    for index, entry in enumerate(document.history):
        if entry.revision > document.revision:
            ref(
                ("history", index, "revision"),
                "date-order",
                S_(
                    "history names revision {revision}, after the current revision {current}",
                    revision=entry.revision,
                    current=document.revision,
                ),
            )
        if previous is not None and entry.revision < previous.revision:
            ref(
                ("history", index, "revision"),
                "date-order",
                N_("history revisions are not in ascending order"),
            )
        if previous is not None and entry.date and previous.date and entry.date < previous.date:
            ref(
                ("history", index, "date"),
                "date-order",
                N_("history dates are not in ascending order"),
            )
        previous = entry
    order = {"authored": 0, "reviewed": 1, "approved": 2}
    signed = sorted(document.approvals, key=lambda s: order[s.meaning])
    for earlier, later in zip(signed, signed[1:], strict=False):
        if later.signed_at < earlier.signed_at and order[later.meaning] > order[earlier.meaning]:
            index = document.approvals.index(later)
            ref(
                ("approvals", index, "signed_at"),
                "date-order",
                Said.of(
                    _OUT_OF_ORDER[later.meaning, earlier.meaning],
                    time=f"{later.signed_at:%Y-%m-%d %H:%M}",
                ),
            )
    for index, signature in enumerate(document.approvals):
        if document.issued_date and signature.signed_at.date() > document.issued_date:
            ref(("approvals", index, "signed_at"), "date-order", N_("signed after the issued_date"))


def _check_procedure_forms(
    document: Procedure,
    by_code: Mapping[str, Document],
    legal: LegalRegistry,
    ref: Callable[..., None],
) -> None:
    def form_ref(path: Path_, form: str) -> None:
        if not isinstance(by_code.get(code_key(form)), Form):
            ref(path, "unknown-form", S_("no form {code} in forms/", code=repr(form)), target=form)

    for index, form in enumerate(document.forms):
        form_ref(("forms", index), form)
    for s_index, step in enumerate(document.steps):
        for index, form in enumerate(step.forms):
            form_ref(("steps", s_index, "forms", index), form)
    if document.tthc is not None:
        for index, item in enumerate(document.tthc.dossier):
            if item.form is not None:
                form_ref(("tthc", "dossier", index, "form"), item.form)
        for index, fee in enumerate(document.tthc.fees):
            if fee.basis is not None and legal.get(fee.basis.ref) is None:
                ref(
                    ("tthc", "fees", index, "basis", "ref"),
                    "unknown-legal",
                    S_("no legal document {number} in legal/", number=repr(fee.basis.ref)),
                )


def _check_legal(
    document: LegalDocument, file: str, legal: LegalRegistry, report: _Reporter
) -> None:
    for index, relation in enumerate(document.relations):
        target = legal.get(relation.target)
        path: Path_ = ("relations", index, "target")
        if target is None:
            report(
                file,
                path,
                "unknown-legal",
                S_("no legal document {number} in legal/", number=repr(relation.target)),
                code=document.number,
            )
        elif number_key(target.number) == number_key(document.number):
            report(
                file,
                path,
                "unknown-legal",
                N_("a legal document cannot act on itself"),
                code=document.number,
            )
        elif relation.type is RelationType.REPLACES and target.issued > document.issued:
            report(
                file,
                path,
                "date-order",
                S_(
                    "replaces {number}, which was issued later ({date})",
                    number=target.number,
                    date=target.issued,
                ),
                severity=Severity.WARNING,
                code=document.number,
            )
        if relation.effective is not None and relation.effective < document.issued:
            report(
                file,
                ("relations", index, "effective"),
                "date-order",
                N_("takes effect before the document is issued"),
                code=document.number,
            )
