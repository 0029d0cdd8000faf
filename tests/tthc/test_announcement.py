"""The QMS scope and its announcement (công bố): the demo's history, verify, the .docx."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import docx
import pytest

from qmsdocs import ActionRefused, Repository
from qmsdocs.cli.main import main
from qmsdocs.export.announcement import render_announcement
from qmsdocs.verify import verify
from tests.conftest import git

TZ = dt.timezone(dt.timedelta(hours=7))


def test_the_demo_announces_in_2021_and_again_after_the_scope_changed(demo: Path) -> None:
    repo = Repository.open(demo)
    made = repo.announcements()
    assert [a.date for _, a in made] == [dt.date(2021, 6, 15), dt.date(2025, 8, 15)]
    assert [i.code for i in made[-1][1].tthc] == [i.code for i in repo.scope().tthc]
    assert made[0][1].tthc != made[-1][1].tthc
    for _file, announcement in made:
        tag = f"announcement/{announcement.date.isoformat()}"
        assert git(demo, "tag", "-l", tag).strip() == tag
        assert "Công bố HTQLCL" in git(demo, "log", "-1", "--format=%s", tag)  # the agency speaks vi
    assert not [f for f in repo.validate() if f.check == "scope-changed"]
    assert main(["-C", str(demo), "verify"]) == 0


def test_verify_finds_an_edited_announcement_and_a_signer_who_was_not_head(demo: Path) -> None:
    path = demo / "announcements" / "CB-2025-08-15.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("head: nguyen-van-hung", "head: tran-thi-mai"), encoding="utf-8")
    git(demo, "commit", "-qam", "Sửa tay")
    found = {f.message for f in verify(Repository.open(demo)) if f.check == "verify-announcement"}
    assert any("tran-thi-mai did not hold" in m for m in found)
    assert any("differs from the scope its tag announcement/2025-08-15 froze" in m for m in found)


def test_announce_refuses_one_who_is_not_head_and_changes_nothing_twice(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repository.open(sample)
    now = dt.datetime(2026, 3, 5, 9, 0, tzinfo=TZ)
    with pytest.raises(ActionRefused, match="does not head the agency"):
        repo.announce(by="pham-thu-ha", now=now)
    # the sample's scope is that of its last announcement: nothing to record
    assert not repo.announce(by="nguyen-van-hung", now=now).changed
    assert main(["-C", str(sample), "announce", "--diff", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == []
    repo.withdraw("QT-TP-06", reason="TTHC bãi bỏ", by="nguyen-van-hung", now=now)
    assert main(["-C", str(sample), "announce", "--diff"]) == 1
    assert capsys.readouterr().out.startswith("- 2.000884.000.00.00.H99 Chứng thực chữ ký")
    [warning] = [f for f in repo.validate() if f.check == "scope-changed"]
    assert "removed 2.000884.000.00.00.H99" in warning.message
    result = repo.announce(by="nguyen-van-hung", now=now + dt.timedelta(hours=1))
    assert result.changed and result.tag == "announcement/2026-03-05"
    assert (
        git(sample, "rev-parse", "HEAD").strip()
        == git(sample, "rev-parse", "announcement/2026-03-05^{commit}").strip()
    )
    assert not git(sample, "status", "--porcelain").strip()
    assert not [f for f in Repository.open(sample).validate() if f.check == "scope-changed"]


def test_the_announcement_docx_is_the_same_bytes_and_reads_as_the_form(sample: Path) -> None:
    repo = Repository.open(sample)
    _file, announcement = repo.announcements()[-1]
    data = render_announcement(announcement, config=repo.config)
    assert data == render_announcement(announcement, config=repo.config)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    for cell_text in (
        c.text for t in docx.Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells
    ):
        text += "\n" + cell_text
    assert "TCVN ISO 9001:2015" in text and "ỦY BAN NHÂN DÂN PHƯỜNG AN HÒA" in text
    assert "1. Đăng ký khai tử (1.000656.000.00.00.H99)" in text
    assert "Nguyễn Văn Hùng" in text and "An Hòa" in text and "2025" in text


def test_a_procedure_whose_tthc_no_decision_lists_is_a_warning(sample: Path) -> None:
    path = sample / "procedures" / "QT-TP-01.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "1.001193.000.00.00.H99", "1.009999.000.00.00.H99"
        ),
        encoding="utf-8",
    )
    [finding] = [f for f in Repository.open(sample).validate() if f.check == "unknown-tthc"]
    assert finding.severity.value == "warning" and finding.file == "procedures/QT-TP-01.yaml"
    assert finding.line is not None and "1.009999.000.00.00.H99" in finding.message


def test_tthc_list_gives_each_tthc_in_force_with_its_procedure(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-C", str(sample), "tthc", "list", "--as-of", "2026-03-05", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["tthc"]
    assert len(rows) == 8 and all(r["procedure"] for r in rows)
    birth = next(r for r in rows if r["code"].startswith("1.001193"))
    assert birth["decision"] == "1520/QĐ-UBND" and birth["procedure"] == "QT-TP-01"
    assert main(["-C", str(sample), "tthc", "list", "--as-of", "2021-01-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tthc"] == []
