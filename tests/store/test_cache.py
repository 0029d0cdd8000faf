"""The persistent cache: unchanged files are not parsed again, changes are always seen."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import qmsdocs
from qmsdocs import Repository, impact_run
from qmsdocs.read.reader import Reader
from qmsdocs.store import cache as cache_module
from qmsdocs.store import yaml as yaml_store
from qmsdocs.store.cache import JsonCache
from tests.conftest import git


def _age(root: Path, seconds: int = 120) -> None:
    """Date every file back, as files checked out a while ago are (not "racy")."""
    past = time.time() - seconds
    for path in root.rglob("*.yaml"):
        if ".git" not in path.parts:
            os.utime(path, (past, past))


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(data: bytes | str, *, file: str) -> None:
        raise AssertionError(f"{file} parsed again")

    monkeypatch.setattr(yaml_store, "load", refuse)


def _cache_dir(root: Path) -> Path:
    return root / ".git" / cache_module.CACHE_FOLDER


def test_json_cache_round_trip_and_damage(tmp_path: Path) -> None:
    store = JsonCache(tmp_path / "c")
    assert store.read("files") == {}
    store.write("files", {"quy trình": [1, "Tiếp nhận hồ sơ"]})
    assert store.read("files") == {"quy trình": [1, "Tiếp nhận hồ sơ"]}
    (tmp_path / "c" / "files.json").write_text("{not json", encoding="utf-8")
    assert store.read("files") == {}
    (tmp_path / "c" / "files.json").write_text(
        json.dumps({"format": "qmsdocs-cache", "version": -1, "data": {"a": 1}}), encoding="utf-8"
    )
    assert store.read("files") == {}
    # written by another release of qmsdocs, whose checks may differ: ignored
    store.write("files", {"a": 1})
    envelope = json.loads((tmp_path / "c" / "files.json").read_text(encoding="utf-8"))
    assert envelope["library"] == qmsdocs.__version__
    envelope["library"] = "0.0.1"
    (tmp_path / "c" / "files.json").write_text(json.dumps(envelope), encoding="utf-8")
    assert store.read("files") == {}
    store.clear()
    assert not list((tmp_path / "c").glob("*.json"))


def test_the_version_is_the_one_pyproject_declares() -> None:
    import tomllib

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    assert qmsdocs.__version__ == declared


def test_unwritable_cache_is_ignored(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    store = JsonCache(blocker / "c")  # a folder under a file cannot be made
    store.write("files", {"a": 1})
    assert store.read("files") == {}
    assert JsonCache(None).read("files") == {}


def test_warm_open_parses_nothing(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _age(sample)
    first = Repository.open(sample)
    findings = first.validate()
    codes = [d.code for d in first]
    cached = sorted(p.name for p in _cache_dir(sample).iterdir())
    assert {"files.json", "validation.json", "config.json"} <= set(cached)
    for name in cached:  # plain JSON, never pickle
        json.loads((_cache_dir(sample) / name).read_text(encoding="utf-8"))

    _no_parsing(monkeypatch)
    warm = Repository.open(sample)  # a new object: only the disk cache is shared
    assert warm.validate() == findings
    assert "QT-TP-01" in warm
    assert warm.config.organization.name == first.config.organization.name
    with pytest.raises(AssertionError, match="parsed again"):
        [d.code for d in warm]  # documents themselves are parsed on first use
    monkeypatch.undo()
    assert [d.code for d in warm] == codes


def test_a_changed_file_is_read_again(sample: Path) -> None:
    _age(sample)
    Repository.open(sample).validate()
    path = sample / "procedures" / "QT-TP-01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("unit: ", "unit: khong-co-", 1), encoding="utf-8")
    _age(sample, 60)
    findings = Repository.open(sample).validate()
    assert any(f.file == "procedures/QT-TP-01.yaml" and f.check == "unknown-unit" for f in findings)
    path.write_text(text, encoding="utf-8")
    _age(sample, 30)
    assert not [f for f in Repository.open(sample).validate() if f.severity == "error"]


def test_a_damaged_cache_is_rebuilt(sample: Path) -> None:
    _age(sample)
    findings = Repository.open(sample).validate()
    folder = _cache_dir(sample)
    rows = json.loads((folder / "files.json").read_text(encoding="utf-8"))
    for row in rows["data"]["rows"].values():
        row[5:] = ["not a list", 7]  # right stat key, nonsense after it
    (folder / "files.json").write_text(json.dumps(rows), encoding="utf-8")
    (folder / "validation.json").write_bytes(b"\xff\x00garbage")
    (folder / "config.json").write_text('{"format": "qmsdocs-cache"}', encoding="utf-8")
    repo = Repository.open(sample)
    assert repo.validate() == findings
    assert repo.document("QT-TP-01").title


def test_validate_document_matches_validate(sample: Path) -> None:
    path = sample / "procedures" / "QT-TP-01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("unit: ", "unit: khong-co-", 1), encoding="utf-8")
    repo = Repository.open(sample)
    everything = repo.validate()
    for document in repo:
        file = repo.file_of(document.code)
        assert repo.validate_document(document.code) == [f for f in everything if f.file == file]
    assert any(f.check == "unknown-unit" for f in repo.validate_document("QT-TP-01"))


def test_revision_history_is_read_once(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repository.open(demo)
    code = next(d.code for d in repo if len(repo.revisions(d.code)) >= 3)
    records = repo.revision_history(code)
    again = Repository.open(demo)  # a new object: only the disk cache is shared
    again.document(code)
    _no_parsing(monkeypatch)  # no revision is parsed again
    assert again.revision_history(code) == records


def _state(repo: Repository) -> tuple[object, ...]:
    return (
        [d.model_dump() for d in repo],
        [d.model_dump() for d in repo.legal],
        repo.validate(),
        [(code, [r.revision for r in repo.revisions(code)]) for code in ("QT-01", "BM-01-01")],
    )


def test_after_an_action_the_repository_is_as_if_opened_again(
    mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from qmsdocs.model import LegalDocument, LegalType

    tz = dt.timezone(dt.timedelta(hours=7))
    start = dt.datetime(2025, 1, 6, 9, tzinfo=tz)
    _age(mini)
    repo = Repository.open(mini)
    revision = repo.document("QT-01").revision
    scans: list[str] = []  # whole reads of the repository
    reads: list[str] = []  # files looked at again
    real_load, real_read = Reader._load, Reader._read

    def counted(self: Reader) -> None:
        scans.append("all")
        real_load(self)

    def counted_read(self: Reader, file: str, *args: object) -> object:
        reads.append(file)
        return real_read(self, file, *args)  # type: ignore[arg-type]

    def count() -> None:
        monkeypatch.setattr(Reader, "_load", counted)
        monkeypatch.setattr(Reader, "_read", counted_read)

    count()
    steps = [
        lambda: repo.revise("QT-01", reason="Cập nhật theo Nghị định mới", by="an", now=start),
        lambda: repo.submit("QT-01", by="an", now=start + dt.timedelta(hours=1)),
        lambda: repo.review("QT-01", by="binh", now=start + dt.timedelta(hours=2)),
        lambda: repo.approve("QT-01", by="cuong", now=start + dt.timedelta(hours=3)),
        lambda: repo.new(
            "form", "BM-09", title="Phiếu theo dõi", by="an", now=start, procedure="QT-01"
        ),
        lambda: repo.legal_add(
            LegalDocument(
                number="7/2026/NĐ-CP",
                type=LegalType.DECREE,
                issuer="Chính phủ",
                title="Quy định chi tiết một số điều về văn thư",
                issued=dt.date(2026, 1, 5),
                effective_from=dt.date(2026, 3, 1),
            ),
            by="an",
            now=start,
        ),
    ]
    files = len(list(mini.rglob("*.yaml")))
    written = {"procedures/QT-01.yaml", "forms/BM-09.yaml", "legal/7-2026-ND-CP.yaml"}
    for step in steps:
        scans.clear()
        reads.clear()
        assert step().changed
        # no whole read: files are compared by their stat, and only the files the actions
        # wrote (the earlier ones too recent to trust yet) are read again
        assert scans == []
        assert reads and set(reads) <= written and len(reads) < files
        monkeypatch.undo()
        assert _state(repo) == _state(Repository.open(mini))
        count()
    assert repo.document("QT-01").revision == revision + 1
    assert "BM-09" in repo and repo.legal.get("7/2026/NĐ-CP") is not None


def test_a_refused_action_leaves_the_repository_readable(mini: Path) -> None:
    import datetime as dt

    from qmsdocs import ActionRefused

    repo = Repository.open(mini)
    before = _state(repo)
    now = dt.datetime(2025, 1, 6, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    with pytest.raises(ActionRefused):
        repo.submit("QT-01", by="an", now=now)  # issued, not a draft
    assert _state(repo) == before == _state(Repository.open(mini))


def test_an_action_sees_what_another_process_did_meanwhile(mini: Path) -> None:
    import datetime as dt

    tz = dt.timezone(dt.timedelta(hours=7))
    start = dt.datetime(2025, 1, 6, 9, tzinfo=tz)
    _age(mini)
    mine = Repository.open(mini)
    mine.validate()
    other = Repository.open(mini)  # another officer's process
    other.new("form", "BM-07", title="Sổ theo dõi", by="an", now=start, procedure="QT-01")
    other.revise("QT-01", reason="Cập nhật", by="an", now=start)
    # mine still holds the old state; its next action must act on the current one
    result = mine.submit("QT-01", by="an", now=start + dt.timedelta(hours=1))
    assert result.changed and mine.document("QT-01").status == "in_review"
    assert "BM-07" in mine
    assert _state(mine) == _state(Repository.open(mini))
    # a file changed by hand after the last action is read again too
    path = mini / "forms" / "BM-07.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Sổ theo dõi", "Sổ theo dõi văn bản đến"),
        encoding="utf-8",
    )
    git(mini, "commit", "-qam", "Sửa tên biểu mẫu")
    mine.review("QT-01", by="binh", now=start + dt.timedelta(hours=2))
    assert mine.document("BM-07").title == "Sổ theo dõi văn bản đến"
    assert _state(mine) == _state(Repository.open(mini))


def test_issued_revisions_come_from_the_cache_until_a_tag_changes(demo: Path) -> None:
    repo = Repository.open(demo)
    everything = repo.history_store.all_issued()
    assert everything and (_cache_dir(demo) / "tags.json").exists()
    again = Repository.open(demo).history_store.all_issued()
    assert again == everything
    # a tag made outside qmsdocs (or removed) is seen: the refs' ids are the key
    code, revisions = next(iter(everything.items()))
    tag = revisions[-1].tag
    git(demo, "tag", "-d", tag)
    fewer = Repository.open(demo).history_store.all_issued()
    assert [r.tag for r in fewer.get(code, [])] == [r.tag for r in revisions[:-1]]
    # a damaged cache (right key, rows that make no sense) is read again from git
    stored = json.loads((_cache_dir(demo) / "tags.json").read_text(encoding="utf-8"))
    stored["data"]["rows"] = [["QT-01", "not a number"], 7]
    (_cache_dir(demo) / "tags.json").write_text(json.dumps(stored), encoding="utf-8")
    assert Repository.open(demo).history_store.all_issued() == fewer


def _cold_findings(root: Path) -> list[object]:
    repo = Repository.open(root)
    repo.clear_cache()
    return list(repo.validate())


def test_validation_after_edits_checks_again_only_what_they_affect(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qmsdocs.validation import DocumentChecker

    checked: list[str] = []
    real_check = DocumentChecker.check

    def counted(self: DocumentChecker, document: object, file: str) -> object:
        checked.append(file)
        return real_check(self, document, file)  # type: ignore[arg-type]

    monkeypatch.setattr(DocumentChecker, "check", counted)
    _age(sample, 600)
    Repository.open(sample).validate()
    total = len(checked)
    assert total > 20

    def edit(file: str, old: str, new: str, age: int) -> list[object]:
        path = sample / file
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        past = time.time() - age  # only this file changes (and is not "racy")
        os.utime(path, (past, past))
        checked.clear()
        return list(Repository.open(sample).validate())

    # a procedure drops a form from its list: the procedure and the forms it owns only
    found = edit("procedures/QT-07.yaml", "  - BM-MC-05\n", "", 500)
    assert any(f.file == "forms/BM-MC-05.yaml" and f.check == "form-owner" for f in found)
    assert "procedures/QT-07.yaml" in checked and "forms/BM-MC-05.yaml" in checked
    assert len(checked) < total / 2
    assert found == _cold_findings(sample)

    # a legal document changes: only the registry's own checks run again
    found = edit(
        "legal/04-2020-TT-BTP.yaml", "target: 15/2015/TT-BTP", "target: 99/2099/TT-BTP", 400
    )
    assert checked == []
    assert any(f.file == "legal/04-2020-TT-BTP.yaml" and f.check == "unknown-legal" for f in found)
    assert found == _cold_findings(sample)

    # a unit removed from qms.yaml: everything is checked again
    config = (sample / "qms.yaml").read_text(encoding="utf-8")
    unit = next(d.unit for d in Repository.open(sample) if d.code == "QT-07")
    found = edit("qms.yaml", f"id: {unit}\n", f"id: {unit}-khac\n", 300)
    assert len(checked) == total
    assert any(f.check == "unknown-unit" for f in found)
    assert found == _cold_findings(sample)
    (sample / "qms.yaml").write_text(config, encoding="utf-8")
    os.utime(sample / "qms.yaml", (time.time() - 200, time.time() - 200))
    assert list(Repository.open(sample).validate()) == _cold_findings(sample)


def test_a_dropped_repository_is_freed_at_once(demo: Path) -> None:
    import datetime as dt
    import gc
    import pickle
    import weakref

    repo = Repository.open(demo)
    repo.validate()
    codes = [d.code for d in repo]
    assert repo.impact(on=dt.date(2026, 11, 21)) is not None
    registry = pickle.loads(pickle.dumps(repo.legal))  # what export workers receive
    assert len(list(registry)) == len(repo.legal)
    gc.disable()
    try:
        ref = weakref.ref(repo)
        del repo
        assert ref() is None  # no reference cycle: freed now, not by the cyclic collector
    finally:
        gc.enable()
    assert codes


def test_an_impact_report_is_kept_until_what_it_depends_on_changes(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    day = dt.date(2024, 6, 10)  # the demo has suspects then (15/2024/QĐ-UBND)
    computed: list[dt.date] = []
    real = impact_run._compute_impact

    def counted(reader: Reader, on: dt.date, only: object) -> object:
        computed.append(on)
        return real(reader, on, only)  # type: ignore[arg-type]

    monkeypatch.setattr(impact_run, "_compute_impact", counted)

    def uncached() -> list[object]:
        repo = Repository.open(demo)
        repo.clear_cache()
        return list(repo.impact(on=day))

    _age(demo)
    first = Repository.open(demo).impact(on=day)
    assert first and computed == [day]
    # another process asks the same: the report is read back, not computed
    assert Repository.open(demo).impact(on=day) == first and computed == [day]
    assert Repository.open(demo).impact(on=day + dt.timedelta(days=1)) is not None
    assert len(computed) == 2
    # a document edited by hand: its new title shows
    suspect = first[0]
    path = demo / str(suspect.file)
    path.write_text(
        path.read_text(encoding="utf-8").replace(suspect.title, suspect.title + " (sửa)"),
        encoding="utf-8",
    )
    _age(demo)
    computed.clear()
    edited = Repository.open(demo).impact(on=day)
    assert computed == [day]
    assert next(s for s in edited if s.code == suspect.code).title == suspect.title + " (sửa)"
    assert edited == uncached()
    # a commit (HEAD moves) and a removed revision tag are seen too
    for change in (
        ["commit", "-qam", "Sửa tên quy trình"],
        ["tag", "-d", Repository.open(demo).revisions(suspect.code)[-1].tag],
    ):
        git(demo, *change)
        computed.clear()
        assert Repository.open(demo).impact(on=day) == uncached()
        assert computed[0] == day
    # a damaged report is computed again
    stored = json.loads((_cache_dir(demo) / "impact.json").read_text(encoding="utf-8"))
    stored["data"]["report"] = {"documents": [["QT-01"]], "reasons": 7}
    (_cache_dir(demo) / "impact.json").write_text(json.dumps(stored), encoding="utf-8")
    computed.clear()
    assert Repository.open(demo).impact(on=day) == uncached() and computed[0] == day


def test_the_tag_refs_key_changes_with_a_revision_tag_only(mini: Path) -> None:
    from qmsdocs.store.git import GitStore

    store = GitStore(mini)
    prefix = "refs/tags/qms/"
    none = store.refs_key(prefix)  # no tag yet
    git(mini, "tag", "-a", "-m", "QT-01 lần 1", "qms/QT-01/1")
    key = store.refs_key(prefix)
    assert key != none
    # a commit, a branch, a project's release tags on either side of ours: not revisions
    git(mini, "commit", "-q", "--allow-empty", "-m", "Ghi chú")
    git(mini, "branch", "du-thao")
    git(mini, "tag", "a-1.0")
    git(mini, "tag", "v2.0")
    assert store.refs_key(prefix) == key
    git(mini, "tag", "-a", "-m", "BM-01-01 lần 1", "qms/BM-01-01/1")
    more = store.refs_key(prefix)
    assert more != key
    git(mini, "tag", "-f", "-a", "-m", "QT-01 lần 1", "qms/QT-01/1", "HEAD")  # moved
    moved = store.refs_key(prefix)
    assert moved not in (key, more)
    git(mini, "pack-refs", "--all")  # where git keeps them does not matter
    assert store.refs_key(prefix) == moved
    git(mini, "tag", "-d", "qms/BM-01-01/1")
    assert store.refs_key(prefix) not in (key, more, moved)
