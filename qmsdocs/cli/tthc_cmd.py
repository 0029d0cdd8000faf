"""Administrative procedures (TTHC): ``qms tthc import|list``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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
    report_bad_rows,
)
from qmsdocs.i18n import N_, _
from qmsdocs.tthc.rows import read_tthc_batch


@click.group()
def tthc() -> None:
    """Administrative procedures (TTHC) as the province's decisions announce them."""


@tthc.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--decision",
    required=True,
    metavar="NUMBER",
    help="The announcement decision of the legal registry that lists these TTHC.",
)
@action_options
def import_tthc(
    app: AppContext, file: Path, decision: str, as_person: str | None, as_json: bool
) -> int:
    """Add the TTHC list of a CSV or JSON FILE to decision NUMBER, all or nothing.

    Columns (CSV) or keys (JSON list of objects): ma_tthc, ten_tthc, linh_vuc, cap_thuc_hien
    (cấp tỉnh, cấp xã), co_quan_thuc_hien, trang_thai (mới, sửa đổi, thay thế, bãi bỏ; or
    new, amended, replaced, abolished), thay_the_cho (for thay thế: the code it replaces).
    """
    repo = app.repository()
    batch = read_tthc_batch(file.read_bytes(), file=str(file))
    if not batch.ok:
        return report_bad_rows(batch.findings, file)
    if repo.legal.get(decision) is None:
        click.echo(
            _(
                "{file}: decision {number} is not in the legal registry; register it first "
                "(qms legal add); nothing imported"
            ).format(file=file, number=decision),
            err=True,
        )
        return 1
    by = acting_person(app, as_person)
    return report(repo.tthc_import(decision, batch, source=file.name, by=by, now=now()), as_json)


@tthc.command("list")
@click.option("--as-of", "as_of", type=DATE, help="As of this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_obj
def list_tthc(app: AppContext, as_of: dt.date | None, as_json: bool) -> int:
    """The TTHC in force for the agency, each with the procedure that implements it."""
    day = as_of or now().date()
    rows = app.repository().tthc_in_force(on=day)
    if as_json:
        emit_json({"as_of": day.isoformat(), "tthc": [r.to_dict() for r in rows]})
        return 0
    table = Table(title=_("TTHC in force ({date})").format(date=f"{day:%d/%m/%Y}"))
    for column in (N_("Code"), N_("TTHC"), N_("Field"), N_("Decision"), N_("Procedure")):
        table.add_column(_(column), overflow="fold")
    for row in rows:
        entry = row.listing.entry
        table.add_row(
            entry.code,
            entry.name,
            entry.field,
            row.listing.decision.number,
            row.procedure or _("(none)"),
        )
    app.console.print(table)
    return 0


COMMANDS = [tthc]
