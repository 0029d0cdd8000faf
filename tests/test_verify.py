"""qms verify: passes on the honest demo, and catches each way of tampering with it."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from qmsdocs import Repository, Severity, verify
from qmsdocs.cli.main import main
from tests.conftest import git

HAND = ["-c", "user.name=Người lạ", "-c", "user.email=la@example.invalid"]


def edit(root: Path, file: str, old: str, new: str) -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def commit(root: Path, message: str = "Sửa tay") -> None:
    git(root, *HAND, "commit", "-qam", message)


def tag_commit(root: Path, tag: str) -> str:
    return git(root, "rev-parse", f"{tag}^{{commit}}").strip()


def edited_and_committed(root: Path) -> None:
    edit(
        root,
        "procedures/QT-TP-01.yaml",
        "Quy trình đăng ký khai sinh",
        "Quy trình đăng ký khai sinh (sửa)",
    )
    commit(root)


def edited_not_committed(root: Path) -> None:
    edit(
        root,
        "procedures/QT-TP-02.yaml",
        "title: Quy trình đăng ký kết hôn",
        "title: Quy trình kết hôn",
    )


def tag_deleted(root: Path) -> None:
    git(root, "tag", "-d", "qms/QT-03/1")


def tag_moved(root: Path) -> None:
    git(
        root,
        *HAND,
        "tag",
        "-f",
        "-a",
        "-m",
        "moved",
        "qms/QT-01/2",
        tag_commit(root, "qms/QT-01/3"),
    )


def tag_made_lightweight(root: Path) -> None:
    target = tag_commit(root, "qms/QT-02/1")
    git(root, "tag", "-d", "qms/QT-02/1")
    git(root, "tag", "qms/QT-02/1", target)


def tag_stamp_forged(root: Path) -> None:
    message = git(root, "tag", "-l", "--format=%(contents)", "qms/QT-04/1")
    target = tag_commit(root, "qms/QT-04/1")
    forged = re.sub(r"QMS-Stamp: sha256:[0-9a-f]{64}", "QMS-Stamp: sha256:" + "0" * 64, message)
    git(root, *HAND, "tag", "-f", "-a", "-m", forged, "qms/QT-04/1", target)


def approval_forged(root: Path) -> None:
    edit(
        root,
        "procedures/QT-06.yaml",
        "    person: nguyen-van-hung\n    name: Nguyễn Văn Hùng\n    title: Chủ tịch UBND phường\n    role: chairman",
        "    person: tran-thi-mai\n    name: Trần Thị Mai\n    title: Phó Chủ tịch UBND phường\n    role: vice-chairman",
    )
    commit(root, "Sửa người phê duyệt")


def approver_without_role(root: Path) -> None:
    edit(
        root, "qms.yaml", "{role: chairman, from: 2020-06-01}", "{role: chairman, from: 2026-01-01}"
    )
    commit(root, "Sửa ngày giữ chức vụ")


def self_approval(root: Path) -> None:
    edit(
        root,
        "qms.yaml",
        "      - {role: vice-chairman, from: 2019-03-15}",
        "      - {role: vice-chairman, from: 2019-03-15}\n      - {role: iso-officer, from: 2019-03-15}",
    )
    text = (root / "policies" / "CSCL.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    person: vo-minh-tuan\n    name: Võ Minh Tuấn",
        "    person: tran-thi-mai\n    name: Trần Thị Mai",
        1,
    )
    (root / "policies" / "CSCL.yaml").write_text(text, encoding="utf-8")
    commit(root, "Tự soạn, tự xem xét")


def history_rewritten(root: Path) -> str:
    """Rewrite history from before the latest approval; return the file of that document."""
    latest = git(
        root,
        "for-each-ref",
        "--sort=-taggerdate",
        "--count=1",
        "--format=%(refname:strip=2)",
        "refs/tags/qms/",
    ).strip()
    git(root, "reset", "-q", "--hard", f"{latest}^{{commit}}~1")
    (root / "GHI-CHU.txt").write_text("lịch sử viết lại\n", encoding="utf-8")
    git(root, "add", "GHI-CHU.txt")
    git(root, *HAND, "commit", "-q", "-m", "Viết lại")
    return Repository.open(root).file_of(latest.split("/")[1])


def file_deleted(root: Path) -> None:
    git(root, "rm", "-q", "forms/BM-QT-02-01.yaml")
    git(root, *HAND, "commit", "-q", "-m", "Xóa biểu mẫu")


def fake_approval_commit(root: Path) -> None:
    edit(root, "procedures/QT-TP-06.yaml", "revision: 1\n", "revision: 2\n")
    git(
        root,
        *HAND,
        "commit",
        "-qa",
        "-m",
        "Phê duyệt\n\nQMS-Action: approve\nQMS-Document: QT-TP-06\nQMS-Revision: 2",
    )


def approval_backdated(root: Path) -> None:
    edit(root, "objectives/MTCL-2025.yaml", "signed_at: 2025-01-10", "signed_at: 2024-12-30")
    commit(root, "Lùi ngày ký")


def retitled_through_a_draft_state(root: Path) -> None:
    edit(root, "procedures/QT-05.yaml", "status: approved", "status: draft")
    commit(root, "Chuyển về dự thảo bằng tay")


# -- thorough forgers: they rewrite history and re-point tags so that git looks consistent --


def latest_tag(root: Path) -> str:
    return git(
        root,
        "for-each-ref",
        "--sort=-taggerdate",
        "--count=1",
        "--format=%(refname:strip=2)",
        "refs/tags/qms/",
    ).strip()


def committer(
    root: Path, commit: str, name: str | None = None, email: str | None = None
) -> dict[str, str]:
    """Return the environment that makes git commit as *commit*'s committer did, then."""
    cn, ce, cd = git(root, "log", "-1", "--format=%cn%x00%ce%x00%cI", commit).split("\0")
    return {
        "GIT_COMMITTER_NAME": name or cn,
        "GIT_COMMITTER_EMAIL": email or ce,
        "GIT_COMMITTER_DATE": cd.strip(),
    }


