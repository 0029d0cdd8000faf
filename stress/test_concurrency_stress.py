"""8 processes × 50 actions at once on one repository, through the API and through qms.

Each process works on forms of its own and, one action in three, on the procedure they all
share. Afterwards: every action that reported success is in git with its trailers and tag, no
commit appears that nobody reported, git fsck and git status are clean, validate finds no
error, verify finds nothing but the hand-written revision of the mini repository, and every
refused action said why in one line.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from stress.conftest import record
from tests.conftest import git
from tests.test_concurrency import action_commits, assert_nothing_lost, mixed_plan, run_workers

PROCESSES = 8
ACTIONS = 50


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    from tests.minirepo import write_minirepo

    root = write_minirepo(tmp_path / "mini")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Mini agency")
    return root


def test_8_processes_50_actions_each(repository: Path) -> None:
    before = len(action_commits(repository))
    plans = [mixed_plan(worker, ACTIONS) for worker in range(PROCESSES)]
    started = time.monotonic()

    results = run_workers(repository, plans, timeout=1800)

    assert_nothing_lost(repository, results, before)
    refused = Counter(r["kind"] for r in results if not r["ok"])
    made = sum(1 for r in results if r["ok"] and r["commit"])
    assert made >= PROCESSES * ACTIONS // 3
    record(
        "concurrency",
        processes=PROCESSES,
        actions=PROCESSES * ACTIONS,
        committed=made,
        refused_with_a_reason=sum(refused.values()),
        refused_busy=refused.get("RepositoryBusy", 0),
        lost_commits=0,
        unexplained_errors=0,
        seconds=round(time.monotonic() - started),
    )


def test_officers_at_the_command_line_at_once(repository: Path) -> None:
    """Four officers run qms at once on the shared procedure: one line each, 0 or 1."""
    qms = str(Path(sys.executable).parent / "qms")
    commands = [
        ["confirm", "QT-01", "--reason", "Rà soát định kỳ", "--as", "binh"],
        ["revise", "QT-01", "--reason", "Sửa đổi đồng thời", "--as", "an"],
        ["submit", "QT-01", "--as", "an"],
        ["review", "QT-01", "--as", "binh"],
        ["approve", "QT-01", "--as", "cuong"],
    ]
    before = len(action_commits(repository))

    def officer(number: int) -> list[tuple[int, str, str]]:
        out = []
        for args in commands * 2:
            done = subprocess.run(
                [qms, "-C", str(repository), *args, "--json"],
                capture_output=True,
                text=True,
                timeout=300,
                env={**os.environ, "QMS_LANG": "en"},  # the messages checked below
            )
            out.append((done.returncode, done.stdout, done.stderr))
        return out

    with ThreadPoolExecutor(4) as pool:
        runs = [line for lines in pool.map(officer, range(4)) for line in lines]

    ok = [r for r in runs if r[0] == 0]
    refused = [r for r in runs if r[0] != 0]
    assert all(code in (0, 1) for code, _, _ in runs), runs
    for _, _, err in refused:
        assert err.startswith("qms: error: ") and err.count("\n") == 1, err
    committed = [r for r in ok if '"changed": true' in r[1]]
    assert len(action_commits(repository)) == before + len(committed)
    assert git(repository, "status", "--porcelain", "--untracked-files=all") == ""
    record(
        "concurrency",
        cli_runs=len(runs),
        cli_committed=len(committed),
        cli_refused_in_one_line=len(refused),
    )
