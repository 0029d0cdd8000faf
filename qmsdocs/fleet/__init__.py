"""The province's side: the fleet of agencies it oversees, mirrored over git remotes.

``fleet.yaml`` lists the agencies (:mod:`.model`, changed one commit at a time by
:mod:`.register`); :mod:`.fetch` mirrors each agency's repository (bare, never checked out);
:mod:`.status` reads each mirror through :meth:`qmsdocs.Repository.at` and says what the
province must know: documents in force, what is missing, overdue or suspect, and whether the
approvals verify, and how far behind the framework it follows it is. An agency's repository is untrusted: whatever it holds is a problem of its
row, never a stop of the run.
"""

from qmsdocs.fleet.fetch import (
    FetchResult,
    cache_path,
    fetch_all,
    framework_releases,
    mirror_path,
)
from qmsdocs.fleet.model import FLEET_FILE, Agency, FleetFramework, FleetList
from qmsdocs.fleet.register import add_agency, read_fleet, remove_agency
from qmsdocs.fleet.status import AgencyStatus, Problem, fleet_status

__all__ = [
    "FLEET_FILE",
    "Agency",
    "AgencyStatus",
    "FetchResult",
    "FleetFramework",
    "FleetList",
    "Problem",
    "add_agency",
    "cache_path",
    "fetch_all",
    "fleet_status",
    "framework_releases",
    "mirror_path",
    "read_fleet",
    "remove_agency",
]
