"""Properties that hold for every input, checked with hypothesis (a small profile here).

- Loading anything (bytes, YAML-looking text, YAML values in the shape of a document)
  raises nothing but the library's own errors, and a repository holding it validates into
  one-line findings.
- The content stamp does not change with key order, formatting, comments, quoting or Unicode
  normalization, and changes with any change of content.
- ``diff(a, a)`` is empty, and a different stamp always shows in the diff.
- Export never fails on a valid document, and every text comes out as it went in (escaped).

``stress/test_properties_stress.py`` runs the same checks with far more examples.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import io
import json
import random
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from ruamel.yaml import YAML

from qmsdocs import Document, QmsError, Repository, Severity, content_stamp
from qmsdocs.cli.main import main
from qmsdocs.history import load_revision
from qmsdocs.model import MODELS, DocumentKind
from qmsdocs.store import yaml as yaml_store

SAMPLE = Path(__file__).resolve().parent.parent / "sample_repo"

settings.register_profile(
    "qms-test",
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "qms-stress",
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def examples(count: int, profile: str = "qms-test") -> settings:
    """Return the settings of a property: *count* examples under *profile*."""
    return settings(settings.get_profile(profile), max_examples=count)


# -- strategies ----------------------------------------------------------------------------

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐƯƠ"
)
SPECIAL = "<>&\"' ]]>{}%$#@!*|\\/:-,.;\t\n"

#: Text an officer could type: Vietnamese, any printable Unicode, XML and YAML specials.
texts = st.one_of(
    st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + SPECIAL + " 0123456789", max_size=60),
    st.text(
        alphabet=st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n"),
        max_size=40,
    ),
).filter(lambda t: not _NOT_XML.search(t))

#: Text that looks like YAML: its punctuation, indents, anchors, tags, dates, Vietnamese.
yaml_texts = st.lists(
    st.sampled_from(
        [
            ":",
            " ",
            "  ",
            "\n",
            "\t",
            "-",
            "- ",
            "[",
            "]",
            "{",
            "}",
            ",",
            "&a",
            "*a",
            "!",
            "!!",
            "!!python/object/apply:os.system",
            "|",
            ">",
            "'",
            '"',
            "#",
            "%YAML 1.1",
            "---",
            "...",
            "?",
            "<<",
            "code",
            "title",
            "revision",
            "2024-02-30",
            "2024-03-01",
            "10:00:00+07:00",
            "true",
            "null",
            "~",
            "1e9",
            "0x1F",
            ".nan",
            "QT-01",
            "Quy trình",
            "Đ",
            "ệ",
            "\u0301",
            "\ufeff",
            "\x00",
            "\x07",
            "\\x07",
            "\\u0000",
            "<<<<<<< HEAD",
            "=======",
            ">>>>>>> other",
            "schema_version: 1\n",
            "kind: form\n",
            "approvals:\n  - ",
        ]
    ),
    max_size=40,
).map("".join)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(  # fixed offsets: zoneinfo zones make hypothesis slow, and YAML has none
        timezones=st.one_of(
            st.none(),
            st.integers(-12 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m))),
        )
    ),
    texts,
)
#: Plain YAML values, nested.
yaml_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)
_FIELDS = sorted({name for model in MODELS.values() for name in model.model_fields})
#: Mappings with the field names of documents, holding any values.
document_shaped = st.dictionaries(
    st.one_of(st.sampled_from(_FIELDS), st.text(max_size=8)), yaml_values, max_size=12
)


def dump(value: Any) -> str:
    """Return *value* as YAML text (what an editor could have saved)."""
    stream = io.StringIO()
    yaml = YAML(typ="safe", pure=False)
    yaml.allow_unicode = True
    yaml.dump(value, stream)
    return stream.getvalue()


# -- the sample documents, and the texts in them that can take any text --------------------

#: Last keys of text fields that name something elsewhere (a code, a person, a reference).
_REFERENCES = {"ref", "target", "procedure", "forms", "supersedes", "person", "role", "unit"}
_REFERENCES |= {"stamp", "file", "code", "replaced_by", "number", "kind", "tthc_code"}


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def replace_at(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """Return a copy of *value* with the leaf at *path* replaced by *new*."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replace_at(value[head], rest, new)}
    copy = list(value)
    copy[head] = replace_at(copy[head], rest, new)
    return copy


