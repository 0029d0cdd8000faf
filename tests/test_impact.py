"""Legal change, pure: citations in text, replacement chains, partial repeals, upcoming changes."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from qmsdocs import LegalDocument, LegalRegistry, Procedure, Repository
from qmsdocs.impact import Baseline, ImpactedDocument, document_citations, find_numbers, impact

SAMPLE = Path(__file__).parent.parent / "sample_repo"
D = dt.date


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Thực hiện theo Nghị định số 63/2010/NĐ-CP.", ["63/2010/NĐ-CP"]),
        ("Quyết định 19/2014/QĐ-TTg của Thủ tướng", ["19/2014/QĐ-TTg"]),
        ("Thông tư liên tịch số 55/2005/TTLT-BNV-VPCP", ["55/2005/TTLT-BNV-VPCP"]),
        ("Luật Hộ tịch số 60/2014/QH13;", ["60/2014/QH13"]),
        ("theo Quyết định số 101/QĐ-BKHCN và 05/QĐ-UBND", ["101/QĐ-BKHCN", "05/QĐ-UBND"]),
        # "Ð" (U+00D0) typed for "Đ" is still the same decree
        ("Nghị định 61/2018/NÐ-CP", ["61/2018/NĐ-CP"]),
        ("ngày 01/7/2025, tỷ lệ 18/22 hồ sơ, mã 1.000494.000.00.00.H29", []),
    ],
)
def test_numbers_in_text_are_found(text: str, numbers: list[str]) -> None:
    assert find_numbers(text) == numbers
    assert find_numbers(unicodedata.normalize("NFD", text)) == numbers


def _legal(
    number: str, issued: D, effective: D | None = None, **relations: object
) -> LegalDocument:
    return LegalDocument.model_validate(
        {
            "number": number,
            "type": "decree",
            "issuer": "Chính phủ",
            "title": f"Nghị định {number}",
            "issued": issued,
            "effective_from": effective,
            "relations": relations.get("relations", []),
        }
    )


def _procedure(code: str, refs: list[dict[str, str]], purpose: str = "Mục đích") -> Procedure:
    return Procedure.model_validate(
        {
            "code": code,
            "title": f"Quy trình {code}",
            "unit": "van-phong",
            "category": "system",
            "revision": 1,
            "status": "approved",
            "issued_date": D(2020, 1, 10),
            "effective_date": D(2020, 1, 15),
            "legal_basis": refs,
            "purpose": purpose,
            "scope": "Phạm vi",
            "steps": [{"no": 1, "action": "Tiếp nhận hồ sơ", "responsible": "Văn phòng"}],
        }
    )


BASE = Baseline(revision=1, approved=D(2020, 1, 10), effective=D(2020, 1, 15))

CHAIN = LegalRegistry(
    [
        _legal("1/2010/NĐ-CP", D(2010, 1, 1)),
        _legal(
            "2/2015/NĐ-CP",
            D(2015, 1, 1),
            relations=[{"type": "replaces", "target": "1/2010/NĐ-CP"}],
        ),
        _legal(
            "3/2021/NĐ-CP",
            D(2021, 1, 1),
            relations=[{"type": "replaces", "target": "2/2015/NĐ-CP"}],
        ),
        _legal(
            "4/2025/NĐ-CP",
            D(2025, 5, 1),
            D(2025, 7, 1),
            relations=[{"type": "replaces", "target": "3/2021/NĐ-CP"}],
        ),
        _legal("7/2019/NĐ-CP", D(2019, 1, 1)),
        _legal(
            "8/2024/NĐ-CP",
            D(2024, 5, 20),
            D(2024, 6, 1),
            relations=[
                {"type": "repeals", "target": "7/2019/NĐ-CP", "articles": ["Điều 5", "Điều 7"]}
            ],
        ),
        _legal(
            "9/2026/NĐ-CP",
            D(2026, 10, 1),
            D(2027, 1, 1),
            relations=[{"type": "amends", "target": "7/2019/NĐ-CP"}],
        ),
    ]
)


def _impact(documents: list[Procedure], on: D, base: Baseline = BASE) -> list[ImpactedDocument]:
    rows = [(d, base, document_citations(d), None) for d in documents]
    return impact(rows, CHAIN, on=on)


def test_a_chain_of_three_replacements_points_to_the_document_in_force() -> None:
    procedure = _procedure("QT-01", [{"ref": "1/2010/NĐ-CP"}])
    before, after = _impact([procedure], D(2025, 6, 1)), _impact([procedure], D(2025, 7, 2))
    reason = before[0].reasons[0]
    assert (reason.change, reason.by, reason.in_force) == (
        "replaced",
        "2/2015/NĐ-CP",
        "3/2021/NĐ-CP",
    )
    assert reason.via == ("2/2015/NĐ-CP",)
    # Once the fourth text takes effect, the same citation points to it through the chain.
    assert after[0].reasons[0].in_force == "4/2025/NĐ-CP"
    assert after[0].reasons[0].via == ("2/2015/NĐ-CP", "3/2021/NĐ-CP")


def test_a_repeal_of_named_articles_affects_only_citations_of_them_or_of_the_whole() -> None:
    documents = [
        _procedure("QT-05", [{"ref": "7/2019/NĐ-CP", "article": "Điều 5"}]),
        _procedure("QT-06", [{"ref": "7/2019/NĐ-CP", "article": "Điều 6"}]),
        _procedure("QT-07", [{"ref": "7/2019/NĐ-CP"}]),
        _procedure("QT-08", [{"ref": "7/2019/NĐ-CP", "article": "điều 7."}]),
    ]
    found = {d.code: d.reasons[0] for d in _impact(documents, D(2024, 7, 1))}
    assert sorted(found) == ["QT-05", "QT-07", "QT-08"]
    assert found["QT-05"].change == "repealed"
    assert found["QT-05"].articles == ("Điều 5", "Điều 7")


def test_an_amendment_not_yet_in_force_is_upcoming_and_unknown_before_its_issue() -> None:
    procedure = _procedure("QT-07", [{"ref": "7/2019/NĐ-CP", "article": "Điều 2"}])
    assert _impact([procedure], D(2026, 9, 30)) == []  # not issued yet
    (suspect,) = _impact([procedure], D(2026, 11, 21))
    (reason,) = suspect.reasons
    assert (reason.change, reason.by, reason.upcoming) == ("amended", "9/2026/NĐ-CP", True)
    (later,) = _impact([procedure], D(2027, 1, 2))
    assert later.reasons[0].upcoming is False


def test_a_revision_prepared_for_an_upcoming_amendment_takes_it_into_account() -> None:
    procedure = _procedure("QT-07", [{"ref": "7/2019/NĐ-CP", "article": "Điều 2"}])
    prepared = Baseline(revision=2, approved=D(2026, 11, 1), effective=D(2027, 1, 1))
    early = Baseline(revision=2, approved=D(2026, 11, 1), effective=D(2026, 11, 5))
    assert _impact([procedure], D(2026, 11, 21), prepared) == []
    assert _impact([procedure], D(2026, 11, 21), early) != []


def test_a_citation_of_a_replaced_text_stays_suspect_whenever_approved() -> None:
    procedure = _procedure("QT-01", [{"ref": "2/2015/NĐ-CP"}])
    late = Baseline(revision=3, approved=D(2024, 1, 1), effective=D(2024, 1, 1))
    assert [d.code for d in _impact([procedure], D(2024, 2, 1), late)] == ["QT-01"]
    reviewed = Baseline(
        revision=3, approved=D(2024, 1, 1), effective=D(2024, 1, 1), confirmed=(D(2024, 1, 20),)
    )
    assert _impact([procedure], D(2024, 2, 1), reviewed) == []


def test_a_citation_only_in_the_text_is_followed() -> None:
    procedure = _procedure("QT-02", [], purpose="Thực hiện theo Nghị định số 1/2010/NĐ-CP.")
    (suspect,) = _impact([procedure], D(2016, 1, 1))
    assert suspect.reasons[0].field == "purpose"
    assert suspect.reasons[0].change == "replaced"


def test_the_real_chain_144_2006_118_2009_19_2014() -> None:
    repo = Repository.open(SAMPLE)
    old = repo.legal_document("144/2006/QĐ-TTg")
    amending = repo.legal_document("118/2009/QĐ-TTg")
    assert repo.legal.status_on(old, D(2009, 12, 1)).value == "in_force"
    assert repo.legal.replacement(old, D(2014, 1, 1)).number == "144/2006/QĐ-TTg"
    assert repo.legal.replacement(old, D(2014, 6, 1)).number == "19/2014/QĐ-TTg"
    assert repo.legal.replacement(amending, D(2014, 6, 1)).number == "19/2014/QĐ-TTg"
    assert repo.legal.status_on(old, D(2014, 6, 1)).value == "expired"
    procedure = _procedure("QT-01", [{"ref": "144/2006/QĐ-TTg"}])
    rows = [
        (procedure, Baseline(1, D(2008, 1, 1), D(2008, 1, 1)), document_citations(procedure), None)
    ]
    (suspect,) = impact(rows, repo.legal, on=D(2015, 1, 1))
    assert [(r.change, r.by, r.in_force) for r in suspect.reasons] == [
        ("amended", "118/2009/QĐ-TTg", None),
        ("replaced", "19/2014/QĐ-TTg", "19/2014/QĐ-TTg"),
    ]


def test_a_report_survives_json_with_shared_reasons(demo: Path) -> None:
    import json

    from qmsdocs.impact import report_from_rows, report_rows

    report = Repository.open(demo).impact(on=D(2024, 6, 10))
    assert report
    rows = report_rows(report)
    back = report_from_rows(json.loads(json.dumps(rows, ensure_ascii=False)))
    assert back == report
    assert [s.to_dict() for s in back] == [s.to_dict() for s in report]
    # each distinct reason is written once
    reasons = {r for s in report for r in s.reasons}
    assert len(rows["reasons"]) == len(reasons)
    with pytest.raises((TypeError, ValueError, LookupError)):
        report_from_rows({"documents": [["QT-01", "x", "procedure", 1, None, None, None, [9]]]})
