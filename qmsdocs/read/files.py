"""Parsing one file of a QMS repository, and the pieces the reader's index is made of.

A file is read into its model or into findings (never an exception); an :class:`Entry`
stands for a readable file whose document is parsed on first use.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from qmsdocs.errors import InvalidDocument, RepositoryNotFound
from qmsdocs.findings import Finding, Severity
from qmsdocs.i18n import N_, S_, Said, _
from qmsdocs.legal import LegalRegistry, number_key
from qmsdocs.model import LegalDocument
from qmsdocs.model.codes import code_key, legal_file_code
from qmsdocs.model.problems import schema_problem, shown
from qmsdocs.store import yaml as yaml_store

if TYPE_CHECKING:
    from qmsdocs.read.reader import Reader
    from qmsdocs.read.sources import Source

#: The file that marks the root of a QMS repository.
CONFIG_FILE = "qms.yaml"

MAX_SCHEMA_FINDINGS = 20


def find_root(start: Path) -> Path:
    """Return the nearest folder at or above *start* that holds qms.yaml."""
    start = start.expanduser()
    if not start.exists():
        raise RepositoryNotFound(_("no such folder: {start}").format(start=start))
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise RepositoryNotFound(
        _("no {CONFIG_FILE} in {start} or any folder above it: not a QMS repository").format(
            CONFIG_FILE=CONFIG_FILE, start=start
        )
    )


def schema_findings(
    error: ValidationError, *, file: str, text: str, model: type[BaseModel]
) -> list[Finding]:
    findings = []
    for item in error.errors(include_url=False)[:MAX_SCHEMA_FINDINGS]:
        loc = tuple(p for p in item["loc"] if isinstance(p, str | int))
        said = schema_problem(
            item, allowed=", ".join(model.model_fields) if len(loc) == 1 else None
        )
        place = yaml_store.locate(text, loc) if loc else None
        findings.append(
            Finding.of(
                file,
                "schema",
                said,
                line=place[0] if place else None,
                column=place[1] if place else None,
                field=loc,
            )
        )
    return findings


def identity(document: Any) -> tuple[str | None, str | None, str | None]:
    """Return (code or number, the file name it asks for, its case-folded key) of a document.

    All None for nothing (a file that could not be read); a configuration has no code.
    """
    if document is None:
        return None, None, None
    if isinstance(document, LegalDocument):
        number = document.number
        return number, legal_file_code(number), number_key(number)
    code = getattr(document, "code", "")
    return code, code, code_key(code)


def revision_digest(content: Any, revision: int) -> list[Any]:
    """Return what a revision's file says of that revision: issued, signers, reason."""
    if content is None:
        return [None, None, None, None, None]
    signed = {s.meaning: s.name for s in content.approvals}
    entry = next((h for h in content.history if h.revision == revision), None)
    return [
        content.issued_date.isoformat() if content.issued_date else None,
        signed.get("authored"),
        signed.get("reviewed"),
        signed.get("approved"),
        (entry.reason or entry.description) if entry else None,
    ]


# A link could name any file of the computer: it is never followed, read or written.
SYMLINK = N_("a symbolic link, ignored: documents must be real files inside the repository")


@dataclass
class HeldIndex:
    """The persistent index of files, as this process holds it."""

    slot: str  # the cache folder it was read from
    rows: dict[str, IndexRow]
    digest: str | None  # of every row's stat (:func:`stats_digest`); None once a row changes


def stats_digest(stats: Mapping[str, Sequence[int]]) -> str:
    """Return a digest of files' (size, mtime, inode), whatever the order they were read in."""
    return hashlib.sha256(
        repr(sorted((f, tuple(s)) for f, s in stats.items())).encode()
    ).hexdigest()


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off.

    Reading makes tens of thousands of small objects and no reference cycles; the
    collector would walk every object of the process again and again (the index of an
    earlier Repository too): open + validate of 12,454 documents 0.41 s -> 0.22 s median.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def parse_file(source: Source, file: str, model: type[BaseModel], findings: list[Finding]) -> Any:
    """Return the model read from *file*, or None with what went wrong added to *findings*."""
    try:
        data = source.read(file)
    except OSError as error:
        said = S_("cannot read the file: {problem}", problem=error.strerror)
        findings.append(Finding.of(file, "unreadable", said))
        return None
    try:
        value = yaml_store.load(data, file=file)
    except InvalidDocument as error:
        findings.append(
            Finding.of(
                file,
                "yaml-syntax",
                error.said or Said.plain(error.message),
                line=error.line,
                column=error.column,
            )
        )
        return None
    if not isinstance(value, dict):
        said = (
            Said(N_("expected a mapping of fields, found an empty file"))
            if value is None
            else S_("expected a mapping of fields, found {found}", found=shown(value))
        )
        findings.append(Finding.of(file, "schema", said, line=1, column=1))
        return None
    try:
        return model.model_validate(value)
    except ValidationError as error:
        text = data.decode("utf-8-sig")
        findings.extend(schema_findings(error, file=file, text=text, model=model))
        return None


