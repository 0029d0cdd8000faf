"""A redline: the later revision laid out as a document, carrying real Word tracked changes.

:func:`redline` lays out both revisions the same way (title and header block, signature
grid, change history, then for a procedure sections 1 to 7 with the step table) and writes
the difference as tracked changes that Word and LibreOffice can accept or reject one by one:

- changed text: ``w:del`` / ``w:ins`` runs, word by word (:func:`qmsdocs.diff.word_diff`);
- an added or removed paragraph (a legal reference, a condition): its runs and its
  paragraph mark (``w:pPr/w:rPr/w:ins|w:del``) are tracked, so rejecting removes it whole;
- an added or removed table row (a step, a record): ``w:trPr/w:ins|w:del`` and its text;
- list items and rows are matched as :func:`qmsdocs.diff.align` matches them; a moved item
  is deleted where it was and inserted where it is.

Accepting every change gives the layout of the later revision, rejecting every change the
layout of the earlier one. Every change is attributed to *author* at *when*; ``w:date``
carries the wall-clock time at the author's own UTC offset, without a zone designator, as
Word shows it. The same inputs give the same bytes (fixed zip order and timestamps, core
properties from the inputs, never the clock).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from qmsdocs.diff import align, word_diff
from qmsdocs.export._labels import labels
from qmsdocs.export._package import pack, unpack
from qmsdocs.export._sections import Citations, header_facts, procedure_parts
from qmsdocs.export._text import agency_lines, clean, date_text, datetime_text
from qmsdocs.legal import LegalRegistry
from qmsdocs.model.base import Signature
from qmsdocs.model.config import QmsConfig
from qmsdocs.model.documents import Document, Objectives, Policy, Procedure

__all__ = ["redline"]

# Labels the controlled-copy labels do not have.
_TEXT_WIDTH_CM = 16.5  # A4 (21 cm) less the 3 cm left and 1.5 cm right margins
_STYLES = {
    # name: (bold, italic, centred, size offset in points)
    "QMS Agency": (True, False, True, 0.0),
    "QMS Title": (True, False, True, 1.0),
    "QMS Heading": (True, False, False, 0.0),
    "QMS Subheading": (True, True, False, 0.0),
    "QMS Body": (False, False, False, 0.0),
    "QMS Item": (False, False, False, 0.0),
    "QMS Cell": (False, False, False, -1.0),
    "QMS Cell Header": (True, False, True, -1.0),
}


# -- layout: what a document prints, as blocks both revisions share -------------------


@dataclass(frozen=True)
class _Para:
    key: str
    text: str
    style: str


@dataclass(frozen=True)
class _List:
    """One paragraph per list item; items matched by :func:`align` on *path*."""

    key: str
    path: str | None
    items: tuple[Any, ...]
    texts: tuple[str, ...]
    style: str = "QMS Item"


@dataclass(frozen=True)
class _Table:
    """A table; rows matched by :func:`align` on *path*, or by *items* as keys (no path)."""

    key: str
    path: str | None
    header: tuple[str, ...]
    widths: tuple[float, ...]
    items: tuple[Any, ...]
    rows: tuple[tuple[str, ...], ...]


_Block = _Para | _List | _Table


#: A date or a date and time as printed (05/03/2026, 05/03/2026 09:00 (UTC+07:00)).
_VALUE = re.compile(r"^\d{2}/\d{2}/\d{4}(?: \d{2}:\d{2}(?: \(UTC[+-]\d{2}:\d{2}\))?)?$")


def _dump(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(v.model_dump(mode="json") if hasattr(v, "model_dump") else v for v in values)


def _widths(*weights: float) -> tuple[float, ...]:
    total = sum(weights)
    return tuple(round(_TEXT_WIDTH_CM * w / total, 2) for w in weights)


class _Layout:
    """Build the blocks of one document."""

    def __init__(self, config: QmsConfig, legal: LegalRegistry | None) -> None:
        self.config = config
        self.language = config.language
        self.label: Mapping[str, str] = labels(self.language)
        self.citations = Citations(legal, self.label, self.language)
        self.blocks: list[_Block] = []

    def para(self, key: str, text: str | None, style: str = "QMS Body") -> None:
        if text:
            self.blocks.append(_Para(key, clean(text), style))

    def field(self, key: str, label: str, value: str | None) -> None:
        if value:
            self.para(key, f"{label}: {value}")

    def items(
        self, key: str, path: str | None, values: Sequence[Any], texts: Sequence[str]
    ) -> None:
        if values:
            self.blocks.append(
                _List(key, path, _dump(values), tuple(clean(f"- {t}") for t in texts))
            )

    def table(
        self,
        key: str,
        path: str | None,
        header: Sequence[str],
        widths: tuple[float, ...],
        values: Sequence[Any],
        rows: Sequence[Sequence[str]],
    ) -> None:
        if rows:
            self.blocks.append(
                _Table(
                    key,
                    path,
                    tuple(header),
                    widths,
                    _dump(values),
                    tuple(tuple(clean(c) for c in row) for row in rows),
                )
            )

    # -- the document ---------------------------------------------------------------------

    def document(self, doc: Document) -> list[_Block]:
        label = self.label
        # the header block of the copy: agency | title | code, revision, dates
        facts = header_facts(doc, label)
        self.table(
            "header",
            None,
            (),
            _widths(42, 63, 60),
            ["header"],
            [
                (
                    "\n".join(agency_lines(self.config.organization.name)),
                    clean(doc.title).upper(),
                    "\n".join(f"{name}: {value}" for _, name, value in facts),
                )
            ],
        )
        self._signatures(doc)
        self._history(doc)
        if doc.withdrawal is not None:
            w = doc.withdrawal
            self.para("withdrawn", label["withdrawn"].format(date=date_text(w.date)), "QMS Heading")
            self.field("withdrawn.reason", label["withdrawn_reason"], w.reason)
            self.field("withdrawn.by", label["replaced_by"], w.replaced_by)
        if isinstance(doc, Procedure):
            self._procedure(doc)
        else:
            self._legal_basis(doc, heading=label["legal_basis"].upper())
            if isinstance(doc, Policy):
                self._policy(doc)
            elif isinstance(doc, Objectives):
                self._objectives(doc)
            else:
                self.para("form", label["form_info"], "QMS Heading")
                self.field("form.procedure", label["form_procedure"], doc.procedure)
                self.field("form.description", label["form_description"], doc.description)
                self.field("form.file", label["form_file"], doc.file)
        return self.blocks

    def _signatures(self, doc: Document) -> None:
        label = self.label
        signed: dict[str, Signature] = {s.meaning: s for s in doc.approvals}
        meanings = ("authored", "reviewed", "approved")
        rows = []
        for key in ("name", "title", "signed_at"):
            cells = [label[key]]
            for meaning in meanings:
                s = signed.get(meaning)
                if s is None:
                    cells.append("")
                elif key == "signed_at":
                    cells.append(datetime_text(self.config.local(s.signed_at)))
                else:
                    cells.append(getattr(s, key))
            rows.append(cells)
        self.para("signatures", label["signatures"], "QMS Heading")
        self.table(
            "signatures",
            None,
            ("", *(label[m] for m in meanings)),
            _widths(1.2, 2, 2, 2),
            ["name", "title", "signed_at"],
            rows,
        )

    def _history(self, doc: Document) -> None:
        label = self.label
        columns = list(self.config.export.change_history_columns)
        rows = []
        for n, entry in enumerate(doc.history, start=1):
            values = {
                "no": str(n),
                "date": date_text(entry.date),
                "revision": str(entry.revision),
                "pages": entry.pages or "",
                "description": entry.description,
                "reason": entry.reason or "",
                "note": entry.note or "",
            }
            rows.append([values[c] for c in columns])
        weights = {"no": 0.6, "date": 1.2, "revision": 0.9, "pages": 0.8}
        self.para("history", label["history"], "QMS Heading")
        self.table(
            "history",
            "history",
            [label[f"col_{c}"] for c in columns],
            _widths(*(weights.get(c, 3.0) for c in columns)),
            doc.history,
            rows,
        )

    def _legal_basis(self, doc: Document, *, heading: str | None) -> None:
        if not doc.legal_basis:
            return
        if heading:
            self.para("legal_basis", heading, "QMS Subheading")
        grouped = self.citations.grouped(list(doc.legal_basis))
        # one item per cited legal document, matched by its number
        self.items("legal_basis.items", None, [k for k, _ in grouped], [t for _, t in grouped])

    def part(self, key: str) -> str:
        """Return the heading of part *key* of section 5, numbered as the copy numbers it."""
        return f"{self.numbers[key]} {self.label[key]}"

    def _procedure(self, doc: Procedure) -> None:
        label = self.label
        self.para("purpose", f"1. {label['purpose']}", "QMS Heading")
        self.para("purpose.text", doc.purpose)
        self.para("scope", f"2. {label['scope']}", "QMS Heading")
        self.para("scope.text", doc.scope)
        self.para("references", f"3. {label['references']}", "QMS Heading")
        self._legal_basis(doc, heading=None)
        self.items("references.items", "references", doc.references, doc.references)
        if not doc.legal_basis and not doc.references:
            self.para("references.none", label["none"])
        self.para("definitions", f"4. {label['definitions']}", "QMS Heading")
        self.table(
            "definitions.table",
            "definitions",
            (label["col_term"], label["col_meaning"]),
            _widths(1, 3),
            doc.definitions,
            [(d.term, d.meaning) for d in doc.definitions],
        )
        if not doc.definitions:
            self.para("definitions.none", label["none"])
        self.para("content", f"5. {label['content']}", "QMS Heading")
        self.numbers = dict(procedure_parts(doc))
        if doc.tthc is not None:
            self._tthc(doc)
        if doc.responsibilities:
            self.para("responsibilities", self.part("responsibilities"), "QMS Subheading")
            self.para("responsibilities.text", doc.responsibilities)
        self.para("steps", self.part("steps"), "QMS Subheading")
        self.table(
            "steps.table",
            "steps",
            (
                label["col_step"],
                label["col_action"],
                label["col_responsible"],
                label["col_time"],
                label["col_forms_result"],
            ),
            _widths(1.0, 4, 1.8, 1.3, 1.8),
            doc.steps,
            [
                (
                    str(s.no),
                    s.action,
                    s.responsible,
                    s.time or "",
                    "\n".join(x for x in (", ".join(s.forms), s.result or "") if x),
                )
                for s in doc.steps
            ],
        )
        self.para("forms", f"6. {label['forms']}", "QMS Heading")
        self.items("forms.items", "forms", doc.forms, doc.forms)
        if not doc.forms:
            self.para("forms.none", label["none"])
        self.para("records", f"7. {label['records']}", "QMS Heading")
        self.table(
            "records.table",
            "records",
            (label["col_record"], label["col_keeper"], label["col_retention"]),
            _widths(3, 2, 1.2),
            doc.records,
            [(r.name, r.keeper, r.retention) for r in doc.records],
        )
        if not doc.records:
            self.para("records.none", label["none"])

    def _tthc(self, doc: Procedure) -> None:
        label, t = self.label, doc.tthc
        assert t is not None
        self.para("tthc_name", self.part("tthc_name"), "QMS Subheading")
        self.para("tthc.name", f"{t.name} ({label['tthc_code']}: {t.code})")
        self.field("tthc.field", label["tthc_field"], t.field)
        sections: list[tuple[str, str, list[str]]] = [
            ("methods", "tthc.methods", t.methods),
            ("conditions", "tthc.conditions", t.conditions),
        ]
        for key, path, values in sections:
            if values:
                self.para(key, self.part(key), "QMS Subheading")
                self.items(f"{key}.items", path, values, values)
        self.para("dossier", self.part("dossier"), "QMS Subheading")
        self.table(
            "dossier.table",
            "tthc.dossier",
            (label["col_item"], label["col_originals"], label["col_copies"], label["col_note"]),
            _widths(62, 16, 16, 58),
            t.dossier,
            [
                (
                    d.name + (f" ({label['form_ref'].format(code=d.form)})" if d.form else ""),
                    f"{d.originals:02d}" if d.originals else "-",
                    f"{d.copies:02d}" if d.copies else "-",
                    d.note or "",
                )
                for d in t.dossier
            ],
        )
        self.para("dossier_sets", self.part("dossier_sets"), "QMS Subheading")
        self.para("dossier_sets.text", label["dossier_sets_value"].format(n=t.dossier_sets))
        self.para("time_limit", self.part("time_limit"), "QMS Subheading")
        self.para("time_limit.text", t.time_limit)
        self.para("subjects", self.part("subjects"), "QMS Subheading")
        self.items("subjects.items", "tthc.subjects", t.subjects, t.subjects)
        self.para("implementing_agency", self.part("implementing_agency"), "QMS Subheading")
        self.para("implementing_agency.text", t.implementing_agency)
        if t.coordinating_agencies:
            self.para("coordinating", self.part("coordinating_agencies"), "QMS Subheading")
            self.items(
                "coordinating.items",
                "tthc.coordinating_agencies",
                t.coordinating_agencies,
                t.coordinating_agencies,
            )
        # A table is always preceded by a paragraph both revisions print: a tracked paragraph
        # right before a table cannot merge into it, and LibreOffice then keeps it empty.
        self.para("fees", self.part("fees"), "QMS Subheading")
        if t.fees:
            self.table(
                "fees.table",
                "tthc.fees",
                (label["col_fee"], label["col_amount"], label["col_basis"]),
                _widths(57, 35, 60),
                t.fees,
                [
                    (f.name, f.amount, self.citations.citations([f.basis])[0] if f.basis else "")
                    for f in t.fees
                ],
            )
        else:
            self.para("fees.none", label["none"])
        self.para("result", self.part("result"), "QMS Subheading")
        self.para("result.text", t.result)
        self.para("place_of_receipt", self.part("place_of_receipt"), "QMS Subheading")
        self.para("place_of_receipt.text", t.place_of_receipt)

    def _policy(self, doc: Policy) -> None:
        label = self.label
        self.para("statement", label["statement"], "QMS Heading")
        self.para("statement.text", doc.statement)
        self.para("commitments", label["commitments"], "QMS Subheading")
        self.items("commitments.items", "commitments", doc.commitments, doc.commitments)
        if doc.posted_at:
            self.para("posted_at", label["posted_at"], "QMS Subheading")
            self.items("posted_at.items", "posted_at", doc.posted_at, doc.posted_at)
        self.field("posted_on", label["posted_on"], date_text(doc.posted_on))

    def _objectives(self, doc: Objectives) -> None:
        label = self.label
        self.field(
            "period",
            label["period"],
            f"{date_text(doc.period_start)} - {date_text(doc.period_end)}",
        )
        self.para("objectives", label["objectives"], "QMS Heading")
        verdict = {True: label["achieved"], False: label["not_achieved"], None: ""}
        self.table(
            "objectives.table",
            "objectives",
            (
                label["col_objective"],
                label["col_indicator"],
                label["col_target"],
                label["col_latest"],
                label["col_evaluation"],
            ),
            _widths(3, 2, 1, 2, 1.5),
            doc.objectives,
            [
                (
                    f"{o.id}. {o.statement}",
                    o.indicator,
                    o.target,
                    o.results[-1].text if o.results else "",
                    "\n".join(x for x in (verdict[o.achieved], o.evaluation or "") if x),
                )
                for o in doc.objectives
            ],
        )
        # All plans in one table: a table per objective would need a heading each, and a
        # heading added or removed with its table leaves an empty line in LibreOffice.
        plans = [(o.id, p) for o in doc.objectives for p in o.plan]
        self.para("plan", label["plan"], "QMS Heading")
        self.table(
            "plan.table",
            None,
            (
                label["col_objective"],
                label["col_planned"],
                label["col_responsible"],
                label["col_deadline"],
                label["col_resources"],
            ),
            _widths(0.8, 3, 2, 1.2, 1.5),
            [(oid, p.action) for oid, p in plans],
            [(oid, p.action, p.responsible, p.deadline, p.resources or "") for oid, p in plans],
        )
        if not plans:
            self.para("plan.none", label["none"])


def _layout(
    document: Document, config: QmsConfig, legal: LegalRegistry | None = None
) -> list[_Block]:
    return _Layout(config, legal).document(document)


# -- writing: blocks of both revisions into one .docx with tracked changes -------------


def _pairs_by_key(
    old: Sequence[Any], new: Sequence[Any], key: Any
) -> Iterator[tuple[int | None, int | None]]:
    """Merge two keyed sequences in reading order: matched, old-only, new-only."""
    import difflib

    a, b = [key(x) for x in old], [key(x) for x in new]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            yield from zip(range(i1, i2), range(j1, j2), strict=True)
        else:
            yield from ((i, None) for i in range(i1, i2))
            yield from ((None, j) for j in range(j1, j2))


class _Writer:
    def __init__(self, docx: DocxDocument, *, author: str, date: str) -> None:
        self.docx = docx
        self.author = author
        self.date = date
        self._ids = itertools.count(1)
        # Style ids looked up once: python-docx looks a style up by scanning every style.

    def _styled(self, p: Any, style: str) -> Any:
        ppr = OxmlElement("w:pPr")
        pstyle = OxmlElement("w:pStyle")
        pstyle.set(qn("w:val"), _style_id(style))
        ppr.append(pstyle)
        p.insert(0, ppr)
        return p

    def _revision(self, tag: str) -> Any:
        element = OxmlElement(f"w:{tag}")
        element.set(qn("w:id"), str(next(self._ids)))
        element.set(qn("w:author"), self.author)
        element.set(qn("w:date"), self.date)
        return element

    @staticmethod
    def _run(text: str, *, deleted: bool) -> Any:
        run = OxmlElement("w:r")
        for n, part in enumerate(text.split("\n")):
            if n:
                run.append(OxmlElement("w:br"))
            if part:
                t = OxmlElement("w:delText" if deleted else "w:t")
                t.set(qn("xml:space"), "preserve")
                t.text = part
                run.append(t)
        return run

    def _tracked(self, p: Any, tag: str, text: str) -> None:
        if text:
            wrapper = self._revision(tag)
            wrapper.append(self._run(text, deleted=tag == "del"))
            p.append(wrapper)

    def fill(self, p: Any, old: str | None, new: str | None, *, mark: bool) -> None:
        """Write into paragraph element *p* the change from *old* to *new* (None: absent)."""
        if old is None or new is None:
            tag, text = ("ins", new) if old is None else ("del", old)
            assert text is not None
            self._tracked(p, tag, text)
            if mark:
                ppr = p.get_or_add_pPr()
                rpr = ppr.find(qn("w:rPr"))
                if rpr is None:
                    rpr = OxmlElement("w:rPr")
                    ppr.append(rpr)
                rpr.append(self._revision(tag))
            return
        if old == new:
            if new:
                p.append(self._run(new, deleted=False))
            return
        if _VALUE.match(old) and _VALUE.match(new):  # a date or a time: one value, replaced
            self._tracked(p, "del", old)
            self._tracked(p, "ins", new)
            return
        for segment in word_diff(old, new):
            if segment.op == "equal":
                p.append(self._run(segment.text, deleted=False))
            else:
                self._tracked(p, "del" if segment.op == "delete" else "ins", segment.text)

    def paragraph(self, style: str, old: str | None, new: str | None) -> None:
        p = self._styled(self.docx.element.body.add_p(), style)
        self.fill(p, old, new, mark=True)

    def block(self, old: _Block | None, new: _Block | None) -> None:
        ref = new if new is not None else old
        if isinstance(ref, _Para):
            assert old is None or isinstance(old, _Para)
            assert new is None or isinstance(new, _Para)
            self.paragraph(ref.style, old.text if old else None, new.text if new else None)
        elif isinstance(ref, _List):
            assert old is None or isinstance(old, _List)
            assert new is None or isinstance(new, _List)
            for i, j in self._merge(ref.path, old, new):
                self.paragraph(
                    ref.style,
                    old.texts[i] if old is not None and i is not None else None,
                    new.texts[j] if new is not None and j is not None else None,
                )
        elif isinstance(ref, _Table):
            assert old is None or isinstance(old, _Table)
            assert new is None or isinstance(new, _Table)
            self.table(ref, old, new)

    @staticmethod
    def _merge(
        path: str | None, old: _List | _Table | None, new: _List | _Table | None
    ) -> Sequence[tuple[int | None, int | None]]:
        a = old.items if old is not None else ()
        b = new.items if new is not None else ()
        if path is None:
            return list(_pairs_by_key(a, b, key=lambda x: x))
        return align(path, a, b).merged()

    def table(self, ref: _Table, old: _Table | None, new: _Table | None) -> None:
        grid = "".join(f'<w:gridCol w:w="{Cm(w).twips}"/>' for w in ref.widths)
        table = parse_xml(
            f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/>'
            '<w:tblW w:w="0" w:type="auto"/><w:tblLook w:val="04A0" w:firstRow="1" '
            'w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid></w:tbl>"
        )
        body = self.docx.element.body
        body.insert(len(body) - 1 if body[-1].tag == qn("w:sectPr") else len(body), table)
        if ref.header:
            only = (
                None if old is not None and new is not None else ("del" if new is None else "ins")
            )
            self._row(
                table,
                ref,
                ref.header if only != "ins" else None,
                ref.header if only != "del" else None,
                header=True,
            )
        for i, j in self._merge(ref.path, old, new):
            self._row(
                table,
                ref,
                old.rows[i] if old is not None and i is not None else None,
                new.rows[j] if new is not None and j is not None else None,
                header=False,
            )

    def _row(
        self,
        table: Any,
        ref: _Table,
        old: Sequence[str] | None,
        new: Sequence[str] | None,
        *,
        header: bool,
    ) -> None:
        # Built as elements: python-docx's add_row and cell objects cost milliseconds each.
        tr = OxmlElement("w:tr")
        if header or old is None or new is None:
            trpr = OxmlElement("w:trPr")
            if header:
                trpr.append(OxmlElement("w:tblHeader"))
            if old is None or new is None:
                trpr.append(self._revision("ins" if old is None else "del"))
            tr.append(trpr)
        for n, width in enumerate(ref.widths):
            tc = OxmlElement("w:tc")
            tcpr = OxmlElement("w:tcPr")
            tcw = OxmlElement("w:tcW")
            tcw.set(qn("w:w"), str(Cm(width).twips))
            tcw.set(qn("w:type"), "dxa")
            tcpr.append(tcw)
            tc.append(tcpr)
            p = self._styled(OxmlElement("w:p"), "QMS Cell Header" if header else "QMS Cell")
            tc.append(p)
            tr.append(tc)
            self.fill(
                p,
                old[n] if old is not None else None,
                new[n] if new is not None else None,
                mark=False,
            )
        table.append(tr)


def _setup(docx: DocxDocument, config: QmsConfig) -> None:
    section = docx.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    font_name, size = config.export.font, config.export.font_size
    normal = docx.styles["Normal"]
    normal.font.name = font_name
    normal.font.size = Pt(size)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is not None:
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            rfonts.set(qn(attribute), font_name)
    normal.paragraph_format.space_after = Pt(6)
    styles = docx.styles.element
    for name, (bold, italic, centred, offset) in _STYLES.items():
        # Written as XML: python-docx finds a style by scanning them all, every time.
        justify = "center" if centred else "both" if name in ("QMS Body", "QMS Item") else ""
        half_points = round((size + offset) * 2)
        styles.append(
            parse_xml(
                f'<w:style {nsdecls("w")} w:type="paragraph" w:customStyle="1" '
                f'w:styleId="{_style_id(name)}"><w:name w:val="{name}"/>'
                '<w:basedOn w:val="Normal"/><w:qFormat/><w:pPr>'
                + ('<w:spacing w:after="0"/>' if name.startswith("QMS Cell") else "")
                + (f'<w:jc w:val="{justify}"/>' if justify else "")
                + "</w:pPr><w:rPr>"
                + ("<w:b/>" if bold else "")
                + ("<w:i/>" if italic else "")
                + f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
                "</w:style>"
            )
        )


def _style_id(name: str) -> str:
    return name.replace(" ", "")


def _utc_naive(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def redline(
    a: Document,
    b: Document,
    *,
    config: QmsConfig,
    author: str,
    when: dt.datetime,
    legal: LegalRegistry | None = None,
) -> bytes:
    """Return a .docx of *b* with the changes from *a* as Word tracked changes.

    It is laid out as the controlled copy is (header block, numbered sections, the legal
    basis cited with type, date, issuer and title from *legal*, when given).

    Every change is attributed to *author* (the printed name of the later revision's
    author) at *when* (its date). Accepting all changes gives the text of *b*, rejecting
    all the text of *a*. The same inputs give the same bytes.
    """
    language = config.language
    docx = new_docx()
    _setup(docx, config)
    own = labels(language)
    header = docx.sections[0].header.paragraphs[0]
    header.text = clean(
        f"{own['redline']} - " + own["compared"].format(code=b.code, old=a.revision, new=b.revision)
    )
    header.style = docx.styles["QMS Cell"]
    writer = _Writer(docx, author=clean(author), date=f"{when:%Y-%m-%dT%H:%M:%S}")
    old_blocks, new_blocks = _layout(a, config, legal), _layout(b, config, legal)
    for i, j in _pairs_by_key(old_blocks, new_blocks, key=lambda block: block.key):
        writer.block(
            old_blocks[i] if i is not None else None, new_blocks[j] if j is not None else None
        )
    # The body ends with a paragraph both revisions print, so that a tracked last paragraph
    # has a paragraph mark to merge into (and the body never ends with a table).
    writer.paragraph("QMS Body", "", "")
    properties = docx.core_properties
    properties.author = clean(author)
    properties.last_modified_by = clean(author)
    properties.title = clean(f"{b.code} {b.title}")
    properties.subject = clean(own["compared"].format(code=b.code, old=a.revision, new=b.revision))
    properties.keywords = "redline"
    properties.category = own["redline"]
    properties.comments = ""
    properties.language = "vi-VN" if language == "vi" else "en-US"
    properties.created = properties.modified = properties.last_printed = _utc_naive(when)
    properties.revision = b.revision
    buffer = io.BytesIO()
    docx.save(buffer)
    return pack(unpack(buffer.getvalue()).items())
