"""The lifecycle actions: ``qms new|revise|submit|review|approve|withdraw|confirm``.

Each acts as ``--as PERSON`` (an id of qms.yaml; default: the person whose email is git's
user.email), at the current time, and prints what it committed.
"""

from __future__ import annotations

import datetime as dt

import click

from qmsdocs.cli.choices import KIND
from qmsdocs.cli.context import (
    DATE,
    AppContext,
    acting_person,
    action_options,
    emit_json,
    now,
    report,
)
from qmsdocs.i18n import _


@click.command()
@click.argument("kind", type=KIND)
@click.argument("code")
@click.option("--title", help="The document's title (tên tài liệu).")
@click.option("--unit", help="Owning unit (default: the acting person's unit).")
@click.option("--procedure", help="For a form: the procedure that uses it.")
@click.option(
    "--tthc",
    metavar="CODE",
    help="For a procedure: the TTHC it implements (name, code, field, agency prefilled).",
)
@action_options
def new(
    app: AppContext,
    kind: str,
    code: str,
    title: str | None,
    unit: str | None,
    procedure: str | None,
    tthc: str | None,
    as_person: str | None,
    as_json: bool,
) -> int:
    """Create a new draft KIND document CODE from the kind's template."""
    by = acting_person(app, as_person)
    if tthc is not None:
        if kind != "procedure":
            raise click.UsageError(_("--tthc is for a new procedure"))
        result = app.repository().new_for_tthc(code, tthc, by=by, now=now(), title=title, unit=unit)
        return report(result, as_json)
    if not title:
        raise click.UsageError(_("Missing option '--title'."))
    result = app.repository().new(
        kind, code, title=title, by=by, now=now(), unit=unit, procedure=procedure
    )
    return report(result, as_json)


@click.command()
@click.argument("codes", nargs=-1, metavar="[CODE]...")
@click.option("--reason", help="Why the document changes (lý do sửa đổi).")
@click.option(
    "--legal",
    metavar="NUMBER",
    help="Open drafts of every document this legal change affects (or of the CODEs named), "
    "in one commit, with the reason and legal basis prefilled.",
)
@click.option(
    "--tthc",
    metavar="DECISION",
    help="Open drafts of every procedure whose TTHC this announcement decision amends or "
    "replaces, in one commit.",
)
@action_options
def revise(
    app: AppContext,
    codes: tuple[str, ...],
    reason: str | None,
    legal: str | None,
    tthc: str | None,
    as_person: str | None,
    as_json: bool,
) -> int:
    """Open a draft of the next revision of an issued document (or several, with --legal or
    --tthc)."""
    if legal is None and tthc is None and (len(codes) != 1 or not reason):
        raise click.UsageError(_("name one CODE and its --reason, or use --legal NUMBER"))
    by = acting_person(app, as_person)
    repo = app.repository()
    if tthc is not None:
        results = repo.revise_for_tthc(tthc, by=by, now=now(), reason=reason)
    elif legal is None:
        return report(repo.revise(codes[0], reason=reason or "", by=by, now=now()), as_json)
    else:
        results = repo.revise_for_legal(legal, codes, by=by, now=now(), reason=reason)
    if as_json:
        emit_json([r.to_dict() for r in results])
        return 0
    click.echo(f"{results[0].message} [{(results[0].commit or '')[:10]}]")
    for result in results:
        click.echo(
            "  "
            + _("{code}: draft revision {revision} (qms show {code})").format(
                code=result.code, revision=result.revision
            )
        )
    return 0


@click.command()
@click.argument("code")
@action_options
def submit(app: AppContext, code: str, as_person: str | None, as_json: bool) -> int:
    """Submit a draft for review, signing it as its author (Soạn thảo)."""
    by = acting_person(app, as_person)
    return report(app.repository().submit(code, by=by, now=now()), as_json)


@click.command()
@click.argument("code")
@click.option("--reject", is_flag=True, help="Return the draft to its author.")
@click.option("--comment", help="What to change (required with --reject).")
@action_options
def review(
    app: AppContext,
    code: str,
    reject: bool,
    comment: str | None,
    as_person: str | None,
    as_json: bool,
) -> int:
    """Review a submitted draft (Xem xét): accept it for approval, or --reject it."""
    by = acting_person(app, as_person)
    result = app.repository().review(code, by=by, now=now(), reject=reject, comment=comment)
    return report(result, as_json)


@click.command()
@click.argument("code")
@click.option("--effective", type=DATE, help="Effective date (default: today); may be later.")
@action_options
def approve(
    app: AppContext, code: str, effective: dt.date | None, as_person: str | None, as_json: bool
) -> int:
    """Approve and issue a reviewed revision (Phê duyệt, ban hành)."""
    by = acting_person(app, as_person)
    return report(app.repository().approve(code, by=by, now=now(), effective=effective), as_json)


@click.command()
@click.argument("code")
@click.option("--reason", required=True, help="Why the document is withdrawn.")
@click.option("--replaced-by", "replaced_by", help="The document that replaces it.")
@action_options
def withdraw(
    app: AppContext,
    code: str,
    reason: str,
    replaced_by: str | None,
    as_person: str | None,
    as_json: bool,
) -> int:
    """Withdraw an issued document (hủy bỏ)."""
    by = acting_person(app, as_person)
    result = app.repository().withdraw(
        code, reason=reason, by=by, now=now(), replaced_by=replaced_by
    )
    return report(result, as_json)


@click.command()
@click.argument("code")
@click.option("--reason", required=True, help="What the periodic review found.")
@action_options
def confirm(app: AppContext, code: str, reason: str, as_person: str | None, as_json: bool) -> int:
    """Record a periodic review that found the document still suitable (no new revision)."""
    by = acting_person(app, as_person)
    return report(app.repository().confirm(code, reason=reason, by=by, now=now()), as_json)


COMMANDS = [new, revise, submit, review, approve, withdraw, confirm]
