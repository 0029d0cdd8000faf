"""Controlled copies of a repository's documents: which revision, its state, its trace.

The bridge between :class:`qmsdocs.Repository` and :mod:`qmsdocs.export` (which lays out
what it is given and decides nothing): pick the revision asked for (a number, the one in
force on a day, or the working file), compute its state, content stamp and source commit,
load the agency's template safely, and write copies and registers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qmsdocs.errors import ActionRefused, ConfigError, DocumentNotFound
from qmsdocs.export import (
    DocumentRenderer,
    ExportContext,
    ExportInfo,
    ExportJob,
    Marking,
    Template,
    export_many,
    external_rows,
    internal_row,
    render_external_register,
    render_internal_register,
    save,
)
from qmsdocs.i18n import _
from qmsdocs.lifecycle import DocumentState
from qmsdocs.model import Document
from qmsdocs.repository import Repository
from qmsdocs.store.files import output_folder

__all__ = ["Copy", "export_all", "export_context", "prepare_copy", "write_copy", "write_registers"]

_MAX_TEMPLATE = 16 * 1024 * 1024


def export_context(repo: Repository) -> ExportContext:
    """Return what every export of *repo* shares: configuration, registry, titles, template.

    The template named in qms.yaml must be a file inside the repository.
    """
    config = repo.config
    template = None
    if config.export.template:
        root = repo.root.resolve()
        path = (root / config.export.template).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise ConfigError(
                _(
                    "export.template {template!r} must name a .docx file inside the repository"
                ).format(template=config.export.template),
                file=repo.root / "qms.yaml",
                field="export.template",
            )
        if path.stat().st_size > _MAX_TEMPLATE:
            raise ConfigError(
                _("export.template is larger than 16 MB"), file=path, field="export.template"
            )
        template = Template(path.read_bytes(), name=path.relative_to(root).as_posix())
    return ExportContext(
        config=config, legal=repo.legal, titles={d.code: d.title for d in repo}, template=template
    )


@dataclass(frozen=True)
class Copy:
    """A revision ready to be copied: the document, its state and trace, and its file name."""

    document: Document
    info: ExportInfo
    name: str  # QT-01_r2.docx

    def job(self, out: Path, marking: Marking | None = None) -> ExportJob:
        """Return the export job writing this copy, with *marking*, into the folder *out*."""
        info = (
            self.info
            if marking is None
            else ExportInfo(
                state=self.info.state,
                stamp=self.info.stamp,
                commit=self.info.commit,
                marking=marking,
            )
        )
        return ExportJob(self.document, info, out / self.name)


def prepare_copy(
    repo: Repository,
    code: str,
    *,
    today: dt.date,
    revision: int | None = None,
    as_of: dt.date | None = None,
) -> Copy:
    """Return the revision of *code* to copy, with its state on *today*.

    Issued revision number *revision*, the revision in force on *as_of*, or (with neither)
    the file as it stands: a draft is marked DỰ THẢO, a superseded or withdrawn revision
    HẾT HIỆU LỰC.
    """
    current = repo.document(code)
    if as_of is not None:
        state, number = repo.state_on(code, as_of)
        if state is not DocumentState.EFFECTIVE:
            raise DocumentNotFound(
                _("{code} had no revision in force on {as_of:%d/%m/%Y} ({value})").format(
                    code=current.code, as_of=as_of, value=state.value
                ),
                code=code,
            )
        revision = number
    issued = {r.revision: r for r in repo.revisions(code)}
    working = current.status.value in ("draft", "in_review")
    if revision is None or (revision == current.revision and not working):
        revision, document = current.revision, current
    elif revision in issued:
        document = repo.revision(code, revision)
        working = False
    else:
        known = ", ".join(str(r) for r in issued) or "none"
        raise DocumentNotFound(
            _("{code} has no issued revision {revision} (issued: {known})").format(
                code=current.code, revision=revision, known=known
            ),
            code=code,
        )
    tag = issued.get(revision)
    if working:
        state = DocumentState(current.status.value)
        commit = repo.history_store.store.head() if repo.in_git else None
        return Copy(
            document, ExportInfo(state=state, commit=commit), f"{current.code}_r{revision}.docx"
        )
    today_state, in_force = repo.state_on(code, today)
    if revision < in_force:
        state = DocumentState.SUPERSEDED
    elif revision > in_force or today_state in (DocumentState.PENDING, DocumentState.DRAFT):
        state = DocumentState.PENDING
    else:
        state = today_state
    return Copy(
        document,
        ExportInfo(
            state=state, stamp=tag.stamp if tag else None, commit=tag.commit if tag else None
        ),
        f"{current.code}_r{revision}.docx",
    )


def write_copy(copy: Copy, out: Path, *, context: ExportContext, marking: Marking | None) -> Path:
    """Write one copy into the folder *out* and return its path."""
    output_folder(out)
    target = out / copy.name
    renderer = DocumentRenderer(copy.document, context=context, info=copy.info)
    save(renderer.copy(marking), target)
    return target


def export_all(
    repo: Repository,
    out: Path,
    *,
    today: dt.date,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write the current file of every document into *out* (one .docx each), on every core."""
    output_folder(out)
    context = export_context(repo)
    jobs = [prepare_copy(repo, d.code, today=today).job(out) for d in repo]
    if not jobs:
        raise ActionRefused(_("the repository has no document to export"))
    return export_many(jobs, context=context, workers=workers, progress=progress)


def write_registers(repo: Repository, out: Path, *, on: dt.date) -> list[Path]:
    """Write the internal and external documents lists as of *on* into *out*."""
    output_folder(out)
    context = export_context(repo)
    rows = []
    for summary in repo.summaries(on=on):
        document = repo.document(summary.code)
        if summary.revision != document.revision and summary.revision in {
            r.revision for r in repo.revisions(summary.code)
        }:
            document = repo.revision(summary.code, summary.revision)
        rows.append(internal_row(document, DocumentState(summary.status), config=repo.config))
    internal = out / "danh-muc-tai-lieu-noi-bo.docx"
    external = out / "danh-muc-tai-lieu-ben-ngoai.docx"
    save(render_internal_register(rows, context=context, as_of=on), internal)
    legal = external_rows(repo.legal, on, language=repo.config.language)
    save(render_external_register(legal, context=context, as_of=on), external)
    return [internal, external]
