"""Semantic diff of two documents, and of the QMS as a whole between two dates; pure.

:func:`diff` compares two revisions of a document field by field. Lists are matched item by
item, by a key where the item has one, so that an inserted step or a reordered legal basis
reads as one insertion or one move instead of a cascade of changed rows:

============================  =========================================================
list                          items are matched by
============================  =========================================================
``legal_basis``               legal number (ignoring case and Đ/D), article and clause
``steps``                     content: identical steps first, then the most similar
                              ones (word overlap, Dice coefficient >= 0.5); the step
                              number is the position, so the shift that an inserted or
                              removed step causes is not a change
``tthc.dossier``, ``fees``,   name, then the most similar item (a renamed component is
``records``, ``definitions``  a change of its name, not a removal and an addition)
``forms``, ``supersedes``,    the code
``steps[].forms``
``history``                   revision number
``approvals``                 meaning (authored, reviewed, approved)
``objectives``                objective id; ``plan`` by similarity; ``results`` by date
other lists of text           identical text, then the most similar
============================  =========================================================

An item matched out of the order of the others is *moved*. Texts are compared word by word:
the text is NFC-normalized and split into words, whitespace and punctuation, so that a
Vietnamese word (one syllable between spaces: ``hôn``, ``nhân``) is never cut inside;
numbers and codes written without spaces (``0,5``, ``19/2014/QĐ-TTg``, ``BPTN&TKQ``) stay
one word.

Changes are *content* changes or *workflow* changes. Workflow changes are what the lifecycle
sets on every revision: the revision number, status, signatures, issue and effective
dates, periodic reviews, withdrawal, and the date column of the change history (the fields
outside the content stamp, see :mod:`qmsdocs.stamp`, plus the revision number). So
``diff(a, a)`` is empty, and ``diff(a, b).content_changes`` is empty exactly when a and b
have the same content stamp apart from the revision number.

JSON (:meth:`DocumentDiff.to_dict`), format ``qmsdocs.diff/1``::

    {
      "format": "qmsdocs.diff/1",
      "code": "QT-01", "kind": "procedure",
      "old": {"code": "QT-01", "title": "Quy trình kiểm soát tài liệu", "revision": 2,
              "status": "approved", "effective_date": "2023-09-17"},
      "new": {... the same for the later side ...},
      "content_changes": [CHANGE, ...],      # in document order
      "workflow_changes": [CHANGE, ...]
    }

    CHANGE = {
      "op": "added" | "removed" | "changed" | "moved",
      "path": "steps[3].action",             # for people; see "location" for programs
      "location": ["steps", {"item": 3}, "action"],
      "old": JSON value or null,             # the field or item before (null when added)
      "new": JSON value or null,             # after (null when removed); a moved item
                                             # carries both, its own changes follow it
      "old_position": 1-based position in the old list, or null (not a list item),
      "new_position": 1-based position in the new list, or null,
      "words": [{"op": "equal" | "delete" | "insert", "text": "..."}, ...]
                                             # when old and new are texts and one has a
                                             # space (prose, not a date or code); else []
    }

In a location, a field is a string and a list item is ``{"item": KEY}``: the step number
(in the later revision; in the earlier one for a removed step), the code, the legal
reference (``"123/2015/NĐ-CP, Điều 22"``), the name, term or id, the revision of a history
row, the meaning of a signature, the date of a review or result, or, for lists of plain
text, the 1-based position. A key that repeats in a list gets ``" #2"``, ``" #3"`` …

:func:`diff_qms` compares two :class:`QmsSnapshot` values (what was in force on two days):
documents added, revised, withdrawn or replaced, legal documents issued or whose status
changed. JSON (:meth:`QmsDiff.to_dict`), format ``qmsdocs.qms-diff/1``::

    {
      "format": "qmsdocs.qms-diff/1",
      "since": "2023-01-01", "until": "2024-01-01",
      "documents": [{"code", "title", "kind",
                     "change": "added" | "revised" | "withdrawn" | "replaced" |
                               "removed" | "changed",
                     "old_revision", "new_revision", "old_state", "new_state",
                     "replaced_by", "reasons": [text, ...]}, ...],
      "legal": [{"number", "title", "type",
                 "change": "added" | "status_changed",
                 "old_status", "new_status"}, ...]
    }
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from qmsdocs.legal import number_key
from qmsdocs.model.documents import Document
from qmsdocs.stamp import WORKFLOW_FIELDS

__all__ = [
    "Alignment",
    "Change",
    "DocumentChange",
    "DocumentDiff",
    "DocumentEntry",
    "FORMAT",
    "Item",
    "LegalChange",
    "LegalEntry",
    "Location",
    "Op",
    "QMS_FORMAT",
    "QmsDiff",
    "QmsSnapshot",
    "Segment",
    "SegmentOp",
    "Version",
    "align",
    "diff",
    "diff_qms",
    "labels",
    "path_text",
    "tokenize",
    "word_diff",
]

#: The ``format`` key of :meth:`DocumentDiff.to_dict`.
FORMAT = "qmsdocs.diff/1"
#: The ``format`` key of :meth:`QmsDiff.to_dict`.
QMS_FORMAT = "qmsdocs.qms-diff/1"

#: Top-level fields the lifecycle sets on every revision (outside the content stamp).
_WORKFLOW = frozenset(WORKFLOW_FIELDS | {"revision"})


# -- words -----------------------------------------------------------------------------

_LETTERS = r"[\w\u0300-\u036f]"
#: A word: letters and digits (with combining marks), joined without spaces by - / . , : & '
_TOKEN = re.compile(rf"\s+|{_LETTERS}+(?:[-/.,:&'’]{_LETTERS}+)*|.", re.DOTALL)


def tokenize(text: str) -> list[str]:
    """Return *text* (NFC-normalized) cut into words, runs of whitespace and punctuation.

    Joining the tokens gives the NFC text back exactly.
    """
    return _TOKEN.findall(unicodedata.normalize("NFC", text))


class SegmentOp(StrEnum):
    """What a piece of a word diff is."""

    EQUAL = "equal"
    DELETE = "delete"
    INSERT = "insert"


@dataclass(frozen=True)
class Segment:
    """A piece of a word diff: text kept, deleted from the old text, or inserted."""

    op: SegmentOp
    text: str

    def to_dict(self) -> dict[str, str]:
        """Return the segment as JSON-ready values."""
        return {"op": self.op.value, "text": self.text}


def _is_word(token: str) -> bool:
    return any(c.isalnum() for c in token)


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """Return the word-level diff of two texts (both NFC-normalized first).

    The equal and deleted segments join to the old text, the equal and inserted ones to the
    new text. Within a run of changes the deletion comes before the insertion, and the
    spaces and punctuation between two changed words are part of the change.
    """
    a, b = tokenize(old), tokenize(new)
    raw: list[tuple[SegmentOp, str, str]] = []  # (op, old text, new text)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = "".join(a[i1:i2]), "".join(b[j1:j2])
        raw.append((SegmentOp.EQUAL if tag == "equal" else SegmentOp.DELETE, left, right))
    # An equal stretch of only spaces and punctuation between two changes joins the change.
    for index in range(1, len(raw) - 1):
        op, left, _ = raw[index]
        if (
            op is SegmentOp.EQUAL
            and raw[index - 1][0] is not SegmentOp.EQUAL
            and raw[index + 1][0] is not SegmentOp.EQUAL
            and not any(_is_word(t) for t in tokenize(left))
        ):
            raw[index] = (SegmentOp.DELETE, left, left)
    out: list[Segment] = []
    deleted, inserted = "", ""
    for op, left, right in [*raw, (SegmentOp.EQUAL, "", "")]:
        if op is not SegmentOp.EQUAL:
            deleted, inserted = deleted + left, inserted + right
            continue
        if deleted:
            out.append(Segment(SegmentOp.DELETE, deleted))
        if inserted:
            out.append(Segment(SegmentOp.INSERT, inserted))
        deleted, inserted = "", ""
        if left:
            out.append(Segment(SegmentOp.EQUAL, left))
    return tuple(out)


def _similarity(a: Counter[str], b: Counter[str]) -> float:
    total = sum(a.values()) + sum(b.values())
    if not total:
        return 1.0
    return 2 * sum((a & b).values()) / total


def _words_of(value: Any) -> Counter[str]:
    texts: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for item in v.values():
                walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)
        elif v is not None:
            texts.append(str(v))

    walk(value)
    return Counter(t.casefold() for t in tokenize(" ".join(texts)) if _is_word(t))


# -- list matching ---------------------------------------------------------------------

Key = Hashable
Label = str | int


def _by_position(item: Any, position: int) -> Label:
    return position


def _field_of(name: str) -> Callable[[Any], Any]:
    def get(item: Any) -> Any:
        return item.get(name) if isinstance(item, dict) else item

    return get


def _label_of(name: str) -> Callable[[Any, int], Label]:
    def get(item: Any, position: int) -> Label:
        value = item.get(name) if isinstance(item, dict) else item
        return value if isinstance(value, int) else str(value)

    return get


def _legal_key(item: Any) -> Key:
    return (number_key(str(item.get("ref", ""))), item.get("article"), item.get("clause"))


def _legal_label(item: Any, position: int) -> Label:
    return ", ".join(str(item[k]) for k in ("ref", "article", "clause") if item.get(k))


def _value(item: Any) -> Key:
    return str(item)


@dataclass(frozen=True)
class _Rule:
    """How the items of one list are matched and named."""

    key: Callable[[Any], Key] | None = None  # None: the whole content
    label: Callable[[Any, int], Label] = _by_position
    fuzzy: bool = False  # pair leftovers by word overlap
    ignore: frozenset[str] = frozenset()  # fields of the item not compared


_TEXTS = _Rule(fuzzy=True)
_CODES = _Rule(key=_value, label=lambda item, _: str(item))


def _named(name: str, *, fuzzy: bool = True) -> _Rule:
    return _Rule(key=_field_of(name), label=_label_of(name), fuzzy=fuzzy)


#: Matching rules by list path ("steps", "tthc.dossier", "objectives[].plan").
_RULES: dict[str, _Rule] = {
    "legal_basis": _Rule(key=_legal_key, label=_legal_label),
    "supersedes": _CODES,
    "history": _named("revision", fuzzy=False),
    "approvals": _named("meaning", fuzzy=False),
    "periodic_reviews": _named("date", fuzzy=False),
    "references": _TEXTS,
    "definitions": _named("term"),
    "tthc.methods": _TEXTS,
    "tthc.conditions": _TEXTS,
    "tthc.subjects": _TEXTS,
    "tthc.coordinating_agencies": _TEXTS,
    "tthc.dossier": _named("name"),
    "tthc.fees": _named("name"),
    "steps": _Rule(fuzzy=True, ignore=frozenset({"no"})),
    "steps[].forms": _CODES,
    "forms": _CODES,
    "records": _named("name"),
    "commitments": _TEXTS,
    "posted_at": _TEXTS,
    "objectives": _named("id", fuzzy=False),
    "objectives[].plan": _TEXTS,
    "objectives[].results": _named("as_of", fuzzy=False),
}
_DEFAULT_RULE = _TEXTS
_FUZZY_THRESHOLD = 0.5


def _strip(item: Any, ignore: frozenset[str]) -> Any:
    if ignore and isinstance(item, dict):
        return {k: v for k, v in item.items() if k not in ignore}
    return item


def _content_key(item: Any) -> Key:
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)


def _keys(rule: _Rule, items: Sequence[Any]) -> list[Key]:
    """Return each item's key; the n-th repeat of a key gets n as a suffix."""
    seen: Counter[Key] = Counter()
    out: list[Key] = []
    for item in items:
        plain = _strip(item, rule.ignore)
        key = rule.key(plain) if rule.key is not None else _content_key(plain)
        seen[key] += 1
        out.append((key, seen[key]))
    return out


