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
