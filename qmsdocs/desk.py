"""What is waiting for one person at their desk: drafts to finish, revisions to sign, reviews due.

Pure over what a :class:`~qmsdocs.repository.Repository` answers (summaries, the documents
in review, reviews due, the approval rules of qms.yaml): nothing here reads a file or git.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qmsdocs import lifecycle

if TYPE_CHECKING:
    from qmsdocs.repository import Repository

__all__ = ["WaitingItem", "waiting_for"]

#: What a person is asked to do, in the order an officer handles them.
TASKS = ("revise_returned", "finish_draft", "review", "approve", "periodic_review")


@dataclass(frozen=True)
class WaitingItem:
    """One thing waiting for a person.

    ``task`` is ``revise_returned`` (a draft the reviewer sent back, with ``comment``),
    ``finish_draft`` (a draft they opened), ``review`` or ``approve`` (a revision waiting for
    their signature) or ``periodic_review`` (an issued document due for review by ``due``).
    """

    task: str
    code: str
    title: str
    revision: int
    comment: str | None = None
    due: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the item as JSON-ready values."""
        return {
            "task": self.task,
            "code": self.code,
            "title": self.title,
            "revision": self.revision,
            "comment": self.comment,
            "due": self.due.isoformat() if self.due else None,
        }


def waiting_for(
    repo: Repository, person: str, *, on: dt.date, within_days: int = 30
) -> list[WaitingItem]:
    """Return what waits for *person* (an id of qms.yaml) on *on*, most urgent kind first.

    Drafts they authored (returned ones first), revisions in review that they may sign
    next (review, then approval, by the roles they hold that day and the rule that the
    author, reviewer and approver are different people), and, for a person who may author
    a kind, the periodic reviews of that kind due within *within_days*.
    """
    config = repo.config
    who = config.person(person)
    if who is None:
        return []
    items: list[WaitingItem] = []
    for summary in repo.summaries(on=on):
        working = summary.working
        if working is None:
            continue
        if working.state in ("draft", "returned") and working.author == person:
            task = "revise_returned" if working.state == "returned" else "finish_draft"
            items.append(
                WaitingItem(task, summary.code, summary.title, working.revision, working.comment)
            )
        elif working.state == "in_review":
            document = repo.document(summary.code)
            signed = {s.meaning for s in document.approvals}
            meaning = "approved" if "reviewed" in signed else "reviewed"
            if lifecycle.signer_problem(config, document, person, meaning, on) is None:
                task = "approve" if meaning == "approved" else "review"
                items.append(WaitingItem(task, summary.code, summary.title, working.revision))
    held = who.roles_on(on)
    for due in repo.due(on=on, within_days=within_days):
        kind = repo.document(due.code).kind
        rule = config.approval.get(kind)
        if rule is not None and held & set(rule.author):
            items.append(
                WaitingItem("periodic_review", due.code, due.title, due.revision, due=due.due)
            )
    return sorted(items, key=lambda i: (TASKS.index(i.task), i.due or on, i.code))
