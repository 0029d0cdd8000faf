"""What the TTHC announcement decisions ask of the agency's procedures; pure.

Per decision: a TTHC of the agency's level that is new (or replaces another) and that no
procedure in force implements is *to create*; a procedure implementing a TTHC the decision
amends, or one it replaces, whose revision in force was approved before the decision was
signed is *to revise*; a procedure in force implementing an abolished TTHC is *to withdraw*.
Each task is due five working days after the decision is signed (Circular 26/2014/TT-BKHCN).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from qmsdocs.model import TthcChange
from qmsdocs.tthc.catalogue import Listing, TthcCatalogue, national_code
from qmsdocs.tthc.deadlines import DeadlineRules

__all__ = ["ProcedureState", "TthcTask", "tthc_tasks"]


@dataclass(frozen=True)
class ProcedureState:
    """What the tasks need of a procedure: its TTHC, its state and its revision in force."""

    code: str
    title: str
    tthc_code: str | None
    in_force: bool  # a revision is approved and not withdrawn
    approved: dt.date | None  # approval (issue) day of the revision in force
    draft: int | None = None  # a revision being prepared
    withdrawn: bool = False


@dataclass(frozen=True)
class TthcTask:
    """One thing a decision asks: create, revise or withdraw a procedure, by a deadline."""

    action: str  # create | revise | withdraw
    decision: str  # the decision's number as printed
    tthc_code: str
    tthc_name: str
    change: str  # new | amended | replaced | abolished
    procedure: str | None  # the procedure concerned (a draft being made, for create)
    signed: dt.date
    deadline: dt.date
    draft: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the task as JSON-ready values."""
        return {
            "action": self.action,
            "decision": self.decision,
            "tthc_code": self.tthc_code,
            "tthc_name": self.tthc_name,
            "change": self.change,
            "procedure": self.procedure,
            "signed": self.signed.isoformat(),
            "deadline": self.deadline.isoformat(),
            "draft": self.draft,
        }


def tthc_tasks(
    catalogue: TthcCatalogue,
    procedures: Iterable[ProcedureState],
    *,
    on: dt.date,
    rules: DeadlineRules,
    level: str | None = None,
    decision: str | None = None,
) -> list[TthcTask]:
    """Return the tasks the decisions signed by *on* ask of *procedures*, most urgent first.

    *level* (province, commune) keeps the new TTHC of that level; None keeps every one.
    *decision* (a number key) keeps that decision's tasks only.
    """
    by_tthc: dict[str, list[ProcedureState]] = {}
    for state in procedures:
        if state.tthc_code:
            by_tthc.setdefault(national_code(state.tthc_code), []).append(state)
    alive = _alive(catalogue, on)
    out: list[TthcTask] = []
    for listing in catalogue:
        paper = listing.decision
        if paper.issued > on or (decision is not None and decision != paper.number):
            continue
        entry = listing.entry
        make = functools.partial(_task, listing, rules.tthc_update(paper.issued))
        implementing = by_tthc.get(national_code(entry.code), [])
        living = national_code(entry.code) in alive  # not abolished or replaced since
        if (
            living
            and entry.change in (TthcChange.NEW, TthcChange.REPLACED)
            and (level is None or entry.level.value == level)
            and not any(s.in_force for s in implementing)
        ):
            making = next((s for s in implementing if not s.withdrawn), None)
            if (
                entry.change is TthcChange.NEW
                or making is not None
                or not _replaced_in_force(by_tthc, entry.replaces)
            ):
                out.append(make("create", making))
        if living and entry.change in (TthcChange.AMENDED, TthcChange.REPLACED):
            old = entry.replaces if entry.change is TthcChange.REPLACED else entry.code
            for state in by_tthc.get(national_code(old or entry.code), []):
                if state.in_force and (state.approved is None or state.approved < paper.issued):
                    out.append(make("revise", state))
        if entry.change is TthcChange.ABOLISHED:
            out.extend(make("withdraw", s) for s in implementing if s.in_force)
    out.sort(key=lambda t: (t.deadline, t.decision, t.action, t.tthc_code))
    return out


def _task(
    listing: Listing, deadline: dt.date, action: str, state: ProcedureState | None
) -> TthcTask:
    entry = listing.entry
    return TthcTask(
        action=action,
        decision=listing.decision.number,
        tthc_code=entry.code,
        tthc_name=entry.name,
        change=entry.change.value,
        procedure=state.code if state is not None else None,
        signed=listing.decision.issued,
        deadline=deadline,
        draft=state.draft if state is not None else None,
    )


def _alive(catalogue: TthcCatalogue, on: dt.date) -> set[str]:
    """Return the national codes listed by decisions signed by *on* and not ended since."""
    alive: set[str] = set()
    for listing in catalogue:
        if listing.decision.issued > on:
            continue
        entry = listing.entry
        if entry.change is TthcChange.ABOLISHED:
            alive.discard(national_code(entry.code))
            continue
        if entry.replaces:
            alive.discard(national_code(entry.replaces))
        alive.add(national_code(entry.code))
    return alive


def _replaced_in_force(by_tthc: dict[str, list[ProcedureState]], old: str | None) -> bool:
    # A TTHC that replaces one a procedure implements is taken care of by revising that
    # procedure; it is not a second one to create.
    return old is not None and any(s.in_force for s in by_tthc.get(national_code(old), []))
