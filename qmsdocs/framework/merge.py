"""Three-way merge of a framework model's change into an agency's document; pure.

Taking a framework release (DESIGN §11) merges three versions of each derived document:

- *base*: the model revision the document was derived from, rendered with the agency's
  parameters;
- *theirs*: the new model revision, rendered the same way;
- *ours*: the agency's revision in force.

What only one side changed is taken from that side; what both changed the same way is taken
once; what both changed differently is a **conflict**, recorded in the draft as data
(:class:`~qmsdocs.model.MergeConflict`: the field and the three values), never as merge
markers. Where a conflict is, the draft keeps the agency's value until the officer resolves
it; ``validate`` reports each conflict as an error, so ``submit`` refuses until none remain.

The merge goes field by field. Lists are matched item by item exactly as
:func:`qmsdocs.diff.align` matches them for ``diff`` (steps by content, legal basis by
number, article and clause, dossier components, fees and records by name, forms by code), so
that a step the agency inserted and a step the framework reworded both survive, and a row
removed on one side and left alone on the other is removed. Items keep the agency's order;
an item the framework added goes after the item it follows in the framework; a reordering
made by the framework alone is followed. Steps are numbered again 1, 2, 3 … afterwards.

Text is merged word by word (diff3 over :func:`qmsdocs.diff.tokenize`): a new decree number
written by the framework and a time limit the agency changed in the same sentence both
survive, while two different edits of the same words conflict.

The lifecycle is the agency's: code, revision, history and ``derived_from`` are ours'; the
result is a draft (no signatures, no issue or effective date), whose revision, history entry
and new ``derived_from`` the caller sets.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qmsdocs.diff import Alignment, Item, Location, align, labels, path_text, tokenize
from qmsdocs.model.documents import Document, MergeConflict, Status
from qmsdocs.stamp import WORKFLOW_FIELDS

__all__ = ["Merged", "merge_documents", "merge_text"]

#: Fields that are the agency's own, never merged: identity and lifecycle.
OWN_FIELDS = frozenset(
    {"schema_version", "kind", "code", "revision", "history", "derived_from", "conflicts"}
    | WORKFLOW_FIELDS
)

#: Item fields that follow from the position, numbered again after the merge.
_NUMBERED = {"steps": "no"}


@dataclass(frozen=True)
class Merged:
    """The result of a three-way merge: a draft and the conflicts it records."""

    document: Document
    conflicts: tuple[MergeConflict, ...]

    @property
    def clean(self) -> bool:
        """Return whether the merge needed no decision from the officer."""
        return not self.conflicts


def merge_documents(base: Document, theirs: Document, ours: Document) -> Merged:
    """Merge the change from *base* to *theirs* into *ours* (see the module docstring).

    All three must be of the same kind. The result is a draft of *ours* (status draft, no
    signatures, no issue or effective date) whose content fields are merged and whose
    ``conflicts`` lists what both sides changed differently; its code, revision, history
    and ``derived_from`` are those of *ours*.
    """
    if not (base.kind == theirs.kind == ours.kind):
        raise ValueError(
            f"cannot merge documents of different kinds: {base.kind}, {theirs.kind}, {ours.kind}"
        )
    b = base.model_dump(mode="json", by_alias=True)
    t = theirs.model_dump(mode="json", by_alias=True)
    o = ours.model_dump(mode="json", by_alias=True)
    merger = _Merger()
    out = dict(o)
    for name in [*o, *(k for k in t if k not in o)]:
        if name not in OWN_FIELDS:
            out[name] = merger.value(b.get(name), t.get(name), o.get(name), (name,), name)
    for name, number in _NUMBERED.items():
        if isinstance(out.get(name), list):
            out[name] = [{**item, number: n} for n, item in enumerate(out[name], start=1)]
    out.update(
        status=Status.DRAFT.value,
        approvals=[],
        issued_date=None,
        effective_date=None,
        withdrawal=None,
        conflicts=[c.model_dump(mode="json") for c in merger.conflicts],
    )
    document = type(ours).model_validate(out)
    return Merged(document=document, conflicts=tuple(document.conflicts))


def merge_text(base: str, theirs: str, ours: str) -> str | None:
    """Return the word-by-word merge of two edits of *base*, or None where they collide.

    Both texts are compared with *base* word by word; stretches changed on one side only are
    taken from that side, stretches changed identically on both once. Two different edits
    of the same stretch, or two different insertions at the same place, collide.
    """
    o, a, b = tokenize(base), tokenize(theirs), tokenize(ours)
    to_a, to_b = _matches(o, a), _matches(o, b)
    out: list[str] = []
    lo = la = lb = 0
    while True:
        run = 0
        while (
            lo + run < len(o) and to_a.get(lo + run) == la + run and to_b.get(lo + run) == lb + run
        ):
            run += 1
        if run:
            out.extend(o[lo : lo + run])
            lo, la, lb = lo + run, la + run, lb + run
            continue
        stable = next(
            (
                x
                for x in range(lo, len(o))
                if x in to_a and x in to_b and to_a[x] >= la and to_b[x] >= lb
            ),
            None,
        )
        end_o = len(o) if stable is None else stable
        end_a = len(a) if stable is None else to_a[stable]
        end_b = len(b) if stable is None else to_b[stable]
        chunk_o, chunk_a, chunk_b = o[lo:end_o], a[la:end_a], b[lb:end_b]
        if chunk_a in (chunk_o, chunk_b):
            out.extend(chunk_b)
        elif chunk_b == chunk_o:
            out.extend(chunk_a)
        else:
            return None
        if stable is None:
            return "".join(out)
        lo, la, lb = end_o, end_a, end_b


def _matches(old: Sequence[str], new: Sequence[str]) -> dict[int, int]:
    """Return, for each token of *old* kept in *new*, its index there (in order)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return {i + k: j + k for i, j, size in matcher.get_matching_blocks() for k in range(size)}