class Sample:
    """One document of the sample agency, as plain data, with its free-text paths."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.kind = DocumentKind(document.kind)
        self.model: Any = MODELS[self.kind]
        self.data = _plain(document.model_dump(mode="python", by_alias=True, exclude_none=True))
        self.texts = [
            path
            for path, leaf in _leaves(self.data)
            if isinstance(leaf, str)
            and not any(isinstance(p, str) and p in _REFERENCES for p in path)
            and self._valid(replace_at(self.data, path, "Thử nghiệm: nội dung <mới> & khác"))
        ]
        #: Paths inside the content stamp.
        self.content = [p for p in self.texts if p[0] not in _OUTSIDE_STAMP]

    def _valid(self, data: Any) -> bool:
        try:
            self.model.model_validate(data)
        except ValidationError:
            return False
        return True

    def build(self, data: Any) -> Document | None:
        """Return the document *data* makes, or None when it is not valid."""
        try:
            return self.model.model_validate(data)  # type: ignore[no-any-return]
        except ValidationError:
            return None


_OUTSIDE_STAMP = {"status", "approvals", "issued_date", "effective_date", "periodic_reviews"}
_OUTSIDE_STAMP |= {"withdrawal"}
SAMPLES = [Sample(d) for d in Repository.open(SAMPLE)]
KINDS = sorted({s.kind for s in SAMPLES})


@st.composite
def edited_documents(draw: st.DrawFn, *, content_only: bool = False) -> tuple[Sample, Any]:
    """Draw a sample document with some of its texts replaced by any text."""
    sample = draw(st.sampled_from([s for s in SAMPLES if s.content]))
    paths = sample.content if content_only else sample.texts
    data = sample.data
    for path in draw(st.lists(st.sampled_from(paths), max_size=4, unique=True)):
        data = replace_at(data, path, draw(texts))
    return sample, data


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: _shuffled(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def _restyled(value: Any, rng: random.Random) -> Any:
    """Dates as YAML dates or quoted text, times as text, strings NFC or NFD."""
    if isinstance(value, dict):
        return {k: _restyled(v, rng) for k, v in value.items()}
    if isinstance(value, list):
        return [_restyled(v, rng) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value if rng.random() < 0.5 else value.isoformat()
    if isinstance(value, str):
        return unicodedata.normalize(rng.choice(["NFC", "NFD"]), value)
    return value


@st.composite
def renderings(draw: st.DrawFn, data: Any) -> str:
    """Draw one of the many ways an editor could write *data* as YAML."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    value = _restyled(_shuffled(data, rng) if draw(st.booleans()) else data, rng)
    # the round-trip writer keeps the drawn key order; the C writer (fast) sorts the keys
    yaml = YAML(typ="rt") if draw(st.integers(0, 4)) == 0 else YAML(typ="safe", pure=False)
    yaml.default_flow_style = draw(st.sampled_from([False, None, True]))
    yaml.allow_unicode = draw(st.booleans())
    indent = draw(st.integers(2, 6))
    yaml.indent(mapping=indent, sequence=indent + 2, offset=2)
    yaml.width = 4096  # narrower, ruamel's emitter sometimes folds a line into bad YAML
    yaml.explicit_start = draw(st.booleans())
    stream = io.StringIO()
    yaml.dump(value, stream)
    text = stream.getvalue()
    # ruamel's emitter can write what libyaml does not read back (a plain ":0" in flow
    # style, valid YAML 1.2 only): no editor saves that, and it is not used
    try:
        assume(YAML(typ="safe", pure=False).load(text) == value)
    except Exception:  # noqa: BLE001 - any failure of the independent reader
        assume(False)
    if yaml.default_flow_style is False and draw(st.booleans()):
        # a comment before each top-level key, and a header like the officers' files
        text = re.sub(r"(?m)^(?=[A-Za-z_])", "# ghi chú của cán bộ ISO\n", text)
    return "# yaml-language-server: $schema=../schemas/x.schema.json\n" + text + "# hết\n"


# -- checks (shared with stress/) ----------------------------------------------------------


