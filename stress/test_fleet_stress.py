"""The fleet's hostile matrix, bigger: every kind several times, bombs, several silent servers.

The fast variant is ``tests/test_fleet_hostile.py``. Here 25 agencies are served by one
`git daemon` and three servers accept connections and never answer; the status runs on
two workers with a time limit. Each hostile agency must give its own finding, every good
copy the very same row, and nothing may be written outside ``.git/qms-fleet``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stress.conftest import record
from tests.conftest import SAMPLE, git
from tests.gitserver import start_daemon
from tests.test_fleet import AS_OF, run
from tests.test_fleet_hostile import (
    _WHO,
    _macro,
    _malformed,
    _not_a_qms,
    _nothing,
    _push,
    _snapshot,
    _symlinks,
    _traversal,
    _tree_tag,
)

COPIES = 3


def _bomb(work: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 12):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    (work / "procedures" / "QT-TO-96.yaml").write_text("\n".join(lines) + "\n", "utf-8")


def _deep(work: Path) -> None:
    (work / "legal" / "99-2025-QD-UBND.yaml").write_text("[" * 100_000 + "]" * 100_000, "utf-8")


KINDS = {
    "good": (_nothing, set()),
    "malformed": (_malformed, {"invalid-files"}),
    "symlinks": (_symlinks, {"invalid-files"}),
    "traversal": (_traversal, {"invalid-files", "verify-failed"}),
    "macro": (_macro, {"template-refused"}),
    "tree-tag": (_tree_tag, {"verify-failed"}),
    "bomb": (_bomb, {"invalid-files"}),
    "deep": (_deep, {"invalid-files"}),
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str], str]]:
    from qmsdocs.scaffold import build_demo

    base = tmp_path_factory.mktemp("fleet-stress")
    demo = base / "demo"
    build_demo(demo, source=SAMPLE)
    served = base / "served"
    served.mkdir()
    names = []
    for kind, (change, _) in KINDS.items():
        for n in range(COPIES):
            _push(served, f"{kind}-{n}", demo, change)
            names.append(f"{kind}-{n}")
    _not_a_qms(served)
    names.append("plain")
    daemon, url = start_daemon(served)
    silent = [socket.socket() for _ in range(3)]
    stop = threading.Event()
    accepted: list[socket.socket] = []

    def accept(listener: socket.socket) -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    threads = []
    for listener in silent:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        threads.append(threading.Thread(target=accept, args=(listener,), daemon=True))
        threads[-1].start()
    time.sleep(0.5)
    province = base / "province"
    province.mkdir()
    git(province, "init", "-q", "-b", "main")
    lines = ["schema_version: 1", "agencies:"]
    for name in names:
        lines += [
            f"  - id: {name}",
            f"    name: {name}",
            f"    url: {url}/{name}.git",
        ]
    for n, listener in enumerate(silent):
        lines += [f"  - id: silent-{n}", f"    name: silent {n}",
                  f"    url: git://127.0.0.1:{listener.getsockname()[1]}/x.git"]  # fmt: skip
    (province / "fleet.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(province, "add", "fleet.yaml")
    git(province, *_WHO, "commit", "-qm", "fleet")
    try:
        yield province, names, url
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        for conn in accepted:
            conn.close()
        for listener in silent:
            listener.close()
        daemon.terminate()
        daemon.wait(timeout=10)


def test_twenty_five_agencies_hostile_and_good_and_three_silent_servers(
    fleet: tuple[Path, list[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    province, names, _ = fleet
    before = _snapshot(province)
    before.pop(".git/index", None)
    started = time.monotonic()
    code, out, _ = run(capsys, "-C", str(province), "fleet", "fetch", "--jobs", "8",
                       "--timeout", "5", "--json")  # fmt: skip
    fetch_seconds = time.monotonic() - started
    results = {r["agency"]: r for r in json.loads(out)["agencies"]}
    assert code == 1 and fetch_seconds < 60
    assert all(results[f"silent-{n}"]["error"] for n in range(3))
    assert all(not results[name]["error"] for name in names)

    started = time.monotonic()
    code, out, err = run(capsys, "-C", str(province), "fleet", "status", "--as-of", AS_OF,
                         "--json", "--jobs", "2", "--timeout", "60")  # fmt: skip
    status_seconds = time.monotonic() - started
    rows = {row["id"]: row for row in json.loads(out)["agencies"]}
    assert code == 1, err
    for name in names:
        kind = name.rsplit("-", 1)[0]
        errors = {p["check"] for p in rows[name]["problems"] if p["severity"] == "error"}
        if kind == "plain":
            assert errors == {"unreadable"}
            continue
        expected = KINDS[kind][1]
        assert expected <= errors, (name, rows[name]["problems"])
        assert "timeout" not in errors and "unreadable" not in errors, name
        if kind == "good":
            assert not errors and rows[name]["verified"] is True
    good = [dict(rows[f"good-{n}"], id=None, name=None, head=None, fetched=None, changed=None)
            for n in range(COPIES)]  # fmt: skip
    assert good[0] == good[1] == good[2]
    after = _snapshot(province)
    after.pop(".git/index", None)
    assert after == before
    record(
        "fleet",
        agencies=len(rows),
        hostile=len(rows) - COPIES - 3,
        fetch_seconds=round(fetch_seconds, 1),
        status_seconds=round(status_seconds, 1),
    )
