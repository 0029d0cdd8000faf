"""The fast read path gives exactly what the full safe loader gives, or leaves the file to it.

``load`` builds plain documents straight from the C parser's events. Every test here reads
the same text both ways and asks for the same value: the same types (date, datetime or str;
int or bool), the same key order, the same offsets and zone names, NFC text. Anything the
fast walk does not handle must reach the full loader, so that errors stay word for word.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from qmsdocs.errors import QmsError
from qmsdocs.store import yaml as yaml_store

SAMPLE = Path(__file__).resolve().parents[2] / "sample_repo"
FILE = "procedures/QT-01.yaml"

PROPERTY = settings(
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def same(a: Any, b: Any) -> bool:
    """Return whether *a* and *b* are equal in value, type, key order and time zone."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return (
            len(a) == len(b)
            and all(same(x, y) for x, y in zip(a, b, strict=True))
            and all(same(a[k], b[k]) for k in a)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dt.datetime):
        return a == b and a.utcoffset() == b.utcoffset() and a.tzname() == b.tzname()
    return bool(a == b)


def full(text: str) -> Any:
    """Return what the full safe loader (the path as it was before) makes of *text*."""
    return yaml_store._full_load(text, file=FILE)


def fast(text: str) -> Any:
    """Return what the fast walk makes of *text*, failing the test if it declines."""
    value = yaml_store._fast_load(text)
    assert value is not yaml_store._UNUSUAL, f"the fast path declined {text!r}"
    return value


def outcome(read: Any, data: bytes | str) -> tuple[Any, ...]:
    """Return ("value", value) or ("error", class, message, file, line, column)."""
    try:
        return ("value", read(data))
    except QmsError as error:
        return ("error", type(error), error.message, error.file, error.line, error.column)


def assert_load_is_full(data: bytes | str) -> None:
    """Assert that ``load`` gives the full loader's value, or its error word for word."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    got = outcome(lambda d: yaml_store.load(d, file=FILE), data)
    want = outcome(full, text)
    assert got[0] == want[0], (got, want)
    if got[0] == "value":
        assert same(got[1], want[1]), (got, want)
    else:
        assert got == want


def assert_fast_is_full(text: str) -> None:
    """Assert that the fast path takes *text* and gives the full loader's value."""
    assert same(fast(text), full(text)), (fast(text), full(text))
    assert same(yaml_store.load(text, file=FILE), full(text))


# --- real files ------------------------------------------------------------------------------

