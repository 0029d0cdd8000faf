"""Signed approvals: git's own SSH signing, checked against the approver's registered key."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from qmsdocs import Repository, verify
from tests.conftest import git

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
TZ = dt.timezone(dt.timedelta(hours=7))


def keypair(folder: Path, name: str) -> tuple[Path, str]:
    key = folder / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True
    )
    out = subprocess.run(
        ["ssh-keygen", "-lf", str(key) + ".pub"], capture_output=True, text=True, check=True
    )
    return key, out.stdout.split()[1]  # SHA256:…


def signing_repo(mini: Path, tmp_path: Path, *, registered: str) -> Path:
    key, _ = keypair(tmp_path, "cuong")
    public = (tmp_path / "cuong.pub").read_text(encoding="utf-8").strip()
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"cuong@xa.gov.vn {public}\n", encoding="utf-8")
    for name, value in [
        ("gpg.format", "ssh"),
        ("user.signingkey", str(key)),
        ("gpg.ssh.allowedSignersFile", str(allowed)),
    ]:
        git(mini, "config", name, value)
    config = mini / "qms.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "    email: cuong@xa.gov.vn\n",
        f"    email: cuong@xa.gov.vn\n    signing_keys: ['{registered}']\n",
    )
    config.write_text(text + "require_signed_approvals: true\n", encoding="utf-8")
    git(mini, "commit", "-qam", "Yêu cầu ký số khi phê duyệt")
    return mini


def approve_once(root: Path) -> None:
    repo = Repository.open(root)
    start = dt.datetime(2025, 1, 6, 9, tzinfo=TZ)
    repo.revise("QT-01", reason="Sửa đổi", by="an", now=start)
    repo.submit("QT-01", by="an", now=start + dt.timedelta(days=1))
    repo.review("QT-01", by="binh", now=start + dt.timedelta(days=2))
    repo.approve("QT-01", by="cuong", now=start + dt.timedelta(days=3))


def test_a_signed_approval_by_the_registered_key_verifies(mini: Path, tmp_path: Path) -> None:
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    root = signing_repo(mini, key_dir, registered="PLACEHOLDER")
    fingerprint = subprocess.run(
        ["ssh-keygen", "-lf", str(key_dir / "cuong.pub")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[1]
    text = (root / "qms.yaml").read_text(encoding="utf-8").replace("PLACEHOLDER", fingerprint)
    (root / "qms.yaml").write_text(text, encoding="utf-8")
    git(root, "commit", "-qam", "Đăng ký khóa ký số")
    approve_once(root)
    assert git(root, "cat-file", "-p", "qms/QT-01/3").count("BEGIN SSH SIGNATURE") == 1
    assert verify(Repository.open(root)) == []


def test_a_key_not_registered_for_the_approver_is_caught(mini: Path, tmp_path: Path) -> None:
    root = signing_repo(mini, tmp_path, registered="SHA256:notthekeyofthisperson")
    approve_once(root)
    findings = verify(Repository.open(root))
    assert {f.check for f in findings} == {"verify-signature"}
    assert "not registered" in findings[0].message


def test_an_unsigned_tag_is_caught_where_signatures_are_required(
    mini: Path, tmp_path: Path
) -> None:
    root = signing_repo(mini, tmp_path, registered="SHA256:x")
    approve_once(root)
    target = git(root, "rev-parse", "qms/QT-01/3^{commit}").strip()
    message = git(
        root, "tag", "-l", "--format=%(contents:subject)%0a%0a%(contents:body)", "qms/QT-01/3"
    )
    git(root, "tag", "-d", "qms/QT-01/3")
    git(root, "tag", "-a", "--no-sign", "-m", message, "qms/QT-01/3", target)
    findings = verify(Repository.open(root))
    assert any(f.check == "verify-signature" and "no good signature" in f.message for f in findings)
