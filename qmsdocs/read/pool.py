"""A cold read on every core: files parsed and checked in worker processes.

When a reader finds many files it has never read (a fresh clone, a cleared cache, a commit of
a mirror never read), parsing them and checking each document is most of its work, and each
file is independent of the others. :class:`ColdRead` forks worker processes (Linux ``fork``:
they start at once with the library already imported and the reader's state, qms.yaml
included), gives each a share of the files, and takes back only what the caches keep, as
JSON values:

1. per file: its code or number, the findings of reading it, its facts
   (:class:`~qmsdocs.facts.DocumentFacts`), a procedure's forms and TTHC, a legal
   document as JSON values (the registry needs them all); and, but for forms, the findings
   of its cross-reference checks, made as soon as it is parsed against the codes and legal
   numbers the file names promise, with every lookup the checks made. The reader keeps
   those findings only when each lookup gets the same answer from the codes the documents
   really have (:func:`confirmed`); a document whose lookups do not is checked again in
   the reading process;
2. once every code is known, the findings of each form (a form's checks read its
   procedure's list of forms, perhaps parsed by another worker), checked against a map of
   every document's code, kind and, for procedures, forms.

A commit's blobs kept by object id (``Repository.at`` with a ``cache_dir``) are kept by the
workers themselves: each gets the files of its own shards of that cache.

The parent never holds the parsed documents (they are parsed again on first use, one by
one, as on a warm open): memory stays that of the index. Below :data:`THRESHOLD` unread
files, with ``jobs=1``, or when the process runs other threads, nothing is forked.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Container, Iterator, Mapping, Sequence
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel

from qmsdocs.errors import GitError
from qmsdocs.facts import DocumentFacts
from qmsdocs.findings import Finding
from qmsdocs.legal import number_key
from qmsdocs.model import MODELS, DocumentKind, Form, Procedure
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
#: (:meth:`~qmsdocs.facts.DocumentFacts.to_row`, or None), a procedure's TTHC (code, name),
#: and, but for forms, its check findings against guessed codes with the lookups made.
Parsed = tuple[
    str | None,
    str | None,
    str | None,
    list[list[Any]],
    Any,
    list[str] | None,
    list[Any] | None,
    tuple[str, str] | None,
    "tuple[list[list[Any]], list[Lookup]] | None",
]

#: A lookup a document's checks made against guessed codes: ("in" | "get" | "legal", the
#: case-folded code or number key, the answer: found, the kind found, or None).
Lookup = tuple[str, str, Any]

#: What a worker guesses before every file is read: document code keys -> (code, kind) and
#: legal number keys, from the file names.
Guess = tuple[dict[str, tuple[str, str]], set[str]]


def workers(jobs: int | None, unread: int) -> int:
    """Return how many worker processes read *unread* files (1: none, this process)."""
    if jobs is not None and jobs <= 1:
        return 1
    if unread < THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:  # a fork copies one thread: another's lock may be held
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wanted = jobs if jobs is not None else (cores or 1)
    return max(1, min(wanted, unread // max(1, THRESHOLD // 2)))


def _stand_in(kind: str, code: str, forms: list[str] | None) -> Any:
    """Return an instance of *kind*'s model holding only its code (and a procedure's forms).

    What a check reads of another document; built without pydantic's ``model_construct``,
    which costs a millisecond a call (it looks its default factories up again each time).
    """
    model = cast(type[BaseModel], MODELS[DocumentKind(kind)])
    stand_in = object.__new__(model)
    fields: dict[str, Any] = {"code": code, "kind": kind}
    if forms is not None:
        fields["forms"] = forms
    object.__setattr__(stand_in, "__dict__", fields)
    object.__setattr__(stand_in, "__pydantic_fields_set__", set(fields))
    object.__setattr__(stand_in, "__pydantic_extra__", None)
    object.__setattr__(stand_in, "__pydantic_private__", None)
    return stand_in


class _Bytes:
    """The bytes of a batch of a worker's files, read at once (a commit's blobs: one
    request to git for the batch); a file of another batch is read on its own."""

    def __init__(self, source: Source, files: Sequence[str]) -> None:
        self._source = source
        self._data = source.read_many(files)

    def read(self, file: str) -> bytes:
        data = self._data.get(file)
        return data if data is not None else self._source.read(file)


#: Files a worker reads, parses and sends back at a time: what it holds at once.
BATCH = 256


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
        return _stand_in(kind, code, forms)

    def __contains__(self, key: object) -> bool:
        return key in self._own or key in self._others

    def __iter__(self) -> Iterator[str]:
        return iter({**self._others, **self._own})

    def __len__(self) -> int:
        return len(set(self._own) | set(self._others))


class _Numbers:
    """The legal registry as a document's checks use it: is there a document numbered so."""

    def __init__(self, keys: set[str], lookups: list[Lookup]) -> None:
        self._keys = keys
        self._lookups = lookups

    def get(self, ref: str) -> Any:
        key = number_key(ref)
        found = key in self._keys
        self._lookups.append(("legal", key, found))
        return True if found else None


