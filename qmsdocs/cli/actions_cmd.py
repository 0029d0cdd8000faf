"""The lifecycle actions: ``qms new|revise|submit|review|approve|withdraw|confirm``.

Each acts as ``--as PERSON`` (an id of qms.yaml; default: the person whose email is git's
user.email), at the current time, and prints what it committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click

from qmsdocs.cli.context import DATE, AppContext, emit_json
from qmsdocs.errors import ActionRefused
from qmsdocs.model import DocumentKind
from qmsdocs.store.git import GitStore
from qmsdocs.workflow import ActionResult


def _acting_person(app: AppContext, as_person: str | None) -> str:
    repo = app.repository()
    if as_person:
        return as_person
    email = GitStore(repo.git_top).user_email() if repo.git_top else None
    person = repo.config.person_by_email(email) if email else None
    if person is None:
        raise ActionRefused(
            f"who is acting? git's user.email ({email or 'not set'}) is not the email of a "
            "person in qms.yaml; pass --as PERSON"
        )
    return person.id


def _report(result: ActionResult, as_json: bool) -> int:
    if as_json:
        emit_json(result.to_dict())
    elif result.changed:
        assert result.commit is not None
        tag = f", tag {result.tag}" if result.tag else ""
        click.echo(f"{result.message} [{result.commit[:10]}{tag}]")
    else:
        click.echo(f"{result.code}: nothing to change, no commit made")
    return 0


def _action(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option(
        "--as", "as_person", metavar="PERSON", help="Act as this person of qms.yaml."
    )(fn)
    fn = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(fn)
    return click.pass_obj(fn)


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


@click.command()
@click.argument(
    "kind", type=click.Choice([k.value for k in DocumentKind if k is not DocumentKind.LEGAL])
)
@click.argument("code")
@click.option("--title", required=True, help="The document's title (tên tài liệu).")
@click.option("--unit", help="Owning unit (default: the acting person's unit).")
@click.option("--procedure", help="For a form: the procedure that uses it.")
@_action
def new(
    app: AppContext,
    kind: str,
    code: str,
    title: str,
    unit: str | None,
    procedure: str | None,
    as_person: str | None,
    as_json: bool,
) -> int:
    """Create a new draft KIND document CODE from the kind's template."""
    by = _acting_person(app, as_person)
    result = app.repository().new(
        kind, code, title=title, by=by, now=_now(), unit=unit, procedure=procedure
    )
    return _report(result, as_json)


@click.command()
@click.argument("code")
@click.option("--reason", required=True, help="Why the document changes (lý do sửa đổi).")
@_action
def revise(app: AppContext, code: str, reason: str, as_person: str | None, as_json: bool) -> int:
    """Open a draft of the next revision of an issued document."""
    by = _acting_person(app, as_person)
    return _report(app.repository().revise(code, reason=reason, by=by, now=_now()), as_json)


@click.command()
@click.argument("code")
@_action
def submit(app: AppContext, code: str, as_person: str | None, as_json: bool) -> int:
    """Submit a draft for review, signing it as its author (Soạn thảo)."""
    by = _acting_person(app, as_person)
    return _report(app.repository().submit(code, by=by, now=_now()), as_json)


@click.command()
@click.argument("code")
@click.option("--reject", is_flag=True, help="Return the draft to its author.")
@click.option("--comment", help="What to change (required with --reject).")
@_action
def review(
    app: AppContext,
    code: str,
    reject: bool,
    comment: str | None,
    as_person: str | None,
    as_json: bool,
) -> int:
    """Review a submitted draft (Xem xét): accept it for approval, or --reject it."""
    by = _acting_person(app, as_person)
    result = app.repository().review(code, by=by, now=_now(), reject=reject, comment=comment)
    return _report(result, as_json)


@click.command()
@click.argument("code")
@click.option("--effective", type=DATE, help="Effective date (default: today); may be later.")
@_action
def approve(
    app: AppContext, code: str, effective: dt.date | None, as_person: str | None, as_json: bool
) -> int:
    """Approve and issue a reviewed revision (Phê duyệt, ban hành)."""
    by = _acting_person(app, as_person)
    return _report(app.repository().approve(code, by=by, now=_now(), effective=effective), as_json)


@click.command()
@click.argument("code")
@click.option("--reason", required=True, help="Why the document is withdrawn.")
@click.option("--replaced-by", "replaced_by", help="The document that replaces it.")
@_action
def withdraw(
    app: AppContext,
    code: str,
    reason: str,
    replaced_by: str | None,
    as_person: str | None,
    as_json: bool,
) -> int:
    """Withdraw an issued document (hủy bỏ)."""
    by = _acting_person(app, as_person)
    result = app.repository().withdraw(
        code, reason=reason, by=by, now=_now(), replaced_by=replaced_by
    )
    return _report(result, as_json)


@click.command()
@click.argument("code")
@click.option("--reason", required=True, help="What the periodic review found.")
@_action
def confirm(app: AppContext, code: str, reason: str, as_person: str | None, as_json: bool) -> int:
    """Record a periodic review that found the document still suitable (no new revision)."""
    by = _acting_person(app, as_person)
    return _report(app.repository().confirm(code, reason=reason, by=by, now=_now()), as_json)


COMMANDS = [new, revise, submit, review, approve, withdraw, confirm]
