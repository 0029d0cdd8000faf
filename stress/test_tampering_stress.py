"""Random tampering with the honest demo repository, and random honest work on it.

Each tampering draws an issued revision and a way to alter it: a field of the issued file
changed (committed by hand, or left uncommitted), a signature altered, the tag deleted,
moved, made lightweight or given another trailer, history reset before the approval, the
blob swapped with git replace. ``verify`` must name the document's file every time. Honest
work (whole revisions, periodic reviews, withdrawals, comments committed with plain git)
must never be flagged.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from qmsdocs import Repository, Status, verify
from qmsdocs.store import yaml as yaml_store
from stress.conftest import record
from tests.conftest import git

TAMPERINGS = 100
HONEST_RUNS = 6
SEED = 20250701
HAND = ["-c", "user.name=Người lạ", "-c", "user.email=la@example.invalid"]
VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo repository, built once for the module."""
    from qmsdocs.scaffold import build_demo
    from tests.conftest import SAMPLE

    dest = tmp_path_factory.mktemp("demo") / "qms"
    build_demo(dest, source=SAMPLE)
    subprocess.run(["git", "gc", "-q"], cwd=dest, check=True)  # one pack: quick to copy
    assert verify(Repository.open(dest)) == []
    return dest


def _mutate(value: Any, rng: random.Random) -> Any:
    """Return *value* with one leaf changed."""
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value))
        return {**value, key: _mutate(value[key], rng)}
    if isinstance(value, list) and value:
        index = rng.randrange(len(value))
        return [*value[:index], _mutate(value[index], rng), *value[index + 1 :]]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + rng.choice([1, 2, 10])
    if isinstance(value, dt.datetime):
        return value - dt.timedelta(days=rng.randint(1, 30))
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=rng.choice([-3, -1, 1, 5]))
    if isinstance(value, str):
        return value + rng.choice([" (sửa)", ".", "x", " đã sửa"])
    return "giả mạo"


def _edit_field(root: Path, file: str, rng: random.Random, fields: list[str]) -> str:
    path = root / file
    text = path.read_text(encoding="utf-8")
    data = yaml_store.load(text, file=file)
    field = rng.choice([f for f in fields if f in data] or sorted(data))
    path.write_text(yaml_store.update_text(text, {field: _mutate(data[field], rng)}), "utf-8")
    return field


CONTENT = ["title", "purpose", "scope", "steps", "statement", "objectives", "description"]
CONTENT += ["legal_basis", "history", "records", "definitions", "commitments", "revision"]


def tamper(root: Path, rng: random.Random) -> tuple[str, str]:
    """Alter one issued revision at random; return (how, the file verify must name)."""
    repo = Repository.open(root)
    issued = [d for d in repo if d.status is Status.APPROVED]
    document = rng.choice(issued)
    file, code = repo.file_of(document.code), document.code
    tag = f"qms/{code}/{document.revision}"
    how = rng.choice(
        [
            "content-committed",
            "content-uncommitted",
            "workflow-field",
            "signature",
            "tag-deleted",
            "tag-moved",
            "tag-lightweight",
            "tag-trailer",
            "history-reset",
            "git-replace",
        ]
    )
    if how in ("content-committed", "content-uncommitted"):
        _edit_field(root, file, rng, CONTENT)
        if how == "content-committed":
            git(root, *HAND, "commit", "-qam", "Sửa tay")
    elif how == "workflow-field":
        _edit_field(root, file, rng, ["issued_date", "effective_date", "periodic_reviews"])
        if rng.random() < 0.5:
            git(root, *HAND, "commit", "-qam", "Sửa ngày")
    elif how == "signature":
        path = root / file
        text = path.read_text(encoding="utf-8")
        data = yaml_store.load(text, file=file)
        signatures = data["approvals"]
        index = rng.randrange(len(signatures))
        key = rng.choice(["person", "name", "title", "signed_at", "stamp", "role"])
        changed = dict(signatures[index])
        changed[key] = {
            "person": "tran-thi-mai" if changed["person"] != "tran-thi-mai" else "le-quoc-bao",
            "stamp": "sha256:" + "ab" * 32,
            "role": "staff",
        }.get(key, _mutate(changed[key], rng))
        signatures = [*signatures[:index], changed, *signatures[index + 1 :]]
        path.write_text(yaml_store.update_text(text, {"approvals": signatures}), "utf-8")
        if rng.random() < 0.5:
            git(root, *HAND, "commit", "-qam", "Sửa chữ ký")
    elif how == "tag-deleted":
        git(root, "tag", "-d", tag)
    elif how in ("tag-moved", "tag-lightweight", "tag-trailer"):
        target = git(root, "rev-parse", f"{tag}^{{commit}}").strip()
        message = git(root, "tag", "-l", "--format=%(contents)", tag)
        if how == "tag-moved":
            commits = git(root, "rev-list", "HEAD").split()
            target = rng.choice([c for c in commits if c != target])
        elif how == "tag-trailer":
            key = rng.choice(["Stamp", "Effective", "Person", "File"])
            new = {
                "Stamp": "sha256:" + "cd" * 32,
                "Effective": "2019-01-01",
                "Person": "tran-thi-mai",
                "File": "qms.yaml",
            }[key]
            message = re.sub(rf"QMS-{key}: .*", f"QMS-{key}: {new}", message)
        git(root, "tag", "-d", tag)
        if how == "tag-lightweight":
            git(root, "tag", tag, target)
        else:
            git(root, *HAND, "tag", "-a", "-m", message, tag, target)
    elif how == "history-reset":
        target = git(root, "rev-parse", f"{tag}^{{commit}}").strip()
        git(root, "reset", "-q", "--hard", f"{target}~1")
        (root / "GHI-CHU.txt").write_text("viết lại\n", encoding="utf-8")
        git(root, "add", "GHI-CHU.txt")
        git(root, *HAND, "commit", "-qm", "Viết lại lịch sử")
        file = Repository.open(root).file_of(code) if code in Repository.open(root) else file
    elif how == "git-replace":
        blob = git(root, "rev-parse", f"{tag}:{file}").strip()
        forged = subprocess.run(
            ["git", "hash-object", "-w", "--stdin"],
            cwd=root,
            input=git(root, "cat-file", "blob", blob).replace("title: ", "title: Giả ", 1),
            text=True,
            capture_output=True,
            check=True,
        ).stdout.strip()
        git(root, "replace", blob, forged)
        file = "."
    return how, file


