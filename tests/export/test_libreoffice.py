"""Exports converted to PDF by LibreOffice: text and diacritics survive, page fields compute.

Skipped where LibreOffice (soffice) or poppler (pdftotext, pdfinfo) is not installed. All
files are converted by one soffice run with a private profile, so that it neither waits
for nor disturbs another LibreOffice on the machine.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from qmsdocs.export import (
    DocumentRenderer,
    ExportInfo,
    Marking,
    external_rows,
    internal_row,
    render_external_register,
    render_internal_register,
)
from qmsdocs.lifecycle import DocumentState
from tests.export.support_copies import COMMIT, context_of, sample_repository

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("soffice", "pdftotext", "pdfinfo")),
    reason="LibreOffice (soffice) and poppler (pdftotext, pdfinfo) are needed",
)

DAY = dt.date(2026, 3, 5)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Convert a copy of every kind and two registers, in one soffice run."""
    folder = tmp_path_factory.mktemp("lo")
    repo = sample_repository(folder)
    context = context_of(repo)
    out = folder / "docx"
    out.mkdir()

    def copy(code: str, state: DocumentState, marking: Marking, name: str) -> None:
        renderer = DocumentRenderer(
            repo.document(code), context=context, info=ExportInfo(state, commit=COMMIT)
        )
        (out / f"{name}.docx").write_bytes(renderer.copy(marking))

    copy(
        "QT-TP-01", DocumentState.EFFECTIVE, Marking.controlled(3, "Bộ phận Một cửa"), "controlled"
    )
    copy("QT-01", DocumentState.DRAFT, Marking(), "draft")
    copy("CSCL", DocumentState.SUPERSEDED, Marking.uncontrolled(DAY), "superseded")
    copy("MTCL-2025", DocumentState.EFFECTIVE, Marking(), "objectives")
    copy("BM-TP-01-01", DocumentState.EFFECTIVE, Marking(), "form")
    # the same numbers at every position of a line and of a narrow cell: one would break
    # inside if anything let it
    procedure = repo.document("QT-TP-01")
    padded = [
        step.model_copy(
            update={
                "action": f"Đối chiếu {'x' * (n % 9)} {'mẫu ' * (n // 9)}theo 123/2015/NĐ-CP, "
                "04/2020/TT-BTP và 1520/QĐ-UBND."
            }
        )
        for n, step in enumerate(procedure.steps * 5)
    ]
    padded = [step.model_copy(update={"no": n}) for n, step in enumerate(padded, start=1)]
    purpose = " ".join(f"{'a' * n} theo 123/2015/NĐ-CP." for n in range(1, 40))
    numbers = procedure.model_copy(update={"steps": padded, "purpose": purpose})
    renderer = DocumentRenderer(
        numbers, context=context, info=ExportInfo(DocumentState.EFFECTIVE, commit=COMMIT)
    )
    (out / "numbers.docx").write_bytes(renderer.copy(Marking()))
    (out / "external.docx").write_bytes(
        render_external_register(external_rows(repo.legal, DAY), context=context, as_of=DAY)
    )
    rows = [internal_row(d, DocumentState.EFFECTIVE, config=repo.config) for d in repo]
    (out / "internal.docx").write_bytes(render_internal_register(rows, context=context, as_of=DAY))
    profile = (folder / "profile").as_uri()
    pdf = folder / "pdf"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(pdf),
            *sorted(str(p) for p in out.glob("*.docx")),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {p.stem: p for p in pdf.glob("*.pdf")}


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
    assert match
    return int(match.group(1))


