"""The search index, built at build time and read by the small script of search.html.

The index is a script file (``search-index.js``) rather than JSON because a page opened
from ``file://`` may load a script beside it but may not fetch a file. Each entry holds the
address, code, title and kind as shown, the title, code and TTHC name as typed (lower case,
diacritics kept, for exact matches first) and folded with :func:`qmsdocs.i18n.fold` (for
queries typed without a Vietnamese keyboard), and the folded distinct words of the text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from qmsdocs.i18n import fold
from qmsdocs.model import Document, Procedure

__all__ = ["SearchEntry", "entry_of", "index_script"]

#: The folded words of a document's text kept in the index, at most (keeps 1,000
#: documents under 2 MB).
_MAX_TEXT = 1200
#: Fields that say nothing a reader searches for (workflow, identifiers, enum values).
_SKIP = frozenset(
    {"approvals", "history", "periodic_reviews", "code", "unit", "status", "kind", "category"}
)


@dataclass(frozen=True)
class SearchEntry:
    """One document in the index."""

    href: str
    code: str
    title: str
    kind: str
    names: str  # code, title and TTHC name as typed, lower case
    folded: str  # the same, folded
    text: str  # folded distinct words of the content

    def row(self) -> list[str]:
        """Return the entry as the list the script reads."""
        return [self.href, self.code, self.title, self.kind, self.names, self.folded, self.text]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name not in _SKIP:
                yield from _strings(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def entry_of(document: Document, *, href: str, kind: str) -> SearchEntry:
    """Return the index entry of *document*, reached at *href* (relative to the site's top)."""
    names = [document.code, document.title]
    if isinstance(document, Procedure) and document.tthc is not None:
        names += [document.tthc.name, document.tthc.code]
    typed = " | ".join(" ".join(n.lower().split()) for n in names)
    seen: dict[str, None] = {}
    size = 0
    for text in _strings(document):
        for word in fold(text).split():
            if word not in seen and size + len(word) < _MAX_TEXT:
                seen[word] = None
                size += len(word) + 1
    return SearchEntry(
        href=href,
        code=document.code,
        title=document.title,
        kind=kind,
        names=typed,
        folded=fold(typed),
        text=" ".join(seen),
    )


def index_script(entries: Sequence[SearchEntry]) -> bytes:
    """Return the index as the script search.html loads (sorted by code: same bytes)."""
    rows = [e.row() for e in sorted(entries, key=lambda e: e.code)]
    data = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return f"window.QMS_INDEX={data};\n".encode()