@dataclass(frozen=True)
class Alignment:
    """How the items of an old and a new list correspond (indexes are 0-based).

    *pairs* are matched items in order (kept or changed), *moved* matched items out of
    order, *removed* old items without a match, *added* new items without a match.
    """

    old_length: int
    new_length: int
    pairs: tuple[tuple[int, int], ...]
    moved: tuple[tuple[int, int], ...]
    removed: tuple[int, ...]
    added: tuple[int, ...]

    def merged(self) -> tuple[tuple[int | None, int | None], ...]:
        """Return both lists merged in reading order: (old, new), (old, None), (None, new).

        A moved item appears twice: as (old, None) where it was and (None, new) where it is.
        Old-only items come before new-only ones between two pairs.
        """
        old_only = sorted([*self.removed, *(i for i, _ in self.moved)])
        new_only = sorted([*self.added, *(j for _, j in self.moved)])
        out: list[tuple[int | None, int | None]] = []
        oi = ni = 0
        for i, j in [*self.pairs, (self.old_length, self.new_length)]:
            while oi < len(old_only) and old_only[oi] < i:
                out.append((old_only[oi], None))
                oi += 1
            while ni < len(new_only) and new_only[ni] < j:
                out.append((None, new_only[ni]))
                ni += 1
            if i < self.old_length:
                out.append((i, j))
        return tuple(out)


