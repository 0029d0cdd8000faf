"""The reader: one QMS repository read from its work tree, with its caches.

What the facade (:class:`qmsdocs.repository.Repository`), the validation and impact runs
(:mod:`qmsdocs.validation_run`, :mod:`qmsdocs.impact_run`), the lists
(:mod:`qmsdocs.listing`) and the lifecycle actions (:mod:`qmsdocs.workflow`) read through:
the index of files and its stat-keyed caches, lazily parsed documents, the legal registry,
document facts, and the git history of issued revisions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from qmsdocs import lifecycle
from qmsdocs.errors import ActionRefused, ConfigError, DocumentNotFound, ReadOnlyRepository
from qmsdocs.facts import DocumentFacts
from qmsdocs.findings import Finding, Severity
from qmsdocs.history import IssuedRevision, RevisionHistory
from qmsdocs.history import in_force as history_in_force
from qmsdocs.i18n import N_, S_, Said, _
from qmsdocs.legal import LegalRegistry, number_key
from qmsdocs.lifecycle import DocumentState
from qmsdocs.model import MODELS, Document, DocumentKind, LegalDocument, QmsConfig, Status
from qmsdocs.model.codes import code_key
from qmsdocs.read.files import (
    CONFIG_FILE,
    FACTS,
    INDEX,
    LEGAL,
    Entry,
    HeldIndex,
    IndexRow,
    LazyLegalRegistry,
    Parser,
    finding_order,
    finding_row,
    identity,
    legal_list,
    no_cyclic_gc,
    parse_file,
    row_finding,
    stats_digest,
)
from qmsdocs.read.pool import ColdRead, Parsed, confirmed, workers
from qmsdocs.read.sources import Key, Source, WorkTree
from qmsdocs.store import yaml as yaml_store
from qmsdocs.store.cache import JsonCache

__all__ = ["Reader"]

#: The kind each model is read as.
KIND_OF: dict[type, DocumentKind] = {model: kind for kind, model in MODELS.items()}


class Reader:
    """One QMS repository read from its work tree: configuration, documents, legal registry.

    Reading never raises for bad content: files that cannot be read are left out and their
    findings kept in :attr:`read_findings`. Documents are parsed when first used; what was
    read is kept in ``<git dir>/qms-cache/`` (see :mod:`qmsdocs.store.cache`) so that an
    unchanged file is not parsed again by the next process. *cache* is this process's
    memory of parsed files, shared by the readers of one facade (and its actions).
    """

    def __init__(
        self,
        root: Path | None = None,
        *,
        cache: dict[str, Any] | None = None,
        source: Source | None = None,
        jobs: int | None = None,
    ) -> None:
        if source is None:
            assert root is not None
            source = WorkTree(root)
        self.source = source
        self.root = source.root
        # Parsed files by path, keyed by (size, mtime, inode) or object id: unchanged files
        # are not parsed again when the repository is re-read after an action.
        self.cache: dict[str, Any] = cache if cache is not None else {}
        # Worker processes for a cold read (qmsdocs.read.pool): None = as many as cores
        # when there is enough to read, 1 = this process only.
        self.jobs = jobs
        self.parser = Parser(source, self.cache)
        self.reload()

    @property
    def read_only(self) -> bool:
        """Return whether the repository is a snapshot of a commit, on which nothing acts."""
        return self.source.read_only

    @property
    def commit(self) -> str | None:
        """Return the commit read, or None for a work tree."""
        return self.source.commit

    def require_writable(self) -> None:
        """Raise :class:`ReadOnlyRepository` when the repository is a snapshot of a commit."""
        if self.source.read_only:
            raise ReadOnlyRepository(
                _(
                    "{root} is read at commit {commit}: a snapshot is read-only; act on a "
                    "work tree (git clone, then qms there)"
                ).format(root=self.root, commit=(self.source.commit or "")[:12])
            )

    def reload(self) -> None:
        """Read the whole repository again (files unchanged since read come from the caches)."""
        self.read_findings: list[Finding] = []
        self._config: QmsConfig | None = None
        self.entries: dict[str, Entry] = {}
        self.legal_entries: dict[str, Entry] = {}
        self.unreadable: set[str] = set()  # keys of files that exist but could not be loaded
        self._history: RevisionHistory | None = None
        self._facts_memo: list[tuple[Entry, DocumentFacts]] | None = None
        self._fingerprint_memo: str | None = None
        # What worker processes read and checked on a cold read (qmsdocs.read.pool)
        self._parsed: dict[str, Parsed] = {}
        self.prechecked: dict[str, tuple[list[list[Any]], list[str]]] = {}
        self.git = self.source.locate_git()
        self.disk = JsonCache(self.source.cache_folder(self.git))
        # (size, mtime, inode) of every file read, and the files read while "racy"
        self.stats: dict[str, tuple[int, int, int]] = {}
        self.racy_files: set[str] = set()
        self.held_index = self._cached_index()
        self._index_rows = self.held_index.rows
        self._index_changed = False
        with no_cyclic_gc():
            self._load()
        self._save_index()
        self.source.flush()
        self._legal = LazyLegalRegistry(self.legal_entries, self)

    @property
    def legal(self) -> LegalRegistry:
        """Return the legal registry (legal/), built on first use."""
        return cast(LegalRegistry, self._legal)

    def clear_cache(self) -> None:
        """Forget everything read before, in memory and on disk: the next reads start cold."""
        self.cache.clear()
        self.disk.clear()
        self.reload()

    # -- loading -------------------------------------------------------------------------

    def _cached_index(self) -> HeldIndex:
        """Return the persistent index of files, read once per process and cache dict."""
        slot = str(self.disk.folder)
        held = self.cache.get("persistent-index")
        if not isinstance(held, HeldIndex) or held.slot != slot:
            data = self.disk.read(INDEX)
            rows = data.get("rows") if data.get("root") == self.source.label() else None
            digest = data.get("digest")
            if isinstance(rows, dict):
                held = HeldIndex(slot, dict(rows), digest if isinstance(digest, str) else None)
            else:
                held = HeldIndex(slot, {}, None)
            self.cache["persistent-index"] = held
        return held

    def _cached_config(self) -> QmsConfig:
        """Return qms.yaml (unchanged since indexed) from the cache, or parse it again.

        The cache holds the validated model as JSON values: reading them back gives the
        same model, and costs far less than parsing a province's qms.yaml.
        """
        key = list(self._index_rows[CONFIG_FILE][:4]) if CONFIG_FILE in self._index_rows else None
        held = self.cache.get("config-model")  # this process read it already
        if key is not None and held is not None and held[0] == key:
            return cast(QmsConfig, held[1])
        stored = self.disk.read("config")
        config: QmsConfig | None = None
        if key is not None and stored.get("key") == key and isinstance(stored.get("data"), dict):
            with contextlib.suppress(ValidationError):
                config = QmsConfig.model_validate(stored["data"])
        if config is None:
            config = cast(QmsConfig, self.parser.parse_known(CONFIG_FILE, QmsConfig))
            self._store_config(config)
        if key is not None:
            self.cache["config-model"] = (key, config)
        return config

    def _store_config(self, config: QmsConfig) -> None:
        row = self._index_rows.get(CONFIG_FILE)
        key = list(row[:4]) if row is not None else None
        if key is not None and self.disk.read("config").get("key") != key:
            self.disk.write("config", {"key": key, "data": config.model_dump(mode="json")})

    def _save_index(self) -> None:
        if self._index_changed:
            self.write_index()

    def write_index(self) -> None:
        digest = self.held_index.digest
        self.disk.write(
            INDEX, {"root": self.source.label(), "rows": self._index_rows, "digest": digest}
        )
        self._index_changed = False

    def _changed_row(self, file: str, row: IndexRow | None) -> None:
        """Set (or, with None, drop) the index row of *file*."""
        if row is None:
            del self._index_rows[file]
        else:
            self._index_rows[file] = row
        self._index_changed = True
        self.held_index.digest = None  # until a fingerprint needs it

    def _read(
        self, file: str, model: type[BaseModel], stat: Key
    ) -> tuple[str | None, Any, str | None, str | None]:
        """Return (code or number, document or None if not parsed yet, stem, key) of a file.

        The code or number is None when the file cannot be read; the findings of reading it
        are recorded. *stem* is the file name the code asks for, *key* its case-folded form.
        """
        size, mtime, inode = stat
        key = (size, mtime, inode, model.__name__)
        self.stats[file] = (size, mtime, inode)
        racy = self.source.racy(stat, self._now_ns)
        if racy:
            self.racy_files.add(file)
        else:
            self.racy_files.discard(file)
        row = self._index_rows.get(file)
        fresh = (
            row is not None
            and not racy
            and row[0] == size
            and row[1] == mtime
            and row[2] == inode
            and row[3] == key[3]
        )
        cached = self.cache.get(file)
        if cached is not None and cached[0] == key:
            self.read_findings.extend(cached[2])
            name, stem, folded = cached[3]
            if not fresh and not racy:  # read by this process, then indexed by another
                self._changed_row(
                    file, (*key, name, [finding_row(f) for f in cached[2]], stem, folded)
                )
            return name, cached[1], stem, folded
        if fresh:
            assert row is not None
            try:
                findings = [row_finding(file, f) for f in row[5]] if row[5] else []
                name, stem, folded = row[4], row[6], row[7]
            except (TypeError, ValueError, IndexError):  # a damaged cache: read the file
                pass
            else:
                self.read_findings.extend(findings)
                return name, None, stem, folded
        parsed = self._parsed.pop(file, None)
        if parsed is not None:
            return self._read_parsed(file, model, key, racy, parsed)
        mark = len(self.read_findings)
        value = self.source.recall(file, model, self.read_findings)
        if value is None and len(self.read_findings) == mark:  # not known by its object id
            value = parse_file(self.source, file, model, self.read_findings)
            self.source.remember(file, model, value, self.read_findings[mark:])
        findings = self.read_findings[mark:]
        name, stem, folded = named = identity(value)
        self.cache[file] = (key, value, findings, named)
        if not racy:
            self._changed_row(file, (*key, name, [finding_row(f) for f in findings], stem, folded))
        return name, value, stem, folded

    def _read_parsed(
        self, file: str, model: type[BaseModel], key: tuple[Any, ...], racy: bool, parsed: Parsed
    ) -> tuple[str | None, Any, str | None, str | None]:
        """Take what a worker read of *file* (see :meth:`_read`); documents stay unparsed."""
        name, stem, folded, rows, data, _forms, facts, tthc, _checked = parsed
        findings = [row_finding(file, r) for r in rows]
        self.read_findings.extend(findings)
        value = None
        if data is not None and model is LegalDocument:  # the registry needs them all
            value = model.model_validate(data)
        self.cache[file] = (key, value, findings, (name, stem, folded))
        if facts is not None:  # what lists and the TTHC checks read, without the document
            self._held_facts()[file] = (key[:3], DocumentFacts.from_row(facts))
            self._tthc_blocks()[file] = (key[:3], tthc)
        if not racy:
            self._changed_row(file, (*key, name, rows, stem, folded))
        return name, value, stem, folded

    def _tthc_blocks(self) -> dict[str, tuple[tuple[int, int, int], tuple[str, str] | None]]:
        return cast(dict[str, Any], self.cache.setdefault("tthc-blocks", {}))

    def tthc_block(self, entry: Entry) -> tuple[str | None, str | None]:
        """Return the (code, name) of a procedure's TTHC block, (None, None) without one.

        From what a worker process read on a cold read, else from the document.
        """
        held = self._tthc_blocks().get(entry.file)
        if held is not None and held[0] == self.stats.get(entry.file):
            return held[1] if held[1] is not None else (None, None)
        document = entry.document
        block = getattr(document, "tthc", None)
        return (block.code, block.name) if block is not None else (None, None)

    def _unread(self, file: str, model: type[BaseModel], stat: Key) -> bool:
        """Return whether :meth:`_read` would parse *file* (no cache knows it)."""
        key = (*stat, model.__name__)
        cached = self.cache.get(file)
        if cached is not None and cached[0] == key:
            return False
        row = self._index_rows.get(file)
        if row is not None and tuple(row[:4]) == key and not self.source.racy(stat, self._now_ns):
            return False
        return not self.source.known(file, model)

    def _cold_read(self, listed: Sequence[Any]) -> ColdRead | None:
        """Start worker processes on the files no cache knows, when there are enough."""
        if self.jobs == 1:
            return None
        # _unread inlined for files the index knows (a warm open pays this loop: 15 ms)
        names = {kind: model.__name__ for kind, model in MODELS.items()}
        rows, racy, now = self._index_rows, self.source.racy, self._now_ns
        todo = []
        for item in listed:
            kind = item.kind
            if kind is None:
                continue
            file, stat = item.file, item.key
            row = rows.get(file)
            if (
                row is not None
                and row[0] == stat[0]
                and row[1] == stat[1]
                and row[2] == stat[2]
                and row[3] == names[kind]
                and not racy(stat, now)
            ):
                continue
            if self._unread(file, MODELS[kind], stat):
                todo.append((file, kind))
        count = workers(self.jobs, len(todo))
        if count <= 1:
            return None
        config = self.config_or_none() if self._config_known_good else None
        codes: dict[str, tuple[str, str]] = {}
        numbers: set[str] = set()
        for item in listed:
            if item.kind is None:
                continue
            stem = item.file[len(item.kind.folder) + 1 : -5]
            if item.kind is DocumentKind.LEGAL:
                numbers.add(number_key(stem))
            else:
                codes[code_key(stem)] = (stem, item.kind.value)
        cold = ColdRead(self.source, todo, count, config=config, guess=(codes, numbers))
        self._parsed = dict(cold.parsed)
        return cold

    def _cold_check(self, cold: ColdRead) -> None:
        """Have the workers check the documents they parsed, now that every code is known."""
        parsed = self._parsed_forms
        if self.config_or_none() is None:
            cold.close()
            return
        entries: dict[str, tuple[str, str, list[str] | None, str]] = {}
        for key, entry in self.entries.items():
            kind = KIND_OF[entry.model]
            forms = None
            if kind is DocumentKind.PROCEDURE:
                forms = parsed.get(entry.file)
                if forms is None:  # read from the cache, not by a worker
                    forms = list(entry.document.forms)
            entries[key] = (entry.file, kind.value, forms, entry.name)
        checked = cold.check(entries, set(self.legal_entries), frozenset(self.unreadable))
        self.prechecked = checked or {}
        # the others were checked against codes guessed from the file names: kept where
        # every lookup gets the same answer from the codes the documents have
        kinds = {key: value[1] for key, value in entries.items()}
        for file, (rows, lookups) in self._guessed.items():
            if confirmed(lookups, kinds, self.legal_entries, self.unreadable):
                self.prechecked[file] = (rows, [])

    def _finding(
        self,
        file: str,
        check: str,
        message: Said | str,
        *,
        line: int | None = None,
        severity: Severity = Severity.ERROR,
        code: str | None = None,
    ) -> None:
        said = message if isinstance(message, Said) else Said(message)
        self.read_findings.append(
            Finding.of(
                file,
                check,
                said,
                line=line,
                column=1 if line else None,
                severity=severity,
                code=code,
            )
        )

    def _report(self, file: str, check: str, said: Said, severity: Severity) -> None:
        self._finding(file, check, said, severity=severity)

    def _load(self) -> None:
        if self.git.problem:
            self._finding(".", "not-git", self.git.problem, severity=Severity.WARNING)
        self._now_ns = time.time_ns()
        listed = self.source.scan(self._report)
        first = listed[0] if listed and listed[0].kind is None else None
        name, config, _stem, _key = (
            self._read(CONFIG_FILE, QmsConfig, first.key) if first else (None,) * 4
        )
        self._config = config
        self._config_known_good = name is not None
        if config is not None and CONFIG_FILE in self._index_rows:
            self._store_config(config)
        cold = self._cold_read(listed)
        self._parsed_forms = {f: p[5] for f, p in self._parsed.items() if p[5] is not None}
        self._guessed = {f: p[8] for f, p in self._parsed.items() if p[8] is not None}
        seen = {CONFIG_FILE}
        for item in listed:
            kind = item.kind
            if kind is None:
                continue
            file = item.file
            seen.add(file)
            model = MODELS[kind]
            stem = file[len(kind.folder) + 1 : -5]
            code, document, asked, key = self._read(file, model, item.key)
            if code is not None:
                assert asked is not None and key is not None
                entry = Entry(file, code, model, document, self.parser)
                self._index(kind, entry, stem, asked, key)
            else:
                self.unreadable.add(code_key(stem))
        if len(seen) != len(self._index_rows):
            for gone in set(self._index_rows) - seen:
                self._changed_row(gone, None)
        if cold is not None:
            self._cold_check(cold)
        self._parsed = {}
        self._parsed_forms = {}
        self._guessed = {}

    def _index(self, kind: DocumentKind, entry: Entry, stem: str, code: str, key: str) -> None:
        file = entry.file
        entries = self.legal_entries if kind is DocumentKind.LEGAL else self.entries
        if stem != code:
            self._finding(
                file,
                "file-name",
                S_(
                    N_("file name does not match the number: rename it to {code}.yaml")
                    if kind is DocumentKind.LEGAL
                    else N_("file name does not match the code: rename it to {code}.yaml"),
                    code=code,
                ),
                line=self._line_of(file, "number" if kind is DocumentKind.LEGAL else "code"),
                code=code,
            )
        if key in entries:
            self._finding(
                file,
                "duplicate-code",
                S_(
                    "{code} is also defined in {file} (codes are unique, ignoring case)",
                    code=code,
                    file=entries[key].file,
                ),
                line=self._line_of(file, "number" if kind is DocumentKind.LEGAL else "code"),
                code=code,
            )
            return
        entries[key] = entry

    def rescan(self) -> None:
        """Bring the repository up to date with the disk, reading only the files that changed.

        A repository that read with findings, or whose files came or went, is read again
        as a whole; otherwise only files whose size, time or inode changed (or that were
        changed too recently to be sure of) are read again.
        """
        if self.source.read_only:
            return  # a commit never changes
        if self.read_findings or self.unreadable or self.git.top is None:
            self.reload()
            return
        current: dict[str, tuple[int, int, int]] = {}
        try:
            info = os.lstat(self.root / CONFIG_FILE)
            current[CONFIG_FILE] = (info.st_size, info.st_mtime_ns, info.st_ino)
            for kind in DocumentKind:
                folder = self.root / kind.folder
                if not os.path.isdir(folder) or os.path.islink(folder):
                    continue
                with os.scandir(folder) as listing:
                    for dirent in listing:
                        if dirent.name.endswith((".yaml", ".yml")) and not dirent.is_dir():
                            info = dirent.stat(follow_symlinks=False)
                            current[f"{kind.folder}/{dirent.name}"] = (
                                info.st_size,
                                info.st_mtime_ns,
                                info.st_ino,
                            )
        except OSError:
            current = {}
        if current.keys() != self.stats.keys():
            self.reload()
            return
        changed = [f for f, key in current.items() if key != self.stats[f] or f in self.racy_files]
        if CONFIG_FILE in changed:
            self.reload()
            return
        self.refresh(changed)

    def refresh(self, files: Sequence[str]) -> None:
        """Read *files* (relative to the root) again after this process wrote them.

        The rest of the repository is as it was read under the action's lock. Anything
        beyond a plain document file rewritten or added (qms.yaml, a file that now reads
        with findings, a clash of codes) makes the whole repository be read again.
        """
        folders = {kind.folder: kind for kind in DocumentKind}
        self._history = None  # the action made a commit, perhaps a tag
        self._facts_memo = None
        self._fingerprint_memo = None
        self.prechecked = {}  # checked against what was read before
        self._now_ns = time.time_ns()
        for file in files:
            folder, _, name = file.partition("/")
            kind = folders.get(folder)
            info = (
                self.source.stat(file, self._report)
                if kind is not None and name.endswith(".yaml") and isinstance(self.source, WorkTree)
                else None
            )
            if kind is None or info is None or "/" in name:
                self.reload()
                return
            entries = self.legal_entries if kind is DocumentKind.LEGAL else self.entries
            old: str | None = code_key(name[:-5])  # where the file name puts it, usually
            if old not in entries or entries[old].file != file:
                old = next((k for k, e in entries.items() if e.file == file), None)
            mark = len(self.read_findings)
            code, document, stem, key = self._read(file, MODELS[kind], info)
            fresh = code is not None and stem == name[:-5] and (key == old or key not in entries)
            if (
                not fresh
                or len(self.read_findings) > mark
                or any(f.file == file for f in self.read_findings[:mark])
            ):
                self.reload()
                return
            assert code is not None and key is not None
            if old is not None:
                del entries[old]
            entries[key] = Entry(file, code, MODELS[kind], document, self.parser)
            if kind is DocumentKind.LEGAL:
                self._legal = LazyLegalRegistry(self.legal_entries, self)
        self._save_index()

    def _line_of(self, file: str, *field: str | int) -> int | None:
        try:
            text = self.source.read(file).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        place = yaml_store.locate(text, field)
        return place[0] if place else None

    # -- reading -------------------------------------------------------------------------

    def config_or_none(self) -> QmsConfig | None:
        if self._config is None and self._config_known_good:
            self._config = self._cached_config()
        return self._config

    @property
    def config(self) -> QmsConfig:
        """Return the configuration of qms.yaml; raise :class:`ConfigError` if it is invalid."""
        if self.config_or_none() is None:
            first = next((f for f in self.read_findings if f.file == CONFIG_FILE), None)
            raise ConfigError(
                first.text if first else _("qms.yaml is invalid; run 'qms validate'"),
                file=self.root / CONFIG_FILE,
                line=first.line if first else None,
                column=first.column if first else None,
            )
        assert self._config is not None
        return self._config

    @property
    def load_findings(self) -> list[Finding]:
        """Return the findings of reading the files: what could not be loaded, and why."""
        return list(self.read_findings)

    @property
    def git_top(self) -> Path | None:
        """Return the top of the git work tree holding the repository, or None."""
        return self.git.top

    @property
    def in_git(self) -> bool:
        """Return whether the repository sits inside a git work tree."""
        return self.git.top is not None

    def __iter__(self) -> Iterator[Document]:
        """Iterate over the controlled documents, sorted by code."""
        for key in sorted(self.entries):
            yield self.entries[key].document

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code_key(code) in self.entries

    def document(self, code: str) -> Document:
        """Return the document with *code* (ignoring case); raise :class:`DocumentNotFound`."""
        entry = self.entries.get(code_key(code))
        if entry is None:
            raise self.not_found(code)
        return entry.document  # type: ignore[no-any-return]

    def not_found(self, code: str, message: str | None = None) -> DocumentNotFound:
        """Return the error for a *code* that names no readable document.

        When a file named after *code* exists but cannot be read (a YAML syntax error, a
        schema error), the error names that file, its line and the problem, as ``validate``
        does, rather than saying there is no such document.
        """
        key = code_key(code)
        for finding in self.read_findings:
            stem = PurePosixPath(finding.file).stem
            if finding.severity is Severity.ERROR and stem and code_key(stem) == key:
                return DocumentNotFound(
                    _(
                        "{code} cannot be read: {problem}; fix the file, then run 'qms validate'"
                    ).format(code=code, problem=finding.text),
                    file=finding.file,
                    line=finding.line,
                    column=finding.column,
                    field=finding.field,
                    code=code,
                )
        return DocumentNotFound(
            message or _("no document with code {code!r}").format(code=code), code=code
        )

    def legal_document(self, ref: str) -> LegalDocument:
        """Return the legal document with this number or file code; raise DocumentNotFound."""
        found = self.legal.get(ref)
        if found is None:
            raise DocumentNotFound(
                _("no legal document numbered {ref!r}").format(ref=ref), code=ref
            )
        return found

    def file_of(self, code: str) -> str:
        """Return the file of the document or legal document *code*, relative to the root."""
        entry = self.entries.get(code_key(code)) or self.legal_entries.get(number_key(code))
        if entry is None:
            raise self.not_found(code)
        return entry.file

    def legal_documents(self) -> list[LegalDocument]:
        """Return every legal document; unchanged ones from the persistent cache.

        The registry needs all of them at once (relations point both ways); a province's
        2,000 legal files are kept as validated JSON values, read back in one call.
        """
        entries = sorted(self.legal_entries.values(), key=lambda e: e.file)
        fingerprint = self.legal_key()
        stored = self.disk.read(LEGAL)
        if (
            fingerprint is not None
            and stored.get("key") == fingerprint
            and isinstance(stored.get("documents"), list)
        ):
            with contextlib.suppress(ValidationError):
                documents = legal_list().validate_python(stored["documents"])
                if len(documents) == len(entries):
                    for entry, document in zip(entries, documents, strict=True):
                        if entry._document is None:
                            entry._document = document
                    return documents
        documents = [e.document for e in entries]
        if fingerprint is not None:
            dumped = legal_list().dump_python(documents, mode="json")
            self.disk.write(LEGAL, {"key": fingerprint, "documents": dumped})
        return documents

    def legal_key(self) -> str | None:
        """Return a digest of every legal file's name and stat; None while one is too recent.

        What the legal registry and its findings are kept under.
        """
        files = sorted(e.file for e in self.legal_entries.values())
        if self.racy_files.intersection(files):
            return None
        return hashlib.sha256(repr([(f, self.stats.get(f)) for f in files]).encode()).hexdigest()

    def per_head(self, name: str, compute: Callable[[], dict[str, str]]) -> dict[str, str]:
        """Return what *compute* reads of the git history, kept on disk until HEAD moves."""
        head = self.history_store.store.head()
        held = self.cache.get(name)
        if held is not None and held[0] == head:
            return cast(dict[str, str], held[1])
        stored = self.disk.read(name)
        data = stored.get("data")
        if stored.get("head") != head or head is None or not isinstance(data, dict):
            data = compute()
            if head is not None:
                self.disk.write(name, {"head": head, "data": data})
        self.cache[name] = (head, data)
        return cast(dict[str, str], data)

    # -- facts: what lists and legal impact read, kept in the persistent cache ----------

    def _held_facts(self) -> dict[str, tuple[tuple[int, int, int] | None, DocumentFacts]]:
        """Return the facts this process holds, by file, with the stat they were read at."""
        return cast(dict[str, Any], self.cache.setdefault("facts", {}))

    def facts_of(self, entry: Entry) -> DocumentFacts:
        """Return the facts of one document, from memory or from its parsed document."""
        held = self._held_facts()
        stat = self.stats.get(entry.file)
        found = held.get(entry.file)
        if found is not None and found[0] == stat and stat is not None:
            return found[1]
        facts = DocumentFacts.of(entry.document)
        held[entry.file] = (stat, facts)
        return facts

    def all_facts(self) -> list[tuple[Entry, DocumentFacts]]:
        """Return every document's entry and facts, sorted by code.

        Facts of unchanged files come from the persistent cache (``facts.json``): a list
        or an impact report on a warm repository parses no document.
        """
        held = self._held_facts()
        if self.cache.get("facts-read") != str(self.disk.folder):  # once per process
            self.cache["facts-read"] = str(self.disk.folder)
            with no_cyclic_gc():
                rows = self.disk.read(FACTS).get("rows")
                for file, row in rows.items() if isinstance(rows, dict) else ():
                    with contextlib.suppress(TypeError, ValueError):
                        stat = (int(row[0]), int(row[1]), int(row[2]))
                        held.setdefault(file, (stat, DocumentFacts.from_row(row[3])))
        if self._facts_memo is not None:
            return self._facts_memo
        out = []
        changed = False
        for code in sorted(self.entries):
            entry = self.entries[code]
            found = held.get(entry.file)
            if found is None or found[0] != self.stats.get(entry.file):
                changed = changed or entry.file not in self.racy_files
            out.append((entry, self.facts_of(entry)))
        if changed:
            rows = {
                e.file: [*self.stats[e.file], f.to_row()]
                for e, f in out
                if e.file in self.stats and e.file not in self.racy_files
            }
            self.disk.write(FACTS, {"rows": rows})
        self._facts_memo = out
        return out

    def superseded(self) -> dict[str, tuple[str, dt.date | None]]:
        return lifecycle.superseded_by(f for _, f in self.all_facts())

    def fingerprint(self) -> str:
        """Return a digest of everything validation depends on: files, place, git state."""
        if self._fingerprint_memo is None:
            # Every file not read while racy has its stat in the index: the digest kept with
            # the index is that of the stats, until a row changes.
            stats = self.held_index.digest if not self.racy_files else None
            if stats is None:
                stats = stats_digest(self.stats)
                if not self.racy_files:
                    self.held_index.digest = stats
                    self.write_index()
            digest = hashlib.sha256(repr((self.source.label(), self.git.problem)).encode())
            digest.update(stats.encode())
            digest.update(repr(sorted(self.read_findings, key=finding_order)).encode())
            self._fingerprint_memo = digest.hexdigest()
        return self._fingerprint_memo

    def locate(self, file: str, path: Sequence[str | int]) -> tuple[int, int] | None:
        try:
            text = self.source.read(file).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        return yaml_store.locate(text, path)

    # -- history -------------------------------------------------------------------------

    @property
    def history_store(self) -> RevisionHistory:
        """Return the repository's git history (issued revisions, actions), read lazily.

        Raise :class:`ActionRefused` when the repository is not inside a git work tree.
        """
        if self._history is None:
            if self.git.top is None:
                raise ActionRefused(
                    _("{root} is not inside a git work tree: no history").format(root=self.root)
                )
            self._history = RevisionHistory(self.source.store(self.git), cache=self.disk)
        return self._history

    def _kind_of(self, code: str) -> DocumentKind:
        return DocumentKind(self.document(code).kind)

    def revisions(self, code: str) -> list[IssuedRevision]:
        """Return the issued revisions of *code*, oldest first (empty outside git)."""
        entry = self.entries.get(code_key(code))
        if entry is None:
            raise self.not_found(code)
        if self.git.top is None:
            return []
        return self.history_store.issued(entry.name)

    def revision(self, code: str, revision: int) -> Document:
        """Return issued *revision* of *code*, exactly as it was tagged."""
        found = next((r for r in self.revisions(code) if r.revision == revision), None)
        if found is None:
            issued = ", ".join(str(r.revision) for r in self.revisions(code)) or _("none")
            raise DocumentNotFound(
                _("{code} has no issued revision {revision} (issued: {issued})").format(
                    code=code, revision=revision, issued=issued
                ),
                code=code,
            )
        return self.history_store.read(found, self._kind_of(code))

    def in_force(self, code: str, day: dt.date) -> Document | None:
        """Return the revision of *code* in force on *day*, or None if none was.

        A document withdrawn, or superseded by another one, on or before *day* has none.
        """
        current = self.document(code)
        state, revision = self.state_on(code, day)
        if state is not DocumentState.EFFECTIVE:
            return None
        if not self.revisions(code) or (
            revision == current.revision and current.status is Status.APPROVED
        ):
            return current
        return self.revision(code, revision)

    def state_on(
        self,
        code: str,
        day: dt.date,
        *,
        superseded_map: dict[str, tuple[str, dt.date | None]] | None = None,
    ) -> tuple[DocumentState, int]:
        """Return the state of *code* on *day* and the revision that state is about."""
        entry = self.entries.get(code_key(code))
        if entry is None:
            raise self.not_found(code)
        if superseded_map is None:
            superseded_map = self.superseded()
        return self.state(self.facts_of(entry), day, superseded_map)

    def state(
        self,
        current: DocumentFacts,
        day: dt.date,
        superseded_map: dict[str, tuple[str, dt.date | None]],
    ) -> tuple[DocumentState, int]:
        superseded = superseded_map.get(code_key(current.code))
        revisions = self.revisions(current.code)
        if not revisions:
            return lifecycle.status_on(current, day, superseded), current.revision
        if current.withdrawal is not None and current.withdrawal.date <= day:
            return DocumentState.WITHDRAWN, current.revision
        issued = history_in_force(revisions, day)
        if issued is None:
            first = revisions[0]
            if first.issued_at is not None and first.issued_at.date() <= day:
                return DocumentState.PENDING, first.revision
            return DocumentState.DRAFT, current.revision
        if superseded is not None and superseded[1] is not None and superseded[1] <= day:
            return DocumentState.SUPERSEDED, issued.revision
        return DocumentState.EFFECTIVE, issued.revision
