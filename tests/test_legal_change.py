"""Legal change on real git repositories: the registry's actions, import, revise --legal."""

from __future__ import annotations

import codecs
import datetime as dt
import json
from pathlib import Path

import pytest

from qmsdocs import ActionRefused, InvalidDocument, Repository
from qmsdocs.cli.main import main
from qmsdocs.impact import document_citations
from qmsdocs.legal_import import read_legal_batch
from qmsdocs.model import LegalDocument, LegalType
from tests.conftest import git, tree_snapshot

TZ = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=TZ)
D = dt.date

DECREE_118 = LegalDocument(
    number="118/2025/NĐ-CP",
    type=LegalType.DECREE,
    issuer="Chính phủ",
    title="Về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông tại Bộ phận "
    "Một cửa và Cổng Dịch vụ công quốc gia",
    issued=D(2025, 6, 9),
    effective_from=D(2025, 7, 1),
)


def _commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def test_registry_actions_are_one_commit_each_and_read_back(mini: Path) -> None:
    repo = Repository.open(mini)
    before = _commits(mini)
    repo.legal_add(DECREE_118.model_copy(update={"number": "5/2026/NĐ-CP"}), by="an", now=NOW)
    result = repo.legal_relate(
        "5-2026-ND-CP", "repeals", "19/2014/QĐ-TTg", articles=["Điều 4"], by="an", now=NOW
    )
    assert result.changed and _commits(mini) == before + 2
    assert not git(mini, "status", "--porcelain").strip()
    message = git(mini, "log", "-1", "--format=%B")
    assert "QMS-Action: legal-relate" in message and "bãi bỏ 19/2014/QĐ-TTg (Điều 4)" in message
    reread = Repository.open(mini)
    assert reread.legal.status_on(reread.legal_document("19/2014/QĐ-TTg"), NOW.date()).value == (
        "partly_expired"
    )
    assert [f for f in reread.validate() if f.severity.value == "error"] == []
    # The same relation again changes nothing and makes no commit.
    again = reread.legal_relate(
        "5/2026/NĐ-CP", "repeals", "19/2014/QĐ-TTg", articles=["Điều 4"], by="an", now=NOW
    )
    assert not again.changed and _commits(mini) == before + 2


@pytest.mark.parametrize(
    ("number", "target", "message"),
    [
        ("999/2026/NĐ-CP", "19/2014/QĐ-TTg", "not in the legal registry"),
        ("19/2014/QĐ-TTg", "404/2020/NĐ-CP", "not in the legal registry"),
        ("19/2014/QĐ-TTg", "19-2014-QD-TTg", "cannot act on itself"),
        ("118/2009/QĐ-TTg", "19/2014/QĐ-TTg", "replacement cycle"),
    ],
)
def test_a_wrong_relation_is_refused_and_nothing_is_written(
    mini: Path, number: str, target: str, message: str
) -> None:
    before = tree_snapshot(mini)
    with pytest.raises(ActionRefused, match=message):
        Repository.open(mini).legal_relate(number, "replaces", target, by="an", now=NOW)
    assert tree_snapshot(mini) == before and not git(mini, "status", "--porcelain").strip()


GOOD_CSV = """\
number,type,issuer,title,issued,effective_from,effective_until,relation,target,articles,relation_effective,note
118/2025/NĐ-CP,,Chính phủ,Về thực hiện thủ tục hành chính theo cơ chế một cửa,09/06/2025,01/07/2025,,,,,,
1520/QĐ-UBND,decision,UBND tỉnh Bình Giang,Công bố danh mục TTHC cấp xã,2025-07-10,,,,,,,
07/2026/QĐ-UBND,QĐ,UBND tỉnh Bình Giang,Bãi bỏ một số điều,2026-01-05,2026-01-15,,bãi bỏ,19/2014/QĐ-TTg,Điều 4; Điều 6,,
"""