def rewrite_approval(
    root: Path,
    tag: str,
    *,
    edit: Callable[[str], str] | None = None,
    author: tuple[str, str] | None = None,
    message: Callable[[str], str] = lambda text: text,
) -> None:
    """Rewrite the approval commit of *tag*, replay the later history on it and re-point
    every tag, keeping each tag's own message and tagger: a consistent-looking forgery."""
    old = tag_commit(root, tag)
    tip = git(root, "rev-parse", "HEAD").strip()
    later = git(root, "rev-list", "--reverse", f"{old}..{tip}").split()
    tags = {
        name: tag_commit(root, name)
        for name in git(root, "tag", "-l", "qms/*").split()
        if tag_commit(root, name) in [old, *later]
    }
    file = git(root, "diff-tree", "--no-commit-id", "--name-only", "-r", old).split()[0]
    fields = git(root, "log", "-1", "--format=%an%x00%ae%x00%aI%x00%cI%x00%B", old).split("\0")
    name, email, when, committed, body = fields
    if author is not None:
        name, email = author
    git(root, "checkout", "-q", "--detach", old)
    if edit is not None:
        path = root / file
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
        git(root, "add", file)
    amend = subprocess.run(
        ["git", "commit", "-q", "--amend", "--allow-empty", "-F", "-"]
        + [f"--author={name} <{email}>", f"--date={when}"],
        cwd=root,
        input=message(body),
        text=True,
        capture_output=True,
        env={**os.environ, **committer(root, old, name, email)},
    )
    assert amend.returncode == 0, amend.stderr
    new = {old: git(root, "rev-parse", "HEAD").strip()}
    for commit in later:  # replay, keeping authors, committers and dates
        subprocess.run(
            ["git", "cherry-pick", "--allow-empty", "--keep-redundant-commits", commit],
            cwd=root,
            capture_output=True,
            check=True,
            env={**os.environ, **committer(root, commit)},
        )
        new[commit] = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-B", "main", new[tip] if later else new[old])
    for name_, target in tags.items():
        text = git(root, "tag", "-l", "--format=%(contents)", name_)
        who = (
            git(
                root,
                "tag",
                "-l",
                "--format=%(taggername)%00%(taggeremail:trim)%00%(taggerdate:iso-strict)",
                name_,
            )
            .strip()
            .split("\0")
        )
        subprocess.run(
            [
                "git",
                "-c",
                f"user.name={who[0]}",
                "-c",
                f"user.email={who[1]}",
                "tag",
                "-f",
                "-a",
                name_,
                new[target],
                "-F",
                "-",
            ],
            cwd=root,
            input=message(text) if name_ == tag else text,
            text=True,
            check=True,
            capture_output=True,
            env={**os.environ, "GIT_COMMITTER_DATE": who[2]},
        )


