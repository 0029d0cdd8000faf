"""Bulk export on every core: each revision rendered once per task, its copies stamped fast."""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from qmsdocs.errors import QmsError
from qmsdocs.export._document import (
    DocumentRenderer,
    ExportContext,
    ExportInfo,
    Marking,
    page_shell,
)
from qmsdocs.model.documents import Document

__all__ = ["ExportJob", "export_many"]

#: Copies of one revision handled by one task, at least (a task renders its revision once).
_MIN_CHUNK = 25
#: Rough costs of rendering a revision and of stamping and writing one copy, on one core.
_RENDER_SECONDS = 0.008
_COPY_SECONDS = 0.0008
#: Below this much estimated work, starting worker processes costs more than it saves
#: (forked workers start in milliseconds; spawned ones import qmsdocs again, about a second).
_POOL_THRESHOLD_SECONDS = 0.5
_SPAWN_FACTOR = 6.0
#: Batches handed to each worker: enough to even out the load and report progress.
_BATCHES_PER_WORKER = 8


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


# What a worker process works on, given once when it starts: inherited by a forked worker,
# pickled once for a spawned one. Batches then name tasks by their index only.
_worker_state: tuple[ExportContext, list[_Task]] | None = None


def _init_worker(context: ExportContext, tasks: list[_Task]) -> None:
    global _worker_state
    _worker_state = (context, tasks)


def _run_batch(start: int, stop: int) -> int:
    assert _worker_state is not None
    context, tasks = _worker_state
    return sum(_run_task(context, tasks[index]) for index in range(start, stop))


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


def _cost(task: _Task) -> float:
    return _RENDER_SECONDS + len(task[2]) * _COPY_SECONDS


def _batches(tasks: list[_Task], count: int) -> list[tuple[int, int]]:
    """Return ranges of consecutive tasks of about equal estimated work, *count* or fewer."""
    costs = [_cost(task) for task in tasks]
    total = sum(costs)
    batches: list[tuple[int, int]] = []
    start, work, share = 0, 0.0, 1
    for index, cost in enumerate(costs):
        work += cost
        # A batch ends where the work done crosses the next share of the total.
        if work >= total * share / count * (1 - 1e-9):
            batches.append((start, index + 1))
            start = index + 1
            while share < count and work >= total * share / count * (1 - 1e-9):
                share += 1
    if start < len(tasks):
        batches.append((start, len(tasks)))
    return batches


def _start_method() -> str:
    # fork: workers start in milliseconds with the caller's modules, context and jobs
    # already in memory. Elsewhere (macOS, Windows) fork is unsafe or missing: spawn.
    return "fork" if sys.platform.startswith("linux") else "spawn"


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
    under a second). On Linux the workers are forked, so they start at once with
    everything they need; elsewhere they are spawned, and a script that calls this must
    start from an ``if __name__ == "__main__":`` block. *progress* is called in the
    calling process as ``progress(done, total)`` each time a batch of files is written.
    Return the targets, in job order. The first error is raised here; files already
    written stay.
    """
    total = len(jobs)
    if total == 0:
        return []
    count = max(1, workers if workers is not None else (os.cpu_count() or 1))
    groups = _groups(jobs)
    estimate = len(groups) * _RENDER_SECONDS + total * _COPY_SECONDS
    method = _start_method()
    threshold = _POOL_THRESHOLD_SECONDS * (1.0 if method == "fork" else _SPAWN_FACTOR)
    page_shell(context)  # built once here, inherited or pickled by the workers
    done = 0
    if count == 1 or estimate < threshold:
        for task in _tasks(groups, 1):
            done += _run_task(context, task)
            if progress is not None:
                progress(done, total)
        return [job.target for job in jobs]
    tasks = _tasks(groups, count * 4)
    batches = _batches(tasks, count * _BATCHES_PER_WORKER)
    with ProcessPoolExecutor(
        max_workers=min(count, len(batches)),
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(context, tasks),
    ) as pool:
        pending: set[Future[int]] = {pool.submit(_run_batch, *batch) for batch in batches}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    done += future.result()
                    if progress is not None:
                        progress(done, total)
        except BrokenProcessPool as error:
            hint = (
                ""
                if method == "fork"
                else "; a script that exports on several cores must start from an "
                "'if __name__ == \"__main__\":' block"
            )
            raise QmsError(f"a worker process stopped abruptly ({error}){hint}") from None
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return [job.target for job in jobs]