class _Guessed(Mapping[str, Any]):
    """Every document by case-folded code as the file names say, each lookup recorded.

    A worker checks a document as soon as it is parsed, against codes guessed from the file
    names (a file is named after its code, or :mod:`qmsdocs.read.reader` reports it); the
    reader keeps the findings only if every lookup gets the same answer from the codes the
    documents really have (:func:`confirmed`).
    """

    def __init__(self, codes: dict[str, tuple[str, str]], lookups: list[Lookup]) -> None:
        self._codes = codes
        self._lookups = lookups

    def __getitem__(self, key: str) -> Any:
        found = self._codes.get(key)
        self._lookups.append(("get", key, found[1] if found else None))
        if found is None:
            raise KeyError(key)
        code, kind = found
        return _stand_in(kind, code, None)

    def __contains__(self, key: object) -> bool:
        found = key in self._codes
        self._lookups.append(("in", str(key), found))
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)


def confirmed(
    lookups: Sequence[Lookup],
    kinds: Mapping[str, str],
    legal: Container[str],
    unreadable: Container[str],
) -> bool:
    """Return whether each guessed lookup gets the same answer from the real codes.

    *kinds* maps every readable document's case-folded code to its kind; *legal* holds the
    legal documents' number keys; a code guessed absent must not be an unreadable file's
    (its findings would have been left to the file's own).
    """
    for what, key, answer in lookups:
        if what == "legal":
            if (key in legal) != answer:
                return False
            continue
        kind = kinds.get(key)
        if what == "in" and (kind is not None) != answer:
            return False
        if what == "get" and kind != answer:
            return False
        if kind is None and key in unreadable:
            return False
    return True


def _work(
    source: Source,
    items: list[tuple[str, str]],
    keep: bool,
    config: QmsConfig | None,
    guess: Guess,
    conn: Connection,
) -> None:
    """A worker: parse and check *items* (file, kind), send what was read, check the forms.

    Whatever goes wrong is sent as an error: the parent then reads in its own process.
    """
    try:
        _parse_and_check(source, items, keep, config, guess, conn)
    except Exception as error:  # noqa: BLE001 - reported to the parent, which carries on
        with contextlib.suppress(OSError, ValueError):
            conn.send(("error", repr(error)))


def _parse_and_check(
    source: Source,
    items: list[tuple[str, str]],
    keep: bool,
    config: QmsConfig | None,
    guess: Guess,
    conn: Connection,
) -> None:
    from qmsdocs.validation import DocumentChecker  # noqa: PLC0415 - only when checking

    data = _Bytes(source, [])

    def locate(file: str, path: Sequence[str | int]) -> tuple[int, int] | None:
        try:
            text = data.read(file).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        return yaml_store.locate(text, path)

    lookups: list[Lookup] = []
    guessed = None
    if config is not None:
        guessed = DocumentChecker(
            config,
            _Guessed(guess[0], lookups),
            _Numbers(guess[1], lookups),  # type: ignore[arg-type]
            locate=locate,
        )
    forms: dict[str, Any] = {}  # checked once every code is known: they read their procedure
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        try:
            data = _Bytes(source, [file for file, _kind in batch])
        except (OSError, GitError) as error:  # git gone: the parent reads in its own process
            conn.send(("error", str(error)))
            return
        out: list[tuple[str, Parsed]] = []
        for file, kind in batch:
            out.append((file, _parse(source, data, file, kind, keep, guessed, lookups, forms)))
        if keep:
            source.flush(forget=True)  # each shard is this worker's: written, then let go
        conn.send(("parsed", out))
    conn.send(("read", None))
    asked = conn.recv()
    if asked is None or config is None:
        return
    entries, legal_keys, unreadable = asked
    own = {key: forms[e[0]] for key, e in entries.items() if e[0] in forms}
    others = {key: (code, kind, listed) for key, (_file, kind, listed, code) in entries.items()}
    checker = DocumentChecker(
        config,
        _Codes(own, others),
        _Numbers(legal_keys, []),  # type: ignore[arg-type]
        locate=locate,
        unreadable=frozenset(unreadable),
    )
    done = []
    for key, document in own.items():
        file = entries[key][0]
        found = checker.check(document, file)
        done.append((file, [finding_row(f) for f in found], checker.depends_on(document)))
    conn.send(("checked", done))