def effective_date_rewritten(root: Path) -> str:
    tag = latest_tag(root)
    rewrite_approval(
        root,
        tag,
        edit=lambda text: re.sub(
            r"effective_date: \S+", "effective_date: 2025-09-23", text, count=1
        ),
    )
    return Repository.open(root).file_of(tag.split("/")[1])


def approval_commit_author_rewritten(root: Path) -> str:
    tag = latest_tag(root)
    rewrite_approval(root, tag, author=("Trần Thị Mai", "mai.tt@anhoa.binhgiang.gov.vn"))
    return Repository.open(root).file_of(tag.split("/")[1])


IMPOSTOR = "ke-mao-danh"


def _sign_as(person: str, name: str, title: str, role: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        return text.replace(
            "    person: nguyen-van-hung\n    name: Nguyễn Văn Hùng\n    title: Chủ tịch UBND phường\n    role: chairman",
            f"    person: {person}\n    name: {name}\n    title: {title}\n    role: {role}",
        )

    return edit


def approver_without_the_role_rewritten(root: Path) -> str:
    tag = latest_tag(root)
    rewrite_approval(
        root,
        tag,
        edit=_sign_as(
            "le-quoc-bao", "Lê Quốc Bảo", "Chánh Văn phòng HĐND và UBND phường", "chairman"
        ),
        author=("Lê Quốc Bảo", "bao.lq@anhoa.binhgiang.gov.vn"),
        message=lambda text: text.replace("QMS-Person: nguyen-van-hung", "QMS-Person: le-quoc-bao"),
    )
    return Repository.open(root).file_of(tag.split("/")[1])


def approver_added_to_qms_yaml_afterwards(root: Path) -> str:
    tag = latest_tag(root)
    rewrite_approval(
        root,
        tag,
        edit=_sign_as(IMPOSTOR, "Kẻ Mạo Danh", "Chủ tịch UBND phường", "chairman"),
        author=("Kẻ Mạo Danh", "kmd@anhoa.binhgiang.gov.vn"),
        message=lambda text: text.replace("QMS-Person: nguyen-van-hung", f"QMS-Person: {IMPOSTOR}"),
    )
    edit(
        root,
        "qms.yaml",
        "  - id: tran-thi-mai\n",
        f"  - id: {IMPOSTOR}\n    name: Kẻ Mạo Danh\n    title: Chủ tịch UBND phường\n"
        "    email: kmd@anhoa.binhgiang.gov.vn\n    unit: lanh-dao\n    roles:\n"
        "      - {role: chairman, from: 2019-01-01}\n  - id: tran-thi-mai\n",
    )
    commit(root, "Bổ sung danh sách cán bộ")
    return Repository.open(root).file_of(tag.split("/")[1])


def history_rebased(root: Path) -> str:
    """Replay the latest commits anew (git rebase --force-rebase): every later tag is left behind."""
    tag = latest_tag(root)
    base = tag_commit(root, tag) + "~1"
    done = subprocess.run(
        ["git", *HAND, "rebase", "-q", "--force-rebase", base],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return Repository.open(root).file_of(tag.split("/")[1])


def tag_repointed_to_head(root: Path) -> None:
    message = git(root, "tag", "-l", "--format=%(contents)", "qms/QT-01/3")
    git(root, *HAND, "tag", "-f", "-a", "-m", message, "qms/QT-01/3", "HEAD")


def tag_effective_date_forged(root: Path) -> None:
    message = git(root, "tag", "-l", "--format=%(contents)", "qms/QT-02/1")
    forged = re.sub(r"QMS-Effective: \S+", "QMS-Effective: 2019-01-01", message)
    git(
        root, *HAND, "tag", "-f", "-a", "-m", forged, "qms/QT-02/1", tag_commit(root, "qms/QT-02/1")
    )


def tag_for_a_revision_never_made(root: Path) -> None:
    message = git(root, "tag", "-l", "--format=%(contents)", "qms/QT-03/1")
    forged = message.replace("QMS-Revision: 1", "QMS-Revision: 9")
    git(root, *HAND, "tag", "-a", "-m", forged, "qms/QT-03/9", "HEAD")


def signature_stamp_edited(root: Path) -> None:
    path = root / "procedures" / "QT-TP-03.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"stamp: sha256:[0-9a-f]{64}", "stamp: sha256:" + "1" * 64, text, count=1),
        encoding="utf-8",
    )


def effective_date_edited_not_committed(root: Path) -> None:
    path = root / "policies" / "CSCL.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"effective_date: \S+", "effective_date: 2030-01-01", text, count=1),
        encoding="utf-8",
    )


