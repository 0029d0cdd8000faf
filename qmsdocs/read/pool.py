"""A cold read on every core: files parsed and checked in worker processes.

When a reader finds many files it has never read (a fresh clone, a cleared cache, a commit of
a mirror never read), parsing them and checking each document is most of its work, and each
file is independent of the others. :class:`ColdRead` forks worker processes (Linux ``fork``:
they start at once with the library already imported and the reader's state, qms.yaml
included), gives each a share of the files, and takes back only what the caches keep, as
JSON values:

1. per file: its code or number, the findings of reading it, and — for legal documents, and
   for every file when the source keeps blobs by id — the document as JSON values; for a
   procedure, the forms it lists (what checking a form needs of it);
2. once the reader has indexed every code (duplicates and file names checked), per
   document: the findings of its cross-reference checks and the codes whose content they
   read (:meth:`~qmsdocs.validation.DocumentChecker.depends_on`), checked by the worker
   that parsed it against a map of the other documents' codes, kinds and forms.

The parent never holds the parsed documents (they are parsed again on first use, one by
one, as on a warm open): memory stays that of the index. Below :data:`THRESHOLD` unread
files, or with ``jobs=1``, nothing is forked.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator, Mapping, Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel

from qmsdocs.errors import GitError
from qmsdocs.facts import DocumentFacts
from qmsdocs.findings import Finding
from qmsdocs.legal import number_key
from qmsdocs.model import MODELS, DocumentKind, Procedure
from qmsdocs.read.files import finding_row, identity, parse_file
from qmsdocs.store import yaml as yaml_store

if TYPE_CHECKING:
    from qmsdocs.model import QmsConfig
    from qmsdocs.read.sources import Source

__all__ = ["THRESHOLD", "ColdRead", "Parsed", "workers"]

#: Unread files below which a read stays in this process: forking, and sending results
#: back, cost more than parsing a few hundred files (measured: bench/floor.py).
THRESHOLD = 400

#: What a worker sends back for one file: code or number (None: unreadable), the file name
#: the code asks for, its case-folded key, the findings of reading it (rows), the document
#: as JSON values (or None), the forms a procedure lists (or None), the document's facts
#: (:meth:`~qmsdocs.facts.DocumentFacts.to_row`, or None) and a procedure's TTHC (code, name).
Parsed = tuple[
    str | None,
    str | None,
    str | None,
    list[list[Any]],
    Any,
    list[str] | None,
    list[Any] | None,
    tuple[str, str] | None,
]


def workers(jobs: int | None, unread: int) -> int:
    """Return how many worker processes read *unread* files (1: none, this process)."""
    if jobs is not None and jobs <= 1:
        return 1
    if unread < THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wanted = jobs if jobs is not None else (cores or 1)
    return max(1, min(wanted, unread // max(1, THRESHOLD // 2)))


class _Bytes:
    """The bytes of a worker's files, read at once (a commit's blobs: one cat-file each)."""

    def __init__(self, source: Source, files: Sequence[str]) -> None:
        self._source = source
        self._data = source.read_many(files)

    def read(self, file: str) -> bytes:
        data = self._data.get(file)
        return data if data is not None else self._source.read(file)


class _Codes(Mapping[str, Any]):
    """Every document by case-folded code, as a worker's checks look them up.

    The worker's own documents are themselves; another worker's are stand-ins of their
    model holding what a check reads of another document: its kind and, for a procedure,
    its forms.
    """

    def __init__(
        self, own: dict[str, Any], others: dict[str, tuple[str, str, list[str] | None]]
    ) -> None:
        self._own = own
        self._others = others

    def __getitem__(self, key: str) -> Any:
        if key in self._own:
            return self._own[key]
        code, kind, forms = self._others[key]
        model = cast(type[BaseModel], MODELS[DocumentKind(kind)])
        if forms is not None:
            return model.model_construct(code=code, kind=kind, forms=forms)
        return model.model_construct(code=code, kind=kind)

    def __contains__(self, key: object) -> bool:
        return key in self._own or key in self._others

    def __iter__(self) -> Iterator[str]:
        return iter({**self._others, **self._own})

    def __len__(self) -> int:
        return len(set(self._own) | set(self._others))


class _Numbers:
    """The legal registry as a document's checks use it: is there a document numbered so."""

    def __init__(self, keys: set[str]) -> None:
        self._keys = keys

    def get(self, ref: str) -> Any:
        return True if number_key(ref) in self._keys else None


def _work(
    source: Source,
    items: list[tuple[str, str]],
    dumps: bool,
    config: QmsConfig | None,
    conn: Connection,
) -> None:
    """A worker: parse *items* (file, kind), send what was read, then check on request.

    Whatever goes wrong is sent as an error: the parent then reads in its own process.
    """
    try:
        _parse_and_check(source, items, dumps, config, conn)
    except Exception as error:  # noqa: BLE001 - reported to the parent, which carries on
        with contextlib.suppress(OSError, ValueError):
            conn.send(("error", repr(error)))