class Parser:
    """Parses the files of one repository on demand, keeping what it read in *cache*.

    Entries hold this, not the Repository: no reference cycle, so a dropped Repository is
    freed at once rather than by the cyclic collector in the middle of other work, while a
    registry or document mapping kept after it still reads its files.
    """

    __slots__ = ("cache", "source")

    def __init__(self, source: Source, cache: dict[str, Any]) -> None:
        self.source = source
        self.cache = cache

    def parse_known(self, file: str, model: type[BaseModel]) -> Any:
        """Return the document of a file the index knows as readable, parsing it now."""
        findings: list[Finding] = []
        value = self.source.recall(file, model, findings)
        if value is None and not findings:
            value = parse_file(self.source, file, model, findings)
            self.source.remember(file, model, value, findings)
            self.source.flush()
        if value is None:
            problem = findings[0].text if findings else _("cannot be read")
            raise InvalidDocument(
                _(
                    "changed since the repository was opened, and now {problem}: "
                    "open the repository again"
                ).format(problem=problem),
                file=file,
            )
        stat = self.source.key(file)
        if stat is not None:
            self.cache[file] = ((*stat, model.__name__), value, findings, identity(value))
        return value


class Entry:
    """One readable file of the repository; its document is parsed on first use."""

    __slots__ = ("_document", "_parser", "file", "model", "name")

    def __init__(
        self, file: str, name: str, model: type[BaseModel], document: Any, parser: Parser
    ) -> None:
        self.file = file  # relative to the root, POSIX
        self.name = name  # the code, or a legal document's number
        self.model = model
        self._document = document
        self._parser = parser

    @property
    def document(self) -> Any:
        if self._document is None:
            self._document = self._parser.parse_known(self.file, self.model)
        return self._document


# What the persistent index keeps of a file: its stat key, the model it was read as, its
# code or number (None if unreadable), the findings of reading it, the file name its code
# or number asks for, and its case-folded key.
IndexRow = tuple[int, int, int, str, str | None, list[list[Any]], str | None, str | None]
INDEX = "files"
VALIDATION = "validation"
REVISIONS = "revisions"
FACTS = "facts"
LEGAL = "legal"
CHECKS = "checks"
IMPACT = "impact"


@functools.cache
def legal_list() -> TypeAdapter[list[LegalDocument]]:
    """Return the validator of a list of legal documents, built on first use (38 ms)."""
    return TypeAdapter(list[LegalDocument])


# Files changed this recently may change again within the file system's time resolution
# without a new mtime (git's "racy" files): they are re-read rather than trusted.
RACY_NS = 2_000_000_000


def finding_row(finding: Finding) -> list[Any]:
    return [
        finding.line,
        finding.column,
        finding.severity.value,
        finding.check,
        finding.message,
        finding.field,
        finding.code,
        None if finding.said is None else finding.said.to_json(),
    ]


def row_finding(file: str, row: list[Any]) -> Finding:
    line, column, severity, check, message, field, code, said = row
    said = None if said is None else Said.from_json(said)
    return Finding(file, line, column, Severity(severity), check, message, field, code, said)


def revision_key(code: str, revision: int) -> str:
    """Return where the citations of an issued revision are kept in the in-memory cache."""
    return f"citations:{code_key(code)}@{revision}"


def finding_order(finding: Finding) -> tuple[Any, ...]:
    return (finding.file, finding.line or 0, finding.column or 0, finding.check, finding.message)


class Documents(Mapping[str, Any]):
    """The documents by case-folded code, each parsed only when looked up."""

    def __init__(self, entries: dict[str, Entry]) -> None:
        self._entries = entries

    def __getitem__(self, key: str) -> Any:
        return self._entries[key].document

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


class LazyLegalRegistry:
    """The legal registry, built from every legal file only when more than a lookup is asked.

    Looking a number up (what checking one document needs) reads that one file.
    """

    def __init__(self, entries: dict[str, Entry], owner: Reader | None = None) -> None:
        self._entries = entries
        self._owner = weakref.ref(owner) if owner is not None else None  # weak: see Entry
        self._full: LegalRegistry | None = None

    def get(self, ref: str) -> LegalDocument | None:
        if self._full is not None:
            return self._full.get(ref)
        entry = self._entries.get(number_key(ref))
        return entry.document if entry is not None else None

    @property
    def full(self) -> LegalRegistry:
        if self._full is None:
            owner = self._owner() if self._owner is not None else None
            documents = (
                owner.legal_documents()
                if owner is not None
                else [e.document for e in self._entries.values()]
            )
            self._full = LegalRegistry(documents)
        return self._full

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copying or unpickling asks before __init__ has run
            raise AttributeError(name)
        return getattr(self.full, name)

    def __iter__(self) -> Iterator[LegalDocument]:
        return iter(self.full)

    def __reduce__(self) -> tuple[Any, ...]:
        # sent to another process (export workers): as the plain registry it stands for
        return (LegalRegistry, (list(self.full),))

    def __len__(self) -> int:
        return len(self._entries)
