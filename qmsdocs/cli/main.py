"""Entry point of ``qms``: global options, subcommands, and exit codes decided in one place.

Exit codes: 0 ok; 1 findings, or an action refused; 2 usage error (bad argument or option);
3 an unexpected error, which is a bug in qmsdocs.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from qmsdocs import __version__
from qmsdocs.cli import (
    actions_cmd,
    audit_cmd,
    diff_cmd,
    distribution_cmd,
    export_cmd,
    legal_cmd,
    list_cmd,
    setup_cmd,
    show_cmd,
    validate_cmd,
)
from qmsdocs.cli.context import AppContext
from qmsdocs.errors import QmsError

__all__ = ["cli", "main"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
BUG_REPORT = "https://github.com/qmsdocs/qmsdocs/issues"


class _Qms(click.Group):
    """The ``qms`` group: a reader that closes the pipe (``qms list | head``) ends the run well."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # Python's own recipe: point stdout at /dev/null so that the flush at exit
            # does not fail a second time; what the reader wanted, it has read.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return EXIT_OK


@click.group(cls=_Qms, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Run as if qms was started in this folder.",
)
@click.version_option(__version__, prog_name="qms")
@click.pass_context
def cli(ctx: click.Context, directory: Path) -> None:
    """qms: document control for an ISO 9001 quality management system kept in git."""
    ctx.obj = AppContext(directory=directory)


cli.add_command(validate_cmd.validate)
cli.add_command(list_cmd.list_documents)
cli.add_command(list_cmd.status)
cli.add_command(show_cmd.show)
for command in [
    *actions_cmd.COMMANDS,
    *audit_cmd.COMMANDS,
    *diff_cmd.COMMANDS,
    *distribution_cmd.COMMANDS,
    *export_cmd.COMMANDS,
    *legal_cmd.COMMANDS,
    *setup_cmd.COMMANDS,
]:
    cli.add_command(command)


def _command_path(ctx: click.Context | None) -> str:
    """Return what the officer typed to reach *ctx*'s command: ``qms legal add``."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(["qms", *reversed(names)])


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``qms`` with *argv* and return the exit code (never raises)."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("qms: aborted", err=True)
        return EXIT_FINDINGS
    except click.UsageError as error:
        click.echo(
            f"qms: usage error: {error.format_message()}\n"
            f"Try '{_command_path(error.ctx)} --help'.",
            err=True,
        )
        return EXIT_USAGE
    except click.ClickException as error:
        click.echo(f"qms: error: {error.format_message()}", err=True)
        return EXIT_USAGE
    except QmsError as error:
        click.echo(f"qms: error: {error}", err=True)
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        click.echo("qms: interrupted", err=True)
        return 130
    except Exception:  # noqa: BLE001 - the one place that turns a bug into a message
        click.echo(
            "qms: internal error, this is a bug in qmsdocs. Please report it with the lines "
            f"below at {BUG_REPORT}",
            err=True,
        )
        click.echo(traceback.format_exc(), err=True)
        return EXIT_BUG
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
