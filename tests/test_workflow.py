"""Lifecycle actions on a real git repository: one commit each, refused by the rules."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qmsdocs import ActionRefused, DocumentState, GitError, Repository, RepositoryBusy
from qmsdocs.store.files import action_lock
from qmsdocs.workflow import Workflow
from tests.conftest import git, tree_snapshot

TZ = dt.timezone(dt.timedelta(hours=7))


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


def issue(
    repo: Repository, code: str, day: str, *, effective: str | None = None, reason: str = "Sửa đổi"
) -> None:
    """Run one whole revision: revise, submit, review, approve on consecutive days."""
    start = at(day)
    repo.revise(code, reason=reason, by="an", now=start)
    repo.submit(code, by="an", now=start + dt.timedelta(days=1))
    repo.review(code, by="binh", now=start + dt.timedelta(days=2))
    repo.approve(
        code,
        by="cuong",
        now=start + dt.timedelta(days=3),
        effective=dt.date.fromisoformat(effective) if effective else None,
    )


def commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def test_a_whole_revision_is_four_commits_by_the_people_who_acted(mini: Path) -> None:
    (mini / "procedures" / "QT-01.yaml").write_text(
        (mini / "procedures" / "QT-01.yaml")
        .read_text(encoding="utf-8")
        .replace("scope:", "# Ghi chú của cán bộ ISO: giữ nguyên phạm vi.\nscope:"),
        encoding="utf-8",
    )
    git(mini, "commit", "-qam", "Ghi chú")
    before = commits(mini)
    repo = Repository.open(mini)
    issue(repo, "QT-01", "2025-01-06", reason="Cập nhật theo Nghị định 30/2020/NĐ-CP")
    assert commits(mini) == before + 4
    log = git(mini, "log", "-4", "--format=%an|%(trailers:key=QMS-Action,valueonly)").split("\n")
    assert [line for line in log if line.strip()] == [
        "Lê Văn Cường|approve",
        "Trần Thị Bình|review",
        "Nguyễn Văn An|submit",
        "Nguyễn Văn An|revise",
    ]
    tag = git(mini, "cat-file", "-t", "qms/QT-01/3").strip()
    assert tag == "tag"
    document = repo.document("QT-01")
    assert (document.revision, document.status.value, document.issued_date) == (
        3,
        "approved",
        dt.date(2025, 1, 9),
    )
    assert [s.meaning for s in document.approvals] == ["authored", "reviewed", "approved"]
    assert len({s.stamp for s in document.approvals}) == 1
    assert document.history[-1].date == dt.date(2025, 1, 9)
    text = (mini / "procedures" / "QT-01.yaml").read_text(encoding="utf-8")
    assert "# Ghi chú của cán bộ ISO: giữ nguyên phạm vi." in text  # the officer's comment stays
    assert repo.validate() == []


def test_history_and_as_of_across_six_revisions(mini: Path) -> None:
    repo = Repository.open(mini)
    days = ["2025-01-06", "2025-03-03", "2025-05-05", "2025-07-07", "2025-09-08", "2025-11-03"]
    for n, day in enumerate(days):
        issue(repo, "QT-01", day, reason=f"Sửa đổi lần {n + 3}")
    records = repo.revision_history("QT-01")
    assert [r.revision for r in records] == [3, 4, 5, 6, 7, 8]
    assert all(r.approver == "Lê Văn Cường" and r.author == "Nguyễn Văn An" for r in records)
    assert records[2].reason == "Sửa đổi lần 5"
    assert records[2].superseded == records[3].effective
    in_force = repo.in_force("QT-01", dt.date(2025, 6, 1))
    assert in_force is not None and in_force.revision == 5
    assert repo.revision("QT-01", 4).history[-1].description == "Sửa đổi lần 4"
    assert repo.state_on("QT-01", dt.date(2025, 6, 1)) == (DocumentState.EFFECTIVE, 5)


def test_a_future_effective_date_leaves_the_previous_revision_in_force(mini: Path) -> None:
    repo = Repository.open(mini)
    issue(repo, "QT-01", "2025-01-06")
    issue(repo, "QT-01", "2025-06-02", effective="2025-07-01")
    assert repo.in_force("QT-01", dt.date(2025, 6, 20)).revision == 3  # type: ignore[union-attr]
    assert repo.in_force("QT-01", dt.date(2025, 7, 1)).revision == 4  # type: ignore[union-attr]
    summary = repo.summaries(on=dt.date(2025, 6, 20))
    assert [(s.code, s.revision, s.status) for s in summary if s.code == "QT-01"] == [
        ("QT-01", 3, "effective")
    ]


def refused(mini: Path, action: callable, words: str) -> None:  # type: ignore[valid-type]
    before, count = tree_snapshot(mini), commits(mini)
    with pytest.raises(ActionRefused) as info:
        action()
    assert words in str(info.value), str(info.value)
    assert "\n" not in str(info.value)
    assert tree_snapshot(mini) == before and commits(mini) == count


def test_the_rules_refuse_with_a_reason_and_change_nothing(mini: Path) -> None:
    repo = Repository.open(mini)
    refused(
        mini,
        lambda: repo.submit("QT-01", by="an", now=at("2025-01-06")),
        "only a document that is draft",
    )
    refused(
        mini,
        lambda: repo.revise("QT-01", reason="", by="an", now=at("2025-01-06")),
        "needs a reason",
    )
    refused(
        mini,
        lambda: repo.revise("QT-01", reason="x", by="cuong", now=at("2025-01-06")),
        "does not hold a role",
    )
    refused(
        mini,
        lambda: repo.revise("QT-01", reason="x", by="dung", now=at("2025-01-06")),
        "not a person",
    )
    repo.revise("QT-01", reason="Sửa đổi", by="an", now=at("2025-01-06"))
    refused(
        mini,
        lambda: repo.approve("QT-01", by="cuong", now=at("2025-01-07")),
        "only a document that is in_review",
    )
    repo.submit("QT-01", by="an", now=at("2025-01-07"))
    refused(
        mini, lambda: repo.review("QT-01", by="an", now=at("2025-01-08")), "does not hold a role"
    )
    refused(
        mini, lambda: repo.approve("QT-01", by="cuong", now=at("2025-01-08")), "not been reviewed"
    )
    refused(
        mini,
        lambda: repo.review("QT-01", by="binh", now=at("2025-01-08"), reject=True),
        "needs a comment",
    )
    repo.review("QT-01", by="binh", now=at("2025-01-08"))
    refused(
        mini, lambda: repo.approve("QT-01", by="binh", now=at("2025-01-09")), "does not hold a role"
    )
    refused(
        mini,
        lambda: repo.approve(
            "QT-01", by="cuong", now=at("2025-01-09"), effective=dt.date(2025, 1, 1)
        ),
        "in the past",
    )
    refused(mini, lambda: repo.approve("QT-01", by="cuong", now=at("2019-06-01")), "on 01/06/2019")


def test_author_reviewer_and_approver_are_three_people(mini: Path) -> None:
    config = mini / "qms.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "roles: [{role: chairman, from: 2020-01-01}]",
            "roles: [{role: chairman, from: 2020-01-01}, {role: iso-officer, from: 2020-01-01}, "
            "{role: vice-chairman, from: 2020-01-01}]",
        ),
        encoding="utf-8",
    )
    git(mini, "commit", "-qam", "Chủ tịch kiêm nhiệm")
    repo = Repository.open(mini)
    repo.revise("QT-01", reason="Sửa đổi", by="cuong", now=at("2025-01-06"))
    repo.submit("QT-01", by="cuong", now=at("2025-01-07"))
    refused(
        mini,
        lambda: repo.review("QT-01", by="cuong", now=at("2025-01-08")),
        "must be different people",
    )
    repo.review("QT-01", by="binh", now=at("2025-01-08"))
    refused(
        mini,
        lambda: repo.approve("QT-01", by="cuong", now=at("2025-01-09")),
        "must be different people",
    )


def test_editing_a_reviewed_draft_makes_its_signatures_stale(mini: Path) -> None:
    repo = Repository.open(mini)
    repo.revise("QT-01", reason="Sửa đổi", by="an", now=at("2025-01-06"))
    repo.submit("QT-01", by="an", now=at("2025-01-07"))
    repo.review("QT-01", by="binh", now=at("2025-01-08"))
    path = mini / "procedures" / "QT-01.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Mọi tài liệu", "Một số tài liệu"),
        encoding="utf-8",
    )
    git(mini, "commit", "-qam", "Sửa sau khi xem xét")
    stale = [f for f in Repository.open(mini).validate() if f.check == "stale-approval"]
    assert len(stale) == 2 and "changed after signing" in stale[0].message
    refused(
        mini,
        lambda: Repository.open(mini).approve("QT-01", by="cuong", now=at("2025-01-09")),
        "changed after",
    )


def test_uncommitted_edits_are_refused(mini: Path) -> None:
    path = mini / "procedures" / "QT-01.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# chưa commit\n", encoding="utf-8")
    repo = Repository.open(mini)
    refused(
        mini,
        lambda: repo.revise("QT-01", reason="x", by="an", now=at("2025-01-06")),
        "uncommitted edits",
    )


def test_an_action_commits_its_file_only_and_leaves_what_the_officer_staged(mini: Path) -> None:
    (mini / "GHI-CHU.md").write_text("Ghi chú họp ISO, chưa xong\n", encoding="utf-8")
    git(mini, "add", "GHI-CHU.md")
    repo = Repository.open(mini)
    repo.revise("QT-01", reason="Cập nhật", by="an", now=at("2025-01-06"))
    changed = git(mini, "show", "--name-only", "--format=", "HEAD").split()
    assert changed == ["procedures/QT-01.yaml"]
    assert git(mini, "diff", "--cached", "--name-only").split() == ["GHI-CHU.md"]
    git(mini, "reset", "-q", "GHI-CHU.md")  # nothing else staged: the index is committed
    repo.submit("QT-01", by="an", now=at("2025-01-07"))
    assert git(mini, "show", "--name-only", "--format=", "HEAD").split() == [
        "procedures/QT-01.yaml"
    ]
    assert git(mini, "status", "--porcelain").split() == ["??", "GHI-CHU.md"]


def test_new_documents_come_from_templates_and_are_valid_drafts(mini: Path) -> None:
    repo = Repository.open(mini)
    result = repo.new(
        "procedure", "QT-02", title="Quy trình kiểm soát hồ sơ", by="an", now=at("2025-02-03")
    )
    assert result.changed and result.revision == 1
    text = (mini / "procedures" / "QT-02.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/procedure.schema.json\n")
    assert repo.document("QT-02").status.value == "draft"
    assert [f for f in repo.validate() if f.severity.value == "error"] == []
    refused(
        mini,
        lambda: repo.new("procedure", "qt-02", title="x", by="an", now=at("2025-02-03")),
        "already exists",
    )
    refused(
        mini,
        lambda: repo.new("procedure", "../QT-09", title="x", by="an", now=at("2025-02-03")),
        "path separator",
    )
    refused(
        mini,
        lambda: repo.new("form", "BM-02", title="x", by="an", now=at("2025-02-03")),
        "--procedure",
    )


def test_withdraw_and_confirm(mini: Path) -> None:
    repo = Repository.open(mini)
    repo.confirm("QT-01", reason="Rà soát năm 2025: còn phù hợp", by="binh", now=at("2025-03-01"))
    assert repo.document("QT-01").periodic_reviews[-1].reason == "Rà soát năm 2025: còn phù hợp"
    assert repo.due(on=dt.date(2026, 2, 28)) == [] and [
        d.code for d in repo.due(on=dt.date(2026, 3, 1))
    ] == ["QT-01"]
    repo.withdraw("QT-01", reason="Không còn áp dụng", by="cuong", now=at("2025-04-01"))
    assert repo.state_on("QT-01", dt.date(2025, 4, 1))[0] is DocumentState.WITHDRAWN
    refused(
        mini, lambda: repo.revise("QT-01", reason="x", by="an", now=at("2025-05-01")), "withdrawn"
    )


def test_a_failing_git_hook_rolls_the_action_back(mini: Path) -> None:
    hook = mini / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    before, count = tree_snapshot(mini), commits(mini)
    with pytest.raises(GitError, match="rolled back"):
        Repository.open(mini).revise("QT-01", reason="x", by="an", now=at("2025-01-06"))
    assert tree_snapshot(mini) == before and commits(mini) == count
    assert git(mini, "status", "--porcelain") == ""


def test_a_second_action_waits_for_the_lock_then_is_refused(mini: Path) -> None:
    lock = mini / ".git" / "qms.lock"
    with action_lock(lock):
        with pytest.raises(RepositoryBusy, match="another qms action is running"):
            Workflow(mini, lock_wait=0.2).revise("QT-01", reason="x", by="an", now=at("2025-01-06"))
    assert not lock.exists()


def test_a_stale_lock_of_a_dead_process_is_cleared(mini: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (mini / ".git" / "qms.lock").write_text(
        f"{dead.stdout.strip()} {os.uname().nodename}\n", encoding="utf-8"
    )
    result = Workflow(mini, lock_wait=0.5).revise(
        "QT-01", reason="x", by="an", now=at("2025-01-06")
    )
    assert result.changed


def test_two_processes_acting_at_once_lose_nothing(mini: Path) -> None:
    code = (
        "import datetime as dt, sys\n"
        "from qmsdocs import Repository, QmsError\n"
        "tz = dt.timezone(dt.timedelta(hours=7))\n"
        "repo = Repository.open(sys.argv[1])\n"
        "try:\n"
        "    repo.confirm('QT-01', reason=sys.argv[2], by='binh', now=dt.datetime(2025, 3, 1, 9, tzinfo=tz))\n"
        "    print('ok')\n"
        "except QmsError as e:\n"
        "    print('refused', e)\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(mini), f"Rà soát {i}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert outputs == ["ok", "ok"]
    reviews = Repository.open(mini).document("QT-01").periodic_reviews
    assert sorted(r.reason for r in reviews) == ["Rà soát 0", "Rà soát 1"]
    assert git(mini, "status", "--porcelain") == ""
