"""Read a batch of legal documents and relations from CSV or JSON; pure.

One row (a CSV line, or one object of a JSON list) may register a legal document, declare a
relation, or both::

    number,type,issuer,title,issued,effective_from,effective_until,relation,target,articles,relation_effective,note
    118/2025/NĐ-CP,,Chính phủ,Về thực hiện thủ tục hành chính …,09/06/2025,01/07/2025,,replaces,61/2018/NĐ-CP,,,
    118/2025/NĐ-CP,,,,,,,replaces,107/2021/NĐ-CP,,,

``type`` may be left out when the number names it (NĐ: decree); dates are ISO (2025-06-09)
or dd/mm/yyyy; ``relation`` is amends, replaces, repeals, corrects or guides (or sửa đổi,
thay thế, bãi bỏ, đính chính, hướng dẫn); ``articles`` are separated by ";". Every bad row
is reported with its line, and nothing is returned unless every row is good.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from qmsdocs.findings import Finding
from qmsdocs.i18n import N_, S_, Said, fold
from qmsdocs.legal import number_key
from qmsdocs.model import LegalDocument, LegalType, Relation, RelationType
from qmsdocs.model.codes import nfc
from qmsdocs.model.problems import schema_problem, shown

__all__ = ["COLUMNS", "LegalBatch", "decode_text", "read_legal_batch"]

#: The columns of a CSV import (a JSON import uses the same keys).
COLUMNS = (
    "number",
    "type",
    "issuer",
    "title",
    "issued",
    "effective_from",
    "effective_until",
    "relation",
    "target",
    "articles",
    "relation_effective",
    "note",
    "url",
)
#: Relation words as officers write them, compared with diacritics and case folded.
_RELATION_WORDS = {
    "sửa đổi": RelationType.AMENDS,
    "sửa đổi, bổ sung": RelationType.AMENDS,
    "bổ sung": RelationType.AMENDS,
    "thay thế": RelationType.REPLACES,
    "bãi bỏ": RelationType.REPEALS,
    "đính chính": RelationType.CORRECTS,
    "hướng dẫn": RelationType.GUIDES,
}
_RELATION_OF_WORD = {fold(w): t for w, t in _RELATION_WORDS.items()} | {
    fold(t.value): t for t in RelationType
}
#: Types by their name in Vietnamese or English, diacritics and case folded.
_TYPE_OF_WORD = {fold(t.label(lang)): t for t in LegalType for lang in ("vi", "en")}
_DOCUMENT_FIELDS = ("type", "issuer", "title", "issued", "effective_from", "effective_until")
_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class LegalBatch:
    """What an import file holds: new documents and relations, or the findings against it."""

    documents: tuple[LegalDocument, ...]
    relations: tuple[tuple[str, Relation], ...]
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """Return whether every row is good."""
        return not self.findings


class _RowError(ValueError):
    def __init__(self, field: str | None, said: Said) -> None:
        super().__init__(said.english)
        self.field = field
        self.said = said


def _date(value: str, field: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        if "/" in value:
            day, month, year = (int(p) for p in value.split("/"))
            return dt.date(year, month, day)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _RowError(
            field, S_("{value} is not a date (2025-06-09 or 09/06/2025)", value=repr(value))
        ) from None


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return nfc(str(value)).strip()


def _relation(row: dict[str, Any]) -> Relation | None:
    word = _text(row, "relation")
    target = _text(row, "target")
    if not word and not target:
        return None
    if not word or not target:
        missing = "relation" if not word else "target"
        raise _RowError(
            missing,
            S_("{field} is empty (a relation needs both relation and target)", field=missing),
        )
    try:
        kind = _RELATION_OF_WORD.get(fold(word)) or RelationType(word.casefold())
    except ValueError:
        allowed = ", ".join(t.value for t in RelationType)
        raise _RowError(
            "relation", S_("{word} is not a relation ({allowed})", word=repr(word), allowed=allowed)
        ) from None
    articles = [a.strip() for a in _text(row, "articles").split(";") if a.strip()]
    return Relation(
        type=kind,
        target=target,
        articles=articles,
        effective=_date(_text(row, "relation_effective"), "relation_effective"),
    )


def _document(row: dict[str, Any], number: str) -> LegalDocument | None:
    if not any(_text(row, k) for k in _DOCUMENT_FIELDS):
        return None
    kind_text = _text(row, "type")
    kind = LegalType.from_number(number)
    if kind_text:
        by_abbreviation = LegalType.from_number(f"1/{kind_text}-X")
        try:
            kind = LegalType(kind_text.casefold())
        except ValueError:
            kind = _TYPE_OF_WORD.get(fold(kind_text)) or by_abbreviation
            if kind is None:
                allowed = ", ".join(t.value for t in LegalType)
                raise _RowError(
                    "type",
                    S_("{word} is not a type ({allowed})", word=repr(kind_text), allowed=allowed),
                ) from None
    if kind is None:
        raise _RowError("type", Said(N_("type is empty and the number does not name one")))
    for required in ("issuer", "title", "issued"):
        if not _text(row, required):
            raise _RowError(required, S_("{field} is empty", field=required))
    try:
        return LegalDocument(
            number=number,
            type=kind,
            issuer=_text(row, "issuer"),
            title=_text(row, "title"),
            issued=_date(_text(row, "issued"), "issued"),
            effective_from=_date(_text(row, "effective_from"), "effective_from"),
            effective_until=_date(_text(row, "effective_until"), "effective_until"),
            note=_text(row, "note") or None,
            url=_text(row, "url") or None,
        )
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise _RowError(field, schema_problem(first)) from None


def _csv_rows(
    text: str, columns: tuple[str, ...] = COLUMNS, key: str = "number"
) -> Iterator[tuple[int, dict[str, Any]]]:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    unknown = [c for c in reader.fieldnames or () if c and c.strip() not in columns]
    if unknown or key not in [c.strip() for c in reader.fieldnames or ()]:
        listed = ", ".join(columns)
        raise _RowError(
            None,
            S_(
                "unknown column {column}; the columns are: {columns}",
                column=repr(unknown[0]),
                columns=listed,
            )
            if unknown
            else S_("no 'number' column; the columns are: {columns}", columns=listed)
            if key == "number"
            else S_("no {key} column; the columns are: {columns}", key=repr(key), columns=listed),
        )
    for row in reader:
        yield reader.line_num, {(k or "").strip(): v for k, v in row.items()}


def _json_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    decoder = json.JSONDecoder()
    pos = len(text) - len(text.lstrip())
    if not text[pos:].startswith("["):
        raise _RowError(None, Said(N_("expected a JSON list of rows: a file that starts with [")))
    pos += 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text):
            raise _RowError(None, Said(N_("the JSON list is not closed with ]")))
        if text[pos] == "]":
            return
        line = text.count("\n", 0, pos) + 1
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as error:
            raise _RowError(
                None, S_("line {line}: {problem}", line=error.lineno, problem=Said.plain(error.msg))
            ) from None
        if not isinstance(value, dict):
            yield line, {"__error__": S_("expected an object, found {found}", found=shown(value))}
        else:
            yield line, value


def decode_text(data: bytes) -> str:
    """Return the text of a file saved by a spreadsheet: UTF-8 (with or without a BOM), or
    UTF-16 with its BOM (Excel's "Unicode Text"); raise UnicodeDecodeError otherwise.

    A Windows code page (Excel's plain "CSV") is refused rather than guessed: Vietnamese text
    guessed wrongly would be imported wrongly without a word.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def import_finding(file: str, line: int | None, field: str | None, said: Said) -> Finding:
    """Return the finding of one bad row (or file) of an import, naming its line and field."""
    return Finding.of(
        file, "import", said, line=line, column=1 if line else None, field=(field,) if field else ()
    )


def read_rows(
    data: bytes, *, file: str, columns: tuple[str, ...] = COLUMNS, key: str = "number"
) -> tuple[list[tuple[int, dict[str, Any]]], list[Finding]]:
    """Return the rows of an import file (CSV, or JSON by its content) with their line numbers.

    What makes the whole file unreadable (size, encoding, unknown columns, no rows) is
    returned as findings instead; a row that is not an object carries ``"__error__"``. The
    columns of a CSV are *columns*, *key* the one every file must have.
    """
    if len(data) > _MAX_BYTES:
        said = S_("the file is larger than {limit} MB", limit=_MAX_BYTES // 1024 // 1024)
        return [], [import_finding(file, None, None, said)]
    try:
        text = nfc(decode_text(data))
    except UnicodeDecodeError as error:
        said = Said(
            N_(
                "the file is not UTF-8 text: in Excel, save it again as "
                "'CSV UTF-8 (Comma delimited)'"
            )
        )
        return [], [import_finding(file, data.count(b"\n", 0, error.start) + 1, None, said)]
    is_json = text.lstrip().startswith(("[", "{"))
    try:
        rows = list(_json_rows(text) if is_json else _csv_rows(text, columns, key))
    except _RowError as error:
        return [], [import_finding(file, 1, error.field, error.said)]
    if not rows:
        return [], [import_finding(file, 1, None, Said(N_("the file has no rows")))]
    return rows, []


def read_legal_batch(data: bytes, *, file: str) -> LegalBatch:
    """Return the documents and relations of an import file (CSV, or JSON by its content).

    Never raises for bad content: every problem is a finding naming the file, line and field.
    """
    rows, findings = read_rows(data, file=file)
    if findings:
        return LegalBatch((), (), tuple(findings))

    def bad(line: int | None, field: str | None, said: Said) -> None:
        findings.append(import_finding(file, line, field, said))

    documents: dict[str, LegalDocument] = {}
    relations: list[tuple[str, Relation]] = []
    for line, row in rows:
        if "__error__" in row:
            bad(line, None, row["__error__"])
            continue
        number = _text(row, "number")
        if not number:
            bad(line, "number", Said(N_("number is empty")))
            continue
        try:
            unknown = [k for k in row if k not in COLUMNS]
            if unknown:
                raise _RowError(
                    unknown[0],
                    S_("unknown field; the fields are: {columns}", columns=", ".join(COLUMNS)),
                )
            document = _document(row, number)
            relation = _relation(row)
        except _RowError as error:
            bad(line, error.field, error.said)
            continue
        if document is None and relation is None:
            bad(
                line,
                None,
                S_("row for {number} registers nothing and declares no relation", number=number),
            )
            continue
        if document is not None:
            key = number_key(number)
            if key in documents:
                bad(line, "number", S_("{number} appears twice with its details", number=number))
                continue
            documents[key] = document
        if relation is not None:
            relations.append((number, relation))
    if findings:
        return LegalBatch((), (), tuple(findings))
    return LegalBatch(tuple(documents.values()), tuple(relations), ())