def issued_content_replaced_by_git_replace(root: Path) -> None:
    blob = git(root, "rev-parse", "qms/QT-03/1:procedures/QT-03.yaml").strip()
    text = git(root, "cat-file", "blob", blob).replace(
        "status: approved", "status: approved  # ", 1
    )
    text = text.replace("title: ", "title: Bản giả mạo - ", 1)
    forged = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=root,
        input=text,
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    git(root, "replace", blob, forged)


def withdrawn_by_hand(root: Path) -> None:
    edit(
        root,
        "forms/BM-QT-01-01.yaml",
        "status: approved\n",
        "status: withdrawn\nwithdrawal: {date: 2025-01-01, reason: Tự hủy}\n",
    )
    commit(root, "Hủy biểu mẫu bằng tay")


CASES: list[tuple[str, Callable[[Path], str | None], str, str]] = [
    (
        "issued file edited and committed",
        edited_and_committed,
        "procedures/QT-TP-01.yaml",
        "verify-hand-edit",
    ),
    (
        "issued file edited, not committed",
        edited_not_committed,
        "procedures/QT-TP-02.yaml",
        "verify-issued",
    ),
    ("tag deleted", tag_deleted, "procedures/QT-03.yaml", "verify-tag"),
    ("tag moved", tag_moved, "procedures/QT-01.yaml", "verify-tag"),
    (
        "annotated tag replaced by a lightweight one",
        tag_made_lightweight,
        "procedures/QT-02.yaml",
        "verify-tag",
    ),
    ("tag stamp forged", tag_stamp_forged, "procedures/QT-04.yaml", "verify-stamp"),
    ("approval block forged", approval_forged, "procedures/QT-06.yaml", "verify-hand-edit"),
    (
        "approver without the role",
        approver_without_role,
        "procedures/QT-01.yaml",
        "verify-approval",
    ),
    ("self-approval edited in", self_approval, "policies/CSCL.yaml", "verify-hand-edit"),
    ("history rewritten", history_rewritten, "(returned)", "verify-history"),
    ("issued file deleted", file_deleted, "forms/BM-QT-02-01.yaml", "verify-hand-edit"),
    (
        "approval commit faked by hand",
        fake_approval_commit,
        "procedures/QT-TP-06.yaml",
        "verify-tag",
    ),
    ("signature backdated", approval_backdated, "objectives/MTCL-2025.yaml", "verify-hand-edit"),
    (
        "issued document turned back into a draft",
        retitled_through_a_draft_state,
        "procedures/QT-05.yaml",
        "verify-hand-edit",
    ),
]


CASES += [
    (
        "effective date changed by rewriting the approval commit",
        effective_date_rewritten,
        "(returned)",
        "verify-tag",
    ),
    (
        "approval commit re-authored",
        approval_commit_author_rewritten,
        "(returned)",
        "verify-approval",
    ),
    (
        "approver without the role, history rewritten",
        approver_without_the_role_rewritten,
        "(returned)",
        "verify-approval",
    ),
    (
        "approver added to qms.yaml after the fact",
        approver_added_to_qms_yaml_afterwards,
        "(returned)",
        "verify-approval",
    ),
    ("history rebased", history_rebased, "(returned)", "verify-history"),
    (
        "tag re-pointed to an ordinary commit",
        tag_repointed_to_head,
        "procedures/QT-01.yaml",
        "verify-tag",
    ),
    ("tag effective date forged", tag_effective_date_forged, "procedures/QT-02.yaml", "verify-tag"),
    (
        "tag for a revision never made",
        tag_for_a_revision_never_made,
        "procedures/QT-03.yaml",
        "verify-tag",
    ),
    (
        "signature stamp edited",
        signature_stamp_edited,
        "procedures/QT-TP-03.yaml",
        "verify-approval",
    ),
    (
        "effective date edited, not committed",
        effective_date_edited_not_committed,
        "policies/CSCL.yaml",
        "verify-issued",
    ),
    (
        "issued content swapped with git replace",
        issued_content_replaced_by_git_replace,
        ".",
        "verify-replace",
    ),
    ("withdrawn by hand", withdrawn_by_hand, "forms/BM-QT-01-01.yaml", "verify-hand-edit"),
]


