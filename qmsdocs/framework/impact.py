"""The framework as a reason for revision: "the framework revised the model you derive from".

``qms impact`` lists a derived document as suspect when the newest release fetched holds a
later issued revision of its model than the one its revision in force derives from. The
reason reads like a legal change's (``change: framework-revised``), and gets its deadline by
the same rules (qms.yaml ``deadlines``), counted from the day the model revision takes effect.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qmsdocs.errors import QmsError
from qmsdocs.impact import ImpactedDocument, ImpactReason
from qmsdocs.model import Status

if TYPE_CHECKING:
    from qmsdocs.repository import Repository

__all__ = ["FRAMEWORK_REVISED", "framework_suspects", "with_framework"]

#: The ``change`` of a reason the framework gives.
FRAMEWORK_REVISED = "framework-revised"


def framework_suspects(repo: Repository, *, on: dt.date) -> list[ImpactedDocument]:
    """Return the derived documents whose model the framework revised, with the reason."""
    from qmsdocs.framework.follow import latest_release, open_release

    git_dir = repo.reader.git.git_dir
    if git_dir is None:
        return []
    out = []
    for followed in repo.config.frameworks:
        tag = latest_release(git_dir, followed.name)
        if tag is None:
            continue
        try:
            release = open_release(git_dir, followed.name, tag)
        except QmsError:
            continue
        for document in repo:
            source = document.derived_from
            if source is None or source.framework != followed.name:
                continue
            if document.status is Status.WITHDRAWN or source.code not in release:
                continue
            draft = None
            if document.status is not Status.APPROVED:
                draft = document.revision
                in_force = repo.in_force(document.code, on)
                if in_force is None or in_force.derived_from is None:
                    continue
                current, source = in_force, in_force.derived_from
            else:
                current = document
            model = release.document(source.code)
            if model.status is not Status.APPROVED or model.revision <= source.revision:
                continue
            effective = model.effective_date or model.issued_date or on
            reason = ImpactReason(
                cited=f"{followed.name}:{model.code}",
                field="derived_from",
                article=None,
                change=FRAMEWORK_REVISED,
                by=tag,
                articles=(),
                effective=effective,
                upcoming=effective > on,
                in_force=f"{model.code} ({model.revision})",
            )
            out.append(
                ImpactedDocument(
                    code=document.code,
                    title=current.title,
                    kind=document.kind,
                    revision=current.revision,
                    approved=current.issued_date,
                    reasons=(reason,),
                    draft=draft,
                    file=repo.file_of(document.code),
                )
            )
    return out


def with_framework(
    repo: Repository, report: Sequence[ImpactedDocument], *, on: dt.date
) -> list[ImpactedDocument]:
    """Return the legal impact *report* with the framework's reasons added, by code."""
    if not repo.config.frameworks:
        return list(report)
    out = list(report)
    where = {s.code: n for n, s in enumerate(out)}
    for suspect in framework_suspects(repo, on=on):
        n = where.get(suspect.code)
        if n is None:
            out.append(suspect)
        else:
            out[n] = dataclasses.replace(out[n], reasons=(*out[n].reasons, *suspect.reasons))
    return out
