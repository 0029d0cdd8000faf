"""A command imports what it needs when it runs: reading commands leave python-docx alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click

from qmsdocs.cli.lazy import COMMANDS
from qmsdocs.cli.main import cli

_PROBE = """
import json, sys
{setup}
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & {{"docx", "lxml"}})
print(json.dumps(heavy))
"""


def _heavy(setup: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(setup=setup)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_import_qmsdocs_imports_neither_docx_nor_lxml() -> None:
    assert _heavy("import qmsdocs") == []


def test_qms_list_imports_neither_docx_nor_lxml(mini: Path) -> None:
    setup = (
        "from qmsdocs.cli.main import main\n"
        f"code = main(['-C', {str(mini)!r}, 'list'])\n"
        "assert code == 0, code"
    )
    assert _heavy(setup) == []


def test_qms_export_still_finds_its_command(mini: Path) -> None:
    assert _heavy("from qmsdocs.cli.main import cli; cli.commands['export']") == ["docx", "lxml"]


def test_the_table_of_commands_names_every_command_module_defines() -> None:
    import importlib

    modules = {where.partition(":")[0] for where in COMMANDS.values()}
    for name in COMMANDS:
        command = cli.commands[name]
        assert isinstance(command, click.Command) and command.name == name
    for module in modules:  # a module's list of commands is all in the table
        for command in getattr(importlib.import_module(module), "COMMANDS", []):
            assert cli.commands[command.name] is command
    assert sorted(cli.list_commands(click.Context(cli))) == sorted(COMMANDS)
