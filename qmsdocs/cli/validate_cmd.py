"""``qms validate``: every finding of the repository, one line each."""

from __future__ import annotations

import click

from qmsdocs.cli.context import AppContext, emit_json
from qmsdocs.findings import Severity
from qmsdocs.i18n import _


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_obj
def validate(app: AppContext, as_json: bool) -> int:
    """Check every file: YAML syntax, fields, references, dates.

    Prints one line per finding, FILE:LINE:COL: SEVERITY CHECK MESSAGE, and exits 1 when any
    finding is an error.
    """
    repo = app.repository()
    findings = repo.validate()
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    if as_json:
        emit_json(
            {"root": str(repo.root), "errors": errors, "findings": [f.to_dict() for f in findings]}
        )
    else:
        for finding in findings:
            click.echo(str(finding))
        warnings = len(findings) - errors
        counts = {"documents": len(repo), "legal": len(repo.legal)}
        if findings:
            line = _(
                "{documents} documents, {legal} legal documents: {errors} error(s), "
                "{warnings} warning(s)"
            ).format(errors=errors, warnings=warnings, **counts)
        else:
            line = _("ok: {documents} documents, {legal} legal documents, no findings").format(
                **counts
            )
        click.echo(line, err=bool(findings))
    return 1 if errors else 0
