"""Bulk export on every core, and the speed of controlled copies (issue 7's bar)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from qmsdocs import Repository
from qmsdocs.errors import QmsError
from qmsdocs.export import (
    DocumentRenderer,
    ExportContext,
    ExportInfo,
    ExportJob,
    Marking,
    export_many,
)
from qmsdocs.lifecycle import DocumentState
from tests.export.support_copies import COMMIT, context_of, marking_text, sample_repository

INFO = ExportInfo(state=DocumentState.EFFECTIVE, commit=COMMIT)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    return sample_repository(tmp_path_factory.mktemp("bulk"))


@pytest.fixture(scope="module")
def context(repo: Repository) -> ExportContext:
    return context_of(repo)


def _jobs(repo: Repository, folder: Path, copies: int) -> list[ExportJob]:
    procedure = repo.document("QT-TP-01")
    jobs = [
        ExportJob(
            procedure,
            ExportInfo(INFO.state, INFO.stamp, INFO.commit, Marking.controlled(n, f"Nơi nhận {n}")),
            folder / f"QT-TP-01-ban-{n:03d}.docx",
        )
        for n in range(1, copies + 1)
    ]
    for code in ("CSCL", "MTCL-2025", "BM-TP-01-01"):
        jobs.append(ExportJob(repo.document(code), INFO, folder / f"{code}.docx"))
    return jobs


@pytest.mark.parametrize("workers", [1, 2])
def test_export_many_writes_every_copy(
    repo: Repository,
    context: ExportContext,
    tmp_path: Path,
    workers: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qmsdocs.export import _bulk

    monkeypatch.setattr(_bulk, "_POOL_THRESHOLD_SECONDS", 0.0)  # a pool even for a few jobs
    jobs = _jobs(repo, tmp_path / "out", 60)
    seen: list[tuple[int, int]] = []
    written = export_many(
        jobs, context=context, workers=workers, progress=lambda d, t: seen.append((d, t))
    )
    assert written == [job.target for job in jobs]
    assert seen[-1] == (len(jobs), len(jobs))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    renderer = DocumentRenderer(repo.document("QT-TP-01"), context=context, info=INFO)
    for number in (1, 37, 60):
        data = (tmp_path / "out" / f"QT-TP-01-ban-{number:03d}.docx").read_bytes()
        assert data == renderer.copy(Marking.controlled(number, f"Nơi nhận {number}"))
        assert f"Số bản: {number:02d}" in marking_text(data)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        j.target.name for j in jobs
    )


def test_export_many_of_nothing(context: ExportContext) -> None:
    assert export_many([], context=context) == []


def test_export_many_raises_what_a_worker_raises(
    repo: Repository, context: ExportContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qmsdocs.export import _bulk

    monkeypatch.setattr(_bulk, "_POOL_THRESHOLD_SECONDS", 0.0)
    (tmp_path / "file").write_text("not a folder")
    jobs = _jobs(repo, tmp_path / "file", 1)
    with pytest.raises(QmsError, match="cannot write"):
        export_many(jobs, context=context, workers=2)


def test_a_thousand_controlled_copies_in_well_under_ten_seconds_on_one_core(
    repo: Repository, context: ExportContext
) -> None:
    start = time.process_time()
    renderer = DocumentRenderer(repo.document("QT-TP-01"), context=context, info=INFO)
    copies = [renderer.copy(Marking.controlled(n, f"Phòng {n}")) for n in range(1, 1001)]
    elapsed = time.process_time() - start
    assert len(set(copies)) == 1000
    assert elapsed < 10, f"1000 copies took {elapsed:.1f} s of CPU"
