"""Controlled copies read back with python-docx: header block, tables, markings, watermarks."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from qmsdocs import Repository, content_stamp
from qmsdocs.errors import QmsError
from qmsdocs.export import (
    DocumentRenderer,
    ExportContext,
    ExportInfo,
    Marking,
    render_document,
    save,
    watermark_text,
    write_document,
)
from qmsdocs.history import load_revision
from qmsdocs.lifecycle import DocumentState
from qmsdocs.model import DocumentKind, Procedure
from tests.conftest import SAMPLE
from tests.export.support_copies import (
    COMMIT,
    NS,
    W,
    all_text,
    cell_texts,
    context_of,
    footer_text,
    header_xml,
    is_nfc,
    marking_text,
    part,
    reopen,
    sample_repository,
    texts,
    watermark_texts,
)

GOLDEN = Path(__file__).parent / "golden" / "QT-TP-01.document.xml"
GOLDEN_INPUT = GOLDEN.with_name("QT-TP-01.yaml")
EFFECTIVE = ExportInfo(state=DocumentState.EFFECTIVE, commit=COMMIT)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    return sample_repository(tmp_path_factory.mktemp("export"))


@pytest.fixture(scope="module")
def context(repo: Repository) -> ExportContext:
    return context_of(repo)


@pytest.fixture(scope="module")
def qt_tp_01(repo: Repository, context: ExportContext) -> DocumentRenderer:
    return DocumentRenderer(repo.document("QT-TP-01"), context=context, info=EFFECTIVE)


def test_page_is_a4_with_decree_30_margins_and_times_new_roman(
    qt_tp_01: DocumentRenderer,
) -> None:
    document = reopen(qt_tp_01.copy())
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm, 1) <= 25
    assert 20 <= round(section.bottom_margin.mm, 1) <= 25
    assert 30 <= round(section.left_margin.mm, 1) <= 35
    assert 15 <= round(section.right_margin.mm, 1) <= 20
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert 13 <= normal.font.size.pt <= 14
    defaults = part(qt_tp_01.copy(), "word/styles.xml")
    assert b'w:ascii="Times New Roman"' in defaults


def test_header_block_shows_agency_title_code_revision_dates_and_page_fields(
    qt_tp_01: DocumentRenderer,
) -> None:
    data = qt_tp_01.copy()
    header = reopen(data).sections[0].header
    assert len(header.tables) == 1
    agency, title, facts = cell_texts(header.tables[0])[0]
    assert agency == "ỦY BAN NHÂN DÂN\nPHƯỜNG AN HÒA"  # the unit on its own line (Decree 30)
    assert title == "QUY TRÌNH ĐĂNG KÝ KHAI SINH"
    lines = facts.split("\n")
    assert lines[:4] == [
        "Mã hiệu: QT-TP-01",
        "Lần ban hành: 03",
        "Ngày ban hành: 21/07/2025",
        "Ngày hiệu lực: 25/07/2025",
    ]
    assert lines[4].startswith("Trang: ")
    instructions = [i.text.strip() for i in header_xml(data).iter(f"{{{W}}}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    kinds = [c.get(f"{{{W}}}fldCharType") for c in header_xml(data).iter(f"{{{W}}}fldChar")]
    assert kinds == ["begin", "separate", "end"] * 2


def test_signature_grid_has_meaning_columns_and_name_title_time_rows(
    qt_tp_01: DocumentRenderer,
) -> None:
    grid = cell_texts(reopen(qt_tp_01.copy()).tables[0])
    assert grid[0] == ["Trách nhiệm", "Soạn thảo", "Xem xét", "Phê duyệt"]
    assert grid[1] == ["Họ và tên", "Hoàng Văn Nam", "Trần Thị Mai", "Nguyễn Văn Hùng"]
    assert grid[2][0] == "Chức vụ" and grid[2][3] == "Chủ tịch UBND phường"
    assert grid[3] == ["Chữ ký"] + ["Đã ký điện tử"] * 3
    assert grid[4] == [
        "Ngày giờ ký",
        "14/07/2025 09:00 (UTC+07:00)",
        "17/07/2025 15:20 (UTC+07:00)",
        "21/07/2025 08:30 (UTC+07:00)",
    ]


def test_change_history_has_the_configured_columns(
    repo: Repository, context: ExportContext, qt_tp_01: DocumentRenderer
) -> None:
    history = cell_texts(reopen(qt_tp_01.copy()).tables[1])
    assert history[0] == ["Ngày", "Nội dung sửa đổi", "Lần ban hành"]
    assert [row[2] for row in history[1:]] == ["01", "02", "03"]
    assert history[1][:2] == ["15/03/2021", "Ban hành lần đầu"]

    export = repo.config.export.model_copy(
        update={"change_history_columns": ["no", "revision", "pages", "description", "note"]}
    )
    other = ExportContext(
        config=repo.config.model_copy(update={"export": export}),
        legal=repo.legal,
        titles=context.titles,
    )
    data = render_document(repo.document("QT-TP-01"), context=other, info=EFFECTIVE)
    history = cell_texts(reopen(data).tables[1])
    assert history[0] == ["STT", "Lần ban hành", "Trang", "Nội dung sửa đổi", "Ghi chú"]
    assert [row[0] for row in history[1:]] == ["1", "2", "3"]


def test_procedure_sections_and_step_table(repo: Repository, qt_tp_01: DocumentRenderer) -> None:
    procedure = repo.document("QT-TP-01")
    assert isinstance(procedure, Procedure) and procedure.tthc is not None
    document = reopen(qt_tp_01.copy())
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "THEO DÕI SỬA ĐỔI TÀI LIỆU",
        "1. MỤC ĐÍCH",
        "2. PHẠM VI ÁP DỤNG",
        "3. TÀI LIỆU VIỆN DẪN",
        "4. ĐỊNH NGHĨA VÀ CHỮ VIẾT TẮT",
        "5. NỘI DUNG QUY TRÌNH",
        "6. BIỂU MẪU",
        "7. HỒ SƠ CẦN LƯU",
    ]
    subheadings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert "5.4. Thành phần hồ sơ" in subheadings
    assert subheadings[-1] == "5.14. Quy trình xử lý công việc"
    tables = [cell_texts(t) for t in document.tables]
    steps = next(t for t in tables if t[0][0] == "Bước")
    assert steps[0] == [
        "Bước",
        "Nội dung công việc",
        "Trách nhiệm",
        "Thời gian",
        "Biểu mẫu/Kết quả",
    ]
    assert len(steps) - 1 == len(procedure.steps)
    for row, step in zip(steps[1:], procedure.steps, strict=True):
        assert row[:3] == [str(step.no), step.action, step.responsible]
        assert row[3] == (step.time or "")
        assert all(code in row[4] for code in step.forms)
    dossier = next(t for t in tables if t[0][1] == "Tên thành phần hồ sơ")
    assert len(dossier) - 1 == len(procedure.tthc.dossier)
    assert dossier[1][1:4] == ["Tờ khai đăng ký khai sinh theo mẫu (Mẫu BM-TP-01-01)", "01", "-"]
    forms = next(t for t in tables if t[0][1:] == ["Mã hiệu", "Tên biểu mẫu"])
    assert [r[1] for r in forms[1:]] == procedure.forms
    assert forms[-1][2] == "Tờ khai đăng ký khai sinh"
    records = tables[-1]
    assert records[0] == ["STT", "Tên hồ sơ", "Nơi lưu", "Thời gian lưu"]
    assert [r[1] for r in records[1:]] == [r.name for r in procedure.records]


def test_legal_basis_is_cited_in_full_once_per_document(qt_tp_01: DocumentRenderer) -> None:
    body = [p.text for p in reopen(qt_tp_01.copy()).paragraphs]
    assert (
        "-\tLuật Hộ tịch số 60/2014/QH13 ngày 20/11/2014 (Điều 16: Thủ tục đăng ký khai sinh; "
        "Điều 11: Miễn lệ phí đăng ký khai sinh đúng hạn)"
    ) in body
    assert any(
        t.startswith("-\tNghị định số 63/2010/NĐ-CP ngày 08/06/2010 của Chính phủ về kiểm soát")
        and t.endswith("(Khoản 2 Điều 8)")
        for t in body
    )
    assert "-\tTCVN ISO 9001:2015 Hệ thống quản lý chất lượng - Các yêu cầu" in body
    assert sum("60/2014/QH13" in t for t in body) == 1


def test_controlled_copy_shows_copy_number_and_holder(qt_tp_01: DocumentRenderer) -> None:
    data = qt_tp_01.copy(Marking.controlled(3, "Bộ phận Một cửa"))
    assert marking_text(data) == "BẢN KIỂM SOÁT  Số bản: 03 – Nơi nhận: Bộ phận Một cửa"
    header = header_xml(data)
    boxed = [r for r in header.iter(f"{{{W}}}r") if r.find("w:rPr/w:bdr", NS) is not None]
    assert ["".join(texts(r)) for r in boxed] == ["BẢN KIỂM SOÁT"]


def test_uncontrolled_copy_shows_the_print_date(qt_tp_01: DocumentRenderer) -> None:
    data = qt_tp_01.copy(Marking.uncontrolled(dt.date(2026, 3, 5)))
    assert marking_text(data) == "BẢN KHÔNG KIỂM SOÁT  In ngày 05/03/2026"


def test_unmarked_copy_has_no_marking(qt_tp_01: DocumentRenderer) -> None:
    assert marking_text(qt_tp_01.copy()) == ""
    assert "KIỂM SOÁT" not in all_text(qt_tp_01.copy())


def test_markings_need_their_inputs() -> None:
    with pytest.raises(QmsError):
        Marking.controlled(0)
    with pytest.raises(QmsError):
        Marking("uncontrolled")
    with pytest.raises(QmsError):
        Marking("stamped")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "watermark"),
    [
        (DocumentState.DRAFT, "DỰ THẢO"),
        (DocumentState.IN_REVIEW, "DỰ THẢO"),
        (DocumentState.PENDING, None),
        (DocumentState.EFFECTIVE, None),
        (DocumentState.SUPERSEDED, "HẾT HIỆU LỰC"),
        (DocumentState.WITHDRAWN, "HẾT HIỆU LỰC"),
    ],
)
def test_watermark_follows_the_state(
    repo: Repository, context: ExportContext, state: DocumentState, watermark: str | None
) -> None:
    data = render_document(repo.document("CSCL"), context=context, info=ExportInfo(state=state))
    assert watermark_texts(data) == ([watermark] if watermark else [])
    assert watermark_text(state) == watermark
    if watermark:
        anchor = header_xml(data).find(".//{*}anchor")
        assert anchor.get("behindDoc") == "1"


def test_footer_traces_the_copy_to_stamp_and_commit(
    repo: Repository, qt_tp_01: DocumentRenderer, context: ExportContext
) -> None:
    stamp = content_stamp(repo.document("QT-TP-01"))
    footer = footer_text(qt_tp_01.copy())
    assert stamp[:19] in footer and COMMIT[:12] in footer
    assert footer == (
        f"QT-TP-01 – Lần ban hành 03 – Dấu nội dung: {stamp[:19]} – Commit: {COMMIT[:12]}"
    )
    working = render_document(
        repo.document("QT-TP-01"), context=context, info=ExportInfo(DocumentState.DRAFT)
    )
    assert footer_text(working).endswith("Commit: bản làm việc, chưa commit")


def test_a_stale_signature_is_shown_as_such(repo: Repository, context: ExportContext) -> None:
    procedure = repo.document("QT-TP-01").model_copy(update={"purpose": "Mục đích đã sửa."})
    data = render_document(procedure, context=context, info=ExportInfo(DocumentState.DRAFT))
    grid = cell_texts(reopen(data).tables[0])
    assert grid[3][1:] == ["Đã ký điện tử (nội dung đã thay đổi sau khi ký)"] * 3


def test_every_sample_document_renders_with_nfc_text(
    repo: Repository, context: ExportContext
) -> None:
    for document in repo:
        data = render_document(document, context=context, info=EFFECTIVE)
        text = all_text(data)
        assert document.code in text
        assert is_nfc(text), document.code
        reopen(data)


def test_policy_objectives_and_form_content(repo: Repository, context: ExportContext) -> None:
    policy = reopen(render_document(repo.document("CSCL"), context=context, info=EFFECTIVE))
    body = [p.text for p in policy.paragraphs]
    assert "Tuyên bố chính sách" in body and "Cam kết" in body and "Nơi niêm yết" in body
    assert "Ngày niêm yết: 18/08/2025" in body

    objectives = repo.document("MTCL-2025")
    document = reopen(render_document(objectives, context=context, info=EFFECTIVE))
    summary = next(cell_texts(t) for t in document.tables if cell_texts(t)[0][1] == "Mục tiêu")
    assert len(summary) - 1 == len(objectives.objectives)  # type: ignore[union-attr]
    assert summary[1][3] == "100%" and summary[1][5] == "Không đạt"
    assert summary[1][4].startswith("31/12/2025: 6.912/6.921")
    plans = [cell_texts(t) for t in document.tables if cell_texts(t)[0][1] == "Hành động"]
    assert len(plans) == len(objectives.objectives)  # type: ignore[union-attr]

    form = reopen(render_document(repo.document("BM-TP-01-01"), context=context, info=EFFECTIVE))
    info = {row[0]: row[1] for row in cell_texts(form.tables[0])}
    assert info["Quy trình sử dụng"] == "QT-TP-01 – Quy trình đăng ký khai sinh"


def test_withdrawn_document_says_why(repo: Repository, context: ExportContext) -> None:
    withdrawn = repo.document("QT-08")
    assert withdrawn.withdrawal is not None
    data = render_document(
        withdrawn, context=context, info=ExportInfo(state=DocumentState.WITHDRAWN)
    )
    body = "\n".join(p.text for p in reopen(data).paragraphs)
    assert f"Tài liệu đã bị hủy bỏ từ ngày {withdrawn.withdrawal.date:%d/%m/%Y}" in body
    assert watermark_texts(data) == ["HẾT HIỆU LỰC"]


def test_english_labels(repo: Repository) -> None:
    context = ExportContext(
        config=repo.config.model_copy(update={"language": "en"}),
        legal=repo.legal,
        titles={d.code: d.title for d in repo},
    )
    renderer = DocumentRenderer(
        repo.document("QT-TP-01"), context=context, info=ExportInfo(DocumentState.SUPERSEDED)
    )
    data = renderer.copy(Marking.controlled(1, "One-stop shop"))
    document = reopen(data)
    facts = cell_texts(document.sections[0].header.tables[0])[0][2].split("\n")
    assert facts[:2] == ["Code: QT-TP-01", "Revision: 03"]
    assert facts[4].startswith("Page: ")
    assert cell_texts(document.tables[0])[0] == [
        "Responsible",
        "Prepared by",
        "Reviewed by",
        "Approved by",
    ]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[1:3] == ["1. PURPOSE", "2. SCOPE"]
    assert marking_text(data) == "CONTROLLED COPY  Copy No.: 01 – Holder: One-stop shop"
    assert watermark_texts(data) == ["OBSOLETE"]
    assert "Luật Hộ tịch No. 60/2014/QH13 of 20/11/2014" in all_text(data)
    # The content stays as the officers wrote it.
    assert "Quy định trình tự, thủ tục" in all_text(data)


def test_text_is_escaped_and_illegal_characters_replaced(
    repo: Repository, context: ExportContext
) -> None:
    nasty = "A & B <w:t>x</w:t> \"q\" 'a' \x00\x01\x0b\x1f\ufffe end"
    procedure = repo.document("QT-TP-01").model_copy(update={"purpose": nasty})
    renderer = DocumentRenderer(procedure, context=context, info=EFFECTIVE)
    data = renderer.copy(Marking.controlled(2, 'Nơi <nhận> & \x07 "bản"\n thứ hai'))
    document = reopen(data)
    purpose = next(p.text for p in document.paragraphs if p.text.startswith("A & B"))
    assert purpose == "A & B <w:t>x</w:t> \"q\" 'a' \ufffd\ufffd\ufffd\ufffd\ufffd end"
    assert (
        marking_text(data)
        == 'BẢN KIỂM SOÁT  Số bản: 02 – Nơi nhận: Nơi <nhận> & \ufffd "bản" thứ hai'
    )
    for name in ("word/document.xml", "word/header1.xml"):
        etree.fromstring(part(data, name))  # well-formed


def test_same_inputs_give_the_same_bytes(repo: Repository, context: ExportContext) -> None:
    document = repo.document("QT-TP-01")
    info = ExportInfo(state=DocumentState.EFFECTIVE, commit=COMMIT, marking=Marking.controlled(7))
    first = render_document(document, context=context, info=info)
    second = render_document(document, context=context, info=info)
    assert first == second
    renderer = DocumentRenderer(document, context=context, info=info)
    assert renderer.copy() == first == renderer.copy(Marking.controlled(7))
    assert renderer.copy(Marking.controlled(8)) != first


def test_zip_entries_are_ordered_and_timestamped_1980(qt_tp_01: DocumentRenderer) -> None:
    with zipfile.ZipFile(io.BytesIO(qt_tp_01.copy())) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
        assert names[2:] == sorted(names[2:])
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "docProps/thumbnail.jpeg" not in names


def test_core_properties_come_from_the_document(qt_tp_01: DocumentRenderer) -> None:
    properties = reopen(qt_tp_01.copy()).core_properties
    assert properties.title == "Quy trình đăng ký khai sinh"
    assert properties.author == "Hoàng Văn Nam"
    assert properties.last_modified_by == "Nguyễn Văn Hùng"
    assert properties.created == dt.datetime(2025, 7, 14, 2, 0, tzinfo=dt.UTC)
    assert properties.modified == dt.datetime(2025, 7, 21, 1, 30, tzinfo=dt.UTC)
    assert properties.revision == 3
    assert properties.identifier.startswith("sha256:")
    app = part(qt_tp_01.copy(), "docProps/app.xml").decode()
    assert "<Application>qmsdocs</Application>" in app and "python-docx" not in app


def test_write_to_a_path_or_a_stream(
    repo: Repository, context: ExportContext, tmp_path: Path
) -> None:
    document = repo.document("BM-TP-01-01")
    target = tmp_path / "out" / "BM-TP-01-01.docx"
    write_document(document, target, context=context, info=EFFECTIVE)
    stream = io.BytesIO()
    write_document(document, stream, context=context, info=EFFECTIVE)
    assert target.read_bytes() == stream.getvalue()
    renderer = DocumentRenderer(document, context=context, info=EFFECTIVE)
    renderer.write(os.fspath(tmp_path / "copy.docx"), Marking.controlled(1))
    assert (tmp_path / "copy.docx").read_bytes() == renderer.copy(Marking.controlled(1))
    blocked = tmp_path / "file"
    blocked.write_text("x")
    with pytest.raises(QmsError):
        save(b"x", blocked / "sub" / "a.docx")


def _pretty(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), pretty_print=True, encoding="UTF-8")


def test_golden_document_xml(repo: Repository, context: ExportContext) -> None:
    """The body of QT-TP-01, byte for byte, from a snapshot of its YAML.

    The snapshot keeps the test independent of later edits of the sample. After a change
    of layout (or to follow the sample), regenerate both files with QMS_REGEN_GOLDEN=1
    and review the diff.
    """
    if os.environ.get("QMS_REGEN_GOLDEN") == "1":
        GOLDEN_INPUT.write_bytes((SAMPLE / "procedures" / "QT-TP-01.yaml").read_bytes())
    document = load_revision(
        GOLDEN_INPUT.read_bytes(), kind=DocumentKind.PROCEDURE, file=GOLDEN_INPUT.name
    )
    data = DocumentRenderer(document, context=context, info=EFFECTIVE).copy()
    actual = _pretty(part(data, "word/document.xml"))
    if os.environ.get("QMS_REGEN_GOLDEN") == "1":
        GOLDEN.write_bytes(actual)
    assert actual == GOLDEN.read_bytes(), "layout changed: review, then QMS_REGEN_GOLDEN=1"