def test_import_of_a_good_batch_is_one_commit(mini: Path) -> None:
    batch = read_legal_batch(GOOD_CSV.encode("utf-8-sig"), file="batch.csv")
    assert batch.ok, batch.findings
    assert [d.type.value for d in batch.documents] == ["decree", "decision", "decision"]
    before = _commits(mini)
    Repository.open(mini).legal_import(batch, source="batch.csv", by="an", now=NOW)
    assert _commits(mini) == before + 1
    repo = Repository.open(mini)
    assert len(repo.legal) == 5
    assert repo.legal.events(repo.legal_document("19/2014/QĐ-TTg"))[0].relation.articles == [
        "Điều 4",
        "Điều 6",
    ]


def test_import_with_bad_rows_reports_each_line_and_imports_nothing(mini: Path) -> None:
    bad = GOOD_CSV + (
        "12/2026/NĐ-CP,,Chính phủ,Thiếu ngày ban hành,,,,,,,,\n"
        "13/2026/NĐ-CP,,Chính phủ,Ngày sai,31/02/2026,,,,,,,\n"
        "14/2026/NĐ-CP,,Chính phủ,Quan hệ lạ,2026-02-01,,,nuốt,19/2014/QĐ-TTg,,,\n"
    )
    batch = read_legal_batch(bad.encode(), file="batch.csv")
    assert [(f.line, f.field) for f in batch.findings] == [
        (5, "issued"),
        (6, "issued"),
        (7, "relation"),
    ]
    before = tree_snapshot(mini)
    with pytest.raises(InvalidDocument, match="3 bad row"):
        Repository.open(mini).legal_import(batch, source="batch.csv", by="an", now=NOW)
    path = mini / "batch.csv"
    path.write_text(bad, encoding="utf-8")
    assert main(["-C", str(mini), "legal", "import", str(path), "--as", "an"]) == 1
    path.unlink()
    assert tree_snapshot(mini) == before and not git(mini, "status", "--porcelain").strip()


def test_import_of_json_names_the_line_of_a_bad_item() -> None:
    text = '[\n  {"number": "118/2025/NĐ-CP", "issuer": "Chính phủ", "title": "T",\n   "issued": "2025-06-09"},\n  {"number": "", "issuer": "x"}\n]\n'
    batch = read_legal_batch(text.encode(), file="batch.json")
    assert [(f.line, f.field) for f in batch.findings] == [(4, "number")]


def test_text_citations_are_checked(mini: Path) -> None:
    path = mini / "procedures" / "QT-01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "purpose: Thống nhất cách soạn thảo",
            "purpose: Theo Quyết định số 118/2009/QĐ-TTg và Nghị định 999/2026/NĐ-CP, thống nhất cách soạn thảo",
        ),
        encoding="utf-8",
    )
    found = {(f.check, f.field) for f in Repository.open(mini).validate()}
    assert ("uncited-legal", "purpose") in found
    assert ("unknown-legal-text", "purpose") in found


def _citing(repo: Repository, numbers: set[str], on: D) -> set[str]:
    """Return the documents whose revision in force on *on* cites one of *numbers*."""
    out = set()
    for document in repo:
        content = repo.in_force(document.code, on)
        if content is None:
            continue
        cited = [repo.legal.get(c.number) for c in document_citations(content)]
        if {d.number for d in cited if d is not None} & numbers:
            out.add(document.code)
    return out


