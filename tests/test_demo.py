"""The demo: the sample agency replayed through the real actions since 2021."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from qmsdocs import DocumentState, Repository
from qmsdocs.cli.main import main
from qmsdocs.scaffold import sample_files
from tests.conftest import SAMPLE, git


def test_the_demo_ends_with_exactly_the_sample_files(demo_master: Path) -> None:
    assert sample_files(demo_master) == sample_files(SAMPLE)


def test_the_demo_is_valid_and_verified(demo_master: Path) -> None:
    from qmsdocs import verify

    repo = Repository.open(demo_master)
    assert repo.validate() == [] and verify(repo) == []


def test_the_history_starts_in_2021_and_every_action_is_one_commit(demo_master: Path) -> None:
    repo = Repository.open(demo_master)
    actions = repo.actions()
    assert actions[0].when.year == 2021
    kinds = {a.action for a in actions}
    assert {"new", "revise", "submit", "review", "approve", "withdraw", "confirm"} <= kinds
    authors = {a.author_email for a in actions}
    assert len(authors) >= 4  # each action is authored by the person who acted
    subjects = git(demo_master, "log", "--format=%s", "--grep=^QMS-Action: approve$").splitlines()
    assert len(subjects) == sum(len(repo.revisions(d.code)) for d in repo)


def test_history_json_shows_every_revision_with_its_approver(
    demo_master: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-C", str(demo_master), "history", "QT-TP-04", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["revision"] for r in data["revisions"]] == [1, 2, 3, 4]
    assert all(
        r["approver"] == "Nguyễn Văn Hùng" and r["reviewer"] and r["author"]
        for r in data["revisions"]
    )


def test_a_future_dated_revision_left_the_previous_one_in_force(demo_master: Path) -> None:
    repo = Repository.open(demo_master)
    qt05 = repo.document("QT-05")
    assert qt05.issued_date is not None and qt05.effective_date is not None
    between = qt05.issued_date + dt.timedelta(days=1)
    assert between < qt05.effective_date
    assert repo.in_force("QT-05", between).revision == qt05.revision - 1  # type: ignore[union-attr]


def test_a_document_replaced_by_another_and_withdrawn(demo_master: Path) -> None:
    repo = Repository.open(demo_master)
    assert repo.state_on("QT-08", dt.date(2025, 8, 14))[0] is DocumentState.EFFECTIVE
    assert repo.state_on("QT-08", dt.date(2025, 8, 15))[0] is DocumentState.WITHDRAWN
    assert repo.document("QT-08").withdrawal.replaced_by == "QT-01"  # type: ignore[union-attr]
    assert repo.in_force("QT-08", dt.date(2026, 1, 1)) is None


def test_show_an_issued_revision_and_the_one_in_force_on_a_day(
    demo_master: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-C", str(demo_master), "show", "QT-01@2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["revision"] == 2
    assert main(["-C", str(demo_master), "show", "QT-01", "--as-of", "2024-01-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["revision"] == 2
    assert main(["-C", str(demo_master), "show", "QT-01@9"]) == 1
    assert "no issued revision 9" in capsys.readouterr().err


def test_init_makes_a_valid_empty_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(tmp_path / "agency"), "--name", "ỦY BAN NHÂN DÂN XÃ MỚI"]) == 0
    repo = Repository.open(tmp_path / "agency")
    assert repo.validate() == [] and len(repo) == 0
    assert repo.config.organization.name == "ỦY BAN NHÂN DÂN XÃ MỚI"
    assert (tmp_path / "agency" / "schemas" / "procedure.schema.json").is_file()
    assert git(tmp_path / "agency", "status", "--porcelain") == ""
    assert main(["init", str(tmp_path / "agency")]) == 1
    assert "not empty" in capsys.readouterr().err


def test_building_the_demo_reports_its_progress(demo_master: Path) -> None:
    from tests.conftest import DEMO_PROGRESS

    total = DEMO_PROGRESS[-1][1]
    assert total > 100
    assert [done for done, _ in DEMO_PROGRESS] == list(range(total + 1))
    assert {t for _, t in DEMO_PROGRESS} == {total}


def test_earlier_revisions_read_as_they_did_then(demo_master: Path) -> None:
    """Steps, times, dossier and legal basis change from revision to revision, as history says."""
    repo = Repository.open(demo_master)
    first, last = repo.revision("QT-TP-04", 1), repo.revision("QT-TP-04", 4)
    assert first.tthc is not None and last.tthc is not None
    assert [s.time for s in first.steps][:4] == [
        "0,5 ngày làm việc", "01 ngày làm việc", "01 ngày làm việc", "0,5 ngày làm việc"
    ]  # fmt: skip
    assert [s.time for s in last.steps][:4] == [
        "0,5 ngày làm việc", "1,5 ngày làm việc", "0,5 ngày làm việc", "0,25 ngày làm việc"
    ]  # fmt: skip
    assert not any("Trực tuyến" in m for m in first.tthc.methods)  # online from revision 2
    assert any("Trực tuyến" in m for m in last.tthc.methods)
    assert len(first.tthc.dossier) == len(last.tthc.dossier) - 1  # re-issue case added in 2
    cited_2021 = [repo.legal_document(b.ref) for b in first.legal_basis]
    assert all(d.issued <= dt.date(2021, 3, 15) for d in cited_2021)  # nothing later cited
    assert {b.ref for b in last.legal_basis} - {b.ref for b in first.legal_basis} == {
        "107/2021/NĐ-CP", "1520/QĐ-UBND"
    }  # fmt: skip
    before, after = repo.revision("QT-07", 2), repo.revision("QT-07", 3)
    assert "Điều 5" in before.steps[3].action and "Điều 5" not in after.steps[3].action


def test_every_signer_held_the_role_on_the_day_they_signed(demo_master: Path) -> None:
    from qmsdocs.lifecycle import signer_problem

    repo = Repository.open(demo_master)
    checked = 0
    for document in repo:
        for issued in repo.revisions(document.code):
            revision = repo.revision(document.code, issued.revision)
            for signature in revision.approvals:
                others = revision.model_copy(
                    update={"approvals": [s for s in revision.approvals if s is not signature]}
                )
                day = signature.signed_at.date()
                assert (
                    signer_problem(repo.config, others, signature.person, signature.meaning, day)
                    is None
                )
                checked += 1
    assert checked == 3 * 82
