"""Blocks written as XML text, the page shell shared by exports, and the speed they buy."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from qmsdocs import Repository
from qmsdocs.errors import InvalidDocument
from qmsdocs.export import DocumentRenderer, ExportContext, ExportInfo, Marking, Template
from qmsdocs.export._compose import Shell
from qmsdocs.export._document import page_shell
from qmsdocs.export._ooxml import Cell, field_runs, paragraph, run, table, watermark_run
from qmsdocs.export._text import clean
from qmsdocs.lifecycle import DocumentState
from tests.export.support_copies import (
    W,
    all_text,
    context_of,
    header_xml,
    marking_text,
    reopen,
    sample_repository,
    watermark_texts,
)
from tests.export.test_template import LETTERHEAD, agency_template, rezip

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# Texts as officers type them, and worse: markup characters, quotes, tabs, line breaks,
# leading and trailing spaces, control characters, Vietnamese in NFD.
texts = st.lists(
    st.sampled_from(
        list("aăâbđeêoôơuưy ÀÁẢÃẠàáảãạỦỲỹ&<>\"'\t\n\r\x00\x0b\u00a0\u2003;:/-")
        + ["\u0301", "e\u0302\u0301", "]]>", "&amp;", "\r\n"]
    ),
    max_size=30,
).map("".join)
formats = st.fixed_dictionaries(
    {},
    optional={
        "bold": st.booleans(),
        "italic": st.booleans(),
        "caps": st.booleans(),
        "color": st.sampled_from(["C00000", "404040"]),
        "size": st.sampled_from([4, 12.5, 13, 54]),
        "underline": st.booleans(),
        "border": st.sampled_from(["000000", "C00000"]),
    },
)


def _in_part(*blocks: str) -> str:
    """Return *blocks* inside a root declaring w, as a part holds them."""
    return f'<w:body xmlns:w="{W}">{"".join(blocks)}</w:body>'


def _reserialized(xml: str) -> str:
    """Return *xml* parsed and written again by lxml."""
    return str(etree.tostring(etree.fromstring(xml.encode("utf-8")), encoding="unicode"))


def _reference_run(text: str, **format: Any) -> Any:
    """Return the run as the element builders of qmsdocs 0.x built it with lxml."""

    def sub(parent: Any, tag: str, **attrs: str) -> Any:
        child = etree.SubElement(parent, f"{{{W}}}{tag}")
        for key, value in attrs.items():
            child.set(f"{{{W}}}{key}", value)
        return child

    r = etree.Element(f"{{{W}}}r", nsmap={"w": W})
    if any(format.values()):
        rpr = sub(r, "rPr")
        if format.get("bold"):
            sub(rpr, "b")
            sub(rpr, "bCs")
        if format.get("italic"):
            sub(rpr, "i")
            sub(rpr, "iCs")
        if format.get("caps"):
            sub(rpr, "caps")
        if format.get("color"):
            sub(rpr, "color", val=format["color"])
        if format.get("size"):
            half_points = str(round(format["size"] * 2))
            sub(rpr, "sz", val=half_points)
            sub(rpr, "szCs", val=half_points)
        if format.get("underline"):
            sub(rpr, "u", val="single")
        if format.get("border"):
            sub(rpr, "bdr", val="single", sz="8", space="1", color=format["border"])
    for index, line in enumerate(clean(text).split("\n")):
        if index:
            sub(r, "br")
        for part_index, part in enumerate(line.split("\t")):
            if part_index:
                sub(r, "tab")
            if part:
                t = sub(r, "t")
                t.text = part
                if part != part.strip():
                    t.set(XML_SPACE, "preserve")
    return r


@settings(max_examples=300, deadline=None)
@given(texts, formats)
def test_a_run_is_the_xml_lxml_writes_for_the_same_element(
    text: str, format: dict[str, Any]
) -> None:
    body = etree.Element(f"{{{W}}}body", nsmap={"w": W})
    body.append(_reference_run(text, **format))
    assert _in_part(run(text, **format)) == etree.tostring(body, encoding="unicode")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(texts, min_size=1, max_size=4), min_size=1, max_size=4),
    st.integers(0, 2),
    st.sampled_from([None, "QMSTableText", 'a&b"<c>']),
    formats,
)
def test_paragraphs_and_tables_are_well_formed_and_as_lxml_writes_them(
    rows: list[list[str]], header_rows: int, style: str | None, format: dict[str, Any]
) -> None:
    width = max(len(row) for row in rows)
    cells: list[list[Cell | str]] = [
        [Cell(text, span=2, shade="F2F2F2") if i == 1 else text for i, text in enumerate(row)]
        for row in rows
    ]
    blocks = [
        paragraph(rows[0][0], style=style, align="center", space_before=6, hanging=4, **format),
        paragraph([run(rows[0][0]), *field_runs("PAGE", "1", **format)], keep_next=True),
        paragraph(),
        table(
            [20.0] * width,
            cells,
            header_rows=header_rows,
            cell_style=style,
            header_style="QMSTableHeading",
        ),
        table([10.0, 30.0], [[Cell([paragraph(t) for t in rows[0]]), Cell([])]], borders=False),
    ]
    xml = _in_part(*blocks)
    assert _reserialized(xml) == xml
    root = etree.fromstring(xml.encode("utf-8"))
    # The text comes back as cleaned, whatever its characters.
    first = root[0]
    expected = clean(rows[0][0]).replace("\n", "").replace("\t", "")
    assert "".join(t.text or "" for t in first.iter(f"{{{W}}}t")) == expected
    if style is not None:
        assert first.find(f"{{{W}}}pPr/{{{W}}}pStyle").get(f"{{{W}}}val") == style
    # Every row holds its cells, spans counted, on a grid of the given widths.
    grid = root[3]
    assert len(grid.findall(f"{{{W}}}tblGrid/{{{W}}}gridCol")) == width
    assert len(grid.findall(f"{{{W}}}tr")) == len(rows)
    assert len(grid.findall(f"{{{W}}}tr/{{{W}}}trPr/{{{W}}}tblHeader")) == min(
        header_rows, len(rows)
    )


def test_a_watermark_declares_only_what_the_part_does_not() -> None:
    declared: dict[str | None, str] = {
        "w": W,
        "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    }
    xml = watermark_run("DỰ THẢO & <cũ>", width_mm=185, size=54, declared=declared)
    assert re.match(r'<w:r xmlns:a="[^"]+" xmlns:wps="[^"]+">', xml)
    root = etree.fromstring(f'<w:hdr xmlns:w="{W}" xmlns:wp="{declared["wp"]}">{xml}</w:hdr>')
    assert [t.text for t in root.iter(f"{{{W}}}t")] == ["DỰ THẢO & <cũ>"]


# -- the shell ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    return sample_repository(tmp_path_factory.mktemp("xml"))


def test_the_shell_is_built_once_per_context_and_orientation(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = context_of(repo)
    built: list[bool] = []
    original = Shell.__init__

    def counting(self: Shell, **kwargs: Any) -> None:
        built.append(kwargs["landscape"])
        original(self, **kwargs)

    monkeypatch.setattr(Shell, "__init__", counting)
    info = ExportInfo(DocumentState.EFFECTIVE)
    for document in list(repo)[:5]:
        DocumentRenderer(document, context=context, info=info).copy()
    assert built == [False]
    assert page_shell(context) is page_shell(context)
    assert page_shell(context, landscape=True).width > page_shell(context).width
    assert built == [False, True]
    # Another context (another template or configuration) has its own.
    assert page_shell(context_of(repo)) is not page_shell(context)


def test_the_shell_holds_no_content_of_any_document(repo: Repository) -> None:
    shell = page_shell(context_of(repo))
    for name, before, after in shell.stories.values():
        assert b"@@" not in before + after, name
    body = shell.stories["body"]
    assert body[1].endswith(b"<w:body>") and body[2].startswith(b"<w:sectPr")
    assert set(shell.part_names()) >= {"word/document.xml", "docProps/core.xml"}


def _ns0_template(binding: str = W) -> bytes:
    """Return the agency template with its header written with the prefix ns0, as
    ElementTree writes it; *binding* is where the prefix w then points, if anywhere."""
    data = agency_template()
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        header = archive.read("word/header1.xml").decode()
    header = header.replace(f'xmlns:w="{W}"', f'xmlns:ns0="{W}"')
    header = re.sub(r"(</?|\s)w:", r"\1ns0:", header)
    if binding != W:
        header = header.replace("<ns0:hdr ", f'<ns0:hdr xmlns:w="{binding}" ', 1)
    return rezip(data, replace={"word/header1.xml": header.encode()})


def test_a_template_header_with_another_prefix_gets_the_blocks_all_the_same(
    repo: Repository,
) -> None:
    template = Template(_ns0_template(), name="ns0.docx")
    context = ExportContext(config=repo.config, legal=repo.legal, template=template)
    data = DocumentRenderer(
        repo.document("QT-TP-01"), context=context, info=ExportInfo(DocumentState.DRAFT)
    ).copy(Marking.controlled(4, "Bộ phận Một cửa"))
    header = header_xml(data)
    assert LETTERHEAD in "".join(header.itertext())
    assert marking_text(data).startswith("BẢN KIỂM SOÁT  Số bản: 04")
    assert watermark_texts(data) == ["DỰ THẢO"]
    assert reopen(data).sections[0].header.tables[0].cell(0, 0).text.startswith("ỦY BAN")


def test_a_template_binding_the_prefix_w_elsewhere_is_refused(repo: Repository) -> None:
    template = Template(_ns0_template("urn:x-other"), name="other.docx")
    context = ExportContext(config=repo.config, template=template)
    with pytest.raises(InvalidDocument, match="binds the prefix w"):
        DocumentRenderer(
            repo.document("CSCL"), context=context, info=ExportInfo(DocumentState.EFFECTIVE)
        )


# -- speed ----------------------------------------------------------------------------------


def test_each_different_document_takes_well_under_ten_ms_of_cpu(repo: Repository) -> None:
    context = context_of(repo)
    documents = list(repo)
    info = ExportInfo(DocumentState.EFFECTIVE)
    DocumentRenderer(documents[0], context=context, info=info).copy()  # the shell, once
    start = time.process_time()
    copies = [
        DocumentRenderer(d, context=context, info=info).copy(Marking.controlled(n, f"Phòng {n}"))
        for n, d in enumerate(documents, start=1)
    ]
    per_copy = (time.process_time() - start) / len(documents)
    assert len(set(copies)) == len(documents)
    assert "Phòng 1" in all_text(copies[0])
    assert per_copy < 0.010, f"{per_copy * 1000:.1f} ms of CPU per document"
