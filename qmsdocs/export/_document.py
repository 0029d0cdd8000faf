"""Controlled copies of one document: layout per kind, copy marking, watermark, footer."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import BinaryIO, Literal

from qmsdocs.errors import QmsError
from qmsdocs.export._compose import Page, Shell
from qmsdocs.export._labels import labels
from qmsdocs.export._ooxml import Cell, Xml, paragraph, run, table, watermark_run
from qmsdocs.export._package import PackedEntry, assemble, canonical_order
from qmsdocs.export._sections import Citations, header_facts, procedure_parts
from qmsdocs.export._template import Template
from qmsdocs.export._text import (
    agency_lines,
    clean,
    date_text,
    datetime_text,
    longest_line_mm,
    short_hash,
    xml_text,
)
from qmsdocs.i18n import _
from qmsdocs.legal import LegalRegistry
from qmsdocs.lifecycle import MEANINGS, DocumentState
from qmsdocs.model.base import Signature
from qmsdocs.model.config import QmsConfig
from qmsdocs.model.documents import (
    Document,
    Form,
    LegalRef,
    Objectives,
    Policy,
    Procedure,
)
from qmsdocs.stamp import content_stamp
from qmsdocs.store.files import write_output

__all__ = [
    "DocumentRenderer",
    "ExportContext",
    "ExportInfo",
    "Marking",
    "render_document",
    "save",
    "watermark_text",
    "write_document",
]

#: Where a copy's marking goes in the header: a run that each copy replaces.
_SLOT_XML = Xml("<w:r><w:t>@@QMS-MARKING-SLOT@@</w:t></w:r>")
_SLOT = _SLOT_XML.encode()
_RED = "C00000"


@dataclass(frozen=True)
class Marking:
    """The marking of one copy: controlled (copy number, holder), uncontrolled, or none.

    An uncontrolled copy shows the day it was printed, an explicit input: the library never
    reads the clock. Use :meth:`controlled` and :meth:`uncontrolled` to build one.
    """

    kind: Literal["controlled", "uncontrolled", "none"] = "none"
    copy_number: int | None = None  # số bản
    holder: str | None = None  # nơi nhận
    printed_on: dt.date | None = None  # in ngày

    def __post_init__(self) -> None:
        if self.kind == "controlled" and (self.copy_number is None or self.copy_number < 1):
            raise QmsError(_("a controlled copy needs a copy number of 1 or more"), field="copy")
        if self.kind == "uncontrolled" and self.printed_on is None:
            raise QmsError(
                _("an uncontrolled copy needs the day it is printed"), field="printed_on"
            )
        if self.kind not in ("controlled", "uncontrolled", "none"):
            raise QmsError(
                _("unknown copy marking {kind!r}").format(kind=self.kind), field="marking"
            )

    @classmethod
    def controlled(cls, copy_number: int, holder: str | None = None) -> Marking:
        """Return the marking of controlled copy *copy_number* held by *holder* (BẢN KIỂM SOÁT)."""
        return cls("controlled", copy_number=copy_number, holder=holder)

    @classmethod
    def uncontrolled(cls, printed_on: dt.date) -> Marking:
        """Return the marking of an uncontrolled copy printed on *printed_on*."""
        return cls("uncontrolled", printed_on=printed_on)


@dataclass(frozen=True)
class ExportInfo:
    """What a copy says about its revision, besides the document's own content.

    *state* is the revision's state on the day of export (see
    :meth:`qmsdocs.Repository.state_on`): a draft or a revision in review is watermarked
    DỰ THẢO, a superseded or withdrawn one HẾT HIỆU LỰC. *stamp* is the content stamp
    printed in the footer (None: computed from the document); *commit* the commit the
    revision was read from (None: the working tree). *marking* is the default marking of
    its copies.
    """

    state: DocumentState
    stamp: str | None = None
    commit: str | None = None
    marking: Marking = field(default_factory=Marking)


@dataclass(frozen=True, eq=False)
class ExportContext:
    """What every export of a repository shares: its configuration and lookups.

    *legal* turns legal references into full citations (number, date, issuer, title);
    *titles* maps document codes to titles (forms named by a procedure, the procedure
    owning a form); *template* is the agency's checked template, if any. The page every
    export is laid out on (styles, letterhead) is built from *config* and *template* on
    first use and kept here: make one context per repository and share it.
    """

    config: QmsConfig
    legal: LegalRegistry | None = None
    titles: Mapping[str, str] = field(default_factory=dict)
    template: Template | None = None
    _shells: dict[bool, Shell] = field(default_factory=dict, init=False, repr=False)


def page_shell(context: ExportContext, *, landscape: bool = False) -> Shell:
    """Return the shell that *context*'s exports are laid out on (built once, then kept)."""
    shell = context._shells.get(landscape)
    if shell is None:
        shell = Shell(config=context.config, template=context.template, landscape=landscape)
        # Two threads may both build it: the same shell, and the dictionary stays whole.
        context._shells[landscape] = shell
    return shell


