"""Validation of a whole repository: the checks of :mod:`qmsdocs.validation`, run and kept.

The pure checks live in :mod:`qmsdocs.validation`; this runs them over what a
:class:`~qmsdocs.read.reader.Reader` read, checking again only what a change can have
affected, and keeps the findings in the persistent cache.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from qmsdocs.findings import Finding
from qmsdocs.legal import number_key
from qmsdocs.model.codes import code_key
from qmsdocs.read.files import (
    CHECKS,
    CONFIG_FILE,
    VALIDATION,
    Documents,
    finding_order,
    finding_row,
    row_finding,
)
from qmsdocs.read.reader import Reader
from qmsdocs.validation import DocumentChecker, check_config, check_document, check_legal

__all__ = ["check_all", "kept_findings", "validate", "validate_document"]


def validate(reader: Reader) -> list[Finding]:
    """Return every finding: unreadable files, schema violations, broken references …

    Never raises for bad content. Findings are sorted by file and line. The result is
    kept in the persistent cache: an unchanged repository is not checked again.
    """
    return kept_findings(reader, VALIDATION, lambda: check_all(reader))


def kept_findings(
    reader: Reader, name: str, compute: Callable[[], list[Finding]], more: object = None
) -> list[Finding]:
    """Return the findings *compute* gives, kept in memory and in the persistent cache
    under *name*, by the repository's fingerprint (every file read) and *more*: what else
    they depend on. Unchanged, they are not computed again."""
    key = reader.fingerprint()
    if more is not None:
        key = hashlib.sha256(repr((key, more)).encode()).hexdigest()
    held = reader.cache.get(name)
    if held is not None and held[0] == key:
        return list(held[1])
    found: list[Finding] | None = None
    stored = reader.disk.read(name)
    if stored.get("key") == key and isinstance(stored.get("rows"), list):
        with contextlib.suppress(TypeError, ValueError, IndexError):
            found = [row_finding(r[0], r[1:]) for r in stored["rows"]]
    if found is None:
        found = compute()
        if not reader.racy_files:
            rows = [[f.file, *finding_row(f)] for f in found]
            reader.disk.write(name, {"key": key, "rows": rows})
    reader.cache[name] = (key, found)
    return list(found)


def validate_document(reader: Reader, code: str) -> list[Finding]:
    """Return the findings of one controlled document's file, reading only what it names.

    The findings :meth:`validate` gives for that file, without checking the others.
    Raise :class:`DocumentNotFound` when there is no readable document *code*.
    """
    entry = reader.entries.get(code_key(code))
    if entry is None:
        raise reader.not_found(code)
    findings = [f for f in reader.read_findings if f.file == entry.file]
    if (config := reader.config_or_none()) is not None:
        findings += check_document(
            config,
            entry.document,
            entry.file,
            Documents(reader.entries),
            reader.legal,
            locate=lambda file, path: reader.locate(file, path),
            unreadable=frozenset(reader.unreadable),
        )
    return sorted(findings, key=lambda f: (f.file, f.line or 0, f.column or 0, f.check))


def check_all(reader: Reader) -> list[Finding]:
    """Return every finding, checking again only what a change can have affected.

    The findings of each document are kept (``checks.json``) with the stat of its file
    and of the files whose content they read; those of qms.yaml and of the legal
    registry with the stat of their files. Adding, removing or renaming a file, or
    changing qms.yaml, checks everything again: it changes which codes exist.
    """
    findings = list(reader.read_findings)
    config = reader.config_or_none()
    if config is None:
        return sorted(findings, key=finding_order)
    unreadable = frozenset(reader.unreadable)

    def locate(file: str, path: Sequence[str | int]) -> tuple[int, int] | None:
        return reader.locate(file, path)

    names = [
        sorted((k, e.file) for k, e in entries.items())
        for entries in (reader.entries, reader.legal_entries)
    ]
    base = hashlib.sha256(
        repr((names, sorted(unreadable), reader.stats.get(CONFIG_FILE))).encode()
    ).hexdigest()
    legal_key = reader.legal_key()
    stored = reader.disk.read(CHECKS)
    same_base = stored.get("base") == base
    kept = stored.get("documents") if same_base else None
    kept = kept if isinstance(kept, dict) else {}
    # nothing is kept of files too recent to trust (see RACY_NS)
    out: dict[str, Any] = {"base": base, "documents": {}}

    def stat(file: str) -> list[int] | None:
        found = reader.stats.get(file)
        return list(found) if found is not None else None

    def rows_of(found: list[Finding]) -> list[list[Any]]:
        return [finding_row(f) for f in found]

    if same_base and isinstance(stored.get("config"), list):
        findings += [row_finding(CONFIG_FILE, r) for r in stored["config"]]
        out["config"] = stored["config"]
    else:
        found = check_config(config, locate=locate)
        findings += found
        out["config"] = rows_of(found)
    legal_files = {number_key(e.name): e.file for e in reader.legal_entries.values()}
    legal_rows = stored.get("legal")
    if (
        same_base
        and legal_key is not None
        and isinstance(legal_rows, list)
        and stored.get("legal_key") == legal_key
    ):
        findings += [row_finding(r[0], r[1:]) for r in legal_rows]
    else:
        found = check_legal(reader.legal, legal_files, locate=locate)
        findings += found
        legal_rows = [[f.file, *finding_row(f)] for f in found]
    out["legal_key"], out["legal"] = legal_key, legal_rows
    checker = DocumentChecker(
        config, Documents(reader.entries), reader.legal, locate=locate, unreadable=unreadable
    )
    for entry in reader.entries.values():
        file = entry.file
        previous = kept.get(file)
        if (
            isinstance(previous, list)
            and len(previous) == 3
            and previous[0] == stat(file)
            and isinstance(previous[1], dict)
            and all(stat(dep) == key for dep, key in previous[1].items())
        ):
            with contextlib.suppress(TypeError, ValueError):
                findings += [row_finding(file, r) for r in previous[2]]
                out["documents"][file] = previous
                continue
        pre = reader.prechecked.get(file)
        if pre is not None:  # checked by the worker that parsed it (qmsdocs.read.pool)
            found = [row_finding(file, r) for r in pre[0]]
            depends_on = pre[1]
        else:
            document = entry.document
            found = checker.check(document, file)
            depends_on = checker.depends_on(document)
        findings += found
        deps = {}
        for code in depends_on:
            other = reader.entries.get(code_key(code))
            if other is not None:
                deps[other.file] = stat(other.file)
        if not reader.racy_files.intersection([file, *deps]):
            out["documents"][file] = [stat(file), deps, rows_of(found)]
    if CONFIG_FILE not in reader.racy_files:
        reader.disk.write(CHECKS, out)
    return sorted(findings, key=finding_order)
