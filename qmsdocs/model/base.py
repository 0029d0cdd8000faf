"""Building blocks shared by every document kind; pure (no I/O, no clock)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from qmsdocs.model.codes import CODE_PATTERN, check_code, nfc

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
        raise ValueError(problem)
    return value


#: Text as qmsdocs stores it: NFC-normalized.
Text = Annotated[str, AfterValidator(nfc)]
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
    )


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
