"""Issue 19, done when: a decision that adds, amends and abolishes TTHC of the sample agency,
followed from ``qms impact`` to a new announcement of the QMS (a real git repository, the CLI
as an officer types it, a real .docx converted by LibreOffice)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from qmsdocs import Repository
from qmsdocs.cli.main import main
from tests.conftest import git

DECISION = "215/QĐ-UBND"
NEW_TTHC = "1.000480.000.00.00.H99"  # Đăng ký giám hộ: no procedure yet
CSV = f"""ma_tthc,ten_tthc,linh_vuc,cap_thuc_hien,co_quan_thuc_hien,trang_thai,thay_the_cho
{NEW_TTHC},Đăng ký giám hộ,Hộ tịch,Cấp xã,Ủy ban nhân dân cấp xã,Mới ban hành,
1.000894.000.00.00.H99,Đăng ký kết hôn,Hộ tịch,Cấp xã,Ủy ban nhân dân cấp xã,Sửa đổi,
2.000884.000.00.00.H99,Chứng thực chữ ký,Chứng thực,Cấp xã,Ủy ban nhân dân cấp xã,bãi bỏ,
"""


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object]:
    capsys.readouterr()
    code = main(list(args))
    said = capsys.readouterr()
    assert said.out.startswith("{"), said.err
    return code, json.loads(said.out)


def _sign(repo: Repository, code: str, now: dt.datetime) -> None:
    repo.submit(code, by="vo-minh-tuan", now=now)
    repo.review(code, by="tran-thi-mai", now=now + dt.timedelta(minutes=5))
    repo.approve(code, by="nguyen-van-hung", now=now + dt.timedelta(minutes=10))


def test_a_tthc_decision_from_impact_to_a_new_announcement(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    qms = ["-C", str(sample)]
    # The province's decision is registered, then its TTHC list imported (one commit each).
    assert main([*qms, "legal", "add", "--number", DECISION, "--issuer",
                 "Ủy ban nhân dân tỉnh Bình Giang", "--title",
                 "Về việc công bố Danh mục thủ tục hành chính lĩnh vực hộ tịch, chứng thực",
                 "--issued", "02/03/2026", "--as", "pham-thu-ha"]) == 0  # fmt: skip
    rows = tmp_path / "215.csv"
    rows.write_text(CSV, encoding="utf-8")
    before = git(sample, "rev-list", "--count", "HEAD")
    assert main([*qms, "tthc", "import", str(rows), "--decision", DECISION,
                 "--as", "pham-thu-ha"]) == 0  # fmt: skip
    assert int(git(sample, "rev-list", "--count", "HEAD")) == int(before) + 1

    # impact: exactly one procedure to create, one to revise, one to withdraw, each due five
    # working days after the decision was signed (Monday 2 March 2026: Monday 9 March).
    code, report = _json(capsys, *qms, "impact", "--json", "--as-of", "2026-03-05")
    assert code == 1 and isinstance(report, dict)
    tasks = {(t["action"], t["tthc_code"], t["procedure"], t["deadline"]) for t in report["tthc"]}
    assert tasks == {
        ("create", NEW_TTHC, None, "2026-03-09"),
        ("revise", "1.000894.000.00.00.H99", "QT-TP-02", "2026-03-09"),
        ("withdraw", "2.000884.000.00.00.H99", "QT-TP-06", "2026-03-09"),
    }
    assert all(s["deadline"] for s in report["suspects"])  # legal suspects carry one too
    code, late = _json(capsys, *qms, "impact", "--json", "--overdue", "--as-of", "2026-03-10")
    assert isinstance(late, dict) and len(late["tthc"]) == 3

    # revise --tthc opens the revision of QT-TP-02 in one commit, reason prefilled.
    assert main([*qms, "revise", "--tthc", DECISION, "--as", "vo-minh-tuan"]) == 0
    repo = Repository.open(sample)
    draft = repo.document("QT-TP-02")
    assert draft.status.value == "draft" and DECISION in draft.history[-1].description
    assert DECISION in [ref.ref for ref in draft.legal_basis]

    # The officer creates the new procedure, withdraws the abolished one, approves them all.
    now = dt.datetime.now().astimezone() + dt.timedelta(minutes=1)
    assert main([*qms, "new", "procedure", "QT-TP-08", "--tthc", NEW_TTHC,
                 "--as", "vo-minh-tuan"]) == 0  # fmt: skip
    repo = Repository.open(sample)
    created = repo.document("QT-TP-08")
    assert created.tthc is not None and created.tthc.name == "Đăng ký giám hộ"  # type: ignore[attr-defined]
    assert created.tthc.field == "Hộ tịch"  # type: ignore[attr-defined]
    _sign(repo, "QT-TP-08", now)
    _sign(repo, "QT-TP-02", now + dt.timedelta(hours=1))
    repo.withdraw(
        "QT-TP-06", reason=f"TTHC bị bãi bỏ theo {DECISION}", by="nguyen-van-hung",
        now=now + dt.timedelta(hours=2),
    )  # fmt: skip
    day = (now + dt.timedelta(days=1)).date().isoformat()
    code, after = _json(capsys, *qms, "impact", "--json", "--as-of", day)
    assert isinstance(after, dict) and after["tthc"] == []

    # validate warns that the scope changed since the last announcement ...
    capsys.readouterr()
    main([*qms, "validate"])
    said = capsys.readouterr()
    assert "scope" in (said.out + said.err).casefold() or "phạm vi" in (said.out + said.err)
    assert NEW_TTHC in said.out + said.err

    # ... and the head's announcement writes a .docx that LibreOffice reads with the new scope.
    assert main([*qms, "announce", "--as", "nguyen-van-hung"]) == 0
    docx = sorted((sample / "export").glob("*.docx"))
    assert docx, "the announcement .docx is in export/"
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    out = tmp_path / "pdf"
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
         "pdf", "--outdir", str(out), str(docx[-1])],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", "-layout", str(next(out.glob("*.pdf"))), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert "Đăng ký giám hộ" in text and "TCVN ISO 9001:2015" in text
    assert "Chứng thực chữ ký" not in text
    capsys.readouterr()
    main([*qms, "validate"])
    assert NEW_TTHC not in capsys.readouterr().out
