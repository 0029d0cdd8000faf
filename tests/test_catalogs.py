"""The Vietnamese catalog is complete, consistent and compiled; the CLI speaks it."""

from __future__ import annotations

import importlib.util
import re
import string
from pathlib import Path

import pytest

from qmsdocs.cli.main import main
from tests.conftest import PROJECT, SAMPLE

PO = PROJECT / "qmsdocs" / "locale" / "vi" / "LC_MESSAGES" / "qmsdocs.po"
babel = pytest.importorskip("babel")


def _catalogs_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("catalogs", PROJECT / "scripts" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _vi():  # type: ignore[no-untyped-def]
    from babel.messages.pofile import read_po

    with PO.open("rb") as handle:
        return read_po(handle, locale="vi", domain="qmsdocs")


def _fields(text: str) -> set[str]:
    try:
        braces = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    except ValueError:  # a sentence without values is never formatted: "expected ',' or '}'"
        braces = set()
    return braces | set(re.findall(r"%\((\w+)\)s", text))


def test_every_message_has_a_vietnamese_translation() -> None:
    """Fails when code or help gains a message that the catalog does not translate."""
    template = _catalogs_script().template()
    catalog = _vi()
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        strings = [] if translated is None else (
            [translated.string] if isinstance(translated.string, str) else list(translated.string)
        )  # fmt: skip
        if (
            translated is None
            or translated.fuzzy
            or not all(s.strip() for s in strings)
            or not strings
        ):
            missing.append(message.id)
    assert missing == [], (
        f"{len(missing)} messages without Vietnamese (run make catalogs): {missing[:5]}"
    )


def test_translations_keep_the_placeholders() -> None:
    for message in _vi():
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        allowed = set().union(*(_fields(i) for i in ids))
        for text in strings:
            assert _fields(text) <= allowed, (message.id, text)
            if isinstance(message.id, str):
                assert _fields(text) == allowed, (message.id, text)


def test_the_compiled_catalog_is_the_catalog() -> None:
    assert PO.with_suffix(".mo").read_bytes() == _catalogs_script().compiled(PO)


@pytest.fixture(autouse=True)
def _agency_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """No QMS_LANG: the language is the repository's (the sample's is vi)."""
    monkeypatch.delenv("QMS_LANG", raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_is_vietnamese_in_a_vietnamese_repository(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-C", str(SAMPLE), "--help")
    assert code == 0
    assert "Cách dùng:" in out and "Tùy chọn" in out and "Lệnh" in out
    assert "Hiển thị hướng dẫn này rồi thoát." in out
    assert "Show this message" not in out and "Usage:" not in out
    code, out, _ = run(capsys, "-C", str(SAMPLE), "legal", "add", "--help")
    assert "Đăng ký một văn bản pháp luật (một commit)." in out
    assert "Số, ký hiệu đúng như trên văn bản" in out


def test_english_on_request(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, "-C", str(SAMPLE), "--lang", "en", "--help")
    assert "Usage:" in out and "Show this message and exit." in out and "Cách dùng" not in out
    monkeypatch.setenv("QMS_LANG", "en")
    code, out, _ = run(capsys, "-C", str(SAMPLE), "list", "--help")
    assert "Only this kind (repeatable)." in out
    monkeypatch.setenv("QMS_LANG", "vi")
    code, out, _ = run(capsys, "-C", str(SAMPLE), "list", "--help")
    assert "Chỉ loại tài liệu này (có thể lặp lại)." in out


def test_errors_of_the_command_line_are_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "-C", str(SAMPLE), "frobnicate")
    assert code == 2
    assert err == "qms: dùng lệnh chưa đúng: Không có lệnh 'frobnicate'.\nXem 'qms --help'.\n"
    code, _, err = run(capsys, "-C", str(SAMPLE), "legal", "add", "--number", "1/2026/NĐ-CP")
    assert code == 2 and "Thiếu tùy chọn '--issuer'." in err
    code, _, err = run(capsys, "-C", str(SAMPLE), "show", "QT-404")
    assert code == 1 and err.startswith("qms: lỗi: ")


def test_lists_and_results_are_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-C", str(SAMPLE), "validate")
    assert code == 0 and out.startswith("đạt: ") and "không có phát hiện nào" in out
    code, out, _ = run(capsys, "-C", str(SAMPLE), "list", "--as-of", "2025-12-31")
    assert code == 0 and "tài liệu ngày 31/12/2025" in out
    for header in ("Mã hiệu", "Tên tài liệu", "Trạng thái", "Đang làm"):
        assert header in out
    code, _, err = run(capsys, "-C", str(SAMPLE), "list", "--as-of", "31/02/2025")
    assert code == 2 and "không phải ngày" in err


def test_the_audit_trail_names_actions_in_vietnamese(
    demo_master: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "-C", str(demo_master), "changes", "--since", "2021-01-01")
    assert code == 0 and "Hoạt động kiểm soát tài liệu 01/01/2021" in out
    assert "phê duyệt, ban hành" in out and "trình xem xét" in out
    assert "approve" not in out.split("\n", 3)[-1]


def test_the_legal_registry_speaks_vietnamese(
    demo_master: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "-C", str(demo_master), "legal", "list", "--as-of", "2025-12-31")
    assert code == 0 and "Danh mục tài liệu bên ngoài, tình trạng ngày 31/12/2025" in out
    assert "Còn hiệu lực" in out and "Hết hiệu lực toàn bộ" in out
    code, out, _ = run(capsys, "-C", str(demo_master), "legal", "show", "144/2006/QĐ-TTg")
    assert code == 0 and "Tình trạng ngày" in out and "Được viện dẫn bởi" in out
    assert "thay thế" in out and "replaces" not in out


def test_a_refused_action_is_explained_in_vietnamese(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "-C", str(demo), "submit", "QT-TP-01", "--as", "vo-minh-tuan")
    assert code == 1
    assert err.startswith(
        "qms: lỗi: không thể trình QT-TP-01: tài liệu đang ở trạng thái đã phê duyệt"
    )
    code, _, err = run(capsys, "-C", str(demo), "revise", "QT-TP-01", "--reason", " ", "--as", "x")
    assert code == 1 and err == "qms: lỗi: sửa đổi cần nêu lý do (--reason)\n"


def test_findings_are_worded_in_the_readers_language(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Findings kept in the cache are not fixed in the language of the run that found them."""
    file = demo / "procedures" / "QT-TP-01.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(
        text.replace("\nunit: ", "\nunit: phong-khong-co\nx_note: 1\n_unused: ", 1), "utf-8"
    )
    code, english, _ = run(capsys, "-C", str(demo), "--lang", "en", "validate")
    assert code == 1 and "error schema" in english and "unknown field 'x_note'" in english
    code, vietnamese, _ = run(capsys, "-C", str(demo), "validate")
    assert code == 1 and "lỗi schema" in vietnamese
    assert "trường không xác định 'x_note'" in vietnamese and "unknown field" not in vietnamese
    code, again, _ = run(capsys, "-C", str(demo), "--lang", "en", "validate")
    assert again == english


def test_a_yaml_mistake_and_a_hand_edit_are_explained_in_vietnamese(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess

    file = demo / "procedures" / "QT-TP-01.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("purpose: ", "purpose: Mục đích: ", 1), "utf-8")
    code, out, _ = run(capsys, "-C", str(demo), "validate")
    assert code == 1 and "lỗi yaml-syntax lỗi cú pháp YAML: " in out
    assert "không được đặt giá trị dạng khóa: giá trị ở đây" in out
    file.write_text(text.replace("purpose: ", "purpose: Sửa tay. ", 1), "utf-8")
    subprocess.run(["git", "-C", str(demo), "commit", "-qam", "sửa tay"], check=True)
    code, out, _ = run(capsys, "-C", str(demo), "verify")
    assert code == 1 and "ngoài quy trình phê duyệt" in out and "Cách khắc phục: " in out
    assert "outside the workflow" not in out