SAMPLE_FILES = sorted(p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*.yaml"))


def test_the_sample_repository_has_files_of_every_kind() -> None:
    folders = {name.split("/")[0] for name in SAMPLE_FILES}
    assert {"qms.yaml", "legal", "procedures", "policies", "objectives", "forms"} <= folders


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_every_sample_file_takes_the_fast_path_with_the_same_value(name: str) -> None:
    data = (SAMPLE / name).read_bytes()
    text = data.decode("utf-8-sig")
    assert same(fast(text), full(text))
    assert same(yaml_store.load(data, file=name), full(text))


# --- scalars ---------------------------------------------------------------------------------

PLAIN_SCALARS = [
    # ints: signs, octal, hex, binary, underscores, leading zeros
    "0",
    "7",
    "-7",
    "+7",
    "007",
    "-0",
    "0o17",
    "-0o17",
    "0x1F",
    "0xff",
    "-0x_1f",
    "0b101",
    "1_000",
    "-1_0",
    "12345678901234567890123",
    "0o",
    "0x",
    "0b",
    "1__0",
    # floats
    "1.5",
    "-1.5",
    "+1.5",
    "1.",
    ".5",
    "-.5",
    "1e3",
    "1E3",
    "1e+20",
    "1e-07",
    "1.5e-3",
    "1_0.5",
    ".inf",
    ".Inf",
    ".INF",
    "-.inf",
    "+.inf",
    ".nan",
    ".NaN",
    ".NAN",
    "-0.0",
    "1.2.3",
    # YAML 1.1 forms that are text in 1.2
    "1:30",
    "190:20:30",
    "1,000",
    "0x1G",
    "yes",
    "Yes",
    "YES",
    "no",
    "No",
    "on",
    "Off",
    "y",
    "n",
    # booleans and their near misses
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "tRUE",
    "truee",
    # nulls and their near misses
    "null",
    "Null",
    "NULL",
    "~",
    "nULL",
    "nil",
    "None",
    # dates and datetimes
    "2025-07-01",
    "2025-7-1",
    "2025-07-01T09:30:00",
    "2025-07-01T09:30:00Z",
    "2025-07-01t09:30:00z",
    "2025-07-01 09:30:00+07:00",
    "2025-07-01 09:30:00 +07:00",
    "2025-07-01 9:30:00+7",
    "2025-07-01T09:30:00.5-05:30",
    "2025-07-01T09:30:00.123456Z",
    "2025-07-01T09:30:00.1234567+07:00",
    "2025-07-01T09:30:00.9999996Z",
    "2025-07-01T09:30:00.",
    "2025-7-1 09:30:00",
    "2025-07-01   09:30:00",
    "2025-07-01T09:30",
    "25-07-01",
    "2025-07-01x",
    # text, Vietnamese included
    "Quyết định",
    "N",
    "nội dung",
    "T",
    "-x",
    ".",
    "..",
    "+",
    "0.1.2",
    "a:b",
    "x#y",
]


@pytest.mark.parametrize("scalar", PLAIN_SCALARS)
def test_every_plain_scalar_form_resolves_as_the_full_loader_does(scalar: str) -> None:
    assert_fast_is_full(f"v: {scalar}\n")
    assert_fast_is_full(f"- {scalar}\n- {scalar}\n")
    in_flow = f"[{scalar}, {{k: {scalar}}}]\n"  # "1:30" or "a:b" are no YAML in flow context
    if outcome(full, in_flow)[0] == "value":
        assert_fast_is_full(in_flow)
    else:
        assert_load_is_full(in_flow)


@pytest.mark.parametrize("scalar", PLAIN_SCALARS)
def test_a_plain_scalar_as_a_key_resolves_as_the_full_loader_does(scalar: str) -> None:
    assert_fast_is_full(f"{scalar}: v\nother: w\n")


@pytest.mark.parametrize(
    "text",
    ["v: '1'\n", 'v: "true"\n', "v: '2025-07-01'\n", 'v: "null"\n', "v: ''\n", 'v: "~"\n',
     "v: '.inf'\n", 'v: "0x1F"\n', "'1': a\n", '"2025-07-01": a\n', "v: 'it''s'\n",
     'v: "t\\u00e1b\\tc\\n"\n', "v: '<<'\n", "v: '='\n"],
)  # fmt: skip
def test_quoted_scalars_stay_text(text: str) -> None:
    assert_fast_is_full(text)
    assert all(isinstance(v, str) for v in fast(text).values())


@pytest.mark.parametrize("indicator", ["|", "|-", "|+", ">", ">-", ">+", "|2", ">1-"])
def test_block_scalars_with_every_chomping_stay_text(indicator: str) -> None:
    text = f"a: {indicator}\n   Bước 1: tiếp nhận\n   2025-07-01\n\n   true\n\n\nb: 1\n"
    assert_fast_is_full(text)
    assert isinstance(fast(text)["a"], str)
    assert_fast_is_full(f"a: {indicator}\n  123\n")


def test_an_empty_value_a_tilde_and_null_are_all_none() -> None:
    assert fast("a:\nb: ~\nc: null\nd: Null\n") == dict.fromkeys("abcd")
    assert_fast_is_full("a:\nb: ~\nc:\n- \n-\n")
    assert_fast_is_full("? a\n? b\n")


def test_a_timestamp_keeps_its_zone_name_and_rounding() -> None:
    value = fast("a: 2025-07-01 09:30:00+07:00\nb: 2025-07-01T09:30:00.9999996Z\n")
    assert value["a"].tzname() == "+07:00"
    assert value["b"] == dt.datetime(2025, 7, 1, 9, 30, 1, tzinfo=dt.UTC)
    assert_fast_is_full("a: 2025-07-01 09:30:00+07:00\nb: 2025-07-01T09:30:00.9999996Z\n")


def test_an_int_and_a_bool_stay_apart() -> None:
    value = fast("a: 1\nb: true\nc: 0\nd: false\n")
    assert [type(v) for v in value.values()] == [int, bool, int, bool]


# --- structure and text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{a: 1, b: [x, 2, {c: ~}], d: [], e: {}}\n",
        "[]\n",
        "{}\n",
        "{a, b, c: 1}\n",
        "[a: 1, b]\n",
        "[[[[]]], [[1]], {x: [{y: z}]}]\n",
        "a:\n  - b: 1\n    c:\n      - [1, 2]\n      - {d: e}\n  -\n    - f\n",
        "steps:\n- no: 1\n  action: Tiếp nhận hồ sơ\n- no: 2\n  action: Thẩm định\n",
        "just text\n",
        "42\n",
        "2025-07-01\n",
        "- a\n- a\n- a\n",
        "{1: a, 1.5: b, false: c, ~: d, 2025-07-01: e}\n",
        "2025-07-01: a\n2025-07-01 09:00:00+07:00: b\n0x10: c\n.inf: d\n",
    ],
)
def test_collections_block_and_flow(text: str) -> None:
    assert_fast_is_full(text)


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# chỉ có chú thích\n", "---\n", "---\n...\n", "--- # c\n"]
)
def test_an_empty_document_is_none(text: str) -> None:
    assert fast(text) is None
    assert_fast_is_full(text)


