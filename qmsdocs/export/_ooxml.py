"""WordprocessingML building blocks: runs, paragraphs, fields, tables, a watermark, styles.

Elements are built directly (python-docx's proxies are slow for many cells and hide the
details that matter here: field codes, fixed table grids, repeated header rows). Every text
goes through :func:`qmsdocs.export._text.clean`; lxml escapes it. Child elements are added
in the order the schema requires, which Word checks strictly.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import oxml_parser
from docx.shared import Mm, Pt, RGBColor
from docx.styles import BabelFish
from docx.styles.style import StyleFactory

from qmsdocs.export._text import clean, xml_text

__all__ = [
    "Cell",
    "Styles",
    "field_runs",
    "mm",
    "paragraph",
    "run",
    "table",
    "watermark_run",
]

Element = Any  # an lxml element of python-docx's oxml layer (untyped there)

_MM_TWIPS = 1440 / 25.4
_MM_EMU = 36000


def mm(value: float) -> int:
    """Return *value* millimetres in twips (1/20 pt), the unit of widths and indents."""
    return round(value * _MM_TWIPS)


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


def _rpr(
    *,
    bold: bool = False,
    italic: bool = False,
    caps: bool = False,
    color: str | None = None,
    size: float | None = None,
    underline: bool = False,
    border: str | None = None,
) -> Element | None:
    if not (bold or italic or caps or color or size or underline or border):
        return None
    rpr = _el("w:rPr")
    if bold:
        _sub(rpr, "w:b")
        _sub(rpr, "w:bCs")
    if italic:
        _sub(rpr, "w:i")
        _sub(rpr, "w:iCs")
    if caps:
        _sub(rpr, "w:caps")
    if color:
        _sub(rpr, "w:color", {"w:val": color})
    if size:
        half_points = str(round(size * 2))
        _sub(rpr, "w:sz", {"w:val": half_points})
        _sub(rpr, "w:szCs", {"w:val": half_points})
    if underline:
        _sub(rpr, "w:u", {"w:val": "single"})
    if border:
        _sub(rpr, "w:bdr", {"w:val": "single", "w:sz": "8", "w:space": "1", "w:color": border})
    return rpr


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
) -> Element:
    """Return a run of *text*; a line feed in it becomes a line break, a tab a tab."""
    r = _el("w:r")
    rpr = _rpr(
        bold=bold,
        italic=italic,
        caps=caps,
        color=color,
        size=size,
        underline=underline,
        border=border,
    )
    if rpr is not None:
        r.append(rpr)
    for index, line in enumerate(clean(text).split("\n")):
        if index:
            _sub(r, "w:br")
        for part_index, part in enumerate(line.split("\t")):
            if part_index:
                _sub(r, "w:tab")
            if part:
                t = _sub(r, "w:t")
                t.text = part
                if part != part.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def field_runs(instruction: str, shown: str, **format: Any) -> list[Element]:
    """Return the runs of a complex field (PAGE, NUMPAGES) showing *shown* until updated."""
    runs = []
    for kind in ("begin", "instr", "separate", "shown", "end"):
        r = _el("w:r")
        rpr = _rpr(**format)
        if rpr is not None:
            r.append(rpr)
        if kind == "instr":
            instr = _sub(r, "w:instrText")
            instr.text = f" {instruction} "
            instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        elif kind == "shown":
            _sub(r, "w:t").text = shown
        else:
            _sub(r, "w:fldChar", {"w:fldCharType": kind})
        runs.append(r)
    return runs


def paragraph(
    content: str | Iterable[Element] = "",
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
) -> Element:
    """Return a paragraph of *content* (a text, or runs) with the given style and layout.

    *style* is a style id; spaces are in points, indents in millimetres; other keywords
    format a text content (bold, italic, size …).
    """
    p = _el("w:p")
    ppr = _el("w:pPr")
    if style:
        _sub(ppr, "w:pStyle", {"w:val": style})
    if keep_next:
        _sub(ppr, "w:keepNext")
    if page_break_before:
        _sub(ppr, "w:pageBreakBefore")
    if space_before is not None or space_after is not None:
        spacing = _sub(ppr, "w:spacing")
        if space_before is not None:
            spacing.set(qn("w:before"), str(round(space_before * 20)))
        if space_after is not None:
            spacing.set(qn("w:after"), str(round(space_after * 20)))
    if indent_left is not None or hanging is not None:
        ind = _sub(ppr, "w:ind")
        if indent_left is not None:
            ind.set(qn("w:left"), str(mm(indent_left)))
        if hanging is not None:
            ind.set(qn("w:hanging"), str(mm(hanging)))
    if align:
        _sub(ppr, "w:jc", {"w:val": align})
    if len(ppr):
        p.append(ppr)
    if isinstance(content, str):
        if content:
            p.append(run(content, **format))
    else:
        for r in content:
            p.append(r)
    return p


@dataclass
class Cell:
    """A table cell: its paragraphs (or a text), and how it spans, aligns and is shaded."""

    content: str | Sequence[Element] = ""
    span: int = 1
    shade: str | None = None
    valign: str | None = None  # top, center, bottom
    bold: bool = False
    align: str | None = None
    style: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_BORDERS = ("top", "left", "bottom", "right", "insideH", "insideV")


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
) -> Element:
    """Return a table with a fixed grid of *widths_mm*; the first *header_rows* repeat.

    A cell given as a text is one paragraph in *cell_style* (header rows: *header_style*,
    bold, centred, shaded); a text with line feeds gets line breaks.
    """
    widths = [mm(w) for w in widths_mm]
    tbl = _el("w:tbl")
    tblpr = _sub(tbl, "w:tblPr")
    _sub(tblpr, "w:tblW", {"w:w": str(sum(widths)), "w:type": "dxa"})
    _sub(tblpr, "w:jc", {"w:val": align})
    if borders:
        tblborders = _sub(tblpr, "w:tblBorders")
        for side in _BORDERS:
            _sub(
                tblborders,
                f"w:{side}",
                {"w:val": "single", "w:sz": "4", "w:space": "0", "w:color": "000000"},
            )
    _sub(tblpr, "w:tblLayout", {"w:type": "fixed"})
    margins = _sub(tblpr, "w:tblCellMar")
    _sub(margins, "w:left", {"w:w": str(mm(1.5)), "w:type": "dxa"})
    _sub(margins, "w:right", {"w:w": str(mm(1.5)), "w:type": "dxa"})
    _sub(tblpr, "w:tblLook", {"w:val": "0000", "w:firstRow": "0", "w:noHBand": "1"})
    grid = _sub(tbl, "w:tblGrid")
    for width in widths:
        _sub(grid, "w:gridCol", {"w:w": str(width)})
    for row_index, row in enumerate(rows):
        heading = row_index < header_rows
        tr = _sub(tbl, "w:tr")
        if heading:
            trpr = _sub(tr, "w:trPr")
            _sub(trpr, "w:cantSplit")
            _sub(trpr, "w:tblHeader")
        column = 0
        for item in row:
            cell = item if isinstance(item, Cell) else Cell(item)
            span = max(1, min(cell.span, len(widths) - column))
            tc = _sub(tr, "w:tc")
            tcpr = _sub(tc, "w:tcPr")
            _sub(tcpr, "w:tcW", {"w:w": str(sum(widths[column : column + span])), "w:type": "dxa"})
            if span > 1:
                _sub(tcpr, "w:gridSpan", {"w:val": str(span)})
            shade = cell.shade or (header_shade if heading else None)
            if shade:
                _sub(tcpr, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": shade})
            valign = cell.valign or ("center" if heading else None)
            if valign:
                _sub(tcpr, "w:vAlign", {"w:val": valign})
            if isinstance(cell.content, str):
                tc.append(
                    paragraph(
                        cell.content,
                        style=cell.style or (header_style if heading else cell_style),
                        align=cell.align or ("center" if heading else None),
                        bold=cell.bold or heading,
                        **cell.extra,
                    )
                )
            else:
                paragraphs = list(cell.content)
                for p in paragraphs:
                    tc.append(p)
                if not paragraphs:
                    tc.append(paragraph(style=cell_style))
            column += span
    return tbl


_WATERMARK = """\
<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" \
xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" \
xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" \
xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">\
<w:rPr><w:noProof/></w:rPr><w:drawing>\
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


def watermark_run(text: str, *, width_mm: float, size: float, color: str = "BFBFBF") -> Element:
    """Return a run anchoring *text* as a watermark: centred on the page, behind the text.

    It is a DrawingML text box, so that PDF converters keep it as text (findable by
    pdftotext), anchored in the header so that it is on every page. It is not rotated:
    LibreOffice does not rotate text boxes, and the copy must look the same everywhere.
    """
    height_mm = size * 1.6 * 25.4 / 72
    xml = _WATERMARK.format(
        cx=round(width_mm * _MM_EMU),
        cy=round(height_mm * _MM_EMU),
        color=color,
        half_points=round(size * 2),
        text=xml_text(text),
    )
    return parse_xml(xml)


# -- styles ------------------------------------------------------------------------------


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
