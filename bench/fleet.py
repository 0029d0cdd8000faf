"""The fleet benchmark: a province of N agencies served by a local `git daemon`.

By default the agencies are the province of ``bench/province.py`` (one repository per
agency: the provincial office, 12 departments, then communes and wards; 227 agencies and
about 12,500 documents in all, cached in bench/.cache); ``--source demo`` uses N copies of
the demo instead. Each agency is a bare repository on the server; the province repository
lists them in fleet.yaml. In one run it times, each in a fresh ``qms`` process:

- ``fleet fetch`` cold (every mirror made) and with nothing new;
- ``fleet status`` cold (no mirror read before: the caches removed) and warm;
- after one agency pushed one change: ``fleet fetch`` then ``fleet status``;

and the floor: PyYAML's ``CSafeLoader`` loading every agency's files on one core. It prints
each figure with its target from issue 18 and the ratio of the cold status to the floor:
the median over ``--pairs`` (default 3) cold statuses, each divided by a floor measured
right after it, for this shared machine's speed swings from minute to minute.

    python bench/fleet.py --agencies 46
    python bench/fleet.py --agencies 227 --json bench/.cache/fleet-227.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CACHE = PROJECT / "bench" / ".cache"
FOLDERS = ("procedures", "policies", "objectives", "forms", "legal")

if str(PROJECT) not in sys.path:  # run as a script: python bench/fleet.py
    sys.path.insert(0, str(PROJECT))

from bench.memory import tree_memory  # noqa: E402 - after the path above


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def _demo() -> Path:
    """Return the demo repository, built once and kept in bench/.cache."""
    dest = CACHE / "fleet-demo"
    if not (dest / "qms.yaml").is_file():
        shutil.rmtree(dest, ignore_errors=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "qmsdocs.cli.main", "demo", str(dest)], check=True,
                       capture_output=True)  # fmt: skip
    return dest


def _agencies(source: str, count: int) -> list[tuple[str, str, Path]]:
    """Return (id, name, work tree) of each agency: the province's, or copies of the demo."""
    if source == "demo":
        demo = _demo()
        return [(f"a{n:03d}", f"Cơ quan {n}", demo) for n in range(count)]
    sys.path.insert(0, str(PROJECT))
    from bench.province import ensure_province

    where, meta = ensure_province(count, log=lambda line: print(line, file=sys.stderr))
    return [
        (row["code"].lower(), row["name"], where / row["code"].lower())
        for row in meta["agencies"][:count]
    ]


