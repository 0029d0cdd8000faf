"""Fetching every agency of the fleet into its bare mirror, several at a time."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qmsdocs.errors import GitError
from qmsdocs.fleet.model import Agency, FleetFramework
from qmsdocs.store.files import write_atomic
from qmsdocs.store.git import list_refs, mirror_fetch

__all__ = [
    "FetchResult",
    "cache_path",
    "fetch_all",
    "fetched_heads",
    "fetched_times",
    "framework_releases",
    "mirror_path",
]

#: Where the mirrors are kept, inside the province repository's git directory.
MIRRORS = "qms-fleet"
_FETCHED = "fetched.json"
_RELEASES = "framework-releases.json"


def mirror_path(git_dir: Path, agency_id: str) -> Path:
    """Return where the bare mirror of *agency_id* is kept."""
    return git_dir / MIRRORS / f"{agency_id}.git"


def cache_path(git_dir: Path) -> Path:
    """Return where the fleet keeps what it read (rows by head, blobs by id): beside the
    mirrors, so that the fleet writes nothing outside ``qms-fleet``."""
    return git_dir / MIRRORS / "cache"


@dataclass(frozen=True)
class FetchResult:
    """What fetching one agency gave: its new head, or the reason it could not be fetched."""

    agency: str
    head: str | None = None
    before: str | None = None
    rewritten: bool = False
    kept: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready values."""
        return {
            "agency": self.agency,
            "head": self.head,
            "before": self.before,
            "rewritten": self.rewritten,
            "kept": self.kept,
            "error": self.error,
        }


def _fetched(git_dir: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((git_dir / MIRRORS / _FETCHED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, dict)}


def fetched_times(git_dir: Path) -> dict[str, dt.datetime]:
    """Return when each agency was last fetched successfully."""
    out = {}
    for key, value in _fetched(git_dir).items():
        try:
            out[key] = dt.datetime.fromisoformat(str(value.get("time")))
        except ValueError:
            continue
    return out


def fetched_heads(git_dir: Path) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """Return each agency's head as last fetched, and the evidence refs of rewrites."""
    return {
        key: (value.get("head"), tuple(value.get("evidence") or ()))
        for key, value in _fetched(git_dir).items()
    }


def framework_releases(git_dir: Path) -> dict[str, list[str]]:
    """Return the releases of each framework of the fleet as last fetched, oldest first."""
    try:
        data = json.loads((git_dir / MIRRORS / _RELEASES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): [str(t) for t in v] for k, v in data.items() if isinstance(v, list)}


def _fetch_frameworks(
    git_dir: Path, frameworks: Sequence[FleetFramework], timeout: float
) -> list[FetchResult]:
    """Mirror each framework and record its releases (tags, oldest first)."""
    known = framework_releases(git_dir)
    results = []
    for framework in frameworks:
        mirror = git_dir / MIRRORS / "frameworks" / f"{framework.name}.git"
        label = f"framework:{framework.name}"
        try:
            update = mirror_fetch(framework.url, mirror, timeout=timeout)
            tags = list_refs(mirror, "refs/tags/")
        except (GitError, OSError) as error:
            results.append(FetchResult(label, error=str(error)))
            continue
        known[framework.name] = [ref.removeprefix("refs/tags/") for ref in tags]
        results.append(
            FetchResult(label, update.head, update.before, update.rewritten, update.kept)
        )
    folder = git_dir / MIRRORS
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / _RELEASES, json.dumps(known, indent=1, sort_keys=True).encode("utf-8"))
    return results


def fetch_all(
    git_dir: Path,
    agencies: Sequence[Agency],
    *,
    now: dt.datetime,
    frameworks: Sequence[FleetFramework] = (),
    jobs: int = 4,
    timeout: float = 120.0,
    progress: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch every agency into its mirror, *jobs* at a time; one result per agency, in order.

    An agency that cannot be fetched (unreachable, login refused, not a git repository)
    gets its error and keeps its previous mirror; the others go on. A history the remote
    rewrote is kept as evidence (:func:`qmsdocs.store.git.mirror_fetch`). The *frameworks*
    are mirrored too, and their releases recorded for ``fleet status``
    (:func:`framework_releases`); their results come after the agencies'.
    """

    def one(agency: Agency) -> FetchResult:
        try:
            update = mirror_fetch(agency.url, mirror_path(git_dir, agency.id), timeout=timeout)
        except (GitError, OSError) as error:
            result = FetchResult(agency.id, error=str(error))
        else:
            result = FetchResult(
                agency.id, update.head, update.before, update.rewritten, update.kept
            )
        if progress is not None:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(one, agencies))
    known = _fetched(git_dir)
    for result in results:
        if result.error is None:
            evidence = list(known.get(result.agency, {}).get("evidence") or [])
            if result.kept:
                evidence.append(result.kept)
            known[result.agency] = {
                "time": now.isoformat(),
                "head": result.head,
                "evidence": evidence,
            }
    folder = git_dir / MIRRORS
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / _FETCHED, json.dumps(known, indent=1, sort_keys=True).encode("utf-8"))
    return results + _fetch_frameworks(git_dir, frameworks, timeout)