def _longest_increasing(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Return the longest run of *pairs* (sorted by old index) whose new index increases."""
    tails: list[int] = []  # index into pairs of the smallest tail of each length
    back: list[int] = []
    for index, (_, j) in enumerate(pairs):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if pairs[tails[mid]][1] < j:
                lo = mid + 1
            else:
                hi = mid
        back.append(tails[lo - 1] if lo else -1)
        if lo == len(tails):
            tails.append(index)
        else:
            tails[lo] = index
    out: set[tuple[int, int]] = set()
    at = tails[-1] if tails else -1
    while at >= 0:
        out.add(pairs[at])
        at = back[at]
    return out


def align(path: str, old: Sequence[Any], new: Sequence[Any]) -> Alignment:
    """Return how the items of list *path* (``"steps"``, ``"tthc.dossier"``) correspond.

    *old* and *new* hold JSON-ready items (``model_dump(mode="json")``). The rules for each
    list are in the module docstring.
    """
    return _align(_RULES.get(path, _DEFAULT_RULE), old, new)


def labels(path: str, items: Sequence[Any]) -> list[Label]:
    """Return the name :func:`diff` gives each item of list *path* in a change's location."""
    return _labels(_RULES.get(path, _DEFAULT_RULE), items)


def _align(rule: _Rule, old: Sequence[Any], new: Sequence[Any]) -> Alignment:
    old_keys, new_keys = _keys(rule, old), _keys(rule, new)
    where: dict[Key, int] = {k: i for i, k in enumerate(old_keys)}
    matched: dict[int, int] = {}  # old -> new
    for j, key in enumerate(new_keys):
        i = where.get(key)
        if i is not None:
            matched[i] = j
    if rule.fuzzy:
        olds = [i for i in range(len(old)) if i not in matched]
        taken = set(matched.values())
        news = [j for j in range(len(new)) if j not in taken]
        if olds and news:
            words_old = {i: _words_of(_strip(old[i], rule.ignore)) for i in olds}
            words_new = {j: _words_of(_strip(new[j], rule.ignore)) for j in news}
            scored = sorted(
                (-score, abs(i - j), i, j)
                for i in olds
                for j in news
                if (score := _similarity(words_old[i], words_new[j])) >= _FUZZY_THRESHOLD
            )
            for _, _, i, j in scored:
                if i not in matched and j not in taken:
                    matched[i] = j
                    taken.add(j)
    pairs = sorted(matched.items())
    kept = _longest_increasing(pairs)
    anchors = [p for p in pairs if p in kept]
    moved = [p for p in pairs if p not in kept]
    taken_new = {j for _, j in anchors} | {j for _, j in moved}
    taken_old = {i for i, _ in anchors} | {i for i, _ in moved}
    return Alignment(
        old_length=len(old),
        new_length=len(new),
        pairs=tuple(anchors),
        moved=tuple(sorted(moved, key=lambda p: p[1])),
        removed=tuple(i for i in range(len(old)) if i not in taken_old),
        added=tuple(j for j in range(len(new)) if j not in taken_new),
    )


# -- document diff ---------------------------------------------------------------------


class Op(StrEnum):
    """What happened to a field or list item."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    MOVED = "moved"


@dataclass(frozen=True)
class Item:
    """A list item in a change's location, named by its key (see the module docstring)."""

    key: Label


Location = tuple[str | Item, ...]


def path_text(location: Location) -> str:
    """Return *location* for people: ``steps[3].action``."""
    out = ""
    for part in location:
        if isinstance(part, Item):
            out += f"[{part.key}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True)
class Change:
    """One difference between two revisions: a field or list item added, removed, changed
    or moved, with its values before and after (JSON-ready) and, for text, the word diff."""

    op: Op
    location: Location
    old: Any = None
    new: Any = None
    old_position: int | None = None  # 1-based, for a list item
    new_position: int | None = None
    words: tuple[Segment, ...] = ()

    @property
    def path(self) -> str:
        """Return the location for people: ``steps[3].action``."""
        return path_text(self.location)

    @property
    def field(self) -> str:
        """Return the top-level field the change is in (``steps``, ``purpose``)."""
        first = self.location[0] if self.location else ""
        return first if isinstance(first, str) else ""

    @property
    def workflow(self) -> bool:
        """Return whether the lifecycle made this change (see the module docstring)."""
        if self.field in _WORKFLOW:
            return True
        last = self.location[-1] if self.location else None
        return self.field == "history" and len(self.location) == 3 and last == "date"

    def to_dict(self) -> dict[str, Any]:
        """Return the change in the documented JSON structure."""
        return {
            "op": self.op.value,
            "path": self.path,
            "location": [{"item": p.key} if isinstance(p, Item) else p for p in self.location],
            "old": self.old,
            "new": self.new,
            "old_position": self.old_position,
            "new_position": self.new_position,
            "words": [s.to_dict() for s in self.words],
        }


@dataclass(frozen=True)
class Version:
    """Which revision of which document one side of a diff is."""

    code: str
    title: str
    revision: int
    status: str
    effective_date: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        """Return the version as JSON-ready values."""
        return {
            "code": self.code,
            "title": self.title,
            "revision": self.revision,
            "status": self.status,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
        }


@dataclass(frozen=True)
class DocumentDiff:
    """The differences between two revisions of a document, in document order.

    False in a boolean context when there is no difference at all.
    """

    code: str
    kind: str
    old: Version
    new: Version
    changes: tuple[Change, ...]

    @property
    def content_changes(self) -> tuple[Change, ...]:
        """Return the changes of what the document says (inside the content stamp)."""
        return tuple(c for c in self.changes if not c.workflow)

    @property
    def workflow_changes(self) -> tuple[Change, ...]:
        """Return the changes the lifecycle made: revision, status, signatures, dates."""
        return tuple(c for c in self.changes if c.workflow)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        """Return the diff in the documented JSON structure (format ``qmsdocs.diff/1``)."""
        return {
            "format": FORMAT,
            "code": self.code,
            "kind": self.kind,
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "content_changes": [c.to_dict() for c in self.content_changes],
            "workflow_changes": [c.to_dict() for c in self.workflow_changes],
        }


def _version(document: Document) -> Version:
    return Version(
        code=document.code,
        title=document.title,
        revision=document.revision,
        status=document.status.value,
        effective_date=document.effective_date,
    )


def diff(a: Document, b: Document) -> DocumentDiff:
    """Return the semantic diff from document *a* (the earlier) to document *b*."""
    old = a.model_dump(mode="json", by_alias=True)
    new = b.model_dump(mode="json", by_alias=True)
    out: list[Change] = []
    _diff_value(old, new, (), "", out)
    return DocumentDiff(
        code=b.code, kind=b.kind, old=_version(a), new=_version(b), changes=tuple(out)
    )


def _words(old: Any, new: Any) -> tuple[Segment, ...]:
    # Only prose: a date, a code, a stamp or an id is one value, shown whole.
    if isinstance(old, str) and isinstance(new, str) and (" " in old.strip() or " " in new.strip()):
        return word_diff(old, new)
    return ()


def _diff_value(old: Any, new: Any, location: Location, pattern: str, out: list[Change]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        _diff_fields(old, new, location, pattern, out, frozenset())
    elif isinstance(old, list) and isinstance(new, list):
        _diff_list(old, new, location, pattern, out)
    elif old is None:
        out.append(Change(Op.ADDED, location, new=new))
    elif new is None:
        out.append(Change(Op.REMOVED, location, old=old))
    else:
        out.append(Change(Op.CHANGED, location, old=old, new=new, words=_words(old, new)))


def _diff_fields(
    old: dict[str, Any],
    new: dict[str, Any],
    location: Location,
    pattern: str,
    out: list[Change],
    ignore: frozenset[str],
) -> None:
    names = [*new, *(k for k in old if k not in new)]
    for name in names:
        if name in ignore:
            continue
        sub = f"{pattern}.{name}" if pattern else name
        _diff_value(old.get(name), new.get(name), (*location, name), sub, out)


def _diff_list(
    old: list[Any], new: list[Any], location: Location, pattern: str, out: list[Change]
) -> None:
    rule = _RULES.get(pattern, _DEFAULT_RULE)
    alignment = _align(rule, old, new)
    moved_to = {j: i for i, j in alignment.moved}
    moved_from = {i for i, _ in alignment.moved}
    old_labels = _labels(rule, old)
    new_labels = _labels(rule, new)
    item_pattern = pattern + "[]"
    for i, j in alignment.merged():
        if j is None:
            assert i is not None
            if i in moved_from:
                continue  # reported where it went
            out.append(
                Change(Op.REMOVED, (*location, Item(old_labels[i])), old=old[i], old_position=i + 1)
            )
            continue
        here: Location = (*location, Item(new_labels[j]))
        if i is None:
            if j not in moved_to:
                out.append(Change(Op.ADDED, here, new=new[j], new_position=j + 1))
                continue
            i = moved_to[j]
            out.append(
                Change(
                    Op.MOVED, here, old=old[i], new=new[j], old_position=i + 1, new_position=j + 1
                )
            )
        a, b = old[i], new[j]
        if isinstance(a, dict) and isinstance(b, dict):
            _diff_fields(a, b, here, item_pattern, out, rule.ignore)
        elif a != b:
            out.append(
                Change(
                    Op.CHANGED,
                    here,
                    old=a,
                    new=b,
                    old_position=i + 1,
                    new_position=j + 1,
                    words=_words(a, b),
                )
            )


def _labels(rule: _Rule, items: Sequence[Any]) -> list[Label]:
    labels = [rule.label(_strip(item, rule.ignore), n + 1) for n, item in enumerate(items)]
    seen: Counter[Label] = Counter()
    out: list[Label] = []
    for label in labels:
        seen[label] += 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return out


# -- the QMS between two dates ---------------------------------------------------------


@dataclass(frozen=True)
class DocumentEntry:
    """A controlled document as it stood on a day: the revision and state then."""

    code: str
    title: str
    kind: str
    revision: int
    state: str  # a DocumentState value: draft, in_review, pending, effective, …
    replaced_by: str | None = None  # the replacement, once withdrawn or superseded


@dataclass(frozen=True)
class LegalEntry:
    """A legal document as it stood on a day: its status then."""

    number: str
    title: str
    type: str
    status: str  # a LegalStatus value


@dataclass(frozen=True)
class QmsSnapshot:
    """The QMS on one day: every document drafted by then, every legal document issued."""

    day: dt.date
    documents: tuple[DocumentEntry, ...]
    legal: tuple[LegalEntry, ...]


@dataclass(frozen=True)
class DocumentChange:
    """How one document changed between two days."""

    code: str
    title: str
    kind: str
    change: str  # added, revised, withdrawn, replaced, removed, changed
    old_revision: int | None
    new_revision: int | None
    old_state: str | None
    new_state: str | None
    replaced_by: str | None = None
    reasons: tuple[str, ...] = ()  # why, for each revision issued in between

    def to_dict(self) -> dict[str, Any]:
        """Return the change as JSON-ready values."""
        return {
            "code": self.code,
            "title": self.title,
            "kind": self.kind,
            "change": self.change,
            "old_revision": self.old_revision,
            "new_revision": self.new_revision,
            "old_state": self.old_state,
            "new_state": self.new_state,
            "replaced_by": self.replaced_by,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class LegalChange:
    """A legal document issued, or whose status changed, between two days."""

    number: str
    title: str
    type: str
    change: str  # added, status_changed
    old_status: str | None
    new_status: str

    def to_dict(self) -> dict[str, Any]:
        """Return the change as JSON-ready values."""
        return {
            "number": self.number,
            "title": self.title,
            "type": self.type,
            "change": self.change,
            "old_status": self.old_status,
            "new_status": self.new_status,
        }


@dataclass(frozen=True)
class QmsDiff:
    """What changed in the QMS between two days, documents sorted by code."""

    since: dt.date
    until: dt.date
    documents: tuple[DocumentChange, ...] = field(default=())
    legal: tuple[LegalChange, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.documents or self.legal)

    def to_dict(self) -> dict[str, Any]:
        """Return the diff in the documented JSON structure (format ``qmsdocs.qms-diff/1``)."""
        return {
            "format": QMS_FORMAT,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "documents": [d.to_dict() for d in self.documents],
            "legal": [item.to_dict() for item in self.legal],
        }


_EFFECTIVE = "effective"
_GONE = frozenset({"withdrawn", "superseded"})


def _document_change(
    before: DocumentEntry | None, after: DocumentEntry | None
) -> DocumentChange | None:
    ref = after or before
    assert ref is not None
    old_state = before.state if before else None
    new_state = after.state if after else None
    old_rev = before.revision if before else None
    new_rev = after.revision if after else None
    if (old_state, old_rev) == (new_state, new_rev):
        return None
    if after is None:
        change = "removed"
    elif new_state in _GONE and old_state not in _GONE:
        change = "replaced" if after.replaced_by else "withdrawn"
    elif new_state == _EFFECTIVE and old_state == _EFFECTIVE:
        change = "revised"
    elif new_state == _EFFECTIVE and old_state in (None, "draft", "in_review", "pending"):
        change = "added"
    else:
        change = "changed"
    return DocumentChange(
        code=ref.code,
        title=ref.title,
        kind=ref.kind,
        change=change,
        old_revision=old_rev,
        new_revision=new_rev,
        old_state=old_state,
        new_state=new_state,
        replaced_by=after.replaced_by if after else None,
    )


def _by(items: Iterable[Any], key: Callable[[Any], str]) -> Mapping[str, Any]:
    return {key(item): item for item in items}


def diff_qms(before: QmsSnapshot, after: QmsSnapshot) -> QmsDiff:
    """Return what changed in the QMS from snapshot *before* to snapshot *after*.

    A document is *added* when it came into force, *revised* when another revision is in
    force, *withdrawn* or *replaced* (when its replacement is known) when it left, and
    *changed* for any other change of state or revision (a new draft, an approval pending
    its effective date). A legal document is *added* when issued in between, and
    *status_changed* when its status differs.
    """
    old_docs = _by(before.documents, lambda d: d.code.casefold())
    new_docs = _by(after.documents, lambda d: d.code.casefold())
    documents = []
    for key in sorted(old_docs.keys() | new_docs.keys()):
        change = _document_change(old_docs.get(key), new_docs.get(key))
        if change is not None:
            documents.append(change)
    old_legal = _by(before.legal, lambda d: number_key(d.number))
    legal = []
    for entry in sorted(after.legal, key=lambda d: number_key(d.number)):
        was = old_legal.get(number_key(entry.number))
        if was is None:
            legal.append(
                LegalChange(entry.number, entry.title, entry.type, "added", None, entry.status)
            )
        elif was.status != entry.status:
            legal.append(
                LegalChange(
                    entry.number,
                    entry.title,
                    entry.type,
                    "status_changed",
                    was.status,
                    entry.status,
                )
            )
    return QmsDiff(
        since=before.day, until=after.day, documents=tuple(documents), legal=tuple(legal)
    )
