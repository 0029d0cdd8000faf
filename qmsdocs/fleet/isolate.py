"""Reading agencies in worker processes, with a time limit and a memory limit.

An agency's repository is untrusted: its reading may hang, eat memory or crash the
interpreter. Agencies are read in at most *jobs* worker processes, never in this one, one
agency at a time each (forked from this process, the library imported and its models built
once, so a worker costs milliseconds, not an interpreter start). A worker whose agency passes
its time is killed and the agency gets a ``timeout`` problem; one that dies, fails or runs
out of memory leaves ``unreadable``; in either case the worker is not asked again, the next
agency gets a fresh one, and the others go on. A worker that answered reads the next agency
and keeps the legal texts it parsed, by content (:func:`qmsdocs.read.sources.keep_parsed`).
What a worker returns is plain JSON data (:func:`qmsdocs.fleet.status.row_data`), rebuilt
here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Callable, Mapping, Sequence
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


class _Worker:
    """One worker process and the duplex pipe it reads agencies from and answers on."""

    def __init__(self, context: Any, memory_mb: int) -> None:
        from qmsdocs.fleet import worker

        self.conn, theirs = context.Pipe(duplex=True)
        self.process: BaseProcess = context.Process(
            target=worker.serve, args=(theirs, memory_mb), name="qms-fleet", daemon=True
        )
        self.process.start()
        theirs.close()  # the child holds its end: EOF here when it dies
        self.agency: Agency | None = None
        self.started = 0.0

    def give(
        self,
        agency: Agency,
        git_dir: Path,
        on: dt.date,
        cache_dir: Path | None,
        frameworks: Mapping[str, Sequence[str]],
    ) -> None:
        self.agency, self.started = agency, time.monotonic()
        self.conn.send(
            (agency.model_dump(mode="json"), str(git_dir), on.isoformat(),
             str(cache_dir) if cache_dir is not None else None,
             {k: list(v) for k, v in frameworks.items()})
        )  # fmt: skip

    def stop(self, *, kill: bool) -> None:
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)  # no more agencies: the worker ends
        self.process.join(timeout=5)
        if self.process.is_alive():  # pragma: no cover - did not end when asked
            self.process.kill()
            self.process.join()
        self.conn.close()


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
    frameworks: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Outcome]:
    """Read *agencies* in at most *jobs* worker processes, one agency at a time each.

    Nothing an agency's repository does reaches another agency or this process: a worker
    whose agency passes *timeout* seconds is killed, one that runs out of its *memory_mb*
    or dies is not asked again; either is replaced by a fresh worker for the next agency.
    A worker keeps the legal texts it parsed (the agencies share most of them).
    """
    context = _context()
    frameworks = frameworks or {}
    pending = list(agencies)
    pending.reverse()
    idle: list[_Worker] = []
    busy: dict[Connection, _Worker] = {}
    outcomes: dict[str, Outcome] = {}

    def finish(outcome: Outcome) -> None:
        outcomes[outcome.agency] = outcome
        if done is not None:
            done(outcome)

    try:
        while pending or busy:
            while pending and len(busy) < max(1, jobs):
                worker = idle.pop() if idle else _Worker(context, memory_mb)
                agency = pending.pop()
                try:
                    worker.give(agency, git_dir, on, cache_dir, frameworks)
                except OSError:  # pragma: no cover - died before it was asked
                    worker.stop(kill=True)
                    finish(Outcome(agency.id, failure="died", detail="no worker"))
                    continue
                busy[worker.conn] = worker
            now = time.monotonic()
            first_deadline = min(w.started + timeout for w in busy.values())
            ready = wait(list(busy), timeout=max(0.0, first_deadline - now))
            for conn in ready:
                assert isinstance(conn, Connection)
                worker = busy.pop(conn)
                assert worker.agency is not None
                seconds = time.monotonic() - worker.started
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    message = None
                if isinstance(message, tuple) and message and message[0] == "row":
                    idle.append(worker)
                    finish(_outcome(worker.agency.id, message, 0, seconds))
                else:  # ran out of memory, failed inside or died: not asked again
                    worker.stop(kill=True)
                    finish(_outcome(worker.agency.id, message, worker.process.exitcode, seconds))
            now = time.monotonic()
            for conn, worker in list(busy.items()):
                if worker.agency is not None and now - worker.started >= timeout:
                    del busy[conn]
                    worker.stop(kill=True)
                    finish(
                        Outcome(worker.agency.id, failure="timeout", seconds=now - worker.started)
                    )
    finally:
        for worker in busy.values():
            worker.stop(kill=True)
        for worker in idle:
            worker.stop(kill=False)
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
