"""The public API is exactly what __all__ says, sorted, and every member is documented."""

import inspect

import qmsdocs


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in dir(qmsdocs) if not name.startswith("_")}
    modules = {name for name in public if inspect.ismodule(getattr(qmsdocs, name))}
    assert qmsdocs.__all__ == sorted(qmsdocs.__all__)
    assert public - modules == set(qmsdocs.__all__)


def test_every_public_member_has_a_docstring() -> None:
    for name in qmsdocs.__all__:
        member = getattr(qmsdocs, name)
        if callable(member):
            assert (member.__doc__ or "").strip(), name


def test_the_library_never_imports_the_cli() -> None:
    import subprocess
    import sys

    code = (
        "import sys, qmsdocs; qmsdocs.Repository; "
        "print('qmsdocs.cli' in sys.modules, 'click' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_a_public_name_stays_itself_when_its_module_is_imported_later() -> None:
    import subprocess
    import sys

    # imported lazily, qmsdocs.verify (the function) shares its name with a submodule
    code = "import inspect, qmsdocs, qmsdocs.verify; print(inspect.isfunction(qmsdocs.verify))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["True"]
