"""Document codes can never name a path outside their folder; legal numbers keep their form."""

import pytest

from qmsdocs.model.codes import check_code, code_key, legal_file_code, nfc


@pytest.mark.parametrize("code", ["QT-01", "BM-QT-01-02", "MTCL-2025", "CSCL", "QT_TP.01", "a"])
def test_valid_codes_pass(code: str) -> None:
    assert check_code(code) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("../etc/passwd", "path separator"),
        ("QT/01", "path separator"),
        ("QT\\01", "path separator"),
        ("QT..01", "'..'"),
        ("CON", "reserved"),
        ("nul.txt", "reserved"),
        ("LPT1", "reserved"),
        ("QT-0١", "non-ASCII"),  # an Arabic-Indic digit that looks like 1
        ("QТ-01", "non-ASCII"),  # a Cyrillic Т
        ("-QT", "start and end"),
        ("QT-", "start and end"),
        ("", "non-empty"),
        ("Q" * 65, "longer than 64"),
    ],
)
def test_unsafe_codes_are_refused_with_the_reason(code: str, reason: str) -> None:
    problem = check_code(code)
    assert problem is not None and reason in str(problem)


def test_codes_compare_ignoring_case() -> None:
    assert code_key("qt-01") == code_key("QT-01")


@pytest.mark.parametrize(
    ("number", "file_code"),
    [
        ("19/2014/QĐ-TTg", "19-2014-QD-TTg"),
        ("30/2020/NĐ-CP", "30-2020-ND-CP"),
        ("55/2005/TTLT-BNV-VPCP", "55-2005-TTLT-BNV-VPCP"),
        ("05/QĐ-UBND", "05-QD-UBND"),
        ("TCVN ISO 9001:2015", "TCVN-ISO-9001-2015"),
        ("80/2015/QH13", "80-2015-QH13"),
    ],
)
def test_legal_numbers_get_a_safe_file_code(number: str, file_code: str) -> None:
    assert legal_file_code(number) == file_code
    assert check_code(legal_file_code(number)) is None


def test_legal_file_code_is_the_same_for_nfd_input() -> None:
    nfd = "19/2014/QĐ-TTg".encode().decode()  # Đ has no decomposition; add a decomposed letter
    assert legal_file_code("Quyết định 1/2020".replace("ế", "e\u0302\u0301")) == "Quyet-dinh-1-2020"
    assert legal_file_code(nfd) == "19-2014-QD-TTg"


def test_nfc_composes_decomposed_vietnamese() -> None:
    assert nfc("Quye\u0302\u0301t") == "Quyết"
