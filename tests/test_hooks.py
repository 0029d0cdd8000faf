"""Checked on every commit: the plain git hook of ``qms init`` and the pre-commit framework's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qmsdocs.cli.main import main
from tests.conftest import PROJECT, git

BROKEN = "title: [unclosed\n"


def commit(root: Path, message: str) -> subprocess.CompletedProcess[str]:
    """Run a plain ``git commit`` as an officer does; return what git said."""
    return subprocess.run(
        ["git", "commit", "-qm", message], cwd=root, capture_output=True, text=True
    )


def new_repository(tmp_path: Path, *args: str) -> Path:
    root = tmp_path / "qms"
    assert main(["init", str(root), *args]) == 0
    return root


def test_qms_init_installs_a_hook_that_stops_a_broken_commit(tmp_path: Path) -> None:
    root = new_repository(tmp_path)
    hook = root / ".git" / "hooks" / "pre-commit"
    assert os.access(hook, os.X_OK)
    (root / "procedures" / "QT-01.yaml").write_text(BROKEN, encoding="utf-8")
    git(root, "add", "-A")
    refused = commit(root, "Thêm quy trình hỏng")
    assert refused.returncode != 0
    assert "procedures/QT-01.yaml:2:1: error yaml-syntax" in refused.stdout + refused.stderr
    assert git(root, "log", "--oneline").count("\n") == 1  # nothing was committed
    git(root, "rm", "-q", "--cached", "procedures/QT-01.yaml")
    (root / "procedures" / "QT-01.yaml").unlink()
    (root / "GHI-CHU.md").write_text("Sổ tay\n", encoding="utf-8")
    git(root, "add", "GHI-CHU.md")
    assert commit(root, "Sổ tay").returncode == 0


def test_the_hook_is_optional_and_never_overwrites_an_agency_hook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = new_repository(tmp_path, "--no-hook")
    hook = root / ".git" / "hooks" / "pre-commit"
    assert not hook.exists()
    hook.write_text("#!/bin/sh\necho agency\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["-C", str(root), "install-hook"]) == 1
    assert "was not written by qmsdocs" in capsys.readouterr().err
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\necho agency\n"
    hook.unlink()
    assert main(["-C", str(root), "install-hook"]) == 0
    assert main(["-C", str(root), "install-hook"]) == 0  # installing again is harmless


@pytest.mark.skipif(
    shutil.which("pre-commit") is None
    and not (Path(sys.executable).parent / "pre-commit").exists(),
    reason="pre-commit is not installed",
)
def test_the_pre_commit_framework_runs_qms_validate(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if not (PROJECT / ".git").exists():
        pytest.skip("the project is not a git checkout")
    head = subprocess.run(
        ["git", "-C", str(PROJECT), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    shipped = subprocess.run(
        ["git", "-C", str(PROJECT), "cat-file", "-e", f"{head}:.pre-commit-hooks.yaml"]
    )
    if shipped.returncode != 0:
        pytest.skip("the hook definition is not committed yet")
    root = new_repository(tmp_path, "--no-hook")
    (root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {PROJECT}\n    rev: {head}\n    hooks:\n      - id: qms-validate\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit"))}
    pre_commit = str(Path(sys.executable).parent / "pre-commit")
    subprocess.run([pre_commit, "install"], cwd=root, env=env, check=True, capture_output=True)
    git(root, "add", ".pre-commit-config.yaml")
    first = subprocess.run(
        ["git", "commit", "-qm", "Kiểm tra trước mỗi lần commit"],
        cwd=root, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert first.returncode == 0, first.stdout + first.stderr
    (root / "procedures" / "QT-01.yaml").write_text(BROKEN, encoding="utf-8")
    git(root, "add", "-A")
    refused = subprocess.run(
        ["git", "commit", "-qm", "Thêm quy trình hỏng"],
        cwd=root, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert refused.returncode != 0
    said = refused.stdout + refused.stderr
    assert "qms validate" in said and "Failed" in said
    assert "procedures/QT-01.yaml:2:1: error yaml-syntax" in said
