"""The province's fleet over a real git server: `git daemon` on 127.0.0.1, real mirrors."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qmsdocs import Repository
from qmsdocs.cli.main import main
from qmsdocs.fleet import FleetList, read_fleet
from tests.conftest import git
from tests.gitserver import git_daemon

AS_OF = "2025-12-31"  # the demo's objectives are those of 2025


@pytest.fixture(scope="module")
def server(
    demo_master: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str]]:
    """Agencies served by `git daemon`: good, tampered, and one whose history will be rewritten."""
    served = tmp_path_factory.mktemp("served")
    for name in ("good", "tampered", "rewritten"):
        subprocess.run(
            ["git", "clone", "-q", "--bare", str(demo_master), str(served / f"{name}.git")],
            check=True,
        )
    # tampered: an issued procedure edited by hand and pushed
    work = served.parent / "tamper-work"
    subprocess.run(["git", "clone", "-q", str(served / "tampered.git"), str(work)], check=True)
    file = work / "procedures" / "QT-TP-01.yaml"
    file.write_text(
        file.read_text(encoding="utf-8").replace("purpose: ", "purpose: Sửa tay. ", 1), "utf-8"
    )
    git(work, "-c", "user.name=X", "-c", "user.email=x@example.org", "commit", "-qam", "sửa tay")
    git(work, "push", "-q", "origin", "HEAD")
    with git_daemon(served) as url:
        yield served, url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def province(tmp_path: Path) -> Path:
    root = tmp_path / "province"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Sở Khoa học và Công nghệ")
    git(root, "config", "user.email", "skhcn@binhgiang.gov.vn")
    return root


def test_the_fleet_over_a_real_git_server(
    server: tuple[Path, str],
    province: Path,
    demo_master: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served, url = server
    agencies = [
        ("an-hoa", "good", "UBND phường An Hòa"),
        ("tan-lap", "tampered", "UBND xã Tân Lập"),
        ("phu-my", "rewritten", "UBND phường Phú Mỹ"),
        ("ha-giang", "absent", "UBND xã Hà Giang"),  # nothing served there
    ]
    for agency_id, repo, name in agencies:
        code, out, err = run(capsys, "-C", str(province), "--lang", "en", "fleet", "add",
                             agency_id, f"{url}/{repo}.git", "--name", name, "--level", "xã")  # fmt: skip
        assert code == 0, err
    assert [a.id for a in read_fleet(province).agencies] == [
        "an-hoa",
        "tan-lap",
        "phu-my",
        "ha-giang",
    ]
    assert git(province, "rev-list", "--count", "HEAD").strip() == "4"  # one commit each
    assert git(province, "status", "--porcelain").strip() == ""

    code, out, _ = run(capsys, "-C", str(province), "fleet", "fetch", "--jobs", "3", "--json")
    results = {r["agency"]: r for r in json.loads(out)["agencies"]}
    assert code == 1 and results["ha-giang"]["error"] and not results["an-hoa"]["error"]
    mirror = province / ".git" / "qms-fleet" / "an-hoa.git"
    assert (mirror / "HEAD").is_file() and not (mirror / "procedures").exists()  # bare

    # the agency rewrites its published history: one commit dropped, another in its place
    rewritten = served / "rewritten.git"
    parent = git(rewritten, "rev-parse", "HEAD~1").strip()
    tree = git(rewritten, "rev-parse", "HEAD~1^{tree}").strip()
    forged = git(rewritten, "-c", "user.name=X", "-c", "user.email=x@example.org",
                 "commit-tree", tree, "-p", parent, "-m", "viết lại").strip()  # fmt: skip
    old_head = git(rewritten, "rev-parse", "HEAD").strip()
    git(rewritten, "update-ref", "refs/heads/main", forged)
    code, out, _ = run(capsys, "-C", str(province), "fleet", "fetch", "--json")
    results = {r["agency"]: r for r in json.loads(out)["agencies"]}
    assert results["phu-my"]["rewritten"] and results["phu-my"]["head"] == forged
    kept = province / ".git" / "qms-fleet" / "phu-my.git"
    assert git(kept, "rev-parse", f"refs/qms-evidence/{old_head}").strip() == old_head

    code, out, _ = run(capsys, "-C", str(province), "fleet", "status", "--as-of", AS_OF, "--json")
    data = json.loads(out)
    rows = {row["id"]: row for row in data["agencies"]}
    errors = {
        k: sorted(p["check"] for p in r["problems"] if p["severity"] == "error")
        for k, r in rows.items()
    }
    assert code == 1 and data["as_of"] == AS_OF
    assert errors == {
        "an-hoa": [],
        "tan-lap": ["invalid-files", "verify-failed"],  # a signature no longer matches
        "phu-my": ["history-rewritten"],
        "ha-giang": ["not-fetched"],
    }
    assert rows["an-hoa"]["verified"] is True and rows["tan-lap"]["verified"] is False
    local = Repository.open(demo_master).summaries(on=dt.date(2025, 12, 31))
    expected = Counter(r.kind for r in local if r.status == "effective")
    assert rows["an-hoa"]["in_force"] == dict(sorted(expected.items()))  # what a checkout says

    code, out, _ = run(
        capsys, "-C", str(province), "--lang", "vi", "fleet", "status", "--as-of", AS_OF
    )
    flat = " ".join(out.replace("│", " ").split())
    assert code == 1 and "UBND xã Tân Lập" in flat and "Các cơ quan ngày 31/12/2025" in flat
    assert "phê duyệt không kiểm chứng được" in flat and "chưa tải về lần nào" in flat

    # a warm run reads again only what moved: nothing here, so no process is started
    from qmsdocs.fleet import isolate

    calls: list[str] = []
    real = isolate.read_isolated

    def counted(agencies: Any, *args: Any, **kwargs: Any) -> Any:
        calls.extend(a.id for a in agencies)
        return real(agencies, *args, **kwargs)

    monkeypatch.setattr(isolate, "read_isolated", counted)
    code, warm, _ = run(capsys, "-C", str(province), "fleet", "status", "--as-of", AS_OF, "--json")
    assert json.loads(warm) == data and calls == []
    git(served / "good.git", "update-ref", "refs/heads/main", "HEAD~1")  # an-hoa moves back
    run(capsys, "-C", str(province), "fleet", "fetch")
    code, _, _ = run(capsys, "-C", str(province), "fleet", "status", "--as-of", AS_OF, "--json")
    assert calls == ["an-hoa"]  # only the agency whose head moved is read again

    # the province's outputs, opened by LibreOffice with the Vietnamese intact
    out = province.parent / "out"
    for command in ("report", "plan"):
        code, _, err = run(capsys, "-C", str(province), "--lang", "vi", "fleet", command,
                           "--year", "2025", "--out", str(out), "--agency", "Sở Khoa học và Công nghệ tỉnh Bình Giang")  # fmt: skip
        assert code == 0, err
    report, plan = out / "bao-cao-htqlcl-2025.docx", out / "ke-hoach-kiem-tra-2025.docx"
    again = out / "again"
    assert run(capsys, "-C", str(province), "--lang", "vi", "fleet", "plan", "--year", "2025",
               "--out", str(again), "--agency", "Sở Khoa học và Công nghệ tỉnh Bình Giang")[0] == 0  # fmt: skip
    assert (again / plan.name).read_bytes() == plan.read_bytes()  # the same plan every time
    if shutil.which("soffice") and shutil.which("pdftotext"):
        subprocess.run(["soffice", f"-env:UserInstallation={(out / 'profile').as_uri()}",
                        "--headless", "--convert-to", "pdf", "--outdir", str(out), str(report), str(plan)],
                       check=True, capture_output=True, timeout=300)  # fmt: skip
        texts = {}
        for name in ("bao-cao-htqlcl-2025", "ke-hoach-kiem-tra-2025"):
            pdf = out / f"{name}.pdf"
            raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
            texts[name] = " ".join(raw.stdout.decode("utf-8").split())
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts["bao-cao-htqlcl-2025"]
        assert "UBND xã Tân Lập" in texts["bao-cao-htqlcl-2025"]
        assert "KẾ HOẠCH" in texts["ke-hoach-kiem-tra-2025"]
        assert "Tại cơ quan" in texts["ke-hoach-kiem-tra-2025"]


def test_fleet_list_refuses_bad_input_and_keeps_the_file(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "-C", str(province), "fleet", "add", "Bad Id", "git://x/y.git", "--name", "X"
    )
    assert code == 2 and "'ID'" in err
    assert not (province / "fleet.yaml").exists()
    assert run(capsys, "-C", str(province), "fleet", "add", "a", "/nowhere", "--name", "A")[0] == 0
    code, _, err = run(capsys, "-C", str(province), "fleet", "add", "a", "/else", "--name", "B")
    assert code == 1 and "a" in err
    code, _, err = run(capsys, "-C", str(province), "fleet", "remove", "zz")
    assert code == 1
    (province / "fleet.yaml").write_text("agencies:\n  - id: a\n    name: A\n", "utf-8")
    code, _, err = run(capsys, "-C", str(province), "fleet", "status")
    assert (
        code == 1
        and err.startswith("qms: ")
        and "fleet.yaml:2:5" in err
        and "missing required field 'url'" in err
    )
    assert FleetList().agencies == []


def test_the_inspection_plan_visits_a_third_most_at_risk_first() -> None:
    from qmsdocs.findings import Severity
    from qmsdocs.fleet.plan import inspection_plan
    from qmsdocs.fleet.status import AgencyStatus, Problem
    from qmsdocs.i18n import Said

    def row(agency: str, errors: int) -> AgencyStatus:
        status = AgencyStatus(agency, agency.upper())
        status.problems = [Problem(Severity.ERROR, "x", Said("x"))] * errors
        return status

    rows = [row(f"a{n:02d}", 1 if n in (3, 7) else 0) for n in range(10)]
    plan = inspection_plan(rows, year=2026)
    assert [i.status.id for i in plan[:2]] == ["a03", "a07"] or [i.status.id for i in plan[:2]] == [
        "a07",
        "a03",
    ]
    assert sum(i.on_site for i in plan) == 4  # ceil(10 / 3)
    assert all(i.on_site for i in plan[:4]) and not any(i.on_site for i in plan[4:])
    assert [i.status.id for i in inspection_plan(rows, year=2026)] == [i.status.id for i in plan]
    other = [i.status.id for i in inspection_plan(rows, year=2027)]
    assert sorted(other[2:4]) != sorted(i.status.id for i in plan[2:4]) or other != [
        i.status.id for i in plan
    ]