def _parse(
    source: Source,
    data: _Bytes,
    file: str,
    kind: str,
    keep: bool,
    guessed: Any,
    lookups: list[Lookup],
    forms: dict[str, Any],
) -> Parsed:
    """Parse *file* and check it against the guessed codes (a form: kept in *forms*)."""
    findings: list[Finding] = []
    model = MODELS[DocumentKind(kind)]
    value = parse_file(data, file, model, findings)  # type: ignore[arg-type]
    name, stem, folded = identity(value)
    if value is not None and keep:
        source.keep(file, model, [finding_row(f) for f in findings], _dump(value))
    dump = _dump(value) if value is not None and kind == DocumentKind.LEGAL.value else None
    listed = list(value.forms) if isinstance(value, Procedure) else None
    tthc = None
    if isinstance(value, Procedure) and value.tthc is not None:
        tthc = (value.tthc.code, value.tthc.name)
    facts = None
    checked = None
    if value is not None and kind != DocumentKind.LEGAL.value:
        facts = DocumentFacts.of(value).to_row()
        if isinstance(value, Form):
            forms[file] = value
        elif guessed is not None:
            lookups.clear()
            found = guessed.check(value, file)
            checked = ([finding_row(f) for f in found], list(lookups))
    rows = [finding_row(f) for f in findings]
    return (name, stem, folded, rows, dump, listed, facts, tthc, checked)


def _dump(value: Any) -> Any:
    return value.model_dump(mode="json", by_alias=True)


class ColdRead:
    """Files parsed by forked workers; then, on :meth:`check`, their documents checked."""

    def __init__(
        self,
        source: Source,
        items: Sequence[tuple[str, DocumentKind]],
        count: int,
        *,
        config: QmsConfig | None,
        guess: Guess,
    ) -> None:
        context = multiprocessing.get_context("fork")
        keep = source.keeps_blobs
        shares: list[list[tuple[str, str]]] = [[] for _ in range(count)]
        for index, (file, kind) in enumerate(items):
            # in turn, so that every worker gets a like share of each kind; blobs kept by
            # id go by their shard of the cache, which one worker alone then writes
            shard = source.shard(file) if keep else None
            turn = int(shard, 16) if shard is not None else index
            shares[turn % count].append((file, kind.value))
        if keep:  # a worker's batches then touch few shards of the cache each
            for share in shares:
                share.sort(key=lambda item: (source.shard(item[0]) or "", item[0]))
        self._conns: list[Connection] = []
        self._procs: list[Any] = []
        for share in shares:
            parent, child = context.Pipe()
            process = context.Process(
                target=_work, args=(source, share, keep, config, guess, child), daemon=True
            )
            process.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(process)
        #: What was read of each file, by file.
        self.parsed: dict[str, Parsed] = {}
        self.failed = False
        reading = list(self._conns)
        while reading and not self.failed:
            # from whichever worker has a batch ready: a worker waiting to send waits on us
            for ready in wait(reading):
                conn = cast(Connection, ready)
                what, value = self._receive(conn)
                if what == "parsed":
                    self.parsed.update(value)
                elif what == "read":
                    reading.remove(conn)
                else:
                    self.failed = True
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
