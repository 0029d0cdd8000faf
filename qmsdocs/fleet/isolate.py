"""Reading agencies in worker processes: each alone, with a time limit and a memory limit.

An agency's repository is untrusted: its reading may hang, eat memory or crash the
interpreter. Each agency is read in a process of its own (forked from this one, the library
imported and its models built once, so a process costs milliseconds, not an interpreter start),
*jobs* at a time. A process that passes its time is killed and its agency gets a
``timeout`` problem; one that dies or runs out of memory gets ``unreadable``; the others
go on, and the next agency gets a fresh process. What a worker returns is plain JSON data
(:func:`qmsdocs.fleet.status.row_data`), rebuilt in the parent.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from qmsdocs.fleet.model import Agency

__all__ = ["DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT", "Outcome", "default_jobs", "read_isolated"]

#: Seconds one agency may take to be read before its process is killed.
DEFAULT_TIMEOUT = 120.0
#: Megabytes of data (heap, not mapped files) one agency's process may use.
DEFAULT_MEMORY_MB = 1024


def default_jobs() -> int:
    """Return how many agencies to read at once: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Outcome:
    """What reading one agency gave: its row's data, or why there is none.

    ``failure`` is ``None`` (``data`` holds the row), ``"timeout"`` (killed after the time
    limit), ``"memory"`` (ran out of its memory) or ``"died"`` (the process ended without
    an answer; ``detail`` says how).
    """

    agency: str
    data: dict[str, Any] | None = None
    failure: str | None = None
    detail: str = ""
    seconds: float = 0.0


def _context() -> Any:
    # fork: the worker starts as a copy of this process, the library already imported and
    # its models built (qmsdocs.fleet.worker), in a millisecond. A fork server or spawn
    # would import the __main__ module again in every worker (the CLI, or a user's
    # script that must then guard itself), and cost as much again as the agency's reading.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def read_isolated(
    agencies: Sequence[Agency],
    git_dir: Path,
    *,
    on: dt.date,
    cache_dir: Path | None,
    jobs: int,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    done: Callable[[Outcome], None] | None = None,
) -> dict[str, Outcome]:
    """Read each of *agencies* in a process of its own, *jobs* at a time; one outcome each.

    Nothing an agency's repository does reaches another agency or this process: a process
    that passes *timeout* seconds is killed, one that uses more than *memory_mb* of data
    fails, and one that dies is simply not asked again.
    """
    from qmsdocs.fleet import worker

    context = _context()
    pending = list(agencies)
    pending.reverse()
    running: dict[Connection, tuple[BaseProcess, Agency, float]] = {}
    outcomes: dict[str, Outcome] = {}

    def finish(outcome: Outcome) -> None:
        outcomes[outcome.agency] = outcome
        if done is not None:
            done(outcome)

    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                agency = pending.pop()
                receive, send = context.Pipe(duplex=False)
                process = context.Process(
                    target=worker.read_agency,
                    args=(send, agency.model_dump(mode="json"), str(git_dir), on.isoformat(),
                          str(cache_dir) if cache_dir is not None else None, memory_mb),
                    name=f"qms-fleet-{agency.id}",
                    daemon=True,
                )  # fmt: skip
                process.start()
                send.close()  # the child holds its end; EOF here when it dies
                running[receive] = (process, agency, time.monotonic())
            now = time.monotonic()
            first_deadline = min(started + timeout for _, _, started in running.values())
            ready = wait(list(running), timeout=max(0.0, first_deadline - now))
            for conn in ready:
                assert isinstance(conn, Connection)
                process, agency, started = running.pop(conn)
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    message = None
                finally:
                    conn.close()
                process.join(timeout=5)
                if process.is_alive():  # pragma: no cover - answered, then hung at exit
                    process.kill()
                    process.join()
                seconds = time.monotonic() - started
                finish(_outcome(agency.id, message, process.exitcode, seconds))
            now = time.monotonic()
            for conn, (process, agency, started) in list(running.items()):
                if now - started >= timeout:
                    del running[conn]
                    process.kill()
                    process.join()
                    conn.close()
                    finish(Outcome(agency.id, failure="timeout", seconds=now - started))
    finally:
        for conn, (process, _, _) in running.items():
            process.kill()
            process.join()
            conn.close()
    return outcomes


def _outcome(agency: str, message: Any, exitcode: int | None, seconds: float) -> Outcome:
    if isinstance(message, tuple) and len(message) == 2:
        kind, payload = message
        if kind == "row" and isinstance(payload, dict):
            return Outcome(agency, data=payload, seconds=seconds)
        if kind == "memory":
            return Outcome(agency, failure="memory", seconds=seconds)
        if kind == "error":
            return Outcome(agency, failure="died", detail=str(payload), seconds=seconds)
    if exitcode is not None and exitcode < 0:
        detail = f"signal {-exitcode}"
    else:
        detail = f"exit code {exitcode}"
    return Outcome(agency, failure="died", detail=detail, seconds=seconds)
