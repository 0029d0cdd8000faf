"""SIGKILL at random moments during 500 lifecycle actions.

A worker process runs a fixed plan of actions through the public API, each with its own
fixed time, and writes down when it starts and ends each one. The test kills it (the process
alone, or its whole group with git) at a random moment, lets the repository recover, and
starts a new worker at the first action git does not hold. After every kill: the actions in
git are exactly the plan's first ones, in order, each once, each with its tag when it is an
approval; the work tree and index are clean and no lock is left. Every tenth kill and at the
end: git fsck, qms validate and qms verify find nothing. Then every point between two steps
of an approval is killed once more, deterministically (tests/test_crash.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from qmsdocs import Repository, Severity, verify
from qmsdocs.workflow import Workflow
from stress.conftest import record
from tests.conftest import git
from tests.test_crash import POINTS, kill_during_approval

ACTIONS = 500
SEED = int(os.environ.get("QMS_STRESS_SEED", "20250701"))
TZ = dt.timezone(dt.timedelta(hours=7))
START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=TZ)

# Runs the plan from a given action; logs "begin i" and "end i" (each synced to disk).
WORKER = r"""
import datetime as dt, json, os, sys
from qmsdocs import Repository
root, plan_file, first, log_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
plan = json.loads(open(plan_file, encoding="utf-8").read())
repo = Repository.open(root)
log = open(log_file, "a", encoding="utf-8")
def note(text):
    log.write(text + "\n"); log.flush(); os.fsync(log.fileno())
print("ready", flush=True)
for index in range(first, len(plan)):
    action, code, options = plan[index]
    options = dict(options, now=dt.datetime.fromisoformat(options["now"]))
    if "effective" in options:
        options["effective"] = dt.date.fromisoformat(options["effective"])
    note(f"begin {index}")
    if action == "new":
        getattr(repo, action)(options.pop("kind"), code, **options)
    else:
        getattr(repo, action)(code, **options)
    note(f"end {index}")
