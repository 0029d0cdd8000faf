"""The only module that imports ruamel.yaml.

Reading uses the C-backed safe loader: no tags beyond plain YAML, nothing executed, no
round trip. Locating a field for an error message composes the node graph (marks only, no
construction) and is paid only when something is wrong.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import unicodedata
from collections.abc import Sequence
from enum import Enum
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    MappingStartEvent,
    ScalarEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from qmsdocs.errors import InvalidDocument

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "YamlError",
    "dump_text",
    "load",
    "locate",
    "update_text",
]

#: Larger files are refused before parsing: no real document comes near it.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Values per file after aliases are expanded; beyond it the file is refused (alias bombs).
MAX_NODES = 200_000
#: Deeper nesting is refused: no document nests more than a few levels, and nesting tens of
#: thousands deep would overflow the C parser's stack (a crash, not an error).
MAX_DEPTH = 64
# Files larger, or with more flow brackets, are walked event by event before they are built.
_PRESCAN_BYTES = 256 * 1024
_PRESCAN_BRACKETS = 5_000


class YamlError(InvalidDocument):
    """A file that is not readable YAML (syntax, encoding, size, unsafe content)."""


def _safe_loader() -> YAML:
    yaml = YAML(typ="safe", pure=False)
    yaml.allow_duplicate_keys = False
    return yaml


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column : column + 1] if line < len(lines) else ""


def _syntax_message(error: MarkedYAMLError, text: str) -> str:
    problem = _one_line(error.problem or error.context or "invalid YAML")
    if "duplicate key" in problem:
        problem = problem.split(" with value")[0]
        if error.context_mark is not None:
            problem += f" (first on line {error.context_mark.line + 1})"
    elif (mark := error.problem_mark) is not None and _char_at(
        text, mark.line, mark.column
    ) == "\t":
        problem = "tab character: indent with spaces, not tabs"
    elif "could not determine a constructor for the tag" in problem:
        tag = problem.rsplit(" ", 1)[-1]
        problem = f"unsupported YAML tag {tag}: only plain values are allowed"
    return "YAML syntax: " + problem


def load(data: bytes | str, *, file: str) -> Any:
    """Return the plain Python value of one YAML document, NFC-normalized.

    Raise :class:`YamlError` naming *file*, line and column when the text is not UTF-8, too
    large, not YAML, uses tags or anchors beyond plain data, or holds an invalid date.
    """
    if len(data) > MAX_FILE_BYTES:
        raise YamlError(
            f"file is {len(data) // 1024 // 1024} MB; the limit is "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB",
            file=file,
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise YamlError(
                f"not UTF-8 text (byte {error.start}): save the file as UTF-8", file=file
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if "\x00" in text:
        raise YamlError("file holds NUL characters: it is not a text file", file=file)
    if text.startswith(("<<<<<<< ", "=======")) or "\n<<<<<<< " in text:
        # the first marker: a file may start with "=======" and hold no "<<<<<<<" at all
        first = re.search(r"(?m)^(?:<<<<<<< |=======)", text)
        line = text[: first.start()].count("\n") + 1 if first else 1
        raise YamlError(
            "unresolved merge conflict (<<<<<<<): resolve it and remove the markers",
            file=file,
            line=line,
        )
    if len(text) > _PRESCAN_BYTES or text.count("[") + text.count("{") > _PRESCAN_BRACKETS:
        _prescan(text, file=file)
    try:
        value = _safe_loader().load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise YamlError(
            _syntax_message(error, text),
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except ReaderError as error:
        before = text[: error.position]
        raise YamlError(
            f"the invisible character U+{error.character:04X} is not allowed in YAML: remove it",
            file=file,
            line=before.count("\n") + 1,
            column=len(before) - before.rfind("\n"),
        ) from None
    except (YAMLError, ValueError, OverflowError) as error:
        # The constructor raises plain ValueError for a date like 2025-02-31.
        bad_line, bad_column, scalar = _bad_scalar(text)
        what = f"invalid value {scalar!r}: " if scalar else ""
        raise YamlError(
            f"{what}{_one_line(str(error))}", file=file, line=bad_line, column=bad_column
        ) from None
    except RecursionError:
        raise YamlError(f"nested deeper than {MAX_DEPTH} levels", file=file) from None
    return _normalize(value, file=file, budget=[MAX_NODES], depth=0)


def _prescan(text: str, *, file: str) -> None:
    """Refuse a file nested too deep or with too many values, walking the parser's events.

    The walk is flat (no recursion, nothing built), so it is safe on any input; it names the
    line and the top-level field where the limit is passed. Syntax errors are left to the
    loader, which reports them with their place.
    """
    depth = count = 0
    root_is_mapping, key_next, field = False, True, ""
    try:
        for event in _safe_loader().parse(text):
            if isinstance(event, CollectionStartEvent):
                if depth == 1 and root_is_mapping:
                    key_next = True
                depth += 1
                count += 1
                if depth == 1:
                    root_is_mapping = isinstance(event, MappingStartEvent)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
            elif isinstance(event, ScalarEvent | AliasEvent):
                count += 1
                if depth == 1 and root_is_mapping:
                    if key_next and isinstance(event, ScalarEvent):
                        field = f"{event.value}: "
                    key_next = not key_next
            if depth > MAX_DEPTH or count > MAX_NODES:
                mark = event.start_mark
                problem = (
                    f"nested deeper than {MAX_DEPTH} levels"
                    if depth > MAX_DEPTH
                    else f"more than {MAX_NODES} values (a list far too long)"
                )
                raise YamlError(
                    field + problem,
                    file=file,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                )
    except YAMLError:
        return


def _normalize(value: Any, *, file: str, budget: list[int], depth: int) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlError(
            f"more than {MAX_NODES} values (an alias bomb, or a list far too long)", file=file
        )
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if depth > MAX_DEPTH:
        raise YamlError(f"nested deeper than {MAX_DEPTH} levels", file=file)
    if isinstance(value, bytes | set | frozenset | tuple):
        what = {bytes: "binary data (!!binary)", tuple: "a list used as a key, or !!pairs"}
        raise YamlError(
            f"{what.get(type(value), 'a set (!!set)')} is not allowed: only plain values",
            file=file,
        )
    if isinstance(value, dict):
        return {
            _normalize(k, file=file, budget=budget, depth=depth + 1): _normalize(
                v, file=file, budget=budget, depth=depth + 1
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_normalize(v, file=file, budget=budget, depth=depth + 1) for v in value]
    return value


@functools.lru_cache(maxsize=2)
def _compose(text: str) -> Node | None:
    # Only texts the loader already read whole get here, so the C composer is safe on them;
    # the last ones are kept because each finding of a file locates its field again.
    try:
        return YAML(typ="safe", pure=False).compose(text)  # type: ignore[no-any-return]
    except (YAMLError, ValueError, RecursionError):
        return None


def _bad_scalar(text: str) -> tuple[int | None, int | None, str | None]:
    """Return line, column and text of the first timestamp-looking scalar that is no date."""
    root = _compose(text)
    stamp = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop(0)
        if isinstance(node, ScalarNode):
            if (node.tag or "").endswith(":timestamp") or (
                node.style is None and stamp.match(node.value)
            ):
                try:
                    dt.date.fromisoformat(node.value[:10])
                except ValueError:
                    return node.start_mark.line + 1, node.start_mark.column + 1, node.value
        elif isinstance(node, MappingNode):
            for key, child in node.value:
                stack.extend([key, child])
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return None, None, None


def locate(text: str, path: Sequence[str | int]) -> tuple[int, int] | None:
    """Return the 1-based line and column of the value at *path* in *text*, or of its parent.

    Used only to point an error at the right place; *path* is a pydantic error location.
    """
    node = _compose(text)
    if node is None:
        return None
    found = node
    for part in path:
        if isinstance(node, MappingNode):
            match = next(
                ((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == part),
                None,
            )
            if match is None:
                break
            found, node = match[0], match[1]
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = found = node.value[part]
        else:
            break
    return found.start_mark.line + 1, found.start_mark.column + 1


def _round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_unicode = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*):(?:\s|$)")


def _blocks(lines: list[str]) -> list[tuple[str | None, int, int]]:
    """Return (top-level key or None, first line, end line) spans of a block-style mapping."""
    spans: list[tuple[str | None, int, int]] = []
    start, key = 0, None
    for index, line in enumerate(lines):
        match = _TOP_KEY.match(line)
        if match:
            spans.append((key, start, index))
            start, key = index, match.group(1)
    spans.append((key, start, len(lines)))
    return spans


def _dump_field(key: str, value: Any) -> list[str]:
    stream = io.StringIO()
    _round_trip().dump({key: _plain(value)}, stream)
    return stream.getvalue().splitlines(keepends=True)


def _splice(text: str, changes: dict[str, Any], order: Sequence[str]) -> str | None:
    lines = text.splitlines(keepends=True)
    if any(line.startswith(("---", "...", "%")) for line in lines):
        return None
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    out: list[str] = []
    seen: set[str] = set()
    for key, start, end in _blocks(lines):
        block = lines[start:end]
        if key is None or key not in changes:
            out += block
            continue
        seen.add(key)
        tail = len(block)
        while tail > 1 and (not block[tail - 1].strip() or block[tail - 1].startswith("#")):
            tail -= 1  # comments and blank lines before the next key stay where they are
        if changes[key] is not None:
            out += _dump_field(key, changes[key])
        out += block[tail:]
    for key, value in changes.items():
        if key in seen or value is None:
            continue
        block = _dump_field(key, value)
        anchor = _insertion_point(out, key, order)
        out[anchor:anchor] = block
    return "".join(out)


def _insertion_point(lines: list[str], key: str, order: Sequence[str]) -> int:
    """Return where a new top-level *key* goes: after the last present key before it."""
    if key not in order:
        return len(lines)
    earlier = set(order[: order.index(key)])
    point = None
    for key_here, _, end in _blocks(lines):
        if key_here in earlier:
            point = end
    if point is None:
        return len(lines)
    while point > 0 and (not lines[point - 1].strip() or lines[point - 1].startswith("#")):
        point -= 1
    return point


def update_text(text: str, changes: dict[str, Any], *, order: Sequence[str] = ()) -> str:
    """Return *text* with the top-level fields in *changes* set (None removes the field).

    Only the changed fields are rewritten; every other line, comments and key order
    included, stays as the officer wrote it; a field that was absent goes after the last
    field that *order* puts before it. The result is checked by reading it back.
    """
    expected = _safe_loader().load(text)
    for key, value in changes.items():
        if value is None:
            expected.pop(key, None)
        else:
            expected[key] = _plain(value)
    spliced = _splice(text, changes, order)
    if spliced is not None and _safe_loader().load(spliced) == expected:
        return spliced
    yaml = _round_trip()
    data = yaml.load(text)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = _plain(value)
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def dump_text(value: Any, *, header: str = "") -> str:
    """Return *value* as block-style YAML text after *header* (for new files)."""
    stream = io.StringIO()
    stream.write(header)
    _round_trip().dump(_plain(value), stream)
    return stream.getvalue()