@dataclass
class _Merger:
    conflicts: list[MergeConflict] = field(default_factory=list)

    def conflict(self, location: Location, base: Any, theirs: Any, ours: Any) -> None:
        self.conflicts.append(
            MergeConflict(field=path_text(location), base=base, framework=theirs, local=ours)
        )

    def value(self, base: Any, theirs: Any, ours: Any, location: Location, pattern: str) -> Any:
        if theirs in (base, ours):
            return ours
        if ours == base:
            return theirs
        if isinstance(theirs, dict) and isinstance(ours, dict) and isinstance(base, dict | None):
            return self.fields(base or {}, theirs, ours, location, pattern)
        if isinstance(theirs, list) and isinstance(ours, list) and isinstance(base, list | None):
            return self.items(base or [], theirs, ours, location, pattern)
        if isinstance(base, str) and isinstance(theirs, str) and isinstance(ours, str):
            text = merge_text(base, theirs, ours)
            if text is not None:
                return text
        self.conflict(location, base, theirs, ours)
        return ours

    def fields(
        self,
        base: dict[str, Any],
        theirs: dict[str, Any],
        ours: dict[str, Any],
        location: Location,
        pattern: str,
    ) -> dict[str, Any]:
        numbered = _NUMBERED.get(pattern.removesuffix("[]")) if pattern.endswith("[]") else None
        out = dict(ours)
        for name in [*ours, *(k for k in theirs if k not in ours)]:
            if name == numbered:
                continue
            sub = f"{pattern}.{name}"
            out[name] = self.value(
                base.get(name), theirs.get(name), ours.get(name), (*location, name), sub
            )
        return out

    def items(
        self,
        base: list[Any],
        theirs: list[Any],
        ours: list[Any],
        location: Location,
        pattern: str,
    ) -> list[Any]:
        to_theirs, to_ours = (
            _pairs(align(pattern, base, theirs)),
            _pairs(align(pattern, base, ours)),
        )
        from_ours = {j: i for i, j in to_ours.items()}
        ours_labels, theirs_labels = labels(pattern, ours), labels(pattern, theirs)
        item_pattern = pattern + "[]"
        # Entries of the result: ("base", i) for an item both sides hold, ("ours", j) for
        # one the agency added or removed and the framework changed, ("theirs", j) for one
        # the framework added. The tags place the framework's additions and moves.
        result: list[tuple[tuple[str, int], Any]] = []
        for j, item in enumerate(ours):
            i = from_ours.get(j)
            here: Location = (*location, Item(ours_labels[j]))
            if i is None:
                result.append((("ours", j), item))
            elif i not in to_theirs:  # the framework removed it
                if item != base[i]:
                    self.conflict(here, base[i], None, item)
                    result.append((("ours", j), item))
            else:
                merged = self.value(base[i], theirs[to_theirs[i]], item, here, item_pattern)
                result.append((("base", i), merged))
        for i, j in sorted(to_theirs.items()):
            if i not in to_ours and theirs[j] != base[i]:  # the agency removed what changed
                self.conflict((*location, Item(theirs_labels[j])), base[i], theirs[j], None)
        self._follow_moves(result, to_theirs, to_ours)
        self._add_theirs(result, theirs, to_theirs, location, pattern)
        return [item for _, item in result]

    @staticmethod
    def _follow_moves(
        result: list[tuple[tuple[str, int], Any]],
        to_theirs: dict[int, int],
        to_ours: dict[int, int],
    ) -> None:
        """Put the items both hold in the framework's order when only it reordered them."""
        kept = [i for i in sorted(to_ours, key=to_ours.__getitem__) if i in to_theirs]
        theirs_order = sorted(kept, key=to_theirs.__getitem__)
        if kept == sorted(kept) and theirs_order != kept:
            slots = [n for n, (tag, _) in enumerate(result) if tag[0] == "base" and tag[1] in kept]
            entries = {result[n][0][1]: result[n] for n in slots}
            for n, i in zip(slots, theirs_order, strict=True):
                result[n] = entries[i]

    def _add_theirs(
        self,
        result: list[tuple[tuple[str, int], Any]],
        theirs: list[Any],
        to_theirs: dict[int, int],
        location: Location,
        pattern: str,
    ) -> None:
        """Insert the framework's new items after the item each follows in the framework."""
        from_theirs = {j: i for i, j in to_theirs.items()}
        added = [j for j in range(len(theirs)) if j not in from_theirs]
        if not added:
            return
        ours_added = [n for n, (tag, _) in enumerate(result) if tag[0] == "ours"]
        twin = align(pattern, [theirs[j] for j in added], [result[n][1] for n in ours_added])
        twins = {added[a]: ours_added[b] for a, b in (*twin.pairs, *twin.moved)}
        theirs_labels = labels(pattern, theirs)
        for j in added:
            if j in twins:  # both added it: one copy, or a conflict where they differ
                n = twins[j]
                here = (*location, Item(theirs_labels[j]))
                mine = self.value(None, theirs[j], result[n][1], here, pattern + "[]")
                result[n] = (("theirs", j), mine)
                continue
            position = 0
            for before in range(j - 1, -1, -1):
                tag = ("base", from_theirs[before]) if before in from_theirs else ("theirs", before)
                found = next((n for n, (t, _) in enumerate(result) if t == tag), None)
                if found is not None:
                    position = found + 1
                    break
            result.insert(position, (("theirs", j), theirs[j]))


def _pairs(alignment: Alignment) -> dict[int, int]:
    return {i: j for i, j in (*alignment.pairs, *alignment.moved)}
