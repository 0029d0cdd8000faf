"""``qms diff`` and ``qms changes`` on the demo repository."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import docx
import pytest

from qmsdocs import Repository
from qmsdocs.audit import qms_diff
from qmsdocs.cli.diff_cmd import COMMANDS
from qmsdocs.cli.main import cli, main
from qmsdocs.diff import diff
from tests.test_redline import W, plain, resolve, tracked

VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make sure ``qms`` has the commands (until main.py registers them itself)."""
    for command in COMMANDS:
        assert command.name is not None
        if command.name not in cli.commands:
            monkeypatch.setitem(cli.commands, command.name, command)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- qms changes -----------------------------------------------------------------------


def test_changes_since_2021_lists_every_action_of_the_demo(
    demo_master: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "-C", str(demo_master), "changes", "--since", "2021-01-01", "--json")
    data = json.loads(out)
    repo = Repository.open(demo_master)
    assert code == 0 and data["since"] == "2021-01-01" and data["until"] is None
    assert data["actions"] == [a.to_dict() for a in repo.actions()]
    assert len(data["actions"]) > 300


def test_changes_in_a_period_are_the_demo_history_of_that_period(
    demo_master: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "-C",
        str(demo_master),
        "changes",
        "--since",
        "01/01/2023",
        "--until",
        "31/12/2023",
        "--json",
    )
    actions = json.loads(out)["actions"]
    repo = Repository.open(demo_master)
    everything = [a.to_dict() for a in repo.actions()]
    in_2023 = [a for a in everything if a["when"].startswith("2023-")]
    assert code == 0 and actions == in_2023 and actions
    assert {a["action"] for a in actions} >= {"revise", "submit", "review", "approve"}


def test_changes_as_a_table_and_as_a_printable_report(
    demo_master: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "-C", str(demo_master), "changes", "--since", "2025-07-01")
    repo = Repository.open(demo_master)
    count = len(repo.actions(since=dt.date(2025, 7, 1)))
    assert code == 0 and out.rstrip().endswith(f"{count} actions") and "Võ Minh Tuấn" in out
    report = tmp_path / "trail.docx"
    code, out, _ = run(
        capsys, "-C", str(demo_master), "changes", "--since", "2025-07-01", "--docx", str(report)
    )
    assert code == 0 and f"({count} actions)" in out
    table = docx.Document(io.BytesIO(report.read_bytes())).tables[0]
    assert len(table.rows) == count + 1


# -- qms diff CODE A B -----------------------------------------------------------------


def test_diff_json_of_two_revisions_is_the_api_diff(
    demo_master: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "-C", str(demo_master), "diff", "QT-TP-04", "1", "2", "--json")
    repo = Repository.open(demo_master)
    expected = diff(repo.revision("QT-TP-04", 1), repo.revision("QT-TP-04", 2)).to_dict()
    assert code == 0 and json.loads(out) == expected
    paths = [c["path"] for c in expected["content_changes"]]
    # revision 2 put the procedure online and added the re-issue case (its history says so)
    assert paths[:3] == ["legal_basis[107/2021/NĐ-CP]", "history[2]", "scope"]
    assert "tthc.methods[2]" in paths and "steps[5].action" in paths
    assert "tthc.dossier[GXNTTHN đã được cấp trước đây (trường hợp yêu cầu cấp lại)]" in paths


def test_diff_by_dates_compares_the_revisions_in_force(
    demo_master: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "-C", str(demo_master), "diff", "QT-TP-04", "01/01/2022", "2024-01-01", "--json"
    )
    data = json.loads(out)
    assert code == 0 and (data["old"]["revision"], data["new"]["revision"]) == (1, 3)


def test_diff_as_text_shows_content_then_workflow(
    demo_master: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "-C", str(demo_master), "--lang", "vi", "diff", "QT-01", "2", "3")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "QT-01: Quy trình kiểm soát tài liệu"
    assert lines[2] == "Nội dung (4 thay đổi)"
    assert lines[3] == "  + Căn cứ pháp lý 33/2024/QH15: 33/2024/QH15"
    assert any(line.startswith("Quy trình ban hành") for line in lines)
    assert "  ~ Lần ban hành: 2 → 3" in lines
    code, out, _ = run(
        capsys, "-C", str(demo_master), "--lang", "vi", "diff", "QT-01", "2", "3", "--content-only"
    )
    assert "Lần ban hành: 2 → 3" not in out and "Căn cứ pháp lý 72/2025/QH15" in out


