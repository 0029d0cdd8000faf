"""A cold read on every core gives exactly what a read in one process gives.

The demo has 82 files, below the size at which worker processes start: the tests lower
:data:`qmsdocs.read.pool.THRESHOLD` so that its cold reads are shared between workers.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from qmsdocs import Repository
from qmsdocs.read import pool
from tests.conftest import git


def _break(root: Path) -> None:
    """Give the demo one of each kind of finding a document's reading or checks can make."""
    (root / "procedures" / "QT-02.yaml").write_text("code: QT-02\ntitle: [unclosed\n")
    form = root / "forms" / "BM-MC-01.yaml"
    form.write_text(form.read_text().replace("procedure: QT-07", "procedure: QT-01"))
    shutil.copy(root / "procedures" / "QT-03.yaml", root / "procedures" / "QT-03-copy.yaml")
    first = root / "procedures" / "QT-01.yaml"
    first.write_text(first.read_text().replace("ref: 19/2014/QĐ-TTg", "ref: 99/2099/QĐ-TTg"))
    # names that do not say the code: what workers guess from file names must be confirmed
    (root / "forms" / "BM-MC-02.yaml").rename(root / "forms" / "BM-MC-2.yaml")
    (root / "legal" / "09-2015-QD-TTg.yaml").rename(root / "legal" / "09-2015.yaml")
    fourth = root / "procedures" / "QT-04.yaml"
    fourth.write_text(fourth.read_text() + "supersedes:\n  - QT-02\n  - QT-03-COPY\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Broken on purpose")


def _read(where: Path, jobs: int, **at: Any) -> tuple[list[str], list[Any], list[str]]:
    repo = Repository.at(where, jobs=jobs, **at) if at else Repository.open(where, jobs=jobs)
    findings = [f"{f} {f.field} {f.code}" for f in repo.validate()]
    rows = [r.to_dict() for r in repo.summaries(on=dt.date(2026, 1, 1))]
    codes = [d.code for d in repo]
    return findings, rows, codes


@pytest.fixture
def broken(demo: Path) -> Path:
    _break(demo)
    return demo


def _cold(root: Path) -> None:
    shutil.rmtree(root / ".git" / "qms-cache", ignore_errors=True)


def test_a_work_tree_read_by_two_workers_is_read_as_by_one(
    broken: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "THRESHOLD", 4)
    _cold(broken)
    alone = _read(broken, jobs=1)
    _cold(broken)
    shared = _read(broken, jobs=2)
    assert shared == alone
    assert any("yaml-syntax" in f for f in alone[0])
    assert any("duplicate-code" in f for f in alone[0])
    assert any("form-owner" in f or "unknown-legal" in f for f in alone[0])
    assert _read(broken, jobs=2) == alone  # warm, from the caches the workers' reading filled


def test_a_commit_read_by_two_workers_is_read_as_by_one(
    broken: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "THRESHOLD", 4)
    bare = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(broken), str(bare)], check=True)
    alone = _read(bare, jobs=1, cache_dir=tmp_path / "one")
    shared = _read(bare, jobs=2, cache_dir=tmp_path / "two")
    assert shared == alone
    # the blobs the workers read are kept by id: the parent commit reads them back
    assert _read(bare, jobs=2, rev="HEAD~1", cache_dir=tmp_path / "two") == _read(
        bare, jobs=1, rev="HEAD~1", cache_dir=tmp_path / "one"
    )


def test_the_parent_holds_no_parsed_document_after_a_cold_read(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "THRESHOLD", 4)
    _cold(demo)
    repo = Repository.open(demo, jobs=2)
    assert repo.validate() == []
    assert [e.file for e in repo.reader.entries.values() if e._document is not None] == []
    assert repo.document("QT-01").code == "QT-01"  # parsed when asked


def test_a_guess_the_file_names_contradict_is_checked_again_here(
    broken: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "THRESHOLD", 4)
    _cold(broken)
    repo = Repository.open(broken, jobs=2)
    again = {e.file for e in repo.reader.entries.values() if e.file not in repo.reader.prechecked}
    # QT-04 supersedes an unreadable file and a code no file has; others name a form whose
    # file is misnamed (a legal file misnamed changes nothing: none of them cites it)
    naming = {
        f"procedures/{path.name}"
        for path in (broken / "procedures").glob("*.yaml")
        if "BM-MC-02" in path.read_text()
    }
    assert len(naming) > 1 and again == {"procedures/QT-04.yaml"} | naming


def test_one_job_starts_no_process(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "THRESHOLD", 1)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker process was started")

    monkeypatch.setattr("qmsdocs.read.reader.ColdRead", refuse)
    _cold(broken)
    assert Repository.open(broken, jobs=1).validate()
    assert pool.workers(1, 100_000) == 1
    assert pool.workers(None, pool.THRESHOLD - 1) == 1  # a small repository: this process


def test_a_worker_that_fails_leaves_the_read_to_this_process(
    broken: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "THRESHOLD", 4)
    _cold(broken)
    alone = _read(broken, jobs=1)

    def crash(*args: object) -> None:
        raise SystemExit(1)

    monkeypatch.setattr(pool, "_work", crash)
    _cold(broken)
    assert _read(broken, jobs=2) == alone
