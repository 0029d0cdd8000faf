"""Reading YAML: plain data only, NFC text, and errors that name the line."""

from __future__ import annotations

import datetime as dt

import pytest

from qmsdocs.errors import InvalidDocument
from qmsdocs.store.yaml import MAX_NODES, load, locate


def error_of(data: bytes | str) -> InvalidDocument:
    with pytest.raises(InvalidDocument) as info:
        load(data, file="procedures/QT-01.yaml")
    assert info.value.file == "procedures/QT-01.yaml"
    assert "\n" not in str(info.value)
    return info.value


def test_plain_values_dates_and_aware_datetimes() -> None:
    value = load("a: 2025-07-01\nb: 2025-08-04T09:30:00+07:00\nc: [1, x]\n", file="f")
    assert value["a"] == dt.date(2025, 7, 1)
    assert value["b"].utcoffset() == dt.timedelta(hours=7)
    assert value["c"] == [1, "x"]


def test_text_is_nfc_normalized_keys_and_values() -> None:
    value = load("tie\u0302u_\u0111e\u0302\u0300: Quye\u0302\u0301t đi\u0323nh\n", file="f")
    assert value == {"tiêu_đề": "Quyết định"}


def test_a_bom_and_crlf_line_ends_are_read() -> None:
    assert load(b"\xef\xbb\xbftitle: a\r\ncode: b\r\n", file="f") == {"title": "a", "code": "b"}


def test_a_tab_is_named_with_its_line() -> None:
    error = error_of("steps:\n\t- no: 1\n")
    assert error.line == 2 and "tab" in error.message


def test_a_duplicate_key_names_both_lines() -> None:
    error = error_of("code: QT-01\ntitle: a\ncode: QT-02\n")
    assert error.line == 3 and "duplicate key" in error.message and "line 1" in error.message


def test_an_unclosed_quote_is_a_syntax_error() -> None:
    error = error_of('title: "Quy trình\ncode: QT-01\n')
    assert error.message.startswith("YAML syntax")


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hacked']\n",
        "a: !!python/name:os.system\n",
        "a: !custom 1\n",
    ],
)
def test_tags_beyond_plain_data_are_refused(text: str) -> None:
    error = error_of(text)
    assert "tag" in error.message and error.line == 1


def test_an_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    error = error_of("\n".join(lines) + "\n")
    assert str(MAX_NODES) in error.message


def test_31_february_is_named_with_its_line() -> None:
    error = error_of("code: QT-01\neffective_date: 2025-02-31\n")
    assert error.line == 2 and "2025-02-31" in error.message


def test_a_file_that_is_not_utf8_is_named() -> None:
    assert "UTF-8" in error_of("title: Quy tr\xecnh\n".encode("latin-1")).message


def test_a_binary_file_is_refused() -> None:
    assert "NUL" in error_of(b"code: QT\x00\x01\x02").message


def test_a_merge_conflict_is_named() -> None:
    error = error_of("code: QT-01\n<<<<<<< HEAD\ntitle: a\n=======\ntitle: b\n>>>>>>> x\n")
    assert error.line == 2 and "merge conflict" in error.message


def test_a_huge_file_is_refused_before_parsing() -> None:
    assert "limit" in error_of(b"a: " + b"x" * (6 * 1024 * 1024)).message


def test_locate_points_at_nested_fields_and_falls_back_to_the_parent() -> None:
    text = "code: QT-01\nsteps:\n  - no: 1\n    action: a\n  - no: 2\n    responsible: b\n"
    assert locate(text, ("steps", 1, "responsible")) == (6, 5)
    assert locate(text, ("steps", 1, "action")) == (5, 5)  # missing: the item itself
    assert locate(text, ("code",)) == (1, 1)
