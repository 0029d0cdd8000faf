"""Crash safety: an action killed (SIGKILL) at any point is afterwards wholly there or absent.

Each case kills a real process at one point of an approval (the richest action: a file, a
commit and a tag) and lets the next process recover. The history that results must be the
very history an uninterrupted run makes: same commits, same tag, byte for byte. The long
run with random kill times is ``stress/test_crash_stress.py``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qmsdocs import Repository, Status, verify
from qmsdocs.store.files import action_lock
from qmsdocs.workflow import Workflow
from tests.conftest import git

TZ = dt.timezone(dt.timedelta(hours=7))
APPROVED_AT = dt.datetime(2025, 1, 9, 9, tzinfo=TZ)

# Runs one approval and kills itself where the test says: before or after a step.
WORKER = r"""
import datetime as dt, os, signal, sys
from pathlib import Path

root, point = Path(sys.argv[1]), sys.argv[2]
import qmsdocs.workflow as wf
from qmsdocs.store.git import GitStore

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def before(owner, name):
    setattr(owner, name, lambda *a, **k: die())

def after(owner, name):
    real = getattr(owner, name)
    def patched(*a, **k):
        real(*a, **k)
        die()
    setattr(owner, name, patched)

where, _, what = point.partition(":")
owner = {"write_atomic": wf, "commit": GitStore, "tag": GitStore, "record_intent": wf}.get(what)
if where == "before":
    before(owner, what)
elif where == "after":
    after(owner, what)
