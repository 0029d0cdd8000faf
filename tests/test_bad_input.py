"""The catalogue of malformed files and repositories.

Each case breaks one thing in a valid repository. Validation must answer with a finding
that names the file, the line where it can, and the kind of problem, raise nothing, and
write nothing; the CLI must print one line per finding and never a traceback.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from qmsdocs import Repository, Severity
from qmsdocs.cli.main import main
from tests.conftest import git, tree_snapshot


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    change: Callable[[Path], None]
    check: str
    at: str | None
    words: str = ""
    severity: Severity = Severity.ERROR


def replace(file: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def write(file: str, data: str | bytes) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")

    return change


def copy_as(source: str, dest: str, old: str = "", new: str = "") -> Callable[[Path], None]:
    def change(root: Path) -> None:
        text = (root / source).read_text(encoding="utf-8")
        (root / dest).write_text(text.replace(old, new) if old else text, encoding="utf-8")

    return change


QT = "procedures/QT-01.yaml"
BM = "forms/BM-01-01.yaml"
L19 = "legal/19-2014-QD-TTg.yaml"
L118 = "legal/118-2009-QD-TTg.yaml"
CFG = "qms.yaml"

CASES = [
    # YAML syntax and encoding
    Case(
        "tab-indent", QT, replace(QT, "  - no: 2", "\t- no: 2"), "yaml-syntax", "\t- no: 2", "tab"
    ),
    Case(
        "duplicate-key",
        QT,
        replace(QT, "unit: van-phong\n", "unit: van-phong\nunit: lanh-dao\n"),
        "yaml-syntax",
        "unit: lanh-dao",
        "duplicate key",
    ),
    Case(
        "unclosed-quote",
        QT,
        replace(QT, "title: Quy trình", 'title: "Quy trình'),
        "yaml-syntax",
        None,
        "YAML syntax",
    ),
    Case(
        "python-tag",
        QT,
        replace(QT, "scope: Mọi", "scope: !!python/object/apply:os.system ['id'] #"),
        "yaml-syntax",
        "scope: !!python",
        "tag",
    ),
    Case(
        "custom-tag",
        BM,
        replace(BM, "title: Phiếu", "title: !vault Phiếu"),
        "yaml-syntax",
        "title: !vault",
        "tag",
    ),
    Case(
        "31-february",
        QT,
        replace(QT, "issued_date: 2024-03-01", "issued_date: 2024-02-31"),
        "yaml-syntax",
        "issued_date: 2024-02-31",
        "2024-02-31",
    ),
    Case(
        "not-utf8",
        BM,
        write(BM, "code: BM-01-01\ntitle: Phi\xe9u\n".encode("latin-1")),
        "yaml-syntax",
        None,
        "UTF-8",
    ),
    Case(
        "merge-conflict",
        BM,
        replace(
            BM,
            "procedure: QT-01\n",
            "<<<<<<< HEAD\nprocedure: QT-01\n=======\nprocedure: QT-02\n>>>>>>> other\n",
        ),
        "yaml-syntax",
        "<<<<<<< HEAD",
        "merge conflict",
    ),
    Case("binary", BM, write(BM, b"code: BM\x00\x01\x02"), "yaml-syntax", None, "NUL"),
    Case(
        "alias-bomb",
        BM,
        write(
            BM,
            "".join(
                f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10) if i else 'x'}]\n" for i in range(9)
            ),
        ),
        "yaml-syntax",
        None,
        "alias",
    ),
    Case("empty-file", BM, write(BM, ""), "schema", None, "empty file"),
    Case("top-level-list", BM, write(BM, "- code: BM-01-01\n"), "schema", None, "mapping"),
    # schema
    Case(
        "unknown-field",
        QT,
        replace(QT, "scope:", "muc_dich: x\nscope:"),
        "schema",
        "muc_dich: x",
        "unknown field 'muc_dich'",
    ),
    Case(
        "missing-field",
        QT,
        replace(QT, "purpose: Thống nhất cách soạn thảo, phê duyệt và kiểm soát tài liệu.\n", ""),
        "schema",
        None,
        "missing required field 'purpose'",
    ),
    Case(
        "wrong-type",
        QT,
        replace(QT, "revision: 2", "revision: hai"),
        "schema",
        "revision: hai",
        "revision",
    ),
    Case(
        "wrong-choice",
        QT,
        replace(QT, "category: system", "category: hệ thống"),
        "schema",
        "category: hệ thống",
        "'system' or 'administrative'",
    ),
    Case(
        "bad-status",
        QT,
        replace(QT, "status: approved", "status: effective"),
        "schema",
        "status: effective",
        "status",
    ),
    Case(
        "approved-no-effective-date",
        QT,
        replace(QT, "effective_date: 2024-03-15\n", ""),
        "schema",
        None,
        "needs an effective_date",
    ),
    Case(
        "steps-out-of-order",
        QT,
        replace(QT, "  - no: 2", "  - no: 3"),
        "schema",
        None,
        "numbered 1, 2, 3",
    ),
    Case(
        "bad-signature-time",
        QT,
        replace(QT, "signed_at: 2024-03-01T10:00:00+07:00", "signed_at: 2024-03-01T10:00:00"),
        "schema",
        "signed_at: 2024-03-01T10:00:00",
        "timezone",
    ),
    Case(
        "bad-email",
        CFG,
        replace(CFG, "email: an@xa.gov.vn", "email: an-at-xa"),
        "schema",
        "email: an-at-xa",
        "email",
    ),
    Case(
        "role-until-before-from",
        CFG,
        replace(
            CFG,
            "{role: iso-officer, from: 2020-01-01}",
            "{role: iso-officer, from: 2020-01-01, until: 2019-01-01}",
        ),
        "schema",
        None,
        "'until' is before 'from'",
    ),
    # codes
    Case(
        "path-traversal-code",
        BM,
        replace(BM, "code: BM-01-01", "code: ../../etc/passwd"),
        "schema",
        "code: ../../etc/passwd",
        "code",
    ),
    Case(
        "reserved-code",
        "forms/CON.yaml",
        copy_as(BM, "forms/CON.yaml", "code: BM-01-01", "code: CON"),
        "schema",
        "code: CON",
        "reserved",
    ),
    Case(
        "lookalike-code",
        BM,
        replace(BM, "code: BM-01-01", "code: ВМ-01-01"),
        "schema",
        "code: ВМ-01-01",
        "code",
    ),
    Case(
        "file-name-mismatch",
        BM,
        replace(BM, "code: BM-01-01", "code: BM-01-02"),
        "file-name",
        "code: BM-01-02",
        "rename it to BM-01-02.yaml",
    ),
    Case(
        "duplicate-code-case",
        "forms/bm-01-01.yaml",
        copy_as(BM, "forms/bm-01-01.yaml", "code: BM-01-01", "code: bm-01-01"),
        "duplicate-code",
        "code: bm-01-01",
        "also defined",
    ),
    Case(
        "legal-file-name",
        L118,
        replace(L118, "number: 118/2009/QĐ-TTg", "number: 118/2019/QĐ-TTg"),
        "file-name",
        "number: 118/2019/QĐ-TTg",
        "118-2019-QD-TTg",
    ),
    Case(
        "yml-extension",
        "forms/BM-01-02.yml",
        write("forms/BM-01-02.yml", "code: BM-01-02\n"),
        "file-name",
        None,
        "*.yaml",
        Severity.WARNING,
    ),
    # references
    Case(
        "unknown-legal-basis",
        QT,
        replace(QT, "ref: 19/2014/QĐ-TTg", "ref: 99/2099/NĐ-CP"),
        "unknown-legal",
        "ref: 99/2099/NĐ-CP",
        "99/2099/NĐ-CP",
    ),
    Case(
        "unknown-form-in-step",
        QT,
        replace(QT, "    forms: [BM-01-01]", "    forms: [BM-09-09]"),
        "unknown-form",
        "forms: [BM-09-09]",
        "BM-09-09",
    ),
    Case(
        "unknown-unit",
        BM,
        replace(BM, "unit: van-phong", "unit: phong-ma"),
        "unknown-unit",
        "unit: phong-ma",
        "phong-ma",
    ),
    Case(
        "unknown-person",
        QT,
        replace(QT, "person: cuong", "person: dung"),
        "unknown-person",
        "person: dung",
        "dung",
    ),
    Case(
        "unknown-role",
        CFG,
        replace(CFG, "{role: chairman, from: 2020-01-01}", "{role: president, from: 2020-01-01}"),
        "unknown-role",
        "role: president",
        "president",
    ),
    Case(
        "unknown-supersedes",
        QT,
        replace(QT, "legal_basis:", "supersedes: [QT-99]\nlegal_basis:"),
        "unknown-document",
        "supersedes: [QT-99]",
        "QT-99",
    ),
    Case(
        "form-owner-unknown",
        BM,
        replace(BM, "procedure: QT-01", "procedure: QT-77"),
        "unknown-document",
        "procedure: QT-77",
        "QT-77",
    ),
    Case(
        "relation-unknown-target",
        L19,
        replace(L19, "target: 118/2009/QĐ-TTg", "target: 144/2006/QĐ-TTg"),
        "unknown-legal",
        "target: 144/2006/QĐ-TTg",
        "144/2006/QĐ-TTg",
    ),
    Case(
        "replacement-cycle",
        L118,
        replace(
            L118,
            "effective_from: 2009-11-20\n",
            "effective_from: 2009-11-20\n"
            "relations:\n  - {type: replaces, target: 19/2014/QĐ-TTg}\n",
        ),
        "replacement-cycle",
        None,
        "loops back",
    ),
    # dates
    Case(
        "effective-before-issued",
        QT,
        replace(QT, "effective_date: 2024-03-15", "effective_date: 2024-02-15"),
        "date-order",
        "effective_date: 2024-02-15",
        "before issued_date",
    ),
    Case(
        "history-out-of-order",
        QT,
        replace(QT, "{revision: 2, date: 2024-03-01", "{revision: 2, date: 2020-03-01"),
        "date-order",
        "date: 2020-03-01",
        "ascending",
    ),
    Case(
        "history-after-revision",
        QT,
        replace(QT, "{revision: 2, date: 2024-03-01", "{revision: 3, date: 2024-03-01"),
        "date-order",
        "revision: 3, date",
        "revision 3",
    ),
    Case(
        "signed-after-issue",
        QT,
        replace(QT, "signed_at: 2024-03-01T10:00:00+07:00", "signed_at: 2024-04-01T10:00:00+07:00"),
        "date-order",
        "signed_at: 2024-04-01",
        "after the issued_date",
    ),
]


def test_the_catalogue_is_large_and_distinct() -> None:
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)


def test_the_unbroken_repository_has_no_findings(mini: Path) -> None:
    assert Repository.open(mini).validate() == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_bad_input_gives_one_clear_finding_and_writes_nothing(mini: Path, case: Case) -> None:
    case.change(mini)
    before, status = tree_snapshot(mini), git(mini, "status", "--porcelain")

    findings = Repository.open(mini).validate()

    matching = [f for f in findings if f.check == case.check and f.file == case.file]
    assert matching, (
        f"expected a {case.check} finding in {case.file}, got {[str(f) for f in findings]}"
    )
    finding = matching[0]
    assert finding.severity is case.severity
    assert case.words.lower() in finding.message.lower(), str(finding)
    if case.at is not None:
        text = (mini / case.file).read_text(encoding="utf-8")
        expected = next(i for i, line in enumerate(text.splitlines(), 1) if case.at in line)
        assert finding.line == expected, str(finding)
    assert "\n" not in str(finding) and "Traceback" not in str(finding)
    assert tree_snapshot(mini) == before and git(mini, "status", "--porcelain") == status


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.id in {"tab-indent", "python-tag", "unknown-legal-basis", "bad-email"}],
    ids=lambda c: c.id,
)
def test_the_cli_prints_one_line_per_finding_and_exits_1(
    mini: Path, case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    case.change(mini)
    assert main(["-C", str(mini), "validate"]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert any(
        line.startswith(f"{case.file}:") and f" error {case.check} " in line for line in lines
    )
    assert "Traceback" not in out + err


def test_a_broken_qms_yaml_makes_list_fail_with_one_line(
    mini: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replace(CFG, "units:", "units: [")(mini)
    assert main(["-C", str(mini), "list"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "qms.yaml:" in err and "YAML syntax" in err


def test_a_folder_outside_git_is_a_warning(tmp_path: Path) -> None:
    from tests.minirepo import write_minirepo

    root = write_minirepo(tmp_path / "plain")
    findings = Repository.open(root).validate()
    assert [(f.check, f.severity) for f in findings] == [("not-git", Severity.WARNING)]


def test_a_bare_repository_is_not_a_qms_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(tmp_path, "init", "-q", "--bare", "agency.git")
    assert main(["-C", str(tmp_path / "agency.git"), "validate"]) == 1
    assert "no qms.yaml" in capsys.readouterr().err


def test_a_missing_folder_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(tmp_path / "nowhere"), "list"]) == 1
    assert "no such folder" in capsys.readouterr().err


def test_a_detached_head_still_validates(mini: Path) -> None:
    git(mini, "checkout", "-q", "--detach")
    assert Repository.open(mini).validate() == []


def test_the_installed_command_never_shows_a_traceback(mini: Path) -> None:
    replace(QT, "revision: 2", "revision: [")(mini)
    result = subprocess.run(
        [sys.executable, "-m", "qmsdocs.cli.main", "-C", str(mini), "validate"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.startswith("procedures/QT-01.yaml:")
    assert len(result.stdout.splitlines()) == 1  # no cascade from the unreadable file
