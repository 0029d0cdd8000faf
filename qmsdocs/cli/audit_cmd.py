"""Read commands for officers and auditors: ``qms history``, ``qms due``, ``qms verify``."""

from __future__ import annotations

import datetime as dt

import click
from rich.table import Table

from qmsdocs.cli.context import DATE, AppContext, emit_json
from qmsdocs.cli.show_cmd import word
from qmsdocs.findings import Severity
from qmsdocs.i18n import N_, _


def _d(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


@click.command()
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@click.pass_obj
def history(app: AppContext, code: str, as_json: bool) -> int:
    """Every issued revision of a document: dates, author, reviewer, approver, reason."""
    repo = app.repository()
    document = repo.document(code)
    records = repo.revision_history(code)
    if as_json:
        emit_json(
            {
                "code": document.code,
                "title": document.title,
                "revisions": [r.to_dict() for r in records],
            }
        )
        return 0
    table = Table(title=f"{document.code}: {document.title}")
    for column in (
        N_("Rev."),
        N_("Issued"),
        N_("Effective"),
        N_("Ended"),
        N_("Authored"),
        N_("Reviewed"),
        N_("Approved"),
        N_("Reason"),
    ):
        table.add_column(_(column), overflow="fold")
    for r in records:
        withdrawn = _("{date} (withdrawn)").format(date=_d(r.withdrawn)) if r.withdrawn else ""
        ended = _d(r.superseded) or withdrawn
        table.add_row(
            str(r.revision),
            _d(r.issued),
            _d(r.effective),
            ended,
            r.author or "",
            r.reviewer or "",
            r.approver or "",
            r.reason or "",
        )
    app.console.print(table)
    if not records:
        click.echo(
            _("{code} has no issued revision yet ({status}).").format(
                code=document.code, status=word(document.status.value)
            )
        )
    return 0


@click.command()
@click.option(
    "--within",
    "within",
    type=click.IntRange(min=0),
    default=0,
    help="Also list reviews due within this many days.",
)
@click.option(
    "--as-of", "as_of", type=DATE, default=None, help="The day to count from (default: today)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_obj
def due(app: AppContext, within: int, as_of: dt.date | None, as_json: bool) -> int:
    """Documents whose periodic review is due or overdue."""
    day = as_of or dt.date.today()
    items = app.repository().due(on=day, within_days=within)
    if as_json:
        emit_json(
            {"as_of": day.isoformat(), "within_days": within, "due": [i.to_dict() for i in items]}
        )
        return 0
    table = Table(title=_("Documents due for review on {date}").format(date=f"{day:%d/%m/%Y}"))
    for column in (
        N_("Code"),
        N_("Title"),
        N_("Rev."),
        N_("Last review"),
        N_("Due"),
        N_("Overdue (days)"),
    ):
        table.add_column(_(column), overflow="fold")
    for i in items:
        table.add_row(
            i.code,
            i.title,
            str(i.revision),
            _d(i.last_review),
            _d(i.due),
            str(max(i.overdue_days, 0)),
        )
    app.console.print(table)
    return 0


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_obj
def verify(app: AppContext, as_json: bool) -> int:
    """Check that every issued revision is unchanged and was approved by the rules.

    Exits 1 with the list of what failed.
    """
    from qmsdocs.verify import verify as run_verify

    repo = app.repository()
    findings = run_verify(repo)
    failed = any(f.severity is Severity.ERROR for f in findings)
    if as_json:
        emit_json(
            {
                "root": str(repo.root),
                "verified": not failed,
                "findings": [f.to_dict() for f in findings],
            }
        )
    else:
        for finding in findings:
            click.echo(str(finding))
        if not failed:
            issued = sum(len(v) for v in repo.history_store.all_issued().values())
            click.echo(
                _("verified: {issued} issued revisions, {actions} actions, nothing altered").format(
                    issued=issued, actions=len(repo.history_store.actions())
                )
            )
    return 1 if failed else 0


@click.command()
@click.pass_obj
def recover(app: AppContext) -> int:
    """Finish or undo an action left half-way by a killed process (every action does it too)."""
    done = app.repository().recover()
    click.echo(done or _("nothing to recover"))
    return 0


COMMANDS = [history, due, verify, recover]
