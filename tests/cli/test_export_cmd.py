"""``qms export`` and ``qms registers`` on the demo repository."""

from __future__ import annotations

import zipfile
from pathlib import Path

from qmsdocs import Repository
from qmsdocs.cli.main import main


def _xml(path: Path, prefix: str = "word/") -> str:
    """Return the XML parts of a .docx, a non-breaking hyphen read as the hyphen it shows."""
    with zipfile.ZipFile(path) as package:
        return "".join(
            package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.startswith(prefix) and name.endswith(".xml")
        ).replace("</w:t><w:noBreakHyphen/><w:t>", "-")


def test_export_all_writes_every_document_and_the_same_bytes_twice(
    demo_master: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert (
        main(["-C", str(demo_master), "export", "--all", "--out", str(first), "--workers", "1"])
        == 0
    )
    assert (
        main(["-C", str(demo_master), "export", "--all", "--out", str(second), "--workers", "1"])
        == 0
    )
    names = sorted(p.name for p in first.iterdir())
    assert len(names) == len(Repository.open(demo_master))
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_superseded_revision_is_marked_obsolete_and_the_current_one_is_not(
    demo_master: Path, tmp_path: Path
) -> None:
    assert (
        main(["-C", str(demo_master), "export", "QT-01", "--rev", "1", "--out", str(tmp_path)]) == 0
    )
    assert "HẾT HIỆU LỰC" in _xml(tmp_path / "QT-01_r1.docx", "word/header")
    assert main(["-C", str(demo_master), "export", "QT-01", "--out", str(tmp_path)]) == 0
    current = Repository.open(demo_master).document("QT-01").revision
    assert "HẾT HIỆU LỰC" not in _xml(tmp_path / f"QT-01_r{current}.docx", "word/header")


def test_an_uncontrolled_copy_carries_its_print_date(demo_master: Path, tmp_path: Path) -> None:
    args = [
        "export",
        "QT-TP-01",
        "--uncontrolled",
        "--printed",
        "21/11/2026",
        "--out",
        str(tmp_path),
    ]
    assert main(["-C", str(demo_master), *args]) == 0
    (path,) = tmp_path.iterdir()
    text = _xml(path)
    assert "BẢN KHÔNG KIỂM SOÁT" in text and "21/11/2026" in text


def test_registers_are_written(demo_master: Path, tmp_path: Path) -> None:
    assert main(["-C", str(demo_master), "registers", "--out", str(tmp_path)]) == 0
    internal = _xml(tmp_path / "danh-muc-tai-lieu-noi-bo.docx")
    external = _xml(tmp_path / "danh-muc-tai-lieu-ben-ngoai.docx")
    assert "QT-TP-01" in internal and "19/2014/QĐ-TTg" in external


def test_export_needs_one_code_or_all(demo_master: Path, tmp_path: Path) -> None:
    assert main(["-C", str(demo_master), "export", "--out", str(tmp_path)]) == 2
    assert (
        main(["-C", str(demo_master), "export", "QT-01", "--rev", "99", "--out", str(tmp_path)])
        == 1
    )
