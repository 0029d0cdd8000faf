"""Content stamps: a hash of what a document says, bound to every signature; pure.

The stamp covers the document's content: everything except the fields the workflow itself
sets (status, signatures, issue and effective dates, periodic reviews, withdrawal, and the
date column of the change history, which is the issue date filled in at approval). It is the
SHA-256 of canonical JSON: NFC text, keys sorted, no insignificant whitespace, so it does not
change with key order, comments, YAML formatting or Unicode normalization, and changes with
any change of content.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any

from qmsdocs.model.documents import Document

__all__ = ["WORKFLOW_FIELDS", "content_stamp"]

#: Fields set by the workflow, not by authors: outside the stamp.
WORKFLOW_FIELDS = frozenset(
    {"status", "approvals", "issued_date", "effective_date", "periodic_reviews", "withdrawal"}
)


#: Content fields added after the first stamps were recorded (issue 17, the framework model).
_OPTIONAL_SINCE_V1 = ("derived_from", "conflicts")


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def _canonical(data: Any) -> str:
    """Return *data* as JSON with sorted keys and every string in NFC."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if unicodedata.is_normalized("NFC", text):
        # JSON adds ASCII around the strings and escapes only characters that compose
        # with nothing: a string that is not NFC leaves the text not NFC. So here every
        # string is NFC already, and normalizing each would change nothing.
        return text
    return json.dumps(_nfc(data), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_stamp(document: Document) -> str:
    """Return the content stamp of *document*: ``sha256:`` and 64 hex digits."""
    data = document.model_dump(mode="json", by_alias=True, exclude=set(WORKFLOW_FIELDS))
    # Fields added since stamps were first made count only when used: a document that
    # follows no framework keeps the stamp its signatures recorded.
    for key in _OPTIONAL_SINCE_V1:
        if data.get(key) in (None, []):
            data.pop(key, None)
    for entry in data.get("history", []):
        entry.pop("date", None)
    canonical = _canonical(data)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