def test_the_honest_demo_verifies(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert verify(Repository.open(demo)) == []
    assert main(["-C", str(demo), "verify"]) == 0
    assert capsys.readouterr().out.startswith("verified:")


@pytest.mark.parametrize(("name", "tamper", "file", "check"), CASES, ids=[c[0] for c in CASES])
def test_verify_catches_tampering(
    demo: Path,
    name: str,
    tamper: Callable[[Path], str | None],
    file: str,
    check: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    file = tamper(demo) or file
    capsys.readouterr()
    assert main(["-C", str(demo), "verify", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    found = [(f["check"], f["file"]) for f in data["findings"]]
    assert data["verified"] is False and (check, file) in found, data["findings"]


def test_the_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 20


def issue_a_revision(root: Path, reason: str, *, effective: dt.date) -> dt.datetime:
    """Revise, submit, review and approve QT-TP-01 through the workflow; return the day."""
    day = dt.datetime(2026, 8, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    repo = Repository.open(root)
    repo.revise("QT-TP-01", reason=reason, by="vo-minh-tuan", now=day)
    repo.submit("QT-TP-01", by="vo-minh-tuan", now=day + dt.timedelta(hours=1))
    repo.review("QT-TP-01", by="tran-thi-mai", now=day + dt.timedelta(hours=2))
    repo.approve(
        "QT-TP-01", by="nguyen-van-hung", now=day + dt.timedelta(hours=3), effective=effective
    )
    return day


def test_honest_work_after_the_demo_is_never_flagged(demo: Path) -> None:
    """Actions, plain-git edits that change no content, merges, packing, other tags."""
    day = issue_a_revision(demo, "Cập nhật theo quy định mới", effective=dt.date(2026, 9, 1))
    repo = Repository.open(demo)
    repo.confirm("QT-02", reason="Rà soát định kỳ: còn phù hợp", by="tran-thi-mai", now=day)
    # an officer's comment and a blank line in an issued file, committed with plain git
    path = demo / repo.file_of("QT-03")
    path.write_text(
        path.read_text(encoding="utf-8").replace("\nscope:", "\n# Ghi chú: giữ nguyên.\n\nscope:"),
        encoding="utf-8",
    )
    commit(demo, "Ghi chú")
    # work on a branch merged back, a release tag outside qms/, packed refs and objects
    git(demo, "checkout", "-q", "-b", "ghi-chu")
    (demo / "GHI-CHU.md").write_text("Sổ tay cán bộ ISO\n", encoding="utf-8")
    git(demo, "add", "GHI-CHU.md")
    commit(demo, "Sổ tay")
    git(demo, "checkout", "-q", "main")
    git(demo, *HAND, "merge", "-q", "--no-ff", "-m", "Hợp nhất sổ tay", "ghi-chu")
    git(demo, *HAND, "tag", "-a", "-m", "Bản phát hành", "v2026.1")
    git(demo, "tag", "ban-in-2026")
    git(demo, "gc", "-q")

    assert verify(Repository.open(demo)) == []


def test_a_hand_edit_says_how_to_repair_it_and_a_proper_revision_repairs_it(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edited_and_committed(demo)
    [finding] = [f for f in verify(Repository.open(demo)) if f.check == "verify-hand-edit"]
    assert "qms revise QT-TP-01" in finding.message and "To repair" in finding.message
    # the officer does what it says: the edited text goes through a proper revision
    issue_a_revision(demo, "Đưa sửa đổi tay vào quy trình", effective=dt.date(2026, 8, 4))
    findings = verify(Repository.open(demo))
    assert [f.severity for f in findings] == [Severity.WARNING]  # evidence kept, not failing
    assert findings[0].check == "verify-hand-edit-repaired"
    assert "repaired by revision" in findings[0].message
    capsys.readouterr()
    assert main(["-C", str(demo), "verify"]) == 0
    assert "verified:" in capsys.readouterr().out


def test_a_hand_edit_restored_to_the_issued_text_is_repaired(demo: Path) -> None:
    file = demo / "procedures" / "QT-TP-01.yaml"
    original = file.read_bytes()
    edited_and_committed(demo)
    file.write_bytes(original)
    commit(demo, "Khôi phục bản đã ban hành")
    findings = verify(Repository.open(demo))
    assert [(f.severity, f.check) for f in findings] == [
        (Severity.WARNING, "verify-hand-edit-repaired")
    ]
