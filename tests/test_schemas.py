"""schemas/ is generated from the models, and validates every sample file as editors do."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from qmsdocs.schemas import SCHEMA_FILES, render_schemas
from qmsdocs.store.yaml import load
from tests.conftest import PROJECT, SAMPLE

FOLDER_KIND = {
    "procedures": "procedure",
    "policies": "policy",
    "objectives": "objectives",
    "forms": "form",
    "legal": "legal",
}


def sample_files() -> list[Path]:
    files = [SAMPLE / "qms.yaml"]
    for folder in FOLDER_KIND:
        files += sorted((SAMPLE / folder).glob("*.yaml"))
    return files


def kind_of(path: Path) -> str:
    return "qms" if path.name == "qms.yaml" else FOLDER_KIND[path.parent.name]


def as_json(value: Any) -> Any:
    """Return *value* as an editor's YAML language server sees it: dates are strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def test_schemas_match_the_models() -> None:
    rendered = render_schemas()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in (PROJECT / "schemas").glob("*.json")}
    assert on_disk == rendered, "schemas/ drifted from the models: run 'make schemas' and review"


def test_the_sample_points_at_the_same_schemas() -> None:
    link = SAMPLE / "schemas"
    assert link.resolve() == (PROJECT / "schemas").resolve()


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.relative_to(SAMPLE).as_posix())
def test_every_sample_file_names_its_schema_and_is_valid_by_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    schema_path = (path.parent / first.removeprefix(prefix)).resolve()
    assert schema_path.name == SCHEMA_FILES[kind_of(path)]
    assert schema_path.is_file()
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = as_json(load(text, file=path.name))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        data
    )


def test_the_schema_refuses_what_the_model_refuses() -> None:
    schema = json.loads((PROJECT / "schemas" / "form.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    good = {"code": "BM-01", "title": "Phiếu", "unit": "van-phong", "procedure": "QT-01"}
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "tieu_de": "x"})  # unknown field
    assert not validator.is_valid({**good, "code": "../x"})  # unsafe code
    assert not validator.is_valid({**good, "status": "effective"})  # not a stored status
