"""External documents: laws, decrees, circulars, decisions and standards; pure.

A legal document keeps its number exactly as printed (``19/2014/QĐ-TTg``); its file is named
by the derived file code (:func:`qmsdocs.model.codes.legal_file_code`). Its status on a date
is never stored: :class:`qmsdocs.legal.LegalRegistry` computes it from the effective dates
and from the relations that other legal documents declare.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from qmsdocs.i18n import N_, NC_, translate
from qmsdocs.model.base import Ident, Model, Text
from qmsdocs.model.codes import legal_file_code
from qmsdocs.model.problems import invalid

__all__ = [
    "LegalDocument",
    "LegalOrigin",
    "LegalStatus",
    "LegalType",
    "Relation",
    "RelationType",
    "TthcChange",
    "TthcEntry",
    "TthcLevel",
]


class LegalType(StrEnum):
    """The type of a legal or external document, with its usual Vietnamese abbreviation."""

    LAW = "law"  # Luật, Bộ luật (QH)
    RESOLUTION = "resolution"  # NQ, nghị quyết
    DECREE = "decree"  # NĐ, nghị định
    DECISION = "decision"  # QĐ, quyết định
    CIRCULAR = "circular"  # TT, thông tư
    JOINT_CIRCULAR = "joint_circular"  # TTLT, thông tư liên tịch
    DIRECTIVE = "directive"  # CT, chỉ thị
    PLAN = "plan"  # KH, kế hoạch
    NOTICE = "notice"  # TB, thông báo
    GUIDANCE = "guidance"  # HD, hướng dẫn
    OFFICIAL_LETTER = "official_letter"  # CV, công văn
    STANDARD = "standard"  # TCVN, ISO
    OTHER = "other"

    @classmethod
    def from_number(cls, number: str) -> LegalType | None:
        """Return the type a number names (19/2014/QĐ-TTg is a decision), or None."""
        text = number.replace("Ð", "Đ").upper()
        if text.startswith(("TCVN", "ISO")):
            return cls.STANDARD
        parts = text.split("/")
        if len(parts) < 2:
            return None
        last = parts[-1]
        if re.fullmatch(r"QH\d+", last):
            return cls.LAW
        return _TYPE_OF_ABBREVIATION.get(last.split("-")[0])

    def label(self, language: str = "vi") -> str:
        """Return the name of the type as written before a number (Nghị định, Decree)."""
        return translate(language, _TYPE_LABELS[self], "document")


_TYPE_OF_ABBREVIATION = {
    "NQ": LegalType.RESOLUTION,
    "NĐ": LegalType.DECREE,
    "QĐ": LegalType.DECISION,
    "TT": LegalType.CIRCULAR,
    "TTLT": LegalType.JOINT_CIRCULAR,
    "CT": LegalType.DIRECTIVE,
    "KH": LegalType.PLAN,
    "TB": LegalType.NOTICE,
    "HD": LegalType.GUIDANCE,
    "CV": LegalType.OFFICIAL_LETTER,
}

_TYPE_LABELS = {
    LegalType.LAW: NC_("document", "Law"),  # Luật
    LegalType.RESOLUTION: NC_("document", "Resolution"),  # Nghị quyết
    LegalType.DECREE: NC_("document", "Decree"),  # Nghị định
    LegalType.DECISION: NC_("document", "Decision"),  # Quyết định
    LegalType.CIRCULAR: NC_("document", "Circular"),  # Thông tư
    LegalType.JOINT_CIRCULAR: NC_("document", "Joint circular"),  # Thông tư liên tịch
    LegalType.DIRECTIVE: NC_("document", "Directive"),  # Chỉ thị
    LegalType.PLAN: NC_("document", "Plan"),  # Kế hoạch
    LegalType.NOTICE: NC_("document", "Notice"),  # Thông báo
    LegalType.GUIDANCE: NC_("document", "Guidance"),  # Hướng dẫn
    LegalType.OFFICIAL_LETTER: NC_("document", "Official letter"),  # Công văn
    LegalType.STANDARD: NC_("document", "Standard"),  # Tiêu chuẩn
    LegalType.OTHER: NC_("document", "Document"),  # Văn bản
}


class RelationType(StrEnum):
    """How a legal document acts on another one."""

    AMENDS = "amends"  # sửa đổi, bổ sung
    REPLACES = "replaces"  # thay thế
    REPEALS = "repeals"  # bãi bỏ (whole, or the named articles)
    CORRECTS = "corrects"  # đính chính
    GUIDES = "guides"  # hướng dẫn


class LegalStatus(StrEnum):
    """The status of a legal document on a given date (tình trạng hiệu lực)."""

    NOT_YET_IN_FORCE = "not_yet_in_force"  # Chưa có hiệu lực
    IN_FORCE = "in_force"  # Còn hiệu lực
    PARTLY_EXPIRED = "partly_expired"  # Hết hiệu lực một phần
    EXPIRED = "expired"  # Hết hiệu lực toàn bộ


class Relation(Model):
    """What this document does to another one, from which date."""

    type: RelationType
    target: Text = Field(description="Number as printed or file code of the target")
    articles: list[Text] = Field(
        default_factory=list, description="Articles concerned (Điều 5); empty for the whole"
    )
    effective: dt.date | None = Field(
        default=None, description="When the relation takes effect; default: effective_from"
    )
    note: Text | None = None


#: A TTHC code as printed (1.001193.000.00.00.H99) or its national part (1.001193).
TTHC_CODE_PATTERN = r"^\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.H\d{2})?$"


class TthcChange(StrEnum):
    """What an announcement decision does to a TTHC (danh mục TTHC …)."""

    NEW = "new"  # mới ban hành
    AMENDED = "amended"  # sửa đổi, bổ sung
    REPLACED = "replaced"  # thay thế (this TTHC replaces the one in ``replaces``)
    ABOLISHED = "abolished"  # bị bãi bỏ


class TthcLevel(StrEnum):
    """The level that carries out a TTHC (cấp thực hiện)."""

    CENTRAL = "central"  # cấp trung ương
    PROVINCE = "province"  # cấp tỉnh
    COMMUNE = "commune"  # cấp xã


class TthcEntry(Model):
    """One row of a TTHC announcement decision: a TTHC and what the decision does to it."""

    code: Annotated[str, Field(pattern=TTHC_CODE_PATTERN)]  # mã TTHC
    name: Text  # tên thủ tục hành chính
    field: Text  # lĩnh vực
    level: TthcLevel  # cấp thực hiện
    agency: Text  # cơ quan thực hiện
    change: TthcChange  # trạng thái: mới, sửa đổi, thay thế, bãi bỏ
    replaces: Annotated[str, Field(pattern=TTHC_CODE_PATTERN)] | None = Field(
        default=None, description="For a replacing TTHC: the code of the TTHC it replaces"
    )

    @property
    def national_code(self) -> str:
        """Return the national part of the code (1.001193)."""
        return self.code[:8]

    @model_validator(mode="after")
    def _replacement_named(self) -> TthcEntry:
        if self.change is TthcChange.REPLACED and self.replaces is None:
            raise invalid(N_("a replacing TTHC names the code it replaces (replaces)"))
        if self.change is not TthcChange.REPLACED and self.replaces is not None:
            raise invalid(N_("only a replacing TTHC names a code it replaces"))
        return self


class LegalOrigin(Model):
    """Where a shared legal document came from: a framework's legal registry (DESIGN §11)."""

    framework: Ident  # the framework's name in qms.yaml ``frameworks``
    release: Text | None = None  # the release (git tag) it was taken from
    stamp: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]  # of its content as taken