def test_comments_are_ignored_everywhere() -> None:
    text = (
        "# Quy trình kiểm soát tài liệu\n"
        "code: QT-01  # mã hiệu\n"
        "steps: # bước\n"
        "  # first\n"
        "  - 1 # one\n"
        "  - [2, 3] # two\n"
        "...\n"
        "# after the end\n"
    )
    assert fast(text) == {"code": "QT-01", "steps": [1, [2, 3]]}
    assert_fast_is_full(text)


def test_a_bom_and_crlf_line_ends_read_the_same() -> None:
    data = "\ufefftitle: Kiểm soát\r\nsteps:\r\n  - 1\r\n  - |\r\n    a\r\n    b\r\n".encode()
    assert yaml_store.load(data, file=FILE) == {"title": "Kiểm soát", "steps": [1, "a\nb\n"]}
    assert_load_is_full(data)
    assert_fast_is_full(data.decode("utf-8-sig"))


def test_nfd_keys_and_values_come_out_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "tiêu_đề: Quyết định\nlist: [Bước một, 'Bước hai']\n")
    value = fast(nfd)
    assert value == {"tiêu_đề": "Quyết định", "list": ["Bước một", "Bước hai"]}
    assert all(unicodedata.is_normalized("NFC", s) for s in [*value, value["tiêu_đề"]])
    assert_fast_is_full(nfd)


# --- what the fast path leaves to the full loader ---------------------------------------------

LEFT_TO_FULL = {
    "explicit str tag": "v: !!str 5\n",
    "explicit int tag": "v: !!int '5'\n",
    "binary": "v: !!binary aGVsbG8=\n",
    "set": "v: !!set {a, b}\n",
    "omap": "v: !!omap [a: 1]\n",
    "python tag": "v: !!python/name:os.system\n",
    "local tag": "v: !mine x\n",
    "non-specific tag": "v: ! 5\n",
    "tag on a mapping": "v: !!map {a: 1}\n",
    "anchor and alias": "a: &x 1\nb: *x\n",
    "anchor only": "a: &x [1, 2]\n",
    "alias bomb": "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "duplicate key 1 and true": "1: a\ntrue: b\n",
    "duplicate key 1 and 1.0": "1: a\n1.0: b\n",
    "duplicate .nan": ".nan: a\n.nan: b\n",
    "keys equal after NFC": unicodedata.normalize("NFD", "đề: a\n") + "đề: b\n",
    "sequence as key": "? [a, b]\n: 1\n",
    "flow mapping as key": "{[a]: 1}\n",
    "mapping as key": "? {a: 1}\n: 2\n",
    "invalid date": "effective: 2025-02-31\n",
    "invalid datetime": "signed: 2025-07-01 25:00:00\n",
    "several documents": "a: 1\n---\nb: 2\n",
    "two empty documents": "---\n---\n",
    "merge key": "base: {a: 1}\nx:\n  <<: {a: 2, b: 3}\n  c: 4\n",
    "merge key with anchors": "base: &b {a: 1}\nx:\n  <<: *b\n",
    "merge as a value": "v: <<\n",
    "value key": "=: a\n",
    "value as a value": "v: =\n",
    "yaml directive": "%YAML 1.2\n---\na: 1\n",
    "yaml 1.1 directive": "%YAML 1.1\n---\na: yes\nb: 017\n",
    "tag directive": "%TAG !e! tag:example.com,2000:\n---\na: 1\n",
    "syntax error": "a: [1, 2\n",
    "a document end alone": "...\n",
    "tab indent": "steps:\n\t- no: 1\n",
    "bad indent": "a:\n  b: 1\n c: 2\n",
    "an int regex match that is no int": "v: +_\n",
    "int with 5000 digits": "v: " + "9" * 5000 + "\n",
    "invisible character": "a: b\u0007c\n",
    "deep nesting": "v: " + "[" * 70 + "]" * 70 + "\n",
    "deep nesting of text": "v: " + "[" * 64 + "x" + "]" * 64 + "\n",
    "deep nesting of a number": "v: " + "[" * 64 + "1" + "]" * 64 + "\n",
}


@pytest.mark.parametrize("text", LEFT_TO_FULL.values(), ids=LEFT_TO_FULL.keys())
def test_anything_unusual_is_left_to_the_full_loader(text: str) -> None:
    assert yaml_store._fast_load(text) is yaml_store._UNUSUAL
    assert_load_is_full(text)


