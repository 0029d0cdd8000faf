"""``qms fleet``: the province's list of agencies, their mirrors and their status."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from qmsdocs.cli.context import DATE, AppContext, emit_json, now
from qmsdocs.errors import ActionRefused
from qmsdocs.findings import Severity
from qmsdocs.fleet import (
    Agency,
    add_agency,
    cache_path,
    fetch_all,
    fleet_status,
    read_fleet,
    remove_agency,
)
from qmsdocs.i18n import N_, _, current_language
from qmsdocs.store.git import Identity, configured_identity, git_state

_PERSON = re.compile(r"^\s*(?P<name>[^<>]+?)\s*<(?P<email>[^<>@\s]+@[^<>\s]+)>\s*$")


def _identity(app: AppContext, by: str | None) -> Identity:
    if by:
        match = _PERSON.match(by)
        if not match:
            raise click.BadParameter(_("write it as: Name <email>"), param_hint="'--by'")
        return Identity(match["name"], match["email"])
    found = configured_identity(app.directory)
    if found is None:
        raise ActionRefused(
            _("who is acting? set git's user.name and user.email, or give --by 'Name <email>'")
        )
    return found


def _git_dir(app: AppContext) -> Path:
    state = git_state(app.directory)
    if state.git_dir is None:
        raise ActionRefused(_("{root} is not inside a git repository").format(root=app.directory))
    return state.git_dir


@click.group()
def fleet() -> None:
    """The agencies this province oversees: their list, mirrors and status."""


@fleet.command("add")
@click.argument("agency_id", metavar="ID")
@click.argument("url")
@click.option("--name", required=True, help="The agency's name.")
@click.option("--level", help="Its level: sở, ban, xã, phường …")
@click.option("--unit", help="The unit it belongs to.")
@click.option("--framework", help="The framework it should follow.")
@click.option("--by", help="Who acts, as 'Name <email>' (default: git's user).")
@click.pass_obj
def add(
    app: AppContext,
    agency_id: str,
    url: str,
    name: str,
    level: str | None,
    unit: str | None,
    framework: str | None,
    by: str | None,
) -> int:
    """Add an agency and the git URL of its QMS repository to fleet.yaml (one commit)."""
    from pydantic import ValidationError

    try:
        agency = Agency(
            id=agency_id, name=name, level=level, unit=unit, url=url, framework=framework
        )
    except ValidationError as error:
        item = error.errors(include_url=False)[0]
        from qmsdocs.model.problems import schema_problem

        field = ".".join(str(p) for p in item["loc"])
        hint = {"id": "'ID'", "url": "'URL'"}.get(field, f"'--{field}'")
        raise click.BadParameter(str(schema_problem(item)), param_hint=hint) from None
    commit = add_agency(
        app.directory, agency, by=_identity(app, by), now=now(), language=current_language()
    )
    click.echo(_("added {id} to the fleet [{commit}]").format(id=agency_id, commit=commit[:10]))
    return 0


@fleet.command("remove")
@click.argument("agency_id", metavar="ID")
@click.option("--by", help="Who acts, as 'Name <email>' (default: git's user).")
@click.pass_obj
def remove(app: AppContext, agency_id: str, by: str | None) -> int:
    """Remove an agency from fleet.yaml (one commit); its mirror is kept as evidence."""
    commit = remove_agency(
        app.directory, agency_id, by=_identity(app, by), now=now(), language=current_language()
    )
    click.echo(_("removed {id} from the fleet [{commit}]").format(id=agency_id, commit=commit[:10]))
    return 0


@fleet.command("fetch")
@click.option("--jobs", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Agencies fetched at the same time.")  # fmt: skip
@click.option("--timeout", type=click.FloatRange(min=1), default=120, show_default=True,
              help="Seconds one agency's fetch may take.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.pass_obj
def fetch(app: AppContext, jobs: int, timeout: float, as_json: bool) -> int:
    """Mirror every agency's repository (bare, never checked out); one line per failure."""
    git_dir = _git_dir(app)
    fleet = read_fleet(app.directory)
    agencies = fleet.agencies
    with click.progressbar(length=len(agencies), label=_("fetching"), file=sys.stderr) as bar:
        results = fetch_all(
            git_dir,
            agencies,
            now=now(),
            frameworks=fleet.frameworks,
            jobs=jobs,
            timeout=timeout,
            progress=lambda _result: bar.update(1),
        )
    if as_json:
        emit_json({"agencies": [r.to_dict() for r in results]})
    else:
        for result in results:
            if result.error:
                click.echo(
                    _("{id}: not fetched: {error}").format(id=result.agency, error=result.error),
                    err=True,
                )
            elif result.rewritten:
                click.echo(
                    _("{id}: the agency rewrote its history; the old head is kept as {ref}").format(
                        id=result.agency, ref=result.kept
                    ),
                    err=True,
                )
        good = sum(1 for r in results[: len(agencies)] if r.error is None)
        click.echo(_("fetched {good} of {count} agencies").format(good=good, count=len(agencies)))
    return 1 if any(r.error or r.rewritten for r in results) else 0


