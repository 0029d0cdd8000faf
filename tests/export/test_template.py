"""Agency templates: their styles and letterhead are used; unsafe templates are refused."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from docx.shared import Pt, RGBColor

from qmsdocs import Repository
from qmsdocs.errors import InvalidDocument
from qmsdocs.export import (
    DocumentRenderer,
    ExportContext,
    ExportInfo,
    Marking,
    Template,
    render_internal_register,
)
from qmsdocs.export._template import MAX_ENTRIES, MAX_ENTRY_BYTES
from qmsdocs.lifecycle import DocumentState
from tests.export.support_copies import (
    W,
    all_text,
    cell_texts,
    context_of,
    header_xml,
    marking_text,
    part,
    reopen,
    sample_repository,
    texts,
)

LETTERHEAD = "SỞ TƯ PHÁP TỈNH BÌNH GIANG – MẪU TIÊU ĐỀ"


def _png() -> bytes:
    """Return a 2×2 grey PNG (a stand-in for the agency's logo)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def agency_template() -> bytes:
    """Return a template as an agency makes one in Word: styles, letterhead with a logo."""
    document = docx.Document()
    heading = document.styles["Heading 1"]
    heading.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
    heading.font.size = Pt(15)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    table_text = document.styles.add_style("QMS Table Text", 1)
    table_text.font.size = Pt(10)
    table_text.font.italic = True
    header = document.sections[0].header
    header.paragraphs[0].add_run().add_picture(io.BytesIO(_png()))
    header.add_paragraph(LETTERHEAD)
    document.add_paragraph("Nội dung mẫu của tệp tiêu đề, không được in ra.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rezip(
    data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """Return *data* with some entries replaced and others added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = (replace or {}).get(info.filename, source.read(info))
            target.writestr(info.filename, content, zipfile.ZIP_DEFLATED)
        for name, content in (add or {}).items():
            target.writestr(name, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    return sample_repository(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="module")
def template() -> Template:
    return Template(agency_template(), name="mau-iso.docx")


def test_exports_use_the_template_styles_and_letterhead(
    repo: Repository, template: Template
) -> None:
    context = ExportContext(config=repo.config, legal=repo.legal, template=template)
    renderer = DocumentRenderer(
        repo.document("QT-TP-01"), context=context, info=ExportInfo(DocumentState.EFFECTIVE)
    )
    data = renderer.copy(Marking.controlled(2, "Phòng Văn hóa - Xã hội"))
    document = reopen(data)
    header = document.sections[0].header
    assert [p.text for p in header.paragraphs][:2] == ["", LETTERHEAD]
    assert cell_texts(header.tables[0])[0][0] == "ỦY BAN NHÂN DÂN\nPHƯỜNG AN HÒA"
    assert marking_text(data).startswith("BẢN KIỂM SOÁT  Số bản: 02")
    # The logo stays, related from the header.
    header_rels = part(data, "word/_rels/header1.xml.rels").decode()
    assert "image" in header_rels
    assert header_xml(data).find(f".//{{{W}}}drawing") is not None
    # The template's styles, not ours.
    assert document.styles["Heading 1"].font.color.rgb == RGBColor(0x1F, 0x4E, 0x79)
    assert document.styles["Normal"].font.name == "Arial"
    assert document.styles["QMS Table Text"].font.italic is True
    # Styles the template lacks are added.
    assert document.styles["QMS Marking"] is not None
    # Its body is not.
    assert "Nội dung mẫu" not in all_text(data)
    # Layout is Decree 30 whatever the template says.
    assert round(document.sections[0].left_margin.mm) == 30


def test_templated_exports_are_deterministic(repo: Repository, template: Template) -> None:
    context = ExportContext(config=repo.config, template=template)
    again = ExportContext(config=repo.config, template=Template(agency_template()))
    info = ExportInfo(DocumentState.EFFECTIVE)
    first = DocumentRenderer(repo.document("CSCL"), context=context, info=info).copy()
    second = DocumentRenderer(repo.document("CSCL"), context=again, info=info).copy()
    assert first == second


def test_registers_use_the_template_too(repo: Repository, template: Template) -> None:
    import datetime as dt

    context = ExportContext(config=repo.config, template=template)
    data = render_internal_register([], context=context, as_of=dt.date(2026, 1, 1))
    assert LETTERHEAD in all_text(data)


def test_a_dotx_template_is_accepted() -> None:
    data = agency_template()
    types = part(data, "[Content_Types].xml").replace(
        b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml"
    )
    template = Template(rezip(data, {"[Content_Types].xml": types}), name="mau.dotx")
    assert b"document.main+xml" in part(template.data, "[Content_Types].xml")


def _refused(data: bytes, words: str) -> None:
    with pytest.raises(InvalidDocument) as caught:
        Template(data, name="mau-iso.docx")
    assert caught.value.field == "export.template"
    assert caught.value.file == "mau-iso.docx"
    assert words in str(caught.value)


def test_not_a_zip_is_refused() -> None:
    _refused(b"PK\x03\x04 this is not really a zip", "not a .docx file")
    _refused(b"", "not a .docx file")
    _refused(agency_template()[:2000], "not a .docx file")


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    _refused(out.getvalue(), "not a .docx file")


def test_an_external_relationship_is_refused() -> None:
    data = agency_template()
    rels = part(data, "word/_rels/document.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/image" Target="file:///etc/passwd" TargetMode="External"/></Relationships>',
    )
    _refused(rezip(data, {"word/_rels/document.xml.rels": rels}), "outside the package")


def test_a_remote_attached_template_is_refused() -> None:
    data = agency_template()
    settings_rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/attachedTemplate" Target="http://example.invalid/t.dotm" '
        b'TargetMode="External"/></Relationships>'
    )
    _refused(rezip(data, add={"word/_rels/settings.xml.rels": settings_rels}), "attachedTemplate")


def test_a_relationship_escaping_the_package_is_refused() -> None:
    data = agency_template()
    rels = part(data, "word/_rels/document.xml.rels").replace(
        b'Target="styles.xml"', b'Target="../../../../etc/passwd"'
    )
    _refused(rezip(data, {"word/_rels/document.xml.rels": rels}), "outside the package")


def test_an_entry_outside_the_package_is_refused() -> None:
    _refused(rezip(agency_template(), add={"../evil.xml": b"<x/>"}), "outside the package")
    _refused(rezip(agency_template(), add={"/etc/evil.xml": b"<x/>"}), "outside the package")


def test_a_huge_entry_is_refused() -> None:
    bomb = rezip(agency_template(), add={"word/media/bomb.bin": bytes(MAX_ENTRY_BYTES + 1)})
    assert len(bomb) < 1_000_000  # a zip bomb: small file, huge entry
    _refused(bomb, "at most")


def test_too_many_entries_are_refused() -> None:
    extra = {f"customXml/extra{i}.xml": b"<x/>" for i in range(MAX_ENTRIES)}
    _refused(rezip(agency_template(), add=extra), "entries")


def test_a_duplicate_entry_is_refused() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate it writes
        data = rezip(agency_template(), add={"word/document.xml": b"<other/>"})
    _refused(data, "twice")


def test_macros_are_refused() -> None:
    _refused(rezip(agency_template(), add={"word/vbaProject.bin": b"\x00" * 64}), "macros")


def test_a_dtd_is_refused() -> None:
    data = agency_template()
    document = part(data, "word/document.xml")
    evil = document.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)
    _refused(rezip(data, {"word/document.xml": evil}), "DTD")


def test_a_template_python_docx_cannot_read_is_refused() -> None:
    data = agency_template()
    _refused(rezip(data, {"word/document.xml": b"<not-word/>"}), "python-docx cannot read it")


def test_the_template_of_the_repository_in_practice(repo: Repository, tmp_path: Path) -> None:
    # As the caller loads it: the bytes of the file qms.yaml names.
    path = tmp_path / "mau.docx"
    path.write_bytes(agency_template())
    template = Template(path.read_bytes(), name=path.name)
    context = context_of(repo)
    context = ExportContext(config=context.config, legal=context.legal, template=template)
    data = DocumentRenderer(
        repo.document("BM-TP-01-01"), context=context, info=ExportInfo(DocumentState.DRAFT)
    ).copy()
    assert LETTERHEAD in "".join(texts(header_xml(data)))


def test_a_first_page_letterhead_is_used_on_every_page(repo: Repository) -> None:
    document = docx.Document()
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = LETTERHEAD
    document.add_paragraph().add_run().add_picture(io.BytesIO(_png()))  # in the body: dropped
    buffer = io.BytesIO()
    document.save(buffer)
    context = ExportContext(config=repo.config, template=Template(buffer.getvalue()))
    data = DocumentRenderer(
        repo.document("CSCL"), context=context, info=ExportInfo(DocumentState.EFFECTIVE)
    ).copy()
    assert LETTERHEAD in "".join(texts(header_xml(data)))
    assert b"titlePg" not in part(data, "word/document.xml")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not [n for n in archive.namelist() if n.startswith("word/media/")]
