"""The project's own git repository carries sources only, never build output."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Folders that tools generate, at the top or anywhere below; none belongs in the index.
TOP_LEVEL = ("venv", "build", "dist", "demo-qms", "bench/.cache", "bench/out")
ANYWHERE = (".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache")


def is_generated(path: str) -> bool:
    parts = path.split("/")[:-1]
    return any(path.startswith(f"{top}/") for top in TOP_LEVEL) or any(
        part in ANYWHERE or part.endswith(".egg-info") for part in parts
    )


def test_the_matcher_knows_generated_paths() -> None:
    assert is_generated(".venv/bin/python")
    assert is_generated("qmsdocs/__pycache__/api.cpython-311.pyc")
    assert is_generated("qmsdocs.egg-info/PKG-INFO")
    assert is_generated("demo-qms/qms.yaml")
    assert not is_generated("qmsdocs/store/git.py")
    assert not is_generated("tests/export/golden/QT-01.docx")


def test_no_generated_folder_is_tracked() -> None:
    if not (ROOT / ".git").exists():
        return  # an sdist or a copy without git: nothing to check
    tracked = (
        subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    offending = sorted(path for path in tracked if path and is_generated(path))
    assert offending == [], f"generated files are tracked: {offending[:5]}"
