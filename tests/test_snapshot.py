"""Repository.at: a QMS read from any commit of any git repository, with no checkout."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from qmsdocs import ActionRefused, ReadOnlyRepository, Repository, RepositoryNotFound, verify
from qmsdocs.store.git import MAX_BLOB_BYTES


def git(cwd: Path, *args: str, input: str | None = None) -> str:
    """Run git in *cwd*; return its output without the last newline."""
    done = subprocess.run(
        ["git", *args], cwd=cwd, input=input, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


#: Days the list is asked about, from before the first issue to after the last change.
_DAYS = [dt.date(2021, 6, 1), dt.date(2022, 12, 31), dt.date(2024, 6, 10), dt.date(2026, 1, 1)]


def _commits(repo: Path) -> list[str]:
    """Return five commits spread over the demo's history, oldest first."""
    commits = git(repo, "rev-list", "--reverse", "HEAD").split()
    step = (len(commits) - 1) / 4
    return [commits[round(i * step)] for i in range(5)]


def _checkout(origin: Path, commit: str, dest: Path) -> Path:
    """Return a work tree of *origin* at *commit*, holding only the tags it had then."""
    subprocess.run(["git", "clone", "-q", str(origin), str(dest)], check=True)
    git(dest, "checkout", "-q", commit)
    later = git(dest, "tag", "--no-merged", commit).split()
    if later:
        git(dest, "tag", "-d", *later)
    return dest


def _view(repo: Repository) -> dict[str, object]:
    """Return what a user reads of a repository: documents, findings, lists on some days."""
    return {
        "documents": [d.model_dump(mode="json") for d in repo],
        "legal": sorted(d.number for d in repo.legal),
        "findings": [(f.file, f.line, f.check, f.severity.value, f.text) for f in repo.validate()],
        "lists": {day.isoformat(): [s.to_dict() for s in repo.summaries(on=day)] for day in _DAYS},
        "revisions": {d.code: [r.revision for r in repo.revisions(d.code)] for d in repo},
    }


def test_five_commits_read_from_a_bare_mirror_are_what_a_checkout_shows(
    demo_master: Path, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(demo_master), str(mirror)], check=True)
    for index, commit in enumerate(_commits(demo_master)):
        snapshot = Repository.at(mirror, commit, cache_dir=tmp_path / "cache")
        checkout = Repository.open(_checkout(demo_master, commit, tmp_path / f"co{index}"))
        assert snapshot.commit == commit and snapshot.read_only
        assert _view(snapshot) == _view(checkout), commit
        # the same again from the cache folder: the same answers
        again = Repository.at(mirror, commit, cache_dir=tmp_path / "cache")
        assert _view(again) == _view(checkout)


def test_the_head_of_a_mirror_reads_verifies_and_impacts_as_the_work_tree(
    demo_master: Path, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(demo_master), str(mirror)], check=True)
    snapshot = Repository.at(mirror)
    work = Repository.open(demo_master)
    day = dt.date(2024, 6, 10)  # the demo has suspects then
    assert snapshot.impact(on=day) == work.impact(on=day) != []
    assert verify(snapshot) == verify(work) == []
    assert snapshot.revision_history("QT-TP-04") == work.revision_history("QT-TP-04")
    assert [a.commit for a in snapshot.actions()] == [a.commit for a in work.actions()]
    assert work.commit is None and not work.read_only


def test_every_action_on_a_snapshot_is_refused(demo_master: Path, tmp_path: Path) -> None:
    snapshot = Repository.at(demo_master)  # a work tree's repository, read at a commit
    before = git(demo_master, "rev-parse", "HEAD")
    now = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    with pytest.raises(ReadOnlyRepository, match="read-only") as refused:
        snapshot.revise("QT-01", reason="x", by="hung", now=now)
    assert isinstance(refused.value, ActionRefused)
    with pytest.raises(ReadOnlyRepository):
        snapshot.new("procedure", "QT-99", title="x", by="hung", now=now)
    with pytest.raises(ReadOnlyRepository):
        snapshot.recover()
    assert git(demo_master, "rev-parse", "HEAD") == before
    assert git(demo_master, "status", "--porcelain") == ""


def test_what_names_no_commit_is_refused_in_one_line(mini: Path, tmp_path: Path) -> None:
    tree = git(mini, "rev-parse", "HEAD^{tree}")
    git(mini, "tag", "a-tree", tree)
    for rev, said in [("a-tree", "names a tree, not a commit"), ("nope", "names no commit")]:
        with pytest.raises(RepositoryNotFound, match=said):
            Repository.at(mini, rev)
    with pytest.raises(RepositoryNotFound, match="cannot read"):
        Repository.at(tmp_path)
    with pytest.raises(RepositoryNotFound, match="names no commit"):
        Repository.at(mini, "--output=/tmp/x")
    first = git(mini, "commit-tree", "-m", "empty", git(mini, "mktree", input=""))
    with pytest.raises(RepositoryNotFound, match="no qms.yaml"):
        Repository.at(mini, first)


