"""Commands imported when they run: ``qms list`` does not pay for python-docx and lxml.

Every ``qms`` command is named here with the module and attribute that define it; the
module is imported the first time the command is looked up (running it, or its help).
:data:`COMMANDS` is kept true by a test that imports every command module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, ItemsView, Iterator, ValuesView
from typing import Any, cast

import click

__all__ = ["COMMANDS", "LazyCommands"]

#: Command name -> "module:attribute", in the order ``qms --help`` lists them.
COMMANDS = {
    "validate": "qmsdocs.cli.validate_cmd:validate",
    "list": "qmsdocs.cli.list_cmd:list_documents",
    "status": "qmsdocs.cli.list_cmd:status",
    "show": "qmsdocs.cli.show_cmd:show",
    "new": "qmsdocs.cli.actions_cmd:new",
    "revise": "qmsdocs.cli.actions_cmd:revise",
    "submit": "qmsdocs.cli.actions_cmd:submit",
    "review": "qmsdocs.cli.actions_cmd:review",
    "approve": "qmsdocs.cli.actions_cmd:approve",
    "withdraw": "qmsdocs.cli.actions_cmd:withdraw",
    "confirm": "qmsdocs.cli.actions_cmd:confirm",
    "history": "qmsdocs.cli.audit_cmd:history",
    "due": "qmsdocs.cli.audit_cmd:due",
    "verify": "qmsdocs.cli.audit_cmd:verify",
    "recover": "qmsdocs.cli.audit_cmd:recover",
    "diff": "qmsdocs.cli.diff_cmd:diff",
    "changes": "qmsdocs.cli.diff_cmd:changes",
    "distribution": "qmsdocs.cli.distribution_cmd:distribution_command",
    "recall": "qmsdocs.cli.distribution_cmd:recall_command",
    "export": "qmsdocs.cli.export_cmd:export",
    "registers": "qmsdocs.cli.export_cmd:registers",
    "portal": "qmsdocs.cli.portal_cmd:portal",
    "legal": "qmsdocs.cli.legal_cmd:legal",
    "fleet": "qmsdocs.cli.fleet_cmd:fleet",
    "framework": "qmsdocs.cli.framework_cmd:framework",
    "adopt": "qmsdocs.cli.framework_cmd:adopt",
    "impact": "qmsdocs.cli.legal_cmd:impact",
    "tthc": "qmsdocs.cli.tthc_cmd:tthc",
    "announce": "qmsdocs.cli.announce_cmd:announce",
    "init": "qmsdocs.cli.setup_cmd:init",
    "install-hook": "qmsdocs.cli.setup_cmd:install_hook_command",
    "demo": "qmsdocs.cli.setup_cmd:demo",
}


def _load(where: str) -> click.Command:
    module, _, name = where.partition(":")
    return cast(click.Command, getattr(importlib.import_module(module), name))


class LazyCommands(dict[str, Any]):
    """A group's commands by name, each imported on first lookup.

    A plain ``dict`` to click (``get``, ``in``, iteration, ``items``); values that are still
    ``"module:attribute"`` strings are imported and replaced when read, then handed to
    *on_load* (which puts their help in the current language).
    """

    def __init__(
        self, commands: dict[str, str], *, on_load: Callable[[click.Command], None] | None = None
    ) -> None:
        super().__init__(commands)
        self.on_load = on_load

    def _resolve(self, name: str) -> click.Command:
        value = super().__getitem__(name)
        if isinstance(value, str):
            value = _load(value)
            super().__setitem__(name, value)
            if self.on_load is not None:
                self.on_load(value)
        return cast(click.Command, value)

    def loaded(self) -> dict[str, click.Command]:
        """Return the commands imported so far."""
        return {k: v for k, v in super().items() if not isinstance(v, str)}

    def __getitem__(self, name: str) -> click.Command:
        return self._resolve(name)

    def get(self, name: str, default: Any = None) -> Any:
        """Return the command *name*, imported now, or *default*."""
        return self._resolve(name) if name in self else default

    def values(self) -> ValuesView[Any]:  # type: ignore[override]
        """Return every command, all imported."""
        for name in list(self):
            self._resolve(name)
        return super().values()

    def items(self) -> ItemsView[str, Any]:  # type: ignore[override]
        """Return every (name, command), all imported."""
        self.values()
        return super().items()

    def __iter__(self) -> Iterator[str]:
        return iter(list(super().keys()))
