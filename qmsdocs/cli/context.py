"""What every subcommand shares: the folder, the repository, output helpers."""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from qmsdocs.repository import Repository

__all__ = ["AppContext", "DATE", "emit_json"]


@dataclass
class AppContext:
    """Per-run state of the CLI (never of the library)."""

    directory: Path
    _repo: Repository | None = field(default=None, repr=False)

    def repository(self) -> Repository:
        """Return the repository at -C (opened once)."""
        if self._repo is None:
            self._repo = Repository.open(self.directory)
        return self._repo

    @property
    def console(self) -> Console:
        """Return the console for people: rich on a terminal, plain text otherwise."""
        if sys.stdout.isatty():
            return Console(highlight=False)
        # Piped or captured: no colour codes, and wide enough that cells rarely wrap.
        return Console(highlight=False, width=160, no_color=True)


class _DateType(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for parse in (dt.date.fromisoformat, lambda t: dt.datetime.strptime(t, "%d/%m/%Y").date()):
            try:
                return parse(text)
            except ValueError:
                continue
        self.fail(
            f"{text!r} is not a date: write YYYY-MM-DD (2025-07-01) or DD/MM/YYYY", param, ctx
        )


#: A date option or argument: ISO (2025-07-01) or Vietnamese (01/07/2025).
DATE = _DateType()


def emit_json(value: Any) -> None:
    """Print *value* as JSON for scripts: UTF-8, diacritics kept, stable key order."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
