"""Document codes and legal numbers; pure.

A document code (QT-01, BM-QT-01-02, MTCL-2025) names its file, so it must never be able to
name a path outside its folder: a safe ASCII character set, no ``..``, no name that Windows
reserves. A legal number is kept exactly as printed (``19/2014/QĐ-TTg``) and gets a derived
file code (``19-2014-QD-TTg``).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from qmsdocs.i18n import N_, S_, Said

__all__ = ["canonical_code", "check_code", "code_key", "legal_file_code", "nfc"]

CODE_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$"
_CODE_RE = re.compile(CODE_PATTERN)
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)


def nfc(text: str) -> str:
    """Return *text* in Unicode normal form C, the form qmsdocs stores."""
    return unicodedata.normalize("NFC", text)


def check_code(code: str) -> Said | None:
    """Return why *code* is not a valid document code, or None when it is valid.

    ``str()`` of the answer words it in the current language.
    """
    if not isinstance(code, str) or not code:
        return Said(N_("a code must be a non-empty text"))
    shown = repr(code)
    if not _CODE_RE.match(code):
        if any(c in code for c in "/\\"):
            return S_("code {code} contains a path separator", code=shown)
        if any(ord(c) > 127 for c in code):
            return S_(
                "code {code} contains non-ASCII characters (allowed: A-Z a-z 0-9 . _ -)",
                code=shown,
            )
        if len(code) > 64:
            return S_("code {code} is longer than 64 characters", code=shown)
        return S_(
            "code {code} must start and end with a letter or digit and use only A-Z a-z 0-9 . _ -",
            code=shown,
        )
    if ".." in code:
        return S_("code {code} contains '..'", code=shown)
    if code.split(".")[0].upper() in _WINDOWS_RESERVED:
        return S_("code {code} is a name reserved by Windows", code=shown)
    return None


def canonical_code(code: str) -> str:
    """Return *code* as it is stored: surrounding spaces dropped, letters in upper case.

    What an officer types (``qt-10``) names the same document as ``QT-10``; a new document
    is always created under the canonical form, so two codes never differ by case only.
    """
    return code.strip().upper() if isinstance(code, str) else code


def code_key(code: str) -> str:
    """Return the key under which codes are compared: codes are unique ignoring case."""
    return code.casefold()


_D = str.maketrans({"Đ": "D", "đ": "d", "Ð": "D"})
_DASHES = re.compile(r"[^A-Za-z0-9]+")


@functools.lru_cache(maxsize=65536)
def legal_file_code(number: str) -> str:
    """Return the safe file code derived from a legal number as printed.

    ``19/2014/QĐ-TTg`` gives ``19-2014-QD-TTg``; ``TCVN ISO 9001:2015`` gives
    ``TCVN-ISO-9001-2015``. Diacritics are dropped (Đ becomes D) and every run of other
    characters becomes one dash.
    """
    # "Ð" (U+00D0) is a common look-alike of "Đ" in typed Vietnamese.
    text = nfc(number).translate(_D)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _DASHES.sub("-", text).strip("-")[:64].strip("-")
