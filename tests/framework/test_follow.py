"""Following a framework: refusals in one line with nothing written, status, shared legal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from qmsdocs import Repository
from qmsdocs.cli.main import main
from qmsdocs.errors import ActionRefused
from tests.conftest import git, tree_snapshot
from tests.framework.builders import (
    MODEL_SYSTEM,
    TZ,
    build_agency,
    commit_all,
    edit_field,
    revise_framework,
    write,
)
from tests.framework.conftest import Province
from tests.gitserver import free_port

FW = "mo-hinh-xa"
NOW = dt.datetime(2025, 2, 3, 9, 0, tzinfo=TZ)


def qms(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def state(root: Path) -> tuple[object, ...]:
    return (
        tree_snapshot(root),
        git(root, "for-each-ref", "--format=%(refname) %(objectname)"),
        git(root, "rev-parse", "HEAD"),
    )


@pytest.mark.parametrize(
    ("where", "extra", "expected"),
    [
        ("unreachable", (), "cannot reach"),
        ("missing-tag", ("--ref", "v9"), "has no release v9"),
        ("not-a-qms", (), "is not a QMS repository"),
        ("unknown-parameter", ("--set", "ward=Phường 1"), "declares no parameter ward"),
        ("wrong-type", ("--set", "time_limit_days=năm"), "is a whole number"),
    ],
)
def test_a_bad_source_is_one_line_and_nothing_written(
    province: Province,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    where: str,
    extra: tuple[str, ...],
    expected: str,
) -> None:
    agency = build_agency(tmp_path / "agency")
    url = {
        "unreachable": f"git://127.0.0.1:{free_port()}/mo-hinh-xa.git",
        "missing-tag": province.url,
        "not-a-qms": province.url.replace("mo-hinh-xa.git", "plain.git"),
    }.get(where, province.url)
    before = state(agency)
    code, out, err = qms(capsys, "-C", str(agency), "framework", "add", FW, url, *extra,
                         "--as", "an")  # fmt: skip
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and expected in err, err
    assert "Traceback" not in err
    assert state(agency) == before


def test_fetch_of_an_unreachable_framework_writes_nothing(
    province: Province, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agency = build_agency(tmp_path / "agency")
    repo = Repository.open(agency)
    repo.framework_add(FW, province.url, by="an", now=NOW)
    # the framework moves away: fetching says so in one line and changes nothing
    qms_yaml = agency / "qms.yaml"
    edit_field(qms_yaml, r"url: .*", f"url: git://127.0.0.1:{free_port()}/gone.git")
    commit_all(agency, "moved")
    before = state(agency)
    code, _, err = qms(capsys, "-C", str(agency), "framework", "fetch")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "cannot reach" in err
    assert state(agency) == before


def test_adoption_refuses_an_unknown_placeholder_naming_file_and_field(
    province: Province, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        province.work,
        {"procedures/QT-KS-02.yaml": MODEL_SYSTEM.replace("QT-KS-01", "QT-KS-02").replace(
            "scope: Mọi tài liệu của HTQLCL", "scope: Mọi tài liệu của {{ ward_name }}")},
    )  # fmt: skip
    commit_all(province.work, "typo")
    git(province.work, "tag", "-a", "v1.1", "-m", "v1.1")
    province.publish()
    # in the framework itself, validate names the file, line and field
    findings = [f for f in Repository.open(province.work).validate() if f.check != "schema"]
    assert [(f.file, f.line, f.field, f.check) for f in findings] == [
        ("procedures/QT-KS-02.yaml", 14, "scope", "unknown-placeholder")
    ]
    agency = build_agency(tmp_path / "agency")
    repo = Repository.open(agency)
    repo.framework_add(FW, province.url, release="v1.1", by="an", now=NOW)
    before = state(agency)
    code, _, err = qms(capsys, "-C", str(agency), "adopt", f"{FW}:QT-KS-02", "--as", "an")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "procedures/QT-KS-02.yaml" in err and "scope" in err and "{{ ward_name }}" in err
    assert state(agency) == before


def test_adopt_with_a_local_code_and_status(
    province: Province, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agency = build_agency(tmp_path / "agency")
    repo = Repository.open(agency)
    repo.framework_add(FW, province.url, parameters={"agency_name": "UBND xã An Phú"}, by="an",
                       now=NOW)  # fmt: skip
    code, out, err = qms(capsys, "-C", str(agency), "adopt", f"{FW}:QT-HT-01", "--code",
                         "QT-AP-01", "--as", "an")  # fmt: skip
    assert code == 0, err
    repo = Repository.open(agency)
    doc = repo.document("QT-AP-01")
    assert doc.derived_from is not None and doc.derived_from.code == "QT-HT-01"
    assert doc.status.value == "draft" and doc.revision == 1
    with pytest.raises(ActionRefused, match="adopted already"):
        repo.adopt(FW, ["QT-HT-01"], by="an", now=NOW)
    # a local edit of the draft is a deviation from the model
    edit_field(agency / "procedures" / "QT-AP-01.yaml", r"result: Giấy khai sinh",
               "result: Giấy khai sinh (bản chính)")  # fmt: skip
    commit_all(agency, "local")
    revise_framework(province.work)
    province.publish()
    repo = Repository.open(agency)
    repo.framework_fetch()
    code, out, err = qms(capsys, "-C", str(agency), "framework", "status", "--json")
    assert code == 0, err
    (status,) = json.loads(out)["frameworks"]
    assert status["release"] == "v1" and status["latest"] == "v2"
    assert status["releases_behind"] == 1
    assert status["offered"] == ["QT-HT-02", "QT-KS-01"]
    (row,) = status["documents"]
    assert row == {
        "code": "QT-AP-01", "status": "draft", "model": "QT-HT-01", "followed_revision": 1,
        "latest_revision": 2, "behind": True, "deviations": 1, "conflicts": 0,
    }  # fmt: skip
    code, out, err = qms(capsys, "-C", str(agency), "framework", "status")
    assert code == 0 and "QT-AP-01" in out and "offered, not adopted: QT-HT-02, QT-KS-01" in out
    # a draft already open is not overwritten by an update: it is reported
    code, out, err = qms(capsys, "-C", str(agency), "framework", "update", "--as", "an")
    assert code == 0, err
    assert "left alone, a draft or review is open: QT-AP-01" in out
    assert "Nhận bản phát hành v2 của mô hình khung mo-hinh-xa: 0 dự thảo sửa đổi" in out  # vi agency


def test_a_shared_legal_file_edited_locally_is_flagged(province: Province, tmp_path: Path) -> None:
    agency = build_agency(tmp_path / "agency")
    repo = Repository.open(agency)
    repo.framework_add(FW, province.url, by="an", now=NOW)
    repo.adopt(FW, ["QT-KS-01"], by="an", now=NOW)
    assert [f for f in Repository.open(agency).validate() if f.severity.value == "error"] == []
    edit_field(agency / "legal" / "123-2015-ND-CP.yaml", r"issuer: Chính phủ", "issuer: Bộ Tư pháp")
    commit_all(agency, "edited")
    findings = [f for f in Repository.open(agency).validate() if f.check == "shared-legal-edited"]
    assert [(f.file, f.severity.value) for f in findings] == [
        ("legal/123-2015-ND-CP.yaml", "warning")
    ]


def test_impact_counts_a_revised_model_with_the_legal_change_deadline(
    province: Province, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qmsdocs.framework.status import framework_lag

    agency = build_agency(tmp_path / "agency")
    repo = Repository.open(agency)
    repo.framework_add(FW, province.url, by="an", now=NOW)
    repo.adopt(FW, ["QT-KS-01"], by="an", now=NOW)
    repo.submit("QT-KS-01", by="an", now=NOW + dt.timedelta(hours=1))
    repo.review("QT-KS-01", by="binh", now=NOW + dt.timedelta(hours=2))
    repo.approve("QT-KS-01", by="cuong", now=NOW + dt.timedelta(hours=3))
    assert repo.impact(on=dt.date(2025, 6, 1)) == []
    revise_framework(province.work)
    province.publish()
    repo.framework_fetch()
    (suspect,) = Repository.open(agency).impact(on=dt.date(2025, 6, 1))
    (reason,) = suspect.reasons
    assert (suspect.code, reason.change, reason.by, reason.cited) == (
        "QT-KS-01", "framework-revised", "v2", f"{FW}:QT-KS-01"
    )  # fmt: skip
    # the model revision took effect on 2 May 2025: three months, as for a legal change
    assert reason.effective == dt.date(2025, 5, 2) and suspect.deadline == dt.date(2025, 8, 2)
    code, out, _ = qms(capsys, "-C", str(agency), "impact", "--as-of", "2025-06-01", "--json")
    (shown,) = json.loads(out)["suspects"]
    assert code == 1 and shown["deadline"] == "2025-08-02"
    assert shown["reasons"][0]["change"] == "framework-revised"
    # what the fleet reads of the agency's committed state, without a checkout
    lag = framework_lag(Repository.at(agency / ".git", "HEAD"))
    assert (lag.releases_behind, lag.conflicts, lag.behind_documents) == (1, 0, 1)
    assert (
        framework_lag(Repository.at(agency / ".git"), {FW: ["v1", "v2", "v3"]}).releases_behind == 2
    )
    # taking the release, then approving the draft, clears it
    later = dt.datetime(2025, 6, 2, 9, 0, tzinfo=TZ)
    repo = Repository.open(agency)
    repo.framework_update(FW, by="an", now=later)
    assert [s.draft for s in repo.impact(on=dt.date(2025, 6, 2))] == [2]  # still, until issued
    repo.submit("QT-KS-01", by="an", now=later + dt.timedelta(hours=1))
    repo.review("QT-KS-01", by="binh", now=later + dt.timedelta(hours=2))
    repo.approve("QT-KS-01", by="cuong", now=later + dt.timedelta(hours=3))
    assert Repository.open(agency).impact(on=dt.date(2025, 6, 3)) == []


def test_a_withdrawn_model_is_reported_and_a_release_is_never_taken_backwards(
    province: Province, tmp_path: Path
) -> None:
    agency = build_agency(tmp_path / "agency")
    repo = Repository.open(agency)
    repo.framework_add(FW, province.url, by="an", now=NOW)
    repo.adopt(FW, ["QT-KS-01"], by="an", now=NOW)
    for n, (verb, who) in enumerate((("submit", "an"), ("review", "binh"), ("approve", "cuong"))):
        getattr(repo, verb)("QT-KS-01", by=who, now=NOW + dt.timedelta(hours=n + 1))
    edit_field(province.work / "procedures" / "QT-KS-01.yaml", r"status: approved",
               "status: withdrawn\nwithdrawal: {date: 2025-06-01, reason: Gộp vào QT-KS-02}")  # fmt: skip
    commit_all(province.work, "withdraw")
    git(province.work, "tag", "-a", "v2", "-m", "v2")
    province.publish()
    repo.framework_fetch()
    result = repo.framework_update(FW, by="an", now=NOW + dt.timedelta(days=5))
    assert result.to_withdraw == ("QT-KS-01",) and result.drafts == ()
    assert repo.document("QT-KS-01").status.value == "approved"  # the agency decides
    assert "release: v2" in (agency / "qms.yaml").read_text(encoding="utf-8")
    before = state(agency)
    with pytest.raises(ActionRefused, match="never taken backwards"):
        repo.framework_update(FW, to="v1", by="an", now=NOW + dt.timedelta(days=6))
    assert state(agency) == before


def test_adoption_never_overwrites_a_file_of_the_agency(province: Province, tmp_path: Path) -> None:
    agency = build_agency(tmp_path / "agency")
    broken = "number: [không đọc được\n"
    write(agency, {"legal/123-2015-ND-CP.yaml": broken, "procedures/QT-KS-01.yaml": broken})
    commit_all(agency, "files the agency has, unreadable")
    repo = Repository.open(agency)
    repo.framework_add(FW, province.url, by="an", now=NOW)
    with pytest.raises(ActionRefused, match="procedures/QT-KS-01.yaml already exists"):
        repo.adopt(FW, ["QT-KS-01"], by="an", now=NOW)
    (result,) = repo.adopt(FW, ["QT-KS-01"], code="QT-KS-09", by="an", now=NOW)
    assert result.changed
    assert (agency / "legal" / "123-2015-ND-CP.yaml").read_text(encoding="utf-8") == broken
    assert (agency / "procedures" / "QT-KS-01.yaml").read_text(encoding="utf-8") == broken