def _qms(*args: str) -> tuple[float, int, int]:
    """Run qms in a fresh process; return (seconds, exit code, peak memory in MB).

    The peak is of the whole process tree (qms, its workers, git), sampled every 20 ms:
    what the run holds at once, a page shared by forked workers counted once.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "qmsdocs.cli.main", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "QMS_LANG": "en"},
    )
    peak = 0
    while process.poll() is None:
        if os.path.isdir("/proc"):
            peak = max(peak, tree_memory(process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    return seconds, process.returncode, peak // (1024 * 1024)


def floor(trees: list[Path]) -> tuple[float, int]:
    """Return the seconds CSafeLoader takes to load every agency's files, one core, and
    how many files that is."""
    import yaml

    data = []
    for tree in trees:
        files = [tree / "qms.yaml"] + [
            p
            for folder in FOLDERS
            if (tree / folder).is_dir()
            for p in sorted((tree / folder).glob("*.yaml"))
        ]
        data += [p.read_bytes() for p in files]
    started = time.perf_counter()
    for text in data:
        yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506 - the safe C loader
    return time.perf_counter() - started, len(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agencies", type=int, default=46)
    parser.add_argument("--jobs", type=int, default=8, help="fetch's jobs")
    parser.add_argument("--source", choices=("province", "demo"), default="province")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    parser.add_argument(
        "--pairs", type=int, default=3, help="cold status and floor measured in turn, N times"
    )
    args = parser.parse_args(argv)
    agencies = _agencies(args.source, args.agencies)
    work = Path(tempfile.mkdtemp(prefix="qms-fleet-bench-"))
    served, province = work / "served", work / "province"
    served.mkdir()
    for ident, _, tree in agencies:
        _git(work, "clone", "-q", "--bare", "--shared", str(tree), str(served / f"{ident}.git"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    daemon = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", f"--port={port}",
         f"--base-path={served}", str(served)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    figures: dict[str, float] = {}
    try:
        time.sleep(0.5)
        province.mkdir()
        _git(province, "init", "-q", "-b", "main")
        _git(province, "config", "user.name", "Bench")
        _git(province, "config", "user.email", "bench@example.org")
        lines = ["schema_version: 1", "agencies:"]
        for ident, name, _ in agencies:
            lines += [
                f"  - id: {ident}",
                f"    name: {name}",
                f"    url: git://127.0.0.1:{port}/{ident}.git",
            ]
        (province / "fleet.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        _git(province, "add", "fleet.yaml")
        _git(province, "commit", "-qm", "fleet")
        c = str(province)
        as_of = "2025-12-31" if args.source == "demo" else "2026-07-01"  # their objectives' year
        jobs = str(args.jobs)
        figures["fetch cold"], _, _ = _qms("-C", c, "fleet", "fetch", "--jobs", jobs)
        figures["fetch, nothing new"], _, _ = _qms("-C", c, "fleet", "fetch", "--jobs", jobs)
        figures["status cold"], _, peak = _qms(
            "-C", c, "fleet", "status", "--as-of", as_of, "--json"
        )
        figures["status cold peak MB"] = peak
        figures["status warm"], _, _ = _qms("-C", c, "fleet", "status", "--as-of", as_of, "--json")
        # one agency pushes one change
        clone = work / "change"
        _git(work, "clone", "-q", str(served / f"{agencies[-1][0]}.git"), str(clone))
        (clone / "NOTE.txt").write_text("một thay đổi\n", encoding="utf-8")
        _git(clone, "add", "NOTE.txt")
        _git(
            clone,
            "-c",
            "user.name=X",
            "-c",
            "user.email=x@example.org",
            "commit",
            "-qm",
            "một thay đổi",
        )
        _git(clone, "push", "-q", "origin", "HEAD")
        fetch_one, _, _ = _qms("-C", c, "fleet", "fetch", "--jobs", jobs)
        status_one, _, _ = _qms("-C", c, "fleet", "status", "--as-of", as_of, "--json")
        figures["one changed: fetch"] = fetch_one
        figures["one changed: status"] = status_one
        trees = [tree for _, _, tree in agencies]
        seconds, files = floor(trees)
        pairs = [(figures["status cold"], seconds)]
        # The machine's speed swings from minute to minute (the same loop of Python took
        # 0.64-0.99 s within one minute): each cold status is paired with a floor measured
        # right after it, and the ratio is the median of the pairs.
        for _ in range(args.pairs - 1):
            shutil.rmtree(province / ".git" / "qms-fleet" / "cache", ignore_errors=True)
            cold, _, _ = _qms("-C", c, "fleet", "status", "--as-of", as_of, "--json")
            pairs.append((cold, floor(trees)[0]))
        figures["floor (CSafeLoader, 1 core)"] = seconds
        figures["files"] = files
        for index, (cold, base) in enumerate(pairs[1:], start=2):
            figures[f"status cold, pair {index}"] = cold
            figures[f"floor, pair {index}"] = base
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    targets = {"fetch, nothing new": 15.0, "status warm": 1.0, "one changed: status": 2.0}
    print(f"fleet of {args.agencies} agencies ({args.source}), fetch jobs {args.jobs}")
    for name, value in figures.items():
        target = f"  target ≤ {targets[name]:g} s" if name in targets else ""
        unit = "" if name.endswith("MB") or name == "files" else " s"
        print(f"  {name:32} {value:8.2f}{unit}{target}")
    ratios = [cold / base for cold, base in pairs]
    figures["status cold / floor"] = statistics.median(ratios)
    listed = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"  status cold / floor: {statistics.median(ratios):.2f} (target ≤ 1.2; pairs: {listed})")
    if args.json:
        args.json.write_text(
            json.dumps({"agencies": args.agencies, **figures}, indent=1), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
