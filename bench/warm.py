"""Warm read commands, whole process: ``qms list``, ``show``, ``validate`` on the demo.

Each command is one fresh ``qms`` process (the installed entry point), its output thrown
away, timed best of ``--repeat``, beside ``python -c pass`` (the interpreter's own start, the
floor of any command) in the same run. Three columns per command:

- kept: asked again of an unchanged repository (the answer kept by :mod:`qmsdocs.cli.kept`);
- warm: the library's caches warm, the kept answer removed before each run (what the
  first question after any change pays, when only the changed files are read again);
- imports: ``python -c "import qmsdocs.cli.main"`` alone, for scale.

    python bench/warm.py                      # builds the demo in a temporary folder
    python bench/warm.py --repo path/to/qms   # any repository (a git work tree)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
COMMANDS = (["list"], ["show", "QT-01"], ["validate"])


def best(argv: list[str], repeat: int, before: object = None) -> float:
    """Return the best wall time of *repeat* runs of *argv* (calling *before* before each)."""
    times = []
    for _ in range(repeat):
        if callable(before):
            before()
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return min(times)


def _age(root: Path) -> None:
    """Make every file of *root* older than git's two racy seconds (a repository at rest)."""
    then = time.time() - 10
    for folder, _dirs, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(folder, name), (then, then))
        os.utime(folder, (then, then))


def main(argv: list[str] | None = None) -> int:
    """Time the warm read commands; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="a QMS work tree (default: the demo)")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    qms = str(Path(sys.executable).with_name("qms"))
    scratch = Path(tempfile.mkdtemp(prefix="qms-warm-"))
    try:
        root = args.repo
        if root is None:
            root = scratch / "demo"
            subprocess.run([qms, "demo", str(root)], check=True, capture_output=True)
        _age(root)
        answers = (
            Path(
                subprocess.run(
                    ["git", "rev-parse", "--absolute-git-dir"],
                    cwd=root,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.strip()
            )
            / "qms-cache"
        )

        def forget() -> None:
            for path in answers.glob("answer-*.json"):
                path.unlink()

        floor = best([sys.executable, "-c", "pass"], args.repeat)
        imports = best([sys.executable, "-c", "import qmsdocs.cli.main"], args.repeat)
        print(f"python -c pass: {floor:.3f} s; import qmsdocs.cli.main: {imports:.3f} s")
        print(f"load: {os.getloadavg()[0]:.2f} (1 min)")
        print(f"{'command':<18} {'kept s':>8} {'warm s':>8}")
        for command in COMMANDS:
            full = [qms, "-C", str(root), *command]
            subprocess.run(full, capture_output=True, check=False)  # the library's caches
            warm = best(full, args.repeat, before=forget)
            subprocess.run(full, capture_output=True, check=False)  # keeps the answer
            kept = best(full, args.repeat)
            print(f"{' '.join(command):<18} {kept:>8.3f} {warm:>8.3f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
