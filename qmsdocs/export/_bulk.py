"""Bulk export on every core: each revision rendered once per chunk, its copies stamped fast."""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from qmsdocs.errors import QmsError
from qmsdocs.export._document import DocumentRenderer, ExportContext, ExportInfo, Marking
from qmsdocs.model.documents import Document

__all__ = ["ExportJob", "export_many"]

#: Copies of one revision handled by one task in a pool, at least (a task renders it once).
_MIN_CHUNK = 25
#: Rough costs of rendering a revision and of stamping one copy, on one core (seconds).
_RENDER_SECONDS = 0.12
_COPY_SECONDS = 0.0005
#: Below this much estimated work, starting worker processes costs more than it saves.
_POOL_THRESHOLD_SECONDS = 3.0


@dataclass(frozen=True)
class ExportJob:
    """One file to write: a copy of *document* as *info* describes it, marked by its marking."""

    document: Document
    info: ExportInfo
    target: Path


_Task = tuple[Document, ExportInfo, list[tuple[Marking, Path]]]


def _write(path: Path, data: bytes) -> None:
    # Readers see the old file or the new one, never a part; no fsync: bulk copies are
    # re-creatable, and a thousand fsyncs would cost more than rendering them.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise QmsError(f"cannot write {path}: {error.strerror or error}", file=path) from None


def _run_task(context: ExportContext, task: _Task) -> int:
    document, info, copies = task
    renderer = DocumentRenderer(document, context=context, info=info)
    for marking, target in copies:
        _write(target, renderer.copy(marking))
    return len(copies)


_worker_context: ExportContext | None = None


def _init_worker(context: ExportContext) -> None:
    global _worker_context
    _worker_context = context


def _run_in_worker(task: _Task) -> int:
    assert _worker_context is not None
    return _run_task(_worker_context, task)


def _groups(jobs: Sequence[ExportJob]) -> list[list[ExportJob]]:
    """Return the jobs grouped by revision: same document object, same info but marking."""
    groups: dict[tuple[int, ExportInfo], list[ExportJob]] = {}
    for job in jobs:
        key = (id(job.document), ExportInfo(job.info.state, job.info.stamp, job.info.commit))
        groups.setdefault(key, []).append(job)
    return list(groups.values())


def _tasks(groups: list[list[ExportJob]], chunk_count: int) -> list[_Task]:
    """Return the tasks: each group cut into about *chunk_count* chunks (or fewer)."""
    tasks: list[_Task] = []
    for members in groups:
        size = max(_MIN_CHUNK, math.ceil(len(members) / chunk_count))
        for start in range(0, len(members), size):
            chunk = members[start : start + size]
            first = chunk[0]
            tasks.append((first.document, first.info, [(j.info.marking, j.target) for j in chunk]))
    return tasks


def export_many(
    jobs: Sequence[ExportJob],
    *,
    context: ExportContext,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write every job's copy to its target, on *workers* processes (default: every core).

    Jobs of the same document object and the same info (but for the marking) share one
    rendering of the revision. Small batches run in the calling process, where starting
    processes would cost more than they save (a thousand copies of one revision take well
    under a second). *progress* is called in the calling process as ``progress(done,
    total)`` each time a batch of files is written. Return the targets, in job order. The
    first error is raised here; files already written stay.
    """
    total = len(jobs)
    if total == 0:
        return []
    count = max(1, workers if workers is not None else (os.cpu_count() or 1))
    groups = _groups(jobs)
    estimate = len(groups) * _RENDER_SECONDS + total * _COPY_SECONDS
    done = 0
    if count == 1 or estimate < _POOL_THRESHOLD_SECONDS:
        for task in _tasks(groups, 1):
            done += _run_task(context, task)
            if progress is not None:
                progress(done, total)
        return [job.target for job in jobs]
    tasks = _tasks(groups, count * 4)
    # spawn: a clean interpreter per worker, safe whatever threads the caller runs.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(count, len(tasks)),
        mp_context=spawn,
        initializer=_init_worker,
        initargs=(context,),
    ) as pool:
        pending: set[Future[int]] = {pool.submit(_run_in_worker, task) for task in tasks}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    done += future.result()
                    if progress is not None:
                        progress(done, total)
        except BrokenProcessPool as error:
            raise QmsError(
                f"a worker process stopped abruptly ({error}); a script that exports on "
                "several cores must start from an 'if __name__ == \"__main__\":' block"
            ) from None
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return [job.target for job in jobs]
