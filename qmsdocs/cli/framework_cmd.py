"""The framework model: ``qms framework add|fetch|update|status`` and ``qms adopt``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from qmsdocs.cli.context import AppContext, acting_person, action_options, emit_json, now, report
from qmsdocs.errors import ActionRefused
from qmsdocs.i18n import N_, _


def _parameters(pairs: tuple[str, ...]) -> dict[str, str | int]:
    values: dict[str, str | int] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(_("write it as NAME=VALUE"), param_hint="'--set'")
        text = value.strip()
        values[name.strip()] = int(text) if text.isdigit() else text
    return values


@click.group()
def framework() -> None:
    """The frameworks this agency follows: the province's model documents and legal registry."""


@framework.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--ref", "release", metavar="TAG", help="The release to follow (default: newest).")
@click.option(
    "--set", "pairs", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable)."
)
@action_options
def add(
    app: AppContext,
    name: str,
    url: str,
    release: str | None,
    pairs: tuple[str, ...],
    as_person: str | None,
    as_json: bool,
) -> int:
    """Follow the framework at URL under NAME: fetch its releases, record it in qms.yaml."""
    repo = app.repository()
    by = acting_person(app, as_person)
    result = repo.framework_add(
        name, url, release=release, parameters=_parameters(pairs), by=by, now=now()
    )
    return report(result, as_json)


@framework.command("fetch")
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def fetch(app: AppContext, name: str | None, as_json: bool) -> int:
    """Fetch the releases of the followed frameworks (or NAME) into this repository's git."""
    results = app.repository().framework_fetch(name)
    if as_json:
        emit_json({"frameworks": [r.to_dict() for r in results]})
        return 0
    for result in results:
        click.echo(
            _("{name}: {count} release(s), new: {new}").format(
                name=result.name,
                count=len(result.releases),
                new=", ".join(result.new) or _("none"),
            )
        )
        if result.moved:
            click.echo(
                _(
                    "{name}: the framework moved release(s) {tags}; the ones fetched are kept"
                ).format(name=result.name, tags=", ".join(result.moved)),
                err=True,
            )
    return 0


@framework.command("update")
@click.argument("name", required=False)
@click.option("--to", "to", metavar="TAG", help="The release to take (default: the newest).")
@action_options
def update(
    app: AppContext, name: str | None, to: str | None, as_person: str | None, as_json: bool
) -> int:
    """Take a framework release: revision drafts merged three ways, in one commit.

    Conflicts are recorded in the drafts (qms validate lists them); resolve each by editing
    the field and deleting its entry, then submit as usual. Nothing is approved here. Exit
    code 1 when the drafts hold conflicts (the commit is made).
    """
    repo = app.repository()
    by = acting_person(app, as_person)
    result = repo.framework_update(name, to=to, by=by, now=now())
    if as_json:
        emit_json(result.to_dict())
        return 1 if result.conflicts else 0
    if result.commit is None:
        click.echo(
            _("{name}: nothing to change at release {tag}, no commit made").format(
                name=result.framework, tag=result.release_to
            )
        )
    else:
        click.echo(f"{result.message} [{result.commit[:10]}]")
    for draft in result.drafts:
        if draft.conflicts:
            click.echo(
                _("{code} revision {revision}: {count} conflict(s): {fields}").format(
                    code=draft.code,
                    revision=draft.revision,
                    count=len(draft.conflicts),
                    fields=", ".join(draft.conflicts),
                )
            )
        else:
            click.echo(
                _("{code} revision {revision}: merged, no conflict").format(
                    code=draft.code, revision=draft.revision
                )
            )
    lines = (
        (result.open, N_("left alone, a draft or review is open: {codes}")),
        (result.withdrawn, N_("withdrawn here, not reopened: {codes}")),
        (result.to_withdraw, N_("the framework withdrew the model; consider withdrawing: {codes}")),
        (result.offered, N_("offered, not adopted (qms adopt {name}:CODE): {codes}")),
        (result.legal_edited_locally, N_("shared legal documents edited here, kept: {codes}")),
    )
    for codes, template in lines:
        if codes:
            click.echo(_(template).format(codes=", ".join(codes), name=result.framework))
    # Committed, but conflicts are findings: a script must not take this for a clean update.
    return 1 if result.conflicts else 0


