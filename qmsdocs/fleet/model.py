"""The fleet list ``fleet.yaml``: the agencies a province oversees; pure."""

from __future__ import annotations

from pydantic import Field, model_validator

from qmsdocs.i18n import N_
from qmsdocs.model.base import Ident, Model, Text
from qmsdocs.model.problems import invalid

__all__ = ["FLEET_FILE", "Agency", "FleetFramework", "FleetList"]

#: The fleet list, at the top of the province's repository.
FLEET_FILE = "fleet.yaml"


class Agency(Model):
    """One agency of the fleet: who it is and where its QMS repository is served."""

    id: Ident
    name: Text
    level: Text | None = Field(default=None, description="sở, ban, xã, phường …")
    unit: Text | None = Field(default=None, description="The unit it belongs to")
    url: Text = Field(description="Its git URL (git://, https://, ssh:// or a path)")
    framework: Text | None = Field(default=None, description="The framework it should follow")


class FleetFramework(Model):
    """A framework the province's agencies follow: its name (as the agencies' qms.yaml
    ``frameworks`` name it) and its git URL, mirrored by ``qms fleet fetch``."""

    name: Ident
    url: Text = Field(description="Its git URL (git://, https://, ssh:// or a path)")


class FleetList(Model):
    """The content of ``fleet.yaml``."""

    schema_version: int = 1
    frameworks: list[FleetFramework] = Field(default_factory=list)
    agencies: list[Agency] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> FleetList:
        seen: set[str] = set()
        for agency in self.agencies:
            if agency.id in seen:
                raise invalid(N_("agency {id} is listed twice"), id=agency.id)
            seen.add(agency.id)
        return self

    def get(self, agency_id: str) -> Agency | None:
        """Return the agency with this id, or None."""
        return next((a for a in self.agencies if a.id == agency_id), None)
