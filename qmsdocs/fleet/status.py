"""The province's view: one status row per agency, read from its mirror without a checkout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmsdocs.errors import QmsError
from qmsdocs.findings import Finding, Severity
from qmsdocs.fleet.fetch import fetched_heads, fetched_times, framework_releases, mirror_path
from qmsdocs.fleet.model import Agency
from qmsdocs.i18n import N_, S_, Said
from qmsdocs.store.cache import JsonCache
from qmsdocs.store.git import CommitStore, commit_time, evidence_refs

__all__ = ["AgencyStatus", "Problem", "fleet_status", "row_data", "row_of"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an agency's QMS: ``check`` is a stable id, ``said`` for people."""

    severity: Severity
    check: str
    said: Said

    def to_dict(self) -> dict[str, Any]:
        """Return the problem as JSON-ready values (the message in English)."""
        return {"severity": self.severity.value, "check": self.check, "message": self.said.english}


@dataclass
class AgencyStatus:
    """What the province sees of one agency on a day."""

    id: str
    name: str
    head: str | None = None
    fetched: dt.datetime | None = None
    changed: dt.datetime | None = None
    in_force: dict[str, int] = field(default_factory=dict)
    working: int = 0
    reviews_overdue: int = 0
    legal_suspects: int = 0
    legal_overdue: int = 0  # suspects past the legal-update deadline (qms.yaml deadlines)
    verified: bool | None = None
    framework_behind: int | None = None  # releases of its framework behind; None: follows none
    framework_conflicts: int = 0  # open merge conflicts in its drafts
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Return whether any problem is an error."""
        return any(p.severity is Severity.ERROR for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready values."""
        return {
            "id": self.id,
            "name": self.name,
            "head": self.head,
            "fetched": self.fetched.isoformat() if self.fetched else None,
            "changed": self.changed.isoformat() if self.changed else None,
            "in_force": dict(sorted(self.in_force.items())),
            "working": self.working,
            "reviews_overdue": self.reviews_overdue,
            "legal_suspects": self.legal_suspects,
            "legal_overdue": self.legal_overdue,
            "verified": self.verified,
            "framework_behind": self.framework_behind,
            "framework_conflicts": self.framework_conflicts,
            "problems": [p.to_dict() for p in self.problems],
        }


def _error(row: AgencyStatus, check: str, said: Said) -> None:
    row.problems.append(Problem(Severity.ERROR, check, said))


def _warning(row: AgencyStatus, check: str, said: Said) -> None:
    row.problems.append(Problem(Severity.WARNING, check, said))


def agency_status(
    agency: Agency,
    git_dir: Path,
    *,
    on: dt.date,
    cache_dir: Path | None = None,
    frameworks: Mapping[str, Sequence[str]] | None = None,
) -> AgencyStatus:
    """Return the status of *agency* on *on*, read from its mirror at its fetched head.

    *frameworks* gives the releases of each framework of the fleet, oldest first (as
    :func:`qmsdocs.fleet.framework_releases` recorded them): the agency's lag is counted
    against them.

    Nothing the agency's repository holds can stop the run: a mirror that is missing, not
    a QMS, unreadable or tampered with becomes problems of this row.
    """
    from qmsdocs.fleet.templates import template_problems
    from qmsdocs.repository import Repository
    from qmsdocs.verify import verify

    row = AgencyStatus(agency.id, agency.name)
    mirror = mirror_path(git_dir, agency.id)
    row.fetched = fetched_times(git_dir).get(agency.id)
    if not (mirror / "HEAD").is_file():
        _error(row, "not-fetched", Said(N_("never fetched: run 'qms fleet fetch'")))
        return row
    try:
        repo = Repository.at(mirror, "HEAD", cache_dir=cache_dir, jobs=1)  # a worker already
    except QmsError as error:
        row.changed = commit_time(mirror)
        _history_rewritten(row, evidence_refs(mirror))
        _error(row, "unreadable", error.said or Said.plain(error.message))
        return row
    store = repo.history_store.store
    assert isinstance(store, CommitStore)
    try:
        row.changed = store.committed()
        _history_rewritten(row, store.evidence())
        row.head = repo.commit
        findings = repo.validate()
        errors = [f for f in findings if f.severity is Severity.ERROR]
        if errors:
            _error(
                row,
                "invalid-files",
                S_(
                    "{count} validation error(s); first: {first}",
                    count=len(errors),
                    first=errors[0].said or Said.plain(errors[0].message),
                ),
            )
        summaries = repo.summaries(on=on)
        for summary in summaries:
            if summary.status == "effective":
                row.in_force[summary.kind] = row.in_force.get(summary.kind, 0) + 1
            if summary.working is not None:
                row.working += 1
        if not row.in_force.get("policy"):
            _error(row, "missing-policy", Said(N_("no quality policy in force")))
        if not _objectives_of_year(repo, summaries, on):
            _error(
                row,
                "missing-objectives",
                S_("no quality objectives in force for {year}", year=on.year),
            )
        row.reviews_overdue = len(repo.due(on=on))
        if row.reviews_overdue:
            _warning(
                row,
                "reviews-overdue",
                S_("{count} periodic review(s) overdue", count=row.reviews_overdue),
            )
        suspects = repo.impact(on=on)
        row.legal_suspects = len(suspects)
        row.legal_overdue = sum(1 for s in suspects if s.deadline is not None and s.deadline < on)
        if row.legal_overdue:
            _error(
                row,
                "legal-overdue",
                S_(
                    "{count} document(s) past the deadline to take in a legal change",
                    count=row.legal_overdue,
                ),
            )
        if any(f.check == "scope-changed" for f in findings):
            _warning(
                row,
                "announcement-outdated",
                Said(N_("the QMS scope changed since the last announcement: announce it again")),
            )
        if row.legal_suspects:
            _warning(
                row,
                "legal-suspects",
                S_("{count} document(s) cite legal texts that changed", count=row.legal_suspects),
            )
        _framework_problems(row, agency, repo, frameworks or {})
        for said in template_problems(store, repo.config.export.template):
            _error(row, "template-refused", said)
        failures = [f for f in verify(repo) if f.severity is Severity.ERROR]
        for tag, kind in store.odd_tags():
            failures.append(
                Finding.of(
                    ".",
                    "verify-tag",
                    S_("tag {tag} names a {kind}, not a commit", tag=tag, kind=kind),
                )
            )
        row.verified = not failures
        if failures:
            _error(
                row,
                "verify-failed",
                S_(
                    "approvals do not verify ({count} finding(s)); first: {first}",
                    count=len(failures),
                    first=failures[0].said or Said.plain(failures[0].message),
                ),
            )
    except QmsError as error:
        _error(row, "unreadable", error.said or Said.plain(error.message))
    return row


