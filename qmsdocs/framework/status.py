"""How an agency stands against the frameworks it follows; read-only, works on snapshots.

:func:`framework_status` answers ``qms framework status``; :func:`framework_lag` is the
small summary the province's fleet reads of each agency's snapshot (releases behind, open
conflicts). Both read the releases fetched into the agency's own git; a release that is
not there (an agency that never fetched) counts what can be counted and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdocs.diff import diff
from qmsdocs.errors import QmsError
from qmsdocs.framework.merge import OWN_FIELDS
from qmsdocs.model import Document, Status
from qmsdocs.model.codes import code_key

if TYPE_CHECKING:
    from qmsdocs.repository import Repository

__all__ = ["DerivedStatus", "FrameworkLag", "FrameworkStatus", "framework_lag", "framework_status"]


@dataclass(frozen=True)
class DerivedStatus:
    """One derived document against its model."""

    code: str
    status: str  # the agency's document: draft, in_review, approved, withdrawn
    model: str
    followed_revision: int  # the model revision it derives from
    latest_revision: int | None  # the model's revision in the newest release (None: gone)
    deviations: int | None  # fields that differ from the model rendered (None: unknown)
    conflicts: int  # open merge conflicts

    @property
    def behind(self) -> bool:
        """Return whether the framework revised the model since this document took it."""
        return self.latest_revision is not None and self.latest_revision > self.followed_revision

    def to_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready values."""
        return {
            "code": self.code,
            "status": self.status,
            "model": self.model,
            "followed_revision": self.followed_revision,
            "latest_revision": self.latest_revision,
            "behind": self.behind,
            "deviations": self.deviations,
            "conflicts": self.conflicts,
        }


@dataclass(frozen=True)
class FrameworkStatus:
    """How the agency stands against one followed framework."""

    framework: str
    url: str
    release: str | None  # the release followed
    latest: str | None  # the newest release fetched
    releases_behind: int
    documents: tuple[DerivedStatus, ...]
    offered: tuple[str, ...]  # issued models not adopted
    to_withdraw: tuple[str, ...]  # derived documents whose model the framework withdrew
    problem: str | None = None  # why the releases could not be read, if they could not
    fetched: tuple[str, ...] = ()  # the releases fetched, oldest first

    @property
    def conflicts(self) -> int:
        """Return the open conflicts of every derived document."""
        return sum(d.conflicts for d in self.documents)

    def to_dict(self) -> dict[str, Any]:
        """Return the status as JSON-ready values."""
        return {
            "framework": self.framework,
            "url": self.url,
            "release": self.release,
            "latest": self.latest,
            "releases_behind": self.releases_behind,
            "conflicts": self.conflicts,
            "documents": [d.to_dict() for d in self.documents],
            "offered": list(self.offered),
            "to_withdraw": list(self.to_withdraw),
            "problem": self.problem,
        }


@dataclass(frozen=True)
class FrameworkLag:
    """What the fleet shows of an agency's frameworks: releases behind, open conflicts."""

    releases_behind: int
    conflicts: int
    behind_documents: int  # derived documents whose model was revised since


def deviations(rendered_model: Document, document: Document) -> int:
    """Return how many fields of *document* differ from the model it derives from, rendered."""
    model = rendered_model.model_copy(update={"code": document.code})
    return sum(1 for c in diff(model, document).changes if c.field not in OWN_FIELDS)


def _git_dir(repo: Repository) -> Path | None:
    return repo.reader.git.git_dir  # a work tree's .git, or a snapshot's repository


def framework_status(repo: Repository, name: str | None = None) -> list[FrameworkStatus]:
    """Return, per followed framework (or only *name*), how *repo* stands against it.

    Per derived document: the model revision followed and the latest, local deviations
    (fields differing from the rendered model revision it derives from), open conflicts;
    the models offered (issued, not adopted) and those to withdraw.
    """
    from qmsdocs.framework.derive import rendered_model
    from qmsdocs.framework.follow import open_release, releases
    from qmsdocs.framework.params import parameter_values

    config = repo.config
    git_dir = _git_dir(repo)
    out = []
    for followed in config.frameworks:
        if name is not None and followed.name != name:
            continue
        fw = followed.name
        fetched = releases(git_dir, fw) if git_dir is not None else []
        latest = fetched[-1] if fetched else None
        behind = 0
        if followed.release in fetched:
            behind = len(fetched) - 1 - fetched.index(followed.release)
        elif latest is not None:
            behind = len(fetched)
        derived = [d for d in repo if d.derived_from is not None and d.derived_from.framework == fw]
        newest = None
        problem = None
        if git_dir is not None and latest is not None:
            try:
                newest = open_release(git_dir, fw, latest)
                declaration = newest.config.framework
                values = parameter_values(declaration, followed) if declaration else {}
            except QmsError as error:
                problem, newest, values = str(error), None, {}
        else:
            values = {}
        opened: dict[str, Repository | None] = {}
        rows = []
        to_withdraw = []
        for document in derived:
            source = document.derived_from
            assert source is not None
            latest_rev = None
            if newest is not None and source.code in newest:
                model = newest.document(source.code)
                if model.status is Status.WITHDRAWN:
                    to_withdraw.append(document.code)
                else:
                    latest_rev = model.revision if model.status is Status.APPROVED else None
            elif newest is not None:
                to_withdraw.append(document.code)
            count = None
            tag = source.release
            if git_dir is not None and tag is not None and values:
                if tag not in opened:
                    try:
                        opened[tag] = open_release(git_dir, fw, tag)
                    except QmsError:
                        opened[tag] = None
                base = opened[tag]
                if base is not None:
                    try:
                        rendered = rendered_model(base, source.code, values, framework=fw, tag=tag)
                        count = deviations(rendered, document)
                    except QmsError:
                        count = None
            rows.append(
                DerivedStatus(
                    document.code, document.status.value, source.code, source.revision,
                    latest_rev, count, len(document.conflicts),
                )
            )  # fmt: skip
        adopted = {code_key(d.derived_from.code) for d in derived if d.derived_from}
        offered = tuple(
            d.code
            for d in (newest or [])
            if d.status is Status.APPROVED and code_key(d.code) not in adopted
        )
        out.append(
            FrameworkStatus(
                fw, followed.url, followed.release, latest, behind, tuple(rows), offered,
                tuple(to_withdraw), problem, tuple(fetched),
            )
        )  # fmt: skip
    return out


def framework_lag(
    repo: Repository, known: Mapping[str, Sequence[str]] | None = None
) -> FrameworkLag:
    """Return the framework lag of *repo* (a work tree or a read-only snapshot) for the fleet.

    Releases behind: over every followed framework, how many releases are newer than the
    one followed, among *known* (framework name -> its releases, oldest first, as the
    province knows them) or else among those fetched into *repo*'s git (a mirror of the
    agency's remote holds none); conflicts: open merge conflicts in its documents;
    documents behind: derived documents whose model the framework revised since (counted
    from the releases fetched into *repo*'s git).
    """
    conflicts = sum(len(d.conflicts) for d in repo)
    try:
        rows = framework_status(repo)
    except QmsError:
        rows = []
    behind = 0
    for followed in repo.config.frameworks:
        listed = list((known or {}).get(followed.name, ()))
        if not listed:
            listed = next((list(r.fetched) for r in rows if r.framework == followed.name), [])
        if followed.release in listed:
            behind += len(listed) - 1 - listed.index(followed.release)
        else:
            behind += len(listed)
    return FrameworkLag(behind, conflicts, sum(1 for r in rows for d in r.documents if d.behind))
