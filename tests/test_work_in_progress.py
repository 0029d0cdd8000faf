"""Work in progress in sight: the revision being worked on beside the one in force."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from qmsdocs import Repository, WorkingRevision
from qmsdocs.cli.main import main

VN = dt.timezone(dt.timedelta(hours=7))
DAY = dt.datetime(2026, 8, 3, 9, tzinfo=VN)
TODAY = dt.date(2026, 8, 5)


def row(repo: Repository, code: str, on: dt.date = TODAY, **filters: list[str]) -> dict:  # type: ignore[type-arg]
    [summary] = [s for s in repo.summaries(on=on, **filters) if s.code == code]
    return summary.to_dict()


def resubmit_and_approve(repo: Repository, *, effective: dt.date) -> None:
    """Submit QT-TP-01 again after a return, review it and approve it, effective then."""
    repo.submit("QT-TP-01", by="vo-minh-tuan", now=DAY + dt.timedelta(hours=3))
    repo.review("QT-TP-01", by="tran-thi-mai", now=DAY + dt.timedelta(hours=4))
    repo.approve(
        "QT-TP-01", by="nguyen-van-hung", now=DAY + dt.timedelta(hours=5), effective=effective
    )


def codes(repo: Repository, status: str, on: dt.date = TODAY) -> list[str]:
    return [s.code for s in repo.summaries(on=on, statuses=[status])]


def test_each_state_of_a_revision_shows_beside_the_one_in_force(demo: Path) -> None:
    repo = Repository.open(demo)
    in_force = row(repo, "QT-TP-01")["revision"]
    assert row(repo, "QT-TP-01")["working"] is None

    repo.revise("QT-TP-01", reason="Cập nhật", by="vo-minh-tuan", now=DAY)
    data = row(repo, "QT-TP-01")
    assert data["status"] == "effective" and data["in_force"]["revision"] == in_force
    assert data["working"] == {
        "revision": in_force + 1, "state": "draft", "effective_date": None, "comment": None,
        "author": "vo-minh-tuan",
    }  # fmt: skip
    assert "QT-TP-01" in codes(repo, "draft") and "QT-TP-01" in codes(repo, "effective")

    repo.submit("QT-TP-01", by="vo-minh-tuan", now=DAY + dt.timedelta(hours=1))
    assert row(repo, "QT-TP-01")["working"]["state"] == "in_review"
    assert codes(repo, "in_review") == ["QT-TP-01"]
    assert "QT-TP-01" not in codes(repo, "draft")

    repo.review(
        "QT-TP-01", by="tran-thi-mai", now=DAY + dt.timedelta(hours=2), reject=True,
        comment="Bổ sung thời gian bước 2",
    )  # fmt: skip
    working = Repository.open(demo).summaries(on=TODAY, statuses=["draft"])
    [returned] = [s.working for s in working if s.code == "QT-TP-01"]
    assert returned == WorkingRevision(
        in_force + 1, "returned", comment="Bổ sung thời gian bước 2", author="vo-minh-tuan"
    )

    resubmit_and_approve(repo, effective=dt.date(2027, 1, 1))
    data = row(repo, "QT-TP-01")
    assert data["status"] == "effective" and data["revision"] == in_force
    assert data["working"]["state"] == "pending"
    assert data["working"]["effective_date"] == "2027-01-01"
    assert codes(repo, "pending") == ["QT-TP-01"]
    # from its effective date the new revision is the one in force, with nothing beside it
    later = row(repo, "QT-TP-01", on=dt.date(2027, 1, 2))
    assert later["revision"] == in_force + 1 and later["working"] is None
    # on a day before the revision was opened, nothing was being worked on
    assert row(repo, "QT-TP-01", on=dt.date(2026, 1, 1))["working"] is None


def test_qms_list_shows_the_working_revision(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repository.open(demo)
    repo.revise("QT-TP-01", reason="Cập nhật", by="vo-minh-tuan", now=DAY)
    repo.submit("QT-TP-01", by="vo-minh-tuan", now=DAY + dt.timedelta(hours=1))
    capsys.readouterr()
    assert main(["-C", str(demo), "list", "--status", "in_review", "--as-of", "2026-08-05"]) == 0
    out = capsys.readouterr().out
    assert "QT-TP-01" in out and "in review" in out and "QT-01 " not in out
    assert main(["-C", str(demo), "list", "--status", "đang xem xét", "--json"]) == 0
    [document] = json.loads(capsys.readouterr().out)["documents"]
    assert (
        document["working"]["state"] == "in_review"
        and document["in_force"]["status"] == "effective"
    )


def first_lines(capsys: pytest.CaptureFixture[str], demo: Path, *args: str) -> str:
    capsys.readouterr()
    assert main(["-C", str(demo), "--lang", "vi", "show", *args]) == 0
    return capsys.readouterr().out


def test_show_states_the_status_of_the_revision_it_shows(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repository.open(demo)
    repo.revise("QT-TP-01", reason="Cập nhật", by="vo-minh-tuan", now=DAY)
    out = first_lines(capsys, demo, "QT-TP-01")
    assert out.splitlines()[1].endswith(": dự thảo") and "đang hiệu lực" not in out.splitlines()[1]
    repo.submit("QT-TP-01", by="vo-minh-tuan", now=DAY + dt.timedelta(hours=1))
    repo.review(
        "QT-TP-01", by="tran-thi-mai", now=DAY + dt.timedelta(hours=2), reject=True,
        comment="Bổ sung thời gian bước 2",
    )  # fmt: skip
    out = first_lines(capsys, demo, "QT-TP-01")
    assert out.splitlines()[1].endswith(": trả lại")
    assert "Trả lại ngày 03/08/2026 (Trần Thị Mai): Bổ sung thời gian bước 2" in out
    resubmit_and_approve(repo, effective=dt.date(2027, 1, 1))
    out = first_lines(capsys, demo, "QT-TP-01")
    assert out.splitlines()[1].endswith(": đã phê duyệt, chờ hiệu lực")


def test_show_prints_every_section_and_list_items_one_per_line(
    demo_master: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = first_lines(capsys, demo_master, "QT-TP-01")
    for heading in (
        "1. Mục đích", "2. Phạm vi", "3. Tài liệu viện dẫn", "4. Định nghĩa và chữ viết tắt",
        "5. Nội dung quy trình", "7. Hồ sơ cần lưu",
    ):  # fmt: skip
        assert heading in out, heading
    assert "BPTN&TKQ: Bộ phận tiếp nhận" in out
    assert "• Giấy chứng sinh (1 bản chính, 0 bản sao)" in out  # a dossier part on its own line


def tasks(repo: Repository, person: str) -> list[tuple[str, str]]:
    return [(i.task, i.code) for i in repo.waiting_for(person, on=TODAY, within_days=0)]


def test_what_is_waiting_for_each_person(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repository.open(demo)
    due_before = tasks(repo, "vo-minh-tuan")
    assert due_before and {t for t, _ in due_before} == {"periodic_review"}
    assert tasks(repo, "tran-thi-mai") == [] and tasks(repo, "nguyen-van-hung") == []

    repo.revise("QT-TP-01", reason="Cập nhật", by="vo-minh-tuan", now=DAY)
    assert tasks(repo, "vo-minh-tuan")[0] == ("finish_draft", "QT-TP-01")
    repo.submit("QT-TP-01", by="vo-minh-tuan", now=DAY + dt.timedelta(hours=1))
    assert ("review", "QT-TP-01") in tasks(repo, "tran-thi-mai")
    assert ("finish_draft", "QT-TP-01") not in tasks(repo, "vo-minh-tuan")
    assert tasks(repo, "nguyen-van-hung") == []  # not before the review
    repo.review(
        "QT-TP-01", by="tran-thi-mai", now=DAY + dt.timedelta(hours=2), reject=True,
        comment="Sửa lại bước 3",
    )  # fmt: skip
    [first, *_] = Repository.open(demo).waiting_for("vo-minh-tuan", on=TODAY, within_days=0)
    assert (first.task, first.code, first.comment) == (
        "revise_returned",
        "QT-TP-01",
        "Sửa lại bước 3",
    )
    repo.submit("QT-TP-01", by="vo-minh-tuan", now=DAY + dt.timedelta(hours=3))
    repo.review("QT-TP-01", by="tran-thi-mai", now=DAY + dt.timedelta(hours=4))
    assert tasks(repo, "tran-thi-mai") == []
    assert tasks(repo, "nguyen-van-hung") == [("approve", "QT-TP-01")]
    capsys.readouterr()
    assert (
        main(["-C", str(demo), "status", "--as", "nguyen-van-hung", "--as-of", "2026-08-05"]) == 0
    )
    out = capsys.readouterr().out
    assert "Approve" in out and "QT-TP-01" in out