def _history_rewritten(row: AgencyStatus, kept: Sequence[str]) -> None:
    for ref in kept:
        _error(
            row,
            "history-rewritten",
            S_(
                "the agency rewrote history it had published (the old head {commit} is kept)",
                commit=ref.rsplit("/", 1)[-1][:10],
            ),
        )


def _framework_problems(
    row: AgencyStatus, agency: Agency, repo: Any, frameworks: Mapping[str, Sequence[str]]
) -> None:
    """Count the releases behind and the open conflicts; an agency not following the
    framework the fleet list names for it is an error."""
    from qmsdocs.framework.status import framework_lag

    followed = {f.name for f in repo.config.frameworks}
    if agency.framework and agency.framework not in followed:
        _error(
            row,
            "framework-not-followed",
            S_("does not follow framework {name}", name=agency.framework),
        )
    if not followed:
        return
    lag = framework_lag(repo, {k: list(v) for k, v in frameworks.items() if k in followed})
    row.framework_behind = lag.releases_behind
    row.framework_conflicts = lag.conflicts
    if lag.releases_behind:
        _warning(
            row,
            "framework-behind",
            S_("{count} framework release(s) not taken", count=lag.releases_behind),
        )
    if lag.conflicts:
        _warning(
            row,
            "framework-conflicts",
            S_("{count} merge conflict(s) open in its drafts", count=lag.conflicts),
        )


def _objectives_of_year(repo: Any, summaries: Sequence[Any], on: dt.date) -> bool:
    for summary in summaries:
        if summary.kind != "objectives" or summary.status != "effective":
            continue
        document = repo.in_force(summary.code, on)
        start = getattr(document, "period_start", None)
        end = getattr(document, "period_end", None)
        if start is not None and end is not None and start <= on <= end:
            return True
        if start is not None and end is None and start.year == on.year:
            return True
    return False


