"""The benchmark generator: valid, verified, deterministic, and a history the library can't tell apart.

Small sizes (a few dozen procedures, a 4-revision document made through the library): the
generator runs as a script in a child process, as ``make bench`` runs it.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import emit_yaml
from qmsdocs import Form, Procedure, Repository, verify
from qmsdocs.store import yaml as yaml_store
from tests.conftest import PROJECT, git

SMALL = ["--documents", "60", "--legal", "70", "--commits", "900", "--big-revisions", "4"]


def generate(dest: Path, *options: str) -> dict[str, Any]:
    """Run bench/generate.py and return the description it prints."""
    result = subprocess.run(
        [sys.executable, str(PROJECT / "bench" / "generate.py"), str(dest), *options, "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    meta: dict[str, Any] = json.loads(result.stdout)
    return meta


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A small generated repository, built once for the module (phase A cached next to it)."""
    folder = tmp_path_factory.mktemp("bench")
    meta = generate(folder / "repo", *SMALL, "--cache-dir", str(folder / "cache"))
    return folder / "repo", meta


def test_every_file_is_valid_and_the_history_verifies(small: tuple[Path, dict[str, Any]]) -> None:
    path, meta = small
    repo = Repository.open(path)
    assert repo.validate() == []
    assert verify(repo) == []
    assert meta["counts"]["commits"] == 900 == int(git(path, "rev-list", "--count", "HEAD"))
    assert meta["counts"]["procedure"] == 60 and meta["counts"]["form"] == 12
    assert len(repo.legal) == 70
    assert git(path, "status", "--porcelain") == ""


