"""Derived documents and the shared legal registry: a release's content made the agency's.

A model document is read from a release as the framework wrote it (placeholders and all),
rendered with the agency's parameter values, then validated as a document of its kind.
Shared legal documents are copied with their origin (framework, release, content stamp) so
that ``validate`` can tell when one was edited locally.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from qmsdocs.errors import ActionRefused, DocumentNotFound
from qmsdocs.findings import field_name
from qmsdocs.framework.params import render
from qmsdocs.i18n import S_
from qmsdocs.model import MODELS, DocumentKind, LegalDocument, LegalOrigin
from qmsdocs.model.codes import legal_file_code
from qmsdocs.model.problems import schema_problem

if TYPE_CHECKING:
    from qmsdocs.model import Document
    from qmsdocs.read.reader import Reader
    from qmsdocs.repository import Repository

__all__ = ["SharedLegal", "legal_stamp", "model_of", "rendered_model", "shared_legal"]


def legal_stamp(document: LegalDocument) -> str:
    """Return the content stamp of a legal document: everything but its origin."""
    data = document.model_dump(mode="json", by_alias=True, exclude={"origin"})
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = unicodedata.normalize("NFC", canonical)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def model_of(release: Repository, code: str, *, framework: str, tag: str) -> Document:
    """Return the model document *code* of *release* as the framework wrote it."""
    try:
        return release.document(code)
    except DocumentNotFound:
        raise ActionRefused(
            S_(
                "framework {framework} has no model document {code} in release {tag}",
                framework=framework,
                code=code,
                tag=tag,
            )
        ) from None


def rendered_model(
    release: Repository,
    code: str,
    values: Mapping[str, str | int],
    *,
    framework: str,
    tag: str,
    local_code: str | None = None,
) -> Document:
    """Return the model document *code* of *release* rendered with the parameter *values*.

    With *local_code*, the result carries that code. Raise :class:`ActionRefused` naming the file
    and field of an unknown placeholder or of a value the rendered document cannot hold.
    """
    model = model_of(release, code, framework=framework, tag=tag)
    file = release.file_of(model.code)
    where = f"{framework}@{tag}:{file}"
    # The model as the framework wrote it (a framework's reader renders nothing): its
    # values are the file's, already parsed, so the file is not read twice.
    data = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    rendered = render(data, values, file=where)
    if local_code is not None:
        rendered["code"] = local_code
    kind = DocumentKind(str(rendered.get("kind")))
    try:
        model_class: Any = MODELS[kind]
        document: Document = model_class.model_validate(rendered)
    except ValidationError as error:
        item = error.errors(include_url=False)[0]
        loc = tuple(p for p in item["loc"] if isinstance(p, str | int))
        raise ActionRefused(
            S_(
                "{field}: rendered with this agency's parameters, {problem}",
                field=field_name(loc) or "?",
                problem=schema_problem(item),
            ),
            file=where,
            field=field_name(loc) or None,
        ) from None
    return document


@dataclass
class SharedLegal:
    """The legal files a release brings: what to write, and what was left alone, and why."""

    files: list[tuple[LegalDocument | None, LegalDocument, str]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    edited_locally: list[str] = field(default_factory=list)  # kept: the agency changed them
    own: list[str] = field(default_factory=list)  # the agency registered it itself


def shared_legal(repo: Reader, release: Repository, *, framework: str, tag: str) -> SharedLegal:
    """Return what the shared legal registry of *release* changes in the agency's legal/."""
    out = SharedLegal()
    for document in release.legal:
        content = document.model_copy(update={"origin": None})
        stamp = legal_stamp(content)
        origin = LegalOrigin(framework=framework, release=tag, stamp=stamp)
        new = LegalDocument.model_validate(
            {**content.model_dump(by_alias=True), "origin": origin.model_dump()}
        )
        mine = repo.legal.get(document.number)
        file = f"legal/{legal_file_code(document.number)}.yaml"
        if mine is None and (repo.root / file).exists():
            out.own.append(document.number)  # a file of that name the agency has: never overwritten
        elif mine is None:
            out.files.append((None, new, file))
            out.added.append(document.number)
        elif mine.origin is None or mine.origin.framework != framework:
            out.own.append(document.number)
        elif legal_stamp(mine) != mine.origin.stamp:
            out.edited_locally.append(document.number)
        elif mine.origin.stamp != stamp:
            out.files.append((mine, new, repo.file_of(mine.number)))
            out.updated.append(document.number)
    return out
