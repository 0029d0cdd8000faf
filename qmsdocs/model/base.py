"""Building blocks shared by every document kind; pure (no I/O, no clock)."""

from __future__ import annotations

import datetime as dt
import re
import types
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from qmsdocs.i18n import N_
from qmsdocs.model.codes import CODE_PATTERN, check_code, nfc
from qmsdocs.model.problems import invalid

__all__ = [
    "SCHEMA_VERSION",
    "Code",
    "DocumentKind",
    "Model",
    "Signature",
    "Text",
]

#: The version of the file format written in every file's ``schema_version``.
SCHEMA_VERSION = 1


def _valid_code(value: str) -> str:
    problem = check_code(value)
    if problem:
        raise invalid(problem.template, **dict(problem.args))
    return value


# Characters that XML 1.0, hence a .docx, cannot hold: C0 controls but tab and line breaks,
# lone surrogates, U+FFFE and U+FFFF. YAML lets them in only through escapes ("\a", "\x07").
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    bad = _NOT_XML.search(value)
    if bad:
        raise invalid(
            N_(
                "holds the invisible character {character}, which documents cannot carry: remove it"
            ),
            character=f"U+{ord(bad.group()):04X}",
        )
    return nfc(value)


#: Text as qmsdocs stores it: NFC-normalized, only characters a document can carry.
Text = Annotated[str, AfterValidator(_text)]
#: A document code (QT-01, BM-QT-01-02): safe as a file name, see :mod:`qmsdocs.model.codes`.
Code = Annotated[str, Field(pattern=CODE_PATTERN), AfterValidator(_valid_code)]
#: The id of a person, unit or role in qms.yaml.
Ident = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]


class Model(BaseModel):
    """Base of every model: unknown fields are refused, values checked on assignment."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        populate_by_name=True,
        use_enum_values=False,
        # Built on first use: a command that reads only cached facts never builds most.
        defer_build=True,
    )

    _scalar_kinds: ClassVar[dict[str, str] | None] = None

    @classmethod
    def _kinds(cls) -> dict[str, str]:
        """Return, by field name and alias, "int" or "date" for whole-number and date fields."""
        if cls.__dict__.get("_scalar_kinds") is None:
            kinds = {}
            for name, info in cls.model_fields.items():
                kind = _scalar_kind(info.annotation)
                if kind is not None:
                    kinds[name] = kind
                    if info.alias:
                        kinds[info.alias] = kind
            cls._scalar_kinds = kinds
        return cls._scalar_kinds or {}

    @model_validator(mode="before")
    @classmethod
    def _no_lax_scalars(cls, data: Any) -> Any:
        # pydantic would take YAML's true for the number 1 and a number for a day counted
        # from 1970; a file that says so is wrong, and its field must say it.
        if not isinstance(data, dict):
            return data
        wrong = {}
        for key, kind in cls._kinds().items():  # a few fields: cheaper than every key of data
            if key not in data:
                continue
            value = data[key]
            if isinstance(value, bool) or (kind == "date" and isinstance(value, int | float)):
                wrong[key] = _Wrong(value)
        return {**data, **wrong} if wrong else data


class _Wrong:
    """A YAML value of the wrong type, shown as written in the field's error."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return str(self.value).lower() if isinstance(self.value, bool) else repr(self.value)


def _scalar_kind(annotation: Any) -> str | None:
    options = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else ()
    for option in options or (annotation,):
        if get_origin(option) is Annotated:
            option = get_args(option)[0]
        if option is int or (
            get_origin(option) is Literal and all(type(a) is int for a in get_args(option))
        ):
            return "int"
        if option in (dt.date, dt.datetime, AwareDatetime):
            return "date"
    return None


class DocumentKind(StrEnum):
    """The kinds of file a QMS repository holds, each in a folder of its own."""

    PROCEDURE = "procedure"  # quy trình
    POLICY = "policy"  # chính sách chất lượng
    OBJECTIVES = "objectives"  # mục tiêu chất lượng
    FORM = "form"  # biểu mẫu
    LEGAL = "legal"  # văn bản bên ngoài (luật, nghị định, tiêu chuẩn …)

    @property
    def folder(self) -> str:
        """Return the folder of the repository that holds documents of this kind."""
        return _FOLDERS[self]


_FOLDERS = {
    DocumentKind.PROCEDURE: "procedures",
    DocumentKind.POLICY: "policies",
    DocumentKind.OBJECTIVES: "objectives",
    DocumentKind.FORM: "forms",
    DocumentKind.LEGAL: "legal",
}


class Signature(Model):
    """One signature on a revision: who signed, in which capacity, when, and on what content.

    The meaning is the column of the signature grid: Soạn thảo (authored), Xem xét
    (reviewed), Phê duyệt (approved). ``stamp`` is the content stamp of what was signed.
    """

    meaning: Literal["authored", "reviewed", "approved"]
    person: Ident
    name: Text  # họ và tên, printed as signed
    title: Text  # chức vụ on the day of signing
    role: Ident | None = None
    signed_at: AwareDatetime
    stamp: str | None = Field(default=None, pattern=r"^sha256:[0-9a-f]{64}$")
    comment: Text | None = None
