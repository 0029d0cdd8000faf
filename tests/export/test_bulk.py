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


def _every_document(repo: Repository, folder: Path) -> list[ExportJob]:
    """Return one controlled copy of each document of the sample: all different revisions."""
    return [
        ExportJob(
            document,
            ExportInfo(INFO.state, INFO.stamp, INFO.commit, Marking.controlled(n, f"Phòng {n}")),
            folder / f"{n:02d}-{document.code}.docx",
        )
        for n, document in enumerate(repo, start=1)
    ]


def test_forked_workers_write_the_bytes_one_process_writes(
    repo: Repository, context: ExportContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qmsdocs.export import _bulk

    jobs = _every_document(repo, tmp_path / "one")
    export_many(jobs, context=context, workers=1)
    monkeypatch.setattr(_bulk, "_POOL_THRESHOLD_SECONDS", 0.0)
    seen: list[int] = []
    pooled = _every_document(repo, tmp_path / "two")
    export_many(pooled, context=context, workers=2, progress=lambda d, t: seen.append(d))
    assert len(seen) > 2 and seen[-1] == len(jobs)  # progress in batches, not at the end only
    for one, two in zip(jobs, pooled, strict=True):
        assert one.target.read_bytes() == two.target.read_bytes(), one.target.name


def test_spawned_workers_where_fork_is_not_used(
    repo: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qmsdocs.export import _bulk
    from qmsdocs.legal import LegalRegistry

    monkeypatch.setattr(_bulk, "_POOL_THRESHOLD_SECONDS", 0.0)
    monkeypatch.setattr(_bulk, "_start_method", lambda: "spawn")
    # Spawned workers are given the context pickled: a plain registry, not the
    # repository's lazy one.
    context = ExportContext(
        config=repo.config,
        legal=LegalRegistry(list(repo.legal)),
        titles={d.code: d.title for d in repo},
    )
    jobs = _every_document(repo, tmp_path / "out")[:6]
    export_many(jobs, context=context, workers=2)
    for job in jobs:
        expected = DocumentRenderer(job.document, context=context, info=job.info).copy()
        assert job.target.read_bytes() == expected


def test_batches_share_the_work_evenly() -> None:
    from qmsdocs.export._bulk import _batches

    one_copy = [(None, None, [object()])] * 1000
    batches = _batches(one_copy, 16)  # type: ignore[arg-type]
    assert batches[0][0] == 0 and batches[-1][1] == 1000
    assert all(a[1] == b[0] for a, b in zip(batches, batches[1:], strict=False))
    sizes = [stop - start for start, stop in batches]
    assert len(batches) == 16 and max(sizes) - min(sizes) <= 1
    many_copies = [(None, None, [object()] * 500)] + one_copy[:10]
    assert _batches(many_copies, 4)[0] == (0, 1)  # type: ignore[arg-type]
