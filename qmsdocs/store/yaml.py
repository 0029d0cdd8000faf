"""The only module that imports ruamel.yaml.

Reading uses the C-backed safe loader: no tags beyond plain YAML, nothing executed, no
round trip. Locating a field for an error message composes the node graph (marks only, no
construction) and is paid only when something is wrong.

Plain documents (no tags, anchors, aliases, duplicate or complex keys, merge keys, several
documents) are built straight from the C parser's events, resolving scalars with the safe
loader's own YAML 1.2 tables and constructors: the same value, several times faster, which a
province-sized repository of some 15,000 files needs. Anything else, and any error, takes the
full safe loader, so every message stays the same.
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
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver

try:  # the C reader, scanner and parser of ruamel.yaml.clib, which the safe loader uses too
    from _ruamel_yaml import CParser  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - ruamel.yaml.clib is a dependency of ruamel.yaml
    CParser = None

from qmsdocs.errors import InvalidDocument
from qmsdocs.i18n import N_, S_, Said

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


#: What the YAML parser says most often, marked for the catalogs (it speaks English only).
_PARSER_PROBLEMS = (
    N_("mapping values are not allowed here"),
    N_("mapping values are not allowed in this context"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}'"),
    N_("but found another document"),
    N_("block sequence entries are not allowed in this context"),
    N_("found a tab character that violates indentation"),
    N_("could not find expected ':'"),
    N_("found character that cannot start any token"),
    N_("did not find expected key"),
    N_("did not find expected '-' indicator"),
    N_("did not find expected node content"),
    N_("found unexpected end of stream"),
    N_("found undefined alias"),
    N_("found unknown escape character"),
    N_("expected a single document in the stream"),
    N_("while scanning a quoted scalar"),
    N_("while scanning a simple key"),
    N_("invalid YAML"),
)


def _syntax_message(error: MarkedYAMLError, text: str) -> Said:
    problem = _one_line(error.problem or error.context or "invalid YAML")
    said = Said.plain(problem)
    if "duplicate key" in problem:
        key = problem.split(" with value")[0].removeprefix("found duplicate key").strip()
        if error.context_mark is not None:
            said = S_(
                "found duplicate key {key} (first on line {line})",
                key=key,
                line=error.context_mark.line + 1,
            )
        else:
            said = S_("found duplicate key {key}", key=key)
    elif (mark := error.problem_mark) is not None and _char_at(
        text, mark.line, mark.column
    ) == "\t":
        said = Said(N_("tab character: indent with spaces, not tabs"))
    elif "could not determine a constructor for the tag" in problem:
        tag = problem.rsplit(" ", 1)[-1]
        said = S_("unsupported YAML tag {tag}: only plain values are allowed", tag=tag)
    return S_("YAML syntax: {problem}", problem=said)


_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


def _too_deep() -> Said:
    return S_("nested deeper than {depth} levels", depth=MAX_DEPTH)


def load(data: bytes | str, *, file: str) -> Any:
    """Return the plain Python value of one YAML document, NFC-normalized.

    Raise :class:`YamlError` naming *file*, line and column when the text is not UTF-8, too
    large, not YAML, uses tags or anchors beyond plain data, or holds an invalid date.
    """
    if len(data) > MAX_FILE_BYTES:
        raise YamlError(
            S_(
                "file is {size} MB; the limit is {limit} MB",
                size=len(data) // 1024 // 1024,
                limit=MAX_FILE_BYTES // 1024 // 1024,
            ),
            file=file,
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise YamlError(
                S_("not UTF-8 text (byte {byte}): save the file as UTF-8", byte=error.start),
                file=file,
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if "\x00" in text:
        raise YamlError(Said(N_("file holds NUL characters: it is not a text file")), file=file)
    if text.startswith(("<<<<<<< ", "=======")) or "\n<<<<<<< " in text:
        # the first marker: a file may start with "=======" and hold no "<<<<<<<" at all
        first = re.search(r"(?m)^(?:<<<<<<< |=======)", text)
        line = text[: first.start()].count("\n") + 1 if first else 1
        raise YamlError(
            Said(N_("unresolved merge conflict (<<<<<<<): resolve it and remove the markers")),
            file=file,
            line=line,
        )
    if len(text) > _PRESCAN_BYTES or text.count("[") + text.count("{") > _PRESCAN_BRACKETS:
        _prescan(text, file=file)
    value = _fast_load(text)
    if value is _UNUSUAL:
        value = _full_load(text, file=file)
    return value


def _full_load(text: str, *, file: str) -> Any:
    """Return the value of *text* read by the full safe loader, or raise its YamlError."""
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
        character = f"U+{error.character:04X}"
        raise YamlError(
            S_(
                "the invisible character {character} is not allowed in YAML: remove it",
                character=character,
            ),
            file=file,
            line=before.count("\n") + 1,
            column=len(before) - before.rfind("\n"),
        ) from None
    except (YAMLError, ValueError, OverflowError) as error:
        # The constructor raises plain ValueError for a date like 2025-02-31.
        bad_line, bad_column, scalar = _bad_scalar(text)
        problem = _one_line(str(error))
        if scalar and _DATE_LIKE.match(scalar):
            said = S_("{value} is not a real date: check the day and the month", value=repr(scalar))
        elif scalar:
            said = S_("invalid value {value}: {problem}", value=repr(scalar), problem=problem)
        else:
            said = Said.plain(problem)
        raise YamlError(said, file=file, line=bad_line, column=bad_column) from None
    except RecursionError:
        raise YamlError(_too_deep(), file=file) from None
    return _normalize(value, file=file, budget=[MAX_NODES], depth=0)


# --- the fast path -------------------------------------------------------------------------
#
# Only what the safe loader would do for plain data is done here; anything else makes the walk
# give up (_UNUSUAL) and the full loader read the text again, errors included.

_UNUSUAL: Any = object()
_NO_KEY: Any = object()
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

_Resolvers = tuple[tuple[str, "re.Pattern[str]"], ...]


class _Unusual(Exception):
    """Something the fast walk leaves to the full loader."""


class _ScalarConstructor(SafeConstructor):
    """The safe loader's constructor, for single scalars, reading YAML 1.2 as it does."""

    def __init__(self) -> None:
        super().__init__()
        self._resolver_12 = VersionedResolver()

    @property
    def resolver(self) -> Any:
        return self._resolver_12


