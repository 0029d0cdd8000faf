"""The whole cycle over a real git server: a framework, three agencies, a release after a
legal change, and each agency's `qms framework update` giving exactly the expected drafts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from qmsdocs import Repository
from qmsdocs.cli.main import main
from qmsdocs.errors import ActionRefused
from qmsdocs.framework.derive import rendered_model
from qmsdocs.framework.follow import open_release
from qmsdocs.framework.merge import OWN_FIELDS
from qmsdocs.model import MergeConflict, Status
from tests.conftest import git
from tests.framework.builders import build_agency, commit_all, edit_field, revise_framework
from tests.framework.conftest import Province

FW = "mo-hinh-xa"
START = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).replace(
    microsecond=0
) - dt.timedelta(hours=3)


def at(minutes: int) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


def qms(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def issue(repo: Repository, code: str, minute: int) -> None:
    repo.submit(code, by="an", now=at(minute))
    repo.review(code, by="binh", now=at(minute + 1))
    repo.approve(code, by="cuong", now=at(minute + 2))


def follow(root: Path, url: str, name: str, capsys: pytest.CaptureFixture[str]) -> Repository:
    code, out, err = qms(capsys, "-C", str(root), "framework", "add", FW, url, "--ref", "v1",
                         "--set", f"agency_name={name}", "--set", "time_limit_days=5",
                         "--as", "an")  # fmt: skip
    assert code == 0, err
    repo = Repository.open(root)
    repo.adopt(FW, every=True, by="an", now=at(1))
    for n, document in enumerate(("QT-HT-01", "QT-KS-01")):
        issue(repo, document, 2 + 3 * n)
    return repo


def content(document: object) -> dict[str, object]:
    data = document.model_dump(mode="json", by_alias=True)  # type: ignore[attr-defined]
    return {k: v for k, v in data.items() if k not in OWN_FIELDS}


def test_three_agencies_take_a_release(
    province: Province, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = build_agency(tmp_path / "kept")  # a local change the framework did not touch
    conflicting = build_agency(tmp_path / "conflicting")  # changed what the framework changed
    untouched = build_agency(tmp_path / "untouched")
    # the value of a parameter is text, even when it looks like a placeholder
    repos = {
        "kept": follow(kept, province.url, "UBND xã Tân Lập", capsys),
        "conflicting": follow(conflicting, province.url, "UBND xã {{ head_title }}", capsys),
        "untouched": follow(untouched, province.url, "UBND xã Hòa Bình", capsys),
    }
    assert repos["conflicting"].document("QT-HT-01").title == (
        "Quy trình đăng ký khai sinh tại UBND xã {{ head_title }}"
    )
    derived = repos["kept"].document("QT-HT-01")
    assert derived.derived_from is not None and derived.derived_from.revision == 1
    assert derived.tthc is not None and derived.tthc.time_limit == "5 ngày làm việc"
    assert derived.tthc.implementing_agency == "UBND xã Tân Lập"
    assert derived.steps[2].responsible == "Chủ tịch UBND xã"  # the parameter's default
    shared = repos["kept"].legal_document("123/2015/NĐ-CP")
    assert shared.origin is not None and shared.origin.framework == FW
    own = repos["kept"].legal_document("19/2014/QĐ-TTg")
    assert own.origin is None  # the agency registered it itself: left alone

    # local changes, issued as revision 2 of each agency's procedure
    for name, pattern, replacement in (
        ("kept", r"scope: Áp dụng tại", "scope: Áp dụng cả tại điểm tiếp nhận ở thôn và tại"),
        ("conflicting", r"time: 1 ngày", "time: 2 ngày"),
    ):
        repo = repos[name]
        repo.revise("QT-HT-01", reason="Điều chỉnh tại địa phương", by="an", now=at(20))
        edit_field(repo.root / "procedures" / "QT-HT-01.yaml", pattern, replacement)
        commit_all(repo.root, "Điều chỉnh tại địa phương")
        issue(Repository.open(repo.root), "QT-HT-01", 21)
    # the conflicting agency also withdrew the system procedure
    Repository.open(conflicting).withdraw("QT-KS-01", reason="Dùng quy trình riêng", by="cuong",
                                          now=at(30))  # fmt: skip

    # the province registers a decree, revises the models and releases v2
    revise_framework(province.work)
    assert Repository.open(province.work).validate() == []
    province.publish()

    results = {}
    for name, root in (("kept", kept), ("conflicting", conflicting), ("untouched", untouched)):
        before = int(git(root, "rev-list", "--count", "HEAD"))
        code, out, err = qms(capsys, "-C", str(root), "framework", "fetch", "--json")
        assert code == 0, err
        assert json.loads(out)["frameworks"][0]["new"] == ["v2"]
        code, out, err = qms(capsys, "-C", str(root), "framework", "update", "--json", "--as", "an")
        assert code == (1 if name == "conflicting" else 0), err  # conflicts are findings
        results[name] = json.loads(out)
        assert int(git(root, "rev-list", "--count", "HEAD")) == before + 1  # one commit
        assert git(root, "status", "--porcelain") == ""
        assert results[name]["offered"] == ["QT-HT-02"]  # offered, not adopted
        assert results[name]["legal_added"] == ["04/2025/NĐ-CP"]
        assert "release: v2" in (root / "qms.yaml").read_text(encoding="utf-8")

    drafts = {n: {d["code"]: d for d in r["drafts"]} for n, r in results.items()}
    assert {n: sorted(d) for n, d in drafts.items()} == {
        "kept": ["QT-HT-01", "QT-KS-01"],
        "conflicting": ["QT-HT-01"],
        "untouched": ["QT-HT-01", "QT-KS-01"],
    }
    assert results["conflicting"]["withdrawn"] == ["QT-KS-01"]

    # kept: the local change survives, the framework's changes arrive, no conflict
    doc = Repository.open(kept).document("QT-HT-01")
    assert doc.status is Status.DRAFT and doc.revision == 3 and doc.conflicts == []
    assert doc.scope.startswith("Áp dụng cả tại điểm tiếp nhận ở thôn")
    assert doc.steps[1].time == "0,5 ngày"
    assert [b.ref for b in doc.legal_basis] == ["123/2015/NĐ-CP", "04/2025/NĐ-CP"]
    assert doc.derived_from is not None and doc.derived_from.revision == 2
    assert doc.derived_from.release == "v2" and doc.approvals == []
    assert doc.history[-1].revision == 3

    # conflicting: exactly the expected conflict, as data; validate and submit refuse
    repo = Repository.open(conflicting)
    doc = repo.document("QT-HT-01")
    assert doc.conflicts == [
        MergeConflict(field="steps[2].time", base="1 ngày", framework="0,5 ngày", local="2 ngày")
    ]
    assert doc.steps[1].time == "2 ngày"  # the agency's value until the officer decides
    assert doc.tthc is not None and len(doc.tthc.dossier) == 3  # the rest was merged
    assert [f.check for f in repo.validate() if f.severity.value == "error"] == ["merge-conflict"]
    with pytest.raises(ActionRefused):
        repo.submit("QT-HT-01", by="an", now=at(200))
    assert repo.document("QT-KS-01").status is Status.WITHDRAWN  # not reopened
    # the officer resolves it by editing, then the draft goes through as any other
    edit_field(repo.root / "procedures" / "QT-HT-01.yaml", r"time: 2 ngày", "time: 1 ngày")
    text = (repo.root / "procedures" / "QT-HT-01.yaml").read_text(encoding="utf-8")
    start = text.index("conflicts:\n")
    end = text.index("\n", text.index("    local: 2 ngày")) + 1
    (repo.root / "procedures" / "QT-HT-01.yaml").write_text(text[:start] + text[end:], "utf-8")
    commit_all(repo.root, "Giải quyết xung đột")
    repo = Repository.open(conflicting)
    assert repo.validate() == []
    issue(repo, "QT-HT-01", 201)
    assert repo.document("QT-HT-01").status is Status.APPROVED

    # untouched: the draft is the new release rendered with the agency's values
    repo = Repository.open(untouched)
    git_dir = untouched / ".git"
    release = open_release(git_dir, FW, "v2")
    values = {"agency_name": "UBND xã Hòa Bình", "head_title": "Chủ tịch UBND xã",
              "one_stop_desk": "Bộ phận Một cửa", "time_limit_days": 5,
              "birth_fee": "Miễn lệ phí"}  # fmt: skip
    for code in ("QT-HT-01", "QT-KS-01"):
        expected = rendered_model(release, code, values, framework=FW, tag="v2")
        assert content(repo.document(code)) == content(expected)
        assert repo.document(code).conflicts == []

    # every release read back from the agency's own git, under the private namespace
    refs = git(untouched, "for-each-ref", "--format=%(refname)").split()
    assert f"refs/qms-framework/{FW}/tags/v1" in refs and f"refs/qms-framework/{FW}/tags/v2" in refs
    assert not any(r.startswith("refs/tags/v") for r in refs)
    # verify reads each base back; a clone that never fetched the framework is told to
    from qmsdocs.framework.checks import framework_bases

    assert framework_bases(repo) == []
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(untouched), str(clone))
    assert {(f.check, f.severity.value) for f in framework_bases(Repository.open(clone))} == {
        ("framework-base", "warning")
    }
    edit_field(untouched / "procedures" / "QT-KS-01.yaml", r"stamp: sha256:[0-9a-f]{8}",
               "stamp: sha256:00000000")  # fmt: skip
    (problem,) = framework_bases(Repository.open(untouched))
    assert (problem.file, problem.severity.value) == ("procedures/QT-KS-01.yaml", "error")


def test_the_fleet_sees_each_agency_s_framework_lag(
    province: Province, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The province mirrors its framework with the agencies: an agency that has not taken
    the new release is behind by one, one that took it is not, one that follows none is
    an error; the portal's dashboard charts the lag."""
    served = province.bare.parent
    behind = build_agency(tmp_path / "behind")
    taken = build_agency(tmp_path / "taken")
    follow(behind, province.url, "UBND xã Tân Lập", capsys)
    follow(taken, province.url, "UBND xã Hòa Bình", capsys)
    none = build_agency(tmp_path / "none")  # lists no framework in its qms.yaml
    revise_framework(province.work)
    province.publish()
    assert qms(capsys, "-C", str(taken), "framework", "fetch")[0] == 0
    assert qms(capsys, "-C", str(taken), "framework", "update", "--as", "an")[0] == 0
    url = province.url.rsplit("/", 1)[0]
    for name, root in (("behind", behind), ("taken", taken), ("none", none)):
        git(root, "clone", "-q", "--bare", str(root), str(served / f"{name}.git"))

    fleet = tmp_path / "province-office"
    fleet.mkdir()
    git(fleet, "init", "-q", "-b", "main")
    (fleet / "fleet.yaml").write_text(
        f"schema_version: 1\nframeworks:\n  - {{name: {FW}, url: '{province.url}'}}\nagencies:\n"
        + "".join(
            f"  - {{id: {n}, name: UBND xã {n}, url: '{url}/{n}.git', framework: {FW}}}\n"
            for n in ("behind", "taken", "none")
        ),
        encoding="utf-8",
    )
    git(fleet, "add", "-A")
    git(fleet, "-c", "user.name=Sở KH&CN", "-c", "user.email=s@t.vn", "commit", "-qm", "fleet")
    code, out, err = qms(capsys, "-C", str(fleet), "fleet", "fetch", "--json")
    assert code == 0, err
    assert json.loads(out)["agencies"][-1]["agency"] == f"framework:{FW}"
    code, out, err = qms(capsys, "-C", str(fleet), "fleet", "add", "later", f"{url}/none.git",
                         "--name", "UBND xã Sau", "--by", "Sở KH&CN <s@t.vn>")  # fmt: skip
    assert code == 0, err
    assert f"name: {FW}" in (fleet / "fleet.yaml").read_text(encoding="utf-8")  # kept
    code, out, err = qms(capsys, "-C", str(fleet), "fleet", "status", "--json")
    rows = {r["id"]: r for r in json.loads(out)["agencies"]}
    assert (rows["behind"]["framework_behind"], rows["behind"]["framework_conflicts"]) == (1, 0)
    assert "framework-behind" in [p["check"] for p in rows["behind"]["problems"]]
    assert rows["taken"]["framework_behind"] == 0
    assert not [p for p in rows["taken"]["problems"] if p["check"].startswith("framework")]
    assert rows["none"]["framework_behind"] is None
    assert "framework-not-followed" in [p["check"] for p in rows["none"]["problems"]]
