"""The bundled sample is a realistic, complete and valid agency QMS."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from qmsdocs import LegalStatus, Procedure, Repository
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def repo() -> Repository:
    return Repository.open(SAMPLE)


def test_the_sample_validates_with_no_findings(repo: Repository) -> None:
    assert [str(f) for f in repo.validate()] == []


def test_the_agency_is_a_two_tier_unit_with_enough_people(repo: Repository) -> None:
    config = repo.config
    assert "PHƯỜNG" in config.organization.name or "XÃ" in config.organization.name
    assert len(config.units) >= 5 and len(config.people) >= 8
    assert all(p.title and "@" in p.email for p in config.people)


def test_the_system_procedures_cover_the_six_topics(repo: Repository) -> None:
    titles = " | ".join(
        d.title.lower() for d in repo if isinstance(d, Procedure) and d.category == "system"
    )
    for topic in (
        "kiểm soát tài liệu",
        "kiểm soát hồ sơ",
        "đánh giá nội bộ",
        "không phù hợp",
        "xem xét của lãnh đạo",
        "rủi ro",
    ):
        assert topic in titles


def test_administrative_procedures_are_complete(repo: Repository) -> None:
    tthc = [d for d in repo if isinstance(d, Procedure) and d.category == "administrative"]
    assert len(tthc) >= 8
    for procedure in tthc:
        assert procedure.tthc is not None
        assert procedure.tthc.dossier and procedure.tthc.time_limit and procedure.tthc.result
        assert procedure.tthc.code.endswith(".H99")
        assert len(procedure.steps) >= 4


def test_policy_objectives_and_forms_are_there(repo: Repository) -> None:
    kinds = [d.kind for d in repo]
    assert (
        kinds.count("policy") == 1 and kinds.count("objectives") >= 1 and kinds.count("form") >= 15
    )
    objectives = repo.document("MTCL-2025")
    assert objectives.kind == "objectives"
    assert all(o.results for o in objectives.objectives)  # type: ignore[union-attr]


def test_the_legal_registry_holds_real_chains(repo: Repository) -> None:
    assert len(repo.legal) >= 20
    today = dt.date(2026, 1, 1)
    for old, new in [
        ("144/2006/QĐ-TTg", "19/2014/QĐ-TTg"),
        ("118/2009/QĐ-TTg", "19/2014/QĐ-TTg"),
        ("TCVN ISO 9001:2008", "TCVN ISO 9001:2015"),
        ("77/2015/QH13", "72/2025/QH15"),
    ]:
        document = repo.legal_document(old)
        assert repo.legal.status_on(document, today) is LegalStatus.EXPIRED
        assert repo.legal.replacement(document, today).number == new
    assert (
        repo.legal.status_on(repo.legal_document("22/2019/QĐ-UBND"), today)
        is LegalStatus.PARTLY_EXPIRED
    )
    amended = repo.legal_document("63/2010/NĐ-CP")
    assert repo.legal.status_on(amended, today) is LegalStatus.IN_FORCE
    assert {e.relation.type.value for e in repo.legal.events(amended)} == {"amends"}


def test_every_text_is_nfc_and_vietnamese(repo: Repository) -> None:
    for path in SAMPLE.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path
    assert (
        "ầ" in repo.document("QT-01").model_dump_json()
        or "ệ" in repo.document("QT-01").model_dump_json()
    )
