"""The interface language: gettext catalogs, chosen per context, and Vietnamese input folded.

Every sentence qmsdocs shows a person is written in English in the code and marked for
translation with :func:`_` (or :func:`N_` where it is only named, and translated where it is
shown); the catalogs under ``qmsdocs/locale/<lang>/LC_MESSAGES/qmsdocs.po`` give it in the
agency's language. They are extracted and compiled with Babel (``make catalogs``) and read
with the standard library's :mod:`gettext`, so Babel is needed only to build them.

The language is chosen per context, never globally: the CLI wraps a run in
``with language(lang):``; an application does the same around the calls whose messages it
shows. Outside any such block messages are English. JSON keys and values, finding codes and
enum values stay English identifiers whatever the language.
"""

from __future__ import annotations

import functools
import gettext
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "NC_",
    "N_",
    "S_",
    "Said",
    "_",
    "current_language",
    "fold",
    "language",
    "ngettext",
    "pgettext",
    "translate",
    "translations",
]

DOMAIN = "qmsdocs"
LANGUAGES = ("vi", "en")
LOCALE_DIR = Path(__file__).parent / "locale"

_ENGLISH = gettext.NullTranslations()
_current: ContextVar[tuple[str, gettext.NullTranslations]] = ContextVar(
    "qmsdocs_language", default=("en", _ENGLISH)
)


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """Return the compiled catalog of *lang* (English, the source language, needs none)."""
    if lang == "en":
        return _ENGLISH
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Show every message made inside the block in *lang* (``vi`` or ``en``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    token = _current.set((lang, translations(lang)))
    try:
        yield
    finally:
        _current.reset(token)


def current_language() -> str:
    """Return the language messages are shown in here (``en`` outside any block)."""
    return _current.get()[0]


def _(message: str) -> str:
    """Return *message* in the current language."""
    return _current.get()[1].gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural form of a message for *n*, in the current language."""
    return _current.get()[1].ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Return *message*, as meant in *context*, in the current language."""
    return _current.get()[1].pgettext(context, message)


def translate(lang: str, message: str, context: str | None = None) -> str:
    """Return *message* (as meant in *context*, if given) in *lang*, whatever the context.

    For what is printed in a language chosen elsewhere: a controlled copy is printed in the
    agency's language (``qms.yaml``) even when the interface speaks another one.
    """
    catalog = translations(lang if lang in LANGUAGES else "vi")
    return catalog.pgettext(context, message) if context else catalog.gettext(message)


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name
    """Mark *message* for extraction without translating it yet (translate where shown)."""
    return message


def NC_(context: str, message: str) -> str:  # noqa: N802 - gettext's conventional name
    """Mark *message*, as meant in *context*, for extraction (translate with :func:`translate`).

    The printed words of a document share the ``document`` context, so that a label such
    as "Status" may read differently on a register than in the interface.
    """
    return message


def fold(text: str) -> str:
    """Return *text* without diacritics, đ as d, case folded and spaces collapsed.

    ``fold("Nghị định") == fold("nghi dinh") == "nghi dinh"``: what an officer types with or
    without a Vietnamese keyboard compares equal.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True, order=True)
class Said:
    """A sentence kept as its English template and values, worded when it is shown.

    What is worked out once and kept (a finding in the cache, a problem a pure function
    returns) must not be fixed in the language that happened to be in force when it was
    made: ``str(said)`` gives it in the current language, :attr:`english` in English.
    The template is an English msgid (marked ``N_()`` or ``S_()`` where it is written);
    a value is text, already formatted, or another :class:`Said` worded along with it.
    """

    template: str
    args: tuple[tuple[str, str | Said], ...] = ()

    @classmethod
    def of(cls, template: str, **args: object) -> Said:
        """Return *template* with *args* (each a :class:`Said`, or shown as ``str(value)``)."""
        return cls(
            template, tuple((k, v if isinstance(v, Said) else str(v)) for k, v in args.items())
        )

    @classmethod
    def plain(cls, text: str) -> Said:
        """Return *text* from elsewhere (a parser, the system) as a sentence without values.

        A sentence without values is never formatted: its braces stay as written. It is
        translated when the catalogs know it.
        """
        return cls(text)

    @property
    def english(self) -> str:
        """Return the sentence in English."""
        values = {k: v.english if isinstance(v, Said) else v for k, v in self.args}
        return _fill(self.template, values)

    def __str__(self) -> str:
        return _fill(_(self.template), {k: str(v) for k, v in self.args})

    def to_json(self) -> list[Any]:
        """Return the sentence as JSON-ready values (:meth:`from_json` reads them back)."""
        return [
            self.template,
            [[k, v.to_json() if isinstance(v, Said) else v] for k, v in self.args],
        ]

    @classmethod
    def from_json(cls, data: Any) -> Said:
        """Return the sentence :meth:`to_json` gave; ``ValueError`` if *data* is not one."""
        try:
            template, args = data
            pairs = tuple(
                (str(k), cls.from_json(v) if isinstance(v, list) else str(v)) for k, v in args
            )
        except (TypeError, ValueError) as error:
            raise ValueError(f"not a kept sentence: {data!r}") from error
        return cls(str(template), pairs)


def _fill(template: str, values: dict[str, str]) -> str:
    if not values:
        return template
    try:
        return template.format_map(_Values(values))
    except (ValueError, IndexError, AttributeError, KeyError):  # not a template after all
        return template


class _Values(dict[str, str]):
    """The values of a :class:`Said`; a placeholder without a value stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def S_(template: str, **args: object) -> Said:  # noqa: N802 - a gettext-style marker
    """Mark *template* for extraction and keep it with *args*, worded when shown."""
    return Said.of(template, **args)
