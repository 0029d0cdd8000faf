"""Text as it goes into a .docx: cleaned for XML 1.0, NFC, dates written the Vietnamese way."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from xml.sax.saxutils import escape

__all__ = ["agency_lines", "clean", "date_text", "datetime_text", "short_hash", "xml_text"]

# Characters XML 1.0 does not allow (C0 controls but tab, LF, CR; surrogates; U+FFFE/FFFF).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_REPLACEMENT = "\ufffd"


def clean(text: object) -> str:
    """Return *text* as NFC text that XML 1.0 accepts: illegal characters become U+FFFD.

    Carriage returns become line feeds, so that a line break is one character.
    """
    value = unicodedata.normalize("NFC", str(text))
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub(_REPLACEMENT, value)


def xml_text(text: object) -> str:
    """Return *text* cleaned and escaped for an XML text node or attribute value."""
    return escape(clean(text), {'"': "&quot;"})


def date_text(day: dt.date | None, *, empty: str = "") -> str:
    """Return *day* as dd/mm/yyyy with leading zeros (Decree 30/2020), or *empty*."""
    return f"{day:%d/%m/%Y}" if day is not None else empty


def datetime_text(moment: dt.datetime) -> str:
    """Return *moment* as ``dd/mm/yyyy HH:MM (UTC+07:00)``: its own time zone, always shown."""
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{moment:%d/%m/%Y %H:%M} (UTC{sign}{hours:02d}:{mins:02d})"


def short_hash(value: str | None, length: int = 12) -> str | None:
    """Return the short form of a content stamp (``sha256:`` and 12 digits) or a commit."""
    if value is None:
        return None
    prefix, _, digits = value.rpartition(":")
    return f"{prefix}:{digits[:length]}" if prefix else digits[:length]


#: Where the name of a Vietnamese agency is broken into lines (Decree 30/2020, Appendix I:
#: "ỦY BAN NHÂN DÂN" / "PHƯỜNG AN HÒA"): before the administrative unit it belongs to.
_UNIT_WORDS = re.compile(r"\s(?=(?:PHƯỜNG|XÃ|THỊ TRẤN|ĐẶC KHU|QUẬN|HUYỆN|THỊ XÃ|THÀNH PHỐ|TỈNH)\s)")


def agency_lines(name: str) -> list[str]:
    """Return an agency's name in upper case as the lines it is printed on, never mid-phrase.

    ``Ủy ban nhân dân phường An Hòa`` gives ``["ỦY BAN NHÂN DÂN", "PHƯỜNG AN HÒA"]``; a
    name without an administrative unit after its start is one line.
    """
    text = " ".join(clean(name).upper().split())
    match = _UNIT_WORDS.search(text)
    if match is None or match.start() == 0:
        return [text]
    return [text[: match.start()], text[match.end() :]]


def longest_line_mm(lines: list[str], size_pt: float, *, bold: bool = True) -> float:
    """Return an estimate of the printed width of the longest of *lines* in Times New Roman.

    Upper-case Times New Roman averages 0.72 em a character bold (0.68 regular): enough to
    give a header cell the width its longest phrase needs, so that it does not wrap.
    """
    em = 0.72 if bold else 0.68
    longest = max((len(line) for line in lines), default=0)
    return longest * size_pt * em * 25.4 / 72
