"""The audit trail as a printable .docx: every lifecycle action of a period, one row each.

Each row says when (date, time and UTC offset), who (printed name, from qms.yaml when the
person is known, else the commit author), which document and revision, what action, why,
and the commit that records it, so that any row can be checked against ``git log``.
Vietnamese labels, or English when ``qms.yaml`` says ``language: en``. A4 landscape (Decree
30/2020 allows it for wide tables). The same inputs give the same bytes: the document's
dates are those of the last action (or of the period), never the clock.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from qmsdocs.export._package import pack, unpack
from qmsdocs.export._text import clean, date_text, datetime_text, xml_text
from qmsdocs.history import Action
from qmsdocs.i18n import NC_, translate
from qmsdocs.model.config import QmsConfig

__all__ = ["ACTION_LABELS", "audit_trail_docx", "landscape_docx"]

#: How each lifecycle action is printed (translated by the catalogs, context "document").
ACTION_LABELS = {
    "new": NC_("document", "Created (draft)"),
    "revise": NC_("document", "Revision opened"),
    "submit": NC_("document", "Submitted for review (authored)"),
    "review": NC_("document", "Reviewed"),
    "reject": NC_("document", "Rejected"),
    "approve": NC_("document", "Approved and issued"),
    "withdraw": NC_("document", "Document withdrawn"),
    "confirm": NC_("document", "Periodic review: still suitable"),
}

_LABELS = {
    "title": NC_("document", "DOCUMENT CONTROL AUDIT TRAIL"),
    "period": NC_("document", "From {since} to {until}"),
    "since": NC_("document", "From {since}"),
    "until": NC_("document", "Until {until}"),
    "all": NC_("document", "Entire history"),
    "total": NC_("document", "Total: {n} actions."),
    "source": NC_(
        "document", "Source: the git history of the repository (each action is one commit)."
    ),
    "none": NC_("document", "No action in this period."),
}
_COLUMNS = (
    NC_("document", "#"),
    NC_("document", "When"),
    NC_("document", "Who"),
    NC_("document", "Document code"),
    NC_("document", "Rev."),
    NC_("document", "Control action"),
    NC_("document", "Reason or comment"),
    NC_("document", "Commit"),
)
_WIDTHS_CM = (1.2, 3.4, 3.6, 2.8, 1.2, 3.4, 7.1, 2.5)  # 25.2 cm between the margins


def landscape_docx(font: str, size: float) -> Any:
    """Return a new A4 landscape document (Decree 30 margins) whose text is *font* at *size*.

    For the wide tables of reports: the audit trail, the fleet's report and plan.
    """
    docx = new_docx()
    section = docx.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = docx.styles["Normal"]
    normal.font.name, normal.font.size = font, Pt(size)
    rfonts = normal.element.get_or_add_rPr().find(qn("w:rFonts"))
    if rfonts is not None:
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            rfonts.set(qn(attribute), font)
    return docx


def _who(action: Action, config: QmsConfig) -> str:
    person = config.person(action.person) if action.person else None
    return person.name if person else action.author_name


def _period(label: Mapping[str, str], since: dt.date | None, until: dt.date | None) -> str:
    key = "period" if since and until else "since" if since else "until" if until else "all"
    return label[key].format(since=date_text(since), until=date_text(until))


def _row_xml(values: Sequence[str], *, style: str, header: bool) -> str:
    """Return one table row as WordprocessingML (built as text: python-docx's cell objects
    cost milliseconds each, and a trail has thousands of cells)."""
    cells = []
    for text, width in zip(values, _WIDTHS_CM, strict=True):
        runs = "<w:br/>".join(
            f'<w:t xml:space="preserve">{xml_text(line)}</w:t>' for line in text.split("\n")
        )
        cells.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{round(width * 567)}" w:type="dxa"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r>{runs}</w:r></w:p></w:tc>'
        )
    properties = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
    return f"<w:tr {nsdecls('w')}>{properties}{''.join(cells)}</w:tr>"


def audit_trail_docx(
    actions: Sequence[Action],
    *,
    config: QmsConfig,
    since: dt.date | None,
    until: dt.date | None,
) -> bytes:
    """Return the printable audit-trail report of *actions* (oldest first) as .docx bytes.

    *since* and *until* are the period the report covers (None: open-ended), printed under
    the title. The same inputs give the same bytes.
    """
    language = config.language

    def words(table: Mapping[str, str]) -> dict[str, str]:
        return {k: translate(language, v, "document") for k, v in table.items()}

    label, names = words(_LABELS), words(ACTION_LABELS)
    size = config.export.font_size
    docx = landscape_docx(config.export.font, size)
    normal = docx.styles["Normal"]

    def centred(text: str, *, bold: bool) -> None:
        paragraph = docx.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(clean(text))
        run.bold = bold

    centred(config.organization.name.upper(), bold=True)
    centred(label["title"], bold=True)
    period = _period(label, since, until)
    centred(period, bold=False)
    for name, bold in (("QMS Trail Header", True), ("QMS Trail Cell", False)):
        style = docx.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.bold = bold
        style.font.size = Pt(size - 2)
        style.paragraph_format.space_after = Pt(0)
    if actions:
        table = docx.add_table(rows=0, cols=len(_WIDTHS_CM))
        table.style = docx.styles["Table Grid"]
        for column, width in zip(table.columns, _WIDTHS_CM, strict=True):
            column.width = Cm(width)
        tbl = table._tbl
        tbl.append(
            parse_xml(
                _row_xml(
                    [translate(language, c, "document") for c in _COLUMNS],
                    style="QMSTrailHeader",
                    header=True,
                )
            )
        )
        for n, action in enumerate(actions, start=1):
            values = (
                str(n),
                datetime_text(config.local(action.when)),
                _who(action, config),
                action.code,
                str(action.revision) if action.revision is not None else "",
                names.get(action.action, action.action),
                action.reason or "",
                action.commit[:10],
            )
            tbl.append(parse_xml(_row_xml(values, style="QMSTrailCell", header=False)))
        docx.add_paragraph(label["total"].format(n=len(actions)))
    else:
        docx.add_paragraph(label["none"])
    docx.add_paragraph(label["source"])
    if actions:
        stamp = max(a.when for a in actions)
    else:
        day = until or since or dt.date(1980, 1, 1)
        stamp = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    utc = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    properties = docx.core_properties
    properties.author = properties.last_modified_by = clean(config.organization.name)
    properties.title = label["title"]
    properties.subject = clean(period)
    properties.keywords = "audit trail"
    properties.comments = ""
    properties.category = ""
    properties.language = "vi-VN" if language == "vi" else "en-US"
    properties.created = properties.modified = properties.last_printed = utc
    properties.revision = 1
    buffer = io.BytesIO()
    docx.save(buffer)
    return pack(unpack(buffer.getvalue()).items())
