"""``qms list``: the document list, what is in force on a day."""

from __future__ import annotations

import datetime as dt

import click
from rich.table import Table

from qmsdocs.cli.choices import KIND, STATE
from qmsdocs.cli.context import DATE, AppContext, acting_person, emit_json
from qmsdocs.findings import Severity
from qmsdocs.model import DocumentKind
from qmsdocs.repository import WorkingRevision

_KINDS = [k.value for k in DocumentKind if k is not DocumentKind.LEGAL]


def working_text(working: WorkingRevision) -> str:
    """Return the revision being worked on as an officer reads it: "Lần 4: đang xem xét"."""
    text = {
        "draft": "dự thảo",
        "returned": "trả lại",
        "in_review": "đang xem xét",
        "pending": "đã phê duyệt",
    }[working.state]
    if working.state == "returned" and working.comment:
        text += f" – {working.comment}"
    if working.state == "pending" and working.effective_date:
        text += f" – hiệu lực từ {working.effective_date:%d/%m/%Y}"
    return f"Lần {working.revision}: {text}"


@click.command("list")
@click.option("--kind", "kinds", multiple=True, type=KIND, help="Only this kind (repeatable).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=STATE,
    help="Only documents in this state on the day (repeatable).",
)
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
    default=None,
    help="The day to compute states for (default: today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_obj
def list_documents(
    app: AppContext,
    kinds: tuple[str, ...],
    statuses: tuple[str, ...],
    as_of: dt.date | None,
    as_json: bool,
) -> int:
    """List the controlled documents: code, title, kind, revision, state, effective date."""
    repo = app.repository()
    day = as_of or dt.date.today()
    rows = repo.summaries(on=day, kinds=kinds, statuses=statuses)
    if as_json:
        emit_json({"as_of": day.isoformat(), "documents": [r.to_dict() for r in rows]})
        return 0
    table = Table(title=f"{repo.config.organization.name}: tài liệu ngày {day:%d/%m/%Y}")
    columns = ("Mã hiệu", "Tên tài liệu", "Loại", "Lần BH", "Trạng thái", "Hiệu lực", "Đang làm")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row.code,
            row.title,
            row.kind,
            str(row.revision),
            row.status,
            f"{row.effective_date:%d/%m/%Y}" if row.effective_date else "",
            working_text(row.working) if row.working else "",
        )
    app.console.print(table)
    unreadable = {f.file for f in repo.load_findings if f.severity is Severity.ERROR}
    if unreadable:
        click.echo(
            f"qms: {len(unreadable)} file(s) could not be read; run 'qms validate'", err=True
        )
    return 0


#: How each task reads at the desk.
_TASK_WORDS = {
    "revise_returned": "Sửa dự thảo bị trả lại",
    "finish_draft": "Hoàn thiện dự thảo",
    "review": "Xem xét",
    "approve": "Phê duyệt",
    "periodic_review": "Rà soát định kỳ",
}


@click.command("status")
@click.option("--as", "as_person", metavar="PERSON", help="Whose desk (default: git's user.email).")
@click.option("--as-of", "as_of", type=DATE, default=None, help="The day (default: today).")
@click.option(
    "--within", type=click.IntRange(min=0), default=30, show_default=True,
    help="Periodic reviews due within this many days.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_obj
def status(
    app: AppContext, as_person: str | None, as_of: dt.date | None, within: int, as_json: bool
) -> int:
    """What is waiting for me: drafts I authored, revisions to review or approve, reviews due."""
    repo = app.repository()
    person = acting_person(app, as_person)
    day = as_of or dt.date.today()
    items = repo.waiting_for(person, on=day, within_days=within)
    if as_json:
        emit_json(
            {"person": person, "as_of": day.isoformat(), "waiting": [i.to_dict() for i in items]}
        )
        return 0
    found = repo.config.person(person)
    name = found.name if found else person
    if not items:
        click.echo(f"{name}: không có việc nào đang chờ ngày {day:%d/%m/%Y}")
        return 0
    table = Table(title=f"Việc đang chờ {name} ngày {day:%d/%m/%Y}")
    for column in ("Việc", "Mã hiệu", "Tên tài liệu", "Lần BH", "Ghi chú"):
        table.add_column(column, overflow="fold")
    for item in items:
        note = item.comment or (f"hạn {item.due:%d/%m/%Y}" if item.due else "")
        table.add_row(_TASK_WORDS[item.task], item.code, item.title, str(item.revision), note)
    app.console.print(table)
    return 0
