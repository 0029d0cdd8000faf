"""The floor benchmark: qmsdocs against libyaml parsing the same files on one core.

For one repository, in one run on the same files, it times:

- the floor: PyYAML's ``CSafeLoader`` (libyaml, C) loading every YAML file qmsdocs reads
  (qms.yaml and each kind's folder), one core, in this process, files already in the page
  cache;
- open + ``validate`` of the work tree in a fresh process, cold (``.git/qms-cache`` removed;
  on every core, and with ``jobs=1`` beside it) and warm (the cache present);
- ``qms validate``, the whole command in a fresh process: cold, warm (the library's caches,
  no kept answer) and asked again (the kept answer, :mod:`qmsdocs.cli.kept`);
- open + ``validate`` of a bare clone through :meth:`qmsdocs.Repository.at`, cold (an empty
  cache folder), warm (the same folder again), and its parent commit with that folder
  (another tree, whose blobs are nearly all kept by object id);

and prints each with its ratio to the floor, the peak memory of the process (and of its
largest worker), the peak memory of the process and its workers together ("all MB": the
sum of their proportional set sizes, sampled every 20 ms: a page forked workers share with
their parent counted once) and the CPU time of the process and of its workers (and git):
on a machine other jobs share, the CPU time tells what the wall time would be on idle
cores. The median of ``--repeat`` runs each. ``uptime``'s load is printed with the
figures: the ratios, measured side by side, are what compare.

    python bench/floor.py                     # 1,000 procedures (generated once, cached)
    python bench/floor.py --size 10000        # 10,000 procedures
    python bench/floor.py --repo path/to/qms  # any repository (a git work tree)
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

from bench.memory import tree_memory  # noqa: E402 - after the path above

FOLDERS = ("procedures", "policies", "objectives", "forms", "legal")

_CHILD = """
import resource, sys, time
started = time.perf_counter()
from qmsdocs import Repository
imported = time.perf_counter()
where, rev, cache, jobs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
jobs = None if jobs == "auto" else int(jobs)
if rev == "-":
    repo = Repository.open(where, jobs=jobs)
else:
    repo = Repository.at(where, rev, cache_dir=cache, jobs=jobs)
findings = repo.validate()
done = time.perf_counter()
me = resource.getrusage(resource.RUSAGE_SELF)
them = resource.getrusage(resource.RUSAGE_CHILDREN)
print(
    done - imported, imported - started, len(repo), len(findings), me.ru_maxrss / 1024,
    them.ru_maxrss / 1024, me.ru_utime + me.ru_stime, them.ru_utime + them.ru_stime,
)
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


def child(where: Path, rev: str, cache: Path, jobs: str = "auto") -> tuple[float, ...]:
    """Return (wall s of the process, s of open + validate, peak MB, largest worker's MB,
    CPU s of the process, CPU s of its workers and git, peak MB of the whole process tree)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(where), rev, str(cache), jobs],
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_memory(process.pid))
        time.sleep(0.02)
    assert process.stdout is not None
    out = process.stdout.read().split()
    if process.returncode != 0:
        raise SystemExit(f"the child failed ({process.returncode})")
    wall = time.perf_counter() - started
    return wall, *(float(out[i]) for i in (0, 4, 5, 6, 7)), peak / (1024 * 1024)


def command(root: Path) -> tuple[float, ...]:
    """Return (wall s, wall s, 0, 0, 0, 0) of ``qms validate`` in *root*, the whole command."""
    qms = Path(sys.executable).with_name("qms")
    started = time.perf_counter()
    subprocess.run([str(qms), "-C", str(root), "validate"], capture_output=True, check=False)
    wall = time.perf_counter() - started
    return wall, wall, 0.0, 0.0, 0.0, 0.0, 0.0


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
    parser.add_argument("--size", type=int, default=1_000, help="procedures generated")
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
            documents=args.size,
            legal=max(1, args.size // 5),
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
        cache_of_tree = work / ".git" / "qms-cache"

        def cold() -> None:
            shutil.rmtree(cache_of_tree, ignore_errors=True)

        def forget_answers() -> None:
            for path in cache_of_tree.glob("answer-*.json"):
                path.unlink()

        loads = [os.getloadavg()[0]]
        floors = []
        cases = (
            "tree_cold", "tree_cold_1job", "tree_warm", "qms_validate_cold",
            "qms_validate_warm", "qms_validate_again", "bare_cold", "bare_cold_1job",
            "bare_warm", "bare_parent",
        )  # fmt: skip
        rows: dict[str, list[tuple[float, ...]]] = {k: [] for k in cases}
        for index in range(args.repeat):
            seconds, files = floor(work)
            floors.append(seconds)
            cold()
            rows["tree_cold"].append(child(work, "-", scratch))
            cold()
            rows["tree_cold_1job"].append(child(work, "-", scratch, "1"))
            rows["tree_warm"].append(child(work, "-", scratch))
            cold()
            rows["qms_validate_cold"].append(command(work))
            forget_answers()
            rows["qms_validate_warm"].append(command(work))
            command(work)  # keeps the answer (a first warm run after a cold one may not)
            rows["qms_validate_again"].append(command(work))
            cache = scratch / f"cache{index}"
            rows["bare_cold"].append(child(bare, "HEAD", cache))
            rows["bare_cold_1job"].append(child(bare, "HEAD", scratch / f"one{index}", "1"))
            rows["bare_warm"].append(child(bare, "HEAD", cache))
            # another commit (another tree) whose blobs are nearly all known by their ids
            rows["bare_parent"].append(child(bare, "HEAD~1", cache))
            loads.append(os.getloadavg()[0])
        base = median(floors)
        print(
            f"{files} files; floor (CSafeLoader, one core): {base:.3f} s; "
            f"load average {min(loads):.2f}-{max(loads):.2f} over the run"
        )
        print(
            f"{'case':<20} {'process s':>10} {'open+validate s':>16} {'x floor':>8} "
            f"{'peak MB':>8} {'worker MB':>10} {'all MB':>7} {'CPU s':>6} {'workers CPU s':>14}"
        )
        result: dict[str, object] = {"files": files, "floor": base, "load": loads}
        for name, runs in rows.items():
            wall = median([r[0] for r in runs])
            inner = median([r[1] for r in runs])
            peak = max(r[2] for r in runs)
            worker = max(r[3] for r in runs)
            tree = max(r[6] for r in runs)
            cpu = median([r[4] for r in runs])
            cpu_workers = median([r[5] for r in runs])
            print(
                f"{name:<20} {wall:>10.3f} {inner:>16.3f} {inner / base:>8.2f} "
                f"{peak:>8.0f} {worker:>10.0f} {tree:>7.0f} {cpu:>6.2f} {cpu_workers:>14.2f}"
            )
            result[name] = {
                "process": wall,
                "open_validate": inner,
                "ratio": inner / base,
                "peak_mb": peak,
                "worker_peak_mb": worker,
                "tree_peak_mb": tree,  # the process and its workers together (PSS)
                "cpu": cpu,
                "workers_cpu": cpu_workers,
            }
        if args.json:
            args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
