"""The status of a legal document on any date is computed from dates and relations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from qmsdocs.legal import LegalRegistry
from qmsdocs.model import LegalDocument, LegalStatus


def legal(number: str, issued: str, effective: str | None = None, **extra: Any) -> LegalDocument:
    return LegalDocument.model_validate(
        {
            "number": number,
            "type": "decree",
            "issuer": "Chính phủ",
            "title": "t",
            "issued": issued,
            "effective_from": effective,
            **extra,
        }
    )


def chain() -> LegalRegistry:
    return LegalRegistry(
        [
            legal("1/2010/NĐ-CP", "2010-01-01"),
            legal(
                "2/2015/NĐ-CP",
                "2015-01-01",
                "2015-03-01",
                relations=[{"type": "replaces", "target": "1/2010/NĐ-CP"}],
            ),
            legal(
                "3/2020/NĐ-CP",
                "2020-01-01",
                "2020-07-01",
                relations=[{"type": "replaces", "target": "2/2015/NĐ-CP"}],
            ),
            legal(
                "4/2024/NĐ-CP",
                "2024-05-01",
                "2024-06-01",
                relations=[{"type": "repeals", "target": "3/2020/NĐ-CP", "articles": ["Điều 5"]}],
            ),
            legal(
                "5/2027/NĐ-CP",
                "2026-01-01",
                "2027-01-01",
                relations=[{"type": "amends", "target": "3/2020/NĐ-CP"}],
            ),
        ]
    )


def test_status_follows_the_dates() -> None:
    reg = chain()
    doc = reg.get("2/2015/NĐ-CP")
    assert doc is not None
    assert reg.status_on(doc, dt.date(2015, 2, 28)) is LegalStatus.NOT_YET_IN_FORCE
    assert reg.status_on(doc, dt.date(2015, 3, 1)) is LegalStatus.IN_FORCE
    assert reg.status_on(doc, dt.date(2020, 6, 30)) is LegalStatus.IN_FORCE
    assert reg.status_on(doc, dt.date(2020, 7, 1)) is LegalStatus.EXPIRED


def test_a_partial_repeal_leaves_the_document_partly_expired() -> None:
    reg = chain()
    doc = reg.get("3/2020/NĐ-CP")
    assert doc is not None
    assert reg.status_on(doc, dt.date(2024, 5, 31)) is LegalStatus.IN_FORCE
    assert reg.status_on(doc, dt.date(2024, 6, 1)) is LegalStatus.PARTLY_EXPIRED


def test_an_amendment_keeps_the_document_in_force() -> None:
    reg = chain()
    doc = reg.get("3/2020/NĐ-CP")
    assert doc is not None
    assert reg.status_on(doc, dt.date(2028, 1, 1)) is LegalStatus.PARTLY_EXPIRED  # still the repeal


def test_effective_until_expires_the_document_after_its_last_day() -> None:
    doc = legal("9/2019/QĐ-UBND", "2019-01-01", effective_until="2020-12-31")
    reg = LegalRegistry([doc])
    assert reg.status_on(doc, dt.date(2020, 12, 31)) is LegalStatus.IN_FORCE
    assert reg.status_on(doc, dt.date(2021, 1, 1)) is LegalStatus.EXPIRED


def test_replacement_follows_the_whole_chain_on_a_date() -> None:
    reg = chain()
    first = reg.get("1/2010/NĐ-CP")
    assert first is not None
    assert reg.replacement(first, dt.date(2014, 1, 1)).number == "1/2010/NĐ-CP"
    assert reg.replacement(first, dt.date(2016, 1, 1)).number == "2/2015/NĐ-CP"
    assert reg.replacement(first, dt.date(2021, 1, 1)).number == "3/2020/NĐ-CP"


def test_lookup_by_number_file_code_or_other_normal_form() -> None:
    reg = chain()
    assert reg.get("2-2015-ND-CP") is reg.get("2/2015/NĐ-CP")
    assert reg.get("2/2015/nđ-cp") is reg.get("2/2015/NĐ-CP")


def test_a_replacement_cycle_is_found_once() -> None:
    reg = LegalRegistry(
        [
            legal(
                "1/2010/NĐ-CP",
                "2010-01-01",
                relations=[{"type": "replaces", "target": "2/2011/NĐ-CP"}],
            ),
            legal(
                "2/2011/NĐ-CP",
                "2011-01-01",
                relations=[{"type": "replaces", "target": "1/2010/NĐ-CP"}],
            ),
        ]
    )
    cycles = reg.replacement_cycles()
    assert len(cycles) == 1 and {d.number for d in cycles[0]} == {"1/2010/NĐ-CP", "2/2011/NĐ-CP"}
    doc = reg.get("1/2010/NĐ-CP")
    assert doc is not None
    assert reg.replacement(doc, dt.date(2030, 1, 1)).number in {"1/2010/NĐ-CP", "2/2011/NĐ-CP"}
