"""Deadlines the law sets: months after a change takes effect, working days after a decision.

Decision 19/2014/QĐ-TTg Art. 4: a change in the law is built into the QMS within three
months. Circular 26/2014/TT-BKHCN Art. 4: the agency's list of TTHC is updated within five
working days of the announcement decision. Working days skip Saturdays, Sundays and the
holidays listed in qms.yaml (``deadlines.holidays``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["DeadlineRules", "add_months", "add_working_days", "days_left"]


@dataclass(frozen=True)
class DeadlineRules:
    """How long the law gives: months for a legal change, working days for a TTHC list."""

    legal_change_months: int = 3
    tthc_working_days: int = 5
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, months: int, working_days: int, holidays: Iterable[dt.date]) -> DeadlineRules:
        """Return the rules with these values (those of ``qms.yaml``)."""
        return cls(months, working_days, frozenset(holidays))

    def legal_change(self, effective: dt.date) -> dt.date:
        """Return the last day to build in a legal change that takes effect on *effective*."""
        return add_months(effective, self.legal_change_months)

    def tthc_update(self, signed: dt.date) -> dt.date:
        """Return the last day to update the TTHC list after a decision signed on *signed*."""
        return add_working_days(signed, self.tthc_working_days, self.holidays)


def add_months(day: dt.date, months: int) -> dt.date:
    """Return *day* moved *months* calendar months on (31 May + 3 months is 31 August;
    30 November + 3 months is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_working_days(day: dt.date, count: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """Return the *count*-th working day after *day* (weekends and *holidays* skipped)."""
    off = frozenset(holidays)
    current = day
    left = count
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            left -= 1
    return current


def days_left(deadline: dt.date, today: dt.date) -> int:
    """Return the days from *today* to *deadline*: negative when it is past (overdue)."""
    return (deadline - today).days
