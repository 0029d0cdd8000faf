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
    from qmsdocs.cli import (
        actions_cmd,
        audit_cmd,
        diff_cmd,
        distribution_cmd,
        export_cmd,
        legal_cmd,
        list_cmd,
        portal_cmd,
        setup_cmd,
        show_cmd,
        validate_cmd,
    )

    every = [validate_cmd.validate, list_cmd.list_documents, list_cmd.status, show_cmd.show]
    for module in (
        actions_cmd, audit_cmd, diff_cmd, distribution_cmd, export_cmd, legal_cmd, setup_cmd,
        portal_cmd,
    ):  # fmt: skip
        every += module.COMMANDS
    assert {c.name: c for c in every} == {name: cli.commands[name] for name in COMMANDS}
    assert sorted(cli.list_commands(click.Context(cli))) == sorted(COMMANDS)
