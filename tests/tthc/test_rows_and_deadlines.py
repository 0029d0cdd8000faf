"""The TTHC import file, the catalogue and the deadlines the law sets (pure)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from qmsdocs import Repository
from qmsdocs.cli.main import main
from qmsdocs.model import LegalDocument, LegalType, TthcChange, TthcEntry, TthcLevel
from qmsdocs.tthc import TthcCatalogue, add_months, add_working_days
from qmsdocs.tthc.deadlines import DeadlineRules
from qmsdocs.tthc.rows import read_tthc_batch
from tests.conftest import git, tree_snapshot

D = dt.date
HEAD = "ma_tthc,ten_tthc,linh_vuc,cap_thuc_hien,co_quan_thuc_hien,trang_thai,thay_the_cho\n"
GOOD = "1.000480.000.00.00.H99,Đăng ký giám hộ,Hộ tịch,Cấp xã,UBND cấp xã,mới,\n"


def test_status_and_level_words_in_vietnamese_or_english() -> None:
    text = (
        HEAD
        + GOOD
        + (
            "1.000894,Đăng ký kết hôn,Hộ tịch,commune,UBND cấp xã,Sửa đổi, bổ sung,\n".replace(
                "Sửa đổi, bổ sung", '"Sửa đổi, bổ sung"'
            )
            + "1.000111.000.00.00.H99,Đăng ký X,Hộ tịch,CAP XA,UBND cấp xã,thay the,"
            "1.000656.000.00.00.H99\n"
            "2.000884.000.00.00.H99,Chứng thực chữ ký,Chứng thực,Cấp xã,UBND cấp xã,abolished,\n"
        )
    )
    batch = read_tthc_batch(text.encode(), file="d.csv")
    assert batch.ok, batch.findings
    assert [e.change for e in batch.entries] == [
        TthcChange.NEW, TthcChange.AMENDED, TthcChange.REPLACED, TthcChange.ABOLISHED,
    ]  # fmt: skip
    assert {e.level for e in batch.entries} == {TthcLevel.COMMUNE}
    assert batch.entries[2].replaces == "1.000656.000.00.00.H99"
    json_batch = read_tthc_batch(
        b'[{"ma_tthc": "1.000480", "ten_tthc": "A", "linh_vuc": "B", "cap_thuc_hien": "tinh",'
        b' "co_quan_thuc_hien": "S\xe1\xbb\x9f", "trang_thai": "new"}]',
        file="d.json",
    )
    assert json_batch.ok and json_batch.entries[0].level is TthcLevel.PROVINCE


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        (GOOD, "ma_tthc", "listed twice (first on line 2)"),
        ("1.00048.000.00.00.H99,Đăng ký,Hộ tịch,Cấp xã,UBND,mới,\n", "ma_tthc", "TTHC code"),
        ("1.000481,Đăng ký,Hộ tịch,Cấp xã,UBND,sắp bỏ,\n", "trang_thai", "'sắp bỏ'"),
        ("1.000482,Đăng ký,Hộ tịch,Cấp xã,UBND,thay thế,\n", "thay_the_cho", "thay_the_cho"),
        ("1.000483,Đăng ký,Hộ tịch,Cấp huyện,UBND,mới,\n", "cap_thuc_hien", "'Cấp huyện'"),
        ("1.000484,,Hộ tịch,Cấp xã,UBND,mới,\n", "ten_tthc", "empty"),
    ],
)
def test_a_bad_row_is_one_line_with_its_line_number(row: str, field: str, words: str) -> None:
    batch = read_tthc_batch((HEAD + GOOD + row).encode(), file="d.csv")
    assert not batch.ok and batch.entries == ()
    [finding] = batch.findings
    assert finding.line == 3 and finding.field == field
    assert words in str(finding) and "\n" not in str(finding)
    assert str(finding).startswith("d.csv:3")


def test_the_cli_imports_nothing_from_a_bad_file_or_for_an_unknown_decision(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEAD + GOOD + GOOD, encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text(HEAD + GOOD, encoding="utf-8")
    before = tree_snapshot(sample), git(sample, "rev-parse", "HEAD")
    qms = ["-C", str(sample), "tthc", "import"]
    assert main([*qms, str(bad), "--decision", "1520/QĐ-UBND", "--as", "pham-thu-ha"]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3" in err and "Traceback" not in err
    assert main([*qms, str(good), "--decision", "999/QĐ-UBND", "--as", "pham-thu-ha"]) == 1
    err = capsys.readouterr().err
    assert "999/QĐ-UBND" in err and len(err.strip().splitlines()) == 1
    assert (tree_snapshot(sample), git(sample, "rev-parse", "HEAD")) == before
    # a good file is one commit, and the TTHC are listed by the decision
    assert main([*qms, str(good), "--decision", "1520/QĐ-UBND", "--as", "pham-thu-ha"]) == 0
    repo = Repository.open(sample)
    assert "1.000480.000.00.00.H99" in [t.code for t in repo.legal_document("1520/QĐ-UBND").tthc]
    assert not git(sample, "status", "--porcelain").strip()


def test_months_and_working_days() -> None:
    assert add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)
    assert add_months(D(2025, 5, 31), 3) == D(2025, 8, 31)
    assert add_working_days(D(2026, 3, 2), 5) == D(2026, 3, 9)  # Monday to Monday
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday: the weekend skipped
    tet = [D(2026, 2, 16) + dt.timedelta(days=i) for i in range(5)]
    assert add_working_days(D(2026, 2, 13), 5, tet) == D(2026, 2, 27)
    rules = DeadlineRules.of(3, 5, tet)
    assert rules.legal_change(D(2025, 7, 1)) == D(2025, 10, 1)
    assert rules.tthc_update(D(2026, 2, 13)) == D(2026, 2, 27)


def _decision(number: str, issued: dt.date, *entries: TthcEntry) -> LegalDocument:
    return LegalDocument(
        number=number, type=LegalType.DECISION, issuer="UBND tỉnh", title="Công bố TTHC",
        issued=issued, tthc=list(entries),
    )  # fmt: skip


def _entry(code: str, change: TthcChange, replaces: str | None = None) -> TthcEntry:
    return TthcEntry(
        code=code, name=f"TTHC {code}", field="Hộ tịch", level=TthcLevel.COMMUNE,
        agency="UBND cấp xã", change=change, replaces=replaces,
    )  # fmt: skip


def test_the_catalogue_in_force_on_a_date() -> None:
    catalogue = TthcCatalogue(
        [
            _decision("1/QĐ-UBND", D(2021, 1, 4), _entry("1.000001", TthcChange.NEW),
                      _entry("1.000002", TthcChange.NEW)),
            _decision("2/QĐ-UBND", D(2024, 1, 4), _entry("1.000002", TthcChange.ABOLISHED),
                      _entry("1.000003.000.00.00.H99", TthcChange.REPLACED, "1.000001")),
        ]
    )  # fmt: skip
    assert list(catalogue.in_force(D(2022, 1, 1))) == ["1.000001", "1.000002"]
    assert list(catalogue.in_force(D(2025, 1, 1))) == ["1.000003"]
    assert catalogue.knows("1.000001.000.00.00.H99") and not catalogue.knows("1.000009")