def check_loading_raises_only_our_errors(data: bytes | str) -> None:
    """yaml.load and load_revision: a value, or a QmsError; nothing else."""
    try:
        yaml_store.load(data, file="x.yaml")
    except QmsError as error:
        assert "\n" not in str(error)
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    for kind in KINDS:
        try:
            load_revision(raw, kind=kind, file="x.yaml")
        except QmsError as error:
            assert error.file == "x.yaml"


def check_repository_validates(root: Path, file: str, data: bytes) -> None:
    """A repository holding *data* in *file* opens, validates into one-line findings, and
    ``qms validate`` exits 0 or 1."""
    (root / file).write_bytes(data)
    findings = Repository.open(root).validate()
    for finding in findings:
        assert "\n" not in str(finding) and finding.file
    if any(f.file == file and f.severity is Severity.ERROR for f in findings):
        assert file in {f.file for f in findings}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["-C", str(root), "validate"]) in (0, 1)


def check_stamp_ignores_form(sample: Sample, data: Any, text: str) -> None:
    """The stamp of *data* written as *text* is the stamp of *data*."""
    document = sample.build(data)
    assume(document is not None)
    assert document is not None
    loaded = sample.model.model_validate(yaml_store.load(text, file="x.yaml"))
    assert content_stamp(loaded) == content_stamp(document)
    assert loaded == document


def check_stamp_follows_content(sample: Sample, path: tuple[Any, ...], a: str, b: str) -> None:
    """Two documents that differ in one text inside the stamp have different stamps."""
    assume(unicodedata.normalize("NFC", a) != unicodedata.normalize("NFC", b))
    first, second = (
        sample.build(replace_at(sample.data, path, a)),
        sample.build(replace_at(sample.data, path, b)),
    )
    assume(first is not None and second is not None)
    assert first is not None and second is not None
    assert content_stamp(first) != content_stamp(second)


def check_diff(sample: Sample, a: Any, b: Any) -> None:
    """diff(a, a) is empty; a different stamp always shows in diff(a, b)."""
    from qmsdocs.diff import diff

    first, second = sample.build(a), sample.build(b)
    assume(first is not None and second is not None)
    assert first is not None and second is not None
    assert not diff(first, first) and not diff(second, second)
    if content_stamp(first) != content_stamp(second):
        assert diff(first, second).content_changes
    if not diff(first, second):
        assert content_stamp(first) == content_stamp(second)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_export(sample: Sample, data: Any, marker: str, state: str) -> None:
    """A valid document exports; the .docx opens again; a text comes out as it went in."""
    from docx import Document as Docx

    from qmsdocs.export import ExportContext, ExportInfo, render_document
    from qmsdocs.lifecycle import DocumentState

    path = next((p for p in sample.content if p[-1] in _PROSE), None)
    if path is not None:
        data = replace_at(data, path, marker)
    document = sample.build(data)
    assume(document is not None)
    assert document is not None
    context = ExportContext(config=_CONTEXT.config, legal=_CONTEXT.legal, titles=_CONTEXT.titles)
    blob = render_document(document, context=context, info=ExportInfo(state=DocumentState(state)))
    Docx(io.BytesIO(blob))  # python-docx opens it
    xml = zipfile.ZipFile(io.BytesIO(blob)).read("word/document.xml")
    text = "".join(t.text or "" for t in ElementTree.fromstring(xml).iter(f"{_W}t"))
    if path is not None:
        assert unicodedata.normalize("NFC", marker) in text


_PROSE = {"purpose", "scope", "statement", "description"}


class _Context:
    def __init__(self) -> None:
        repo = Repository.open(SAMPLE)
        self.config, self.legal = repo.config, repo.legal
        self.titles = {d.code: d.title for d in repo}


_CONTEXT = _Context()
#: A text to find in an export: XML, Word and template specials around any text.
markers = texts.filter(lambda t: "\n" not in t and "\t" not in t and t.strip() == t).map(
    lambda t: f'<w:t>&amp;]]>{{{{ x }}}}"{t}"'
)


def has_module(name: str) -> bool:
    """Return whether a module of qmsdocs written by others exists yet."""
    import importlib.util

    return importlib.util.find_spec(name) is not None


