"""The qmsdocs exception family.

Every error the library raises on purpose derives from :class:`QmsError`::

    QmsError
    ├── RepositoryNotFound      no qms.yaml in the folder or any parent
    ├── DocumentNotFound        no document or legal document with that code or number
    ├── InvalidCode             a code that could name a path outside its folder, or is unsafe
    ├── InvalidDocument         a file that cannot be read as a document (syntax or schema)
    ├── ConfigError             qms.yaml is missing, unreadable or invalid
    ├── ActionRefused           a lifecycle action the rules do not allow (nothing changed)
    │   ├── RepositoryBusy      another action holds the repository lock
    │   ├── ReadOnlyRepository  an action asked of a snapshot of a commit (Repository.at)
    │   └── UnknownPlaceholder  a framework model names a parameter it does not declare
    └── GitError                git failed; the action was rolled back

Content problems found by validation are *findings* (:class:`qmsdocs.Finding`), not
exceptions: validation reports every problem at once and never raises per problem.
Exceptions carry their context (file, line, field, code) as keyword-only attributes so that
an application can show them its own way; ``str(error)`` is one plain line for people.
"""

from __future__ import annotations

from pathlib import Path

from qmsdocs.i18n import Said

__all__ = [
    "ConfigError",
    "DocumentNotFound",
    "InvalidCode",
    "InvalidDocument",
    "ActionRefused",
    "GitError",
    "RepositoryBusy",
    "QmsError",
    "ReadOnlyRepository",
    "RepositoryNotFound",
    "UnknownPlaceholder",
]


#: Every character that ends a line (as str.splitlines sees it), shown escaped instead.
_ONE_LINE = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


class QmsError(Exception):
    """Base class of every error qmsdocs raises on purpose."""

    def __init__(
        self,
        message: str | Said,
        *,
        file: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        #: The sentence kept for translation, when the error was raised with one.
        self.said = message if isinstance(message, Said) else None
        self.message = str(message)  # in the language in force where it was raised
        super().__init__(self.message)
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.field = field
        self.code = code

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return (where + self.message).translate(_ONE_LINE)  # one line, whatever it quotes


class RepositoryNotFound(QmsError):
    """No QMS repository (a folder holding qms.yaml) at or above the given path."""


class DocumentNotFound(QmsError):
    """No document or legal document is known by the given code or number."""


class InvalidCode(QmsError):
    """A document code that is unsafe as a file name or breaks the code rules."""


class InvalidDocument(QmsError):
    """A file that cannot be read as a document of its kind."""


class ConfigError(QmsError):
    """qms.yaml is missing, unreadable or invalid, so the repository cannot be used."""


class ActionRefused(QmsError):
    """A lifecycle action that the rules do not allow; nothing was changed."""


class ReadOnlyRepository(ActionRefused):
    """An action asked of a read-only snapshot of a commit; nothing was changed."""


class UnknownPlaceholder(ActionRefused):
    """A framework's model document names a parameter the framework does not declare."""


class RepositoryBusy(ActionRefused):
    """Another process holds the repository's action lock."""


class GitError(QmsError):
    """A git command failed during an action; the work tree and index were restored."""