class LegalDocument(Model):
    """A legal or external document (văn bản bên ngoài) in the registry ``legal/``."""

    schema_version: Literal[1] = 1
    kind: Literal["legal"] = "legal"
    number: Text = Field(min_length=1, max_length=120)  # số, ký hiệu — exactly as printed
    type: LegalType
    issuer: Text  # cơ quan ban hành
    title: Text  # trích yếu
    issued: dt.date  # ngày ban hành
    effective_from: dt.date | None = None  # ngày có hiệu lực
    effective_until: dt.date | None = Field(
        default=None, description="Last day in force, when the document itself sets one"
    )
    relations: list[Relation] = Field(default_factory=list)
    tthc: list[TthcEntry] = Field(
        default_factory=list,
        description="For a TTHC announcement decision: the TTHC it lists and what it does to each",
    )
    url: Text | None = None
    note: Text | None = None
    origin: LegalOrigin | None = Field(
        default=None,
        description="Set when the document comes from a framework's shared legal registry",
    )

    @property
    def code(self) -> str:
        """Return the file code derived from the number (19-2014-QD-TTg)."""
        return legal_file_code(self.number)

    @property
    def in_force_from(self) -> dt.date:
        """Return the first day in force: effective_from, or the issue date."""
        return self.effective_from or self.issued

    @model_validator(mode="after")
    def _dates_in_order(self) -> LegalDocument:
        if self.effective_from and self.effective_from < self.issued:
            raise invalid(N_("effective_from is before the issue date"))
        if self.effective_until and self.effective_until < self.in_force_from:
            raise invalid(N_("effective_until is before the document takes effect"))
        if not legal_file_code(self.number):
            raise invalid(N_("number {number} has no letter or digit"), number=repr(self.number))
        codes = [t.code for t in self.tthc]
        twice = next((c for c in codes if codes.count(c) > 1), None)
        if twice is not None:
            raise invalid(N_("TTHC {code} is listed twice"), code=twice)
        return self