def test_the_same_seed_gives_the_same_commits(
    small: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, meta = small
    cache = path.parent / "cache"
    # phase A reused from the cache, phase B written again
    rebuilt = generate(tmp_path / "rebuilt", *SMALL, "--cache-dir", str(cache), "--rebuild")
    assert rebuilt["phase_a"]["cached"] is True
    # nothing cached: the library's actions made again
    fresh = generate(tmp_path / "fresh", *SMALL, "--no-cache")
    assert fresh["phase_a"]["cached"] is False
    # the 4 revisions written by fast-import instead of the library's actions: same bytes
    written = generate(tmp_path / "written", *SMALL, "--no-cache", "--big-history", "fast-import")
    assert written["phase_a"]["through"] == "fast-import"
    assert rebuilt["head"] == fresh["head"] == written["head"] == meta["head"]
    tags = git(path, "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags")
    assert (
        git(tmp_path / "fresh", "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags")
        == tags
    )
    other = generate(tmp_path / "other", *SMALL, "--seed", "2", "--no-cache")
    assert other["head"] != meta["head"]


def test_the_library_made_history_and_the_imported_one_look_alike(
    small: tuple[Path, dict[str, Any]],
) -> None:
    path, meta = small
    repo = Repository.open(path)
    big = meta["big"]["code"]
    actions = repo.actions()
    library = {a.action: sorted(a.trailers) for a in actions if a.code == big}
    imported: dict[str, set[tuple[str, ...]]] = {}
    for action in actions:
        if action.code != big:
            imported.setdefault(action.action, set()).add(tuple(sorted(action.trailers)))
    for kind in ("new", "revise", "submit", "review", "approve"):
        assert imported[kind] == {tuple(library[kind])}, kind
    for action in actions:  # every action is authored by the person who acted
        person = repo.config.person(action.person) if action.person else None
        if person is not None:
            assert action.author_email == person.email
    records = repo.revision_history(big)
    assert [r.revision for r in records] == [1, 2, 3, 4]
    others = [d for d in repo if d.kind == "procedure" and d.code != big and d.revision > 1]
    assert others, "some generated procedures have several revisions"
    for record in repo.revision_history(others[0].code):
        assert record.author and record.reviewer and record.approver and record.reason
        assert record.stamp and record.stamp.startswith("sha256:")


def test_documents_read_as_an_agency_writes_them(small: tuple[Path, dict[str, Any]]) -> None:
    path, _ = small
    repo = Repository.open(path)
    procedures = [d for d in repo if isinstance(d, Procedure)]
    assert all(8 <= len(d.steps) <= 15 for d in procedures)
    assert all(1 <= len(d.legal_basis) <= 7 for d in procedures)
    administrative = [d for d in procedures if d.category == "administrative"]
    assert administrative and all(d.tthc is not None for d in administrative)
    text = (path / repo.file_of(administrative[0].code)).read_text(encoding="utf-8")
    assert text == unicodedata.normalize("NFC", text) and "Ủy ban nhân dân" in text
    owners = {d.code: d.forms for d in procedures}
    assert all(f.code in owners[f.procedure] for f in repo if isinstance(f, Form))
    chains = [d for d in repo.legal if len(_chain(repo, d)) >= 3]
    assert chains, "replacement chains of three or more"
    partial = [
        r for d in repo.legal for r in d.relations if r.type.value == "repeals" and r.articles
    ]
    assert partial, "partial repeals by article"
    day = dt.date(2026, 7, 1)
    assert any(repo.legal.status_on(d, day).value == "not_yet_in_force" for d in repo.legal)


def _chain(repo: Repository, document: Any) -> list[Any]:
    out = [document]
    for relation in document.relations:
        if relation.type.value == "replaces" and not relation.articles:
            target = repo.legal.get(relation.target)
            if target is not None:
                return out + _chain(repo, target)
    return out


def test_too_few_commits_import_whole_agencies(tmp_path: Path) -> None:
    meta = generate(
        tmp_path / "r",
        "--documents",
        "120",
        "--legal",
        "40",
        "--commits",
        "160",
        "--big-revisions",
        "2",
        "--no-cache",
    )
    assert meta["counts"]["imported_agencies"] >= 1
    repo = Repository.open(tmp_path / "r")
    assert repo.validate() == []
    problems = {f.check for f in verify(repo)}
    assert problems == {"verify-issued"}  # approved before the history began: untagged


alphabet = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"))
scalars = st.one_of(
    st.text(alphabet=alphabet, max_size=30).map(lambda s: unicodedata.normalize("NFC", s)),
    st.integers(-10_000, 10_000),
    st.booleans(),
    st.dates(),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(
            st.one_of(
                scalars,
                st.dictionaries(st.from_regex(r"\A[a-z_]{1,8}\Z"), inner, min_size=1, max_size=4),
            ),
            min_size=1,
            max_size=4,
        ),
        st.dictionaries(st.from_regex(r"\A[a-z_]{1,8}\Z"), inner, min_size=1, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.from_regex(r"\A[a-z_]{1,8}\Z"), values, min_size=1, max_size=5))
def test_the_emitter_writes_yaml_that_reads_back_the_same(data: dict[str, Any]) -> None:
    assert yaml_store.load(emit_yaml(data), file="x.yaml") == data


def test_the_harness_runs_and_reports_what_is_not_there_yet(
    small: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, _ = small
    out = tmp_path / "results.json"
    result = subprocess.run(
        [
            sys.executable,
            str(PROJECT / "bench" / "run.py"),
            *SMALL,
            "--cache-dir",
            str(path.parent / "cache"),
            "--repeat",
            "1",
            "--cases",
            "open_validate_cold,history,diff,action_api",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    results = json.loads(out.read_text(encoding="utf-8"))
    metrics = {k: v for case in results["cases"].values() for k, v in case["metrics"].items()}
    assert metrics["history"]["status"] == "ok"
    assert metrics["history"]["info"]["revisions"] == 4
    assert metrics["open_validate_cold"]["info"]["findings"] == 0
    assert metrics["action_approve"]["status"] == "ok" and metrics["action_approve"]["peak_mb"] > 0
    assert metrics["diff"]["status"] in ("ok", "unavailable")
    assert results["machine"]["nproc"] >= 1
    assert "history" in result.stdout and "target" in result.stdout
