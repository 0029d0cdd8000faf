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
from qmsdocs.cli.context import AppContext
from qmsdocs.cli.help import translate_help
from qmsdocs.cli.lazy import COMMANDS, LazyCommands
from qmsdocs.errors import QmsError
from qmsdocs.i18n import LANGUAGES, _, current_language, language, ngettext

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
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of messages and help (default: QMS_LANG, else qms.yaml's language).",
)
@click.version_option(__version__, prog_name="qms")
@click.pass_context
def cli(ctx: click.Context, directory: Path, lang: str | None) -> None:
    """qms: document control for an ISO 9001 quality management system kept in git."""
    if not isinstance(ctx.obj, AppContext) or ctx.obj.directory != directory:
        ctx.obj = AppContext(directory=directory)


# Each command's module is imported when the command is looked up (qmsdocs.cli.lazy).
cli.commands = LazyCommands(COMMANDS, on_load=translate_help)


def _command_path(ctx: click.Context | None) -> str:
    """Return what the officer typed to reach *ctx*'s command: ``qms legal add``."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(["qms", *reversed(names)])


def _option(args: Sequence[str], *names: str) -> str | None:
    """Return the value of the first global option among *names* in *args*, if given."""
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith(f"{name}="):
                return arg.split("=", 1)[1]
    return None


def _language(args: Sequence[str], app: AppContext) -> str:
    """Return the language of this run: --lang, else QMS_LANG, else qms.yaml's, else vi."""
    for chosen in (_option(args, "--lang"), os.environ.get("QMS_LANG")):
        if chosen in LANGUAGES:
            return chosen
    try:
        return app.repository().config.language
    except QmsError:
        return "vi"  # no repository yet (qms init, qms demo): the officers' language


def _speak(lang: str) -> None:
    """Point click's own words (Usage:, Missing option …) at the catalog of *lang*."""
    for module in (
        click.core, click.decorators, click.exceptions, click.formatting, click.parser,
        click.types,
    ):  # fmt: skip
        module.__dict__["_"] = _
        if "ngettext" in module.__dict__:
            module.__dict__["ngettext"] = ngettext
    translate_help(cli)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``qms`` with *argv* and return the exit code (never raises)."""
    args = list(argv) if argv is not None else sys.argv[1:]
    app = AppContext(directory=Path(_option(args, "-C") or "."))
    with language(_language(args, app)):
        _speak(current_language())
        return _run(args, app)


def _run(args: list[str], app: AppContext) -> int:
    try:
        result = cli.main(args=args, standalone_mode=False, obj=app, prog_name="qms")
    except click.exceptions.Abort:
        click.echo(_("qms: aborted"), err=True)
        return EXIT_FINDINGS
    except click.UsageError as error:
        click.echo(
            _("qms: usage error: {message}\nTry '{command} --help'.").format(
                message=error.format_message(), command=_command_path(error.ctx)
            ),
            err=True,
        )
        return EXIT_USAGE
    except click.ClickException as error:
        click.echo(_("qms: error: {message}").format(message=error.format_message()), err=True)
        return EXIT_USAGE
    except QmsError as error:
        click.echo(_("qms: error: {message}").format(message=error), err=True)
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        click.echo(_("qms: interrupted"), err=True)
        return 130
    except Exception:  # noqa: BLE001 - the one place that turns a bug into a message
        click.echo(
            _(
                "qms: internal error, this is a bug in qmsdocs. Please report it with the "
                "lines below at {url}"
            ).format(url=BUG_REPORT),
            err=True,
        )
        click.echo(traceback.format_exc(), err=True)
        return EXIT_BUG
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