def text(pdf: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    result = subprocess.run([*args, str(pdf), "-"], capture_output=True, check=True)
    return unicodedata.normalize("NFC", result.stdout.decode("utf-8"))


def test_libreoffice_converts_every_export(pdfs: dict[str, Path]) -> None:
    assert sorted(pdfs) == [
        "controlled",
        "draft",
        "external",
        "form",
        "internal",
        "numbers",
        "objectives",
        "superseded",
    ]
    assert all(pages(pdf) >= 1 for pdf in pdfs.values())


def test_text_and_diacritics_survive(pdfs: dict[str, Path]) -> None:
    controlled = " ".join(text(pdfs["controlled"]).split())  # lines joined
    for phrase in (
        "ỦY BAN NHÂN DÂN PHƯỜNG AN HÒA",
        "QUY TRÌNH ĐĂNG KÝ KHAI SINH",
        "Mã hiệu: QT-TP-01",
        "Lần ban hành: 03",
        "Nguyễn Văn Hùng",
        "THEO DÕI SỬA ĐỔI TÀI LIỆU",
        "ĐỊNH NGHĨA VÀ CHỮ VIẾT TẮT",
        "Cơ sở dữ liệu hộ tịch điện tử",
        "Biểu mẫu/Kết quả",
    ):
        assert phrase in controlled, phrase
    external = " ".join(text(pdfs["external"]).split())
    assert "DANH MỤC TÀI LIỆU BÊN NGOÀI" in external
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in external
    assert "Còn hiệu" in external and "toàn bộ" in external  # cells wrap


@pytest.mark.parametrize("name", ["controlled", "draft", "objectives", "form", "superseded"])
def test_page_fields_count_the_pages(pdfs: dict[str, Path], name: str) -> None:
    total = pages(pdfs[name])
    for page in (1, total):
        assert f"Trang: {page}/{total}" in text(pdfs[name], page)


def test_register_pages_are_numbered(pdfs: dict[str, Path]) -> None:
    total = pages(pdfs["external"])
    assert total > 1
    assert f"Trang {total}/{total}" in text(pdfs["external"], total)


def test_markings_and_watermarks_are_printed(pdfs: dict[str, Path]) -> None:
    controlled = text(pdfs["controlled"], 1)
    assert "BẢN KIỂM SOÁT" in controlled
    assert "Số bản: 03 – Nơi nhận: Bộ phận Một cửa" in controlled
    assert "DỰ THẢO" not in controlled and "HẾT HIỆU LỰC" not in controlled
    assert "DỰ THẢO" in text(pdfs["draft"], 1)
    superseded = text(pdfs["superseded"], 1)
    assert "HẾT HIỆU LỰC" in superseded
    assert "BẢN KHÔNG KIỂM SOÁT" in superseded and "In ngày 05/03/2026" in superseded


def test_footer_traces_every_page(pdfs: dict[str, Path]) -> None:
    total = pages(pdfs["controlled"])
    for page in range(1, total + 1):
        assert f"Commit: {COMMIT[:12]}" in text(pdfs["controlled"], page)


def test_the_agency_name_breaks_between_its_phrases_only(pdfs: dict[str, Path]) -> None:
    """Not "ỦY BAN NHÂN / DÂN PHƯỜNG AN / HÒA": Decree 30 prints the unit on its own line."""
    for name in ("controlled", "draft", "form"):
        lines = [line.strip() for line in text(pdfs[name], 1).splitlines()]
        assert "ỦY BAN NHÂN DÂN" in lines and "PHƯỜNG AN HÒA" in lines, name


def test_legal_numbers_never_break_inside(pdfs: dict[str, Path]) -> None:
    """Each number, at every position of a line and of a narrow cell, is printed on one line."""
    import zipfile

    source = pdfs["numbers"].parent.parent / "docx" / "numbers.docx"
    xml = zipfile.ZipFile(source).read("word/document.xml").decode("utf-8")
    body = re.sub(r"<[^>]+>", "", xml.replace("<w:noBreakHyphen/>", "-"))
    printed = text(pdfs["numbers"])
    for number in ("123/2015/NĐ-CP", "04/2020/TT-BTP", "1520/QĐ-UBND"):
        assert body.count(number) >= 30
        assert printed.count(number) == body.count(number), number
