"""Choices typed as an English identifier or in Vietnamese, with or without diacritics.

``--type "Nghị định"``, ``--type "nghi dinh"``, ``--type NĐ`` and ``--type decree`` are one
choice; the words come from the labels qmsdocs prints (so what an officer reads on a page
is what they may type) and a few short forms officers use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click

from qmsdocs.i18n import _, fold
from qmsdocs.lifecycle import DocumentState
from qmsdocs.model import DocumentKind, LegalStatus, LegalType

__all__ = ["KIND", "LEGAL_STATUS", "LEGAL_TYPE", "STATE", "WordChoice"]


class WordChoice(click.ParamType):  # type: ignore[type-arg]
    """One of *values*, typed as the value itself or as any of its words, in any case."""

    def __init__(
        self, name: str, values: Sequence[str], words: Callable[[], Mapping[str, Sequence[str]]]
    ) -> None:
        self.name = name
        self.values = list(values)
        self._words = words
        self._index: dict[str, str] | None = None

    def _lookup(self) -> dict[str, str]:
        if self._index is None:
            index = {fold(v): v for v in self.values}
            index.update({fold(v.replace("_", " ")): v for v in self.values})
            for value, words in self._words().items():
                for word in words:
                    index.setdefault(fold(word), value)
            self._index = index
        return self._index

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if value in self.values:
            return str(value)
        found = self._lookup().get(fold(str(value)))
        if found is None:
            self.fail(
                _("{value!r} is not one of {choices}").format(
                    value=value, choices=", ".join(self.values)
                ),
                param,
                ctx,
            )
        return found

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.values) + "]"


def _kind_words() -> Mapping[str, Sequence[str]]:
    from qmsdocs.export._labels import labels

    vi = labels("vi")
    return {
        "procedure": [vi["kind_procedure"], "QT"],
        "policy": [vi["kind_policy"], "chính sách"],
        "objectives": [vi["kind_objectives"], "mục tiêu"],
        "form": [vi["kind_form"], "BM", "mẫu"],
    }


def _state_words() -> Mapping[str, Sequence[str]]:
    from qmsdocs.export._labels import state_label

    words: dict[str, list[str]] = {
        s.value: [state_label(s, "vi"), state_label(s, "en")] for s in DocumentState
    }
    words["pending"] += ["chờ hiệu lực", "đã phê duyệt"]
    words["effective"] += ["có hiệu lực", "hiệu lực", "in force"]
    words["superseded"] += ["hết hiệu lực", "bị thay thế"]
    words["withdrawn"] += ["hủy bỏ", "đã hủy"]
    words["draft"] += ["trả lại"]
    return words


def _legal_status_words() -> Mapping[str, Sequence[str]]:
    from qmsdocs.export._labels import legal_status_label

    words = {
        s.value: [legal_status_label(s, "vi"), legal_status_label(s, "en")] for s in LegalStatus
    }
    words["expired"].append("hết hiệu lực")
    return words


def _legal_type_words() -> Mapping[str, Sequence[str]]:
    from qmsdocs.model.legal import _TYPE_OF_ABBREVIATION

    words: dict[str, list[str]] = {t.value: [t.label("vi"), t.label("en")] for t in LegalType}
    for abbreviation, kind in _TYPE_OF_ABBREVIATION.items():
        words[kind.value].append(abbreviation)
    words[LegalType.LAW.value].append("QH")
    return words


KIND = WordChoice(
    "kind", [k.value for k in DocumentKind if k is not DocumentKind.LEGAL], _kind_words
)
STATE = WordChoice("status", [s.value for s in DocumentState], _state_words)
LEGAL_STATUS = WordChoice("status", [s.value for s in LegalStatus], _legal_status_words)
LEGAL_TYPE = WordChoice("type", [t.value for t in LegalType], _legal_type_words)