def _commit_tree(repo: Path, entries: list[tuple[str, str, str, str]], parent: str) -> str:
    """Return a commit of *repo* whose tree is HEAD's plus *entries* (mode, type, oid, path)."""
    index = repo / ".git" / "scratch-index"
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    subprocess.run(["git", "-C", str(repo), "read-tree", parent], env=env, check=True)
    for mode, _kind, oid, path in entries:
        subprocess.run(
            [
                "git",
                "-C",
                str(repo),
                "update-index",
                "--add",
                "--cacheinfo",
                f"{mode},{oid},{path}",
            ],
            env=env,
            check=True,
        )
    tree = subprocess.run(
        ["git", "-C", str(repo), "write-tree"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    index.unlink()
    return git(repo, "commit-tree", "-p", parent, "-m", "hostile", tree)


def test_hostile_content_in_a_commit_becomes_findings(mini: Path) -> None:
    head = git(mini, "rev-parse", "HEAD")
    link = git(mini, "hash-object", "-w", "--stdin", input="/etc/passwd")
    huge = mini / "huge.yaml"
    huge.write_bytes(b"code: QT-77\n#" + b"x" * (MAX_BLOB_BYTES + 1) + b"\n")
    big = git(mini, "hash-object", "-w", str(huge))
    huge.unlink()
    commit = _commit_tree(
        mini,
        [
            ("120000", "blob", link, "procedures/QT-66.yaml"),
            ("100644", "blob", big, "procedures/QT-77.yaml"),
            ("160000", "commit", head, "procedures/QT-88.yaml"),
        ],
        head,
    )
    snapshot = Repository.at(mini, commit)
    checks = {(f.file, f.check) for f in snapshot.validate()}
    assert {
        ("procedures/QT-66.yaml", "symlink"),
        ("procedures/QT-77.yaml", "too-large"),
        ("procedures/QT-88.yaml", "unreadable"),
    } <= checks
    assert "QT-66" not in snapshot and "QT-01" in snapshot


def test_a_qms_tag_naming_a_tree_is_not_a_crash(mini: Path) -> None:
    tree = git(mini, "rev-parse", "HEAD^{tree}")
    git(mini, "tag", "-a", "-m", "QMS-Document: QT-01\nQMS-Revision: 1\n", "qms/QT-01/1", tree)
    snapshot = Repository.at(mini)
    assert snapshot.validate() == Repository.open(mini).validate()
    assert isinstance(verify(snapshot), list)


def test_a_blob_parsed_once_is_not_parsed_again_in_another_repository(
    demo_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qmsdocs.read import files, reader

    parsed: list[str] = []
    real = files.parse_file

    def counted(source: object, file: str, *args: object) -> object:
        parsed.append(file)
        return real(source, file, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "parse_file", counted)
    monkeypatch.setattr(files, "parse_file", counted)
    cache = tmp_path / "cache"
    first = tmp_path / "first.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(demo_master), str(first)], check=True)
    opened = Repository.at(first, cache_dir=cache)
    expected = opened.validate()
    assert len(parsed) > 40
    # another repository: the same files but one, at a commit of its own
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(demo_master), str(work)], check=True)
    changed = work / "procedures" / "QT-01.yaml"
    changed.write_text(changed.read_text(encoding="utf-8") + "# một ghi chú\n", encoding="utf-8")
    git(work, "commit", "-q", "-am", "A note")
    parsed.clear()
    second = Repository.at(work, cache_dir=cache)
    assert second.validate() == expected and second.commit != opened.commit
    assert parsed == ["procedures/QT-01.yaml"]


def test_a_tree_listed_once_is_not_listed_again_and_a_damaged_listing_is_ignored(
    demo_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qmsdocs.store.git import CommitStore

    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(demo_master), str(mirror)], check=True)
    cache = tmp_path / "cache"
    expected = _view(Repository.at(mirror, cache_dir=cache))
    kept = list(cache.glob("trees/*/listing.json"))
    assert len(kept) == 1
    asked: list[tuple[str, ...]] = []
    real = CommitStore._run

    def counted(self: CommitStore, *args: str, **kwargs: object) -> str:
        asked.append(args)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(CommitStore, "_run", counted)
    assert _view(Repository.at(mirror, cache_dir=cache)) == expected
    assert not [a for a in asked if a[0] == "ls-tree"]
    kept[0].write_text('{"broken": [', encoding="utf-8")
    assert _view(Repository.at(mirror, cache_dir=cache)) == expected
    assert [a for a in asked if a[0] == "ls-tree"]


def test_a_forked_child_reads_blobs_through_a_git_process_of_its_own(mini: Path) -> None:
    from qmsdocs.store.git import CommitStore

    store = CommitStore(mini)
    tree = store.tree(["procedures"])
    first = store.read_many([e.oid for e in tree])  # the parent's cat-file is running now
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's outcome is its exit code
        os._exit(0 if store.read_many([e.oid for e in tree]) == first else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert store.read_many([e.oid for e in reversed(tree)]) == first[::-1]  # still in step
    assert store.blob("0" * 40) is None and store.object_ids(["HEAD:nothing"]) == [None]
    store.close()
