"""The fleet against hostile and broken agencies, served by a real `git daemon`.

Each agency of the matrix is the demo with one thing wrong, pushed to its own bare
repository; one more is a server that accepts a connection and never answers. Every one
must give its own finding, no other agency's row may change, no reading may take more than
its time limit, and nothing may be written outside the province's ``.git/qms-fleet``.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import git
from tests.gitserver import start_daemon
from tests.test_fleet import AS_OF, run

BIG = 50 * 1024 * 1024
_WHO = ("-c", "user.name=X", "-c", "user.email=x@example.org")


def _push(served: Path, name: str, demo_master: Path, change: object) -> None:
    """Serve the demo as *name*, after *change* (a function of a work tree) committed."""
    bare = served / f"{name}.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(demo_master), str(bare)], check=True)
    work = served.parent / f"work-{name}"
    subprocess.run(["git", "clone", "-q", str(bare), str(work)], check=True)
    assert callable(change)
    change(work)
    git(work, "add", "-A")
    git(work, *_WHO, "commit", "--allow-empty", "-qm", f"hostile: {name}")
    git(work, "push", "-q", "--tags", "origin", "HEAD")


def _malformed(work: Path) -> None:
    (work / "procedures" / "QT-TP-01.yaml").write_text("code: [QT-TP-01\n  : : -\n\t", "utf-8")


def _huge(work: Path) -> None:
    with (work / "procedures" / "QT-TO-99.yaml").open("w", encoding="utf-8") as handle:
        handle.write("code: QT-TO-99\ntitle: '")
        chunk = "Một tệp rất lớn. " * 4096
        for _ in range(BIG // len(chunk.encode("utf-8")) + 1):
            handle.write(chunk)
        handle.write("'\n")


def _symlinks(work: Path) -> None:
    os.symlink("/etc/passwd", work / "procedures" / "QT-TO-98.yaml")
    os.symlink("../../../../../../etc", work / "forms" / "etc")


def _traversal(work: Path) -> None:
    text = (work / "procedures" / "QT-TP-02.yaml").read_text("utf-8")
    head, _, rest = text.partition("code: ")
    _, _, rest = rest.partition("\n")
    (work / "procedures" / "QT-TO-97.yaml").write_text(
        f"{head}code: ../../../../escaped\n{rest}", "utf-8"
    )
    git(work, "add", "-A")
    git(work, *_WHO, "commit", "-qm", "traversal")
    git(work, *_WHO, "tag", "-a", "qms/QT-TP-02/9", "-m",
        "Ban hành\n\nQMS-File: ../../../../escaped.yaml\nQMS-Revision: 9\n")  # fmt: skip


def _macro(work: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        )
        docx.writestr("word/document.xml", "<w:document/>")
        docx.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 Sub AutoOpen() Shell(...)")
    (work / "templates").mkdir(exist_ok=True)
    (work / "templates" / "mau-van-ban.docx").write_bytes(buffer.getvalue())


def _tree_tag(work: Path) -> None:
    tree = git(work, "rev-parse", "HEAD^{tree}").strip()
    git(work, *_WHO, "tag", "-a", "qms/QT-TP-01/9", tree, "-m", "Ban hành")


def _nothing(work: Path) -> None:
    (work / "NOTE.txt").write_text("một thay đổi bình thường\n", "utf-8")


def _not_a_qms(served: Path) -> None:
    work = served.parent / "work-plain"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    (work / "README.md").write_text("# Không phải hệ thống QMS\n", "utf-8")
    git(work, "add", "-A")
    git(work, *_WHO, "commit", "-qm", "readme")
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(served / "plain.git")],
                   check=True)  # fmt: skip


CHANGES = {
    "good": _nothing,
    "malformed": _malformed,
    "huge": _huge,
    "symlinks": _symlinks,
    "traversal": _traversal,
    "macro": _macro,
    "tree-tag": _tree_tag,
    "rewritten": _nothing,
}


@pytest.fixture(scope="module")
def hostile(
    demo_master: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str, str]]:
    """The matrix served by `git daemon`, and a server that never answers."""
    served = tmp_path_factory.mktemp("hostile") / "served"
    served.mkdir()
    for name, change in CHANGES.items():
        _push(served, name, demo_master, change)
    _not_a_qms(served)
    daemon, url = start_daemon(served)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:  # accepts and says nothing, ever
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(silent.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield served, url, f"git://127.0.0.1:{silent.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in accepted:
            conn.close()
        silent.close()
        daemon.terminate()
        daemon.wait(timeout=10)


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under *root* but the fleet's own folder, with its size and mtime."""
    out = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if rel == ".git/qms-fleet" or rel.startswith(".git/qms-fleet/"):
            continue
        if path.is_file() or path.is_symlink():
            info = path.lstat()
            out[rel] = (info.st_size, info.st_mtime_ns)
    return out


