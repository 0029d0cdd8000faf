"""WordprocessingML building blocks: runs, paragraphs, fields, tables, a watermark, styles.

Blocks are written as XML text, exactly as lxml would serialize the same elements inside a
part whose root declares the ``w`` prefix: building thousands of lxml elements through
python-docx's element classes cost most of a copy's time. Every text goes through
:func:`qmsdocs.export._text.clean` and is escaped here; child elements come in the order
the schema requires, which Word checks strictly. Styles are still edited with python-docx,
once per template (see :mod:`qmsdocs.export._compose`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NewType

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import oxml_parser
from docx.shared import Mm, Pt, RGBColor
from docx.styles import BabelFish
from docx.styles.style import StyleFactory

from qmsdocs.export._text import clean

__all__ = [
    "Cell",
    "Element",
    "Styles",
    "Xml",
    "attribute_text",
    "field_runs",
    "mm",
    "node_text",
    "paragraph",
    "run",
    "table",
    "watermark_run",
]

Element = Any  # an lxml element of python-docx's oxml layer (untyped there)
#: A fragment of WordprocessingML (elements with the ``w`` prefix, declared by the part).
Xml = NewType("Xml", str)

_MM_TWIPS = 1440 / 25.4
_MM_EMU = 36000
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def mm(value: float) -> int:
    """Return *value* millimetres in twips (1/20 pt), the unit of widths and indents."""
    return round(value * _MM_TWIPS)


def node_text(text: str) -> str:
    """Return clean *text* escaped for a text node, as lxml writes it (quotes kept)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def attribute_text(text: str) -> str:
    """Return *text* escaped for an attribute value in double quotes, as lxml writes it."""
    text = node_text(text).replace('"', "&quot;")
    return text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def _rpr(
    bold: bool = False,
    italic: bool = False,
    caps: bool = False,
    color: str | None = None,
    size: float | None = None,
    underline: bool = False,
    border: str | None = None,
) -> str:
    if not (bold or italic or caps or color or size or underline or border):
        return ""
    xml = "<w:rPr>"
    if bold:
        xml += "<w:b/><w:bCs/>"
    if italic:
        xml += "<w:i/><w:iCs/>"
    if caps:
        xml += "<w:caps/>"
    if color:
        xml += f'<w:color w:val="{attribute_text(color)}"/>'
    if size:
        half_points = round(size * 2)
        xml += f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    if underline:
        xml += '<w:u w:val="single"/>'
    if border:
        xml += f'<w:bdr w:val="single" w:sz="8" w:space="1" w:color="{attribute_text(border)}"/>'
    return xml + "</w:rPr>"


def _text_element(part: str) -> str:
    if part[0].isspace() or part[-1].isspace():  # what str.strip() would take away
        return f'<w:t xml:space="preserve">{node_text(part)}</w:t>'
    return f"<w:t>{node_text(part)}</w:t>"


#: A legal number (30/2020/NĐ-CP, 1520/QĐ-UBND): its hyphens never end a line. Codes
#: (QT-TP-01) keep plain hyphens, so that Word's search finds them as typed.
_BOUND = re.compile(r"\d/")


def _pieces(part: str) -> str:
    """Return *part* as text elements, the hyphens inside legal numbers non-breaking."""
    if "-" not in part:
        return _text_element(part)
    out: list[str] = []
    text = ""
    for word in re.split(r"(\s+)", part):
        if "-" not in word or not _BOUND.search(word) or word.strip("-") != word:
            text += word
            continue
        first, *rest = word.split("-")
        text += first
        for piece in rest:
            if text:
                out.append(_text_element(text))
            out.append("<w:noBreakHyphen/>")
            text = piece
    if text:
        out.append(_text_element(text))
    return "".join(out)


def _run_content(text: str) -> str:
    text = clean(text)
    if "\n" not in text and "\t" not in text:
        return _pieces(text) if text else ""
    out = []
    for index, line in enumerate(text.split("\n")):
        if index:
            out.append("<w:br/>")
        for part_index, part in enumerate(line.split("\t")):
            if part_index:
                out.append("<w:tab/>")
            if part:
                out.append(_pieces(part))
    return "".join(out)


