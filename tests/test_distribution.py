"""The distribution register of controlled copies and recall, on the demo repository.

In the demo, QT-01 revision 2 was in force from 17/09/2023 to 14/08/2025 and revision 3
from 15/08/2025; QT-08 was withdrawn on 15/08/2025.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from qmsdocs import Repository
from qmsdocs.cli.context import AppContext
from qmsdocs.cli.distribution_cmd import COMMANDS
from qmsdocs.distribution import (
    REGISTER_FILE,
    CopyState,
    distribution,
    read_register,
    recall,
    record_copy,
    return_copy,
)
from qmsdocs.errors import ActionRefused, InvalidDocument
from qmsdocs.store.git import parse_trailers
from tests.conftest import git, tree_snapshot

ICT = dt.timezone(dt.timedelta(hours=7))
OFFICER = "le-quoc-bao"
ONE_STOP = "Trung tâm Phục vụ hành chính công phường (Bộ phận Một cửa)"


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 9, 0, tzinfo=ICT)


def commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def issue_demo_copies(repo: Repository) -> None:
    """Two copies of QT-01 revision 2 (2024), one of revision 3 and one of QT-08 revision 1."""
    record_copy(repo, "QT-01", 2, copy_number=1, holder=ONE_STOP, by=OFFICER, now=at(2024, 1, 10))
    culture = "Phòng Văn hóa - Xã hội"
    record_copy(repo, "QT-01", 2, copy_number=2, holder=culture, by=OFFICER, now=at(2024, 1, 10))
    record_copy(repo, "QT-01", 3, copy_number=1, holder=ONE_STOP, by=OFFICER, now=at(2025, 8, 20))
    office = "Văn phòng HĐND và UBND phường"
    record_copy(repo, "QT-08", 1, copy_number=1, holder=office, by=OFFICER, now=at(2024, 3, 1))


def test_each_copy_is_one_commit_with_its_trailers(demo: Path) -> None:
    repo = Repository.open(demo)
    before = commits(demo)
    result = record_copy(
        repo, "qt-01", 3, copy_number=3, holder=ONE_STOP, by=OFFICER, now=at(2025, 9, 1)
    )
    assert commits(demo) == before + 1
    assert result.changed and result.action == "distribute" and result.code == "QT-01"
    message = git(demo, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == (
        f"Phát hành bản kiểm soát số 3 của QT-01 lần ban hành 3 cho {ONE_STOP}"
    )
    trailers = parse_trailers(message)
    assert trailers["QMS-Action"] == "distribute"
    assert trailers["QMS-Distribution"] == "QT-01/3/3"
    assert "QMS-Document" not in trailers
    assert git(demo, "log", "-1", "--format=%an|%aI") == "Lê Quốc Bảo|2025-09-01T09:00:00+07:00\n"
    assert git(demo, "status", "--porcelain") == ""
    (copy,) = read_register(repo).copies
    assert (copy.code, copy.revision, copy.copy_number, copy.holder) == ("QT-01", 3, 3, ONE_STOP)
    assert copy.issued_on == dt.date(2025, 9, 1) and copy.issued_by == OFFICER
    assert copy.returned_on is None
    # The register does not show up as a lifecycle action.
    assert all(a.action != "distribute" for a in repo.actions())


def test_recall_lists_exactly_the_copies_of_the_superseded_revision(demo: Path) -> None:
    repo = Repository.open(demo)
    before = commits(demo)
    issue_demo_copies(repo)
    assert commits(demo) == before + 4
    # While revision 2 was in force, nothing was to recall but the withdrawn QT-08 … not yet.
    assert recall(repo, on=dt.date(2025, 8, 1)) == []
    to_recall = recall(repo, on=dt.date(2025, 9, 1))
    assert [(c.code, c.revision, c.copy_number) for c in to_recall] == [
        ("QT-01", 2, 1),
        ("QT-01", 2, 2),
        ("QT-08", 1, 1),
    ]
    assert {(c.code, c.in_force) for c in to_recall} == {("QT-01", 3), ("QT-08", None)}
    states = {
        (c.code, c.revision, c.copy_number): c.state
        for c in distribution(repo, on=dt.date(2025, 9, 1))
    }
    assert states[("QT-01", 3, 1)] is CopyState.CURRENT
    # As it stood before revision 3 was issued, its copy did not exist yet.
    assert ("QT-01", 3, 1) not in {
        (c.code, c.revision, c.copy_number) for c in distribution(repo, on=dt.date(2025, 8, 1))
    }


def test_a_withdrawn_documents_copies_are_to_recall(demo: Path) -> None:
    repo = Repository.open(demo)
    record_copy(repo, "QT-08", 1, copy_number=1, holder=ONE_STOP, by=OFFICER, now=at(2024, 3, 1))
    (before,) = distribution(repo, on=dt.date(2025, 8, 14))
    (after,) = recall(repo, on=dt.date(2025, 8, 15))
    assert before.state is CopyState.CURRENT
    assert after.state is CopyState.TO_RECALL and after.document_state == "withdrawn"
    with pytest.raises(ActionRefused, match="withdrawn"):
        record_copy(
            repo, "QT-08", 1, copy_number=2, holder=ONE_STOP, by=OFFICER, now=at(2025, 9, 1)
        )


def test_refusals_write_nothing(demo: Path) -> None:
    repo = Repository.open(demo)
    record_copy(repo, "QT-01", 3, copy_number=1, holder=ONE_STOP, by=OFFICER, now=at(2025, 8, 20))
    head = git(demo, "rev-parse", "HEAD")
    files = tree_snapshot(demo)
    cases: list[tuple[str, int, int, str]] = [
        ("QT-01", 3, 1, "already issued to .*next free number is 2"),
        ("QT-99", 1, 1, "no document 'QT-99'"),
        ("QT-01", 7, 1, r"no issued revision 7 \(issued: 1, 2, 3\)"),
        ("QT-01", 2, 9, "obsolete .* revision 3 is in force"),
        ("QT-01", 3, 0, "copy_number"),
    ]
    for code, revision, number, message in cases:
        with pytest.raises(ActionRefused, match=message) as refused:
            record_copy(
                repo,
                code,
                revision,
                copy_number=number,
                holder=ONE_STOP,
                by=OFFICER,
                now=at(2025, 9, 1),
            )
        assert "\n" not in str(refused.value)
    with pytest.raises(ActionRefused, match="not a person of qms.yaml"):
        record_copy(
            repo, "QT-01", 3, copy_number=2, holder=ONE_STOP, by="ai-do", now=at(2025, 9, 1)
        )
    with pytest.raises(ActionRefused, match="no copy 5 of QT-01 revision 3"):
        return_copy(repo, "QT-01", 3, 5, by=OFFICER, now=at(2025, 9, 1))
    assert git(demo, "rev-parse", "HEAD") == head
    assert tree_snapshot(demo) == files
    assert git(demo, "status", "--porcelain") == ""


def test_returned_copies_drop_out_of_recall(demo: Path) -> None:
    repo = Repository.open(demo)
    issue_demo_copies(repo)
    before = commits(demo)
    result = return_copy(repo, "QT-01", 2, 1, by=OFFICER, now=at(2025, 8, 25))
    assert commits(demo) == before + 1 and result.action == "recall"
    message = git(demo, "log", "-1", "--format=%B")
    assert message.startswith("Thu hồi bản kiểm soát số 1 của QT-01 lần ban hành 2 từ ")
    assert parse_trailers(message)["QMS-Action"] == "recall"
    assert parse_trailers(message)["QMS-Distribution"] == "QT-01/2/1"
    labels = [(c.code, c.revision, c.copy_number) for c in recall(repo, on=dt.date(2025, 9, 1))]
    assert labels == [("QT-01", 2, 2), ("QT-08", 1, 1)]
    # On a day before the return, the copy was still out.
    assert ("QT-01", 2, 1) in {
        (c.code, c.revision, c.copy_number) for c in recall(repo, on=dt.date(2025, 8, 20))
    }
    returned = next(
        c
        for c in distribution(repo, on=dt.date(2025, 9, 1))
        if (c.revision, c.copy_number) == (2, 1)
    )
    assert returned.state is CopyState.RETURNED and returned.returned_on == dt.date(2025, 8, 25)
    with pytest.raises(ActionRefused, match="already returned on 25/08/2025"):
        return_copy(repo, "QT-01", 2, 1, by=OFFICER, now=at(2025, 8, 26))


def test_register_file_errors_name_the_file_and_line(demo: Path) -> None:
    repo = Repository.open(demo)
    assert read_register(repo).copies == []
    path = demo / REGISTER_FILE
    path.write_text(
        "schema_version: 1\ncopies:\n  - code: QT-01\n    revision: 2\n    copy_number: 1\n"
        "    holder: Văn phòng\n    issued_on: 2024-02-30\n    issued_by: le-quoc-bao\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidDocument) as bad_date:
        read_register(repo)
    assert bad_date.value.file == REGISTER_FILE and bad_date.value.line == 7
    path.write_text(
        "schema_version: 1\ncopies:\n  - code: QT-01\n    revision: 2\n    copy_number: 1\n"
        "    holder: Văn phòng\n    issued_on: 2024-02-03\n    issued_by: le-quoc-bao\n"
        "    colour: red\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidDocument, match="unknown field 'colour'") as unknown:
        read_register(repo)
    assert unknown.value.line == 9
    assert str(unknown.value).startswith(f"{REGISTER_FILE}:9:")


def _cli() -> click.Group:
    @click.group()
    @click.option("-C", "directory", type=click.Path(path_type=Path))
    @click.pass_context
    def group(ctx: click.Context, directory: Path) -> None:
        ctx.obj = AppContext(directory=directory)

    for command in COMMANDS:
        group.add_command(command)
    return group


def test_cli_recall_json_and_return(demo: Path) -> None:
    repo = Repository.open(demo)
    issue_demo_copies(repo)
    runner = CliRunner()
    cli = _cli()
    args = ["-C", str(demo), "recall", "--as-of", "01/09/2025", "--json"]
    result = runner.invoke(cli, args, standalone_mode=False)
    assert result.exception is None and result.return_value == 1
    data = json.loads(result.output)
    assert data["as_of"] == "2025-09-01"
    assert [(c["code"], c["revision"], c["copy_number"]) for c in data["to_recall"]] == [
        ("QT-01", 2, 1),
        ("QT-01", 2, 2),
        ("QT-08", 1, 1),
    ]
    assert data["to_recall"][0] | {"holder": ""} == {
        "code": "QT-01",
        "revision": 2,
        "copy_number": 1,
        "holder": "",
        "issued_on": "2024-01-10",
        "issued_by": OFFICER,
        "returned_on": None,
        "note": None,
        "state": "to_recall",
        "document_state": "effective",
        "in_force": 3,
    }
    before = runner.invoke(cli, ["-C", str(demo), "recall", "--as-of", "2025-08-01"])
    assert before.exit_code == 0 and "No controlled copy to recall" in before.output
    table = runner.invoke(
        cli, ["-C", str(demo), "distribution", "--as-of", "2025-09-01"], standalone_mode=False
    )
    assert table.return_value == 0
    assert "To recall (in force: revision 3)" in table.output
    assert "To recall (the document was withdrawn)" in table.output
    assert "In force" in table.output
    back = runner.invoke(
        cli,
        ["-C", str(demo), "recall", "--return", "QT-08", "1", "1", "--as", OFFICER, "--json"],
        standalone_mode=False,
    )
    assert back.exception is None and json.loads(back.output)["action"] == "recall"
    copy = read_register(Repository.open(demo)).find("QT-08", 1, 1)
    assert copy is not None and copy.returned_on is not None
