"""Benchmark of the portal (issue 20): a full build, a rebuild after one revision, the index.

Two repositories: the demo (``qms demo``) and a 1,000-document agency made by
``bench/generate.py`` (800 procedures and 200 forms with their history). For each, in a
fresh process per measurement:

- ``full``: ``build_portal`` into an empty folder (every issued revision read, rendered
  once, .docx of each revision in force) — target ≤ 30 s for 1,000 documents;
- ``rebuild``: one document revised through the workflow (revise, submit, review,
  approve), then ``build_portal`` into the same folder — target ≤ 3 s;
- ``index``: the size of ``search-index.js`` — target ≤ 2 MB for 1,000 documents.

    .venv/bin/python bench/portal.py                 # both repositories
    .venv/bin/python bench/portal.py --only demo     # the demo alone (seconds)

Writes bench/portal-results.json. Repositories are made once into bench/.cache/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
AS_OF = dt.date(2026, 12, 4)
TARGETS = {"full": 30.0, "rebuild": 3.0, "index_mb": 2.0}
AGENCY = [
    "--documents",
    "800",
    "--forms-ratio",
    "0.25",
    "--legal",
    "200",
    "--commits",
    "3000",
    "--big-revisions",
    "20",
    "--big-history",
    "fast-import",
    "--quiet",
]


def _demo() -> Path:
    dest = CACHE / "portal-demo" / "qms"
    if not (dest / "qms.yaml").is_file():
        shutil.rmtree(dest.parent, ignore_errors=True)
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from qmsdocs.scaffold import build_demo;"
                f"build_demo(Path(sys.argv[1]), source=Path({str(HERE.parent / 'sample_repo')!r}))",
                str(dest),
            ],
            check=True,
        )
    return dest


def _agency() -> tuple[Path, list[str]]:
    dest = CACHE / "portal-agency"
    meta = CACHE / "portal-agency.json"
    if not (dest / "qms.yaml").is_file() or not meta.is_file():
        shutil.rmtree(dest, ignore_errors=True)
        made = subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(dest), *AGENCY],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        meta.write_text(made[made.index("{") :])
    action = json.loads(meta.read_text())["targets"]["action"]
    return dest, [action["code"], action["author"], action["reviewer"], action["approver"]]


_CHILD = """
import datetime as dt, json, sys, time
from qmsdocs import Repository
from qmsdocs.portal import build_portal
start = time.perf_counter()
result = build_portal(Repository.open(sys.argv[1]), sys.argv[2], as_of=dt.date.fromisoformat(sys.argv[3]))
print(json.dumps({"seconds": time.perf_counter() - start, "rendered": result.rendered_revisions,
                  "reused": result.reused_revisions, "written": len(result.written),
                  "index": result.index_bytes}))
"""

_REVISE = """
import datetime as dt, subprocess, sys
from pathlib import Path
from qmsdocs import Repository
root, (code, author, reviewer, approver) = Path(sys.argv[1]), sys.argv[2:6]
repo = Repository.open(root)
day = dt.datetime(2026, 11, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
repo.revise(code, reason="Bench: one revision", by=author, now=day)
path = root / repo.file_of(code)
text = path.read_text(encoding="utf-8")
path.write_text(text.replace("purpose: ", "purpose: Sửa đổi. ", 1), encoding="utf-8")
subprocess.run(["git", "-C", str(root), "commit", "-qam", "Bench"], check=True)
repo = Repository.open(root)
repo.submit(code, by=author, now=day + dt.timedelta(hours=1))
repo.review(code, by=reviewer, now=day + dt.timedelta(hours=2))
repo.approve(code, by=approver, now=day + dt.timedelta(hours=3), effective=day.date())
"""


def _run(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1]) if out.strip() else {}


def measure(name: str, source: Path, actors: list[str]) -> dict[str, float]:
    """Return the figures of one repository: full build, rebuild after one revision, index."""
    with tempfile.TemporaryDirectory(prefix=f"portal-{name}-") as scratch:
        repo = Path(scratch) / "repo"
        shutil.copytree(source, repo, symlinks=True)
        site = Path(scratch) / "site"
        full = _run(_CHILD, str(repo), str(site), AS_OF.isoformat())
        _run(_REVISE, str(repo), *actors)
        again = _run(_CHILD, str(repo), str(site), AS_OF.isoformat())
    return {
        "full": round(full["seconds"], 2),
        "full_revisions": full["rendered"],
        "rebuild": round(again["seconds"], 2),
        "rebuild_revisions": again["rendered"],
        "index_mb": round(full["index"] / 1e6, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=("demo", "agency"))
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    if args.only in (None, "demo"):
        demo = ["QT-TP-01", "vo-minh-tuan", "tran-thi-mai", "nguyen-van-hung"]
        results["demo"] = measure("demo", _demo(), demo)
    if args.only in (None, "agency"):
        source, actors = _agency()
        results["agency-1000"] = measure("agency", source, actors)
    print(f"{'repository':<14}{'full s':>9}{'revisions':>11}{'rebuild s':>11}{'index MB':>10}")
    for name, r in results.items():
        print(
            f"{name:<14}{r['full']:>9}{r['full_revisions']:>11.0f}{r['rebuild']:>11}"
            f"{r['index_mb']:>10}"
        )
    print(
        f"targets (1,000 documents): full ≤ {TARGETS['full']} s, rebuild ≤ "
        f"{TARGETS['rebuild']} s, index ≤ {TARGETS['index_mb']} MB; "
        f"took {time.perf_counter() - started:.0f} s"
    )
    (HERE / "portal-results.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