def run(
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    caps: bool = False,
    color: str | None = None,
    size: float | None = None,
    underline: bool = False,
    border: str | None = None,
) -> Xml:
    """Return a run of *text*; a line feed in it becomes a line break, a tab a tab."""
    inner = _rpr(bold, italic, caps, color, size, underline, border)
    inner += _run_content(text)
    return Xml(f"<w:r>{inner}</w:r>" if inner else "<w:r/>")


def field_runs(instruction: str, shown: str, **format: Any) -> list[Xml]:
    """Return the runs of a complex field (PAGE, NUMPAGES) showing *shown* until updated."""
    rpr = _rpr(**format)
    instr = node_text(clean(f" {instruction} "))
    return [
        Xml(f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'),
        Xml(f'<w:r>{rpr}<w:instrText xml:space="preserve">{instr}</w:instrText></w:r>'),
        Xml(f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'),
        Xml(f"<w:r>{rpr}<w:t>{node_text(clean(shown))}</w:t></w:r>"),
        Xml(f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>'),
    ]


def paragraph(
    content: str | Sequence[Xml] = "",
    *,
    style: str | None = None,
    align: str | None = None,
    keep_next: bool = False,
    page_break_before: bool = False,
    space_before: float | None = None,
    space_after: float | None = None,
    indent_left: float | None = None,
    hanging: float | None = None,
    **format: Any,
) -> Xml:
    """Return a paragraph of *content* (a text, or runs) with the given style and layout.

    *style* is a style id; spaces are in points, indents in millimetres; other keywords
    format a text content (bold, italic, size …).
    """
    ppr = _ppr(
        style, align, keep_next, page_break_before, space_before, space_after, indent_left, hanging
    )
    if isinstance(content, str):
        inner = ppr + run(content, **format) if content else ppr
    else:
        inner = ppr + "".join(content)
    return Xml(f"<w:p>{inner}</w:p>" if inner else "<w:p/>")


def _ppr(
    style: str | None,
    align: str | None,
    keep_next: bool = False,
    page_break_before: bool = False,
    space_before: float | None = None,
    space_after: float | None = None,
    indent_left: float | None = None,
    hanging: float | None = None,
) -> str:
    ppr = ""
    if style:
        ppr += f'<w:pStyle w:val="{attribute_text(style)}"/>'
    if keep_next:
        ppr += "<w:keepNext/>"
    if page_break_before:
        ppr += "<w:pageBreakBefore/>"
    if space_before is not None or space_after is not None:
        ppr += "<w:spacing"
        if space_before is not None:
            ppr += f' w:before="{round(space_before * 20)}"'
        if space_after is not None:
            ppr += f' w:after="{round(space_after * 20)}"'
        ppr += "/>"
    if indent_left is not None or hanging is not None:
        ppr += "<w:ind"
        if indent_left is not None:
            ppr += f' w:left="{mm(indent_left)}"'
        if hanging is not None:
            ppr += f' w:hanging="{mm(hanging)}"'
        ppr += "/>"
    if align:
        ppr += f'<w:jc w:val="{attribute_text(align)}"/>'
    return f"<w:pPr>{ppr}</w:pPr>" if ppr else ""


@dataclass
class Cell:
    """A table cell: its paragraphs (or a text), and how it spans, aligns and is shaded."""

    content: str | Sequence[Xml] = ""
    span: int = 1
    shade: str | None = None
    valign: str | None = None  # top, center, bottom
    bold: bool = False
    align: str | None = None
    style: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_BORDER = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
_BORDERS = (
    "<w:tblBorders>"
    + "".join(
        f"<w:{side} {_BORDER}/>"
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
)


def table(
    widths_mm: Sequence[float],
    rows: Sequence[Sequence[Cell | str]],
    *,
    header_rows: int = 0,
    cell_style: str | None = None,
    header_style: str | None = None,
    header_shade: str | None = "F2F2F2",
    borders: bool = True,
    align: str = "center",
    keep_rows: bool = False,
) -> Xml:
    """Return a table with a fixed grid of *widths_mm*; the first *header_rows* repeat.

    A cell given as a text is one paragraph in *cell_style* (header rows: *header_style*,
    bold, centred, shaded); a text with line feeds gets line breaks. With *keep_rows*, no
    row is split across two pages (a register's line stays whole).
    """
    widths = [mm(w) for w in widths_mm]
    margin = mm(1.5)
    out = [
        f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:jc w:val="{attribute_text(align)}"/>',
        _BORDERS if borders else "",
        '<w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:left w:w="{margin}" w:type="dxa"/>'
        f'<w:right w:w="{margin}" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:noHBand="1"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{width}"/>' for width in widths),
        "</w:tblGrid>",
    ]
    empty_cell = paragraph(style=cell_style)
    # Cell and paragraph properties repeat from row to row: each is written once.
    cell_properties: dict[tuple[int, int, str | None, str | None], str] = {}
    paragraph_properties: dict[tuple[str | None, str | None], str] = {}
    plain = Cell()
    for row_index, row in enumerate(rows):
        heading = row_index < header_rows
        if heading:
            out.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
        else:
            out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" if keep_rows else "<w:tr>")
        column = 0
        for item in row:
            cell, content = (plain, item) if isinstance(item, str) else (item, item.content)
            span = max(1, min(cell.span, len(widths) - column))
            shade = cell.shade or (header_shade if heading else None)
            valign = cell.valign or ("center" if heading else None)
            key = (column, span, shade, valign)
            tcpr = cell_properties.get(key)
            if tcpr is None:
                tcpr = f'<w:tcW w:w="{sum(widths[column : column + span])}" w:type="dxa"/>'
                if span > 1:
                    tcpr += f'<w:gridSpan w:val="{span}"/>'
                if shade:
                    tcpr += (
                        f'<w:shd w:val="clear" w:color="auto" w:fill="{attribute_text(shade)}"/>'
                    )
                if valign:
                    tcpr += f'<w:vAlign w:val="{attribute_text(valign)}"/>'
                tcpr = cell_properties[key] = f"<w:tc><w:tcPr>{tcpr}</w:tcPr>"
            out.append(tcpr)
            if isinstance(content, str):
                style_align = (
                    cell.style or (header_style if heading else cell_style),
                    cell.align or ("center" if heading else None),
                )
                inner = paragraph_properties.get(style_align)
                if inner is None:
                    inner = paragraph_properties[style_align] = _ppr(*style_align)
                if content:
                    inner += run(content, bold=cell.bold or heading, **cell.extra)
                out.append(f"<w:p>{inner}</w:p>" if inner else "<w:p/>")
            elif content:
                out.extend(content)
            else:
                out.append(empty_cell)
            out.append("</w:tc>")
            column += span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return Xml("".join(out))


_WATERMARK_NAMESPACES = (
    ("w", _W_NS),
    ("wp", "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"),
    ("a", "http://schemas.openxmlformats.org/drawingml/2006/main"),
    ("wps", "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"),
)

_WATERMARK = """\
<w:r{namespaces}><w:rPr><w:noProof/></w:rPr><w:drawing>\
<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="0" \
behindDoc="1" locked="1" layoutInCell="0" allowOverlap="1">\
<wp:simplePos x="0" y="0"/>\
<wp:positionH relativeFrom="page"><wp:align>center</wp:align></wp:positionH>\
<wp:positionV relativeFrom="page"><wp:align>center</wp:align></wp:positionV>\
<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>\
<wp:docPr id="4001" name="QMS Watermark"/><wp:cNvGraphicFramePr/>\
<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">\
<wps:wsp><wps:cNvSpPr txBox="1"/>\
<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>\
<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>\
<wps:txbx><w:txbxContent><w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" \
w:lineRule="auto"/><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:bCs/>\
<w:color w:val="{color}"/><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>\
<w:t>{text}</w:t></w:r></w:p></w:txbxContent></wps:txbx>\
<wps:bodyPr wrap="none" lIns="0" tIns="0" rIns="0" bIns="0" anchor="ctr"><a:noAutofit/>\
</wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>"""


def watermark_run(
    text: str,
    *,
    width_mm: float,
    size: float,
    color: str = "BFBFBF",
    declared: Mapping[str | None, str] | None = None,
) -> Xml:
    """Return a run anchoring *text* as a watermark: centred on the page, behind the text.

    It is a DrawingML text box, so that PDF converters keep it as text (findable by
    pdftotext), anchored in the header so that it is on every page. It is not rotated:
    LibreOffice does not rotate text boxes, and the copy must look the same everywhere.
    *declared* is the namespace map of the part's root: the run declares the namespaces
    it uses that the root does not.
    """
    declared = declared or {}
    namespaces = "".join(
        f' xmlns:{prefix}="{uri}"'
        for prefix, uri in _WATERMARK_NAMESPACES
        if declared.get(prefix) != uri
    )
    height_mm = size * 1.6 * 25.4 / 72
    return Xml(
        _WATERMARK.format(
            namespaces=namespaces,
            cx=round(width_mm * _MM_EMU),
            cy=round(height_mm * _MM_EMU),
            color=attribute_text(color),
            half_points=round(size * 2),
            text=node_text(clean(text)),
        )
    )


# -- styles (edited with python-docx, once per template) --------------------------------


@functools.cache
def _name(tag: str) -> tuple[str, dict[str, str]]:
    prefix, _, local = tag.partition(":")
    return qn(tag), {prefix: nsmap[prefix]}


@functools.cache
def _attribute(key: str) -> str:
    return qn(key) if ":" in key else key


def _el(tag: str, attrs: dict[str, str] | None = None) -> Element:
    clark, namespaces = _name(tag)
    element = oxml_parser.makeelement(clark, nsmap=namespaces)
    if attrs:
        for key, value in attrs.items():
            element.set(_attribute(key), value)
    return element


def _sub(parent: Element, tag: str, attrs: dict[str, str] | None = None) -> Element:
    child = _el(tag, attrs)
    parent.append(child)
    return child


@dataclass(frozen=True)
class _StyleSpec:
    name: str
    size: float | None = None  # points above (+) or below (-) the body size, or None
    bold: bool = False
    italic: bool = False
    align: str | None = None
    before: float | None = None
    after: float | None = None
    line: float | None = None  # line spacing, multiple
    keep_next: bool = False
    outline: int | None = None
    indent: float | None = None
    hanging: float | None = None
    color: str | None = None


_SPECS = (
    _StyleSpec("QMS Body", align="both"),
    _StyleSpec("QMS Title", size=+2, bold=True, align="center", before=6, after=12),
    _StyleSpec("Heading 1", size=0, bold=True, before=12, after=6, keep_next=True, outline=0),
    _StyleSpec("Heading 2", size=0, bold=True, before=6, after=6, keep_next=True, outline=1),
    _StyleSpec("QMS List", align="both", indent=6, hanging=4, after=3),
    _StyleSpec("QMS Table Text", size=-1, before=2, after=2, line=1.0),
    _StyleSpec(
        "QMS Table Heading", size=-1, bold=True, align="center", before=2, after=2, line=1.0
    ),
    _StyleSpec("QMS Header", size=-1, before=1, after=1, line=1.0),
    _StyleSpec("QMS Marking", size=-1, align="right", before=3, after=6, line=1.0),
    _StyleSpec("QMS Footer", size=-4, align="left", before=0, after=0, line=1.0, color="404040"),
)


def _set_fonts(rpr: Element, font: str) -> None:
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    fonts = _el("w:rFonts", {"w:ascii": font, "w:hAnsi": font, "w:cs": font, "w:eastAsia": font})
    rpr.insert(0, fonts)


class Styles:
    """The styles a rendering uses, by name, resolved to the style ids of the document.

    Without a template the document's defaults become the configured font and size, and
    every style below is (re)defined. With a template, a style it defines is used as it is;
    one it lacks is added, based on its Normal style, without a font of its own.
    """

    NAMES = tuple(spec.name for spec in _SPECS)

    def __init__(self, document: Any, *, font: str, size: float, own: bool) -> None:
        root = document.styles.element
        by_name: dict[str, Any] = {}
        for element in root.findall(qn("w:style")):
            name = element.find(qn("w:name"))
            if name is not None and element.get(qn("w:type")) == "paragraph":
                by_name.setdefault((name.get(qn("w:val")) or "").casefold(), element)
        normal_element = by_name.get("normal")
        if normal_element is None:
            normal_element = root.default_for(WD_STYLE_TYPE.PARAGRAPH)
        if normal_element is None:
            normal_element = root.add_style_of_type("Normal", WD_STYLE_TYPE.PARAGRAPH, True)
            normal_element.default = True
        normal: Any = StyleFactory(normal_element)
        if own:
            self._defaults(root, normal, font, size)
        self._ids: dict[str, str] = {}
        for spec in _SPECS:
            internal = BabelFish.ui2internal(spec.name)
            existing = by_name.get(internal.casefold())
            if existing is not None and not own:
                self._ids[spec.name] = existing.styleId
                continue
            if existing is not None:
                root.remove(existing)
            element = root.add_style_of_type(
                internal, WD_STYLE_TYPE.PARAGRAPH, internal != spec.name
            )
            style: Any = StyleFactory(element)
            style.base_style = normal
            style.quick_style = True
            self._define(style, spec, size, font if own else None)
            self._ids[spec.name] = element.styleId

    @staticmethod
    def _defaults(root: Any, normal: Any, font: str, size: float) -> None:
        doc_defaults = root.find(qn("w:docDefaults"))
        if doc_defaults is None:
            doc_defaults = _el("w:docDefaults")
            root.insert(0, doc_defaults)
        rpr_default = doc_defaults.find(qn("w:rPrDefault"))
        if rpr_default is None:
            rpr_default = _el("w:rPrDefault")
            doc_defaults.insert(0, rpr_default)
        rpr = rpr_default.find(qn("w:rPr"))
        if rpr is None:
            rpr = _sub(rpr_default, "w:rPr")
        for child in list(rpr):
            rpr.remove(child)
        _set_fonts(rpr, font)
        half_points = str(round(size * 2))
        _sub(rpr, "w:sz", {"w:val": half_points})
        _sub(rpr, "w:szCs", {"w:val": half_points})
        _sub(rpr, "w:lang", {"w:val": "vi-VN", "w:eastAsia": "en-US", "w:bidi": "ar-SA"})
        normal.font.size = Pt(size)
        normal.font.color.rgb = None
        _set_fonts(normal.element.get_or_add_rPr(), font)
        layout = normal.paragraph_format
        layout.space_before = Pt(0)
        layout.space_after = Pt(6)
        layout.line_spacing = 1.15

    @staticmethod
    def _define(style: Any, spec: _StyleSpec, size: float, font: str | None) -> None:
        if spec.size is not None:
            style.font.size = Pt(size + spec.size)
        style.font.bold = spec.bold or None
        style.font.italic = spec.italic or None
        if spec.color:
            style.font.color.rgb = RGBColor.from_string(spec.color)
        if font:
            _set_fonts(style.element.get_or_add_rPr(), font)
        layout = style.paragraph_format
        if spec.before is not None:
            layout.space_before = Pt(spec.before)
        if spec.after is not None:
            layout.space_after = Pt(spec.after)
        if spec.line is not None:
            layout.line_spacing = spec.line
        if spec.keep_next:
            layout.keep_with_next = True
        if spec.indent is not None:
            layout.left_indent = Mm(spec.indent)
        if spec.hanging is not None:
            layout.first_line_indent = -Mm(spec.hanging)
        ppr = style.element.get_or_add_pPr()
        if spec.align:
            for old in ppr.findall(qn("w:jc")):
                ppr.remove(old)
            jc = _el("w:jc", {"w:val": spec.align})
            _insert_in_order(ppr, jc)
        if spec.outline is not None:
            _insert_in_order(ppr, _el("w:outlineLvl", {"w:val": str(spec.outline)}))

    def __getitem__(self, name: str) -> str:
        return self._ids[name]


_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]


def _insert_in_order(ppr: Element, child: Element) -> None:
    """Insert *child* into a pPr where the schema wants it."""
    name = child.tag.split("}")[-1]
    rank = _PPR_ORDER.index(name)
    for index, existing in enumerate(ppr):
        other = existing.tag.split("}")[-1]
        if other in _PPR_ORDER and _PPR_ORDER.index(other) > rank:
            ppr.insert(index, child)
            return
    ppr.append(child)
