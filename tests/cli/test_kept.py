"""Kept answers: a read asked again of an unchanged repository answers without the library.

Each run is a fresh ``qms`` process (the entry point, :func:`qmsdocs.cli.kept.main`); the
repository's files are made older than git's two "racy" seconds where a test wants its
answer kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import git

_RUN = """
import json, sys
from qmsdocs.cli.{module} import main
code = main(sys.argv[2:])
sys.stdout.flush()
heavy = {{m.split(".")[0] for m in sys.modules}}
heavy &= {{"pydantic", "git", "ruamel", "rich", "click", "docx", "lxml"}}
open(sys.argv[1], "w").write(json.dumps([code, sorted(heavy)]))
"""


def _qms(
    tmp: Path, root: Path, *args: str, kept: bool = True
) -> tuple[int, bytes, bytes, list[str]]:
    """Run qms in a fresh process: (exit code, stdout, stderr, library packages imported)."""
    probe = tmp / "probe.json"
    done = subprocess.run(
        [sys.executable, "-c", _RUN.format(module="kept" if kept else "main"), str(probe),
         "-C", str(root), *args],
        capture_output=True,
        check=False,
    )  # fmt: skip
    code, heavy = json.loads(probe.read_text())
    assert done.returncode == 0, done.stderr
    return code, done.stdout, done.stderr, heavy


def _age(root: Path, seconds: int = 10) -> None:
    """Make every file and folder of *root* (its .git too) *seconds* older."""
    then = time.time() - seconds
    for folder, _dirs, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(folder, name), (then, then))
        os.utime(folder, (then, then))


def _answers(root: Path) -> list[Path]:
    return sorted((root / ".git" / "qms-cache").glob("answer-*.json"))


def test_a_read_asked_again_answers_the_same_without_the_library(
    mini: Path, tmp_path: Path
) -> None:
    _age(mini)
    for args in (["list"], ["show", "QT-01"], ["validate"], ["list", "--json"]):
        first = _qms(tmp_path, mini, *args)
        again = _qms(tmp_path, mini, *args)
        assert first[0] == 0 and first[1]
        assert "pydantic" in first[3]
        assert again[:3] == first[:3]  # the same bytes on both streams, the same exit code
        assert again[3] == []  # neither pydantic, gitpython, ruamel, rich nor click
    assert len(_answers(mini)) == 4


def test_findings_their_streams_and_the_exit_code_are_kept(mini: Path, tmp_path: Path) -> None:
    procedure = mini / "procedures" / "QT-01.yaml"
    procedure.write_text(procedure.read_text().replace("revision: 1", "revision: many"))
    _age(mini)
    first = _qms(tmp_path, mini, "validate")
    again = _qms(tmp_path, mini, "validate")
    assert first[0] == 1 and b"QT-01.yaml" in first[1] and b"error" in first[2]
    assert again[:3] == first[:3] and again[3] == []
    missing = _qms(tmp_path, mini, "show", "QT-99")
    assert missing[0] == 1 and b"QT-99" in missing[2]
    assert _qms(tmp_path, mini, "show", "QT-99")[:3] == missing[:3]


def test_an_edit_a_new_file_and_a_commit_are_each_seen(mini: Path, tmp_path: Path) -> None:
    _age(mini)
    before = _qms(tmp_path, mini, "list")
    procedure = mini / "procedures" / "QT-01.yaml"
    procedure.write_text(procedure.read_text().replace("kiểm soát tài liệu", "kiểm soát hồ sơ"))
    _age(mini)
    edited = _qms(tmp_path, mini, "list")
    assert edited[3] != [] and edited[1] != before[1]
    assert "kiểm soát hồ sơ".encode() in edited[1]
    assert edited[:3] == _qms(tmp_path, mini, "list", kept=False)[:3]

    (mini / "forms" / "BM-01-02.yaml").write_text(
        (mini / "forms" / "BM-01-01.yaml").read_text().replace("BM-01-01", "BM-01-02")
    )
    _age(mini)
    added = _qms(tmp_path, mini, "list")
    assert added[3] != [] and b"BM-01-02" in added[1]

    git(mini, "add", "-A")
    git(mini, "commit", "-q", "-m", "Two forms")
    _age(mini)
    committed = _qms(tmp_path, mini, "validate")
    assert committed[3] != []  # HEAD moved: asked again, not answered from what was kept
    assert _qms(tmp_path, mini, "validate")[3] == []
    git(mini, "tag", "qms/BM-01-02/1")
    _age(mini)
    assert _qms(tmp_path, mini, "validate")[3] != []


def test_a_repository_changed_in_the_last_two_seconds_keeps_nothing(
    mini: Path, tmp_path: Path
) -> None:
    (mini / "procedures" / "QT-01.yaml").touch()
    assert _qms(tmp_path, mini, "list")[0] == 0
    assert _answers(mini) == []
    assert _qms(tmp_path, mini, "list")[3] != []


def test_each_language_and_each_question_has_its_own_answer(mini: Path, tmp_path: Path) -> None:
    _age(mini)
    english = _qms(tmp_path, mini, "list")
    vietnamese = _qms(tmp_path, mini, "--lang", "vi", "list")
    assert english[1] != vietnamese[1]
    assert _qms(tmp_path, mini, "--lang", "vi", "list")[:3] == vietnamese[:3]
    assert _qms(tmp_path, mini, "list")[:3] == english[:3]
    assert _qms(tmp_path, mini, "list", "--kind", "form")[1] != english[1]


def test_help_and_actions_are_never_kept(mini: Path, tmp_path: Path) -> None:
    _age(mini)
    _qms(tmp_path, mini, "list", "--help")
    _qms(tmp_path, mini, "--version")
    _qms(tmp_path, mini, "history", "QT-01")
    assert _answers(mini) == []
