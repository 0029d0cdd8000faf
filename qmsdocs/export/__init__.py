"""Controlled copies and registers as .docx: model objects in, bytes out.

The only package that imports python-docx. It lays out what it is given and decides
nothing about the repository: which revision to export, its state on the day, its commit
and the distribution register are the caller's (see :class:`qmsdocs.Repository`). ::

    from qmsdocs.export import DocumentRenderer, ExportContext, ExportInfo, Marking

    context = ExportContext(config=repo.config, legal=repo.legal,
                            titles={d.code: d.title for d in repo})
    state, _ = repo.state_on("QT-TP-01", today)
    renderer = DocumentRenderer(repo.document("QT-TP-01"), context=context,
                                info=ExportInfo(state=state, commit=head))
    renderer.write("QT-TP-01.docx")                              # no marking
    data = renderer.copy(Marking.controlled(3, "Bộ phận Một cửa"))  # BẢN KIỂM SOÁT, bản số 03

Everything is deterministic: the same inputs give the same bytes.
"""

from qmsdocs.export._bulk import ExportJob, export_many
from qmsdocs.export._document import (
    DocumentRenderer,
    ExportContext,
    ExportInfo,
    Marking,
    render_document,
    save,
    watermark_text,
    write_document,
)
from qmsdocs.export._registers import (
    DistributionRow,
    ExternalRow,
    InternalRow,
    external_rows,
    internal_row,
    render_distribution_register,
    render_external_register,
    render_internal_register,
)
from qmsdocs.export._template import Template

__all__ = [
    "DistributionRow",
    "DocumentRenderer",
    "ExportContext",
    "ExportInfo",
    "ExportJob",
    "ExternalRow",
    "InternalRow",
    "Marking",
    "Template",
    "export_many",
    "external_rows",
    "internal_row",
    "render_distribution_register",
    "render_document",
    "render_external_register",
    "render_internal_register",
    "save",
    "watermark_text",
    "write_document",
]
