"""The inspection plan: which agencies the province inspects on site this year; pure."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from qmsdocs.findings import Severity
from qmsdocs.fleet.status import AgencyStatus

__all__ = ["Inspection", "inspection_plan", "risk"]


def risk(row: AgencyStatus) -> int:
    """Return how much an agency needs a visit: ten per error, one per warning."""
    return sum(10 if p.severity is Severity.ERROR else 1 for p in row.problems)


@dataclass(frozen=True)
class Inspection:
    """One agency in the plan: its risk and whether it is inspected on site."""

    status: AgencyStatus
    risk: int
    on_site: bool


def inspection_plan(rows: Sequence[AgencyStatus], *, year: int) -> list[Inspection]:
    """Return every agency, most at risk first, with at least a third marked for a visit.

    Agencies of equal risk are ordered by a draw seeded with *year*: the same fleet and the
    same year give the same plan, and a draw decides fairly between equals at the cut.
    """
    draw = random.Random(f"qmsdocs-inspection-{year}")
    keyed = [(risk(row), draw.random(), row) for row in sorted(rows, key=lambda r: r.id)]
    keyed.sort(key=lambda item: (-item[0], item[1]))
    visits = math.ceil(len(keyed) / 3)
    return [Inspection(row, score, n < visits) for n, (score, _, row) in enumerate(keyed)]
