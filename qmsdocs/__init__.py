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

from qmsdocs._version import __version__ as __version__
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
