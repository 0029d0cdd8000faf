"""The QMS scope: the TTHC implemented by procedures in force, and the system processes; pure.

Decision 19/2014/QĐ-TTg Art. 3 and 4: the scope covers the activities tied to TTHC; a
changed scope (widened, narrowed, adjusted) is announced again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from qmsdocs.model.announcement import Announcement, ScopeItem
from qmsdocs.tthc.catalogue import Listing, national_code

__all__ = ["Scope", "ScopeChange", "scope_change", "scope_of"]


@dataclass(frozen=True)
class Scope:
    """The scope: TTHC (code, name, procedure) and system processes (code, title)."""

    tthc: tuple[ScopeItem, ...]
    processes: tuple[ScopeItem, ...]

    @classmethod
    def of_announcement(cls, announcement: Announcement) -> Scope:
        """Return the scope an announcement froze."""
        return cls(tuple(announcement.tthc), tuple(announcement.processes))


@dataclass(frozen=True)
class ScopeChange:
    """How a scope differs from an announced one: TTHC and processes added and removed."""

    added: tuple[ScopeItem, ...]
    removed: tuple[ScopeItem, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def scope_of(
    procedures: Iterable[tuple[str, str, str | None, str | None]],
    listings: Mapping[str, Listing],
) -> Scope:
    """Return the scope of the procedures in force given as (code, title, tthc code, tthc
    name); a TTHC is named as its latest decision in force (*listings*) names it."""
    tthc: dict[str, ScopeItem] = {}
    processes: list[ScopeItem] = []
    for code, title, tthc_code, tthc_name in procedures:
        if tthc_code is None:
            processes.append(ScopeItem(code=code, name=title))
            continue
        listing = listings.get(national_code(tthc_code))
        name = listing.entry.name if listing is not None else (tthc_name or tthc_code)
        tthc.setdefault(
            national_code(tthc_code), ScopeItem(code=tthc_code, name=name, procedure=code)
        )
    return Scope(
        tuple(sorted(tthc.values(), key=lambda i: i.code)),
        tuple(sorted(processes, key=lambda i: i.code)),
    )


def scope_change(current: Scope, announced: Scope) -> ScopeChange:
    """Return what *current* adds to and removes from *announced* (TTHC by national code)."""

    def keys(scope: Scope) -> dict[str, ScopeItem]:
        return {national_code(i.code): i for i in scope.tthc} | {
            "process:" + i.code: i for i in scope.processes
        }

    now, then = keys(current), keys(announced)
    return ScopeChange(
        tuple(now[k] for k in now if k not in then),
        tuple(then[k] for k in then if k not in now),
    )
