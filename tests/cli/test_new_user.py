"""What a new officer tripped over in the first hour (issue 15): each a regression test."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from qmsdocs import Repository
from qmsdocs.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_clean_line(err: str) -> None:
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("qms: ")


# -- qms init with a relative path -----------------------------------------------------


@pytest.mark.parametrize("target", ["myqms", "."])
def test_init_accepts_a_relative_folder(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, out, err = run(capsys, "init", target)
    assert code == 0, err
    root = (work / target).resolve()
    assert "created" in out and str(root) in out
    repo = Repository.open(root)
    assert repo.validate() == []
    log = subprocess.run(
        ["git", "-C", str(root), "log", "--oneline"], capture_output=True, text=True, check=True
    ).stdout
    assert len(log.splitlines()) == 1


def test_a_failed_init_leaves_no_half_built_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    # git cannot commit without a usable identity: the init fails after writing files
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "")
    monkeypatch.setattr("qmsdocs.store.git.GitStore.commit", _failing_commit)
    code, _, err = run(capsys, "init", "myqms")
    assert code == 1
    one_clean_line(err)
    assert not (tmp_path / "myqms").exists()


def _failing_commit(*args: object, **kwargs: object) -> str:
    from qmsdocs.errors import GitError

    raise GitError("git commit failed: no identity")


# -- outputs into folders that do not exist, or cannot be written ------------------------


def test_outputs_create_missing_folders(
    demo_master: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "new" / "deeper"
    for args, written in [
        (["diff", "QT-TP-04", "1", "2", "--docx", str(deep / "a" / "r.docx")], "a/r.docx"),
        (["diff", "QT-TP-04", "1", "2", "--html", str(deep / "b" / "r.html")], "b/r.html"),
        (["changes", "--since", "2021-01-01", "--docx", str(deep / "c" / "t.docx")], "c/t.docx"),
        (["export", "QT-01", "--out", str(deep / "d")], "d/QT-01_r3.docx"),
        (["registers", "--out", str(deep / "e")], "e/danh-muc-tai-lieu-noi-bo.docx"),
    ]:
        code, _, err = run(capsys, "-C", str(demo_master), *args)
        assert code == 0, err
        assert (deep / written).is_file(), written


@pytest.mark.skipif(
    os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root writes anywhere"
)
def test_an_unwritable_folder_is_one_line(
    demo_master: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    for args in (
        ["diff", "QT-TP-04", "1", "2", "--docx", str(locked / "x" / "r.docx")],
        ["export", "QT-01", "--out", str(locked / "copies")],
    ):
        code, _, err = run(capsys, "-C", str(demo_master), *args)
        assert code == 1
        one_clean_line(err)
        assert str(locked) in err


def test_an_output_path_that_is_a_file_is_one_line(
    demo_master: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for args in (
        ["diff", "QT-TP-04", "1", "2", "--html", str(blocker / "r.html")],
        ["export", "QT-01", "--out", str(blocker / "copies")],
        ["registers", "--out", str(blocker / "registers")],
    ):
        code, _, err = run(capsys, "-C", str(demo_master), *args)
        assert code == 1, args
        one_clean_line(err)
        assert str(blocker) in err


def test_outputs_get_the_normal_umask_not_0600(
    demo_master: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = os.umask(0o022)
    try:
        assert (
            run(capsys, "-C", str(demo_master), "export", "QT-01", "--out", str(tmp_path))[0] == 0
        )
        assert run(capsys, "-C", str(demo_master), "registers", "--out", str(tmp_path))[0] == 0
    finally:
        os.umask(old)
    for path in tmp_path.glob("*.docx"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name


# -- a controlled copy right after revise ----------------------------------------------


def test_a_controlled_copy_after_revise_is_of_the_revision_in_force(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    in_force = Repository.open(demo).document("QT-TP-01").revision
    code, _, err = run(
        capsys,
        "-C",
        str(demo),
        "revise",
        "QT-TP-01",
        "--reason",
        "Cập nhật",
        "--as",
        "vo-minh-tuan",
    )
    assert code == 0, err
    code, out, err = run(
        capsys, "-C", str(demo), "export", "QT-TP-01", "--copy", "7", "--holder",
        "Bộ phận Một cửa", "--out", str(tmp_path), "--as", "vo-minh-tuan",
    )  # fmt: skip
    assert code == 0, err
    assert (tmp_path / f"QT-TP-01_r{in_force}.docx").is_file()
    assert f"QT-TP-01_r{in_force + 1}" not in out


# -- an action on a file with a YAML syntax error --------------------------------------


def test_an_action_on_a_broken_file_names_the_file_line_and_problem(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = demo / "procedures" / "QT-TP-01.yaml"
    with file.open("a", encoding="utf-8") as handle:
        handle.write("title: [unclosed\n")
    for args in (["submit", "QT-TP-01", "--as", "vo-minh-tuan"], ["show", "QT-TP-01"]):
        code, _, err = run(capsys, "-C", str(demo), *args)
        assert code == 1
        one_clean_line(err)
        assert re.match(r"qms: error: procedures/QT-TP-01\.yaml:\d+:\d+: QT-TP-01 ", err), err
        assert "YAML syntax" in err and "no document" not in err


# -- a closed pipe ---------------------------------------------------------------------


def test_a_closed_pipe_is_a_normal_end(demo_master: Path) -> None:
    qms = Path(sys.executable).parent / "qms"
    script = f"'{qms}' -C '{demo_master}' changes --since 2021-01-01 | head -n 1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() and result.stderr == ""


# -- usage errors in the officer's own words -------------------------------------------


def test_a_usage_error_of_a_subcommand_points_at_its_own_help(
    mini: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "-C", str(mini), "legal", "add", "--number", "12/2026/NĐ-CP")
    assert code == 2
    assert err.splitlines()[-1] == "Try 'qms legal add --help'."


def test_an_error_names_the_option_typed_not_the_field(
    mini: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "-C", str(mini), "legal", "add", "--number", "12/2026/NĐ-CP", "--issuer",
        "Chính phủ", "--title", "Thử", "--issued", "01/01/2026", "--effective", "01/01/2025",
    )  # fmt: skip
    assert code == 2
    assert "--effective is before the issue date" in err and "effective_from" not in err


def test_steps_are_counted_from_one_in_messages(sample: Path) -> None:
    file = sample / "procedures" / "QT-TP-01.yaml"
    text = file.read_text(encoding="utf-8")
    steps = text.index("\nsteps:")
    second = text.index("no:", text.index("no:", steps) + 3)
    end = text.index("\n", second)
    file.write_text(text[:second] + "no: abc" + text[end:], encoding="utf-8")
    [finding] = Repository.open(sample).validate()
    assert finding.field == "steps.1.no"  # the machine path, for scripts
    assert finding.message.startswith("steps #2 › no: ")  # the second step, for people


# -- codes typed in any case -----------------------------------------------------------


def test_a_code_typed_in_lower_case_is_stored_in_upper_case_and_never_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "qms"
    assert main(["init", "--no-hook", str(root)]) == 0
    as_officer = ("--as", "can-bo-iso")
    code, out, err = run(
        capsys, "-C", str(root), "new", "procedure", "qt-10", "--title", "Thử", *as_officer
    )
    assert code == 0, err
    assert "QT-10" in out and (root / "procedures" / "QT-10.yaml").is_file()
    assert Repository.open(root).document("qt-10").code == "QT-10"
    code, _, err = run(
        capsys, "-C", str(root), "new", "procedure", "Qt-10", "--title", "Khác", *as_officer
    )
    assert code == 1 and "'QT-10' already exists" in err
    code, _, err = run(
        capsys, "-C", str(root), "new", "form", "bm-qt-10-01", "--title", "Mẫu",
        "--procedure", "qt-10", *as_officer,
    )  # fmt: skip
    assert code == 0, err
    form = Repository.open(root).document("BM-QT-10-01")
    assert form.code == "BM-QT-10-01" and form.procedure == "QT-10"  # type: ignore[attr-defined]
    assert sorted(p.name for p in (root / "procedures").glob("*.yaml")) == ["QT-10.yaml"]


# -- choices typed in Vietnamese ---------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "typed", "meant"),
    [
        ("--kind", "quy trình", "procedure"),
        ("--kind", "QUY TRINH", "procedure"),
        ("--kind", "biểu mẫu", "form"),
        ("--status", "dự thảo", "draft"),
        ("--status", "du thao", "draft"),
        ("--status", "Đang hiệu lực", "effective"),
        ("--status", "dang xem xet", "in_review"),
        ("--status", "chờ hiệu lực", "pending"),
    ],
)
def test_list_takes_choices_in_vietnamese(
    demo_master: Path, capsys: pytest.CaptureFixture[str], option: str, typed: str, meant: str
) -> None:
    code, out, err = run(capsys, "-C", str(demo_master), "list", option, typed, "--json")
    assert code == 0, err
    expected_code, expected, _ = run(
        capsys, "-C", str(demo_master), "list", option, meant, "--json"
    )
    assert expected_code == 0 and out == expected


@pytest.mark.parametrize("typed", ["Nghị định", "nghi dinh", "NĐ", "nđ", "decree"])
def test_legal_add_takes_the_type_in_vietnamese(
    mini: Path, capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    code, _, err = run(
        capsys, "-C", str(mini), "legal", "add", "--number", "12/2026/XYZ", "--type", typed,
        "--issuer", "Chính phủ", "--title", "Thử", "--issued", "01/01/2026", "--as", "an",
    )  # fmt: skip
    assert code == 0, err
    assert Repository.open(mini).legal_document("12/2026/XYZ").type.value == "decree"


def test_legal_import_takes_vietnamese_words_without_diacritics() -> None:
    from qmsdocs.legal_import import read_legal_batch

    text = (
        "number,type,issuer,title,issued,relation,target\n"
        "07/2026/QĐ-UBND,quyet dinh,UBND tỉnh,Bãi bỏ,2026-01-05,BAI BO,19/2014/QĐ-TTg\n"
    )
    batch = read_legal_batch(text.encode(), file="batch.csv")
    assert batch.ok, batch.findings
    assert batch.documents[0].type.value == "decision"
    assert batch.relations[0][1].type.value == "repeals"