def test_hostile_agencies_are_findings_of_their_own_rows(
    hostile: tuple[Path, str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    served, url, silent_url = hostile
    province = tmp_path / "province"
    province.mkdir()
    git(province, "init", "-q", "-b", "main")
    lines = ["schema_version: 1", "agencies:"]
    names = [*CHANGES, "plain", "silent"]
    for name in names:
        where = f"{silent_url}/x.git" if name == "silent" else f"{url}/{name}.git"
        lines += [f"  - id: {name}", f"    name: Cơ quan {name}", f"    url: {where}"]
    (province / "fleet.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(province, "add", "fleet.yaml")
    git(province, *_WHO, "commit", "-qm", "fleet")
    outside = tmp_path.parent / "escaped.yaml"
    before = _snapshot(province)
    del before[".git/index"]  # nothing below touches it, but git may refresh its stat data

    started = time.monotonic()
    code, out, err = run(capsys, "-C", str(province), "fleet", "fetch", "--jobs", "4",
                         "--timeout", "5", "--json")  # fmt: skip
    fetch_seconds = time.monotonic() - started
    results = {r["agency"]: r for r in json.loads(out)["agencies"]}
    assert code == 1 and fetch_seconds < 30, (fetch_seconds, err)
    assert results["silent"]["error"] and "longer than 5 s" in results["silent"]["error"]
    assert all(not results[n]["error"] for n in names if n != "silent"), results

    # the agency "rewritten" force-pushes its history away
    bare = served / "rewritten.git"
    old_head = git(bare, "rev-parse", "HEAD").strip()
    git(bare, "update-ref", "refs/heads/main", "HEAD~2")
    code, out, _ = run(capsys, "-C", str(province), "fleet", "fetch", "--timeout", "5", "--json")
    assert {r["agency"]: r for r in json.loads(out)["agencies"]}["rewritten"]["rewritten"]

    started = time.monotonic()
    code, out, err = run(capsys, "-C", str(province), "fleet", "status", "--as-of", AS_OF,
                         "--json", "--jobs", "2", "--timeout", "60")  # fmt: skip
    status_seconds = time.monotonic() - started
    rows = {row["id"]: row for row in json.loads(out)["agencies"]}
    errors = {
        k: sorted({p["check"] for p in r["problems"] if p["severity"] == "error"})
        for k, r in rows.items()
    }
    messages = {k: " ".join(p["message"] for p in r["problems"]) for k, r in rows.items()}
    assert code == 1 and list(rows) == names, err
    assert errors["good"] == [] and rows["good"]["verified"] is True
    assert "invalid-files" in errors["malformed"]
    assert "QT-TP-01" in messages["malformed"]
    assert "invalid-files" in errors["huge"] or "unreadable" in errors["huge"], messages["huge"]
    assert "invalid-files" in errors["symlinks"]
    assert "root:" not in json.dumps(rows)  # /etc/passwd was never read
    assert "invalid-files" in errors["traversal"] and "verify-failed" in errors["traversal"]
    assert "template-refused" in errors["macro"] and "macros" in messages["macro"]
    assert "verify-failed" in errors["tree-tag"] and "qms/QT-TP-01/9" in messages["tree-tag"]
    assert errors["rewritten"] == ["history-rewritten"] and old_head[:10] in messages["rewritten"]
    assert errors["plain"] == ["unreadable"] and "not a QMS" in messages["plain"]
    assert errors["silent"] == ["not-fetched"]
    assert status_seconds < 60 * 2, status_seconds  # each agency within its limit, two at once

    # nothing was written outside .git/qms-fleet: no file escaped, the work tree is as it was
    after = _snapshot(province)
    after.pop(".git/index", None)
    assert after == before
    assert not outside.exists() and not list(tmp_path.parent.rglob("escaped*"))
    assert git(province, "status", "--porcelain").strip() == ""


def test_an_agency_that_hangs_or_eats_memory_is_stopped_and_the_others_go_on(
    hostile: tuple[Path, str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import datetime as dt

    from qmsdocs.fleet import fetch_all, fleet_status
    from qmsdocs.fleet.model import Agency

    _, url, _ = hostile
    git_dir = tmp_path / "province.git"
    git_dir.mkdir()
    agencies = [Agency(id=n, name=n, url=f"{url}/{n}.git") for n in ("good", "huge")]
    fetch_all(git_dir, agencies, now=dt.datetime(2025, 12, 31, 8, tzinfo=dt.UTC), timeout=30)
    on = dt.date(2025, 12, 31)
    from qmsdocs.fleet import worker

    reading = worker.agency_status

    def hangs(agency: Agency, *args: object, **kwargs: object) -> object:
        if agency.id == "huge":  # the workers are forked: they hang here, on this agency
            time.sleep(120)
        return reading(agency, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(worker, "agency_status", hangs)
    started = time.monotonic()
    rows = fleet_status(agencies, git_dir, on=on, jobs=2, timeout=5)
    assert time.monotonic() - started < 30
    assert [p.check for p in rows[1].problems] == ["timeout"] and rows[1].failed
    assert "5 s" in str(rows[1].problems[0].said)
    monkeypatch.undo()
    rows = fleet_status(agencies, git_dir, on=on, jobs=2, memory_mb=64)
    assert [p.check for p in rows[1].problems] == ["unreadable"]
    assert "64 MB" in str(rows[1].problems[0].said)
    good = fleet_status(agencies[:1], git_dir, on=on, jobs=1)[0]
    assert good.verified is True and not good.failed
