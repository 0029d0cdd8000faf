"""What a schema error says to a person: pydantic's errors as :class:`~qmsdocs.i18n.Said`.

A validator of the models refuses a value with :func:`invalid`, which keeps the English
template and its values in the error's context; :func:`schema_problem` turns any error
pydantic reports (its own or ours) into a sentence worded in the language in force when it
is shown, so that findings kept in the cache are not fixed in one language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic_core import PydanticCustomError

from qmsdocs.i18n import N_, S_, Said

__all__ = ["invalid", "schema_problem", "shown"]

#: The error type of every refusal written by qmsdocs's own validators.
_OURS = "qms"

#: Pydantic's error types, as qmsdocs words them; ``{found}`` is the value found.
_BUILTIN = {
    "enum": N_("must be one of {expected} (found {found})"),
    "literal_error": N_("must be one of {expected} (found {found})"),
    "date_type": N_("must be a date written YYYY-MM-DD (found {found})"),
    "date_parsing": N_("must be a date written YYYY-MM-DD (found {found})"),
    "date_from_datetime_parsing": N_("must be a date written YYYY-MM-DD (found {found})"),
    "date_from_datetime_inexact": N_("must be a date written YYYY-MM-DD (found {found})"),
    "datetime_type": N_("must be a date and time written YYYY-MM-DDTHH:MM+07:00 (found {found})"),
    "datetime_parsing": N_(
        "must be a date and time written YYYY-MM-DDTHH:MM+07:00 (found {found})"
    ),
    "datetime_from_date_parsing": N_(
        "must be a date and time written YYYY-MM-DDTHH:MM+07:00 (found {found})"
    ),
    "timezone_aware": N_("needs its time zone, as in 2025-03-01T09:00+07:00 (found {found})"),
    "int_type": N_("must be a whole number (found {found})"),
    "int_parsing": N_("must be a whole number (found {found})"),
    "int_from_float": N_("must be a whole number (found {found})"),
    "float_type": N_("must be a number (found {found})"),
    "float_parsing": N_("must be a number (found {found})"),
    "bool_type": N_("must be true or false (found {found})"),
    "bool_parsing": N_("must be true or false (found {found})"),
    "string_type": N_("must be a text (found {found})"),
    "list_type": N_("must be a list (found {found})"),
    "tuple_type": N_("must be a list (found {found})"),
    "dict_type": N_("must be a mapping of fields (found {found})"),
    "model_type": N_("must be a mapping of fields (found {found})"),
    "model_attributes_type": N_("must be a mapping of fields (found {found})"),
    "greater_than_equal": N_("must be at least {ge} (found {found})"),
    "greater_than": N_("must be more than {gt} (found {found})"),
    "less_than_equal": N_("must be at most {le} (found {found})"),
    "less_than": N_("must be less than {lt} (found {found})"),
    "string_too_short": N_("must have at least {min_length} character(s) (found {found})"),
    "string_too_long": N_("must have at most {max_length} characters (found {found})"),
    "too_short": N_("must have at least {min_length} item(s)"),
    "too_long": N_("must have at most {max_length} items"),
}


def invalid(template: str, **args: object) -> PydanticCustomError:
    """Return the error a validator raises to refuse a value with *template* (an ``N_`` msgid).

    *args* fill the template's ``{placeholders}``; the English sentence is what pydantic
    shows, and :func:`schema_problem` words it again in the language of the reader.
    """
    context = {k: str(v) for k, v in args.items()}
    return PydanticCustomError(_OURS, template, {**context, "template": template})


def schema_problem(error: Mapping[str, Any], *, allowed: str | None = None) -> Said:
    """Return what one of pydantic's *error* dicts says, as a sentence kept for translation.

    *allowed* lists the fields of the model, named when a top-level field is unknown.
    """
    kind = error["type"]
    context = dict(error.get("ctx") or {})
    loc = error.get("loc") or ("",)
    if kind == _OURS and "template" in context:
        template = context.pop("template")
        return Said.of(template, **context)
    if kind == "missing":
        return S_("missing required field '{name}'", name=loc[-1])
    if kind == "extra_forbidden":
        if allowed:
            return S_("unknown field '{name}' (allowed: {allowed})", name=loc[-1], allowed=allowed)
        return S_("unknown field '{name}'", name=loc[-1])
    if kind == "string_pattern_mismatch":
        return _pattern_problem(str(loc[-1]), error.get("input"))
    found = shown(error.get("input"))
    if kind in _BUILTIN:
        return Said.of(_BUILTIN[kind], found=found, **{k: str(v) for k, v in context.items()})
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if "input" in error and not isinstance(error["input"], dict | list):
        return S_("{problem} (found {found})", problem=message, found=found)
    return Said.plain(message)


def _pattern_problem(name: str, value: Any) -> Said:
    from qmsdocs.model.codes import check_code

    if name == "email":
        return S_("{value} is not an email address", value=repr(value))
    if name in ("id", "unit", "role", "person", "approved_by"):
        return S_(
            "{value} is not a valid id: use lower-case letters, digits, '.', '_' and '-'",
            value=repr(value),
        )
    problem = check_code(value) if isinstance(value, str) else None
    if problem:
        return problem
    return S_("{value} is not a valid {name}", value=repr(value), name=name)


def shown(value: Any) -> str:
    """Return a value found in a file as a message quotes it (a date as written, text quoted)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    return repr(value)
