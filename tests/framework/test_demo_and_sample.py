"""The sample framework validates, and `qms demo --framework` shows the whole cycle."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qmsdocs import Repository, verify
from qmsdocs.cli.main import main
from qmsdocs.framework.derive import rendered_model
from qmsdocs.framework.params import parameter_values
from qmsdocs.model import Status
from tests.conftest import PROJECT, git

SAMPLE_FRAMEWORK = PROJECT / "sample_framework"


def test_the_sample_framework_validates_and_every_model_renders(tmp_path: Path) -> None:
    root = tmp_path / "framework"
    shutil.copytree(SAMPLE_FRAMEWORK, root, symlinks=False)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "framework")
    repo = Repository.open(root)
    assert repo.validate() == []
    declaration = repo.config.framework
    assert declaration is not None
    values = parameter_values(declaration)
    for document in repo:
        rendered = rendered_model(repo, document.code, values, framework="x", tag="HEAD")
        assert "{{" not in rendered.model_dump_json()


def test_demo_framework_shows_the_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--lang", "en", "demo", str(tmp_path / "demo"), "--framework"])
    out = capsys.readouterr().out
    assert code == 0 and "1 conflict(s), resolved and approved" in out
    commune = Repository.open(tmp_path / "demo" / "commune")
    province = Repository.open(tmp_path / "demo" / "province")
    assert commune.validate() == [] and province.validate() == []
    assert verify(commune) == []  # the province imported release 2025.1 as one commit
    birth = commune.document("QT-TP-01")
    assert birth.status is Status.APPROVED and birth.revision == 3 and birth.conflicts == []
    assert birth.scope.endswith("điểm tiếp nhận lưu động của phường.")  # the local change, kept
    assert birth.steps[1].time == "1 giờ làm việc"  # the conflict, resolved for the framework
    assert birth.derived_from is not None and birth.derived_from.release == "2025.2"
    assert "07/2025/NĐ-CP" in [b.ref for b in birth.legal_basis]
    assert commune.legal_document("07/2025/NĐ-CP").origin is not None
    # nothing approved automatically: every approval of the ward is signed by its chairman
    assert {a.name for d in commune for a in d.approvals if a.meaning == "approved"} == {
        "Nguyễn Văn Hùng"
    }
