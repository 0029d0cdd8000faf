"""JSON Schemas generated from the models, one per kind of file.

``python -m qmsdocs.schemas DIR`` (``make schemas``) writes them; a test fails when the files
in ``schemas/`` drift from the models. Officers' editors use them through the
``# yaml-language-server: $schema=…`` comment at the top of every file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from qmsdocs.fleet.model import FleetList
from qmsdocs.model import MODELS, QmsConfig

__all__ = ["SCHEMA_FILES", "render_schemas", "schema_comment"]

#: File name of the schema for each kind of file ("qms" is qms.yaml).
SCHEMA_FILES: dict[str, str] = (
    {"qms": "qms.schema.json"}
    | {kind.value: f"{kind.value}.schema.json" for kind in MODELS}
    | {"fleet": "fleet.schema.json"}
)


def _model_for(name: str) -> type[BaseModel]:
    if name == "qms":
        return QmsConfig
    if name == "fleet":
        return FleetList
    return MODELS[next(k for k in MODELS if k.value == name)]


def render_schemas() -> dict[str, str]:
    """Return the text of every schema file, by file name."""
    out: dict[str, str] = {}
    for name, file_name in SCHEMA_FILES.items():
        schema: dict[str, Any] = _model_for(name).model_json_schema(
            by_alias=True, mode="validation"
        )
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": file_name,
            **schema,
        }
        out[file_name] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return out


def schema_comment(kind: str, depth: int) -> str:
    """Return the yaml-language-server comment for a file *depth* folders below the QMS root."""
    return f"# yaml-language-server: $schema={'../' * depth}schemas/{SCHEMA_FILES[kind]}\n"


def main(argv: list[str]) -> int:
    """Write every schema into the folder named by ``argv[0]`` (default ``schemas``)."""
    folder = Path(argv[0] if argv else "schemas")
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, text in render_schemas().items():
        (folder / file_name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
