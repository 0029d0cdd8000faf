"""The province's portal: its own QMS, a dashboard of its agencies and each agency's portal.

In a repository holding ``fleet.yaml`` (see :mod:`qmsdocs.fleet`), the dashboard has one row
per agency from :func:`qmsdocs.fleet.fleet_status`, read from the mirrors ``qms fleet
fetch`` keeps. Each agency whose history verifies and was not rewritten gets its own portal under
``agencies/<id>/``, built from the fetched commit (nothing is checked out), and its row
links there.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from qmsdocs.errors import QmsError
from qmsdocs.findings import Severity
from qmsdocs.portal._build import DashboardRow, build_portal
from qmsdocs.repository import Repository

__all__ = ["province_rows"]

_UNTRUSTED = frozenset({"history-rewritten", "verify-failed", "not-fetched", "not-a-qms"})


def province_rows(
    repo: Repository, out: Path, *, as_of: dt.date, lang: str, docx: bool
) -> list[DashboardRow] | None:
    """Return the dashboard rows of the province *repo*, or None when it has no fleet.yaml.

    Writes the portal of each agency whose approvals verify into ``out/agencies/<id>``.
    """
    from qmsdocs.fleet import FLEET_FILE, cache_path, fleet_status, mirror_path, read_fleet
    from qmsdocs.store.git import git_state

    if not (repo.root / FLEET_FILE).is_file():
        return None
    git_dir = git_state(repo.root).git_dir
    if git_dir is None:
        return None
    cache = cache_path(git_dir)
    rows = []
    for status in fleet_status(read_fleet(repo.root).agencies, git_dir, on=as_of, cache_dir=cache):
        portal = None
        # an agency's content problems are its row's; a portal is published only of a
        # history that verifies and was not rewritten
        trusted = status.verified is not False and not any(
            p.check in _UNTRUSTED for p in status.problems
        )
        if status.head is not None and trusted:
            try:
                agency = Repository.at(
                    mirror_path(git_dir, status.id), status.head, cache_dir=cache
                )
                build_portal(
                    agency, out / "agencies" / status.id, as_of=as_of, lang=lang, docx=docx
                )
                portal = f"agencies/{status.id}/index.html"
            except QmsError:
                portal = None  # the row says what is wrong with it
        errors = [str(p.said) for p in status.problems if p.severity is Severity.ERROR]
        rows.append(
            DashboardRow(
                status.name,
                documents=sum(status.in_force.values()),
                overdue_reviews=status.reviews_overdue,
                overdue_legal=status.legal_overdue,
                framework_lag=status.framework_behind,
                portal=portal,
                problem="; ".join(errors) or None,
            )
        )
    return rows
