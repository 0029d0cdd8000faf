"""Controlled copies and registers as .docx: ``qms export`` and ``qms registers``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.progress import Progress

from qmsdocs.cli.context import DATE, AppContext, acting_person, now
from qmsdocs.copies import export_all, export_context, prepare_copy, write_copy, write_registers
from qmsdocs.export import Marking
from qmsdocs.i18n import _


@click.command("export")
@click.argument("code", required=False)
@click.option("--all", "everything", is_flag=True, help="Export every document.")
@click.option("--rev", "revision", type=int, help="This issued revision (lần ban hành).")
@click.option("--as-of", "as_of", type=DATE, help="The revision in force on this date.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write into.",
)
@click.option("--copy", "copy_number", type=int, help="Controlled copy number (BẢN KIỂM SOÁT).")
@click.option("--holder", help="Who receives the controlled copy.")
@click.option(
    "--uncontrolled", is_flag=True, help="Mark as an uncontrolled copy (BẢN KHÔNG KIỂM SOÁT)."
)
@click.option("--printed", type=DATE, help="Print date of an uncontrolled copy (default: today).")
@click.option("--workers", type=int, help="Processes for --all (default: every core).")
@click.option("--as", "as_person", metavar="PERSON", help="Who hands out a controlled copy.")
@click.pass_obj
def export(
    app: AppContext,
    code: str | None,
    everything: bool,
    revision: int | None,
    as_of: dt.date | None,
    out: Path,
    copy_number: int | None,
    holder: str | None,
    uncontrolled: bool,
    printed: dt.date | None,
    workers: int | None,
    as_person: str | None,
) -> int:
    """Write a controlled .docx of CODE (or of every document with --all) into --out.

    A controlled copy (--copy N --holder "…") is recorded in the distribution register
    (one commit), so that 'qms recall' can list it once its revision is superseded.
    """
    if everything == bool(code):
        raise click.UsageError(_("name one CODE, or use --all"))
    if copy_number is not None and (not holder or uncontrolled):
        raise click.UsageError(_("a controlled copy needs --holder (and not --uncontrolled)"))
    if everything and (copy_number or uncontrolled or revision or as_of):
        raise click.UsageError(_("--all exports the current files, without marking"))
    if revision is not None and as_of is not None:
        raise click.UsageError(_("use --rev or --as-of, not both"))
    repo = app.repository()
    today = now().date()
    if everything:
        with Progress(transient=True, disable=not app.console.is_terminal) as bar:
            task = bar.add_task(_("Exporting documents"), total=len(repo))
            paths = export_all(
                repo,
                out,
                today=today,
                workers=workers,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        click.echo(_("wrote {count} documents into {folder}").format(count=len(paths), folder=out))
        return 0
    assert code is not None
    if copy_number is not None and revision is None and as_of is None:
        as_of = today  # a controlled copy is of the revision in force, not of a draft
    copy = prepare_copy(repo, code, today=today, revision=revision, as_of=as_of)
    marking = None
    if copy_number is not None:
        from qmsdocs.distribution import record_copy

        by = acting_person(app, as_person)
        context = export_context(repo)  # a bad template refuses before anything is recorded
        result = record_copy(
            repo,
            copy.document.code,
            copy.document.revision,
            copy_number=copy_number,
            holder=holder or "",
            by=by,
            now=now(),
        )
        marking = Marking.controlled(copy_number, holder)
        path = write_copy(copy, out, context=context, marking=marking)
        click.echo(_("wrote {path}; {message}").format(path=path, message=result.message))
        return 0
    if uncontrolled:
        marking = Marking.uncontrolled(printed or today)
    path = write_copy(copy, out, context=export_context(repo), marking=marking)
    click.echo(_("wrote {path}").format(path=path))
    return 0


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write into.",
)
@click.option("--as-of", "as_of", type=DATE, help="As of this date (default: today).")
@click.pass_obj
def registers(app: AppContext, out: Path, as_of: dt.date | None) -> int:
    """Write the internal and external documents lists (danh mục tài liệu) as .docx."""
    paths = write_registers(app.repository(), out, on=as_of or now().date())
    for path in paths:
        click.echo(_("wrote {path}").format(path=path))
    return 0


COMMANDS = [export, registers]
