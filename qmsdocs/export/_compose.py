"""The page every export is laid out on: A4, Decree 30/2020 margins, styles, header, footer.

Two halves. A :class:`Shell` is made once per configuration and template with python-docx:
it starts from the agency's template or python-docx's own, applies the layout and the
styles, and serializes every part; the parts no export changes (styles, settings, theme,
numbering …) are compressed there and then, and the body, header and footer are kept as
the bytes before and after their content. A :class:`Page` is one export laid out on a
shell: blocks of XML text appended to its body, header and footer, properties set from
the content (never the clock), and the package assembled from the shell's parts.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm

from qmsdocs.errors import InvalidDocument, QmsError
from qmsdocs.export._labels import labels
from qmsdocs.export._ooxml import (
    Element,
    Styles,
    Xml,
    field_runs,
    node_text,
    paragraph,
    run,
)
from qmsdocs.export._package import PackedEntry, assemble, canonical_order, unpack
from qmsdocs.export._template import Template
from qmsdocs.export._text import clean, xml_text
from qmsdocs.i18n import _
from qmsdocs.model.config import QmsConfig

__all__ = ["MARGINS_MM", "Page", "Shell"]

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
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CORE = "docProps/core.xml"
#: Where the content of each story goes, marked while the shell is serialized.
_SLOTS = ("body", "header", "footer")


def _is_empty_paragraph(element: Element) -> bool:
    if element.tag != qn("w:p"):
        return False
    return not any(
        child.tag not in (qn("w:pPr"), qn("w:bookmarkStart"), qn("w:bookmarkEnd"))
        for child in element
    )


def _slot_text(story: str) -> str:
    return f"@@QMS-{story.upper()}-SLOT@@"


def _slot_element(story: str) -> Element:
    return parse_xml(f'<w:p xmlns:w="{_W_NS}"><w:r><w:t>{_slot_text(story)}</w:t></w:r></w:p>')


class Shell:
    """The parts every export of one configuration and template shares, serialized once.

    Built with python-docx, which is slow (tens of milliseconds): make one per
    configuration, template and orientation and lay out every export on it
    (:class:`qmsdocs.export.ExportContext` keeps its own). Immutable once built, so it is
    shared by threads and inherited by forked processes.
    """

    def __init__(
        self, *, config: QmsConfig, template: Template | None, landscape: bool = False
    ) -> None:
        self.config = config
        self.landscape = landscape
        size = float(config.export.font_size)
        source = io.BytesIO(template.data) if template is not None else None
        doc: Any = docx.Document(source)
        styles = Styles(doc, font=clean(config.export.font), size=size, own=template is None)
        #: The style id of each of :attr:`Styles.NAMES`.
        self.styles: Mapping[str, str] = {name: styles[name] for name in Styles.NAMES}
        body = doc.element.body
        sect_pr = body.find(qn("w:sectPr"))
        if sect_pr is None:
            sect_pr = body.get_or_add_sectPr()
        for child in list(body):
            if child is not sect_pr:
                body.remove(child)
        section = doc.sections[-1]
        _setup_section(doc, section, sect_pr, landscape)
        header = _story(section.header)
        footer = _story(section.footer)
        roots = {"body": doc.element, "header": header, "footer": footer}
        # Blocks are written with the prefix w: a root that does not declare it (that names
        # WordprocessingML ns0, as ElementTree writes it) is given the declaration; one that
        # binds w to another namespace cannot hold them.
        undeclared: set[str] = set()
        for story, root in roots.items():
            if root.nsmap.get("w") is None:
                undeclared.add(story)
            elif root.nsmap["w"] != _W_NS:
                raise InvalidDocument(
                    _("template refused: its {story} binds the prefix w to {value}").format(
                        story=story, value=root.nsmap["w"]
                    ),
                    file=template.name if template is not None else None,
                    field="export.template",
                )
        #: The namespaces declared by the root of the header (where the watermark goes).
        self.header_namespaces: Mapping[str | None, str] = {**header.nsmap, "w": _W_NS}
        sect_pr.addprevious(_slot_element("body"))
        header.append(_slot_element("header"))
        footer.append(_slot_element("footer"))
        core = doc.core_properties
        for child in list(core._element):
            core._element.remove(child)
        package = doc.part.package
        for rid, rel in list(package.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                package.rels.pop(rid)
                package.rels.related_parts.pop(rid, None)
        for part in package.iter_parts():
            if str(part.partname) == "/docProps/app.xml":
                company = xml_text(config.organization.name)
                part._blob = _APP_XML.format(company=company).encode("utf-8")
        # The core properties are written from a template of their part: python-docx sets
        # each once with a placeholder, and a copy's values replace the placeholders.
        for name in _CORE_TEXTS:
            setattr(core, name, _placeholder(name))
        core.revision = _CORE_REVISION
        core.created, core.modified = _CORE_CREATED, _CORE_MODIFIED
        parts = _serialize(doc)
        core_xml = (
            parts.pop(_CORE)
            .decode("utf-8")
            .replace(f">{_CORE_REVISION}<", f">{_placeholder('revision')}<")
            .replace(_w3cdtf(_CORE_CREATED), _placeholder("created"))
            .replace(_w3cdtf(_CORE_MODIFIED), _placeholder("modified"))
        )
        pieces = _PLACEHOLDER.split(core_xml)
        if sorted(pieces[1::2]) != sorted([*_CORE_TEXTS, "revision", "created", "modified"]):
            raise QmsError("internal error: the core properties were not laid out once")
        self._core = pieces
        #: Each story's part name and the bytes before and after its content.
        self.stories: dict[str, tuple[str, bytes, bytes]] = {}
        for story in _SLOTS:
            # The slot is written with the prefix the root gives WordprocessingML.
            marker = re.compile(
                rb'<([\w.-]+):p(?: xmlns:[\w.-]+="[^"]*")?><\1:r><\1:t>'
                + _slot_text(story).encode()
                + rb"</\1:t></\1:r></\1:p>"
            )
            found = [(n, d, m) for n, d in parts.items() for m in marker.finditer(d)]
            if len(found) != 1:
                raise QmsError(f"internal error: the {story} of the page was not laid out once")
            name, data, match = found[0]
            before, after = data[: match.start()], data[match.end() :]
            if story in undeclared:
                before = _ROOT_TAG.sub(rb"\g<0>" + f' xmlns:w="{_W_NS}"'.encode(), before, 1)
            self.stories[story] = (name, before, after)
            del parts[name]
        #: The other parts, compressed once.
        self.packed: Mapping[str, PackedEntry] = {
            name: PackedEntry.of(name, data) for name, data in parts.items()
        }
        width, height = _A4
        #: The width of the text between the margins, in millimetres.
        self.width = (height if landscape else width) - MARGINS_MM[2] - MARGINS_MM[3]

    def core_xml(
        self,
        texts: Mapping[str, str],
        *,
        revision: int,
        created: dt.datetime,
        modified: dt.datetime,
    ) -> bytes:
        """Return the core properties part: *texts* by python-docx property name, and the rest.

        Texts are clean and at most 255 characters long (as python-docx requires).
        """
        values = {name: node_text(texts.get(name, "")) for name in _CORE_TEXTS}
        values["revision"] = str(revision)
        values["created"] = _w3cdtf(created)
        values["modified"] = _w3cdtf(modified)
        pieces = self._core.copy()
        pieces[1::2] = [values[name] for name in pieces[1::2]]
        return "".join(pieces).encode("utf-8")

    def part_names(self) -> list[str]:
        """Return the names of every part of a package laid out on this shell."""
        return [*self.packed, *(name for name, _, _ in self.stories.values()), _CORE]


#: The core properties set as text, in the order they are written.
_CORE_TEXTS = (
    "title",
    "subject",
    "author",
    "last_modified_by",
    "keywords",
    "category",
    "comments",
    "identifier",
    "version",
    "language",
)
_CORE_REVISION = 987654321
_CORE_CREATED = dt.datetime(1901, 2, 3, 4, 5, 6)
_CORE_MODIFIED = dt.datetime(1902, 3, 4, 5, 6, 7)
_PLACEHOLDER = re.compile(r"@@QMS-CORE-(\w+)@@")
#: The start of the root element's tag, after the XML declaration.
_ROOT_TAG = re.compile(rb"(?<=\?>)\s*<[^\s/>]+")


def _placeholder(name: str) -> str:
    return f"@@QMS-CORE-{name}@@"


def _w3cdtf(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _setup_section(doc: Any, section: Any, sect_pr: Element, landscape: bool) -> None:
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
        references = {r.get(qn("w:type")): r for r in sect_pr.findall(qn(tag))}
        if "default" not in references and "first" in references:
            # A letterhead on the first page only becomes the letterhead of every page.
            references["first"].set(qn("w:type"), "default")
    for reference in list(sect_pr):
        if reference.tag in (qn("w:headerReference"), qn("w:footerReference")) and (
            reference.get(qn("w:type")) != "default"
        ):
            sect_pr.remove(reference)
    settings = doc.settings.element
    for even in settings.findall(qn("w:evenAndOddHeaders")):
        settings.remove(even)
    # Columns, line numbers or a page border of a template do not belong on a copy.
    for tag in ("w:cols", "w:lnNumType", "w:pgBorders"):
        for element in sect_pr.findall(qn(tag)):
            sect_pr.remove(element)


def _story(story: Any) -> Element:
    """Return the root of a header or footer, its empty paragraphs removed."""
    story.is_linked_to_previous = False
    root = story._element
    for child in list(root):
        if _is_empty_paragraph(child):
            root.remove(child)
    return root


def _serialize(doc: Any) -> dict[str, bytes]:
    """Return the parts of the package of *doc*, by name (serialized, not zipped)."""
    document_part = doc.part
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
        doc.save(buffer)
        return unpack(buffer.getvalue())
    return collector.parts


class _Collector:
    """Stands in for python-docx's zip writer: keeps each part's bytes by member name."""

    def __init__(self) -> None:
        self.parts: dict[str, bytes] = {}

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.parts[pack_uri.membername] = blob


class Page:
    """One export being laid out on a :class:`Shell`: body, header, footer, properties."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.config = shell.config
        self.language = self.config.language
        self.labels: Mapping[str, str] = labels(self.config.language)
        self.size = float(self.config.export.font_size)
        self.styles = shell.styles
        #: The width of the text between the margins, in millimetres.
        self.width = shell.width
        self.body: list[Xml] = []
        self.header: list[Xml] = []
        self.footer: list[Xml] = []
        self._core: bytes | None = None

    # -- content -------------------------------------------------------------------------

    def add(self, *blocks: Xml) -> None:
        """Append blocks (paragraphs, tables) to the body."""
        self.body.extend(blocks)

    def para(self, content: str | list[Xml] = "", *, style: str = "QMS Body", **layout: Any) -> Xml:
        """Append and return a paragraph of the body in one of :attr:`Styles.NAMES`."""
        block = paragraph(content, style=self.styles[style], **layout)
        self.body.append(block)
        return block

    def heading(self, text: str, *, level: int = 1, **layout: Any) -> Xml:
        """Append a heading (level 1: a numbered section, level 2: a subsection)."""
        return self.para(text, style=f"Heading {level}", **layout)

    def items(self, texts: list[str], *, empty: str | None = None) -> None:
        """Append one dash item per text (the list style of Vietnamese administrative text)."""
        if not texts and empty:
            self.para(empty)
        for text in texts:
            self.para([run("-\t"), run(text)], style="QMS List")

    def page_field_runs(self, **format: Any) -> list[Xml]:
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

        def text(value: str) -> str:
            return clean(value)[:255]

        created_at = _utc(created) if created else _NO_DATE
        self._core = self.shell.core_xml(
            {
                "title": text(title),
                "subject": text(subject),
                "author": text(author),
                "last_modified_by": text(last_modified_by),
                "keywords": text(keywords),
                "category": text(category),
                "comments": text(comments),
                "identifier": text(identifier),
                "version": text(version),
                "language": "vi-VN" if self.language == "vi" else "en-US",
            },
            revision=max(1, revision),
            created=created_at,
            modified=_utc(modified) if modified else created_at,
        )

    def parts(self) -> dict[str, bytes]:
        """Return the parts this page changes, by name: body, header, footer, properties."""
        parts: dict[str, bytes] = {}
        for story, blocks in (
            ("body", self.body),
            ("header", self.header),
            ("footer", self.footer),
        ):
            name, before, after = self.shell.stories[story]
            parts[name] = before + "".join(blocks).encode("utf-8") + after
        if self._core is None:
            raise QmsError("internal error: the properties of the page were not set")
        parts[_CORE] = self._core
        return parts

    def package(self) -> bytes:
        """Return the .docx bytes of the page: the shell's parts with this page's own."""
        own = {name: PackedEntry.of(name, data) for name, data in self.parts().items()}
        entries = {**self.shell.packed, **own}
        return assemble([entries[name] for name in canonical_order(entries)])


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)
