"""Concurrent officers: processes acting at once on one repository lose nothing.

Each process runs a plan of lifecycle actions through the public API, on documents of its
own and on one document they all share, with the real clock. Afterwards every action that
reported success is in git with its trailers, there is no commit nobody reported, the
index and the work tree are clean, validate and verify find nothing, and every refused
action said why in one line. The long run is ``stress/test_concurrency_stress.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qmsdocs import Repository, Severity, verify
from tests.conftest import git

# One process: run its plan, print one JSON line per action (flushed), never a traceback.
WORKER = r"""
import datetime as dt, json, sys, traceback
from qmsdocs import Repository, QmsError, ActionRefused, DocumentNotFound
root, plan = sys.argv[1], json.loads(sys.argv[2])
repo = Repository.open(root)
for index, (action, code, options) in enumerate(plan):
    now = dt.datetime.now().astimezone()
    try:
        if action == "new":
            result = repo.new(options.pop("kind"), code, by=options.pop("by"), now=now, **options)
        else:
            result = getattr(repo, action)(code, now=now, **options)
        out = {"ok": True, "commit": result.commit, "tag": result.tag}
    except (ActionRefused, DocumentNotFound) as error:
        out = {"ok": False, "kind": type(error).__name__, "error": str(error)}
    except QmsError as error:
        out = {"ok": False, "kind": type(error).__name__, "error": str(error), "bad": True}
    except Exception:
        out = {"ok": False, "kind": "crash", "error": traceback.format_exc(), "bad": True}
    print(json.dumps({"index": index, "action": action, "code": code, **out}), flush=True)
"""

Plan = list[tuple[str, str, dict[str, Any]]]


def own_document_plan(worker: int, length: int) -> Plan:
    """Whole lifecycles of forms of one's own: new, submit, review, approve, confirm …"""
    plan: Plan = []
    number = 0
    while len(plan) < length:
        number += 1
        code = f"BM-P{worker}-{number:02d}"
        plan += [
            (
                "new",
                code,
                {"kind": "form", "by": "an", "title": f"Biểu mẫu {code}", "procedure": "QT-01"},
            ),
            ("submit", code, {"by": "an"}),
            ("review", code, {"by": "binh", "reject": True, "comment": "Bổ sung mục ghi chú"}),
            ("submit", code, {"by": "an"}),
            ("review", code, {"by": "binh"}),
            ("approve", code, {"by": "cuong"}),
            ("confirm", code, {"by": "binh", "reason": f"Rà soát của tiến trình {worker}"}),
            ("revise", code, {"by": "an", "reason": "Sửa đổi lần hai"}),
            ("submit", code, {"by": "an"}),
            ("review", code, {"by": "binh"}),
            ("approve", code, {"by": "cuong"}),
            ("withdraw", code, {"by": "cuong", "reason": "Thay bằng biểu mẫu mới"}),
        ]
    return plan[:length]


def shared_document_plan(worker: int, length: int) -> Plan:
    """Everyone pushes QT-01 through its lifecycle at once: most of it is refused."""
    cycle: Plan = [
        ("confirm", "QT-01", {"by": "binh", "reason": f"Rà soát của tiến trình {worker}"}),
        ("revise", "QT-01", {"by": "an", "reason": f"Sửa đổi của tiến trình {worker}"}),
        ("submit", "QT-01", {"by": "an"}),
        ("review", "QT-01", {"by": "binh"}),
        ("approve", "QT-01", {"by": "cuong"}),
    ]
    return [cycle[i % len(cycle)] for i in range(length)]


def mixed_plan(worker: int, length: int) -> Plan:
    """Two actions on one's own forms for one on the shared procedure, interleaved."""
    own, shared = own_document_plan(worker, length), shared_document_plan(worker, length)
    plan: Plan = []
    while len(plan) < length:
        plan.append(shared.pop(0) if len(plan) % 3 == 2 else own.pop(0))
    return plan


def run_workers(root: Path, plans: Sequence[Plan], *, timeout: float) -> list[dict[str, Any]]:
    """Start one process per plan at once; return every action's result."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(root), json.dumps(plan)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        for plan in plans
    ]
    results = []
    for worker, proc in enumerate(procs):
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, err
        lines = [json.loads(line) for line in out.splitlines()]
        assert len(lines) == len(plans[worker]), err
        results += [{**line, "worker": worker} for line in lines]
    return results


def action_commits(root: Path) -> dict[str, tuple[str, str]]:
    """Return every lifecycle commit reachable from HEAD: sha -> (action, document)."""
    out = git(
        root,
        "log",
        "--format=%H%x00%(trailers:key=QMS-Action,valueonly,separator=)"
        "%x00%(trailers:key=QMS-Document,valueonly,separator=)",
    )
    commits = {}
    for line in out.splitlines():
        sha, action, code = line.split("\0")
        if action:
            commits[sha] = (action, code)
    return commits


def assert_nothing_lost(root: Path, results: list[dict[str, Any]], before: int) -> None:
    """Every success in git, no commit unreported, clean index, every refusal one line."""
    bad = [r for r in results if r.get("bad")]
    assert not bad, bad[:3]
    for refused in (r for r in results if not r["ok"]):
        assert refused["error"].strip() and "\n" not in refused["error"], refused
    commits = action_commits(root)
    made = [r for r in results if r["ok"] and r["commit"]]
    for result in made:
        assert commits.get(result["commit"]) == (result["action"], result["code"]) or (
            result["action"] == "review"
            and commits.get(result["commit"]) == ("reject", result["code"])
        ), result
        if result["tag"]:
            target = git(root, "rev-parse", f"{result['tag']}^{{commit}}").strip()
            assert target == result["commit"], result
    assert len(commits) == before + len(made), "a commit nobody reported, or one lost"
    fsck = subprocess.run(
        ["git", "fsck", "--strict", "--no-dangling"], cwd=root, capture_output=True, text=True
    )
    assert fsck.returncode == 0 and not fsck.stdout.strip(), fsck.stdout + fsck.stderr
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    repo = Repository.open(root)
    # new forms are not listed by their procedure yet: a warning, never an error
    assert [f for f in repo.validate() if f.severity is Severity.ERROR] == []
    assert verify(repo) == [] or all(f.code == "QT-01" for f in verify(repo))


def test_three_processes_acting_at_once_lose_nothing(mini: Path) -> None:
    # the mini repository's QT-01 was never issued through the workflow: verify names only it
    before = len(action_commits(mini))
    plans = [mixed_plan(worker, 5) for worker in range(3)]

    results = run_workers(mini, plans, timeout=120)

    assert_nothing_lost(mini, results, before)
    assert sum(r["ok"] for r in results) >= 9  # each process's own forms go through
    assert not (mini / ".git" / "qms.lock").exists()
