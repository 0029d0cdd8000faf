"""``qms list``: the document list, what is in force on a day."""

from __future__ import annotations

import datetime as dt

import click
from rich.table import Table

from qmsdocs.cli.choices import KIND, STATE
from qmsdocs.cli.context import DATE, AppContext, acting_person, emit_json
from qmsdocs.cli.show_cmd import word
from qmsdocs.findings import Severity
from qmsdocs.i18n import N_, _
from qmsdocs.model import DocumentKind
from qmsdocs.repository import WorkingRevision

_KINDS = [k.value for k in DocumentKind if k is not DocumentKind.LEGAL]


def working_text(working: WorkingRevision) -> str:
    """Return the revision being worked on as an officer reads it: "Lần 4: đang xem xét"."""
    text = _(_WORKING_WORDS[working.state])
    if working.state == "returned" and working.comment:
        text += f" – {working.comment}"
    if working.state == "pending" and working.effective_date:
        text += " – " + _("effective from {date}").format(date=f"{working.effective_date:%d/%m/%Y}")
    return _("Revision {revision}: {state}").format(revision=working.revision, state=text)


_WORKING_WORDS = {
    "draft": N_("draft"),
    "returned": N_("returned"),
    "in_review": N_("in review"),
    "pending": N_("approved"),
}


@click.command("list")
@click.option("--kind", "kinds", multiple=True, type=KIND, help="Only this kind (repeatable).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=STATE,
    help="Only documents in this state on the day (repeatable).",
)
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
    default=None,
    help="The day to compute states for (default: today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_obj
def list_documents(
    app: AppContext,
    kinds: tuple[str, ...],
    statuses: tuple[str, ...],
    as_of: dt.date | None,
    as_json: bool,
) -> int:
    """List the controlled documents: code, title, kind, revision, state, effective date."""
    repo = app.repository()
    day = as_of or dt.date.today()
    rows = repo.summaries(on=day, kinds=kinds, statuses=statuses)
    if as_json:
        emit_json({"as_of": day.isoformat(), "documents": [r.to_dict() for r in rows]})
        return 0
    table = Table(
        title=_("{agency}: documents on {date}").format(
            agency=repo.config.organization.name, date=f"{day:%d/%m/%Y}"
        )
    )
    columns = (
        N_("Code"), N_("Title"), N_("Kind"), N_("Rev."), N_("State"), N_("Effective"),
        N_("In progress"),
    )  # fmt: skip
    for column in columns:
        table.add_column(_(column), overflow="fold")
    for row in rows:
        table.add_row(
            row.code,
            row.title,
            word(row.kind),
            str(row.revision),
            word(row.status),
            f"{row.effective_date:%d/%m/%Y}" if row.effective_date else "",
            working_text(row.working) if row.working else "",
        )
    app.console.print(table)
    unreadable = {f.file for f in repo.load_findings if f.severity is Severity.ERROR}
    if unreadable:
        click.echo(
            _("qms: {count} file(s) could not be read; run 'qms validate'").format(
                count=len(unreadable)
            ),
            err=True,
        )
    return 0


#: How each task reads at the desk.
_TASK_WORDS = {
    "revise_returned": N_("Revise the returned draft"),
    "finish_draft": N_("Finish the draft"),
    "review": N_("Review"),
    "approve": N_("Approve"),
    "periodic_review": N_("Periodic review"),
}


@click.command("status")
@click.option("--as", "as_person", metavar="PERSON", help="Whose desk (default: git's user.email).")
@click.option("--as-of", "as_of", type=DATE, default=None, help="The day (default: today).")
@click.option(
    "--within", type=click.IntRange(min=0), default=30, show_default=True,
    help="Periodic reviews due within this many days.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_obj
def status(
    app: AppContext, as_person: str | None, as_of: dt.date | None, within: int, as_json: bool
) -> int:
    """What is waiting for me: drafts I authored, revisions to review or approve, reviews due."""
    repo = app.repository()
    person = acting_person(app, as_person)
    day = as_of or dt.date.today()
    items = repo.waiting_for(person, on=day, within_days=within)
    if as_json:
        emit_json(
            {"person": person, "as_of": day.isoformat(), "waiting": [i.to_dict() for i in items]}
        )
        return 0
    found = repo.config.person(person)
    name = found.name if found else person
    if not items:
        click.echo(
            _("{name}: nothing is waiting on {date}").format(name=name, date=f"{day:%d/%m/%Y}")
        )
        return 0
    table = Table(title=_("Waiting for {name} on {date}").format(name=name, date=f"{day:%d/%m/%Y}"))
    for column in (N_("Task"), N_("Code"), N_("Title"), N_("Rev."), N_("Note")):
        table.add_column(_(column), overflow="fold")
    for item in items:
        due = _("due {date}").format(date=f"{item.due:%d/%m/%Y}") if item.due else ""
        note = item.comment or due
        table.add_row(_(_TASK_WORDS[item.task]), item.code, item.title, str(item.revision), note)
    app.console.print(table)
    return 0
