"""The worker process of :mod:`qmsdocs.fleet.isolate`: reads one agency, answers, exits.

Imported once by the parent before it forks, so that each worker starts with the library
loaded and its models built.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# imported here, before the fork, so that no worker pays for it
from qmsdocs.fleet.model import Agency
from qmsdocs.fleet.status import agency_status, row_data
from qmsdocs.repository import Repository  # noqa: F401 - preloaded for the workers
from qmsdocs.verify import verify  # noqa: F401 - preloaded for the workers

__all__ = ["read_agency", "serve"]


def _build_models() -> None:
    """Build every model's validator now, before the fork, not once in every worker."""
    from pydantic import BaseModel

    todo: list[type[BaseModel]] = [BaseModel]
    while todo:
        for model in todo.pop().__subclasses__():
            todo.append(model)
            if model.__module__.startswith("qmsdocs.") and not model.__pydantic_complete__:
                # one that cannot be built yet is built later, as it would be anyway
                with contextlib.suppress(Exception):
                    model.model_rebuild()


_build_models()


def _limit_memory(megabytes: int) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    limit = megabytes * 1024 * 1024
    # data, not address space: git maps its packs, which must not count
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def read_agency(
    agency: dict[str, Any],
    git_dir: str,
    on: str,
    cache_dir: str | None,
    frameworks: dict[str, list[str]] | None = None,
) -> tuple[str, Any]:
    """Return ``("row", data)`` of one agency's status, or ``("memory"|"error", why)``."""
    try:
        row = agency_status(
            Agency.model_validate(agency),
            Path(git_dir),
            on=dt.date.fromisoformat(on),
            cache_dir=Path(cache_dir) if cache_dir is not None else None,
            frameworks=frameworks,
        )
        return ("row", row_data(row))
    except MemoryError:
        return ("memory", None)
    except Exception as error:  # noqa: BLE001 - whatever it is, it is this agency's
        return ("error", f"{type(error).__name__}: {error}"[:500])


def serve(conn: Connection, memory_mb: int) -> None:
    """Read agencies sent through *conn* one after the other, answering each; end on None.

    The worker keeps the legal texts it parsed, by content, for the next agencies.
    """
    from qmsdocs.read.sources import keep_parsed

    _limit_memory(memory_mb)
    keep_parsed()
    try:
        while True:
            task = conn.recv()
            if task is None:
                return
            message = read_agency(*task)
            # What this agency left is freed now; what is kept (the legal texts) is set
            # aside, so that the collector does not walk it again during every next agency.
            gc.collect()
            gc.freeze()
            try:
                conn.send(message)
            except MemoryError:
                conn.send(("memory", None))
            if message[0] != "row":
                return  # the parent does not ask a worker again after a failure
    except (EOFError, OSError, KeyboardInterrupt):
        return
    finally:
        conn.close()
