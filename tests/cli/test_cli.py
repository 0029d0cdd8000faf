"""The qms command: validate, list and show, on real repositories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qmsdocs import Repository
from qmsdocs.cli.main import main
from tests.conftest import SAMPLE


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_the_sample_exits_0_and_says_ok(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-C", str(SAMPLE), "validate")
    assert code == 0 and out.startswith("ok:") and "no findings" in out


def test_validate_json_is_machine_readable(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mini / "forms" / "BM-01-01.yaml").write_text("code: [\n", encoding="utf-8")
    code, out, _ = run(capsys, "-C", str(mini), "validate", "--json")
    data = json.loads(out)
    assert code == 1 and data["errors"] == 1
    assert data["findings"][0] | {"message": ""} == {
        "file": "forms/BM-01-01.yaml",
        "line": 2,
        "column": 1,
        "severity": "error",
        "check": "yaml-syntax",
        "message": "",
        "field": None,
        "code": None,
    }


def test_list_json_lists_every_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-C", str(SAMPLE), "list", "--json")
    data = json.loads(out)
    repo = Repository.open(SAMPLE)
    assert code == 0
    assert [d["code"] for d in data["documents"]] == [d.code for d in repo]
    first = data["documents"][0]
    assert set(first) == {
        "code", "title", "kind", "revision", "status", "effective_date", "file", "in_force", "working",
    }  # fmt: skip


def test_list_filters_by_kind_and_state(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "-C", str(mini), "list", "--kind", "form", "--json")
    assert [d["code"] for d in json.loads(out)["documents"]] == ["BM-01-01"]
    _, out, _ = run(
        capsys, "-C", str(mini), "list", "--status", "effective", "--as-of", "2024-03-15", "--json"
    )
    assert [d["code"] for d in json.loads(out)["documents"]] == ["QT-01"]
    _, out, _ = run(
        capsys, "-C", str(mini), "list", "--status", "pending", "--as-of", "14/03/2024", "--json"
    )
    assert [d["code"] for d in json.loads(out)["documents"]] == ["QT-01"]


def test_list_for_people_shows_a_table_with_vietnamese_titles(
    mini: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "-C", str(mini), "list")
    assert code == 0 and "Quy trình kiểm soát tài liệu" in out and "QT-01" in out


def test_show_renders_a_procedure_and_its_json(
    mini: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "-C", str(mini), "--lang", "vi", "show", "qt-01")
    assert code == 0 and "1. Mục đích" in out and "Xem xét và phê duyệt" in out
    code, out, _ = run(capsys, "-C", str(mini), "show", "QT-01", "--json")
    data = json.loads(out)
    assert data["code"] == "QT-01" and data["file"] == "procedures/QT-01.yaml"
    assert data["steps"][1]["responsible"] == "Chủ tịch UBND xã"


def test_show_a_legal_document_by_its_printed_number(
    mini: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "-C", str(mini), "show", "118/2009/QĐ-TTg", "--as-of", "2015-01-01", "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["state"] == "expired" and data["number"] == "118/2009/QĐ-TTg"


@pytest.mark.parametrize(
    ("args", "exit_code", "words"),
    [
        (["show", "QT-99"], 1, "no document or legal document 'QT-99'"),
        (["list", "--as-of", "2025-02-31"], 2, "is not a date"),
        (["list", "--kind", "manual"], 2, "Invalid value for '--kind'"),
        (["frobnicate"], 2, "No such command"),
    ],
)
def test_bad_arguments_get_one_clear_line(
    mini: Path, capsys: pytest.CaptureFixture[str], args: list[str], exit_code: int, words: str
) -> None:
    code, out, err = run(capsys, "-C", str(mini), *args)
    assert code == exit_code and words in err and "Traceback" not in out + err
    assert err.startswith("qms: ")


def test_the_console_script_is_installed_and_runs(tmp_path: Path) -> None:
    qms = Path(sys.executable).parent / "qms"
    result = subprocess.run(
        [str(qms), "-C", str(SAMPLE), "list", "--json"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["documents"]
