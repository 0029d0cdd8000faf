"""qmsdocs: document control for ISO 9001 quality management systems, kept as YAML in git.

Open a repository and ask it questions::

    import datetime as dt
    from qmsdocs import Repository

    repo = Repository.open("path/to/agency-qms")
    for finding in repo.validate():
        print(finding)
    procedure = repo.document("QT-01")
    status = repo.legal.status_on(repo.legal_document("19/2014/QĐ-TTg"), dt.date.today())

The library never prints, prompts or keeps global state; every error it raises on purpose
is a :class:`QmsError`.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from qmsdocs._version import __version__ as __version__

if TYPE_CHECKING:
    from qmsdocs.desk import WaitingItem
    from qmsdocs.errors import (
        ActionRefused,
        ConfigError,
        DocumentNotFound,
        GitError,
        InvalidCode,
        InvalidDocument,
        QmsError,
        ReadOnlyRepository,
        RepositoryBusy,
        RepositoryNotFound,
    )
    from qmsdocs.findings import Finding, Severity
    from qmsdocs.history import Action, IssuedRevision
    from qmsdocs.legal import LegalEvent, LegalRegistry
    from qmsdocs.lifecycle import DocumentState, status_on
    from qmsdocs.model import (
        ChangeEntry,
        Document,
        DocumentKind,
        Form,
        LegalDocument,
        LegalRef,
        LegalStatus,
        LegalType,
        Objectives,
        Policy,
        Procedure,
        QmsConfig,
        Relation,
        RelationType,
        Signature,
        Status,
    )
    from qmsdocs.repository import (
        DocumentSummary,
        DueReview,
        Repository,
        RevisionRecord,
        WorkingRevision,
    )
    from qmsdocs.stamp import content_stamp
    from qmsdocs.verify import verify
    from qmsdocs.workflow import ActionResult


__all__ = [
    "Action",
    "ActionRefused",
    "ActionResult",
    "ChangeEntry",
    "ConfigError",
    "Document",
    "DocumentKind",
    "DocumentNotFound",
    "DocumentState",
    "DocumentSummary",
    "DueReview",
    "Finding",
    "Form",
    "GitError",
    "InvalidCode",
    "InvalidDocument",
    "IssuedRevision",
    "LegalDocument",
    "LegalEvent",
    "LegalRef",
    "LegalRegistry",
    "LegalStatus",
    "LegalType",
    "Objectives",
    "Policy",
    "Procedure",
    "QmsConfig",
    "QmsError",
    "ReadOnlyRepository",
    "Relation",
    "RelationType",
    "Repository",
    "RepositoryBusy",
    "RepositoryNotFound",
    "RevisionRecord",
    "Severity",
    "Signature",
    "Status",
    "WaitingItem",
    "WorkingRevision",
    "content_stamp",
    "status_on",
    "verify",
]

#: Where each public name is defined: imported on first use, so that ``import qmsdocs`` (and
#: the ``qms`` command answering from kept answers) does not pay for pydantic and git.
_WHERE = {
    "Action": "qmsdocs.history",
    "ActionRefused": "qmsdocs.errors",
    "ActionResult": "qmsdocs.workflow",
    "ChangeEntry": "qmsdocs.model",
    "ConfigError": "qmsdocs.errors",
    "Document": "qmsdocs.model",
    "DocumentKind": "qmsdocs.model",
    "DocumentNotFound": "qmsdocs.errors",
    "DocumentState": "qmsdocs.lifecycle",
    "DocumentSummary": "qmsdocs.repository",
    "DueReview": "qmsdocs.repository",
    "Finding": "qmsdocs.findings",
    "Form": "qmsdocs.model",
    "GitError": "qmsdocs.errors",
    "InvalidCode": "qmsdocs.errors",
    "InvalidDocument": "qmsdocs.errors",
    "IssuedRevision": "qmsdocs.history",
    "LegalDocument": "qmsdocs.model",
    "LegalEvent": "qmsdocs.legal",
    "LegalRef": "qmsdocs.model",
    "LegalRegistry": "qmsdocs.legal",
    "LegalStatus": "qmsdocs.model",
    "LegalType": "qmsdocs.model",
    "Objectives": "qmsdocs.model",
    "Policy": "qmsdocs.model",
    "Procedure": "qmsdocs.model",
    "QmsConfig": "qmsdocs.model",
    "QmsError": "qmsdocs.errors",
    "ReadOnlyRepository": "qmsdocs.errors",
    "Relation": "qmsdocs.model",
    "RelationType": "qmsdocs.model",
    "Repository": "qmsdocs.repository",
    "RepositoryBusy": "qmsdocs.errors",
    "RepositoryNotFound": "qmsdocs.errors",
    "RevisionRecord": "qmsdocs.repository",
    "Severity": "qmsdocs.findings",
    "Signature": "qmsdocs.model",
    "Status": "qmsdocs.model",
    "WaitingItem": "qmsdocs.desk",
    "WorkingRevision": "qmsdocs.repository",
    "content_stamp": "qmsdocs.stamp",
    "status_on": "qmsdocs.lifecycle",
    "verify": "qmsdocs.verify",
}


class _Package(ModuleType):
    """This package, whose public ``verify`` is also the name of a submodule.

    Importing a submodule sets the package's attribute of that name to the module; for a
    public function defined in the submodule of its name (``qmsdocs.verify``), the
    attribute stays the function, as when every name was imported eagerly.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, ModuleType) and _WHERE.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'qmsdocs' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # The public names, dunders and the submodules imported so far (not this module's tools).
    held = globals()
    own = {n for n, v in held.items() if n.startswith("__") or _submodule(v)}
    return sorted(own | set(__all__))


def _submodule(value: object) -> bool:
    return isinstance(value, ModuleType) and value.__name__.startswith("qmsdocs.")
