"""The semantic diff: fields, lists matched by key, moves, words, workflow apart; the QMS diff."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmsdocs import Procedure, Repository, content_stamp
from qmsdocs.audit import DRAFT, qms_diff, snapshot, version
from qmsdocs.diff import (
    FORMAT,
    QMS_FORMAT,
    DocumentEntry,
    LegalEntry,
    Op,
    QmsSnapshot,
    SegmentOp,
    align,
    diff,
    diff_qms,
    tokenize,
    word_diff,
)
from qmsdocs.diffrender import render_html, render_lines, render_qms_lines, render_text
from qmsdocs.errors import DocumentNotFound
from qmsdocs.model import DossierItem, LegalRef, Signature, Status, Step
from qmsdocs.stamp import WORKFLOW_FIELDS
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample_repo() -> Repository:
    return Repository.open(SAMPLE)


@pytest.fixture
def tthc(sample_repo: Repository) -> Procedure:
    """QT-TP-04: an administrative procedure with 6 steps, a dossier, legal references."""
    document = sample_repo.document("QT-TP-04")
    assert isinstance(document, Procedure)
    return document


def with_steps(procedure: Procedure, steps: list[Step]) -> Procedure:
    """Return *procedure* with *steps*, numbered 1, 2, 3 … as the model requires."""
    numbered = [s.model_copy(update={"no": n}) for n, s in enumerate(steps, start=1)]
    return Procedure.model_validate({**procedure.model_dump(), "steps": numbered})


def paths(changes: Any) -> list[tuple[str, str]]:
    return [(c.op.value, c.path) for c in changes]


NEW_STEP = Step(
    no=1,
    action="Kiểm tra, đối chiếu thông tin trên Cơ sở dữ liệu quốc gia về dân cư.",
    responsible="Công chức Tư pháp - Hộ tịch",
    time="0,25 ngày làm việc",
)


# -- a document with itself ------------------------------------------------------------


def test_a_document_compared_with_itself_has_no_change(sample_repo: Repository) -> None:
    for document in sample_repo:
        result = diff(document, document)
        assert not result and result.changes == ()
        data = result.to_dict()
        assert data["content_changes"] == [] and data["workflow_changes"] == []


# -- steps -----------------------------------------------------------------------------


def test_an_inserted_step_is_one_addition_not_a_cascade_of_renumbered_steps(
    tthc: Procedure,
) -> None:
    steps = list(tthc.steps)
    after = with_steps(tthc, [*steps[:2], NEW_STEP, *steps[2:]])
    result = diff(tthc, after)
    assert paths(result.changes) == [("added", "steps[3]")]
    change = result.changes[0]
    assert change.new_position == 3 and change.old_position is None
    assert change.new["action"] == NEW_STEP.action and change.new["no"] == 3


def test_a_removed_step_is_one_removal(tthc: Procedure) -> None:
    steps = list(tthc.steps)
    after = with_steps(tthc, [*steps[:1], *steps[2:]])
    result = diff(tthc, after)
    assert paths(result.changes) == [("removed", "steps[2]")]
    assert result.changes[0].old["action"] == steps[1].action
    assert result.changes[0].old_position == 2


def test_a_moved_step_is_one_move(tthc: Procedure) -> None:
    steps = list(tthc.steps)
    moved = [steps[0], steps[4], *steps[1:4], steps[5]]  # step 5 becomes step 2
    result = diff(tthc, with_steps(tthc, moved))
    assert paths(result.changes) == [("moved", "steps[2]")]
    change = result.changes[0]
    assert (change.old_position, change.new_position) == (5, 2)
    assert change.old["action"] == change.new["action"] == steps[4].action


def test_a_moved_and_edited_step_is_a_move_then_its_changes(tthc: Procedure) -> None:
    steps = list(tthc.steps)
    edited = steps[4].model_copy(update={"time": "0,5 ngày làm việc"})
    result = diff(tthc, with_steps(tthc, [steps[0], edited, *steps[1:4], steps[5]]))
    assert paths(result.changes) == [("moved", "steps[2]"), ("changed", "steps[2].time")]
    assert (result.changes[1].old, result.changes[1].new) == (
        "0,25 ngày làm việc",
        "0,5 ngày làm việc",
    )


def test_a_changed_step_shows_the_words_that_changed_with_vietnamese_words_whole(
    tthc: Procedure,
) -> None:
    steps = list(tthc.steps)
    steps[2] = steps[2].model_copy(
        update={"action": "Xem xét, ký duyệt GXNTTHN hoặc văn bản từ chối nêu rõ lý do."}
    )
    result = diff(tthc, with_steps(tthc, steps))
    assert paths(result.changes) == [("changed", "steps[3].action")]
    words = [(s.op.value, s.text) for s in result.changes[0].words]
    assert words == [
        ("equal", "Xem xét, ký"),
        ("insert", " duyệt"),
        ("equal", " GXNTTHN hoặc văn bản từ chối"),
        ("insert", " nêu rõ lý do"),
        ("equal", "."),
    ]


def test_a_step_rewritten_in_place_is_a_change_not_a_removal_and_an_addition(
    tthc: Procedure,
) -> None:
    steps = list(tthc.steps)
    steps[5] = steps[5].model_copy(
        update={"action": "Số hóa và lưu trữ điện tử toàn bộ thành phần hồ sơ đã giải quyết."}
    )
    result = diff(tthc, with_steps(tthc, steps))
    assert paths(result.changes) == [("changed", "steps[6].action")]


def test_insertion_removal_and_change_together(tthc: Procedure) -> None:
    steps = list(tthc.steps)
    changed = steps[3].model_copy(update={"responsible": "Văn thư UBND phường"})
    after = [steps[0], NEW_STEP, steps[2], changed, steps[4], steps[5]]  # step 2 replaced
    result = diff(tthc, with_steps(tthc, after))
    assert paths(result.changes) == [
        ("removed", "steps[2]"),
        ("added", "steps[2]"),
        ("changed", "steps[4].responsible"),
    ]


# -- other lists -----------------------------------------------------------------------


def test_legal_references_are_matched_by_number_article_and_clause(tthc: Procedure) -> None:
    refs = list(tthc.legal_basis)
    index = next(n for n, r in enumerate(refs) if r.article == "Điều 22")
    refs[index] = refs[index].model_copy(update={"note": "Thủ tục cấp GXNTTHN"})
    refs.append(LegalRef(ref="04/2020/TT-BTP", article="Điều 22"))
    refs.remove(next(r for r in refs if r.ref == "85/2019/TT-BTC"))
    result = diff(tthc, tthc.model_copy(update={"legal_basis": refs}))
    assert paths(result.changes) == [
        ("changed", "legal_basis[123/2015/NĐ-CP, Điều 22].note"),
        ("removed", "legal_basis[85/2019/TT-BTC]"),
        ("added", "legal_basis[04/2020/TT-BTP, Điều 22]"),
    ]


def test_reordered_legal_references_are_moves(tthc: Procedure) -> None:
    refs = list(tthc.legal_basis)
    refs.insert(0, refs.pop())  # TCVN ISO 9001:2015 first
    result = diff(tthc, tthc.model_copy(update={"legal_basis": refs}))
    assert paths(result.changes) == [("moved", "legal_basis[TCVN ISO 9001:2015]")]


def test_a_renamed_dossier_component_is_a_change_of_its_name(tthc: Procedure) -> None:
    assert tthc.tthc is not None
    dossier = list(tthc.tthc.dossier)
    dossier[3] = dossier[3].model_copy(
        update={"name": "Văn bản ủy quyền có chứng thực (trường hợp ủy quyền)"}
    )
    dossier.append(DossierItem(name="Ảnh chân dung 4x6 cm", originals=2))
    parts = tthc.tthc.model_copy(update={"dossier": dossier})
    result = diff(tthc, tthc.model_copy(update={"tthc": parts}))
    assert paths(result.changes) == [
        ("changed", "tthc.dossier[Văn bản ủy quyền có chứng thực (trường hợp ủy quyền)].name"),
        ("added", "tthc.dossier[Ảnh chân dung 4x6 cm]"),
    ]
    assert [s.text for s in result.changes[0].words if s.op is SegmentOp.INSERT] == [
        " có chứng thực"
    ]


def test_forms_and_records_are_matched_by_code_and_name(tthc: Procedure) -> None:
    records = list(tthc.records)
    records[1] = records[1].model_copy(update={"retention": "20 năm"})
    after = tthc.model_copy(update={"forms": [*tthc.forms[1:], "BM-TP-04-02"], "records": records})
    result = diff(tthc, after)
    assert paths(result.changes) == [
        ("removed", "forms[BM-MC-01]"),
        ("added", "forms[BM-TP-04-02]"),
        ("changed", "records[Sổ cấp Giấy xác nhận tình trạng hôn nhân].retention"),
    ]


def test_a_field_added_or_removed(tthc: Procedure) -> None:
    result = diff(tthc, tthc.model_copy(update={"responsibilities": None}))
    assert paths(result.changes) == [("removed", "responsibilities")]
    assert paths(diff(tthc.model_copy(update={"responsibilities": None}), tthc).changes) == [
        ("added", "responsibilities")
    ]


def test_align_merges_both_lists_in_reading_order() -> None:
    result = align("forms", ["A", "B", "C", "D"], ["A", "C", "X", "B"])
    assert result.pairs == ((0, 0), (2, 1)) and result.moved == ((1, 3),)
    assert result.removed == (3,) and result.added == (2,)
    assert result.merged() == ((0, 0), (1, None), (2, 1), (3, None), (None, 2), (None, 3))


# -- workflow changes ------------------------------------------------------------------


def _reissued(document: Procedure) -> Procedure:
    """The same content as revision + 1: new signatures, dates, status and history date."""
    when = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    history = [h.model_copy(update={"date": dt.date(2026, 3, 2)}) for h in document.history]
    signature = Signature(
        meaning="approved",
        person="nguyen-van-hung",
        name="Nguyễn Văn Hùng",
        title="Chủ tịch UBND phường",
        signed_at=when,
        stamp=content_stamp(document),
    )
    return document.model_copy(
        update={
            "revision": document.revision + 1,
            "status": Status.IN_REVIEW,
            "issued_date": dt.date(2026, 3, 2),
            "effective_date": dt.date(2026, 3, 5),
            "approvals": [signature],
            "history": history,
            "periodic_reviews": [],
        }
    )


def test_workflow_changes_are_reported_apart_from_content_changes(tthc: Procedure) -> None:
    result = diff(tthc, _reissued(tthc))
    assert result.content_changes == ()
    fields = {c.field for c in result.workflow_changes}
    assert fields == {
        "revision",
        "status",
        "issued_date",
        "effective_date",
        "approvals",
        "history",
        "periodic_reviews",
    }
    assert all(c.path.endswith(".date") for c in result.workflow_changes if c.field == "history")
    assert fields - {"revision", "history"} <= WORKFLOW_FIELDS


def test_no_content_change_exactly_when_the_content_stamps_agree(tthc: Procedure) -> None:
    reissued = _reissued(tthc)
    same_revision = reissued.model_copy(update={"revision": tthc.revision})
    assert content_stamp(same_revision) == content_stamp(tthc)
    edited = reissued.model_copy(update={"scope": tthc.scope + " Áp dụng cả hồ sơ trực tuyến."})
    assert [c.path for c in diff(tthc, edited).content_changes] == ["scope"]
    assert content_stamp(edited.model_copy(update={"revision": tthc.revision})) != content_stamp(
        tthc
    )


# -- words -----------------------------------------------------------------------------


def test_tokens_keep_vietnamese_words_numbers_and_codes_whole() -> None:
    text = "Thẩm định 0,5 ngày theo 19/2014/QĐ-TTg; BPTN&TKQ trả kết quả."
    tokens = tokenize(text)
    assert "".join(tokens) == text
    words = [t for t in tokens if t.strip() and t not in ";."]
    assert words == [
        "Thẩm",
        "định",
        "0,5",
        "ngày",
        "theo",
        "19/2014/QĐ-TTg",
        "BPTN&TKQ",
        "trả",
        "kết",
        "quả",
    ]


def test_a_changed_diacritic_replaces_the_whole_word() -> None:
    segments = word_diff("Hồ sơ đăng ký kết hôn", "Hộ sơ đăng ký kết hôn lại")
    assert [(s.op.value, s.text) for s in segments] == [
        ("delete", "Hồ"),
        ("insert", "Hộ"),
        ("equal", " sơ đăng ký kết hôn"),
        ("insert", " lại"),
    ]


def test_nfd_and_nfc_text_compare_equal() -> None:
    text = "Giấy xác nhận tình trạng hôn nhân"
    segments = word_diff(unicodedata.normalize("NFD", text), text)
    assert [s.op for s in segments] == [SegmentOp.EQUAL]


_VIETNAMESE = st.text(
    alphabet=st.sampled_from(
        list("aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậềểễếệộơờởỡớợùúừứự ,.;-/\n")
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(old=_VIETNAMESE, new=_VIETNAMESE)
def test_word_diff_rebuilds_both_texts(old: str, new: str) -> None:
    segments = word_diff(old, new)
    assert "".join(s.text for s in segments if s.op is not SegmentOp.INSERT) == old
    assert "".join(s.text for s in segments if s.op is not SegmentOp.DELETE) == new
    old_tokens, new_tokens = tokenize(old), tokenize(new)
    # every segment starts and ends at a token boundary: no word is cut
    for side, tokens, skip in (
        (old, old_tokens, SegmentOp.INSERT),
        (new, new_tokens, SegmentOp.DELETE),
    ):
        bounds = {0}
        at = 0
        for token in tokens:
            at += len(token)
            bounds.add(at)
        at = 0
        for s in segments:
            if s.op is skip:
                continue
            assert at in bounds
            at += len(s.text)
        assert at == len(side)


# -- JSON ------------------------------------------------------------------------------


def test_the_json_structure_is_the_documented_one(tthc: Procedure) -> None:
    steps = list(tthc.steps)
    steps[0] = steps[0].model_copy(update={"time": "01 ngày làm việc"})
    after = with_steps(tthc, [*steps[:2], NEW_STEP, *steps[2:]])
    data = diff(tthc, after).to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["format"] == FORMAT == "qmsdocs.diff/1"
    assert (
        data["old"]
        == data["new"]
        == {
            "code": "QT-TP-04",
            "title": "Quy trình cấp Giấy xác nhận tình trạng hôn nhân",
            "revision": 4,
            "status": "approved",
            "effective_date": "2025-07-25",
        }
    )
    assert data["workflow_changes"] == []
    assert data["content_changes"] == [
        {
            "op": "changed",
            "path": "steps[1].time",
            "location": ["steps", {"item": 1}, "time"],
            "old": "0,5 ngày làm việc",
            "new": "01 ngày làm việc",
            "old_position": None,
            "new_position": None,
            "words": [
                {"op": "delete", "text": "0,5"},
                {"op": "insert", "text": "01"},
                {"op": "equal", "text": " ngày làm việc"},
            ],
        },
        {
            "op": "added",
            "path": "steps[3]",
            "location": ["steps", {"item": 3}],
            "old": None,
            "new": {
                "no": 3,
                "action": NEW_STEP.action,
                "responsible": "Công chức Tư pháp - Hộ tịch",
                "time": "0,25 ngày làm việc",
                "forms": [],
                "result": None,
            },
            "old_position": None,
            "new_position": 3,
            "words": [],
        },
    ]


# -- rendering -------------------------------------------------------------------------


def test_text_rendering_marks_words_and_puts_content_first(tthc: Procedure) -> None:
    steps = list(tthc.steps)
    steps[2] = steps[2].model_copy(update={"action": "Xem xét, ký duyệt GXNTTHN."})
    after = _reissued(with_steps(tthc, steps))
    text = render_text(diff(tthc, after))
    lines = text.splitlines()
    assert lines[0] == "QT-TP-04: Quy trình cấp Giấy xác nhận tình trạng hôn nhân"
    assert lines[2].startswith("Nội dung (1 thay đổi)")
    assert lines[3] == (
        "  ~ Bước 3 – Nội dung công việc: Xem xét, ký {+duyệt +}GXNTTHN[- hoặc văn bản từ chối-]."
    )
    assert lines[4].startswith("Quy trình ban hành")
    assert "  ~ Lần ban hành: 4 → 5" in lines
    assert render_text(diff(tthc, tthc)).splitlines()[-1] == "Không có thay đổi."
    english = render_lines(diff(tthc, after), language="en", workflow=False)
    assert [line[0][0] for line in english[2:3]] == ["Content (1 changes)"]
    assert len(english) == 4


def test_long_unchanged_text_around_a_word_change_is_cut(tthc: Procedure) -> None:
    steps = list(tthc.steps)
    steps[1] = steps[1].model_copy(
        update={"action": steps[1].action.replace("Thẩm định", "Thẩm tra")}
    )
    text = render_text(diff(tthc, with_steps(tthc, steps)), context=3)
    assert "  ~ Bước 2 – Nội dung công việc: Thẩm [-định-]{+tra+} hồ sơ; tra …\n" in text
    full = render_text(diff(tthc, with_steps(tthc, steps)), context=-1)
    assert steps[1].action.split("tra", 1)[1] in full


def test_html_rendering_is_standalone_and_escapes_everything(tthc: Procedure) -> None:
    after = tthc.model_copy(update={"scope": 'Áp dụng <script>alert("x")</script> & khác'})
    page = render_html(diff(tthc, after))
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp;" in page
    assert "<style>" in page and "http" not in page.split("<body>")[0].replace(
        'content="qmsdocs"', ""
    )
    assert "<ins>" in page and render_html(diff(tthc, after)) == page


# -- the demo's revisions --------------------------------------------------------------


def _revision_pairs(repo: Repository) -> list[tuple[Any, Any]]:
    pairs = []
    for document in repo:
        revisions = [
            repo.revision(document.code, r.revision) for r in repo.revisions(document.code)
        ]
        pairs += list(zip(revisions, revisions[1:], strict=False))
    return pairs


def test_diffs_between_the_demo_revisions_name_exactly_the_fields_that_changed(
    demo_master: Path,
) -> None:
    repo = Repository.open(demo_master)
    pairs = _revision_pairs(repo)
    assert len(pairs) >= 25
    for a, b in pairs:
        result = diff(a, b)
        assert not diff(a, a) and not diff(b, b)
        old, new = a.model_dump(mode="json"), b.model_dump(mode="json")
        changed = {k for k in new if old.get(k) != new.get(k)}
        assert {c.field for c in result.changes} == changed, (a.code, b.revision)
        assert result.new.revision == a.revision + 1 == b.revision
        assert ("changed", "revision") in paths(result.workflow_changes)
        # each revision adds its row to the change history: content, with its reason
        added = [c for c in result.content_changes if c.path == f"history[{b.revision}]"]
        assert len(added) == 1 and added[0].op is Op.ADDED


def test_qt_01_revision_3_added_two_laws_and_the_merged_procedure(demo_master: Path) -> None:
    repo = Repository.open(demo_master)
    result = diff(repo.revision("QT-01", 2), repo.revision("QT-01", 3))
    assert paths(result.content_changes) == [
        ("added", "legal_basis[33/2024/QH15]"),
        ("added", "legal_basis[72/2025/QH15]"),
        ("added", "supersedes[QT-08]"),
        ("added", "history[3]"),
    ]


def test_a_diff_of_two_revisions_takes_under_50_ms(demo_master: Path) -> None:
    repo = Repository.open(demo_master)
    largest = max(
        (d for d in repo if isinstance(d, Procedure) and len(repo.revisions(d.code)) > 1),
        key=lambda d: len(json.dumps(d.model_dump(mode="json"), ensure_ascii=False)),
    )
    revisions = repo.revisions(largest.code)
    a = repo.revision(largest.code, revisions[0].revision)
    b = repo.revision(largest.code, revisions[-1].revision)
    steps = list(b.steps)
    b = with_steps(b, [*steps[:2], NEW_STEP, *steps[2:]])  # and a step inserted
    times = []
    for _ in range(15):
        start = time.perf_counter()
        diff(a, b)
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.050, (largest.code, times)


# -- versions and the QMS between two dates --------------------------------------------


def test_versions_by_number_date_and_draft(demo_master: Path) -> None:
    repo = Repository.open(demo_master)
    assert version(repo, "QT-01", 2).revision == 2
    assert version(repo, "QT-01", dt.date(2024, 1, 1)).revision == 2
    assert version(repo, "QT-01", DRAFT) is repo.document("QT-01")
    with pytest.raises(DocumentNotFound, match="in force on 01/01/2020"):
        version(repo, "QT-01", dt.date(2020, 1, 1))
    with pytest.raises(DocumentNotFound, match="no issued revision 9"):
        version(repo, "QT-01", 9)


def test_the_qms_diff_of_snapshots() -> None:
    day_a, day_b = dt.date(2024, 1, 1), dt.date(2025, 1, 1)

    def entry(code: str, revision: int, state: str, by: str | None = None) -> DocumentEntry:
        return DocumentEntry(code, f"Tài liệu {code}", "procedure", revision, state, by)

    before = QmsSnapshot(
        day_a,
        (
            entry("QT-01", 1, "effective"),
            entry("QT-02", 1, "effective"),
            entry("QT-03", 1, "effective"),
            entry("QT-04", 2, "effective"),
            entry("QT-05", 1, "pending"),
            entry("QT-06", 1, "effective"),
        ),
        (
            LegalEntry("19/2014/QĐ-TTg", "Áp dụng ISO", "decision", "in_force"),
            LegalEntry("33/2024/QH15", "Luật Lưu trữ", "law", "not_yet_in_force"),
        ),
    )
    after = QmsSnapshot(
        day_b,
        (
            entry("QT-01", 3, "effective"),
            entry("QT-02", 1, "withdrawn"),
            entry("QT-03", 1, "withdrawn", "QT-01"),
            entry("QT-04", 2, "effective"),
            entry("QT-05", 1, "effective"),
            entry("QT-06", 2, "effective"),
            entry("QT-07", 1, "draft"),
        ),
        (
            LegalEntry("19/2014/QĐ-TTg", "Áp dụng ISO", "decision", "in_force"),
            LegalEntry("33/2024/QH15", "Luật Lưu trữ", "law", "in_force"),
            LegalEntry("72/2025/QH15", "Luật Tổ chức CQĐP", "law", "in_force"),
        ),
    )
    result = diff_qms(before, after)
    assert [(d.code, d.change, d.old_revision, d.new_revision) for d in result.documents] == [
        ("QT-01", "revised", 1, 3),
        ("QT-02", "withdrawn", 1, 1),
        ("QT-03", "replaced", 1, 1),
        ("QT-05", "added", 1, 1),
        ("QT-06", "revised", 1, 2),
        ("QT-07", "changed", None, 1),
    ]
    assert result.documents[2].replaced_by == "QT-01"
    assert [(x.number, x.change, x.old_status, x.new_status) for x in result.legal] == [
        ("33/2024/QH15", "status_changed", "not_yet_in_force", "in_force"),
        ("72/2025/QH15", "added", None, "in_force"),
    ]
    data = result.to_dict()
    assert data["format"] == QMS_FORMAT and data["since"] == "2024-01-01"
    assert set(data["documents"][0]) == {
        "code",
        "title",
        "kind",
        "change",
        "old_revision",
        "new_revision",
        "old_state",
        "new_state",
        "replaced_by",
        "reasons",
    }
    assert not diff_qms(before, before)
    lines = ["".join(t for t, _ in line) for line in render_qms_lines(result)]
    assert "  QT-03 thay thế bởi QT-01: Tài liệu QT-03" in lines


def revised_between(repo: Repository, since: dt.date, until: dt.date) -> dict[str, tuple[int, int]]:
    """Return the documents in force on both days with another revision: code -> (old, new)."""
    out = {}
    for document in repo:
        before, after = repo.in_force(document.code, since), repo.in_force(document.code, until)
        if before is not None and after is not None and before.revision != after.revision:
            out[document.code] = (before.revision, after.revision)
    return out


def test_the_qms_between_two_demo_dates_lists_the_documents_revised_in_between(
    demo_master: Path,
) -> None:
    repo = Repository.open(demo_master)
    since, until = dt.date(2023, 1, 1), dt.date(2024, 12, 31)
    result = qms_diff(repo, since, until)
    revised = {
        d.code: (d.old_revision, d.new_revision) for d in result.documents if d.change == "revised"
    }
    assert revised == revised_between(repo, since, until) and len(revised) >= 5
    qt04 = next(d for d in result.documents if d.code == "QT-TP-04")
    assert qt04.reasons and all(r for r in qt04.reasons)
    issued = {x.number for x in result.legal if x.change == "added"}
    assert issued == {d.number for d in repo.legal if since < d.issued <= until}
    later = qms_diff(repo, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    qt08 = next(d for d in later.documents if d.code == "QT-08")
    assert (qt08.change, qt08.replaced_by) == ("replaced", "QT-01")
    assert snapshot(repo, since).day == since