def _implicit_resolvers() -> tuple[dict[str, _Resolvers], _Resolvers | None]:
    """Return ruamel's own implicit resolvers for the default YAML version, by first character.

    The second value applies to scalars whose first character has no entry (None if none).
    """
    table: dict[Any, list[tuple[str, Any]]] = VersionedResolver().versioned_resolver

    def compiled(pairs: Sequence[tuple[str, Any]]) -> _Resolvers:
        # ruamel's patterns are lazy wrappers; the same pattern and flags, compiled now
        return tuple((str(tag), re.compile(regexp.pattern, regexp.flags)) for tag, regexp in pairs)

    anywhere = compiled(table.get(None, []))
    by_first = {
        first: compiled([*pairs, *table.get(None, [])])
        for first, pairs in table.items()
        if first is not None
    }
    return by_first, anywhere or None


_IMPLICIT, _IMPLICIT_ANY = _implicit_resolvers()
_CONSTRUCTOR = _ScalarConstructor()


@functools.lru_cache(maxsize=8192)
def _plain_scalar(value: str) -> Any:
    """Return the value of a plain scalar as the safe loader resolves and constructs it.

    Cached: the same dates, numbers and names recur in every file of a repository, and
    every value built here (str, int, float, bool, None, date, datetime) is immutable.
    """
    for tag, pattern in _IMPLICIT.get(value[:1], _IMPLICIT_ANY) or ():
        if pattern.match(value):
            return _construct(tag, value)
    return value


def _construct(tag: str, value: str) -> Any:
    """Return the value of a plain scalar resolved to *tag*, built as SafeConstructor does."""
    if tag == _NULL:
        return None
    if tag == _INT and value.isdigit() and value.isascii():
        return int(value)
    if tag == _BOOL:
        return _CONSTRUCTOR.bool_values[value.lower()]
    if tag == _INT:
        return _CONSTRUCTOR.construct_yaml_int(ScalarNode(tag, value))
    if tag == _FLOAT:
        return _CONSTRUCTOR.construct_yaml_float(ScalarNode(tag, value))
    if tag == _TIMESTAMP:
        return _CONSTRUCTOR.construct_yaml_timestamp(ScalarNode(tag, value))
    if tag == _STR:
        return value
    raise _Unusual(tag)  # a merge key "<<", a value key "=", or a resolver added later


def _fast_load(text: str) -> Any:
    """Return the NFC value of *text* built from the C parser's events, or _UNUSUAL."""
    if CParser is None:  # pragma: no cover
        return _UNUSUAL
    parser = CParser(text)
    try:
        # without "&" or "!" in the text no node can carry an anchor or a tag
        return _walk(parser.get_event, nodes_marked="&" in text or "!" in text)
    except Exception:  # anything at all: the full loader reads it again and says what it is
        return _UNUSUAL
    finally:
        parser.dispose()


