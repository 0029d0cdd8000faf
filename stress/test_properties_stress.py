"""The properties of tests/test_properties.py with over 100,000 examples in all."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stress.conftest import record
from tests.test_properties import (
    SAMPLES,
    check_diff,
    check_export,
    check_loading_raises_only_our_errors,
    check_repository_validates,
    check_stamp_follows_content,
    check_stamp_ignores_form,
    document_shaped,
    dump,
    edited_documents,
    examples,
    has_module,
    markers,
    renderings,
    replace_at,
    texts,
    yaml_texts,
)

#: Examples per property; they add up to more than 100,000.
COUNTS = {
    "loading_bytes": 40_000,
    "loading_yaml_like_text": 28_000,
    "loading_document_shaped_yaml": 4_000,
    "repository_validates": 1_500,
    "stamp_ignores_form": 10_000,
    "stamp_follows_content": 15_000,
    "diff": 6_000,
    "export": 1_200,
}
RUN: Counter[str] = Counter()


def stress(name: str) -> Any:
    return examples(COUNTS[name], "qms-stress")


@pytest.fixture(scope="module", autouse=True)
def _report() -> Any:
    yield
    record("properties", examples_run=sum(RUN.values()), **{f"run_{k}": v for k, v in RUN.items()})


@stress("loading_bytes")
@given(st.binary(max_size=2000))
def test_loading_bytes(data: bytes) -> None:
    check_loading_raises_only_our_errors(data)
    RUN["loading_bytes"] += 1  # a valid example, checked


@stress("loading_yaml_like_text")
@given(yaml_texts)
def test_loading_yaml_like_text(text: str) -> None:
    check_loading_raises_only_our_errors(text)
    RUN["loading_yaml_like_text"] += 1  # a valid example, checked


@stress("loading_document_shaped_yaml")
@given(document_shaped)
def test_loading_document_shaped_yaml(value: dict[Any, Any]) -> None:
    check_loading_raises_only_our_errors(dump(value))
    RUN["loading_document_shaped_yaml"] += 1  # a valid example, checked


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.minirepo import write_minirepo

    return write_minirepo(tmp_path_factory.mktemp("props") / "mini")


@stress("repository_validates")
@given(
    st.sampled_from(["forms/BM-01-01.yaml", "qms.yaml", "procedures/QT-01.yaml"]),
    st.one_of(
        st.binary(max_size=600),
        yaml_texts.map(str.encode),
        document_shaped.map(lambda v: dump(v).encode()),
    ),
)
def test_repository_validates(scratch: Path, file: str, data: bytes) -> None:
    original = (scratch / file).read_bytes()
    try:
        check_repository_validates(scratch, file, data)
    finally:
        (scratch / file).write_bytes(original)
    RUN["repository_validates"] += 1  # a valid example, checked


@stress("stamp_ignores_form")
@given(st.data())
def test_stamp_ignores_form(data: st.DataObject) -> None:
    sample, value = data.draw(edited_documents())
    check_stamp_ignores_form(sample, value, data.draw(renderings(value)))
    RUN["stamp_ignores_form"] += 1  # a valid example, checked


@stress("stamp_follows_content")
@given(st.data())
def test_stamp_follows_content(data: st.DataObject) -> None:
    sample = data.draw(st.sampled_from([s for s in SAMPLES if s.content]))
    path = data.draw(st.sampled_from(sample.content))
    check_stamp_follows_content(sample, path, data.draw(texts), data.draw(texts))
    RUN["stamp_follows_content"] += 1  # a valid example, checked


@pytest.mark.skipif(not has_module("qmsdocs.diff"), reason="qmsdocs.diff is not written yet")
@stress("diff")
@given(st.data())
def test_diff(data: st.DataObject) -> None:
    sample, first = data.draw(edited_documents(content_only=True))
    second = first
    for path in data.draw(st.lists(st.sampled_from(sample.content), max_size=2, unique=True)):
        second = replace_at(second, path, data.draw(texts))
    check_diff(sample, first, second)
    RUN["diff"] += 1  # a valid example, checked


@pytest.mark.skipif(not has_module("qmsdocs.export"), reason="qmsdocs.export is not written yet")
@stress("export")
@given(st.data())
def test_export(data: st.DataObject) -> None:
    sample, value = data.draw(edited_documents())
    state = data.draw(st.sampled_from(["draft", "effective", "superseded", "withdrawn"]))
    check_export(sample, value, data.draw(markers), state)
    RUN["export"] += 1  # a valid example, checked


def test_the_counts_add_up_to_100000() -> None:
    assert sum(COUNTS.values()) >= 100_000
