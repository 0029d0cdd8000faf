"""Findings: what validation reports, one problem each; pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from qmsdocs.i18n import N_, Said, _

__all__ = ["Finding", "Severity", "field_name"]


class Severity(StrEnum):
    """How bad a finding is: an error fails validation, a warning does not."""

    ERROR = "error"
    WARNING = "warning"

    @property
    def word(self) -> str:
        """Return the severity as a person reads it, in the current language."""
        return _(_SEVERITY_WORDS[self])


_SEVERITY_WORDS = {Severity.ERROR: N_("error"), Severity.WARNING: N_("warning")}


def field_name(path: Sequence[str | int]) -> str:
    """Return a field path as a person counts it: ``steps #2 › no`` for ``("steps", 1, "no")``.

    Items of a list are numbered from 1, as the officer sees them in the file and in the
    printed step table; ``Finding.field`` keeps the machine path (``steps.1.no``).
    """
    parts: list[str] = []
    for part in path:
        if isinstance(part, int) and parts:
            parts[-1] += f" #{part + 1}"
        else:
            parts.append(str(part))
    return " › ".join(parts)


#: Every character that ends a line (as str.splitlines sees it), shown escaped instead.
_ONE_LINE = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in a repository, with where it is.

    ``check`` is a stable identifier of the kind of problem (``yaml-syntax``, ``schema``,
    ``unknown-legal`` …) for scripts; ``message`` is one plain sentence for people.
    ``file`` is relative to the repository root, in POSIX form. ``message`` is English;
    ``said`` keeps the sentence's template and values, so that :attr:`text` (and ``str()``)
    word it in the current language however long ago it was found.
    """

    file: str
    line: int | None
    column: int | None
    severity: Severity
    check: str
    message: str
    field: str | None = None
    code: str | None = None
    said: Said | None = None

    @classmethod
    def of(
        cls,
        file: str,
        check: str,
        said: Said,
        *,
        line: int | None = None,
        column: int | None = None,
        severity: Severity = Severity.ERROR,
        field: Sequence[str | int] = (),
        code: str | None = None,
    ) -> Finding:
        """Return a finding whose message is *said*, after the field's name if there is one."""
        where = f"{field_name(field)}: " if field else ""
        return cls(
            file=file,
            line=line,
            column=column,
            severity=severity,
            check=check,
            message=where + said.english,
            field=".".join(str(p) for p in field) or None,
            code=code,
            said=said,
        )

    @property
    def text(self) -> str:
        """Return the message in the current language (the field's name stays as written)."""
        if self.said is None:
            return _(self.message)
        body = self.said.english
        if not self.message.endswith(body):
            return self.message
        return self.message[: len(self.message) - len(body)] + str(self.said)

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        # one line whatever a file holds: a key or a value may carry a line break
        return f"{where}: {self.severity.word} {self.check} {self.text}".translate(_ONE_LINE)

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as plain JSON-ready values (``message`` in English)."""
        data = asdict(self)
        data["severity"] = self.severity.value
        del data["said"]
        return data
