"""The floor benchmark: qmsdocs against libyaml parsing the same files on one core.

For one repository, in one run on the same files, it times:

- the floor: PyYAML's ``CSafeLoader`` (libyaml, C) loading every YAML file qmsdocs reads
  (qms.yaml and each kind's folder), one core, in this process, files already in the page
  cache;
- ``validate`` of the work tree, cold (a fresh process, ``.git/qms-cache`` removed) and
  warm (a fresh process, the cache present);
- ``validate`` of a bare clone through :meth:`qmsdocs.Repository.at`, cold (a fresh process,
  an empty cache folder), warm (the same cache folder again), and its parent commit with
  that folder (another tree, whose blobs are nearly all kept by object id);

and prints each time with its ratio to the floor. The median of ``--repeat`` runs each.

    python bench/floor.py --documents 1000 --legal 200 --commits 2000 --big-revisions 50
    python bench/floor.py --repo path/to/qms           # any repository (a git work tree)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:  # run as a script: python bench/floor.py
    sys.path.insert(0, str(PROJECT))

FOLDERS = ("procedures", "policies", "objectives", "forms", "legal")

_CHILD = """
import sys, time
started = time.perf_counter()
from qmsdocs import Repository
imported = time.perf_counter()
where, rev, cache = sys.argv[1], sys.argv[2], sys.argv[3]
repo = Repository.open(where) if rev == "-" else Repository.at(where, rev, cache_dir=cache)
findings = repo.validate()
print(time.perf_counter() - imported, imported - started, len(repo), len(findings))
"""


def floor(root: Path) -> tuple[float, int]:
    """Return (seconds, files) of CSafeLoader loading every file qmsdocs reads, one core."""
    import yaml

    files = [root / "qms.yaml"] + [
        p
        for folder in FOLDERS
        if (root / folder).is_dir()
        for p in sorted((root / folder).glob("*.yaml"))
    ]
    for path in files:  # into the page cache first: the floor is parsing, not the disk
        path.read_bytes()
    started = time.perf_counter()
    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - started, len(files)


def child(where: Path, rev: str, cache: Path) -> tuple[float, float]:
    """Return (wall seconds of the whole process, seconds of open + validate in it)."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(where), rev, str(cache)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return time.perf_counter() - started, float(out[0])


def age(root: Path, seconds: int = 10) -> None:
    """Make every file and folder of *root* *seconds* older (a work tree at rest)."""
    then = time.time() - seconds
    for folder, _dirs, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(folder, name), (then, then))
        os.utime(folder, (then, then))


def median(values: list[float]) -> float:
    """Return the median of *values*."""
    return statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    """Run the floor benchmark; print the table and write --json if asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="a QMS work tree (default: a generated one)")
    parser.add_argument("--documents", type=int, default=1_000)
    parser.add_argument("--legal", type=int, default=200)
    parser.add_argument("--commits", type=int, default=2_000)
    parser.add_argument("--big-revisions", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    root = args.repo
    if root is None:
        from bench.generate import DEFAULT_CACHE, Params
        from bench.run import ensure_repository

        params = Params(
            documents=args.documents,
            legal=args.legal,
            commits=args.commits,
            big_revisions=args.big_revisions,
        )
        root, _meta = ensure_repository(params, DEFAULT_CACHE)
    scratch = Path(tempfile.mkdtemp(prefix="qms-floor-"))
    try:
        work = scratch / "work"
        subprocess.run(["git", "clone", "-q", str(root), str(work)], check=True)
        age(work)  # files changed in the last 2 s are never cached ("racy"): a tree at rest
        bare = scratch / "bare.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(root), str(bare)], check=True)
        floors = []
        for _ in range(args.repeat):
            seconds, files = floor(work)
            floors.append(seconds)
        base = median(floors)
        rows: dict[str, list[tuple[float, float]]] = {
            k: [] for k in ("tree_cold", "tree_warm", "bare_cold", "bare_warm", "bare_parent")
        }
        for index in range(args.repeat):
            shutil.rmtree(work / ".git" / "qms-cache", ignore_errors=True)
            rows["tree_cold"].append(child(work, "-", scratch))
            rows["tree_warm"].append(child(work, "-", scratch))
            cache = scratch / f"cache{index}"
            rows["bare_cold"].append(child(bare, "HEAD", cache))
            rows["bare_warm"].append(child(bare, "HEAD", cache))
            # another commit (another tree) whose blobs are nearly all known by their ids
            rows["bare_parent"].append(child(bare, "HEAD~1", cache))
        print(f"{files} files; floor (CSafeLoader, one core): {base:.3f} s")
        print(f"{'case':<12} {'process s':>10} {'open+validate s':>16} {'x floor':>8}")
        result: dict[str, object] = {"files": files, "floor": base}
        for name, runs in rows.items():
            wall = median([r[0] for r in runs])
            inner = median([r[1] for r in runs])
            print(f"{name:<12} {wall:>10.3f} {inner:>16.3f} {inner / base:>8.2f}")
            result[name] = {"process": wall, "open_validate": inner, "ratio": inner / base}
        if args.json:
            args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
