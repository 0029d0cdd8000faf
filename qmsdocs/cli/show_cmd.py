"""``qms show``: one document, readable, or as JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from qmsdocs.cli.context import DATE, AppContext, emit_json
from qmsdocs.errors import DocumentNotFound
from qmsdocs.history import Action
from qmsdocs.lifecycle import DocumentState
from qmsdocs.model import Document, LegalDocument, Objectives, Policy, Procedure, Status
from qmsdocs.repository import Repository


@click.command()
@click.argument("code")
@click.option("--as-of", "as_of", type=DATE, default=None, help="The day to compute the state for.")
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
@click.pass_obj
def show(app: AppContext, code: str, as_of: dt.date | None, as_json: bool) -> int:
    """Show a document by code (QT-01), a revision (QT-01@2), or a legal document by number.

    With --as-of, show the revision that was in force on that day.
    """
    repo = app.repository()
    day = as_of or dt.date.today()
    base, _, rev = code.rpartition("@") if "@" in code else (code, "", "")
    document: Document | LegalDocument | None
    returned: Action | None = None
    if rev:
        if not rev.isdigit():
            raise click.BadParameter(f"{rev!r} is not a revision number", param_hint="CODE@REV")
        document = repo.revision(base, int(rev))
        state = f"revision {rev}"
    elif base in repo:
        document = repo.in_force(base, as_of) if as_of else repo.document(base)
        if document is None:
            state_now, _ = repo.state_on(base, day)
            raise DocumentNotFound(
                f"no revision of {base} was in force on {day:%d/%m/%Y} ({state_now.value})",
                code=base,
            )
        state, returned = _state_of_shown(repo, document, day)
    elif repo.legal.get(base) is not None:
        document = repo.legal_document(base)
        state = repo.legal.status_on(document, day).value
    else:
        raise repo.not_found(code, f"no document or legal document {code!r}; see 'qms list'")
    if as_json:
        data = document.model_dump(mode="json", by_alias=True, exclude_none=True)
        emit_json({"file": repo.file_of(base), "state": state, "as_of": day.isoformat(), **data})
        return 0
    app.console.print(render(document, state=state, day=day, local=repo.config.local))
    if returned is not None:
        app.console.print(
            Text(
                f"Trả lại ngày {repo.config.local(returned.when):%d/%m/%Y} "
                f"({returned.author_name}): "
                f"{returned.reason or ''}",
                style="bold",
            )
        )
    return 0


def _state_of_shown(repo: Repository, document: Document, day: dt.date) -> tuple[str, Action | None]:
    """Return the state of the revision shown (not of the one in force beside it), and the
    rejection that returned it to draft, if that is why it is a draft."""
    state, in_force = repo.state_on(document.code, day)
    if document.revision == in_force:
        return state.value, None
    if document.status is Status.APPROVED:
        return DocumentState.PENDING.value, None
    if document.status is Status.DRAFT:
        last = next(reversed(repo.actions(code=document.code)), None)
        if last is not None and last.action == "reject" and last.revision == document.revision:
            return "returned", last
    return document.status.value, None


def _table(*columns: str) -> Table:
    table = Table(show_header=True, expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M %z}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, list):
        return "; ".join(_fmt(v) for v in value)
    return str(value)


def _lines(items: list[str]) -> str:
    """Return list items one per line (a bullet each when there are several)."""
    if len(items) <= 1:
        return "".join(items)
    return "\n".join(f"• {item}" for item in items)


def render(
    document: Document | LegalDocument,
    *,
    state: str,
    day: dt.date,
    local: Callable[[dt.datetime], dt.datetime] = lambda moment: moment,
) -> RenderableType:
    """Return a readable rendering of *document* for a terminal (times through *local*)."""
    parts: list[RenderableType] = []
    if isinstance(document, LegalDocument):
        parts.append(Text(f"{document.number}: {document.title}", style="bold"))
        parts.append(
            Text(
                f"{document.type.value}, {document.issuer}; ban hành {_fmt(document.issued)}, "
                f"hiệu lực {_fmt(document.in_force_from)}; ngày {day:%d/%m/%Y}: {state}"
            )
        )
        if document.relations:
            table = _table("Quan hệ", "Văn bản", "Điều", "Từ ngày")
            for r in document.relations:
                table.add_row(r.type.value, r.target, _fmt(r.articles), _fmt(r.effective))
            parts.append(table)
        return Group(*parts)
    parts.append(Text(f"{document.code}: {document.title}", style="bold"))
    parts.append(
        Text(
            f"Lần ban hành {document.revision} · {document.status.value} · "
            f"ban hành {_fmt(document.issued_date)} · hiệu lực {_fmt(document.effective_date)} · "
            f"ngày {day:%d/%m/%Y}: {state}"
        )
    )
    if document.legal_basis and not isinstance(document, Procedure):
        parts.append(Text("Căn cứ pháp lý", style="bold"))
        for ref in document.legal_basis:
            parts.append(
                Text("  - " + ", ".join(x for x in (ref.ref, ref.article, ref.clause) if x))
            )
    if isinstance(document, Procedure):
        parts += _procedure(document)
    elif isinstance(document, Policy):
        parts.append(Text(document.statement))
        parts += [Text(f"  - {c}") for c in document.commitments]
    elif isinstance(document, Objectives):
        table = _table("Mục tiêu", "Chỉ tiêu", "Kết quả", "Đạt")
        for o in document.objectives:
            last = o.results[-1].text if o.results else ""
            achieved = {True: "Đạt", False: "Không đạt", None: ""}[o.achieved]
            table.add_row(f"{o.id}. {o.statement}", o.target, last, achieved)
        parts.append(table)
    else:
        parts.append(Text(f"Quy trình: {document.procedure}. {document.description or ''}"))
    if document.history:
        table = _table("Lần", "Ngày", "Nội dung sửa đổi")
        for h in document.history:
            table.add_row(str(h.revision), _fmt(h.date), h.description)
        parts.append(Text("Theo dõi sửa đổi tài liệu", style="bold"))
        parts.append(table)
    if document.approvals:
        table = _table("Ý nghĩa", "Họ và tên", "Chức vụ", "Thời gian")
        for s in document.approvals:
            table.add_row(s.meaning, s.name, s.title, _fmt(local(s.signed_at)))
        parts.append(table)
    return Group(*parts)


def _procedure(document: Procedure) -> list[RenderableType]:
    parts: list[RenderableType] = [
        Text("1. Mục đích", style="bold"),
        Text(document.purpose),
        Text("2. Phạm vi", style="bold"),
        Text(document.scope),
    ]
    if document.references or document.legal_basis:
        parts.append(Text("3. Tài liệu viện dẫn", style="bold"))
        parts += [Text(f"  - {r}") for r in document.references]
        parts += [
            Text("  - " + ", ".join(x for x in (ref.ref, ref.article, ref.clause) if x))
            for ref in document.legal_basis
        ]
    if document.definitions:
        parts.append(Text("4. Định nghĩa và chữ viết tắt", style="bold"))
        parts += [Text(f"  - {d.term}: {d.meaning}") for d in document.definitions]
    if document.responsibilities:
        parts += [Text("Trách nhiệm", style="bold"), Text(document.responsibilities)]
    if document.tthc:
        t = document.tthc
        parts.append(Text("Thủ tục hành chính", style="bold"))
        table = _table("Mục", "Nội dung")
        for label, value in (
            ("Mã TTHC", t.code),
            ("Tên", t.name),
            ("Lĩnh vực", t.field),
            ("Cách thức", _lines(t.methods)),
            ("Điều kiện", _lines(t.conditions)),
            (
                "Thành phần hồ sơ",
                _lines([f"{d.name} ({d.originals} chính, {d.copies} sao)" for d in t.dossier]),
            ),
            ("Số lượng hồ sơ", f"{t.dossier_sets:02d} bộ"),
            ("Thời hạn giải quyết", t.time_limit),
            ("Đối tượng", _lines(t.subjects)),
            ("Cơ quan thực hiện", t.implementing_agency),
            ("Cơ quan phối hợp", _lines(t.coordinating_agencies)),
            ("Phí, lệ phí", _lines([f"{f.name}: {f.amount}" for f in t.fees])),
            ("Kết quả", t.result),
            ("Nơi tiếp nhận", t.place_of_receipt),
        ):
            table.add_row(label, value)
        parts.append(table)
    steps = _table("Bước", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu/Kết quả")
    for s in document.steps:
        steps.add_row(
            str(s.no),
            s.action,
            s.responsible,
            s.time or "",
            _lines([*s.forms, *([s.result] if s.result else [])]),
        )
    parts += [Text("5. Nội dung quy trình", style="bold"), steps]
    if document.forms:
        parts.append(Text("6. Biểu mẫu: " + ", ".join(document.forms)))
    if document.records:
        records = _table("Tên hồ sơ", "Nơi lưu", "Thời gian lưu")
        for r in document.records:
            records.add_row(r.name, r.keeper, r.retention)
        parts += [Text("7. Hồ sơ cần lưu", style="bold"), records]
    return parts