os.environ["QMS_TEST_PID"] = str(os.getpid())
from qmsdocs import Repository
now = dt.datetime(2025, 1, 9, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
Repository.open(root).approve("QT-01", by="cuong", now=now)
print("survived")
"""

HOOKS = {
    # git commit carries on alone after the action's process is killed (an orphan)
    "orphaned-git-commit": 'kill -9 "$QMS_TEST_PID"; sleep 1; exit 0',
    # the action's process and git with it (a closed terminal, the OOM killer on a group)
    "git-commit-killed-too": 'kill -9 "$QMS_TEST_PID" "$PPID"; exit 0',
}

#: Every point a kill can fall between two steps (all run by make stress) …
POINTS = [
    "before:record_intent",
    "before:write_atomic",
    "after:write_atomic",
    "before:commit",
    "after:commit",
    "before:tag",
    "after:tag",
    *HOOKS,
]
#: … and those make test runs: undone, finished, and both ways git can be cut off.
FAST_POINTS = ["after:write_atomic", "after:commit", *HOOKS]


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=9, tzinfo=TZ)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini repository with QT-01 revision 3 reviewed, ready for approval."""
    from tests.conftest import GIT_ENV
    from tests.minirepo import write_minirepo

    root = write_minirepo(tmp_path_factory.mktemp("crash") / "mini")
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Mini"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    repo = Repository.open(root)
    repo.revise(
        "QT-01", reason="Cập nhật theo Nghị định 30/2020/NĐ-CP", by="an", now=at("2025-01-06")
    )
    repo.submit("QT-01", by="an", now=at("2025-01-07"))
    repo.review("QT-01", by="binh", now=at("2025-01-08"))
    return root


@pytest.fixture(scope="module")
def reference(reviewed: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """HEAD and tag object of the same approval, never interrupted."""
    root = tmp_path_factory.mktemp("reference") / "mini"
    shutil.copytree(reviewed, root)
    Repository.open(root).approve("QT-01", by="cuong", now=APPROVED_AT)
    return git(root, "rev-parse", "HEAD").strip(), git(root, "rev-parse", "qms/QT-01/3").strip()


def kill_during_approval(root: Path, point: str) -> subprocess.CompletedProcess[str]:
    if point in HOOKS:
        hook = root / ".git" / "hooks" / "pre-commit"
        hook.write_text(f"#!/bin/sh\n{HOOKS[point]}\n", encoding="utf-8")
        hook.chmod(0o755)
    return subprocess.run(
        [sys.executable, "-c", WORKER, str(root), point],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )


def assert_consistent(root: Path) -> None:
    """git fsck and status clean, validate and verify find nothing, no lock left."""
    fsck = subprocess.run(
        ["git", "fsck", "--strict", "--no-dangling"], cwd=root, capture_output=True, text=True
    )
    assert fsck.returncode == 0 and fsck.stdout.strip() == "", fsck.stdout + fsck.stderr
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert not list((root / ".git").rglob("*.lock"))
    repo = Repository.open(root)
    assert repo.validate() == []
    assert verify(repo) == []


@pytest.mark.parametrize("point", FAST_POINTS)
def test_an_approval_killed_anywhere_is_wholly_there_or_absent(
    reviewed: Path, reference: tuple[str, str], tmp_path: Path, point: str
) -> None:
    root = tmp_path / "mini"
    shutil.copytree(reviewed, root)
    before = git(root, "rev-parse", "HEAD").strip()

    result = kill_during_approval(root, point)
    assert result.returncode == -9 and "survived" not in result.stdout, result.stderr
    (root / ".git" / "hooks" / "pre-commit").unlink(missing_ok=True)

    recovered = Workflow(root, lock_wait=30).recover()
    assert recovered is None or "\n" not in recovered
    assert_consistent(root)
    head = git(root, "rev-parse", "HEAD").strip()
    document = Repository.open(root).document("QT-01")
    if head == before:  # wholly absent: the approval can simply be made again
        assert document.status is Status.IN_REVIEW
        assert git(root, "tag", "-l", "qms/QT-01/3") == ""
        Repository.open(root).approve("QT-01", by="cuong", now=APPROVED_AT)
    else:  # wholly there
        assert document.status is Status.APPROVED
    assert (
        git(root, "rev-parse", "HEAD").strip(),
        git(root, "rev-parse", "qms/QT-01/3").strip(),
    ) == reference
    assert_consistent(root)


def test_the_next_action_recovers_by_itself(reviewed: Path, tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(reviewed, root)
    assert kill_during_approval(root, "after:commit").returncode == -9
    lock = root / ".git" / "qms.lock"
    assert "qms/QT-01/3" in lock.read_text(encoding="utf-8")  # the journal the killed one left

    result = Repository.open(root).confirm(
        "QT-01", reason="Rà soát định kỳ: còn phù hợp", by="binh", now=at("2025-02-01")
    )

    assert result.changed and not lock.exists()
    assert git(root, "cat-file", "-t", "qms/QT-01/3").strip() == "tag"
    assert_consistent(root)


def test_a_recovery_killed_in_turn_is_recovered_by_the_next(reviewed: Path, tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(reviewed, root)
    before = git(root, "rev-parse", "HEAD").strip()
    assert kill_during_approval(root, "after:write_atomic").returncode == -9
    killer = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from qmsdocs.store.git import GitStore\n"
        "GitStore.restore = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from qmsdocs.workflow import Workflow\n"
        "Workflow(Path(sys.argv[1])).recover()\n"
    )
    killed = subprocess.run([sys.executable, "-c", killer, str(root)], capture_output=True)
    assert killed.returncode == -9

    assert Workflow(root).recover() is not None
    assert git(root, "rev-parse", "HEAD").strip() == before
    assert_consistent(root)


def test_a_stale_lock_is_recognized_and_a_live_one_respected(mini: Path) -> None:
    lock = mini / ".git" / "qms.lock"
    # a holder that died before it wrote anything: the lock is free, nothing to recover
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    lock.write_text(f"{dead.stdout.strip()} {os.uname().nodename}\n", encoding="utf-8")
    assert Workflow(mini, lock_wait=0.5).recover() is None
    assert not lock.exists()
    # a live holder in another process: refused with who holds it, after the wait
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from qmsdocs.store.files import action_lock\n"
            "with action_lock(Path(sys.argv[1])):\n"
            "    print('held', flush=True); time.sleep(30)\n",
            str(lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(Exception, match=f"process {holder.pid} on "):
            Workflow(mini, lock_wait=0.3).revise("QT-01", reason="x", by="an", now=at("2025-01-06"))
    finally:
        holder.kill()
        holder.communicate()
    # killed while holding it: the kernel released it, the next action goes ahead
    assert (
        Workflow(mini, lock_wait=5)
        .revise("QT-01", reason="x", by="an", now=at("2025-01-06"))
        .changed
    )
    assert not lock.exists()


def test_a_lock_held_in_this_process_is_not_taken_twice(mini: Path) -> None:
    lock = mini / ".git" / "qms.lock"
    with action_lock(lock):
        with pytest.raises(Exception, match="another qms action is running"):
            with action_lock(lock, wait=0.1):
                pass
    assert not lock.exists()
