"""What every subcommand shares: the folder, the repository, output helpers."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from qmsdocs.errors import ActionRefused
from qmsdocs.findings import Finding
from qmsdocs.i18n import _
from qmsdocs.repository import Repository
from qmsdocs.store.git import GitStore

if TYPE_CHECKING:
    from qmsdocs.workflow import ActionResult

__all__ = [
    "DATE",
    "AppContext",
    "acting_person",
    "action_options",
    "emit_json",
    "now",
    "report",
    "report_bad_rows",
]


@dataclass
class AppContext:
    """Per-run state of the CLI (never of the library)."""

    directory: Path
    _repo: Repository | None = field(default=None, repr=False)

    def repository(self) -> Repository:
        """Return the repository at -C (opened once)."""
        if self._repo is None:
            self._repo = Repository.open(self.directory)
        return self._repo

    @property
    def console(self) -> Console:
        """Return the console for people: rich on a terminal, plain text otherwise."""
        if sys.stdout.isatty():
            return Console(highlight=False)
        # Piped or captured: no colour codes, and wide enough that cells rarely wrap.
        return Console(highlight=False, width=160, no_color=True)


class _DateType(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for parse in (dt.date.fromisoformat, lambda t: dt.datetime.strptime(t, "%d/%m/%Y").date()):
            try:
                return parse(text)
            except ValueError:
                continue
        self.fail(
            _("{text!r} is not a date: write YYYY-MM-DD (2025-07-01) or DD/MM/YYYY").format(
                text=text
            ),
            param,
            ctx,
        )


#: A date option or argument: ISO (2025-07-01) or Vietnamese (01/07/2025).
DATE = _DateType()


def emit_json(value: Any) -> None:
    """Print *value* as JSON for scripts: UTF-8, diacritics kept, stable key order."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def acting_person(app: AppContext, as_person: str | None) -> str:
    """Return the id of the person acting: --as, or the one whose email is git's user.email."""
    repo = app.repository()
    if as_person:
        return as_person
    email = GitStore(repo.git_top).user_email() if repo.git_top else None
    person = repo.config.person_by_email(email) if email else None
    if person is None:
        raise ActionRefused(
            _(
                "who is acting? git's user.email ({email}) is not the email of a person in "
                "qms.yaml; pass --as PERSON"
            ).format(email=email or _("not set"))
        )
    return person.id


def report_bad_rows(findings: Sequence[Finding], file: Path) -> int:
    """Print the bad rows of an import file, one line each, then that nothing was imported."""
    for finding in findings:
        click.echo(str(finding), err=True)
    click.echo(
        _("qms: {count} bad row(s) in {file}; nothing imported").format(
            count=len(findings), file=file
        ),
        err=True,
    )
    return 1


def report(result: ActionResult, as_json: bool) -> int:
    """Print what an action committed (or that nothing changed) and return the exit code."""
    if as_json:
        emit_json(result.to_dict())
    elif result.changed:
        assert result.commit is not None
        tag = _(", tag {tag}").format(tag=result.tag) if result.tag else ""
        click.echo(f"{result.message} [{result.commit[:10]}{tag}]")
    else:
        click.echo(_("{code}: nothing to change, no commit made").format(code=result.code))
    return 0


def action_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add --as and --json to an action command and pass it the AppContext."""
    fn = click.option(
        "--as", "as_person", metavar="PERSON", help="Act as this person of qms.yaml."
    )(fn)
    fn = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(fn)
    return click.pass_obj(fn)


def now() -> dt.datetime:
    """Return the current time with the local offset: the CLI, not the library, reads the clock."""
    return dt.datetime.now().astimezone()
