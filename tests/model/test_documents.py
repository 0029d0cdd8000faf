"""The models refuse what an officer could get wrong, and say which field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from qmsdocs.model import Form, LegalDocument, Objectives, Procedure, QmsConfig


def procedure(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "QT-01",
        "title": "Quy trình kiểm soát tài liệu",
        "unit": "van-phong",
        "category": "system",
        "purpose": "Thống nhất cách kiểm soát tài liệu.",
        "scope": "Toàn bộ tài liệu của HTQLCL.",
        "steps": [{"no": 1, "action": "Soạn thảo", "responsible": "Cán bộ ISO"}],
    }
    data.update(changes)
    return data


def test_a_minimal_system_procedure_is_a_draft_of_revision_1() -> None:
    doc = Procedure.model_validate(procedure())
    assert (doc.kind, doc.status.value, doc.revision, doc.schema_version) == (
        "procedure",
        "draft",
        1,
        1,
    )


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="muc_dich"):
        Procedure.model_validate(procedure(muc_dich="x"))


def test_an_administrative_procedure_needs_its_tthc_parts() -> None:
    with pytest.raises(ValidationError, match="needs its tthc block"):
        Procedure.model_validate(procedure(category="administrative"))


def test_steps_are_numbered_in_order() -> None:
    steps = [
        {"no": 1, "action": "a", "responsible": "b"},
        {"no": 3, "action": "c", "responsible": "d"},
    ]
    with pytest.raises(ValidationError, match=r"numbered 1, 2, 3"):
        Procedure.model_validate(procedure(steps=steps))


def test_an_approved_document_needs_an_effective_date() -> None:
    with pytest.raises(ValidationError, match="effective_date"):
        Procedure.model_validate(procedure(status="approved"))


def test_a_withdrawn_document_needs_its_withdrawal() -> None:
    with pytest.raises(ValidationError, match="withdrawal"):
        Procedure.model_validate(procedure(status="withdrawn", effective_date=dt.date(2021, 1, 1)))


def test_text_is_stored_nfc() -> None:
    doc = Procedure.model_validate(procedure(title="Quy trình kie\u0302\u0309m soát"))
    assert doc.title == "Quy trình kiểm soát"


def test_a_code_with_a_path_is_refused() -> None:
    with pytest.raises(ValidationError, match="code"):
        Procedure.model_validate(procedure(code="../QT-01"))


def test_objectives_period_must_be_in_order() -> None:
    with pytest.raises(ValidationError, match="period_end is before period_start"):
        Objectives.model_validate(
            {
                "code": "MTCL-2025",
                "title": "Mục tiêu chất lượng năm 2025",
                "unit": "lanh-dao",
                "year": 2025,
                "period_start": "2025-12-31",
                "period_end": "2025-01-01",
                "objectives": [
                    {"id": "MT-01", "statement": "s", "indicator": "i", "target": "100%"}
                ],
            }
        )


def test_a_form_file_cannot_leave_the_forms_folder() -> None:
    with pytest.raises(ValidationError):
        Form.model_validate(
            {
                "code": "BM-01",
                "title": "t",
                "unit": "u",
                "procedure": "QT-01",
                "file": "../../x.docx",
            }
        )


def test_a_legal_document_cannot_take_effect_before_it_is_issued() -> None:
    with pytest.raises(ValidationError, match="before the issue date"):
        LegalDocument.model_validate(
            {
                "number": "19/2014/QĐ-TTg",
                "type": "decision",
                "issuer": "Thủ tướng Chính phủ",
                "title": "t",
                "issued": "2014-03-05",
                "effective_from": "2014-01-01",
            }
        )


def test_legal_code_is_derived_from_the_number() -> None:
    doc = LegalDocument(
        number="30/2020/NĐ-CP",
        type="decree",
        issuer="Chính phủ",
        title="Về công tác văn thư",
        issued=dt.date(2020, 3, 5),
    )  # type: ignore[arg-type]
    assert doc.code == "30-2020-ND-CP"
    assert doc.in_force_from == dt.date(2020, 3, 5)


def test_roles_are_held_between_from_and_until_inclusive(sample_config: QmsConfig) -> None:
    ha = sample_config.person("pham-thu-ha")
    assert ha is not None
    assert "iso-officer" in ha.roles_on(dt.date(2023, 6, 30))
    assert "iso-officer" not in ha.roles_on(dt.date(2023, 7, 1))


@pytest.fixture
def sample_config() -> QmsConfig:
    from qmsdocs.store.yaml import load
    from tests.conftest import SAMPLE

    return QmsConfig.model_validate(load((SAMPLE / "qms.yaml").read_bytes(), file="qms.yaml"))