def _walk(next_event: Any, *, nodes_marked: bool) -> Any:
    """Build the single plain document of an event stream, raising _Unusual for the rest."""
    normalize, plain_scalar, implicit = unicodedata.normalize, _plain_scalar, _IMPLICIT
    any_first = _IMPLICIT_ANY is not None
    next_event()  # StreamStartEvent
    event = next_event()
    if type(event) is StreamEndEvent:
        return None
    if type(event) is not DocumentStartEvent or event.version is not None or event.tags:
        raise _Unusual("directive")
    # the open container, the key awaiting its value there, and the containers around it
    parent: Any = None
    key: Any = _NO_KEY
    in_list = False
    outer: list[tuple[Any, Any, bool]] = []
    count = 0
    while True:
        event = next_event()
        kind = type(event)
        count += 1
        if kind is ScalarEvent:
            if nodes_marked and (event.anchor is not None or event.tag is not None):
                raise _Unusual("anchor or tag")
            value = event.value
            if event.implicit[0] and (value[:1] in implicit or any_first):
                value = plain_scalar(value)
                if type(value) is str and not value.isascii():
                    value = normalize("NFC", value)
            elif not value.isascii():
                value = normalize("NFC", value)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if nodes_marked and (event.anchor is not None or event.tag is not None):
                raise _Unusual("anchor or tag")
            if parent is not None and not in_list and key is _NO_KEY:
                raise _Unusual("complex key")
            outer.append((parent, key, in_list))
            if len(outer) > MAX_DEPTH:
                raise _Unusual("deep")  # the full loader names the limit
            in_list = kind is SequenceStartEvent
            parent, key = [] if in_list else {}, _NO_KEY
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            count -= 1
            value = parent
            parent, key, in_list = outer.pop()
        else:
            raise _Unusual("alias")
        if parent is None:
            break
        if in_list:
            parent.append(value)
        elif key is _NO_KEY:
            if value in parent:
                raise _Unusual("duplicate key")
            key = value
        else:
            parent[key] = value
            key = _NO_KEY
    if count > MAX_NODES:
        raise _Unusual("large")  # the full loader names the limit
    if type(next_event()) is not DocumentEndEvent or type(next_event()) is not StreamEndEvent:
        raise _Unusual("several documents")
    return value


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
                    _too_deep()
                    if depth > MAX_DEPTH
                    else S_("more than {count} values (a list far too long)", count=MAX_NODES)
                )
                raise YamlError(
                    Said.of("{field}{problem}", field=field, problem=problem) if field else problem,
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
            S_("more than {count} values (an alias bomb, or a list far too long)", count=MAX_NODES),
            file=file,
        )
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if depth > MAX_DEPTH:
        raise YamlError(_too_deep(), file=file)
    if isinstance(value, bytes | set | frozenset | tuple):
        what = {
            bytes: N_("binary data (!!binary) is not allowed: only plain values"),
            tuple: N_("a list used as a key, or !!pairs, is not allowed: only plain values"),
        }
        raise YamlError(
            Said(what.get(type(value), N_("a set (!!set) is not allowed: only plain values"))),
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


def _dump_fields(changes: dict[str, Any]) -> dict[str, list[str]]:
    """Return the lines of each field of *changes* (None: removed), dumped in one go."""
    values = {key: _plain(value) for key, value in changes.items() if value is not None}
    if not values:
        return {}
    stream = io.StringIO()
    yaml = _round_trip()
    # One value object in two fields (a date) must not become an anchor and an alias:
    # each field is written as its own dump would write it.
    yaml.representer.ignore_aliases = lambda data: True
    yaml.dump(values, stream)
    lines = stream.getvalue().splitlines(keepends=True)
    blocks = {key: lines[start:end] for key, start, end in _blocks(lines) if key is not None}
    if list(blocks) != list(values):  # a key the block scanner does not see: one at a time
        return {key: _dump_field(key, value) for key, value in values.items()}
    return blocks


def _splice(text: str, changes: dict[str, Any], order: Sequence[str]) -> str | None:
    dumped = _dump_fields(changes)
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
            out += dumped[key]
        out += block[tail:]
    for key, value in changes.items():
        if key in seen or value is None:
            continue
        block = dumped[key]
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
    spliced = _splice(text, changes, order)
    if spliced is not None and _reads_back(text, spliced, changes):
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


def _reads_back(text: str, spliced: str, changes: dict[str, Any]) -> bool:
    """Return whether *spliced* reads as *text* with *changes* applied, and nothing else."""
    before, after = _fast_load(text), _fast_load(spliced)
    if before is _UNUSUAL or after is _UNUSUAL or not isinstance(before, dict):
        before, after = _safe_loader().load(text), _safe_loader().load(spliced)
        normalize = False
    else:
        normalize = True  # the fast loader reads text NFC-normalized: compare it so
    if not isinstance(before, dict):
        return False
    expected = dict(before)
    for key, value in changes.items():
        if value is None:
            expected.pop(key, None)
        else:
            expected[key] = _nfc(_plain(value)) if normalize else _plain(value)
    return bool(after == expected)


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def dump_text(value: Any, *, header: str = "") -> str:
    """Return *value* as block-style YAML text after *header* (for new files)."""
    stream = io.StringIO()
    stream.write(header)
    _round_trip().dump(_plain(value), stream)
    return stream.getvalue()
