"""The portal: ``qms portal build OUT`` writes the static website of the repository."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from qmsdocs.cli.context import DATE, AppContext, now
from qmsdocs.i18n import LANGUAGES, _, current_language
from qmsdocs.portal import build_portal


@click.group()
def portal() -> None:
    """The portal: a read-only website of the QMS for the desk, the staff and auditors."""


@portal.command("build")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--as-of", "as_of", type=DATE, help="The site as of this date (default: today).")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Language of the pages (default: the language of this run).",
)
@click.option("--no-docx", "no_docx", is_flag=True, help="Do not offer controlled .docx copies.")
@click.pass_obj
def build(
    app: AppContext, out: Path, as_of: dt.date | None, lang: str | None, no_docx: bool
) -> int:
    """Write the static website of the repository into the folder OUT.

    Only what changed since the last build into OUT is rendered again.
    """
    site_lang = lang or current_language()
    result = build_portal(
        app.repository(), out, as_of=as_of or now().date(), lang=site_lang, docx=not no_docx
    )
    click.echo(
        _(
            "wrote {out}: {written} files written, {unchanged} unchanged, "
            "{rendered} revisions rendered, {reused} kept from the last build"
        ).format(
            out=out / "index.html",
            written=len(result.written),
            unchanged=len(result.unchanged),
            rendered=result.rendered_revisions,
            reused=result.reused_revisions,
        )
    )
    return 0


COMMANDS = [portal]
