"""An agency's own .docx template, checked before anything reads it.

A template is untrusted input: it is only ever treated as a zip of XML parts. Nothing in it
is executed, no file outside it is read, no network is touched. It is refused when it is not
a zip, is too large or holds too many or too large entries, names an entry outside the
package, carries macros, ActiveX or embedded objects, declares a DTD or entities, or has a
relationship that points outside the package (``TargetMode="External"``: a linked image, a
remote template, a hyperlink). An agency fixes such a template by removing the link and
saving it again.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from urllib.parse import unquote
from xml.etree import ElementTree

from qmsdocs.errors import InvalidDocument
from qmsdocs.export._package import pack
from qmsdocs.i18n import _

__all__ = [
    "MAX_ENTRIES",
    "MAX_ENTRY_BYTES",
    "MAX_TEMPLATE_BYTES",
    "MAX_TOTAL_BYTES",
    "Template",
]

#: The largest template accepted, as a file.
MAX_TEMPLATE_BYTES = 16 * 1024 * 1024
#: The most entries a template may hold.
MAX_ENTRIES = 500
#: The largest single entry, uncompressed.
MAX_ENTRY_BYTES = 16 * 1024 * 1024
#: The largest total of all entries, uncompressed.
MAX_TOTAL_BYTES = 48 * 1024 * 1024

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
_DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_FORBIDDEN_TYPES = ("macroenabled", "vbaproject", "activex", "oleobject", "vbadata")
_FORBIDDEN_NAMES = re.compile(r"(vbaProject|vbaData|activeX|oleObject)[^/]*$", re.IGNORECASE)
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _refuse(name: str, message: str) -> InvalidDocument:
    return InvalidDocument(f"template refused: {message}", file=name, field="export.template")


def _xml(name: str, part: str, data: bytes) -> ElementTree.Element:
    # Only ever called after the DTD check: no entity can be declared, so none expands.
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise _refuse(
            name, _("{part} is not well-formed XML ({error})").format(part=part, error=error)
        ) from None


def _read_entries(name: str, data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _refuse(
            name, _("not a .docx file (not a readable zip: {error})").format(error=error)
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _refuse(
                name,
                _("{value} entries (at most {MAX_ENTRIES})").format(
                    value=len(infos), MAX_ENTRIES=MAX_ENTRIES
                ),
            )
        seen: set[str] = set()
        total = 0
        for info in infos:
            entry = info.filename
            if (
                not entry
                or entry.startswith(("/", "\\"))
                or "\\" in entry
                or "\x00" in entry
                or re.match(r"^[A-Za-z]:", entry)
                or ".." in entry.split("/")
            ):
                raise _refuse(
                    name, _("entry {entry!r} names a path outside the package").format(entry=entry)
                )
            if entry.casefold() in seen:
                raise _refuse(name, _("entry {entry!r} appears twice").format(entry=entry))
            seen.add(entry.casefold())
            if info.flag_bits & 0x1:
                raise _refuse(name, _("entry {entry!r} is encrypted").format(entry=entry))
            if info.file_size > MAX_ENTRY_BYTES:
                raise _refuse(
                    name,
                    _("entry {entry!r} is {file_size} bytes (at most {MAX_ENTRY_BYTES})").format(
                        entry=entry, file_size=info.file_size, MAX_ENTRY_BYTES=MAX_ENTRY_BYTES
                    ),
                )
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise _refuse(
                    name,
                    _("entries total more than {MAX_TOTAL_BYTES} bytes").format(
                        MAX_TOTAL_BYTES=MAX_TOTAL_BYTES
                    ),
                )
        entries: dict[str, bytes] = {}
        for info in infos:
            if info.is_dir():
                continue
            try:
                with archive.open(info) as handle:
                    content = handle.read(MAX_ENTRY_BYTES + 1)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError) as error:
                raise _refuse(
                    name,
                    _("entry {filename!r} cannot be read ({error})").format(
                        filename=info.filename, error=error
                    ),
                ) from None
            if len(content) > MAX_ENTRY_BYTES:
                raise _refuse(
                    name,
                    _("entry {filename!r} is larger than it declares").format(
                        filename=info.filename
                    ),
                )
            entries[info.filename] = content
    return entries


def _source_dir(rels_name: str) -> str:
    # word/_rels/document.xml.rels holds the relationships of word/document.xml
    folder = posixpath.dirname(posixpath.dirname(rels_name))
    return folder


def _check_relationships(name: str, entries: dict[str, bytes]) -> None:
    for part, data in entries.items():
        if not part.endswith(".rels"):
            continue
        root = _xml(name, part, data)
        for rel in root.iter(f"{{{_RELS_NS}}}Relationship"):
            target = rel.get("Target") or ""
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            if (rel.get("TargetMode") or "").lower() == "external":
                raise _refuse(
                    name,
                    _(
                        "{part} links to {target!r} outside the package ({kind}); "
                        "remove the link and save the template again"
                    ).format(part=part, target=target, kind=kind),
                )
            decoded = unquote(target)
            if "\\" in decoded or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", decoded):
                raise _refuse(
                    name,
                    _("{part} names {target!r}, outside the package").format(
                        part=part, target=target
                    ),
                )
            if decoded.startswith("/"):
                resolved = posixpath.normpath(decoded.lstrip("/"))
            else:
                resolved = posixpath.normpath(posixpath.join(_source_dir(part), decoded))
            if resolved == ".." or resolved.startswith("../") or resolved.startswith("/"):
                raise _refuse(
                    name,
                    _("{part} names {target!r}, outside the package").format(
                        part=part, target=target
                    ),
                )
            if resolved not in entries:
                raise _refuse(
                    name,
                    _("{part} names {target!r}, which the package does not hold").format(
                        part=part, target=target
                    ),
                )


def _main_part(name: str, entries: dict[str, bytes]) -> str:
    if "_rels/.rels" not in entries:
        raise _refuse(name, _("not a .docx file (no _rels/.rels)"))
    root = _xml(name, "_rels/.rels", entries["_rels/.rels"])
    for rel in root.iter(f"{{{_RELS_NS}}}Relationship"):
        if rel.get("Type") == _OFFICE_DOCUMENT:
            return posixpath.normpath(unquote(rel.get("Target") or "").lstrip("/"))
    raise _refuse(name, _("not a .docx file (no main document)"))


def _checked_content_types(name: str, entries: dict[str, bytes], main: str) -> bytes:
    """Return [Content_Types].xml with a .dotx main part declared as a document."""
    if "[Content_Types].xml" not in entries:
        raise _refuse(name, _("not a .docx file (no [Content_Types].xml)"))
    data = entries["[Content_Types].xml"]
    root = _xml(name, "[Content_Types].xml", data)
    main_type = None
    for element in root:
        content_type = (element.get("ContentType") or "").lower()
        if any(word in content_type for word in _FORBIDDEN_TYPES):
            raise _refuse(
                name,
                _("it holds macros or active content ({content_type})").format(
                    content_type=content_type
                ),
            )
        if (element.get("PartName") or "").lstrip("/") == main:
            main_type = element.get("ContentType")
    if main_type not in (_DOCUMENT_MAIN, _TEMPLATE_MAIN):
        raise _refuse(name, _("not a Word document or template (.docx, .dotx)"))
    # A content type is only ever an attribute value: replacing the text is exact.
    return data.replace(_TEMPLATE_MAIN.encode(), _DOCUMENT_MAIN.encode())


class Template:
    """An agency's .docx (or .dotx) template: letterhead, logo and styles, checked and safe.

    ``Template(data, name="mau-iso.docx")`` checks the bytes at once and raises
    :class:`qmsdocs.InvalidDocument` (``field="export.template"``) when they are refused;
    see the module documentation for what is refused.

    Exports use the template's styles as it defines them: Normal, Heading 1 (numbered
    sections), Heading 2 (subsections) and, when it defines them, QMS Body, QMS Title,
    QMS List, QMS Table Text, QMS Table Heading, QMS Header (the header block), QMS Marking
    (the copy marking) and QMS Footer; a style it lacks is added, based on its Normal. Its
    default header and footer (letterhead, logo) come first on every page, before the
    header block and the trace line; its body is dropped. The page stays A4 with Decree
    30/2020 margins whatever the template says.
    """

    __slots__ = ("data", "name")

    def __init__(self, data: bytes, *, name: str = "template.docx") -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise _refuse(name, _("a template is the bytes of a .docx file"))
        raw = bytes(data)
        if len(raw) > MAX_TEMPLATE_BYTES:
            raise _refuse(
                name,
                _("{value} bytes (at most {MAX_TEMPLATE_BYTES})").format(
                    value=len(raw), MAX_TEMPLATE_BYTES=MAX_TEMPLATE_BYTES
                ),
            )
        entries = _read_entries(name, raw)
        for part, content in entries.items():
            if _FORBIDDEN_NAMES.search(part):
                raise _refuse(
                    name, _("it holds macros or active content ({part})").format(part=part)
                )
            if part.endswith((".xml", ".rels")) and _DTD.search(content):
                raise _refuse(name, _("{part} declares a DTD or entities").format(part=part))
        main = _main_part(name, entries)
        if main not in entries:
            raise _refuse(name, _("its main document {main!r} is missing").format(main=main))
        entries["[Content_Types].xml"] = _checked_content_types(name, entries, main)
        _check_relationships(name, entries)
        self.name = name
        self.data = pack(entries.items())
        self._try_open()

    def _try_open(self) -> None:
        import docx

        try:
            document = docx.Document(io.BytesIO(self.data))
            document.sections[0]  # noqa: B018 - a template needs a section to lay out
        except Exception as error:  # untrusted input: any failure to read it is a refusal
            raise _refuse(
                self.name, _("python-docx cannot read it ({error})").format(error=error)
            ) from None

    def __repr__(self) -> str:
        return f"Template(name={self.name!r}, {len(self.data)} bytes)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Template) and other.data == self.data

    def __hash__(self) -> int:
        return hash(self.data)
