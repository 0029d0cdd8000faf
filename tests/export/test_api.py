"""The public API of qmsdocs.export: exactly what __all__ says, sorted, documented."""

from __future__ import annotations

import inspect

import qmsdocs.export


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in dir(qmsdocs.export) if not name.startswith("_")}
    modules = {name for name in public if inspect.ismodule(getattr(qmsdocs.export, name))}
    assert qmsdocs.export.__all__ == sorted(qmsdocs.export.__all__)
    assert public - modules == set(qmsdocs.export.__all__)


def test_every_public_member_has_a_docstring() -> None:
    for name in qmsdocs.export.__all__:
        member = getattr(qmsdocs.export, name)
        assert (member.__doc__ or "").strip(), name
        if inspect.isclass(member):
            for attribute, value in vars(member).items():
                if callable(value) and not attribute.startswith("_"):
                    assert (value.__doc__ or "").strip(), f"{name}.{attribute}"
