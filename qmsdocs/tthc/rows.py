"""Read the TTHC list of an announcement decision from CSV or JSON; pure.

The columns (a JSON list of objects uses the same keys)::

    ma_tthc,ten_tthc,linh_vuc,cap_thuc_hien,co_quan_thuc_hien,trang_thai,thay_the_cho
    1.001193.000.00.00.H99,Đăng ký khai sinh,Hộ tịch,Cấp xã,UBND cấp xã,sửa đổi,

``trang_thai`` is mới (new), sửa đổi (amended), thay thế (replaced: the row's TTHC replaces
``thay_the_cho``) or bãi bỏ (abolished), in Vietnamese or English, diacritics and case
folded; ``cap_thuc_hien`` is cấp tỉnh, cấp xã or cấp trung ương (province, commune,
central). Every bad row is reported with its line; nothing is returned unless all are good.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qmsdocs.findings import Finding
from qmsdocs.i18n import N_, S_, Said, fold
from qmsdocs.legal_import import _RowError, _text, import_finding, read_rows
from qmsdocs.model import TthcChange, TthcEntry, TthcLevel
from qmsdocs.model.legal import TTHC_CODE_PATTERN
from qmsdocs.tthc.catalogue import national_code

__all__ = ["TTHC_COLUMNS", "TthcBatch", "read_tthc_batch"]

#: The columns of a TTHC import.
TTHC_COLUMNS = (
    "ma_tthc",
    "ten_tthc",
    "linh_vuc",
    "cap_thuc_hien",
    "co_quan_thuc_hien",
    "trang_thai",
    "thay_the_cho",
)
_CHANGE_WORDS = {
    "mới": TthcChange.NEW,
    "mới ban hành": TthcChange.NEW,
    "ban hành mới": TthcChange.NEW,
    "sửa đổi": TthcChange.AMENDED,
    "sửa đổi, bổ sung": TthcChange.AMENDED,
    "bổ sung": TthcChange.AMENDED,
    "thay thế": TthcChange.REPLACED,
    "bãi bỏ": TthcChange.ABOLISHED,
    "bị bãi bỏ": TthcChange.ABOLISHED,
}
_CHANGE_OF_WORD = {fold(w): c for w, c in _CHANGE_WORDS.items()} | {
    fold(c.value): c for c in TthcChange
}
_LEVEL_WORDS = {
    "cấp tỉnh": TthcLevel.PROVINCE,
    "tỉnh": TthcLevel.PROVINCE,
    "cấp xã": TthcLevel.COMMUNE,
    "xã": TthcLevel.COMMUNE,
    "cấp trung ương": TthcLevel.CENTRAL,
    "trung ương": TthcLevel.CENTRAL,
}
_LEVEL_OF_WORD = {fold(w): v for w, v in _LEVEL_WORDS.items()} | {
    fold(v.value): v for v in TthcLevel
}
_CODE_RE = re.compile(TTHC_CODE_PATTERN)
_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class TthcBatch:
    """The TTHC rows of an import file, or the findings against it."""

    entries: tuple[TthcEntry, ...]
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """Return whether every row is good."""
        return not self.findings


def _code(row: dict[str, Any], key: str) -> str | None:
    code = _text(row, key).replace(" ", "")
    if not code:
        return None
    if not _CODE_RE.match(code):
        raise _RowError(
            key,
            S_(
                "{code} is not a TTHC code (1.001193.000.00.00.H99, or 1.001193)",
                code=repr(code),
            ),
        )
    return code


def _word(row: dict[str, Any], key: str, words: dict[str, Any], allowed: str) -> Any:
    text = _text(row, key)
    if not text:
        raise _RowError(key, S_("{field} is empty", field=key))
    found = words.get(fold(text))
    if found is None:
        raise _RowError(
            key, S_("{word} is not a known word ({allowed})", word=repr(text), allowed=allowed)
        )
    return found


def _entry(row: dict[str, Any]) -> TthcEntry:
    unknown = [k for k in row if k not in TTHC_COLUMNS]
    if unknown:
        raise _RowError(
            unknown[0],
            S_("unknown field; the fields are: {columns}", columns=", ".join(TTHC_COLUMNS)),
        )
    code = _code(row, "ma_tthc")
    if code is None:
        raise _RowError("ma_tthc", S_("{field} is empty", field="ma_tthc"))
    for required in ("ten_tthc", "linh_vuc", "co_quan_thuc_hien"):
        if not _text(row, required):
            raise _RowError(required, S_("{field} is empty", field=required))
    change = _word(row, "trang_thai", _CHANGE_OF_WORD, "mới, sửa đổi, thay thế, bãi bỏ")
    level = _word(row, "cap_thuc_hien", _LEVEL_OF_WORD, "cấp tỉnh, cấp xã, cấp trung ương")
    replaces = _code(row, "thay_the_cho")
    if change is TthcChange.REPLACED and replaces is None:
        raise _RowError(
            "thay_the_cho",
            Said(N_("a replacing TTHC (thay thế) names the code it replaces in thay_the_cho")),
        )
    if change is not TthcChange.REPLACED and replaces is not None:
        raise _RowError(
            "thay_the_cho", Said(N_("thay_the_cho is only for a replacing TTHC (thay thế)"))
        )
    return TthcEntry(
        code=code,
        name=_text(row, "ten_tthc"),
        field=_text(row, "linh_vuc"),
        level=level,
        agency=_text(row, "co_quan_thuc_hien"),
        change=change,
        replaces=replaces,
    )


def read_tthc_batch(data: bytes, *, file: str) -> TthcBatch:
    """Return the TTHC entries of an import file (CSV, or JSON by its content).

    Never raises for bad content: every problem is a finding naming the file, line and field.
    """
    rows, findings = read_rows(data, file=file, columns=TTHC_COLUMNS, key="ma_tthc")
    if findings:
        return TthcBatch((), tuple(findings))

    def bad(line: int | None, field: str | None, said: Said) -> None:
        findings.append(import_finding(file, line, field, said))

    entries: dict[str, TthcEntry] = {}
    first_line: dict[str, int] = {}
    for line, row in rows:
        if "__error__" in row:
            bad(line, None, row["__error__"])
            continue
        try:
            entry = _entry(row)
        except _RowError as error:
            bad(line, error.field, error.said)
            continue
        key = national_code(entry.code)
        if key in entries:
            bad(
                line,
                "ma_tthc",
                S_(
                    "{code} is listed twice (first on line {line})",
                    code=entry.code,
                    line=first_line[key],
                ),
            )
            continue
        entries[key] = entry
        first_line[key] = line
    if findings:
        return TthcBatch((), tuple(findings))
    return TthcBatch(tuple(entries.values()), ())