def fleet_status(
    agencies: Sequence[Agency],
    git_dir: Path,
    *,
    on: dt.date,
    cache_dir: Path | None = None,
    jobs: int | None = None,
    timeout: float | None = None,
    memory_mb: int | None = None,
    isolated: bool = True,
) -> list[AgencyStatus]:
    """Return the status of every agency, in the order of the fleet list.

    With *cache_dir*, each agency's row is kept there by its head commit and the day: a warm run
    reads only the agencies whose head moved (what a mirror holds at a commit never changes),
    and one with nothing to read starts no process and calls no git.

    The agencies to read are read *jobs* at a time (default: the cores), each in a process
    of its own (:mod:`qmsdocs.fleet.isolate`) limited to *timeout* seconds and *memory_mb*
    megabytes: an agency that passes them, or whose process dies, gets a ``timeout`` or
    ``unreadable`` problem and the others go on. ``isolated=False`` reads them one after
    the other in this process (no limits: for trusted mirrors and profiling).
    """
    from qmsdocs.fleet import isolate

    kept = JsonCache(cache_dir)
    stored = kept.read("fleet-status")
    out: dict[str, Any] = {}
    rows: dict[str, AgencyStatus] = {}
    keys: dict[str, list[Any]] = {}
    fetched = fetched_times(git_dir)
    heads = fetched_heads(git_dir)  # what `fleet fetch` recorded: no git call for a warm row
    releases = framework_releases(git_dir)
    to_read: list[Agency] = []
    for agency in agencies:
        head, evidence = heads.get(agency.id, (None, ()))
        key = [3, head, on.isoformat(), list(evidence), agency.name, agency.framework, releases]
        keys[agency.id] = key
        previous = stored.get(agency.id)
        if isinstance(previous, dict) and previous.get("key") == key and head is not None:
            try:
                rows[agency.id] = row_of(previous["row"])
                continue
            except (KeyError, TypeError, ValueError):
                pass
        if head is None and not (mirror_path(git_dir, agency.id) / "HEAD").is_file():
            rows[agency.id] = agency_status(agency, git_dir, on=on)  # never fetched: no git
            continue
        to_read.append(agency)
    failed: set[str] = set()
    # An agency is read without the blob cache: it is shared by every agency and every
    # worker would read and rewrite all of it (measured at 46 agencies on 2 cores: 26.7 s
    # cold with it, 11.9 s without); a row is kept by head, so a tree is never read twice.
    if to_read and not isolated:
        for agency in to_read:
            rows[agency.id] = agency_status(agency, git_dir, on=on, frameworks=releases)
    elif to_read:
        limit = isolate.DEFAULT_TIMEOUT if timeout is None else timeout
        memory = isolate.DEFAULT_MEMORY_MB if memory_mb is None else memory_mb
        outcomes = isolate.read_isolated(
            to_read,
            git_dir,
            on=on,
            cache_dir=None,
            jobs=jobs or isolate.default_jobs(),
            timeout=limit,
            memory_mb=memory,
            frameworks=releases,
        )
        for agency in to_read:
            outcome = outcomes.get(agency.id) or isolate.Outcome(agency.id, failure="died")
            row = None
            if outcome.data is not None:
                try:
                    row = row_of(outcome.data)
                except (KeyError, TypeError, ValueError):
                    row = None
            if row is None:
                failed.add(agency.id)
                row = _failure_row(agency, heads, outcome, limit, memory)
            rows[agency.id] = row
    result = []
    for agency in agencies:
        row = rows[agency.id]
        row.fetched = fetched.get(agency.id)
        if agency.id not in failed:  # a failure may be the machine's: it is tried again
            out[agency.id] = {"key": keys[agency.id], "row": row_data(row)}
        result.append(row)
    if out != stored:
        kept.write("fleet-status", out)
    return result


def _failure_row(
    agency: Agency,
    heads: dict[str, tuple[str | None, tuple[str, ...]]],
    outcome: Any,
    timeout: float,
    memory_mb: int,
) -> AgencyStatus:
    row = AgencyStatus(agency.id, agency.name, head=heads.get(agency.id, (None, ()))[0])
    if outcome.failure == "timeout":
        limit = format(timeout, "g")
        _error(
            row,
            "timeout",
            S_("reading the agency took longer than {seconds} s: stopped", seconds=limit),
        )
    elif outcome.failure == "memory":
        _error(
            row,
            "unreadable",
            S_("reading the agency needed more than {size} MB: stopped", size=memory_mb),
        )
    else:
        _error(
            row,
            "unreadable",
            S_("reading the agency failed ({detail})", detail=outcome.detail or "?"),
        )
    return row


def row_data(row: AgencyStatus) -> dict[str, Any]:
    """Return *row* as JSON data that :func:`row_of` reads back (its messages as data)."""
    data = row.to_dict()
    data["problems"] = [[p.severity.value, p.check, p.said.to_json()] for p in row.problems]
    return data


def row_of(data: dict[str, Any]) -> AgencyStatus:
    """Return the row :func:`row_data` gave."""
    return AgencyStatus(
        id=str(data["id"]),
        name=str(data["name"]),
        head=data["head"],
        changed=dt.datetime.fromisoformat(data["changed"]) if data["changed"] else None,
        in_force={str(k): int(v) for k, v in data["in_force"].items()},
        working=int(data["working"]),
        reviews_overdue=int(data["reviews_overdue"]),
        legal_suspects=int(data["legal_suspects"]),
        legal_overdue=int(data.get("legal_overdue", 0)),
        verified=data["verified"],
        framework_behind=data.get("framework_behind"),
        framework_conflicts=int(data.get("framework_conflicts", 0)),
        problems=[
            Problem(Severity(severity), str(check), Said.from_json(said))
            for severity, check, said in data["problems"]
        ],
    )
