"""Text as it goes into a .docx: cleaned for XML 1.0, NFC, dates written the Vietnamese way."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from xml.sax.saxutils import escape

__all__ = ["clean", "date_text", "datetime_text", "short_hash", "xml_text"]

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