def test_a_new_decree_on_the_demo_makes_exactly_its_citers_suspect_until_revised(
    demo: Path,
) -> None:
    repo = Repository.open(demo)
    today = NOW.date()
    assert repo.impact(on=today) == []
    replaced = {"61/2018/NĐ-CP", "107/2021/NĐ-CP"}
    expected = _citing(repo, replaced, today)
    repo.legal_add(DECREE_118, by="vo-minh-tuan", now=NOW)
    for old in sorted(replaced):
        repo.legal_relate("118/2025/NĐ-CP", "replaces", old, by="vo-minh-tuan", now=NOW)
    code = main(["-C", str(demo), "impact", "--json", "--as-of", today.isoformat()])
    assert code == 1
    suspects = repo.impact(on=today)
    assert {s.code for s in suspects} == expected and len(expected) >= 5
    for suspect in suspects:
        assert {r.change for r in suspect.reasons} == {"replaced"}
        assert {r.in_force for r in suspect.reasons} == {"118/2025/NĐ-CP"}
    # Before the change was issued, nothing was suspect.
    assert repo.impact(on=D(2025, 6, 1), legal="118/2025/NĐ-CP") == []

    before = _commits(demo)
    opened = repo.revise_for_legal("118/2025/NĐ-CP", by="vo-minh-tuan", now=NOW)
    assert _commits(demo) == before + 1
    assert {r.code for r in opened} == expected
    assert len({r.commit for r in opened}) == 1
    actions = [a for a in repo.actions(since=today) if a.action == "revise"]
    assert {a.code for a in actions} == expected
    for result in opened:
        draft = repo.document(result.code)
        assert draft.status.value == "draft" and draft.revision == result.revision
        assert draft.history[-1].reason == "Cập nhật theo Nghị định số 118/2025/NĐ-CP"
        refs = {b.ref for b in draft.legal_basis}
        assert not refs & replaced and "118/2025/NĐ-CP" in refs
    # Still suspect while the drafts are open: the revision in force has not changed.
    assert {s.code for s in repo.impact(on=today)} == expected

    later = NOW + dt.timedelta(days=1)
    for result in opened:
        path = demo / repo.file_of(result.code)
        text = path.read_text(encoding="utf-8")
        head, _, tail = text.partition("\nhistory:")
        for old in replaced:  # the officer updates the text too (not the past history)
            head = head.replace(old, "118/2025/NĐ-CP")
        path.write_text(head + "\nhistory:" + tail, encoding="utf-8")
        git(demo, "commit", "-q", "-am", f"Cập nhật nội dung {result.code}")
        repo = Repository.open(demo)
        repo.submit(result.code, by="vo-minh-tuan", now=later)
        repo.review(result.code, by="tran-thi-mai", now=later + dt.timedelta(hours=1))
        repo.approve(result.code, by="nguyen-van-hung", now=later + dt.timedelta(hours=2))
    assert Repository.open(demo).impact(on=later.date()) == []
    result_json = json.loads(json.dumps([s.to_dict() for s in suspects]))
    assert result_json[0]["reasons"][0]["by"] in {"118/2025/NĐ-CP"}


@pytest.mark.parametrize(
    "encoded",
    [
        GOOD_CSV.encode("utf-8"),
        GOOD_CSV.encode("utf-8-sig"),
        GOOD_CSV.encode("utf-16"),  # Excel's "Unicode Text": UTF-16 with its BOM
        codecs.BOM_UTF16_BE + GOOD_CSV.encode("utf-16-be"),
        GOOD_CSV.replace(",", "\t").encode("utf-16"),  # and tab-separated, as Excel writes it
    ],
)
def test_import_reads_what_a_spreadsheet_saves(encoded: bytes) -> None:
    batch = read_legal_batch(encoded, file="batch.csv")
    assert batch.ok, batch.findings
    assert [d.number for d in batch.documents] == [
        "118/2025/NĐ-CP",
        "1520/QĐ-UBND",
        "07/2026/QĐ-UBND",
    ]


def test_a_windows_code_page_is_refused_with_how_to_save_it() -> None:
    encoded = GOOD_CSV.encode("cp1258", errors="replace")
    batch = read_legal_batch(encoded, file="batch.csv")
    [finding] = batch.findings
    assert finding.file == "batch.csv" and finding.line == 2
    assert "CSV UTF-8" in finding.message
    assert batch.documents == ()
