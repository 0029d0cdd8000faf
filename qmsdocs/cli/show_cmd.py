"""``qms show``: one document, readable, or as JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from qmsdocs.cli.context import DATE, AppContext, emit_json
from qmsdocs.errors import DocumentNotFound
from qmsdocs.history import Action
from qmsdocs.i18n import N_, _, current_language
from qmsdocs.lifecycle import KIND_WORDS, MEANING_WORDS, DocumentState
from qmsdocs.model import Document, LegalDocument, Objectives, Policy, Procedure, Status
from qmsdocs.repository import Repository


@click.command()
@click.argument("code")
@click.option("--as-of", "as_of", type=DATE, default=None, help="The day to compute the state for.")
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
@click.pass_obj
def show(app: AppContext, code: str, as_of: dt.date | None, as_json: bool) -> int:
    """Show a document by code (QT-01), a revision (QT-01@2), or a legal document by number.

    With --as-of, show the revision that was in force on that day.
    """
    repo = app.repository()
    day = as_of or dt.date.today()
    base, _at, rev = code.rpartition("@") if "@" in code else (code, "", "")
    document: Document | LegalDocument | None
    returned: Action | None = None
    if rev:
        if not rev.isdigit():
            raise click.BadParameter(
                _("{rev!r} is not a revision number").format(rev=rev), param_hint="CODE@REV"
            )
        document = repo.revision(base, int(rev))
        state = _("revision {rev}").format(rev=rev)
    elif base in repo:
        document = repo.in_force(base, as_of) if as_of else repo.document(base)
        if document is None:
            state_now = repo.state_on(base, day)[0]
            raise DocumentNotFound(
                _("no revision of {code} was in force on {date} ({state})").format(
                    code=base, date=f"{day:%d/%m/%Y}", state=word(state_now.value)
                ),
                code=base,
            )
        state, returned = _state_of_shown(repo, document, day)
    elif repo.legal.get(base) is not None:
        document = repo.legal_document(base)
        state = repo.legal.status_on(document, day).value
    else:
        raise repo.not_found(
            code, _("no document or legal document {code!r}; see 'qms list'").format(code=code)
        )
    if as_json:
        data = document.model_dump(mode="json", by_alias=True, exclude_none=True)
        emit_json({"file": repo.file_of(base), "state": state, "as_of": day.isoformat(), **data})
        return 0
    app.console.print(render(document, state=state, day=day, local=repo.config.local))
    if returned is not None:
        app.console.print(
            Text(
                _("Returned on {date} ({name}): {comment}").format(
                    date=f"{repo.config.local(returned.when):%d/%m/%Y}",
                    name=returned.author_name,
                    comment=returned.reason or "",
                ),
                style="bold",
            )
        )
    return 0


def _state_of_shown(
    repo: Repository, document: Document, day: dt.date
) -> tuple[str, Action | None]:
    """Return the state of the revision shown (not of the one in force beside it), and the
    rejection that returned it to draft, if that is why it is a draft."""
    state, in_force = repo.state_on(document.code, day)
    if document.revision == in_force:
        return state.value, None
    if document.status is Status.APPROVED:
        return DocumentState.PENDING.value, None
    if document.status is Status.DRAFT:
        last = next(reversed(repo.actions(code=document.code)), None)
        if last is not None and last.action == "reject" and last.revision == document.revision:
            return "returned", last
    return document.status.value, None


#: The words for the states, statuses, relations and signature meanings that show prints.
_WORDS = {
    "draft": N_("draft"),
    "returned": N_("returned"),
    "in_review": N_("in review"),
    "approved": N_("approved"),
    "pending": N_("approved, not yet effective"),
    "effective": N_("effective"),
    "superseded": N_("superseded"),
    "withdrawn": N_("withdrawn"),
    "in_force": N_("in force"),
    "not_yet_in_force": N_("not yet in force"),
    "partly_expired": N_("partly expired"),
    "expired": N_("expired"),
    "amends": N_("amends"),
    "replaces": N_("replaces"),
    "repeals": N_("repeals"),
    "corrects": N_("corrects"),
    "guides": N_("guides"),
}
#: The columns of the signature grid (Soạn thảo, Xem xét, Phê duyệt).
_MEANINGS = MEANING_WORDS


def word(value: str) -> str:
    """Return how *value* (a state, status, relation, kind or meaning id) reads to a person."""
    if value in _WORDS:
        return _(_WORDS[value])
    return _(KIND_WORDS[value]) if value in KIND_WORDS else value


def _table(*columns: str) -> Table:
    table = Table(show_header=True, expand=False)
    for column in columns:
        table.add_column(_(column), overflow="fold")
    return table


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M %z}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, list):
        return "; ".join(_fmt(v) for v in value)
    return str(value)


def _lines(items: list[str]) -> str:
    """Return list items one per line (a bullet each when there are several)."""
    if len(items) <= 1:
        return "".join(items)
    return "\n".join(f"• {item}" for item in items)


def render(
    document: Document | LegalDocument,
    *,
    state: str,
    day: dt.date,
    local: Callable[[dt.datetime], dt.datetime] = lambda moment: moment,
) -> RenderableType:
    """Return a readable rendering of *document* for a terminal (times through *local*)."""
    parts: list[RenderableType] = []
    if isinstance(document, LegalDocument):
        parts.append(Text(f"{document.number}: {document.title}", style="bold"))
        parts.append(
            Text(
                _(
                    "{type}, {issuer}; issued {issued}, in force from {effective}; on {day}: {state}"
                ).format(
                    type=document.type.label(current_language()),
                    issuer=document.issuer,
                    issued=_fmt(document.issued),
                    effective=_fmt(document.in_force_from),
                    day=f"{day:%d/%m/%Y}",
                    state=word(state),
                )
            )
        )
        if document.relations:
            table = _table(N_("Relation"), N_("Document"), N_("Articles"), N_("From"))
            for r in document.relations:
                table.add_row(word(r.type.value), r.target, _fmt(r.articles), _fmt(r.effective))
            parts.append(table)
        return Group(*parts)
    parts.append(Text(f"{document.code}: {document.title}", style="bold"))
    parts.append(
        Text(
            _(
                "Revision {revision} · {status} · issued {issued} · effective {effective} · "
                "on {day}: {state}"
            ).format(
                revision=document.revision,
                status=word(document.status.value),
                issued=_fmt(document.issued_date) or "—",
                effective=_fmt(document.effective_date) or "—",
                day=f"{day:%d/%m/%Y}",
                state=word(state),
            )
        )
    )
    if document.legal_basis and not isinstance(document, Procedure):
        parts.append(Text(_("Legal basis"), style="bold"))
        for ref in document.legal_basis:
            parts.append(
                Text("  - " + ", ".join(x for x in (ref.ref, ref.article, ref.clause) if x))
            )
    if isinstance(document, Procedure):
        parts += _procedure(document)
    elif isinstance(document, Policy):
        parts.append(Text(document.statement))
        parts += [Text(f"  - {c}") for c in document.commitments]
    elif isinstance(document, Objectives):
        table = _table(N_("Objective"), N_("Target"), N_("Result"), N_("Achieved"))
        for o in document.objectives:
            last = o.results[-1].text if o.results else ""
            achieved = {True: _("Achieved"), False: _("Not achieved"), None: ""}[o.achieved]
            table.add_row(f"{o.id}. {o.statement}", o.target, last, achieved)
        parts.append(table)
    else:
        parts.append(
            Text(
                _("Procedure: {code}. {description}").format(
                    code=document.procedure, description=document.description or ""
                )
            )
        )
    if document.history:
        table = _table(N_("Rev."), N_("Date"), N_("Change"))
        for h in document.history:
            table.add_row(str(h.revision), _fmt(h.date), h.description)
        parts.append(Text(_("Change history"), style="bold"))
        parts.append(table)
    if document.approvals:
        table = _table(N_("Signed as"), N_("Name"), N_("Position"), N_("Time"))
        for s in document.approvals:
            table.add_row(_(_MEANINGS[s.meaning]), s.name, s.title, _fmt(local(s.signed_at)))
        parts.append(table)
    return Group(*parts)


def _procedure(document: Procedure) -> list[RenderableType]:
    parts: list[RenderableType] = [
        Text(_("1. Purpose"), style="bold"),
        Text(document.purpose),
        Text(_("2. Scope"), style="bold"),
        Text(document.scope),
    ]
    if document.references or document.legal_basis:
        parts.append(Text(_("3. References"), style="bold"))
        parts += [Text(f"  - {r}") for r in document.references]
        parts += [
            Text("  - " + ", ".join(x for x in (ref.ref, ref.article, ref.clause) if x))
            for ref in document.legal_basis
        ]
    if document.definitions:
        parts.append(Text(_("4. Definitions and abbreviations"), style="bold"))
        parts += [Text(f"  - {d.term}: {d.meaning}") for d in document.definitions]
    if document.responsibilities:
        parts += [Text(_("Responsibilities"), style="bold"), Text(document.responsibilities)]
    if document.tthc:
        t = document.tthc
        parts.append(Text(_("Administrative procedure"), style="bold"))
        table = _table(N_("Item"), N_("Content"))
        for label, value in (
            (N_("TTHC code"), t.code),
            (N_("Name"), t.name),
            (N_("Field"), t.field),
            (N_("Methods"), _lines(t.methods)),
            (N_("Conditions"), _lines(t.conditions)),
            (
                N_("Dossier"),
                _lines(
                    [
                        _("{name} ({originals} original, {copies} copies)").format(
                            name=d.name, originals=d.originals, copies=d.copies
                        )
                        for d in t.dossier
                    ]
                ),
            ),
            (N_("Number of dossiers"), _("{sets:02d} set(s)").format(sets=t.dossier_sets)),
            (N_("Time limit"), t.time_limit),
            (N_("Subjects"), _lines(t.subjects)),
            (N_("Implementing agency"), t.implementing_agency),
            (N_("Coordinating agencies"), _lines(t.coordinating_agencies)),
            (N_("Fees and charges"), _lines([f"{f.name}: {f.amount}" for f in t.fees])),
            (N_("Result"), t.result),
            (N_("Place of receipt"), t.place_of_receipt),
        ):
            table.add_row(_(label), value)
        parts.append(table)
    steps = _table(N_("Step"), N_("Action"), N_("Responsible"), N_("Time"), N_("Forms/Result"))
    for s in document.steps:
        steps.add_row(
            str(s.no),
            s.action,
            s.responsible,
            s.time or "",
            _lines([*s.forms, *([s.result] if s.result else [])]),
        )
    parts += [Text(_("5. Procedure"), style="bold"), steps]
    if document.forms:
        parts.append(Text(_("6. Forms: {forms}").format(forms=", ".join(document.forms))))
    if document.records:
        records = _table(N_("Record"), N_("Kept by"), N_("Retention"))
        for r in document.records:
            records.add_row(r.name, r.keeper, r.retention)
        parts += [Text(_("7. Records to keep"), style="bold"), records]
    return parts
