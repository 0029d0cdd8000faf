"""The catalogue of malformed files and repositories.

Each case breaks one thing in a valid repository. Validation must answer with a finding
that names the file, the line where it can, and the kind of problem, raise nothing, and
write nothing; the CLI must print one line per finding and never a traceback.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from qmsdocs import Repository, Severity, content_stamp, verify
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


def transform(file: str, fn: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / file
        path.write_bytes(fn(path.read_bytes()))

    return change


def then(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        for one in changes:
            one(root)

    return change


def bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


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
        "key-with-a-line-break",
        BM,
        transform(BM, lambda data: data + b'"ghi\\nch\xc3\xba": x\n'),
        "schema",
        '"ghi',
        "unknown field 'ghi",
    ),
    Case(
        "conflict-separator-first",
        BM,
        transform(BM, lambda data: b"=======\n" + data),
        "yaml-syntax",
        "=======",
        "merge conflict",
    ),
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
        "time zone",
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


SCOPE = "scope: Mọi tài liệu của Hệ thống quản lý chất lượng."
DUPLICATE_UNIT = replace(QT, "unit: van-phong\n", "unit: van-phong\nunit: lanh-dao\n")

CASES += [
    # encodings and line ends: the place of a problem is still right
    Case(
        "bom-duplicate-key",
        QT,
        then(DUPLICATE_UNIT, transform(QT, bom)),
        "yaml-syntax",
        "unit: lanh-dao",
        "duplicate key",
    ),
    Case(
        "crlf-duplicate-key",
        QT,
        then(DUPLICATE_UNIT, transform(QT, crlf)),
        "yaml-syntax",
        "unit: lanh-dao",
        "duplicate key",
    ),
    Case(
        "utf16",
        BM,
        transform(BM, lambda data: data.decode("utf-8").encode("utf-16")),
        "yaml-syntax",
        None,
        "UTF-8",
    ),
    Case(
        "two-documents",
        BM,
        transform(BM, lambda data: data + b"---\ncode: BM-01-02\n"),
        "yaml-syntax",
        "---",
        "another document",
    ),
    Case(
        "unclosed-bracket",
        QT,
        replace(QT, "forms: [BM-01-01]\nhistory", "forms: [BM-01-01\nhistory"),
        "yaml-syntax",
        None,
        "YAML syntax",
    ),
    Case(
        "raw-control-character",
        QT,
        replace(QT, SCOPE, SCOPE.replace("Mọi", "Mọi\x07")),
        "yaml-syntax",
        "scope:",
        "U+0007",
    ),
    # characters a .docx cannot carry, let in through YAML escapes
    Case(
        "escaped-bell",
        QT,
        replace(QT, SCOPE, 'scope: "Mọi tài liệu\\a của Hệ thống"'),
        "schema",
        "scope:",
        "U+0007",
    ),
    Case(
        "escaped-nul",
        QT,
        replace(QT, SCOPE, 'scope: "Mọi tài liệu\\0"'),
        "schema",
        "scope:",
        "U+0000",
    ),
    Case(
        "escaped-noncharacter",
        BM,
        replace(BM, "title: Phiếu", 'title: "\\uFFFE" #'),
        "schema",
        "title:",
        "U+FFFE",
    ),
    Case(
        "escaped-vertical-tab-in-a-step",
        QT,
        replace(QT, "action: Xem xét và phê duyệt", 'action: "Xem xét\\vphê duyệt"'),
        "schema",
        'action: "Xem xét',
        "U+000B",
    ),
    # sizes, depth and alias bombs
    Case(
        "fifty-megabytes",
        BM,
        transform(BM, lambda data: data + b"# " + b"x" * (50 * 1024 * 1024) + b"\n"),
        "yaml-syntax",
        None,
        "50 MB",
    ),
    Case(
        "list-of-100000-items",
        QT,
        transform(
            QT,
            lambda data: (
                data
                + b"definitions:\n"
                + b"".join(b"  - {term: T%d, meaning: x}\n" % i for i in range(100_000))
            ),
        ),
        "yaml-syntax",
        None,
        "definitions: more than 200000 values",
    ),
    Case(
        "billion-laughs",
        BM,
        write(
            BM,
            'l0: &l0 ["lol"]\n'
            + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 10)),
        ),
        "yaml-syntax",
        None,
        "alias bomb",
    ),
    Case(
        "nested-100000-deep",
        BM,
        transform(BM, lambda data: data + b"description: " + b"[" * 100_000 + b"]" * 100_000),
        "yaml-syntax",
        "description: [[",
        "description: nested deeper than 64 levels",
    ),
    Case(
        "nested-100-deep-in-blocks",
        BM,
        transform(BM, lambda data: data + b"".join(b" " * i + b"x:\n" for i in range(100))),
        "yaml-syntax",
        None,
        "nested deeper",
    ),
    Case(
        "alias-to-itself",
        BM,
        replace(BM, "procedure: QT-01", "procedure: &me [*me]"),
        "yaml-syntax",
        None,
        "nested deeper",
    ),
    # unsafe and unusual tags
    Case(
        "python-name-tag",
        QT,
        replace(QT, "scope: Mọi", "scope: !!python/name:os.system #"),
        "yaml-syntax",
        "scope: !!python",
        "unsupported YAML tag",
    ),
    Case(
        "python-object-new-tag",
        BM,
        replace(BM, "title: Phiếu", "title: !!python/object/new:subprocess.Popen [[id]] #"),
        "yaml-syntax",
        "title: !!python",
        "unsupported YAML tag",
    ),
    Case(
        "binary-tag",
        BM,
        replace(BM, "title: Phiếu đề nghị ban hành, sửa đổi tài liệu", "title: !!binary aGVsbG8="),
        "yaml-syntax",
        None,
        "!!binary",
    ),
    Case(
        "set-tag",
        QT,
        replace(QT, "forms: [BM-01-01]\nhistory", "forms: !!set {BM-01-01}\nhistory"),
        "yaml-syntax",
        None,
        "!!set",
    ),
    # wrong types that a lax reader would take
    Case(
        "revision-true",
        QT,
        replace(QT, "revision: 2", "revision: true"),
        "schema",
        "revision: true",
        "whole number (found true)",
    ),
    Case(
        "step-number-false",
        QT,
        replace(QT, "  - no: 2", "  - no: false"),
        "schema",
        "no: false",
        "whole number (found false)",
    ),
    Case(
        "schema-version-true",
        QT,
        replace(QT, "schema_version: 1", "schema_version: true"),
        "schema",
        "schema_version: true",
        "schema_version",
    ),
    Case(
        "date-as-a-number",
        QT,
        replace(QT, "issued_date: 2024-03-01", "issued_date: 1709251200"),
        "schema",
        "issued_date: 1709251200",
        "date written YYYY-MM-DD (found 1709251200)",
    ),
    Case(
        "signature-time-as-a-number",
        QT,
        replace(QT, "signed_at: 2024-03-01T10:00:00+07:00", "signed_at: 1709262000"),
        "schema",
        "signed_at: 1709262000",
        "date and time",
    ),
    Case(
        "steps-as-a-mapping",
        QT,
        replace(QT, "steps:\n  - no: 1", "steps:\n  no: 1\nx:\n  - no: 1"),
        "schema",
        "steps:",
        "must be a list",
    ),
    Case(
        "title-as-a-list",
        BM,
        replace(BM, "title: Phiếu đề nghị ban hành, sửa đổi tài liệu", "title: [Phiếu, đề nghị]"),
        "schema",
        "title: [",
        "must be a text",
    ),
    Case(
        "code-as-a-number",
        BM,
        replace(BM, "code: BM-01-01", "code: 10101"),
        "schema",
        "code: 10101",
        "must be a text (found 10101)",
    ),
    # dates
    Case(
        "29-february-2023",
        QT,
        replace(QT, "issued_date: 2024-03-01", "issued_date: 2023-02-29"),
        "yaml-syntax",
        "issued_date: 2023-02-29",
        "2023-02-29",
    ),
    Case(
        "month-13",
        QT,
        replace(QT, "effective_date: 2024-03-15", "effective_date: 2024-13-15"),
        "yaml-syntax",
        "effective_date: 2024-13-15",
        "2024-13-15",
    ),
    Case(
        "time-zone-in-a-date",
        QT,
        replace(QT, "issued_date: 2024-03-01", "issued_date: 2024-03-01T10:00:00+07:00"),
        "schema",
        "issued_date: 2024-03-01T10",
        "date written YYYY-MM-DD",
    ),
    # codes: paths, reserved names, look-alikes
    Case(
        "code-with-backslashes",
        BM,
        replace(BM, "code: BM-01-01", "code: ..\\..\\windows\\win.ini"),
        "schema",
        "code: ..",
        "path separator",
    ),
    Case(
        "code-absolute-path",
        BM,
        replace(BM, "code: BM-01-01", "code: /etc/passwd"),
        "schema",
        "code: /etc/passwd",
        "path separator",
    ),
    Case(
        "reserved-code-nul",
        "forms/NUL.yaml",
        copy_as(BM, "forms/NUL.yaml", "code: BM-01-01", "code: NUL"),
        "schema",
        "code: NUL",
        "reserved",
    ),
    Case(
        "reserved-code-com1-with-extension",
        "forms/COM1.txt.yaml",
        copy_as(BM, "forms/COM1.txt.yaml", "code: BM-01-01", "code: COM1.txt"),
        "schema",
        "code: COM1.txt",
        "reserved",
    ),
    Case(
        "fullwidth-lookalike-code",
        BM,
        replace(BM, "code: BM-01-01", "code: ＢＭ-01-01"),
        "schema",
        "code: ＢＭ",
        "non-ASCII",
    ),
    Case(
        "unicode-hyphen-lookalike-code",
        BM,
        replace(BM, "code: BM-01-01", "code: BM\u201001\u201001"),
        "schema",
        "code: BM",
        "non-ASCII",
    ),
    Case(
        "zero-width-space-in-code",
        BM,
        replace(BM, "code: BM-01-01", "code: BM-01-01\u200b"),
        "schema",
        "code: BM-01-01",
        "non-ASCII",
    ),
    Case(
        "code-with-a-combining-mark-nfd",
        BM,
        replace(BM, "code: BM-01-01", "code: BM-01-0\u0301"),
        "schema",
        "code: BM-01-0",
        "non-ASCII",
    ),
    Case(
        "cyrillic-lookalike-in-a-legal-number",
        QT,
        replace(QT, "ref: 19/2014/QĐ-TTg", "ref: 19/2014/QĐ-\u0422Tg"),
        "unknown-legal",
        "ref: 19/2014/QĐ-",
        "\u0422Tg",
    ),
    Case(
        "lookalike-person-id",
        QT,
        replace(QT, "person: cuong", "person: сuong"),
        "schema",
        "person: сuong",
        "person",
    ),
]


def test_the_catalogue_is_large_and_distinct() -> None:
    assert len(CASES) + len(ACCEPTED) + len(REPOSITORY_CASES) >= 60
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


# -- inputs that are not wrong: they load, with the very same content stamp ----------------


@dataclass(frozen=True)
class Accepted:
    id: str
    change: Callable[[Path], None]


def nfd(data: bytes) -> bytes:
    return unicodedata.normalize("NFD", data.decode("utf-8")).encode("utf-8")


ACCEPTED = [
    Accepted("bom", transform(QT, bom)),
    Accepted("crlf", transform(QT, crlf)),
    Accepted("bom-and-crlf", transform(QT, lambda data: bom(crlf(data)))),
    Accepted("nfd-text", transform(QT, nfd)),
    Accepted(
        "comments-everywhere",
        transform(
            QT, lambda data: data.replace(b"\n", b"  # ghi ch\xc3\xba\n").replace(b"|  #", b"|")
        ),
    ),
    Accepted(
        "key-order",
        transform(
            QT,
            lambda data: (
                data.replace("title: Quy trình kiểm soát tài liệu\n".encode(), b"")
                + "title: Quy trình kiểm soát tài liệu\n".encode()
            ),
        ),
    ),
    Accepted(
        "quoted-and-folded",
        replace(
            QT,
            SCOPE,
            'scope: "Mọi tài liệu của\n  Hệ thống quản lý chất lượng."',
        ),
    ),
    Accepted("document-markers", transform(QT, lambda data: b"---\n" + data + b"...\n")),
    Accepted(
        "anchor-and-alias",
        replace(QT, "forms: [BM-01-01]\nhistory", "forms: &forms [BM-01-01]\nhistory"),
    ),
    Accepted(
        "flow-style-mapping",
        replace(
            QT,
            "  - ref: 19/2014/QĐ-TTg\n    article: Điều 4\n",
            '  - {"ref": "19/2014/QĐ-TTg", article: "Điều 4"}\n',
        ),
    ),
]


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.id)
def test_harmless_variations_load_with_the_same_stamp(mini: Path, case: Accepted) -> None:
    stamp = content_stamp(Repository.open(mini).document("QT-01"))
    case.change(mini)
    before = tree_snapshot(mini)

    repo = Repository.open(mini)

    assert repo.validate() == []
    assert content_stamp(repo.document("QT-01")) == stamp
    assert tree_snapshot(mini) == before


# -- whole repositories and command lines that are wrong -----------------------------------


@dataclass(frozen=True)
class RepoCase:
    id: str
    setup: Callable[[Path, Path], list[str]]  # (mini, tmp_path) -> qms arguments
    exit_code: int
    words: str


def _plain_folder(mini: Path, tmp: Path) -> list[str]:
    from tests.minirepo import write_minirepo

    return ["-C", str(write_minirepo(tmp / "plain")), "validate"]


def _bare(mini: Path, tmp: Path) -> list[str]:
    git(tmp, "init", "-q", "--bare", "agency.git")
    return ["-C", str(tmp / "agency.git"), "validate"]


def _not_a_folder(mini: Path, tmp: Path) -> list[str]:
    return ["-C", str(mini / "qms.yaml"), "validate"]


def _merge_in_progress(mini: Path, tmp: Path) -> list[str]:
    git(mini, "checkout", "-q", "-b", "other")
    replace(BM, "title: Phiếu", "title: Mẫu phiếu")(mini)
    git(mini, "commit", "-qam", "Sửa ở nhánh khác")
    git(mini, "checkout", "-q", "main")
    replace(BM, "title: Phiếu", "title: Biểu mẫu phiếu")(mini)
    git(mini, "commit", "-qam", "Sửa ở nhánh chính")
    subprocess.run(["git", "merge", "-q", "other"], cwd=mini, capture_output=True)
    return ["-C", str(mini), "confirm", "QT-01", "--reason", "Rà soát", "--as", "binh"]


def _conflict_in_config(mini: Path, tmp: Path) -> list[str]:
    replace(
        CFG,
        "language: vi\n",
        "<<<<<<< HEAD\nlanguage: vi\n=======\nlanguage: en\n>>>>>>> other\n",
    )(mini)
    return ["-C", str(mini), "list"]


def _uncommitted(mini: Path, tmp: Path) -> list[str]:
    replace(QT, "title: Quy trình", "title: Quy trình sửa")(mini)
    return ["-C", str(mini), "confirm", "QT-01", "--reason", "Rà soát", "--as", "binh"]


def _untracked_in_empty_git(mini: Path, tmp: Path) -> list[str]:
    from tests.minirepo import write_minirepo

    root = write_minirepo(tmp / "fresh")
    git(root, "init", "-q", "-b", "main")
    return ["-C", str(root), "confirm", "QT-01", "--reason", "Rà soát", "--as", "binh"]


def _symlinked_document(mini: Path, tmp: Path) -> list[str]:
    secret = tmp / "secret.yaml"
    secret.write_text("title: MẬT-KHẨU-123\npassword: hunter2\n", encoding="utf-8")
    (mini / "procedures" / "QT-99.yaml").symlink_to(secret)
    return ["-C", str(mini), "validate"]


def _symlinked_folder(mini: Path, tmp: Path) -> list[str]:
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "BM-77.yaml").write_text("title: MẬT-KHẨU-123\n", encoding="utf-8")
    (mini / "policies").symlink_to(outside, target_is_directory=True)
    return ["-C", str(mini), "validate"]


def _new_into_symlinked_folder(mini: Path, tmp: Path) -> list[str]:
    outside = tmp / "outside"
    outside.mkdir()
    (mini / "policies").symlink_to(outside, target_is_directory=True)
    return ["-C", str(mini), "new", "policy", "CSCL", "--title", "Chính sách", "--as", "an"]


def _config_is_a_folder(mini: Path, tmp: Path) -> list[str]:
    (mini / "qms.yaml").unlink()
    (mini / "qms.yaml").mkdir()
    return ["-C", str(mini), "list"]


def _cli(*args: str) -> Callable[[Path, Path], list[str]]:
    return lambda mini, tmp: ["-C", str(mini), *args]


REPOSITORY_CASES = [
    RepoCase("not-git", _plain_folder, 0, "not-git"),
    RepoCase("bare-repository", _bare, 1, "no qms.yaml"),
    RepoCase(
        "missing-folder", lambda m, t: ["-C", str(t / "nowhere"), "list"], 1, "no such folder"
    ),
    RepoCase("not-a-folder", _not_a_folder, 2, "is a file"),
    RepoCase("merge-in-progress", _merge_in_progress, 1, "merge"),
    RepoCase("conflict-markers-in-qms-yaml", _conflict_in_config, 1, "merge conflict"),
    RepoCase("uncommitted-edits", _uncommitted, 1, "uncommitted edits"),
    RepoCase("untracked-in-a-fresh-git", _untracked_in_empty_git, 1, "uncommitted edits"),
    RepoCase("symlinked-document", _symlinked_document, 1, "symbolic link"),
    RepoCase("symlinked-folder", _symlinked_folder, 1, "symbolic link"),
    RepoCase("new-into-a-symlinked-folder", _new_into_symlinked_folder, 1, "symbolic link"),
    RepoCase("qms-yaml-is-a-folder", _config_is_a_folder, 1, "qms.yaml"),
    RepoCase("show-a-path", _cli("show", "../../../etc/passwd"), 1, "no document"),
    RepoCase("history-of-a-path", _cli("history", "../qms.yaml"), 1, "no document"),
    RepoCase("show-a-lookalike-code", _cli("show", "ＱＴ-01"), 1, "no document"),
    RepoCase("show-a-path-as-revision", _cli("show", "QT-01@../../x"), 2, "revision number"),
    RepoCase(
        "new-code-with-a-path",
        _cli("new", "procedure", "../../x", "--title", "x", "--as", "an"),
        1,
        "path separator",
    ),
    RepoCase(
        "new-code-reserved",
        _cli("new", "procedure", "AUX", "--title", "x", "--as", "an"),
        1,
        "reserved",
    ),
    RepoCase(
        "new-code-with-zero-width-space",
        _cli("new", "procedure", "QT-09\u200b", "--title", "x", "--as", "an"),
        1,
        "non-ASCII",
    ),
    RepoCase(
        "new-form-of-a-path",
        _cli("new", "form", "BM-09", "--title", "x", "--procedure", "../../etc", "--as", "an"),
        1,
        "no procedure",
    ),
    RepoCase(
        "new-title-with-a-bell",
        _cli("new", "procedure", "QT-09", "--title", "Quy trình\x07", "--as", "an"),
        1,
        "U+0007",
    ),
    RepoCase(
        "reason-with-a-nul-escape",
        _cli("revise", "QT-01", "--reason", "Sửa\x01đổi", "--as", "an"),
        1,
        "U+0001",
    ),
    RepoCase(
        "unknown-person",
        _cli("revise", "QT-01", "--reason", "Sửa", "--as", "../../root"),
        1,
        "not a person",
    ),
    RepoCase(
        "effective-date-31-february",
        _cli("approve", "QT-01", "--effective", "2025-02-31", "--as", "cuong"),
        2,
        "not a date",
    ),
]


@pytest.mark.parametrize("case", REPOSITORY_CASES, ids=lambda c: c.id)
def test_each_bad_repository_or_command_gets_one_line_and_changes_nothing(
    mini: Path, tmp_path: Path, case: RepoCase, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = case.setup(mini, tmp_path)
    capsys.readouterr()
    before = tree_snapshot(mini), git(mini, "status", "--porcelain"), git(mini, "show-ref")

    code = main(argv)

    out, err = capsys.readouterr()
    assert code == case.exit_code, out + err
    assert case.words.lower() in (out + err).lower(), out + err
    assert "Traceback" not in out + err
    if code != 0:
        assert len(err.strip().splitlines()) <= 2, err  # one line (and a usage hint)
    assert (
        tree_snapshot(mini),
        git(mini, "status", "--porcelain"),
        git(mini, "show-ref"),
    ) == before


def test_a_reason_on_several_lines_stays_in_the_audit_trail(mini: Path) -> None:
    import datetime as dt

    repo = Repository.open(mini)
    now = dt.datetime(2025, 1, 6, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    repo.revise("QT-01", reason="Dòng một\nDòng hai\n\nĐoạn ba", by="an", now=now)
    [action] = repo.actions()
    assert (action.action, action.code, action.revision) == ("revise", "QT-01", 3)
    assert action.reason == "Dòng một Dòng hai Đoạn ba"
    assert repo.document("QT-01").history[-1].reason == "Dòng một\nDòng hai\n\nĐoạn ba"


def test_an_action_on_a_detached_head_is_made_on_it(mini: Path) -> None:
    import datetime as dt

    git(mini, "checkout", "-q", "--detach")
    repo = Repository.open(mini)
    now = dt.datetime(2025, 1, 6, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    findings = verify(repo)
    result = repo.confirm("QT-01", reason="Rà soát định kỳ", by="binh", now=now)
    assert result.changed and git(mini, "rev-parse", "HEAD").strip() == result.commit
    assert git(mini, "status", "--porcelain") == "" and verify(repo) == findings
    assert repo.validate() == []


def test_the_eth_lookalike_of_d_stroke_names_the_same_legal_document(mini: Path) -> None:
    replace(QT, "ref: 19/2014/QĐ-TTg", "ref: 19/2014/QÐ-TTg")(mini)  # Ð U+00D0, not Đ U+0110
    repo = Repository.open(mini)
    assert repo.validate() == []
    assert repo.legal_document("19/2014/QÐ-TTg") is repo.legal_document("19/2014/QĐ-TTg")


# -- security: a repository is data; nothing in it is run, imported, unpickled or followed --

MARKER = "PWNED"


def _plant(root: Path, marker: Path) -> None:
    """Put into *root* everything that would run code if Python or git ever ran it."""
    payload = f"import pathlib; pathlib.Path({str(marker)!r}).write_text({MARKER!r})\n"
    for name in [
        "sitecustomize.py",
        "usercustomize.py",
        "click.py",
        "rich.py",
        "git.py",
        "yaml.py",
        "pydantic.py",
        "conftest.py",
        "setup.py",
        "qms.py",
    ]:
        (root / name).write_text(payload, encoding="utf-8")
    for package in ["qmsdocs", "ruamel", "docx"]:
        (root / package).mkdir(exist_ok=True)
        (root / package / "__init__.py").write_text(payload, encoding="utf-8")
    cache = root / "procedures" / "__pycache__"
    cache.mkdir(exist_ok=True)
    source = root / "procedures" / "QT-01.py"
    source.write_text(payload, encoding="utf-8")
    import py_compile

    py_compile.compile(str(source), cfile=str(cache / "QT-01.cpython-311.pyc"))
    source.unlink()

    class Boom:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (exec, (payload,))

    import pickle

    for name in [".git/qms.cache", ".qms-cache.pickle", "procedures/QT-01.pkl", "qms.pickle"]:
        (root / name).write_bytes(pickle.dumps(Boom()))
    # content git could run: hooks and filters named in files, never configured
    (root / ".githooks").mkdir(exist_ok=True)
    (root / ".githooks" / "pre-commit").write_text(f"#!/bin/sh\n{payload}", encoding="utf-8")
    (root / ".gitattributes").write_text("*.yaml filter=evil diff=evil\n", encoding="utf-8")
    (root / ".gitmodules").write_text(
        '[submodule "x"]\n\tpath = x\n\turl = ./x\n\tupdate = !touch ' + str(marker) + "\n",
        encoding="utf-8",
    )


def test_nothing_in_a_repository_is_ever_run(tmp_path: Path) -> None:
    from tests.minirepo import write_minirepo

    origin = write_minirepo(tmp_path / "origin")
    marker = tmp_path / "marker.txt"
    git(origin, "init", "-q", "-b", "main")
    _plant(origin, marker)
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "Một kho có cài mã độc")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    _plant(clone, marker)  # and the same, untracked, in the clone and its .git
    qms = Path(sys.executable).parent / "qms"
    commands = [
        ["validate"],
        ["list"],
        ["show", "QT-01"],
        ["verify"],
        ["history", "QT-01"],
        ["revise", "QT-01", "--reason", "Sửa đổi", "--as", "an"],
        ["submit", "QT-01", "--as", "an"],
    ]
    for args in commands:
        result = subprocess.run(
            [str(qms), *args], cwd=clone, capture_output=True, text=True, timeout=120
        )
        assert result.returncode in (0, 1), result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        assert not marker.exists(), f"qms {' '.join(args)} ran code from the repository"
    assert (
        git(clone, "log", "-1", "--format=%(trailers:key=QMS-Action,valueonly)").strip() == "submit"
    )


def test_a_symlink_is_never_followed_or_shown(
    mini: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(
        "schema_version: 1\nkind: form\ncode: BM-99\ntitle: MẬT-KHẨU-123\nunit: van-phong\n"
        "procedure: QT-01\n",
        encoding="utf-8",
    )
    (mini / "forms" / "BM-99.yaml").symlink_to(secret)
    repo = Repository.open(mini)
    assert "BM-99" not in repo
    assert main(["-C", str(mini), "show", "BM-99", "--json"]) == 1
    assert main(["-C", str(mini), "validate", "--json"]) == 1
    assert "MẬT-KHẨU" not in "".join(capsys.readouterr())