print("done", flush=True)
"""


def make_plan(count: int) -> list[tuple[str, str, dict[str, Any]]]:
    """Return *count* actions that each succeed when run in order, an hour apart."""
    plan: list[tuple[str, str, dict[str, Any]]] = []
    forms = 0

    def add(action: str, code: str, **options: Any) -> None:
        options["now"] = (START + dt.timedelta(hours=len(plan))).isoformat()
        plan.append((action, code, options))

    def revision(code: str, reason: str) -> None:
        add("revise", code, by="an", reason=reason)
        add("submit", code, by="an")
        add("review", code, by="binh", reject=True, comment="Bổ sung căn cứ pháp lý")
        add("submit", code, by="an")
        add("review", code, by="binh")
        effective = START + dt.timedelta(hours=len(plan), days=7)
        add("approve", code, by="cuong", effective=effective.date().isoformat())

    revision("QT-01", "Cập nhật theo Nghị định 30/2020/NĐ-CP")
    while len(plan) < count:
        forms += 1
        code = f"BM-01-{forms + 1:02d}"
        add("new", code, kind="form", by="an", title=f"Biểu mẫu số {forms}", procedure="QT-01")
        add("submit", code, by="an")
        add("review", code, by="binh")
        add("approve", code, by="cuong")
        add("confirm", code, by="binh", reason="Rà soát định kỳ: còn phù hợp")
        revision(code, f"Sửa đổi biểu mẫu số {forms}")
        revision("QT-01", f"Bổ sung biểu mẫu số {forms}")
        add("confirm", "QT-01", by="binh", reason=f"Rà soát sau biểu mẫu số {forms}")
    return plan[:count]


def done_in_git(root: Path) -> list[tuple[str, str, str]]:
    """Return the lifecycle actions in git, oldest first: (action, document, author date)."""
    out = git(
        root,
        "log",
        "--reverse",
        "--format=%(trailers:key=QMS-Action,valueonly,separator=)%x00"
        "%(trailers:key=QMS-Document,valueonly,separator=)%x00%aI",
    )
    return [tuple(line.split("\0")) for line in out.splitlines() if line.split("\0")[0]]  # type: ignore[misc]


def expected(plan: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[str, str, str]]:
    out = []
    for action, code, options in plan:
        if action == "review" and options.get("reject"):
            action = "reject"
        out.append((action, code, options["now"]))
    return out


def _kind_of(outcome: str | None) -> str:
    if outcome is None or outcome == "nothing to recover":
        return "nothing"
    return "undone" if " undone" in outcome else "completed"


def full_check(root: Path) -> None:
    """git fsck clean, no error from validate, nothing from verify."""
    fsck = subprocess.run(
        ["git", "fsck", "--strict", "--no-dangling"], cwd=root, capture_output=True, text=True
    )
    assert fsck.returncode == 0 and not fsck.stdout.strip(), fsck.stdout + fsck.stderr
    repo = Repository.open(root)
    assert [f for f in repo.validate() if f.severity is Severity.ERROR] == []
    # until its first revision through the workflow, the mini repository's QT-01 (revision 2,
    # written by hand) is one verify rightly names
    assert [f for f in verify(repo) if not (f.code == "QT-01" and "revision 2" in f.message)] == []


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    from tests.minirepo import write_minirepo

    root = write_minirepo(tmp_path / "mini")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Mini agency")
    return root


def test_500_actions_killed_at_random_moments(repository: Path, tmp_path: Path) -> None:
    root, rng = repository, random.Random(SEED)
    plan = make_plan(ACTIONS)
    want = expected(plan)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    log_file = tmp_path / "actions.log"
    lock = root / ".git" / "qms.lock"
    kills = interrupted = stale = group_kills = full_checks = 0
    outcomes: Counter[str] = Counter()
    started = time.monotonic()
    while True:
        have = done_in_git(root)
        assert have == want[: len(have)], "git holds actions the plan does not, or out of order"
        if len(have) == len(want):
            break
        worker = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(root),
                str(plan_file),
                str(len(have)),
                str(log_file),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own group: git's processes with it, not pytest
            env=os.environ.copy(),
        )
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready", worker.communicate()[1]
        time.sleep(rng.uniform(0.0, 1.0))
        if worker.poll() is None:
            whole_group = rng.random() < 0.3
            if whole_group:
                os.killpg(worker.pid, signal.SIGKILL)
            else:
                worker.kill()
            kills += 1
            group_kills += whole_group
        _, err = worker.communicate(timeout=120)
        assert worker.returncode in (0, -9), err  # finished, or killed: never an error
        lines = log_file.read_text(encoding="utf-8").splitlines()
        if lines and lines[-1].startswith("begin"):
            interrupted += 1
            log_file.write_text("".join(f"{line}\n" for line in lines[:-1]), encoding="utf-8")
        # every action its worker saw end is in git: none lost
        ended = [int(line.split()[1]) for line in lines if line.startswith("end")]
        assert not ended or max(ended) < len(done_in_git(root))
        if worker.returncode != -9:
            continue
        stale += lock.exists()
        if rng.random() < 0.5:  # else the next worker's first action recovers
            outcome = Workflow(root, lock_wait=60).recover()
            outcomes[_kind_of(outcome)] += 1
            assert not lock.exists()
            assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
            have = done_in_git(root)
            approvals = sum(1 for action, _, _ in have if action == "approve")
            assert len(git(root, "tag", "-l", "qms/*").split()) == approvals  # each whole
        if kills % 10 == 0:
            Workflow(root, lock_wait=60).recover()
            full_check(root)
            full_checks += 1
    full_check(root)
    have = done_in_git(root)
    assert have == want and len(set(have)) == ACTIONS
    tags = git(root, "tag", "-l", "qms/*").split()
    assert len(tags) == sum(1 for a, _, _ in want if a == "approve")
    record(
        "crash",
        actions=ACTIONS,
        kills=kills,
        group_kills=group_kills,
        kills_inside_an_action=interrupted,
        stale_locks_found_and_cleared=stale,
        recovered_alone_undone=outcomes["undone"],
        recovered_alone_completed=outcomes["completed"],
        recovered_alone_nothing_to_do=outcomes["nothing"],
        recovered_by_the_next_action=kills - sum(outcomes.values()),
        full_checks=full_checks + 1,
        actions_lost=ACTIONS - len(have),
        half_applied=0,
        seconds=round(time.monotonic() - started),
    )


@pytest.mark.parametrize("point", POINTS)
def test_an_approval_killed_between_any_two_steps(
    repository: Path, tmp_path: Path, point: str
) -> None:
    """Every point tests/test_crash.py names, on a longer history."""
    root = repository
    repo = Repository.open(root)
    day = dt.datetime(2025, 1, 6, 9, tzinfo=TZ)
    repo.revise("QT-01", reason="Sửa đổi", by="an", now=day)
    repo.submit("QT-01", by="an", now=day + dt.timedelta(hours=1))
    repo.review("QT-01", by="binh", now=day + dt.timedelta(hours=2))
    before = git(root, "rev-parse", "HEAD").strip()
    result = kill_during_approval(root, point)
    assert result.returncode == -9, result.stderr
    (root / ".git" / "hooks" / "pre-commit").unlink(missing_ok=True)
    Workflow(root, lock_wait=30).recover()
    head = git(root, "rev-parse", "HEAD").strip()
    if head == before:
        Repository.open(root).approve(
            "QT-01", by="cuong", now=dt.datetime(2025, 1, 9, 9, tzinfo=TZ)
        )
    assert git(root, "cat-file", "-t", "qms/QT-01/3").strip() == "tag"
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    full_check(root)
    record("crash", deterministic_kill_points=1)
