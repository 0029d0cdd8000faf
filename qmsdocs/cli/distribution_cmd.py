"""Controlled copies: ``qms distribution`` (the register) and ``qms recall`` (what to collect)."""

from __future__ import annotations

import datetime as dt

import click
from rich.table import Table

from qmsdocs.cli.context import (
    DATE,
    AppContext,
    acting_person,
    action_options,
    emit_json,
    now,
    report,
)
from qmsdocs.distribution import CopyState, CopyStatus, distribution, recall, return_copy
from qmsdocs.i18n import N_, _

STATE_LABELS = {
    CopyState.CURRENT: N_("In force"),
    CopyState.PENDING: N_("Not yet effective"),
    CopyState.TO_RECALL: N_("To recall"),
    CopyState.RETURNED: N_("Returned"),
}


def _d(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _state(copy: CopyStatus) -> str:
    label = _(STATE_LABELS[copy.state])
    if copy.state is CopyState.RETURNED:
        return _("{state} on {date}").format(state=label, date=_d(copy.returned_on))
    if copy.state is CopyState.TO_RECALL:
        if copy.document_state is None:
            why = _("the document is no longer in the system")
        elif copy.in_force is not None:
            why = _("in force: revision {revision}").format(revision=copy.in_force)
        elif copy.document_state.value == "withdrawn":
            why = _("the document was withdrawn")
        elif copy.document_state.value == "superseded":
            why = _("the document was superseded")
        else:
            why = copy.document_state.value
        return f"{label} ({why})"
    return label


def _table(app: AppContext, copies: list[CopyStatus], title: str) -> None:
    table = Table(title=title)
    for column in (N_("Code"), N_("Rev."), N_("Copy"), N_("Holder"), N_("Issued"), N_("State")):
        table.add_column(_(column), overflow="fold")
    for copy in copies:
        table.add_row(
            copy.code,
            str(copy.revision),
            str(copy.copy_number),
            copy.holder,
            _d(copy.issued_on),
            _state(copy),
        )
    app.console.print(table)


@click.command("distribution")
@click.option("--as-of", type=DATE, help="The register as it stood on this day (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the register as JSON.")
@click.pass_obj
def distribution_command(app: AppContext, as_of: dt.date | None, as_json: bool) -> int:
    """The register of controlled copies: who holds which revision (sổ phân phối)."""
    day = as_of or now().date()
    copies = distribution(app.repository(), on=day)
    if as_json:
        emit_json({"as_of": day.isoformat(), "copies": [c.to_dict() for c in copies]})
        return 0
    if not copies:
        click.echo(
            _("No controlled copy had been issued by {date}.").format(date=f"{day:%d/%m/%Y}")
        )
        return 0
    _table(app, copies, _("Register of controlled copies ({date})").format(date=f"{day:%d/%m/%Y}"))
    out = sum(1 for c in copies if c.state is not CopyState.RETURNED)
    recalls = sum(1 for c in copies if c.state is CopyState.TO_RECALL)
    click.echo(
        _("{count} copies issued, {out} still out, {recalls} to recall.").format(
            count=len(copies), out=out, recalls=recalls
        )
    )
    return 0


@click.command("recall")
@click.option("--as-of", type=DATE, help="What was to collect on this day (default: today).")
@click.option(
    "--return",
    "to_return",
    nargs=3,
    type=(str, int, int),
    default=None,
    metavar="CODE REV COPY",
    help="Record that this copy came back today (one commit).",
)
@action_options
def recall_command(
    app: AppContext,
    as_of: dt.date | None,
    to_return: tuple[str, int, int] | None,
    as_person: str | None,
    as_json: bool,
) -> int:
    """Controlled copies of obsolete revisions still out (thu hồi tài liệu lỗi thời).

    Exit code 1 when there is a copy to collect, so a script can act on it. With --return,
    record that a copy came back.
    """
    if to_return is not None:
        if as_of is not None:
            raise click.UsageError(_("--as-of cannot be used with --return (it records today)"))
        code, revision, copy_number = to_return
        by = acting_person(app, as_person)
        result = return_copy(app.repository(), code, revision, copy_number, by=by, now=now())
        return report(result, as_json)
    day = as_of or now().date()
    copies = recall(app.repository(), on=day)
    if as_json:
        emit_json({"as_of": day.isoformat(), "to_recall": [c.to_dict() for c in copies]})
        return 1 if copies else 0
    if not copies:
        click.echo(_("No controlled copy to recall as of {date}.").format(date=f"{day:%d/%m/%Y}"))
        return 0
    _table(app, copies, _("Controlled copies to recall ({date})").format(date=f"{day:%d/%m/%Y}"))
    click.echo(
        _(
            "{count} copy(ies) to recall. Record each return with "
            "'qms recall --return CODE REV COPY'."
        ).format(count=len(copies))
    )
    return 1


COMMANDS = [distribution_command, recall_command]
