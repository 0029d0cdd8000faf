"""What a printed document says, shared by the controlled copy and the redline.

One layout, two writers: the copy (:mod:`qmsdocs.export._document`) and the redline
(:mod:`qmsdocs.export.redline`) print the same header facts, the same numbered sections
(1. MỤC ĐÍCH … 5. NỘI DUNG QUY TRÌNH with its 5.1, 5.2 … 7. HỒ SƠ CẦN LƯU) and the same
citations of the legal basis (type, number, date, issuer and title), from these functions.
"""

from __future__ import annotations

from collections.abc import Mapping

from qmsdocs.export._labels import legal_type_label
from qmsdocs.export._text import date_text
from qmsdocs.legal import LegalRegistry, number_key
from qmsdocs.model import Document, LegalRef, LegalType, Procedure

__all__ = ["Citations", "header_facts", "procedure_parts"]


def header_facts(document: Document, words: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """Return the facts of the header block as (key, label, value): code, revision, dates."""
    return [
        ("code", words["code"], document.code),
        ("revision", words["revision"], f"{document.revision:02d}"),
        ("issued", words["issued"], date_text(document.issued_date, empty="—")),
        ("effective", words["effective"], date_text(document.effective_date, empty="—")),
    ]


def procedure_parts(procedure: Procedure) -> list[tuple[str, str]]:
    """Return the parts of section 5 of *procedure* as (key, number): ``("steps", "5.14")``.

    The keys name the labels of the parts (tthc_name, methods … responsibilities, steps);
    a part the procedure does not have (conditions, coordinating agencies) takes no number.
    """
    keys: list[str] = []
    tthc = procedure.tthc
    if tthc is not None:
        keys += ["tthc_name", "methods"]
        keys += ["conditions"] if tthc.conditions else []
        keys += ["dossier", "dossier_sets", "time_limit", "subjects", "implementing_agency"]
        keys += ["coordinating_agencies"] if tthc.coordinating_agencies else []
        keys += ["fees", "result", "place_of_receipt"]
    keys += ["responsibilities"] if procedure.responsibilities else []
    keys.append("steps")
    return [(key, f"5.{n}.") for n, key in enumerate(keys, start=1)]


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


class Citations:
    """The citations of legal references, in the words of a language.

    With no *legal* registry a reference is printed as its number.
    """

    def __init__(
        self, legal: LegalRegistry | None, words: Mapping[str, str], language: str
    ) -> None:
        self.legal = legal
        self.words = words
        self.language = language

    def citation(self, ref: LegalRef) -> str:
        """Return the citation of a legal reference: type, number, date, issuer, title."""
        words = self.words
        legal = self.legal.get(ref.ref) if self.legal else None
        if legal is None:
            return ref.ref
        issued = date_text(legal.issued)
        if legal.type is LegalType.STANDARD:
            return f"{legal.number} {legal.title}"
        type_name = legal_type_label(legal.type, self.language)
        if self.language == "en":
            if legal.title.startswith(type_name) or legal.type is LegalType.LAW:
                return f"{legal.title} No. {legal.number} of {issued}"
            return f"{type_name} No. {legal.number} of {issued} by {legal.issuer}: {legal.title}"
        if legal.title.startswith(type_name) or legal.type is LegalType.LAW:
            return (
                f"{legal.title} {words['cite_number']} {legal.number} {words['cite_date']} {issued}"
            )
        return (
            f"{type_name} {words['cite_number']} {legal.number} {words['cite_date']} {issued} "
            f"{words['cite_issuer']} {legal.issuer} {_lower_first(legal.title)}"
        )

    def grouped(self, refs: list[LegalRef]) -> list[tuple[str, str]]:
        """Return (number key, citation) per cited legal document, with the articles cited."""
        groups: dict[str, tuple[str, list[str]]] = {}
        for ref in refs:
            key = number_key(ref.ref)
            if key not in groups:
                groups[key] = (self.citation(ref), [])
            where = " ".join(part for part in (ref.clause, ref.article) if part)
            detail = f"{where}: {ref.note}" if where and ref.note else (where or ref.note or "")
            if detail:
                groups[key][1].append(detail)
        return [
            (key, f"{text} ({'; '.join(details)})" if details else text)
            for key, (text, details) in groups.items()
        ]

    def citations(self, refs: list[LegalRef]) -> list[str]:
        """Return one citation per cited legal document, with the articles cited in it."""
        return [text for _, text in self.grouped(refs)]
