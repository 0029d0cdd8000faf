"""The fleet benchmark: a province of N agencies served by a local `git daemon`.

Every agency is a copy of the demo repository (its own bare repository on the server); the
province repository lists them in fleet.yaml. In one run it times, each in a fresh
``qms`` process:

- ``fleet fetch`` cold (every mirror made) and with nothing new;
- ``fleet status`` cold (no mirror read before: the caches removed) and warm;
- after one agency pushed one change: ``fleet fetch`` then ``fleet status``;

and the floor: PyYAML's ``CSafeLoader`` loading every agency's files on one core. It prints
each figure with its target from issue 18 and the ratio of the cold status to the floor.

    python bench/fleet.py --agencies 46
    python bench/fleet.py --agencies 227 --jobs 8
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CACHE = PROJECT / "bench" / ".cache"
FOLDERS = ("procedures", "policies", "objectives", "forms", "legal")


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


def _qms(*args: str) -> tuple[float, int, int]:
    """Run qms in a fresh process; return (seconds, exit code, peak memory in MB)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "qmsdocs.cli.main", *args],
        capture_output=True,
        env={**os.environ, "QMS_LANG": "en"},
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return seconds, done.returncode, peak


def floor(demo: Path, agencies: int) -> float:
    """Return the seconds CSafeLoader takes to load every agency's files, one core."""
    import yaml

    files = [demo / "qms.yaml"] + [
        p
        for folder in FOLDERS
        if (demo / folder).is_dir()
        for p in sorted((demo / folder).glob("*.yaml"))
    ]
    data = [p.read_bytes() for p in files]
    started = time.perf_counter()
    for _ in range(agencies):
        for text in data:
            yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506 - the safe C loader
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agencies", type=int, default=46)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args(argv)
    demo = _demo()
    work = Path(tempfile.mkdtemp(prefix="qms-fleet-bench-"))
    served, province = work / "served", work / "province"
    served.mkdir()
    for n in range(args.agencies):
        _git(work, "clone", "-q", "--bare", "--shared", str(demo), str(served / f"a{n:03d}.git"))
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
        for n in range(args.agencies):
            lines += [
                f"  - id: a{n:03d}",
                f"    name: Cơ quan {n}",
                f"    url: git://127.0.0.1:{port}/a{n:03d}.git",
            ]
        (province / "fleet.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        _git(province, "add", "fleet.yaml")
        _git(province, "commit", "-qm", "fleet")
        c = str(province)
        jobs = str(args.jobs)
        figures["fetch cold"], _, _ = _qms("-C", c, "fleet", "fetch", "--jobs", jobs)
        figures["fetch, nothing new"], _, _ = _qms("-C", c, "fleet", "fetch", "--jobs", jobs)
        figures["status cold"], _, peak = _qms(
            "-C", c, "fleet", "status", "--as-of", "2025-12-31", "--json"
        )
        figures["status cold peak MB"] = peak
        figures["status warm"], _, _ = _qms(
            "-C", c, "fleet", "status", "--as-of", "2025-12-31", "--json"
        )
        # one agency pushes one change
        clone = work / "change"
        _git(work, "clone", "-q", str(served / "a000.git"), str(clone))
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
        status_one, _, _ = _qms("-C", c, "fleet", "status", "--as-of", "2025-12-31", "--json")
        figures["one changed: fetch"] = fetch_one
        figures["one changed: status"] = status_one
        figures["floor (CSafeLoader, 1 core)"] = floor(demo, args.agencies)
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    targets = {"fetch, nothing new": 15.0, "status warm": 1.0, "one changed: status": 2.0}
    print(f"fleet of {args.agencies} agencies (demo copies), jobs {args.jobs}")
    for name, value in figures.items():
        target = f"  target ≤ {targets[name]:g} s" if name in targets else ""
        unit = "" if name.endswith("MB") else " s"
        print(f"  {name:32} {value:8.2f}{unit}{target}")
    ratio = figures["status cold"] / figures["floor (CSafeLoader, 1 core)"]
    print(f"  status cold / floor: {ratio:.2f} (target ≤ 1.2)")
    if args.json:
        args.json.write_text(
            json.dumps({"agencies": args.agencies, **figures}, indent=1), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
