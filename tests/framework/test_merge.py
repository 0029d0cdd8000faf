"""Three-way merge of a framework model's change into an agency's document."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmsdocs import Procedure, Repository
from qmsdocs.errors import ActionRefused
from qmsdocs.framework.merge import OWN_FIELDS, merge_documents, merge_text
from qmsdocs.model import Status
from tests.conftest import SAMPLE, git


@pytest.fixture(scope="module")
def base() -> Procedure:
    document = Repository.open(SAMPLE).document("QT-TP-04")
    assert isinstance(document, Procedure)
    return document


def edit(document: Procedure, **changes: Any) -> Procedure:
    """Return *document* with top-level fields replaced (dict values merged one level)."""
    data = document.model_dump(mode="json")
    for name, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(name), dict):
            data[name] = {**data[name], **value}
        else:
            data[name] = value
    if "steps" in changes:
        data["steps"] = [{**s, "no": n} for n, s in enumerate(data["steps"], start=1)]
    return Procedure.model_validate(data)


def content(document: Procedure) -> dict[str, Any]:
    data = document.model_dump(mode="json")
    return {k: v for k, v in data.items() if k not in OWN_FIELDS}


def steps_of(document: Procedure) -> list[dict[str, Any]]:
    return [s.model_dump(mode="json") for s in document.steps]


# -- whole documents ------------------------------------------------------------------------


def test_no_local_change_takes_the_new_model(base: Procedure) -> None:
    theirs = edit(
        base,
        purpose=base.purpose.replace("trả kết quả đúng hạn", "trả kết quả sớm hơn hạn"),
        tthc={"time_limit": "02 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ"},
    )
    merged = merge_documents(base, theirs, base)
    assert merged.clean
    assert content(merged.document) == content(theirs)
    assert merged.document.status is Status.DRAFT
    assert merged.document.approvals == []
    assert merged.document.issued_date is None and merged.document.effective_date is None
    assert merged.document.revision == base.revision  # the caller sets the next revision
    assert merged.document.history == base.history


def test_local_only_changes_survive(base: Procedure) -> None:
    ours = edit(base, scope=base.scope + " Áp dụng cả tại điểm tiếp nhận thôn Đồng Tâm.")
    merged = merge_documents(base, base, ours)
    assert merged.clean
    assert content(merged.document) == content(ours)


def test_framework_legal_change_and_local_time_limit_both_kept(base: Procedure) -> None:
    """The province replaces a circular; the agency shortened its time limit: no conflict."""
    basis = [b.model_dump(mode="json") for b in base.legal_basis]
    new_basis = [{"ref": "106/2021/TT-BTC"} if b["ref"] == "85/2019/TT-BTC" else b for b in basis]
    theirs = edit(base, legal_basis=new_basis)
    ours = edit(base, tthc={"time_limit": "Trong ngày làm việc"})
    merged = merge_documents(base, theirs, ours)
    assert merged.clean
    refs = [b.ref for b in merged.document.legal_basis]
    assert "106/2021/TT-BTC" in refs and "85/2019/TT-BTC" not in refs
    assert refs.index("106/2021/TT-BTC") == [b["ref"] for b in basis].index("85/2019/TT-BTC")
    assert merged.document.tthc is not None
    assert merged.document.tthc.time_limit == "Trong ngày làm việc"


def test_words_of_one_sentence_merge(base: Procedure) -> None:
    sentence = "Công chức Tư pháp - Hộ tịch thẩm định hồ sơ trong 01 ngày làm việc theo Thông tư 04/2020/TT-BTP."
    start = edit(base, responsibilities=sentence)
    theirs = edit(start, responsibilities=sentence.replace("04/2020/TT-BTP", "01/2022/TT-BTP"))
    ours = edit(start, responsibilities=sentence.replace("01 ngày", "nửa ngày"))
    merged = merge_documents(start, theirs, ours)
    assert merged.clean
    assert merged.document.responsibilities == (
        "Công chức Tư pháp - Hộ tịch thẩm định hồ sơ trong nửa ngày làm việc theo Thông tư "
        "01/2022/TT-BTP."
    )


def test_both_change_the_same_words_is_one_conflict(base: Procedure) -> None:
    assert base.tthc is not None
    theirs = edit(base, tthc={"time_limit": "02 ngày làm việc"})
    ours = edit(base, tthc={"time_limit": "Trong ngày làm việc"})
    merged = merge_documents(base, theirs, ours)
    assert [c.model_dump(mode="json") for c in merged.conflicts] == [
        {
            "field": "tthc.time_limit",
            "base": base.tthc.time_limit,
            "framework": "02 ngày làm việc",
            "local": "Trong ngày làm việc",
        }
    ]
    # the draft keeps the agency's value until the officer decides
    assert merged.document.tthc is not None
    assert merged.document.tthc.time_limit == "Trong ngày làm việc"
    assert merged.document.conflicts == list(merged.conflicts)


def test_a_local_step_and_a_reworded_model_step_both_survive(base: Procedure) -> None:
    steps = steps_of(base)
    local = {
        "no": 0,
        "action": "Gọi điện thoại báo người yêu cầu đến nhận kết quả",
        "responsible": "Công chức BPTN&TKQ",
        "time": "0,5 ngày",
        "forms": [],
        "result": None,
    }
    ours = edit(base, steps=[*steps[:2], local, *steps[2:]])
    reworded = dict(steps[3], action=steps[3]["action"] + " trên Phần mềm hộ tịch điện tử")
    theirs = edit(base, steps=[*steps[:3], reworded, *steps[4:]])
    merged = merge_documents(base, theirs, ours)
    assert merged.clean
    actions = [s.action for s in merged.document.steps]
    assert actions == [
        steps[0]["action"],
        steps[1]["action"],
        local["action"],
        steps[2]["action"],
        reworded["action"],
        *[s["action"] for s in steps[4:]],
    ]
    assert [s.no for s in merged.document.steps] == list(range(1, len(steps) + 2))


def test_framework_adds_a_step_after_the_one_it_follows(base: Procedure) -> None:
    steps = steps_of(base)
    new = dict(steps[1], action="Tra cứu Cơ sở dữ liệu quốc gia về dân cư", time="0,5 ngày")
    theirs = edit(base, steps=[*steps[:2], new, *steps[2:]])
    ours = edit(base, steps=[*steps[:-1], dict(steps[-1], time="Trong giờ hành chính")])
    merged = merge_documents(base, theirs, ours)
    assert merged.clean
    assert [s.action for s in merged.document.steps][2] == new["action"]
    assert merged.document.steps[-1].time == "Trong giờ hành chính"
    assert len(merged.document.steps) == len(steps) + 1


def test_removal_taken_when_untouched_conflict_when_changed(base: Procedure) -> None:
    assert base.tthc is not None
    dossier = [d.model_dump(mode="json") for d in base.tthc.dossier]
    gone = dossier[2]  # "GXNTTHN đã được cấp trước đây"
    theirs = edit(base, tthc={"dossier": [d for d in dossier if d is not gone]})
    merged = merge_documents(base, theirs, base)
    assert merged.document.tthc is not None
    assert gone["name"] not in [d.name for d in merged.document.tthc.dossier]

    changed = dict(gone, note="Nộp bản chính để đối chiếu")
    ours = edit(base, tthc={"dossier": [changed if d is gone else d for d in dossier]})
    merged = merge_documents(base, theirs, ours)
    assert [(c.field, c.framework, c.local) for c in merged.conflicts] == [
        (f"tthc.dossier[{gone['name']}]", None, changed)
    ]
    assert merged.document.tthc is not None
    assert changed["name"] in [d.name for d in merged.document.tthc.dossier]


def test_agency_removed_what_the_framework_changed_is_a_conflict(base: Procedure) -> None:
    assert base.tthc is not None
    fees = [f.model_dump(mode="json") for f in base.tthc.fees]
    theirs = edit(base, tthc={"fees": [dict(fees[0], amount="8.000 đồng/bản")]})
    ours = edit(base, tthc={"fees": []})
    merged = merge_documents(base, theirs, ours)
    assert [(c.field, c.local) for c in merged.conflicts] == [
        (f"tthc.fees[{fees[0]['name']}]", None)
    ]
    assert merged.document.tthc is not None and merged.document.tthc.fees == []


def test_same_addition_on_both_sides_is_kept_once(base: Procedure) -> None:
    extra = {"ref": "01/2022/TT-BTP", "article": None, "clause": None, "note": None}
    basis = [b.model_dump(mode="json") for b in base.legal_basis]
    theirs = edit(base, legal_basis=[*basis, extra])
    ours = edit(base, legal_basis=[extra, *basis])
    merged = merge_documents(base, theirs, ours)
    assert merged.clean
    assert [b.ref for b in merged.document.legal_basis].count("01/2022/TT-BTP") == 1


def test_framework_reordering_is_followed(base: Procedure) -> None:
    basis = [b.model_dump(mode="json") for b in base.legal_basis]
    theirs = edit(base, legal_basis=[basis[-1], *basis[:-1]])
    ours = edit(base, purpose=base.purpose + " Áp dụng từ năm 2026.")
    merged = merge_documents(base, theirs, ours)
    assert merged.clean
    assert [b.ref for b in merged.document.legal_basis] == [
        b["ref"] for b in theirs.model_dump()["legal_basis"]
    ]


def test_different_kinds_do_not_merge(base: Procedure) -> None:
    policy = Repository.open(SAMPLE).document("CSCL")
    with pytest.raises(ValueError, match="different kinds"):
        merge_documents(base, base, policy)  # type: ignore[arg-type]


# -- words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "theirs", "ours", "expected"),
    [
        ("a b c", "a B c", "a b c", "a B c"),
        ("a b c", "a b c", "a b C", "a b C"),
        ("a b c d", "a X c d", "a b c Y", "a X c Y"),
        ("a b c", "a X c", "a X c", "a X c"),
        ("a b c", "a X c", "a Y c", None),
        ("a c", "a X c", "a Y c", None),  # two different insertions at the same place
        ("", "mới", "", "mới"),
        (
            "Nộp hồ sơ tại Bộ phận Một cửa",
            "Nộp hồ sơ trực tuyến tại Bộ phận Một cửa",
            "Nộp hồ sơ tại Bộ phận Một cửa phường",
            "Nộp hồ sơ trực tuyến tại Bộ phận Một cửa phường",
        ),
    ],
)
def test_merge_text(base: str, theirs: str, ours: str, expected: str | None) -> None:
    assert merge_text(base, theirs, ours) == expected


_WORDS = st.lists(
    st.sampled_from(["hồ", "sơ", "nộp", "tại", "xã", "01", "ngày", "Một cửa"]), max_size=8
)


@settings(max_examples=200, deadline=None)
@given(_WORDS, _WORDS, _WORDS)
def test_merge_text_laws(base: list[str], theirs: list[str], ours: list[str]) -> None:
    b, t, o = " ".join(base), " ".join(theirs), " ".join(ours)
    assert merge_text(b, t, b) == t
    assert merge_text(b, b, o) == o
    assert merge_text(b, t, t) == t
    merged = merge_text(b, t, o)
    if merged is not None:  # symmetric where it merges
        assert merge_text(b, o, t) == merged


# -- in a repository ------------------------------------------------------------------------


def test_a_draft_with_a_conflict_does_not_validate_and_cannot_be_submitted(
    base: Procedure, sample: Path
) -> None:
    """The officer sees the conflict in validate; submit refuses until it is resolved."""
    from qmsdocs.store.yaml import dump_text

    theirs = edit(base, tthc={"time_limit": "02 ngày làm việc"})
    ours = edit(base, tthc={"time_limit": "Trong ngày làm việc"})
    merged = merge_documents(base, theirs, ours).document.model_copy(
        update={"revision": base.revision + 1}
    )
    data = merged.model_dump(mode="json", exclude_none=True)
    (sample / "procedures" / "QT-TP-04.yaml").write_text(dump_text(data), encoding="utf-8")
    git(sample, "commit", "-qam", "Merge the framework's release")
    repo = Repository.open(sample)
    errors = [f for f in repo.validate() if f.check == "merge-conflict"]
    assert [(f.file, f.field) for f in errors] == [("procedures/QT-TP-04.yaml", "conflicts.0")]
    assert "tthc.time_limit" in errors[0].text
    now = dt.datetime(2026, 12, 4, 9, tzinfo=dt.UTC)
    with pytest.raises(ActionRefused, match=r"QT-TP-04 has 1 error.*tthc\.time_limit"):
        repo.submit("QT-TP-04", by="vo-minh-tuan", now=now)
    # resolved by editing the field and deleting the entry: the draft goes to review
    data["conflicts"] = []
    data["tthc"]["time_limit"] = "01 ngày làm việc"
    (sample / "procedures" / "QT-TP-04.yaml").write_text(dump_text(data), encoding="utf-8")
    git(sample, "commit", "-qam", "Resolve the conflict")
    repo = Repository.open(sample)
    repo.submit("QT-TP-04", by="vo-minh-tuan", now=now)
    assert repo.document("QT-TP-04").status is Status.IN_REVIEW
