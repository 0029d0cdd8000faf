"""The province's documents as printable .docx: the annual report and the inspection plan.

Decree 30/2020 layout: the agency and the national title at the top, the document's kind and
subject centred, then its table. Labels come from the catalogs (context ``document``). The
same inputs give the same bytes: the document's dates are the day it is made for.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from qmsdocs.export._package import pack, unpack
from qmsdocs.export._text import agency_lines, clean, date_text
from qmsdocs.export.trail import landscape_docx
from qmsdocs.fleet.plan import Inspection
from qmsdocs.fleet.status import AgencyStatus
from qmsdocs.i18n import NC_, translate

__all__ = ["fleet_report_docx", "inspection_plan_docx"]

_WORDS = {
    "national": NC_("document", "SOCIALIST REPUBLIC OF VIET NAM"),
    "motto": NC_("document", "Independence - Freedom - Happiness"),
    "report": NC_("document", "REPORT"),
    "report_subject": NC_(
        "document",
        "On applying, maintaining and improving the quality management system under TCVN ISO "
        "9001:2015 in {year}",
    ),
    "plan": NC_("document", "PLAN"),
    "plan_subject": NC_(
        "document", "Inspection of the quality management systems of the agencies in {year}"
    ),
    "as_of": NC_("document", "As of {date}"),
    "summary": NC_(
        "document",
        "{count} agencies apply the QMS; {good} without an error, {failed} with errors to "
        "correct, {unverified} whose approvals do not verify.",
    ),
    "plan_summary": NC_(
        "document",
        "{count} agencies; {visits} inspected on site (at least a third, those most at risk "
        "first, equals drawn by lot), the others on their records.",
    ),
    "col_no": NC_("document", "#"),
    "col_agency": NC_("document", "Agency"),
    "col_in_force": NC_("document", "Documents in force"),
    "col_working": NC_("document", "In progress"),
    "col_reviews": NC_("document", "Reviews overdue"),
    "col_legal": NC_("document", "Legal changes to take in"),
    "col_verified": NC_("document", "Approvals verified"),
    "col_problems": NC_("document", "Problems"),
    "col_risk": NC_("document", "Risk"),
    "col_form": NC_("document", "Inspection"),
    "yes": NC_("document", "Yes"),
    "no": NC_("document", "No"),
    "on_site": NC_("document", "On site"),
    "records": NC_("document", "On records"),
    "none": NC_("document", "None"),
}


def _document(
    *,
    agency: str,
    language: str,
    kind: str,
    subject: str,
    day: dt.date,
    lead: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    font: str,
    size: float,
) -> bytes:
    words = {k: translate(language, v, "document") for k, v in _WORDS.items()}
    docx = landscape_docx(font, size)
    top = docx.add_table(rows=1, cols=2)
    left, right = top.rows[0].cells
    left.text = "\n".join(agency_lines(agency))
    right.text = f"{words['national']}\n{words['motto']}"
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in paragraph.runs:
                run.bold = True
    for text, bold in (
        (words[kind], True),
        (subject, True),
        (words["as_of"].format(date=date_text(day)), False),
    ):
        paragraph = docx.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(clean(text)).bold = bold
    docx.add_paragraph(clean(lead))
    table = docx.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text, width in zip(table.rows[0].cells, header, widths, strict=True):
        cell.text = clean(text)
        cell.width = Cm(width)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text, width in zip(cells, values, widths, strict=True):
            cell.text = clean(text)
            cell.width = Cm(width)
    stamp = dt.datetime(day.year, day.month, day.day)
    properties = docx.core_properties
    properties.author = properties.last_modified_by = clean(agency)
    properties.title = clean(f"{words[kind]} {subject}")
    properties.created = properties.modified = properties.last_printed = stamp
    properties.revision = 1
    properties.language = "vi-VN" if language == "vi" else "en-US"
    buffer = io.BytesIO()
    docx.save(buffer)
    return pack(unpack(buffer.getvalue()).items())


def _problems(row: AgencyStatus, none: str) -> str:
    return "\n".join(str(p.said) for p in row.problems) or none


def fleet_report_docx(
    rows: Sequence[AgencyStatus],
    *,
    agency: str,
    year: int,
    day: dt.date,
    language: str = "vi",
    font: str = "Times New Roman",
    size: float = 13,
) -> bytes:
    """Return the annual report on applying the QMS across the fleet (.docx bytes).

    Its problems are worded in the current language (``with language(…)``) like its labels.
    """
    words = {k: translate(language, v, "document") for k, v in _WORDS.items()}
    failed = [r for r in rows if r.failed]
    table = [
        (
            str(n),
            f"{r.name} ({r.id})",
            "\n".join(f"{k}: {v}" for k, v in sorted(r.in_force.items())) or "—",
            str(r.working),
            str(r.reviews_overdue),
            str(r.legal_suspects),
            "—" if r.verified is None else words["yes" if r.verified else "no"],
            _problems(r, words["none"]),
        )
        for n, r in enumerate(rows, start=1)
    ]
    lead = words["summary"].format(
        count=len(rows),
        good=len(rows) - len(failed),
        failed=len(failed),
        unverified=sum(1 for r in rows if r.verified is False),
    )
    return _document(
        agency=agency,
        language=language,
        kind="report",
        subject=words["report_subject"].format(year=year),
        day=day,
        lead=lead,
        header=[
            words[c]
            for c in (
                "col_no",
                "col_agency",
                "col_in_force",
                "col_working",
                "col_reviews",
                "col_legal",
                "col_verified",
                "col_problems",
            )
        ],  # fmt: skip
        rows=table,
        widths=(1.0, 4.5, 3.5, 1.8, 1.8, 2.0, 2.0, 8.6),
        font=font,
        size=size,
    )


def inspection_plan_docx(
    plan: Sequence[Inspection],
    *,
    agency: str,
    year: int,
    day: dt.date,
    language: str = "vi",
    font: str = "Times New Roman",
    size: float = 13,
) -> bytes:
    """Return the inspection plan of the year (.docx bytes): every agency, visits marked."""
    words = {k: translate(language, v, "document") for k, v in _WORDS.items()}
    table = [
        (
            str(n),
            f"{item.status.name} ({item.status.id})",
            str(item.risk),
            words["on_site" if item.on_site else "records"],
            _problems(item.status, words["none"]),
        )
        for n, item in enumerate(plan, start=1)
    ]
    lead = words["plan_summary"].format(
        count=len(plan), visits=sum(1 for item in plan if item.on_site)
    )
    return _document(
        agency=agency,
        language=language,
        kind="plan",
        subject=words["plan_subject"].format(year=year),
        day=day,
        lead=lead,
        header=[words[c] for c in ("col_no", "col_agency", "col_risk", "col_form", "col_problems")],
        rows=table,
        widths=(1.0, 6.0, 1.6, 3.0, 13.6),
        font=font,
        size=size,
    )
