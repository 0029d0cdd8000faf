"""The .docx templates an agency's repository holds, checked as untrusted input.

Nothing in a template is opened but as a zip of XML parts (:class:`qmsdocs.export.Template`):
one that carries macros or active content, links outside itself or is too large is refused.
"""

from __future__ import annotations

from qmsdocs.errors import GitError, QmsError
from qmsdocs.i18n import S_, Said
from qmsdocs.store.git import CommitStore

__all__ = ["template_problems"]

#: Where an agency keeps its templates, besides the one qms.yaml names.
FOLDER = "templates"
_SUFFIXES = (".docx", ".dotx", ".docm", ".dotm")


def template_problems(store: CommitStore, named: str | None = None) -> list[Said]:
    """Return what is wrong with each template of the commit *store* reads: those under
    ``templates/`` and the one qms.yaml names (*named*); read from git's objects, never from
    a checkout."""
    try:
        paths = [FOLDER] + ([named] if named and not named.startswith(FOLDER + "/") else [])
        entries = [
            e for e in store.tree(paths) if e.kind == "blob" and e.path.lower().endswith(_SUFFIXES)
        ]
        problems: list[Said] = []
        if not entries:
            return problems
        from qmsdocs.export import Template  # python-docx: only when there is a template
        from qmsdocs.export._template import MAX_TEMPLATE_BYTES

        for entry in sorted(entries, key=lambda e: e.path):
            if entry.mode == "120000":
                problems.append(S_("{file} is a symbolic link, not a template", file=entry.path))
                continue
            if entry.size is not None and entry.size > MAX_TEMPLATE_BYTES:
                problems.append(
                    S_("{file}: {size} bytes, larger than a template may be",
                       file=entry.path, size=entry.size)
                )  # fmt: skip
                continue
            data = store.blob(entry.oid)
            if data is None:
                continue
            try:
                Template(data, name=entry.path)
            except QmsError as error:
                problems.append(error.said or Said.plain(error.message))
        return problems
    except GitError:
        return []