def _parse_and_check(
    source: Source,
    items: list[tuple[str, str]],
    dumps: bool,
    config: QmsConfig | None,
    conn: Connection,
) -> None:
    files = [file for file, _kind in items]
    try:
        data = _Bytes(source, files)
    except (OSError, GitError) as error:  # git gone: the parent reads in its own process
        conn.send(("error", str(error)))
        return
    documents: dict[str, Any] = {}
    out: list[tuple[str, Parsed]] = []
    for file, kind in items:
        findings: list[Finding] = []
        model = MODELS[DocumentKind(kind)]
        value = parse_file(data, file, model, findings)  # type: ignore[arg-type]
        name, stem, folded = identity(value)
        dump = None
        if value is not None and (dumps or kind == DocumentKind.LEGAL.value):
            dump = value.model_dump(mode="json", by_alias=True)
        forms = list(value.forms) if isinstance(value, Procedure) else None
        tthc = None
        if isinstance(value, Procedure) and value.tthc is not None:
            tthc = (value.tthc.code, value.tthc.name)
        facts = None
        if value is not None and kind != DocumentKind.LEGAL.value:
            facts = DocumentFacts.of(value).to_row()
        rows = [finding_row(f) for f in findings]
        out.append((file, (name, stem, folded, rows, dump, forms, facts, tthc)))
        if value is not None and kind != DocumentKind.LEGAL.value:
            documents[file] = value
    conn.send(("parsed", out))
    asked = conn.recv()
    if asked is None or config is None:
        return
    entries, legal_keys, unreadable = asked
    from qmsdocs.validation import DocumentChecker  # noqa: PLC0415 - only when checking

    own = {key: documents[e[0]] for key, e in entries.items() if e[0] in documents}
    others = {key: (code, kind, forms) for key, (_file, kind, forms, code) in entries.items()}

    def locate(file: str, path: Sequence[str | int]) -> tuple[int, int] | None:
        try:
            text = data.read(file).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        return yaml_store.locate(text, path)

    checker = DocumentChecker(
        config,
        _Codes(own, others),
        _Numbers(legal_keys),  # type: ignore[arg-type]
        locate=locate,
        unreadable=frozenset(unreadable),
    )
    checked = []
    for key, document in own.items():
        file = entries[key][0]
        found = checker.check(document, file)
        checked.append((file, [finding_row(f) for f in found], checker.depends_on(document)))
    conn.send(("checked", checked))


class ColdRead:
    """Files parsed by forked workers; then, on :meth:`check`, their documents checked."""

    def __init__(
        self,
        source: Source,
        items: Sequence[tuple[str, DocumentKind]],
        count: int,
        *,
        dumps: bool,
        config: QmsConfig | None,
    ) -> None:
        context = multiprocessing.get_context("fork")
        shares: list[list[tuple[str, str]]] = [[] for _ in range(count)]
        # in turn, so that every worker gets a like share of each kind
        for index, (file, kind) in enumerate(items):
            shares[index % count].append((file, kind.value))
        self._conns: list[Connection] = []
        self._procs: list[Any] = []
        for share in shares:
            parent, child = context.Pipe()
            process = context.Process(
                target=_work, args=(source, share, dumps, config, child), daemon=True
            )
            process.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(process)
        #: What was read of each file, by file.
        self.parsed: dict[str, Parsed] = {}
        self.failed = False
        for conn in self._conns:
            what, value = self._receive(conn)
            if what != "parsed":
                self.failed = True
                continue
            self.parsed.update(value)
        if self.failed:
            self.close()

    def _receive(self, conn: Connection) -> tuple[str, Any]:
        try:
            return conn.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):
            return ("error", None)

    def check(
        self,
        entries: Mapping[str, tuple[str, str, list[str] | None, str]],
        legal_keys: set[str],
        unreadable: frozenset[str],
    ) -> dict[str, tuple[list[list[Any]], list[str]]] | None:
        """Return each parsed document's check findings (rows) and the codes they read.

        *entries* maps every document's case-folded code to (file, kind, forms, code). None when a
        worker failed (the caller checks in this process).
        """
        if self.failed:
            return None
        asked = (dict(entries), legal_keys, sorted(unreadable))
        out: dict[str, tuple[list[list[Any]], list[str]]] = {}
        try:
            for conn in self._conns:
                conn.send(asked)
            for conn in self._conns:
                what, value = self._receive(conn)
                if what != "checked":
                    return None
                for file, rows, deps in value:
                    out[file] = (rows, deps)
        finally:
            self.close()
        return out

    def close(self) -> None:
        """Stop the workers (those waiting to check are told there is nothing to check)."""
        for conn in self._conns:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
            conn.close()
        for process in self._procs:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        self._conns, self._procs = [], []
