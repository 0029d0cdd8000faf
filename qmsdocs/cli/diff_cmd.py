"""Auditor commands: ``qms diff`` (a document, or the whole QMS) and ``qms changes``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from qmsdocs.audit import DRAFT, VersionSpec, attribution, diff_versions, qms_diff
from qmsdocs.cli.context import DATE, AppContext, emit_json
from qmsdocs.diffrender import Line, render_html, render_lines, render_qms_lines
from qmsdocs.i18n import N_, _, current_language
from qmsdocs.store.files import write_output

#: How the style names of :mod:`qmsdocs.diffrender` look on a terminal.
_STYLES = {
    "title": "bold",
    "heading": "bold underline",
    "path": "bold",
    "added": "green",
    "removed": "red",
    "changed": "yellow",
    "moved": "cyan",
    "insert": "green",
    "delete": "red",
    "muted": "dim",
}


#: How each action of the audit trail reads to a person.
ACTION_WORDS = {
    "new": N_("new draft"),
    "revise": N_("revision opened"),
    "submit": N_("submitted for review"),
    "review": N_("reviewed"),
    "reject": N_("returned to the author"),
    "approve": N_("approved and issued"),
    "withdraw": N_("withdrawn"),
    "confirm": N_("periodic review: still suitable"),
    "legal-add": N_("legal document registered"),
    "legal-relate": N_("legal relation recorded"),
    "legal-import": N_("legal documents imported"),
    "distribute": N_("controlled copy issued"),
    "recall": N_("controlled copy returned"),
}


class _VersionType(click.ParamType):  # type: ignore[type-arg]
    name = "VERSION"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> VersionSpec:
        if isinstance(value, int | dt.date):
            return value
        text = str(value).strip()
        if text.lower() == DRAFT:
            return DRAFT
        if text.isdigit():
            return int(text)
        try:
            return DATE.convert(text, param, ctx)
        except click.BadParameter:
            pass
        self.fail(
            _(
                "{text!r} is not a version: write a revision number (2), a date "
                "(2025-07-01 or 01/07/2025) or 'draft'"
            ).format(text=text),
            param,
            ctx,
        )


#: A revision number, a date (the revision in force then) or ``draft`` (the working file).
VERSION = _VersionType()


def _print(app: AppContext, lines: list[Line]) -> None:
    console = app.console
    for line in lines:
        text = Text()
        for part, style in line:
            text.append(part, style=_STYLES.get(style, ""))
        console.print(text, soft_wrap=True)


@click.command("diff")
@click.argument("args", nargs=-1, metavar="CODE A B | --all A B")
@click.option(
    "--all", "whole", is_flag=True, help="Compare the whole QMS between two dates A and B."
)
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the diff as a standalone HTML page.",
)
@click.option(
    "--docx",
    "docx_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write revision B as a .docx with tracked changes from A (a redline).",
)
@click.option(
    "--content-only", is_flag=True, help="Leave out the workflow changes (signatures, dates)."
)
@click.pass_obj
def diff(
    app: AppContext,
    args: tuple[str, ...],
    whole: bool,
    as_json: bool,
    html_file: Path | None,
    docx_file: Path | None,
    content_only: bool,
) -> int:
    """What changed between two versions of a document, field by field and word by word.

    A and B are revision numbers, dates (the revision in force that day; 2025-07-01 or
    01/07/2025) or 'draft' (the working file). With --all, A and B are dates and the diff
    lists the documents added, revised, withdrawn or replaced in between, and the legal
    documents issued or whose status changed.
    """
    if sum((as_json, html_file is not None, docx_file is not None)) > 1:
        raise click.UsageError(_("use one of --json, --html FILE, --docx FILE"))
    if whole:
        return _diff_all(app, args, as_json=as_json, files=(html_file, docx_file))
    if len(args) != 3:
        raise click.UsageError(_("write: qms diff CODE A B  (or: qms diff --all A B)"))
    code = args[0]
    old = VERSION.convert(args[1], None, None)
    new = VERSION.convert(args[2], None, None)
    repo = app.repository()
    a, b, result = diff_versions(repo, code, old, new)
    people = {p.id: p.name for p in repo.config.people}
    if as_json:
        emit_json(result.to_dict())
    elif html_file is not None:
        page = render_html(result, language=repo.config.language, people=people)
        write_output(html_file, page.encode("utf-8"))
        click.echo(_("wrote {path}").format(path=html_file))
    elif docx_file is not None:
        from qmsdocs.export.redline import redline

        credited = attribution(repo, b) or ("qms", dt.datetime.now().astimezone())
        data = redline(
            a, b, config=repo.config, author=credited[0], when=credited[1], legal=repo.legal
        )
        write_output(docx_file, data)
        click.echo(_("wrote {path}").format(path=docx_file))
    else:
        lines = render_lines(
            result, language=current_language(), workflow=not content_only, people=people
        )
        _print(app, lines)
    return 0


def _diff_all(
    app: AppContext, args: tuple[str, ...], *, as_json: bool, files: tuple[Path | None, ...]
) -> int:
    if any(f is not None for f in files):
        raise click.UsageError(_("--html and --docx compare one document, not --all"))
    if len(args) != 2:
        raise click.UsageError(_("write: qms diff --all A B  (two dates)"))
    since, until = (DATE.convert(a, None, None) for a in args)
    repo = app.repository()
    result = qms_diff(repo, since, until)
    if as_json:
        emit_json(result.to_dict())
    else:
        _print(app, render_qms_lines(result, language=current_language()))
    return 0


@click.command()
@click.option("--since", "since", type=DATE, required=True, help="The first day of the period.")
@click.option("--until", "until", type=DATE, default=None, help="The last day (default: none).")
@click.option("--json", "as_json", is_flag=True, help="Print the actions as JSON.")
@click.option(
    "--docx",
    "docx_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a printable audit-trail report.",
)
@click.pass_obj
def changes(
    app: AppContext,
    since: dt.date,
    until: dt.date | None,
    as_json: bool,
    docx_file: Path | None,
) -> int:
    """Every lifecycle action in a period: when, who, document, revision, action, reason.

    Read from git history: each action is one commit.
    """
    if as_json and docx_file is not None:
        raise click.UsageError(_("use one of --json, --docx FILE"))
    repo = app.repository()
    actions = repo.actions(since=since, until=until)
    if as_json:
        emit_json(
            {
                "since": since.isoformat(),
                "until": until.isoformat() if until else None,
                "actions": [a.to_dict() for a in actions],
            }
        )
        return 0
    if docx_file is not None:
        from qmsdocs.export.trail import audit_trail_docx

        data = audit_trail_docx(actions, config=repo.config, since=since, until=until)
        write_output(docx_file, data)
        click.echo(_("wrote {path} ({count} actions)").format(path=docx_file, count=len(actions)))
        return 0
    period = f"{since:%d/%m/%Y} - {until:%d/%m/%Y}" if until else f"{since:%d/%m/%Y} -"
    table = Table(title=_("Document control actions {period}").format(period=period))
    for column in (
        N_("Time"), N_("Done by"), N_("Document"), N_("Rev."), N_("Action"), N_("Reason"),
    ):  # fmt: skip
        table.add_column(_(column), overflow="fold")
    for a in actions:
        table.add_row(
            f"{repo.config.local(a.when):%d/%m/%Y %H:%M}",
            a.author_name,
            a.code,
            str(a.revision) if a.revision is not None else "",
            _(ACTION_WORDS[a.action]) if a.action in ACTION_WORDS else a.action,
            a.reason or "",
        )
    app.console.print(table)
    click.echo(_("{count} actions").format(count=len(actions)))
    return 0


COMMANDS = [diff, changes]
