"""The page every export is laid out on: A4, Decree 30/2020 margins, styles, header, footer.

:class:`Page` owns one python-docx document from creation to its parts: it starts from the
agency's template or python-docx's own, applies the layout, lets a renderer append to the
body, header and footer, sets the properties from the content (never the clock) and returns
the package parts, ready to be packed deterministically.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.pkgwriter import PackageWriter
from docx.oxml.ns import qn
from docx.shared import Mm

from qmsdocs.export._labels import labels
from qmsdocs.export._ooxml import Element, Styles, field_runs, paragraph, run
from qmsdocs.export._package import unpack
from qmsdocs.export._template import Template
from qmsdocs.export._text import clean, xml_text
from qmsdocs.model.config import QmsConfig

__all__ = ["MARGINS_MM", "Page"]

#: Page margins (top, bottom, left, right) in millimetres, within Decree 30/2020's ranges.
MARGINS_MM = (20.0, 20.0, 30.0, 15.0)
_A4 = (210.0, 297.0)
_HEADER_DISTANCE_MM = 10.0
_FOOTER_DISTANCE_MM = 8.0
#: The date used for core properties when the content carries none (the zip epoch).
_NO_DATE = dt.datetime(1980, 1, 1)
_DROPPABLE = (RT.HEADER, RT.FOOTER, RT.IMAGE)
_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>qmsdocs</Application><DocSecurity>0</DocSecurity>"
    "<Company>{company}</Company></Properties>"
)


def _is_empty_paragraph(element: Element) -> bool:
    if element.tag != qn("w:p"):
        return False
    return not any(
        child.tag not in (qn("w:pPr"), qn("w:bookmarkStart"), qn("w:bookmarkEnd"))
        for child in element
    )


class Page:
    """One document being laid out: page setup, styles, and where content goes."""

    def __init__(
        self,
        *,
        config: QmsConfig,
        template: Template | None,
        landscape: bool = False,
    ) -> None:
        self.config = config
        self.language = config.language
        self.labels: Mapping[str, str] = labels(config.language)
        self.size = float(config.export.font_size)
        source = io.BytesIO(template.data) if template is not None else None
        self.doc: Any = docx.Document(source)
        self.styles = Styles(
            self.doc, font=clean(config.export.font), size=self.size, own=template is None
        )
        self._body = self.doc.element.body
        self._sect_pr = self._body.find(qn("w:sectPr"))
        if self._sect_pr is None:
            self._sect_pr = self._body.get_or_add_sectPr()
        for child in list(self._body):
            if child is not self._sect_pr:
                self._body.remove(child)
        self._setup_section(landscape)
        self.header = self._story(self.section.header)
        self.footer = self._story(self.section.footer)
        width, _ = _A4
        page_width = _A4[1] if landscape else width
        #: The width of the text between the margins, in millimetres.
        self.width = page_width - MARGINS_MM[2] - MARGINS_MM[3]

    @property
    def section(self) -> Any:
        """Return the python-docx section of the document (there is one)."""
        return self.doc.sections[-1]

    def _setup_section(self, landscape: bool) -> None:
        section = self.section
        width, height = _A4
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width = Mm(height if landscape else width)
        section.page_height = Mm(width if landscape else height)
        top, bottom, left, right = MARGINS_MM
        section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
        section.left_margin, section.right_margin = Mm(left), Mm(right)
        section.gutter = Mm(0)
        section.header_distance = Mm(_HEADER_DISTANCE_MM)
        section.footer_distance = Mm(_FOOTER_DISTANCE_MM)
        # One header and one footer on every page: drop first-page and even-page variants.
        section.different_first_page_header_footer = False
        for tag in ("w:headerReference", "w:footerReference"):
            references = {r.get(qn("w:type")): r for r in self._sect_pr.findall(qn(tag))}
            if "default" not in references and "first" in references:
                # A letterhead on the first page only becomes the letterhead of every page.
                references["first"].set(qn("w:type"), "default")
        for reference in list(self._sect_pr):
            if reference.tag in (qn("w:headerReference"), qn("w:footerReference")) and (
                reference.get(qn("w:type")) != "default"
            ):
                self._sect_pr.remove(reference)
        settings = self.doc.settings.element
        for even in settings.findall(qn("w:evenAndOddHeaders")):
            settings.remove(even)
        # Columns, line numbers or a page border of a template do not belong on a copy.
        for tag in ("w:cols", "w:lnNumType", "w:pgBorders"):
            for element in self._sect_pr.findall(qn(tag)):
                self._sect_pr.remove(element)

    @staticmethod
    def _story(story: Any) -> Element:
        """Return the root of a header or footer, its empty paragraphs removed."""
        story.is_linked_to_previous = False
        root = story._element
        for child in list(root):
            if _is_empty_paragraph(child):
                root.remove(child)
        return root

    # -- content -------------------------------------------------------------------------

    def add(self, *elements: Element) -> None:
        """Append block elements (paragraphs, tables) to the body."""
        for element in elements:
            self._sect_pr.addprevious(element)

    def para(self, content: Any = "", *, style: str = "QMS Body", **layout: Any) -> Element:
        """Append and return a paragraph of the body in one of :attr:`Styles.NAMES`."""
        element = paragraph(content, style=self.styles[style], **layout)
        self.add(element)
        return element

    def heading(self, text: str, *, level: int = 1, **layout: Any) -> Element:
        """Append a heading (level 1: a numbered section, level 2: a subsection)."""
        return self.para(text, style=f"Heading {level}", **layout)

    def items(self, texts: list[str], *, empty: str | None = None) -> None:
        """Append one dash item per text (the list style of Vietnamese administrative text)."""
        if not texts and empty:
            self.para(empty)
        for text in texts:
            self.para([run("-\t"), run(text)], style="QMS List")

    def page_field_runs(self, **format: Any) -> list[Element]:
        """Return runs showing ``X/Y``: the PAGE and NUMPAGES fields."""
        return [
            *field_runs("PAGE", "1", **format),
            run("/", **format),
            *field_runs("NUMPAGES", "1", **format),
        ]

    # -- properties and parts ------------------------------------------------------------

    def properties(
        self,
        *,
        title: str,
        subject: str,
        author: str,
        last_modified_by: str,
        created: dt.datetime | None,
        modified: dt.datetime | None,
        revision: int = 1,
        keywords: str = "",
        category: str = "",
        comments: str = "",
        identifier: str = "",
        version: str = "",
    ) -> None:
        """Set the core properties from the content (the template's are dropped)."""
        core = self.doc.core_properties
        for child in list(core._element):
            core._element.remove(child)

        def text(value: str) -> str:
            return clean(value)[:255]

        core.title = text(title)
        core.subject = text(subject)
        core.author = text(author)
        core.last_modified_by = text(last_modified_by)
        core.keywords = text(keywords)
        core.category = text(category)
        core.comments = text(comments)
        core.identifier = text(identifier)
        core.version = text(version)
        core.language = "vi-VN" if self.language == "vi" else "en-US"
        core.revision = max(1, revision)
        core.created = _utc(created) if created else _NO_DATE
        core.modified = _utc(modified) if modified else core.created
        package = self.doc.part.package
        for rid, rel in list(package.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                package.rels.pop(rid)
                package.rels.related_parts.pop(rid, None)
        for part in package.iter_parts():
            if str(part.partname) == "/docProps/app.xml":
                company = xml_text(self.config.organization.name)
                part._blob = _APP_XML.format(company=company).encode("utf-8")

    def parts(self) -> dict[str, bytes]:
        """Return the parts of the package, by name (serialized, not zipped)."""
        document_part = self.doc.part
        for rid, rel in list(document_part.rels.items()):
            # Headers, footers and images of a template that no longer show: not packed.
            if rel.reltype in _DROPPABLE and document_part._rel_ref_count(rid) == 0:
                del document_part.rels[rid]
        package = document_part.package
        collector = _Collector()
        try:
            parts = list(package.parts)
            for part in parts:
                part.before_marshal()
            writer: Any = PackageWriter
            writer._write_content_types_stream(collector, parts)
            writer._write_pkg_rels(collector, package.rels)
            writer._write_parts(collector, parts)
        except AttributeError:  # pragma: no cover - python-docx reorganized its writer
            buffer = io.BytesIO()
            self.doc.save(buffer)
            return unpack(buffer.getvalue())
        return collector.parts


class _Collector:
    """Stands in for python-docx's zip writer: keeps each part's bytes by member name."""

    def __init__(self) -> None:
        self.parts: dict[str, bytes] = {}

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.parts[pack_uri.membername] = blob


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)
