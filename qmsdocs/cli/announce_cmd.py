"""The announcement of the QMS: ``qms announce``."""

from __future__ import annotations

from pathlib import Path

import click

from qmsdocs.cli.context import AppContext, acting_person, emit_json, now, report
from qmsdocs.i18n import _
from qmsdocs.tthc.scope import Scope, scope_change


@click.command()
@click.option("--as", "as_person", metavar="PERSON", help="The head of the agency who signs.")
@click.option("--place", help="Place name before the date (default: from the agency's name).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the .docx (default: export/ in the repository).",
)
@click.option("--diff", "show_diff", is_flag=True, help="Only show how the scope changed.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def announce(
    app: AppContext,
    as_person: str | None,
    place: str | None,
    out: Path | None,
    show_diff: bool,
    as_json: bool,
) -> int:
    """Announce the QMS (công bố): freeze the scope in force in a commit and a tag of its
    own, and write the announcement .docx (Decision 19/2014/QĐ-TTg, Phụ lục I).

    With --diff, show the TTHC and processes added and removed since the last announcement;
    exit code 1 when the scope changed.
    """
    repo = app.repository()
    if show_diff:
        made = repo.announcements()
        announced = Scope.of_announcement(made[-1][1]) if made else Scope((), ())
        change = scope_change(repo.scope(), announced)
        if as_json:
            emit_json(
                {
                    "announced": made[-1][1].date.isoformat() if made else None,
                    "added": [i.model_dump(mode="json") for i in change.added],
                    "removed": [i.model_dump(mode="json") for i in change.removed],
                }
            )
            return 1 if change else 0
        for item in change.added:
            click.echo(f"+ {item.code} {item.name}")
        for item in change.removed:
            click.echo(f"- {item.code} {item.name}")
        if not change:
            click.echo(_("The scope is that of the last announcement."))
        return 1 if change else 0
    from qmsdocs.export.announcement import write_announcement

    by = acting_person(app, as_person)
    result = repo.announce(by=by, now=now(), place=place)
    file, announcement = repo.announcements()[-1]
    folder = out or repo.root / "export"
    target = folder / (Path(file).stem + ".docx")
    write_announcement(announcement, target, config=repo.config)
    code = report(result, as_json)
    if not as_json:
        click.echo(_("Announcement written to {file}").format(file=target))
    return code


COMMANDS = [announce]