def test_the_full_loader_still_names_the_line_of_an_error() -> None:
    with pytest.raises(yaml_store.YamlError) as info:
        yaml_store.load("a: 1\nb: 2\na: 3\n", file=FILE)
    assert info.value.line == 3 and "duplicate key" in info.value.message
    with pytest.raises(yaml_store.YamlError) as info:
        yaml_store.load("title: x\neffective: 2025-02-31\n", file=FILE)
    assert info.value.line == 2 and "2025-02-31" in info.value.message


def test_the_value_budget_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_store, "MAX_NODES", 7)
    assert fast("a: [1, 2]\nb: c\n") == {"a": [1, 2], "b": "c"}  # 7 values: the limit
    at_limit = "a: [1, 2]\nb: {c: d}\n"  # 9 values
    assert yaml_store._fast_load(at_limit) is yaml_store._UNUSUAL
    assert_load_is_full(at_limit)
    assert "more than 7 values" in outcome(full, at_limit)[2]


def test_the_depth_limit_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_store, "MAX_DEPTH", 3)
    assert fast("a: [[x]]\n") == {"a": [["x"]]}
    for text in ["a: [[[[x]]]]\n", "a: [[[[1]]]]\n", "a: [[[x]]]\n", "a: [[[1]]]\n"]:
        assert_load_is_full(text)
    assert "nested deeper than 3 levels" in outcome(full, "a: [[[[1]]]]\n")[2]


# --- properties ------------------------------------------------------------------------------

TEXT = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=("Cs", "Cc", "Co", "Cn"),
        include_characters="\n\t",
    )
    # Vietnamese letters, the combining marks of their NFD forms, YAML indicators
    | st.sampled_from("ăâđêôơưáàảãạếềểễệốồổỗộớờởỡợúùủũụứừửữựíìỉĩịýỳỷỹỵ")
    | st.sampled_from("\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323")
    | st.sampled_from(":#-'\"!&*{}[],|>%@` "),
    max_size=30,
)
OFFSETS = st.integers(-12 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | TEXT
    | st.dates()
    | st.datetimes(timezones=st.none() | OFFSETS)
    | st.sampled_from(["1", "true", "yes", "null", "~", "2025-07-01", "1e3", ".inf", "0x1F"])
)
KEYS = st.one_of(TEXT, st.integers(), st.booleans(), st.none(), st.dates())
PLAIN_DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=30,
)


def keys_collide_in_nfc(value: Any) -> bool:
    """Return whether two keys of a mapping in *value* differ only in Unicode normalization."""
    if isinstance(value, list):
        return any(keys_collide_in_nfc(v) for v in value)
    if isinstance(value, dict):
        keys = [unicodedata.normalize("NFC", k) if isinstance(k, str) else k for k in value]
        return len(set(keys)) < len(keys) or any(keys_collide_in_nfc(v) for v in value.values())
    return False


@PROPERTY
@given(PLAIN_DATA, st.sampled_from([None, True, False]))
def test_plain_data_dumped_by_ruamel_reads_the_same_both_ways(
    value: Any, flow_style: bool | None
) -> None:
    dumper = YAML(typ="safe", pure=True)
    dumper.allow_unicode = True
    dumper.default_flow_style = flow_style
    stream = io.StringIO()
    dumper.dump(value, stream)
    text = stream.getvalue()
    slow = outcome(full, text)
    fast_value = yaml_store._fast_load(text)
    if fast_value is yaml_store._UNUSUAL:
        # the dumper writes datetimes in flow lists that the C parser refuses (both agree)
        assert slow[0] == "error" or keys_collide_in_nfc(value), (text, slow)
    else:
        assert slow[0] == "value" and same(fast_value, slow[1]), (text, fast_value, slow)
    assert_load_is_full(text)


@PROPERTY
@given(
    st.text(
        st.sampled_from("0123456789+-._:eExXoObBtTrRuUfFaAlLsSnNyY~ZzT \t#'\"[]{},"), max_size=14
    )
)
def test_any_scalar_text_reads_the_same_both_ways(scalar: str) -> None:
    for text in [f"v: {scalar}\n", f"- {scalar}\n", f"{scalar}: v\n", f"[{scalar}]\n", scalar]:
        fast_value, slow = yaml_store._fast_load(text), outcome(full, text)
        if fast_value is yaml_store._UNUSUAL:  # no tags, anchors or NFC here: only errors
            assert slow[0] == "error", (text, slow)
        else:
            assert slow[0] == "value" and same(fast_value, slow[1]), (text, fast_value, slow)
        assert_load_is_full(text)
