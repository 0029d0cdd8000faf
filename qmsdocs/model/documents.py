"""Controlled documents: procedures, the quality policy, quality objectives and forms; pure.

Each file holds one document's latest state (a draft being worked on, or the last issued
revision); git holds every earlier state. Field names are English; the Vietnamese term each
one maps to is in the comment beside it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from qmsdocs.i18n import N_
from qmsdocs.model.base import Code, Ident, Model, Signature, Text
from qmsdocs.model.problems import invalid

__all__ = [
    "ChangeEntry",
    "Definition",
    "DerivedFrom",
    "Document",
    "DossierItem",
    "Fee",
    "Form",
    "LegalRef",
    "Measurement",
    "MergeConflict",
    "Objective",
    "Objectives",
    "PeriodicReview",
    "PlannedAction",
    "Policy",
    "Procedure",
    "RecordSpec",
    "Status",
    "Step",
    "TthcParts",
    "Withdrawal",
]


class Status(StrEnum):
    """The lifecycle status stored in a file.

    "Effective" and "superseded" are never stored: they follow from the effective date and
    from later revisions, and are computed for any date.
    """

    DRAFT = "draft"  # dự thảo
    IN_REVIEW = "in_review"  # đang xem xét
    APPROVED = "approved"  # đã phê duyệt (ban hành)
    WITHDRAWN = "withdrawn"  # đã hủy bỏ / thu hồi


class LegalRef(Model):
    """A citation of a legal document (căn cứ pháp lý), optionally of one article or clause."""

    ref: Text = Field(description="Number as printed (19/2014/QĐ-TTg) or file code of legal/")
    article: Text | None = Field(default=None, description="Điều, e.g. 'Điều 5'")
    clause: Text | None = Field(default=None, description="Khoản / điểm, e.g. 'Khoản 2'")
    note: Text | None = None


class ChangeEntry(Model):
    """One row of the change-history table (theo dõi sửa đổi tài liệu)."""

    revision: int = Field(ge=1)  # lần ban hành
    date: dt.date | None = None
    description: Text  # nội dung sửa đổi
    pages: Text | None = None  # trang
    reason: Text | None = None  # lý do
    note: Text | None = None  # ghi chú


class PeriodicReview(Model):
    """A periodic review concluded "still suitable, no change" (no new revision)."""

    date: dt.date
    person: Ident
    reason: Text


class Withdrawal(Model):
    """Why and when a document was withdrawn (hủy bỏ), and what replaces it, if anything."""

    date: dt.date
    reason: Text
    replaced_by: Code | None = None


class DerivedFrom(Model):
    """The framework's model document a derived document was rendered from (DESIGN §11).

    Written by adoption and by taking a release; it names the exact base the next three-way
    merge starts from, read back from the framework's objects fetched into the agency's git.
    """

    framework: Ident  # the framework's name in qms.yaml ``frameworks``
    code: Code  # the model document's code in the framework
    revision: int = Field(ge=1)  # the model's revision (lần ban hành)
    stamp: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]  # the model's content stamp
    release: Text | None = None  # the framework release (git tag) it was taken from


class MergeConflict(Model):
    """A field the framework and the agency both changed, differently (xung đột).

    Taking a framework release records one per such field in the draft, as data: the value
    the three sides hold (``None`` where a side removed it). ``validate`` reports each as an
    error and ``submit`` refuses while any remains; the officer resolves one by editing the
    field and deleting its entry.
    """

    field: Text  # where, as ``diff`` names it: ``steps[3].time``, ``tthc.fees[Lệ phí]``
    base: Any = None  # the model revision the document was derived from, rendered
    framework: Any = None  # the new model revision, rendered
    local: Any = None  # the agency's revision in force


class _ControlledDocument(Model):
    """The header every controlled document carries (DESIGN §3)."""

    schema_version: Literal[1] = 1
    code: Code  # mã hiệu
    title: Text  # tên tài liệu
    unit: Ident  # đơn vị chủ trì
    revision: int = Field(default=1, ge=1)  # lần ban hành
    status: Status = Status.DRAFT
    issued_date: dt.date | None = None  # ngày ban hành
    effective_date: dt.date | None = None  # ngày hiệu lực
    review_interval_months: int | None = Field(default=None, ge=1, le=120)
    legal_basis: list[LegalRef] = Field(default_factory=list)  # căn cứ pháp lý
    supersedes: list[Code] = Field(default_factory=list)  # thay thế tài liệu
    history: list[ChangeEntry] = Field(default_factory=list)  # theo dõi sửa đổi
    approvals: list[Signature] = Field(default_factory=list)  # soạn thảo / xem xét / phê duyệt
    periodic_reviews: list[PeriodicReview] = Field(default_factory=list)
    withdrawal: Withdrawal | None = None
    derived_from: DerivedFrom | None = None  # the framework model it follows, if any
    conflicts: list[MergeConflict] = Field(default_factory=list)  # open merge conflicts

    @model_validator(mode="after")
    def _status_fields(self) -> _ControlledDocument:
        if self.status in (Status.APPROVED, Status.WITHDRAWN) and self.effective_date is None:
            raise invalid(
                N_("an {status} document needs an effective_date"), status=self.status.value
            )
        if self.status is Status.WITHDRAWN and self.withdrawal is None:
            raise invalid(N_("a withdrawn document needs a withdrawal block (date, reason)"))
        if self.withdrawal is not None and self.status is not Status.WITHDRAWN:
            raise invalid(N_("only a withdrawn document has a withdrawal block"))
        if self.conflicts and self.status is not Status.DRAFT:
            raise invalid(N_("only a draft may hold merge conflicts: resolve them first"))
        return self


class Definition(Model):
    """A term or abbreviation (định nghĩa, chữ viết tắt)."""

    term: Text
    meaning: Text


class DossierItem(Model):
    """One component of the dossier (thành phần hồ sơ) with its copy counts."""

    name: Text
    originals: int = Field(default=0, ge=0)  # bản chính
    copies: int = Field(default=0, ge=0)  # bản sao
    form: Code | None = None  # biểu mẫu, when the component is a form
    note: Text | None = None


class Fee(Model):
    """A fee or charge (phí, lệ phí)."""

    name: Text
    amount: Text  # e.g. "8.000 đồng/bản" or "Miễn lệ phí"
    basis: LegalRef | None = None


class TthcParts(Model):
    """The parts Decree 63/2010 Art. 8(2) requires of an administrative procedure (TTHC)."""

    code: Annotated[str, Field(pattern=r"^\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.H\d{2})?$")]
    name: Text  # tên thủ tục hành chính
    field: Text  # lĩnh vực
    methods: list[Text] = Field(min_length=1)  # cách thức thực hiện
    conditions: list[Text] = Field(default_factory=list)  # yêu cầu, điều kiện
    dossier: list[DossierItem] = Field(min_length=1)  # thành phần hồ sơ
    dossier_sets: int = Field(default=1, ge=1)  # số lượng hồ sơ (bộ)
    time_limit: Text  # thời hạn giải quyết
    subjects: list[Text] = Field(min_length=1)  # đối tượng thực hiện
    implementing_agency: Text  # cơ quan thực hiện
    coordinating_agencies: list[Text] = Field(default_factory=list)  # cơ quan phối hợp
    fees: list[Fee] = Field(default_factory=list)  # phí, lệ phí
    result: Text  # kết quả thực hiện
    place_of_receipt: Text  # nơi tiếp nhận và trả kết quả


class Step(Model):
    """One row of the step table: Bước / Nội dung công việc / Trách nhiệm / Thời gian / BM."""

    no: int = Field(ge=1)  # bước
    action: Text  # nội dung công việc
    responsible: Text  # trách nhiệm
    time: Text | None = None  # thời gian
    forms: list[Code] = Field(default_factory=list)  # biểu mẫu
    result: Text | None = None  # kết quả


class RecordSpec(Model):
    """A record to keep (hồ sơ cần lưu): name, keeper and retention."""

    name: Text
    keeper: Text  # nơi lưu / trách nhiệm lưu
    retention: Text  # thời gian lưu


class Procedure(_ControlledDocument):
    """A procedure (quy trình): a system procedure, or one for an administrative procedure."""

    kind: Literal["procedure"] = "procedure"
    category: Literal["system", "administrative"]  # quy trình hệ thống / quy trình TTHC
    purpose: Text  # 1. mục đích
    scope: Text  # 2. phạm vi
    references: list[Text] = Field(default_factory=list)  # 3. tài liệu viện dẫn (non-legal)
    definitions: list[Definition] = Field(default_factory=list)  # 4. định nghĩa, viết tắt
    responsibilities: Text | None = None  # trách nhiệm
    tthc: TthcParts | None = None  # 5. nội dung: the TTHC parts
    steps: list[Step] = Field(min_length=1)  # 5. quy trình xử lý
    forms: list[Code] = Field(default_factory=list)  # 6. biểu mẫu
    records: list[RecordSpec] = Field(default_factory=list)  # 7. hồ sơ cần lưu

    @model_validator(mode="after")
    def _tthc_matches_category(self) -> Procedure:
        if self.category == "administrative" and self.tthc is None:
            raise invalid(N_("an administrative procedure needs its tthc block"))
        if self.category == "system" and self.tthc is not None:
            raise invalid(N_("a system procedure has no tthc block"))
        numbers = [s.no for s in self.steps]
        if numbers != list(range(1, len(numbers) + 1)):
            raise invalid(
                N_("steps must be numbered 1, 2, 3 … in order; found {numbers}"), numbers=numbers
            )
        return self


class Policy(_ControlledDocument):
    """The quality policy (chính sách chất lượng)."""

    kind: Literal["policy"] = "policy"
    statement: Text  # tuyên bố
    commitments: list[Text] = Field(min_length=1)  # cam kết
    posted_at: list[Text] = Field(default_factory=list)  # nơi niêm yết
    posted_on: dt.date | None = None  # ngày niêm yết


class PlannedAction(Model):
    """One action of the plan to reach an objective (kế hoạch thực hiện)."""

    action: Text
    responsible: Text
    deadline: Text  # thời hạn, e.g. "31/12/2025" or "Hằng quý"
    resources: Text | None = None  # nguồn lực


class Measurement(Model):
    """A measured result of an objective (kết quả đo lường) at a date."""

    as_of: dt.date
    value: float | None = None
    text: Text  # e.g. "18/22 hồ sơ giải quyết trước hạn (81%)"
    note: Text | None = None


class Objective(Model):
    """One measurable quality objective with its plan and results."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    statement: Text  # mục tiêu
    indicator: Text  # chỉ số đo
    target: Text  # chỉ tiêu, e.g. "100%"
    target_value: float | None = None
    plan: list[PlannedAction] = Field(default_factory=list)
    results: list[Measurement] = Field(default_factory=list)
    evaluation: Text | None = None  # đánh giá
    achieved: bool | None = None


class Objectives(_ControlledDocument):
    """The quality objectives of one period (mục tiêu chất lượng năm …)."""

    kind: Literal["objectives"] = "objectives"
    year: int = Field(ge=2000, le=2100)
    period_start: dt.date
    period_end: dt.date
    objectives: list[Objective] = Field(min_length=1)

    @model_validator(mode="after")
    def _period_in_order(self) -> Objectives:
        if self.period_end < self.period_start:
            raise invalid(N_("period_end is before period_start"))
        ids = [o.id for o in self.objectives]
        if len(set(ids)) != len(ids):
            raise invalid(N_("objective ids must be unique"))
        return self


class Form(_ControlledDocument):
    """A form (biểu mẫu), owned by the procedure that uses it."""

    kind: Literal["form"] = "form"
    procedure: Code  # quy trình sử dụng biểu mẫu
    description: Text | None = None
    file: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")] | None = None

    @model_validator(mode="after")
    def _file_inside_folder(self) -> Form:
        if self.file is not None and ".." in self.file:
            raise invalid(N_("file must name a file inside forms/, without '..'"))
        return self


#: Any controlled document.
Document = Procedure | Policy | Objectives | Form