@framework.command("status")
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_obj
def status(app: AppContext, name: str | None, as_json: bool) -> int:
    """Per derived document: the model revision followed and the latest, local deviations,
    open conflicts; and the models offered or to withdraw."""
    rows = app.repository().framework_status(name)
    if as_json:
        emit_json({"frameworks": [r.to_dict() for r in rows]})
        return 0
    for row in rows:
        table = Table(
            title=_("Framework {name}: release {release} (newest fetched: {latest})").format(
                name=row.framework, release=row.release or "-", latest=row.latest or "-"
            )
        )
        columns = (N_("Document"), N_("Status"), N_("Model"), N_("Followed"), N_("Latest"),
                   N_("Deviations"), N_("Conflicts"))  # fmt: skip
        for column in columns:
            table.add_column(_(column), overflow="fold")
        for d in row.documents:
            table.add_row(
                d.code,
                _(d.status),
                d.model,
                str(d.followed_revision),
                "-" if d.latest_revision is None else str(d.latest_revision),
                "?" if d.deviations is None else str(d.deviations),
                str(d.conflicts),
            )
        app.console.print(table)
        if row.offered:
            click.echo(_("offered, not adopted: {codes}").format(codes=", ".join(row.offered)))
        if row.to_withdraw:
            click.echo(_("to withdraw: {codes}").format(codes=", ".join(row.to_withdraw)))
        if row.problem:
            click.echo(row.problem, err=True)
    return 0


@click.command("adopt")
@click.argument("targets", nargs=-1, required=True, metavar="NAME:CODE…")
@click.option("--code", "local_code", metavar="LOCAL", help="The local code of the one model.")
@click.option("--all", "every", is_flag=True, help="Every issued model not adopted yet (NAME).")
@action_options
def adopt(
    app: AppContext,
    targets: tuple[str, ...],
    local_code: str | None,
    every: bool,
    as_person: str | None,
    as_json: bool,
) -> int:
    """Create derived drafts of a framework's model documents, rendered for this agency.

    Give NAME:CODE for each model (or NAME with --all). The drafts carry derived_from and are
    reviewed and approved by the agency's own people, as any document.
    """
    names = {t.partition(":")[0] for t in targets}
    codes = [t.partition(":")[2] for t in targets]
    if len(names) != 1 or (not every and not all(codes)):
        raise click.BadParameter(
            _("write NAME:CODE (one framework), or NAME --all"), param_hint="'NAME:CODE'"
        )
    if every and any(codes):
        raise ActionRefused(_("--all adopts every model: name only the framework"))
    repo = app.repository()
    by = acting_person(app, as_person)
    results = repo.adopt(
        names.pop(), [c for c in codes if c], code=local_code, every=every, by=by, now=now()
    )
    if as_json:
        emit_json({"adopted": [r.to_dict() for r in results]})
        return 0
    if results and results[0].commit is not None:
        click.echo(f"{results[0].message} [{results[0].commit[:10]}]")
    for result in results:
        click.echo(_("{code}: draft revision 1").format(code=result.code))
    return 0


def framework_demo(directory: Path, agency: Path, framework_source: Path) -> int:
    """Build the framework cycle's demo (``qms demo DIRECTORY --framework``)."""
    from qmsdocs.framework.demo import build_framework_demo

    if not (framework_source / "qms.yaml").is_file():
        raise ActionRefused(
            _("no sample framework at {path}").format(path=framework_source), file=framework_source
        )
    built = build_framework_demo(
        directory,
        framework_source=framework_source,
        agency_source=agency,
        progress=lambda step: click.echo(_(step), err=True),
    )
    update = built.update
    click.echo(
        _(
            "built {province} (framework, releases 2025.1 and 2025.2) and {commune} (a ward "
            "following it): release {release} taken with {drafts} draft(s) and {conflicts} "
            "conflict(s), resolved and approved"
        ).format(
            province=built.province.root,
            commune=built.commune.root,
            release=update.release_to,
            drafts=len(update.drafts),
            conflicts=update.conflicts,
        )
    )
    return 0


COMMANDS = [framework, adopt]