def watermark_text(state: DocumentState, language: str = "vi") -> str | None:
    """Return the watermark of a copy of a revision in *state* (DỰ THẢO, HẾT HIỆU LỰC) or None."""
    words = labels(language)
    if state in (DocumentState.DRAFT, DocumentState.IN_REVIEW):
        return words["watermark_draft"]
    if state in (DocumentState.SUPERSEDED, DocumentState.WITHDRAWN):
        return words["watermark_obsolete"]
    return None


def _xml_run(
    text: str,
    *,
    bold: bool = False,
    color: str | None = None,
    border: str | None = None,
) -> str:
    props = ""
    if bold:
        props += "<w:b/><w:bCs/>"
    if color:
        props += f'<w:color w:val="{color}"/>'
    if border:
        props += f'<w:bdr w:val="single" w:sz="8" w:space="1" w:color="{border}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'


def _marking_xml(marking: Marking, language: str) -> bytes:
    """Return the runs that mark a copy, as XML to put in the header's marking slot."""
    words = labels(language)

    def one_line(text: str) -> str:
        return " ".join(clean(text).split())

    if marking.kind == "controlled":
        assert marking.copy_number is not None
        text = f"  {words['copy_number']}: {marking.copy_number:02d}"
        if marking.holder and one_line(marking.holder):
            text += f" – {words['holder']}: {one_line(marking.holder)}"
        xml = _xml_run(words["controlled"], bold=True, color=_RED, border=_RED)
        xml += _xml_run(text)
    elif marking.kind == "uncontrolled":
        xml = _xml_run(words["uncontrolled"], bold=True, border="000000")
        xml += _xml_run(f"  {words['printed_on']} {date_text(marking.printed_on)}")
    else:
        xml = ""
    return xml.encode("utf-8")


#: The left and right padding of a table cell (1.5 mm each, see _ooxml.table), in mm.
_CELL_MARGINS_MM = 3.0


def _weights(total: float, weights: list[float]) -> list[float]:
    scale = total / sum(weights)
    return [w * scale for w in weights]


_HISTORY_WEIGHTS = {
    "no": 1.2,
    "date": 2.4,
    "revision": 2.0,
    "pages": 1.4,
    "description": 7.0,
    "reason": 5.0,
    "note": 3.0,
}