@fleet.command("status")
@click.option("--as-of", "as_of", type=DATE, help="The day to report on (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Agencies read at the same time (default: the cores).")  # fmt: skip
@click.option("--timeout", type=click.FloatRange(min=1), default=None,
              help="Seconds one agency may take to be read (default: 120).")  # fmt: skip
@click.pass_obj
def status(
    app: AppContext, as_of: dt.date | None, as_json: bool, jobs: int | None, timeout: float | None
) -> int:
    """One row per agency: documents in force, what is missing or overdue, approvals verified.

    Each agency is read in a process of its own, with a time limit: one that hangs or
    breaks is a problem of its row, and the others go on.
    """
    day = as_of or now().date()
    rows = _statuses(app, day, jobs=jobs, timeout=timeout)
    if as_json:
        emit_json({"as_of": day.isoformat(), "agencies": [r.to_dict() for r in rows]})
        return 1 if any(r.failed for r in rows) else 0
    table = Table(title=_("Agencies on {day}").format(day=f"{day:%d/%m/%Y}"), expand=False)
    for column in (N_("Agency"), N_("Fetched"), N_("In force"), N_("In progress"), N_("Problems")):
        table.add_column(_(column), overflow="fold")
    for row in rows:
        in_force = ", ".join(f"{k}: {v}" for k, v in sorted(row.in_force.items()))
        problems = "\n".join(
            f"{'✗' if p.severity is Severity.ERROR else '!'} {p.said}" for p in row.problems
        )
        table.add_row(
            f"{row.id}\n{row.name}",
            f"{row.fetched:%d/%m/%Y %H:%M}" if row.fetched else "—",
            in_force or "—",
            str(row.working),
            problems or _("none"),
        )
    app.console.print(table)
    return 1 if any(r.failed for r in rows) else 0


def _statuses(
    app: AppContext, day: dt.date, *, jobs: int | None = None, timeout: float | None = None
) -> list[Any]:
    git_dir = _git_dir(app)
    return fleet_status(
        read_fleet(app.directory).agencies,
        git_dir,
        on=day,
        cache_dir=cache_path(git_dir),
        jobs=jobs,
        timeout=timeout,
    )


def _province(app: AppContext, agency: str | None) -> str:
    if agency:
        return agency
    from qmsdocs.errors import QmsError

    try:
        return app.repository().config.organization.name
    except QmsError:
        return _("Department of Science and Technology")


def _year_day(year: int) -> dt.date:
    return min(now().date(), dt.date(year, 12, 31))


@fleet.command("report")
@click.option("--year", type=int, required=True, help="The year reported on.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("."),
              show_default=True, help="The folder to write into.")  # fmt: skip
@click.option("--agency", help="The reporting agency (default: qms.yaml's organization).")
@click.pass_obj
def report(app: AppContext, year: int, out: Path, agency: str | None) -> int:
    """Write the annual report on applying the QMS across the fleet (.docx)."""
    from qmsdocs.export.fleet_docs import fleet_report_docx
    from qmsdocs.store.files import write_output

    day = _year_day(year)
    data = fleet_report_docx(
        _statuses(app, day), agency=_province(app, agency), year=year, day=day,
        language=current_language(),
    )  # fmt: skip
    path = write_output(out / f"bao-cao-htqlcl-{year}.docx", data)
    click.echo(_("wrote {path}").format(path=path))
    return 0


@fleet.command("plan")
@click.option("--year", type=int, required=True, help="The year of the inspections.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("."),
              show_default=True, help="The folder to write into.")  # fmt: skip
@click.option("--agency", help="The inspecting agency (default: qms.yaml's organization).")
@click.pass_obj
def plan(app: AppContext, year: int, out: Path, agency: str | None) -> int:
    """Write the inspection plan: every agency, a third or more on site, most at risk first."""
    from qmsdocs.export.fleet_docs import inspection_plan_docx
    from qmsdocs.fleet.plan import inspection_plan
    from qmsdocs.store.files import write_output

    day = _year_day(year)
    chosen = inspection_plan(_statuses(app, day), year=year)
    data = inspection_plan_docx(
        chosen, agency=_province(app, agency), year=year, day=day, language=current_language()
    )
    path = write_output(out / f"ke-hoach-kiem-tra-{year}.docx", data)
    click.echo(_("wrote {path}").format(path=path))
    return 0


#: The commands this module adds to `qms` (see qmsdocs.cli.lazy).
COMMANDS = [fleet]
