"""qms verify: passes on the honest demo, and catches each way of tampering with it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from qmsdocs import Repository, verify
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
    findings = verify(Repository.open(demo))
    assert any(f.check == check and f.file == file for f in findings), [str(f) for f in findings]
    assert main(["-C", str(demo), "verify", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["verified"] is False and any(f["file"] == file for f in data["findings"])


def test_the_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 10
