"""Registers: internal and external document lists, distribution and recall lists."""

from __future__ import annotations

import datetime as dt

import pytest
from docx.enum.section import WD_ORIENT

from qmsdocs import Repository
from qmsdocs.export import (
    DistributionRow,
    ExportContext,
    ExternalRow,
    external_rows,
    internal_row,
    render_distribution_register,
    render_external_register,
    render_internal_register,
)
from qmsdocs.lifecycle import DocumentState
from qmsdocs.model import LegalStatus, LegalType
from tests.export.support_copies import all_text, cell_texts, context_of, reopen, sample_repository

DAY = dt.date(2026, 3, 5)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    return sample_repository(tmp_path_factory.mktemp("registers"))


@pytest.fixture(scope="module")
def context(repo: Repository) -> ExportContext:
    return context_of(repo)


def _body(data: bytes) -> list[str]:
    return [p.text for p in reopen(data).paragraphs]


def test_external_rows_compute_status_and_what_acted_on_each(repo: Repository) -> None:
    rows = {row.number: row for row in external_rows(repo.legal, DAY)}
    assert len(rows) == len(repo.legal)
    assert rows["19/2014/QĐ-TTg"].status is LegalStatus.IN_FORCE
    old = rows["144/2006/QĐ-TTg"]
    assert old.status is LegalStatus.EXPIRED
    assert old.note is not None
    assert "Được sửa đổi, bổ sung bởi 118/2009/QĐ-TTg" in old.note
    assert "Được thay thế bởi 19/2014/QĐ-TTg" in old.note
    assert rows["77/2015/QH13"].note == "Được thay thế bởi 65/2025/QH15"
    # As of a day before the replacement, the old law was in force and nothing acted on it.
    before = {r.number: r for r in external_rows(repo.legal, dt.date(2015, 1, 1))}
    assert before["144/2006/QĐ-TTg"].status is LegalStatus.EXPIRED
    assert before["19/2014/QĐ-TTg"].status is LegalStatus.IN_FORCE
    assert before["65/2025/QH15"].status is LegalStatus.NOT_YET_IN_FORCE
    kinds = [r.type for r in external_rows(repo.legal, DAY)]
    assert kinds[0] is LegalType.LAW and kinds[-1] in (LegalType.STANDARD, LegalType.OTHER)


def test_external_register(repo: Repository, context: ExportContext) -> None:
    rows = external_rows(repo.legal, DAY)
    data = render_external_register(rows, context=context, as_of=DAY)
    document = reopen(data)
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    body = _body(data)
    assert "DANH MỤC TÀI LIỆU BÊN NGOÀI" in body
    assert "(Cập nhật đến ngày 05/03/2026)" in body
    assert f"Tổng số: {len(rows)}" in body
    top = cell_texts(document.tables[0])[0]
    assert top[1].split("\n") == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    table = cell_texts(document.tables[1])
    assert table[0] == [
        "STT",
        "Số, ký hiệu",
        "Ngày ban hành",
        "Cơ quan ban hành",
        "Trích yếu nội dung",
        "Ngày hiệu lực",
        "Tình trạng hiệu lực",
        "Ghi chú",
    ]
    assert len(table) - 1 == len(rows)
    by_number = {row[1]: row for row in table[1:]}
    assert by_number["144/2006/QĐ-TTg"][6] == "Hết hiệu lực toàn bộ"
    assert by_number["19/2014/QĐ-TTg"][6] == "Còn hiệu lực"
    assert by_number["60/2014/QH13"][4] == "Luật Hộ tịch"
    assert by_number["123/2015/NĐ-CP"][4].startswith("Nghị định: Quy định chi tiết")


def test_internal_register(repo: Repository, context: ExportContext) -> None:
    rows = [internal_row(d, DocumentState.EFFECTIVE, config=repo.config) for d in repo]
    rows[0] = internal_row(repo.document("QT-08"), DocumentState.WITHDRAWN, config=repo.config)
    data = render_internal_register(rows, context=context, as_of=DAY)
    table = cell_texts(reopen(data).tables[1])
    assert table[0][:3] == ["STT", "Mã hiệu", "Tên tài liệu"]
    assert len(table) - 1 == len(rows)
    assert table[1][1] == "QT-08" and table[1][8] == "Đã hủy bỏ"
    qt = next(r for r in table if r[1] == "QT-TP-01")
    assert qt[3:] == [
        "Quy trình",
        "03",
        "21/07/2025",
        "25/07/2025",
        "Bộ phận Tư pháp - Hộ tịch",
        "Đang hiệu lực",
    ]


def test_distribution_and_recall_lists(context: ExportContext) -> None:
    rows = [
        DistributionRow(
            code="QT-TP-01",
            title="Quy trình đăng ký khai sinh",
            revision=2,
            copy_number=number,
            holder=holder,
            distributed_on=dt.date(2023, 10, 5),
            state=DocumentState.SUPERSEDED,
        )
        for number, holder in [(1, "Bộ phận Một cửa"), (2, "Công chức Tư pháp - Hộ tịch")]
    ]
    distribution = render_distribution_register(rows, context=context, as_of=DAY)
    assert "DANH SÁCH PHÂN PHỐI TÀI LIỆU" in _body(distribution)
    recall = render_distribution_register(rows, context=context, as_of=DAY, recall=True)
    assert "DANH SÁCH TÀI LIỆU CẦN THU HỒI" in _body(recall)
    table = cell_texts(reopen(recall).tables[1])
    assert table[0][4:8] == ["Số bản", "Nơi nhận", "Ngày phát", "Ngày thu hồi"]
    assert table[1][1:9] == [
        "QT-TP-01",
        "Quy trình đăng ký khai sinh",
        "02",
        "01",
        "Bộ phận Một cửa",
        "05/10/2023",
        "",
        "",
    ]
    assert table[2][9] == "Đã bị thay thế"


def test_an_empty_register_says_so(context: ExportContext) -> None:
    data = render_distribution_register([], context=context, as_of=DAY)
    assert "Không có tài liệu nào." in all_text(data)
    assert "Tổng số: 0" in _body(data)


def test_registers_are_deterministic_and_translated(repo: Repository) -> None:
    english = context_of(repo, language="en")
    rows = [
        ExternalRow(
            number="30/2020/NĐ-CP",
            type=LegalType.DECREE,
            title="Về công tác văn thư",
            issuer="Chính phủ",
            issued_on=dt.date(2020, 3, 5),
            effective_from=dt.date(2020, 3, 5),
            status=LegalStatus.IN_FORCE,
        )
    ]
    first = render_external_register(rows, context=english, as_of=DAY)
    assert first == render_external_register(rows, context=english, as_of=DAY)
    body = _body(first)
    assert "LIST OF EXTERNAL DOCUMENTS" in body and "(As of 05/03/2026)" in body
    table = cell_texts(reopen(first).tables[1])
    assert table[1][4:7] == ["Decree: Về công tác văn thư", "05/03/2020", "In force"]


def test_register_rows_never_split_across_pages_and_the_header_repeats(
    repo: Repository, context: ExportContext
) -> None:
    from docx.oxml.ns import qn

    rows = [internal_row(d, DocumentState.EFFECTIVE, config=repo.config) for d in repo]
    register = reopen(render_internal_register(rows, context=context, as_of=DAY)).tables[1]
    properties = [row._tr.trPr for row in register.rows]
    assert all(p is not None and p.find(qn("w:cantSplit")) is not None for p in properties)
    assert properties[0].find(qn("w:tblHeader")) is not None
    assert all(p.find(qn("w:tblHeader")) is None for p in properties[1:])
