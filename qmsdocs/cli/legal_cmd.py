"""The legal registry and legal change: ``qms legal …`` and ``qms impact``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click
from pydantic import ValidationError
from rich.table import Table

from qmsdocs.cli.choices import LEGAL_STATUS, LEGAL_TYPE
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
from qmsdocs.cli.show_cmd import word
from qmsdocs.i18n import N_, _, current_language
from qmsdocs.impact import ImpactedDocument
from qmsdocs.legal import number_key
from qmsdocs.legal_import import read_legal_batch
from qmsdocs.model import LegalDocument, LegalStatus, LegalType, RelationType
from qmsdocs.tthc.tasks import TthcTask

STATUS_LABELS = {
    LegalStatus.IN_FORCE: N_("Still in force"),
    LegalStatus.NOT_YET_IN_FORCE: N_("Not yet in force"),
    LegalStatus.PARTLY_EXPIRED: N_("Partly expired"),
    LegalStatus.EXPIRED: N_("Wholly expired"),
}
CHANGE_LABELS = {
    "amended": N_("amended"),
    "replaced": N_("replaced"),
    "repealed": N_("repealed"),
    "expired": N_("expired"),
    "framework-revised": N_("model revised by the framework"),
}


def _d(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _today() -> dt.date:
    return now().date()


#: The option of ``qms legal add`` that sets each field of a legal document.
_OPTION_OF_FIELD = {
    "effective_from": "--effective",
    "effective_until": "--until",
    "issued": "--issued",
    "issuer": "--issuer",
    "number": "--number",
    "title": "--title",
    "type": "--type",
    "url": "--url",
}


@click.group()
def legal() -> None:
    """The legal registry (văn bản bên ngoài): add, relate, import, list, show."""


@legal.command("add")
@click.option("--number", required=True, help="Number as printed: 118/2025/NĐ-CP.")
@click.option(
    "--type",
    "kind",
    type=LEGAL_TYPE,
    help="Type (default: read from the number, e.g. NĐ is a decree).",
)
@click.option("--issuer", required=True, help="Issuing body (cơ quan ban hành).")
@click.option("--title", required=True, help="Title (trích yếu).")
@click.option("--issued", type=DATE, required=True, help="Date of issue (ngày ban hành).")
@click.option("--effective", type=DATE, help="First day in force (default: date of issue).")
@click.option("--until", type=DATE, help="Last day in force, when the document sets one.")
@click.option("--url", help="Where the text is published.")
@action_options
def add(
    app: AppContext,
    number: str,
    kind: str | None,
    issuer: str,
    title: str,
    issued: dt.date,
    effective: dt.date | None,
    until: dt.date | None,
    url: str | None,
    as_person: str | None,
    as_json: bool,
) -> int:
    """Register a legal document (one commit)."""
    resolved = LegalType(kind) if kind else LegalType.from_number(number)
    if resolved is None:
        raise click.UsageError(
            _("the number {number!r} does not name a type; pass --type").format(number=number)
        )
    try:
        document = LegalDocument(
            number=number,
            type=resolved,
            issuer=issuer,
            title=title,
            issued=issued,
            effective_from=effective,
            effective_until=until,
            url=url,
        )
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        line = f"{field}: {message}" if field else message
        # say it with the options the officer typed, not the model's field names
        for name, option in _OPTION_OF_FIELD.items():
            line = re.sub(rf"\b{name}\b", option, line)
        raise click.UsageError(line) from None
    by = acting_person(app, as_person)
    return report(app.repository().legal_add(document, by=by, now=now()), as_json)


def _relation_command(relation: RelationType, verb: str) -> click.Command:
    @click.command(relation.value.removesuffix("s"))
    @click.argument("number")
    @click.option("--target", required=True, help=f"The legal document it {verb}.")
    @click.option(
        "--articles",
        help='Only these articles, separated by ";" (e.g. "Điều 5; Điều 7").',
    )
    @click.option("--effective", type=DATE, help="From when (default: when NUMBER takes effect).")
    @click.option("--note", help="A note on the relation.")
    @action_options
    def command(
        app: AppContext,
        number: str,
        target: str,
        articles: str | None,
        effective: dt.date | None,
        note: str | None,
        as_person: str | None,
        as_json: bool,
    ) -> int:
        by = acting_person(app, as_person)
        parts = [a.strip() for a in (articles or "").split(";") if a.strip()]
        result = app.repository().legal_relate(
            number,
            relation,
            target,
            by=by,
            now=now(),
            articles=parts,
            effective=effective,
            note=note,
        )
        return report(result, as_json)

    command.help = f"Record that legal document NUMBER {verb} --target (one commit)."
    return command


for _relation, _verb in [
    (RelationType.AMENDS, "amends (sửa đổi, bổ sung)"),
    (RelationType.REPLACES, "replaces (thay thế)"),
    (RelationType.REPEALS, "repeals, wholly or the --articles named (bãi bỏ)"),
    (RelationType.CORRECTS, "corrects (đính chính)"),
]:
    legal.add_command(_relation_command(_relation, _verb))


@legal.command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=LEGAL_STATUS,
    help="Only documents with this status (repeatable).",
)
@click.option("--as-of", "as_of", type=DATE, help="Status on this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_obj
def list_legal(
    app: AppContext, statuses: tuple[str, ...], as_of: dt.date | None, as_json: bool
) -> int:
    """The external documents list (danh mục tài liệu bên ngoài) with computed status."""
    repo = app.repository()
    day = as_of or _today()
    rows = []
    for document in sorted(repo.legal, key=lambda d: (d.issued, d.number)):
        status = repo.legal.status_on(document, day)
        if statuses and status.value not in statuses:
            continue
        rows.append((document, status))
    if as_json:
        emit_json(
            [
                {
                    "number": d.number,
                    "type": d.type.value,
                    "issuer": d.issuer,
                    "title": d.title,
                    "issued": d.issued.isoformat(),
                    "effective_from": d.in_force_from.isoformat(),
                    "status": s.value,
                    "file": repo.file_of(d.number),
                }
                for d, s in rows
            ]
        )
        return 0
    table = Table(title=_("External documents, status on {date}").format(date=f"{day:%d/%m/%Y}"))
    for column in (N_("Number"), N_("Issued"), N_("Issuer"), N_("Title"), N_("Status")):
        table.add_column(_(column), overflow="fold")
    for d, s in rows:
        table.add_row(d.number, _d(d.issued), d.issuer, d.title, _(STATUS_LABELS[s]))
    app.console.print(table)
    return 0


@legal.command("show")
@click.argument("number")
@click.option("--as-of", "as_of", type=DATE, help="Status on this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def show_legal(app: AppContext, number: str, as_of: dt.date | None, as_json: bool) -> int:
    """A legal document, its status, and the chain of changes that explains it."""
    repo = app.repository()
    document = repo.legal_document(number)
    day = as_of or _today()
    status = repo.legal.status_on(document, day)
    events = repo.legal.events(document)
    replacement = repo.legal.replacement(document, day)
    key = number_key(document.number)
    citing = [
        d.code for d in repo if any(number_key(c.number) == key for c in repo.citations(d.code))
    ]
    if as_json:
        emit_json(
            {
                "number": document.number,
                "type": document.type.value,
                "issuer": document.issuer,
                "title": document.title,
                "issued": document.issued.isoformat(),
                "effective_from": document.in_force_from.isoformat(),
                "effective_until": (
                    document.effective_until.isoformat() if document.effective_until else None
                ),
                "status": status.value,
                "as_of": day.isoformat(),
                "changes": [
                    {
                        "by": e.source.number,
                        "relation": e.relation.type.value,
                        "articles": list(e.relation.articles),
                        "effective": e.effective.isoformat(),
                        "in_force": e.effective <= day,
                    }
                    for e in events
                ],
                "relations": [
                    r.model_dump(mode="json", exclude_none=True) for r in document.relations
                ],
                "in_force_replacement": (
                    replacement.number if replacement is not document else None
                ),
                "cited_by": citing,
                "file": repo.file_of(document.number),
            }
        )
        return 0
    echo = click.echo
    echo(f"{document.number}  {document.title}")
    until = (
        _(" until {date}").format(date=_d(document.effective_until))
        if document.effective_until
        else ""
    )
    echo(
        "  "
        + _("{type} — {issuer}, issued {issued}, in force from {effective}").format(
            type=document.type.label(current_language()),
            issuer=document.issuer,
            issued=_d(document.issued),
            effective=_d(document.in_force_from),
        )
        + until
    )
    echo(
        "  "
        + _("Status on {date}: {status}").format(
            date=f"{day:%d/%m/%Y}", status=_(STATUS_LABELS[status])
        )
    )
    for relation in document.relations:
        articles = f" ({'; '.join(relation.articles)})" if relation.articles else ""
        echo(f"  → {word(relation.type.value)} {relation.target}{articles}")
    for event in events:
        articles = (
            " "
            + _("{articles} of this document").format(articles="; ".join(event.relation.articles))
            if event.relation.articles
            else ""
        )
        when = _("from {date}") if event.effective <= day else _("in force from {date}")
        echo(
            f"  ← {event.source.number} {word(event.relation.type.value)}{articles}, "
            + when.format(date=_d(event.effective))
        )
    if replacement is not document:
        echo("  " + _("In force in its place: {number}").format(number=replacement.number))
    echo(
        "  "
        + _("Cited by: {codes}").format(codes=", ".join(citing) if citing else _("(no document)"))
    )
    return 0


@legal.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@action_options
def import_legal(app: AppContext, file: Path, as_person: str | None, as_json: bool) -> int:
    """Register the legal documents and relations of a CSV or JSON FILE, all or nothing.

    Columns (CSV) or keys (JSON list of objects): number, type, issuer, title, issued,
    effective_from, effective_until, relation, target, articles, relation_effective, note, url.
    """
    batch = read_legal_batch(file.read_bytes(), file=str(file))
    if not batch.ok:
        return report_bad_rows(batch.findings, file)
    by = acting_person(app, as_person)
    result = app.repository().legal_import(batch, source=file.name, by=by, now=now())
    return report(result, as_json)


@click.command()
@click.option("--as-of", "as_of", type=DATE, help="As of this date (default: today).")
@click.option("--legal", metavar="NUMBER", help="Only the changes made by this legal document.")
@click.option("--overdue", is_flag=True, help="Only what is past its deadline.")
@click.option("--json", "as_json", is_flag=True, help="Print the suspects as JSON.")
@click.pass_obj
def impact(
    app: AppContext, as_of: dt.date | None, legal: str | None, overdue: bool, as_json: bool
) -> int:
    """Documents whose cited legal documents changed after their approval (suspects), and
    the procedures TTHC announcement decisions ask to create, revise or withdraw; each with
    its deadline, most urgent first.

    Exit code 1 when there is a suspect, so a script can act on it.
    """
    repo = app.repository()
    day = as_of or _today()
    suspects = sorted(
        repo.impact(on=day, legal=legal),
        key=lambda s: (s.deadline or dt.date.max, s.code),
    )
    decision = legal if legal is not None and repo.legal_document(legal).tthc else None
    tasks = (
        [] if legal is not None and decision is None else repo.tthc_tasks(on=day, decision=decision)
    )
    if overdue:
        suspects = [s for s in suspects if s.deadline is not None and s.deadline < day]
        tasks = [t for t in tasks if t.deadline < day]
    if as_json:
        emit_json(
            {
                "as_of": day.isoformat(),
                "suspects": [s.to_dict() for s in suspects],
                "tthc": [t.to_dict() for t in tasks],
            }
        )
        return 1 if suspects or tasks else 0
    if not suspects and not tasks:
        click.echo(
            _("No document is affected by a legal change as of {date}.").format(
                date=f"{day:%d/%m/%Y}"
            )
        )
        return 0
    if suspects:
        _impact_table(app, suspects, day)
    if tasks:
        _tthc_table(app, tasks, day)
    return 1


def _left(deadline: dt.date | None, day: dt.date) -> str:
    if deadline is None:
        return ""
    left = (deadline - day).days
    if left < 0:
        return _("{date} ({days} days overdue)").format(date=_d(deadline), days=-left)
    return _("{date} ({days} days left)").format(date=_d(deadline), days=left)


TASK_LABELS = {
    "create": N_("create"),
    "revise": N_("revise"),
    "withdraw": N_("withdraw"),
}


def _tthc_table(app: AppContext, tasks: list[TthcTask], day: dt.date) -> None:
    table = Table(
        title=_("Procedures asked for by TTHC announcement decisions ({date})").format(
            date=f"{day:%d/%m/%Y}"
        )
    )
    for column in (N_("To do"), N_("Procedure"), N_("TTHC"), N_("Decision"), N_("Deadline")):
        table.add_column(_(column), overflow="fold")
    for task in tasks:
        procedure = task.procedure or ""
        if task.draft:
            procedure += " " + _("(draft {revision})").format(revision=task.draft)
        table.add_row(
            _(TASK_LABELS[task.action]),
            procedure,
            f"{task.tthc_code} {task.tthc_name}",
            task.decision,
            _left(task.deadline, day),
        )
    app.console.print(table)
    click.echo(
        _(
            "{count} procedure(s) to act on. Create with 'qms new procedure CODE --tthc TTHC', "
            "revise with 'qms revise --tthc DECISION', withdraw with 'qms withdraw CODE'."
        ).format(count=len(tasks))
    )


def _impact_table(app: AppContext, suspects: list[ImpactedDocument], day: dt.date) -> None:
    table = Table(
        title=_("Documents to review after legal changes ({date})").format(date=f"{day:%d/%m/%Y}")
    )
    for column in (
        N_("Document"), N_("Rev."), N_("Approved"), N_("Cites"), N_("Change"), N_("Effective"),
        N_("Note"), N_("Deadline"),
    ):  # fmt: skip
        table.add_column(_(column), overflow="fold")
    for suspect in suspects:
        for index, reason in enumerate(suspect.reasons):
            change = _(CHANGE_LABELS[reason.change])
            if reason.by:
                change += " " + _("by {number}").format(number=reason.by)
            if reason.articles:
                change += f" ({'; '.join(reason.articles)})"
            notes = []
            if reason.in_force and reason.in_force != reason.by:
                notes.append(_("in force now: {number}").format(number=reason.in_force))
            if reason.upcoming:
                notes.append(_("takes effect soon"))
            if suspect.draft and index == 0:
                notes.append(_("being revised (draft {revision})").format(revision=suspect.draft))
            cited = reason.cited + (f", {reason.article}" if reason.article else "")
            if not reason.field.startswith("legal_basis"):
                cited += " " + _("(in {field})").format(field=reason.field)
            table.add_row(
                f"{suspect.code} {suspect.title}" if index == 0 else "",
                str(suspect.revision) if index == 0 else "",
                _d(suspect.approved) if index == 0 else "",
                cited,
                change,
                _d(reason.effective),
                "; ".join(notes),
                _left(suspect.deadline, day) if index == 0 else "",
            )
    app.console.print(table)
    click.echo(
        _(
            "{count} document(s) to review. Open their revisions with "
            "'qms revise --legal NUMBER', or record that no change is needed with "
            "'qms confirm CODE --reason …'."
        ).format(count=len(suspects))
    )


COMMANDS = [legal, impact]