def test_random_tampering_is_always_caught(demo_master: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    caught: dict[str, list[int]] = {}
    missed = []
    started = time.monotonic()
    for number in range(TAMPERINGS):
        root = tmp_path / f"t{number}"
        shutil.copytree(demo_master, root, symlinks=True)
        how, file = tamper(root, rng)
        findings = verify(Repository.open(root))
        hit = any(f.file == file for f in findings)
        caught.setdefault(how, [0, 0])
        caught[how][0] += hit
        caught[how][1] += 1
        if not hit:
            missed.append((number, how, file, [str(f) for f in findings][:3]))
        shutil.rmtree(root)
    detected = sum(c[0] for c in caught.values())
    record(
        "tampering",
        random_tamperings=TAMPERINGS,
        random_detected=detected,
        by_kind={k: f"{v[0]}/{v[1]}" for k, v in sorted(caught.items())},
        seconds=round(time.monotonic() - started),
    )
    assert not missed, missed


def test_random_honest_work_is_never_flagged(demo_master: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    flagged = []
    actions = 0
    for number in range(HONEST_RUNS):
        root = tmp_path / f"h{number}"
        shutil.copytree(demo_master, root, symlinks=True)
        repo = Repository.open(root)
        now = dt.datetime(2026, 8, 3, 9, tzinfo=VN) + dt.timedelta(days=number)
        issued = sorted(d.code for d in repo if d.status is Status.APPROVED)
        for code in rng.sample(issued, 3):
            step = rng.choice(["revision", "confirm", "withdraw", "comment"])
            now += dt.timedelta(hours=1)
            if step == "revision":
                repo.revise(code, reason="Sửa đổi định kỳ", by="vo-minh-tuan", now=now)
                repo.submit(code, by="vo-minh-tuan", now=now + dt.timedelta(minutes=10))
                repo.review(code, by="tran-thi-mai", now=now + dt.timedelta(minutes=20))
                effective = (now + dt.timedelta(days=rng.choice([0, 10]))).date()
                repo.approve(
                    code,
                    by="nguyen-van-hung",
                    now=now + dt.timedelta(minutes=30),
                    effective=effective,
                )
                actions += 4
            elif step == "confirm":
                repo.confirm(code, reason="Còn phù hợp", by="tran-thi-mai", now=now)
                actions += 1
            elif step == "withdraw":
                repo.withdraw(code, reason="Không còn áp dụng", by="nguyen-van-hung", now=now)
                actions += 1
            else:
                path = root / repo.file_of(code)
                path.write_text("# Ghi chú của cán bộ ISO\n" + path.read_text("utf-8"), "utf-8")
                git(root, "commit", "-qam", "Ghi chú")
        findings = verify(Repository.open(root))
        if findings:
            flagged.append((number, [str(f) for f in findings][:3]))
        shutil.rmtree(root)
    record(
        "tampering",
        honest_runs=HONEST_RUNS,
        honest_actions=actions,
        false_positives=len(flagged),
    )
    assert not flagged, flagged
