"""Help texts in the person's language.

click keeps each command's and option's help as the plain English string written in the
code; before a run, :func:`translate_help` puts the current language's version in place
(keeping the English original, so that the next run in another language starts from it).
``scripts/catalogs.py`` reads :func:`help_texts` to put them in the catalog.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import click

from qmsdocs.i18n import _

__all__ = ["help_texts", "translate_help"]

_ORIGINAL = "_qms_english"


def _walk(command: click.Command, *, every: bool = True) -> Iterator[click.Command]:
    """Yield *command* and those under it; unless *every*, only those already imported."""
    yield command
    if isinstance(command, click.Group):
        commands = command.commands
        loaded = getattr(commands, "loaded", None)  # qmsdocs.cli.lazy.LazyCommands
        if not every and loaded is not None:
            commands = loaded()
        for name in sorted(commands):
            yield from _walk(commands[name], every=every)


def _texts(command: click.Command) -> Iterator[tuple[object, str]]:
    for attribute in ("help", "short_help"):
        if getattr(command, attribute, None):
            yield command, attribute
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            yield param, "help"


def help_texts(root: click.Command) -> list[str]:
    """Return every help text under *root*, as written in the code (the catalog's ids)."""
    out: list[str] = []
    for command in _walk(root):
        for owner, attribute in _texts(command):
            text = getattr(owner, f"{_ORIGINAL}_{attribute}", None) or getattr(owner, attribute)
            out.append(inspect.cleandoc(text))
    return list(dict.fromkeys(out))


def translate_help(root: click.Command) -> None:
    """Put every help text under *root* in the current language (commands imported so far;
    the others are put in it when imported)."""
    for command in _walk(root, every=False):
        if "_help_option" in vars(command):
            command._help_option = None  # click builds --help once per command, in a language
        for owner, attribute in _texts(command):
            key = f"{_ORIGINAL}_{attribute}"
            original = getattr(owner, key, None)
            if original is None:
                original = inspect.cleandoc(getattr(owner, attribute))
                setattr(owner, key, original)
            setattr(owner, attribute, _(original))
