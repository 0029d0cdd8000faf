"""The announcement of the QMS as a .docx: the form of Decision 19/2014/QĐ-TTg (Phụ lục I)
laid out as Decree 30/2020/NĐ-CP lays out an administrative document.

Agency block and national title side by side, place and date, the title (CÔNG BỐ …), the
scope as a numbered list, the head's signature block. The bytes depend only on the
announcement and qms.yaml: the same announcement gives the same file.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import BinaryIO

from qmsdocs.export._compose import Page
from qmsdocs.export._document import ExportContext, page_shell, save
from qmsdocs.export._ooxml import Cell, paragraph, table
from qmsdocs.export._text import agency_lines, clean
from qmsdocs.model.announcement import Announcement
from qmsdocs.model.config import QmsConfig

__all__ = ["render_announcement", "write_announcement"]


def render_announcement(announcement: Announcement, *, config: QmsConfig) -> bytes:
    """Return the announcement *announcement* as .docx bytes, signed by its head."""
    page = Page(page_shell(ExportContext(config=config)))
    words, styles = page.labels, page.styles
    organization = config.organization
    head = config.person(announcement.head)
    left = [
        paragraph(clean(organization.parent).upper(), style=styles["QMS Header"], align="center"),
        paragraph(
            "\n".join(agency_lines(organization.name)),
            style=styles["QMS Header"],
            align="center",
            bold=True,
        ),
    ]
    day = announcement.date
    right = [
        paragraph(words["national_title"], style=styles["QMS Header"], align="center", bold=True),
        paragraph(
            words["motto"],
            style=styles["QMS Header"],
            align="center",
            bold=True,
            underline=True,
            size=page.size,
        ),
        paragraph(
            words["place_date"].format(
                place=announcement.place, day=day.day, month=day.month, year=day.year
            ),
            style=styles["QMS Header"],
            align="center",
            italic=True,
            space_before=6,
        ),
    ]
    page.add(
        table([page.width * 0.42, page.width * 0.58], [[Cell(left), Cell(right)]], borders=False)
    )
    page.para(words["announcement"], style="QMS Title", space_before=24, space_after=0)
    page.para(
        words["announcement_of"].format(standard=announcement.standard),
        style="QMS Title",
        space_before=0,
        space_after=12,
    )
    page.para(
        words["announcement_body"].format(agency=organization.name, standard=announcement.standard)
    )
    number = 0
    for label, items in (
        ("announcement_tthc", announcement.tthc),
        ("announcement_processes", announcement.processes),
    ):
        if not items:
            continue
        page.para(words[label], bold=True, space_before=6)
        for item in items:
            number += 1
            page.para(f"{number}. {item.name} ({item.code})", indent_left=5)
    signer = [
        paragraph(
            clean(head.title if head else announcement.head).upper(),
            style=styles["QMS Header"],
            align="center",
            bold=True,
        ),
        paragraph("", space_before=48),
        paragraph(
            clean(head.name if head else announcement.head),
            style=styles["QMS Header"],
            align="center",
            bold=True,
        ),
    ]
    page.add(
        table([page.width * 0.42, page.width * 0.58], [[Cell(""), Cell(signer)]], borders=False)
    )
    moment = dt.datetime.combine(day, dt.time())
    title = f"{words['announcement']} {announcement.standard}"
    page.properties(
        title=title,
        subject=title,
        author=organization.name,
        last_modified_by=organization.name,
        created=moment,
        modified=moment,
        keywords="ISO 9001",
        category=title,
    )
    return page.package()


def write_announcement(
    announcement: Announcement,
    target: str | os.PathLike[str] | BinaryIO,
    *,
    config: QmsConfig,
) -> None:
    """Write the announcement .docx to *target*: a path (atomically) or a binary stream."""
    save(render_announcement(announcement, config=config), target)