def test_diff_writes_an_html_page_and_a_redline(
    demo_master: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "diff.html"
    code, out, _ = run(
        capsys, "-C", str(demo_master), "diff", "QT-01", "2", "3", "--html", str(page)
    )
    assert code == 0 and out.strip() == f"wrote {page}"
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Căn cứ pháp lý 33/2024/QH15" in text
    redline_file = tmp_path / "QT-01.docx"
    code, _, _ = run(
        capsys, "-C", str(demo_master), "diff", "QT-01", "2", "3", "--docx", str(redline_file)
    )
    repo = Repository.open(demo_master)
    data = redline_file.read_bytes()
    assert code == 0 and {m.get(f"{W}author") for m in tracked(data)} == {"Võ Minh Tuấn"}
    assert {m.get(f"{W}date") for m in tracked(data)} == {"2025-08-11T08:45:00"}
    assert resolve(data, accept=True) == plain(repo.revision("QT-01", 3), repo.config, repo.legal)
    assert resolve(data, accept=False) == plain(repo.revision("QT-01", 2), repo.config, repo.legal)


def test_diff_against_the_draft_being_edited(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repository.open(demo)
    now = dt.datetime(2026, 8, 3, 9, 0, tzinfo=VN)
    repo.revise("QT-01", reason="Bổ sung bước số hóa tài liệu", by="vo-minh-tuan", now=now)
    path = demo / repo.file_of("QT-01")
    step = repo.document("QT-01").steps[1].action
    source = path.read_text(encoding="utf-8")
    first_words = " ".join(step.split()[:3])
    head, second = source.split("- no: 2\n", 1)  # the YAML of step 2 onwards
    assert first_words in second
    second = second.replace(first_words, first_words + " ngay", 1)
    path.write_text(head + "- no: 2\n" + second, encoding="utf-8")
    code, out, _ = run(capsys, "-C", str(demo), "diff", "QT-01", "3", "draft", "--json")
    data = json.loads(out)
    assert code == 0 and data["new"]["status"] == "draft" and data["new"]["revision"] == 4
    content = [(c["op"], c["path"]) for c in data["content_changes"]]
    assert ("changed", "steps[2].action") in content
    change = next(c for c in data["content_changes"] if c["path"] == "steps[2].action")
    assert {"op": "insert", "text": " ngay"} in change["words"]
    workflow = [c["path"] for c in data["workflow_changes"]]
    assert "revision" in workflow and "status" in workflow


# -- qms diff --all A B ----------------------------------------------------------------


def test_diff_all_lists_the_documents_revised_between_two_dates(
    demo_master: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "-C", str(demo_master), "diff", "--all", "2023-01-01", "31/12/2024", "--json"
    )
    data = json.loads(out)
    repo = Repository.open(demo_master)
    assert code == 0
    assert data == qms_diff(repo, dt.date(2023, 1, 1), dt.date(2024, 12, 31)).to_dict()
    revised = {d["code"] for d in data["documents"] if d["change"] == "revised"}
    expected = set()
    for document in repo:
        a = repo.in_force(document.code, dt.date(2023, 1, 1))
        b = repo.in_force(document.code, dt.date(2024, 12, 31))
        if a is not None and b is not None and a.revision != b.revision:
            expected.add(document.code)
    assert revised == expected and "QT-TP-04" in revised
    code, out, _ = run(
        capsys, "-C", str(demo_master), "--lang", "vi", "diff", "--all", "2023-01-01", "2024-12-31"
    )
    assert code == 0 and "QT-TP-04 sửa đổi 2 → 3" in out and "Văn bản pháp lý" in out


# -- mistakes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("diff", "QT-01", "1"),
        ("diff", "QT-01", "1", "two"),
        ("diff", "QT-01", "1", "2", "--json", "--html", "x.html"),
        ("diff", "--all", "2023-01-01"),
        ("diff", "--all", "2023-01-01", "2"),
        ("diff", "--all", "2023-01-01", "2024-01-01", "--docx", "x.docx"),
        ("changes",),
        ("changes", "--since", "yesterday"),
    ],
)
def test_usage_errors_exit_2(
    demo_master: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    code, _, err = run(capsys, "-C", str(demo_master), *args)
    assert code == 2 and err.startswith("qms: usage error:")


def test_a_revision_that_does_not_exist_is_a_one_line_error(
    demo_master: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "-C", str(demo_master), "diff", "QT-01", "1", "9")
    assert code == 1 and out == ""
    assert err.strip() == "qms: error: QT-01 has no issued revision 9 (issued: 1, 2, 3)"
    code, _, err = run(capsys, "-C", str(demo_master), "diff", "QT-01", "2020-01-01", "3")
    assert code == 1 and "no revision of QT-01 was in force on 01/01/2020" in err


def test_diff_names_signers_and_fields_as_people_read_them(
    demo_master: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "-C", str(demo_master), "--lang", "vi", "diff", "QT-TP-04", "1", "4")
    assert code == 0
    assert "  ~ Soạn thảo – Người ký: Đặng Thị Lan → Võ Minh Tuấn" in out.splitlines()
    assert any(line.startswith("  ~ Soạn thảo – Chức vụ: ") for line in out.splitlines())
    assert "dang-thi-lan" not in out and "approvals[" not in out
    page = tmp_path / "diff.html"
    code, _, _ = run(
        capsys, "-C", str(demo_master), "diff", "QT-TP-04", "1", "4", "--html", str(page)
    )
    html = page.read_text(encoding="utf-8")
    assert code == 0 and "Soạn thảo – Ngày giờ ký" in html and "Đặng Thị Lan" in html
    assert "td { overflow-wrap: anywhere; }" in html  # a 71-character stamp stays inside the page
    code, out, _ = run(capsys, "-C", str(demo_master), "--lang", "en", "diff", "QT-TP-04", "1", "4")
    assert "  ~ Prepared by – Person: Đặng Thị Lan → Võ Minh Tuấn" in out.splitlines()
