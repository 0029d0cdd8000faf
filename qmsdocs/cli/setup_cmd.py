"""``qms init`` (a new, valid, empty repository) and ``qms demo`` (the sample, with history)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress

from qmsdocs.cli.context import AppContext
from qmsdocs.errors import ActionRefused
from qmsdocs.i18n import _
from qmsdocs.scaffold import build_demo, init_repository, install_hook
from qmsdocs.store.git import Identity

#: The sample agency, when qmsdocs runs from its source tree.
DEFAULT_SAMPLE = Path(__file__).resolve().parents[2] / "sample_repo"


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="TÊN CƠ QUAN", show_default=True, help="The agency's name.")
@click.option("--parent", default="Cơ quan chủ quản", show_default=True, help="The parent agency.")
@click.option(
    "--email", default="iso@example.invalid", show_default=True, help="The ISO officer's email."
)
@click.option(
    "--hook/--no-hook",
    default=True,
    show_default=True,
    help="Install a git pre-commit hook that runs 'qms validate' before each commit.",
)
def init(directory: Path, name: str, parent: str, email: str, hook: bool) -> int:
    """Create a new, valid, empty QMS repository in DIRECTORY (a git repository)."""
    who = Identity("qmsdocs", email)
    repo = init_repository(
        directory, name=name, parent=parent, email=email, by=who, now=dt.datetime.now().astimezone()
    )
    if hook:
        install_hook(repo.root, python=sys.executable)
    click.echo(
        _(
            "created {root}: edit qms.yaml (units, people, roles), then "
            "'qms -C {directory} validate'"
        ).format(root=repo.root, directory=directory)
    )
    return 0


@click.command("install-hook")
@click.pass_obj
def install_hook_command(app: AppContext) -> int:
    """Install a git pre-commit hook that runs 'qms validate' before each commit."""
    path = install_hook(app.repository().root, python=sys.executable)
    click.echo(_("installed {path}: every commit is validated first").format(path=path))
    return 0


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--from",
    "source",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="The sample QMS to replay (default: the bundled sample_repo).",
)
@click.option(
    "--framework",
    "with_framework",
    is_flag=True,
    help="Build the framework cycle instead: DIRECTORY/province and DIRECTORY/commune.",
)
def demo(directory: Path, source: Path | None, with_framework: bool) -> int:
    """Build a demo repository in DIRECTORY: the sample agency with its history since 2021."""
    source = source or DEFAULT_SAMPLE
    if with_framework:
        from qmsdocs.cli.framework_cmd import framework_demo

        return framework_demo(directory, source, DEFAULT_SAMPLE.with_name("sample_framework"))
    if not (source / "qms.yaml").is_file():
        raise ActionRefused(_("no sample QMS at {path}; pass --from PATH").format(path=source))
    console = Console(stderr=True, highlight=False)
    with Progress(
        *Progress.get_default_columns(), transient=True, console=console,
        disable=not console.is_terminal,
    ) as bar:  # fmt: skip
        task = bar.add_task(_("Building the sample's history"), total=None)
        repo = build_demo(
            directory,
            source=source,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    actions = len(repo.history_store.actions())
    click.echo(
        _("built {root}: {documents} documents, {legal} legal documents, {actions} actions").format(
            root=repo.root, documents=len(repo), legal=len(repo.legal), actions=actions
        )
    )
    return 0


COMMANDS = [init, install_hook_command, demo]
