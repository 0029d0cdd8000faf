"""Administrative procedures (TTHC) as the province announces them; pure.

- :mod:`qmsdocs.tthc.catalogue`: the TTHC the announcement decisions of the legal registry
  list, and which are in force on a date;
- :mod:`qmsdocs.tthc.deadlines`: the dates by which a change must be dealt with (months,
  working days that skip weekends and holidays);
- :mod:`qmsdocs.tthc.tasks`: which procedures a decision asks to create, revise or withdraw;
- :mod:`qmsdocs.tthc.scope`: the QMS scope, and how it differs from an announced one;
- :mod:`qmsdocs.tthc.rows`: an import file of TTHC rows read into entries, or findings.
"""

from qmsdocs.tthc.catalogue import Listing, TthcCatalogue, national_code
from qmsdocs.tthc.deadlines import DeadlineRules, add_months, add_working_days, days_left
from qmsdocs.tthc.tasks import TthcTask, tthc_tasks

__all__ = [
    "DeadlineRules",
    "Listing",
    "TthcCatalogue",
    "TthcTask",
    "add_months",
    "add_working_days",
    "days_left",
    "national_code",
    "tthc_tasks",
]
