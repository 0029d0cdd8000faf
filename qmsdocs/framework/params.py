"""Placeholders of a framework's model documents, and rendering them; pure.

A model document leaves what differs from agency to agency to **parameters**, written
``{{ agency_name }}`` inside any text value. The syntax is deliberately tiny and runs no
code: a placeholder is two braces around one parameter name (letters, digits, underscore)
and nothing else. Rendering replaces each placeholder by the parameter's value in ONE pass
over the string values of the raw data: a value that itself holds ``{{ … }}`` or any other
template syntax is inserted as text and never read again, and text that is not exactly a
placeholder (``{{ 7*7 }}``, ``{% for %}``, ``{{ x.__class__ }}``) stays as it is. Mapping
keys are never rendered. A placeholder naming no declared parameter is an error that names
where it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from qmsdocs.errors import ActionRefused, UnknownPlaceholder
from qmsdocs.findings import field_name
from qmsdocs.i18n import S_
from qmsdocs.model.config import FollowedFramework, FrameworkDeclaration

__all__ = [
    "PLACEHOLDER",
    "Placeholder",
    "UnknownPlaceholder",
    "parameter_values",
    "placeholders",
    "render",
    "unknown_placeholders",
]

#: A placeholder: ``{{ name }}`` (spaces inside the braces optional).
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Placeholder:
    """A placeholder found in raw data: where (field path) and which parameter it names."""

    path: Path
    name: str

    @property
    def field(self) -> str:
        """Return the field as findings name it: ``steps[2].responsible``."""
        return field_name(self.path)


def placeholders(data: Any, path: Path = ()) -> Iterator[Placeholder]:
    """Yield every placeholder in the string values of *data* (dicts, lists, strings)."""
    if isinstance(data, str):
        for match in PLACEHOLDER.finditer(data):
            yield Placeholder(path, match.group(1))
    elif isinstance(data, Mapping):
        for key, value in data.items():
            yield from placeholders(value, (*path, str(key)))
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            yield from placeholders(value, (*path, index))


def unknown_placeholders(data: Any, known: Mapping[str, Any] | set[str]) -> list[Placeholder]:
    """Return the placeholders of *data* that name no parameter of *known*."""
    return [p for p in placeholders(data) if p.name not in known]


def render(data: Any, values: Mapping[str, str | int], *, file: str | None = None) -> Any:
    """Return a copy of raw *data* with every placeholder replaced by its value.

    One pass: inserted values are never scanned again. Values are inserted as text; a
    number field holding exactly one placeholder reads the number back when the rendered
    data is validated against its model. Raise :class:`UnknownPlaceholder` naming *file* and the field when a
    placeholder names no parameter of *values*.
    """

    def one(value: Any, path: Path) -> Any:
        if isinstance(value, str):

            def replace(match: re.Match[str]) -> str:
                name = match.group(1)
                if name not in values:
                    raise UnknownPlaceholder(
                        S_(
                            "{field}: unknown placeholder {placeholder}: the framework declares "
                            "no parameter {name}",
                            field=field_name(path) or "?",
                            placeholder=match.group(0),
                            name=name,
                        ),
                        file=file,
                        field=field_name(path) or None,
                    )
                return str(values[name])

            return PLACEHOLDER.sub(replace, value)
        if isinstance(value, Mapping):
            return {key: one(item, (*path, str(key))) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [one(item, (*path, index)) for index, item in enumerate(value)]
        return value

    return one(data, ())


def parameter_values(
    declaration: FrameworkDeclaration, followed: FollowedFramework | None = None
) -> dict[str, str | int]:
    """Return the value of every declared parameter: the agency's, else the default.

    Raise :class:`ActionRefused` naming the parameter when one has neither, or when the
    agency's value of a whole-number parameter is not a whole number.
    """
    given = dict(followed.parameters) if followed is not None else {}
    values: dict[str, str | int] = {}
    for parameter in declaration.parameters:
        value = given.get(parameter.name, parameter.default)
        if value is None:
            raise ActionRefused(
                S_(
                    "parameter {name} ({meaning}) has no value: set it in qms.yaml under "
                    "frameworks, {framework}, parameters",
                    name=parameter.name,
                    meaning=parameter.meaning,
                    framework=declaration.name,
                ),
                file="qms.yaml",
                field=f"frameworks.{declaration.name}.parameters.{parameter.name}",
            )
        if parameter.type == "int" and not isinstance(value, int):
            raise ActionRefused(
                S_(
                    "parameter {name} is a whole number; qms.yaml gives {value}",
                    name=parameter.name,
                    value=repr(value),
                ),
                file="qms.yaml",
                field=f"frameworks.{declaration.name}.parameters.{parameter.name}",
            )
        values[parameter.name] = value
    return values