# -- the properties, small profile ------------------------------------------------------------


@examples(200)
@given(st.binary(max_size=600))
def test_loading_bytes_raises_only_our_errors(data: bytes) -> None:
    check_loading_raises_only_our_errors(data)


@examples(200)
@given(yaml_texts)
def test_loading_yaml_like_text_raises_only_our_errors(text: str) -> None:
    check_loading_raises_only_our_errors(text)


@examples(150)
@given(document_shaped)
def test_loading_document_shaped_yaml_raises_only_our_errors(value: dict[Any, Any]) -> None:
    check_loading_raises_only_our_errors(dump(value))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the mini repository (no git needed to validate)."""
    from tests.minirepo import write_minirepo

    return write_minirepo(tmp_path_factory.mktemp("props") / "mini")


@examples(30)
@given(
    st.sampled_from(["forms/BM-01-01.yaml", "qms.yaml", "legal/19-2014-QD-TTg.yaml"]),
    st.one_of(
        st.binary(max_size=300),
        yaml_texts.map(str.encode),
        document_shaped.map(lambda v: dump(v).encode()),
    ),
)
def test_a_repository_holding_anything_validates(scratch: Path, file: str, data: bytes) -> None:
    original = (scratch / file).read_bytes()
    try:
        check_repository_validates(scratch, file, data)
    finally:
        (scratch / file).write_bytes(original)


@examples(60)
@given(st.data())
def test_the_stamp_ignores_key_order_formatting_comments_and_normalization(
    data: st.DataObject,
) -> None:
    sample, value = data.draw(edited_documents())
    check_stamp_ignores_form(sample, value, data.draw(renderings(value)))


#: Letters, marks that compose with them or reorder, and what JSON escapes.
_MARKED = st.text(alphabet='aenuyAơư\u0301\u0300\u0303\u0309\u0323\u0302\u031b\u0338=<"\\\n\t ')
_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | _MARKED,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_MARKED, inner, max_size=4),
    max_leaves=12,
)


@examples(300)
@given(_JSONISH)
def test_the_stamp_s_canonical_text_has_every_string_in_nfc(value: Any) -> None:
    from qmsdocs.stamp import _canonical, _nfc

    slow = json.dumps(_nfc(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert _canonical(value) == slow


@examples(60)
@given(st.data())
def test_the_stamp_follows_every_change_of_content(data: st.DataObject) -> None:
    sample = data.draw(st.sampled_from([s for s in SAMPLES if s.content]))
    path = data.draw(st.sampled_from(sample.content))
    check_stamp_follows_content(sample, path, data.draw(texts), data.draw(texts))


@pytest.mark.skipif(not has_module("qmsdocs.diff"), reason="qmsdocs.diff is not written yet")
@examples(40)
@given(st.data())
def test_diff_of_a_document_with_itself_is_empty(data: st.DataObject) -> None:
    sample, first = data.draw(edited_documents(content_only=True))
    second = first
    for path in data.draw(st.lists(st.sampled_from(sample.content), max_size=2, unique=True)):
        second = replace_at(second, path, data.draw(texts))
    check_diff(sample, first, second)


@pytest.mark.skipif(not has_module("qmsdocs.export"), reason="qmsdocs.export is not written yet")
@examples(12)
@given(st.data())
def test_export_never_fails_and_escapes_every_text(data: st.DataObject) -> None:
    sample, value = data.draw(edited_documents())
    state = data.draw(st.sampled_from(["draft", "effective", "superseded", "withdrawn"]))
    check_export(sample, value, data.draw(markers), state)


def test_the_free_texts_cover_every_kind() -> None:
    assert {s.kind for s in SAMPLES if s.content} == set(KINDS)
    assert sum(len(s.content) for s in SAMPLES) > 100


__all__ = [
    "SAMPLES",
    "check_diff",
    "check_export",
    "check_loading_raises_only_our_errors",
    "check_repository_validates",
    "check_stamp_follows_content",
    "check_stamp_ignores_form",
    "document_shaped",
    "dump",
    "edited_documents",
    "examples",
    "replace_at",
    "markers",
    "renderings",
    "texts",
    "yaml_texts",
]
