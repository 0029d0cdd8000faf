"""Deterministic zip packages: fixed entry order and timestamps, entries compressed once.

python-docx writes zip entries stamped with the current time; a controlled copy must be the
same bytes for the same inputs, so every package is re-packed here with a fixed timestamp
(1980-01-01 00:00, the zip epoch) and a canonical entry order. Entries are compressed once
and kept compressed, so that a package differing in one small part (a copy marking) is
assembled without compressing the rest again.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["PackedEntry", "assemble", "canonical_order", "pack", "unpack"]

_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_DOS_TIME = 0
_VERSION = 20  # 2.0: deflate
_UTF8_FLAG = 0x800
_FIRST = ("[Content_Types].xml", "_rels/.rels")


@dataclass(frozen=True)
class PackedEntry:
    """One zip entry, compressed: its name, CRC-32, sizes and the bytes as stored."""

    name: str
    crc: int
    size: int
    method: int  # zipfile.ZIP_DEFLATED or zipfile.ZIP_STORED
    stored: bytes

    @classmethod
    def of(cls, name: str, data: bytes) -> PackedEntry:
        """Return the entry *name* holding *data*, deflated unless that does not help."""
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        deflated = compressor.compress(data) + compressor.flush()
        if len(deflated) < len(data):
            return cls(name, zlib.crc32(data), len(data), zipfile.ZIP_DEFLATED, deflated)
        return cls(name, zlib.crc32(data), len(data), zipfile.ZIP_STORED, data)


def canonical_order(names: Iterable[str]) -> list[str]:
    """Return *names* in the order packages are written: content types, package rels, rest."""
    names = list(names)
    first = [n for n in _FIRST if n in names]
    return first + sorted(n for n in names if n not in _FIRST)


def assemble(entries: Sequence[PackedEntry]) -> bytes:
    """Return the zip archive holding *entries* in the given order, with fixed timestamps."""
    out = bytearray()
    central = bytearray()
    for entry in entries:
        name = entry.name.encode("utf-8")
        flags = 0 if entry.name.isascii() else _UTF8_FLAG
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            _VERSION,
            flags,
            entry.method,
            _DOS_TIME,
            _DOS_DATE,
            entry.crc,
            len(entry.stored),
            entry.size,
            len(name),
            0,
        )
        out += name
        out += entry.stored
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            _VERSION,
            _VERSION,
            flags,
            entry.method,
            _DOS_TIME,
            _DOS_DATE,
            entry.crc,
            len(entry.stored),
            entry.size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    start = len(out)
    out += central
    out += struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0
    )
    return bytes(out)


def pack(parts: Iterable[tuple[str, bytes]]) -> bytes:
    """Return the deterministic zip archive of *parts* (name, bytes), in canonical order."""
    by_name = dict(parts)
    return assemble([PackedEntry.of(n, by_name[n]) for n in canonical_order(by_name)])


def unpack(data: bytes) -> dict[str, bytes]:
    """Return the entries of a zip archive that qmsdocs wrote itself (a trusted archive)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}
