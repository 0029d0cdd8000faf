"""The organization file ``qms.yaml``: who the agency is, who holds which role, the rules; pure."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from qmsdocs.i18n import N_
from qmsdocs.model.base import Ident, Model, Text
from qmsdocs.model.problems import invalid

__all__ = [
    "ApprovalRule",
    "Deadlines",
    "ExportProfile",
    "FollowedFramework",
    "FrameworkDeclaration",
    "Organization",
    "Parameter",
    "Person",
    "QmsConfig",
    "Role",
    "RoleAssignment",
    "Unit",
]

ControlledKind = Literal["procedure", "policy", "objectives", "form"]
HistoryColumn = Literal["no", "date", "revision", "pages", "description", "reason", "note"]

_DEFAULT_COLUMNS: list[HistoryColumn] = ["date", "description", "revision"]
_DEFAULT_INTERVALS: dict[ControlledKind, int] = {
    "procedure": 12,
    "policy": 36,
    "objectives": 12,
    "form": 24,
}


class Organization(Model):
    """The agency that owns the QMS (cơ quan) and its parent (cơ quan chủ quản)."""

    name: Text  # ỦY BAN NHÂN DÂN PHƯỜNG …
    short_name: Text | None = None
    parent: Text  # cơ quan chủ quản
    address: Text | None = None
    province_code: str | None = Field(default=None, pattern=r"^H\d{2}$")  # in TTHC codes
    level: Literal["central", "province", "commune"] | None = Field(
        default=None,
        description="The level of the agency (cấp thực hiện): the TTHC of its level are in scope",
    )


class Unit(Model):
    """A unit of the agency (phòng, bộ phận)."""

    id: Ident
    name: Text


class Role(Model):
    """A role that can author, review or approve documents."""

    id: Ident
    name: Text


class RoleAssignment(Model):
    """A role held by a person from one date, until another (inclusive) or for now."""

    role: Ident
    start: dt.date = Field(alias="from")
    until: dt.date | None = None

    def held_on(self, day: dt.date) -> bool:
        """Return whether the role is held on *day*."""
        return self.start <= day and (self.until is None or day <= self.until)

    @model_validator(mode="after")
    def _in_order(self) -> RoleAssignment:
        if self.until is not None and self.until < self.start:
            raise invalid(N_("'until' is before 'from'"))
        return self


class Person(Model):
    """A person who authors, reviews or approves documents."""

    id: Ident
    name: Text  # họ và tên
    title: Text  # chức vụ
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    unit: Ident
    roles: list[RoleAssignment] = Field(default_factory=list)
    signing_keys: list[Text] = Field(
        default_factory=list,
        description="Fingerprints of the person's signing keys: SSH (SHA256:…) or GPG",
    )

    def roles_on(self, day: dt.date) -> set[str]:
        """Return the ids of the roles held on *day*."""
        return {a.role for a in self.roles if a.held_on(day)}


class ApprovalRule(Model):
    """Who may author, review and approve documents of one kind."""

    author: list[Ident] = Field(min_length=1)
    review: list[Ident] = Field(min_length=1)
    approve: list[Ident] = Field(min_length=1)
    distinct_people: bool = True  # author, reviewer and approver are three people


class ExportProfile(Model):
    """How controlled copies are laid out."""

    template: str | None = Field(default=None, description="The agency's .docx, inside the repo")
    font: Text = "Times New Roman"
    font_size: float = Field(default=13, ge=13, le=14)
    change_history_columns: list[HistoryColumn] = Field(
        default_factory=lambda: list(_DEFAULT_COLUMNS), min_length=1
    )


class Deadlines(Model):
    """The time the law gives to act on a change (configurable, the law's values by default)."""

    legal_change_months: int = Field(
        default=3, ge=0, description="Decision 19/2014/QĐ-TTg Art. 4: months to build in a change"
    )
    tthc_working_days: int = Field(
        default=5, ge=0, description="Circular 26/2014/TT-BKHCN Art. 4: working days to update"
    )
    holidays: list[dt.date] = Field(
        default_factory=list, description="Days off that are not weekends (nghỉ lễ, Tết)"
    )


#: The name of a framework parameter, as a placeholder writes it: ``{{ agency_name }}``.
PARAMETER_NAME = r"^[a-z_][a-z0-9_]*$"


class Parameter(Model):
    """A value a framework's model documents leave to each agency (tham số của mô hình khung)."""

    name: Annotated[str, Field(pattern=PARAMETER_NAME, max_length=64)]
    meaning: Text  # what the agency writes there: "Tên cơ quan", "Chức danh người đứng đầu"
    type: Literal["text", "int"] = "text"
    default: Text | int | None = None

    @model_validator(mode="after")
    def _default_of_type(self) -> Parameter:
        if self.type == "int" and self.default is not None and not isinstance(self.default, int):
            raise invalid(N_("the default of a whole-number parameter is a whole number"))
        return self


class FrameworkDeclaration(Model):
    """What makes a repository a framework (mô hình khung): its name and its parameters."""

    name: Ident
    title: Text | None = None
    parameters: list[Parameter] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> FrameworkDeclaration:
        names = [p.name for p in self.parameters]
        twice = next((n for n in names if names.count(n) > 1), None)
        if twice is not None:
            raise invalid(N_("parameter {name} is declared twice"), name=twice)
        return self

    def parameter(self, name: str) -> Parameter | None:
        """Return the parameter *name*, or None."""
        return next((p for p in self.parameters if p.name == name), None)


class FollowedFramework(Model):
    """A framework the agency follows: where it is, the release taken, the agency's values."""

    name: Ident
    url: Text
    release: Text | None = Field(
        default=None, description="The release (git tag) the agency follows; set by update"
    )
    parameters: dict[str, Text | int] = Field(
        default_factory=dict, description="The agency's value of each framework parameter"
    )


class QmsConfig(Model):
    """The content of ``qms.yaml``."""

    schema_version: Literal[1] = 1
    organization: Organization
    language: Literal["vi", "en"] = "vi"
    timezone: str = Field(
        default="Asia/Ho_Chi_Minh",
        description="The agency's time zone (IANA name): signatures and times are shown in it",
    )
    units: list[Unit] = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    people: list[Person] = Field(min_length=1)
    approval: dict[ControlledKind, ApprovalRule]
    review_interval_months: dict[ControlledKind, int] = Field(
        default_factory=lambda: dict(_DEFAULT_INTERVALS)
    )
    numbering: dict[ControlledKind, str] = Field(
        default_factory=dict, description="Code prefix per kind, e.g. procedure: 'QT-'"
    )
    require_signed_approvals: bool = False
    export: ExportProfile = Field(default_factory=ExportProfile)
    deadlines: Deadlines = Field(default_factory=Deadlines)
    framework: FrameworkDeclaration | None = Field(
        default=None, description="Present in a framework repository: its name and parameters"
    )
    frameworks: list[FollowedFramework] = Field(
        default_factory=list, description="The frameworks this agency follows (qms framework add)"
    )

    @model_validator(mode="after")
    def _unique_frameworks(self) -> QmsConfig:
        names = [f.name for f in self.frameworks]
        twice = next((n for n in names if names.count(n) > 1), None)
        if twice is not None:
            raise invalid(N_("framework {name} is followed twice"), name=twice)
        return self

    def followed(self, name: str) -> FollowedFramework | None:
        """Return the followed framework *name*, or None."""
        return next((f for f in self.frameworks if f.name == name), None)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            _zone(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise invalid(
                N_("unknown time zone {zone} (an IANA name such as Asia/Ho_Chi_Minh)"),
                zone=repr(value),
            ) from None
        return value

    def local(self, moment: dt.datetime) -> dt.datetime:
        """Return the aware *moment* in the agency's time zone (the same instant)."""
        return moment.astimezone(_zone(self.timezone))

    def person(self, person_id: str) -> Person | None:
        """Return the person with id *person_id*, or None."""
        return next((p for p in self.people if p.id == person_id), None)

    def person_by_email(self, email: str) -> Person | None:
        """Return the person whose email is *email* (ignoring case), or None."""
        return next((p for p in self.people if p.email.lower() == email.lower()), None)

    def unit(self, unit_id: str) -> Unit | None:
        """Return the unit with id *unit_id*, or None."""
        return next((u for u in self.units if u.id == unit_id), None)

    def review_interval(self, kind: str) -> int:
        """Return the default review interval in months for documents of *kind*."""
        intervals = {str(k): v for k, v in self.review_interval_months.items()}
        return intervals.get(kind, 12)


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
