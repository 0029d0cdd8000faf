"""Diffs for people: plain text (with styles a terminal may colour) and a standalone HTML page.

Text lines are lists of spans ``(text, style)``; joining the texts gives the plain line, and
a terminal can map the style names (``title``, ``heading``, ``added``, ``removed``,
``changed``, ``moved``, ``insert``, ``delete``, ``muted``) to colours. Word changes are
marked the way ``git diff --word-diff=plain`` marks them, ``[-deleted-]{+inserted+}``, so
that the text reads the same without colours. The HTML page is one file with inline CSS,
every value escaped, nothing fetched.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from qmsdocs.diff import (
    Change,
    DocumentDiff,
    Item,
    Location,
    Op,
    QmsDiff,
    Segment,
    SegmentOp,
    Version,
    tokenize,
)
from qmsdocs.i18n import NC_, translate

__all__ = [
    "Line",
    "Span",
    "render_html",
    "render_lines",
    "render_qms_lines",
    "readable_path",
    "render_text",
    "summary",
]

#: A piece of a line and the name of its style ("" for none).
Span = tuple[str, str]
#: One line of text.
Line = list[Span]

_LABELS = {
    "status_draft": NC_("document", "a draft"),
    "status_in_review": NC_("document", "in review"),
    "status_approved": NC_("document", "approved"),
    "status_withdrawn": NC_("document", "withdrawn"),
    "legal_not_yet_in_force": NC_("document", "Not yet in force"),
    "legal_in_force": NC_("document", "In force"),
    "legal_partly_expired": NC_("document", "Partly expired"),
    "legal_expired": NC_("document", "Expired"),
    "revision": NC_("document", "revision {n}"),
    "effective": NC_("document", "effective {date}"),
    "content": NC_("document", "Content"),
    "workflow": NC_("document", "Workflow (revision, status, signatures, dates)"),
    "none": NC_("document", "No changes."),
    "count": NC_("document", "{n} changes"),
    "moved": NC_("document", "moved from position {old} to position {new}"),
    "added": NC_("document", "added"),
    "removed": NC_("document", "removed"),
    "changed": NC_("document", "changed"),
    "move": NC_("document", "moved"),
    "col_op": NC_("document", "Change"),
    "col_path": NC_("document", "Where"),
    "col_old": NC_("document", "Before"),
    "col_new": NC_("document", "After"),
    "qms_title": NC_("document", "Quality management system from {since} to {until}"),
    "documents": NC_("document", "Documents"),
    "legal": NC_("document", "Legal documents"),
    "doc_added": NC_("document", "issued"),
    "doc_revised": NC_("document", "revised"),
    "doc_withdrawn": NC_("document", "withdrawn"),
    "doc_replaced": NC_("document", "replaced"),
    "doc_removed": NC_("document", "no longer listed"),
    "doc_changed": NC_("document", "state changed"),
    "legal_added": NC_("document", "issued"),
    "legal_status_changed": NC_("document", "status changed"),
    "by": NC_("document", "by {code}"),
}
#: The fields of a document as a person names them in a diff (the JSON keeps the ids).
_FIELDS = {
    "title": NC_("document", "Title"),
    "purpose": NC_("document", "Purpose"),
    "scope": NC_("document", "Scope"),
    "references": NC_("document", "References"),
    "definitions": NC_("document", "Definitions"),
    "responsibilities": NC_("document", "Responsibilities"),
    "steps": NC_("document", "Step"),
    "action": NC_("document", "Task"),
    "responsible": NC_("document", "Responsible"),
    "time": NC_("document", "Time"),
    "forms": NC_("document", "Forms"),
    "records": NC_("document", "Records to keep"),
    "legal_basis": NC_("document", "Legal basis"),
    "methods": NC_("document", "How to apply"),
    "conditions": NC_("document", "Requirements and conditions"),
    "dossier": NC_("document", "Dossier components"),
    "time_limit": NC_("document", "Time limit"),
    "subjects": NC_("document", "Applicants"),
    "implementing_agency": NC_("document", "Implementing agency"),
    "coordinating_agencies": NC_("document", "Coordinating agencies"),
    "fees": NC_("document", "Fees and charges"),
    "result": NC_("document", "Result of processing"),
    "place_of_receipt": NC_("document", "Place of receipt and return of results"),
    "history": NC_("document", "Change history"),
    "approvals": NC_("document", "Signatures"),
    "person": NC_("document", "Person"),
    "name": NC_("document", "Name"),
    "role": NC_("document", "Role"),
    "signed_at": NC_("document", "Signed at"),
    "stamp": NC_("document", "Content stamp"),
    "revision": NC_("document", "Revision"),
    "issued_date": NC_("document", "Issued"),
    "effective_date": NC_("document", "Effective date"),
    "status": NC_("document", "Status"),
    "unit": NC_("document", "Owning unit"),
    "note": NC_("document", "Note"),
    "article": NC_("document", "Article"),
    "clause": NC_("document", "Clause"),
    "description": NC_("document", "Description of change"),
    "reason": NC_("document", "Reason"),
    "date": NC_("document", "Date"),
    "statement": NC_("document", "Policy statement"),
    "commitments": NC_("document", "Commitments"),
    "posted_at": NC_("document", "Posted at"),
    "posted_on": NC_("document", "Posted on"),
    "objectives": NC_("document", "Objective"),
    "indicator": NC_("document", "Indicator"),
    "target": NC_("document", "Target"),
    "plan": NC_("document", "Implementation plan"),
    "results": NC_("document", "Measured results"),
    "periodic_reviews": NC_("document", "Periodic reviews"),
    "withdrawal": NC_("document", "Withdrawal"),
    "supersedes": NC_("document", "Supersedes"),
    "procedure": NC_("document", "Used by procedure"),
    "amount": NC_("document", "Amount"),
    "basis": NC_("document", "Basis"),
    "originals": NC_("document", "Originals"),
    "copies": NC_("document", "Copies"),
    "form": NC_("document", "Form"),
    "keeper": NC_("document", "Kept by"),
    "retention": NC_("document", "Retention"),
    "term": NC_("document", "Term or abbreviation"),
    "meaning": NC_("document", "Meaning"),
    "code": NC_("document", "Code"),
    "category": NC_("document", "Category"),
    "period_start": NC_("document", "From"),
    "period_end": NC_("document", "Until"),
    "replaced_by": NC_("document", "Replaced by"),
    "as_of": NC_("document", "Date"),
}
#: Fields named otherwise inside a list: a signature's title is the signer's position.
_FIELDS_IN = {
    ("approvals", "title"): NC_("document", "Position"),
    ("tthc", "code"): NC_("document", "Administrative procedure code"),
    ("tthc", "name"): NC_("document", "Administrative procedure"),
}
#: List items named by an id a person would not read as is.
_ITEMS = {
    "authored": NC_("document", "Prepared by"),
    "reviewed": NC_("document", "Reviewed by"),
    "approved": NC_("document", "Approved by"),
}
_SIGN = {Op.ADDED: "+", Op.REMOVED: "-", Op.CHANGED: "~", Op.MOVED: ">"}
_STYLE = {Op.ADDED: "added", Op.REMOVED: "removed", Op.CHANGED: "changed", Op.MOVED: "moved"}
_OP_LABEL = {Op.ADDED: "added", Op.REMOVED: "removed", Op.CHANGED: "changed", Op.MOVED: "move"}
_MAX_VALUE = 200


def readable_path(location: Location, language: str) -> str:
    """Return where a change is as a person reads it: "Bước 2 – Thời gian" for ``steps[2].time``.

    Fields are named by the printed labels of *language*; a list item by its number or key
    (a step's number, a legal number, Soạn thảo for ``authored``). ``Change.path`` keeps the
    machine form for scripts.
    """
    out: list[str] = []
    top = location[0] if location else ""
    for part in location:
        if isinstance(part, Item):
            key = str(part.key)
            if key in _ITEMS:  # Soạn thảo says more than "Chữ ký Soạn thảo"
                out[-1:] = [translate(language, _ITEMS[key], "document")]
            elif out:
                out[-1] += " " + key
            else:
                out.append(key)
        elif part != "tthc":
            name = _FIELDS_IN.get((str(top), part)) or _FIELDS.get(part)
            out.append(translate(language, name, "document") if name else part)
    return " – ".join(out)


@functools.cache
def _labels(language: str) -> Mapping[str, str]:
    return MappingProxyType({k: translate(language, v, "document") for k, v in _LABELS.items()})


def _date(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def summary(value: Any) -> str:
    """Return a JSON-ready value as one line: an item's texts joined with `` · ``."""
    if value is None:
        return ""
    if isinstance(value, dict):
        parts = [summary(v) for k, v in value.items() if k != "no"]
        return " · ".join(p for p in parts if p)
    if isinstance(value, list):
        return ", ".join(summary(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return " ".join(str(value).split())


def _short(text: str, limit: int = _MAX_VALUE) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _elide(text: str, *, head: bool, tail: bool, words: int) -> str:
    """Return an unchanged stretch keeping *words* words at its start and/or end."""
    tokens = tokenize(text)
    if not head and not tail:
        return text
    if words <= 0:
        return "…"
    positions = [n for n, t in enumerate(tokens) if any(c.isalnum() for c in t)]
    if len(positions) <= words * (int(head) + int(tail)):
        return text
    start = "".join(tokens[: positions[words - 1] + 1]) if head else ""
    end = "".join(tokens[positions[-words] :]) if tail else ""
    # The spaces next to the change stay: they belong to the text around it.
    return f"{start} … {end}" if start and end else f"{start} …" if start else f"… {end}"


def _word_spans(segments: Sequence[Segment], context: int) -> Line:
    out: Line = []
    for n, segment in enumerate(segments):
        if segment.op is SegmentOp.EQUAL:
            text = segment.text
            if context >= 0:
                text = _elide(text, head=n > 0, tail=n < len(segments) - 1, words=context)
            out.append((text, ""))
        elif segment.op is SegmentOp.DELETE:
            out.append((f"[-{segment.text}-]", "delete"))
        else:
            out.append((f"{{+{segment.text}+}}", "insert"))
    return [(" ".join(t.split("\n")), s) for t, s in out]


def _named(changes: Sequence[Change], people: Mapping[str, str] | None) -> list[Change]:
    """Return *changes* with a signer's id shown as the person's name (when *people* knows it)."""
    if not people:
        return list(changes)
    out = []
    for change in changes:
        if change.location and change.location[-1] == "person":
            change = dataclasses.replace(
                change,
                old=people.get(change.old, change.old)
                if isinstance(change.old, str)
                else change.old,
                new=people.get(change.new, change.new)
                if isinstance(change.new, str)
                else change.new,
                words=(),
            )
        out.append(change)
    return out


def _change_line(change: Change, labels: Mapping[str, str], context: int, language: str) -> Line:
    style = _STYLE[change.op]
    line: Line = [
        (f"  {_SIGN[change.op]} ", style),
        (readable_path(change.location, language), "path"),
        (": ", ""),
    ]
    if change.op is Op.MOVED:
        line.append(
            (labels["moved"].format(old=change.old_position, new=change.new_position), style)
        )
        line.append((f" ({_short(summary(change.new), 80)})", "muted"))
    elif change.words:
        line += _word_spans(change.words, context)
    elif change.op is Op.ADDED:
        line.append((_short(summary(change.new)), "insert"))
    elif change.op is Op.REMOVED:
        line.append((_short(summary(change.old)), "delete"))
    else:
        line += [
            (_short(summary(change.old)), "delete"),
            (" → ", ""),
            (_short(summary(change.new)), "insert"),
        ]
    return line


def _version(version: Version, labels: Mapping[str, str]) -> str:
    status = labels.get(f"status_{version.status}", version.status)
    text = labels["revision"].format(n=version.revision) + f" ({status}"
    if version.effective_date:
        text += ", " + labels["effective"].format(date=_date(version.effective_date))
    return text + ")"


def render_lines(
    result: DocumentDiff,
    *,
    language: str = "vi",
    context: int = 8,
    workflow: bool = True,
    people: Mapping[str, str] | None = None,
) -> list[Line]:
    """Return the diff as lines of styled spans: content changes first, then workflow ones.

    Unchanged text around a word change is cut to *context* words on each side (all of it
    when *context* is negative). With *workflow* False the workflow changes are left out.
    *people* maps the ids of qms.yaml to names, so that a signer reads as a person.
    """
    labels = _labels(language)
    lines: list[Line] = [
        [(f"{result.code}: {result.new.title}", "title")],
        [
            (_version(result.old, labels), "muted"),
            (" → ", "muted"),
            (_version(result.new, labels), "muted"),
        ],
    ]
    if not result.changes:
        lines.append([(labels["none"], "")])
        return lines
    groups = [("content", result.content_changes)]
    if workflow:
        groups.append(("workflow", result.workflow_changes))
    for name, changes in groups:
        count = labels["count"].format(n=len(changes))
        lines.append([(f"{labels[name]} ({count})", "heading")])
        if not changes:
            lines.append([("  " + labels["none"], "muted")])
        lines += [_change_line(c, labels, context, language) for c in _named(changes, people)]
    return lines


def render_text(
    result: DocumentDiff,
    *,
    language: str = "vi",
    context: int = 8,
    workflow: bool = True,
    people: Mapping[str, str] | None = None,
) -> str:
    """Return the diff as plain text, one change a line (see :func:`render_lines`)."""
    lines = render_lines(
        result, language=language, context=context, workflow=workflow, people=people
    )
    return "\n".join("".join(text for text, _ in line) for line in lines) + "\n"


def render_qms_lines(result: QmsDiff, *, language: str = "vi") -> list[Line]:
    """Return what changed in the QMS between two days as lines of styled spans."""
    labels = _labels(language)
    lines: list[Line] = [
        [
            (
                labels["qms_title"].format(since=_date(result.since), until=_date(result.until)),
                "title",
            )
        ]
    ]
    styles = {
        "added": "added",
        "revised": "changed",
        "withdrawn": "removed",
        "replaced": "removed",
        "removed": "removed",
        "changed": "moved",
    }
    lines.append([(f"{labels['documents']} ({len(result.documents)})", "heading")])
    if not result.documents:
        lines.append([("  " + labels["none"], "muted")])
    for d in result.documents:
        style = styles.get(d.change, "")
        line: Line = [
            (f"  {d.code}", "path"),
            (f" {labels['doc_' + d.change]}", style),
        ]
        if d.change == "revised":
            line.append((f" {d.old_revision} → {d.new_revision}", style))
        elif d.change == "changed":
            line.append((f" {d.old_state or '—'} → {d.new_state}", style))
        if d.replaced_by:
            line.append((" " + labels["by"].format(code=d.replaced_by), style))
        line.append((f": {d.title}", ""))
        lines.append(line)
        lines += [[("      " + _short(r), "muted")] for r in d.reasons]
    lines.append([(f"{labels['legal']} ({len(result.legal)})", "heading")])
    if not result.legal:
        lines.append([("  " + labels["none"], "muted")])
    for item in result.legal:
        old, new = (labels.get(f"legal_{s}", s or "") for s in (item.old_status, item.new_status))
        change = (
            f" {labels['legal_added']} ({new})"
            if item.change == "added"
            else f" {labels['legal_status_changed']}: {old} → {new}"
        )
        lines.append(
            [
                (f"  {item.number}", "path"),
                (change, "added" if item.change == "added" else "changed"),
                (f": {item.title}", ""),
            ]
        )
    return lines


# -- HTML ------------------------------------------------------------------------------

_CSS = """
body { font-family: "Times New Roman", serif; margin: 2em auto; max-width: 60em;
       color: #111; line-height: 1.45; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #999; }
p.versions { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
th { background: #eee; }
td { overflow-wrap: anywhere; }
td.op { white-space: nowrap; font-weight: bold; overflow-wrap: normal; }
tr.added td.op { color: #176f2c; }
tr.removed td.op { color: #a3161b; }
tr.changed td.op { color: #8a5a00; }
tr.moved td.op { color: #1d4f91; }
code { font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: 0.9em; }
ins { background: #d7f5dd; text-decoration: none; }
del { background: #fadadd; }
.muted { color: #666; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _segments_html(segments: Sequence[Segment]) -> str:
    out = []
    for segment in segments:
        text = _e(segment.text).replace("\n", "<br>")
        if segment.op is SegmentOp.EQUAL:
            out.append(text)
        elif segment.op is SegmentOp.DELETE:
            out.append(f"<del>{text}</del>")
        else:
            out.append(f"<ins>{text}</ins>")
    return "".join(out)


def _row_html(change: Change, labels: Mapping[str, str], language: str) -> str:
    op = _e(labels[_OP_LABEL[change.op]])
    cells = f'<td class="op">{op}</td><td>{_e(readable_path(change.location, language))}</td>'
    if change.op is Op.MOVED:
        moved = labels["moved"].format(old=change.old_position, new=change.new_position)
        cells += (
            f'<td colspan="2">{_e(moved)} <span class="muted">{_e(summary(change.new))}</span></td>'
        )
    elif change.words:
        cells += f'<td colspan="2">{_segments_html(change.words)}</td>'
    else:
        old = f"<del>{_e(summary(change.old))}</del>" if change.old is not None else ""
        new = f"<ins>{_e(summary(change.new))}</ins>" if change.new is not None else ""
        cells += f"<td>{old}</td><td>{new}</td>"
    return f'<tr class="{_STYLE[change.op]}">{cells}</tr>'


def render_html(
    result: DocumentDiff, *, language: str = "vi", people: Mapping[str, str] | None = None
) -> str:
    """Return the diff as a standalone HTML page (inline CSS, every value escaped).

    *people* maps the ids of qms.yaml to names, as for :func:`render_lines`.
    """
    labels = _labels(language)
    title = f"{result.code}: {result.new.title}"
    versions = f"{_version(result.old, labels)} → {_version(result.new, labels)}"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(language)}">',
        '<head><meta charset="utf-8">',
        '<meta name="generator" content="qmsdocs">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style></head>",
        "<body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="versions">{_e(versions)}</p>',
    ]
    for name, changes in (
        ("content", result.content_changes),
        ("workflow", result.workflow_changes),
    ):
        count = labels["count"].format(n=len(changes))
        parts.append(f"<h2>{_e(labels[name])} ({_e(count)})</h2>")
        if not changes:
            parts.append(f'<p class="muted">{_e(labels["none"])}</p>')
            continue
        parts.append(
            "<table><thead><tr>"
            + "".join(
                f"<th>{_e(labels[c])}</th>" for c in ("col_op", "col_path", "col_old", "col_new")
            )
            + "</tr></thead><tbody>"
        )
        parts += [_row_html(c, labels, language) for c in _named(changes, people)]
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
