"""Document facts: what lists and impact read, kept as JSON and read back unchanged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from qmsdocs import Repository
from qmsdocs.facts import DocumentFacts
from qmsdocs.store import yaml as yaml_store
from tests.store.test_cache import _age


def test_facts_survive_json(demo: Path) -> None:
    repo = Repository.open(demo)
    for document in repo:
        facts = DocumentFacts.of(document)
        row = json.loads(json.dumps(facts.to_row(), ensure_ascii=False))
        assert DocumentFacts.from_row(row) == facts
        assert facts.code == document.code and facts.revision == document.revision
    with pytest.raises((TypeError, ValueError)):
        DocumentFacts.from_row(["QT-01", "procedure"])


def test_warm_list_and_impact_parse_no_document(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _age(demo)
    day = dt.date(2026, 11, 21)
    first = Repository.open(demo)
    summaries, impact, due = first.summaries(on=day), first.impact(on=day), first.due(on=day)
    assert summaries and any(s.status == "effective" for s in summaries)

    def refuse(data: bytes | str, *, file: str) -> None:
        raise AssertionError(f"{file} parsed again")

    monkeypatch.setattr(yaml_store, "load", refuse)
    warm = Repository.open(demo)  # another process: only the disk cache is shared
    assert warm.summaries(on=day) == summaries
    assert [(i.code, i.reasons) for i in warm.impact(on=day)] == [
        (i.code, i.reasons) for i in impact
    ]
    assert warm.due(on=day) == due


def test_impact_of_one_legal_document_is_the_whole_report_filtered(demo: Path) -> None:
    from qmsdocs.legal import number_key

    repo = Repository.open(demo)
    seen = 0
    for day in (dt.date(2024, 1, 1), dt.date(2025, 7, 1), dt.date(2026, 11, 21)):
        everything = repo.impact(on=day)
        for legal in repo.legal:
            key = number_key(legal.number)
            expected = []
            for suspect in everything:
                reasons = tuple(
                    r
                    for r in suspect.reasons
                    if number_key(r.cited) == key or (r.by and number_key(r.by) == key)
                )
                if reasons:
                    expected.append((suspect.code, reasons))
            got = [(s.code, s.reasons) for s in repo.impact(on=day, legal=legal.number)]
            assert got == expected
            seen += len(got)
    assert seen > 0