class _Layout:
    """The layout of one revision of one document, marking slot left open."""

    def __init__(self, document: Document, context: ExportContext, info: ExportInfo) -> None:
        self.document = document
        self.context = context
        self.info = info
        self.config = context.config
        self.page = Page(page_shell(context))
        self.words = self.page.labels
        self.language = self.config.language
        self._citations = Citations(context.legal, self.words, self.language)
        self.stamp = info.stamp or content_stamp(document)
        self.signed = self._signatures()

    def _signatures(self) -> dict[str, Signature]:
        signed: dict[str, Signature] = {}
        for signature in self.document.approvals:
            signed[signature.meaning] = signature
        return signed

    # -- header and footer ---------------------------------------------------------------

    def _header(self) -> None:
        page, words, document = self.page, self.words, self.document
        header_style = page.styles["QMS Header"]
        size = page.size

        def line(label: str, value: str | list[Xml]) -> Xml:
            runs = [run(f"{label}: ")]
            runs += [run(value)] if isinstance(value, str) else value
            return paragraph(runs, style=header_style)

        lines = agency_lines(self.config.organization.name)
        agency = paragraph("\n".join(lines), style=header_style, align="center", bold=True)
        title = paragraph(
            clean(document.title).upper(),
            style=header_style,
            align="center",
            bold=True,
            size=size,
        )
        facts = [line(label, value) for _, label, value in header_facts(document, words)]
        facts.append(line(words["page"], page.page_field_runs()))
        widths = _weights(page.width, [42, 63, 60])
        # the agency's column is as wide as its longest phrase needs (Ủy ban nhân dân), up to
        # 36 % of the line: a name never breaks mid-phrase where it can be helped
        needed = longest_line_mm(lines, size - 1) + _CELL_MARGINS_MM
        agency_mm = min(max(widths[0], needed), page.width * 0.36)
        widths = [agency_mm, widths[1] + widths[0] - agency_mm, widths[2]]
        page.header.append(
            table(
                widths,
                [
                    [
                        Cell([agency], valign="center"),
                        Cell([title], valign="center"),
                        Cell(facts, valign="center"),
                    ]
                ],
            )
        )
        runs = [_SLOT_XML]
        watermark = watermark_text(self.info.state, self.language)
        if watermark:
            runs.insert(
                0,
                watermark_run(
                    watermark,
                    width_mm=page.width + 20,
                    size=54,
                    declared=page.shell.header_namespaces,
                ),
            )
        page.header.append(paragraph(runs, style=page.styles["QMS Marking"]))

    def _footer(self) -> None:
        words, document = self.words, self.document
        source = short_hash(self.info.commit) or words["working_tree"]
        text = (
            f"{document.code} – {words['revision']} {document.revision:02d} – "
            f"{words['stamp']}: {short_hash(self.stamp)} – {words['commit']}: {source}"
        )
        self.page.footer.append(paragraph(text, style=self.page.styles["QMS Footer"]))

    # -- blocks shared by every kind -----------------------------------------------------

    def _title(self) -> None:
        page, document = self.page, self.document
        page.para(clean(document.title).upper(), style="QMS Title", space_after=2)
        unit = self.config.unit(document.unit)
        page.para(
            clean(unit.name if unit else document.unit),
            style="QMS Title",
            bold=False,
            italic=True,
            size=page.size,
            space_before=0,
        )
        withdrawal = document.withdrawal
        if self.info.state is DocumentState.WITHDRAWN and withdrawal is not None:
            words = self.words
            text = words["withdrawn"].format(date=date_text(withdrawal.date))
            text += f". {words['withdrawn_reason']}: {withdrawal.reason}"
            if withdrawal.replaced_by:
                text += f". {words['replaced_by']}: {withdrawal.replaced_by}"
                title = self.context.titles.get(withdrawal.replaced_by)
                if title:
                    text += f" – {title}"
            page.para(text, bold=True, color=_RED)

    def _signature_grid(self) -> None:
        page, words = self.page, self.words
        rows: list[list[Cell | str]] = [
            [words["col_responsible"], *(words[m] for m in MEANINGS)],
        ]
        names: list[Cell | str] = [Cell(words["name"], bold=True)]
        titles: list[Cell | str] = [Cell(words["title"], bold=True)]
        marks: list[Cell | str] = [Cell(words["signature"], bold=True)]
        times: list[Cell | str] = [Cell(words["signed_at"], bold=True)]
        for meaning in MEANINGS:
            signature = self.signed.get(meaning)
            if signature is None:
                for cells in (names, titles, marks, times):
                    cells.append(Cell(""))
                continue
            stale = signature.stamp is not None and signature.stamp != self.stamp
            names.append(Cell(signature.name, align="center", bold=True))
            titles.append(Cell(signature.title, align="center"))
            marks.append(
                Cell(
                    words["signed_stale"] if stale else words["signed"],
                    align="center",
                    extra={"italic": True, "color": _RED if stale else None},
                )
            )
            times.append(
                Cell(datetime_text(self.config.local(signature.signed_at)), align="center")
            )
        rows += [names, titles, marks, times]
        page.add(
            table(
                _weights(page.width, [34, 44, 44, 44]),
                rows,
                header_rows=1,
                cell_style=page.styles["QMS Table Text"],
                header_style=page.styles["QMS Table Heading"],
            )
        )

    def _history(self) -> None:
        page, words, document = self.page, self.words, self.document
        page.heading(words["history"], space_before=18)
        columns = list(self.config.export.change_history_columns)
        rows: list[list[Cell | str]] = [[words[f"col_{c}"] for c in columns]]
        for index, entry in enumerate(document.history, start=1):
            values = {
                "no": str(index),
                "date": date_text(entry.date),
                "revision": f"{entry.revision:02d}",
                "pages": entry.pages or "",
                "description": entry.description,
                "reason": entry.reason or "",
                "note": entry.note or "",
            }
            rows.append(
                [
                    Cell(values[c], align="center" if c in ("no", "date", "revision") else None)
                    for c in columns
                ]
            )
        if not document.history:
            rows.append([Cell(words["no_history"], span=len(columns), align="center")])
        page.add(
            table(
                _weights(page.width, [_HISTORY_WEIGHTS[c] for c in columns]),
                rows,
                header_rows=1,
                cell_style=page.styles["QMS Table Text"],
                header_style=page.styles["QMS Table Heading"],
            )
        )

    def _grid(self, weights: list[float], rows: list[list[Cell | str]]) -> None:
        page = self.page
        page.add(
            table(
                _weights(page.width, weights),
                rows,
                header_rows=1,
                cell_style=page.styles["QMS Table Text"],
                header_style=page.styles["QMS Table Heading"],
            )
        )
        page.para("", space_after=0, size=4)

    def citation(self, ref: LegalRef) -> str:
        """Return the citation of a legal reference: type, number, date, issuer, title."""
        return self._citations.citation(ref)

    def citations(self, refs: list[LegalRef]) -> list[str]:
        """Return one citation per cited legal document, with the articles cited in it."""
        return self._citations.citations(refs)

    # -- content per kind ----------------------------------------------------------------

    def _procedure(self, procedure: Procedure) -> None:
        page, words = self.page, self.words
        page.heading(f"1. {words['purpose']}", page_break_before=True)
        page.para(procedure.purpose)
        page.heading(f"2. {words['scope']}")
        page.para(procedure.scope)
        page.heading(f"3. {words['references']}")
        page.items(
            self.citations(procedure.legal_basis) + list(procedure.references),
            empty=words["none"],
        )
        page.heading(f"4. {words['definitions']}")
        if not procedure.definitions:
            page.para(words["none"])
        for definition in procedure.definitions:
            page.para(
                [run("-\t"), run(definition.term, bold=True), run(f": {definition.meaning}")],
                style="QMS List",
            )
        page.heading(f"5. {words['content']}")
        numbers = dict(procedure_parts(procedure))

        def sub(key: str) -> None:
            page.heading(f"{numbers[key]} {words[key]}", level=2)

        tthc = procedure.tthc
        if tthc is not None:
            sub("tthc_name")
            page.para(
                [run(f"{tthc.name} ({words['tthc_code']}: "), run(tthc.code, bold=True), run(")")]
            )
            page.para(f"{words['tthc_field']}: {tthc.field}")
            sub("methods")
            page.items(list(tthc.methods))
            if tthc.conditions:
                sub("conditions")
                page.items(list(tthc.conditions))
            sub("dossier")
            rows: list[list[Cell | str]] = [
                [
                    words["col_no"],
                    words["col_item"],
                    words["col_originals"],
                    words["col_copies"],
                    words["col_note"],
                ]
            ]
            for index, item in enumerate(tthc.dossier, start=1):
                name = item.name
                if item.form:
                    name += f" ({words['form_ref'].format(code=item.form)})"
                rows.append(
                    [
                        Cell(str(index), align="center"),
                        name,
                        Cell(f"{item.originals:02d}" if item.originals else "-", align="center"),
                        Cell(f"{item.copies:02d}" if item.copies else "-", align="center"),
                        item.note or "",
                    ]
                )
            self._grid([13, 62, 16, 16, 58], rows)
            sub("dossier_sets")
            page.para(words["dossier_sets_value"].format(n=tthc.dossier_sets))
            sub("time_limit")
            page.para(tthc.time_limit)
            sub("subjects")
            page.items(list(tthc.subjects))
            sub("implementing_agency")
            page.para(tthc.implementing_agency)
            if tthc.coordinating_agencies:
                sub("coordinating_agencies")
                page.items(list(tthc.coordinating_agencies))
            sub("fees")
            if tthc.fees:
                fee_rows: list[list[Cell | str]] = [
                    [words["col_no"], words["col_fee"], words["col_amount"], words["col_basis"]]
                ]
                for index, fee in enumerate(tthc.fees, start=1):
                    basis = self.citations([fee.basis])[0] if fee.basis else ""
                    fee_rows.append([Cell(str(index), align="center"), fee.name, fee.amount, basis])
                self._grid([13, 57, 35, 60], fee_rows)
            else:
                page.para(words["none"])
            sub("result")
            page.para(tthc.result)
            sub("place_of_receipt")
            page.para(tthc.place_of_receipt)
        if procedure.responsibilities:
            sub("responsibilities")
            page.para(procedure.responsibilities)
        sub("steps")
        step_rows: list[list[Cell | str]] = [
            [
                words["col_step"],
                words["col_action"],
                words["col_responsible"],
                words["col_time"],
                words["col_forms_result"],
            ]
        ]
        for step in procedure.steps:
            outcome = "\n".join(part for part in (", ".join(step.forms), step.result or "") if part)
            step_rows.append(
                [
                    Cell(str(step.no), align="center", bold=True),
                    step.action,
                    step.responsible,
                    step.time or "",
                    outcome,
                ]
            )
        self._grid([14, 60, 33, 22, 36], step_rows)
        page.heading(f"6. {words['forms']}")
        if procedure.forms:
            form_rows: list[list[Cell | str]] = [
                [words["col_no"], words["col_form_code"], words["col_form_title"]]
            ]
            for index, code in enumerate(procedure.forms, start=1):
                form_rows.append(
                    [
                        Cell(str(index), align="center"),
                        code,
                        self.context.titles.get(code, ""),
                    ]
                )
            self._grid([13, 40, 112], form_rows)
        else:
            page.para(words["none"])
        page.heading(f"7. {words['records']}")
        if procedure.records:
            record_rows: list[list[Cell | str]] = [
                [words["col_no"], words["col_record"], words["col_keeper"], words["col_retention"]]
            ]
            for index, record in enumerate(procedure.records, start=1):
                record_rows.append(
                    [Cell(str(index), align="center"), record.name, record.keeper, record.retention]
                )
            self._grid([13, 77, 45, 30], record_rows)
        else:
            page.para(words["none"])

    def _legal_basis(self) -> None:
        if self.document.legal_basis:
            self.page.heading(self.words["legal_basis"], level=2)
            self.page.items(self.citations(self.document.legal_basis))

    def _policy(self, policy: Policy) -> None:
        page, words = self.page, self.words
        page.heading(words["statement"], level=2)
        page.para(policy.statement, italic=True, bold=True)
        page.heading(words["commitments"], level=2)
        page.items(list(policy.commitments))
        if policy.posted_at or policy.posted_on:
            page.heading(words["posted_at"], level=2)
            page.items(list(policy.posted_at))
            if policy.posted_on:
                page.para(f"{words['posted_on']}: {date_text(policy.posted_on)}")
        self._legal_basis()

    def _objectives(self, objectives: Objectives) -> None:
        page, words = self.page, self.words
        page.para(
            f"{words['period']}: {date_text(objectives.period_start)} – "
            f"{date_text(objectives.period_end)}",
            align="center",
            page_break_before=True,
        )
        self._legal_basis()
        page.heading(f"1. {words['objectives']}")
        rows: list[list[Cell | str]] = [
            [
                words["col_no"],
                words["col_objective"],
                words["col_indicator"],
                words["col_target"],
                words["col_latest"],
                words["col_evaluation"],
            ]
        ]
        for index, objective in enumerate(objectives.objectives, start=1):
            latest = max(objective.results, key=lambda m: m.as_of, default=None)
            rows.append(
                [
                    Cell(str(index), align="center"),
                    f"{objective.id}. {objective.statement}",
                    objective.indicator,
                    Cell(objective.target, align="center"),
                    f"{date_text(latest.as_of)}: {latest.text}" if latest else "",
                    Cell(self._achieved(objective.achieved), align="center"),
                ]
            )
        self._grid([13, 40, 40, 16, 39, 17], rows)
        page.heading(f"2. {words['objective_details']}")
        for index, objective in enumerate(objectives.objectives, start=1):
            page.heading(f"2.{index}. {objective.id}: {objective.statement}", level=2)
            page.para(f"{words['col_indicator']}: {objective.indicator}")
            page.para(f"{words['col_target']}: {objective.target}")
            if objective.plan:
                page.para(words["plan"], bold=True, keep_next=True)
                plan_rows: list[list[Cell | str]] = [
                    [
                        words["col_no"],
                        words["col_planned"],
                        words["col_responsible"],
                        words["col_deadline"],
                        words["col_resources"],
                    ]
                ]
                for number, action in enumerate(objective.plan, start=1):
                    plan_rows.append(
                        [
                            Cell(str(number), align="center"),
                            action.action,
                            action.responsible,
                            action.deadline,
                            action.resources or "",
                        ]
                    )
                self._grid([13, 64, 35, 25, 28], plan_rows)
            if objective.results:
                page.para(words["results"], bold=True, keep_next=True)
                result_rows: list[list[Cell | str]] = [
                    [words["col_as_of"], words["col_result"], words["col_note"]]
                ]
                for measurement in sorted(objective.results, key=lambda m: m.as_of):
                    result_rows.append(
                        [
                            Cell(date_text(measurement.as_of), align="center"),
                            measurement.text,
                            measurement.note or "",
                        ]
                    )
                self._grid([25, 85, 55], result_rows)
            evaluation = self._achieved(objective.achieved)
            if objective.evaluation:
                evaluation += f". {objective.evaluation}"
            page.para([run(f"{words['evaluation']}: ", bold=True), run(evaluation)])

    def _achieved(self, achieved: bool | None) -> str:
        if achieved is None:
            return self.words["not_evaluated"]
        return self.words["achieved"] if achieved else self.words["not_achieved"]

    def _form(self, form: Form) -> None:
        page, words = self.page, self.words
        page.heading(words["form_info"], level=2)
        owner = form.procedure
        title = self.context.titles.get(form.procedure)
        if title:
            owner += f" – {title}"
        rows: list[list[Cell | str]] = [
            [Cell(words["code"], bold=True), form.code],
            [Cell(words["form_title"], bold=True), form.title],
            [Cell(words["form_procedure"], bold=True), owner],
        ]
        if form.description:
            rows.append([Cell(words["form_description"], bold=True), form.description])
        if form.file:
            rows.append([Cell(words["form_file"], bold=True), form.file])
        page.add(
            table(
                _weights(page.width, [45, 120]),
                rows,
                cell_style=page.styles["QMS Table Text"],
            )
        )
        page.para("", space_after=0, size=4)
        self._legal_basis()

    # -- the whole document --------------------------------------------------------------

    def _properties(self) -> None:
        document, words = self.document, self.words
        author = self.signed.get("authored")
        last = self.signed.get("approved") or self.signed.get("reviewed") or author
        times = [s.signed_at for s in self.signed.values()]
        issued = (
            dt.datetime.combine(document.issued_date, dt.time()) if document.issued_date else None
        )
        kind = words[f"kind_{document.kind}"]
        self.page.properties(
            title=document.title,
            subject=f"{document.code} – {kind}",
            author=author.name if author else self.config.organization.name,
            last_modified_by=last.name if last else self.config.organization.name,
            created=author.signed_at if author else (issued or (min(times) if times else None)),
            modified=max(times) if times else issued,
            revision=document.revision,
            keywords=f"{document.code}; {kind}; ISO 9001",
            category=kind,
            comments=f"{words['stamp']}: {self.stamp}",
            identifier=self.stamp,
            version=str(document.revision),
        )

    def parts(self) -> dict[str, bytes]:
        """Return the parts the revision changes in its shell, the header holding the slot."""
        document = self.document
        self._header()
        self._footer()
        self._title()
        if isinstance(document, Procedure | Objectives):
            self._signature_grid()
            self._history()
            if isinstance(document, Procedure):
                self._procedure(document)
            else:
                self._objectives(document)
        else:
            if isinstance(document, Policy):
                self._policy(document)
            else:
                self._form(document)
            self.page.para("", space_after=0)
            self._signature_grid()
            self._history()
        self._properties()
        return self.page.parts()


