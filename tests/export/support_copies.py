"""Helpers of the export tests: the sample agency, and reading exports back."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import docx
from lxml import etree

from qmsdocs import Repository
from qmsdocs.export import ExportContext
from tests.conftest import copy_sample

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
COMMIT = "3f1c2a9b7d5e4c6a8b0d2f4e6a8c0b2d4f6e8a0c"


def sample_repository(folder: Path) -> Repository:
    """Return the sample agency copied to *folder* (YAML only, no git)."""
    return Repository.open(copy_sample(folder / "qms", init_git=False))


def context_of(repo: Repository, **changes: Any) -> ExportContext:
    """Return the export context of *repo*: its config, legal registry and titles."""
    config = repo.config
    if changes:
        config = config.model_copy(update=changes)
    return ExportContext(config=config, legal=repo.legal, titles={d.code: d.title for d in repo})


def reopen(data: bytes) -> Any:
    """Return the python-docx document of .docx bytes."""
    return docx.Document(io.BytesIO(data))


def part(data: bytes, name: str) -> bytes:
    """Return the bytes of one part of a .docx."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def texts(element: Any) -> list[str]:
    """Return every w:t text under an lxml element, in order."""
    return [t.text or "" for t in element.iter(f"{{{W}}}t")]


def all_text(data: bytes) -> str:
    """Return the text of every story of a .docx (body, headers, footers, text boxes)."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            if name.startswith("word/") and name.endswith(".xml"):
                out.extend(texts(etree.fromstring(archive.read(name))))
    return "\n".join(out)


def header_xml(data: bytes) -> Any:
    """Return the (single) header part of a .docx as an lxml element."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.startswith("word/header")]
        assert len(names) == 1, names
        return etree.fromstring(archive.read(names[0]))


def footer_text(data: bytes) -> str:
    """Return the text of the footer."""
    document = reopen(data)
    return "\n".join(p.text for p in document.sections[0].footer.paragraphs)


def marking_text(data: bytes) -> str:
    """Return the text of the header's marking paragraph (the one after the header block)."""
    header = header_xml(data)
    paragraphs = header.findall("w:p", NS)
    if not paragraphs:
        return ""
    runs = paragraphs[-1].findall("w:r", NS)
    return "".join(t.text or "" for r in runs for t in r.findall("w:t", NS))


def watermark_texts(data: bytes) -> list[str]:
    """Return the texts of the header's text boxes (watermarks)."""
    header = header_xml(data)
    return ["".join(texts(box)) for box in header.iter(f"{{{W}}}txbxContent")]


def is_nfc(text: str) -> bool:
    """Return whether *text* is NFC-normalized."""
    return unicodedata.normalize("NFC", text) == text


def cell_texts(table: Any) -> list[list[str]]:
    """Return the text of every cell of a python-docx table, row by row."""
    return [[cell.text for cell in row.cells] for row in table.rows]
