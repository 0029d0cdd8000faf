"""Registers as .docx: internal documents, external documents, distribution and recall.

Registers take plain typed rows, so that they depend on nothing but what they print; the
caller (the repository) decides which documents, states and copies they list, as of which
day. They are laid out on landscape A4 pages under the agency block and the national title
of Decree 30/2020.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from qmsdocs.export._compose import Page
from qmsdocs.export._document import ExportContext, page_shell
from qmsdocs.export._labels import legal_status_label, legal_type_label, state_label
from qmsdocs.export._ooxml import Cell, paragraph, run, table
from qmsdocs.export._text import agency_lines, clean, date_text
from qmsdocs.legal import LegalRegistry
from qmsdocs.lifecycle import DocumentState
from qmsdocs.model.config import QmsConfig
from qmsdocs.model.documents import Document
from qmsdocs.model.legal import LegalStatus, LegalType, RelationType

__all__ = [
    "DistributionRow",
    "ExternalRow",
    "InternalRow",
    "external_rows",
    "internal_row",
    "render_distribution_register",
    "render_external_register",
    "render_internal_register",
]


@dataclass(frozen=True)
class InternalRow:
    """One line of the internal documents list (danh mục tài liệu nội bộ)."""

    code: str
    title: str
    kind: str  # procedure, policy, objectives, form
    revision: int  # lần ban hành
    issued_on: dt.date | None
    effective_on: dt.date | None
    unit: str  # the owning unit's name
    state: DocumentState
    note: str | None = None


@dataclass(frozen=True)
class ExternalRow:
    """One line of the external documents list (danh mục tài liệu bên ngoài)."""

    number: str  # số, ký hiệu, exactly as printed
    type: LegalType
    title: str  # trích yếu
    issuer: str
    issued_on: dt.date
    effective_from: dt.date | None
    status: LegalStatus  # computed for the register's day
    note: str | None = None


@dataclass(frozen=True)
class DistributionRow:
    """One controlled copy handed out (or to collect): which revision, which copy, to whom."""

    code: str
    title: str
    revision: int
    copy_number: int  # số bản
    holder: str  # nơi nhận
    distributed_on: dt.date  # ngày phát
    recalled_on: dt.date | None = None  # ngày thu hồi
    state: DocumentState | None = None  # the revision's state on the register's day
    note: str | None = None


def internal_row(document: Document, state: DocumentState, *, config: QmsConfig) -> InternalRow:
    """Return the internal-list line of *document* in *state* (unit id resolved to its name)."""
    unit = config.unit(document.unit)
    return InternalRow(
        code=document.code,
        title=document.title,
        kind=document.kind,
        revision=document.revision,
        issued_on=document.issued_date,
        effective_on=document.effective_date,
        unit=unit.name if unit else document.unit,
        state=state,
    )


_TYPE_ORDER = {kind: index for index, kind in enumerate(LegalType)}


def external_rows(
    registry: LegalRegistry, day: dt.date, *, language: str = "vi"
) -> list[ExternalRow]:
    """Return the external-list lines of every legal document, status computed for *day*.

    Lines are ordered by type (laws first), then issue date; the note says what replaced,
    repealed or amended a document by then.
    """
    from qmsdocs.export._labels import labels

    words = labels(language)
    rows = []
    for legal in sorted(registry, key=lambda d: (_TYPE_ORDER.get(d.type, 99), d.issued, d.number)):
        notes = []
        for event in registry.events(legal):
            if event.effective > day:
                continue
            number = event.source.number
            if event.relation.articles:
                number += f" ({', '.join(event.relation.articles)})"
            if event.relation.type is RelationType.REPLACES:
                notes.append(words["replaced_by_note"].format(number=number))
            elif event.relation.type is RelationType.REPEALS:
                notes.append(words["repealed_by_note"].format(number=number))
            elif event.relation.type is RelationType.AMENDS:
                notes.append(words["amended_by_note"].format(number=number))
        if legal.effective_until is not None and legal.effective_until < day:
            notes.append(words["expired_note"].format(date=date_text(legal.effective_until)))
        rows.append(
            ExternalRow(
                number=legal.number,
                type=legal.type,
                title=legal.title,
                issuer=legal.issuer,
                issued_on=legal.issued,
                effective_from=legal.effective_from,
                status=registry.status_on(legal, day),
                note="; ".join(notes) or None,
            )
        )
    return rows


class _Register:
    """A register page: agency block, national title, title, table, signatures."""

    def __init__(self, context: ExportContext, *, title_key: str, as_of: dt.date) -> None:
        self.context = context
        self.page = Page(page_shell(context, landscape=True))
        self.words = self.page.labels
        self.language = context.config.language
        self.title = self.words[title_key]
        self.as_of = as_of
        self._head()

    def _head(self) -> None:
        page, words = self.page, self.words
        organization = self.context.config.organization
        styles = page.styles
        header_runs = [run(f"{words['page']} "), *page.page_field_runs()]
        page.header.append(paragraph(header_runs, style=styles["QMS Header"], align="center"))
        page.footer.append(
            paragraph(
                f"{organization.name} – {self.title} – "
                f"{words['as_of'].format(date=date_text(self.as_of))}",
                style=styles["QMS Footer"],
            )
        )
        left = [
            paragraph(
                clean(organization.parent).upper(), style=styles["QMS Header"], align="center"
            ),
            paragraph(
                "\n".join(agency_lines(organization.name)),
                style=styles["QMS Header"],
                align="center",
                bold=True,
            ),
        ]
        right = [
            paragraph(
                words["national_title"], style=styles["QMS Header"], align="center", bold=True
            ),
            paragraph(
                words["motto"],
                style=styles["QMS Header"],
                align="center",
                bold=True,
                underline=True,
                size=page.size,
            ),
        ]
        page.add(
            table(
                [page.width * 0.42, page.width * 0.58], [[Cell(left), Cell(right)]], borders=False
            )
        )
        page.para(self.title, style="QMS Title", space_before=18, space_after=2)
        page.para(
            f"({words['as_of'].format(date=date_text(self.as_of))})",
            style="QMS Title",
            bold=False,
            italic=True,
            size=page.size,
            space_before=0,
        )

    def grid(self, weights: list[float], rows: list[list[Cell | str]], count: int) -> None:
        page = self.page
        scale = page.width / sum(weights)
        if count == 0:
            rows.append([Cell(self.words["empty_register"], span=len(weights), align="center")])
        page.add(
            table(
                [w * scale for w in weights],
                rows,
                header_rows=1,
                cell_style=page.styles["QMS Table Text"],
                header_style=page.styles["QMS Table Heading"],
                keep_rows=True,
            )
        )
        page.para(self.words["total"].format(n=count), space_before=6)
        signatures = [
            [
                Cell(self.words["prepared_by"], bold=True, align="center"),
                Cell(self.words["approved_by"], bold=True, align="center"),
            ]
        ]
        page.add(table([page.width / 2, page.width / 2], signatures, borders=False))

    def render(self) -> bytes:
        organization = self.context.config.organization.name
        moment = dt.datetime.combine(self.as_of, dt.time())
        self.page.properties(
            title=self.title,
            subject=self.title,
            author=organization,
            last_modified_by=organization,
            created=moment,
            modified=moment,
            keywords="ISO 9001",
            category=self.title,
        )
        return self.page.package()


def _rev(revision: int) -> Cell:
    return Cell(f"{revision:02d}", align="center")


def _day(day: dt.date | None) -> Cell:
    return Cell(date_text(day), align="center")


def render_internal_register(
    rows: Sequence[InternalRow], *, context: ExportContext, as_of: dt.date
) -> bytes:
    """Return the internal documents list (Danh mục tài liệu nội bộ) as .docx bytes."""
    register = _Register(context, title_key="internal_register", as_of=as_of)
    words, language = register.words, register.language
    table_rows: list[list[Cell | str]] = [
        [
            words["col_no"],
            words["col_form_code"],
            words["col_title"],
            words["col_kind"],
            words["col_revision"],
            words["col_issued"],
            words["col_effective"],
            words["col_unit"],
            words["col_state"],
        ]
    ]
    for index, row in enumerate(rows, start=1):
        state = state_label(row.state, language)
        if row.note:
            state += f" ({row.note})"
        table_rows.append(
            [
                Cell(str(index), align="center"),
                row.code,
                row.title,
                words.get(f"kind_{row.kind}", row.kind),
                _rev(row.revision),
                _day(row.issued_on),
                _day(row.effective_on),
                row.unit,
                state,
            ]
        )
    register.grid([13, 30, 62, 26, 17, 25, 25, 30, 24], table_rows, len(rows))
    return register.render()


def render_external_register(
    rows: Sequence[ExternalRow], *, context: ExportContext, as_of: dt.date
) -> bytes:
    """Return the external documents list (Danh mục tài liệu bên ngoài) as .docx bytes."""
    register = _Register(context, title_key="external_register", as_of=as_of)
    words, language = register.words, register.language
    table_rows: list[list[Cell | str]] = [
        [
            words["col_no"],
            words["col_number"],
            words["col_issued"],
            words["col_issuer"],
            words["col_summary"],
            words["col_effective"],
            words["col_legal_status"],
            words["col_note"],
        ]
    ]
    for index, row in enumerate(rows, start=1):
        kind = legal_type_label(row.type, language)
        summary = row.title if row.title.startswith(kind) else f"{kind}: {row.title}"
        table_rows.append(
            [
                Cell(str(index), align="center"),
                row.number,
                _day(row.issued_on),
                row.issuer,
                summary,
                _day(row.effective_from or row.issued_on),
                legal_status_label(row.status, language),
                row.note or "",
            ]
        )
    register.grid([13, 34, 25, 34, 72, 25, 25, 24], table_rows, len(rows))
    return register.render()


def render_distribution_register(
    rows: Sequence[DistributionRow],
    *,
    context: ExportContext,
    as_of: dt.date,
    recall: bool = False,
) -> bytes:
    """Return the distribution list of controlled copies as .docx bytes.

    With *recall*, it is titled as the list of copies to collect (danh sách tài liệu cần thu
    hồi): the rows are then the copies of revisions no longer in force.
    """
    register = _Register(
        context, title_key="recall_register" if recall else "distribution_register", as_of=as_of
    )
    words, language = register.words, register.language
    table_rows: list[list[Cell | str]] = [
        [
            words["col_no"],
            words["col_form_code"],
            words["col_title"],
            words["col_revision"],
            words["col_copy"],
            words["col_holder"],
            words["col_distributed"],
            words["col_recalled"],
            words["col_sign"],
            words["col_note"],
        ]
    ]
    for index, row in enumerate(rows, start=1):
        notes = [state_label(row.state, language)] if row.state is not None else []
        if row.note:
            notes.append(row.note)
        table_rows.append(
            [
                Cell(str(index), align="center"),
                row.code,
                row.title,
                _rev(row.revision),
                Cell(f"{row.copy_number:02d}", align="center"),
                row.holder,
                _day(row.distributed_on),
                _day(row.recalled_on),
                "",
                "; ".join(notes),
            ]
        )
    register.grid([13, 28, 50, 17, 15, 40, 25, 25, 18, 21], table_rows, len(rows))
    return register.render()
