"""What ``validate`` checks of the framework model: placeholders, shared legal files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qmsdocs.errors import QmsError
from qmsdocs.findings import Finding, Severity
from qmsdocs.framework.derive import legal_stamp
from qmsdocs.framework.params import unknown_placeholders
from qmsdocs.i18n import S_
from qmsdocs.read.reader import Reader

if TYPE_CHECKING:
    from qmsdocs.repository import Repository

__all__ = ["framework_bases", "framework_findings"]


def framework_findings(reader: Reader) -> list[Finding]:
    """Return the findings of the framework model in the repository *reader* reads.

    In a framework: every placeholder that names no declared parameter (file, line and
    field). In an agency: every shared legal file whose content no longer matches the stamp
    it arrived with (edited locally; the next framework release will not update it).
    Kept in the persistent cache while the files are unchanged.
    """
    from qmsdocs.validation_run import kept_findings

    return kept_findings(reader, "framework-findings", lambda: _findings(reader))


def _findings(reader: Reader) -> list[Finding]:
    config = reader.config_or_none()
    if config is None:
        return []
    found: list[Finding] = []
    if config.framework is not None:
        known = {p.name for p in config.framework.parameters}
        for entry in [*reader.entries.values(), *reader.legal_entries.values()]:
            document = _document(entry)
            if document is None:
                continue
            data = document.model_dump(mode="json", by_alias=True, exclude_none=True)
            for unknown in unknown_placeholders(data, known):
                place = reader.locate(entry.file, unknown.path)
                found.append(
                    Finding.of(
                        entry.file,
                        "unknown-placeholder",
                        S_(
                            "unknown placeholder {placeholder}: the framework declares no "
                            "parameter {name} (qms.yaml framework.parameters)",
                            placeholder="{{ " + unknown.name + " }}",
                            name=unknown.name,
                        ),
                        line=place[0] if place else None,
                        column=place[1] if place else None,
                        field=unknown.path,
                    )
                )
    for entry in reader.legal_entries.values():
        document = _document(entry)
        origin = getattr(document, "origin", None)
        if document is None or origin is None:
            continue
        if legal_stamp(document) != origin.stamp:
            found.append(
                Finding.of(
                    entry.file,
                    "shared-legal-edited",
                    S_(
                        "shared legal document of framework {framework} edited locally: the "
                        "framework's releases will no longer update it; register the agency's "
                        "own documents under their own number instead",
                        framework=origin.framework,
                    ),
                    line=1,
                    severity=Severity.WARNING,
                )
            )
    return found


def _document(entry: Any) -> Any:
    try:
        return entry.document
    except QmsError:
        return None


def framework_bases(repo: Repository) -> list[Finding]:
    """Return what ``verify`` finds of derived documents' bases (the model each came from).

    Each ``derived_from`` names a release fetched into ``refs/qms-framework/``: the model
    read back from it must have the recorded revision and stamp. A release not fetched in
    this clone is a warning (``qms framework fetch``); a model that no longer matches is an
    error (the release was altered, or ``derived_from`` edited by hand).
    """
    from qmsdocs.framework.follow import open_release
    from qmsdocs.stamp import content_stamp

    git_dir = repo.reader.git.git_dir
    if not repo.config.frameworks or git_dir is None:
        return []
    releases: dict[tuple[str, str], Repository | None] = {}
    found = []
    for document in repo:
        source = document.derived_from
        if source is None or source.release is None:
            continue
        key = (source.framework, source.release)
        if key not in releases:
            try:
                releases[key] = open_release(git_dir, *key)
            except QmsError:
                releases[key] = None
        release = releases[key]
        file = repo.file_of(document.code)
        if release is None:
            found.append(
                Finding.of(
                    file,
                    "framework-base",
                    S_(
                        "derived from release {release} of framework {framework}, which is not "
                        "fetched here: run 'qms framework fetch {framework}'",
                        release=source.release,
                        framework=source.framework,
                    ),
                    severity=Severity.WARNING,
                    code=document.code,
                )
            )
            continue
        model = release.document(source.code) if source.code in release else None
        if (
            model is None
            or model.revision != source.revision
            or content_stamp(model) != source.stamp
        ):
            found.append(
                Finding.of(
                    file,
                    "framework-base",
                    S_(
                        "derived_from names {model} revision {revision} of release {release}, "
                        "but that release holds no such model with the recorded stamp",
                        model=source.code,
                        revision=source.revision,
                        release=source.release,
                    ),
                    code=document.code,
                )
            )
    return found