class DocumentRenderer:
    """One revision laid out once, stamped into as many marked copies as needed.

    The revision is rendered when the renderer is made; :meth:`copy` then only writes the
    copy's marking into the header and assembles the package from parts compressed once,
    a fraction of a millisecond per copy. Every copy of the same marking is the same bytes.
    """

    def __init__(self, document: Document, *, context: ExportContext, info: ExportInfo) -> None:
        self.document = document
        self.context = context
        self.info = info
        layout = _Layout(document, context, info)
        parts = layout.parts()
        shell = layout.page.shell
        slot_part = shell.stories["header"][0]
        pieces = parts.pop(slot_part).split(_SLOT)
        if len(pieces) != 2:
            raise QmsError("internal error: the copy marking slot was not laid out once")
        self._before_slot, self._after_slot = pieces
        self._slot_part = slot_part
        entries = {
            **shell.packed,
            **{name: PackedEntry.of(name, data) for name, data in parts.items()},
        }
        order = canonical_order([*entries, slot_part])
        at = order.index(slot_part)
        self._head = [entries[n] for n in order[:at]]
        self._tail = [entries[n] for n in order[at + 1 :]]

    def copy(self, marking: Marking | None = None) -> bytes:
        """Return the .docx bytes of a copy marked *marking* (default: the info's marking)."""
        chosen = self.info.marking if marking is None else marking
        xml = _marking_xml(chosen, self.context.config.language)
        header = PackedEntry.of(self._slot_part, self._before_slot + xml + self._after_slot)
        return assemble([*self._head, header, *self._tail])

    def write(
        self, target: str | os.PathLike[str] | BinaryIO, marking: Marking | None = None
    ) -> None:
        """Write a copy marked *marking* to a path (atomically) or a binary stream."""
        save(self.copy(marking), target)


def render_document(document: Document, *, context: ExportContext, info: ExportInfo) -> bytes:
    """Return the .docx bytes of a copy of *document* laid out as the agency prints it."""
    return DocumentRenderer(document, context=context, info=info).copy()


def write_document(
    document: Document,
    target: str | os.PathLike[str] | BinaryIO,
    *,
    context: ExportContext,
    info: ExportInfo,
) -> None:
    """Write a copy of *document* to *target*: a path (written atomically) or a binary stream."""
    save(render_document(document, context=context, info=info), target)


def save(data: bytes, target: str | os.PathLike[str] | BinaryIO) -> None:
    """Write *data* to a path (atomically, folders created) or to a binary stream."""
    if isinstance(target, str | os.PathLike):
        write_output(target, data)
    else:
        target.write(data)
